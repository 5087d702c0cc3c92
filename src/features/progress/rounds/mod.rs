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

mod expected;
mod timeliness;

pub use expected::{Answer, Expected, MyRound, PartnerRound, completeness, load, mine};

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

    /// The moment the round opens: updates from then on answer it.
    pub fn opens_at(&self) -> OffsetDateTime {
        self.opens.midnight().assume_utc()
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
