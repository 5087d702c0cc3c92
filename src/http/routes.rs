//! Routes as they are registered: each feature adds its own, naming the
//! pattern from `paths`, and the list they make is the application's route
//! table (the permission matrix and the GET sweep read it, not the source).

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{get, post};

use crate::state::AppState;

/// A router and the (method, pattern) of every route in it.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, &'static str)>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, get(handler));
        self.table.push((Method::GET, path));
        self
    }

    pub fn post<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, post(handler));
        self.table.push((Method::POST, path));
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// Every route, as (method, pattern).
    pub fn table(&self) -> &[(Method, &'static str)] {
        &self.table
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
