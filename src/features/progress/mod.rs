//! Progress: focal points report on their activities, the secretariat
//! reviews, and everyone sees where the plan stands.

pub mod dashboard;
pub mod my_work;
pub mod review;
pub mod updates;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(updates::router())
        .merge(review::router())
        .merge(my_work::router())
        .merge(dashboard::router())
}
