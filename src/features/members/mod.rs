//! `/t/{slug}/members`: the secretariat invites people, changes their role
//! and deactivates them. Everyone else gets 403.
//!
//! Adding someone never sets a password: it makes a pending membership and
//! an invitation link, and answers the same whether or not the address
//! already has an account, so one tenant cannot learn who else uses the
//! platform, nor take over an account another tenant trusts.

mod access;
mod invitations;
mod reset;

use crate::choices::Notice;
use crate::http::notice;
use crate::http::routes::Routes;
use crate::paths;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::authz::Role;
use crate::error::AppResult;
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::members, list)
        .post(at::members, invitations::add)
        .post(at::member_role, access::change_role)
        .get(at::member_deactivate, access::confirm_deactivate)
        .post(at::member_deactivate, access::deactivate)
        .post(at::member_activate, access::activate)
        .post(at::member_invite, invitations::reinvite)
        .get(at::member_withdraw, invitations::confirm_withdraw)
        .post(at::member_withdraw, invitations::withdraw)
        .post(at::member_reset, reset::issue_reset)
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

fn redirect(slug: &str, done: Notice) -> Response {
    Redirect::to(&notice::done(&paths::members(slug), done)).into_response()
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
