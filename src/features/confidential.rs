//! Confidential records: notes and files about victims (a referral, say)
//! attached to an activity and kept by an assigned group of members.
//!
//! Three walls: the handlers ask `authz` for a [`ConfidentialKeeper`], the
//! queries name its groups, and a restrictive row-level policy refuses every
//! row of another group whatever the query says. Everyone else sees one
//! figure per activity, banded so that small numbers say nothing. Each read
//! of a record is written to the audit log; what a record says never is.

use crate::http::form::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::authz::{self, ConfidentialGroupsAdmin, ConfidentialKeeper};
use crate::error::{AppError, AppResult};
use crate::features::plan::activities::show_page;
use crate::http::download::{self, attachment};
use crate::http::form::{self, FieldErrors};
use crate::http::page::{Chrome, ConfirmPage, format_date};
use crate::i18n;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

/// The largest file a record may carry.
const MAX_FILE: usize = 5 * 1024 * 1024;
/// Below this many records, others learn only "fewer than 5".
const SMALLEST_SHOWN: i32 = 5;
const KINDS: [&str; 2] = ["referral", "note"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/confidential", get(groups).post(create_group))
        .route(
            "/t/{slug}/confidential/groups/{group}/members",
            post(add_member),
        )
        .route(
            "/t/{slug}/confidential/groups/{group}/members/{user}/remove",
            post(remove_member),
        )
        .route(
            "/t/{slug}/naps/{id}/activities/{activity}/confidential",
            post(add_record),
        )
        .route("/t/{slug}/confidential/records/{record}", get(show_record))
        .route(
            "/t/{slug}/confidential/records/{record}/file",
            get(download),
        )
        .route(
            "/t/{slug}/confidential/records/{record}/delete",
            get(confirm_delete).post(delete_record),
        )
}

/// The groups the signed-in person keeps records for, as a capability.
async fn keeper(ctx: &mut TenantCtx) -> AppResult<ConfidentialKeeper> {
    let groups = sqlx::query_scalar!(
        "select group_id from confidential_group_members where user_id = $1",
        ctx.user.id
    )
    .fetch_all(&mut *ctx.tx)
    .await?;
    authz::confidential_keeper(
        ctx.tenant.id,
        ctx.member.role,
        ctx.member.focal_point,
        groups,
    )
}

/// The same, for a record's own pages: to anyone outside its groups a
/// record does not exist, exactly as another tenant's would not.
async fn record_keeper(ctx: &mut TenantCtx) -> AppResult<ConfidentialKeeper> {
    keeper(ctx).await.map_err(|e| match e {
        AppError::Forbidden => AppError::NotFound,
        e => e,
    })
}

fn groups_admin(ctx: &TenantCtx) -> AppResult<ConfidentialGroupsAdmin> {
    ctx.grant::<authz::ManageConfidentialGroups>()
}

/// Records for `count` said without saying how few: none, fewer than 5, or the number.
pub fn banded(count: i32) -> String {
    match count {
        n if n <= 0 => i18n::t("confidential.count_none").into_owned(),
        n if n < SMALLEST_SHOWN => i18n::t("confidential.count_few").into_owned(),
        n => i18n::t_with("confidential.count", "value", &n.to_string()),
    }
}

pub fn kind_key(kind: &str) -> &'static str {
    match kind {
        "referral" => "confidential.kind.referral",
        _ => "confidential.kind.note",
    }
}

pub struct RecordLine {
    pub id: i64,
    pub kind: String,
    pub group_name: String,
    pub author: String,
    pub at: time::OffsetDateTime,
}

impl RecordLine {
    pub fn date(&self) -> String {
        format_date(self.at)
    }
}

pub struct GroupChoice {
    pub id: i64,
    pub name: String,
}

/// What the person typed into the new-record form.
#[derive(Default)]
pub struct RecordForm {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub group: String,
}

/// The confidential part of an activity page.
pub struct Section {
    /// Every record on the activity, for the banded figure.
    pub total: i32,
    /// Those the viewer keeps; empty for everyone outside the groups.
    pub records: Vec<RecordLine>,
    /// The viewer's groups; empty means the viewer cannot add records.
    pub groups: Vec<GroupChoice>,
    pub form: RecordForm,
    pub errors: FieldErrors,
}

