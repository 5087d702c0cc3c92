//! Meetings of a committee: agenda, attendance with the quorum of the terms
//! of reference, minutes, numbered decisions and action points. Their
//! writes are the [`CommitteeEditor`]'s (`store`).

mod store;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::committee::{self, Committee, parse_date};
use super::seats::{self, MemberRow};
use crate::error::{AppError, AppResult};
use crate::features::notifications::events;
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::paths::at;
use crate::tenancy::TenantCtx;
use store::{NewAction, NewMeeting};

pub fn router() -> Routes {
    Routes::new()
        .post(at::committee_meetings, create)
        .get(at::meeting, show)
        .get(at::meeting_ics, super::calendar::meeting_ics)
        .post(at::meeting_attendance, attendance)
        .post(at::meeting_minutes, minutes)
        .post(at::meeting_minutes_publish, publish_minutes)
        .post(at::meeting_decisions, decide)
        .post(at::meeting_actions, add_action)
        .post(at::action_done, action_done)
}

pub struct MeetingRow {
    pub id: i64,
    pub starts_at: OffsetDateTime,
    pub place: String,
    pub minutes_published: bool,
}

impl MeetingRow {
    pub fn when(&self) -> String {
        when(self.starts_at)
    }

    pub fn is_upcoming(&self) -> bool {
        self.starts_at > OffsetDateTime::now_utc()
    }
}

pub fn when(at: OffsetDateTime) -> String {
    format!(
        "{} {:02}:{:02}",
        crate::http::page::format_date(at),
        at.hour(),
        at.minute()
    )
}

pub async fn list(conn: &mut PgConnection, committee: i64) -> AppResult<Vec<MeetingRow>> {
    Ok(sqlx::query_as!(
        MeetingRow,
        "select id, starts_at, place, minutes_published from meetings where committee_id = $1 order by starts_at desc",
        committee
    )
    .fetch_all(conn)
    .await?)
}

#[derive(Default, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub agenda: String,
}

/// "2026-12-15 10:00", read as UTC.
fn parse_start(raw: &str) -> Result<OffsetDateTime, &'static str> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    PrimitiveDateTime::parse(raw.trim(), &format)
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|_| {
            if raw.trim().is_empty() {
                "field.required"
            } else {
                "meeting.start_invalid"
            }
        })
}

async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<MeetingForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    let mut errors = FieldErrors::default();
    let starts_at = form::check(&mut errors, "starts_at", parse_start(&f.starts_at));
    let place = form::check(&mut errors, "place", form::optional(&f.place, 300));
    let link = form::check(
        &mut errors,
        "link",
        match f.link.trim() {
            "" => Ok(String::new()),
            l if l.starts_with("https://")
                && !l.contains(char::is_whitespace)
                && l.len() <= 500 =>
            {
                Ok(l.to_owned())
            }
            _ => Err("meeting.link_invalid"),
        },
    );
    let agenda = form::check(&mut errors, "agenda", form::optional(&f.agenda, 10_000));
    let (Some(starts_at), Some(place), Some(link), Some(agenda), true) =
        (starts_at, place, link, agenda, errors.is_empty())
    else {
        let page =
            super::show::show_page(page, &mut ctx, id, Default::default(), f, errors).await?;
        return Ok(invalid(page));
    };
    committee::load(ctx.conn(), id).await?;
    let new = NewMeeting {
        starts_at,
        place,
        link,
        agenda,
    };
    let meeting = editor.add_meeting(ctx.conn(), id, &new).await?;
    events::meeting_scheduled(&mut ctx, id, meeting).await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::meeting(&ctx.tenant.slug, id, meeting),
        crate::choices::Notice::Added,
    );
    Ok(Redirect::to(&to).into_response())
}

pub struct Meeting {
    pub id: i64,
    pub starts_at: OffsetDateTime,
    pub place: String,
    pub link: String,
    pub agenda: String,
    pub minutes: String,
    /// The public portal shows the minutes (on the committee's public page).
    pub minutes_published: bool,
    pub updated_at: OffsetDateTime,
}

