//! Sign-in throttling: after 10 failures in 15 minutes for one account or
//! one client address, further attempts get HTTP 429 until the window passes.
//! Counted in PostgreSQL so every server process sees the same numbers.

use sqlx::PgPool;

pub const MAX_FAILURES: i64 = 10;

/// Seconds until a throttled client may try again: the whole window.
pub const RETRY_AFTER_SECS: &str = "900";

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

pub async fn is_blocked(pool: &PgPool, keys: &[String; 2]) -> Result<bool, sqlx::Error> {
    let blocked = sqlx::query_scalar!(
        r#"select (count(*) filter (where key = $1) >= $3
                or count(*) filter (where key = $2) >= $3) as "blocked!"
           from login_failures
           where key in ($1, $2) and failed_at > now() - interval '15 minutes'"#,
        keys[0],
        keys[1],
        MAX_FAILURES
    )
    .fetch_one(pool)
    .await?;
    Ok(blocked)
}

pub async fn record_failure(pool: &PgPool, keys: &[String; 2]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!("delete from login_failures where failed_at < now() - interval '15 minutes'")
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "insert into login_failures (key) select unnest($1::text[])",
        &keys[..]
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// A successful sign-in forgives the account's earlier failures.
pub async fn clear_account(pool: &PgPool, keys: &[String; 2]) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from login_failures where key = $1", keys[0])
        .execute(pool)
        .await?;
    Ok(())
}
