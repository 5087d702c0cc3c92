//! The NAP form: a new NAP, and changes to one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::dates::{self, NapDates};
use crate::choices::{NapStatus, Theme};
use crate::error::AppResult;
use crate::features::plan::alignment::{self, Part, References};
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::Quarter;
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::i18n::Translations;
use crate::tenancy::TenantCtx;

/// The NAP form as typed.
#[derive(Default, Deserialize)]
pub struct NapForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub start_year: String,
    #[serde(default)]
    pub end_year: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub summary: String,
    /// SDG targets and ILO instruments, by code: "SDG 8.7, C29".
    #[serde(default)]
    pub alignment: String,
    #[serde(default)]
    pub national_alignment: String,
    /// `YYYY-MM-DD`, optional, as are the dates of effect.
    #[serde(default)]
    pub adopted_on: String,
    #[serde(default)]
    pub effective_from: String,
    #[serde(default)]
    pub effective_to: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub title_fr: String,
    #[serde(default)]
    pub title_es: String,
    #[serde(default)]
    pub summary_en: String,
    #[serde(default)]
    pub summary_fr: String,
    #[serde(default)]
    pub summary_es: String,
}

impl NapForm {
    fn from_nap(nap: &Nap, dates: &NapDates, aligns: &[String]) -> Self {
        let [adopted_on, effective_from, effective_to] = dates.as_typed();
        Self {
            adopted_on,
            effective_from,
            effective_to,
            title: nap.title.clone(),
            theme: nap.theme.as_str().to_owned(),
            start_year: nap.start_year.to_string(),
            end_year: nap.end_year.to_string(),
            status: nap.status.as_str().to_owned(),
            summary: nap.summary.clone(),
            alignment: alignment::labels(aligns),
            national_alignment: nap.national_alignment.clone(),
            title_en: nap
                .translations
                .get("en", "title")
                .unwrap_or_default()
                .to_owned(),
            title_fr: nap
                .translations
                .get("fr", "title")
                .unwrap_or_default()
                .to_owned(),
            title_es: nap
                .translations
                .get("es", "title")
                .unwrap_or_default()
                .to_owned(),
            summary_en: nap
                .translations
                .get("en", "summary")
                .unwrap_or_default()
                .to_owned(),
            summary_fr: nap
                .translations
                .get("fr", "summary")
                .unwrap_or_default()
                .to_owned(),
            summary_es: nap
                .translations
                .get("es", "summary")
                .unwrap_or_default()
                .to_owned(),
        }
    }

    /// The NAP as typed, checked; `own` is the tenant's language.
    fn validate(&self, own: &str, refs: &References) -> Result<NapInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut translations = Translations::default();
        for (lang, title, summary) in [
            (
                "en",
                ("title_en", &self.title_en),
                ("summary_en", &self.summary_en),
            ),
            (
                "fr",
                ("title_fr", &self.title_fr),
                ("summary_fr", &self.summary_fr),
            ),
            (
                "es",
                ("title_es", &self.title_es),
                ("summary_es", &self.summary_es),
            ),
        ] {
            let t = &mut translations;
            form::translation(&mut errors, t, own, lang, "title", title.0, title.1, 300);
            form::translation(
                &mut errors,
                t,
                own,
                lang,
                "summary",
                summary.0,
                summary.1,
                5000,
            );
        }
        let title = form::check(&mut errors, "title", form::required(&self.title, 300));
        let theme = form::check(
            &mut errors,
            "theme",
            Theme::parse(&self.theme).ok_or("field.choose"),
        );
        let status = form::check(
            &mut errors,
            "status",
            NapStatus::parse(&self.status).ok_or("field.choose"),
        );
        let year = |raw: &str| match raw.trim().parse::<i32>() {
            Ok(y) if (1990..=2100).contains(&y) => Ok(y),
            _ if raw.trim().is_empty() => Err("field.required"),
            _ => Err("nap.year_invalid"),
        };
        let start_year = form::check(&mut errors, "start_year", year(&self.start_year));
        let mut end_year = form::check(&mut errors, "end_year", year(&self.end_year));
        if let (Some(s), Some(e)) = (start_year, end_year)
            && (e < s || e > s + 20)
        {
            errors.add("end_year", "nap.period_invalid");
            end_year = None;
        }
        let summary = form::check(&mut errors, "summary", form::optional(&self.summary, 5000));
        let alignment = refs.check(&mut errors, "alignment", &self.alignment);
        let national_alignment = form::check(
            &mut errors,
            "national_alignment",
            form::optional(&self.national_alignment, 2000),
        );
        let dates = NapDates::check(
            &mut errors,
            &self.adopted_on,
            &self.effective_from,
            &self.effective_to,
        );
        match (
            title,
            theme,
            status,
            (start_year, end_year),
            summary,
            alignment,
            national_alignment,
            dates,
        ) {
            (
                Some(title),
                Some(theme),
                Some(status),
                (Some(start_year), Some(end_year)),
                Some(summary),
                Some(alignment),
                Some(national_alignment),
                Some(dates),
            ) if errors.is_empty() => Ok(NapInput {
                dates,
                title,
                theme,
                status,
                start_year,
                end_year,
                summary,
                alignment,
                national_alignment,
                translations,
            }),
            _ => Err(errors),
        }
    }
}

