//! Password reset: the secretariat issues a one-time link that expires; the
//! person opens it and chooses a new password. The link is shown once to the
//! secretariat, who passes it on; only a hash of its token is stored.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::session_store::PgSessionStore;
use crate::error::{AppError, AppResult};
use crate::http::form::FieldErrors;
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

/// How long a link works.
const VALID_HOURS: i64 = 48;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/members/{id}/reset", post(issue))
        .route("/reset/{token}", get(form).post(reset))
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset_issued.html")]
struct IssuedPage {
    page: Chrome,
    slug: String,
    name: String,
    link: String,
    hours: i64,
}

/// The secretariat makes a link for a member of its tenant.
async fn issue(
    page: Chrome,
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
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    // Earlier unused links for the same person stop working.
    sqlx::query!(
        "update password_resets set used_at = now() where user_id = $1 and used_at is null",
        member.id
    )
    .execute(&mut *ctx.tx)
    .await?;
    sqlx::query!(
        "insert into password_resets (user_id, token_hash, issued_by, expires_at)
         values ($1, $2, $3, now() + make_interval(hours => $4))",
        member.id,
        hash(&token),
        ctx.user.id,
        VALID_HOURS as i32
    )
    .execute(&mut *ctx.tx)
    .await?;
    sqlx::query!(
        "insert into audit_log (tenant_id, actor, request_id, action, object_type, object_id)
         values ($1, $2, coalesce(current_setting('app.request_id', true), ''), 'insert', 'password_resets', $3)",
        admin.tenant_id(),
        ctx.user.id,
        member.id
    )
    .execute(&mut *ctx.tx)
    .await?;
    let page = page.in_tenant(&ctx);
    ctx.tx.commit().await?;
    tracing::info!(user = member.id, "password reset link issued");
    Ok(IssuedPage {
        page,
        slug: ctx.tenant.slug.clone(),
        name: member.name,
        link: format!("/reset/{token}"),
        hours: VALID_HOURS,
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

/// The person the link is for, if it is unused and unexpired.
async fn holder(state: &AppState, token: &str) -> AppResult<(i64, String, String)> {
    let row = sqlx::query!(
        "select r.user_id, u.email, u.name from password_resets r join users u on u.id = r.user_id
         where r.token_hash = $1 and r.used_at is null and r.expires_at > now() and u.active",
        hash(token)
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((row.user_id, row.email, row.name))
}

async fn form(
    State(state): State<AppState>,
    page: Chrome,
    session: tower_sessions::Session,
    Path(token): Path<String>,
) -> AppResult<ResetPage> {
    holder(&state, &token).await?;
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
    let (user, email, name) = holder(&state, &token).await?;
    let mut errors = FieldErrors::default();
    if let Err(key) = state.hasher.check_new(&f.new, &[&email, &name]).await? {
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
    // Used once: the update only succeeds while the link is still open.
    let used = sqlx::query!(
        "update password_resets set used_at = now() where token_hash = $1 and used_at is null and expires_at > now()",
        hash(&token)
    )
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query!(
        "update users set password_hash = $2 where id = $1",
        user,
        new_hash
    )
    .execute(&mut *tx)
    .await?;
    PgSessionStore::end_sessions_of(&mut tx, user, None).await?;
    tx.commit().await?;
    tracing::info!(user, "password reset");
    Ok(Redirect::to("/login?reset=done").into_response())
}
