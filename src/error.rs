//! One error type for every handler. `http::error_page` turns each
//! variant into an HTML page that says what happened in the reader's
//! language and nothing about our internals; unexpected errors are logged
//! once, inside the request span.

use axum::http::StatusCode;

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
pub const RETRY_AFTER_SECS: &str = "5";

/// Seconds until a throttled client may try again: the throttle's whole
/// window (see `auth::throttle`).
pub const THROTTLED_RETRY_AFTER_SECS: &str = "900";

/// How the session store's errors begin when the database could not be
/// reached, so they become a 503 rather than a 500.
pub const SESSION_STORE_UNAVAILABLE: &str = "database unavailable";

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

/// Whether `e` is a unique violation of `constraint` (or of the unique
/// index of that name).
pub fn is_unique_violation(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(db)
        if db.is_unique_violation() && db.constraint() == Some(constraint))
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
            Store(Backend(ref message)) if message.starts_with(SESSION_STORE_UNAVAILABLE) => {
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
