//! The document library: terms of reference, minutes, guidance, training
//! material and legal texts, each with every version uploaded, linked to
//! the NAP, objective, activity, committee or meeting they belong to.
//!
//! A file streams in (`upload`) and out (`files`) in chunks of
//! [`CHUNK`] bytes kept in PostgreSQL, under the same row-level security
//! as every tenant row: no file is ever whole in memory, but a PDF, Word or
//! Excel file small enough to have its text read for search (`extract`).
//! Who may read a committee-only document is the database's rule
//! (`app_reads_committee`); who may add and change documents is `authz`'s.

mod extract;
mod files;
mod pages;
mod public;
mod store;
mod upload;

pub use upload::{Details, Links};

use serde::Deserialize;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::authz::ShareDocuments;
use crate::error::AppResult;
use crate::http::routes::Routes;
use crate::paths::{self, at};
use crate::tenancy::TenantCtx;

/// The bytes of one stored chunk.
pub const CHUNK: usize = 256 * 1024;

/// A document's kinds, as stored.
pub const KINDS: [&str; 7] = [
    "tor", "minutes", "report", "guidance", "training", "legal", "other",
];

/// The languages a document may be written in ('other': none of ours).
pub const LANGUAGES: [&str; 4] = ["en", "fr", "es", "other"];

/// Who reads a document.
pub const VISIBILITIES: [&str; 3] = ["members", "committee", "public"];

pub fn router() -> Routes {
    Routes::new()
        .get(at::documents, pages::list)
        .get(at::documents_new, pages::new)
        .get(at::document, pages::show)
        .post(at::document, pages::save)
        .get(at::document_file, files::download)
        .get(at::document_delete, pages::confirm_delete)
        .post(at::document_delete, pages::delete)
}

/// The routes that take a file: their body may be as large as the
/// document limit, not the pages' limit.
pub fn upload_router() -> Routes {
    Routes::new()
        .post(at::documents, upload::create)
        .post(at::document_versions, upload::add_version)
}

pub fn public_router() -> Routes {
    Routes::new()
        .get(at::public_documents, public::list)
        .get(at::public_document_file, public::download)
}

/// What a document is linked to, as a page asks for its documents.
#[derive(Debug, Clone, Copy)]
pub enum Link {
    Activity(i64),
    Committee(i64),
    Meeting(i64),
}

/// A document as a list shows it: its latest version's file and who
/// uploaded it when.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub language: String,
    pub visibility: String,
    pub version: i32,
    pub file_name: String,
    pub size: i64,
    pub uploaded_by: Option<String>,
    pub uploaded_at: OffsetDateTime,
}

impl Line {
    pub fn kind_key(&self) -> String {
        format!("document.kind.{}", self.kind)
    }

    pub fn visibility_key(&self) -> String {
        format!("document.visibility.{}", self.visibility)
    }

    pub fn size_text(&self) -> String {
        size_text(self.size)
    }

    /// The day the latest version came, the page's way.
    pub fn day(&self) -> String {
        crate::i18n::date(self.uploaded_at)
    }
}

/// "2.4 MB", "12 KB": a file's size for people.
pub fn size_text(bytes: i64) -> String {
    let bytes = bytes.max(0) as f64;
    if bytes >= 1_000_000.0 {
        format!("{:.1} MB", bytes / 1_000_000.0)
    } else {
        format!("{} KB", (bytes / 1000.0).ceil().max(1.0))
    }
}

/// The documents the person may read (row-level security decides), of
/// one kind (`""`: every kind) and linked to what `link` names (`None`:
/// anything), latest first: one statement.
pub async fn lines(
    conn: &mut PgConnection,
    kind: &str,
    link: Option<Link>,
    limit: i64,
) -> AppResult<Vec<Line>> {
    let (activity, committee, meeting) = match link {
        Some(Link::Activity(id)) => (Some(id), None, None),
        Some(Link::Committee(id)) => (None, Some(id), None),
        Some(Link::Meeting(id)) => (None, None, Some(id)),
        None => (None, None, None),
    };
    Ok(sqlx::query_as!(
        Line,
        r#"select d.id, d.title, d.kind, d.language, d.visibility,
                  v.number as version, v.file_name, v.size,
                  u.name as "uploaded_by?", v.uploaded_at
           from documents d
           join lateral (select * from document_versions v
                         where v.tenant_id = d.tenant_id and v.document_id = d.id
                         order by v.number desc limit 1) v on true
           left join users u on u.id = v.uploaded_by
           where ($1 = '' or d.kind = $1)
             and ($2::bigint is null or d.activity_id = $2)
             and ($3::bigint is null or d.committee_id = $3)
             and ($4::bigint is null or d.meeting_id = $4)
           order by d.updated_at desc, d.id desc
           limit $5"#,
        kind,
        activity,
        committee,
        meeting,
        limit
    )
    .fetch_all(conn)
    .await?)
}

/// The documents part of an activity's, a committee's or a meeting's page
/// (`templates/documents/_list.html`).
pub struct Section {
    pub lines: Vec<Line>,
    /// Where to add one linked here, for who may.
    pub add_link: Option<String>,
}

pub async fn section(ctx: &mut TenantCtx, link: Link) -> AppResult<Section> {
    let lines = lines(ctx.conn(), "", Some(link), 200).await?;
    let (field, id) = match link {
        Link::Activity(id) => ("activity", id),
        Link::Committee(id) => ("committee", id),
        Link::Meeting(id) => ("meeting", id),
    };
    let add_link = ctx.grant::<ShareDocuments>().is_ok().then(|| {
        let new = paths::documents_new(&ctx.tenant.slug);
        let mut pairs = vec![(field, id.to_string())];
        if let Link::Meeting(_) = link {
            pairs.push(("kind", "minutes".to_owned()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        paths::with_query(&new, &pairs)
    });
    Ok(Section { lines, add_link })
}

/// The library's filter: a kind, or all.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub kind: String,
}
