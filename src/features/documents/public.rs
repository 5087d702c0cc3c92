//! Public documents on the portal: `/p/{slug}/documents` lists them and
//! each one's latest version downloads; nothing else of the library shows.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;

use super::Line;
use super::files::{Stored, send, stream_chunks};
use crate::error::{AppError, AppResult};
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::PublicTenant;

#[derive(Template, WebTemplate)]
#[template(path = "documents/public.html")]
pub struct PublicList {
    page: Chrome,
    slug: String,
    tenant_name: String,
    documents: Vec<Line>,
}

/// The public documents, latest first: one statement.
pub async fn published(conn: &mut sqlx::PgConnection, limit: i64) -> AppResult<Vec<Line>> {
    Ok(sqlx::query_as!(
        Line,
        r#"select d.id, d.title, d.kind, d.language, d.visibility,
                  v.number as version, v.file_name, v.size,
                  null::text as "uploaded_by?", v.uploaded_at
           from documents d
           join lateral (select * from document_versions v
                         where v.tenant_id = d.tenant_id and v.document_id = d.id
                         order by v.number desc limit 1) v on true
           where d.visibility = 'public'
           order by d.updated_at desc, d.id desc
           limit $1"#,
        limit
    )
    .fetch_all(conn)
    .await?)
}

pub(super) async fn list(page: Chrome, mut tenant: PublicTenant) -> AppResult<PublicList> {
    let documents = published(tenant.conn(), 500).await?;
    Ok(PublicList {
        page,
        slug: tenant.slug.clone(),
        tenant_name: tenant.name.clone(),
        documents,
    })
}

/// `GET /p/{slug}/documents/{id}/file`: the latest version of a public document.
pub(super) async fn download(
    mut tenant: PublicTenant,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let file = sqlx::query_as!(
        Stored,
        r#"select v.id as version, v.file_name, v.content_type, v.size,
                  (select count(*) from document_chunks c
                   where c.tenant_id = v.tenant_id and c.version_id = v.id)::int as "chunks!"
           from documents d
           join lateral (select * from document_versions v
                         where v.tenant_id = d.tenant_id and v.document_id = d.id
                         order by v.number desc limit 1) v on true
           where d.id = $1 and d.visibility = 'public'"#,
        id
    )
    .fetch_optional(tenant.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let body = stream_chunks(state.pool.clone(), tenant.id, None, &file);
    Ok(send(body, &file))
}
