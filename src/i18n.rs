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
pub const SUPPORTED: &[(&str, &str)] = &[("en", "English")];

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

/// Chooses the request's language before any handler runs.
pub async fn locale_middleware(session: Session, request: Request, next: Next) -> Response {
    let chosen = match session.get::<String>(SESSION_KEY).await {
        Ok(lang) => lang.and_then(|lang| supported(&lang)),
        // Every page needs the database: say so now, rather than after a
        // second wait for the session further in.
        Err(e) => match AppError::from(e) {
            AppError::Unavailable => return AppError::Unavailable.into_response(),
            _ => None,
        },
    };
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
    LOCALE.scope(Cell::new(lang), next.run(request)).await
}

/// Whether the person chose a language themselves (then a tenant default does not apply).
#[derive(Clone, Copy)]
pub struct ChosenLanguage(pub bool);

/// Translates `key` into the current language.
pub fn t(key: &str) -> Cow<'static, str> {
    translate(current(), key)
}

/// Translates `key` into `lang`, falling back to English, then to the key itself.
pub fn translate(lang: &str, key: &str) -> Cow<'static, str> {
    crate::_rust_i18n_try_translate(lang, key)
        .or_else(|| crate::_rust_i18n_try_translate("en", key))
        .unwrap_or_else(|| Cow::Owned(key.to_owned()))
}

/// Translates `key` and fills its `%{name}` placeholder.
pub fn t_with(key: &str, name: &str, value: &str) -> String {
    rust_i18n::replace_patterns(&t(key), &[name], &[value.to_owned()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(from_accept_language("de-DE, en;q=0.5"), Some("en"));
        assert_eq!(from_accept_language("en-GB,en;q=0.9"), Some("en"));
        assert_eq!(from_accept_language("de, it;q=0.8"), None);
        assert_eq!(from_accept_language("en;q=0"), None);
    }

    #[test]
    fn every_supported_language_has_a_catalog() {
        let available = crate::_rust_i18n_available_locales();
        for (code, _) in SUPPORTED {
            assert!(available.iter().any(|l| l == code), "no catalog for {code}");
        }
    }

    #[test]
    fn unknown_keys_fall_back_to_the_key() {
        assert_eq!(translate("en", "no.such.key"), "no.such.key");
        assert_eq!(translate("en", "app.name"), "NAP Oversight");
    }
}
