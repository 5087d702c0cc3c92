//! Reporting rounds: each quarter a NAP expects an update from the lead
//! partner of every activity open in that quarter. The round opens some
//! days before the quarter ends and is due some days after (the tenant's
//! settings); an update posted since the round opened answers it, on time
//! up to the partner's deadline and late after. The round's page, at
//! `/t/{slug}/naps/{id}/rounds/{2026Q3}`, shows each partner's expected,
//! on-time, late and missing updates, and takes the secretariat's extension
//! of one partner's deadline, with its reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::{Date, Duration, OffsetDateTime};

use crate::authz::PlanEditor;
use crate::error::{AppError, AppResult};
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::Quarter;
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::paths::at;
use crate::tenancy::TenantCtx;

mod timeliness;

pub use timeliness::{
    Timeliness, kept_timeliness, refresh_all_timeliness, refresh_timeliness, timeliness,
    timeliness_older_than,
};

pub fn router() -> Routes {
    Routes::new()
        .get(at::nap_round, show)
        .post(at::nap_round_extend, extend)
        .post(at::nap_round_supporting, supporting)
}

/// When a quarter's round opens and is due, from the tenant's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub quarter: Quarter,
    pub opens: Date,
    pub due: Date,
}

impl Window {
    pub fn of(quarter: Quarter, opens_days: i32, due_days: i32) -> Self {
        let end = quarter.last_day();
        Self {
            quarter,
            opens: end - Duration::days(i64::from(opens_days)),
            due: end + Duration::days(i64::from(due_days)),
        }
    }

    /// The round people answer on `today`: the last quarter's until its
    /// deadline has passed, then this quarter's.
    pub fn current(today: Date, opens_days: i32, due_days: i32) -> Self {
        let this = Quarter::of_date(today);
        let last = Self::of(Quarter::from_index(this.index() - 1), opens_days, due_days);
        if today <= last.due {
            last
        } else {
            Self::of(this, opens_days, due_days)
        }
    }
}

/// The tenant's round settings: days before the quarter's end it opens,
/// days after it is due.
pub async fn settings(conn: &mut PgConnection, tenant: i64) -> AppResult<(i32, i32)> {
    let r = sqlx::query!(
        "select round_opens_days, round_due_days from tenants where id = $1",
        tenant
    )
    .fetch_one(conn)
    .await?;
    Ok((r.round_opens_days, r.round_due_days))
}

/// Where one expected update stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    OnTime,
    Late,
    Missing,
    /// Not yet in, and its deadline has not passed.
    Awaited,
}

impl Answer {
    fn of(reported: Option<Date>, due: Date, today: Date) -> Self {
        match reported {
            Some(day) if day <= due => Self::OnTime,
            Some(_) => Self::Late,
            None if today > due => Self::Missing,
            None => Self::Awaited,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnTime => "on-time",
            Self::Late => "late",
            Self::Missing => "missing",
            Self::Awaited => "awaited",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Self::OnTime => "round.on_time",
            Self::Late => "round.late",
            Self::Missing => "round.missing",
            Self::Awaited => "round.awaited",
        }
    }
}

/// One activity the round expects an update on.
pub struct Expected {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub answer: Answer,
    pub reported: Option<Date>,
}

/// One partner's part of the round.
pub struct PartnerRound {
    pub id: i64,
    pub acronym: String,
    pub name: String,
    /// Its deadline: the round's, or the one it was given.
    pub due: Date,
    pub extension: Option<String>,
    pub expected: Vec<Expected>,
}

impl PartnerRound {
    pub fn count(&self, answer: &Answer) -> usize {
        self.expected.iter().filter(|e| e.answer == *answer).count()
    }
}

/// The round of `window` for the NAP: each lead partner with the updates
/// it owes. An activity is expected when its period covers the quarter and
/// it was neither completed nor cancelled before the round opened; an
/// update answers it when posted since the round opened and not returned.
/// One statement, whatever the plan's size.
pub async fn load(
    conn: &mut PgConnection,
    nap: &Nap,
    window: Window,
    today: Date,
) -> AppResult<Vec<PartnerRound>> {
    load_of(conn, nap.id, window, today, None).await
}