impl Meeting {
    pub fn when(&self) -> String {
        when(self.starts_at)
    }

    pub fn agenda_items(&self) -> Vec<&str> {
        self.agenda
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

pub async fn load(conn: &mut PgConnection, committee: i64, meeting: i64) -> AppResult<Meeting> {
    sqlx::query_as!(
        Meeting,
        "select id, starts_at, place, link, agenda, minutes, minutes_published, updated_at
         from meetings where id = $1 and committee_id = $2",
        meeting,
        committee
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)
}

pub struct Decision {
    pub number: i32,
    pub text: String,
}

pub struct ActionPoint {
    pub id: i64,
    pub text: String,
    /// The owner's acronym and full name.
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub due_on: Option<Date>,
    pub activity: Option<String>,
    pub done_on: Option<Date>,
}

impl ActionPoint {
    /// Open and past its due date.
    pub fn is_late(&self) -> bool {
        self.done_on.is_none() && is_past(self.due_on)
    }
}

/// Whether a due date has passed (today is not late yet).
pub fn is_past(due_on: Option<Date>) -> bool {
    due_on.is_some_and(|d| d < OffsetDateTime::now_utc().date())
}

/// Attendance against the quorum of the latest published terms of reference.
pub struct Quorum {
    pub present: usize,
    pub voting: usize,
    /// `None` when the terms of reference set no quorum (or there are none).
    pub percent: Option<i16>,
    pub reached: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/meeting.html")]
struct ShowPage {
    page: Chrome,
    slug: String,
    committee: Committee,
    meeting: Meeting,
    members: Vec<(MemberRow, String)>,
    quorum: Quorum,
    decisions: Vec<Decision>,
    actions: Vec<ActionPoint>,
    can_edit: bool,
    partners: Vec<String>,
    form: ActionForm,
    errors: FieldErrors,
    documents: crate::features::documents::Section,
}

async fn show_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    meeting: i64,
    form: ActionForm,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let committee = committee::load(ctx.conn(), id).await?;
    let meeting = load(ctx.conn(), id, meeting).await?;
    let presence: std::collections::HashMap<i64, String> = sqlx::query!(
        "select member_id, presence from attendance where meeting_id = $1",
        meeting.id
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .map(|a| (a.member_id, a.presence))
    .collect();
    let members: Vec<(MemberRow, String)> = seats::members(ctx.conn(), id)
        .await?
        .into_iter()
        // Nobody holds a vacant seat: it neither attends nor counts
        // towards the quorum.
        .filter(|m| !m.is_vacant())
        .filter(|m| m.left_on.is_none() || presence.contains_key(&m.id))
        .map(|m| {
            let p = presence.get(&m.id).cloned().unwrap_or_default();
            (m, p)
        })
        .collect();
    let percent = sqlx::query_scalar!(
        "select quorum_percent from tor_versions where committee_id = $1 and version is not null order by version desc limit 1",
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .flatten();
    let voting: Vec<&(MemberRow, String)> =
        members.iter().filter(|(m, _)| m.seat.votes()).collect();
    let present = voting.iter().filter(|(_, p)| p == "present").count();
    let reached = percent.is_some_and(|percent| {
        !voting.is_empty()
            && present * 100 >= voting.len() * usize::try_from(percent).unwrap_or(100)
    });
    let decisions = sqlx::query_as!(
        Decision,
        "select number, text from decisions where meeting_id = $1 order by number",
        meeting.id
    )
    .fetch_all(ctx.conn())
    .await?;
    let actions = sqlx::query_as!(
        ActionPoint,
        r#"select ap.id, ap.text, p.acronym as "owner?", p.name as "owner_name?", ap.due_on, a.code as "activity?",
                  ap.done_on
           from action_points ap
           left join partners p on p.tenant_id = ap.tenant_id and p.id = ap.owner_partner_id
           left join activities a on a.tenant_id = ap.tenant_id and a.id = ap.activity_id
           where ap.meeting_id = $1 order by ap.id"#,
        meeting.id
    )
    .fetch_all(ctx.conn())
    .await?;
    let partners = crate::features::partners::acronyms(ctx.conn()).await?;
    use crate::features::documents::{Link, section};
    Ok(ShowPage {
        documents: section(ctx, Link::Meeting(meeting.id)).await?,
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        meeting,
        quorum: Quorum {
            present,
            voting: voting.len(),
            percent,
            reached,
        },
        members,
        decisions,
        actions,
        can_edit: ctx.committee_editor().is_ok(),
        partners,
        form,
        errors,
    })
}

async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, meeting)): Path<(String, i64, i64)>,
) -> AppResult<ShowPage> {
    show_page(
        page,
        &mut ctx,
        id,
        meeting,
        ActionForm::default(),
        FieldErrors::default(),
    )
    .await
}

fn back(slug: &str, id: i64, meeting: i64) -> Response {
    Redirect::to(&crate::http::notice::done(
        &crate::paths::meeting(slug, id, meeting),
        crate::choices::Notice::Saved,
    ))
    .into_response()
}

/// `presence_{member id}` fields: present, apologies or absent.
async fn attendance(
    mut ctx: TenantCtx,
    Path((_, id, meeting)): Path<(String, i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    load(ctx.conn(), id, meeting).await?;
    for (key, value) in pairs {
        let Some(member) = key
            .strip_prefix("presence_")
            .and_then(|m| m.parse::<i64>().ok())
        else {
            continue;
        };
        if !["present", "apologies", "absent"].contains(&value.as_str()) {
            continue;
        }
        editor
            .record_presence(ctx.conn(), id, meeting, member, &value)
            .await?;
    }
    let ctx = ctx.commit().await?;
    Ok(back(&ctx.tenant.slug, id, meeting))
}

#[derive(Deserialize)]
struct MinutesForm {
    #[serde(default)]
    minutes: String,
}

async fn minutes(
    mut ctx: TenantCtx,
    Path((_, id, meeting)): Path<(String, i64, i64)>,
    Form(f): Form<MinutesForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    let text = form::optional(&f.minutes, 50_000).map_err(|_| AppError::BadRequest)?;
    if !editor.set_minutes(ctx.conn(), id, meeting, &text).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    Ok(back(&ctx.tenant.slug, id, meeting))
}

#[derive(Deserialize)]
struct PublishForm {
    /// "yes" publishes the minutes on the public portal, anything else withdraws them.
    #[serde(default)]
    publish: String,
}

/// Puts a meeting's minutes on the committee's public page, or takes them off.
async fn publish_minutes(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, meeting)): Path<(String, i64, i64)>,
    Form(f): Form<PublishForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    let current = load(ctx.conn(), id, meeting).await?;
    let publish = f.publish == "yes";
    if publish && current.minutes.trim().is_empty() {
        let mut errors = FieldErrors::default();
        errors.add("minutes", "meeting.minutes_empty");
        let page = show_page(page, &mut ctx, id, meeting, ActionForm::default(), errors).await?;
        return Ok(invalid(page));
    }
    editor
        .publish_minutes(ctx.conn(), id, meeting, publish)
        .await?;
    events::minutes_published(&mut ctx, id, meeting, publish && !current.minutes_published).await?;
    let ctx = ctx.commit().await?;
    let notice = if publish {
        crate::choices::Notice::MinutesPublished
    } else {
        crate::choices::Notice::MinutesWithdrawn
    };
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::meeting(&ctx.tenant.slug, id, meeting),
        notice,
    ))
    .into_response())
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    text: String,
}

