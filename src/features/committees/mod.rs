//! Committees: their members, the composition check and the terms of
//! reference, drafted by the secretariat and frozen when published.

pub mod calendar;
pub mod committee;
pub mod composition;
pub mod guideline;
pub mod meetings;
pub mod seats;
pub mod show;
pub mod tor;

use crate::http::routes::Routes;
use crate::paths::at;

pub fn router() -> Routes {
    Routes::new()
        .get(at::committees, committee::list)
        .post(at::committees, committee::create)
        .get(at::committee, show::show)
        .get(at::committee_edit, committee::edit)
        .post(at::committee_edit, committee::update)
        .post(at::committee_members, seats::add_member)
        .post(at::committee_member_leave, seats::leave)
        .merge(tor::router())
        .merge(meetings::router())
        .merge(guideline::router())
}
