//! Status updates: the form, posting without lost updates, and the history.

use crate::features::plan::model::occurrence_label;
use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::authz::{self, ActivityOwners, ActivityReporter};
use crate::choices::ActivityStatus;
use crate::error::{AppError, AppResult};
use crate::features::plan::quarter::{Quarter, TargetState};
use crate::http::form::{self, FieldErrors};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::activity_update, form_page)
        .post(at::activity_update, post_update)
}

/// What the reporting rules and the form need to know about an activity.
pub struct ActivityHead {
    pub id: i64,
    pub nap_id: i64,
    pub code: String,
    pub title: String,
    pub lead: Option<i64>,
    pub supporting: Vec<i64>,
    pub status: ActivityStatus,
    pub progress: i16,
    pub spending: Option<i64>,
    pub currency: String,
    pub version: i32,
}

pub async fn load_head(
    conn: &mut PgConnection,
    nap_id: i64,
    activity: i64,
) -> AppResult<ActivityHead> {
    let row = sqlx::query!(
        r#"select a.id, a.nap_id, a.code, a.title, a.lead_partner_id, a.status, a.progress, a.spending,
                  a.currency, a.version,
                  coalesce((select array_agg(ap.partner_id) from activity_partners ap
                            where ap.tenant_id = a.tenant_id and ap.activity_id = a.id), '{}') as "supporting!"
           from activities a where a.id = $1"#,
        activity
    )
    .fetch_optional(conn)
    .await?
    .filter(|a| a.nap_id == nap_id)
    .ok_or(AppError::NotFound)?;
    Ok(ActivityHead {
        id: row.id,
        nap_id: row.nap_id,
        code: row.code,
        title: row.title,
        lead: row.lead_partner_id,
        supporting: row.supporting,
        status: ActivityStatus::parse(&row.status).unwrap_or(ActivityStatus::NotStarted),
        progress: row.progress,
        spending: row.spending,
        currency: row.currency,
        version: row.version,
    })
}

/// The capability to report on `head`, or 403.
pub fn reporter(ctx: &TenantCtx, head: &ActivityHead) -> AppResult<ActivityReporter> {
    authz::activity_reporter(
        ctx.tenant.id,
        ctx.member.role,
        ctx.member.focal_point,
        ctx.member.partner_id,
        &ActivityOwners {
            activity_id: head.id,
            lead: head.lead,
            supporting: &head.supporting,
        },
    )
}

/// A target occurrence the update may say it meets.
pub struct OpenTarget {
    pub id: i64,
    /// Its quarter, or its year for a whole year's target.
    pub label: String,
    pub state: TargetState,
}

async fn open_targets(conn: &mut PgConnection, activity: i64) -> AppResult<Vec<OpenTarget>> {
    let today = Quarter::current();
    Ok(sqlx::query!(
        "select id, quarter_index, whole_year from target_occurrences
         where activity_id = $1 and met_at is null and quarter_index <= $2
         order by quarter_index",
        activity,
        today.index() + 4
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|o| {
        let quarter = Quarter::from_index(o.quarter_index);
        OpenTarget {
            id: o.id,
            label: occurrence_label(quarter, o.whole_year),
            state: TargetState::of(quarter, false, today),
        }
    })
    .collect())
}

/// One entry of an activity's history.
pub struct UpdateView {
    pub id: i64,
    pub author: String,
    pub organisation: Option<String>,
    pub at: OffsetDateTime,
    pub status: ActivityStatus,
    pub progress: i16,
    pub note: String,
    pub spending: Option<i64>,
    pub evidence: Vec<String>,
    pub review_state: String,
    pub review_comment: String,
    pub met: Vec<String>,
}

impl UpdateView {
    pub fn date(&self) -> String {
        crate::http::page::format_date(self.at)
    }

    pub fn review_key(&self) -> &'static str {
        match self.review_state.as_str() {
            "pending" => "update.review_pending",
            "returned" => "update.review_returned",
            _ => "update.review_accepted",
        }
    }
}

/// The history of one activity, newest first (or only after `since_version`).
pub async fn history(
    conn: &mut PgConnection,
    activity: i64,
    since_version: Option<i32>,
) -> AppResult<Vec<UpdateView>> {
    let rows = sqlx::query!(
        r#"select u.id, us.name as author, p.name as "organisation?", u.created_at, u.status, u.progress,
                  u.note, u.spending, u.evidence, u.review_state, u.review_comment,
                  coalesce((select array_agg(o.quarter_index order by o.quarter_index, o.id)
                            from update_targets ut
                            join target_occurrences o on o.tenant_id = ut.tenant_id and o.id = ut.occurrence_id
                            where ut.tenant_id = u.tenant_id and ut.update_id = u.id), '{}') as "met!",
                  coalesce((select array_agg(o.whole_year order by o.quarter_index, o.id)
                            from update_targets ut
                            join target_occurrences o on o.tenant_id = ut.tenant_id and o.id = ut.occurrence_id
                            where ut.tenant_id = u.tenant_id and ut.update_id = u.id), '{}') as "met_years!"
           from status_updates u
           join users us on us.id = u.author_id
           left join partners p on p.tenant_id = u.tenant_id and p.id = u.partner_id
           where u.activity_id = $1 and u.based_on_version >= coalesce($2, -1)
           order by u.created_at desc, u.id desc"#,
        activity,
        since_version
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| UpdateView {
            id: r.id,
            author: r.author,
            organisation: r.organisation,
            at: r.created_at,
            status: ActivityStatus::parse(&r.status).unwrap_or(ActivityStatus::NotStarted),
            progress: r.progress,
            note: r.note,
            spending: r.spending,
            evidence: r.evidence,
            review_state: r.review_state,
            review_comment: r.review_comment,
            met: r
                .met
                .into_iter()
                .zip(r.met_years)
                .map(|(i, year)| occurrence_label(Quarter::from_index(i), year))
                .collect(),
        })
        .collect())
}

