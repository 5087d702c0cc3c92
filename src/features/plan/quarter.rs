//! Quarters and time targets: parsing (every spelling of the three
//! languages), writing (the page's language), expanding a periodic target
//! over a period, a target's state on a given day, and an activity's
//! schedule as its targets tell it.

use std::fmt;

use time::Date;

use crate::choices::ActivityStatus;
use crate::i18n;

mod targets;

pub use targets::TargetSpec;

/// One quarter of one year. Stored as `index()`: year * 4 + (quarter - 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u8,
}

impl Quarter {
    pub fn new(year: i32, q: u8) -> Option<Self> {
        ((1..=4).contains(&q) && (1990..=2100).contains(&year)).then_some(Self { year, q })
    }

    pub fn index(self) -> i32 {
        self.year * 4 + i32::from(self.q) - 1
    }

    pub fn from_index(index: i32) -> Self {
        Self {
            year: index.div_euclid(4),
            q: u8::try_from(index.rem_euclid(4) + 1).unwrap_or(1),
        }
    }

    pub fn of_date(date: Date) -> Self {
        Self {
            year: date.year(),
            q: (u8::from(date.month()) - 1) / 3 + 1,
        }
    }

    /// The quarter today (UTC).
    pub fn current() -> Self {
        Self::of_date(time::OffsetDateTime::now_utc().date())
    }

    /// Accepts the year and the quarter in either order, with Q (English)
    /// or T (French, Spanish), any case and spacing: "2027Q3", "2027 Q3",
    /// "2027-Q3", "Q3 2027", "T3 2027", "2027T3".
    pub fn parse(s: &str) -> Option<Self> {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                'T' => 'Q',
                other => other,
            })
            .collect();
        let (before, after) = s.split_once('Q')?;
        let (year, q) = if before.is_empty() {
            // "Q3 2027": the quarter's digit, then the year.
            let (q, year) = after.split_at_checked(1)?;
            (year, q)
        } else {
            (before, after)
        };
        Self::new(year.parse().ok()?, q.parse().ok()?)
    }

    /// "2027Q3": a form every spreadsheet program keeps as text.
    pub fn compact(self) -> String {
        format!("{}Q{}", self.year, self.q)
    }

    /// "Q3": the quarter alone, as the page's language writes it (T3 in French
    /// and Spanish).
    pub fn short(self) -> String {
        i18n::t_with("quarter.short", "q", &self.q.to_string())
    }

    /// When the quarter begins.
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, first_month(self.q), 1).unwrap_or(Date::MIN)
    }

    /// When the quarter ends.
    pub fn last_day(self) -> Date {
        let next = Self::from_index(self.index() + 1);
        Date::from_calendar_date(next.year, first_month(next.q), 1)
            .ok()
            .and_then(Date::previous_day)
            .unwrap_or(Date::MIN)
    }
}

fn first_month(q: u8) -> time::Month {
    match q {
        1 => time::Month::January,
        2 => time::Month::April,
        3 => time::Month::July,
        _ => time::Month::October,
    }
}

/// "Q3 2027", "T3 2027": as the page's language writes a quarter.
impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&i18n::t_args(
            "quarter.one",
            &[("q", &self.q.to_string()), ("year", &self.year.to_string())],
        ))
    }
}

/// An inclusive range of quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Quarter,
    pub end: Quarter,
}

impl Period {
    /// The whole years `start_year` to `end_year`.
    pub fn years(start_year: i32, end_year: i32) -> Self {
        Self {
            start: Quarter {
                year: start_year,
                q: 1,
            },
            end: Quarter {
                year: end_year,
                q: 4,
            },
        }
    }

    pub fn contains(&self, q: Quarter) -> bool {
        self.start <= q && q <= self.end
    }

    pub fn quarters(&self) -> impl Iterator<Item = Quarter> {
        (self.start.index()..=self.end.index()).map(Quarter::from_index)
    }
}

