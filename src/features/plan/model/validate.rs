//! An activity as people write it, checked against its NAP: one set of
//! rules for the form and for every spreadsheet row.

use std::collections::{BTreeSet, HashMap};

use sqlx::PgConnection;

use super::{Nap, validate_code};
use crate::choices::Level;
use crate::error::AppResult;
use crate::features::plan::quarter::{Period, Quarter, TargetSpec};
use crate::features::plan::tags::{TagKind, TagLists};
use crate::http::form::{self, FieldErrors};
use crate::i18n::Translations;

/// An activity as a person writes it, in a form or a spreadsheet row.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize, PartialEq)]
pub struct ActivityDraft {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub supporting: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub budget: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub targets: String,
    /// Pillars and other national plans, by name, separated by semicolons.
    #[serde(default)]
    pub pillars: String,
    #[serde(default)]
    pub plans: String,
    /// A short note that flags the activity ("source uncertain").
    #[serde(default)]
    pub flag: String,
    /// SDG targets and ILO instruments, by code (the form's; a
    /// spreadsheet's column of them is read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alignment: String,
    /// The title in other languages (the form's; spreadsheets keep none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_en: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_fr: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_es: String,
}

impl ActivityDraft {
    /// The title's translations as typed, checked beside their fields;
    /// `own` is the tenant's language.
    pub fn translations(&self, own: &str, errors: &mut FieldErrors) -> Translations {
        let mut translations = Translations::default();
        for (lang, name, value) in [
            ("en", "title_en", &self.title_en),
            ("fr", "title_fr", &self.title_fr),
            ("es", "title_es", &self.title_es),
        ] {
            form::translation(
                errors,
                &mut translations,
                own,
                lang,
                "title",
                name,
                value,
                500,
            );
        }
        translations
    }
}

/// A validated activity, ready to save.
#[derive(Debug, Clone)]
pub struct ActivityInput {
    pub outcome_id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub lead_partner_id: Option<i64>,
    pub supporting: Vec<i64>,
    pub start: Option<Quarter>,
    pub end: Option<Quarter>,
    pub level: Level,
    pub place: String,
    pub budget: Option<i64>,
    pub currency: String,
    pub targets: Vec<TargetSpec>,
    /// Its pillars' and linked plans' tag ids.
    pub tags: Vec<i64>,
    pub flag: String,
}

/// What validating an activity needs to know about its NAP.
pub struct PlanContext {
    pub period: Period,
    /// Every name of a partner in lower case (its acronym and its other
    /// names) → its id.
    pub partners: HashMap<String, i64>,
    /// Partner id → its acronym, as the export writes it.
    pub acronyms: HashMap<i64, String>,
    /// Outcome code → outcome id.
    pub outcomes: HashMap<String, i64>,
    /// The NAP's pillars and linked plans.
    pub tags: TagLists,
}

