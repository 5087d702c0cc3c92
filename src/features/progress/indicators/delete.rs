//! Deleting an indicator, asked first: its values go with it, and the page
//! that asks says how many.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};

use super::load_one;
use crate::error::{AppError, AppResult};
use crate::http::form::Form;
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::tenancy::TenantCtx;

pub(super) async fn confirm(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, indicator)): Path<(String, i64, i64)>,
) -> AppResult<ConfirmPage> {
    ctx.plan_editor()?;
    delete_page(page, &mut ctx, id, indicator).await
}

/// What deleting the indicator takes with it, said before it happens.
async fn delete_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    indicator: i64,
) -> AppResult<ConfirmPage> {
    let ind = load_one(ctx.conn(), id, indicator).await?;
    let values = sqlx::query_scalar!(
        r#"select count(*) as "n!" from indicator_values where indicator_id = $1"#,
        indicator
    )
    .fetch_one(ctx.conn())
    .await?;
    let slug = ctx.tenant.slug.clone();
    let confirm = ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with("indicator.delete_question", "name", &ind.name),
        crate::paths::indicator_delete(&slug, id, indicator),
        crate::paths::indicator(&slug, id, indicator),
    );
    let confirm = if values > 0 {
        confirm.then(i18n::t_with(
            "indicator.delete_values",
            "count",
            &values.to_string(),
        ))
    } else {
        confirm
    };
    Ok(confirm.then(i18n::t("confirm.for_good").into_owned()))
}

pub(super) async fn delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, indicator)): Path<(String, i64, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    if !confirmation.given() {
        return Ok(delete_page(page, &mut ctx, id, indicator).await?.instead());
    }
    // Only an indicator of this NAP.
    load_one(ctx.conn(), id, indicator).await?;
    if !editor.delete_indicator(ctx.conn(), indicator).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    tracing::info!(indicator, "indicator deleted");
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::indicators(&ctx.tenant.slug, id),
        crate::choices::Notice::Deleted,
    ))
    .into_response())
}
