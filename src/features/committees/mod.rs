//! Committees: their members, the composition check and the terms of
//! reference, drafted by the secretariat and frozen when published.

pub mod calendar;
pub mod committees;
pub mod composition;
pub mod guideline;
pub mod meetings;
pub mod seats;
pub mod show;
pub mod tor;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/t/{slug}/committees",
            get(committees::list).post(committees::create),
        )
        .route("/t/{slug}/committees/{id}", get(show::show))
        .route(
            "/t/{slug}/committees/{id}/edit",
            get(committees::edit).post(committees::update),
        )
        .route("/t/{slug}/committees/{id}/members", post(seats::add_member))
        .route(
            "/t/{slug}/committees/{id}/members/{member}/leave",
            post(seats::leave),
        )
        .merge(tor::router())
        .merge(meetings::router())
        .merge(guideline::router())
}
