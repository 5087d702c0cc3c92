//! The committee dashboard: where the plan stands, at a glance, with every
//! figure a link to the activities behind it. A handful of queries whatever
//! the plan's size; the figures are computed here from them.

use std::collections::{BTreeMap, HashMap};

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

/// Everything the dashboard and the lists read: three queries.
pub struct Facts {
    pub nap: Nap,
    pub objectives: Vec<(String, String)>,
    pub activities: Vec<Fact>,
    pub partners: Vec<PartnerInfo>,
    pub stale_days: i32,
    pub currency: String,
}

impl Facts {
    pub async fn load(conn: &mut PgConnection, nap: Nap, tenant_id: i64) -> AppResult<Self> {
        let rows = sqlx::query!(
            r#"select a.id, a.code, a.title, o.code as objective, o.title as objective_title,
                      a.lead_partner_id, p.acronym as "lead_acronym?", a.status, a.budget, a.spending,
                      a.currency, a.last_update_at,
                      coalesce((select array_agg(t.quarter_index order by t.quarter_index) from target_occurrences t
                                where t.tenant_id = a.tenant_id and t.activity_id = a.id), '{}') as "quarters!",
                      coalesce((select array_agg(t.met_at is not null order by t.quarter_index) from target_occurrences t
                                where t.tenant_id = a.tenant_id and t.activity_id = a.id), '{}') as "met!"
               from activities a
               join outcomes oc on oc.tenant_id = a.tenant_id and oc.id = a.outcome_id
               join objectives o on o.tenant_id = oc.tenant_id and o.id = oc.objective_id
               left join partners p on p.tenant_id = a.tenant_id and p.id = a.lead_partner_id
               where a.nap_id = $1"#,
            nap.id
        )
        .fetch_all(&mut *conn)
        .await?;
        let partners =
            sqlx::query!("select id, acronym, name, constituency from partners order by acronym")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|p| PartnerInfo {
                    id: p.id,
                    acronym: p.acronym,
                    name: p.name,
                    constituency: Constituency::parse(&p.constituency)
                        .unwrap_or(Constituency::Other),
                })
                .collect();
        let stale_days =
            sqlx::query_scalar!("select stale_days from tenants where id = $1", tenant_id)
                .fetch_one(&mut *conn)
                .await?;
        let mut objectives: BTreeMap<Vec<(u64, String)>, (String, String)> = BTreeMap::new();
        let mut currencies: BTreeMap<String, usize> = BTreeMap::new();
        let mut activities: Vec<Fact> = rows
            .into_iter()
            .map(|r| {
                objectives.insert(
                    code_key(&r.objective),
                    (r.objective.clone(), r.objective_title),
                );
                if r.budget.is_some() && !r.currency.is_empty() {
                    *currencies.entry(r.currency.clone()).or_default() += 1;
                }
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
            })
            .collect();
        activities.sort_by_key(|a| code_key(&a.code));
        let currency = match currencies.len() {
            1 => currencies.into_keys().next().unwrap_or_default(),
            _ => String::new(),
        };
        Ok(Self {
            nap,
            objectives: objectives.into_values().collect(),
            activities,
            partners,
            stale_days,
            currency,
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
    pub due_next: Vec<(usize, Fact)>,
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

impl DashboardPage {
    pub fn build(page: Chrome, slug: String, facts: Facts, other_naps: Vec<(i64, String)>) -> Self {
        let today = Quarter::current();
        let next = Quarter::from_index(today.index() + 1);
        let now = OffsetDateTime::now_utc();
        let list = |query: &str| format!("/t/{slug}/naps/{}/activities?{query}", facts.nap.id);
        let grid = |query: &str| format!("/t/{slug}/naps/{}/plan?{query}", facts.nap.id);
        let by_status = facts
            .objectives
            .iter()
            .map(|(code, title)| {
                let mine: Vec<&Fact> = facts
                    .activities
                    .iter()
                    .filter(|a| &a.objective == code)
                    .collect();
                let total = mine.len();
                let mut x = 0.0;
                let mut bars = Vec::new();
                let counts = ActivityStatus::ALL
                    .iter()
                    .map(|s| {
                        let value = mine.iter().filter(|a| a.status == *s).count();
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
        let target_figures = |label_key, year: Option<i32>| {
            let sum = |state| {
                facts
                    .activities
                    .iter()
                    .map(|a| a.count(state, today, year))
                    .sum()
            };
            let year_q = year.map(|y| format!("year={y}&")).unwrap_or_default();
            TargetFigures {
                label_key,
                met: Figure {
                    value: sum(TargetState::Met),
                    href: grid(&format!("{year_q}state=met")),
                },
                missed: Figure {
                    value: sum(TargetState::Missed),
                    href: grid(&format!("{year_q}state=missed")),
                },
                pending: Figure {
                    value: sum(TargetState::Pending),
                    href: grid(&format!("{year_q}state=pending")),
                },
            }
        };
        let mut targets = vec![target_figures("dashboard.whole_period", None)];
        if (facts.nap.start_year..=facts.nap.end_year).contains(&today.year) {
            targets.insert(0, target_figures("dashboard.this_year", Some(today.year)));
        }
        let partners: Vec<PartnerRow> = facts
            .partners
            .iter()
            .filter_map(|p| {
                let led: Vec<&Fact> = facts
                    .activities
                    .iter()
                    .filter(|a| a.lead == Some(p.id))
                    .collect();
                if led.is_empty() {
                    return None;
                }
                Some(PartnerRow {
                    acronym: p.acronym.clone(),
                    name: p.name.clone(),
                    led: Figure {
                        value: led.len(),
                        href: list(&format!("lead={}", p.acronym)),
                    },
                    delayed: Figure {
                        value: led
                            .iter()
                            .filter(|a| a.status == ActivityStatus::Delayed)
                            .count(),
                        href: list(&format!("lead={}&status=delayed", p.acronym)),
                    },
                    overdue: Figure {
                        value: led.iter().map(|a| a.missed(today)).sum(),
                        href: list(&format!("lead={}&only=overdue", p.acronym)),
                    },
                    last_update: led
                        .iter()
                        .filter_map(|a| a.last_update)
                        .max()
                        .map(crate::http::page::format_date)
                        .unwrap_or_default(),
                })
            })
            .collect();
        let constituencies = Constituency::ALL
            .iter()
            .map(|c| {
                let led: Vec<&Fact> = facts
                    .activities
                    .iter()
                    .filter(|a| a.lead.is_some() && facts.constituency_of(a.lead) == *c)
                    .collect();
                ConstituencyRow {
                    constituency: *c,
                    led: Figure {
                        value: led.len(),
                        href: list(&format!("constituency={}", c.as_str())),
                    },
                    delayed: Figure {
                        value: led
                            .iter()
                            .filter(|a| a.status == ActivityStatus::Delayed)
                            .count(),
                        href: list(&format!("constituency={}&status=delayed", c.as_str())),
                    },
                    overdue: Figure {
                        value: led.iter().map(|a| a.missed(today)).sum(),
                        href: list(&format!("constituency={}&only=overdue", c.as_str())),
                    },
                }
            })
            .collect();
        let money_by_objective = money_rows(
            facts
                .objectives
                .iter()
                .map(|(code, title)| {
                    let mine = facts.activities.iter().filter(|a| &a.objective == code);
                    let (b, s) = mine.fold((0, 0), |(b, s), a| (b + a.budget, s + a.spending));
                    (
                        format!("{code} {title}"),
                        list(&format!("objective={code}")),
                        b,
                        s,
                    )
                })
                .collect(),
        );
        let money_by_partner = money_rows(
            partners
                .iter()
                .map(|p| {
                    let id = facts
                        .partners
                        .iter()
                        .find(|x| x.acronym == p.acronym)
                        .map(|x| x.id);
                    let mine = facts.activities.iter().filter(|a| a.lead == id);
                    let (b, s) = mine.fold((0, 0), |(b, s), a| (b + a.budget, s + a.spending));
                    (p.acronym.clone(), p.led.href.clone(), b, s)
                })
                .filter(|r| r.2 > 0 || r.3 > 0)
                .collect(),
        );
        let mut overdue: Vec<(usize, &Fact)> = facts
            .activities
            .iter()
            .map(|a| (a.missed(today), a))
            .filter(|(n, _)| *n > 0)
            .collect();
        overdue.sort_by_key(|(n, a)| (std::cmp::Reverse(*n), code_key(&a.code)));
        let overdue_ids: Vec<(usize, i64)> =
            overdue.iter().take(15).map(|(n, a)| (*n, a.id)).collect();
        let due_next_ids: Vec<(usize, i64)> = facts
            .activities
            .iter()
            .map(|a| (a.due_in(next), a.id))
            .filter(|(n, _)| *n > 0)
            .take(15)
            .collect();
        let stale_ids: Vec<i64> = facts
            .activities
            .iter()
            .filter(|a| a.is_stale(now, facts.stale_days))
            .take(15)
            .map(|a| a.id)
            .collect();
        let activity_count = facts.activities.len();
        let stale_days = facts.stale_days;
        let currency = facts.currency.clone();
        let nap = facts.nap.clone();
        let by_id: HashMap<i64, Fact> = facts.activities.into_iter().map(|a| (a.id, a)).collect();
        let take = |id: i64| by_id.get(&id).cloned();
        let overdue = overdue_ids
            .into_iter()
            .filter_map(|(n, id)| take(id).map(|a| (n, a)))
            .collect();
        let due_next = due_next_ids
            .into_iter()
            .filter_map(|(n, id)| take(id).map(|a| (n, a)))
            .collect();
        let stale = stale_ids.into_iter().filter_map(take).collect();
        Self {
            page,
            slug,
            nap,
            other_naps,
            today,
            next,
            statuses: ActivityStatus::ALL,
            by_status,
            targets,
            overdue,
            due_next,
            stale,
            stale_days,
            partners,
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
    let nap = model::load_nap(&mut ctx.tx, nap_id).await?;
    let facts = Facts::load(&mut ctx.tx, nap, ctx.tenant.id).await?;
    let others = naps_list(&mut ctx.tx)
        .await?
        .into_iter()
        .filter(|(id, _)| *id != nap_id)
        .collect();
    let mut risks = super::risks::load(&mut ctx.tx, nap_id, true).await?;
    risks.truncate(5);
    let mut dashboard =
        DashboardPage::build(page.in_tenant(ctx), ctx.tenant.slug.clone(), facts, others);
    dashboard.risks = risks;
    dashboard.actions =
        crate::features::committees::meetings::open_actions(&mut ctx.tx, None, None).await?;
    dashboard.handovers = crate::features::handover::unread(&mut ctx.tx, ctx.user.id).await?;
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
    let nap = model::load_nap(&mut ctx.tx, id).await?;
    let facts = Facts::load(&mut ctx.tx, nap, ctx.tenant.id).await?;
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
