//! `/reset/{token}`: the person a reset link was issued for (by the
//! secretariat, see `features::members`) chooses a new password. Only a
//! hash of the token is stored, and the link stops working if the
//! membership it was issued through is deactivated.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::links::{self, Purpose};
use super::session_store::PgSessionStore;
use crate::error::{AppError, AppResult};
use crate::http::form::FieldErrors;
use crate::http::page::Chrome;
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new().get(at::reset, form).post(at::reset, reset)
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
    crate::password::set(&mut tx, link.user_id, &new_hash).await?;
    PgSessionStore::end_sessions_of(&mut tx, link.user_id, None).await?;
    tx.commit().await?;
    tracing::info!(user = link.user_id, "password reset");
    Ok(Redirect::to(&crate::paths::with_query(
        &crate::paths::login(),
        &[("reset", "done")],
    ))
    .into_response())
}
