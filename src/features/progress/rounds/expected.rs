//! What a round expects and where each expected update stands.

use std::collections::HashMap;

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use super::{Window, settings};
use crate::error::AppResult;
use crate::features::plan::model::Nap;
use crate::features::plan::quarter::Quarter;

/// The updates posted since a round opened and not returned: when the
/// first came, for each activity and for each (activity, organisation).
struct Answers {
    any: HashMap<i64, OffsetDateTime>,
    own: HashMap<(i64, i64), OffsetDateTime>,
}

impl Answers {
    /// Read once, by the index on when updates were posted: a round's few.
    async fn since(conn: &mut PgConnection, opens: OffsetDateTime) -> AppResult<Self> {
        let rows = sqlx::query!(
            r#"select u.activity_id, u.partner_id, min(u.created_at) as "first_at!"
               from status_updates u
               where u.created_at >= $1 and u.review_state <> 'returned'
               group by u.activity_id, u.partner_id"#,
            opens
        )
        .fetch_all(conn)
        .await?;
        let mut answers = Self {
            any: HashMap::with_capacity(rows.len()),
            own: HashMap::with_capacity(rows.len()),
        };
        for r in rows {
            answers
                .any
                .entry(r.activity_id)
                .and_modify(|first| *first = (*first).min(r.first_at))
                .or_insert(r.first_at);
            if let Some(partner) = r.partner_id {
                answers.own.insert((r.activity_id, partner), r.first_at);
            }
        }
        Ok(answers)
    }

    /// The day an owed update came in: the lead is answered by any update,
    /// a supporting partner by its own.
    fn first(&self, activity: i64, partner: i64, leads: bool) -> Option<Date> {
        let at = if leads {
            self.any.get(&activity)
        } else {
            self.own.get(&(activity, partner))
        };
        at.map(|at| at.date())
    }
}

/// Where one expected update stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    OnTime,
    Late,
    Missing,
    /// Not yet in, and its deadline has not passed.
    Awaited,
}

impl Answer {
    pub(super) fn of(reported: Option<Date>, due: Date, today: Date) -> Self {
        match reported {
            Some(day) if day <= due => Self::OnTime,
            Some(_) => Self::Late,
            None if today > due => Self::Missing,
            None => Self::Awaited,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnTime => "on-time",
            Self::Late => "late",
            Self::Missing => "missing",
            Self::Awaited => "awaited",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Self::OnTime => "round.on_time",
            Self::Late => "round.late",
            Self::Missing => "round.missing",
            Self::Awaited => "round.awaited",
        }
    }
}

/// One activity the round expects an update on.
pub struct Expected {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub answer: Answer,
    pub reported: Option<Date>,
}

/// One partner's part of the round.
pub struct PartnerRound {
    pub id: i64,
    pub acronym: String,
    pub name: String,
    /// Its deadline: the round's, or the one it was given.
    pub due: Date,
    pub extension: Option<String>,
    pub expected: Vec<Expected>,
}

impl PartnerRound {
    pub fn count(&self, answer: &Answer) -> usize {
        self.expected.iter().filter(|e| e.answer == *answer).count()
    }
}

/// The round of `window` for the NAP: each lead partner with the updates
/// it owes. An activity is expected when its period covers the quarter and
/// it was neither completed nor cancelled before the round opened; an
/// update answers it when posted since the round opened and not returned.
/// Two statements, whatever the plan's size: what is owed (`round_owed`,
/// migration 48), and what was posted since the round opened, put together
/// here. Joined in the database, a planner that cannot count a CTE's rows
/// compared every owed activity with every update posted: a second for one
/// partner mid-round at 20,000 activities.
pub async fn load(
    conn: &mut PgConnection,
    nap: &Nap,
    window: Window,
    today: Date,
) -> AppResult<Vec<PartnerRound>> {
    let answers = Answers::since(conn, window.opens_at()).await?;
    load_of(conn, nap.id, window, today, None, &answers).await
}

