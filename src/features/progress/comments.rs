//! Comments on an activity: the partners' discussion beside its history.

use crate::http::form::Form;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;
use sqlx::PgConnection;

use crate::authz;
use crate::error::{AppError, AppResult};
use crate::features::plan::activities::show_page;
use crate::http::form;
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;
use axum::http::StatusCode;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/t/{slug}/naps/{id}/activities/{activity}/comments",
        post(add),
    )
}

pub struct Comment {
    pub author: String,
    pub organisation: Option<String>,
    pub body: String,
    pub at: time::OffsetDateTime,
}

impl Comment {
    pub fn date(&self) -> String {
        crate::http::page::format_date(self.at)
    }
}

pub async fn load(conn: &mut PgConnection, activity: i64) -> AppResult<Vec<Comment>> {
    Ok(sqlx::query_as!(
        Comment,
        r#"select u.name as author, p.name as "organisation?", c.body, c.created_at as at
           from comments c
           join users u on u.id = c.author_id
           left join memberships m on m.tenant_id = c.tenant_id and m.user_id = c.author_id
           left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
           where c.activity_id = $1
           order by c.created_at, c.id"#,
        activity
    )
    .fetch_all(conn)
    .await?)
}

#[derive(Deserialize)]
struct CommentForm {
    #[serde(default)]
    body: String,
}

async fn add(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, nap, activity)): Path<(String, i64, i64)>,
    Form(f): Form<CommentForm>,
) -> AppResult<Response> {
    let commenter = ctx.grant::<authz::Comment>()?;
    sqlx::query_scalar!(
        "select id from activities where id = $1 and nap_id = $2",
        activity,
        nap
    )
    .fetch_optional(&mut *ctx.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let back = format!("/t/{}/naps/{nap}/activities/{activity}", ctx.tenant.slug);
    let body = match form::required(&f.body, 5000) {
        Ok(body) => body,
        Err(key) => {
            let mut page = show_page(page, &mut ctx, nap, activity).await?;
            page.comment_error = Some(crate::i18n::t(key).into_owned());
            page.comment_body = f.body;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    sqlx::query!(
        "insert into comments (tenant_id, activity_id, author_id, body) values ($1, $2, $3, $4)",
        commenter.tenant_id(),
        activity,
        ctx.user.id,
        body
    )
    .execute(&mut *ctx.tx)
    .await?;
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!("{back}#comments")).into_response())
}
