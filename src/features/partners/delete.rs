//! Removing a partner: only one that no activity, member or seat names.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::{AppError, AppResult};
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
    Ok(delete_page(page, &mut ctx, id).await?.0)
}

/// The confirmation, and whether the partner is still named somewhere
/// (then it offers no button).
async fn delete_page(page: Chrome, ctx: &mut TenantCtx, id: i64) -> AppResult<(ConfirmPage, bool)> {
    let r = sqlx::query!(
        r#"select p.acronym, p.name,
                  (select count(*) from activities a where a.tenant_id = p.tenant_id and a.lead_partner_id = p.id)
                + (select count(*) from activity_partners ap where ap.tenant_id = p.tenant_id and ap.partner_id = p.id) as "activities!",
                  (select count(*) from memberships m where m.tenant_id = p.tenant_id and m.partner_id = p.id) as "members!"
           from partners p where p.id = $1"#,
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let slug = ctx.tenant.slug.clone();
    let in_use = r.activities > 0 || r.members > 0;
    let problem = in_use.then(|| {
        i18n::t_with(
            "partner.in_use",
            "value",
            &format!("{} / {}", r.activities, r.members),
        )
    });
    let page = ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with(
            "partner.delete_question",
            "value",
            &format!("{} ({})", r.name, r.acronym),
        ),
        crate::paths::partner_delete(&slug, id),
        crate::paths::partners(&slug),
    )
    .then(i18n::t("confirm.partner_goes").into_owned())
    .then(i18n::t("confirm.for_good").into_owned())
    .problem(problem);
    Ok((page, in_use))
}

pub(super) async fn delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    if !confirmation.given() {
        let (confirm, in_use) = delete_page(page, &mut ctx, id).await?;
        if in_use {
            let back = crate::paths::partner_delete(&ctx.tenant.slug, id);
            return Ok(Redirect::to(&back).into_response());
        }
        return Ok(confirm.instead());
    }
    match editor.delete_partner(ctx.conn(), id).await? {
        Deleted::Gone => {
            let ctx = ctx.commit().await?;
            let to = crate::http::notice::done(
                &crate::paths::partners(&ctx.tenant.slug),
                crate::choices::Notice::Deleted,
            );
            Ok(Redirect::to(&to).into_response())
        }
        Deleted::NotFound => Err(AppError::NotFound),
        Deleted::InUse => {
            Ok(Redirect::to(&crate::paths::partner_delete(&ctx.tenant.slug, id)).into_response())
        }
    }
}

pub(super) enum Deleted {
    Gone,
    NotFound,
    /// Still named by an activity, a member or a seat: the foreign keys refuse.
    InUse,
}
