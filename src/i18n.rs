//! The one translation layer: every word a person reads goes through here.
//!
//! Catalogs live in `locales/*.yml` and are compiled into the binary. The
//! language of a request is chosen once, by [`locale_middleware`]: the
//! person's own choice (kept in the session), else the tenant's default (set
//! by the tenant context), else `Accept-Language`, else English.

use std::borrow::Cow;
use std::cell::Cell;

use axum::extract::Request;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::error::AppError;

/// Languages a person can choose, with their names in their own language.
pub const SUPPORTED: &[(&str, &str)] = &[("en", "English"), ("fr", "Français"), ("es", "Español")];

/// The session key holding the person's chosen language.
pub const SESSION_KEY: &str = "lang";

tokio::task_local! {
    static LOCALE: Cell<&'static str>;
}

/// The language of the request being served ("en" outside a request).
pub fn current() -> &'static str {
    LOCALE.try_with(Cell::get).unwrap_or("en")
}

/// Switches the rest of this request to `lang`, if we speak it.
pub fn set_current(lang: &str) {
    if let Some(lang) = supported(lang) {
        let _ = LOCALE.try_with(|cell| cell.set(lang));
    }
}

/// Our own static spelling of `lang` if it is one we speak.
pub fn supported(lang: &str) -> Option<&'static str> {
    SUPPORTED
        .iter()
        .map(|(code, _)| *code)
        .find(|code| code.eq_ignore_ascii_case(lang))
}

/// The first supported language of an `Accept-Language` header, by weight.
pub fn from_accept_language(header: &str) -> Option<&'static str> {
    let mut choices: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    choices.sort_by(|a, b| b.0.total_cmp(&a.0));
    choices.into_iter().find_map(|(q, tag)| {
        let primary = tag.split('-').next()?;
        (q > 0.0).then(|| supported(primary)).flatten()
    })
}

/// The cookie that keeps a visitor's choice (visitors have no session).
pub const COOKIE: &str = "lang";

/// `lang=xx` in the query string: a visitor's language links.
fn from_query(request: &Request) -> Option<&'static str> {
    let query = request.uri().query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| supported(&v))
}

fn from_cookie(request: &Request) -> Option<&'static str> {
    request
        .headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .and_then(|(_, v)| supported(v))
}

/// Chooses the request's language before any handler runs: the person's
/// choice (session), a visitor's (link or cookie), the tenant's default
/// (applied later by the tenant context), `Accept-Language`, English.
pub async fn locale_middleware(session: Session, request: Request, next: Next) -> Response {
    let in_session = match session.get::<String>(SESSION_KEY).await {
        Ok(lang) => lang.and_then(|lang| supported(&lang)),
        // Every page needs the database: say so now, rather than after a
        // second wait for the session further in.
        Err(e) => match AppError::from(e) {
            AppError::Unavailable => return AppError::Unavailable.into_response(),
            _ => None,
        },
    };
    let linked = from_query(&request);
    let chosen = in_session.or(linked).or_else(|| from_cookie(&request));
    let lang = chosen
        .or_else(|| {
            request
                .headers()
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(from_accept_language)
        })
        .unwrap_or("en");
    let mut request = request;
    request
        .extensions_mut()
        .insert(ChosenLanguage(chosen.is_some()));
    let mut response = LOCALE.scope(Cell::new(lang), next.run(request)).await;
    // A visitor who followed a language link keeps that language.
    if let (None, Some(linked)) = (in_session, linked)
        && let Ok(cookie) = axum::http::HeaderValue::from_str(&format!(
            "{COOKIE}={linked}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
        ))
    {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    response
}

/// Whether the person chose a language themselves (then a tenant default does not apply).
#[derive(Clone, Copy)]
pub struct ChosenLanguage(pub bool);

/// Translates `key` into the current language.
pub fn t(key: &str) -> Cow<'_, str> {
    translate(current(), key)
}

