//! Activities as the dashboard and its lists read them: a few by key for
//! the short lists, or a whole NAP for the filtered lists.

use sqlx::PgConnection;

use crate::features::plan::alignment::NapTags;
use time::OffsetDateTime;

use crate::choices::{ActivityStatus, Constituency};
use crate::error::AppResult;
use crate::features::plan::model::{Nap, code_key};
use crate::features::plan::quarter::{Quarter, Schedule, TargetState};

/// One activity, with what the dashboard needs.
#[derive(Clone)]
pub struct Fact {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub objective: String,
    pub lead: Option<i64>,
    pub lead_acronym: Option<String>,
    pub status: ActivityStatus,
    pub budget: i64,
    pub spending: i64,
    pub last_update: Option<OffsetDateTime>,
    /// (quarter index, met)
    pub occurrences: Vec<(i32, bool)>,
    /// Its pillars (its own and its objective's) and linked plans, in lower case.
    pub pillars: Vec<String>,
    pub plans: Vec<String>,
    pub flagged: bool,
    /// The SDG targets and ILO instruments it serves, own and inherited.
    pub aligns: Vec<String>,
}

impl Fact {
    pub fn count(&self, state: TargetState, today: Quarter, year: Option<i32>) -> usize {
        self.occurrences
            .iter()
            .filter(|(q, met)| {
                let quarter = Quarter::from_index(*q);
                year.is_none_or(|y| quarter.year == y)
                    && TargetState::of(quarter, *met, today) == state
            })
            .count()
    }

    /// Where the activity stands against its targets on `today`.
    pub fn schedule_on(&self, today: Quarter) -> Schedule {
        Schedule::of(
            self.occurrences
                .iter()
                .map(|(q, met)| (Quarter::from_index(*q), *met)),
            today,
        )
    }

    /// Where it stands today.
    pub fn schedule(&self) -> Schedule {
        self.schedule_on(Quarter::current())
    }

    pub fn missed(&self, today: Quarter) -> usize {
        self.count(TargetState::Missed, today, None)
    }

    pub fn due_in(&self, quarter: Quarter) -> usize {
        self.occurrences
            .iter()
            .filter(|(q, met)| *q == quarter.index() && !met)
            .count()
    }

    pub fn is_stale(&self, now: OffsetDateTime, stale_days: i32) -> bool {
        !matches!(
            self.status,
            ActivityStatus::Completed | ActivityStatus::Cancelled
        ) && self
            .last_update
            .is_none_or(|at| (now - at).whole_days() >= i64::from(stale_days))
    }

    pub fn last_update_date(&self) -> String {
        self.last_update
            .map(crate::http::page::format_date)
            .unwrap_or_default()
    }
}

pub struct PartnerInfo {
    pub id: i64,
    pub acronym: String,
    pub name: String,
    pub constituency: Constituency,
}

/// One activity as the dashboard and the lists read it.
struct FactRow {
    id: i64,
    nap_id: i64,
    code: String,
    title: String,
    objective: String,
    lead_partner_id: Option<i64>,
    lead_acronym: Option<String>,
    status: String,
    budget: Option<i64>,
    spending: Option<i64>,
    last_update_at: Option<OffsetDateTime>,
    quarters: Vec<i32>,
    met: Vec<bool>,
    pillars: Vec<String>,
    plans: Vec<String>,
    flagged: bool,
    outcome_id: i64,
    objective_id: i64,
}

impl From<FactRow> for Fact {
    fn from(r: FactRow) -> Self {
        Fact {
            id: r.id,
            code: r.code,
            title: r.title,
            objective: r.objective,
            lead: r.lead_partner_id,
            lead_acronym: r.lead_acronym,
            status: ActivityStatus::parse(&r.status).unwrap_or(ActivityStatus::NotStarted),
            budget: r.budget.unwrap_or(0),
            spending: r.spending.unwrap_or(0),
            last_update: r.last_update_at,
            occurrences: r.quarters.into_iter().zip(r.met).collect(),
            pillars: r.pillars,
            plans: r.plans,
            flagged: r.flagged,
            aligns: Vec::new(),
        }
    }
}

