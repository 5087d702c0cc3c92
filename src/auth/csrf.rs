//! Protection against cross-site request forgery, for every state-changing
//! request in one middleware: a token tied to the session, sent back in each
//! form (or the `X-CSRF-Token` header), and an origin check on top.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use tower_sessions::Session;

use crate::error::AppError;
use crate::state::AppState;

const SESSION_KEY: &str = "csrf";
/// The form field every POST form carries.
pub const FIELD: &str = "csrf";
const HEADER: &str = "x-csrf-token";

/// The session's token, made on first use.
pub async fn token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(SESSION_KEY).await? {
        return Ok(token);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    session.insert(SESSION_KEY, &token).await?;
    Ok(token)
}

/// Refuses any non-GET request that does not come from our own pages.
pub async fn middleware(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if !same_origin(request.headers(), state.config.public_origin.as_deref()) {
        tracing::warn!("cross-origin request refused");
        return AppError::Csrf.into_response();
    }
    let expected = match session.get::<String>(SESSION_KEY).await {
        Ok(Some(token)) => token,
        _ => return AppError::Csrf.into_response(),
    };
    let (request, sent) = match sent_token(request).await {
        Ok(pair) => pair,
        Err(response) => return response,
    };
    match sent {
        Some(sent) if constant_time_eq(sent.as_bytes(), expected.as_bytes()) => {
            next.run(request).await
        }
        _ => {
            tracing::warn!("request without a valid anti-forgery token refused");
            AppError::Csrf.into_response()
        }
    }
}

/// The token from the header, the query string or the urlencoded form body.
/// The body is read and handed on unchanged.
async fn sent_token(request: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(value) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        let value = value.to_owned();
        return Ok((request, Some(value)));
    }
    if let Some(value) = request.uri().query().and_then(|q| field(q.as_bytes())) {
        return Ok((request, Some(value)));
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    // The body limit layer outside us bounds this read.
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let value = field(&bytes);
    Ok((Request::from_parts(parts, Body::from(bytes)), value))
}

fn field(urlencoded: &[u8]) -> Option<String> {
    form_urlencoded::parse(urlencoded)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
}

/// A browser tells us where a request comes from; refuse other sites.
fn same_origin(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|site| !matches!(site, "same-origin" | "none")) {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Not a browser, or an old one: the token alone decides.
        return true;
    };
    if public_origin.is_some_and(|p| p.trim_end_matches('/') == origin) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o == h)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_rules() {
        assert!(same_origin(&headers(&[("host", "a.org")]), None));
        assert!(same_origin(
            &headers(&[("host", "a.org"), ("origin", "https://a.org")]),
            None
        ));
        assert!(!same_origin(
            &headers(&[("host", "a.org"), ("origin", "https://evil.org")]),
            None
        ));
        assert!(!same_origin(
            &headers(&[("host", "a.org"), ("sec-fetch-site", "cross-site")]),
            None
        ));
        assert!(same_origin(
            &headers(&[("host", "internal:8080"), ("origin", "https://nap.example")]),
            Some("https://nap.example/")
        ));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