/// [`load`], for one partner only when `partner` is given.
async fn load_of(
    conn: &mut PgConnection,
    nap: i64,
    window: Window,
    today: Date,
    partner: Option<i64>,
) -> AppResult<Vec<PartnerRound>> {
    let opens = window.opens.midnight().assume_utc();
    let rows = sqlx::query!(
        r#"with recent as materialized (
               -- Updates posted since the round opened (not returned): few,
               -- read once by the index on when they were posted.
               select u.activity_id, u.partner_id, min(u.created_at) as first_at
               from status_updates u
               where u.created_at >= $3 and u.review_state <> 'returned'
               group by u.activity_id, u.partner_id),
           open as (
               -- The NAP's activities in the quarter, not completed or
               -- cancelled when the round opened: their status then is
               -- their status now unless an update was applied since.
               select a.tenant_id, a.id, a.code, a.title, a.code_order, a.lead_partner_id
               from activities a
               where a.nap_id = $1
                 and coalesce(a.start_quarter, $2) <= $2 and coalesce(a.end_quarter, $2) >= $2
                 -- One partner's round reads only its own activities.
                 and ($4::bigint is null or a.lead_partner_id = $4 or exists (
                     select 1 from activity_partners s
                     where s.tenant_id = a.tenant_id and s.activity_id = a.id and s.partner_id = $4))
                 and (case when a.last_update_at is null then 'not-started'
                           when a.last_update_at < $3 then a.status
                           else coalesce((select u.status from status_updates u
                                          where u.tenant_id = a.tenant_id and u.activity_id = a.id
                                            and u.created_at < $3 and u.review_state = 'accepted'
                                          order by u.created_at desc, u.id desc limit 1), 'not-started')
                      end) not in ('completed', 'cancelled')),
           owed as (
               -- The lead owes an update; each supporting partner too, when the NAP says so.
               select o.*, o.lead_partner_id as partner_id, true as leads
               from open o where o.lead_partner_id is not null
               union all
               select o.*, s.partner_id, false
               from open o
               join naps n on n.tenant_id = o.tenant_id and n.id = $1 and n.rounds_expect_supporting
               join activity_partners s on s.tenant_id = o.tenant_id and s.activity_id = o.id
               where s.partner_id is distinct from o.lead_partner_id)
           select w.id as "id!", w.code as "code!", w.title as "title!", p.id as partner_id, p.acronym, p.name,
                  x.due_on as "extended?", x.reason as "reason?",
                  -- The lead is answered by any update, a supporting partner by its own.
                  case when w.leads then any_update.first_at else own.first_at end as reported
           from owed w
           join partners p on p.tenant_id = w.tenant_id and p.id = w.partner_id
           left join (select activity_id, min(first_at) as first_at from recent group by activity_id) any_update
                on any_update.activity_id = w.id
           left join recent own on own.activity_id = w.id and own.partner_id = w.partner_id
           left join round_extensions x on x.tenant_id = w.tenant_id and x.nap_id = $1
                and x.quarter_index = $2 and x.partner_id = w.partner_id
           where w.partner_id = coalesce($4::bigint, w.partner_id)
           order by p.acronym, p.id, w.code_order"#,
        nap,
        window.quarter.index(),
        opens,
        partner
    )
    .fetch_all(conn)
    .await?;
    let mut partners: Vec<PartnerRound> = Vec::new();
    for r in rows {
        if partners.last().is_none_or(|p| p.id != r.partner_id) {
            partners.push(PartnerRound {
                id: r.partner_id,
                acronym: r.acronym.clone(),
                name: r.name.clone(),
                due: r.extended.unwrap_or(window.due),
                extension: r.reason.clone(),
                expected: Vec::new(),
            });
        }
        let Some(partner) = partners.last_mut() else {
            continue;
        };
        let reported = r.reported.map(OffsetDateTime::date);
        partner.expected.push(Expected {
            id: r.id,
            code: r.code,
            title: r.title,
            answer: Answer::of(reported, partner.due, today),
            reported,
        });
    }
    Ok(partners)
}

/// A focal point's part of the round answered now, in one NAP.
pub struct MyRound {
    pub nap_id: i64,
    pub nap_title: String,
    pub quarter: Quarter,
    pub round: PartnerRound,
}

