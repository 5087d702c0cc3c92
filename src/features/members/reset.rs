//! Password reset links, which the secretariat makes for its members.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::links::{self, Purpose};
use crate::error::{AppError, AppResult};
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

#[derive(Template, WebTemplate)]
#[template(path = "members/reset_issued.html")]
struct IssuedPage {
    page: Chrome,
    slug: String,
    name: String,
    link: String,
    hours: i32,
}

/// The secretariat makes a reset link for an active member of its tenant.
pub(super) async fn issue_reset(
    State(state): State<AppState>,
    page: Chrome,
    headers: HeaderMap,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    let member = sqlx::query!(
        "select u.id, u.name, u.tenant_count from memberships m join users u on u.id = m.user_id
         where m.tenant_id = $1 and m.id = $2 and m.active",
        admin.tenant_id(),
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    if member.tenant_count > 1 {
        // Another tenant trusts this account too: only the platform operator may reset it.
        let page = IssuedPage {
            page: page.in_tenant(&ctx),
            slug: ctx.tenant.slug.clone(),
            name: member.name,
            link: String::new(),
            hours: 0,
        };
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let user_id = ctx.user.id;
    let token = links::issue(&admin, ctx.conn(), id, Purpose::Reset, user_id).await?;
    links::mail(ctx.conn(), id, Purpose::Reset, &token).await?;
    let page = page.in_tenant(&ctx);
    let ctx = ctx.commit().await?;
    tracing::info!(user = member.id, "password reset link issued");
    Ok(IssuedPage {
        page,
        slug: ctx.tenant.slug.clone(),
        name: member.name,
        link: links::absolute(&state.config, &headers, &Purpose::Reset.path(&token)),
        hours: Purpose::Reset.valid_hours(),
    }
    .into_response())
}
