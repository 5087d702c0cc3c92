//! The dashboard's charts as plain data: every bar with its label, its
//! value and its place on a scale with ticks, so the template draws the
//! bars as SVG shapes (attributes, not inline styles, which the content
//! security policy forbids) beside HTML labels that stay text at any width,
//! in print and for screen readers, and tests check the geometry as numbers.

use super::summary::ProgressSum;
use crate::features::plan::quarter::Quarter;

/// A scale from 0 to a round maximum, and its ticks.
pub struct Scale {
    pub max: f64,
    /// (position in percent of the scale, label).
    pub ticks: Vec<(f64, String)>,
}

impl Scale {
    /// The smallest round maximum (1, 2 or 5 times a power of ten, 5 at
    /// least) at or above `largest`, with about five ticks.
    pub fn up_to(largest: f64) -> Self {
        let largest = largest.max(4.0);
        let mut step = 10f64.powf(largest.log10().floor());
        let max = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * step)
            .find(|m| *m >= largest)
            .unwrap_or(10.0 * step);
        while max / step > 5.0 {
            step *= 2.0;
        }
        if max / step < 2.0 {
            step /= 2.0;
        }
        let mut ticks = Vec::new();
        let mut at = 0.0;
        while at <= max + step / 2.0 {
            ticks.push((at * 100.0 / max, crate::i18n::number(at.round() as i64)));
            at += step;
        }
        Self { max, ticks }
    }

    /// Percent scale, for progress.
    pub fn percent() -> Self {
        Self {
            max: 100.0,
            ticks: [0, 25, 50, 75, 100]
                .into_iter()
                .map(|p| (f64::from(p), format!("{p}%")))
                .collect(),
        }
    }

    /// Where `value` falls, in percent of the scale.
    pub fn place(&self, value: f64) -> f64 {
        (value * 100.0 / self.max).clamp(0.0, 100.0)
    }
}

/// One piece of a stacked bar.
pub struct Segment {
    /// A stable name, for its colour.
    pub class: &'static str,
    pub label: String,
    pub value: usize,
    /// Where it starts, in percent of the scale.
    pub x: f64,
    /// Length in percent of the scale.
    pub width: f64,
}

/// One labelled, stacked horizontal bar that links to what it counts.
pub struct BarRow {
    pub label: String,
    pub href: String,
    pub segments: Vec<Segment>,
    pub total: usize,
    /// What the row adds beside its total ("3 behind schedule").
    pub note: String,
}

impl Segment {
    /// A segment not yet placed on a scale.
    pub fn new(class: &'static str, label: String, value: usize) -> Self {
        Segment {
            class,
            label,
            value,
            x: 0.0,
            width: 0.0,
        }
    }
}

impl BarRow {
    /// A bar not yet placed on a scale.
    pub fn new(label: String, href: String, segments: Vec<Segment>, note: String) -> Self {
        let total = segments.iter().map(|s| s.value).sum();
        BarRow {
            label,
            href,
            segments,
            total,
            note,
        }
    }
}

/// Places stacked bars on one scale, dropping empty segments.
pub fn bar_rows(rows: Vec<BarRow>) -> (Scale, Vec<BarRow>) {
    let largest = rows.iter().map(|row| row.total).max().unwrap_or(0);
    let scale = Scale::up_to(largest as f64);
    let rows = rows
        .into_iter()
        .map(|mut row| {
            row.segments.retain(|s| s.value > 0);
            let mut x = 0.0;
            for segment in &mut row.segments {
                segment.x = x;
                segment.width = scale.place(segment.value as f64);
                x += segment.width;
            }
            row
        })
        .collect();
    (scale, rows)
}

/// One quarter of the targets' trend.
pub struct TrendColumn {
    pub quarter: Quarter,
    pub met: usize,
    pub missed: usize,
    /// Not yet due (the current quarter).
    pub pending: usize,
    /// Heights in percent of the scale.
    pub met_height: f64,
    pub missed_height: f64,
    pub pending_height: f64,
    pub current: bool,
}

impl TrendColumn {
    /// The top of each stacked piece in a box 100 high (0 at the top):
    /// met at the bottom, then missed, then pending.
    pub fn met_y(&self) -> f64 {
        100.0 - self.met_height
    }