impl Section {
    pub fn banded(&self) -> String {
        banded(self.total)
    }

    pub fn kinds(&self) -> [&'static str; 2] {
        KINDS
    }
}

/// Loads the section for one activity: three queries, whatever the plan's size.
pub async fn section(ctx: &mut TenantCtx, activity: i64) -> AppResult<Section> {
    let total = sqlx::query_scalar!(
        "select records from confidential_counts where activity_id = $1",
        activity
    )
    .fetch_optional(&mut *ctx.tx)
    .await?
    .unwrap_or(0);
    let Ok(keeper) = keeper(ctx).await else {
        return Ok(Section {
            total,
            records: Vec::new(),
            groups: Vec::new(),
            form: RecordForm::default(),
            errors: FieldErrors::default(),
        });
    };
    let groups = sqlx::query_as!(
        GroupChoice,
        "select id, name from confidential_groups where id = any($1) order by name",
        keeper.groups()
    )
    .fetch_all(&mut *ctx.tx)
    .await?;
    let records = sqlx::query_as!(
        RecordLine,
        r#"select r.id, r.kind, g.name as group_name, u.name as author, r.created_at as at
           from confidential_records r
           join confidential_groups g on g.tenant_id = r.tenant_id and g.id = r.group_id
           join users u on u.id = r.created_by
           where r.activity_id = $1 and r.group_id = any($2)
           order by r.created_at desc, r.id desc"#,
        activity,
        keeper.groups()
    )
    .fetch_all(&mut *ctx.tx)
    .await?;
    Ok(Section {
        total,
        records,
        groups,
        form: RecordForm::default(),
        errors: FieldErrors::default(),
    })
}

/// Writes "this person read that record" to the audit log.
async fn log_read(
    conn: &mut PgConnection,
    keeper: &ConfidentialKeeper,
    record: i64,
) -> AppResult<()> {
    sqlx::query!(
        "insert into audit_log (tenant_id, actor, request_id, action, object_type, object_id)
         values ($1, app_user_id(), coalesce(current_setting('app.request_id', true), ''), 'read',
                 'confidential_records', $2)",
        keeper.tenant_id(),
        record
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A new record, sent as a multipart form (it may carry a file).
async fn add_record(
    State(state): State<AppState>,
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, nap, activity)): Path<(String, i64, i64)>,
    request: Request,
) -> AppResult<Response> {
    sqlx::query_scalar!(
        "select id from activities where id = $1 and nap_id = $2",
        activity,
        nap
    )
    .fetch_optional(&mut *ctx.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let keeper = keeper(&mut ctx).await?;
    let mut typed = RecordForm::default();
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut errors = FieldErrors::default();
    let mut multipart = Multipart::from_request(request, &state).await?;
    while let Some(field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let file_type = field.content_type().unwrap_or_default().to_owned();
            let bytes = field.bytes().await?;
            if bytes.len() > MAX_FILE {
                errors.add("file", "confidential.file_too_large");
            } else if !bytes.is_empty() {
                file = Some((file_name, file_type, bytes.to_vec()));
            }
            continue;
        }
        let value = field.text().await?;
        match name.as_str() {
            "kind" => typed.kind = value,
            "title" => typed.title = value,
            "body" => typed.body = value,
            "group" => typed.group = value,
            _ => {}
        }
    }
    let kind = KINDS.iter().find(|k| **k == typed.kind);
    if kind.is_none() {
        errors.add("kind", "field.choose");
    }
    let title = form::check(&mut errors, "title", form::required(&typed.title, 200));
    let body = form::check(&mut errors, "body", form::optional(&typed.body, 20_000));
    let group = typed.group.parse::<i64>().ok().filter(|g| keeper.keeps(*g));
    if group.is_none() {
        errors.add("group", "field.choose");
    }
    let file = file.map(|(name, kind, bytes)| {
        let name = download::clean_file_name(&name);
        (name, kind, bytes)
    });
    let (Some(kind), Some(title), Some(body), Some(group), true) =
        (kind, title, body, group, errors.is_empty())
    else {
        if file.is_some() {
            errors.add("file", "confidential.file_again");
        }
        let mut page = show_page(page, &mut ctx, nap, activity).await?;
        page.confidential.form = typed;
        page.confidential.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (file_name, file_type, file_data) = match file {
        Some((n, t, d)) => (Some(n), Some(t), Some(d)),
        None => (None, None, None),
    };
    sqlx::query!(
        "insert into confidential_records
             (tenant_id, activity_id, group_id, kind, title, body, file_name, file_type, file_data, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        keeper.tenant_id(),
        activity,
        group,
        *kind,
        title,
        body,
        file_name,
        file_type,
        file_data,
        ctx.user.id
    )
    .execute(&mut *ctx.tx)
    .await?;
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/t/{}/naps/{nap}/activities/{activity}#confidential",
        ctx.tenant.slug
    ))
    .into_response())
}