/// The update form as typed. Targets come as `meet_{occurrence id}` fields.
#[derive(Debug, Default, Clone)]
pub struct UpdateForm {
    pub version: String,
    pub status: String,
    pub progress: String,
    pub note: String,
    pub spending: String,
    pub evidence: String,
    pub meets: Vec<i64>,
}

impl UpdateForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "version" => form.version = value,
                "status" => form.status = value,
                "progress" => form.progress = value,
                "note" => form.note = value,
                "spending" => form.spending = value,
                "evidence" => form.evidence = value,
                k => {
                    if let Some(id) = k.strip_prefix("meet_").and_then(|i| i.parse().ok()) {
                        form.meets.push(id);
                    }
                }
            }
        }
        form
    }

    pub fn meets_target(&self, id: &i64) -> bool {
        self.meets.contains(id)
    }

    fn validate(&self, open: &[OpenTarget]) -> Result<UpdateInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = form::check(
            &mut errors,
            "status",
            ActivityStatus::parse(&self.status).ok_or("field.choose"),
        );
        let progress = form::check(
            &mut errors,
            "progress",
            match self.progress.trim().parse::<i16>() {
                Ok(p) if (0..=100).contains(&p) => Ok(p),
                _ => Err("update.progress_invalid"),
            },
        );
        let note =
            form::check(&mut errors, "note", form::optional(&self.note, 5000)).unwrap_or_default();
        let spending = form::amount(&self.spending)
            .map_err(|key| errors.add_with("spending", key, self.spending.trim()))
            .unwrap_or_default();
        let mut evidence = Vec::new();
        for line in self
            .evidence
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let valid = (line.starts_with("https://") || line.starts_with("http://"))
                && line.len() <= 500
                && !line.chars().any(char::is_whitespace);
            if valid {
                evidence.push(line.to_owned());
            } else {
                errors.add_with("evidence", "update.evidence_invalid", line);
            }
        }
        if self
            .meets
            .iter()
            .any(|id| !open.iter().any(|o| o.id == *id))
        {
            errors.add("meets", "update.target_unknown");
        }
        match (status, progress) {
            (Some(status), Some(progress)) if errors.is_empty() => Ok(UpdateInput {
                status,
                progress,
                note,
                spending,
                evidence,
                meets: self.meets.clone(),
            }),
            _ => Err(errors),
        }
    }
}

pub struct UpdateInput {
    pub status: ActivityStatus,
    pub progress: i16,
    pub note: String,
    pub spending: Option<i64>,
    pub evidence: Vec<String>,
    pub meets: Vec<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/update_form.html")]
struct FormPage {
    page: Chrome,
    slug: String,
    head: ActivityHead,
    targets: Vec<OpenTarget>,
    statuses: &'static [ActivityStatus],
    form: UpdateForm,
    errors: FieldErrors,
    /// On a conflict: what others posted since the form was opened.
    others: Vec<UpdateView>,
    waits_for_review: bool,
}

async fn render(
    page: Chrome,
    ctx: &mut TenantCtx,
    head: ActivityHead,
    form: UpdateForm,
    errors: FieldErrors,
    others: Vec<UpdateView>,
    reporter: &ActivityReporter,
) -> AppResult<FormPage> {
    let targets = open_targets(ctx.conn(), head.id).await?;
    let waits_for_review = waits_for_review(ctx, reporter).await?;
    Ok(FormPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        head,
        targets,
        statuses: ActivityStatus::ALL,
        form,
        errors,
        others,
        waits_for_review,
    })
}

async fn waits_for_review(ctx: &mut TenantCtx, reporter: &ActivityReporter) -> AppResult<bool> {
    if reporter.is_secretariat() {
        return Ok(false);
    }
    Ok(sqlx::query_scalar!(
        "select review_updates from tenants where id = $1",
        ctx.tenant.id
    )
    .fetch_one(ctx.conn())
    .await?)
}

