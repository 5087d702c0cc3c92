//! What the dashboard reads: the tallies kept on write (migration 13) and
//! three short lists reached by index, so its cost does not grow with the
//! plan.

use std::collections::{BTreeSet, HashMap};

use sqlx::PgConnection;
use time::OffsetDateTime;

use super::facts::{Fact, PartnerInfo, facts_of};
use crate::choices::{ActivityStatus, Constituency};
use crate::error::AppResult;
use crate::features::plan::model::{Nap, code_key};
use crate::features::plan::quarter::{Quarter, TargetState};

/// Activities of one objective, lead partner (0: none), status and currency.
pub struct ActivityTally {
    pub objective_id: i64,
    pub lead: i64,
    pub status: ActivityStatus,
    pub currency: String,
    pub activities: usize,
    pub budgeted: usize,
    pub budget: i64,
    pub spending: i64,
}

/// An outcome's activities' progress, summed, as it stood at the end of a
/// quarter that saw a change (until the next such quarter).
#[derive(Debug, Clone, Copy)]
pub struct ProgressSum {
    pub objective: i64,
    pub outcome: i64,
    /// A quarter index (`Quarter::index`).
    pub quarter: i32,
    pub sum: i64,
    pub activities: i64,
}

/// Targets of one lead partner (0: none) in one quarter.
pub struct TargetTally {
    pub lead: i64,
    pub quarter: Quarter,
    pub targets: usize,
    pub met: usize,
}

impl TargetTally {
    pub fn count(&self, state: TargetState, today: Quarter) -> usize {
        match state {
            TargetState::Met => self.met,
            _ if TargetState::of(self.quarter, false, today) == state => self.targets - self.met,
            _ => 0,
        }
    }
}

/// The dashboard's reading of one NAP.
pub struct Summary {
    pub nap: Nap,
    /// (id, code, title) in code order.
    pub objectives: Vec<(i64, String, String)>,
    pub activities: Vec<ActivityTally>,
    pub targets: Vec<TargetTally>,
    pub partners: Vec<(PartnerInfo, Option<OffsetDateTime>)>,
    /// (targets missed, activity): the 15 overdue longest.
    pub overdue: Vec<(usize, Fact)>,
    pub due_next: Vec<Fact>,
    /// The 15 left longest without an update.
    pub stale: Vec<Fact>,
    pub stale_days: i32,
    /// Activities behind schedule: (objective, lead partner (0: none),
    /// reported status, how many).
    pub behind: Vec<(i64, i64, ActivityStatus, usize)>,
    /// The focal points' names of each partner in the short lists.
    pub focal_points: HashMap<i64, Vec<String>>,
    /// Each activity's last accepted progress in each quarter it was
    /// reported: (objective, activity, quarter index, progress).
    pub progress: Vec<ProgressSum>,
}

/// How many activities each short list of the dashboard shows.
const LIST_LENGTH: i64 = 15;

fn count(n: i32) -> usize {
    usize::try_from(n).unwrap_or(0)
}

