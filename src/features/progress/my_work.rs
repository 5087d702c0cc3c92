//! "My work": what a focal point's organisation has to do, and a click away
//! from reporting on it. Overdue first, then due this quarter; a page holds
//! at most [`PAGE_SIZE`] activities, and only those are counted in detail.

use crate::http::routes::Routes;
use crate::paths;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use serde::Deserialize;

use crate::choices::ActivityStatus;
use crate::error::AppResult;
use crate::features::plan::quarter::{Quarter, Schedule};
use crate::http::page::{Chrome, Pager, page_number};
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new().get(at::my_work, my_work)
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
    pub schedule: Schedule,
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

/// Activities per page.
pub const PAGE_SIZE: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: String,
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
    /// The reporting round answered now, first.
    rounds: Vec<super::rounds::MyRound>,
    quarter: Quarter,
    pager: Pager,
}

async fn my_work(
    page: Chrome,
    mut ctx: TenantCtx,
    Query(query): Query<PageQuery>,
) -> AppResult<MyWorkPage> {
    let number = page_number(&query.page);
    let quarter = Quarter::current();
    let partner = ctx.member.partner_id.filter(|_| ctx.member.focal_point);
    let mut items = Vec::new();
    let mut returned = Vec::new();
    let mut actions = Vec::new();
    let mut rounds = Vec::new();
    let mut total = 0;
    if let Some(partner) = partner {
        let tenant = ctx.tenant.id;
        let today = time::OffsetDateTime::now_utc().date();
        rounds = super::rounds::mine(ctx.conn(), tenant, partner, today).await?;
        // The order needs only two flags per activity, both read by index;
        // the counts are made for the page's activities alone.
        let rows = sqlx::query!(
            r#"select a.id, a.nap_id, n.title as nap_title, a.code, a.title, a.status, a.progress,
                      a.lead_partner_id = $1 as "leads!", page.total as "total!",
                      t.targets as "targets!", t.due_now as "due_now!", t.overdue as "overdue!",
                      t.first_missed, t.latest_missed,
                      (select max(u.created_at) from status_updates u
                        where u.tenant_id = a.tenant_id and u.activity_id = a.id and u.author_id = $3) as my_last
               from (select a.tenant_id, a.id, count(*) over () as total,
                            coalesce(f.first_quarter < $2, false) as late,
                            exists (select 1 from target_occurrences o
                                    where o.tenant_id = a.tenant_id and o.quarter_index = $2
                                      and o.activity_id = a.id and o.met_at is null) as due,
                            a.nap_id, a.code_order
                     -- Led or supported: each reached by its own index.
                     from (select id from activities where lead_partner_id = $1
                           union
                           select activity_id from activity_partners where partner_id = $1) mine
                     join activities a on a.id = mine.id
                     join naps n on n.tenant_id = a.tenant_id and n.id = a.nap_id
                     left join open_targets f on f.tenant_id = a.tenant_id and f.activity_id = a.id
                     where n.status <> 'closed'
                     order by late desc, due desc, a.nap_id, a.code_order
                     limit $4 offset $5) page
               join activities a on a.tenant_id = page.tenant_id and a.id = page.id
               join naps n on n.tenant_id = a.tenant_id and n.id = a.nap_id
               cross join lateral (
                   select count(*) as targets,
                          count(*) filter (where o.met_at is null and o.quarter_index = $2) as due_now,
                          count(*) filter (where o.met_at is null and o.quarter_index < $2) as overdue,
                          min(o.quarter_index) filter (where o.met_at is null and o.quarter_index < $2) as first_missed,
                          max(o.quarter_index) filter (where o.met_at is null and o.quarter_index < $2) as latest_missed
                   from target_occurrences o
                   where o.tenant_id = a.tenant_id and o.activity_id = a.id) t
               order by page.late desc, page.due desc, page.nap_id, page.code_order"#,
            partner,
            quarter.index(),
            ctx.user.id,
            PAGE_SIZE as i64,
            ((number - 1) * PAGE_SIZE) as i64
        )
        .fetch_all(ctx.conn())
        .await?;
        total = rows
            .first()
            .map_or(0, |r| usize::try_from(r.total).unwrap_or(0));
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
                schedule: Schedule::from_counts(
                    r.targets,
                    r.overdue,
                    r.first_missed,
                    r.latest_missed,
                ),
                my_last: r.my_last,
            })
            .collect();
        returned = sqlx::query_as!(
            Returned,
            "select a.nap_id, a.id as activity_id, a.code, u.review_comment as comment, u.reviewed_at as \"at!\"
             from status_updates u join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
             where u.author_id = $1 and u.review_state = 'returned'
             order by u.reviewed_at desc limit 20",
            ctx.user.id
        )
        .fetch_all(ctx.conn())
        .await?;
        actions =
            crate::features::committees::meetings::open_actions(ctx.conn(), Some(partner), None)
                .await?;
    }
    let user_id = ctx.user.id;
    let handovers = crate::features::handover::unread(ctx.conn(), user_id).await?;
    let slug = ctx.tenant.slug.clone();
    let pager = Pager::new(number, PAGE_SIZE, total, items.len(), "work.pages", |n| {
        paths::with_query(&paths::my_work(&slug), &[("page", &n.to_string())])
    });
    Ok(MyWorkPage {
        handovers,
        page: page.in_tenant(&ctx),
        slug,
        partner: ctx
            .member
            .partner_name
            .clone()
            .filter(|_| partner.is_some()),
        items,
        returned,
        actions,
        rounds,
        quarter,
        pager,
    })
}
