//! The events pages make, each told to the people it concerns, in the
//! request's transaction (before its commit): a comment, a review, a
//! hand-over, a meeting scheduled or its minutes published, an action point
//! assigned, new terms of reference. The one who acted is never told.

use time::OffsetDateTime;

use super::notify::{self, Category, Notice, except};
use crate::authz;
use crate::error::AppResult;
use crate::features::committees::calendar::{CalendarMeeting, calendar};
use crate::tenancy::TenantCtx;

/// Who acted, the tenant's address, and the right to notify.
fn parts(ctx: &TenantCtx) -> AppResult<(i64, String, authz::TenantMember)> {
    Ok((
        ctx.user.id,
        ctx.tenant.slug.clone(),
        ctx.grant::<authz::ViewTenant>()?,
    ))
}

/// A comment on an activity: its organisations' focal points and followers.
pub async fn comment(ctx: &mut TenantCtx, nap: i64, activity: i64) -> AppResult<()> {
    let (me, slug, member) = parts(ctx)?;
    let (name, people) = notify::of_activity(ctx.conn(), activity, false).await?;
    let people = except(people, me);
    let notice = Notice::new(
        Category::Comments,
        "comment",
        format!("{}#comments", crate::paths::activity(&slug, nap, activity)),
    )
    .with("author", &ctx.user.name)
    .with("activity", name);
    member.notify(ctx.conn(), &people, &notice).await?;
    Ok(())
}

/// An update posted: the secretariat, the activity's organisations' focal
/// points and its followers (weekly by default: the digest's "what
/// happened").
pub async fn update_posted(ctx: &mut TenantCtx, nap: i64, activity: i64) -> AppResult<()> {
    let (me, slug, member) = parts(ctx)?;
    let (name, people) = notify::of_activity(ctx.conn(), activity, true).await?;
    let notice = Notice::new(
        Category::Updates,
        "update_posted",
        crate::paths::activity(&slug, nap, activity),
    )
    .with("author", &ctx.user.name)
    .with("activity", name);
    member
        .notify(ctx.conn(), &except(people, me), &notice)
        .await?;
    Ok(())
}

/// An update accepted or returned: its author.
pub async fn reviewed(ctx: &mut TenantCtx, update: i64, accepted: bool) -> AppResult<()> {
    let (me, slug, member) = parts(ctx)?;
    notify::reviewed(ctx.conn(), &member, &slug, update, accepted, me).await
}

/// Duties handed over: the successor.
pub async fn handover(ctx: &mut TenantCtx, to_user: i64, from_name: &str) -> AppResult<()> {
    let (me, slug, member) = parts(ctx)?;
    let notice = Notice::new(
        Category::Committees,
        "handover",
        crate::paths::tenant_home(&slug),
    )
    .with("from", from_name);
    member
        .notify(ctx.conn(), &except(vec![to_user], me), &notice)
        .await?;
    Ok(())
}

/// A committee's name and a meeting's start, as events name them.
async fn meeting_of(
    ctx: &mut TenantCtx,
    committee: i64,
    meeting: i64,
) -> AppResult<(String, OffsetDateTime, String, String, OffsetDateTime)> {
    let m = sqlx::query!(
        "select c.name, m.starts_at, m.place, m.link, m.updated_at
         from meetings m join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
         where m.id = $1 and m.committee_id = $2",
        meeting,
        committee
    )
    .fetch_one(ctx.conn())
    .await?;
    Ok((m.name, m.starts_at, m.place, m.link, m.updated_at))
}