impl PlanContext {
    pub async fn load(conn: &mut PgConnection, nap: &Nap) -> AppResult<Self> {
        let partners = crate::features::partners::aliases::lookup(conn).await?;
        let acronyms = sqlx::query!("select id, acronym from partners")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p.acronym))
            .collect();
        let outcomes = sqlx::query!("select id, code from outcomes where nap_id = $1", nap.id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|o| (o.code, o.id))
            .collect();
        Ok(Self {
            period: nap.period(),
            partners,
            acronyms,
            outcomes,
            tags: TagLists::load(conn, nap.id).await?,
        })
    }

    /// The partners of a draft written by their acronyms, however the
    /// draft named them (another name, another case); names that are no
    /// partner's stay as written, for the check to report.
    pub fn by_acronym(&self, d: &ActivityDraft) -> ActivityDraft {
        let acronym = |name: &str| {
            self.partners
                .get(&name.to_lowercase())
                .and_then(|id| self.acronyms.get(id))
                .cloned()
                .unwrap_or_else(|| name.to_owned())
        };
        let lead = match d.lead.trim() {
            "" => String::new(),
            name => acronym(name),
        };
        let supporting = d
            .supporting
            .split([',', ';', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(acronym)
            .collect::<Vec<_>>()
            .join(", ");
        ActivityDraft {
            lead,
            supporting,
            ..d.clone()
        }
    }

    fn quarter(&self, raw: &str, field: &'static str, errors: &mut FieldErrors) -> Option<Quarter> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        match Quarter::parse(raw) {
            None => {
                errors.add_with(field, "plan.quarter_invalid", raw);
                None
            }
            Some(q) if !self.period.contains(q) => {
                errors.add_with(field, "plan.quarter_outside", raw);
                None
            }
            Some(q) => Some(q),
        }
    }

    /// Checks every field; errors are keyed by the draft's field names.
    pub fn validate(&self, d: &ActivityDraft) -> Result<ActivityInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let outcome_id = match d.outcome.trim() {
            "" => {
                errors.add("outcome", "field.required");
                None
            }
            code => match self.outcomes.get(code) {
                Some(id) => Some(*id),
                None => {
                    errors.add_with("outcome", "plan.outcome_unknown", code);
                    None
                }
            },
        };
        let code = validate_code(&d.code)
            .map_err(|k| errors.add("code", k))
            .ok();
        let title = crate::http::form::required(&d.title, 500)
            .map_err(|k| errors.add("title", k))
            .ok();
        let description = crate::http::form::optional(&d.description, 5000)
            .map_err(|k| errors.add("description", k))
            .unwrap_or_default();
        let lead_partner_id = match d.lead.trim() {
            "" => None,
            acronym => match self.partners.get(&acronym.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    errors.add_with("lead", "plan.partner_unknown", acronym);
                    None
                }
            },
        };
        let mut supporting = BTreeSet::new();
        for acronym in d
            .supporting
            .split([',', ';', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match self.partners.get(&acronym.to_lowercase()) {
                Some(id) if Some(*id) != lead_partner_id => {
                    supporting.insert(*id);
                }
                Some(_) => {}
                None => errors.add_with("supporting", "plan.partner_unknown", acronym),
            }
        }
        let start = self.quarter(&d.start, "start", &mut errors);
        let end = self.quarter(&d.end, "end", &mut errors);
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            errors.add("end", "plan.end_before_start");
        }
        let level = match d.level.trim() {
            "" => Some(Level::National),
            raw => Level::parse(&raw.to_lowercase()).or_else(|| {
                errors.add_with("level", "plan.level_invalid", raw);
                None
            }),
        };
        let place = crate::http::form::optional(&d.place, 200)
            .map_err(|k| errors.add("place", k))
            .unwrap_or_default();
        let budget = crate::http::form::amount(&d.budget)
            .map_err(|key| errors.add_with("budget", key, d.budget.trim()))
            .unwrap_or_default();
        let currency = d.currency.trim().to_ascii_uppercase();
        if !(currency.is_empty()
            || currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()))
        {
            errors.add_with("currency", "plan.currency_invalid", d.currency.trim());
        }
        let period = Period {
            start: start.unwrap_or(self.period.start),
            end: end.unwrap_or(self.period.end),
        };
        let targets = super::check_targets(
            &d.targets,
            period,
            "targets",
            "plan.target_outside",
            &mut errors,
        );
        let mut tags = Vec::new();
        for (field, kind, raw) in [
            ("pillars", TagKind::Pillar, &d.pillars),
            ("plans", TagKind::Plan, &d.plans),
        ] {
            match self.tags.resolve(kind, raw) {
                Ok(ids) => tags.extend(ids),
                Err(unknown) => errors.add_with(field, "tags.unknown", &unknown),
            }
        }
        let flag = crate::http::form::optional(&d.flag, 500)
            .map_err(|k| errors.add("flag", k))
            .unwrap_or_default();
        match (errors.is_empty(), outcome_id, code, title, level) {
            (true, Some(outcome_id), Some(code), Some(title), Some(level)) => Ok(ActivityInput {
                outcome_id,
                code,
                title,
                description,
                lead_partner_id,
                supporting: supporting.into_iter().collect(),
                start,
                end,
                level,
                place,
                budget,
                currency,
                targets,
                tags,
                flag,
            }),
            _ => Err(errors),
        }
    }
}