struct Record {
    id: i64,
    kind: String,
    title: String,
    body: String,
    file_name: Option<String>,
    file_size: Option<i32>,
    group_name: String,
    author: String,
    at: time::OffsetDateTime,
    activity_id: i64,
    nap_id: i64,
    activity: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "confidential/record.html")]
struct RecordPage {
    page: Chrome,
    slug: String,
    record: Record,
}

impl RecordPage {
    fn date(&self) -> String {
        format_date(self.record.at)
    }

    fn size(&self) -> String {
        let bytes = self.record.file_size.unwrap_or(0);
        if bytes < 1024 {
            format!("{bytes} B")
        } else {
            format!("{} KB", (bytes + 1023) / 1024)
        }
    }
}

async fn load_record(
    ctx: &mut TenantCtx,
    keeper: &ConfidentialKeeper,
    record: i64,
) -> AppResult<Record> {
    sqlx::query_as!(
        Record,
        r#"select r.id, r.kind, r.title, r.body, r.file_name, length(r.file_data) as file_size,
                  g.name as group_name, u.name as author, r.created_at as at,
                  a.id as activity_id, a.nap_id, a.code || ' ' || a.title as "activity!"
           from confidential_records r
           join confidential_groups g on g.tenant_id = r.tenant_id and g.id = r.group_id
           join users u on u.id = r.created_by
           join activities a on a.tenant_id = r.tenant_id and a.id = r.activity_id
           where r.id = $1 and r.group_id = any($2)"#,
        record,
        keeper.groups()
    )
    .fetch_optional(&mut *ctx.tx)
    .await?
    .ok_or(AppError::NotFound)
}

async fn show_record(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, record)): Path<(String, i64)>,
) -> AppResult<RecordPage> {
    let keeper = record_keeper(&mut ctx).await?;
    let record = load_record(&mut ctx, &keeper, record).await?;
    log_read(&mut ctx.tx, &keeper, record.id).await?;
    let page = RecordPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        record,
    };
    ctx.tx.commit().await?;
    Ok(page)
}

/// The file, always as a download: never shown inline on our origin.
async fn download(
    mut ctx: TenantCtx,
    Path((_, record)): Path<(String, i64)>,
) -> AppResult<Response> {
    let keeper = record_keeper(&mut ctx).await?;
    let file = sqlx::query!(
        r#"select file_name as "name!", file_data as "data!" from confidential_records
           where id = $1 and group_id = any($2) and file_data is not null"#,
        record,
        keeper.groups()
    )
    .fetch_optional(&mut *ctx.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    log_read(&mut ctx.tx, &keeper, record).await?;
    ctx.tx.commit().await?;
    Ok(attachment(
        file.data,
        "application/octet-stream",
        &file.name,
    ))
}

async fn confirm_delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, record)): Path<(String, i64)>,
) -> AppResult<ConfirmPage> {
    let keeper = record_keeper(&mut ctx).await?;
    let row = load_record(&mut ctx, &keeper, record).await?;
    let slug = ctx.tenant.slug.clone();
    Ok(ConfirmPage {
        page: page.in_tenant(&ctx),
        question: i18n::t("confidential.delete_question").into_owned(),
        problem: None,
        action: format!("/t/{slug}/confidential/records/{}/delete", row.id),
        back: format!("/t/{slug}/confidential/records/{}", row.id),
    })
}

