//! The quarter grid at `/t/{slug}/naps/{id}/plan`: activities grouped by
//! objective and outcome against the quarters of the period, each cell
//! showing that quarter's targets and their state. A page shows at most
//! [`PAGE_SIZE`] activities; without filters that choose rows, the page is
//! read by index (plan order), so its cost does not grow with the plan.

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use serde::Deserialize;
use sqlx::PgConnection;

use super::model::{self, ActivityRow, Nap, ObjectiveNode};
use super::quarter::{Quarter, TargetState};
use super::tags::{TagFilter, TagLists};
use crate::choices::Level;
use crate::error::AppResult;
use crate::http::page::{Chrome, Pager, page_number};
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new().get(at::nap_plan, grid)
}

/// The filters, as they come in the query string (all optional).
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub state: String,
    /// Pillar (the activity's or its objective's), linked plan, flagged.
    #[serde(flatten)]
    pub tags: TagFilter,
    /// From 1; anything else is the first page.
    #[serde(default)]
    pub page: String,
}

/// Activities per page of the grid.
pub const PAGE_SIZE: usize = 100;

impl Filters {
    /// Whether the filters leave activities out. The year only narrows the
    /// columns, unless a target state is chosen too.
    fn select_rows(&self) -> bool {
        !self.partner.trim().is_empty()
            || Level::parse(&self.level).is_some()
            || TargetState::parse(&self.state).is_some()
            || self.tags.is_set()
    }

    /// The query string of page `n` with the same filters.
    pub fn page_query(&self, n: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("partner", self.partner.as_str()),
            ("year", &self.year),
            ("level", &self.level),
            ("state", &self.state),
        ]
        .into_iter()
        .chain(self.tags.pairs())
        {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        query.append_pair("page", &n.to_string());
        query.finish()
    }
}

pub struct Cell {
    pub current: bool,
    /// Outside the year a narrow screen shows (see [`Grid::focus_year`]).
    pub away: bool,
    pub states: Vec<TargetState>,
    /// Inside a whole year's target that falls in a later quarter: the
    /// year is marked across, its mark in its last quarter.
    pub year_span: bool,
}

pub struct GridRow {
    pub activity: ActivityRow,
    pub cells: Vec<Cell>,
}

pub struct GridOutcome {
    pub code: String,
    pub title: String,
    pub rows: Vec<GridRow>,
    /// The outcome has no activity yet (shown so, not left out).
    pub empty: bool,
}

pub struct GridObjective {
    pub code: String,
    pub title: String,
    pub outcomes: Vec<GridOutcome>,
}

/// The grid's columns and rows, computed from the plan and the filters.
pub struct Grid {
    pub years: Vec<i32>,
    /// The year a narrow screen shows, so the current quarter is in view
    /// without scrolling sideways: this year while the plan runs, else its
    /// nearest year.
    pub focus_year: i32,
    pub quarters: Vec<Quarter>,
    pub objectives: Vec<GridObjective>,
    /// Activities the filters keep, on every page.
    pub activity_count: usize,
    /// Of those, the ones with a row here.
    pub shown: usize,
}

impl Grid {
    /// The grid of the activities in `tree` that the filters keep. With
    /// `window`, only those whose rank among the kept is in it get a row.
    /// The outcomes in `empty` have no activity at all and are shown as such.
    pub fn build(
        nap: &Nap,
        tree: Vec<ObjectiveNode>,
        filters: &Filters,
        today: Quarter,
        window: Option<std::ops::Range<usize>>,
        empty: &[i64],
    ) -> Self {
        let year = filters
            .year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (nap.start_year..=nap.end_year).contains(y));
        let years: Vec<i32> = match year {
            Some(y) => vec![y],
            None => nap.years(),
        };
        let focus_year = today.year.clamp(
            years.first().copied().unwrap_or(today.year),
            years.last().copied().unwrap_or(today.year),
        );
        let quarters: Vec<Quarter> = years
            .iter()
            .flat_map(|y| (1..=4).map(move |q| Quarter { year: *y, q }))
            .collect();
        let level = Level::parse(&filters.level);
        let state = TargetState::parse(&filters.state);
        let partner = filters.partner.trim();
        let keep = |a: &ActivityRow, pillars: &[String]| {
            filters.tags.keeps(
                a.pillars.iter().chain(pillars),
                a.plans.iter(),
                !a.flag.is_empty(),
                &a.aligns,
            ) && (partner.is_empty() || a.involves(partner))
                && level.is_none_or(|l| a.level == l)
                && state.is_none_or(|s| {
                    a.occurrences
                        .iter()
                        .any(|o| o.state == s && years.contains(&o.quarter.year))
                })
        };
        let mut activity_count = 0;
        let objectives: Vec<GridObjective> = tree
            .into_iter()
            .map(|o| GridObjective {
                code: o.code,
                title: o.title,
                outcomes: o
                    .outcomes
                    .into_iter()
                    .map(|oc| GridOutcome {
                        empty: empty.contains(&oc.id),
                        code: oc.code,
                        title: oc.title,
                        rows: oc
                            .activities
                            .into_iter()
                            .filter(|a| keep(a, &o.pillars))
                            .filter(|_| {
                                activity_count += 1;
                                window
                                    .as_ref()
                                    .is_none_or(|w| w.contains(&(activity_count - 1)))
                            })
                            .map(|a| {
                                let cells = quarters
                                    .iter()
                                    .map(|q| Cell {
                                        current: *q == today,
                                        away: q.year != focus_year,
                                        states: a
                                            .occurrences
                                            .iter()
                                            .filter(|o| o.quarter == *q)
                                            .map(|o| o.state)
                                            .collect(),
                                        year_span: a.occurrences.iter().any(|o| {
                                            o.whole_year
                                                && o.quarter.year == q.year
                                                && *q < o.quarter
                                        }),
                                    })
                                    .collect();
                                GridRow { activity: a, cells }
                            })
                            .collect(),
                    })
                    .filter(|oc| oc.empty || !oc.rows.is_empty())
                    .collect(),
            })
            .filter(|o| !o.outcomes.is_empty())
            .collect();
        let shown = objectives
            .iter()
            .flat_map(|o| &o.outcomes)
            .map(|oc| oc.rows.len())
            .sum();
        Self {
            years,
            focus_year,
            quarters,
            objectives,
            activity_count,
            shown,
        }
    }

    pub fn column_count(&self) -> usize {
        self.quarters.len() + 2
    }
}

