//! NAPs: list, create, read, edit, delete, publish.

pub mod dates;
mod delete;
mod form;
mod store;

pub use form::{NapForm, NapInput};

use crate::features::plan::alignment::{self, Aligned, Part, References};
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::Redirect;

use super::model::{self, Nap, ObjectiveNode};
use super::quarter::Quarter;
use crate::choices::{NapStatus, Theme};
use crate::error::{AppError, AppResult};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::naps, list)
        .get(at::naps_new, form::new)
        .post(at::naps_new, form::create)
        .get(at::nap, show)
        .get(at::nap_edit, form::edit)
        .post(at::nap_edit, form::update)
        .get(at::nap_delete, delete::confirm_delete)
        .post(at::nap_delete, delete::delete)
        .post(at::nap_publish, publish)
        .post(at::nap_unpublish, unpublish)
}

pub struct NapSummary {
    pub id: i64,
    pub title: String,
    pub theme: Theme,
    pub start_year: i32,
    pub end_year: i32,
    pub status: NapStatus,
    pub published: bool,
    pub activities: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/naps.html")]
struct ListPage {
    page: Chrome,
    slug: String,
    naps: Vec<NapSummary>,
    can_edit: bool,
}

async fn list(page: Chrome, mut ctx: TenantCtx) -> AppResult<ListPage> {
    let rows = sqlx::query!(
        r#"select n.id, n.title, n.theme, n.start_year, n.end_year, n.status, n.published,
                  (select count(*) from activities a where a.tenant_id = n.tenant_id and a.nap_id = n.id) as "activities!"
           from naps n order by n.start_year desc, n.title"#
    )
    .fetch_all(ctx.conn())
    .await?;
    let naps = rows
        .into_iter()
        .map(|r| NapSummary {
            id: r.id,
            title: r.title,
            theme: Theme::parse(&r.theme).unwrap_or(Theme::Other),
            start_year: r.start_year,
            end_year: r.end_year,
            status: NapStatus::parse(&r.status).unwrap_or(NapStatus::Draft),
            published: r.published,
            activities: r.activities,
        })
        .collect();
    Ok(ListPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        naps,
        can_edit: ctx.can_edit_plan(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/nap.html")]
struct ShowPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    dates: dates::NapDates,
    tree: Vec<ObjectiveNode>,
    /// The SDG targets and ILO instruments the plan and its parts serve.
    aligned: Vec<Aligned>,
    can_edit: bool,
}

async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ShowPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let tree = model::load_tree(ctx.conn(), id, Quarter::current()).await?;
    let dates = dates::load(ctx.conn(), id).await?;
    let refs = References::load(ctx.conn()).await?;
    let nap_codes = alignment::codes_of(ctx.conn(), id, Part::Nap).await?;
    let aligned = alignment::aligned_parts(&refs, &nap_codes, &tree);
    Ok(ShowPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        dates,
        aligned,
        tree,
        can_edit: ctx.can_edit_plan(),
    })
}

async fn set_published(mut ctx: TenantCtx, id: i64, published: bool) -> AppResult<Redirect> {
    let editor = ctx.plan_editor()?;
    if !editor.publish_nap(ctx.conn(), id, published).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    tracing::info!(nap = id, published, "NAP publication changed");
    let notice = if published {
        crate::choices::Notice::Published
    } else {
        crate::choices::Notice::Unpublished
    };
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::nap(&ctx.tenant.slug, id),
        notice,
    )))
}

async fn publish(ctx: TenantCtx, Path((_, id)): Path<(String, i64)>) -> AppResult<Redirect> {
    set_published(ctx, id, true).await
}

async fn unpublish(ctx: TenantCtx, Path((_, id)): Path<(String, i64)>) -> AppResult<Redirect> {
    set_published(ctx, id, false).await
}
