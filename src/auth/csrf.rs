//! Protection against cross-site request forgery, for every state-changing
//! request in one middleware: a token tied to the session, sent back in each
//! form (or the `X-CSRF-Token` header), and an origin check on top.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use rand::RngCore;
use tower_sessions::Session;

use crate::config::ServerConfig;
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
    new_token(session).await
}

/// A new token for the session, replacing the old one: at sign-in, a token
/// a visitor's page showed (or someone planted) stops working.
pub async fn renew(session: &Session) -> Result<(), AppError> {
    new_token(session).await.map(drop)
}

async fn new_token(session: &Session) -> Result<String, AppError> {
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
    if !same_origin(request.headers(), &state.config) {
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

/// The token from the header, the urlencoded form body, or the first part
/// of a multipart body. Never from the query string: a token in a URL ends
/// up in logs, history and `Referer` headers. The body is handed on
/// unchanged; of a multipart body only its beginning is read here, so an
/// upload still streams to its handler.
async fn sent_token(request: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(value) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        let value = value.to_owned();
        return Ok((request, Some(value)));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let (parts, body) = request.into_parts();
        // The body limit layer outside us bounds this read.
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|_| AppError::TooLarge.into_response())?;
        let value = field(&bytes);
        return Ok((Request::from_parts(parts, Body::from(bytes)), value));
    }
    if let Some(boundary) = multipart_boundary(&content_type) {
        let (parts, body) = request.into_parts();
        let (head, rest) = read_head(body, MULTIPART_HEAD).await?;
        let value = first_part_token(&head, &boundary);
        let body = Body::from_stream(
            futures_util::stream::once(async move { Ok::<_, axum::Error>(head) })
                .chain(rest.into_data_stream()),
        );
        return Ok((Request::from_parts(parts, body), value));
    }
    Ok((request, None))
}

/// How much of a multipart body may be read to find its first part: the
/// token comes first in every form (browsers send fields in page order).
const MULTIPART_HEAD: usize = 4096;

fn multipart_boundary(content_type: &str) -> Option<String> {
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    content_type.split(';').find_map(|p| {
        let value = p.trim().strip_prefix("boundary=")?;
        Some(value.trim_matches('"').to_owned())
    })
}

/// Reads up to `limit` bytes of `body` (or all of it, if shorter); returns
/// them and the body's remainder.
async fn read_head(body: Body, limit: usize) -> Result<(axum::body::Bytes, Body), Response> {
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    while head.len() < limit {
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(AppError::TooLarge.into_response()),
            None => break,
        }
    }
    Ok((head.into(), Body::from_stream(stream)))
}

/// The value of the first part of a multipart body if that part is the
/// token field.
fn first_part_token(head: &[u8], boundary: &str) -> Option<String> {
    let text = std::str::from_utf8(head).ok().or_else(|| {
        // The file that follows may be cut mid-character: the part itself is text.
        let valid = std::str::from_utf8(head).err()?.valid_up_to();
        std::str::from_utf8(&head[..valid]).ok()
    })?;
    let delimiter = format!("--{boundary}");
    let part = text.strip_prefix(&delimiter)?.strip_prefix("\r\n")?;
    let (headers, rest) = part.split_once("\r\n\r\n")?;
    let named = headers.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("content-disposition:")
            && line
                .split(';')
                .any(|p| p.trim() == format!("name=\"{FIELD}\""))
    });
    let (value, _) = rest.split_once(&format!("\r\n{delimiter}"))?;
    named.then(|| value.to_owned())
}

fn field(urlencoded: &[u8]) -> Option<String> {
    form_urlencoded::parse(urlencoded)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
}

/// A browser tells us where a request comes from; refuse other sites. The
/// origin must be ours exactly: the configured public origin, or else this
/// host and port over HTTPS when cookies are secure (HTTP otherwise).
fn same_origin(headers: &HeaderMap, config: &ServerConfig) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|site| !matches!(site, "same-origin" | "none")) {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Not a browser, or an old one: the token alone decides.
        return true;
    };
    let Some(origin) = Origin::parse(origin) else {
        return false;
    };
    if let Some(public) = config.public_origin.as_deref() {
        return Origin::parse(public.trim_end_matches('/')).is_some_and(|p| p == origin);
    }
    let scheme = if config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    host.and_then(|h| Origin::parse(&format!("{scheme}://{h}")))
        .is_some_and(|ours| ours == origin)
}

/// Scheme, host and port of an origin, the port filled in from the scheme.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn parse(text: &str) -> Option<Self> {
        let (scheme, rest) = text.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
            return None;
        }
        // An IPv6 host keeps its colons inside brackets.
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => (host, port.parse().ok()?),
            _ => (rest, default),
        };
        Some(Self {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }
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
        let plain = ServerConfig::default();
        let secure = ServerConfig {
            secure_cookies: true,
            ..ServerConfig::default()
        };
        let proxied = ServerConfig {
            public_origin: Some("https://nap.example/".into()),
            ..ServerConfig::default()
        };
        let check = |pairs: &[(&'static str, &'static str)], config: &ServerConfig| {
            same_origin(&headers(pairs), config)
        };
        assert!(check(&[("host", "a.org")], &plain));
        assert!(check(
            &[("host", "a.org"), ("origin", "http://a.org")],
            &plain
        ));
        assert!(check(
            &[("host", "a.org:8080"), ("origin", "http://a.org:8080")],
            &plain
        ));
        assert!(check(
            &[("host", "a.org"), ("origin", "https://a.org")],
            &secure
        ));
        assert!(check(
            &[("host", "a.org"), ("origin", "https://a.org:443")],
            &secure
        ));
        // Another scheme, port or host is another site.
        assert!(!check(
            &[("host", "a.org"), ("origin", "https://a.org")],
            &plain
        ));
        assert!(!check(
            &[("host", "a.org"), ("origin", "http://a.org")],
            &secure
        ));
        assert!(!check(
            &[("host", "a.org:8080"), ("origin", "http://a.org:8081")],
            &plain
        ));
        assert!(!check(
            &[("host", "a.org"), ("origin", "http://evil.org")],
            &plain
        ));
        assert!(!check(&[("host", "a.org"), ("origin", "null")], &plain));
        assert!(!check(
            &[("host", "a.org"), ("sec-fetch-site", "cross-site")],
            &plain
        ));
        assert!(check(
            &[("host", "internal:8080"), ("origin", "https://nap.example")],
            &proxied
        ));
        assert!(!check(
            &[("host", "internal:8080"), ("origin", "http://nap.example")],
            &proxied
        ));
    }

    #[test]
    fn the_token_is_the_first_part_of_a_multipart_body() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n\xff\xfe";
        assert_eq!(first_part_token(body, "XyZ").as_deref(), Some("abc123"));
        let later = b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n--XyZ--";
        assert_eq!(first_part_token(later, "XyZ"), None);
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(),
            Some("XyZ")
        );
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
