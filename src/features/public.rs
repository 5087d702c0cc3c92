//! `/p/{slug}/…`: what a tenant chose to publish, for anyone, no sign-in.
//! Only tenants that opened their public portal answer; others are 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;

use crate::error::{AppError, AppResult};
use crate::http::page::Chrome;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/p/{slug}/", get(public_home))
}

#[derive(Template, WebTemplate)]
#[template(path = "public/home.html")]
struct PublicHome {
    page: Chrome,
    name: String,
    country: String,
}

async fn public_home(
    State(state): State<AppState>,
    page: Chrome,
    Path(slug): Path<String>,
) -> AppResult<PublicHome> {
    let tenant = sqlx::query!(
        "select name, country from tenants where slug = $1 and public_portal",
        slug
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(PublicHome {
        page,
        name: tenant.name,
        country: tenant.country,
    })
}
