//! Deleting a NAP, asked first; a NAP with history (status updates,
//! confidential records) is closed instead.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use crate::error::{AppError, AppResult};
use crate::features::plan::model;
use crate::http::form::Form;
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::tenancy::TenantCtx;

pub(super) async fn confirm_delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ConfirmPage> {
    ctx.plan_editor()?;
    delete_page(page, &mut ctx, id).await
}

/// What deleting the NAP takes with it, said before it happens.
async fn delete_page(page: Chrome, ctx: &mut TenantCtx, id: i64) -> AppResult<ConfirmPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let slug = ctx.tenant.slug.clone();
    let history = has_history(ctx.conn(), id).await?;
    let activities = sqlx::query_scalar!(
        r#"select count(*) as "n!" from activities where nap_id = $1"#,
        id
    )
    .fetch_one(ctx.conn())
    .await?;
    Ok(ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with("nap.delete_question", "value", &nap.title),
        crate::paths::nap_delete(&slug, id),
        crate::paths::nap(&slug, id),
    )
    .then(i18n::t_with(
        "confirm.nap_takes",
        "value",
        &i18n::number(activities),
    ))
    .then(i18n::t("confirm.for_good").into_owned())
    .problem(history.then(|| i18n::t("nap.has_history").into_owned())))
}

/// Whether any activity of the NAP has status updates or confidential
/// records (then it is closed, not deleted).
async fn has_history(conn: &mut PgConnection, nap_id: i64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        "select exists (select 1 from status_updates u join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
                        where a.nap_id = $1)
             or exists (select 1 from confidential_counts c join activities a on a.tenant_id = c.tenant_id and a.id = c.activity_id
                        where a.nap_id = $1 and c.records > 0) as \"e!\"",
        nap_id
    )
    .fetch_one(conn)
    .await?)
}

pub(super) async fn delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    if has_history(ctx.conn(), id).await? {
        return Ok(Redirect::to(&crate::paths::nap_delete(&ctx.tenant.slug, id)).into_response());
    }
    if !confirmation.given() {
        return Ok(delete_page(page, &mut ctx, id).await?.instead());
    }
    if !editor.delete_nap(ctx.conn(), id).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    tracing::info!(nap = id, "NAP deleted");
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::naps(&ctx.tenant.slug),
        crate::choices::Notice::Deleted,
    ))
    .into_response())
}
