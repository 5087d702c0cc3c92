//! Meetings in people's own calendars, kept up to date: a secret address
//! per person (the meetings of the committees where they hold a seat) and
//! per committee, which a calendar application subscribes to. Only the
//! hash of each token is stored, so an address is shown once, when it is
//! issued; getting a new one replaces it and the old one stops working.
//! The feed itself answers without a session (`/calendar/{token}/…`) and
//! carries what a calendar needs (when, where, the agenda), never minutes,
//! attendance or anything said at a meeting.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use sqlx::PgConnection;
use time::OffsetDateTime;

use super::calendar::{CalendarMeeting, calendar};
use crate::auth::links::absolute;
use crate::authz::{TenantMember, ViewTenant};
use crate::error::{AppError, AppResult};
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;
use crate::tenancy::calendar::{FeedTenant, token_hash};

/// The meetings a feed shows: from a year back, so a calendar keeps the
/// recent past, to whatever is planned.
async fn feed_meetings(
    conn: &mut PgConnection,
    committee: Option<i64>,
    user: i64,
) -> AppResult<Vec<FeedMeeting>> {
    Ok(sqlx::query_as!(
        FeedMeeting,
        r#"select m.id, m.committee_id, c.name as committee, m.starts_at, m.updated_at, m.place, m.link, m.agenda
           from meetings m
           join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
           where m.starts_at > now() - interval '1 year'
             and case when $1::bigint is null
                      then exists (select 1 from committee_members s
                                   where s.tenant_id = m.tenant_id and s.committee_id = m.committee_id
                                     and s.user_id = $2 and s.left_on is null)
                      else m.committee_id = $1 end
           order by m.starts_at, m.id
           limit 1000"#,
        committee,
        user
    )
    .fetch_all(conn)
    .await?)
}

struct FeedMeeting {
    id: i64,
    committee_id: i64,
    committee: String,
    starts_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    place: String,
    link: String,
    agenda: String,
}

/// `GET /calendar/{token}/meetings.ics`: the feed a token opens, or 404.
pub(super) async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let mut feed = FeedTenant::enter(&state.pool, &token)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::i18n::set_current(&feed.default_language);
    let name = match feed.committee_id {
        Some(id) => sqlx::query_scalar!("select name from committees where id = $1", id)
            .fetch_optional(feed.conn())
            .await?
            .ok_or(AppError::NotFound)?,
        None => crate::i18n::t_with("feed.my_calendar_name", "tenant", &feed.name),
    };
    let (committee, user) = (feed.committee_id, feed.user_id);
    let meetings = feed_meetings(feed.conn(), committee, user).await?;
    let entries: Vec<CalendarMeeting<'_>> = meetings
        .iter()
        .map(|m| CalendarMeeting {
            uid: format!("meeting-{}-{}", feed.slug, m.id),
            committee: &m.committee,
            starts_at: m.starts_at,
            changed_at: m.updated_at,
            place: &m.place,
            link: &m.link,
            agenda: &m.agenda,
            page: Some(absolute(
                &state.config,
                &headers,
                &crate::paths::meeting(&feed.slug, m.committee_id, m.id),
            )),
        })
        .collect();
    let body = calendar(Some(&name), &entries);
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        body,
    )
        .into_response())
}

/// A new token: 32 random bytes, as hexadecimal.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The writes of feeds: every member may have their own.
impl TenantMember {
    /// Issues the member's feed of one committee (or of their own
    /// committees, `None`) and returns its token; the feed it replaces
    /// stops working.
    async fn issue_feed(
        &self,
        conn: &mut PgConnection,
        membership: i64,
        user: i64,
        committee: Option<i64>,
    ) -> AppResult<String> {
        sqlx::query!(
            "delete from calendar_feeds
             where tenant_id = $1 and membership_id = $2 and committee_id is not distinct from $3",
            self.tenant_id(),
            membership,
            committee
        )
        .execute(&mut *conn)
        .await?;
        let token = new_token();
        sqlx::query!(
            "insert into calendar_feeds (tenant_id, membership_id, user_id, committee_id, token_hash)
             values ($1, $2, $3, $4, $5)",
            self.tenant_id(),
            membership,
            user,
            committee,
            token_hash(&token)
        )
        .execute(conn)
        .await?;
        Ok(token)
    }
}

/// Since when the member has a feed of this committee (or of their own
/// committees), if they have one.
pub async fn issued_on(
    conn: &mut PgConnection,
    membership: i64,
    committee: Option<i64>,
) -> AppResult<Option<OffsetDateTime>> {
    Ok(sqlx::query_scalar!(
        "select created_at from calendar_feeds where membership_id = $1 and committee_id is not distinct from $2",
        membership,
        committee
    )
    .fetch_optional(conn)
    .await?)
}

/// The address, shown once: it is not kept anywhere but here.
#[derive(Template, WebTemplate)]
#[template(path = "committees/feed_issued.html")]
pub(super) struct IssuedPage {
    page: Chrome,
    slug: String,
    /// The committee, for its feed; none for the person's own.
    committee: Option<(i64, String)>,
    url: String,
}

/// `POST /t/{slug}/meetings/calendar`: a new address for my committees' meetings.
pub(super) async fn issue_mine(
    page: Chrome,
    ctx: TenantCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> AppResult<IssuedPage> {
    issue(page, ctx, &state, &headers, None).await
}

/// `POST /t/{slug}/committees/{id}/calendar`: a new address for this committee's meetings.
pub(super) async fn issue_committee(
    page: Chrome,
    mut ctx: TenantCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<IssuedPage> {
    let committee = super::committee::load(ctx.conn(), id).await?;
    issue(page, ctx, &state, &headers, Some((id, committee.name))).await
}

/// Issues the feed and shows its address; the page is the only place it
/// is ever written, so it answers the POST itself rather than redirecting.
async fn issue(
    page: Chrome,
    mut ctx: TenantCtx,
    state: &AppState,
    headers: &HeaderMap,
    committee: Option<(i64, String)>,
) -> AppResult<IssuedPage> {
    let member = ctx.grant::<ViewTenant>()?;
    let (membership, user) = (ctx.member.id, ctx.user.id);
    let token = member
        .issue_feed(
            ctx.conn(),
            membership,
            user,
            committee.as_ref().map(|(id, _)| *id),
        )
        .await?;
    let url = absolute(&state.config, headers, &crate::paths::calendar_feed(&token));
    let page = page.in_tenant(&ctx);
    let ctx = ctx.commit().await?;
    Ok(IssuedPage {
        page,
        slug: ctx.tenant.slug,
        committee,
        url,
    })
}
