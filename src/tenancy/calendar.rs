//! A calendar client's way into a tenant: no session and no slug, only the
//! secret token in the feed's address. The token's hash names the feed;
//! `enter_calendar_feed` (migration 21) finds it, checks that its member
//! and account are still active and scopes the transaction to its tenant
//! and person through the same `app_set_scope` as every other way in.

use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// The SHA-256 of a feed token, as stored: the token itself never is.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A feed's tenant and person, and a transaction that sees only that
/// tenant's rows. Feeds only read.
pub struct FeedTenant {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub default_language: String,
    /// Whose feed it is.
    pub user_id: i64,
    /// One committee's meetings; none for the person's own committees.
    pub committee_id: Option<i64>,
    tx: Transaction<'static, Postgres>,
}

impl FeedTenant {
    /// The feed `token` opens, if it is a live one; `None` for anything
    /// else (unknown, replaced, its member deactivated), which the page
    /// answers with 404.
    pub async fn enter(pool: &PgPool, token: &str) -> Result<Option<Self>, sqlx::Error> {
        // Tokens are 64 hexadecimal characters; anything else is not one.
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let mut tx = pool.begin().await?;
        let found = sqlx::query!(
            r#"select tenant_id as "tenant_id!", slug as "slug!", name as "name!",
                      default_language as "default_language!", user_id as "user_id!", committee_id
               from enter_calendar_feed($1)"#,
            token_hash(token)
        )
        .fetch_optional(&mut *tx)
        .await?;
        Ok(found.map(|f| FeedTenant {
            id: f.tenant_id,
            slug: f.slug,
            name: f.name,
            default_language: f.default_language,
            user_id: f.user_id,
            committee_id: f.committee_id,
            tx,
        }))
    }

    /// The feed's connection, scoped to its tenant and person.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}
