//! Committees: their members, the composition check and the terms of
//! reference, drafted by the secretariat and frozen when published.

pub mod composition;
pub mod guideline;
pub mod meetings;
pub mod pages;
pub mod tor;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(pages::router())
        .merge(tor::router())
        .merge(meetings::router())
        .merge(guideline::router())
}
