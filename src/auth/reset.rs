//! Password reset: the secretariat issues a one-time link that expires; the
//! person opens it and chooses a new password. The link is shown once to the
//! secretariat, who passes it on; only a hash of its token is stored, and it
//! stops working if the membership it was issued through is deactivated.

use crate::http::form::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::links::{self, Purpose};
use super::session_store::PgSessionStore;
use crate::error::{AppError, AppResult};
use crate::http::form::FieldErrors;
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/members/{id}/reset", post(issue))
        .route("/reset/{token}", get(form).post(reset))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset_issued.html")]
struct IssuedPage {
    page: Chrome,
    slug: String,
    name: String,
    link: String,
    hours: i32,
}

/// The secretariat makes a link for an active member of its tenant.
async fn issue(
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
    .fetch_optional(&mut *ctx.tx)
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
    let token = links::issue(&admin, &mut ctx.tx, id, Purpose::Reset, ctx.user.id).await?;
    let page = page.in_tenant(&ctx);
    ctx.tx.commit().await?;
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

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    page: Chrome,
    csrf: String,
    token: String,
    errors: FieldErrors,
}

async fn form(
    State(state): State<AppState>,
    page: Chrome,
    session: tower_sessions::Session,
    Path(token): Path<String>,
) -> AppResult<ResetPage> {
    let mut tx = state.pool.begin().await?;
    links::open(&mut tx, &token, Purpose::Reset)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ResetPage {
        page,
        csrf: super::csrf::token(&session).await?,
        token,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn reset(
    State(state): State<AppState>,
    page: Chrome,
    session: tower_sessions::Session,
    Path(token): Path<String>,
    Form(f): Form<ResetForm>,
) -> AppResult<Response> {
    let link = {
        let mut tx = state.pool.begin().await?;
        links::open(&mut tx, &token, Purpose::Reset)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let mut errors = FieldErrors::default();
    if let Err(key) = state
        .hasher
        .check_new(&f.new, &[&link.email, &link.name])
        .await?
    {
        errors.add("new", key);
    } else if f.new != f.confirm {
        errors.add("confirm", "profile.confirm_mismatch");
    }
    if !errors.is_empty() {
        let page = ResetPage {
            page,
            csrf: super::csrf::token(&session).await?,
            token,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let new_hash = state.hasher.hash(&f.new).await?;
    let mut tx = state.pool.begin().await?;
    // Checked again and used once, in the transaction that writes.
    let link = links::open(&mut tx, &token, Purpose::Reset)
        .await?
        .ok_or(AppError::NotFound)?;
    if !links::spend(&mut tx, &link).await? {
        return Err(AppError::NotFound);
    }
    super::password::set(&mut tx, link.user_id, &new_hash).await?;
    PgSessionStore::end_sessions_of(&mut tx, link.user_id, None).await?;
    tx.commit().await?;
    tracing::info!(user = link.user_id, "password reset");
    Ok(Redirect::to("/login?reset=done").into_response())
}
