//! `/t/{slug}/meetings`: the meetings coming up across the tenant's
//! committees, and the person's own calendar address for those of their
//! committees.

use askama::Template;
use askama_web::WebTemplate;
use time::OffsetDateTime;

use crate::error::AppResult;
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub struct Upcoming {
    pub id: i64,
    pub committee_id: i64,
    pub committee: String,
    pub starts_at: OffsetDateTime,
    pub place: String,
    /// The person holds a seat on its committee.
    pub mine: bool,
}

impl Upcoming {
    pub fn when(&self) -> String {
        super::meetings::when(self.starts_at)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/meetings.html")]
pub(super) struct MeetingsPage {
    page: Chrome,
    slug: String,
    meetings: Vec<Upcoming>,
    /// The committees where the person holds a seat: (id, name).
    seats: Vec<(i64, String)>,
    /// Since when the person has a calendar address, if they have one.
    feed_since: Option<String>,
}

pub(super) async fn list(page: Chrome, mut ctx: TenantCtx) -> AppResult<MeetingsPage> {
    let user = ctx.user.id;
    let meetings = sqlx::query_as!(
        Upcoming,
        r#"select m.id, m.committee_id, c.name as committee, m.starts_at, m.place,
                  exists (select 1 from committee_members s
                          where s.tenant_id = m.tenant_id and s.committee_id = m.committee_id
                            and s.user_id = $1 and s.left_on is null) as "mine!"
           from meetings m join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
           where m.starts_at >= date_trunc('day', now())
           order by m.starts_at, c.name
           limit 200"#,
        user
    )
    .fetch_all(ctx.conn())
    .await?;
    let seats = sqlx::query!(
        "select distinct c.id, c.name from committee_members s
         join committees c on c.tenant_id = s.tenant_id and c.id = s.committee_id
         where s.user_id = $1 and s.left_on is null order by c.name",
        user
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect();
    let membership = ctx.member.id;
    let feed_since = super::feeds::issued_on(ctx.conn(), membership, None)
        .await?
        .map(crate::i18n::date);
    Ok(MeetingsPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        meetings,
        seats,
        feed_since,
    })
}
