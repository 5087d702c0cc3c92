//! One indicator's page: what it measures and its values by period, with the
//! form its responsible focal point (or the secretariat) enters them in.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::form::MAX_VALUE;
use super::{Indicator, load_one, number, period_text, reporter};
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::Quarter;
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

/// A value as entered: a number, or words for a qualitative indicator.
pub enum Measured {
    Number(f64),
    Text(String),
}

pub struct Value {
    pub period: String,
    pub value: String,
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
pub(super) struct ShowPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    indicator: Indicator,
    values: Vec<Value>,
    can_enter: bool,
    can_edit: bool,
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
    let indicator = load_one(ctx.conn(), nap_id, indicator).await?;
    let values = sqlx::query!(
        "select v.year, v.quarter, v.value, v.value_text, u.name
         from indicator_values v join users u on u.id = v.entered_by
         where v.indicator_id = $1 order by v.year, v.quarter nulls first",
        indicator.id
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .map(|v| Value {
        period: period_text(v.year, v.quarter),
        value: v.value.map(number).or(v.value_text).unwrap_or_default(),
        author: v.name,
    })
    .collect();
    let can_enter = reporter(ctx, &indicator).is_ok();
    Ok(ShowPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        indicator,
        values,
        can_enter,
        can_edit: ctx.can_edit_plan(),
        form,
        errors,
    })
}

pub(super) async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, indicator)): Path<(String, i64, i64)>,
) -> AppResult<ShowPage> {
    let form = ValueForm::default();
    show_page(page, &mut ctx, id, indicator, form, FieldErrors::default()).await
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

pub(super) async fn add_value(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, indicator)): Path<(String, i64, i64)>,
    Form(f): Form<ValueForm>,
) -> AppResult<Response> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let ind = load_one(ctx.conn(), id, indicator).await?;
    let reporter = reporter(&ctx, &ind)?;
    let mut errors = FieldErrors::default();
    let period = form::check(&mut errors, "period", parse_period(&f.period, &nap));
    let value = if ind.qualitative {
        form::check(&mut errors, "value", form::required(&f.value, 2000)).map(Measured::Text)
    } else {
        form::check(&mut errors, "value", form::number(&f.value, MAX_VALUE)).map(Measured::Number)
    };
    let (Some((year, quarter)), Some(value)) = (period, value) else {
        let page = show_page(page, &mut ctx, id, indicator, f, errors).await?;
        return Ok(invalid(page));
    };
    let by = ctx.user.id;
    reporter
        .enter_value(ctx.conn(), year, quarter, &value, by)
        .await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::indicator(&ctx.tenant.slug, id, indicator),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}
