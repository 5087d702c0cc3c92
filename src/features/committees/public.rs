//! `/p/{slug}/committees/{id}`: a committee on the public portal, once its
//! terms of reference are published: who sits on it (organisations by
//! their full names), how often it meets, its meetings to come and past,
//! and the minutes the secretariat chose to publish, with their decisions
//! and action points. Nothing else of a meeting leaves the tenant.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use time::OffsetDateTime;

use super::schedule::Frequency;
use crate::choices::{CommitteeKind, Seat};
use crate::error::{AppError, AppResult};
use crate::http::page::Chrome;
use crate::tenancy::PublicTenant;

/// An organisation as the public reads it: "Ministry of Labour (MOL)".
pub fn organisation(name: &str, acronym: &str) -> String {
    match (name.trim(), acronym.trim()) {
        ("", a) => a.to_owned(),
        (n, "") => n.to_owned(),
        (n, a) if n.eq_ignore_ascii_case(a) => n.to_owned(),
        (n, a) => format!("{n} ({a})"),
    }
}

pub struct PublicMeeting {
    pub id: i64,
    pub starts_at: OffsetDateTime,
    pub place: String,
    /// Empty unless the secretariat published them.
    pub minutes: String,
    pub minutes_published: bool,
    pub decisions: Vec<(i32, String)>,
    /// (text, owner organisation spelled out, due day)
    pub actions: Vec<(String, Option<String>, Option<String>)>,
}

impl PublicMeeting {
    pub fn when(&self) -> String {
        super::meetings::when(self.starts_at)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "public/committee.html")]
pub(super) struct PublicCommitteePage {
    page: Chrome,
    slug: String,
    tenant_name: String,
    id: i64,
    name: String,
    kind: CommitteeKind,
    frequency: Frequency,
    tor_version: i32,
    /// (organisation spelled out, seat, name when the member agreed)
    composition: Vec<(String, Seat, super::seats::PublicHolder)>,
    upcoming: Vec<PublicMeeting>,
    past: Vec<PublicMeeting>,
}

pub(super) async fn show(
    page: Chrome,
    mut tenant: PublicTenant,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<PublicCommitteePage> {
    // Only a committee whose terms of reference are published is public.
    let c = sqlx::query!(
        r#"select c.name, c.kind, c.meets,
                  (select max(t.version) from tor_versions t
                    where t.tenant_id = c.tenant_id and t.committee_id = c.id) as "tor_version!"
           from committees c
           where c.id = $1
             and exists (select 1 from tor_versions t
                         where t.tenant_id = c.tenant_id and t.committee_id = c.id and t.version is not null)"#,
        id
    )
    .fetch_optional(tenant.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let composition = sqlx::query!(
        r#"select coalesce(p.name, '') as "name!", coalesce(p.acronym, '') as "acronym!", m.seat,
                  m.holder, case when m.public_name or m.holder = 'post' then m.name end as person
           from committee_members m left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
           where m.committee_id = $1 and m.left_on is null
           order by array_position(array['chair','vice-chair','member','alternate','secretary','observer'], m.seat), p.name"#,
        id
    )
    .fetch_all(tenant.conn())
    .await?
    .into_iter()
    .map(|m| {
        (
            organisation(&m.name, &m.acronym),
            Seat::parse(&m.seat).unwrap_or(Seat::Member),
            super::seats::PublicHolder::new(&m.holder, m.person),
        )
    })
    .collect();
    let (upcoming, past) = meetings(&mut tenant, id).await?;
    Ok(PublicCommitteePage {
        page,
        slug: tenant.slug,
        tenant_name: tenant.name,
        id,
        name: c.name,
        kind: CommitteeKind::parse(&c.kind).unwrap_or(CommitteeKind::Oversight),
        frequency: Frequency::parse(&c.meets).unwrap_or(Frequency::AsNeeded),
        tor_version: c.tor_version,
        composition,
        upcoming,
        past,
    })
}

/// The committee's meetings, the coming ones soonest first and the past
/// ones latest first, with what their published minutes record.
async fn meetings(
    tenant: &mut PublicTenant,
    id: i64,
) -> AppResult<(Vec<PublicMeeting>, Vec<PublicMeeting>)> {
    let rows = sqlx::query!(
        r#"select m.id, m.starts_at, m.place, m.minutes_published,
                  case when m.minutes_published then m.minutes else '' end as "minutes!"
           from meetings m where m.committee_id = $1 order by m.starts_at desc
           limit 200"#,
        id
    )
    .fetch_all(tenant.conn())
    .await?;
    let published: Vec<i64> = rows
        .iter()
        .filter(|r| r.minutes_published)
        .map(|r| r.id)
        .collect();
    // What the published minutes decided and asked, in two queries.
    let decisions = sqlx::query!(
        "select meeting_id, number, text from decisions where meeting_id = any($1) order by number",
        &published
    )
    .fetch_all(tenant.conn())
    .await?;
    let actions = sqlx::query!(
        r#"select ap.meeting_id, ap.text, p.name as "name?", p.acronym as "acronym?", ap.due_on
           from action_points ap left join partners p on p.tenant_id = ap.tenant_id and p.id = ap.owner_partner_id
           where ap.meeting_id = any($1) order by ap.id"#,
        &published
    )
    .fetch_all(tenant.conn())
    .await?;
    let now = OffsetDateTime::now_utc();
    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    for r in rows {
        let meeting = PublicMeeting {
            id: r.id,
            starts_at: r.starts_at,
            place: r.place,
            minutes: r.minutes,
            minutes_published: r.minutes_published,
            decisions: decisions
                .iter()
                .filter(|d| d.meeting_id == r.id)
                .map(|d| (d.number, d.text.clone()))
                .collect(),
            actions: actions
                .iter()
                .filter(|a| a.meeting_id == r.id)
                .map(|a| {
                    let owner = match (&a.name, &a.acronym) {
                        (Some(n), Some(ac)) => Some(organisation(n, ac)),
                        _ => None,
                    };
                    (a.text.clone(), owner, a.due_on.map(crate::i18n::day))
                })
                .collect(),
        };
        if meeting.starts_at > now {
            upcoming.push(meeting);
        } else {
            past.push(meeting);
        }
    }
    upcoming.reverse();
    Ok((upcoming, past))
}

#[cfg(test)]
mod tests {
    use super::organisation;

    #[test]
    fn an_acronym_stands_beside_the_full_name() {
        assert_eq!(
            organisation("Ministry of Labour", "MOL"),
            "Ministry of Labour (MOL)"
        );
        assert_eq!(organisation("", "MOL"), "MOL");
        assert_eq!(organisation("UNICEF", "unicef"), "UNICEF");
    }
}
