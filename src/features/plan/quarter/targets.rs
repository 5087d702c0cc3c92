//! A time target as plans write it: a quarter of a year, the same quarter
//! every year, or a whole year; read in every language's spelling, written
//! in the page's, and expanded over a period into the quarters it falls in.

use std::fmt;

use super::{Period, Quarter};
use crate::i18n;

/// A time target as people write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetSpec {
    /// One specific quarter: "2027Q3".
    Once(Quarter),
    /// The same quarter each year: "Q2/yearly".
    Yearly(u8),
    /// Some time in that year: "2023". Met, or missed once the year ended.
    Year(i32),
}

impl TargetSpec {
    /// Accepts a quarter in any spelling [`Quarter::parse`] reads, a year
    /// alone ("2023"), and a yearly target as any of the three languages
    /// writes it ("Q2 every year", "T2 chaque année", "T2 cada año") or in
    /// the older notation ("Q2/yearly", "Q2 yearly").
    pub fn parse(s: &str) -> Option<Self> {
        let words: String = s
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if words.len() == 4 && words.bytes().all(|b| b.is_ascii_digit()) {
            let year: i32 = words.parse().ok()?;
            return Quarter::new(year, 1).map(|_| Self::Year(year));
        }
        let yearly = YEARLY_WORDS
            .iter()
            .find_map(|suffix| words.strip_suffix(suffix));
        match yearly {
            Some(q) => {
                let q = q.trim();
                let q: u8 = q
                    .strip_prefix('q')
                    .or_else(|| q.strip_prefix('t'))?
                    .trim()
                    .parse()
                    .ok()?;
                (1..=4).contains(&q).then_some(Self::Yearly(q))
            }
            None => Quarter::parse(&words).map(Self::Once),
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

    /// The older notation: "2027Q3" or "Q2/yearly" (still read on import).
    pub fn compact(self) -> String {
        match self {
            Self::Once(q) => q.compact(),
            Self::Yearly(q) => format!("Q{q}/yearly"),
            Self::Year(y) => y.to_string(),
        }
    }

    /// As the page's language writes it: "Q3 2027", "Q2 every year",
    /// "T2 chaque année".
    pub fn label(self) -> String {
        match self {
            Self::Once(q) => q.to_string(),
            Self::Yearly(q) => i18n::t_with("quarter.yearly", "q", &q.to_string()),
            Self::Year(y) => y.to_string(),
        }
    }

    /// From the `year` and `quarter` columns of `time_targets`.
    pub fn from_row(year: Option<i32>, quarter: Option<i16>) -> Option<Self> {
        let q = quarter.map(u8::try_from).transpose().ok()?;
        match (year, q) {
            (Some(y), Some(q)) => Quarter::new(y, q).map(Self::Once),
            (None, Some(q)) => (1..=4).contains(&q).then_some(Self::Yearly(q)),
            (Some(y), None) => Quarter::new(y, 1).map(|_| Self::Year(y)),
            (None, None) => None,
        }
    }

    /// (year, quarter) columns of `time_targets`.
    pub fn to_row(self) -> (Option<i32>, Option<i16>) {
        match self {
            Self::Once(q) => (Some(q.year), Some(i16::from(q.q))),
            Self::Yearly(q) => (None, Some(i16::from(q))),
            Self::Year(y) => (Some(y), None),
        }
    }

    /// Every quarter this target falls in within `period`. A periodic target
    /// expands to each year's quarter inside the period (so one starting
    /// mid-year begins the next year if its quarter has passed). A year
    /// falls in its last quarter inside the period: it is missed only once
    /// that quarter, and so the year or the period, has ended.
    pub fn expand(self, period: Period) -> Vec<Quarter> {
        match self {
            Self::Once(q) => period.contains(q).then_some(q).into_iter().collect(),
            Self::Yearly(q) => (period.start.year..=period.end.year)
                .filter_map(|year| Quarter::new(year, q))
                .filter(|quarter| period.contains(*quarter))
                .collect(),
            Self::Year(y) => (1..=4)
                .rev()
                .filter_map(|q| Quarter::new(y, q))
                .find(|quarter| period.contains(*quarter))
                .into_iter()
                .collect(),
        }
    }

    /// Whether the target is a whole year, met any time in it.
    pub fn is_year(self) -> bool {
        matches!(self, Self::Year(_))
    }
}

impl fmt::Display for TargetSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// How a yearly target ends, lower case, in each language's words (kept
/// equal to the catalogs' `quarter.yearly` by a test) and the older
/// notation.
const YEARLY_WORDS: [&str; 9] = [
    "/yearly",
    " yearly",
    "/year",
    " every year",
    " chaque année",
    " chaque annee",
    " cada año",
    " cada ano",
    "/annuel",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn q(year: i32, q: u8) -> Quarter {
        Quarter::new(year, q).unwrap()
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
    fn every_language_writes_targets_its_way_and_reads_every_other() {
        let specs = [TargetSpec::Yearly(2), TargetSpec::Once(q(2027, 3))];
        let mut written = Vec::new();
        for lang in ["en", "fr", "es"] {
            for spec in specs {
                let label = i18n::with_language(lang, || spec.label());
                assert_eq!(TargetSpec::parse(&label), Some(spec), "{lang}: {label}");
                written.push(label);
            }
        }
        assert_eq!(
            written,
            [
                "Q2 every year",
                "Q3 2027",
                "T2 chaque année",
                "T3 2027",
                "T2 cada año",
                "T3 2027"
            ]
        );
        for older in ["Q2/yearly", "q2 yearly", "T2 CHAQUE ANNÉE", "t2 cada ano"] {
            assert_eq!(
                TargetSpec::parse(older),
                Some(TargetSpec::Yearly(2)),
                "{older}"
            );
        }
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
    fn a_year_target_falls_in_the_years_last_quarter_of_the_period() {
        assert_eq!(TargetSpec::parse(" 2023 "), Some(TargetSpec::Year(2023)));
        assert_eq!(TargetSpec::parse("1800"), None);
        assert_eq!(TargetSpec::parse("20234"), None);
        assert_eq!(
            TargetSpec::parse_list("2023, 2024Q2"),
            Ok(vec![TargetSpec::Once(q(2024, 2)), TargetSpec::Year(2023)])
        );
        assert_eq!(TargetSpec::Year(2023).compact(), "2023");
        assert_eq!(
            TargetSpec::from_row(Some(2023), None),
            Some(TargetSpec::Year(2023))
        );
        assert_eq!(TargetSpec::Year(2023).to_row(), (Some(2023), None));
        assert_eq!(TargetSpec::from_row(None, None), None);
        let nap = Period::years(2022, 2025);
        assert_eq!(TargetSpec::Year(2023).expand(nap), vec![q(2023, 4)]);
        // A period ending mid-year: the year's target falls in its end.
        let short = Period {
            start: q(2022, 1),
            end: q(2023, 2),
        };
        assert_eq!(TargetSpec::Year(2023).expand(short), vec![q(2023, 2)]);
        assert!(TargetSpec::Year(2026).expand(nap).is_empty());
    }
}
