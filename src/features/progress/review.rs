//! Review of updates, where the tenant asks for it: the secretariat accepts
//! an update (then it counts) or returns it with a comment.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::updates;
use crate::authz::{self, UpdateReviewer};
use crate::error::{AppError, AppResult};
use crate::http::form::{self, FieldErrors};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::reviews, queue)
        .post(at::update_accept, accept)
        .post(at::update_return, send_back)
}

pub struct PendingUpdate {
    pub id: i64,
    pub nap_id: i64,
    pub activity_id: i64,
    pub code: String,
    pub title: String,
    pub author: String,
    pub organisation: Option<String>,
    pub status: String,
    pub progress: i16,
    pub note: String,
    pub at: time::OffsetDateTime,
}

impl PendingUpdate {
    pub fn date(&self) -> String {
        crate::http::page::format_date(self.at)
    }

    pub fn status_key(&self) -> &'static str {
        crate::choices::ActivityStatus::parse(&self.status)
            .map(|s| s.label_key())
            .unwrap_or("activity_status.not-started")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/reviews.html")]
struct QueuePage {
    page: Chrome,
    slug: String,
    pending: Vec<PendingUpdate>,
    errors: FieldErrors,
    /// The update whose return comment was missing.
    failed: Option<i64>,
}

impl QueuePage {
    fn is_failed<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.failed == Some(*id.borrow())
    }
}

async fn load_queue(ctx: &mut TenantCtx) -> AppResult<Vec<PendingUpdate>> {
    Ok(sqlx::query_as!(
        PendingUpdate,
        r#"select u.id, a.nap_id, a.id as activity_id, a.code, a.title, us.name as author,
                  p.name as "organisation?", u.status, u.progress, u.note, u.created_at as at
           from status_updates u
           join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
           join users us on us.id = u.author_id
           left join partners p on p.tenant_id = u.tenant_id and p.id = u.partner_id
           where u.review_state = 'pending'
           order by u.created_at"#
    )
    .fetch_all(ctx.conn())
    .await?)
}

async fn queue(page: Chrome, mut ctx: TenantCtx) -> AppResult<QueuePage> {
    ctx.grant::<authz::ReviewUpdates>()?;
    let pending = load_queue(&mut ctx).await?;
    Ok(QueuePage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        pending,
        errors: FieldErrors::default(),
        failed: None,
    })
}

async fn accept(mut ctx: TenantCtx, Path((_, id)): Path<(String, i64)>) -> AppResult<Redirect> {
    let reviewer = ctx.grant::<authz::ReviewUpdates>()?;
    let by = ctx.user.id;
    if !reviewer.accept_update(ctx.conn(), id, by).await? {
        return Err(AppError::NotFound);
    }
    crate::features::notifications::events::reviewed(&mut ctx, id, true).await?;
    let ctx = ctx.commit().await?;
    tracing::info!(update = id, "update accepted");
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::reviews(&ctx.tenant.slug),
        crate::choices::Notice::UpdateAccepted,
    )))
}

#[derive(Deserialize)]
struct ReturnForm {
    #[serde(default)]
    comment: String,
}

async fn send_back(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<ReturnForm>,
) -> AppResult<Response> {
    let reviewer = ctx.grant::<authz::ReviewUpdates>()?;
    sqlx::query_scalar!(
        "select id from status_updates where id = $1 and review_state = 'pending'",
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let Some(comment) = form::check(&mut errors, "comment", form::required(&f.comment, 2000))
    else {
        let pending = load_queue(&mut ctx).await?;
        let page = QueuePage {
            page: page.in_tenant(&ctx),
            slug: ctx.tenant.slug.clone(),
            pending,
            errors,
            failed: Some(id),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let by = ctx.user.id;
    if !reviewer.return_update(ctx.conn(), id, &comment, by).await? {
        return Err(AppError::NotFound);
    }
    crate::features::notifications::events::reviewed(&mut ctx, id, false).await?;
    let ctx = ctx.commit().await?;
    tracing::info!(update = id, "update returned");
    let to = crate::http::notice::done(
        &crate::paths::reviews(&ctx.tenant.slug),
        crate::choices::Notice::UpdateReturned,
    );
    Ok(Redirect::to(&to).into_response())
}

/// The writes of a review, which only an [`UpdateReviewer`] makes: once,
/// while the update waits (the database refuses a second review too).
impl UpdateReviewer {
    /// Accepts a waiting update and applies it; false if none waits.
    async fn accept_update(&self, conn: &mut PgConnection, id: i64, by: i64) -> AppResult<bool> {
        let done = sqlx::query!(
            "update status_updates set review_state = 'accepted', reviewed_by = $3, reviewed_at = now()
             where tenant_id = $1 and id = $2 and review_state = 'pending'",
            self.tenant_id(),
            id,
            by
        )
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        updates::apply(conn, self, id).await?;
        Ok(true)
    }

    /// Returns a waiting update with a comment; false if none waits.
    async fn return_update(
        &self,
        conn: &mut PgConnection,
        id: i64,
        comment: &str,
        by: i64,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "update status_updates set review_state = 'returned', review_comment = $3, reviewed_by = $4, reviewed_at = now()
             where tenant_id = $1 and id = $2 and review_state = 'pending'",
            self.tenant_id(),
            id,
            comment,
            by
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
