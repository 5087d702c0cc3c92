//! The whole application: every area's routes and the middleware stack
//! every request passes through. The access rules are composed here, where
//! they can be seen: `/t/{slug}/…` pages take a `TenantCtx` (signed in and a
//! member, else the sign-in page or 404); `/p/{slug}/…` pages are public;
//! everything state-changing passes the CSRF middleware.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode, header};
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::auth::{self, session_store::PgSessionStore};
use crate::error::AppError;
use crate::features;
use crate::http::routes::Routes;
use crate::http::{
    CSP, assets, error_page, friendly_rejections, health, make_span, on_response,
    refuse_nul_in_url, remember_span, security_header, unsaved_session,
};
use crate::i18n;
use crate::state::AppState;

/// The pages: everything behind sessions, the language and the CSRF check.
fn pages() -> Routes {
    uploads().merge(pages_but_uploads())
}

/// The document library's uploads: the one place a body may be larger than
/// `body_limit`, up to `document_limit` and its form.
fn uploads() -> Routes {
    features::documents::upload_router()
}

fn pages_but_uploads() -> Routes {
    Routes::new()
        .merge(auth::handlers::router())
        .merge(auth::reset::router())
        .merge(auth::forgot::router())
        .merge(auth::invitations::router())
        .merge(auth::two_factor::router())
        .merge(features::home::router())
        .merge(features::profile::router())
        .merge(features::notifications::router())
        .merge(features::help::router())
        .merge(features::tenant_router())
        .merge(features::public::router())
        .merge(features::reports::public_router())
        .merge(features::documents::public_router())
        .merge(features::search::public_router())
        .merge(features::committees::open_router())
}

/// What answers before any session: health checks and static files.
fn outside_sessions() -> Routes {
    Routes::new()
        .merge(health::router())
        .merge(assets::router())
        .merge(features::notifications::open_router())
}

/// Every route the application serves, as (method, pattern): the route
/// table the tests walk (the benchmark's page too, which only `--bench`
/// serves).
pub fn route_table() -> Vec<(axum::http::Method, &'static str)> {
    let all = outside_sessions()
        .merge(pages())
        .merge(crate::bench::router());
    all.table().to_vec()
}

/// A document upload's largest body: the file and the form's other fields.
fn upload_limit(state: &AppState) -> usize {
    state.config.document_limit.saturating_add(64 * 1024)
}

/// The application as `serve` runs it and the tests drive it.
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

    // Every page runs through the same stack: its session, language, CSRF
    // check and friendly errors, inside a body limit of its own (the
    // uploads' is the document limit), which sees the body before the CSRF
    // check reads its head.
    let stack = |router: Router<AppState>, limit: usize| {
        router
            .layer(middleware::from_fn(friendly_rejections))
            .layer(middleware::from_fn(refuse_nul_in_url))
            .layer(middleware::from_fn_with_state(
                state.clone(),
                auth::csrf::middleware,
            ))
            .layer(middleware::from_fn(i18n::locale_middleware))
            .layer(sessions.clone())
            .layer(middleware::from_fn(unsaved_session))
            .layer(RequestBodyLimitLayer::new(limit))
    };
    // Benchmarks only: the reference page runs through the same stack as pages.
    let mut pages = pages_but_uploads();
    if state.config.bench {
        pages = pages.merge(crate::bench::router());
    }
    let uploads = uploads()
        .into_router()
        // The upload counts its file's bytes itself, against `document_limit`.
        .layer(DefaultBodyLimit::disable());
    let pages = pages
        .into_router()
        // axum's own 2 MiB cap for extractors would undercut the configured limit.
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .fallback(|| async { AppError::NotFound });
    let pages = stack(pages, state.config.body_limit).merge(stack(uploads, upload_limit(&state)));

    let request_id = HeaderName::from_static("x-request-id");
    outside_sessions()
        .into_router()
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
                // Spreadsheets are zip files already; PDFs and other files
                // are compressed, or bytes we know nothing of.
                .layer(
                    CompressionLayer::new().compress_when(
                        DefaultPredicate::new()
                            .and(NotForContentType::const_new(
                                "application/vnd.openxmlformats",
                            ))
                            .and(NotForContentType::const_new("application/pdf"))
                            .and(NotForContentType::const_new("application/octet-stream")),
                    ),
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
                .layer(RequestBodyLimitLayer::new(
                    upload_limit(&state).max(state.config.body_limit),
                )),
        )
        .with_state(state)
}
