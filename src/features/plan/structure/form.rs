//! The form of an objective or outcome: a new one, and changes to one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::store::NodeInput;
use super::{Level, NodeForm, load_node};
use crate::error::{AppError, AppResult};
use crate::features::plan::alignment::References;
use crate::features::plan::model::{self, Nap};
use crate::features::plan::tags::{TagKind, TagLists};
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::i18n::Translations;
use crate::tenancy::TenantCtx;

pub struct ObjectiveChoice {
    pub id: i64,
    pub code: String,
    pub title: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/node_form.html")]
pub(super) struct NodeFormPage {
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
    /// Objectives only: the NAP's pillars, as the hint lists them (empty:
    /// the field is not shown).
    pillars: String,
    refs: References,
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
    let (objectives, pillars) = match level {
        Level::Objective => {
            let tags = TagLists::load(ctx.conn(), nap.id).await?;
            (Vec::new(), tags.pillars.join("; "))
        }
        Level::Outcome => (objectives_of(ctx, nap.id).await?, String::new()),
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
        pillars,
        refs: References::load(ctx.conn()).await?,
    })
}

/// A node's form as checked.
struct NodeValues {
    code: String,
    title: String,
    objective: Option<i64>,
    translations: Translations,
    targets: Vec<crate::features::plan::quarter::TargetSpec>,
    /// Objectives only: their pillars' tag ids.
    tags: Vec<i64>,
    aligns: Vec<String>,
}

/// Checks the form; for outcomes also that the objective belongs to the NAP.
async fn validate(
    ctx: &mut TenantCtx,
    nap: &Nap,
    level: Level,
    form: &NodeForm,
) -> AppResult<Result<NodeValues, FieldErrors>> {
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
        form::translation(
            &mut errors,
            &mut translations,
            &own,
            lang,
            "title",
            name,
            value,
            500,
        );
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
    let targets = model::check_targets(
        &form.targets,
        nap.period(),
        "targets",
        "plan.node_target_outside",
        &mut errors,
    );
    let tags = match TagLists::load(ctx.conn(), nap.id)
        .await?
        .resolve(TagKind::Pillar, &form.pillars)
    {
        Ok(ids) => ids,
        Err(unknown) => {
            errors.add_with("pillars", "tags.unknown", &unknown);
            Vec::new()
        }
    };
    let refs = References::load(ctx.conn()).await?;
    let aligns = refs
        .check(&mut errors, "alignment", &form.alignment)
        .unwrap_or_default();
    Ok(match (code, title) {
        (Some(code), Some(title)) if errors.is_empty() => Ok(NodeValues {
            code,
            title,
            objective,
            translations,
            targets,
            tags,
            aligns,
        }),
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
    let v = match validate(&mut ctx, &nap, level, &form).await? {
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
        code: v.code,
        title: v.title,
        objective: v.objective,
        translations: v.translations,
        targets: v.targets,
        tags: v.tags,
        aligns: v.aligns,
    };
    let saved = crate::db::unless_taken(ctx.conn(), level.code_constraint(), async |conn| {
        editor.save_node(conn, &nap, &node_input).await
    })
    .await?;
    match saved {
        None => {
            let mut errors = FieldErrors::default();
            errors.add("code", "plan.code_taken");
            let page = form_page(page, &mut ctx, &nap, level, node, form, errors).await?;
            return Ok(invalid(page));
        }
        Some(None) => return Err(AppError::NotFound),
        Some(Some(_)) => {}
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::nap(&ctx.tenant.slug, nap.id),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
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
pub(super) struct NewOutcomeQuery {
    objective: Option<i64>,
}

pub(super) async fn new_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<NodeFormPage> {
    show_form(page, ctx, id, Level::Objective, None, None).await
}

pub(super) async fn create_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<NodeForm>,
) -> AppResult<Response> {
    save(page, ctx, id, Level::Objective, None, form).await
}

pub(super) async fn edit_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
) -> AppResult<NodeFormPage> {
    show_form(page, ctx, id, Level::Objective, Some(node), None).await
}

pub(super) async fn update_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
    Form(form): Form<NodeForm>,
) -> AppResult<Response> {
    save(page, ctx, id, Level::Objective, Some(node), form).await
}

pub(super) async fn new_outcome(
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

pub(super) async fn create_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<NodeForm>,
) -> AppResult<Response> {
    save(page, ctx, id, Level::Outcome, None, form).await
}

pub(super) async fn edit_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
) -> AppResult<NodeFormPage> {
    show_form(page, ctx, id, Level::Outcome, Some(node), None).await
}

pub(super) async fn update_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
    Form(form): Form<NodeForm>,
) -> AppResult<Response> {
    save(page, ctx, id, Level::Outcome, Some(node), form).await
}
