//! Objectives and outcomes: the two levels above activities.

use crate::i18n::Translations;
use sqlx::types::Json;
use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::model::{self, Nap};
use crate::authz::PlanEditor;
use crate::error::{AppError, AppResult};
use crate::http::form::invalid;
use crate::http::form::{self, FieldErrors};
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::objectives_new, new_objective)
        .post(at::objectives_new, create_objective)
        .get(at::objective_edit, edit_objective)
        .post(at::objective_edit, update_objective)
        .get(at::objective_delete, confirm_objective)
        .post(at::objective_delete, delete_objective)
        .get(at::outcomes_new, new_outcome)
        .post(at::outcomes_new, create_outcome)
        .get(at::outcome_edit, edit_outcome)
        .post(at::outcome_edit, update_outcome)
        .get(at::outcome_delete, confirm_outcome)
        .post(at::outcome_delete, delete_outcome)
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

pub struct ObjectiveChoice {
    pub id: i64,
    pub code: String,
    pub title: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/node_form.html")]
struct NodeFormPage {
    page: Chrome,
    heading: &'static str,
    action: String,
    back: String,
    nap_title: String,
    form: NodeForm,
    errors: FieldErrors,
    /// The tenant's language: the form's own texts are in it.
    own: String,
    /// Empty for objectives; the parents to choose from for outcomes.
    objectives: Vec<ObjectiveChoice>,
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

async fn objectives_of(ctx: &mut TenantCtx, nap_id: i64) -> AppResult<Vec<ObjectiveChoice>> {
    let mut list = sqlx::query_as!(
        ObjectiveChoice,
        "select id, code, title from objectives where nap_id = $1",
        nap_id
    )
    .fetch_all(ctx.conn())
    .await?;
    list.sort_by_key(|o| model::code_key(&o.code));
    Ok(list)
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    nap: &Nap,
    level: Level,
    node: Option<i64>,
    form: NodeForm,
    errors: FieldErrors,
) -> AppResult<NodeFormPage> {
    let slug = ctx.tenant.slug.clone();
    let objectives = match level {
        Level::Objective => Vec::new(),
        Level::Outcome => objectives_of(ctx, nap.id).await?,
    };
    let heading = match (level, node) {
        (Level::Objective, None) => "plan.add_objective",
        (Level::Objective, Some(_)) => "plan.edit_objective",
        (Level::Outcome, None) => "plan.add_outcome",
        (Level::Outcome, Some(_)) => "plan.edit_outcome",
    };
    let action = match node {
        None => level.new_path(&slug, nap.id),
        Some(n) => level.edit_path(&slug, nap.id, n),
    };
    Ok(NodeFormPage {
        page: page.in_tenant(ctx),
        heading,
        action,
        back: crate::paths::nap(&slug, nap.id),
        nap_title: nap.title.clone(),
        form,
        errors,
        own: ctx.tenant.default_language.clone(),
        objectives,
    })
}

/// Checks the form; for outcomes also that the objective belongs to the NAP.
async fn validate(
    ctx: &mut TenantCtx,
    nap: &Nap,
    level: Level,
    form: &NodeForm,
) -> AppResult<Result<(String, String, Option<i64>, Translations), FieldErrors>> {
    let mut errors = FieldErrors::default();
    let code = form::check(&mut errors, "code", model::validate_code(&form.code));
    let title = form::check(&mut errors, "title", form::required(&form.title, 500));
    let mut translations = Translations::default();
    let own = ctx.tenant.default_language.clone();
    for (lang, name, value) in [
        ("en", "title_en", &form.title_en),
        ("fr", "title_fr", &form.title_fr),
        ("es", "title_es", &form.title_es),
    ] {
        form::translation(&mut errors, &mut translations, &own, lang, "title", name, value, 500);
    }
    let mut objective = None;
    if level == Level::Outcome {
        let id = form.objective.trim().parse::<i64>().ok();
        objective = match id {
            Some(id) => {
                sqlx::query_scalar!(
                    "select id from objectives where id = $1 and nap_id = $2",
                    id,
                    nap.id
                )
                .fetch_optional(ctx.conn())
                .await?
            }
            None => None,
        };
        if objective.is_none() {
            errors.add("objective", "field.choose");
        }
    }
    Ok(match (code, title) {
        (Some(code), Some(title)) if errors.is_empty() => Ok((code, title, objective, translations)),
        _ => Err(errors),
    })
}

async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    nap_id: i64,
    level: Level,
    node: Option<i64>,
    form: NodeForm,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), nap_id).await?;
    if let Some(node) = node {
        load_node(&mut ctx, level, nap_id, node).await?;
    }
    let (code, title, objective, translations) = match validate(&mut ctx, &nap, level, &form).await? {
        Ok(valid) => valid,
        Err(errors) => {
            let page = form_page(page, &mut ctx, &nap, level, node, form, errors).await?;
            return Ok(invalid(page));
        }
    };
    let node_input = NodeInput {
        nap: nap.id,
        level,
        id: node,
        code,
        title,
        objective,
        translations,
    };
    let saved = crate::db::unless_taken(ctx.conn(), level.code_constraint(), async |conn| {
        editor.save_node(conn, &node_input).await
    })
    .await?;
    match saved {
        None => {
            let mut errors = FieldErrors::default();
            errors.add("code", "plan.code_taken");
            let page = form_page(page, &mut ctx, &nap, level, node, form, errors).await?;
            return Ok(invalid(page));
        }
        Some(false) => return Err(AppError::NotFound),
        Some(true) => {}
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::nap(&ctx.tenant.slug, nap.id),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
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
    let text = |lang| translations.get(lang, "title").unwrap_or_default().to_owned();
    Ok(NodeForm {
        code,
        title,
        objective: objective.map(|o| o.to_string()).unwrap_or_default(),
        title_en: text("en"),
        title_fr: text("fr"),
        title_es: text("es"),
    })
}

