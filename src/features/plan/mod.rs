//! The implementation plan: NAPs, their objectives, outcomes and
//! activities with time targets, the quarter grid, and spreadsheets in and out.

pub mod activities;
pub mod alignment;
mod alignment_pages;
pub mod close;
pub mod grid;
pub mod model;
pub mod naps;
pub mod quarter;
pub mod structure;
pub mod tags;
pub mod transfer;

use crate::http::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
        .merge(naps::router())
        .merge(structure::router())
        .merge(activities::router())
        .merge(grid::router())
        .merge(transfer::router())
        .merge(close::router())
        .merge(tags::router())
        .merge(alignment_pages::router())
}
