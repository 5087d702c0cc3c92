//! Sign-in throttling: after 10 failures in 15 minutes for one account or
//! one client address, further attempts get HTTP 429 until the window passes.
//! Counted in PostgreSQL so every server process sees the same numbers.
//!
//! Counting and deciding are one step: an attempt is recorded (as a
//! failure, provisionally) under a lock on its keys before its password or
//! code is checked, so however many arrive at once, at most 10 per window
//! are ever checked. A success takes its provisional row back.

use sqlx::PgPool;

pub const MAX_FAILURES: i64 = 10;

pub use crate::error::THROTTLED_RETRY_AFTER_SECS as RETRY_AFTER_SECS;

/// The advisory-lock class of throttle keys (the plan's writes use 13).
const LOCK_CLASS: i32 = 17;

/// A throttled answer (429) says when to come back.
pub fn retry_later(mut response: axum::response::Response) -> axum::response::Response {
    if response.status() == axum::http::StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    response
}

/// The keys an attempt is counted under.
pub fn keys(email: &str, client: &str) -> [String; 2] {
    [
        format!("account:{}", email.to_lowercase()),
        format!("client:{client}"),
    ]
}

/// An attempt allowed to be checked, counted as a failure until
/// [`succeeded`] says otherwise.
#[must_use]
pub struct Attempt {
    rows: Vec<i64>,
}

/// Records an attempt under `keys`, or `None` when either key already has
/// its 10 failures in the window (then nothing is recorded).
pub async fn attempt(pool: &PgPool, keys: &[String; 2]) -> Result<Option<Attempt>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Both keys, in a fixed order so that two attempts never wait on each other crosswise.
    sqlx::query!(
        "select pg_advisory_xact_lock($1, hashtext(k)) from unnest($2::text[]) k order by k",
        LOCK_CLASS,
        &keys[..]
    )
    .fetch_all(&mut *tx)
    .await?;
    let blocked = sqlx::query_scalar!(
        r#"select (count(*) filter (where key = $1) >= $3
                or count(*) filter (where key = $2) >= $3) as "blocked!"
           from login_failures
           where key in ($1, $2) and failed_at > now() - interval '15 minutes'"#,
        keys[0],
        keys[1],
        MAX_FAILURES
    )
    .fetch_one(&mut *tx)
    .await?;
    if blocked {
        return Ok(None);
    }
    sqlx::query!("delete from login_failures where failed_at < now() - interval '15 minutes'")
        .execute(&mut *tx)
        .await?;
    let rows = sqlx::query_scalar!(
        "insert into login_failures (key) select unnest($1::text[]) returning id",
        &keys[..]
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(Attempt { rows }))
}

/// The attempt was right: it is no failure, and the account's earlier
/// failures are forgiven (the client address's stay).
pub async fn succeeded(
    pool: &PgPool,
    attempt: Attempt,
    keys: &[String; 2],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from login_failures where id = any($1) or key = $2",
        &attempt.rows,
        keys[0]
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The client address attempts are counted under: the peer's, or behind a
/// trusted proxy the one it appended to `X-Forwarded-For`.
pub fn client_address(
    state: &crate::state::AppState,
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
) -> String {
    // The trusted proxy appends the address it saw: the last entry. Those
    // before it are whatever the client chose to write.
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|v| !v.is_empty())
        .filter(|_| state.config.trust_forwarded_for);
    if let Some(last) = forwarded {
        return last.to_owned();
    }
    peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string())
}
