//! Committees: their members, the composition check and the terms of
//! reference, drafted by the secretariat and frozen when published; their
//! meetings and action points, how often they meet and what is late; the
//! calendar feeds and the public committee pages.

pub mod actions;
pub mod agenda;
pub mod calendar;
pub mod committee;
pub mod composition;
pub mod feeds;
pub mod guideline;
pub mod links;
pub mod meetings;
pub mod public;
pub mod schedule;
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
        .get(at::committee_member_leave, seats::confirm_leave)
        .post(at::committee_member_leave, seats::leave)
        .post(at::committee_feed, feeds::issue_committee)
        .get(at::tenant_actions, actions::list)
        .get(at::tenant_meetings, agenda::list)
        .post(at::tenant_meetings_feed, feeds::issue_mine)
        .merge(tor::router())
        .merge(meetings::router())
        .merge(guideline::router())
}

/// What answers without a session or a membership: the calendar feeds
/// (the token is the key) and the public committee pages (`/p/…`, only
/// what was published).
pub fn open_router() -> Routes {
    Routes::new()
        .get(at::calendar_feed, feeds::feed)
        .get(at::public_committee, public::show)
}