async fn show_form(
    page: Chrome,
    mut ctx: TenantCtx,
    nap_id: i64,
    level: Level,
    node: Option<i64>,
    form: Option<NodeForm>,
) -> AppResult<NodeFormPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), nap_id).await?;
    let form = match (node, form) {
        (Some(n), _) => load_node(&mut ctx, level, nap_id, n).await?,
        (None, Some(f)) => f,
        (None, None) => NodeForm::default(),
    };
    form_page(
        page,
        &mut ctx,
        &nap,
        level,
        node,
        form,
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
struct NewOutcomeQuery {
    objective: Option<i64>,
}

async fn new_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<NodeFormPage> {
    show_form(page, ctx, id, Level::Objective, None, None).await
}

async fn create_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<NodeForm>,
) -> AppResult<Response> {
    save(page, ctx, id, Level::Objective, None, form).await
}

async fn edit_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
) -> AppResult<NodeFormPage> {
    show_form(page, ctx, id, Level::Objective, Some(node), None).await
}

async fn update_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
    Form(form): Form<NodeForm>,
) -> AppResult<Response> {
    save(page, ctx, id, Level::Objective, Some(node), form).await
}

async fn new_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<NewOutcomeQuery>,
) -> AppResult<NodeFormPage> {
    let form = NodeForm {
        objective: q.objective.map(|o| o.to_string()).unwrap_or_default(),
        ..NodeForm::default()
    };
    show_form(page, ctx, id, Level::Outcome, None, Some(form)).await
}

async fn create_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<NodeForm>,
) -> AppResult<Response> {
    save(page, ctx, id, Level::Outcome, None, form).await
}

async fn edit_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
) -> AppResult<NodeFormPage> {
    show_form(page, ctx, id, Level::Outcome, Some(node), None).await
}

async fn update_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
    Form(form): Form<NodeForm>,
) -> AppResult<Response> {
    save(page, ctx, id, Level::Outcome, Some(node), form).await
}

async fn confirm(
    page: Chrome,
    mut ctx: TenantCtx,
    nap_id: i64,
    level: Level,
    node: i64,
) -> AppResult<ConfirmPage> {
    ctx.plan_editor()?;
    delete_page(page, &mut ctx, nap_id, level, node).await
}

/// What deleting the objective or outcome takes with it, said before it happens.
async fn delete_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    nap_id: i64,
    level: Level,
    node: i64,
) -> AppResult<ConfirmPage> {
    let form = load_node(ctx, level, nap_id, node).await?;
    let history = has_history(ctx, level, node).await?;
    let activities = sqlx::query_scalar!(
        r#"select count(*) as "n!" from activities a
           join outcomes o on o.tenant_id = a.tenant_id and o.id = a.outcome_id
           where ($1 and o.objective_id = $2) or (not $1 and o.id = $2)"#,
        level == Level::Objective,
        node
    )
    .fetch_one(ctx.conn())
    .await?;
    let slug = ctx.tenant.slug.clone();
    let (key, takes) = match level {
        Level::Objective => ("plan.delete_objective", "confirm.objective_takes"),
        Level::Outcome => ("plan.delete_outcome", "confirm.outcome_takes"),
    };
    Ok(ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with(key, "value", &format!("{} {}", form.code, form.title)),
        level.delete_path(&slug, nap_id, node),
        crate::paths::nap(&slug, nap_id),
    )
    .then(i18n::t_with(takes, "value", &i18n::number(activities)))
    .then(i18n::t("confirm.for_good").into_owned())
    .problem(history.then(|| i18n::t("plan.node_has_history").into_owned())))
}

