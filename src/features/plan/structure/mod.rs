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
use crate::features::plan::alignment::{self, Part};
use crate::features::plan::quarter::TargetSpec;
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
    /// Time targets set on the node, which its activities inherit.
    #[serde(default)]
    pub targets: String,
    /// Objectives only: its pillars, by name, separated by semicolons.
    #[serde(default)]
    pub pillars: String,
    /// SDG targets and ILO instruments, by code: "SDG 8.7, C182".
    #[serde(default)]
    pub alignment: String,
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
    let targets = sqlx::query!(
        "select year, quarter from time_targets
         where (objective_id = $1 and $2) or (outcome_id = $1 and not $2)",
        node,
        level == Level::Objective
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .filter_map(|t| TargetSpec::from_row(t.year, t.quarter))
    .collect::<std::collections::BTreeSet<_>>();
    let pillars = sqlx::query_scalar!(
        "select g.name from objective_tags x join nap_tags g on g.tenant_id = x.tenant_id and g.id = x.tag_id
         where x.objective_id = $1 and $2 order by g.position, g.id",
        node,
        level == Level::Objective
    )
    .fetch_all(ctx.conn())
    .await?;
    let part = match level {
        Level::Objective => Part::Objective(node),
        Level::Outcome => Part::Outcome(node),
    };
    let aligns = alignment::codes_of(ctx.conn(), nap_id, part).await?;
    Ok(NodeForm {
        code,
        title,
        pillars: pillars.join("; "),
        alignment: alignment::labels(&aligns),
        targets: targets
            .into_iter()
            .map(TargetSpec::label)
            .collect::<Vec<_>>()
            .join(", "),
        objective: objective.map(|o| o.to_string()).unwrap_or_default(),
        title_en: text("en"),
        title_fr: text("fr"),
        title_es: text("es"),
    })
}
