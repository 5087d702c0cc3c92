//! The writes of the document library: adding is the document sharer's,
//! changing and deleting the document editor's.

use sqlx::PgConnection;

use super::CHUNK;
use super::extract::{Extractable, extract_text};
use super::files::content_type;
use super::upload::{Details, Received};
use crate::authz::{DocumentEditor, DocumentSharer};
use crate::error::AppResult;

impl DocumentSharer {
    /// A new document, without its first version yet.
    pub async fn add_document(
        &self,
        conn: &mut PgConnection,
        d: &Details,
        by: Option<i64>,
    ) -> AppResult<i64> {
        Ok(sqlx::query_scalar!(
            "insert into documents (tenant_id, title, kind, language, description, visibility,
                                    nap_id, objective_id, activity_id, committee_id, meeting_id, created_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
            self.tenant_id(),
            d.title,
            d.kind,
            d.language,
            d.description,
            d.visibility,
            d.links.nap,
            d.links.objective,
            d.links.activity,
            d.links.committee,
            d.links.meeting,
            by
        )
        .fetch_one(conn)
        .await?)
    }

    /// The id the next version will have: its chunks are written before it.
    pub async fn take_version_id(&self, conn: &mut PgConnection) -> AppResult<i64> {
        Ok(sqlx::query_scalar!(
            r#"select nextval(pg_get_serial_sequence('document_versions', 'id')) as "id!""#
        )
        .fetch_one(conn)
        .await?)
    }

    /// One chunk of a version being received.
    pub async fn write_chunk(
        &self,
        conn: &mut PgConnection,
        version: i64,
        n: i32,
        data: &[u8],
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into document_chunks (tenant_id, version_id, n, data) values ($1, $2, $3, $4)",
            self.tenant_id(),
            version,
            n,
            data
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// A whole file in memory as the document's next version (the demo's
    /// and the benchmark's small files; uploads stream instead), uploaded
    /// `at` when said. Its number, `None` when the document is not found.
    pub async fn add_file(
        &self,
        conn: &mut PgConnection,
        document: i64,
        name: &str,
        bytes: &[u8],
        by: Option<i64>,
        at: Option<time::OffsetDateTime>,
    ) -> AppResult<Option<i32>> {
        use sha2::{Digest, Sha256};
        let version = self.take_version_id(conn).await?;
        for (n, chunk) in bytes.chunks(CHUNK).enumerate() {
            let n = i32::try_from(n).unwrap_or(i32::MAX);
            self.write_chunk(conn, version, n, chunk).await?;
        }
        let text = Extractable::of(name).map_or_else(String::new, |kind| extract_text(kind, bytes));
        let file = Received {
            version,
            name: name.to_owned(),
            content_type: content_type(name).to_owned(),
            size: bytes.len() as i64,
            sha256: format!("{:x}", Sha256::digest(bytes)),
            text,
        };
        self.add_version(conn, document, &file, by, at).await
    }

    /// The version whose chunks are written, numbered after the document's
    /// latest (under the document's row lock, so two uploads at once take
    /// two numbers), uploaded now unless `at` says when; `None` when the
    /// document is not one the person may read.
    pub async fn add_version(
        &self,
        conn: &mut PgConnection,
        document: i64,
        file: &Received,
        by: Option<i64>,
        at: Option<time::OffsetDateTime>,
    ) -> AppResult<Option<i32>> {
        let locked = sqlx::query_scalar!(
            "select id from documents where id = $1 for update",
            document
        )
        .fetch_optional(&mut *conn)
        .await?;
        if locked.is_none() {
            return Ok(None);
        }
        let number = sqlx::query_scalar!(
            r#"insert into document_versions
                   (tenant_id, id, document_id, number, file_name, content_type, size, sha256, body,
                    uploaded_by, uploaded_at)
               values ($1, $2, $3,
                       coalesce((select max(number) from document_versions where document_id = $3), 0) + 1,
                       $4, $5, $6, $7, $8, $9, coalesce($10, now()))
               returning number"#,
            self.tenant_id(),
            file.version,
            document,
            file.name,
            file.content_type,
            file.size,
            file.sha256,
            file.text,
            by,
            at
        )
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query!(
            "update documents set updated_at = now() where id = $1",
            document
        )
        .execute(conn)
        .await?;
        Ok(Some(number))
    }
}

impl DocumentEditor {
    /// Saves the document's details (its versions stay as they are).
    pub async fn save_details(&self, conn: &mut PgConnection, d: &Details) -> AppResult<bool> {
        let done = sqlx::query!(
            "update documents set title = $2, kind = $3, language = $4, description = $5,
                    visibility = $6, committee_id = coalesce($7, committee_id)
             where id = $1",
            self.document_id(),
            d.title,
            d.kind,
            d.language,
            d.description,
            d.visibility,
            d.links.committee
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes the document and every version; the audit log keeps who
    /// added and deleted what.
    pub async fn delete_document(&self, conn: &mut PgConnection) -> AppResult<bool> {
        let done = sqlx::query!("delete from documents where id = $1", self.document_id())
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
