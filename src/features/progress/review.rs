//! Review of updates, where the tenant asks for it: the secretariat accepts
//! an update (then it counts) or returns it with a comment.

use crate::http::form::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::updates;
use crate::authz;
use crate::error::{AppError, AppResult};
use crate::http::form::{self, FieldErrors};
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/reviews", get(queue))
        .route("/t/{slug}/updates/{id}/accept", post(accept))
        .route("/t/{slug}/updates/{id}/return", post(send_back))
        .route("/t/{slug}/settings", get(settings).post(save_settings))
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
    .fetch_all(&mut *ctx.tx)
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
    let done = sqlx::query!(
        "update status_updates set review_state = 'accepted', reviewed_by = $3, reviewed_at = now()
         where tenant_id = $1 and id = $2 and review_state = 'pending'",
        reviewer.tenant_id(),
        id,
        ctx.user.id
    )
    .execute(&mut *ctx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    updates::apply(&mut ctx.tx, reviewer.tenant_id(), id).await?;
    ctx.tx.commit().await?;
    tracing::info!(update = id, "update accepted");
    Ok(Redirect::to(&format!("/t/{}/reviews", ctx.tenant.slug)))
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
    .fetch_optional(&mut *ctx.tx)
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
    let done = sqlx::query!(
        "update status_updates set review_state = 'returned', review_comment = $3, reviewed_by = $4, reviewed_at = now()
         where tenant_id = $1 and id = $2 and review_state = 'pending'",
        reviewer.tenant_id(),
        id,
        comment,
        ctx.user.id
    )
    .execute(&mut *ctx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    ctx.tx.commit().await?;
    tracing::info!(update = id, "update returned");
    Ok(Redirect::to(&format!("/t/{}/reviews", ctx.tenant.slug)).into_response())
}

#[derive(Default, Deserialize)]
pub struct SettingsForm {
    pub review_updates: Option<String>,
    pub publish_spending: Option<String>,
    pub require_two_factor: Option<String>,
    #[serde(default)]
    pub stale_days: String,
    #[serde(default)]
    pub default_language: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/settings.html")]
struct SettingsPage {
    page: Chrome,
    slug: String,
    form: SettingsForm,
    errors: FieldErrors,
}

async fn settings(page: Chrome, mut ctx: TenantCtx) -> AppResult<SettingsPage> {
    ctx.plan_editor()?;
    let row = sqlx::query!(
        "select review_updates, stale_days, publish_spending, require_two_factor, default_language
         from tenants where id = $1",
        ctx.tenant.id
    )
    .fetch_one(&mut *ctx.tx)
    .await?;
    Ok(SettingsPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        form: SettingsForm {
            review_updates: row.review_updates.then(|| "on".to_owned()),
            publish_spending: row.publish_spending.then(|| "on".to_owned()),
            require_two_factor: row.require_two_factor.then(|| "on".to_owned()),
            stale_days: row.stale_days.to_string(),
            default_language: row.default_language,
        },
        errors: FieldErrors::default(),
    })
}

async fn save_settings(
    page: Chrome,
    mut ctx: TenantCtx,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let mut errors = FieldErrors::default();
    let stale_days = form::check(
        &mut errors,
        "stale_days",
        match f.stale_days.trim().parse::<i32>() {
            Ok(d) if (1..=3650).contains(&d) => Ok(d),
            _ => Err("settings.stale_days_invalid"),
        },
    );
    // Left out of the form: unchanged.
    let default_language = match f.default_language.trim() {
        "" => Some(ctx.tenant.default_language.clone()),
        code => form::check(
            &mut errors,
            "default_language",
            crate::i18n::supported(code)
                .map(str::to_owned)
                .ok_or("field.choose"),
        ),
    };
    // Requiring it of the secretariat while lacking it would lock oneself out.
    if f.require_two_factor.is_some() && !ctx.user.two_factor {
        errors.add("require_two_factor", "settings.two_factor_self_first");
    }
    let (Some(stale_days), Some(default_language), true) =
        (stale_days, default_language, errors.is_empty())
    else {
        let page = SettingsPage {
            page: page.in_tenant(&ctx),
            slug: ctx.tenant.slug.clone(),
            form: f,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    // The tenants table has no tenant_id: the capability names which row.
    sqlx::query!(
        "update tenants set review_updates = $2, stale_days = $3, publish_spending = $4,
                            require_two_factor = $5, default_language = $6
         where id = $1",
        editor.tenant_id(),
        f.review_updates.is_some(),
        stale_days,
        f.publish_spending.is_some(),
        f.require_two_factor.is_some(),
        default_language
    )
    .execute(&mut *ctx.tx)
    .await?;
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!("/t/{}/settings", ctx.tenant.slug)).into_response())
}
