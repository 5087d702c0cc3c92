//! The error page: what every `AppError` becomes, in the reader's
//! language, never with our internals; unexpected errors logged once.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::error::{AppError, RETRY_AFTER_SECS, THROTTLED_RETRY_AFTER_SECS};
use crate::http::page::Chrome;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Chrome,
    status: u16,
    title_key: &'static str,
    body_key: &'static str,
}

/// The status of each error, and which page tells it.
fn status_and_text(error: &AppError) -> (StatusCode, &'static str) {
    match error {
        AppError::SignIn { .. } | AppError::TwoFactorRequired => (StatusCode::SEE_OTHER, "signin"),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::BadRequest => (StatusCode::BAD_REQUEST, "bad_request"),
        AppError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        AppError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
        AppError::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "too_many"),
        AppError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
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
        let (status, which) = status_and_text(&self);
        match self {
            Self::SignIn { next } => {
                let target = crate::paths::with_query(&crate::paths::login(), &[("next", &next)]);
                return Redirect::to(&target).into_response();
            }
            Self::TwoFactorRequired => {
                return Redirect::to(&crate::paths::with_query(
                    &crate::paths::profile_two_factor(),
                    &[("required", "1")],
                ))
                .into_response();
            }
            Self::Internal(ref error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
            }
            _ => {}
        }
        let mut response = error_page(status, which);
        let retry_after = match status {
            StatusCode::TOO_MANY_REQUESTS => THROTTLED_RETRY_AFTER_SECS,
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
