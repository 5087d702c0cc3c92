//! A record's own pages (to anyone outside its groups it does not exist),
//! its file, and the writes of the groups that keep records: only a
//! [`ConfidentialKeeper`] makes them, and every read is logged.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Multipart, Path, Request};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use super::{KINDS, MAX_FILE, RecordForm, record_keeper};
use crate::authz::ConfidentialKeeper;
use crate::error::{AppError, AppResult};
use crate::http::download::{self, attachment};
use crate::http::form::{self, FieldErrors, Form};
use crate::http::page::{Chrome, ConfirmPage, Confirmation, format_date};
use crate::i18n;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

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
pub(super) struct RecordPage {
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
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)
}

pub(super) async fn show_record(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, record)): Path<(String, i64)>,
) -> AppResult<RecordPage> {
    let keeper = record_keeper(&mut ctx).await?;
    let record = load_record(&mut ctx, &keeper, record).await?;
    keeper.log_read(ctx.conn(), record.id).await?;
    let page = RecordPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        record,
    };
    ctx.commit().await?;
    Ok(page)
}

/// The file, always as a download: never shown inline on our origin.
pub(super) async fn download(
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
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    keeper.log_read(ctx.conn(), record).await?;
    ctx.commit().await?;
    Ok(attachment(
        file.data,
        "application/octet-stream",
        &file.name,
    ))
}

pub(super) async fn confirm_delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, record)): Path<(String, i64)>,
) -> AppResult<ConfirmPage> {
    let keeper = record_keeper(&mut ctx).await?;
    delete_page(page, &mut ctx, &keeper, record).await
}

/// What deleting the record does, said before it happens.
async fn delete_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    keeper: &ConfidentialKeeper,
    record: i64,
) -> AppResult<ConfirmPage> {
    let row = load_record(ctx, keeper, record).await?;
    let slug = ctx.tenant.slug.clone();
    Ok(ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t("confidential.delete_question").into_owned(),
        crate::paths::confidential_record_delete(&slug, row.id),
        crate::paths::confidential_record(&slug, row.id),
    )
    .then(i18n::t_with(
        "confirm.record_goes",
        "value",
        &row.group_name,
    ))
    .then(i18n::t("confirm.record_logged").into_owned()))
}

pub(super) async fn delete_record(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, record)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let keeper = record_keeper(&mut ctx).await?;
    if !confirmation.given() {
        return Ok(delete_page(page, &mut ctx, &keeper, record)
            .await?
            .instead());
    }
    let (nap, activity) = keeper
        .delete_record(ctx.conn(), record)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = ctx.commit().await?;
    let to = format!(
        "{}#confidential",
        crate::paths::activity(&ctx.tenant.slug, nap, activity)
    );
    Ok(Redirect::to(&crate::http::notice::done(
        &to,
        crate::choices::Notice::Deleted,
    ))
    .into_response())
}

/// A record as typed and checked, with its file.
pub struct NewRecord {
    kind: &'static str,
    title: String,
    body: String,
    group: i64,
    /// Name (cleaned), type and bytes.
    file: Option<(String, String, Vec<u8>)>,
}

/// Reads the multipart form of a new record. A refusal keeps what was
/// typed, beside each field; a file must be chosen again.
pub async fn read_upload(
    keeper: &ConfidentialKeeper,
    state: &AppState,
    request: Request,
) -> AppResult<Result<NewRecord, (RecordForm, FieldErrors)>> {
    let mut typed = RecordForm::default();
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut errors = FieldErrors::default();
    let mut multipart = Multipart::from_request(request, state).await?;
    while let Some(field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = download::clean_file_name(field.file_name().unwrap_or_default());
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
    let kind = KINDS.iter().find(|k| **k == typed.kind).copied();
    if kind.is_none() {
        errors.add("kind", "field.choose");
    }
    let title = form::check(&mut errors, "title", form::required(&typed.title, 200));
    let body = form::check(&mut errors, "body", form::optional(&typed.body, 20_000));
    let group = typed.group.parse::<i64>().ok().filter(|g| keeper.keeps(*g));
    if group.is_none() {
        errors.add("group", "field.choose");
    }
    Ok(match (kind, title, body, group, errors.is_empty()) {
        (Some(kind), Some(title), Some(body), Some(group), true) => Ok(NewRecord {
            kind,
            title,
            body,
            group,
            file,
        }),
        _ => {
            if file.is_some() {
                errors.add("file", "confidential.file_again");
            }
            Err((typed, errors))
        }
    })
}

/// The writes of confidential records: only their keepers make them, and
/// row-level security checks the group again.
impl ConfidentialKeeper {
    pub async fn add_record(
        &self,
        conn: &mut PgConnection,
        activity: i64,
        r: &NewRecord,
        by: i64,
    ) -> AppResult<()> {
        let (file_name, file_type, file_data) = match &r.file {
            Some((n, t, d)) => (Some(n), Some(t), Some(d)),
            None => (None, None, None),
        };
        sqlx::query!(
            "insert into confidential_records
                 (tenant_id, activity_id, group_id, kind, title, body, file_name, file_type, file_data, created_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            self.tenant_id(),
            activity,
            r.group,
            r.kind,
            r.title,
            r.body,
            file_name,
            file_type,
            file_data,
            by
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// The record's NAP and activity, or `None` if the holder keeps no such record.
    async fn delete_record(
        &self,
        conn: &mut PgConnection,
        record: i64,
    ) -> AppResult<Option<(i64, i64)>> {
        Ok(sqlx::query!(
            "delete from confidential_records where tenant_id = $1 and id = $2 and group_id = any($3)
             returning activity_id, (select nap_id from activities a
                                     where a.tenant_id = confidential_records.tenant_id
                                       and a.id = confidential_records.activity_id) as \"nap_id!\"",
            self.tenant_id(),
            record,
            self.groups()
        )
        .fetch_optional(conn)
        .await?
        .map(|gone| (gone.nap_id, gone.activity_id)))
    }

    /// Writes "this person read that record" to the audit log.
    async fn log_read(&self, conn: &mut PgConnection, record: i64) -> AppResult<()> {
        sqlx::query!(
            "insert into audit_log (tenant_id, actor, request_id, action, object_type, object_id)
             values ($1, app_user_id(), coalesce(current_setting('app.request_id', true), ''), 'read',
                     'confidential_records', $2)",
            self.tenant_id(),
            record
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
