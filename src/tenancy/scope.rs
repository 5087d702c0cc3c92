//! The one way to scope a transaction to a tenant, for everything that
//! reads or writes a tenant's rows: below the request extractors, so that
//! sign-in links, the CLI, the demo loader and the tests use it too.

use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// Scopes the transaction on `conn`: its row-level security sees `tenant`'s
/// rows (none when `None`) as `user` sees them, until it ends. Every way
/// into a tenant ends here or in the SQL functions that call the same
/// `app_set_scope` (`enter_tenant`, `enter_public_tenant`).
pub async fn set(
    conn: &mut PgConnection,
    tenant: Option<i64>,
    user: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query!("select app_set_scope($1, $2, '')", tenant, user)
        .execute(conn)
        .await?;
    Ok(())
}

/// A transaction scoped to `tenant` (and `user`), for work outside a
/// request: the CLI, the demo loader, benchmarks and tests.
pub async fn begin(
    pool: &PgPool,
    tenant: i64,
    user: Option<i64>,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    set(&mut tx, Some(tenant), user).await?;
    Ok(tx)
}
