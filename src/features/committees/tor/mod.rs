//! Terms of reference: the secretariat edits a draft; publishing freezes it
//! as the next numbered version, and the database refuses any change to a
//! published version.

mod compare;
mod diff;
mod draft;
mod publish;
mod store;

pub use compare::{SectionDiff, section_diffs};
pub use diff::{Change, Piece, word_diff};
pub use draft::TorForm;

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use serde::Deserialize;
use sqlx::PgConnection;

use super::committee::{self, Committee};
use crate::error::{AppError, AppResult};
use crate::http::page::Chrome;
use crate::i18n::Translations;
use crate::tenancy::TenantCtx;
use sqlx::types::Json;

pub fn router() -> Routes {
    Routes::new()
        .get(at::committee_tor, draft::draft)
        .post(at::committee_tor, draft::save_draft)
        .get(at::committee_tor_publish, publish::publish_preview)
        .post(at::committee_tor_publish, publish::publish)
        .get(at::committee_tor_v, version)
        .get(at::committee_tor_compare, compare::compare)
}

/// The sections, in order: (field name, label key).
pub const SECTIONS: [(&str, &str); 9] = [
    ("mandate", "tor.mandate"),
    ("purpose", "tor.purpose"),
    ("composition", "tor.composition"),
    ("roles", "tor.roles"),
    ("decision_making", "tor.decision_making"),
    ("meeting_frequency", "tor.meeting_frequency"),
    ("reporting", "tor.reporting"),
    ("changes", "tor.changes"),
    ("confidentiality", "tor.confidentiality"),
];

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct TorText {
    #[serde(default)]
    pub mandate: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub composition: String,
    #[serde(default)]
    pub roles: String,
    #[serde(default)]
    pub decision_making: String,
    #[serde(default)]
    pub meeting_frequency: String,
    #[serde(default)]
    pub reporting: String,
    #[serde(default)]
    pub changes: String,
    #[serde(default)]
    pub confidentiality: String,
}

/// The form names of the sections' translations, in the order of
/// [`SECTIONS`] and of [`crate::i18n::SUPPORTED`] (English, French, Spanish).
const TRANSLATED: [[&str; 3]; 9] = [
    ["mandate_en", "mandate_fr", "mandate_es"],
    ["purpose_en", "purpose_fr", "purpose_es"],
    ["composition_en", "composition_fr", "composition_es"],
    ["roles_en", "roles_fr", "roles_es"],
    [
        "decision_making_en",
        "decision_making_fr",
        "decision_making_es",
    ],
    [
        "meeting_frequency_en",
        "meeting_frequency_fr",
        "meeting_frequency_es",
    ],
    ["reporting_en", "reporting_fr", "reporting_es"],
    ["changes_en", "changes_fr", "changes_es"],
    [
        "confidentiality_en",
        "confidentiality_fr",
        "confidentiality_es",
    ],
];

/// The form name of `field`'s translation into `lang`.
pub fn translated_name(field: &str, lang: &str) -> &'static str {
    let row = SECTIONS.iter().position(|(f, _)| *f == field);
    let column = crate::i18n::SUPPORTED.iter().position(|(l, _)| *l == lang);
    match (row, column) {
        (Some(row), Some(column)) => TRANSLATED[row][column],
        _ => "",
    }
}

impl TorText {
    /// Each section's text, in the order of [`SECTIONS`], to replace it.
    fn texts_mut(&mut self) -> [&mut String; 9] {
        [
            &mut self.mandate,
            &mut self.purpose,
            &mut self.composition,
            &mut self.roles,
            &mut self.decision_making,
            &mut self.meeting_frequency,
            &mut self.reporting,
            &mut self.changes,
            &mut self.confidentiality,
        ]
    }

    /// The text as a reader of `lang` gets it: each section as the
    /// secretariat wrote it in that language, else as written.
    pub fn in_language(mut self, translations: &Translations, lang: &str) -> Self {
        for ((field, _), section) in SECTIONS.iter().zip(self.texts_mut()) {
            if let Some(text) = translations.get(lang, field) {
                *section = text.to_owned();
            }
        }
        self
    }

    /// (field, label key, text) for each section, in order.
    pub fn sections(&self) -> Vec<(&'static str, &'static str, &str)> {
        let texts = [
            &self.mandate,
            &self.purpose,
            &self.composition,
            &self.roles,
            &self.decision_making,
            &self.meeting_frequency,
            &self.reporting,
            &self.changes,
            &self.confidentiality,
        ];
        SECTIONS
            .iter()
            .zip(texts)
            .map(|((f, l), t)| (*f, *l, t.as_str()))
            .collect()
    }
}

