//! Invitations: adding someone makes a pending membership and a link; the
//! link can be issued again, and the invitation withdrawn until accepted.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlx::PgConnection;

use super::{AddErrors, AddForm, MembersPage, parse_partner, redirect};
use crate::accounts::{self, AccountError, NewMembership};
use crate::auth::links::{self, Purpose};
use crate::authz::{MembersAdmin, Role};
use crate::choices::Notice;
use crate::error::{AppError, AppResult};
use crate::http::form::Form;
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::paths;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

#[derive(Template, WebTemplate)]
#[template(path = "members/invited.html")]
struct InvitedPage {
    page: Chrome,
    slug: String,
    name: String,
    email: String,
    link: String,
    days: i32,
}

impl InvitedPage {
    fn who(&self) -> String {
        format!("{} ({})", self.name, self.email)
    }
}

pub(super) async fn add(
    State(state): State<AppState>,
    page: Chrome,
    headers: HeaderMap,
    mut ctx: TenantCtx,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    let mut errors = AddErrors::default();
    let email = accounts::normalize_email(&form.email)
        .map_err(|key| errors.email = Some(key))
        .ok();
    // A name is asked of every invitation, known address or not: the
    // answer must not tell which.
    let name = accounts::validate_name(&form.name)
        .map_err(|key| errors.name = Some(key))
        .ok();
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.role = Some("members.role_invalid");
    }
    let focal_point = form.focal_point.is_some();
    let partner_id = match parse_partner(ctx.conn(), &form.partner, focal_point).await? {
        Ok(id) => id,
        Err(key) => {
            errors.partner = Some(key);
            None
        }
    };
    if let Some(Err(key)) = role.map(|r| accounts::check_focal_point(r, focal_point)) {
        errors.partner = Some(key);
    }
    if let (false, Some(email), Some(name), Some(role)) = (errors.any(), &email, &name, role) {
        let invited = NewMembership {
            user_id: 0,
            role,
            partner_id,
            focal_point,
            invited_as: Some(name),
        };
        match invite(&admin, &mut ctx, email, invited).await? {
            Some(membership) => {
                let user_id = ctx.user.id;
                let token =
                    links::issue(&admin, ctx.conn(), membership, Purpose::Invitation, user_id)
                        .await?;
                links::mail(ctx.conn(), membership, Purpose::Invitation, &token).await?;
                let page = page.in_tenant(&ctx);
                let ctx = ctx.commit().await?;
                tracing::info!(membership, role = role.as_str(), "member invited");
                return Ok(InvitedPage {
                    page,
                    slug: ctx.tenant.slug.clone(),
                    name: name.clone(),
                    email: email.clone(),
                    link: links::absolute(
                        &state.config,
                        &headers,
                        &Purpose::Invitation.path(&token),
                    ),
                    days: Purpose::Invitation.valid_hours() / 24,
                }
                .into_response());
            }
            None => errors.email = Some("members.already_member"),
        }
    }
    let mut members_page = MembersPage::load(page, &mut ctx).await?;
    members_page.form = form;
    members_page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, members_page).into_response())
}

/// Makes a pending membership for `email`, with an account for it if there
/// is none yet (without a password: the person chooses it). `None` when
/// the person is already a member of this tenant.
async fn invite(
    admin: &MembersAdmin,
    ctx: &mut TenantCtx,
    email: &str,
    mut membership: NewMembership<'_>,
) -> AppResult<Option<i64>> {
    // A savepoint, so a refused insert leaves the transaction usable for
    // showing the form again.
    let mut sp = sqlx::Acquire::begin(ctx.conn()).await?;
    membership.user_id = match accounts::user_id(&mut sp, email).await? {
        Some(id) => id,
        None => {
            let name = membership.invited_as.unwrap_or_default();
            accounts::create_user(&mut sp, email, name, None)
                .await
                .map_err(account_error)?
        }
    };
    match accounts::add_membership(admin, &mut sp, &membership).await {
        Ok(id) => {
            sp.commit().await?;
            Ok(Some(id))
        }
        Err(AccountError::AlreadyMember) => {
            sp.rollback().await?;
            Ok(None)
        }
        Err(e) => Err(account_error(e)),
    }
}

/// A new invitation link for a pending member (the earlier one stops working).
pub(super) async fn reinvite(
    State(state): State<AppState>,
    page: Chrome,
    headers: HeaderMap,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    let pending = sqlx::query!(
        r#"select m.invited_name as "name!", u.email from memberships m join users u on u.id = m.user_id
           where m.tenant_id = $1 and m.id = $2 and m.accepted_at is null"#,
        admin.tenant_id(),
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let user_id = ctx.user.id;
    let token = links::issue(&admin, ctx.conn(), id, Purpose::Invitation, user_id).await?;
    links::mail(ctx.conn(), id, Purpose::Invitation, &token).await?;
    let page = page.in_tenant(&ctx);
    let ctx = ctx.commit().await?;
    tracing::info!(membership = id, "invitation issued again");
    Ok(InvitedPage {
        page,
        slug: ctx.tenant.slug.clone(),
        name: pending.name,
        email: pending.email,
        link: links::absolute(&state.config, &headers, &Purpose::Invitation.path(&token)),
        days: Purpose::Invitation.valid_hours() / 24,
    }
    .into_response())
}

/// Asks before withdrawing an invitation.
pub(super) async fn confirm_withdraw(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ConfirmPage> {
    ctx.members_admin()?;
    withdraw_page(page, &mut ctx, id).await
}

/// What withdrawing the invitation does, said before it happens.
async fn withdraw_page(page: Chrome, ctx: &mut TenantCtx, id: i64) -> AppResult<ConfirmPage> {
    let name = sqlx::query_scalar!(
        r#"select m.invited_name as "name!" from memberships m
           where m.id = $1 and m.accepted_at is null"#,
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let slug = ctx.tenant.slug.clone();
    Ok(ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with("confirm.withdraw_question", "value", &name),
        paths::member_withdraw(&slug, id),
        paths::members(&slug),
    )
    .words("confirm.withdraw_title", "confirm.withdraw")
    .then(i18n::t("confirm.withdraw_link_dies").into_owned())
    .then(i18n::t("confirm.withdraw_again").into_owned()))
}

/// Withdraws an invitation not yet accepted: the pending membership and its
/// links go.
pub(super) async fn withdraw(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    if !confirmation.given() {
        return Ok(withdraw_page(page, &mut ctx, id).await?.instead());
    }
    if !admin.withdraw_invitation(ctx.conn(), id).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    tracing::info!(membership = id, "invitation withdrawn");
    Ok(redirect(&ctx.tenant.slug, Notice::Withdrawn))
}

fn account_error(e: AccountError) -> AppError {
    match e {
        AccountError::Database(e) => e.into(),
        other => AppError::Internal(other.into()),
    }
}

impl MembersAdmin {
    /// Removes a membership still waiting for its person (its links go
    /// with it); false if there is none.
    async fn withdraw_invitation(&self, conn: &mut PgConnection, id: i64) -> AppResult<bool> {
        let gone = sqlx::query!(
            "delete from memberships where tenant_id = $1 and id = $2 and accepted_at is null",
            self.tenant_id(),
            id
        )
        .execute(conn)
        .await?;
        Ok(gone.rows_affected() == 1)
    }
}
