//! The newsletter's form: who it goes to, and its text in each language.

use serde::Deserialize;
use sqlx::PgConnection;

use super::Newsletter;
use crate::error::AppResult;
use crate::http::form::{self, FieldErrors};
use crate::i18n::Translations;

/// The newsletter's form: who it goes to, and its text in each language.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct LetterForm {
    /// A committee's id, or empty for every member.
    #[serde(default)]
    pub committee: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub subject_en: String,
    #[serde(default)]
    pub body_en: String,
    #[serde(default)]
    pub subject_fr: String,
    #[serde(default)]
    pub body_fr: String,
    #[serde(default)]
    pub subject_es: String,
    #[serde(default)]
    pub body_es: String,
}

impl LetterForm {
    pub(super) fn of(n: &Newsletter) -> Self {
        let get = |lang: &str, field: &str| {
            n.translations
                .get(lang, field)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            committee: n.committee_id.map(|c| c.to_string()).unwrap_or_default(),
            subject: n.subject.clone(),
            body: n.body.clone(),
            subject_en: get("en", "subject"),
            body_en: get("en", "body"),
            subject_fr: get("fr", "subject"),
            body_fr: get("fr", "body"),
            subject_es: get("es", "subject"),
            body_es: get("es", "body"),
        }
    }

    /// Checked: the committee one of the tenant's; the subject given.
    pub(super) async fn check(
        &self,
        conn: &mut PgConnection,
        own: &str,
    ) -> AppResult<Result<(Option<i64>, String, String, Translations), FieldErrors>> {
        let mut errors = FieldErrors::default();
        let committee = match self.committee.trim() {
            "" => None,
            raw => {
                let id = raw.parse::<i64>().ok();
                let found = sqlx::query_scalar!("select id from committees where id = $1", id)
                    .fetch_optional(&mut *conn)
                    .await?;
                if found.is_none() {
                    errors.add("committee", "field.choose");
                }
                found
            }
        };
        let subject = form::check(&mut errors, "subject", form::required(&self.subject, 200));
        let body = form::check(
            &mut errors,
            "body",
            form::optional(&form::lines(&self.body), 20_000),
        );
        let mut translations = Translations::default();
        for (lang, s_field, s, b_field, b) in [
            (
                "en",
                "subject_en",
                &self.subject_en,
                "body_en",
                &self.body_en,
            ),
            (
                "fr",
                "subject_fr",
                &self.subject_fr,
                "body_fr",
                &self.body_fr,
            ),
            (
                "es",
                "subject_es",
                &self.subject_es,
                "body_es",
                &self.body_es,
            ),
        ] {
            form::translation(
                &mut errors,
                &mut translations,
                own,
                lang,
                "subject",
                s_field,
                s,
                200,
            );
            form::translation(
                &mut errors,
                &mut translations,
                own,
                lang,
                "body",
                b_field,
                &form::lines(b),
                20_000,
            );
        }
        Ok(match (subject, body) {
            (Some(s), Some(b)) if errors.is_empty() => Ok((committee, s, b, translations)),
            _ => Err(errors),
        })
    }
}
