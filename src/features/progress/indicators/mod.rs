//! Indicators on outcomes: a unit, a baseline, a target, and values measured
//! by year or quarter by the responsible partner's focal point.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::authz::{self, IndicatorReporter, PlanEditor};
use crate::error::{AppError, AppResult};
use crate::features::plan::model::{self, Nap, code_key};
use crate::features::plan::quarter::Quarter;
use crate::http::form::invalid;
use crate::http::form::{self, FieldErrors};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::indicators, list)
        .post(at::indicators, create)
        .get(at::indicator, show)
        .post(at::indicator, add_value)
}

pub struct Indicator {
    pub id: i64,
    pub outcome: String,
    pub name: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    pub responsible: Option<i64>,
    pub responsible_acronym: Option<String>,
    /// The latest measured value, by period.
    pub actual: Option<f64>,
    pub actual_period: Option<String>,
}

impl Indicator {
    /// How far from baseline to target the latest value has come, 0 to 100.
    pub fn achieved(&self) -> f64 {
        let span = self.target - self.baseline;
        match self.actual {
            Some(a) if span != 0.0 => ((a - self.baseline) / span * 100.0).clamp(0.0, 100.0),
            _ => 0.0,
        }
    }

    pub fn achieved_text(&self) -> String {
        format!("{:.0}%", self.achieved())
    }
}

/// Numbers as people write them: no needless ".0".
pub fn number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// Templates hand numbers over by value or by reference.
pub trait Num {
    fn get(&self) -> f64;
}

impl Num for f64 {
    fn get(&self) -> f64 {
        *self
    }
}

impl<T: Num> Num for &T {
    fn get(&self) -> f64 {
        (**self).get()
    }
}

impl ListPage {
    fn number(&self, n: impl Num) -> String {
        number(n.get())
    }
}

impl ShowPage {
    fn number(&self, n: impl Num) -> String {
        number(n.get())
    }
}

pub fn period_text(year: i32, quarter: Option<i16>) -> String {
    match quarter
        .and_then(|q| u8::try_from(q).ok())
        .and_then(|q| Quarter::new(year, q))
    {
        Some(q) => q.to_string(),
        None => year.to_string(),
    }
}

pub async fn load(conn: &mut PgConnection, nap_id: i64) -> AppResult<Vec<Indicator>> {
    let rows = sqlx::query!(
        r#"select i.id, oc.code as outcome, i.name, i.unit, i.baseline, i.target, i.responsible_partner_id,
                  p.acronym as "acronym?", v.value as "value?", v.year as "year?", v.quarter as "quarter?"
           from indicators i
           join outcomes oc on oc.tenant_id = i.tenant_id and oc.id = i.outcome_id
           left join partners p on p.tenant_id = i.tenant_id and p.id = i.responsible_partner_id
           left join lateral (select value, year, quarter from indicator_values iv
                              where iv.tenant_id = i.tenant_id and iv.indicator_id = i.id
                              order by year desc, quarter desc nulls first limit 1) v on true
           where oc.nap_id = $1"#,
        nap_id
    )
    .fetch_all(conn)
    .await?;
    let mut list: Vec<Indicator> = rows
        .into_iter()
        .map(|r| Indicator {
            id: r.id,
            outcome: r.outcome,
            name: r.name,
            unit: r.unit,
            baseline: r.baseline,
            target: r.target,
            responsible: r.responsible_partner_id,
            responsible_acronym: r.acronym,
            actual: r.value,
            actual_period: r.year.map(|y| period_text(y, r.quarter)),
        })
        .collect();
    list.sort_by(|a, b| {
        code_key(&a.outcome)
            .cmp(&code_key(&b.outcome))
            .then(a.id.cmp(&b.id))
    });
    Ok(list)
}

fn reporter(ctx: &TenantCtx, ind: &Indicator) -> AppResult<IndicatorReporter> {
    authz::indicator_reporter(
        ctx.tenant.id,
        ctx.member.role,
        ctx.member.focal_point,
        ctx.member.partner_id,
        ind.id,
        ind.responsible,
    )
}

#[derive(Default, Deserialize)]
pub struct IndicatorForm {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub baseline: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub responsible: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/indicators.html")]
struct ListPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    indicators: Vec<Indicator>,
    can_edit: bool,
    outcomes: Vec<(String, String)>,
    form: IndicatorForm,
    errors: FieldErrors,
}

async fn list_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    nap: Nap,
    form: IndicatorForm,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    let indicators = load(ctx.conn(), nap.id).await?;
    let mut outcomes: Vec<(String, String)> =
        sqlx::query!("select code, title from outcomes where nap_id = $1", nap.id)
            .fetch_all(ctx.conn())
            .await?
            .into_iter()
            .map(|o| (o.code, o.title))
            .collect();
    outcomes.sort_by_key(|o| code_key(&o.0));
    Ok(ListPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        indicators,
        can_edit: ctx.can_edit_plan(),
        outcomes,
        form,
        errors,
    })
}

async fn list(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ListPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    list_page(
        page,
        &mut ctx,
        nap,
        IndicatorForm::default(),
        FieldErrors::default(),
    )
    .await
}

/// The largest measured value an indicator takes, either way.
const MAX_VALUE: f64 = 1e12;

fn parse_number(raw: &str) -> Result<f64, &'static str> {
    crate::http::form::number(raw, MAX_VALUE)
}

