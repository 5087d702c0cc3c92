//! Deleting an objective or outcome, asked first; one with history under
//! it stays.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Level, load_node};
use crate::error::{AppError, AppResult};
use crate::http::form::Form;
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::tenancy::TenantCtx;

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

pub(super) async fn confirm_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
) -> AppResult<ConfirmPage> {
    confirm(page, ctx, id, Level::Objective, node).await
}

pub(super) async fn delete_objective(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    remove(page, ctx, id, Level::Objective, node, confirmation).await
}

pub(super) async fn confirm_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
) -> AppResult<ConfirmPage> {
    confirm(page, ctx, id, Level::Outcome, node).await
}

pub(super) async fn delete_outcome(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, node)): Path<(String, i64, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    remove(page, ctx, id, Level::Outcome, node, confirmation).await
}
