//! How often a committee meets, and whether its next meeting is overdue:
//! "meets every quarter" and a last meeting in March make July overdue.
//! Pure functions of the dates, so they are unit-tested here.

use time::{Date, Month, OffsetDateTime};

use crate::i18n;

/// How often a committee meets: a closed list (`committees.meets`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Monthly,
    EveryTwoMonths,
    Quarterly,
    TwiceAYear,
    Yearly,
    AsNeeded,
}

impl Frequency {
    pub const ALL: &'static [Frequency] = &[
        Frequency::Monthly,
        Frequency::EveryTwoMonths,
        Frequency::Quarterly,
        Frequency::TwiceAYear,
        Frequency::Yearly,
        Frequency::AsNeeded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::EveryTwoMonths => "every-two-months",
            Frequency::Quarterly => "quarterly",
            Frequency::TwiceAYear => "twice-a-year",
            Frequency::Yearly => "yearly",
            Frequency::AsNeeded => "as-needed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.as_str() == s.trim())
    }

    /// "Every quarter", as a choice in the form and after "meets".
    pub fn label_key(self) -> &'static str {
        match self {
            Frequency::Monthly => "meets.monthly",
            Frequency::EveryTwoMonths => "meets.every-two-months",
            Frequency::Quarterly => "meets.quarterly",
            Frequency::TwiceAYear => "meets.twice-a-year",
            Frequency::Yearly => "meets.yearly",
            Frequency::AsNeeded => "meets.as-needed",
        }
    }

    /// "meets every quarter", inside a sentence.
    pub fn sentence_key(self) -> &'static str {
        match self {
            Frequency::Monthly => "meets_sentence.monthly",
            Frequency::EveryTwoMonths => "meets_sentence.every-two-months",
            Frequency::Quarterly => "meets_sentence.quarterly",
            Frequency::TwiceAYear => "meets_sentence.twice-a-year",
            Frequency::Yearly => "meets_sentence.yearly",
            Frequency::AsNeeded => "meets_sentence.as-needed",
        }
    }

    /// Months between two meetings; none when the committee meets as needed.
    pub fn months(self) -> Option<u8> {
        match self {
            Frequency::Monthly => Some(1),
            Frequency::EveryTwoMonths => Some(2),
            Frequency::Quarterly => Some(3),
            Frequency::TwiceAYear => Some(6),
            Frequency::Yearly => Some(12),
            Frequency::AsNeeded => None,
        }
    }
}

/// `day` plus `months` calendar months, on the same day of the month or
/// the month's last day (31 Jan + 1 month = 28 or 29 Feb).
pub fn add_months(day: Date, months: u8) -> Date {
    let index = i32::from(u8::from(day.month())) - 1 + i32::from(months);
    let year = day.year() + index.div_euclid(12);
    let month = u8::try_from(index.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::December);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, day.day().min(last)).unwrap_or(day)
}

/// Where a committee stands against its frequency, today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Meets as needed: nothing is ever overdue.
    AsNeeded,
    /// A meeting is planned on this day, in time.
    Planned { next: Date },
    /// The next meeting is due by this day, which has not passed.
    DueBy { due: Date },
    /// The day passed with no meeting planned before it. `last` is the
    /// last meeting held (none: the committee has not met since it was
    /// set up); `next` a meeting planned too late, if any.
    Overdue {
        due: Date,
        last: Option<Date>,
        next: Option<Date>,
    },
}

impl Schedule {
    /// `last` is the latest meeting that started before now, `next` the
    /// earliest one after; `since` the day the committee was set up (the
    /// start of the count when it has never met).
    pub fn of(
        frequency: Frequency,
        last: Option<Date>,
        next: Option<Date>,
        since: Date,
        today: Date,
    ) -> Self {
        let Some(months) = frequency.months() else {
            return Schedule::AsNeeded;
        };
        let due = add_months(last.unwrap_or(since), months);
        match next {
            Some(next) if next <= due => Schedule::Planned { next },
            _ if today <= due => Schedule::DueBy { due },
            _ => Schedule::Overdue { due, last, next },
        }
    }

    pub fn is_overdue(&self) -> bool {
        matches!(self, Schedule::Overdue { .. })
    }
}

/// What a page needs to say where a committee stands.
pub struct Standing {
    pub frequency: Frequency,
    /// The secretariat's own words beside the frequency, if any.
    pub note: String,
    pub schedule: Schedule,
}

