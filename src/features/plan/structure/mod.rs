//! Objectives and outcomes: the two levels above activities.

mod delete;
mod form;
mod store;

pub use form::ObjectiveChoice;

use crate::http::routes::Routes;
use crate::i18n::Translations;
use crate::paths;
use crate::paths::at;
use serde::Deserialize;
use sqlx::types::Json;

use crate::error::{AppError, AppResult};
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::objectives_new, form::new_objective)
        .post(at::objectives_new, form::create_objective)
        .get(at::objective_edit, form::edit_objective)
        .post(at::objective_edit, form::update_objective)
        .get(at::objective_delete, delete::confirm_objective)
        .post(at::objective_delete, delete::delete_objective)
        .get(at::outcomes_new, form::new_outcome)
        .post(at::outcomes_new, form::create_outcome)
        .get(at::outcome_edit, form::edit_outcome)
        .post(at::outcome_edit, form::update_outcome)
        .get(at::outcome_delete, delete::confirm_outcome)
        .post(at::outcome_delete, delete::delete_outcome)
}

#[derive(Default, Deserialize)]
pub struct NodeForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    /// Outcomes only: the objective's id.
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub title_fr: String,
    #[serde(default)]
    pub title_es: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Level {
    Objective,
    Outcome,
}

impl Level {
    fn new_path(self, slug: &str, nap: i64) -> String {
        match self {
            Level::Objective => paths::objectives_new(slug, nap),
            Level::Outcome => paths::outcomes_new(slug, nap),
        }
    }

    fn edit_path(self, slug: &str, nap: i64, node: i64) -> String {
        match self {
            Level::Objective => paths::objective_edit(slug, nap, node),
            Level::Outcome => paths::outcome_edit(slug, nap, node),
        }
    }

    fn delete_path(self, slug: &str, nap: i64, node: i64) -> String {
        match self {
            Level::Objective => paths::objective_delete(slug, nap, node),
            Level::Outcome => paths::outcome_delete(slug, nap, node),
        }
    }

    /// The unique key that keeps codes apart within a NAP.
    fn code_constraint(self) -> &'static str {
        match self {
            Level::Objective => "objectives_tenant_id_nap_id_code_key",
            Level::Outcome => "outcomes_tenant_id_nap_id_code_key",
        }
    }
}

async fn load_node(
    ctx: &mut TenantCtx,
    level: Level,
    nap_id: i64,
    node: i64,
) -> AppResult<NodeForm> {
    let row = match level {
        Level::Objective => sqlx::query!(
            r#"select code, title, null::bigint as objective_id, translations as "translations: Json<Translations>"
               from objectives where id = $1 and nap_id = $2"#,
            node, nap_id
        )
        .fetch_optional(ctx.conn())
        .await?
        .map(|r| (r.code, r.title, r.objective_id, r.translations.0)),
        Level::Outcome => sqlx::query!(
            r#"select code, title, objective_id, translations as "translations: Json<Translations>"
               from outcomes where id = $1 and nap_id = $2"#,
            node, nap_id
        )
        .fetch_optional(ctx.conn())
        .await?
        .map(|r| (r.code, r.title, Some(r.objective_id), r.translations.0)),
    };
    let (code, title, objective, translations) = row.ok_or(AppError::NotFound)?;
    let text = |lang| {
        translations
            .get(lang, "title")
            .unwrap_or_default()
            .to_owned()
    };
    Ok(NodeForm {
        code,
        title,
        objective: objective.map(|o| o.to_string()).unwrap_or_default(),
        title_en: text("en"),
        title_fr: text("fr"),
        title_es: text("es"),
    })
}
