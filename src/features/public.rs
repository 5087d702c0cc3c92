//! `/p/{slug}/…`: what a tenant chose to publish, for anyone, no sign-in.
//! Only tenants that opened their public portal answer, and only published
//! NAPs; everything else is 404, including guessed ids.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Path;
use axum::routing::get;

use crate::error::{AppError, AppResult};
use crate::features::plan::grid::{Filters, Grid};
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::Quarter;
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::PublicTenant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{slug}/", get(public_home))
        .route("/p/{slug}/naps/{id}", get(public_nap))
}

pub struct PublishedNap {
    pub id: i64,
    pub title: String,
    pub start_year: i32,
    pub end_year: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/home.html")]
struct PublicHome {
    page: Chrome,
    slug: String,
    name: String,
    country: String,
    naps: Vec<PublishedNap>,
}

async fn public_home(page: Chrome, mut tenant: PublicTenant) -> AppResult<PublicHome> {
    let naps = sqlx::query_as!(
        PublishedNap,
        "select id, title, start_year, end_year from naps where published order by start_year desc"
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    Ok(PublicHome {
        page,
        slug: tenant.slug,
        name: tenant.name,
        country: tenant.country,
        naps,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "public/nap.html")]
struct PublicNap {
    page: Chrome,
    slug: String,
    tenant_name: String,
    nap: Nap,
    grid: Grid,
    today: Quarter,
    link_base: String,
    /// Only when the tenant chose to publish spending.
    show_spending: bool,
}

async fn public_nap(
    page: Chrome,
    mut tenant: PublicTenant,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<PublicNap> {
    let nap = model::load_nap(&mut tenant.tx, id).await?;
    if !nap.published {
        return Err(AppError::NotFound);
    }
    let today = Quarter::current();
    let tree = model::load_tree(&mut tenant.tx, id, today).await?;
    let grid = Grid::build(&nap, tree, &Filters::default(), today);
    let show_spending = sqlx::query_scalar!(
        "select publish_spending from tenants where id = $1",
        tenant.id
    )
    .fetch_one(&mut *tenant.tx)
    .await?;
    Ok(PublicNap {
        page,
        slug: tenant.slug,
        tenant_name: tenant.name,
        nap,
        grid,
        today,
        link_base: String::new(),
        show_spending,
    })
}