/// A published version.
pub struct Version {
    pub number: i32,
    /// The share of voting members that makes a quorum; `None` when the
    /// terms of reference set none.
    pub quorum: Option<i16>,
    pub published: String,
    pub publisher: String,
    pub text: TorText,
    /// The sections in the portal's other languages.
    pub translations: Translations,
}

impl Version {
    /// The version as a reader of the current language gets it.
    pub fn in_reader_language(mut self) -> Self {
        self.text = self
            .text
            .in_language(&self.translations, crate::i18n::current());
        self
    }
}

/// The quorum in words: "Quorum: 60% of the voting members.", or that the
/// terms of reference set none.
pub fn quorum_words(quorum: Option<i16>) -> String {
    match quorum {
        Some(q) => crate::i18n::t_with("tor.quorum_is", "value", &q.to_string()),
        None => crate::i18n::t("tor.quorum_none").into_owned(),
    }
}

/// The quorum's change between two versions in words, when it changes.
pub fn quorum_change(before: Option<i16>, after: Option<i16>) -> Option<(String, String)> {
    (before != after).then(|| (quorum_words(before), quorum_words(after)))
}

/// Version `n`, or the latest when `None`; only published ones.
pub async fn published(
    conn: &mut PgConnection,
    committee: i64,
    n: Option<i32>,
) -> AppResult<Option<Version>> {
    let row = sqlx::query!(
        r#"select t.version as "version!", t.published_at as "published_at!", u.name as "publisher?",
                  t.mandate, t.purpose, t.composition, t.roles, t.decision_making, t.meeting_frequency,
                  t.reporting, t.changes, t.confidentiality, t.quorum_percent,
                  t.translations as "translations: Json<Translations>"
           from tor_versions t left join users u on u.id = t.published_by
           where t.committee_id = $1 and t.version is not null and ($2::int is null or t.version = $2)
           order by t.version desc limit 1"#,
        committee,
        n
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Version {
        number: r.version,
        quorum: r.quorum_percent,
        published: crate::http::page::format_date(r.published_at),
        publisher: r.publisher.unwrap_or_default(),
        text: TorText {
            mandate: r.mandate,
            purpose: r.purpose,
            composition: r.composition,
            roles: r.roles,
            decision_making: r.decision_making,
            meeting_frequency: r.meeting_frequency,
            reporting: r.reporting,
            changes: r.changes,
            confidentiality: r.confidentiality,
        },
        translations: r.translations.0,
    }))
}

/// Every published version's number and date, newest first.
pub async fn history(conn: &mut PgConnection, committee: i64) -> AppResult<Vec<(i32, String)>> {
    Ok(sqlx::query!(
        "select version as \"version!\", published_at as \"published_at!\" from tor_versions
         where committee_id = $1 and version is not null order by version desc",
        committee
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|v| (v.version, crate::http::page::format_date(v.published_at)))
    .collect())
}

async fn load_draft(conn: &mut PgConnection, committee: i64) -> AppResult<Option<TorText>> {
    Ok(sqlx::query_as!(
        TorText,
        "select mandate, purpose, composition, roles, decision_making, meeting_frequency, reporting, changes,
                confidentiality
         from tor_versions where committee_id = $1 and version is null",
        committee
    )
    .fetch_optional(conn)
    .await?)
}

/// The draft's translations, if there is a draft.
async fn draft_translations(
    conn: &mut PgConnection,
    committee: i64,
) -> AppResult<Option<Translations>> {
    Ok(sqlx::query_scalar!(
        r#"select translations as "translations: Json<Translations>"
           from tor_versions where committee_id = $1 and version is null"#,
        committee
    )
    .fetch_optional(conn)
    .await?
    .map(|t| t.0))
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/tor_version.html")]
struct VersionPage {
    page: Chrome,
    slug: String,
    committee: Committee,
    version: Version,
    history: Vec<(i32, String)>,
}

async fn version(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, n)): Path<(String, i64, i32)>,
) -> AppResult<VersionPage> {
    let committee = committee::load(ctx.conn(), id).await?;
    let version = published(ctx.conn(), id, Some(n))
        .await?
        .ok_or(AppError::NotFound)?;
    let history = history(ctx.conn(), id).await?;
    Ok(VersionPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        version,
        history,
    })
}
