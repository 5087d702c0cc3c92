//! Published reports on the public portal: `/p/{slug}/reports/{n}` and its
//! PDF, with only what the tenant chose to publish. The page is the same for
//! everyone, so it is cached and revalidated like the public terms of
//! reference.

use askama::Template;
use askama_web::WebTemplate;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::render::Block;
use super::{LangQuery, Report, load};
use crate::error::{AppError, AppResult};
use crate::features::plan::transfer::ExportTurn;
use crate::http::download::attachment;
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::PublicTenant;

#[derive(Template, WebTemplate)]
#[template(path = "reports/public.html")]
struct PublicReport {
    page: Chrome,
    slug: String,
    tenant_name: String,
    number: i32,
    blocks: Vec<Block>,
}

/// The published report numbered `n`, with what the public may read of it.
async fn published(
    tenant: &mut PublicTenant,
    n: i32,
) -> AppResult<(Report, super::figures::Figures)> {
    // Only a published report of a NAP the tenant publishes.
    let id = sqlx::query_scalar!(
        "select r.id from reports r join naps n on n.tenant_id = r.tenant_id and n.id = r.nap_id
         where r.number = $1 and r.published_at is not null and n.published",
        n
    )
    .fetch_optional(tenant.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let report = load(tenant.conn(), id).await?;
    let figures = report.figures.clone().ok_or(AppError::NotFound)?;
    let meetings: Vec<i64> = figures
        .decisions
        .iter()
        .map(|d| d.meeting)
        .chain(figures.action_points.iter().map(|a| a.meeting))
        .collect();
    let published_minutes = sqlx::query_scalar!(
        "select id from meetings where id = any($1) and minutes_published",
        &meetings
    )
    .fetch_all(tenant.conn())
    .await?;
    let figures = figures.for_public(
        report.publish_notes,
        report.publish_spending,
        &published_minutes,
    );
    Ok((report, figures))
}

pub(super) async fn report(
    mut tenant: PublicTenant,
    headers: HeaderMap,
    Path((_, n)): Path<(String, i32)>,
) -> AppResult<Response> {
    let (report, figures) = published(&mut tenant, n).await?;
    let page = PublicReport {
        page: Chrome::bare(),
        blocks: super::render::blocks(&figures, &report.words, &report.kind, report.number),
        slug: tenant.slug,
        tenant_name: tenant.name,
        number: n,
    };
    let html = page.render().map_err(anyhow::Error::from)?;
    Ok(crate::features::public::cached_html(&headers, html))
}

pub(super) async fn pdf(
    State(state): State<AppState>,
    mut tenant: PublicTenant,
    Path((_, n)): Path<(String, i32)>,
    Query(q): Query<LangQuery>,
) -> AppResult<Response> {
    let (report, figures) = published(&mut tenant, n).await?;
    let lang = q.language();
    let name = super::file_name(&report, lang, "pdf");
    let key = kept::key(tenant.id, &report, &figures, lang)?;
    drop(tenant);
    let bytes = match kept::get(key) {
        Some(bytes) => bytes,
        None => {
            // Only a copy to lay out takes a turn; a visitor who waited for
            // one may find it laid out by the visitor before.
            let _turn = ExportTurn::take(&state).await?;
            match kept::get(key) {
                Some(bytes) => bytes,
                None => {
                    let bytes = Arc::new(super::write_file(lang, figures, report, true).await?);
                    kept::put(key, bytes.clone());
                    bytes
                }
            }
        }
    };
    let mut response = attachment(bytes.to_vec(), "application/pdf", &name);
    // The same for every visitor: caches keep it a while (the tenant may
    // still change what the public sees, so not for ever).
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

/// The public PDFs laid out lately, kept in this process: an issued
/// report's public copy changes only when the tenant changes what the
/// public sees, so a visitor who asks again, or the next one, does not make
/// the server lay it out again (a 2,000-activity year takes 1.5 s in an
/// export's turn). The key is the copy's own content, so any change to what
/// the public sees is a new key. At most 64 MB, the oldest dropped first.
mod kept {
    use std::collections::VecDeque;
    use std::hash::{DefaultHasher, Hash, Hasher};
    use std::sync::{Arc, Mutex};

    use super::Report;
    use crate::features::reports::figures::Figures;

    const LIMIT: usize = 64 * 1024 * 1024;

    static KEPT: Mutex<VecDeque<(u64, Arc<Vec<u8>>)>> = Mutex::new(VecDeque::new());

    pub fn key(tenant: i64, report: &Report, figures: &Figures, lang: &str) -> anyhow::Result<u64> {
        let mut h = DefaultHasher::new();
        (
            tenant,
            report.id,
            report.number,
            lang,
            serde_json::to_string(figures)?,
        )
            .hash(&mut h);
        report.words.title.hash(&mut h);
        for (_, text) in report.words.sections() {
            text.hash(&mut h);
        }
        Ok(h.finish())
    }

    pub fn get(key: u64) -> Option<Arc<Vec<u8>>> {
        let kept = KEPT.lock().ok()?;
        kept.iter().find(|(k, _)| *k == key).map(|(_, b)| b.clone())
    }

    pub fn put(key: u64, bytes: Arc<Vec<u8>>) {
        let Ok(mut kept) = KEPT.lock() else { return };
        if bytes.len() > LIMIT || kept.iter().any(|(k, _)| *k == key) {
            return;
        }
        kept.push_back((key, bytes));
        while kept.iter().map(|(_, b)| b.len()).sum::<usize>() > LIMIT {
            kept.pop_front();
        }
    }
}