/// Where an activity stands against its time targets, whatever its partner
/// reports: behind schedule as soon as a target's quarter ended unmet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    NoTargets,
    OnSchedule,
    Behind {
        /// Targets whose quarter ended unmet.
        missed: usize,
        /// The earliest of them: the activity is late since it ended.
        first: Quarter,
        /// The latest of them.
        latest: Quarter,
    },
}

impl Schedule {
    /// The schedule told by `(quarter, met)` occurrences on `today`.
    pub fn of(occurrences: impl IntoIterator<Item = (Quarter, bool)>, today: Quarter) -> Self {
        let mut any = false;
        let mut missed = 0;
        let mut first: Option<Quarter> = None;
        let mut latest: Option<Quarter> = None;
        for (quarter, met) in occurrences {
            any = true;
            if TargetState::of(quarter, met, today) == TargetState::Missed {
                missed += 1;
                first = Some(first.map_or(quarter, |f| f.min(quarter)));
                latest = Some(latest.map_or(quarter, |l| l.max(quarter)));
            }
        }
        match (first, latest) {
            (Some(first), Some(latest)) => Self::Behind {
                missed,
                first,
                latest,
            },
            _ if any => Self::OnSchedule,
            _ => Self::NoTargets,
        }
    }

    /// From counts the database made: all targets, those missed, and the
    /// earliest and latest missed quarters.
    pub fn from_counts(targets: i64, missed: i64, first: Option<i32>, latest: Option<i32>) -> Self {
        match (first, latest) {
            (Some(first), Some(latest)) if missed > 0 => Self::Behind {
                missed: usize::try_from(missed).unwrap_or(0),
                first: Quarter::from_index(first),
                latest: Quarter::from_index(latest),
            },
            _ if targets > 0 => Self::OnSchedule,
            _ => Self::NoTargets,
        }
    }

    pub fn is_behind(self) -> bool {
        matches!(self, Self::Behind { .. })
    }

    /// A stable name, for styles and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoTargets => "no-targets",
            Self::OnSchedule => "on-schedule",
            Self::Behind { .. } => "behind",
        }
    }

    /// "On schedule", "Behind schedule", "No time targets".
    pub fn label(self) -> String {
        i18n::t(&format!("schedule.{}", self.as_str())).into_owned()
    }

    /// "2 targets missed, the latest in Q2 2026" (empty unless behind).
    pub fn detail(self) -> String {
        match self {
            Self::Behind { missed, latest, .. } => i18n::t_args(
                if missed == 1 {
                    "schedule.missed_one"
                } else {
                    "schedule.missed_many"
                },
                &[
                    ("n", &i18n::number(i64::try_from(missed).unwrap_or(0))),
                    ("quarter", &latest.to_string()),
                ],
            ),
            _ => String::new(),
        }
    }

    /// How long since the first missed target's quarter ended: "5 months late".
    pub fn delay(self, today: Date) -> String {
        match self {
            Self::Behind { first, .. } => i18n::late_by((today - first.last_day()).whole_days()),
            _ => String::new(),
        }
    }

    /// Whether the partner's report says the opposite of the targets: on
    /// track, or completed, with a target missed.
    pub fn contradicts(self, status: ActivityStatus) -> bool {
        self.is_behind() && matches!(status, ActivityStatus::OnTrack | ActivityStatus::Completed)
    }

    /// The flag shown beside such a report: "Reported on track, but 2
    /// targets were missed, the latest in Q2 2026".
    pub fn warning(self, status: ActivityStatus) -> Option<String> {
        self.contradicts(status).then(|| {
            i18n::t_args(
                "schedule.contradiction",
                &[
                    ("status", &i18n::t(status.label_key()).to_lowercase()),
                    ("detail", &self.detail()),
                ],
            )
        })
    }
}

/// Where a target occurrence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    Met,
    /// Its quarter ended and it was not met.
    Missed,
    Pending,
}

