//! What every page shares: language, the signed-in person, the sign-out
//! form's token and the tenant navigation. Page structs hold a `Chrome` as
//! `page`, and `base.html` reads it. `auth` makes one from the request (the
//! person and the token), `tenancy` adds the tenant strip.

use std::borrow::Cow;

use crate::i18n;

pub struct Chrome {
    pub lang: &'static str,
    pub user_name: Option<String>,
    /// The sign-out form's token; empty for visitors, who get no session.
    pub csrf: String,
    pub tenant: Option<TenantNav>,
    /// The request's path and query, for the language switcher to come back to.
    pub path: String,
    /// What the form just posted did (`?done=`), said at the top of the page.
    pub notice: Option<crate::choices::Notice>,
}

/// The tenant strip at the top of tenant pages.
pub struct TenantNav {
    pub slug: String,
    pub name: String,
    pub can_manage_members: bool,
    pub is_focal_point: bool,
}

impl Chrome {
    /// For pages rendered outside a handler (error pages).
    pub fn bare() -> Self {
        Self {
            lang: i18n::current(),
            user_name: None,
            csrf: String::new(),
            tenant: None,
            path: "/".to_owned(),
            notice: None,
        }
    }

    /// A whole number written the way the page's language writes it.
    pub fn num(&self, n: &i64) -> String {
        i18n::number(*n)
    }

    pub fn languages(&self) -> &'static [(&'static str, &'static str)] {
        i18n::SUPPORTED
    }

    /// This page in another language, for visitors (who have no session):
    /// the same path with `lang=` set.
    pub fn in_language(&self, lang: &str) -> String {
        let (path, query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.push(("lang".to_owned(), lang.to_owned()));
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("{path}?{query}")
    }

    pub fn t<'k>(&self, key: &'k str) -> Cow<'k, str> {
        i18n::translate(self.lang, key)
    }

    pub fn t_with(&self, key: &str, name: &str, value: &str) -> String {
        rust_i18n::replace_patterns(&self.t(key), &[name], &[value.to_owned()])
    }

    /// A day written the one way of the page's language (see `i18n::day`).
    pub fn day(&self, d: &time::Date) -> String {
        i18n::day(*d)
    }

    /// How late something due on `due` is today, in words ("3 weeks late").
    pub fn late(&self, due: &time::Date) -> String {
        let today = time::OffsetDateTime::now_utc().date();
        i18n::late_by((today - *due).whole_days())
    }

    pub fn asset(&self, name: &str) -> String {
        crate::http::assets::url(name)
    }
}

/// The page a long list is asked for (`?page=N`, from 1). Anything else,
/// and numbers past any list's end, give the first page.
pub fn page_number(raw: &str) -> usize {
    raw.trim()
        .parse()
        .ok()
        .filter(|n| (1..=1_000_000).contains(n))
        .unwrap_or(1)
}

/// Where a page of a long list stands among all of it, and the links to
/// the pages before and after (`_pager.html`).
pub struct Pager {
    /// Ranks (from 1) of the first and last rows shown, and of all rows.
    pub first: usize,
    pub last: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The navigation's name, a catalog key.
    pub label_key: &'static str,
}

impl Pager {
    /// Page `number` of `total` rows, `size` a page, `shown` of them on this
    /// one; `href` gives the address of another page.
    pub fn new(
        number: usize,
        size: usize,
        total: usize,
        shown: usize,
        label_key: &'static str,
        href: impl Fn(usize) -> String,
    ) -> Self {
        let first = (number - 1) * size;
        Self {
            first: first + 1,
            last: first + shown,
            total,
            prev: (number > 1).then(|| href(number - 1)),
            next: (first + size < total).then(|| href(number + 1)),
            label_key,
        }
    }

    /// "Activities 101–200 of 2,000", in the page's language.
    pub fn showing(&self, page: &Chrome) -> String {
        let n = |v: usize| page.num(&i64::try_from(v).unwrap_or(i64::MAX));
        rust_i18n::replace_patterns(
            &page.t("grid.showing"),
            &["first", "last", "total"],
            &[n(self.first), n(self.last), n(self.total)],
        )
    }
}

/// Percent-encodes a URL query component.
pub fn encode_component(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// "Delete for good?": the confirmation step before any delete.
#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub page: Chrome,
    pub question: String,
    /// Why it cannot be deleted, if it cannot.
    pub problem: Option<String>,
    pub action: String,
    pub back: String,
}

/// A date as people read it, in the request's language: "30 Nov 2026".
pub fn format_date(at: time::OffsetDateTime) -> String {
    i18n::date(at)
}
