//! Sending a version's file: one chunk at a time, each read in its own
//! short transaction scoped like the request (so row-level security decides
//! every chunk again), as an attachment of a type we chose.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use sqlx::PgPool;

use crate::error::{AppError, AppResult};
use crate::http::download::attachment;
use crate::state::AppState;
use crate::tenancy::TenantCtx;
use crate::tenancy::scope;

/// The type a file is sent as, from its name's extension: the common
/// office and image types we name ourselves, anything else as bytes. What
/// the uploader's browser said is never repeated.
pub fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "doc" => "application/msword",
        "xls" => "application/vnd.ms-excel",
        "csv" => "text/csv",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// A stored version about to be sent.
pub struct Stored {
    pub version: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub chunks: i32,
}

/// The file's chunks as a body, each read in a transaction scoped to
/// `tenant` as `user` sees it (`None`: the public).
pub fn stream_chunks(pool: PgPool, tenant: i64, user: Option<i64>, file: &Stored) -> Body {
    let version = file.version;
    let chunks = file.chunks;
    let body = stream::unfold(0i32, move |n| {
        let pool = pool.clone();
        async move {
            if n >= chunks {
                return None;
            }
            let read = async {
                let mut tx = scope::begin(&pool, tenant, user).await?;
                let data = sqlx::query_scalar!(
                    "select data from document_chunks where version_id = $1 and n = $2",
                    version,
                    n
                )
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(data)
            };
            let item = match read.await {
                Ok(Some(data)) => Ok(axum::body::Bytes::from(data)),
                Ok(None) => Err(std::io::Error::other("chunk missing")),
                Err(e) => {
                    tracing::warn!(error = %e, "reading a document chunk failed");
                    Err(std::io::Error::other("chunk unreadable"))
                }
            };
            Some((item, n + 1))
        }
    });
    Body::from_stream(body)
}

/// The response: the file's bytes as they stream, its length announced.
pub fn send(body: Body, file: &Stored) -> Response {
    let mut response = attachment(body, &file.content_type, &file.file_name);
    if let Ok(length) = file.size.to_string().parse() {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, length);
    }
    response
}

/// `GET /t/{slug}/documents/{id}/versions/{n}/file`.
pub(super) async fn download(
    mut ctx: TenantCtx,
    State(state): State<AppState>,
    Path((_, id, n)): Path<(String, i64, i32)>,
) -> AppResult<Response> {
    let file = sqlx::query_as!(
        Stored,
        r#"select v.id as version, v.file_name, v.content_type, v.size,
                  (select count(*) from document_chunks c
                   where c.tenant_id = v.tenant_id and c.version_id = v.id)::int as "chunks!"
           from document_versions v where v.document_id = $1 and v.number = $2"#,
        id,
        n
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let ctx = ctx.commit().await?;
    let body = stream_chunks(state.pool.clone(), ctx.tenant.id, Some(ctx.user.id), &file);
    Ok(send(body, &file).into_response())
}