impl TargetState {
    pub fn of(quarter: Quarter, met: bool, today: Quarter) -> Self {
        if met {
            Self::Met
        } else if quarter < today {
            Self::Missed
        } else {
            Self::Pending
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::Missed => "missed",
            Self::Pending => "pending",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Self::Met => "target_state.met",
            Self::Missed => "target_state.missed",
            Self::Pending => "target_state.pending",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Met, Self::Missed, Self::Pending]
            .into_iter()
            .find(|state| state.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(year: i32, q: u8) -> Quarter {
        Quarter::new(year, q).unwrap()
    }

    #[test]
    fn quarters_parse_write_and_index() {
        assert_eq!(Quarter::parse("2027Q3"), Some(q(2027, 3)));
        assert_eq!(Quarter::parse("2027 q3"), Some(q(2027, 3)));
        assert_eq!(Quarter::parse("2027-Q3"), Some(q(2027, 3)));
        assert_eq!(Quarter::parse("2027Q5"), None);
        assert_eq!(Quarter::parse("Q3"), None);
        assert_eq!(Quarter::parse("Q3 2027"), Some(q(2027, 3)));
        assert_eq!(Quarter::parse("T3 2027"), Some(q(2027, 3)));
        assert_eq!(Quarter::parse("2027t3"), Some(q(2027, 3)));
        assert_eq!(q(2027, 3).compact(), "2027Q3");
        assert_eq!(q(2027, 3).to_string(), "Q3 2027");
        i18n::with_language("fr", || assert_eq!(q(2027, 3).to_string(), "T3 2027"));
        assert_eq!(q(2026, 2).last_day(), time::macros::date!(2026 - 06 - 30));
        assert_eq!(q(2026, 4).last_day(), time::macros::date!(2026 - 12 - 31));
        for quarter in [q(2026, 1), q(2026, 4), q(2030, 2)] {
            assert_eq!(Quarter::from_index(quarter.index()), quarter);
        }
        assert_eq!(q(2026, 4).index() + 1, q(2027, 1).index());
        let date = Date::from_calendar_date(2026, time::Month::November, 30).unwrap();
        assert_eq!(Quarter::of_date(date), q(2026, 4));
    }

    #[test]
    fn the_schedule_is_what_the_targets_say_whatever_is_reported() {
        let today = q(2026, 4);
        let behind = Schedule::of(
            [
                (q(2026, 1), true),
                (q(2026, 2), false),
                (q(2026, 3), false),
                (q(2027, 1), false),
            ],
            today,
        );
        assert_eq!(
            behind,
            Schedule::Behind {
                missed: 2,
                first: q(2026, 2),
                latest: q(2026, 3)
            }
        );
        assert_eq!(behind.detail(), "2 targets missed, the latest in Q3 2026");
        assert!(behind.contradicts(ActivityStatus::OnTrack));
        assert!(!behind.contradicts(ActivityStatus::Delayed));
        assert_eq!(
            behind.warning(ActivityStatus::OnTrack).as_deref(),
            Some("Reported on track, but 2 targets missed, the latest in Q3 2026")
        );
        // Late since the end of its first missed quarter (30 June 2026).
        assert_eq!(
            behind.delay(time::macros::date!(2026 - 12 - 04)),
            "5 months late"
        );
        let on = Schedule::of([(q(2026, 3), true), (q(2027, 1), false)], today);
        assert_eq!(on, Schedule::OnSchedule);
        assert_eq!(on.warning(ActivityStatus::OnTrack), None);
        assert_eq!(Schedule::of([], today), Schedule::NoTargets);
        i18n::with_language("fr", || {
            assert_eq!(
                behind.warning(ActivityStatus::Completed).as_deref(),
                Some("Déclarée achevée, mais 2 échéances non respectées, la dernière au T3 2026")
            );
        });
    }

    #[test]
    fn state_by_date() {
        let today = q(2026, 4);
        assert_eq!(
            TargetState::of(q(2026, 3), false, today),
            TargetState::Missed
        );
        assert_eq!(
            TargetState::of(q(2026, 4), false, today),
            TargetState::Pending
        );
        assert_eq!(
            TargetState::of(q(2027, 1), false, today),
            TargetState::Pending
        );
        assert_eq!(TargetState::of(q(2026, 1), true, today), TargetState::Met);
    }
}
