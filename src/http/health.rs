//! Liveness and readiness for orchestrators and load balancers.

use crate::http::routes::Routes;
use crate::paths::at;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use sqlx::PgPool;

pub fn router() -> Routes {
    Routes::new()
        .get(at::healthz, || async { "ok" })
        .get(at::readyz, ready)
}

/// 200 when the database answers within two seconds, 503 otherwise.
async fn ready(State(pool): State<PgPool>) -> (StatusCode, &'static str) {
    let ping = sqlx::query_scalar::<_, i32>("select 1").fetch_one(&pool);
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}
