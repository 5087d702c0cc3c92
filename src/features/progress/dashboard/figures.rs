//! The dashboard's figures, computed from the summary alone: no database
//! here, so every number and every bar's geometry is tested as a function.

use askama::Template;
use askama_web::WebTemplate;
use time::Date;

use super::charts::{
    BarRow, ProgressLine, Scale, Segment, TrendColumn, bar_rows, progress_lines, target_trend,
};
use super::facts::{Fact, PartnerInfo};
use super::late::{Directory, DueItem, LateAction, LateItem, due_items, late_items, split_actions};
use super::summary::{ActivityTally, Summary};
use crate::choices::{ActivityStatus, Constituency, ListOnly};
use crate::features::committees::meetings::OpenAction;
use crate::features::plan::model::Nap;
use crate::features::plan::quarter::{Quarter, TargetState};
use crate::http::page::Chrome;
use crate::paths;

/// A count that links to the list behind it.
#[derive(Default)]
pub struct Figure {
    pub value: usize,
    pub href: String,
}

pub struct StatusRow {
    pub code: String,
    pub title: String,
    pub counts: Vec<Figure>,
    pub total: usize,
    /// Of its activities, those behind schedule, whatever they report.
    pub behind: Figure,
}

pub struct TargetFigures {
    pub label_key: &'static str,
    pub met: Figure,
    pub missed: Figure,
    pub pending: Figure,
}

pub struct PartnerRow {
    pub id: i64,
    pub acronym: String,
    pub name: String,
    pub led: Figure,
    pub delayed: Figure,
    pub behind: Figure,
    pub overdue: Figure,
    pub last_update: String,
    /// Share of its closed rounds' expected updates that came on time.
    pub timeliness: Option<i64>,
}

/// The reporting round partners answer now, and how complete it is.
pub struct RoundFigures {
    pub quarter: Quarter,
    pub due: time::Date,
    pub answered: usize,
    pub expected: usize,
}

impl RoundFigures {
    pub fn percent(&self) -> usize {
        (self.answered * 100)
            .checked_div(self.expected)
            .unwrap_or(100)
    }
}

pub struct ConstituencyRow {
    pub constituency: Constituency,
    pub led: Figure,
    pub delayed: Figure,
    pub behind: Figure,
    pub overdue: Figure,
}

pub struct MoneyRow {
    pub label: String,
    pub href: String,
    pub budget: i64,
    pub spending: i64,
    /// Bar lengths in percent of the scale.
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

/// Budget and spending bars of `(label, href, budget, spending)` on one scale.
pub fn money_rows(rows: Vec<(String, String, i64, i64)>) -> (Scale, Vec<MoneyRow>) {
    let largest = rows.iter().map(|r| r.2.max(r.3)).max().unwrap_or(0);
    let scale = Scale::up_to(largest as f64);
    let rows = rows
        .into_iter()
        .map(|(label, href, budget, spending)| MoneyRow {
            label,
            href,
            budget,
            spending,
            budget_bar: scale.place(budget as f64),
            spending_bar: scale.place(spending as f64),
        })
        .collect();
    (scale, rows)
}

/// One money chart: its caption key, scale and rows.
pub struct MoneyChart {
    pub caption_key: &'static str,
    pub scale: Scale,
    pub rows: Vec<MoneyRow>,
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
    // The first screen: what is late, who answers for it, what comes next.
    pub late: Vec<LateItem>,
    /// Activities behind schedule, all of them.
    pub behind: Figure,
    /// Of those, the ones reported on track or completed.
    pub behind_but_reported_well: usize,
    pub late_actions: Vec<LateAction>,
    /// Open action points not yet late, soonest due first.
    pub open_actions: Vec<OpenAction>,
    pub due_next: Vec<DueItem>,
    // The rest.
    pub statuses: &'static [ActivityStatus],
    pub by_status: Vec<StatusRow>,
    pub status_chart: (Scale, Vec<BarRow>),
    pub trend: (Scale, Vec<TrendColumn>),
    pub progress: Vec<ProgressLine>,
    pub progress_quarters: Vec<Quarter>,
    pub percent: Scale,
    pub targets: Vec<TargetFigures>,
    pub stale: Vec<Fact>,
    pub stale_days: i32,
    pub partners: Vec<PartnerRow>,
    /// Activities without a lead organisation, when the plan has any.
    pub no_lead: Option<PartnerRow>,
    pub constituencies: Vec<ConstituencyRow>,
    pub money: Vec<MoneyChart>,
    pub currency: String,
    pub activity_count: usize,
    pub risks: Vec<crate::features::progress::risks::Risk>,
    /// The plan by pillar and linked plan, and its flagged activities.
    pub tags: super::tags::TagFigures,
    /// The reporting round partners answer now, while the plan runs.
    pub round: Option<RoundFigures>,
    /// Once the plan's period is over: its activities with no update
    /// recorded (see [`DashboardPage::ended`]).
    pub never_reported: Option<Figure>,
    /// The secretariat may close the ended plan from its final summary.
    pub can_close: bool,
    pub handovers: Vec<crate::features::handover::Note>,
}

impl DashboardPage {
    /// The plan's period is over: its dashboard gives a final summary
    /// instead of what is due next.
    pub fn ended(&self) -> bool {
        self.today.year > self.nap.end_year
    }

