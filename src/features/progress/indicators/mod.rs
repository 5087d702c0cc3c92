//! Indicators as plans write them: on the NAP, an objective or an outcome;
//! a baseline and a target that are numbers, words or not stated; values by
//! year or quarter, numbers or (for a qualitative indicator) words, entered
//! by the responsible partner's focal point or the secretariat. A share of
//! the way is shown only where baseline, target and value are all numbers.

mod delete;
mod form;
mod store;
mod values;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use crate::authz::{self, IndicatorReporter};
use crate::error::{AppError, AppResult};
use crate::features::plan::model::{self, Nap, code_key};
use crate::features::plan::quarter::Quarter;
use crate::http::form::{FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::paths::at;
use crate::tenancy::TenantCtx;

use form::Choices;
pub use form::{IndicatorForm, IndicatorInput, check};

pub fn router() -> Routes {
    Routes::new()
        .get(at::indicators, list)
        .post(at::indicators, create)
        .get(at::indicator, values::show)
        .post(at::indicator, values::add_value)
        .get(at::indicator_edit, form::edit)
        .post(at::indicator_edit, form::save)
        .get(at::indicator_delete, delete::confirm)
        .post(at::indicator_delete, delete::delete)
}

/// Where an indicator sits in the plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    Nap,
    Objective(i64),
    Outcome(i64),
}

pub struct Indicator {
    pub id: i64,
    /// The objective's or outcome's code; empty for the NAP as a whole.
    pub code: String,
    /// "nap", "objective" or "outcome".
    pub place_kind: &'static str,
    pub name: String,
    pub unit: String,
    /// As the plan states them: a number in its plain form, words, or empty.
    pub baseline: String,
    pub target: String,
    pub baseline_number: Option<f64>,
    pub target_number: Option<f64>,
    /// Values are words, not numbers.
    pub qualitative: bool,
    pub responsible: Option<i64>,
    pub responsible_acronym: Option<String>,
    pub committee: Option<i64>,
    pub committee_name: Option<String>,
    /// The latest value, by period: a number, or words.
    pub actual: Option<f64>,
    pub actual_text: Option<String>,
    pub actual_period: Option<String>,
}

impl Indicator {
    /// How far from baseline to target the latest value has come, 0 to 100;
    /// none unless the baseline, the target and the value are all numbers.
    pub fn achieved(&self) -> Option<f64> {
        if self.qualitative {
            return None;
        }
        let (baseline, target, actual) = (self.baseline_number?, self.target_number?, self.actual?);
        let span = target - baseline;
        (span != 0.0).then(|| ((actual - baseline) / span * 100.0).clamp(0.0, 100.0))
    }

    /// The latest value as it reads: a number in its plain form, or words.
    pub fn actual_shown(&self) -> Option<String> {
        self.actual.map(number).or_else(|| self.actual_text.clone())
    }

    /// The share as it reads ("50%"), where there is one.
    pub fn achieved_text(&self) -> Option<String> {
        self.achieved().map(|share| format!("{share:.0}%"))
    }

    /// The place's value in the form: "nap", "objective:1", "outcome:1.1".
    pub fn place_value(&self) -> String {
        match self.place_kind {
            "nap" => "nap".to_owned(),
            kind => format!("{kind}:{}", self.code),
        }
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

pub fn period_text(year: i32, quarter: Option<i16>) -> String {
    match quarter
        .and_then(|q| u8::try_from(q).ok())
        .and_then(|q| Quarter::new(year, q))
    {
        Some(q) => q.to_string(),
        None => year.to_string(),
    }
}

/// The NAP's indicators: the plan's own first, then by objective and
/// outcome code.
pub async fn load(conn: &mut PgConnection, nap_id: i64) -> AppResult<Vec<Indicator>> {
    let rows = sqlx::query!(
        r#"select i.id, i.outcome_id, i.objective_id, coalesce(oc.code, ob.code, '') as "code!",
                  i.name, i.unit, i.baseline, i.target, i.baseline_number, i.target_number, i.qualitative,
                  i.responsible_partner_id, p.acronym as "acronym?",
                  i.responsible_committee_id, c.name as "committee?",
                  v.value as "value?", v.value_text as "value_text?", v.year as "year?", v.quarter as "quarter?"
           from indicators i
           left join outcomes oc on oc.tenant_id = i.tenant_id and oc.id = i.outcome_id
           left join objectives ob on ob.tenant_id = i.tenant_id and ob.id = i.objective_id
           left join partners p on p.tenant_id = i.tenant_id and p.id = i.responsible_partner_id
           left join committees c on c.tenant_id = i.tenant_id and c.id = i.responsible_committee_id
           left join lateral (select value, value_text, year, quarter from indicator_values iv
                              where iv.tenant_id = i.tenant_id and iv.indicator_id = i.id
                              order by year desc, quarter desc nulls first limit 1) v on true
           where i.nap_id = $1 or oc.nap_id = $1 or ob.nap_id = $1"#,
        nap_id
    )
    .fetch_all(conn)
    .await?;
    let mut list: Vec<Indicator> = rows
        .into_iter()
        .map(|r| Indicator {
            id: r.id,
            code: r.code,
            place_kind: match (r.objective_id, r.outcome_id) {
                (Some(_), _) => "objective",
                (_, Some(_)) => "outcome",
                _ => "nap",
            },
            name: r.name,
            unit: r.unit,
            baseline: r.baseline,
            target: r.target,
            baseline_number: r.baseline_number,
            target_number: r.target_number,
            qualitative: r.qualitative,
            responsible: r.responsible_partner_id,
            responsible_acronym: r.acronym,
            committee: r.responsible_committee_id,
            committee_name: r.committee,
            actual: r.value,
            actual_text: r.value_text,
            actual_period: r.year.map(|y| period_text(y, r.quarter)),
        })
        .collect();
    list.sort_by(|a, b| {
        (a.place_kind != "nap")
            .cmp(&(b.place_kind != "nap"))
            .then_with(|| code_key(&a.code).cmp(&code_key(&b.code)))
            .then(a.id.cmp(&b.id))
    });
    Ok(list)
}

/// One indicator of the NAP, or not found.
async fn load_one(conn: &mut PgConnection, nap_id: i64, id: i64) -> AppResult<Indicator> {
    load(conn, nap_id)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::NotFound)
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

#[derive(Template, WebTemplate)]
#[template(path = "progress/indicators.html")]
struct ListPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    indicators: Vec<Indicator>,
    can_edit: bool,
    choices: Choices,
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
    let choices = Choices::load(ctx.conn(), nap.id).await?;
    Ok(ListPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        indicators,
        can_edit: ctx.can_edit_plan(),
        choices,
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
    let form = IndicatorForm::default();
    list_page(page, &mut ctx, nap, form, FieldErrors::default()).await
}

async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<IndicatorForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let input = match form::check(ctx.conn(), &nap, &f, None).await? {
        Ok(input) => input,
        Err(errors) => {
            let page = list_page(page, &mut ctx, nap, f, errors).await?;
            return Ok(invalid(page));
        }
    };
    editor.add_indicator(ctx.conn(), id, &input).await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::indicators(&ctx.tenant.slug, id),
        crate::choices::Notice::Added,
    );
    Ok(Redirect::to(&to).into_response())
}
