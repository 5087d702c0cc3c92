//! Connecting to PostgreSQL: the configured database or a private cluster,
//! migrations, and the application role every pooled connection works as.

pub mod backup;
pub mod cluster;

use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Executor, PgConnection, PgPool};

use crate::config::DbConfig;
use crate::error::AppError;
use cluster::PrivateCluster;

/// Migrations are compiled in, so the binary runs from any directory.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The longest a request waits for a database connection before answering
/// 503: short enough that people see the error page within three seconds.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// The role the application works as: not superuser, not BYPASSRLS, owns nothing.
pub const APP_ROLE: &str = "nap_app";

/// A database the application can use, and the private cluster behind it if
/// we started one (stopped again by [`Database::close`]).
pub struct Database {
    pub options: PgConnectOptions,
    /// How PostgreSQL's own tools (pg_dump, pg_restore) reach it.
    pub conninfo: String,
    cluster: Option<PrivateCluster>,
}

impl Database {
    /// `DATABASE_URL` when set; otherwise a private cluster under the data directory.
    pub async fn open(config: &DbConfig) -> anyhow::Result<Self> {
        match &config.database_url {
            Some(url) => {
                let options: PgConnectOptions = url
                    .parse()
                    .context("DATABASE_URL is not a valid PostgreSQL URL")?;
                Ok(Self {
                    options,
                    conninfo: url.clone(),
                    cluster: None,
                })
            }
            None => {
                let cluster = PrivateCluster::ensure(&config.data_dir).await?;
                Ok(Self {
                    options: cluster.connect_options(),
                    conninfo: cluster.conninfo(),
                    cluster: Some(cluster),
                })
            }
        }
    }

    /// Applies pending migrations as the connecting (owner) role.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = PgConnection::connect_with(&self.options)
            .await
            .context("could not connect to the database")?;
        MIGRATOR
            .run(&mut conn)
            .await
            .context("could not apply database migrations")?;
        conn.close().await.ok();
        Ok(())
    }

    /// A pool whose connections work as the application role.
    ///
    /// On our private cluster they log in as that role itself, so no
    /// session ever holds the superuser's rights (a `SET ROLE` could be
    /// undone by `RESET ROLE`); the superuser connects only to migrate.
    /// With `DATABASE_URL`, a role too powerful for application work
    /// switches to the application role on connecting.
    pub async fn pool(&self, max_connections: u32) -> anyhow::Result<PgPool> {
        if self.cluster.is_some() {
            let mut conn = PgConnection::connect_with(&self.options)
                .await
                .context("could not connect to the database")?;
            conn.execute(format!("alter role {APP_ROLE} login").as_str())
                .await?;
            conn.close().await.ok();
            let options = self.options.clone().username(APP_ROLE);
            return Ok(app_pool(options, max_connections, false));
        }
        let must_switch = must_switch_role(&self.options).await?;
        Ok(app_pool(self.options.clone(), max_connections, must_switch))
    }

    /// Stops the private cluster if this process started it.
    pub async fn close(self) {
        if let Some(cluster) = self.cluster {
            cluster.stop_if_started().await;
        }
    }
}

/// Builds the pool lazily: connections are opened on demand, so the server
/// starts (and `/readyz` reports 503) even while the database is down, and
/// recovers by itself when it returns.
///
/// A connection that breaks in use is dropped when it is released (sqlx
/// pings it then). One that sat idle for [`PING_IDLE_AFTER`] or more is
/// pinged before use, so those a database restart broke are replaced rather
/// than failing a request; one used a moment ago is not, which saves a round
/// trip on nearly every request under load.
///
/// Waiting for a connection, including opening one, is bounded by
/// [`ACQUIRE_TIMEOUT`], so with the database unreachable a page answers 503
/// within it instead of hanging.
///
/// JIT compilation is off: our statements run in a millisecond, and when
/// the planner overestimates one (stale statistics, a large shared table)
/// PostgreSQL would compile it on every execution, for tens of milliseconds.
pub fn app_pool(options: PgConnectOptions, max_connections: u32, switch_role: bool) -> PgPool {
    let options = options.options([("jit", "off")]);
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_IDLE_AFTER {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if switch_role {
                    conn.execute("set role nap_app").await?;
                }
                Ok(())
            })
        })
        .connect_lazy_with(options)
}

/// How long a pooled connection may sit idle before it is pinged before use.
pub const PING_IDLE_AFTER: Duration = Duration::from_secs(1);

/// Whether the connecting role is too powerful to do application work:
/// superuser, BYPASSRLS, or owner of our tables. Then every connection
/// switches to [`APP_ROLE`], which row-level security binds.
async fn must_switch_role(options: &PgConnectOptions) -> anyhow::Result<bool> {
    let mut conn = PgConnection::connect_with(options)
        .await
        .context("could not connect to the database")?;
    let powerful: bool = sqlx::query_scalar(
        "select r.rolsuper or r.rolbypassrls or exists (
             select 1 from pg_class c
             where c.relowner = r.oid and c.relnamespace = 'public'::regnamespace)
         from pg_roles r where r.rolname = current_user",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await.ok();
    Ok(powerful)
}

/// Runs `write` in a savepoint. A unique violation of `constraint` undoes
/// it and comes back as `Ok(None)`, for the form to say the value is taken
/// while the rest of the transaction goes on (the realworld-axum-sqlx way:
/// the database decides, with no racing "does it exist?" first). Any other
/// error passes.
pub async fn unless_taken<T>(
    conn: &mut PgConnection,
    constraint: &str,
    write: impl AsyncFnOnce(&mut PgConnection) -> Result<T, AppError>,
) -> Result<Option<T>, AppError> {
    let mut savepoint = sqlx::Acquire::begin(&mut *conn).await?;
    match write(&mut savepoint).await {
        Ok(value) => {
            savepoint.commit().await?;
            Ok(Some(value))
        }
        Err(AppError::Internal(e))
            if e.downcast_ref::<sqlx::Error>()
                .is_some_and(|e| crate::error::is_unique_violation(e, constraint)) =>
        {
            savepoint.rollback().await?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
