//! A member's role, and whether they may sign in at all: changing the
//! role, deactivating and activating again.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::{MembersPage, parse_partner, redirect};
use crate::accounts;
use crate::auth::session_store::PgSessionStore;
use crate::authz::{MembersAdmin, Role};
use crate::choices::Notice;
use crate::error::{AppError, AppResult};
use crate::http::form::Form;
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::paths;
use crate::tenancy::TenantCtx;

#[derive(Deserialize)]
pub(super) struct RoleForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    partner: String,
    focal_point: Option<String>,
}

pub(super) async fn change_role(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    // Another tenant's membership (row-level security hides it) is not found, before any check of the form.
    sqlx::query_scalar!("select id from memberships where id = $1", id)
        .fetch_optional(ctx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let focal_point = form.focal_point.is_some();
    let problem = match (
        Role::parse(&form.role),
        parse_partner(ctx.conn(), &form.partner, focal_point).await?,
    ) {
        (None, _) => Some("members.role_invalid"),
        (_, Err(key)) => Some(key),
        (Some(role), _) if accounts::check_focal_point(role, focal_point).is_err() => {
            Some("members.observer_never_focal")
        }
        (Some(role), Ok(partner_id)) => {
            guard_not_me(&ctx, id)?;
            match set_role(&admin, ctx.conn(), id, role, partner_id, focal_point).await? {
                None => return Err(AppError::NotFound),
                Some(_) => None,
            }
        }
    };
    if let Some(key) = problem {
        let mut members_page = MembersPage::load(page, &mut ctx).await?;
        members_page.row_error = Some((id, key));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, members_page).into_response());
    }
    let ctx = ctx.commit().await?;
    tracing::info!(membership = id, "member role changed");
    Ok(redirect(&ctx.tenant.slug, Notice::RoleChanged))
}

/// Asks before deactivating a member.
pub(super) async fn confirm_deactivate(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ConfirmPage> {
    ctx.members_admin()?;
    guard_not_me(&ctx, id)?;
    deactivate_page(page, &mut ctx, id).await
}

/// What deactivating the member does, said before it happens: signed out
/// now, the seats and focal-point duty they keep until handed over.
async fn deactivate_page(page: Chrome, ctx: &mut TenantCtx, id: i64) -> AppResult<ConfirmPage> {
    let member = sqlx::query!(
        r#"select u.name, m.focal_point,
                  (select count(*) from committee_members c
                    where c.tenant_id = m.tenant_id and c.user_id = m.user_id and c.left_on is null) as "seats!"
           from memberships m join users u on u.id = m.user_id
           where m.id = $1 and m.active and m.accepted_at is not null"#,
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let slug = ctx.tenant.slug.clone();
    let mut confirm = ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with("confirm.deactivate_question", "value", &member.name),
        paths::member_deactivate(&slug, id),
        paths::members(&slug),
    )
    .words("confirm.deactivate_title", "confirm.deactivate")
    .then(i18n::t("confirm.deactivate_signed_out").into_owned());
    if member.focal_point || member.seats > 0 {
        confirm = confirm.then(i18n::t_with(
            "confirm.deactivate_hand_over",
            "value",
            &i18n::number(member.seats),
        ));
    }
    Ok(confirm.then(i18n::t("confirm.deactivate_undo").into_owned()))
}

pub(super) async fn deactivate(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    guard_not_me(&ctx, id)?;
    if !confirmation.given() {
        return Ok(deactivate_page(page, &mut ctx, id).await?.instead());
    }
    let user_id = set_active(&admin, ctx.conn(), id, false)
        .await?
        .ok_or(AppError::NotFound)?;
    // Deactivation takes effect now, not when their session runs out.
    let ended = PgSessionStore::end_sessions_of(ctx.conn(), user_id, None).await?;
    let ctx = ctx.commit().await?;
    tracing::info!(
        membership = id,
        sessions_ended = ended,
        "member deactivated"
    );
    Ok(redirect(&ctx.tenant.slug, Notice::Deactivated))
}

pub(super) async fn activate(
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    set_active(&admin, ctx.conn(), id, true)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = ctx.commit().await?;
    tracing::info!(membership = id, "member activated");
    Ok(redirect(&ctx.tenant.slug, Notice::Activated))
}

/// Changing one's own role or deactivating oneself could leave a tenant
/// without a secretariat; another secretariat member must do it.
fn guard_not_me(ctx: &TenantCtx, membership_id: i64) -> AppResult<()> {
    if ctx.member.id == membership_id {
        Err(AppError::Forbidden)
    } else {
        Ok(())
    }
}

/// Returns the membership's id when it exists in this tenant.
async fn set_role(
    admin: &MembersAdmin,
    conn: &mut PgConnection,
    id: i64,
    role: Role,
    partner_id: Option<i64>,
    focal_point: bool,
) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "update memberships set role = $3, partner_id = $4, focal_point = $5
         where tenant_id = $1 and id = $2 returning id",
        admin.tenant_id(),
        id,
        role.as_str(),
        partner_id,
        focal_point
    )
    .fetch_optional(conn)
    .await?)
}

/// Returns the member's user id when the membership exists in this tenant.
async fn set_active(
    admin: &MembersAdmin,
    conn: &mut PgConnection,
    id: i64,
    active: bool,
) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "update memberships set active = $3
         where tenant_id = $1 and id = $2 and accepted_at is not null returning user_id",
        admin.tenant_id(),
        id,
        active
    )
    .fetch_optional(conn)
    .await?)
}