    pub fn missed_y(&self) -> f64 {
        self.met_y() - self.missed_height
    }

    pub fn pending_y(&self) -> f64 {
        self.missed_y() - self.pending_height
    }

    /// The year, written under each first quarter.
    pub fn year_label(&self) -> Option<i32> {
        (self.quarter.q == 1).then_some(self.quarter.year)
    }
}

/// Targets met and missed in each quarter from `from` to `today`, given
/// `(quarter, targets, met)` counts.
pub fn target_trend(
    counts: &[(Quarter, usize, usize)],
    from: Quarter,
    today: Quarter,
) -> (Scale, Vec<TrendColumn>) {
    let quarters: Vec<Quarter> = (from.index()..=today.index())
        .map(Quarter::from_index)
        .collect();
    let sums: Vec<(usize, usize)> = quarters
        .iter()
        .map(|q| {
            counts
                .iter()
                .filter(|(c, _, _)| c == q)
                .fold((0, 0), |(t, m), (_, targets, met)| (t + targets, m + met))
        })
        .collect();
    let largest = sums.iter().map(|(t, _)| *t).max().unwrap_or(0);
    let scale = Scale::up_to(largest as f64);
    let columns = quarters
        .into_iter()
        .zip(sums)
        .map(|(quarter, (targets, met))| {
            let current = quarter == today;
            let open = targets - met;
            let (missed, pending) = if current { (0, open) } else { (open, 0) };
            TrendColumn {
                quarter,
                met,
                missed,
                pending,
                met_height: scale.place(met as f64),
                missed_height: scale.place(missed as f64),
                pending_height: scale.place(pending as f64),
                current,
            }
        })
        .collect();
    (scale, columns)
}

/// One objective's average progress at the end of each quarter.
pub struct ProgressLine {
    pub label: String,
    /// The line's colour among the series.
    pub series: usize,
    /// Percent progress per quarter, in the chart's order.
    pub values: Vec<f64>,
    /// SVG points in a box 100 wide and 100 high (0% at the bottom).
    pub points: String,
}

impl ProgressLine {
    pub fn last(&self) -> f64 {
        self.values.last().copied().unwrap_or(0.0)
    }
}

