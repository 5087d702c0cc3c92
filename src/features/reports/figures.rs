//! What a report says, read from the plan on one day: the figures every
//! format draws from. Nothing here is in a reader's language: statuses and
//! states are their stable names, dates are dates and numbers are numbers,
//! so one issued report reads in English, French or Spanish alike, and the
//! JSON kept when it is issued is exactly this.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::Date;

use crate::choices::ActivityStatus;
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::{Period, Quarter, TargetState};
use crate::features::progress::rounds;
use crate::i18n::Translations;

/// The report's figures as they were on `as_of`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Figures {
    pub nap_title: String,
    pub nap_translations: Translations,
    /// Quarter indexes of the period, both included.
    pub first: i32,
    pub last: i32,
    pub as_of: Date,
    pub targets: Tally,
    /// Every status, in the list's order, with its number of activities.
    pub statuses: Vec<(String, i64)>,
    /// Budget and spending of the whole plan to date, by currency.
    pub money: Vec<Money>,
    /// Indicators of the whole plan.
    pub indicators: Vec<IndicatorLine>,
    pub objectives: Vec<ObjectivePart>,
    pub risks: Vec<RiskLine>,
    pub decisions: Vec<DecisionLine>,
    pub action_points: Vec<ActionLine>,
    pub timeliness: Vec<TimelinessLine>,
    /// Changes to the plan since a baseline (annual and whole-plan reports).
    pub changes: Option<super::baselines::Changes>,
    /// The latest issued annual review (annual and whole-plan reports).
    pub review: Option<super::review::Review>,
}

/// Targets of the period by state.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tally {
    pub met: i64,
    pub missed: i64,
    pub pending: i64,
}

impl Tally {
    pub fn total(self) -> i64 {
        self.met + self.missed + self.pending
    }

