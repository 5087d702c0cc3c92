//! `/login` and `/logout`.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

use super::{csrf, throttle};
use crate::error::AppResult;
use crate::http::page::Chrome;
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .get(at::login, login_page)
        .post(at::login, login)
        .post(at::logout, logout)
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    page: Chrome,
    csrf: String,
    email: String,
    next: String,
    error: Option<&'static str>,
    /// After a password reset: say so.
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    reset: Option<String>,
}

async fn login_page(
    page: Chrome,
    session: Session,
    Query(query): Query<NextQuery>,
) -> AppResult<LoginPage> {
    Ok(LoginPage {
        page,
        csrf: csrf::token(&session).await?,
        email: String::new(),
        next: safe_next(query.next.as_deref()).to_owned(),
        error: None,
        notice: query.reset.is_some().then_some("reset.done"),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    page: Chrome,
    session: Session,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_lowercase();
    let client = throttle::client_address(&state, &headers, connect.map(|c| c.0.0));
    let keys = throttle::keys(&email, &client);
    let next = safe_next(form.next.as_deref()).to_owned();
    let again = |error, status| LoginAgain {
        page,
        email: form.email.trim().to_owned(),
        next: next.clone(),
        error,
        status,
    };
    let Some(attempt) = throttle::attempt(&state.pool, &keys).await? else {
        tracing::warn!("sign-in throttled");
        return again("login.throttled", StatusCode::TOO_MANY_REQUESTS)
            .render(&session)
            .await;
    };
    let account = sqlx::query!(
        r#"select id, password_hash, language, totp_secret is not null as "two_factor!"
           from users where email = $1 and active"#,
        email
    )
    .fetch_optional(&state.pool)
    .await?;
    // An account whose person has not chosen a password yet matches nothing.
    let hash = account.as_ref().and_then(|a| a.password_hash.as_deref());
    let valid = form.password.len() <= crate::password::MAX_LEN * 4
        && state.hasher.verify(&form.password, hash).await?;
    let Some(account) = account.filter(|_| valid) else {
        // The attempt stays counted as a failure.
        tracing::info!("sign-in refused");
        return again("login.failed", StatusCode::OK).render(&session).await;
    };
    throttle::succeeded(&state.pool, attempt, &keys).await?;
    if account
        .password_hash
        .as_deref()
        .is_some_and(crate::password::needs_rehash)
    {
        let hash = state.hasher.hash(&form.password).await?;
        let mut conn = state.pool.acquire().await?;
        crate::password::set(&mut conn, account.id, &hash).await?;
        tracing::info!(user = account.id, "password hash upgraded");
    }
    if account.two_factor {
        return super::two_factor::ask_for_code(
            &session,
            account.id,
            account.language.as_deref(),
            &next,
        )
        .await;
    }
    super::start_session(&session, account.id, account.language.as_deref()).await?;
    tracing::info!(user = account.id, "signed in");
    Ok(Redirect::to(&next).into_response())
}

/// The sign-in page again, with what was typed and why it was refused.
struct LoginAgain {
    page: Chrome,
    email: String,
    next: String,
    error: &'static str,
    status: StatusCode,
}

impl LoginAgain {
    async fn render(self, session: &Session) -> AppResult<Response> {
        let page = LoginPage {
            page: self.page,
            csrf: csrf::token(session).await?,
            email: self.email,
            next: self.next,
            error: Some(self.error),
            notice: None,
        };
        Ok(throttle::retry_later((self.status, page).into_response()))
    }
}

async fn logout(session: Session) -> AppResult<Redirect> {
    // Deletes the session on the server, not just the cookie.
    session.flush().await?;
    Ok(Redirect::to(&crate::paths::home()))
}

/// Where to go after signing in (or switching language): our own path, or
/// else the home page. A browser resolves `//evil.org`, `/\evil.org` and
/// `/\t/evil.org` (it drops tabs and newlines) to another site, so the path
/// must start with one `/` followed by neither `/` nor `\`, and hold no
/// backslash or control character, neither as written nor once
/// percent-decoded (`/%5Cevil.org`, `/%0d%0aSet-Cookie:`).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if is_local_path(n) => n,
        _ => "/",
    }
}

fn is_local_path(path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    [path, decoded.as_ref()].into_iter().all(|p| {
        let mut chars = p.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && !p.contains('\\')
            && !p.chars().any(char::is_control)
    })
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_our_site() {
        for ours in [
            "/",
            "/t/veridia/",
            "/t/veridia/naps/1/plan?page=2&level=local",
            "/%C3%A9t%C3%A9",
        ] {
            assert_eq!(safe_next(Some(ours)), ours);
        }
        // As the query string decodes them: `/%09/evil` arrives as "/\t/evil".
        for theirs in [
            "/\t/evil.example/",
            "/%09/evil.example/",
            "//evil",
            "/\\evil",
            "/%5Cevil",
            "/%5cevil",
            "/%2F/evil",
            "https://evil",
            "/\r\nX:1",
            "/%0d%0aX:1",
            "javascript:alert(1)",
            "evil",
            "",
            "/x\u{0}y",
        ] {
            assert_eq!(safe_next(Some(theirs)), "/", "{theirs:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
