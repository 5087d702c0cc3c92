//! The committee dashboard: where the plan stands, at a glance, with every
//! figure a link to the activities behind it. A handful of queries whatever
//! the plan's size; the figures are computed here from them.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::routing::get;
use serde::Deserialize;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::choices::{ActivityStatus, Constituency};
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap, code_key};
use crate::features::plan::quarter::{Quarter, TargetState};
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/naps/{id}/dashboard", get(nap_dashboard))
        .route("/t/{slug}/naps/{id}/activities", get(activity_list))
}

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
}

impl Fact {
    fn count(&self, state: TargetState, today: Quarter, year: Option<i32>) -> usize {
        self.occurrences
            .iter()
            .filter(|(q, met)| {
                let quarter = Quarter::from_index(*q);
                year.is_none_or(|y| quarter.year == y)
                    && TargetState::of(quarter, *met, today) == state
            })
            .count()
    }

    fn missed(&self, today: Quarter) -> usize {
        self.count(TargetState::Missed, today, None)
    }

    fn due_in(&self, quarter: Quarter) -> usize {
        self.occurrences
            .iter()
            .filter(|(q, met)| *q == quarter.index() && !met)
            .count()
    }

    fn is_stale(&self, now: OffsetDateTime, stale_days: i32) -> bool {
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
        }
    }
}

