//! `/t/{slug}/members`: the secretariat invites people, changes their role
//! and deactivates them. Everyone else gets 403.
//!
//! Adding someone never sets a password: it makes a pending membership and
//! an invitation link, and answers the same whether or not the address
//! already has an account, so one tenant cannot learn who else uses the
//! platform, nor take over an account another tenant trusts.

use crate::choices::Notice;
use crate::http::form::Form;
use crate::http::notice;
use crate::http::routes::Routes;
use crate::paths;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::accounts::{self, AccountError, NewMembership};
use crate::auth::links::{self, Purpose};
use crate::auth::session_store::PgSessionStore;
use crate::authz::{MembersAdmin, Role};
use crate::error::{AppError, AppResult};
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::members, list)
        .post(at::members, add)
        .post(at::member_role, change_role)
        .get(at::member_deactivate, confirm_deactivate)
        .post(at::member_deactivate, deactivate)
        .post(at::member_activate, activate)
        .post(at::member_invite, reinvite)
        .get(at::member_withdraw, confirm_withdraw)
        .post(at::member_withdraw, withdraw)
        .post(at::member_reset, issue_reset)
}

pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub partner_id: Option<i64>,
    pub partner_name: Option<String>,
    pub focal_point: bool,
    pub active: bool,
    /// Invited, not accepted yet.
    pub pending: bool,
    pub is_me: bool,
}

impl MemberRow {
    pub fn is_partner<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.partner_id == Some(*id.borrow())
    }
}

pub struct PartnerOption {
    pub id: i64,
    pub acronym: String,
    pub name: String,
}

/// What the add form sent, kept to show again beside its errors.
#[derive(Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub partner: String,
    pub focal_point: Option<String>,
}

#[derive(Default)]
pub struct AddErrors {
    pub email: Option<&'static str>,
    pub name: Option<&'static str>,
    pub role: Option<&'static str>,
    pub partner: Option<&'static str>,
}

impl AddErrors {
    fn any(&self) -> bool {
        self.email.is_some() || self.name.is_some() || self.role.is_some() || self.partner.is_some()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "members/list.html")]
struct MembersPage {
    page: Chrome,
    slug: String,
    members: Vec<MemberRow>,
    partners: Vec<PartnerOption>,
    roles: &'static [Role],
    form: AddForm,
    errors: AddErrors,
    row_error: Option<(i64, &'static str)>,
}

impl MembersPage {
    async fn load(page: Chrome, ctx: &mut TenantCtx) -> AppResult<Self> {
        let page = page.in_tenant(ctx);
        let (tenant_id, user_id) = (ctx.tenant.id, ctx.user.id);
        Ok(Self {
            page,
            slug: ctx.tenant.slug.clone(),
            members: members(ctx.conn(), tenant_id, user_id).await?,
            partners: partners(ctx.conn(), tenant_id).await?,
            roles: Role::ALL,
            form: AddForm {
                role: Role::Observer.as_str().to_owned(),
                ..AddForm::default()
            },
            errors: AddErrors::default(),
            row_error: None,
        })
    }
}

async fn list(page: Chrome, mut ctx: TenantCtx) -> AppResult<MembersPage> {
    ctx.members_admin()?;
    let members_page = MembersPage::load(page, &mut ctx).await?;
    Ok(members_page)
}

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

async fn add(
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
async fn reinvite(
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

#[derive(Template, WebTemplate)]
#[template(path = "members/reset_issued.html")]
struct IssuedPage {
    page: Chrome,
    slug: String,
    name: String,
    link: String,
    hours: i32,
}

/// The secretariat makes a reset link for an active member of its tenant.
async fn issue_reset(
    State(state): State<AppState>,
    page: Chrome,
    headers: HeaderMap,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    let member = sqlx::query!(
        "select u.id, u.name, u.tenant_count from memberships m join users u on u.id = m.user_id
         where m.tenant_id = $1 and m.id = $2 and m.active",
        admin.tenant_id(),
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    if member.tenant_count > 1 {
        // Another tenant trusts this account too: only the platform operator may reset it.
        let page = IssuedPage {
            page: page.in_tenant(&ctx),
            slug: ctx.tenant.slug.clone(),
            name: member.name,
            link: String::new(),
            hours: 0,
        };
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let user_id = ctx.user.id;
    let token = links::issue(&admin, ctx.conn(), id, Purpose::Reset, user_id).await?;
    let page = page.in_tenant(&ctx);
    let ctx = ctx.commit().await?;
    tracing::info!(user = member.id, "password reset link issued");
    Ok(IssuedPage {
        page,
        slug: ctx.tenant.slug.clone(),
        name: member.name,
        link: links::absolute(&state.config, &headers, &Purpose::Reset.path(&token)),
        hours: Purpose::Reset.valid_hours(),
    }
    .into_response())
}

/// Asks before withdrawing an invitation.
async fn confirm_withdraw(
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
async fn withdraw(
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

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    partner: String,
    focal_point: Option<String>,
}

async fn change_role(
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
async fn confirm_deactivate(
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

async fn deactivate(
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

async fn activate(mut ctx: TenantCtx, Path((_, id)): Path<(String, i64)>) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    set_active(&admin, ctx.conn(), id, true)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = ctx.commit().await?;
    tracing::info!(membership = id, "member activated");
    Ok(redirect(&ctx.tenant.slug, Notice::Activated))
}

fn redirect(slug: &str, done: Notice) -> Response {
    Redirect::to(&notice::done(&paths::members(slug), done)).into_response()
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

fn account_error(e: AccountError) -> AppError {
    match e {
        AccountError::Database(e) => e.into(),
        other => AppError::Internal(other.into()),
    }
}

/// The partner chosen in a form: empty means none, which a focal point may not have.
async fn parse_partner(
    conn: &mut PgConnection,
    raw: &str,
    focal_point: bool,
) -> AppResult<Result<Option<i64>, &'static str>> {
    if raw.trim().is_empty() {
        return Ok(if focal_point {
            Err("members.focal_needs_partner")
        } else {
            Ok(None)
        });
    }
    let Ok(id) = raw.trim().parse::<i64>() else {
        return Ok(Err("members.partner_invalid"));
    };
    // Row-level security makes another tenant's partner invisible here.
    let found = sqlx::query_scalar!("select id from partners where id = $1", id)
        .fetch_optional(conn)
        .await?;
    Ok(found.map(Some).ok_or("members.partner_invalid"))
}

async fn members(conn: &mut PgConnection, tenant_id: i64, me: i64) -> AppResult<Vec<MemberRow>> {
    let rows = sqlx::query!(
        r#"select m.id, coalesce(m.invited_name, u.name) as "name!", u.email, m.role, m.partner_id,
                  p.name as "partner_name?", m.focal_point, m.active,
                  m.accepted_at is null as "pending!", m.user_id
           from memberships m
           join users u on u.id = m.user_id
           left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
           where m.tenant_id = $1
           order by m.active desc, m.accepted_at is null desc, 2"#,
        tenant_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MemberRow {
            id: r.id,
            name: r.name,
            email: r.email,
            role: Role::parse(&r.role).unwrap_or(Role::Observer),
            partner_id: r.partner_id,
            partner_name: r.partner_name,
            focal_point: r.focal_point,
            active: r.active,
            pending: r.pending,
            is_me: r.user_id == me,
        })
        .collect())
}

async fn partners(conn: &mut PgConnection, tenant_id: i64) -> AppResult<Vec<PartnerOption>> {
    let rows = sqlx::query_as!(
        PartnerOption,
        "select id, acronym, name from partners where tenant_id = $1 order by name",
        tenant_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows)
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
