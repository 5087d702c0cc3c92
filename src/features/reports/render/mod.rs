//! A report laid out once, in the current language, as a list of blocks
//! (headings, paragraphs, tables, bar charts, page breaks) that the HTML
//! page, the Word document and the PDF each draw their own way: the three
//! formats cannot say different things. `committee` lays out the parts
//! after the objectives: risks, decisions, action points, timeliness, the
//! changes since a baseline and the annual review.

mod committee;

use serde::Serialize;

use super::figures::{Figures, IndicatorLine};
use crate::features::plan::quarter::Quarter;
use crate::features::progress::indicators::period_text;
use crate::i18n::{self, t};

/// A report's words: what the secretariat wrote, and what it is about.
#[derive(Debug, Clone, Default)]
pub struct Narrative {
    pub title: String,
    pub summary: String,
    pub achievements: String,
    pub challenges: String,
    pub lessons: String,
    pub recommendations: String,
}

impl Narrative {
    /// The sections in order: their field name and text.
    pub fn sections(&self) -> [(&'static str, &str); 5] {
        [
            ("summary", &self.summary),
            ("achievements", &self.achievements),
            ("challenges", &self.challenges),
            ("lessons", &self.lessons),
            ("recommendations", &self.recommendations),
        ]
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    Title {
        text: String,
        subtitle: String,
    },
    H1 {
        text: String,
    },
    H2 {
        text: String,
    },
    P {
        text: String,
    },
    /// `numeric` says which columns hold numbers (aligned right).
    Table {
        caption: String,
        head: Vec<String>,
        rows: Vec<Vec<String>>,
        numeric: Vec<bool>,
    },
    /// Bars from 0 to `max`, each with its label and value written out.
    Bars {
        caption: String,
        max: i64,
        bars: Vec<Bar>,
    },
    Break,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
    /// The bar's length in percent of the chart.
    pub percent: f64,
    pub class: &'static str,
}

pub(super) fn bars(
    caption: String,
    items: Vec<(String, i64, &'static str)>,
    max: Option<i64>,
) -> Block {
    let max = max
        .unwrap_or_else(|| items.iter().map(|i| i.1).max().unwrap_or(0))
        .max(1);
    Block::Bars {
        caption,
        max,
        bars: items
            .into_iter()
            .map(|(label, value, class)| Bar {
                shown: i18n::number(value),
                percent: (value as f64 * 100.0 / max as f64).clamp(0.0, 100.0),
                label,
                value,
                class,
            })
            .collect(),
    }
}

pub(super) fn table(
    caption: impl Into<String>,
    head: &[&str],
    numeric: &[bool],
    rows: Vec<Vec<String>>,
) -> Block {
    Block::Table {
        caption: caption.into(),
        head: head.iter().map(|k| t(k).into_owned()).collect(),
        rows,
        numeric: numeric.to_vec(),
    }
}

/// "Q3 2026", "2026", or "Q1 2025 – Q4 2026".
pub fn period_label(kind: &str, first: i32, last: i32) -> String {
    let (a, b) = (Quarter::from_index(first), Quarter::from_index(last));
    match kind {
        "quarter" => a.to_string(),
        "year" => a.year.to_string(),
        _ => format!("{a} – {b}"),
    }
}

pub(super) fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        "—".to_owned()
    } else {
        format!("{}%", part * 100 / whole)
    }
}

/// What the report's reader gets: every block, in the current language.
/// `number` is the issued report's number (none for a draft).
pub fn blocks(f: &Figures, words: &Narrative, kind: &str, number: Option<i32>) -> Vec<Block> {
    let lang = i18n::current();
    let nap = f
        .nap_translations
        .get(lang, "title")
        .unwrap_or(&f.nap_title);
    let mut out = vec![Block::Title {
        text: words.title.clone(),
        subtitle: {
            let mut s = format!("{nap} · {}", period_label(kind, f.first, f.last));
            if let Some(n) = number {
                s.push_str(&format!(
                    " · {}",
                    i18n::t_with("report.number", "n", &n.to_string())
                ));
            }
            s.push_str(&format!(
                " · {}",
                i18n::t_with("report.as_of", "day", &i18n::day(f.as_of))
            ));
            s
        },
    }];
    for (field, text) in words.sections() {
        if !text.trim().is_empty() {
            out.push(Block::H1 {
                text: t(&format!("report.section.{field}")).into_owned(),
            });
            out.extend(text.split("\n\n").map(|p| Block::P {
                text: p.trim().to_owned(),
            }));
        }
    }
    headline(f, &mut out);
    for o in &f.objectives {
        out.push(Block::Break);
        out.push(Block::H1 {
            text: format!(
                "{} {}",
                o.code,
                o.translations.get(lang, "title").unwrap_or(&o.title)
            ),
        });
        indicators(
            &o.indicators,
            i18n::t_with("report.indicators_of_objective", "code", &o.code),
            &mut out,
        );
        for oc in &o.outcomes {
            out.push(Block::H2 {
                text: format!(
                    "{} {}",
                    oc.code,
                    oc.translations.get(lang, "title").unwrap_or(&oc.title)
                ),
            });
            if oc.activities.is_empty() {
                out.push(Block::P {
                    text: t("report.no_activities").into_owned(),
                });
            } else {
                out.push(activities(oc, lang, f));
            }
            indicators(
                &oc.indicators,
                i18n::t_with("report.indicators_of_outcome", "code", &oc.code),
                &mut out,
            );
            if !oc.highlights.is_empty() {
                out.push(table(
                    i18n::t_with("report.highlights_of", "code", &oc.code),
                    &[
                        "report.col.activity",
                        "report.col.partner",
                        "report.col.date",
                        "report.col.note",
                    ],
                    &[false, false, false, false],
                    oc.highlights
                        .iter()
                        .map(|h| {
                            vec![
                                h.activity.clone(),
                                h.partner.clone().unwrap_or_default(),
                                i18n::day(h.on),
                                h.note.clone(),
                            ]
                        })
                        .collect(),
                ));
            }
        }
    }
    out.push(Block::Break);
    committee::risks_and_decisions(f, &mut out);
    committee::timeliness(f, &mut out);
    if let Some(c) = &f.changes {
        committee::changes(c, &mut out);
    }
    if let Some(r) = &f.review {
        committee::review(r, &mut out);
    }
    out
}

fn headline(f: &Figures, out: &mut Vec<Block>) {
    out.push(Block::H1 {
        text: t("report.headline").into_owned(),
    });
    let tg = f.targets;
    out.push(Block::P {
        text: i18n::t_args(
            "report.targets_line",
            &[
                ("met", &i18n::number(tg.met)),
                ("missed", &i18n::number(tg.missed)),
                ("pending", &i18n::number(tg.pending)),
                ("total", &i18n::number(tg.total())),
            ],
        ),
    });
    out.push(bars(
        t("report.chart.targets").into_owned(),
        vec![
            (t("target_state.met").into_owned(), tg.met, "met"),
            (t("target_state.missed").into_owned(), tg.missed, "missed"),
            (
                t("target_state.pending").into_owned(),
                tg.pending,
                "pending",
            ),
        ],
        None,
    ));
    out.push(bars(
        t("report.chart.statuses").into_owned(),
        f.statuses
            .iter()
            .map(|(s, n)| {
                (
                    t(&format!("activity_status.{s}")).into_owned(),
                    *n,
                    "status",
                )
            })
            .collect(),
        None,
    ));
    if !f.money.is_empty() {
        out.push(table(
            t("report.money"),
            &[
                "report.col.currency",
                "report.col.budget",
                "report.col.spending",
                "report.col.share",
            ],
            &[false, true, true, true],
            f.money
                .iter()
                .map(|m| {
                    vec![
                        m.currency.clone(),
                        i18n::number(m.budget),
                        i18n::number(m.spending),
                        percent(m.spending, m.budget),
                    ]
                })
                .collect(),
        ));
    }
    indicators(
        &f.indicators,
        t("report.indicators_of_plan").into_owned(),
        out,
    );
}

fn activities(oc: &super::figures::OutcomePart, lang: &str, f: &Figures) -> Block {
    let money = !f.money.is_empty();
    let mut head = vec![
        "report.col.code",
        "report.col.activity",
        "report.col.lead",
        "report.col.status",
        "report.col.progress",
        "report.col.targets",
    ];
    let mut numeric = vec![false, false, false, false, true, false];
    if money {
        head.extend(["report.col.budget", "report.col.spending"]);
        numeric.extend([true, true]);
    }
    let rows = oc
        .activities
        .iter()
        .map(|a| {
            let targets = a
                .targets
                .iter()
                .map(|tl| {
                    let q = Quarter::from_index(tl.quarter);
                    let when = if tl.whole_year {
                        q.year.to_string()
                    } else {
                        q.to_string()
                    };
                    format!("{when}: {}", t(&format!("target_state.{}", tl.state)))
                })
                .collect::<Vec<_>>()
                .join("; ");
            let mut row = vec![
                a.code.clone(),
                a.translations
                    .get(lang, "title")
                    .unwrap_or(&a.title)
                    .to_owned(),
                a.lead.clone().unwrap_or_default(),
                t(&format!("activity_status.{}", a.status)).into_owned(),
                format!("{}%", a.progress),
                targets,
            ];
            if money {
                let amount = |n: Option<i64>| {
                    n.map(|n| format!("{} {}", i18n::number(n), a.currency))
                        .unwrap_or_default()
                };
                row.push(amount(a.budget));
                row.push(amount(a.spending));
            }
            row
        })
        .collect();
    Block::Table {
        caption: i18n::t_with("report.activities_of", "code", &oc.code),
        head: head.iter().map(|k| t(k).into_owned()).collect(),
        rows,
        numeric,
    }
}

fn indicators(list: &[IndicatorLine], caption: String, out: &mut Vec<Block>) {
    if list.is_empty() {
        return;
    }
    out.push(table(
        caption,
        &[
            "report.col.indicator",
            "report.col.baseline",
            "report.col.target",
            "report.col.values",
        ],
        &[false, false, false, false],
        list.iter()
            .map(|i| {
                let values = i
                    .values
                    .iter()
                    .map(|v| {
                        let when = period_text(v.year, v.quarter);
                        let value = match (&v.text, v.number) {
                            (Some(text), _) => text.clone(),
                            (None, Some(n)) => number(n),
                            (None, None) => String::new(),
                        };
                        format!("{when}: {value}")
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                let name = if i.unit.is_empty() {
                    i.name.clone()
                } else {
                    format!("{} ({})", i.name, i.unit)
                };
                let unknown = || t("report.not_known").into_owned();
                vec![
                    name,
                    if i.baseline.is_empty() {
                        unknown()
                    } else {
                        i.baseline.clone()
                    },
                    if i.target.is_empty() {
                        unknown()
                    } else {
                        i.target.clone()
                    },
                    if values.is_empty() {
                        t("report.no_values").into_owned()
                    } else {
                        values
                    },
                ]
            })
            .collect(),
    ));
}

/// A measured value: whole numbers as the language writes them, others with
/// its decimal sign.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        i18n::number(n as i64)
    } else {
        let s = format!("{n:.2}");
        if i18n::current() == "en" {
            s
        } else {
            s.replace('.', ",")
        }
    }
}