async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<IndicatorForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let mut errors = FieldErrors::default();
    let outcome = sqlx::query_scalar!(
        "select id from outcomes where nap_id = $1 and code = $2",
        id,
        f.outcome.trim()
    )
    .fetch_optional(ctx.conn())
    .await?;
    if outcome.is_none() {
        errors.add("outcome", "field.choose");
    }
    let name = form::check(&mut errors, "name", form::required(&f.name, 500));
    let unit = form::check(&mut errors, "unit", form::optional(&f.unit, 50));
    let baseline = if f.baseline.trim().is_empty() {
        Some(0.0)
    } else {
        form::check(&mut errors, "baseline", parse_number(&f.baseline))
    };
    let target = form::check(&mut errors, "target", parse_number(&f.target));
    let responsible = crate::features::partners::by_acronym(
        ctx.conn(),
        &f.responsible,
        "responsible",
        &mut errors,
    )
    .await?;
    let (Some(outcome), Some(name), Some(unit), Some(baseline), Some(target), true) =
        (outcome, name, unit, baseline, target, errors.is_empty())
    else {
        let page = list_page(page, &mut ctx, nap, f, errors).await?;
        return Ok(invalid(page));
    };
    let input = IndicatorInput {
        outcome,
        name,
        unit,
        baseline,
        target,
        responsible,
    };
    editor.add_indicator(ctx.conn(), &input).await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::indicators(&ctx.tenant.slug, id),
        crate::choices::Notice::Added,
    );
    Ok(Redirect::to(&to).into_response())
}

pub struct Value {
    pub period: String,
    pub value: f64,
    pub author: String,
}

#[derive(Default, Deserialize)]
pub struct ValueForm {
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/indicator.html")]
struct ShowPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    indicator: Indicator,
    values: Vec<Value>,
    can_enter: bool,
    form: ValueForm,
    errors: FieldErrors,
}

async fn show_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    nap_id: i64,
    indicator: i64,
    form: ValueForm,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let nap = model::load_nap(ctx.conn(), nap_id).await?;
    let indicator = load(ctx.conn(), nap_id)
        .await?
        .into_iter()
        .find(|i| i.id == indicator)
        .ok_or(AppError::NotFound)?;
    let values = sqlx::query!(
        "select v.year, v.quarter, v.value, u.name from indicator_values v join users u on u.id = v.entered_by
         where v.indicator_id = $1 order by v.year, v.quarter nulls first",
        indicator.id
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .map(|v| Value { period: period_text(v.year, v.quarter), value: v.value, author: v.name })
    .collect();
    let can_enter = reporter(ctx, &indicator).is_ok();
    Ok(ShowPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        indicator,
        values,
        can_enter,
        form,
        errors,
    })
}

async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, indicator)): Path<(String, i64, i64)>,
) -> AppResult<ShowPage> {
    show_page(
        page,
        &mut ctx,
        id,
        indicator,
        ValueForm::default(),
        FieldErrors::default(),
    )
    .await
}

/// "2026" or "2026Q3", inside the NAP's years.
fn parse_period(raw: &str, nap: &Nap) -> Result<(i32, Option<i16>), &'static str> {
    let raw = raw.trim();
    let (year, quarter) = match Quarter::parse(raw) {
        Some(q) => (q.year, Some(i16::from(q.q))),
        None => (
            raw.parse::<i32>().map_err(|_| "indicator.period_invalid")?,
            None,
        ),
    };
    if (nap.start_year..=nap.end_year).contains(&year) {
        Ok((year, quarter))
    } else {
        Err("indicator.period_outside")
    }
}

async fn add_value(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, indicator)): Path<(String, i64, i64)>,
    Form(f): Form<ValueForm>,
) -> AppResult<Response> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let ind = load(ctx.conn(), id)
        .await?
        .into_iter()
        .find(|i| i.id == indicator)
        .ok_or(AppError::NotFound)?;
    let reporter = reporter(&ctx, &ind)?;
    let mut errors = FieldErrors::default();
    let period = form::check(&mut errors, "period", parse_period(&f.period, &nap));
    let value = form::check(&mut errors, "value", parse_number(&f.value));
    let (Some((year, quarter)), Some(value)) = (period, value) else {
        let page = show_page(page, &mut ctx, id, indicator, f, errors).await?;
        return Ok(invalid(page));
    };
    let by = ctx.user.id;
    reporter
        .enter_value(ctx.conn(), year, quarter, value, by)
        .await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::indicator(&ctx.tenant.slug, id, indicator),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

/// An indicator as checked.
struct IndicatorInput {
    outcome: i64,
    name: String,
    unit: String,
    baseline: f64,
    target: f64,
    responsible: Option<i64>,
}

impl PlanEditor {
    async fn add_indicator(&self, conn: &mut PgConnection, i: &IndicatorInput) -> AppResult<()> {
        sqlx::query!(
            "insert into indicators (tenant_id, outcome_id, name, unit, baseline, target, responsible_partner_id)
             values ($1, $2, $3, $4, $5, $6, $7)",
            self.tenant_id(),
            i.outcome,
            i.name,
            i.unit,
            i.baseline,
            i.target,
            i.responsible
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

impl IndicatorReporter {
    /// A measured value for a period; a second one corrects the first.
    async fn enter_value(
        &self,
        conn: &mut PgConnection,
        year: i32,
        quarter: Option<i16>,
        value: f64,
        by: i64,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into indicator_values (tenant_id, indicator_id, year, quarter, value, entered_by)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (tenant_id, indicator_id, year, quarter)
             do update set value = excluded.value, entered_by = excluded.entered_by, created_at = now()",
            self.tenant_id(),
            self.indicator_id(),
            year,
            quarter,
            value,
            by
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