/// The round answered on `today` in each running NAP whose period holds it,
/// for `partner`: what it owes and by when. Plans that expect nothing of it
/// are left out.
pub async fn mine(
    conn: &mut PgConnection,
    tenant: i64,
    partner: i64,
    today: Date,
) -> AppResult<Vec<MyRound>> {
    let (opens_days, due_days) = settings(conn, tenant).await?;
    let window = Window::current(today, opens_days, due_days);
    let year = window.quarter.year;
    let naps = sqlx::query!(
        "select id, title from naps
         where status <> 'closed' and start_year <= $1 and end_year >= $1 order by id",
        year
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut mine = Vec::new();
    for nap in naps {
        let round = load_of(conn, nap.id, window, today, Some(partner)).await?;
        if let Some(round) = round.into_iter().next() {
            mine.push(MyRound {
                nap_id: nap.id,
                nap_title: nap.title,
                quarter: window.quarter,
                round,
            });
        }
    }
    Ok(mine)
}

/// How complete a round is: updates in (on time or late) of those expected.
pub fn completeness(partners: &[PartnerRound]) -> (usize, usize) {
    let expected = partners.iter().map(|p| p.expected.len()).sum();
    let answered = partners
        .iter()
        .map(|p| p.count(&Answer::OnTime) + p.count(&Answer::Late))
        .sum();
    (answered, expected)
}

/// The round's quarter as the address writes it ("2026Q3"), or 404.
fn quarter_of(raw: &str) -> AppResult<Quarter> {
    Quarter::parse(raw).ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
pub struct ExtensionForm {
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/round.html")]
struct RoundPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    window: Window,
    partners: Vec<PartnerRound>,
    answers: [Answer; 4],
    /// The secretariat's extension form, when it may give one.
    can_extend: bool,
    /// The NAP's rounds also expect its supporting partners' updates.
    supporting: bool,
    form: ExtensionForm,
    errors: FieldErrors,
}

impl RoundPage {
    /// Every partner's counts added up, in the order of `answers`.
    fn totals(&self) -> Vec<usize> {
        self.answers
            .iter()
            .map(|a| self.partners.iter().map(|p| p.count(a)).sum())
            .collect()
    }

    fn expected_total(&self) -> usize {
        self.partners.iter().map(|p| p.expected.len()).sum()
    }

    /// The rounds before and after this one, within the plan's period.
    fn previous(&self) -> Option<Quarter> {
        let q = Quarter::from_index(self.window.quarter.index() - 1);
        self.nap.period().contains(q).then_some(q)
    }

    fn next(&self) -> Option<Quarter> {
        let q = Quarter::from_index(self.window.quarter.index() + 1);
        self.nap.period().contains(q).then_some(q)
    }
}

async fn round_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    nap_id: i64,
    quarter: Quarter,
    form: Option<ExtensionForm>,
    errors: FieldErrors,
) -> AppResult<RoundPage> {
    let nap = model::load_nap(ctx.conn(), nap_id).await?;
    // A plan has rounds over its period only.
    if !nap.period().contains(quarter) {
        return Err(AppError::NotFound);
    }
    let tenant = ctx.tenant.id;
    let (opens_days, due_days) = settings(ctx.conn(), tenant).await?;
    let window = Window::of(quarter, opens_days, due_days);
    let today = OffsetDateTime::now_utc().date();
    let partners = load(ctx.conn(), &nap, window, today).await?;
    let supporting = sqlx::query_scalar!(
        "select rounds_expect_supporting from naps where id = $1",
        nap_id
    )
    .fetch_one(ctx.conn())
    .await?;
    // A new deadline two weeks after the round's, to start from.
    let form = form.unwrap_or_else(|| ExtensionForm {
        due_on: (window.due + Duration::days(14)).to_string(),
        ..ExtensionForm::default()
    });
    Ok(RoundPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        window,
        partners,
        answers: [
            Answer::OnTime,
            Answer::Late,
            Answer::Missing,
            Answer::Awaited,
        ],
        can_extend: ctx.plan_editor().is_ok(),
        supporting,
        form,
        errors,
    })
}

async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, quarter)): Path<(String, i64, String)>,
) -> AppResult<RoundPage> {
    let quarter = quarter_of(&quarter)?;
    round_page(page, &mut ctx, id, quarter, None, FieldErrors::default()).await
}

