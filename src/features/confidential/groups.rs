//! The groups that keep confidential records, and who is in them: set up
//! by the secretariat (never with observers), which reads no record by it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::groups_admin;
use crate::authz::ConfidentialGroupsAdmin;
use crate::error::{AppError, AppResult};
use crate::http::form::{self, FieldErrors, Form};
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::paths;
use crate::tenancy::TenantCtx;

pub struct GroupMember {
    pub user_id: i64,
    pub name: String,
}

pub struct Group {
    pub id: i64,
    pub name: String,
    pub members: Vec<GroupMember>,
}

#[derive(Template, WebTemplate)]
#[template(path = "confidential/groups.html")]
pub(super) struct GroupsPage {
    page: Chrome,
    slug: String,
    groups: Vec<Group>,
    /// Who may be put in a group: active members other than observers.
    eligible: Vec<GroupMember>,
    name: String,
    errors: FieldErrors,
    /// A refused addition: the group and the message key.
    row_error: Option<(i64, &'static str)>,
}

async fn groups_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    admin: &ConfidentialGroupsAdmin,
) -> AppResult<GroupsPage> {
    let rows = sqlx::query!(
        r#"select g.id, g.name, u.id as "user_id?", u.name as "user_name?"
           from confidential_groups g
           left join confidential_group_members m on m.tenant_id = g.tenant_id and m.group_id = g.id
           left join users u on u.id = m.user_id
           where g.tenant_id = $1
           order by g.name, g.id, u.name"#,
        admin.tenant_id()
    )
    .fetch_all(ctx.conn())
    .await?;
    let mut groups: Vec<Group> = Vec::new();
    for row in rows {
        if groups.last().is_none_or(|g| g.id != row.id) {
            groups.push(Group {
                id: row.id,
                name: row.name,
                members: Vec::new(),
            });
        }
        if let (Some(user_id), Some(name), Some(group)) =
            (row.user_id, row.user_name, groups.last_mut())
        {
            group.members.push(GroupMember { user_id, name });
        }
    }
    let eligible = sqlx::query_as!(
        GroupMember,
        "select u.id as user_id, u.name from memberships m join users u on u.id = m.user_id
         where m.active and m.role <> 'observer' order by u.name",
    )
    .fetch_all(ctx.conn())
    .await?;
    Ok(GroupsPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        groups,
        eligible,
        name: String::new(),
        errors: FieldErrors::default(),
        row_error: None,
    })
}

pub(super) async fn groups(page: Chrome, mut ctx: TenantCtx) -> AppResult<GroupsPage> {
    let admin = groups_admin(&ctx)?;
    groups_page(page, &mut ctx, &admin).await
}

#[derive(Deserialize)]
pub(super) struct GroupForm {
    #[serde(default)]
    name: String,
}

pub(super) async fn create_group(
    page: Chrome,
    mut ctx: TenantCtx,
    Form(f): Form<GroupForm>,
) -> AppResult<Response> {
    let admin = groups_admin(&ctx)?;
    let mut errors = FieldErrors::default();
    if let Some(name) = form::check(&mut errors, "name", form::required(&f.name, 200)) {
        if admin.create_group(ctx.conn(), &name).await? {
            let ctx = ctx.commit().await?;
            let to = crate::http::notice::done(
                &crate::paths::confidential(&ctx.tenant.slug),
                crate::choices::Notice::Added,
            );
            return Ok(Redirect::to(&to).into_response());
        }
        errors.add("name", "confidential.group_exists");
    }
    let mut page = groups_page(page, &mut ctx, &admin).await?;
    page.name = f.name;
    page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
pub(super) struct MemberForm {
    #[serde(default)]
    user: String,
}

pub(super) async fn add_member(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, group)): Path<(String, i64)>,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    let admin = groups_admin(&ctx)?;
    sqlx::query_scalar!("select id from confidential_groups where id = $1", group)
        .fetch_optional(ctx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let eligible = match f.user.parse::<i64>() {
        Ok(user) => sqlx::query_scalar!(
            "select user_id from memberships where user_id = $1 and active and role <> 'observer'",
            user
        )
        .fetch_optional(ctx.conn())
        .await?,
        Err(_) => None,
    };
    let Some(user) = eligible else {
        let mut page = groups_page(page, &mut ctx, &admin).await?;
        page.row_error = Some((group, "confidential.member_not_eligible"));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    admin.add_to_group(ctx.conn(), group, user).await?;
    let ctx = ctx.commit().await?;
    Ok(Redirect::to(&format!(
        "{}#group-{group}",
        paths::confidential(&ctx.tenant.slug)
    ))
    .into_response())
}

/// Taking someone out of a group: asked first, on a page that says they
/// stop seeing the group's records at once (the groups page's button posts
/// without the confirmation and gets that page).
pub(super) async fn remove_member(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, group, user)): Path<(String, i64, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let admin = groups_admin(&ctx)?;
    if !confirmation.given() {
        return Ok(remove_page(page, &mut ctx, group, user).await?.instead());
    }
    if !admin.remove_from_group(ctx.conn(), group, user).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &format!("{}#group-{group}", paths::confidential(&ctx.tenant.slug)),
        crate::choices::Notice::Removed,
    );
    Ok(Redirect::to(&to).into_response())
}

async fn remove_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    group: i64,
    user: i64,
) -> AppResult<ConfirmPage> {
    let row = sqlx::query!(
        "select g.name as group_name, u.name as person from confidential_group_members m
         join confidential_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id
         join users u on u.id = m.user_id
         where m.group_id = $1 and m.user_id = $2",
        group,
        user
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let slug = ctx.tenant.slug.clone();
    let question = i18n::t_args(
        "confirm.remove_from_group_question",
        &[("person", &row.person), ("group", &row.group_name)],
    );
    Ok(ConfirmPage::new(
        page.in_tenant(ctx),
        question,
        paths::confidential_group_member_remove(&slug, group, user),
        format!("{}#group-{group}", paths::confidential(&slug)),
    )
    .words("confirm.remove_title", "confirm.remove")
    .then(i18n::t_with(
        "confirm.remove_from_group_effect",
        "value",
        &row.person,
    )))
}

/// The writes of the groups, which only the secretariat's
/// [`ConfidentialGroupsAdmin`] makes.
impl ConfidentialGroupsAdmin {
    /// False if the tenant has a group of that name already.
    async fn create_group(&self, conn: &mut PgConnection, name: &str) -> AppResult<bool> {
        let added = sqlx::query!(
            "insert into confidential_groups (tenant_id, name) values ($1, $2)
             on conflict (tenant_id, name) do nothing",
            self.tenant_id(),
            name
        )
        .execute(conn)
        .await?;
        Ok(added.rows_affected() == 1)
    }

    async fn add_to_group(&self, conn: &mut PgConnection, group: i64, user: i64) -> AppResult<()> {
        sqlx::query!(
            "insert into confidential_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)
             on conflict do nothing",
            self.tenant_id(),
            group,
            user
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// False if the person was not in the group.
    async fn remove_from_group(
        &self,
        conn: &mut PgConnection,
        group: i64,
        user: i64,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "delete from confidential_group_members where tenant_id = $1 and group_id = $2 and user_id = $3",
            self.tenant_id(),
            group,
            user
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
