//! What every request and response shares below the features: the
//! middleware pieces (`crate::app` stacks them), pages' common parts,
//! forms, downloads and the error page.

pub mod assets;
pub mod download;
pub mod error_page;
pub mod form;
pub mod health;
pub mod notice;
pub mod page;
pub mod routes;

use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::{Level, Span};

use crate::error::AppError;
pub use error_page::error_page;

/// The request's tracing span, so extractors can add the tenant and user to it.
#[derive(Clone)]
pub struct RequestSpan(pub Span);

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// axum answers a malformed path, query or form with a plain-text message
/// naming the Rust type it expected; people get our HTML page instead.
pub async fn friendly_rejections(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    match status {
        StatusCode::NOT_FOUND => error_page(status, "not_found"),
        StatusCode::PAYLOAD_TOO_LARGE => error_page(status, "too_large"),
        StatusCode::METHOD_NOT_ALLOWED => error_page(status, "method"),
        _ => error_page(StatusCode::BAD_REQUEST, "bad_request"),
    }
}

/// A NUL byte (`%00`) in a path or query string is never meant, and
/// PostgreSQL refuses to compare one: the request is answered 400 before
/// any handler or database sees it. (Forms get the same rule from
/// `form::Form`.)
pub async fn refuse_nul_in_url(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let nul = [Some(uri.path()), uri.query()]
        .into_iter()
        .flatten()
        .any(|part| {
            part.as_bytes()
                .windows(3)
                .any(|w| w.eq_ignore_ascii_case(b"%00"))
        });
    if nul {
        return error_page(StatusCode::BAD_REQUEST, "bad_request");
    }
    next.run(request).await
}

/// tower-sessions answers a session it could not save with an empty 500
/// (and logs why). Our store fails to save only when its statement fails,
/// which in practice means the database went away during the request: people
/// get the 503 page and a time to come back instead.
pub async fn unsaved_session(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let bare = !response.headers().contains_key(header::CONTENT_TYPE);
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR && bare {
        AppError::Unavailable.into_response()
    } else {
        response
    }
}

pub fn security_header(
    name: HeaderName,
    value: &'static str,
) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

pub fn make_span(request: &Request) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("", |p| p.as_str());
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        route,
        request_id,
        tenant = tracing::field::Empty,
        user = tracing::field::Empty,
    )
}

pub fn on_response(response: &Response, latency: Duration, _span: &Span) {
    tracing::event!(
        Level::INFO,
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "answered"
    );
}

pub async fn remember_span(mut request: Request, next: Next) -> Response {
    request
        .extensions_mut()
        .insert(RequestSpan(Span::current()));
    next.run(request).await
}
