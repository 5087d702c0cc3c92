//! The activity page: what the plan says of one activity, its history of
//! updates, the discussion, open action points and its confidential part,
//! each read from the feature that keeps it. The forms on the page (a
//! comment, a confidential record) post here, so that a refusal shows the
//! page again with the message beside the field.

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::authz;
use crate::error::{AppError, AppResult};
use crate::features::committees::meetings;
use crate::features::confidential::{self, records};
use crate::features::plan::model::{self, ActivityRow, Nap};
use crate::features::plan::quarter::Quarter;
use crate::features::progress::{comments, updates};
use crate::http::form::{self, Form, invalid};
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::activity, show)
        .post(at::activity_comments, comment)
        .post(at::activity_confidential, add_record)
}

#[derive(Template, WebTemplate)]
#[template(path = "activity/page.html")]
pub struct ShowPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    outcome: String,
    activity: ActivityRow,
    description: String,
    place: String,
    can_edit: bool,
    can_report: bool,
    progress: i16,
    spending: Option<i64>,
    updates: Vec<updates::UpdateView>,
    comments: Vec<comments::Comment>,
    actions: Vec<meetings::OpenAction>,
    can_comment: bool,
    /// A refused comment: the message, and what was typed.
    pub comment_error: Option<String>,
    pub comment_body: String,
    /// Confidential records: the banded count, and the records if the viewer keeps them.
    pub confidential: confidential::Section,
    /// The person follows it (its comments reach them).
    following: bool,
    documents: crate::features::documents::Section,
}

async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, activity)): Path<(String, i64, i64)>,
) -> AppResult<ShowPage> {
    compose(page, &mut ctx, id, activity).await
}

/// The activity page: facts, targets, history and discussion, and the
/// confidential records' part, each from the feature that keeps it.
async fn compose(page: Chrome, ctx: &mut TenantCtx, id: i64, activity: i64) -> AppResult<ShowPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let extra = sqlx::query!(
        "select nap_id, description, place from activities where id = $1",
        activity
    )
    .fetch_optional(ctx.conn())
    .await?
    .filter(|a| a.nap_id == id)
    .ok_or(AppError::NotFound)?;
    let tree = model::load_tree_of(ctx.conn(), id, &[activity], Quarter::current()).await?;
    let (code, title, row) = model::find_activity(tree, activity).ok_or(AppError::NotFound)?;
    let head = updates::load_head(ctx.conn(), id, activity).await?;
    let can_report = updates::reporter(ctx, &head).is_ok();
    let updates = updates::history(ctx.conn(), activity, None).await?;
    let comments = comments::load(ctx.conn(), activity).await?;
    let actions = meetings::open_actions(ctx.conn(), None, Some(activity)).await?;
    let can_comment = ctx.grant::<crate::authz::Comment>().is_ok();
    let confidential = confidential::section(ctx, activity).await?;
    let me = ctx.user.id;
    let following =
        crate::features::notifications::follows(ctx.conn(), me, Some(activity), None).await?;
    let documents = crate::features::documents::section(
        ctx,
        crate::features::documents::Link::Activity(activity),
    )
    .await?;
    Ok(ShowPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        outcome: format!("{code} {title}"),
        activity: row,
        description: extra.description,
        place: extra.place,
        can_edit: ctx.can_edit_plan(),
        can_report,
        progress: head.progress,
        spending: head.spending,
        updates,
        comments,
        actions,
        can_comment,
        comment_error: None,
        comment_body: String::new(),
        confidential,
        following,
        documents,
    })
}

#[derive(Deserialize)]
struct CommentForm {
    #[serde(default)]
    body: String,
}

async fn comment(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, nap, activity)): Path<(String, i64, i64)>,
    Form(f): Form<CommentForm>,
) -> AppResult<Response> {
    let commenter = ctx.grant::<authz::Comment>()?;
    model::activity_in_nap(ctx.conn(), nap, activity).await?;
    let body = match form::required(&f.body, 5000) {
        Ok(body) => body,
        Err(key) => {
            let mut page = compose(page, &mut ctx, nap, activity).await?;
            page.comment_error = Some(crate::i18n::t(key).into_owned());
            page.comment_body = f.body;
            return Ok(invalid(page));
        }
    };
    let by = ctx.user.id;
    commenter
        .add_comment(ctx.conn(), activity, by, &body)
        .await?;
    crate::features::notifications::events::comment(&mut ctx, nap, activity).await?;
    let ctx = ctx.commit().await?;
    let to = format!(
        "{}#comments",
        crate::paths::activity(&ctx.tenant.slug, nap, activity)
    );
    Ok(Redirect::to(&crate::http::notice::done(
        &to,
        crate::choices::Notice::CommentAdded,
    ))
    .into_response())
}

/// A new confidential record, sent as a multipart form (it may carry a file).
async fn add_record(
    State(state): State<AppState>,
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, nap, activity)): Path<(String, i64, i64)>,
    request: Request,
) -> AppResult<Response> {
    model::activity_in_nap(ctx.conn(), nap, activity).await?;
    let keeper = confidential::keeper(&mut ctx).await?;
    let record = match records::read_upload(&keeper, &state, request).await? {
        Ok(record) => record,
        Err((typed, errors)) => {
            let mut page = compose(page, &mut ctx, nap, activity).await?;
            page.confidential.form = typed;
            page.confidential.errors = errors;
            return Ok(invalid(page));
        }
    };
    let by = ctx.user.id;
    keeper.add_record(ctx.conn(), activity, &record, by).await?;
    let ctx = ctx.commit().await?;
    let to = format!(
        "{}#confidential",
        crate::paths::activity(&ctx.tenant.slug, nap, activity)
    );
    Ok(Redirect::to(&crate::http::notice::done(
        &to,
        crate::choices::Notice::RecordAdded,
    ))
    .into_response())
}