pub struct NapInput {
    pub title: String,
    pub theme: Theme,
    pub status: NapStatus,
    pub start_year: i32,
    pub end_year: i32,
    pub summary: String,
    /// The codes the NAP as a whole serves.
    pub alignment: Vec<String>,
    pub national_alignment: String,
    pub translations: Translations,
    /// Adoption and effect, when the plan gives them.
    pub dates: NapDates,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/nap_form.html")]
pub(super) struct FormPage {
    page: Chrome,
    slug: String,
    /// None when creating.
    nap_id: Option<i64>,
    form: NapForm,
    errors: FieldErrors,
    /// The tenant's language: the form's own texts are in it.
    own: String,
    themes: &'static [Theme],
    statuses: &'static [NapStatus],
    refs: References,
}

impl FormPage {
    fn new(
        page: Chrome,
        ctx: &TenantCtx,
        nap_id: Option<i64>,
        (form, errors): (NapForm, FieldErrors),
        refs: References,
    ) -> Self {
        Self {
            page: page.in_tenant(ctx),
            slug: ctx.tenant.slug.clone(),
            nap_id,
            form,
            errors,
            own: ctx.tenant.default_language.clone(),
            themes: Theme::ALL,
            statuses: NapStatus::ALL,
            refs,
        }
    }
}

pub(super) async fn new(page: Chrome, mut ctx: TenantCtx) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let refs = References::load(ctx.conn()).await?;
    let year = Quarter::current().year;
    let form = NapForm {
        theme: Theme::ForcedLabour.as_str().to_owned(),
        status: NapStatus::Draft.as_str().to_owned(),
        start_year: year.to_string(),
        end_year: (year + 4).to_string(),
        alignment: alignment::label("8.7"),
        ..NapForm::default()
    };
    Ok(FormPage::new(
        page,
        &ctx,
        None,
        (form, FieldErrors::default()),
        refs,
    ))
}

pub(super) async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Form(form): Form<NapForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let refs = References::load(ctx.conn()).await?;
    let input = match form.validate(&ctx.tenant.default_language, &refs) {
        Ok(input) => input,
        Err(errors) => {
            return Ok(invalid(FormPage::new(
                page,
                &ctx,
                None,
                (form, errors),
                refs,
            )));
        }
    };
    let id = editor.create_nap(ctx.conn(), &input).await?;
    let ctx = ctx.commit().await?;
    tracing::info!(nap = id, "NAP created");
    let to = crate::http::notice::done(
        &crate::paths::nap(&ctx.tenant.slug, id),
        crate::choices::Notice::Added,
    );
    Ok(Redirect::to(&to).into_response())
}

pub(super) async fn edit(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let dates = dates::load(ctx.conn(), id).await?;
    let aligns = alignment::codes_of(ctx.conn(), id, Part::Nap).await?;
    let refs = References::load(ctx.conn()).await?;
    Ok(FormPage::new(
        page,
        &ctx,
        Some(id),
        (
            NapForm::from_nap(&nap, &dates, &aligns),
            FieldErrors::default(),
        ),
        refs,
    ))
}

pub(super) async fn update(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<NapForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let old = model::load_nap(ctx.conn(), id).await?;
    let refs = References::load(ctx.conn()).await?;
    let mut result = form.validate(&ctx.tenant.default_language, &refs);
    if let Ok(input) = &result
        && let Some((key, code)) =
            outside_new_period(ctx.conn(), id, input.start_year, input.end_year).await?
    {
        let mut errors = FieldErrors::default();
        errors.add_with("end_year", key, &code);
        result = Err(errors);
    }
    let input = match result {
        Ok(input) => input,
        Err(errors) => {
            return Ok(invalid(FormPage::new(
                page,
                &ctx,
                Some(id),
                (form, errors),
                refs,
            )));
        }
    };
    editor.update_nap(ctx.conn(), &old, &input).await?;
    let ctx = ctx.commit().await?;
    tracing::info!(nap = id, "NAP updated");
    let to = crate::http::notice::done(
        &crate::paths::nap(&ctx.tenant.slug, id),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

/// What the years `start`..=`end` would leave out: an activity whose
/// period or a target falls outside them, or else an objective or outcome
/// whose own target does; the message's key and its code. A year target
/// falls outside when its year does.
async fn outside_new_period(
    conn: &mut PgConnection,
    nap_id: i64,
    start: i32,
    end: i32,
) -> AppResult<Option<(&'static str, String)>> {
    let (first, last) = (start * 4, end * 4 + 3);
    let activity = sqlx::query_scalar!(
        "select a.code from activities a
         where a.nap_id = $1
           and (a.start_quarter < $2 or a.end_quarter > $3
                or exists (select 1 from time_targets t
                           where t.tenant_id = a.tenant_id and t.activity_id = a.id and t.year is not null
                             and (t.year * 4 + coalesce(t.quarter, 4) - 1 < $2
                                  or t.year * 4 + coalesce(t.quarter, 1) - 1 > $3)))
         order by a.code limit 1",
        nap_id,
        first,
        last
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(code) = activity {
        return Ok(Some(("nap.period_excludes", code)));
    }
    let node = sqlx::query_scalar!(
        r#"select coalesce(o.code, oc.code) as "code!" from time_targets t
           left join objectives o on o.tenant_id = t.tenant_id and o.id = t.objective_id
           left join outcomes oc on oc.tenant_id = t.tenant_id and oc.id = t.outcome_id
           where (o.nap_id = $1 or oc.nap_id = $1) and t.year is not null
             and (t.year * 4 + coalesce(t.quarter, 4) - 1 < $2
                  or t.year * 4 + coalesce(t.quarter, 1) - 1 > $3)
           order by 1 limit 1"#,
        nap_id,
        first,
        last
    )
    .fetch_optional(conn)
    .await?;
    Ok(node.map(|code| ("nap.period_excludes_node", code)))
}
