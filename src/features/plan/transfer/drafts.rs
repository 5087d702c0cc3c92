//! Checked rows waiting for their "Import" button (migration 16): every
//! import keeps them here between the preview and the confirmation, the
//! plan's and the set-up imports' alike.

use sqlx::PgConnection;

use crate::authz::{Cap, Kind};
use crate::error::AppResult;

/// What a draft is for: its kind and, for a NAP's imports, the NAP.
#[derive(Debug, Clone, Copy)]
pub struct DraftOf {
    pub kind: &'static str,
    pub nap: Option<i64>,
}

/// Keeps checked rows for the confirmation. A person has one draft of each
/// kind (and NAP); a new upload replaces it, and drafts older than a day go.
/// `allowed` is the capability that allowed the upload.
pub async fn keep<K: Kind>(
    allowed: &Cap<K>,
    conn: &mut PgConnection,
    of: DraftOf,
    me: i64,
    rows: serde_json::Value,
) -> AppResult<i64> {
    sqlx::query!(
        "delete from import_drafts
         where kind = $1 and nap_id is not distinct from $2
           and (user_id = $3 or created_at < now() - interval '1 day')",
        of.kind,
        of.nap,
        me
    )
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar!(
        "insert into import_drafts (tenant_id, kind, nap_id, user_id, rows) values ($1, $2, $3, $4, $5)
         returning id",
        allowed.tenant_id(),
        of.kind,
        of.nap,
        me,
        rows
    )
    .fetch_one(conn)
    .await?)
}

/// Takes the person's draft (confirming twice imports once); its rows, or
/// `None` when it was taken or never was.
pub async fn take<K: Kind>(
    allowed: &Cap<K>,
    conn: &mut PgConnection,
    of: DraftOf,
    draft: i64,
    me: i64,
) -> AppResult<Option<serde_json::Value>> {
    Ok(sqlx::query_scalar!(
        "delete from import_drafts
         where tenant_id = $5 and id = $1 and kind = $2 and nap_id is not distinct from $3 and user_id = $4
         returning rows",
        draft,
        of.kind,
        of.nap,
        me,
        allowed.tenant_id()
    )
    .fetch_optional(conn)
    .await?)
}
