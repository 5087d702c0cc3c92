//! The quarter grid at `/t/{slug}/naps/{id}/plan`: activities grouped by
//! objective and outcome against the quarters of the period, each cell
//! showing that quarter's targets and their state.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::routing::get;
use serde::Deserialize;

use super::model::{self, ActivityRow, Nap, ObjectiveNode};
use super::quarter::{Quarter, TargetState};
use crate::choices::Level;
use crate::error::AppResult;
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

pub fn router() -> Router<AppState> {
    Router::new().route("/t/{slug}/naps/{id}/plan", get(grid))
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
}

pub struct Cell {
    pub current: bool,
    pub states: Vec<TargetState>,
}

pub struct GridRow {
    pub activity: ActivityRow,
    pub cells: Vec<Cell>,
}

pub struct GridOutcome {
    pub code: String,
    pub title: String,
    pub rows: Vec<GridRow>,
}

pub struct GridObjective {
    pub code: String,
    pub title: String,
    pub outcomes: Vec<GridOutcome>,
}

/// The grid's columns and rows, computed from the plan and the filters.
pub struct Grid {
    pub years: Vec<i32>,
    pub quarters: Vec<Quarter>,
    pub objectives: Vec<GridObjective>,
    pub activity_count: usize,
}

impl Grid {
    pub fn build(nap: &Nap, tree: Vec<ObjectiveNode>, filters: &Filters, today: Quarter) -> Self {
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
        let quarters: Vec<Quarter> = years
            .iter()
            .flat_map(|y| (1..=4).map(move |q| Quarter { year: *y, q }))
            .collect();
        let level = Level::parse(&filters.level);
        let state = TargetState::parse(&filters.state);
        let partner = filters.partner.trim();
        let keep = |a: &ActivityRow| {
            (partner.is_empty() || a.involves(partner))
                && level.is_none_or(|l| a.level == l)
                && state.is_none_or(|s| {
                    a.occurrences
                        .iter()
                        .any(|o| o.state == s && years.contains(&o.quarter.year))
                })
        };
        let mut activity_count = 0;
        let objectives = tree
            .into_iter()
            .map(|o| GridObjective {
                code: o.code,
                title: o.title,
                outcomes: o
                    .outcomes
                    .into_iter()
                    .map(|oc| GridOutcome {
                        code: oc.code,
                        title: oc.title,
                        rows: oc
                            .activities
                            .into_iter()
                            .filter(|a| keep(a))
                            .map(|a| {
                                activity_count += 1;
                                let cells = quarters
                                    .iter()
                                    .map(|q| Cell {
                                        current: *q == today,
                                        states: a
                                            .occurrences
                                            .iter()
                                            .filter(|o| o.quarter == *q)
                                            .map(|o| o.state)
                                            .collect(),
                                    })
                                    .collect();
                                GridRow { activity: a, cells }
                            })
                            .collect(),
                    })
                    .filter(|oc| !oc.rows.is_empty())
                    .collect(),
            })
            .filter(|o| !o.outcomes.is_empty())
            .collect();
        Self {
            years,
            quarters,
            objectives,
            activity_count,
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
    levels: &'static [Level],
    states: [TargetState; 3],
    today: Quarter,
    /// Activity links start with this; empty means no links.
    link_base: String,
    show_spending: bool,
}

async fn grid(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(filters): Query<Filters>,
) -> AppResult<GridPage> {
    let today = Quarter::current();
    let nap = model::load_nap(&mut ctx.tx, id).await?;
    let tree = model::load_tree(&mut ctx.tx, id, today).await?;
    let partners = sqlx::query_as!(
        PartnerOption,
        "select acronym, name from partners order by acronym"
    )
    .fetch_all(&mut *ctx.tx)
    .await?;
    let grid = Grid::build(&nap, tree, &filters, today);
    Ok(GridPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        grid,
        filters,
        partners,
        levels: Level::ALL,
        states: [TargetState::Met, TargetState::Missed, TargetState::Pending],
        today,
        link_base: format!("/t/{}/naps/{id}/activities/", ctx.tenant.slug),
        show_spending: true,
    })
}
