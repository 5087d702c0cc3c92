//! A NAP's exact dates, when known: its adoption and the days it takes and
//! ceases to take effect, beside the years of its period. Each is optional:
//! a plan that gives only its years keeps only its years.

use sqlx::PgConnection;
use time::Date;

use crate::error::AppResult;
use crate::http::form::FieldErrors;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NapDates {
    pub adopted_on: Option<Date>,
    pub effective_from: Option<Date>,
    pub effective_to: Option<Date>,
}

impl NapDates {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The dates as the form shows them (`YYYY-MM-DD`, or blank).
    pub fn as_typed(&self) -> [String; 3] {
        [self.adopted_on, self.effective_from, self.effective_to]
            .map(|d| d.map(|d| d.to_string()).unwrap_or_default())
    }

    /// Reads the three fields as typed; a malformed date, or an end before
    /// the start, is said beside its field.
    pub fn check(
        errors: &mut FieldErrors,
        adopted_on: &str,
        effective_from: &str,
        effective_to: &str,
    ) -> Option<Self> {
        let adopted_on = date(errors, "adopted_on", adopted_on);
        let effective_from = date(errors, "effective_from", effective_from);
        let mut effective_to = date(errors, "effective_to", effective_to);
        if let (Some(Some(from)), Some(Some(to))) = (effective_from, effective_to)
            && to < from
        {
            errors.add("effective_to", "nap.effective_to_before");
            effective_to = None;
        }
        Some(Self {
            adopted_on: adopted_on?,
            effective_from: effective_from?,
            effective_to: effective_to?,
        })
    }
}

/// `None` when `raw` is not a date; `Some(None)` when it is blank.
fn date(errors: &mut FieldErrors, field: &'static str, raw: &str) -> Option<Option<Date>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match Date::parse(raw, &format) {
        Ok(d) => Some(Some(d)),
        Err(_) => {
            errors.add(field, "nap.date_invalid");
            None
        }
    }
}

/// The dates of NAP `id` (all `None` when it has none, or no such NAP).
pub async fn load(conn: &mut PgConnection, id: i64) -> AppResult<NapDates> {
    Ok(sqlx::query_as!(
        NapDates,
        "select adopted_on, effective_from, effective_to from naps where id = $1",
        id
    )
    .fetch_optional(conn)
    .await?
    .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn blank_dates_stay_unknown_and_bad_ones_are_refused_beside_their_field() {
        let mut errors = FieldErrors::default();
        assert_eq!(
            NapDates::check(&mut errors, "", " ", ""),
            Some(NapDates::default())
        );
        assert!(errors.is_empty());
        let got = NapDates::check(&mut errors, "2023-03-08", "2023-04-01", "2025-12-31");
        assert_eq!(got.unwrap().adopted_on, Some(date!(2023 - 03 - 08)));
        assert!(errors.is_empty());
        assert_eq!(NapDates::check(&mut errors, "8 March", "", ""), None);
        assert!(errors.has("adopted_on"));
        let mut errors = FieldErrors::default();
        assert_eq!(
            NapDates::check(&mut errors, "", "2025-01-01", "2024-12-31"),
            None
        );
        assert!(errors.has("effective_to"));
    }
}
