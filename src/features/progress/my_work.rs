//! "My work": what a focal point's organisation has to do, and a click away
//! from reporting on it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::routing::get;

use crate::choices::ActivityStatus;
use crate::error::AppResult;
use crate::features::plan::model::code_key;
use crate::features::plan::quarter::Quarter;
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

pub fn router() -> Router<AppState> {
    Router::new().route("/t/{slug}/my-work", get(my_work))
}

pub struct WorkItem {
    pub id: i64,
    pub nap_id: i64,
    pub nap_title: String,
    pub code: String,
    pub title: String,
    pub leads: bool,
    pub status: ActivityStatus,
    pub progress: i16,
    pub due_now: i64,
    pub overdue: i64,
    pub my_last: Option<time::OffsetDateTime>,
}

impl WorkItem {
    pub fn my_last_date(&self) -> String {
        self.my_last
            .map(crate::http::page::format_date)
            .unwrap_or_default()
    }
}

pub struct Returned {
    pub nap_id: i64,
    pub activity_id: i64,
    pub code: String,
    pub comment: String,
    pub at: time::OffsetDateTime,
}

impl Returned {
    pub fn date(&self) -> String {
        crate::http::page::format_date(self.at)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/my_work.html")]
struct MyWorkPage {
    page: Chrome,
    slug: String,
    partner: Option<String>,
    items: Vec<WorkItem>,
    returned: Vec<Returned>,
    actions: Vec<crate::features::committees::meetings::OpenAction>,
    handovers: Vec<crate::features::handover::Note>,
    quarter: Quarter,
}

async fn my_work(page: Chrome, mut ctx: TenantCtx) -> AppResult<MyWorkPage> {
    let quarter = Quarter::current();
    let partner = ctx.member.partner_id.filter(|_| ctx.member.focal_point);
    let mut items = Vec::new();
    let mut returned = Vec::new();
    let mut actions = Vec::new();
    if let Some(partner) = partner {
        let rows = sqlx::query!(
            r#"select a.id, a.nap_id, n.title as nap_title, a.code, a.title, a.status, a.progress,
                      a.lead_partner_id = $1 as "leads!",
                      (select count(*) from target_occurrences o
                        where o.tenant_id = a.tenant_id and o.activity_id = a.id and o.met_at is null
                          and o.quarter_index = $2) as "due_now!",
                      (select count(*) from target_occurrences o
                        where o.tenant_id = a.tenant_id and o.activity_id = a.id and o.met_at is null
                          and o.quarter_index < $2) as "overdue!",
                      (select max(u.created_at) from status_updates u
                        where u.tenant_id = a.tenant_id and u.activity_id = a.id and u.author_id = $3) as my_last
               from activities a
               join naps n on n.tenant_id = a.tenant_id and n.id = a.nap_id
               where n.status <> 'closed'
                 and (a.lead_partner_id = $1
                      or exists (select 1 from activity_partners ap
                                 where ap.tenant_id = a.tenant_id and ap.activity_id = a.id and ap.partner_id = $1))"#,
            partner,
            quarter.index(),
            ctx.user.id
        )
        .fetch_all(&mut *ctx.tx)
        .await?;
        items = rows
            .into_iter()
            .map(|r| WorkItem {
                id: r.id,
                nap_id: r.nap_id,
                nap_title: r.nap_title,
                code: r.code,
                title: r.title,
                leads: r.leads,
                status: ActivityStatus::parse(&r.status).unwrap_or(ActivityStatus::NotStarted),
                progress: r.progress,
                due_now: r.due_now,
                overdue: r.overdue,
                my_last: r.my_last,
            })
            .collect();
        // Overdue first, then due this quarter, then by code.
        items.sort_by_key(|i| (i.overdue == 0, i.due_now == 0, i.nap_id, code_key(&i.code)));
        returned = sqlx::query_as!(
            Returned,
            "select a.nap_id, a.id as activity_id, a.code, u.review_comment as comment, u.reviewed_at as \"at!\"
             from status_updates u join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
             where u.author_id = $1 and u.review_state = 'returned'
             order by u.reviewed_at desc limit 20",
            ctx.user.id
        )
        .fetch_all(&mut *ctx.tx)
        .await?;
        actions =
            crate::features::committees::meetings::open_actions(&mut ctx.tx, Some(partner), None)
                .await?;
    }
    let handovers = crate::features::handover::unread(&mut ctx.tx, ctx.user.id).await?;
    Ok(MyWorkPage {
        handovers,
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        partner: ctx
            .member
            .partner_name
            .clone()
            .filter(|_| partner.is_some()),
        items,
        returned,
        actions,
        quarter,
    })
}