async fn form_page(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, nap, activity)): Path<(String, i64, i64)>,
) -> AppResult<FormPage> {
    let head = load_head(ctx.conn(), nap, activity).await?;
    let reporter = reporter(&ctx, &head)?;
    let form = UpdateForm {
        version: head.version.to_string(),
        status: head.status.as_str().to_owned(),
        progress: head.progress.to_string(),
        spending: head.spending.map(|s| s.to_string()).unwrap_or_default(),
        ..UpdateForm::default()
    };
    render(
        page,
        &mut ctx,
        head,
        form,
        FieldErrors::default(),
        Vec::new(),
        &reporter,
    )
    .await
}

async fn post_update(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, nap, activity)): Path<(String, i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let head = load_head(ctx.conn(), nap, activity).await?;
    let reporter = reporter(&ctx, &head)?;
    let form = UpdateForm::from_pairs(pairs);
    let open = open_targets(ctx.conn(), head.id).await?;
    let input = match form.validate(&open) {
        Ok(input) => input,
        Err(errors) => {
            let page = render(page, &mut ctx, head, form, errors, Vec::new(), &reporter).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let based_on: i32 = form.version.trim().parse().unwrap_or(-1);
    let pending = waits_for_review(&mut ctx, &reporter).await?;
    let user_id = ctx.user.id;
    match record(&reporter, ctx.conn(), user_id, based_on, &input, pending).await? {
        Recorded::Conflict => {
            // Someone else got there first: show theirs beside what was typed.
            let others = history(ctx.conn(), head.id, Some(based_on)).await?;
            let mut form = form;
            form.version = head.version.to_string();
            let mut errors = FieldErrors::default();
            errors.add("version", "update.conflict");
            let page = render(page, &mut ctx, head, form, errors, others, &reporter).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Recorded::Saved(id) => {
            crate::features::notifications::events::update_posted(&mut ctx, nap, head.id).await?;
            let ctx = ctx.commit().await?;
            tracing::info!(
                activity = head.id,
                update = id,
                pending,
                "status update posted"
            );
            let notice = if pending {
                crate::choices::Notice::UpdatePending
            } else {
                crate::choices::Notice::UpdateRecorded
            };
            let to = crate::http::notice::done(
                &crate::paths::activity(&ctx.tenant.slug, nap, head.id),
                notice,
            );
            Ok(Redirect::to(&to).into_response())
        }
    }
}

pub enum Recorded {
    Saved(i64),
    Conflict,
}

/// Records an update based on `based_on` (the activity's version when the
/// form was opened). Exactly one of several updates based on the same
/// version lands; the row lock on the activity decides which.
pub async fn record(
    reporter: &ActivityReporter,
    conn: &mut PgConnection,
    author: i64,
    based_on: i32,
    input: &UpdateInput,
    pending: bool,
) -> AppResult<Recorded> {
    let bumped = sqlx::query_scalar!(
        "update activities set version = version + 1 where tenant_id = $1 and id = $2 and version = $3 returning version",
        reporter.tenant_id(),
        reporter.activity_id(),
        based_on
    )
    .fetch_optional(&mut *conn)
    .await?;
    if bumped.is_none() {
        return Ok(Recorded::Conflict);
    }
    let id = sqlx::query_scalar!(
        "insert into status_updates (tenant_id, activity_id, author_id, partner_id, status, progress, note,
                                     spending, evidence, based_on_version, review_state)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
        reporter.tenant_id(),
        reporter.activity_id(),
        author,
        reporter.partner_id(),
        input.status.as_str(),
        input.progress,
        input.note,
        input.spending,
        &input.evidence,
        based_on,
        if pending { "pending" } else { "accepted" }
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into update_targets (tenant_id, update_id, occurrence_id)
         select $1, $2, o.id from target_occurrences o where o.activity_id = $3 and o.id = any($4)",
        reporter.tenant_id(),
        id,
        reporter.activity_id(),
        &input.meets
    )
    .execute(&mut *conn)
    .await?;
    if !pending {
        apply(conn, reporter, id).await?;
    }
    Ok(Recorded::Saved(id))
}

/// Makes an accepted update count: the activity's figures and the targets
/// it meets. Its reporter does (updates that need no review) or its reviewer.
pub async fn apply<K: crate::authz::AcceptsUpdates>(
    conn: &mut PgConnection,
    accepting: &crate::authz::Cap<K>,
    update_id: i64,
) -> AppResult<()> {
    let tenant_id = accepting.tenant_id();
    sqlx::query!(
        "update activities a set status = u.status, progress = u.progress,
                spending = coalesce(u.spending, a.spending), last_update_at = u.created_at
         from status_updates u
         where u.tenant_id = $1 and u.id = $2 and a.tenant_id = u.tenant_id and a.id = u.activity_id",
        tenant_id,
        update_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update target_occurrences o set met_at = u.created_at
         from update_targets ut join status_updates u on u.tenant_id = ut.tenant_id and u.id = ut.update_id
         where ut.tenant_id = $1 and ut.update_id = $2 and o.tenant_id = ut.tenant_id
           and o.id = ut.occurrence_id and o.met_at is null",
        tenant_id,
        update_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