async fn decide(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, meeting)): Path<(String, i64, i64)>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    load(ctx.conn(), id, meeting).await?;
    let text = match form::required(&f.text, 5000) {
        Ok(t) => t,
        Err(key) => {
            let mut errors = FieldErrors::default();
            errors.add("decision", key);
            let page =
                show_page(page, &mut ctx, id, meeting, ActionForm::default(), errors).await?;
            return Ok(invalid(page));
        }
    };
    editor.take_decision(ctx.conn(), id, meeting, &text).await?;
    events::decision_taken(&mut ctx, id, meeting).await?;
    let ctx = ctx.commit().await?;
    Ok(back(&ctx.tenant.slug, id, meeting))
}

#[derive(Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub activity: String,
}

async fn add_action(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, meeting)): Path<(String, i64, i64)>,
    Form(f): Form<ActionForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    load(ctx.conn(), id, meeting).await?;
    let mut errors = FieldErrors::default();
    let text = form::check(&mut errors, "text", form::required(&f.text, 2000));
    let due_on = form::check(&mut errors, "due_on", parse_date(&f.due_on));
    let owner =
        crate::features::partners::by_acronym(ctx.conn(), &f.owner, "owner", &mut errors).await?;
    // An activity by its code, in any NAP the tenant has (newest first).
    let activity = match f.activity.trim() {
        "" => None,
        code => {
            let found = sqlx::query_scalar!(
                "select a.id from activities a join naps n on n.tenant_id = a.tenant_id and n.id = a.nap_id
                 where a.code = $1 order by n.start_year desc limit 1",
                code
            )
            .fetch_optional(ctx.conn())
            .await?;
            if found.is_none() {
                errors.add_with("activity", "meeting.activity_unknown", code);
            }
            found
        }
    };
    let (Some(text), Some(due_on), true) = (text, due_on, errors.is_empty()) else {
        let page = show_page(page, &mut ctx, id, meeting, f, errors).await?;
        return Ok(invalid(page));
    };
    let action = NewAction {
        text,
        owner,
        due_on,
        activity,
    };
    editor
        .add_action_point(ctx.conn(), meeting, &action)
        .await?;
    events::action_assigned(&mut ctx, id, meeting, action.owner, &action.text).await?;
    let ctx = ctx.commit().await?;
    Ok(back(&ctx.tenant.slug, id, meeting))
}