/// Each objective's average progress at the end of each of `quarters`,
/// from its outcomes' sums: each outcome counts as it stood at its latest
/// change up to that quarter, and not before its first.
pub fn progress_lines(
    objectives: &[(i64, String)],
    sums: &[ProgressSum],
    quarters: &[Quarter],
) -> Vec<ProgressLine> {
    let n = quarters.len();
    objectives
        .iter()
        .enumerate()
        .map(|(series, (id, label))| {
            let mine: Vec<&ProgressSum> = sums.iter().filter(|s| s.objective == *id).collect();
            let values: Vec<f64> = quarters
                .iter()
                .map(|q| {
                    let mut latest: std::collections::BTreeMap<i64, &ProgressSum> =
                        std::collections::BTreeMap::new();
                    for s in mine.iter().filter(|s| s.quarter <= q.index()) {
                        let slot = latest.entry(s.outcome).or_insert(s);
                        if s.quarter > slot.quarter {
                            *slot = s;
                        }
                    }
                    let (sum, count) = latest.values().fold((0, 0), |(sum, count), s| {
                        (sum + s.sum, count + s.activities)
                    });
                    if count == 0 {
                        0.0
                    } else {
                        sum as f64 / count as f64
                    }
                })
                .collect();
            let step = if n > 1 { 100.0 / (n - 1) as f64 } else { 0.0 };
            let points = values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.1},{:.1}", i as f64 * step, 100.0 - v))
                .collect::<Vec<_>>()
                .join(" ");
            ProgressLine {
                label: label.clone(),
                series: series % 6,
                values,
                points,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(year: i32, q: u8) -> Quarter {
        Quarter::new(year, q).unwrap()
    }

    #[test]
    fn scales_end_on_a_round_number_with_a_few_ticks() {
        let scale = Scale::up_to(37.0);
        assert_eq!(scale.max, 50.0);
        let labels: Vec<&str> = scale.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0", "10", "20", "30", "40", "50"]);
        assert_eq!(Scale::up_to(7.0).max, 10.0);
        assert_eq!(Scale::up_to(0.0).max, 5.0);
        assert_eq!(Scale::up_to(180.0).max, 200.0);
        assert!(Scale::up_to(180.0).ticks.len() <= 6);
        assert_eq!(scale.place(25.0), 50.0);
        assert_eq!(scale.place(80.0), 100.0);
    }

    #[test]
    fn stacked_bars_share_one_scale_and_keep_their_labels() {
        let (scale, rows) = bar_rows(vec![
            BarRow::new(
                "1 Prevention".into(),
                "/a".into(),
                vec![
                    Segment::new("on-track", "On track".into(), 6),
                    Segment::new("delayed", "Delayed".into(), 2),
                ],
                String::new(),
            ),
            BarRow::new(
                "2 Protection".into(),
                "/b".into(),
                vec![
                    Segment::new("on-track", "On track".into(), 0),
                    Segment::new("delayed", "Delayed".into(), 4),
                ],
                "4 behind schedule".into(),
            ),
        ]);
        assert_eq!(scale.max, 10.0);
        assert_eq!(rows[0].total, 8);
        assert_eq!(rows[0].segments.len(), 2);
        assert_eq!(
            (rows[0].segments[0].width, rows[0].segments[1].width),
            (60.0, 20.0)
        );
        // Each piece starts where the one before it ends.
        assert_eq!((rows[0].segments[0].x, rows[0].segments[1].x), (0.0, 60.0));
        // Empty pieces are not drawn, but the row keeps its label.
        assert_eq!(rows[1].segments.len(), 1);
        assert_eq!(rows[1].label, "2 Protection");
    }

    #[test]
    fn the_trend_counts_missed_in_past_quarters_and_pending_now() {
        let counts = [
            (q(2026, 1), 4, 3),
            (q(2026, 1), 2, 0),
            (q(2026, 2), 5, 5),
            (q(2026, 3), 3, 1),
        ];
        let (scale, columns) = target_trend(&counts, q(2026, 1), q(2026, 3));
        assert_eq!(columns.len(), 3);
        assert_eq!(
            (columns[0].met, columns[0].missed, columns[0].pending),
            (3, 3, 0)
        );
        assert_eq!(
            (columns[2].met, columns[2].missed, columns[2].pending),
            (1, 0, 2)
        );
        assert!(columns[2].current);
        assert_eq!(scale.max, 10.0);
        assert_eq!(columns[0].year_label(), Some(2026));
        assert_eq!(columns[1].year_label(), None);
        // Stacked from the bottom of a box 100 high: met, then missed.
        assert_eq!((columns[0].met_y(), columns[0].missed_y()), (70.0, 40.0));
        assert_eq!(columns[2].pending_y(), 70.0);
    }

    #[test]
    fn progress_carries_each_outcomes_last_sum_forward() {
        let quarters = [q(2026, 1), q(2026, 2), q(2026, 3)];
        let i = |quarter: Quarter| quarter.index();
        // Objective 1 has two outcomes of two activities each; objective 2
        // one outcome of one activity.
        let sum = |objective, outcome, quarter: Quarter, sum, activities| ProgressSum {
            objective,
            outcome,
            quarter: i(quarter),
            sum,
            activities,
        };
        let sums = [
            sum(1, 10, q(2026, 1), 20, 2),
            sum(1, 10, q(2026, 3), 60, 2),
            sum(1, 11, q(2026, 1), 0, 2),
            sum(1, 11, q(2026, 2), 40, 2),
            sum(2, 20, q(2026, 2), 100, 1),
        ];
        let lines = progress_lines(
            &[(1, "1 Prevention".into()), (2, "2 Protection".into())],
            &sums,
            &quarters,
        );
        // (20 + 0) / 4, then (20 + 40) / 4, then (60 + 40) / 4.
        assert_eq!(lines[0].values, [5.0, 15.0, 25.0]);
        // Nothing counted before the outcome's first change.
        assert_eq!(lines[1].values, [0.0, 100.0, 100.0]);
        assert_eq!(lines[0].points, "0.0,95.0 50.0,85.0 100.0,75.0");
        assert_eq!(lines[1].last(), 100.0);
    }
}