/// A meeting scheduled: the committee's members and followers, with the
/// meeting as a calendar file (when and where; never the agenda).
pub async fn meeting_scheduled(ctx: &mut TenantCtx, committee: i64, meeting: i64) -> AppResult<()> {
    let (me, slug, member) = parts(ctx)?;
    let (name, starts_at, place, link, changed_at) = meeting_of(ctx, committee, meeting).await?;
    let page = crate::paths::meeting(&slug, committee, meeting);
    let ics = calendar(
        None,
        &[CalendarMeeting {
            uid: format!("meeting-{}-{meeting}", member.tenant_id()),
            committee: &name,
            starts_at,
            changed_at,
            place: &place,
            link: &link,
            agenda: "",
            page: None,
        }],
    );
    let people = except(notify::of_committee(ctx.conn(), committee).await?, me);
    let mut notice = Notice::new(Category::Meetings, "meeting_scheduled", page)
        .with("committee", &name)
        .with("date", starts_at.date());
    notice.attachment = Some(ics);
    member.notify(ctx.conn(), &people, &notice).await?;
    Ok(())
}

/// A meeting's minutes published (`first`: not before): the committee's
/// members and followers.
pub async fn minutes_published(
    ctx: &mut TenantCtx,
    committee: i64,
    meeting: i64,
    first: bool,
) -> AppResult<()> {
    if !first {
        return Ok(());
    }
    let (me, slug, member) = parts(ctx)?;
    let (name, starts_at, ..) = meeting_of(ctx, committee, meeting).await?;
    let people = except(notify::of_committee(ctx.conn(), committee).await?, me);
    let notice = Notice::new(
        Category::Meetings,
        "minutes_published",
        crate::paths::meeting(&slug, committee, meeting),
    )
    .with("committee", &name)
    .with("date", starts_at.date());
    member.notify(ctx.conn(), &people, &notice).await?;
    Ok(())
}

/// A decision taken at a meeting: the committee's members and followers
/// (weekly by default: the digest's decisions). The sentence names the
/// committee and the meeting; the decision's words are on its page.
pub async fn decision_taken(ctx: &mut TenantCtx, committee: i64, meeting: i64) -> AppResult<()> {
    let (me, slug, member) = parts(ctx)?;
    let (name, starts_at, ..) = meeting_of(ctx, committee, meeting).await?;
    let people = except(notify::of_committee(ctx.conn(), committee).await?, me);
    let notice = Notice::new(
        Category::Meetings,
        "decision_taken",
        crate::paths::meeting(&slug, committee, meeting),
    )
    .with("committee", &name)
    .with("date", starts_at.date());
    member.notify(ctx.conn(), &people, &notice).await?;
    Ok(())
}

/// An action point given to an organisation: its focal points.
pub async fn action_assigned(
    ctx: &mut TenantCtx,
    committee: i64,
    meeting: i64,
    owner: Option<i64>,
    text: &str,
) -> AppResult<()> {
    let Some(owner) = owner else {
        return Ok(());
    };
    let (me, slug, member) = parts(ctx)?;
    let (name, ..) = meeting_of(ctx, committee, meeting).await?;
    let acronym = sqlx::query_scalar!("select acronym from partners where id = $1", owner)
        .fetch_one(ctx.conn())
        .await?;
    let people = except(notify::focal_points(ctx.conn(), &[owner]).await?, me);
    let notice = Notice::new(
        Category::Actions,
        "action_assigned",
        crate::paths::meeting(&slug, committee, meeting),
    )
    .with("committee", &name)
    .with("partner", acronym)
    .with("text", text);
    member.notify(ctx.conn(), &people, &notice).await?;
    Ok(())
}

/// New terms of reference: the committee's members and followers.
pub async fn tor_published(ctx: &mut TenantCtx, committee: i64, version: i32) -> AppResult<()> {
    let (me, slug, member) = parts(ctx)?;
    let name = sqlx::query_scalar!("select name from committees where id = $1", committee)
        .fetch_one(ctx.conn())
        .await?;
    let people = except(notify::of_committee(ctx.conn(), committee).await?, me);
    let notice = Notice::new(
        Category::Committees,
        "tor_published",
        crate::paths::committee_tor_v(&slug, committee, version),
    )
    .with("committee", &name)
    .with("version", version);
    member.notify(ctx.conn(), &people, &notice).await?;
    Ok(())
}
