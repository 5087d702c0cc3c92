//! Closing a plan whose work is over: every open activity (neither
//! completed nor cancelled) gets the final status the secretariat chooses,
//! recorded as the secretariat's update with its note (history, like any
//! other update), and the plan is marked closed. Asked first, on a page
//! that says how many activities it touches.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::model::{self, Nap};
use crate::authz::PlanEditor;
use crate::choices::ActivityStatus;
use crate::error::AppResult;
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::{CONFIRM_VALUE, Chrome};
use crate::http::routes::Routes;
use crate::paths::at;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::nap_close, ask)
        .post(at::nap_close, close)
}

/// The final status, the note that explains it, and the confirmation.
#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub confirm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/close.html")]
struct ClosePage {
    page: Chrome,
    slug: String,
    nap: Nap,
    /// Activities the closing gives their final status.
    open: i64,
    statuses: &'static [ActivityStatus],
    form: CloseForm,
    errors: FieldErrors,
}

async fn open_activities(conn: &mut PgConnection, nap: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"select count(*) as "n!" from activities
           where nap_id = $1 and status not in ('completed', 'cancelled')"#,
        nap
    )
    .fetch_one(conn)
    .await?)
}

async fn close_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    form: CloseForm,
    errors: FieldErrors,
) -> AppResult<ClosePage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let open = open_activities(ctx.conn(), id).await?;
    Ok(ClosePage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        open,
        statuses: ActivityStatus::ALL,
        form,
        errors,
    })
}

async fn ask(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ClosePage> {
    ctx.plan_editor()?;
    let form = CloseForm {
        status: ActivityStatus::Cancelled.as_str().to_owned(),
        ..CloseForm::default()
    };
    close_page(page, &mut ctx, id, form, FieldErrors::default()).await
}

async fn close(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<CloseForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    model::load_nap(ctx.conn(), id).await?;
    let mut errors = FieldErrors::default();
    let status = form::check(
        &mut errors,
        "status",
        ActivityStatus::parse(&f.status).ok_or("close.status_required"),
    );
    let note = form::check(&mut errors, "note", form::required(&f.note, 2000));
    let (Some(status), Some(note), true) = (status, note, errors.is_empty()) else {
        let page = close_page(page, &mut ctx, id, f, errors).await?;
        return Ok(invalid(page));
    };
    if f.confirm != CONFIRM_VALUE {
        return Ok(close_page(page, &mut ctx, id, f, errors)
            .await?
            .into_response());
    }
    let author = ctx.user.id;
    let closed = editor
        .close_nap(ctx.conn(), id, author, status, &note)
        .await?;
    let ctx = ctx.commit().await?;
    tracing::info!(nap = id, activities = closed, "NAP closed");
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::nap_dashboard(&ctx.tenant.slug, id),
        crate::choices::Notice::Saved,
    ))
    .into_response())
}

/// The closing's writes, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// Gives every open activity of the NAP `status` as an accepted update
    /// of `author`'s (the secretariat's, so for no organisation), moves its
    /// figures as an accepted update does, and marks the NAP closed; how
    /// many activities it gave their final status.
    async fn close_nap(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        author: i64,
        status: ActivityStatus,
        note: &str,
    ) -> AppResult<u64> {
        let done = sqlx::query!(
            r#"with open as (
                   select id, version, progress from activities
                   where tenant_id = $1 and nap_id = $2 and status not in ('completed', 'cancelled')
                   for update),
               recorded as (
                   insert into status_updates (tenant_id, activity_id, author_id, status, progress, note,
                                               based_on_version, review_state)
                   select $1, id, $3, $4, case when $4 = 'completed' then 100 else progress end, $5, version,
                          'accepted'
                   from open
                   returning activity_id, progress, created_at)
               update activities a
               set status = $4, progress = r.progress, version = a.version + 1, last_update_at = r.created_at
               from recorded r
               where a.tenant_id = $1 and a.id = r.activity_id"#,
            self.tenant_id(),
            nap,
            author,
            status.as_str(),
            note
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "update naps set status = 'closed' where tenant_id = $1 and id = $2",
            self.tenant_id(),
            nap
        )
        .execute(&mut *conn)
        .await?;
        Ok(done.rows_affected())
    }
}
