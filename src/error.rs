//! One error type for every handler. Each variant becomes an HTML page that
//! says what happened in the reader's language and nothing about our
//! internals; unexpected errors are logged once, inside the request span.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::auth::session_store;
use crate::http::page::Chrome;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in: go to the sign-in page, then come back to `next`.
    #[error("sign-in required")]
    SignIn { next: String },
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// The request was not in the expected shape (a broken upload, say).
    #[error("bad request")]
    BadRequest,
    /// The request's body is larger than the configured limit.
    #[error("request too large")]
    TooLarge,
    /// The form's anti-forgery check failed.
    #[error("request forgery check failed")]
    Csrf,
    #[error("too many requests")]
    TooManyRequests,
    /// The tenant requires a second factor that the person has not set up.
    #[error("second factor required")]
    TwoFactorRequired,
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// How long a client should wait before trying again after a 503: about
/// the time PostgreSQL takes to restart.
const RETRY_AFTER_SECS: &str = "5";

/// Whether `e` says the database cannot be reached right now (stopped,
/// restarting, or the connection broke under us) rather than that a
/// statement is wrong: then the request may succeed if tried again.
pub fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        // Connection exceptions (08…), shutdown and start-up (57P…),
        // too many connections.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "53300"),
        _ => false,
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if database_unavailable(&e) {
            tracing::error!(error = %e, "database unavailable");
            Self::Unavailable
        } else {
            Self::Internal(e.into())
        }
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        use tower_sessions::session::Error::Store;
        use tower_sessions::session_store::Error::Backend;
        match e {
            Store(Backend(ref message)) if message.starts_with(session_store::UNAVAILABLE) => {
                tracing::error!(error = %e, "session store unavailable");
                Self::Unavailable
            }
            e => Self::Internal(e.into()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl From<axum::extract::multipart::MultipartError> for AppError {
    /// A multipart body cut off by the body limit is too large; any other
    /// broken one is a bad request.
    fn from(e: axum::extract::multipart::MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::TooLarge
        } else {
            Self::BadRequest
        }
    }
}

impl From<axum::extract::multipart::MultipartRejection> for AppError {
    fn from(e: axum::extract::multipart::MultipartRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::TooLarge
        } else {
            Self::BadRequest
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Chrome,
    status: u16,
    title_key: &'static str,
    body_key: &'static str,
}

impl AppError {
    fn status_and_text(&self) -> (StatusCode, &'static str) {
        match self {
            Self::SignIn { .. } | Self::TwoFactorRequired => (StatusCode::SEE_OTHER, "signin"),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Self::BadRequest => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            Self::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "too_many"),
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// Renders the error page for `status`; also used for routes nobody matched.
pub fn error_page(status: StatusCode, which: &'static str) -> Response {
    let (title_key, body_key) = match which {
        "not_found" => ("error.not_found.title", "error.not_found.body"),
        "forbidden" => ("error.forbidden.title", "error.forbidden.body"),
        "csrf" => ("error.csrf.title", "error.csrf.body"),
        "too_many" => ("error.too_many.title", "error.too_many.body"),
        "unavailable" => ("error.unavailable.title", "error.unavailable.body"),
        "bad_request" => ("error.bad_request.title", "error.bad_request.body"),
        "too_large" => ("error.too_large.title", "error.too_large.body"),
        "method" => ("error.method.title", "error.method.body"),
        _ => ("error.internal.title", "error.internal.body"),
    };
    let page = ErrorPage {
        page: Chrome::bare(),
        status: status.as_u16(),
        title_key,
        body_key,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, [(header::CONTENT_TYPE, "text/plain")], "Error").into_response(),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, which) = self.status_and_text();
        match self {
            Self::SignIn { next } => {
                let target = format!("/login?next={}", crate::http::page::encode_component(&next));
                return Redirect::to(&target).into_response();
            }
            Self::TwoFactorRequired => {
                return Redirect::to("/profile/two-factor?required=1").into_response();
            }
            Self::Internal(ref error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
            }
            _ => {}
        }
        let mut response = error_page(status, which);
        let retry_after = match status {
            StatusCode::TOO_MANY_REQUESTS => crate::auth::throttle::RETRY_AFTER_SECS,
            StatusCode::SERVICE_UNAVAILABLE => RETRY_AFTER_SECS,
            _ => return response,
        };
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static(retry_after),
        );
        response
    }
}