async fn delete_record(
    mut ctx: TenantCtx,
    Path((_, record)): Path<(String, i64)>,
) -> AppResult<Redirect> {
    let keeper = record_keeper(&mut ctx).await?;
    let gone = sqlx::query!(
        "delete from confidential_records where tenant_id = $1 and id = $2 and group_id = any($3)
         returning activity_id, (select nap_id from activities a
                                 where a.tenant_id = confidential_records.tenant_id
                                   and a.id = confidential_records.activity_id) as \"nap_id!\"",
        keeper.tenant_id(),
        record,
        keeper.groups()
    )
    .fetch_optional(&mut *ctx.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/t/{}/naps/{}/activities/{}#confidential",
        ctx.tenant.slug, gone.nap_id, gone.activity_id
    )))
}

// ----- The groups, set up by the secretariat -----

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
struct GroupsPage {
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
    .fetch_all(&mut *ctx.tx)
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
    .fetch_all(&mut *ctx.tx)
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

async fn groups(page: Chrome, mut ctx: TenantCtx) -> AppResult<GroupsPage> {
    let admin = groups_admin(&ctx)?;
    groups_page(page, &mut ctx, &admin).await
}

#[derive(Deserialize)]
struct GroupForm {
    #[serde(default)]
    name: String,
}

async fn create_group(
    page: Chrome,
    mut ctx: TenantCtx,
    Form(f): Form<GroupForm>,
) -> AppResult<Response> {
    let admin = groups_admin(&ctx)?;
    let mut errors = FieldErrors::default();
    if let Some(name) = form::check(&mut errors, "name", form::required(&f.name, 200)) {
        let added = sqlx::query!(
            "insert into confidential_groups (tenant_id, name) values ($1, $2)
             on conflict (tenant_id, name) do nothing",
            admin.tenant_id(),
            name
        )
        .execute(&mut *ctx.tx)
        .await?;
        if added.rows_affected() == 1 {
            ctx.tx.commit().await?;
            return Ok(
                Redirect::to(&format!("/t/{}/confidential", ctx.tenant.slug)).into_response(),
            );
        }
        errors.add("name", "confidential.group_exists");
    }
    let mut page = groups_page(page, &mut ctx, &admin).await?;
    page.name = f.name;
    page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
struct MemberForm {
    #[serde(default)]
    user: String,
}

async fn add_member(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, group)): Path<(String, i64)>,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    let admin = groups_admin(&ctx)?;
    sqlx::query_scalar!("select id from confidential_groups where id = $1", group)
        .fetch_optional(&mut *ctx.tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let eligible = match f.user.parse::<i64>() {
        Ok(user) => sqlx::query_scalar!(
            "select user_id from memberships where user_id = $1 and active and role <> 'observer'",
            user
        )
        .fetch_optional(&mut *ctx.tx)
        .await?,
        Err(_) => None,
    };
    let Some(user) = eligible else {
        let mut page = groups_page(page, &mut ctx, &admin).await?;
        page.row_error = Some((group, "confidential.member_not_eligible"));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    sqlx::query!(
        "insert into confidential_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)
         on conflict do nothing",
        admin.tenant_id(),
        group,
        user
    )
    .execute(&mut *ctx.tx)
    .await?;
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/t/{}/confidential#group-{group}",
        ctx.tenant.slug
    ))
    .into_response())
}

async fn remove_member(
    mut ctx: TenantCtx,
    Path((_, group, user)): Path<(String, i64, i64)>,
) -> AppResult<Redirect> {
    let admin = groups_admin(&ctx)?;
    let done = sqlx::query!(
        "delete from confidential_group_members where tenant_id = $1 and group_id = $2 and user_id = $3",
        admin.tenant_id(),
        group,
        user
    )
    .execute(&mut *ctx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/t/{}/confidential#group-{group}",
        ctx.tenant.slug
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_banded() {
        assert_eq!(banded(0), i18n::t("confidential.count_none"));
        assert_eq!(banded(1), i18n::t("confidential.count_few"));
        assert_eq!(banded(4), i18n::t("confidential.count_few"));
        assert!(banded(5).contains('5'));
        assert!(banded(12).contains("12"));
    }
}
