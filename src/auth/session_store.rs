//! Sessions kept in PostgreSQL, so several server processes share them.
//!
//! Unlike a generic store, the signed-in user's id is a column of its own:
//! ending every session of one person (deactivation, password change) is a
//! single delete rather than a scan of opaque blobs. And loading a session
//! loads its person too, in the same statement: every signed-in page saves
//! a round trip (see [`LOADED_USER_KEY`]).

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The session key that holds the signed-in user's id.
pub const USER_KEY: &str = "uid";

/// The session key under which [`PgSessionStore::load`] leaves the signed-in
/// person's row as it is now (or null when the account is no longer active).
/// It is never stored: saving leaves it out.
pub const LOADED_USER_KEY: &str = "_loaded_user";

/// A signed-in person's row, read with the session.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LoadedUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub language: Option<String>,
    pub two_factor: bool,
}

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Ends every session of `user_id`, except `keep` when given.
    pub async fn end_sessions_of(
        conn: &mut sqlx::PgConnection,
        user_id: i64,
        keep: Option<Id>,
    ) -> Result<u64, sqlx::Error> {
        let keep = keep.map(|id| id.to_string());
        let done = sqlx::query!(
            "delete from sessions where user_id = $1 and ($2::text is null or id <> $2)",
            user_id,
            keep
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected())
    }

    /// Removes expired sessions; run from time to time by the server.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let done = sqlx::query!("delete from sessions where expires_at < now()")
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// How a backend error begins when the database could not be reached: the
/// session layer's errors carry only text, and [`crate::error::AppError`]
/// answers these with 503 rather than 500.
pub use crate::error::SESSION_STORE_UNAVAILABLE as UNAVAILABLE;

fn backend(e: sqlx::Error) -> session_store::Error {
    if crate::error::database_unavailable(&e) {
        session_store::Error::Backend(format!("{UNAVAILABLE}: {e}"))
    } else {
        session_store::Error::Backend(e.to_string())
    }
}

fn encode(e: serde_json::Error) -> session_store::Error {
    session_store::Error::Encode(e.to_string())
}

/// The session's data as stored: without the person loaded with it.
fn stored_data(record: &Record) -> Result<serde_json::Value, session_store::Error> {
    let mut data = serde_json::to_value(&record.data).map_err(encode)?;
    if let Some(map) = data.as_object_mut() {
        map.remove(LOADED_USER_KEY);
    }
    Ok(data)
}

fn user_of(record: &Record) -> Option<i64> {
    record.data.get(USER_KEY).and_then(|v| v.as_i64())
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = stored_data(record)?;
        loop {
            let inserted = sqlx::query!(
                "insert into sessions (id, user_id, data, expires_at) values ($1, $2, $3, $4)
                 on conflict (id) do nothing",
                record.id.to_string(),
                user_of(record),
                data,
                record.expiry_date
            )
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = stored_data(record)?;
        sqlx::query!(
            "insert into sessions (id, user_id, data, expires_at) values ($1, $2, $3, $4)
             on conflict (id) do update
             set user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at",
            record.id.to_string(),
            user_of(record),
            data,
            record.expiry_date
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query!(
            r#"select s.data, s.expires_at, s.user_id, u.id as "person?", u.email as "email?",
                      u.name as "name?", u.language, (u.totp_secret is not null) as "two_factor?"
               from sessions s
               left join users u on u.id = s.user_id and u.active
               where s.id = $1 and s.expires_at > now()"#,
            id.to_string()
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let mut data: std::collections::HashMap<String, serde_json::Value> =
            serde_json::from_value(row.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        if row.user_id.is_some() {
            let person = match (row.person, row.email, row.name) {
                (Some(id), Some(email), Some(name)) => Some(LoadedUser {
                    id,
                    email,
                    name,
                    language: row.language,
                    two_factor: row.two_factor.unwrap_or(false),
                }),
                _ => None,
            };
            data.insert(
                LOADED_USER_KEY.to_owned(),
                serde_json::to_value(person).map_err(encode)?,
            );
        }
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: row.expires_at,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!("delete from sessions where id = $1", id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Keeps the table small: expired sessions are deleted every few minutes.
pub fn spawn_cleanup(store: PgSessionStore) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(error) = store.delete_expired().await {
                tracing::warn!(%error, "could not delete expired sessions");
            }
        }
    });
}
