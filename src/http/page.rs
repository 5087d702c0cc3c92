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
    /// The person's unread notifications, where the page knows them.
    pub unread: Option<i64>,
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
            unread: None,
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

    /// Translates `key` and fills its placeholders.
    pub fn t_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let names: Vec<&str> = args.iter().map(|(name, _)| *name).collect();
        let values: Vec<String> = args.iter().map(|(_, value)| (*value).to_owned()).collect();
        rust_i18n::replace_patterns(&self.t(key), &names, &values)
    }

    /// The label of a field's translation: "Title, in French".
    pub fn in_language_label(&self, label: &str, lang: &str) -> String {
        self.t_args(
            "translations.field",
            &[
                ("field", &self.t(label)),
                ("language", &self.t(&format!("language.{lang}"))),
            ],
        )
    }

    /// A language's own name ("Français"), from its code.
    pub fn language_name(&self, code: &str) -> &'static str {
        i18n::SUPPORTED
            .iter()
            .find(|(c, _)| *c == code)
            .map_or("", |(_, name)| name)
    }

    /// The label of one of a closed list's values:
    /// `page.choice("document.kind", "tor")`.
    pub fn choice(&self, prefix: &str, name: &str) -> String {
        self.t(&format!("{prefix}.{name}")).into_owned()
    }

    pub fn t_with(&self, key: &str, name: &str, value: &str) -> String {
        rust_i18n::replace_patterns(&self.t(key), &[name], &[value.to_owned()])
    }

    /// A day written the one way of the page's language (see `i18n::day`).
    pub fn day(&self, d: &time::Date) -> String {
        i18n::day(*d)
    }

    /// Whether `d` is before today (UTC).
    pub fn is_past(&self, d: &time::Date) -> bool {
        *d < time::OffsetDateTime::now_utc().date()
    }

    /// Today, written the page's way (for what is printed).
    pub fn today(&self) -> String {
        i18n::day(time::OffsetDateTime::now_utc().date())
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

/// "Delete for good?": the confirmation step before anything that cannot
/// be undone (a delete, a deactivation, a withdrawn invitation). Its form
/// carries [`CONFIRM_FIELD`]`=`[`CONFIRM_VALUE`], which only this page
/// sets: a destructive handler acts only on a form that has it, and shows
/// this page instead otherwise ([`Confirmation`]).
#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub page: Chrome,
    pub question: String,
    /// Why it cannot be done, if it cannot.
    pub problem: Option<String>,
    pub action: String,
    pub back: String,
    /// The heading, a catalog key ("Delete for good?" unless told).
    pub title_key: &'static str,
    /// The button's words, a catalog key ("Yes, delete" unless told).
    pub button_key: &'static str,
    /// What will happen, one sentence each, said before the button.
    pub consequences: Vec<String>,
}

/// The hidden field the confirmation page sets, and its value.
pub const CONFIRM_FIELD: &str = "confirm";
pub const CONFIRM_VALUE: &str = "yes";

/// Whether a destructive form came from its confirmation page. A handler
/// takes it as `Form(c): Form<Confirmation>` and acts only when
/// [`Confirmation::given`].
#[derive(Debug, Default, serde::Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    pub confirm: String,
}

impl Confirmation {
    pub fn given(&self) -> bool {
        self.confirm == CONFIRM_VALUE
    }
}

impl ConfirmPage {
    /// A delete's confirmation: `question` names what goes, the form posts
    /// to `action`, and "No, go back" leads to `back`.
    pub fn new(page: Chrome, question: String, action: String, back: String) -> Self {
        Self {
            page,
            question,
            problem: None,
            action,
            back,
            title_key: "confirm.title",
            button_key: "confirm.delete",
            consequences: Vec::new(),
        }
    }

    /// Why it cannot be done: the page then offers no button.
    pub fn problem(mut self, problem: Option<String>) -> Self {
        self.problem = problem;
        self
    }

    /// Another heading and button than a delete's (catalog keys).
    pub fn words(mut self, title_key: &'static str, button_key: &'static str) -> Self {
        self.title_key = title_key;
        self.button_key = button_key;
        self
    }

    /// One more thing that will happen.
    pub fn then(mut self, consequence: String) -> Self {
        self.consequences.push(consequence);
        self
    }

    /// The page as the answer to a destructive form that came without the
    /// confirmation: shown, nothing done (200: a page to read, not an error).
    pub fn instead(self) -> axum::response::Response {
        axum::response::IntoResponse::into_response(self)
    }
}

/// A date as people read it, in the request's language: "30 Nov 2026".
pub fn format_date(at: time::OffsetDateTime) -> String {
    i18n::date(at)
}