/// Whether an activity under the objective or outcome has status updates:
/// then deleting it would erase the committee's record, so it stays.
async fn has_history(ctx: &mut TenantCtx, level: Level, node: i64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (
               select 1 from activities a
               join outcomes o on o.tenant_id = a.tenant_id and o.id = a.outcome_id
               where (($1 and o.objective_id = $2) or (not $1 and o.id = $2))
                 and (exists (select 1 from status_updates u where u.tenant_id = a.tenant_id and u.activity_id = a.id)
                      or exists (select 1 from confidential_counts c
                                 where c.tenant_id = a.tenant_id and c.activity_id = a.id and c.records > 0))) as "e!""#,
        level == Level::Objective,
        node
    )
    .fetch_one(ctx.conn())
    .await?)
}

async fn remove(
    page: Chrome,
    mut ctx: TenantCtx,
    nap_id: i64,
    level: Level,
    node: i64,
    confirmation: Confirmation,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    if has_history(&mut ctx, level, node).await? {
        return Ok(
            Redirect::to(&level.delete_path(&ctx.tenant.slug, nap_id, node)).into_response(),
        );
    }
    if !confirmation.given() {
        return Ok(delete_page(page, &mut ctx, nap_id, level, node)
            .await?
            .instead());
    }
    if !editor.delete_node(ctx.conn(), nap_id, level, node).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::nap(&ctx.tenant.slug, nap_id),
        crate::choices::Notice::Deleted,
    ))
    .into_response())
}

async fn confirm_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
) -> AppResult<ConfirmPage> {
    confirm(page, ctx, id, Level::Objective, node).await
}

async fn delete_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    remove(page, ctx, id, Level::Objective, node, confirmation).await
}

async fn confirm_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
) -> AppResult<ConfirmPage> {
    confirm(page, ctx, id, Level::Outcome, node).await
}

async fn delete_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    remove(page, ctx, id, Level::Outcome, node, confirmation).await
}

/// An objective or outcome as checked, new (`id` none) or changed.
struct NodeInput {
    nap: i64,
    level: Level,
    id: Option<i64>,
    code: String,
    title: String,
    objective: Option<i64>,
    translations: Translations,
}

/// The writes of objectives and outcomes, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// False if the node to change is not in the NAP. A code already used
    /// is a unique violation, for `db::unless_taken` to answer.
    async fn save_node(&self, conn: &mut PgConnection, n: &NodeInput) -> AppResult<bool> {
        let tenant = self.tenant_id();
        let changed = match (n.level, n.id) {
            (Level::Objective, None) => sqlx::query!(
                "insert into objectives (tenant_id, nap_id, code, title, translations) values ($1, $2, $3, $4, $5)",
                tenant, n.nap, n.code, n.title, Json(&n.translations) as _
            )
            .execute(conn)
            .await?,
            (Level::Objective, Some(id)) => sqlx::query!(
                "update objectives set code = $3, title = $4, translations = $6
                 where tenant_id = $1 and id = $2 and nap_id = $5",
                tenant, id, n.code, n.title, n.nap, Json(&n.translations) as _
            )
            .execute(conn)
            .await?,
            (Level::Outcome, None) => sqlx::query!(
                "insert into outcomes (tenant_id, nap_id, objective_id, code, title, translations)
                 values ($1, $2, $3, $4, $5, $6)",
                tenant, n.nap, n.objective, n.code, n.title, Json(&n.translations) as _
            )
            .execute(conn)
            .await?,
            (Level::Outcome, Some(id)) => sqlx::query!(
                "update outcomes set code = $3, title = $4, objective_id = $5, translations = $7
                 where tenant_id = $1 and id = $2 and nap_id = $6",
                tenant, id, n.code, n.title, n.objective, n.nap, Json(&n.translations) as _
            )
            .execute(conn)
            .await?,
        };
        Ok(changed.rows_affected() == 1)
    }

    /// False if there is no such node in the NAP.
    async fn delete_node(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        level: Level,
        node: i64,
    ) -> AppResult<bool> {
        let done = match level {
            Level::Objective => {
                sqlx::query!(
                    "delete from objectives where tenant_id = $1 and id = $2 and nap_id = $3",
                    self.tenant_id(),
                    node,
                    nap
                )
                .execute(conn)
                .await?
            }
            Level::Outcome => {
                sqlx::query!(
                    "delete from outcomes where tenant_id = $1 and id = $2 and nap_id = $3",
                    self.tenant_id(),
                    node,
                    nap
                )
                .execute(conn)
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }
}