async fn action_done(
    mut ctx: TenantCtx,
    Path((_, id, action)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    let meeting = editor
        .close_action_point(ctx.conn(), id, action)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = ctx.commit().await?;
    Ok(back(&ctx.tenant.slug, id, meeting))
}

/// Open action points, for the dashboard, "my work" and an activity's page.
pub struct OpenAction {
    pub committee_id: i64,
    pub meeting_id: i64,
    pub text: String,
    /// The owner's acronym; `owner_name` is its full name.
    pub owner: Option<String>,
    pub due_on: Option<Date>,
    pub activity: Option<String>,
    pub id: i64,
    pub owner_name: Option<String>,
}

impl OpenAction {
    /// Past its due date (it is open).
    pub fn is_late(&self) -> bool {
        is_past(self.due_on)
    }

    /// Days past its due date; 0 when it is not late.
    pub fn days_late(&self) -> i64 {
        self.due_on.map_or(0, |d| {
            (OffsetDateTime::now_utc().date() - d).whole_days().max(0)
        })
    }
}

/// Open action points owned by `partner`, linked to `activity`, or all.
pub async fn open_actions(
    conn: &mut PgConnection,
    partner: Option<i64>,
    activity: Option<i64>,
) -> AppResult<Vec<OpenAction>> {
    Ok(sqlx::query_as!(
        OpenAction,
        r#"select m.committee_id, ap.meeting_id, ap.text, p.acronym as "owner?", ap.due_on, a.code as "activity?",
                  ap.id, p.name as "owner_name?"
           from action_points ap
           join meetings m on m.tenant_id = ap.tenant_id and m.id = ap.meeting_id
           left join partners p on p.tenant_id = ap.tenant_id and p.id = ap.owner_partner_id
           left join activities a on a.tenant_id = ap.tenant_id and a.id = ap.activity_id
           where ap.done_on is null
             and ($1::bigint is null or ap.owner_partner_id = $1)
             and ($2::bigint is null or ap.activity_id = $2)
           order by ap.due_on nulls last, ap.id
           limit 50"#,
        partner,
        activity
    )
    .fetch_all(conn)
    .await?)
}