pub struct PartnerOption {
    pub acronym: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/grid.html")]
struct GridPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    grid: Grid,
    filters: Filters,
    partners: Vec<PartnerOption>,
    tags: TagLists,
    /// The SDG targets and ILO instruments the plan uses, to filter by.
    aligns: Vec<String>,
    levels: &'static [Level],
    states: [TargetState; 3],
    today: Quarter,
    /// Activity links start with this; empty means no links.
    links: bool,
    show_spending: bool,
    pager: Pager,
}

async fn grid(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(filters): Query<Filters>,
) -> AppResult<GridPage> {
    let today = Quarter::current();
    let nap = model::load_nap(ctx.conn(), id).await?;
    let number = page_number(&filters.page);
    let first = (number - 1) * PAGE_SIZE;
    let window = first..first + PAGE_SIZE;
    let grid = if filters.select_rows() {
        // Which activities pass depends on their partners and targets: read
        // the plan, show one page of what passes.
        let tree = model::load_tree(ctx.conn(), id, today).await?;
        Grid::build(&nap, tree, &filters, today, Some(window), &[])
    } else {
        let (ids, total, empty) = page_of_plan(ctx.conn(), id, window).await?;
        let tree = model::load_tree_of(ctx.conn(), id, &ids, today).await?;
        let mut grid = Grid::build(&nap, tree, &filters, today, None, &empty);
        grid.activity_count = total;
        grid
    };
    let base = crate::paths::nap_plan(&ctx.tenant.slug, id);
    let pager = Pager::new(
        number,
        PAGE_SIZE,
        grid.activity_count,
        grid.shown,
        "grid.pages",
        |n| format!("{base}?{}", filters.page_query(n)),
    );
    let partners = sqlx::query_as!(
        PartnerOption,
        "select acronym, name from partners order by acronym"
    )
    .fetch_all(ctx.conn())
    .await?;
    Ok(GridPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        grid,
        filters,
        partners,
        tags: TagLists::load(ctx.conn(), id).await?,
        aligns: super::alignment::used(ctx.conn(), Some(id)).await?,
        levels: Level::ALL,
        states: [TargetState::Met, TargetState::Missed, TargetState::Pending],
        today,
        links: true,
        show_spending: true,
        pager,
    })
}

/// The ids of the activities ranked `window` in plan order (objective,
/// outcome, activity code), how many the NAP has, and the outcomes without
/// any activity that fall on this page (where the next activity in plan
/// order is, or on the last page). Two index reads: the outcomes' activity
/// counts from the tallies, then the activities of the one or two outcomes
/// the window falls in.
async fn page_of_plan(
    conn: &mut PgConnection,
    nap_id: i64,
    window: std::ops::Range<usize>,
) -> AppResult<(Vec<i64>, usize, Vec<i64>)> {
    let counts = sqlx::query!(
        r#"select oc.id as outcome_id, coalesce(sum(t.activities), 0)::bigint as "activities!"
           from outcomes oc
           join objectives o on o.tenant_id = oc.tenant_id and o.id = oc.objective_id
           left join activity_tallies t on t.tenant_id = oc.tenant_id and t.outcome_id = oc.id
           where oc.nap_id = $1
           group by oc.id, o.code_order, oc.code_order
           order by o.code_order, oc.code_order"#,
        nap_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let total: usize = counts
        .iter()
        .map(|c| usize::try_from(c.activities).unwrap_or(0))
        .sum();
    let mut outcomes = Vec::new();
    let mut skips = Vec::new();
    let mut takes = Vec::new();
    let mut empty = Vec::new();
    let mut before = 0;
    for c in &counts {
        let n = usize::try_from(c.activities).unwrap_or(0);
        if n == 0 {
            let last_page = before == total && window.start < total.max(1);
            if window.start <= before && (before < window.end || last_page) {
                empty.push(c.outcome_id);
            }
            continue;
        }
        let start = window.start.max(before);
        let end = window.end.min(before + n);
        if start < end {
            outcomes.push(c.outcome_id);
            skips.push((start - before) as i64);
            takes.push((end - start) as i64);
        }
        before += n;
    }
    let ids = sqlx::query_scalar!(
        r#"select a.id as "id!"
           from unnest($1::bigint[], $2::bigint[], $3::bigint[]) with ordinality as s(outcome_id, skip, take, n)
           cross join lateral (
               select a.id, a.code_order from activities a where a.outcome_id = s.outcome_id
               order by a.code_order offset s.skip limit s.take) a
           order by s.n, a.code_order"#,
        &outcomes,
        &skips,
        &takes
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok((ids, before, empty))
}