impl Summary {
    pub async fn load(conn: &mut PgConnection, nap: Nap, tenant_id: i64) -> AppResult<Self> {
        let today = Quarter::current();
        let mut objectives: Vec<(i64, String, String)> = sqlx::query!(
            "select id, code, title from objectives where nap_id = $1",
            nap.id
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.code, o.title))
        .collect();
        objectives.sort_by_key(|o| code_key(&o.1));
        let activities = sqlx::query!(
            "select oc.objective_id, t.lead_partner_id, t.status, t.currency,
                    t.activities, t.budgeted, t.budget, t.spending
             from activity_tallies t join outcomes oc on oc.tenant_id = t.tenant_id and oc.id = t.outcome_id
             where t.nap_id = $1 and t.activities > 0",
            nap.id
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|t| ActivityTally {
            objective_id: t.objective_id,
            lead: t.lead_partner_id,
            status: ActivityStatus::parse(&t.status).unwrap_or(ActivityStatus::NotStarted),
            currency: t.currency,
            activities: count(t.activities),
            budgeted: count(t.budgeted),
            budget: t.budget,
            spending: t.spending,
        })
        .collect();
        let targets = sqlx::query!(
            "select lead_partner_id, quarter_index, targets, met from target_tallies
             where nap_id = $1 and targets > 0",
            nap.id
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|t| TargetTally {
            lead: t.lead_partner_id,
            quarter: Quarter::from_index(t.quarter_index),
            targets: count(t.targets),
            met: count(t.met),
        })
        .collect();
        let partners = sqlx::query!(
            "select p.id, p.acronym, p.name, p.constituency,
                    (select max(a.last_update_at) from activities a
                     where a.tenant_id = p.tenant_id and a.nap_id = $1 and a.lead_partner_id = p.id) as last_update
             from partners p order by p.acronym",
            nap.id
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|p| {
            let info = PartnerInfo {
                id: p.id,
                acronym: p.acronym,
                name: p.name,
                constituency: Constituency::parse(&p.constituency).unwrap_or(Constituency::Other),
            };
            (info, p.last_update)
        })
        .collect();
        let stale_days =
            sqlx::query_scalar!("select stale_days from tenants where id = $1", tenant_id)
                .fetch_one(&mut *conn)
                .await?;
        // Each list is an index range cut at its length.
        let picks = sqlx::query!(
            r#"(select 'overdue' as "list!", f.activity_id as "id!",
                       (select count(*) from target_occurrences o
                        where o.tenant_id = f.tenant_id and o.activity_id = f.activity_id
                          and o.met_at is null and o.quarter_index < $2) as "missed!"
                from open_targets f where f.nap_id = $1 and f.first_quarter < $2
                order by f.first_quarter, f.activity_id limit $5)
               union all
               (select 'due-next', o.activity_id, 0 from target_occurrences o
                join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
                where o.quarter_index = $3 and o.met_at is null and a.nap_id = $1
                group by o.activity_id order by o.activity_id limit $5)
               union all
               (select 'stale', a.id, 0 from activities a
                where a.nap_id = $1 and a.status not in ('completed', 'cancelled')
                  and (a.last_update_at is null or a.last_update_at <= now() - make_interval(days => $4))
                order by a.last_update_at nulls first, a.id limit $5)"#,
            nap.id,
            today.index(),
            today.index() + 1,
            stale_days,
            LIST_LENGTH
        )
        .fetch_all(&mut *conn)
        .await?;
        let ids: Vec<i64> = picks.iter().map(|p| p.id).collect();
        let facts: HashMap<i64, Fact> = facts_of(&mut *conn, nap.id, &ids)
            .await?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
        let list = |name: &str| -> Vec<(usize, Fact)> {
            picks
                .iter()
                .filter(|p| p.list == name)
                .filter_map(|p| {
                    let missed = usize::try_from(p.missed).unwrap_or(0);
                    facts.get(&p.id).map(|f| (missed, f.clone()))
                })
                .collect()
        };
        let behind = sqlx::query!(
            r#"select oc.objective_id, coalesce(a.lead_partner_id, 0) as "lead!", a.status, count(*) as "n!"
               from open_targets f
               join activities a on a.tenant_id = f.tenant_id and a.id = f.activity_id
               join outcomes oc on oc.tenant_id = a.tenant_id and oc.id = a.outcome_id
               where f.nap_id = $1 and f.first_quarter < $2
               group by 1, 2, 3"#,
            nap.id,
            today.index()
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| {
            let status = ActivityStatus::parse(&r.status).unwrap_or(ActivityStatus::NotStarted);
            (r.objective_id, r.lead, status, usize::try_from(r.n).unwrap_or(0))
        })
        .collect();
        let leads: Vec<i64> = facts.values().filter_map(|f| f.lead).collect();
        let mut focal_points: HashMap<i64, Vec<String>> = HashMap::new();
        for r in sqlx::query!(
            "select m.partner_id as \"partner!\", u.name from memberships m
             join users u on u.id = m.user_id
             where m.focal_point and m.active and m.partner_id = any($1)
             order by u.name",
            &leads
        )
        .fetch_all(&mut *conn)
        .await?
        {
            focal_points.entry(r.partner).or_default().push(r.name);
        }
        // Kept on write per outcome and quarter (outcome_progress): a few rows
        // however long the plan's history.
        let progress = sqlx::query!(
            r#"select oc.objective_id, p.outcome_id, p.quarter_index, p.progress_sum, p.activities
               from outcome_progress p
               join outcomes oc on oc.tenant_id = p.tenant_id and oc.id = p.outcome_id
               where p.nap_id = $1
               order by p.outcome_id, p.quarter_index"#,
            nap.id
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| ProgressSum {
            objective: r.objective_id,
            outcome: r.outcome_id,
            quarter: r.quarter_index,
            sum: r.progress_sum,
            activities: i64::from(r.activities),
        })
        .collect();
        let mut overdue = list("overdue");
        overdue.sort_by_key(|(n, a)| (std::cmp::Reverse(*n), code_key(&a.code)));
        let in_code_order = |mut facts: Vec<(usize, Fact)>| -> Vec<Fact> {
            facts.sort_by_key(|(_, a)| code_key(&a.code));
            facts.into_iter().map(|(_, a)| a).collect()
        };
        Ok(Self {
            nap,
            objectives,
            activities,
            targets,
            partners,
            overdue,
            due_next: in_code_order(list("due-next")),
            stale: in_code_order(list("stale")),
            stale_days,
            behind,
            focal_points,
            progress,
        })
    }

    /// The one currency of every budget, or none when they differ.
    pub fn currency(&self) -> String {
        let used: BTreeSet<&str> = self
            .activities
            .iter()
            .filter(|t| t.budgeted > 0 && !t.currency.is_empty())
            .map(|t| t.currency.as_str())
            .collect();
        match used.len() {
            1 => used.into_iter().next().unwrap_or_default().to_owned(),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_splits_its_targets_by_state() {
        let today = Quarter { year: 2026, q: 3 };
        let past = TargetTally {
            lead: 1,
            quarter: Quarter { year: 2026, q: 1 },
            targets: 5,
            met: 3,
        };
        assert_eq!(past.count(TargetState::Met, today), 3);
        assert_eq!(past.count(TargetState::Missed, today), 2);
        assert_eq!(past.count(TargetState::Pending, today), 0);
        let coming = TargetTally {
            lead: 1,
            quarter: Quarter { year: 2027, q: 1 },
            targets: 4,
            met: 1,
        };
        assert_eq!(coming.count(TargetState::Pending, today), 3);
        assert_eq!(coming.count(TargetState::Missed, today), 0);
    }
}