/// Gives one partner of the round a later deadline, with the reason.
async fn extend(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, quarter)): Path<(String, i64, String)>,
    Form(f): Form<ExtensionForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let quarter = quarter_of(&quarter)?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let tenant = ctx.tenant.id;
    let (opens_days, due_days) = settings(ctx.conn(), tenant).await?;
    let window = Window::of(quarter, opens_days, due_days);
    let today = OffsetDateTime::now_utc().date();
    let expected = load(ctx.conn(), &nap, window, today).await?;
    let mut errors = FieldErrors::default();
    // Only a partner the round expects updates from.
    let partner = f
        .partner
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|p| expected.iter().any(|e| e.id == *p));
    if partner.is_none() {
        errors.add("partner", "field.choose");
    }
    let due = form::check(
        &mut errors,
        "due_on",
        crate::features::committees::committee::parse_date(&f.due_on)
            .and_then(|d| d.ok_or("field.required")),
    );
    if let Some(day) = due
        && day <= window.due
    {
        errors.add_with("due_on", "round.not_later", &crate::i18n::day(window.due));
    }
    let reason = form::check(&mut errors, "reason", form::required(&f.reason, 500));
    let (Some(partner), Some(due), Some(reason), true) = (partner, due, reason, errors.is_empty())
    else {
        let page = round_page(page, &mut ctx, id, quarter, Some(f), errors).await?;
        return Ok(invalid(page));
    };
    let me = ctx.user.id;
    editor
        .extend_round(ctx.conn(), id, quarter, partner, due, &reason, me)
        .await?;
    refreshed_and_back(ctx, &nap, quarter).await
}

/// After a change to a round: the NAP's timeliness computed afresh, the
/// change committed, and back to the round's page.
async fn refreshed_and_back(
    mut ctx: TenantCtx,
    nap: &Nap,
    quarter: Quarter,
) -> AppResult<Response> {
    let member = ctx.grant::<crate::authz::ViewTenant>()?;
    let today = OffsetDateTime::now_utc().date();
    refresh_timeliness(ctx.conn(), &member, nap, today).await?;
    let ctx = ctx.commit().await?;
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::nap_round(&ctx.tenant.slug, nap.id, quarter.compact()),
        crate::choices::Notice::Saved,
    ))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct SupportingForm {
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub supporting: Option<String>,
}

/// Whether the NAP's rounds also expect its supporting partners' updates.
async fn supporting(
    mut ctx: TenantCtx,
    Path((_, id, quarter)): Path<(String, i64, String)>,
    Form(f): Form<SupportingForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let quarter = quarter_of(&quarter)?;
    editor
        .expect_supporting(ctx.conn(), id, f.supporting.is_some())
        .await?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    refreshed_and_back(ctx, &nap, quarter).await
}

/// The rounds' writes, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// Whether the NAP's rounds expect updates of supporting partners too.
    async fn expect_supporting(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        on: bool,
    ) -> AppResult<()> {
        sqlx::query!(
            "update naps set rounds_expect_supporting = $3 where tenant_id = $1 and id = $2",
            self.tenant_id(),
            nap,
            on
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Gives `partner` the deadline `due` in the NAP's round of `quarter`
    /// (a second extension replaces the first).
    #[allow(clippy::too_many_arguments)]
    async fn extend_round(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        quarter: Quarter,
        partner: i64,
        due: Date,
        reason: &str,
        by: i64,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into round_extensions (tenant_id, nap_id, quarter_index, partner_id, due_on, reason, created_by)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (tenant_id, nap_id, quarter_index, partner_id)
             do update set due_on = excluded.due_on, reason = excluded.reason,
                           created_by = excluded.created_by, created_at = now()",
            self.tenant_id(),
            nap,
            quarter.index(),
            partner,
            due,
            reason.trim(),
            by
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_round_opens_before_its_quarter_ends_and_is_due_after() {
        let q3 = Quarter::new(2026, 3).unwrap();
        let w = Window::of(q3, 14, 15);
        assert_eq!(w.opens, date!(2026 - 09 - 16));
        assert_eq!(w.due, date!(2026 - 10 - 15));
        // Until Q3's deadline, Q3's round is the one answered; then Q4's.
        assert_eq!(Window::current(date!(2026 - 10 - 15), 14, 15).quarter, q3);
        assert_eq!(
            Window::current(date!(2026 - 10 - 16), 14, 15).quarter,
            Quarter::new(2026, 4).unwrap()
        );
    }

    #[test]
    fn an_answer_is_on_time_up_to_the_deadline_and_late_after() {
        let due = date!(2026 - 10 - 15);
        let today = date!(2026 - 11 - 01);
        assert_eq!(Answer::of(Some(due), due, today), Answer::OnTime);
        assert_eq!(
            Answer::of(Some(date!(2026 - 10 - 16)), due, today),
            Answer::Late
        );
        assert_eq!(Answer::of(None, due, today), Answer::Missing);
        assert_eq!(
            Answer::of(None, due, date!(2026 - 10 - 01)),
            Answer::Awaited
        );
    }
}
