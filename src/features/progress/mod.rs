//! Progress: focal points report on their activities, the secretariat
//! reviews, and everyone sees where the plan stands.

pub mod comments;
pub mod dashboard;
pub mod indicators;
pub mod my_work;
pub mod review;
pub mod risks;
pub mod rounds;
pub mod updates;

use crate::http::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
        .merge(updates::router())
        .merge(review::router())
        .merge(my_work::router())
        .merge(dashboard::router())
        .merge(risks::router())
        .merge(indicators::router())
        .merge(rounds::router())
}
