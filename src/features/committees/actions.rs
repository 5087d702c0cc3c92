//! `/t/{slug}/actions`: every open action point of the tenant's
//! committees, the late ones first, each with its delay in words, its
//! owner's full name and the meeting that set it.

use askama::Template;
use askama_web::WebTemplate;
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use super::meetings::is_past;
use crate::error::AppResult;
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

/// An open action point, with where it comes from.
pub struct ActionRow {
    pub id: i64,
    pub committee_id: i64,
    pub committee: String,
    pub meeting_id: i64,
    pub meeting_at: OffsetDateTime,
    pub text: String,
    /// The owner's acronym and full name.
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub due_on: Option<Date>,
    pub activity: Option<String>,
}

impl ActionRow {
    pub fn is_late(&self) -> bool {
        is_past(self.due_on)
    }

    pub fn meeting_day(&self) -> String {
        crate::i18n::date(self.meeting_at)
    }
}

/// Open action points of one committee, or of all: those past their due
/// date first (the longest overdue at the top), then by due date, then
/// those without one.
pub async fn open(conn: &mut PgConnection, committee: Option<i64>) -> AppResult<Vec<ActionRow>> {
    Ok(sqlx::query_as!(
        ActionRow,
        r#"select ap.id, m.committee_id, c.name as committee, ap.meeting_id, m.starts_at as meeting_at, ap.text,
                  p.acronym as "owner?", p.name as "owner_name?", ap.due_on, a.code as "activity?"
           from action_points ap
           join meetings m on m.tenant_id = ap.tenant_id and m.id = ap.meeting_id
           join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
           left join partners p on p.tenant_id = ap.tenant_id and p.id = ap.owner_partner_id
           left join activities a on a.tenant_id = ap.tenant_id and a.id = ap.activity_id
           where ap.done_on is null and ($1::bigint is null or m.committee_id = $1)
           order by ap.due_on < current_date desc nulls last, ap.due_on nulls last, ap.id
           limit 500"#,
        committee
    )
    .fetch_all(conn)
    .await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/actions.html")]
pub(super) struct ActionsPage {
    page: Chrome,
    slug: String,
    actions: Vec<ActionRow>,
}

impl ActionsPage {
    fn late(&self) -> usize {
        self.actions.iter().filter(|a| a.is_late()).count()
    }
}

pub(super) async fn list(page: Chrome, mut ctx: TenantCtx) -> AppResult<ActionsPage> {
    let actions = open(ctx.conn(), None).await?;
    Ok(ActionsPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        actions,
    })
}
