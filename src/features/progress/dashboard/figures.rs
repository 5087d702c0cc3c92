//! The dashboard's figures, computed from the summary alone: no database
//! here, so every number and every bar's geometry is tested as a function.

use askama::Template;
use askama_web::WebTemplate;

use super::facts::{Fact, PartnerInfo};
use super::summary::{ActivityTally, Summary};
use crate::choices::{ActivityStatus, Constituency};
use crate::features::plan::model::Nap;
use crate::features::plan::quarter::{Quarter, TargetState};
use crate::http::page::Chrome;
use crate::paths;

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

pub fn money_rows(rows: Vec<(String, String, i64, i64)>) -> Vec<MoneyRow> {
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
    pub risks: Vec<crate::features::progress::risks::Risk>,
    pub actions: Vec<crate::features::committees::meetings::OpenAction>,
    pub handovers: Vec<crate::features::handover::Note>,
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
        let list =
            |query: &[(&str, &str)]| paths::with_query(&paths::activities(&slug, nap_id), query);
        let grid =
            |query: &[(&str, &str)]| paths::with_query(&paths::nap_plan(&slug, nap_id), query);
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
                            href: list(&[("objective", code), ("status", s.as_str())]),
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
            let year_text = year.map(|y| y.to_string());
            let figure = |state: TargetState| {
                let mut query = Vec::with_capacity(2);
                if let Some(year) = &year_text {
                    query.push(("year", year.as_str()));
                }
                query.push(("state", state.as_str()));
                Figure {
                    value: targets_of(state, year, None),
                    href: grid(&query),
                }
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
                        href: list(&[("lead", &p.acronym)]),
                    },
                    delayed: Figure {
                        value: delayed,
                        href: list(&[("lead", &p.acronym), ("status", "delayed")]),
                    },
                    overdue: Figure {
                        value: targets_of(TargetState::Missed, None, Some(p.id)),
                        href: list(&[("lead", &p.acronym), ("only", "overdue")]),
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
                        href: list(&[("constituency", c.as_str())]),
                    },
                    delayed: Figure {
                        value: sum(|r| &r.delayed),
                        href: list(&[("constituency", c.as_str()), ("status", "delayed")]),
                    },
                    overdue: Figure {
                        value: sum(|r| &r.overdue),
                        href: list(&[("constituency", c.as_str()), ("only", "overdue")]),
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
                        list(&[("objective", code)]),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_bars_share_one_scale() {
        let rows = money_rows(vec![
            ("1 Prevent".into(), "/a".into(), 200, 50),
            ("2 Protect".into(), "/b".into(), 100, 150),
            ("3 Prosecute".into(), "/c".into(), 0, 0),
        ]);
        assert_eq!((rows[0].budget_bar, rows[0].spending_bar), (100.0, 25.0));
        assert_eq!((rows[1].budget_bar, rows[1].spending_bar), (50.0, 75.0));
        assert_eq!((rows[2].budget_bar, rows[2].spending_bar), (0.0, 0.0));
        assert_eq!(rows[0].share(), "25%");
        assert_eq!(rows[2].share(), "–");
    }
}
