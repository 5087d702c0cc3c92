//! The router and the middleware every response passes through.

pub mod assets;
pub mod download;
pub mod form;
pub mod health;
pub mod page;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tracing::{Level, Span};

use crate::auth::{self, session_store::PgSessionStore};
use crate::error::{AppError, error_page};
use crate::features;
use crate::i18n;
use crate::state::AppState;

/// The request's tracing span, so extractors can add the tenant and user to it.
#[derive(Clone)]
pub struct RequestSpan(pub Span);

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The whole application. Areas and their access rules are composed here:
/// `/t/{slug}/…` pages take a `TenantCtx` (signed in and a member, else
/// sign-in page or 404); `/p/{slug}/…` pages are public; everything
/// state-changing passes the CSRF middleware.
pub fn app(state: AppState) -> Router {
    let store = PgSessionStore::new(state.pool.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name("nap_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(i64::from(
            state.config.session_idle_minutes,
        ))));

    // Benchmarks only: the reference page runs through the same stack as pages.
    let reference = if state.config.bench {
        crate::bench::router()
    } else {
        Router::new()
    };
    let pages = Router::new()
        .merge(reference)
        .merge(auth::handlers::router())
        .merge(auth::reset::router())
        .merge(auth::invitations::router())
        .merge(auth::two_factor::router())
        .merge(features::home::router())
        .merge(features::profile::router())
        .merge(features::tenant_router())
        .merge(features::public::router())
        .fallback(|| async { AppError::NotFound })
        // axum's own 2 MiB cap for extractors would undercut the configured limit.
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(middleware::from_fn(friendly_rejections))
        .layer(middleware::from_fn(refuse_nul_in_url))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf::middleware,
        ))
        .layer(middleware::from_fn(i18n::locale_middleware))
        .layer(sessions)
        .layer(middleware::from_fn(unsaved_session));

    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(health::router())
        .merge(assets::router())
        .merge(pages)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(make_span)
                        .on_request(())
                        .on_response(on_response)
                        .on_failure(()),
                )
                .layer(middleware::from_fn(remember_span))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(CatchPanicLayer::custom(|_| {
                    error_page(StatusCode::INTERNAL_SERVER_ERROR, "internal")
                }))
                // Spreadsheets are zip files already.
                .layer(
                    CompressionLayer::new().compress_when(DefaultPredicate::new().and(
                        NotForContentType::const_new("application/vnd.openxmlformats"),
                    )),
                )
                .layer(security_header(header::CONTENT_SECURITY_POLICY, CSP))
                .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
                .layer(security_header(
                    header::REFERRER_POLICY,
                    "strict-origin-when-cross-origin",
                ))
                // Pages are personal unless a handler says otherwise.
                .layer(security_header(header::CACHE_CONTROL, "no-store"))
                .layer(RequestBodyLimitLayer::new(state.config.body_limit)),
        )
        .with_state(state)
}

/// axum answers a malformed path, query or form with a plain-text message
/// naming the Rust type it expected; people get our HTML page instead.
async fn friendly_rejections(request: Request, next: Next) -> Response {
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
async fn refuse_nul_in_url(request: Request, next: Next) -> Response {
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
async fn unsaved_session(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let bare = !response.headers().contains_key(header::CONTENT_TYPE);
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR && bare {
        AppError::Unavailable.into_response()
    } else {
        response
    }
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

fn make_span(request: &Request) -> Span {
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

fn on_response(response: &Response, latency: Duration, _span: &Span) {
    tracing::event!(
        Level::INFO,
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "answered"
    );
}

async fn remember_span(mut request: Request, next: Next) -> Response {
    request
        .extensions_mut()
        .insert(RequestSpan(Span::current()));
    next.run(request).await
}
