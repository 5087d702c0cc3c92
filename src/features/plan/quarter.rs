//! Quarters and time targets: parsing, writing, expanding a periodic target
//! over a period, and a target's state on a given day.

use std::fmt;

use time::Date;

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

    /// Accepts "2027Q3", "2027 Q3", "2027-Q3" (any case).
    pub fn parse(s: &str) -> Option<Self> {
        let s: String = s
            .split_whitespace()
            .collect::<String>()
            .to_ascii_uppercase();
        let (year, q) = s.split_once('Q')?;
        let year = year.trim_end_matches('-').parse().ok()?;
        let q = q.parse().ok()?;
        Self::new(year, q)
    }

    /// "2027Q3": the form used in spreadsheets.
    pub fn compact(self) -> String {
        format!("{}Q{}", self.year, self.q)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Q{}", self.year, self.q)
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

/// A time target as people write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetSpec {
    /// One specific quarter: "2027Q3".
    Once(Quarter),
    /// The same quarter each year: "Q2/yearly".
    Yearly(u8),
}

impl TargetSpec {
    /// Accepts "2027Q3", "2027 Q3", "Q2/yearly", "Q2 yearly", "Q2 every year".
    pub fn parse(s: &str) -> Option<Self> {
        let upper = s.trim().to_ascii_uppercase();
        let yearly = ["/YEARLY", " YEARLY", " EVERY YEAR", "/YEAR"]
            .iter()
            .find_map(|suffix| upper.strip_suffix(suffix));
        match yearly {
            Some(q) => {
                let q: u8 = q.trim().strip_prefix('Q')?.parse().ok()?;
                (1..=4).contains(&q).then_some(Self::Yearly(q))
            }
            None => Quarter::parse(&upper).map(Self::Once),
        }
    }

    /// Several targets separated by commas or semicolons; the first bad
    /// piece is returned as the error.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, String> {
        let mut specs: Vec<Self> = s
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| Self::parse(p).ok_or_else(|| p.to_owned()))
            .collect::<Result<_, _>>()?;
        specs.sort();
        specs.dedup();
        Ok(specs)
    }

    /// The spreadsheet form: "2027Q3" or "Q2/yearly".
    pub fn compact(self) -> String {
        match self {
            Self::Once(q) => q.compact(),
            Self::Yearly(q) => format!("Q{q}/yearly"),
        }
    }

    pub fn from_row(year: Option<i32>, quarter: i16) -> Option<Self> {
        let q = u8::try_from(quarter).ok()?;
        match year {
            Some(y) => Quarter::new(y, q).map(Self::Once),
            None => (1..=4).contains(&q).then_some(Self::Yearly(q)),
        }
    }

    /// (year, quarter) columns of `time_targets`.
    pub fn to_row(self) -> (Option<i32>, i16) {
        match self {
            Self::Once(q) => (Some(q.year), i16::from(q.q)),
            Self::Yearly(q) => (None, i16::from(q)),
        }
    }

    /// Every quarter this target falls in within `period`. A periodic target
    /// expands to each year's quarter inside the period (so one starting
    /// mid-year begins the next year if its quarter has passed).
    pub fn expand(self, period: Period) -> Vec<Quarter> {
        match self {
            Self::Once(q) => period.contains(q).then_some(q).into_iter().collect(),
            Self::Yearly(q) => (period.start.year..=period.end.year)
                .filter_map(|year| Quarter::new(year, q))
                .filter(|quarter| period.contains(*quarter))
                .collect(),
        }
    }
}

impl fmt::Display for TargetSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.compact())
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
        assert_eq!(q(2027, 3).compact(), "2027Q3");
        assert_eq!(q(2027, 3).to_string(), "2027 Q3");
        for quarter in [q(2026, 1), q(2026, 4), q(2030, 2)] {
            assert_eq!(Quarter::from_index(quarter.index()), quarter);
        }
        assert_eq!(q(2026, 4).index() + 1, q(2027, 1).index());
        let date = Date::from_calendar_date(2026, time::Month::November, 30).unwrap();
        assert_eq!(Quarter::of_date(date), q(2026, 4));
    }

    #[test]
    fn target_specs_parse_and_write() {
        assert_eq!(TargetSpec::parse("Q2/yearly"), Some(TargetSpec::Yearly(2)));
        assert_eq!(
            TargetSpec::parse("q2 every year"),
            Some(TargetSpec::Yearly(2))
        );
        assert_eq!(
            TargetSpec::parse("2027Q3"),
            Some(TargetSpec::Once(q(2027, 3)))
        );
        assert_eq!(TargetSpec::parse("Q5/yearly"), None);
        assert_eq!(TargetSpec::parse("soon"), None);
        assert_eq!(
            TargetSpec::parse_list("Q2/yearly; 2027Q3, 2027Q3"),
            Ok(vec![TargetSpec::Once(q(2027, 3)), TargetSpec::Yearly(2)])
        );
        assert_eq!(
            TargetSpec::parse_list("2027Q3, later"),
            Err("later".to_owned())
        );
        assert_eq!(TargetSpec::Yearly(2).compact(), "Q2/yearly");
    }

    #[test]
    fn periodic_targets_expand_over_the_period() {
        let nap = Period::years(2026, 2030);
        assert_eq!(
            TargetSpec::Yearly(2).expand(nap),
            vec![q(2026, 2), q(2027, 2), q(2028, 2), q(2029, 2), q(2030, 2)]
        );
        // An activity starting mid-year: its first Q2 is the next year's.
        let mid = Period {
            start: q(2026, 3),
            end: q(2028, 2),
        };
        assert_eq!(
            TargetSpec::Yearly(2).expand(mid),
            vec![q(2027, 2), q(2028, 2)]
        );
        assert_eq!(
            TargetSpec::Yearly(3).expand(mid),
            vec![q(2026, 3), q(2027, 3)]
        );
        assert_eq!(TargetSpec::Once(q(2027, 1)).expand(mid), vec![q(2027, 1)]);
        assert!(TargetSpec::Once(q(2031, 1)).expand(nap).is_empty());
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
