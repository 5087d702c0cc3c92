//! The state every handler can reach: one clone-able bundle.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use crate::auth::password::Hasher;
use crate::config::ServerConfig;

#[derive(Clone)]
pub struct AppState {
    /// Connections that work as the application role (row-level security applies).
    pub pool: PgPool,
    pub config: Arc<ServerConfig>,
    pub hasher: Hasher,
}

impl AppState {
    pub fn new(pool: PgPool, config: ServerConfig) -> Self {
        let hasher = Hasher::new(config.hash_concurrency);
        Self {
            pool,
            config: Arc::new(config),
            hasher,
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
