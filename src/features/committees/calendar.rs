//! Meetings in people's own calendars: iCalendar files written by a
//! maintained crate, which folds long lines and escapes every value (a line
//! break typed in an agenda cannot start a property of its own).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use icalendar::{Calendar, Component, Event, EventLike};
use time::OffsetDateTime;

use super::committee;
use super::meetings;
use crate::auth::links::absolute;
use crate::error::AppResult;
use crate::http::download::attachment;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

/// What a calendar entry shows of a meeting: never its minutes, its
/// attendance or anything else said at it.
pub struct CalendarMeeting<'a> {
    /// Unique across tenants and time: `meeting-{tenant}-{id}`.
    pub uid: String,
    pub committee: &'a str,
    pub starts_at: OffsetDateTime,
    /// When the meeting last changed: the entry's DTSTAMP and
    /// LAST-MODIFIED, so a feed read twice says the same.
    pub changed_at: OffsetDateTime,
    pub place: &'a str,
    pub link: &'a str,
    pub agenda: &'a str,
    /// The meeting's page, for those who can sign in.
    pub page: Option<String>,
}

fn utc(at: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(at.unix_timestamp(), 0).unwrap_or_default()
}

/// Text as iCalendar takes it: line breaks are `\n` only (the crate
/// escapes those), never a carriage return, which it would leave raw in
/// the middle of a line, where a client could read the rest as a property.
fn text(value: &str) -> String {
    crate::http::form::lines(value)
}

/// An iCalendar file of `meetings`; each lasts two hours. `name` names a
/// subscribed calendar in people's calendar applications.
pub fn calendar(name: Option<&str>, meetings: &[CalendarMeeting<'_>]) -> String {
    let mut calendar = Calendar::new();
    if let Some(name) = name {
        calendar.name(&text(name)).ttl(&chrono::Duration::hours(1));
    }
    for m in meetings {
        let location = [m.place, m.link]
            .iter()
            .filter(|s| !s.trim().is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" · ");
        let mut event = Event::new();
        event
            .uid(&format!("{}@nap-oversight", m.uid))
            .timestamp(utc(m.changed_at))
            .last_modified(utc(m.changed_at))
            .starts(utc(m.starts_at))
            .ends(utc(m.starts_at + time::Duration::hours(2)))
            .summary(&text(m.committee))
            .location(&text(&location))
            .description(&text(m.agenda));
        if let Some(page) = &m.page {
            event.url(&text(page));
        } else if !m.link.is_empty() {
            event.url(&text(m.link));
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

pub(super) async fn meeting_ics(
    mut ctx: TenantCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((_, id, meeting)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    let committee = committee::load(ctx.conn(), id).await?;
    let m = meetings::load(ctx.conn(), id, meeting).await?;
    let page = crate::paths::meeting(&ctx.tenant.slug, id, m.id);
    let body = calendar(
        None,
        &[CalendarMeeting {
            uid: format!("meeting-{}-{}", ctx.tenant.slug, m.id),
            committee: &committee.name,
            starts_at: m.starts_at,
            changed_at: m.updated_at,
            place: &m.place,
            link: &m.link,
            agenda: &m.agenda,
            page: Some(absolute(&state.config, &headers, &page)),
        }],
    );
    Ok(attachment(
        body,
        "text/calendar; charset=utf-8",
        &format!("meeting-{}.ics", m.id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_inside_its_property_and_reads_back() {
        let agenda = "1. Opening\r\n2. Reports\rATTENDEE:mailto:evil@example.org\n3. Any other business, with a line much longer than seventy-five octets so that it must be folded";
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let text = calendar(
            Some("Board: meetings"),
            &[CalendarMeeting {
                uid: "meeting-aland-7".into(),
                committee: "Board; with, specials",
                starts_at: at,
                changed_at: at,
                place: "Room 3",
                link: "",
                agenda,
                page: None,
            }],
        );
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
            assert!(!line.contains('\r') && !line.contains('\n'), "{line:?}");
            assert!(!line.starts_with("ATTENDEE"), "{line:?}");
        }
        let parsed: icalendar::Calendar = text.parse().unwrap();
        let event = parsed.components[0].as_event().unwrap();
        assert_eq!(event.get_summary(), Some("Board; with, specials"));
        assert!(
            event
                .get_description()
                .unwrap()
                .contains("ATTENDEE:mailto:evil@example.org")
        );
        assert!(event.get_description().unwrap().ends_with("must be folded"));
        assert_eq!(event.get_uid(), Some("meeting-aland-7@nap-oversight"));
    }
}