impl Standing {
    /// "Every quarter", and the secretariat's words in brackets.
    pub fn frequency_text(&self) -> String {
        let label = i18n::t(self.frequency.label_key());
        if self.note.trim().is_empty() {
            label.into_owned()
        } else {
            format!("{label} ({})", self.note.trim())
        }
    }

    /// Where the committee stands, in words: "Next meeting due by
    /// 12 Jun 2026", or, when overdue, "last met 12 Mar 2026, meets every
    /// quarter (3 months late)" (the page puts the badge before it).
    pub fn status(&self) -> Option<String> {
        let today = OffsetDateTime::now_utc().date();
        let meets = i18n::t(self.frequency.sentence_key());
        match &self.schedule {
            Schedule::AsNeeded => None,
            Schedule::Planned { next } => {
                Some(i18n::t_with("cadence.planned", "date", &i18n::day(*next)))
            }
            Schedule::DueBy { due } => {
                Some(i18n::t_with("cadence.due_by", "date", &i18n::day(*due)))
            }
            Schedule::Overdue { due, last, next } => {
                let late = i18n::late_by((today - *due).whole_days());
                let mut text = match last {
                    Some(last) => i18n::t_args(
                        "cadence.last_met",
                        &[
                            ("date", &i18n::day(*last)),
                            ("meets", &meets),
                            ("late", &late),
                        ],
                    ),
                    None => {
                        i18n::t_args("cadence.never_met", &[("meets", &meets), ("late", &late)])
                    }
                };
                if let Some(next) = next {
                    text.push_str("; ");
                    text.push_str(&i18n::t_with(
                        "cadence.planned_late",
                        "date",
                        &i18n::day(*next),
                    ));
                }
                Some(text)
            }
        }
    }
}

/// The meetings that decide a committee's standing: the last one held and
/// the next one planned.
pub fn standing(
    frequency: Frequency,
    note: String,
    last: Option<OffsetDateTime>,
    next: Option<OffsetDateTime>,
    since: OffsetDateTime,
) -> Standing {
    let today = OffsetDateTime::now_utc().date();
    Standing {
        frequency,
        note,
        schedule: Schedule::of(
            frequency,
            last.map(|l| l.date()),
            next.map(|n| n.date()),
            since.date(),
            today,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_are_added_on_the_calendar() {
        assert_eq!(add_months(date!(2026 - 03 - 12), 3), date!(2026 - 06 - 12));
        assert_eq!(add_months(date!(2026 - 11 - 30), 3), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 12 - 01), 12), date!(2027 - 12 - 01));
    }

    #[test]
    fn a_quarterly_committee_that_met_in_march_is_overdue_in_july() {
        let march = Some(date!(2026 - 03 - 12));
        let since = date!(2025 - 01 - 01);
        assert_eq!(
            Schedule::of(
                Frequency::Quarterly,
                march,
                None,
                since,
                date!(2026 - 07 - 01)
            ),
            Schedule::Overdue {
                due: date!(2026 - 06 - 12),
                last: march,
                next: None
            }
        );
        assert_eq!(
            Schedule::of(
                Frequency::Quarterly,
                march,
                None,
                since,
                date!(2026 - 06 - 12)
            ),
            Schedule::DueBy {
                due: date!(2026 - 06 - 12)
            }
        );
        // A meeting planned in time settles it; one planned too late does not.
        assert_eq!(
            Schedule::of(
                Frequency::Quarterly,
                march,
                Some(date!(2026 - 06 - 10)),
                since,
                date!(2026 - 05 - 01)
            ),
            Schedule::Planned {
                next: date!(2026 - 06 - 10)
            }
        );
        assert!(
            Schedule::of(
                Frequency::Quarterly,
                march,
                Some(date!(2026 - 09 - 01)),
                since,
                date!(2026 - 07 - 01)
            )
            .is_overdue()
        );
    }

    #[test]
    fn a_committee_that_never_met_counts_from_its_setting_up_and_as_needed_is_never_late() {
        assert_eq!(
            Schedule::of(
                Frequency::Monthly,
                None,
                None,
                date!(2026 - 01 - 15),
                date!(2026 - 03 - 01)
            ),
            Schedule::Overdue {
                due: date!(2026 - 02 - 15),
                last: None,
                next: None
            }
        );
        assert_eq!(
            Schedule::of(
                Frequency::AsNeeded,
                None,
                None,
                date!(2020 - 01 - 01),
                date!(2026 - 03 - 01)
            ),
            Schedule::AsNeeded
        );
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.as_str()), Some(*f));
        }
    }
}
