//! The parts of a report after its objectives: risks, the committees'
//! decisions and action points, the rounds' timeliness, the changes since a
//! baseline and the annual review.

use super::{Block, bars, percent, table};
use crate::features::reports::baselines::{self, Changes};
use crate::features::reports::figures::Figures;
use crate::features::reports::review::{self, Review};
use crate::i18n::{self, t};

pub(super) fn risks_and_decisions(f: &Figures, out: &mut Vec<Block>) {
    out.push(Block::H1 {
        text: t("report.risks").into_owned(),
    });
    if f.risks.is_empty() {
        out.push(Block::P {
            text: t("report.none").into_owned(),
        });
    } else {
        out.push(table(
            t("report.risks"),
            &[
                "risk.challenge",
                "risk.likelihood",
                "risk.impact",
                "risk.mitigation",
                "risk.owner",
                "risk.state",
            ],
            &[false, true, true, false, false, false],
            f.risks
                .iter()
                .map(|r| {
                    vec![
                        r.challenge.clone(),
                        r.likelihood.to_string(),
                        r.impact.to_string(),
                        r.mitigation.clone(),
                        r.owner.clone().unwrap_or_default(),
                        t(&format!("risk.state.{}", r.state)).into_owned(),
                    ]
                })
                .collect(),
        ));
    }
    out.push(Block::H1 {
        text: t("report.decisions").into_owned(),
    });
    if f.decisions.is_empty() {
        out.push(Block::P {
            text: t("report.none").into_owned(),
        });
    } else {
        out.push(table(
            t("report.decisions"),
            &[
                "report.col.committee",
                "report.col.date",
                "report.col.number",
                "report.col.decision",
            ],
            &[false, false, true, false],
            f.decisions
                .iter()
                .map(|d| {
                    vec![
                        d.committee.clone(),
                        i18n::day(d.on),
                        d.number.to_string(),
                        d.text.clone(),
                    ]
                })
                .collect(),
        ));
    }
    out.push(Block::H1 {
        text: t("report.action_points").into_owned(),
    });
    if f.action_points.is_empty() {
        out.push(Block::P {
            text: t("report.none").into_owned(),
        });
    } else {
        out.push(table(
            t("report.action_points"),
            &[
                "report.col.committee",
                "report.col.action",
                "report.col.owner",
                "report.col.due",
                "report.col.done",
            ],
            &[false, false, false, false, false],
            f.action_points
                .iter()
                .map(|a| {
                    let day = |d: Option<time::Date>| d.map(i18n::day).unwrap_or_default();
                    vec![
                        a.committee.clone(),
                        a.text.clone(),
                        a.owner.clone().unwrap_or_default(),
                        day(a.due),
                        day(a.done),
                    ]
                })
                .collect(),
        ));
    }
}

pub(super) fn timeliness(f: &Figures, out: &mut Vec<Block>) {
    out.push(Block::H1 {
        text: t("report.timeliness").into_owned(),
    });
    if f.timeliness.is_empty() {
        out.push(Block::P {
            text: t("report.no_rounds").into_owned(),
        });
        return;
    }
    out.push(bars(
        t("report.chart.timeliness").into_owned(),
        f.timeliness
            .iter()
            .map(|l| {
                let closed = l.expected() - l.awaited;
                (
                    l.acronym.clone(),
                    if closed == 0 {
                        0
                    } else {
                        l.on_time * 100 / closed
                    },
                    "on-time",
                )
            })
            .collect(),
        Some(100),
    ));
    out.push(table(
        t("report.timeliness"),
        &[
            "report.col.partner",
            "round.on_time",
            "round.late",
            "round.missing",
            "round.awaited",
            "report.col.share_on_time",
        ],
        &[false, true, true, true, true, true],
        f.timeliness
            .iter()
            .map(|l| {
                vec![
                    l.acronym.clone(),
                    i18n::number(l.on_time),
                    i18n::number(l.late),
                    i18n::number(l.missing),
                    i18n::number(l.awaited),
                    percent(l.on_time, l.expected() - l.awaited),
                ]
            })
            .collect(),
    ));
}

pub(super) fn changes(c: &Changes, out: &mut Vec<Block>) {
    out.push(Block::H1 {
        text: i18n::t_with("report.changes", "baseline", &c.from_label),
    });
    if c.is_empty() {
        out.push(Block::P {
            text: t("baseline.no_changes").into_owned(),
        });
        return;
    }
    let none = || "—".to_owned();
    let mut rows = Vec::new();
    for a in &c.added {
        rows.push(vec![
            t("baseline.added").into_owned(),
            a.code.clone(),
            a.title.clone(),
            String::new(),
            String::new(),
        ]);
    }
    for a in &c.dropped {
        rows.push(vec![
            t("baseline.dropped").into_owned(),
            a.code.clone(),
            a.title.clone(),
            String::new(),
            String::new(),
        ]);
    }
    for m in &c.moved {
        rows.push(vec![
            t("baseline.moved").into_owned(),
            m.code.clone(),
            m.title.clone(),
            m.from.clone(),
            m.to.clone(),
        ]);
    }
    for m in &c.retimed {
        rows.push(vec![
            t("baseline.retimed").into_owned(),
            m.code.clone(),
            m.title.clone(),
            baselines::span(m.from),
            baselines::span(m.to),
        ]);
    }
    for m in &c.reassigned {
        rows.push(vec![
            t("baseline.reassigned").into_owned(),
            m.code.clone(),
            m.title.clone(),
            m.from.clone().unwrap_or_else(none),
            m.to.clone().unwrap_or_else(none),
        ]);
    }
    for m in &c.budget {
        let money = |v: &Option<(i64, String)>| {
            v.as_ref()
                .map_or_else(none, |(n, cur)| format!("{} {cur}", i18n::number(*n)))
        };
        rows.push(vec![
            t("baseline.budget").into_owned(),
            m.code.clone(),
            m.title.clone(),
            money(&m.from),
            money(&m.to),
        ]);
    }
    out.push(table(
        t("report.changes_table"),
        &[
            "baseline.change",
            "report.col.code",
            "report.col.activity",
            "baseline.before",
            "baseline.after",
        ],
        &[false, false, false, false, false],
        rows,
    ));
}

pub(super) fn review(r: &Review, out: &mut Vec<Block>) {
    out.push(Block::H1 {
        text: i18n::t_with("report.review", "year", &r.year.to_string()),
    });
    out.push(table(
        t("report.review_table"),
        &[
            "annual.question",
            "annual.rating",
            "annual.evidence",
            "annual.comment",
        ],
        &[false, false, false, false],
        review::QUESTIONS
            .iter()
            .map(|q| {
                let a = r.answer(q);
                vec![
                    t(&format!("annual.q.{q}")).into_owned(),
                    t(&review::rating_key(&a.rating)).into_owned(),
                    a.evidence,
                    a.comment,
                ]
            })
            .collect(),
    ));
    if !r.lessons.trim().is_empty() {
        out.push(Block::H2 {
            text: t("annual.lessons").into_owned(),
        });
        out.push(Block::P {
            text: r.lessons.clone(),
        });
    }
}