    fn add(&mut self, state: TargetState) {
        match state {
            TargetState::Met => self.met += 1,
            TargetState::Missed => self.missed += 1,
            TargetState::Pending => self.pending += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Money {
    pub currency: String,
    pub budget: i64,
    pub spending: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ObjectivePart {
    pub code: String,
    pub title: String,
    pub translations: Translations,
    pub indicators: Vec<IndicatorLine>,
    pub outcomes: Vec<OutcomePart>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutcomePart {
    pub code: String,
    pub title: String,
    pub translations: Translations,
    pub activities: Vec<ActivityLine>,
    pub indicators: Vec<IndicatorLine>,
    /// What focal points wrote in the period: each activity's latest note.
    pub highlights: Vec<Highlight>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ActivityLine {
    pub code: String,
    pub title: String,
    pub translations: Translations,
    pub lead: Option<String>,
    pub status: String,
    pub progress: i16,
    pub budget: Option<i64>,
    pub spending: Option<i64>,
    pub currency: String,
    /// The period's targets: quarter index, whether it stands for its whole
    /// year, and its state.
    pub targets: Vec<TargetLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TargetLine {
    pub quarter: i32,
    pub whole_year: bool,
    pub state: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndicatorLine {
    pub name: String,
    pub unit: String,
    pub baseline: String,
    pub target: String,
    /// The period's values: the year, the quarter (none for a year's value)
    /// and the value as entered.
    pub values: Vec<IndicatorValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndicatorValue {
    pub year: i32,
    pub quarter: Option<i16>,
    pub number: Option<f64>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Highlight {
    pub activity: String,
    pub partner: Option<String>,
    pub on: Date,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RiskLine {
    pub challenge: String,
    pub likelihood: i16,
    pub impact: i16,
    pub mitigation: String,
    pub owner: Option<String>,
    pub state: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecisionLine {
    pub committee: String,
    pub on: Date,
    pub number: i32,
    pub text: String,
    /// Its meeting: the public reads it only while the meeting's minutes
    /// are published (they may be withdrawn after the report is issued).
    pub meeting: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ActionLine {
    pub committee: String,
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub done: Option<Date>,
    /// Its meeting, as for a decision.
    pub meeting: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TimelinessLine {
    pub acronym: String,
    pub name: String,
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    pub awaited: i64,
}

impl TimelinessLine {
    pub fn expected(&self) -> i64 {
        self.on_time + self.late + self.missing + self.awaited
    }
}

/// The period's first and last day.
pub fn days(first: i32, last: i32) -> (Date, Date) {
    (
        Quarter::from_index(first).first_day(),
        Quarter::from_index(last).last_day(),
    )
}

/// Reads the report of `nap` for the quarters `first..=last` as the plan
/// stands on `today`. A fixed number of statements (one more per reporting
/// round of the period), whatever the plan's size.
pub async fn gather(
    conn: &mut PgConnection,
    tenant: i64,
    nap: &Nap,
    first: i32,
    last: i32,
    today: Date,
) -> AppResult<Figures> {
    let now = Quarter::of_date(today);
    let period = Period {
        start: Quarter::from_index(first),
        end: Quarter::from_index(last),
    };
    let (from, to) = days(first, last);
    let tree = model::load_tree(conn, nap.id, now).await?;
    let mut indicators = indicators(conn, nap.id, period).await?;
    let mut highlights = highlights(conn, nap.id, from, to).await?;
    let mut targets = Tally::default();
    let mut statuses: Vec<(String, i64)> = ActivityStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0))
        .collect();
    let mut objectives = Vec::with_capacity(tree.len());
    for o in tree {
        let mut outcomes = Vec::with_capacity(o.outcomes.len());
        for oc in o.outcomes {
            let mut activities = Vec::new();
            for a in oc.activities {
                let starts = a.start.unwrap_or(period.start);
                let ends = a.end.unwrap_or(period.end);
                let period_targets: Vec<TargetLine> = a
                    .occurrences
                    .iter()
                    .filter(|t| period.contains(t.quarter))
                    .map(|t| {
                        targets.add(t.state);
                        TargetLine {
                            quarter: t.quarter.index(),
                            whole_year: t.whole_year,
                            state: t.state.as_str().to_owned(),
                        }
                    })
                    .collect();
                if (starts > period.end || ends < period.start) && period_targets.is_empty() {
                    continue;
                }
                if let Some(n) = statuses.iter_mut().find(|(s, _)| s == a.status.as_str()) {
                    n.1 += 1;
                }
                activities.push(ActivityLine {
                    code: a.code,
                    title: a.title,
                    translations: a.translations,
                    lead: a.lead,
                    status: a.status.as_str().to_owned(),
                    progress: a.progress,
                    budget: a.budget,
                    spending: a.spending,
                    currency: a.currency,
                    targets: period_targets,
                });
            }
            outcomes.push(OutcomePart {
                code: oc.code,
                title: oc.title,
                translations: oc.translations,
                indicators: take(&mut indicators, Place::Outcome(oc.id)),
                highlights: take_highlights(&mut highlights, oc.id),
                activities,
            });
        }
        objectives.push(ObjectivePart {
            code: o.code,
            title: o.title,
            translations: o.translations,
            indicators: take(&mut indicators, Place::Objective(o.id)),
            outcomes,
        });
    }
    Ok(Figures {
        nap_title: nap.title.clone(),
        nap_translations: nap.translations.clone(),
        first,
        last,
        as_of: today,
        targets,
        statuses,
        money: money(conn, nap.id).await?,
        indicators: take(&mut indicators, Place::Nap),
        objectives,
        risks: risks(conn, nap.id).await?,
        decisions: decisions(conn, nap.id, from, to).await?,
        action_points: action_points(conn, nap.id, from, to).await?,
        timeliness: timeliness(conn, tenant, nap, first, last, today).await?,
        changes: None,
        review: None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Nap,
    Objective(i64),
    Outcome(i64),
}

fn take(all: &mut Vec<(Place, IndicatorLine)>, place: Place) -> Vec<IndicatorLine> {
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(all)
        .into_iter()
        .partition(|(p, _)| *p == place);
    *all = rest;
    mine.into_iter().map(|(_, line)| line).collect()
}

fn take_highlights(all: &mut Vec<(i64, Highlight)>, outcome: i64) -> Vec<Highlight> {
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(all)
        .into_iter()
        .partition(|(o, _)| *o == outcome);
    *all = rest;
    mine.into_iter().map(|(_, h)| h).collect()
}

/// Every indicator of the NAP with its values in the period, in one statement.
async fn indicators(
    conn: &mut PgConnection,
    nap: i64,
    period: Period,
) -> AppResult<Vec<(Place, IndicatorLine)>> {
    let rows = sqlx::query!(
        r#"select i.id, i.nap_id, i.objective_id, i.outcome_id, i.name, i.unit, i.baseline, i.target,
                  v.year as "year?", v.quarter, v.value, v.value_text
           from indicators i
           left join objectives o on o.tenant_id = i.tenant_id and o.id = i.objective_id
           left join outcomes oc on oc.tenant_id = i.tenant_id and oc.id = i.outcome_id
           left join indicator_values v on v.tenant_id = i.tenant_id and v.indicator_id = i.id
                and v.year * 4 + coalesce(v.quarter, 4) - 1 between $2 and $3
           where coalesce(i.nap_id, o.nap_id, oc.nap_id) = $1
           order by i.id, v.year, v.quarter nulls last"#,
        nap,
        period.start.index(),
        // A year's value counts in the period that holds the year's last quarter.
        period.end.index(),
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<(i64, Place, IndicatorLine)> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|(id, _, _)| *id != r.id) {
            let place = match (r.outcome_id, r.objective_id) {
                (Some(o), _) => Place::Outcome(o),
                (None, Some(o)) => Place::Objective(o),
                _ => Place::Nap,
            };
            out.push((
                r.id,
                place,
                IndicatorLine {
                    name: r.name.clone(),
                    unit: r.unit.clone(),
                    baseline: r.baseline.clone(),
                    target: r.target.clone(),
                    values: Vec::new(),
                },
            ));
        }
        if let (Some(year), Some((_, _, line))) = (r.year, out.last_mut()) {
            line.values.push(IndicatorValue {
                year,
                quarter: r.quarter,
                number: r.value,
                text: r.value_text,
            });
        }
    }
    Ok(out.into_iter().map(|(_, p, l)| (p, l)).collect())
}

/// Each activity's latest note of the period (of an update that counts),
/// by outcome.
async fn highlights(
    conn: &mut PgConnection,
    nap: i64,
    from: Date,
    to: Date,
) -> AppResult<Vec<(i64, Highlight)>> {
    let rows = sqlx::query!(
        r#"select distinct on (a.code_order, a.id) a.outcome_id, a.code, p.acronym as "acronym?",
                  u.created_at, u.note
           from status_updates u
           join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
           left join partners p on p.tenant_id = u.tenant_id and p.id = u.partner_id
           where a.nap_id = $1 and u.review_state = 'accepted' and btrim(u.note) <> ''
             and u.created_at >= $2::date and u.created_at < $3::date + 1
           order by a.code_order, a.id, u.created_at desc, u.id desc"#,
        nap,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.outcome_id,
                Highlight {
                    activity: r.code,
                    partner: r.acronym,
                    on: r.created_at.date(),
                    note: r.note,
                },
            )
        })
        .collect())
}

async fn money(conn: &mut PgConnection, nap: i64) -> AppResult<Vec<Money>> {
    let rows = sqlx::query!(
        r#"select currency, sum(budget)::bigint as "budget!", sum(spending)::bigint as "spending!"
           from activity_tallies where nap_id = $1 and currency <> ''
           group by currency having sum(budget) > 0 or sum(spending) > 0 order by currency"#,
        nap
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Money {
            currency: r.currency,
            budget: r.budget,
            spending: r.spending,
        })
        .collect())
}

async fn risks(conn: &mut PgConnection, nap: i64) -> AppResult<Vec<RiskLine>> {
    let rows = sqlx::query!(
        r#"select r.challenge, r.likelihood, r.impact, r.mitigation, p.acronym as "owner?", r.state
           from risks r left join partners p on p.tenant_id = r.tenant_id and p.id = r.owner_partner_id
           where r.nap_id = $1
           order by r.state = 'closed', r.likelihood * r.impact desc, r.id"#,
        nap
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RiskLine {
            challenge: r.challenge,
            likelihood: r.likelihood,
            impact: r.impact,
            mitigation: r.mitigation,
            owner: r.owner,
            state: r.state,
        })
        .collect())
}

/// The decisions taken in the period by the committees that work on the NAP
/// (or on one of its objectives or outcomes).
async fn decisions(
    conn: &mut PgConnection,
    nap: i64,
    from: Date,
    to: Date,
) -> AppResult<Vec<DecisionLine>> {
    let rows = sqlx::query!(
        r#"select c.name, m.starts_at, d.number, d.text, m.id as meeting
           from decisions d
           join meetings m on m.tenant_id = d.tenant_id and m.id = d.meeting_id
           join committees c on c.tenant_id = d.tenant_id and c.id = d.committee_id
           where m.starts_at >= $2::date and m.starts_at < $3::date + 1
             and c.id in (select nap_committees($1))
           order by m.starts_at, c.name, d.number"#,
        nap,
        from,
        to
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DecisionLine {
            committee: r.name,
            on: r.starts_at.date(),
            number: r.number,
            text: r.text,
            meeting: r.meeting,
        })
        .collect())
}

/// The action points due in the period, or still open at its end.
async fn action_points(
    conn: &mut PgConnection,
    nap: i64,
    from: Date,
    to: Date,
) -> AppResult<Vec<ActionLine>> {
    let rows = sqlx::query!(
        r#"select c.name, a.text, p.acronym as "owner?", a.due_on, a.done_on, m.id as meeting
           from action_points a
           join meetings m on m.tenant_id = a.tenant_id and m.id = a.meeting_id
           join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
           left join partners p on p.tenant_id = a.tenant_id and p.id = a.owner_partner_id
           where c.id in (select nap_committees($1))
             and m.starts_at < $3::date + 1
             and ((a.due_on between $2 and $3) or a.done_on between $2 and $3
                  or (a.done_on is null and coalesce(a.due_on, $3) <= $3))
           order by a.due_on nulls last, a.id"#,
        nap,
        from,
        to
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ActionLine {
            committee: r.name,
            text: r.text,
            owner: r.owner,
            due: r.due_on,
            done: r.done_on,
            meeting: r.meeting,
        })
        .collect())
}

/// Each partner's answers over the period's reporting rounds opened by `today`.
async fn timeliness(
    conn: &mut PgConnection,
    tenant: i64,
    nap: &Nap,
    first: i32,
    last: i32,
    today: Date,
) -> AppResult<Vec<TimelinessLine>> {
    let (opens_days, due_days) = rounds::settings(conn, tenant).await?;
    let mut lines: Vec<TimelinessLine> = Vec::new();
    for index in first..=last {
        let window = rounds::Window::of(Quarter::from_index(index), opens_days, due_days);
        if window.opens > today {
            break;
        }
        for partner in rounds::load(conn, nap, window, today).await? {
            let line = match lines.iter_mut().position(|l| l.acronym == partner.acronym) {
                Some(i) => &mut lines[i],
                None => {
                    lines.push(TimelinessLine {
                        acronym: partner.acronym.clone(),
                        name: partner.name.clone(),
                        on_time: 0,
                        late: 0,
                        missing: 0,
                        awaited: 0,
                    });
                    lines.last_mut().expect("just pushed")
                }
            };
            let count = |a| i64::try_from(partner.count(&a)).unwrap_or(0);
            line.on_time += count(rounds::Answer::OnTime);
            line.late += count(rounds::Answer::Late);
            line.missing += count(rounds::Answer::Missing);
            line.awaited += count(rounds::Answer::Awaited);
        }
    }
    lines.sort_by(|a, b| a.acronym.cmp(&b.acronym));
    Ok(lines)
}
