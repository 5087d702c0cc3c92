//! The indicator form, to add one and to change one: where it sits, what it
//! measures, its baseline and target as stated, who answers for it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::{Indicator, Place, load_one, number};
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap, code_key};
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

/// The largest number a baseline, target or value may be, either way.
pub(super) const MAX_VALUE: f64 = 1e12;

#[derive(Default, Deserialize)]
pub struct IndicatorForm {
    /// "nap", "objective:<code>" or "outcome:<code>".
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub unit: String,
    /// "number" or "text" (qualitative).
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub baseline: String,
    #[serde(default)]
    pub target: String,
    /// A partner's acronym.
    #[serde(default)]
    pub responsible: String,
    /// A committee's id, or empty.
    #[serde(default)]
    pub committee: String,
}

impl IndicatorForm {
    fn of(i: &Indicator) -> Self {
        Self {
            place: i.place_value(),
            name: i.name.clone(),
            unit: i.unit.clone(),
            kind: if i.qualitative { "text" } else { "number" }.to_owned(),
            baseline: i.baseline.clone(),
            target: i.target.clone(),
            responsible: i.responsible_acronym.clone().unwrap_or_default(),
            committee: i.committee.map(|c| c.to_string()).unwrap_or_default(),
        }
    }
}

/// What the form offers: the plan's objectives and outcomes, the committees.
pub struct Choices {
    /// (value, label): "objective:1", "1 Prevention".
    pub places: Vec<(String, String)>,
    /// (id, name).
    pub committees: Vec<(String, String)>,
}

impl Choices {
    pub(super) async fn load(conn: &mut PgConnection, nap: i64) -> AppResult<Self> {
        let mut places: Vec<(String, String, String)> = sqlx::query!(
            r#"select 'objective' as "kind!", code, title from objectives where nap_id = $1
               union all select 'outcome', code, title from outcomes where nap_id = $1"#,
            nap
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.kind,
                r.code.unwrap_or_default(),
                r.title.unwrap_or_default(),
            )
        })
        .collect();
        places.sort_by_key(|p| code_key(&p.1));
        let committees = sqlx::query!("select id, name from committees order by name")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect();
        Ok(Self {
            places: places
                .into_iter()
                .map(|(kind, code, title)| (format!("{kind}:{code}"), format!("{code} {title}")))
                .collect(),
            committees,
        })
    }
}

/// An indicator as checked.
pub struct IndicatorInput {
    pub place: Place,
    pub name: String,
    pub unit: String,
    pub qualitative: bool,
    pub baseline: String,
    pub target: String,
    pub responsible: Option<i64>,
    pub committee: Option<i64>,
}

/// A baseline or target as the plan states it: empty, a number (kept in its
/// plain form, which the database reads back as a number) or words.
fn stated(raw: &str) -> Result<String, &'static str> {
    let text = form::optional(raw, 500)?;
    if text.is_empty() {
        return Ok(text);
    }
    match form::number(&text, MAX_VALUE) {
        Ok(n) => Ok(number(n)),
        Err("field.number_too_large") => Err("field.number_too_large"),
        Err(_) => Ok(text),
    }
}

/// The form checked against the plan; `current` is the indicator changed.
/// The one check of the form and of every row of the indicators file.
pub async fn check(
    conn: &mut PgConnection,
    nap: &Nap,
    f: &IndicatorForm,
    current: Option<&Indicator>,
) -> AppResult<Result<IndicatorInput, FieldErrors>> {
    let mut errors = FieldErrors::default();
    let place = match f.place.trim().split_once(':') {
        _ if f.place.trim() == "nap" => Some(Place::Nap),
        Some(("objective", code)) => sqlx::query_scalar!(
            "select id from objectives where nap_id = $1 and code = $2",
            nap.id,
            code
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(Place::Objective),
        Some(("outcome", code)) => sqlx::query_scalar!(
            "select id from outcomes where nap_id = $1 and code = $2",
            nap.id,
            code
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(Place::Outcome),
        _ => None,
    };
    if place.is_none() {
        errors.add("place", "field.choose");
    }
    let name = form::check(&mut errors, "name", form::required(&f.name, 500));
    let unit = form::check(&mut errors, "unit", form::optional(&f.unit, 50));
    let qualitative = match f.kind.as_str() {
        "text" => Some(true),
        "number" | "" => Some(false),
        _ => {
            errors.add("kind", "field.choose");
            None
        }
    };
    if let (Some(current), Some(qualitative)) = (current, qualitative) {
        let values = sqlx::query_scalar!(
            r#"select count(*) as "n!" from indicator_values where indicator_id = $1"#,
            current.id
        )
        .fetch_one(&mut *conn)
        .await?;
        if qualitative != current.qualitative && values > 0 {
            errors.add("kind", "indicator.kind_has_values");
        }
    }
    let baseline = form::check(&mut errors, "baseline", stated(&f.baseline));
    let target = form::check(&mut errors, "target", stated(&f.target));
    let responsible =
        crate::features::partners::by_acronym(conn, &f.responsible, "responsible", &mut errors)
            .await?;
    let committee = match f.committee.trim() {
        "" => None,
        raw => {
            let found = match raw.parse::<i64>() {
                Ok(id) => {
                    sqlx::query_scalar!("select id from committees where id = $1", id)
                        .fetch_optional(&mut *conn)
                        .await?
                }
                Err(_) => None,
            };
            if found.is_none() {
                errors.add("committee", "field.choose");
            }
            found
        }
    };
    if responsible.is_some() && committee.is_some() {
        errors.add("committee", "indicator.one_responsible");
    }
    match (place, name, unit, qualitative, baseline, target) {
        (Some(place), Some(name), Some(unit), Some(qualitative), Some(baseline), Some(target))
            if errors.is_empty() =>
        {
            Ok(Ok(IndicatorInput {
                place,
                name,
                unit,
                qualitative,
                baseline,
                target,
                responsible,
                committee,
            }))
        }
        _ => Ok(Err(errors)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/indicator_form.html")]
pub(super) struct EditPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    indicator: Indicator,
    choices: Choices,
    form: IndicatorForm,
    errors: FieldErrors,
}

async fn edit_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    nap: Nap,
    indicator: Indicator,
    form: Option<IndicatorForm>,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let choices = Choices::load(ctx.conn(), nap.id).await?;
    let form = form.unwrap_or_else(|| IndicatorForm::of(&indicator));
    Ok(EditPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        indicator,
        choices,
        form,
        errors,
    })
}

pub(super) async fn edit(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, indicator)): Path<(String, i64, i64)>,
) -> AppResult<EditPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let indicator = load_one(ctx.conn(), id, indicator).await?;
    edit_page(page, &mut ctx, nap, indicator, None, FieldErrors::default()).await
}

pub(super) async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, indicator)): Path<(String, i64, i64)>,
    Form(f): Form<IndicatorForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let current = load_one(ctx.conn(), id, indicator).await?;
    let input = match check(ctx.conn(), &nap, &f, Some(&current)).await? {
        Ok(input) => input,
        Err(errors) => {
            let page = edit_page(page, &mut ctx, nap, current, Some(f), errors).await?;
            return Ok(invalid(page));
        }
    };
    editor
        .save_indicator(ctx.conn(), id, indicator, &input)
        .await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::indicator(&ctx.tenant.slug, id, indicator),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}
