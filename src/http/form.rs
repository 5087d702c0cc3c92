//! Forms: the extractor every urlencoded form goes through, the checks
//! every field shares (text without control characters, numbers within
//! bounds), and errors kept beside the field they belong to.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A urlencoded form, as axum's `Form` reads it, that never hands a handler
/// a NUL byte: PostgreSQL refuses to store one, so such a form is answered
/// 400 here, once for every form. Other control characters are refused
/// beside their field by [`required`] and [`optional`].
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let (parts, body) = request.into_parts();
        // The body limit layer bounds this read; past it, the body errs.
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|_| AppError::TooLarge)?;
        if form_urlencoded::parse(&bytes).any(|(k, v)| k.contains('\0') || v.contains('\0')) {
            return Err(AppError::BadRequest);
        }
        let request = Request::from_parts(parts, Body::from(bytes));
        let axum::Form(value) = axum::Form::<T>::from_request(request, state)
            .await
            .map_err(|_| AppError::BadRequest)?;
        Ok(Self(value))
    }
}

/// A form shown again with what was wrong: 422, so that browsers and tests
/// tell a refusal from a page.
pub fn invalid(page: impl axum::response::IntoResponse) -> axum::response::Response {
    use axum::response::IntoResponse;
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// What is wrong, by field name: a translation key and, for messages such
/// as "unknown partner XYZ", the value it names (`%{value}` in the message).
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<FieldError>);

#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
    pub value: String,
}

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.add_with(field, key, "");
    }

    pub fn add_with(&mut self, field: &'static str, key: &'static str, value: &str) {
        if !self.has(field) {
            self.0.push(FieldError {
                field,
                key,
                value: value.to_owned(),
            });
        }
    }

    /// The message for `field` in the current language.
    pub fn get(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| crate::i18n::t_with(e.key, "value", &e.value))
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `other`'s errors (a field keeps its first message).
    pub fn merge(&mut self, other: FieldErrors) {
        for e in other.0 {
            self.add_with(e.field, e.key, &e.value);
        }
    }
}

/// The text of `field` in another language than the tenant's own (`own`),
/// as the form sent it under `name` (`title_fr`): checked like any optional
/// text of at most `max` characters, kept in `into`. The tenant's own
/// language is the text itself, so its translation field is ignored.
#[allow(clippy::too_many_arguments)]
pub fn translation(
    errors: &mut FieldErrors,
    into: &mut crate::i18n::Translations,
    own: &str,
    lang: &str,
    field: &str,
    name: &'static str,
    value: &str,
    max: usize,
) {
    if lang == own {
        return;
    }
    if let Some(text) = check(errors, name, optional(value, max)) {
        into.set(lang, field, &text);
    }
}

/// Keeps the value when it passes, records the error when it does not.
pub fn check<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    result: Result<T, &'static str>,
) -> Option<T> {
    result.map_err(|key| errors.add(field, key)).ok()
}

/// A text area's text with its lines ended by `\n` alone: browsers send
/// CR LF, and what reads the text later (paragraphs split on blank lines,
/// calendar files) expects one kind of line break.
pub fn lines(raw: &str) -> String {
    raw.replace("\r\n", "\n").replace('\r', "\n")
}

/// One of a closed list's values, as typed (trimmed), or "choose one".
pub fn one_of(raw: &str, list: &[&'static str]) -> Result<&'static str, &'static str> {
    list.iter()
        .find(|v| **v == raw.trim())
        .copied()
        .ok_or("field.choose")
}

/// Text of 1 to `max` characters, trimmed, without control characters.
pub fn required(raw: &str, max: usize) -> Result<String, &'static str> {
    match optional(raw, max)? {
        value if value.is_empty() => Err("field.required"),
        value => Ok(value),
    }
}

/// Text of at most `max` characters, trimmed, without control characters;
/// may be empty.
pub fn optional(raw: &str, max: usize) -> Result<String, &'static str> {
    let value = raw.trim();
    if value.chars().count() > max {
        Err("field.too_long")
    } else if has_control(value) {
        Err("field.control_characters")
    } else {
        Ok(value.to_owned())
    }
}

/// Whether `text` holds a control character other than the tab and line
/// breaks a text area may hold: they are invisible, some break what reads
/// the text later (PostgreSQL refuses NUL, terminals obey escapes), and
/// nobody types them on purpose.
pub fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The largest amount of money a budget or spending may be: a million
/// million, so that the sums over the largest plan stay far inside the
/// 64-bit numbers they are kept in.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// An amount of money: a whole number from 0 to [`MAX_AMOUNT`], written
/// with or without spaces and commas between thousands; empty is none.
/// The error keys take the typed text as `%{value}`.
pub fn amount(raw: &str) -> Result<Option<i64>, &'static str> {
    match raw.trim().replace([' ', ',', '\u{a0}', '\u{202f}'], "") {
        digits if digits.is_empty() => Ok(None),
        digits if !digits.bytes().all(|b| b.is_ascii_digit()) => Err("plan.budget_invalid"),
        digits => match digits.parse::<i64>() {
            Ok(n) if n <= MAX_AMOUNT => Ok(Some(n)),
            _ => Err("field.amount_too_large"),
        },
    }
}

/// A number as people write it (a decimal comma is fine) within `-max..=max`.
pub fn number(raw: &str, max: f64) -> Result<f64, &'static str> {
    match raw.trim().replace(',', ".").parse::<f64>() {
        _ if raw.trim().is_empty() => Err("field.required"),
        Ok(n) if n.is_finite() && n.abs() <= max => Ok(n),
        Ok(n) if n.is_finite() => Err("field.number_too_large"),
        _ => Err("indicator.number_invalid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_line_breaks_but_no_other_control_character() {
        assert_eq!(
            optional(" two\nlines\tand a tab ", 50).unwrap(),
            "two\nlines\tand a tab"
        );
        for bad in [
            "a\0b",
            "bell\u{7}",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "c1\u{85}x",
        ] {
            assert_eq!(
                optional(bad, 50),
                Err("field.control_characters"),
                "{bad:?}"
            );
            assert_eq!(
                required(bad, 50),
                Err("field.control_characters"),
                "{bad:?}"
            );
        }
        assert_eq!(required("  ", 5), Err("field.required"));
        assert_eq!(required("123456", 5), Err("field.too_long"));
    }

    #[test]
    fn amounts_and_numbers_stay_in_bounds() {
        assert_eq!(amount(""), Ok(None));
        assert_eq!(amount("12 500"), Ok(Some(12_500)));
        assert_eq!(amount("1,000,000,000,000"), Ok(Some(MAX_AMOUNT)));
        assert_eq!(amount("1000000000001"), Err("field.amount_too_large"));
        assert_eq!(amount("9223372036854775807"), Err("field.amount_too_large"));
        assert_eq!(
            amount("99999999999999999999999"),
            Err("field.amount_too_large")
        );
        for bad in ["-5", "1.5", "1e9", "abc", "+3"] {
            assert_eq!(amount(bad), Err("plan.budget_invalid"), "{bad}");
        }
        assert_eq!(number("2,5", 10.0), Ok(2.5));
        assert_eq!(number("1e308", 1e12), Err("field.number_too_large"));
        assert_eq!(number("NaN", 1e12), Err("indicator.number_invalid"));
        assert_eq!(number("inf", 1e12), Err("indicator.number_invalid"));
    }
}
