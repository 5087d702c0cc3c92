//! `/reset`: a person who forgot their password asks for a link by e-mail.
//! The answer is the same whether or not an account uses the address, and
//! requests are counted like sign-in attempts (per address and per client),
//! so the page tells nobody who has an account and cannot flood a mailbox.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::links::{self, Purpose};
use super::{csrf, throttle};
use crate::authz;
use crate::error::AppResult;
use crate::http::form::{FieldErrors, Form};
use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::paths::at;
use crate::state::AppState;
use crate::tenancy::scope;

pub fn router() -> Routes {
    Routes::new()
        .get(at::reset_request, page)
        .post(at::reset_request, request)
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    page: Chrome,
    csrf: String,
    email: String,
    errors: FieldErrors,
    /// The request was taken (or throttled): the answer, whoever asked.
    answer: Option<&'static str>,
}

async fn page(page: Chrome, session: Session) -> AppResult<ForgotPage> {
    Ok(ForgotPage {
        page,
        csrf: csrf::token(&session).await?,
        email: String::new(),
        errors: FieldErrors::default(),
        answer: None,
    })
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn request(
    State(state): State<AppState>,
    page: Chrome,
    session: Session,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    let typed = form.email.trim().to_owned();
    let again = |errors, answer, status: StatusCode| async move {
        let page = ForgotPage {
            page,
            csrf: csrf::token(&session).await?,
            email: typed,
            errors,
            answer,
        };
        AppResult::Ok(throttle::retry_later((status, page).into_response()))
    };
    let email = match crate::accounts::normalize_email(&form.email) {
        Ok(email) => email,
        Err(key) => {
            let mut errors = FieldErrors::default();
            errors.add("email", key);
            return again(errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let client = throttle::client_address(&state, &headers, connect.map(|c| c.0.0));
    let keys = [format!("reset:{email}"), format!("reset-client:{client}")];
    // Every request counts; none is forgiven.
    if throttle::attempt(&state.pool, &keys).await?.is_none() {
        tracing::warn!("reset requests throttled");
        return again(
            FieldErrors::default(),
            Some("forgot.throttled"),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let user = sqlx::query_scalar!(
        "select id from users where email = $1 and active and password_hash is not null",
        email
    )
    .fetch_optional(&state.pool)
    .await?;
    if let Some(user) = user {
        let mut tx = state.pool.begin().await?;
        // The person's own memberships; the first active one carries the link.
        scope::set(&mut tx, None, Some(user)).await?;
        let found = sqlx::query!(
            "select tenant_id, id from memberships where user_id = $1 and active order by id limit 1",
            user
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(m) = found {
            scope::set(&mut tx, Some(m.tenant_id), Some(user)).await?;
            let admin = authz::operator::<authz::ManageMembers>(m.tenant_id);
            let token = links::issue(&admin, &mut tx, m.id, Purpose::Reset, user).await?;
            links::mail(&mut tx, m.id, Purpose::Reset, &token).await?;
            tx.commit().await?;
            tracing::info!(user, "reset link sent by e-mail on request");
        }
    }
    again(FieldErrors::default(), Some("forgot.sent"), StatusCode::OK).await
}