    /// The targets over the whole period, for the final summary.
    pub fn whole_period(&self) -> Option<&TargetFigures> {
        self.targets.last()
    }

    /// The activity list of this NAP with `only=<which>`.
    pub fn list_href(&self, which: ListOnly) -> String {
        paths::with_query(
            &paths::activities(&self.slug, self.nap.id),
            &[("only", which.as_str())],
        )
    }

    /// "12 of 40 activities are behind schedule; 5 of them are reported on
    /// track or completed."
    pub fn behind_sentence(&self) -> String {
        let n = |v: usize| crate::i18n::number(i64::try_from(v).unwrap_or(0));
        let mut sentence = crate::i18n::t_args(
            "dashboard.behind_of",
            &[
                ("n", &n(self.behind.value)),
                ("total", &n(self.activity_count)),
            ],
        );
        if self.behind_but_reported_well > 0 {
            sentence.push(' ');
            sentence.push_str(&crate::i18n::t_with(
                "dashboard.behind_reported_well",
                "n",
                &n(self.behind_but_reported_well),
            ));
        }
        sentence
    }

    pub fn build(
        page: Chrome,
        slug: String,
        summary: Summary,
        other_naps: Vec<(i64, String)>,
        actions: Vec<OpenAction>,
        day: Date,
    ) -> Self {
        let today = Quarter::of_date(day);
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
        let behind_where = |keep: &dyn Fn(i64, i64, ActivityStatus) -> bool| -> usize {
            summary
                .behind
                .iter()
                .filter(|(objective, lead, status, _)| keep(*objective, *lead, *status))
                .map(|(.., n)| n)
                .sum()
        };
        let by_status: Vec<StatusRow> = summary
            .objectives
            .iter()
            .map(|(id, code, title)| {
                let (total, _, _) = activities(&|t| t.objective_id == *id);
                let counts = ActivityStatus::ALL
                    .iter()
                    .map(|s| {
                        let (value, _, _) =
                            activities(&|t| t.objective_id == *id && t.status == *s);
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
                    behind: Figure {
                        value: behind_where(&|o, _, _| o == *id),
                        href: list(&[("objective", code), ("only", ListOnly::Overdue.as_str())]),
                    },
                }
            })
            .collect();
        let status_chart = bar_rows(
            by_status
                .iter()
                .map(|row| {
                    let segments = ActivityStatus::ALL
                        .iter()
                        .zip(&row.counts)
                        .map(|(s, f)| {
                            Segment::new(
                                s.as_str(),
                                crate::i18n::t(s.label_key()).into_owned(),
                                f.value,
                            )
                        })
                        .collect();
                    let note = if row.behind.value > 0 {
                        crate::i18n::t_with(
                            "dashboard.n_behind",
                            "n",
                            &crate::i18n::number(i64::try_from(row.behind.value).unwrap_or(0)),
                        )
                    } else {
                        String::new()
                    };
                    BarRow::new(
                        format!("{} {}", row.code, row.title),
                        list(&[("objective", &row.code)]),
                        segments,
                        note,
                    )
                })
                .collect(),
        );
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
        let start = summary.nap.first_quarter();
        let until = today.min(summary.nap.last_quarter()).max(start);
        let counts: Vec<(Quarter, usize, usize)> = summary
            .targets
            .iter()
            .map(|t| (t.quarter, t.targets, t.met))
            .collect();
        let trend = target_trend(&counts, start, until);
        let progress_quarters: Vec<Quarter> = (start.index()..=until.index())
            .map(Quarter::from_index)
            .collect();
        let objectives: Vec<(i64, String)> = summary
            .objectives
            .iter()
            .map(|(id, code, title)| (*id, format!("{code} {title}")))
            .collect();
        let progress = progress_lines(&objectives, &summary.progress, &progress_quarters);
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
                    id: p.id,
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
                    behind: Figure {
                        value: behind_where(&|_, lead, _| lead == p.id),
                        href: list(&[("lead", &p.acronym), ("only", ListOnly::Overdue.as_str())]),
                    },
                    overdue: Figure {
                        value: targets_of(TargetState::Missed, None, Some(p.id)),
                        href: list(&[("lead", &p.acronym), ("only", ListOnly::Overdue.as_str())]),
                    },
                    last_update: last_update
                        .map(crate::http::page::format_date)
                        .unwrap_or_default(),
                    timeliness: None,
                };
                Some((p, row, budget, spending))
            })
            .collect();
        // Activities nobody leads yet are counted as such, not left out.
        let no_lead = {
            let (led, ..) = activities(&|t| t.lead == 0);
            let (delayed, ..) = activities(&|t| t.lead == 0 && t.status == ActivityStatus::Delayed);
            (led > 0).then(|| PartnerRow {
                id: 0,
                acronym: String::new(),
                name: crate::i18n::t("dashboard.no_lead_row").into_owned(),
                led: Figure {
                    value: led,
                    href: list(&[("only", ListOnly::NoLead.as_str())]),
                },
                delayed: Figure {
                    value: delayed,
                    href: list(&[("only", ListOnly::NoLead.as_str()), ("status", "delayed")]),
                },
                behind: Figure {
                    value: behind_where(&|_, lead, _| lead == 0),
                    href: list(&[("only", ListOnly::NoLead.as_str())]),
                },
                overdue: Figure {
                    value: targets_of(TargetState::Missed, None, Some(0)),
                    href: list(&[("only", ListOnly::NoLead.as_str())]),
                },
                last_update: String::new(),
                timeliness: None,
            })
        };
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
                    behind: Figure {
                        value: sum(|r| &r.behind),
                        href: list(&[
                            ("constituency", c.as_str()),
                            ("only", ListOnly::Overdue.as_str()),
                        ]),
                    },
                    overdue: Figure {
                        value: sum(|r| &r.overdue),
                        href: list(&[
                            ("constituency", c.as_str()),
                            ("only", ListOnly::Overdue.as_str()),
                        ]),
                    },
                }
            })
            .collect();
        let (scale, rows) = money_rows(
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
        let by_objective = MoneyChart {
            caption_key: "dashboard.money_by_objective",
            scale,
            rows,
        };
        let (scale, rows) = money_rows(
            led.iter()
                .filter(|(_, _, budget, spending)| *budget > 0 || *spending > 0)
                .map(|(p, row, budget, spending)| {
                    (
                        format!("{} ({})", p.name, p.acronym),
                        row.led.href.clone(),
                        *budget,
                        *spending,
                    )
                })
                .collect(),
        );
        let by_partner = MoneyChart {
            caption_key: "dashboard.money_by_partner",
            scale,
            rows,
        };
        let (activity_count, _, _) = activities(&|_| true);
        let currency = summary.currency();
        let directory = Directory::new(&summary.partners, &summary.focal_points);
        let late = late_items(summary.overdue.clone(), &directory, today, day);
        let (late_actions, open_actions) = split_actions(actions, &directory, day);
        let due_next = due_items(summary.due_next.clone(), &directory);
        let behind = Figure {
            value: behind_where(&|_, _, _| true),
            href: list(&[("only", ListOnly::Overdue.as_str())]),
        };
        let behind_but_reported_well = behind_where(&|_, _, s| {
            matches!(s, ActivityStatus::OnTrack | ActivityStatus::Completed)
        });
        Self {
            page,
            slug: slug.clone(),
            nap: summary.nap,
            other_naps,
            today,
            next,
            late,
            behind,
            behind_but_reported_well,
            late_actions,
            open_actions,
            due_next,
            statuses: ActivityStatus::ALL,
            by_status,
            status_chart,
            trend,
            progress,
            progress_quarters,
            percent: Scale::percent(),
            targets,
            stale: summary.stale,
            stale_days: summary.stale_days,
            partners: led.into_iter().map(|(_, row, ..)| row).collect(),
            no_lead,
            constituencies,
            money: vec![by_objective, by_partner],
            currency,
            activity_count,
            risks: Vec::new(),
            tags: super::tags::TagFigures::default(),
            round: None,
            never_reported: None,
            can_close: false,
            handovers: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_bars_share_one_scale() {
        let (scale, rows) = money_rows(vec![
            ("1 Prevent".into(), "/a".into(), 200, 50),
            ("2 Protect".into(), "/b".into(), 100, 150),
            ("3 Prosecute".into(), "/c".into(), 0, 0),
        ]);
        assert_eq!(scale.max, 200.0);
        assert_eq!((rows[0].budget_bar, rows[0].spending_bar), (100.0, 25.0));
        assert_eq!((rows[1].budget_bar, rows[1].spending_bar), (50.0, 75.0));
        assert_eq!((rows[2].budget_bar, rows[2].spending_bar), (0.0, 0.0));
        assert_eq!(rows[0].share(), "25%");
        assert_eq!(rows[2].share(), "–");
    }
}
