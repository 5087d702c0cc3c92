//! The committee dashboard: where the plan stands, at a glance, with every
//! figure a link to the activities behind it. A handful of queries whatever
//! the plan's size (`summary`); the figures are computed from them
//! (`figures`), and the filtered lists read the activities (`facts`).

mod charts;
mod facts;
mod figures;
mod late;
mod summary;
mod tags;

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use serde::Deserialize;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::choices::{ActivityStatus, Constituency, ListOnly, NapStatus};
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::Quarter;
use crate::features::plan::tags::TagFilter;
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;
pub use facts::{Fact, Facts, PartnerInfo};
pub use figures::DashboardPage;
use summary::Summary;

pub fn router() -> Routes {
    Routes::new()
        .get(at::nap_dashboard, nap_dashboard)
        .get(at::activities, activity_list)
}

/// The NAPs a dashboard can switch to.
async fn naps_list(conn: &mut PgConnection) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query!(
        "select id, title from naps order by status = 'closed', start_year desc, id desc"
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.title))
    .collect())
}

/// The dashboard of `nap_id` for the context's tenant.
pub async fn render(page: Chrome, ctx: &mut TenantCtx, nap_id: i64) -> AppResult<DashboardPage> {
    let nap = model::load_nap(ctx.conn(), nap_id).await?;
    let tenant_id = ctx.tenant.id;
    let summary = Summary::load(ctx.conn(), nap, tenant_id).await?;
    let others = naps_list(ctx.conn())
        .await?
        .into_iter()
        .filter(|(id, _)| *id != nap_id)
        .collect();
    let mut risks = super::risks::load(ctx.conn(), nap_id, true).await?;
    risks.truncate(5);
    let actions =
        crate::features::committees::meetings::open_actions(ctx.conn(), None, None).await?;
    let mut dashboard = DashboardPage::build(
        page.in_tenant(ctx),
        ctx.tenant.slug.clone(),
        summary,
        others,
        actions,
        OffsetDateTime::now_utc().date(),
    );
    dashboard.risks = risks;
    let slug = ctx.tenant.slug.clone();
    dashboard.tags = tags::TagFigures::load(ctx.conn(), &slug, nap_id, Quarter::current()).await?;
    let today = OffsetDateTime::now_utc().date();
    let days = super::rounds::settings(ctx.conn(), tenant_id).await?;
    // Kept (the clock refreshes it); read afresh only before it first ran.
    let timeliness = match super::rounds::kept_timeliness(ctx.conn(), nap_id).await? {
        Some(kept) => kept,
        None => super::rounds::timeliness(ctx.conn(), &dashboard.nap, days, today).await?,
    };
    for row in &mut dashboard.partners {
        row.timeliness = timeliness.get(&row.id).and_then(|t| t.percent());
    }
    if !dashboard.ended() {
        let window = super::rounds::Window::current(today, days.0, days.1);
        let (answered, expected) = super::rounds::completeness(ctx.conn(), nap_id, window).await?;
        dashboard.round = Some(figures::RoundFigures {
            quarter: window.quarter,
            due: window.due,
            answered,
            expected,
        });
    }
    if dashboard.ended() {
        let never = sqlx::query_scalar!(
            r#"select count(*) as "n!" from activities where nap_id = $1 and last_update_at is null"#,
            nap_id
        )
        .fetch_one(ctx.conn())
        .await?;
        dashboard.never_reported = Some(figures::Figure {
            value: usize::try_from(never).unwrap_or(0),
            href: dashboard.list_href(ListOnly::Never),
        });
        dashboard.can_close =
            dashboard.nap.status != NapStatus::Closed && ctx.plan_editor().is_ok();
    }
    let user_id = ctx.user.id;
    dashboard.handovers = crate::features::handover::unread(ctx.conn(), user_id).await?;
    Ok(dashboard)
}

/// The NAP a tenant's home shows: the newest one not closed, else the newest.
pub async fn current_nap(conn: &mut PgConnection) -> AppResult<Option<i64>> {
    Ok(naps_list(conn).await?.first().map(|(id, _)| *id))
}

async fn nap_dashboard(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<DashboardPage> {
    render(page, &mut ctx, id).await
}

/// The filters of the activity list, each optional.
#[derive(Debug, Default, Deserialize)]
pub struct ListFilters {
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub constituency: String,
    /// One of [`ListOnly`], by name.
    #[serde(default)]
    pub only: String,
    /// Pillar, linked plan, flagged.
    #[serde(flatten)]
    pub tags: TagFilter,
}

impl ListFilters {
    /// The chosen status in words, or what was asked when it is none.
    pub fn status_label(&self) -> String {
        ActivityStatus::parse(&self.status).map_or_else(
            || self.status.clone(),
            |s| crate::i18n::t(s.label_key()).into_owned(),
        )
    }

    /// The chosen constituency in words, or what was asked when it is none.
    pub fn constituency_label(&self) -> String {
        Constituency::parse(&self.constituency).map_or_else(
            || self.constituency.clone(),
            |c| crate::i18n::t(c.label_key()).into_owned(),
        )
    }

    /// What `only` keeps, in words.
    pub fn only_label(&self) -> String {
        ListOnly::parse(&self.only).map_or_else(
            || self.only.clone(),
            |o| crate::i18n::t(o.label_key()).into_owned(),
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/activity_list.html")]
struct ListPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    activities: Vec<Fact>,
    filters: ListFilters,
}

async fn activity_list(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(filters): Query<ListFilters>,
) -> AppResult<ListPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let tenant_id = ctx.tenant.id;
    let facts = Facts::load(ctx.conn(), nap, tenant_id).await?;
    let today = Quarter::current();
    let next = Quarter::from_index(today.index() + 1);
    let now = OffsetDateTime::now_utc();
    let status = ActivityStatus::parse(&filters.status);
    let constituency = Constituency::parse(&filters.constituency);
    let only = ListOnly::parse(&filters.only);
    let keep = |a: &Fact| {
        filters
            .tags
            .keeps(a.pillars.iter(), a.plans.iter(), a.flagged, &a.aligns)
            && (filters.objective.is_empty() || a.objective == filters.objective)
            && status.is_none_or(|s| a.status == s)
            && (filters.lead.is_empty()
                || a.lead_acronym
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(&filters.lead)))
            && constituency.is_none_or(|c| a.lead.is_some() && facts.constituency_of(a.lead) == c)
            && match only {
                Some(ListOnly::Overdue) => a.missed(today) > 0,
                Some(ListOnly::DueNext) => a.due_in(next) > 0,
                Some(ListOnly::Stale) => a.is_stale(now, facts.stale_days),
                Some(ListOnly::NoLead) => a.lead.is_none(),
                Some(ListOnly::Never) => a.last_update.is_none(),
                None => true,
            }
    };
    let keep_ids: std::collections::HashSet<i64> = facts
        .activities
        .iter()
        .filter(|a| keep(a))
        .map(|a| a.id)
        .collect();
    let nap = facts.nap.clone();
    let activities = facts
        .activities
        .into_iter()
        .filter(|a| keep_ids.contains(&a.id))
        .collect();
    Ok(ListPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        activities,
        filters,
    })
}