/// Translates `key` into `lang`, falling back to English (the catalogs'
/// fallback), then to the key itself.
pub fn translate<'k>(lang: &str, key: &'k str) -> Cow<'k, str> {
    let text = rust_i18n::t!(key, locale = lang);
    // The crate answers a key no catalog has as `lang.key`.
    if text
        .strip_prefix(lang)
        .and_then(|rest| rest.strip_prefix('.'))
        == Some(key)
    {
        return Cow::Borrowed(key);
    }
    text
}

/// Runs `f` in `lang`: for work moved off the request's task (blocking
/// threads), which would otherwise speak English.
pub fn with_language<R>(lang: &'static str, f: impl FnOnce() -> R) -> R {
    LOCALE.sync_scope(Cell::new(lang), f)
}

/// A whole number as the current language writes it: 12,500 · 12 500 · 12.500.
pub fn number(n: i64) -> String {
    let separator = match current() {
        "fr" => '\u{202f}',
        "es" => '.',
        _ => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// A moment's day as people of the current language read it (UTC).
pub fn date(at: time::OffsetDateTime) -> String {
    day(at.date())
}

/// A day as people of the current language read it: 30 Nov 2026,
/// 30 nov. 2026. The one way a date is written on every page.
pub fn day(d: time::Date) -> String {
    let months = t("date.months");
    let month = months
        .split(',')
        .nth(usize::from(u8::from(d.month())) - 1)
        .unwrap_or("")
        .trim();
    format!("{} {month} {}", d.day(), d.year())
}

/// How late something due `days` ago is, in words: "3 days late",
/// "2 weeks late", "4 months late" (and "due today" at 0).
pub fn late_by(days: i64) -> String {
    let (key, n) = match days {
        i64::MIN..=0 => return t("late.today").into_owned(),
        1 => ("late.day", 1),
        2..=13 => ("late.days", days),
        14..=59 => ("late.weeks", days / 7),
        60..=729 => ("late.months", days / 30),
        _ => ("late.years", days / 365),
    };
    t_with(key, "n", &number(n))
}

/// What a secretariat wrote in other languages than its own, by language
/// then field (`{"fr": {"title": "…"}}`), kept as JSON beside the text it
/// translates. The text itself stays in the tenant's language, which is
/// what a reader gets where no translation was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Translations(
    pub std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
);

impl Translations {
    /// The text of `field` written in `lang`, if any.
    pub fn get(&self, lang: &str, field: &str) -> Option<&str> {
        self.0
            .get(lang)
            .and_then(|fields| fields.get(field))
            .map(String::as_str)
            .filter(|text| !text.trim().is_empty())
    }

    /// Keeps `text` as `field` in `lang` (an empty text removes it).
    pub fn set(&mut self, lang: &str, field: &str, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            if let Some(fields) = self.0.get_mut(lang) {
                fields.remove(field);
                if fields.is_empty() {
                    self.0.remove(lang);
                }
            }
        } else {
            self.0
                .entry(lang.to_owned())
                .or_default()
                .insert(field.to_owned(), text.to_owned());
        }
    }

    /// `field` in the current language where it was written, else `original`.
    pub fn or<'a>(&'a self, field: &str, original: &'a str) -> &'a str {
        self.get(current(), field).unwrap_or(original)
    }
}

/// Translates `key` and fills its `%{name}` placeholder.
pub fn t_with(key: &str, name: &str, value: &str) -> String {
    t_args(key, &[(name, value)])
}