/// The facts of a few activities of `nap_id`, in code order.
pub async fn facts_of(conn: &mut PgConnection, nap_id: i64, ids: &[i64]) -> AppResult<Vec<Fact>> {
    let mut parts = Vec::new();
    let mut facts: Vec<Fact> = sqlx::query_as!(
        FactRow,
        r#"select a.id, a.nap_id, a.code, a.title, o.code as objective,
                  a.lead_partner_id, p.acronym as "lead_acronym?", a.status, a.budget, a.spending,
                  a.last_update_at,
                  coalesce((select array_agg(t.quarter_index order by t.quarter_index) from target_occurrences t
                            where t.tenant_id = a.tenant_id and t.activity_id = a.id), '{}') as "quarters!",
                  coalesce((select array_agg(t.met_at is not null order by t.quarter_index) from target_occurrences t
                            where t.tenant_id = a.tenant_id and t.activity_id = a.id), '{}') as "met!",
                  coalesce((select array_agg(lower(g.name)) from nap_tags g
                            where g.tenant_id = a.tenant_id and g.nap_id = a.nap_id and g.kind = 'pillar'
                              and (exists (select 1 from activity_tags x where x.tenant_id = a.tenant_id
                                             and x.activity_id = a.id and x.tag_id = g.id)
                                   or exists (select 1 from objective_tags x where x.tenant_id = a.tenant_id
                                                and x.objective_id = o.id and x.tag_id = g.id))), '{}') as "pillars!",
                  coalesce((select array_agg(lower(g.name))
                            from activity_tags x join nap_tags g on g.tenant_id = x.tenant_id and g.id = x.tag_id
                            where x.tenant_id = a.tenant_id and x.activity_id = a.id and g.kind = 'plan'), '{}') as "plans!",
                  a.flag <> '' as "flagged!", oc.id as outcome_id, o.id as objective_id
           from activities a
           join outcomes oc on oc.tenant_id = a.tenant_id and oc.id = a.outcome_id
           join objectives o on o.tenant_id = oc.tenant_id and o.id = oc.objective_id
           left join partners p on p.tenant_id = a.tenant_id and p.id = a.lead_partner_id
           where a.id = any($1)"#,
        ids
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    // By key alone (see `model::load_tree_of`), then only this NAP's.
    .filter(|a| a.nap_id == nap_id)
    .map(|r| {
        parts.push((r.objective_id, r.outcome_id));
        Fact::from(r)
    })
    .collect();
    let tags = NapTags::load(conn, nap_id, Some(ids)).await?;
    for (fact, (objective, outcome)) in facts.iter_mut().zip(parts) {
        fact.aligns = tags.served_by(objective, outcome, fact.id);
    }
    facts.sort_by_key(|a| code_key(&a.code));
    Ok(facts)
}

/// Every activity of a NAP, for the filtered lists: these are as long as
/// the plan, unlike the dashboard.
pub struct Facts {
    pub nap: Nap,
    pub activities: Vec<Fact>,
    pub partners: Vec<PartnerInfo>,
    pub stale_days: i32,
}

async fn partner_infos(conn: &mut PgConnection) -> AppResult<Vec<PartnerInfo>> {
    Ok(
        sqlx::query!("select id, acronym, name, constituency from partners order by acronym")
            .fetch_all(conn)
            .await?
            .into_iter()
            .map(|p| PartnerInfo {
                id: p.id,
                acronym: p.acronym,
                name: p.name,
                constituency: Constituency::parse(&p.constituency).unwrap_or(Constituency::Other),
            })
            .collect(),
    )
}

impl Facts {
    pub async fn load(conn: &mut PgConnection, nap: Nap, tenant_id: i64) -> AppResult<Self> {
        let ids = sqlx::query_scalar!("select id from activities where nap_id = $1", nap.id)
            .fetch_all(&mut *conn)
            .await?;
        let activities = facts_of(&mut *conn, nap.id, &ids).await?;
        let partners = partner_infos(&mut *conn).await?;
        let stale_days =
            sqlx::query_scalar!("select stale_days from tenants where id = $1", tenant_id)
                .fetch_one(&mut *conn)
                .await?;
        Ok(Self {
            nap,
            activities,
            partners,
            stale_days,
        })
    }

    pub fn constituency_of(&self, partner: Option<i64>) -> Constituency {
        partner
            .and_then(|id| self.partners.iter().find(|p| p.id == id))
            .map_or(Constituency::Other, |p| p.constituency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(
        occurrences: Vec<(i32, bool)>,
        status: ActivityStatus,
        last: Option<OffsetDateTime>,
    ) -> Fact {
        Fact {
            id: 1,
            code: "1.1.1".into(),
            title: "Train".into(),
            objective: "1".into(),
            lead: None,
            lead_acronym: None,
            status,
            budget: 0,
            spending: 0,
            last_update: last,
            occurrences,
            pillars: Vec::new(),
            plans: Vec::new(),
            flagged: false,
            aligns: Vec::new(),
        }
    }

    #[test]
    fn an_activity_counts_its_targets_by_state() {
        let today = Quarter { year: 2026, q: 3 };
        let q = |year, quarter| Quarter { year, q: quarter }.index();
        let a = fact(
            vec![
                (q(2026, 1), true),
                (q(2026, 2), false),
                (q(2026, 4), false),
                (q(2027, 1), false),
            ],
            ActivityStatus::OnTrack,
            None,
        );
        assert_eq!(a.missed(today), 1);
        assert_eq!(a.count(TargetState::Met, today, None), 1);
        assert_eq!(a.count(TargetState::Pending, today, Some(2026)), 1);
        assert_eq!(a.due_in(Quarter { year: 2026, q: 4 }), 1);
    }

    #[test]
    fn silent_means_no_update_for_so_many_days_unless_done() {
        let now = OffsetDateTime::now_utc();
        let old = Some(now - time::Duration::days(100));
        assert!(fact(vec![], ActivityStatus::OnTrack, old).is_stale(now, 90));
        assert!(fact(vec![], ActivityStatus::OnTrack, None).is_stale(now, 90));
        assert!(!fact(vec![], ActivityStatus::Completed, old).is_stale(now, 90));
        assert!(!fact(vec![], ActivityStatus::OnTrack, Some(now)).is_stale(now, 90));
    }
}