/// The facts of a few activities of `nap_id`, in code order.
async fn facts_of(conn: &mut PgConnection, nap_id: i64, ids: &[i64]) -> AppResult<Vec<Fact>> {
    let mut facts: Vec<Fact> = sqlx::query_as!(
        FactRow,
        r#"select a.id, a.nap_id, a.code, a.title, o.code as objective,
                  a.lead_partner_id, p.acronym as "lead_acronym?", a.status, a.budget, a.spending,
                  a.last_update_at,
                  coalesce((select array_agg(t.quarter_index order by t.quarter_index) from target_occurrences t
                            where t.tenant_id = a.tenant_id and t.activity_id = a.id), '{}') as "quarters!",
                  coalesce((select array_agg(t.met_at is not null order by t.quarter_index) from target_occurrences t
                            where t.tenant_id = a.tenant_id and t.activity_id = a.id), '{}') as "met!"
           from activities a
           join outcomes oc on oc.tenant_id = a.tenant_id and oc.id = a.outcome_id
           join objectives o on o.tenant_id = oc.tenant_id and o.id = oc.objective_id
           left join partners p on p.tenant_id = a.tenant_id and p.id = a.lead_partner_id
           where a.id = any($1)"#,
        ids
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    // By key alone (see `model::load_tree_of`), then only this NAP's.
    .filter(|a| a.nap_id == nap_id)
    .map(Fact::from)
    .collect();
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

    fn constituency_of(&self, partner: Option<i64>) -> Constituency {
        partner
            .and_then(|id| self.partners.iter().find(|p| p.id == id))
            .map_or(Constituency::Other, |p| p.constituency)
    }
}

/// A count that links to the list behind it.
pub struct Figure {
    pub value: usize,
    pub href: String,
}

pub struct StatusRow {
    pub code: String,
    pub title: String,
    pub counts: Vec<Figure>,
    pub total: usize,
    /// Stacked bar segments: (x, width, status name) in a 0–100 box.
    pub bars: Vec<(f64, f64, &'static str)>,
}

pub struct TargetFigures {
    pub label_key: &'static str,
    pub met: Figure,
    pub missed: Figure,
    pub pending: Figure,
}

pub struct PartnerRow {
    pub acronym: String,
    pub name: String,
    pub led: Figure,
    pub delayed: Figure,
    pub overdue: Figure,
    pub last_update: String,
}

pub struct ConstituencyRow {
    pub constituency: Constituency,
    pub led: Figure,
    pub delayed: Figure,
    pub overdue: Figure,
}

pub struct MoneyRow {
    pub label: String,
    pub href: String,
    pub budget: i64,
    pub spending: i64,
    /// Bar lengths in a 0–100 box.
    pub budget_bar: f64,
    pub spending_bar: f64,
}

impl MoneyRow {
    pub fn share(&self) -> String {
        if self.budget == 0 {
            "–".to_owned()
        } else {
            format!("{}%", self.spending * 100 / self.budget)
        }
    }
}

fn money_rows(rows: Vec<(String, String, i64, i64)>) -> Vec<MoneyRow> {
    let max = rows.iter().map(|r| r.2.max(r.3)).max().unwrap_or(0).max(1) as f64;
    rows.into_iter()
        .map(|(label, href, budget, spending)| MoneyRow {
            label,
            href,
            budget,
            spending,
            budget_bar: budget as f64 * 100.0 / max,
            spending_bar: spending as f64 * 100.0 / max,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/dashboard.html")]
pub struct DashboardPage {
    pub page: Chrome,
    pub slug: String,
    pub nap: Nap,
    pub other_naps: Vec<(i64, String)>,
    pub today: Quarter,
    pub next: Quarter,
    pub statuses: &'static [ActivityStatus],
    pub by_status: Vec<StatusRow>,
    pub targets: Vec<TargetFigures>,
    pub overdue: Vec<(usize, Fact)>,
    pub due_next: Vec<Fact>,
    pub stale: Vec<Fact>,
    pub stale_days: i32,
    pub partners: Vec<PartnerRow>,
    pub constituencies: Vec<ConstituencyRow>,
    /// (caption key, rows): by objective, then by lead partner.
    pub money: Vec<(&'static str, Vec<MoneyRow>)>,
    pub currency: String,
    pub activity_count: usize,
    pub risks: Vec<super::risks::Risk>,
    pub actions: Vec<crate::features::committees::meetings::OpenAction>,
    pub handovers: Vec<crate::features::handover::Note>,
}

/// Activities of one objective, lead partner (0: none), status and currency.
struct ActivityTally {
    objective_id: i64,
    lead: i64,
    status: ActivityStatus,
    currency: String,
    activities: usize,
    budgeted: usize,
    budget: i64,
    spending: i64,
}

/// Targets of one lead partner (0: none) in one quarter.
struct TargetTally {
    lead: i64,
    quarter: Quarter,
    targets: usize,
    met: usize,
}

impl TargetTally {
    fn count(&self, state: TargetState, today: Quarter) -> usize {
        match state {
            TargetState::Met => self.met,
            _ if TargetState::of(self.quarter, false, today) == state => self.targets - self.met,
            _ => 0,
        }
    }
}

/// What the dashboard reads: the tallies kept on write (migration 13) and
/// three short lists reached by index, so its cost does not grow with the
/// plan.
pub struct Summary {
    nap: Nap,
    /// (id, code, title) in code order.
    objectives: Vec<(i64, String, String)>,
    activities: Vec<ActivityTally>,
    targets: Vec<TargetTally>,
    partners: Vec<(PartnerInfo, Option<OffsetDateTime>)>,
    /// (targets missed, activity): the 15 overdue longest.
    overdue: Vec<(usize, Fact)>,
    due_next: Vec<Fact>,
    /// The 15 left longest without an update.
    stale: Vec<Fact>,
    stale_days: i32,
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
        })
    }

    /// The one currency of every budget, or none when they differ.
    fn currency(&self) -> String {
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

impl DashboardPage {
    pub fn build(
        page: Chrome,
        slug: String,
        summary: Summary,
        other_naps: Vec<(i64, String)>,
    ) -> Self {
        let today = Quarter::current();
        let next = Quarter::from_index(today.index() + 1);
        let nap_id = summary.nap.id;
        let list = |query: &str| format!("/t/{slug}/naps/{nap_id}/activities?{query}");
        let grid = |query: &str| format!("/t/{slug}/naps/{nap_id}/plan?{query}");
        let activities = |keep: &dyn Fn(&ActivityTally) -> bool| {
            summary
                .activities
                .iter()
                .filter(|t| keep(t))
                .fold((0, 0, 0), |(n, b, s), t| {
                    (n + t.activities, b + t.budget, s + t.spending)
                })
        };
        let by_status = summary
            .objectives
            .iter()
            .map(|(id, code, title)| {
                let (total, _, _) = activities(&|t| t.objective_id == *id);
                let mut x = 0.0;
                let mut bars = Vec::new();
                let counts = ActivityStatus::ALL
                    .iter()
                    .map(|s| {
                        let (value, _, _) =
                            activities(&|t| t.objective_id == *id && t.status == *s);
                        let width = if total == 0 {
                            0.0
                        } else {
                            value as f64 * 100.0 / total as f64
                        };
                        if value > 0 {
                            bars.push((x, width, s.as_str()));
                        }
                        x += width;
                        Figure {
                            value,
                            href: list(&format!("objective={code}&status={}", s.as_str())),
                        }
                    })
                    .collect();
                StatusRow {
                    code: code.clone(),
                    title: title.clone(),
                    counts,
                    total,
                    bars,
                }
            })
            .collect();
        let targets_of = |state, year: Option<i32>, lead: Option<i64>| -> usize {
            summary
                .targets
                .iter()
                .filter(|t| {
                    year.is_none_or(|y| t.quarter.year == y) && lead.is_none_or(|l| t.lead == l)
                })
                .map(|t| t.count(state, today))
                .sum()
        };
        let target_figures = |label_key, year: Option<i32>| {
            let year_q = year.map(|y| format!("year={y}&")).unwrap_or_default();
            let figure = |state: TargetState| Figure {
                value: targets_of(state, year, None),
                href: grid(&format!("{year_q}state={}", state.as_str())),
            };
            TargetFigures {
                label_key,
                met: figure(TargetState::Met),
                missed: figure(TargetState::Missed),
                pending: figure(TargetState::Pending),
            }
        };
        let mut targets = vec![target_figures("dashboard.whole_period", None)];
        if (summary.nap.start_year..=summary.nap.end_year).contains(&today.year) {
            targets.insert(0, target_figures("dashboard.this_year", Some(today.year)));
        }
        // (partner, its row, budget, spending) for every partner leading an activity.
        let led: Vec<(&PartnerInfo, PartnerRow, i64, i64)> = summary
            .partners
            .iter()
            .filter_map(|(p, last_update)| {
                let (led, budget, spending) = activities(&|t| t.lead == p.id);
                if led == 0 {
                    return None;
                }
                let (delayed, _, _) =
                    activities(&|t| t.lead == p.id && t.status == ActivityStatus::Delayed);
                let row = PartnerRow {
                    acronym: p.acronym.clone(),
                    name: p.name.clone(),
                    led: Figure {
                        value: led,
                        href: list(&format!("lead={}", p.acronym)),
                    },
                    delayed: Figure {
                        value: delayed,
                        href: list(&format!("lead={}&status=delayed", p.acronym)),
                    },
                    overdue: Figure {
                        value: targets_of(TargetState::Missed, None, Some(p.id)),
                        href: list(&format!("lead={}&only=overdue", p.acronym)),
                    },
                    last_update: last_update
                        .map(crate::http::page::format_date)
                        .unwrap_or_default(),
                };
                Some((p, row, budget, spending))
            })
            .collect();
        let constituencies = Constituency::ALL
            .iter()
            .map(|c| {
                let mine = || led.iter().filter(|(p, ..)| p.constituency == *c);
                let sum = |figure: fn(&PartnerRow) -> &Figure| -> usize {
                    mine().map(|(_, row, ..)| figure(row).value).sum()
                };
                ConstituencyRow {
                    constituency: *c,
                    led: Figure {
                        value: sum(|r| &r.led),
                        href: list(&format!("constituency={}", c.as_str())),
                    },
                    delayed: Figure {
                        value: sum(|r| &r.delayed),
                        href: list(&format!("constituency={}&status=delayed", c.as_str())),
                    },
                    overdue: Figure {
                        value: sum(|r| &r.overdue),
                        href: list(&format!("constituency={}&only=overdue", c.as_str())),
                    },
                }
            })
            .collect();
        let money_by_objective = money_rows(
            summary
                .objectives
                .iter()
                .map(|(id, code, title)| {
                    let (_, budget, spending) = activities(&|t| t.objective_id == *id);
                    (
                        format!("{code} {title}"),
                        list(&format!("objective={code}")),
                        budget,
                        spending,
                    )
                })
                .collect(),
        );
        let money_by_partner = money_rows(
            led.iter()
                .filter(|(_, _, budget, spending)| *budget > 0 || *spending > 0)
                .map(|(p, row, budget, spending)| {
                    (p.acronym.clone(), row.led.href.clone(), *budget, *spending)
                })
                .collect(),
        );
        let (activity_count, _, _) = activities(&|_| true);
        let currency = summary.currency();
        Self {
            page,
            slug: slug.clone(),
            nap: summary.nap,
            other_naps,
            today,
            next,
            statuses: ActivityStatus::ALL,
            by_status,
            targets,
            overdue: summary.overdue,
            due_next: summary.due_next,
            stale: summary.stale,
            stale_days: summary.stale_days,
            partners: led.into_iter().map(|(_, row, ..)| row).collect(),
            constituencies,
            money: vec![
                ("dashboard.money_by_objective", money_by_objective),
                ("dashboard.money_by_partner", money_by_partner),
            ],
            currency,
            activity_count,
            risks: Vec::new(),
            actions: Vec::new(),
            handovers: Vec::new(),
        }
    }
}

/// The NAPs a dashboard can switch to.
async fn naps_list(conn: &mut PgConnection) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query!(
        "select id, title from naps order by status = 'closed', start_year desc, id desc"
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.title))
    .collect())
}

/// The dashboard of `nap_id` for the context's tenant.
pub async fn render(page: Chrome, ctx: &mut TenantCtx, nap_id: i64) -> AppResult<DashboardPage> {
    let nap = model::load_nap(ctx.conn(), nap_id).await?;
    let tenant_id = ctx.tenant.id;
    let summary = Summary::load(ctx.conn(), nap, tenant_id).await?;
    let others = naps_list(ctx.conn())
        .await?
        .into_iter()
        .filter(|(id, _)| *id != nap_id)
        .collect();
    let mut risks = super::risks::load(ctx.conn(), nap_id, true).await?;
    risks.truncate(5);
    let mut dashboard = DashboardPage::build(
        page.in_tenant(ctx),
        ctx.tenant.slug.clone(),
        summary,
        others,
    );
    dashboard.risks = risks;
    dashboard.actions =
        crate::features::committees::meetings::open_actions(ctx.conn(), None, None).await?;
    let user_id = ctx.user.id;
    dashboard.handovers = crate::features::handover::unread(ctx.conn(), user_id).await?;
    Ok(dashboard)
}

/// The NAP a tenant's home shows: the newest one not closed, else the newest.
pub async fn current_nap(conn: &mut PgConnection) -> AppResult<Option<i64>> {
    Ok(naps_list(conn).await?.first().map(|(id, _)| *id))
}

async fn nap_dashboard(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<DashboardPage> {
    render(page, &mut ctx, id).await
}

/// The filters of the activity list, each optional.
#[derive(Debug, Default, Deserialize)]
pub struct ListFilters {
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub constituency: String,
    /// "overdue", "due-next" or "stale".
    #[serde(default)]
    pub only: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/activity_list.html")]
struct ListPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    activities: Vec<Fact>,
    filters: ListFilters,
}

async fn activity_list(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(filters): Query<ListFilters>,
) -> AppResult<ListPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let tenant_id = ctx.tenant.id;
    let facts = Facts::load(ctx.conn(), nap, tenant_id).await?;
    let today = Quarter::current();
    let next = Quarter::from_index(today.index() + 1);
    let now = OffsetDateTime::now_utc();
    let status = ActivityStatus::parse(&filters.status);
    let constituency = Constituency::parse(&filters.constituency);
    let keep = |a: &Fact| {
        (filters.objective.is_empty() || a.objective == filters.objective)
            && status.is_none_or(|s| a.status == s)
            && (filters.lead.is_empty()
                || a.lead_acronym
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(&filters.lead)))
            && constituency.is_none_or(|c| a.lead.is_some() && facts.constituency_of(a.lead) == c)
            && match filters.only.as_str() {
                "overdue" => a.missed(today) > 0,
                "due-next" => a.due_in(next) > 0,
                "stale" => a.is_stale(now, facts.stale_days),
                _ => true,
            }
    };
    let keep_ids: std::collections::HashSet<i64> = facts
        .activities
        .iter()
        .filter(|a| keep(a))
        .map(|a| a.id)
        .collect();
    let nap = facts.nap.clone();
    let activities = facts
        .activities
        .into_iter()
        .filter(|a| keep_ids.contains(&a.id))
        .collect();
    Ok(ListPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        activities,
        filters,
    })
}