/// Translates `key` and fills each `%{name}` placeholder with its value.
pub fn t_args(key: &str, args: &[(&str, &str)]) -> String {
    let names: Vec<&str> = args.iter().map(|(name, _)| *name).collect();
    let values: Vec<String> = args.iter().map(|(_, value)| (*value).to_owned()).collect();
    rust_i18n::replace_patterns(&t(key), &names, &values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(from_accept_language("de-DE, en;q=0.5"), Some("en"));
        assert_eq!(from_accept_language("en-GB,en;q=0.9"), Some("en"));
        assert_eq!(from_accept_language("de, it;q=0.8"), None);
        assert_eq!(from_accept_language("fr-CA, en;q=0.5"), Some("fr"));
        assert_eq!(from_accept_language("es-419"), Some("es"));
        assert_eq!(from_accept_language("en;q=0"), None);
    }

    #[test]
    fn every_supported_language_has_a_catalog() {
        let available = rust_i18n::available_locales!();
        for (code, _) in SUPPORTED {
            assert!(available.iter().any(|l| l == code), "no catalog for {code}");
        }
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        let at = time::macros::datetime!(2026-11-30 10:00 UTC);
        let run = |lang: &'static str| {
            LOCALE.sync_scope(Cell::new(lang), || {
                (number(1_234_567), number(-950), date(at))
            })
        };
        assert_eq!(
            run("en"),
            ("1,234,567".into(), "-950".into(), "30 Nov 2026".into())
        );
        assert_eq!(
            run("fr"),
            (
                "1\u{202f}234\u{202f}567".into(),
                "-950".into(),
                "30 nov. 2026".into()
            )
        );
        assert_eq!(
            run("es"),
            ("1.234.567".into(), "-950".into(), "30 nov 2026".into())
        );
    }

    /// Every catalog has exactly the keys the others have, with the same
    /// placeholders, and no empty value.
    #[test]
    fn catalogs_have_the_same_keys_and_placeholders() {
        fn load(text: &str) -> std::collections::BTreeMap<String, String> {
            text.lines()
                .filter(|l| {
                    !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("_version")
                })
                .map(|l| {
                    let (k, v) = l
                        .split_once(": ")
                        .unwrap_or_else(|| panic!("not key: value: {l}"));
                    (k.to_owned(), v.trim().trim_matches('"').to_owned())
                })
                .collect()
        }
        fn placeholders(v: &str) -> Vec<&str> {
            let mut found: Vec<&str> = v
                .match_indices("%{")
                .filter_map(|(i, _)| v[i..].split_once('}').map(|(p, _)| p))
                .collect();
            found.sort_unstable();
            found
        }
        let catalogs = [
            ("en", load(include_str!("../locales/en.yml"))),
            ("fr", load(include_str!("../locales/fr.yml"))),
            ("es", load(include_str!("../locales/es.yml"))),
        ];
        assert_eq!(catalogs.len(), SUPPORTED.len());
        let (_, en) = &catalogs[0];
        for (lang, catalog) in &catalogs[1..] {
            let missing: Vec<_> = en.keys().filter(|k| !catalog.contains_key(*k)).collect();
            let extra: Vec<_> = catalog.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has keys English lacks: {extra:?}");
            for (key, value) in catalog {
                assert!(!value.is_empty(), "{lang} {key} is empty");
                assert_eq!(placeholders(value), placeholders(&en[key]), "{lang} {key}");
            }
        }
    }

    #[test]
    fn delays_are_said_in_words() {
        let said: Vec<String> = [0, 1, 5, 20, 95, 800].into_iter().map(late_by).collect();
        assert_eq!(
            said,
            [
                "due today",
                "1 day late",
                "5 days late",
                "2 weeks late",
                "3 months late",
                "2 years late"
            ]
        );
        let d = time::macros::date!(2026 - 05 - 31);
        assert_eq!(day(d), "31 May 2026");
        with_language("fr", || assert_eq!(day(d), "31 mai 2026"));
        with_language("es", || assert_eq!(late_by(20), "2 semanas de retraso"));
    }

    #[test]
    fn translations_fall_back_to_the_original() {
        let mut t = Translations::default();
        t.set("fr", "title", "  Inspections du travail ");
        t.set("es", "title", "");
        assert_eq!(t.get("fr", "title"), Some("Inspections du travail"));
        assert_eq!(t.get("es", "title"), None);
        with_language("fr", || {
            assert_eq!(
                t.or("title", "Labour inspections"),
                "Inspections du travail"
            )
        });
        with_language("es", || {
            assert_eq!(t.or("title", "Labour inspections"), "Labour inspections")
        });
        t.set("fr", "title", "");
        assert_eq!(t, Translations::default());
    }

    #[test]
    fn unknown_keys_fall_back_to_the_key() {
        assert_eq!(translate("en", "no.such.key"), "no.such.key");
        assert_eq!(translate("fr", "no.such.key"), "no.such.key");
        assert_eq!(translate("en", "app.name"), "NAP Oversight");
    }
}
