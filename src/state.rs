//! The state every handler can reach: one clone-able bundle.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;
use tokio::sync::Semaphore;

use crate::config::ServerConfig;
use crate::password::Hasher;

#[derive(Clone)]
pub struct AppState {
    /// Connections that work as the application role (row-level security applies).
    pub pool: PgPool,
    pub config: Arc<ServerConfig>,
    pub hasher: Hasher,
    /// Turns to write or read a whole plan's spreadsheet (see `ExportTurn`
    /// and the import's upload): heavy work that never takes every core.
    pub spreadsheets: Arc<Semaphore>,
}

impl AppState {
    pub fn new(pool: PgPool, config: ServerConfig) -> Self {
        let hasher = Hasher::new(config.hash_concurrency);
        // As for password hashes: spreadsheets never take every core.
        let spreadsheets = crate::config::half_the_cores();
        Self {
            pool,
            config: Arc::new(config),
            hasher,
            spreadsheets: Arc::new(Semaphore::new(spreadsheets)),
        }
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}

impl FromRef<AppState> for Hasher {
    fn from_ref(state: &AppState) -> Self {
        state.hasher.clone()
    }
}