/// [`load`], for one partner only when `partner` is given, with the
/// updates in since the window opened.
async fn load_of(
    conn: &mut PgConnection,
    nap: i64,
    window: Window,
    today: Date,
    partner: Option<i64>,
    answers: &Answers,
) -> AppResult<Vec<PartnerRound>> {
    let rows = sqlx::query!(
        r#"select w.activity_id as "id!", w.code as "code!", w.title as "title!",
                  p.id as partner_id, p.acronym, p.name, w.leads as "leads!",
                  x.due_on as "extended?", x.reason as "reason?"
           from round_owed($1, $2, $3, $4) w
           join partners p on p.tenant_id = w.tenant_id and p.id = w.partner_id
           left join round_extensions x on x.tenant_id = w.tenant_id and x.nap_id = $1
                and x.quarter_index = $2 and x.partner_id = w.partner_id
           order by p.acronym, p.id, w.code_order collate "C""#,
        nap,
        window.quarter.index(),
        window.opens_at(),
        partner
    )
    .fetch_all(conn)
    .await?;
    let mut partners: Vec<PartnerRound> = Vec::new();
    for r in rows {
        if partners.last().is_none_or(|p| p.id != r.partner_id) {
            partners.push(PartnerRound {
                id: r.partner_id,
                acronym: r.acronym.clone(),
                name: r.name.clone(),
                due: r.extended.unwrap_or(window.due),
                extension: r.reason.clone(),
                expected: Vec::new(),
            });
        }
        let Some(partner) = partners.last_mut() else {
            continue;
        };
        let reported = answers.first(r.id, r.partner_id, r.leads);
        partner.expected.push(Expected {
            id: r.id,
            code: r.code,
            title: r.title,
            answer: Answer::of(reported, partner.due, today),
            reported,
        });
    }
    Ok(partners)
}

/// A focal point's part of the round answered now, in one NAP.
pub struct MyRound {
    pub nap_id: i64,
    pub nap_title: String,
    pub quarter: Quarter,
    pub round: PartnerRound,
}

/// The round answered on `today` in each running NAP whose period holds it,
/// for `partner`: what it owes and by when. Plans that expect nothing of it
/// are left out.
pub async fn mine(
    conn: &mut PgConnection,
    tenant: i64,
    partner: i64,
    today: Date,
) -> AppResult<Vec<MyRound>> {
    let (opens_days, due_days) = settings(conn, tenant).await?;
    let window = Window::current(today, opens_days, due_days);
    let year = window.quarter.year;
    let naps = sqlx::query!(
        "select id, title from naps
         where status <> 'closed' and start_year <= $1 and end_year >= $1 order by id",
        year
    )
    .fetch_all(&mut *conn)
    .await?;
    // One window for every plan: what came in since it opened is read once.
    let answers = Answers::since(conn, window.opens_at()).await?;
    let mut mine = Vec::new();
    for nap in naps {
        let round = load_of(conn, nap.id, window, today, Some(partner), &answers).await?;
        if let Some(round) = round.into_iter().next() {
            mine.push(MyRound {
                nap_id: nap.id,
                nap_title: nap.title,
                quarter: window.quarter,
                round,
            });
        }
    }
    Ok(mine)
}

/// How complete the round of `window` is for the NAP: the updates in (on
/// time or late) of those expected, counted without reading what each is.
pub async fn completeness(
    conn: &mut PgConnection,
    nap: i64,
    window: Window,
) -> AppResult<(usize, usize)> {
    let answers = Answers::since(conn, window.opens_at()).await?;
    let owed = sqlx::query!(
        r#"select w.activity_id as "id!", w.partner_id as "partner!", w.leads as "leads!"
           from round_owed($1, $2, $3, null) w"#,
        nap,
        window.quarter.index(),
        window.opens_at()
    )
    .fetch_all(conn)
    .await?;
    let answered = owed
        .iter()
        .filter(|w| answers.first(w.id, w.partner, w.leads).is_some())
        .count();
    Ok((answered, owed.len()))
}
