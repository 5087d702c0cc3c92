//! Who is signed in: sessions, the sign-in and sign-out pages, and the
//! `CurrentUser` extractor every signed-in page takes.

pub mod csrf;
pub mod forgot;
pub mod handlers;
pub mod invitations;
pub mod links;
pub mod reset;
pub mod session_store;
pub mod throttle;
pub mod two_factor;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::error::AppError;
use crate::http::RequestSpan;
use crate::http::page::Chrome;
use crate::state::AppState;
use session_store::{LOADED_USER_KEY, LoadedUser, USER_KEY};

/// Unix time of sign-in; the absolute session limit counts from it.
const SIGNED_IN_AT: &str = "signed_in_at";
/// Unix time of the last request that extended the idle timeout.
const SEEN_AT: &str = "seen_at";
/// Extend the idle timeout at most this often, to save a write per request.
const TOUCH_EVERY_SECS: i64 = 60;

/// The signed-in person. As a handler argument it sends anyone not signed in
/// to the sign-in page; `Option<CurrentUser>` where signing in is optional.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub language: Option<String>,
    /// Signs in with a second factor (TOTP).
    pub two_factor: bool,
}

impl CurrentUser {
    /// Loads the session's user, ending the session if it outlived its
    /// absolute limit or the account was deactivated.
    async fn load(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, AppError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(Some(user.clone()));
        }
        let Some(session) = parts.extensions.get::<Session>().cloned() else {
            return Ok(None);
        };
        let Some(user_id) = session.get::<i64>(USER_KEY).await? else {
            return Ok(None);
        };
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let signed_in_at = session.get::<i64>(SIGNED_IN_AT).await?.unwrap_or(0);
        let max_age = i64::from(state.config.session_max_hours) * 3600;
        if now - signed_in_at > max_age {
            session.flush().await?;
            return Ok(None);
        }
        // The store loaded the person with the session; only a session
        // signed in during this very request has to look them up.
        let loaded =
            match session.get::<Option<LoadedUser>>(LOADED_USER_KEY).await? {
                Some(loaded) => loaded,
                None => sqlx::query_as!(
                    LoadedUser,
                    r#"select id, email, name, language, totp_secret is not null as "two_factor!"
                   from users where id = $1 and active"#,
                    user_id
                )
                .fetch_optional(&state.pool)
                .await?,
            };
        let Some(row) = loaded.filter(|u| u.id == user_id) else {
            session.flush().await?;
            return Ok(None);
        };
        if now - session.get::<i64>(SEEN_AT).await?.unwrap_or(0) > TOUCH_EVERY_SECS {
            session.insert(SEEN_AT, now).await?;
        }
        let user = CurrentUser {
            id: row.id,
            email: row.email,
            name: row.name,
            language: row.language,
            two_factor: row.two_factor,
        };
        if let Some(span) = parts.extensions.get::<RequestSpan>() {
            span.0.record("user", user.id);
        }
        parts.extensions.insert(user.clone());
        Ok(Some(user))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match Self::load(parts, state).await? {
            Some(user) => Ok(user),
            None => Err(AppError::SignIn {
                next: parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_owned(),
            }),
        }
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        Self::load(parts, state).await
    }
}

/// Starts a signed-in session: a new session id (so a planted id is
/// worthless), the user, and the times the timeouts count from.
pub async fn start_session(
    session: &Session,
    user_id: i64,
    language: Option<&str>,
) -> Result<(), AppError> {
    session.cycle_id().await?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    // Whoever was loaded with the session before is not this person, and
    // the forms signed in get a token of their own.
    session.remove_value(LOADED_USER_KEY).await?;
    csrf::renew(session).await?;
    session.insert(USER_KEY, user_id).await?;
    session.insert(SIGNED_IN_AT, now).await?;
    session.insert(SEEN_AT, now).await?;
    if let Some(lang) = language {
        session.insert(crate::i18n::SESSION_KEY, lang).await?;
    }
    Ok(())
}

/// Every page's shared part, from the request: its language, and for a
/// signed-in person their name and the sign-out form's token.
impl FromRequestParts<AppState> for Chrome {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user =
            <CurrentUser as axum::extract::OptionalFromRequestParts<AppState>>::from_request_parts(
                parts, state,
            )
            .await?;
        let csrf = match (&user, parts.extensions.get::<Session>()) {
            (Some(_), Some(session)) => csrf::token(session).await?,
            _ => String::new(),
        };
        Ok(Self {
            lang: crate::i18n::current(),
            user_name: user.map(|u| u.name),
            csrf,
            tenant: None,
            unread: None,
            notice: crate::http::notice::from_query(parts.uri.query()),
            path: parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned(),
        })
    }
}
