//! NAPs: list, create, read, edit, delete, publish.

use crate::http::form::{Form, invalid};
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::model::{self, Nap, ObjectiveNode};
use super::quarter::Quarter;
use crate::authz::PlanEditor;
use crate::choices::{NapStatus, Theme};
use crate::error::{AppError, AppResult};
use crate::http::form::{self, FieldErrors};
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n::{self, Translations};
use sqlx::types::Json;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::naps, list)
        .get(at::naps_new, new)
        .post(at::naps_new, create)
        .get(at::nap, show)
        .get(at::nap_edit, edit)
        .post(at::nap_edit, update)
        .get(at::nap_delete, confirm_delete)
        .post(at::nap_delete, delete)
        .post(at::nap_publish, publish)
        .post(at::nap_unpublish, unpublish)
}

pub struct NapSummary {
    pub id: i64,
    pub title: String,
    pub theme: Theme,
    pub start_year: i32,
    pub end_year: i32,
    pub status: NapStatus,
    pub published: bool,
    pub activities: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/naps.html")]
struct ListPage {
    page: Chrome,
    slug: String,
    naps: Vec<NapSummary>,
    can_edit: bool,
}

async fn list(page: Chrome, mut ctx: TenantCtx) -> AppResult<ListPage> {
    let rows = sqlx::query!(
        r#"select n.id, n.title, n.theme, n.start_year, n.end_year, n.status, n.published,
                  (select count(*) from activities a where a.tenant_id = n.tenant_id and a.nap_id = n.id) as "activities!"
           from naps n order by n.start_year desc, n.title"#
    )
    .fetch_all(ctx.conn())
    .await?;
    let naps = rows
        .into_iter()
        .map(|r| NapSummary {
            id: r.id,
            title: r.title,
            theme: Theme::parse(&r.theme).unwrap_or(Theme::Other),
            start_year: r.start_year,
            end_year: r.end_year,
            status: NapStatus::parse(&r.status).unwrap_or(NapStatus::Draft),
            published: r.published,
            activities: r.activities,
        })
        .collect();
    Ok(ListPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        naps,
        can_edit: ctx.can_edit_plan(),
    })
}

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
    #[serde(default)]
    pub sdg_targets: String,
    #[serde(default)]
    pub national_alignment: String,
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
    fn from_nap(nap: &Nap) -> Self {
        Self {
            title: nap.title.clone(),
            theme: nap.theme.as_str().to_owned(),
            start_year: nap.start_year.to_string(),
            end_year: nap.end_year.to_string(),
            status: nap.status.as_str().to_owned(),
            summary: nap.summary.clone(),
            sdg_targets: nap.sdg_targets.clone(),
            national_alignment: nap.national_alignment.clone(),
            title_en: nap.translations.get("en", "title").unwrap_or_default().to_owned(),
            title_fr: nap.translations.get("fr", "title").unwrap_or_default().to_owned(),
            title_es: nap.translations.get("es", "title").unwrap_or_default().to_owned(),
            summary_en: nap.translations.get("en", "summary").unwrap_or_default().to_owned(),
            summary_fr: nap.translations.get("fr", "summary").unwrap_or_default().to_owned(),
            summary_es: nap.translations.get("es", "summary").unwrap_or_default().to_owned(),
        }
    }

    /// The NAP as typed, checked; `own` is the tenant's language.
    fn validate(&self, own: &str) -> Result<NapInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut translations = Translations::default();
        for (lang, title, summary) in [
            ("en", ("title_en", &self.title_en), ("summary_en", &self.summary_en)),
            ("fr", ("title_fr", &self.title_fr), ("summary_fr", &self.summary_fr)),
            ("es", ("title_es", &self.title_es), ("summary_es", &self.summary_es)),
        ] {
            let t = &mut translations;
            form::translation(&mut errors, t, own, lang, "title", title.0, title.1, 300);
            form::translation(&mut errors, t, own, lang, "summary", summary.0, summary.1, 5000);
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
        let sdg_targets = form::check(
            &mut errors,
            "sdg_targets",
            form::optional(&self.sdg_targets, 500),
        );
        let national_alignment = form::check(
            &mut errors,
            "national_alignment",
            form::optional(&self.national_alignment, 2000),
        );
        match (
            title,
            theme,
            status,
            start_year,
            end_year,
            summary,
            sdg_targets,
            national_alignment,
        ) {
            (
                Some(title),
                Some(theme),
                Some(status),
                Some(start_year),
                Some(end_year),
                Some(summary),
                Some(sdg_targets),
                Some(national_alignment),
            ) if errors.is_empty() => Ok(NapInput {
                title,
                theme,
                status,
                start_year,
                end_year,
                summary,
                sdg_targets,
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
    pub sdg_targets: String,
    pub national_alignment: String,
    pub translations: Translations,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/nap_form.html")]
struct FormPage {
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
}

impl FormPage {
    fn new(
        page: Chrome,
        ctx: &TenantCtx,
        nap_id: Option<i64>,
        form: NapForm,
        errors: FieldErrors,
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
        }
    }
}

async fn new(page: Chrome, ctx: TenantCtx) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let year = Quarter::current().year;
    let form = NapForm {
        theme: Theme::ForcedLabour.as_str().to_owned(),
        status: NapStatus::Draft.as_str().to_owned(),
        start_year: year.to_string(),
        end_year: (year + 4).to_string(),
        sdg_targets: "8.7".to_owned(),
        ..NapForm::default()
    };
    Ok(FormPage::new(
        page,
        &ctx,
        None,
        form,
        FieldErrors::default(),
    ))
}

async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Form(form): Form<NapForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let input = match form.validate(&ctx.tenant.default_language) {
        Ok(input) => input,
        Err(errors) => return Ok(invalid(FormPage::new(page, &ctx, None, form, errors))),
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

#[derive(Template, WebTemplate)]
#[template(path = "plan/nap.html")]
struct ShowPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    tree: Vec<ObjectiveNode>,
    can_edit: bool,
}

async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ShowPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let tree = model::load_tree(ctx.conn(), id, Quarter::current()).await?;
    Ok(ShowPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        tree,
        can_edit: ctx.can_edit_plan(),
    })
}

async fn edit(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    Ok(FormPage::new(
        page,
        &ctx,
        Some(id),
        NapForm::from_nap(&nap),
        FieldErrors::default(),
    ))
}

async fn update(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<NapForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let old = model::load_nap(ctx.conn(), id).await?;
    let mut result = form.validate(&ctx.tenant.default_language);
    if let Ok(input) = &result
        && let Some(code) =
            outside_new_period(ctx.conn(), id, input.start_year, input.end_year).await?
    {
        let mut errors = FieldErrors::default();
        errors.add_with("end_year", "nap.period_excludes", &code);
        result = Err(errors);
    }
    let input = match result {
        Ok(input) => input,
        Err(errors) => return Ok(invalid(FormPage::new(page, &ctx, Some(id), form, errors))),
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

/// The code of an activity whose quarters or one-off targets would fall
/// outside the years `start`..=`end`, if any.
async fn outside_new_period(
    conn: &mut PgConnection,
    nap_id: i64,
    start: i32,
    end: i32,
) -> AppResult<Option<String>> {
    let (first, last) = (start * 4, end * 4 + 3);
    Ok(sqlx::query_scalar!(
        "select a.code from activities a
         where a.nap_id = $1
           and (a.start_quarter < $2 or a.end_quarter > $3
                or exists (select 1 from time_targets t
                           where t.tenant_id = a.tenant_id and t.activity_id = a.id and t.year is not null
                             and (t.year * 4 + t.quarter - 1 < $2 or t.year * 4 + t.quarter - 1 > $3)))
         order by a.code limit 1",
        nap_id,
        first,
        last
    )
    .fetch_optional(conn)
    .await?)
}

async fn confirm_delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ConfirmPage> {
    ctx.plan_editor()?;
    delete_page(page, &mut ctx, id).await
}

/// What deleting the NAP takes with it, said before it happens.
async fn delete_page(page: Chrome, ctx: &mut TenantCtx, id: i64) -> AppResult<ConfirmPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let slug = ctx.tenant.slug.clone();
    let history = has_history(ctx.conn(), id).await?;
    let activities = sqlx::query_scalar!(
        r#"select count(*) as "n!" from activities where nap_id = $1"#,
        id
    )
    .fetch_one(ctx.conn())
    .await?;
    Ok(ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with("nap.delete_question", "value", &nap.title),
        crate::paths::nap_delete(&slug, id),
        crate::paths::nap(&slug, id),
    )
    .then(i18n::t_with(
        "confirm.nap_takes",
        "value",
        &i18n::number(activities),
    ))
    .then(i18n::t("confirm.for_good").into_owned())
    .problem(history.then(|| i18n::t("nap.has_history").into_owned())))
}

/// Whether any activity of the NAP has status updates or confidential
/// records (then it is closed, not deleted).
async fn has_history(conn: &mut PgConnection, nap_id: i64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        "select exists (select 1 from status_updates u join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
                        where a.nap_id = $1)
             or exists (select 1 from confidential_counts c join activities a on a.tenant_id = c.tenant_id and a.id = c.activity_id
                        where a.nap_id = $1 and c.records > 0) as \"e!\"",
        nap_id
    )
    .fetch_one(conn)
    .await?)
}

async fn delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    if has_history(ctx.conn(), id).await? {
        return Ok(Redirect::to(&crate::paths::nap_delete(&ctx.tenant.slug, id)).into_response());
    }
    if !confirmation.given() {
        return Ok(delete_page(page, &mut ctx, id).await?.instead());
    }
    if !editor.delete_nap(ctx.conn(), id).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    tracing::info!(nap = id, "NAP deleted");
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::naps(&ctx.tenant.slug),
        crate::choices::Notice::Deleted,
    ))
    .into_response())
}

async fn set_published(mut ctx: TenantCtx, id: i64, published: bool) -> AppResult<Redirect> {
    let editor = ctx.plan_editor()?;
    if !editor.publish_nap(ctx.conn(), id, published).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    tracing::info!(nap = id, published, "NAP publication changed");
    let notice = if published {
        crate::choices::Notice::Published
    } else {
        crate::choices::Notice::Unpublished
    };
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::nap(&ctx.tenant.slug, id),
        notice,
    )))
}

async fn publish(ctx: TenantCtx, Path((_, id)): Path<(String, i64)>) -> AppResult<Redirect> {
    set_published(ctx, id, true).await
}

async fn unpublish(ctx: TenantCtx, Path((_, id)): Path<(String, i64)>) -> AppResult<Redirect> {
    set_published(ctx, id, false).await
}

/// The writes of NAPs themselves, which only a [`PlanEditor`] makes.
impl PlanEditor {
    pub async fn create_nap(&self, conn: &mut PgConnection, n: &NapInput) -> AppResult<i64> {
        Ok(sqlx::query_scalar!(
            "insert into naps (tenant_id, title, theme, status, start_year, end_year, summary, sdg_targets,
                               national_alignment, translations)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
            self.tenant_id(),
            n.title,
            n.theme.as_str(),
            n.status.as_str(),
            n.start_year,
            n.end_year,
            n.summary,
            n.sdg_targets,
            n.national_alignment,
            Json(&n.translations) as _
        )
        .fetch_one(conn)
        .await?)
    }

    /// Saves `n` over `old`; a new period expands the targets again.
    async fn update_nap(&self, conn: &mut PgConnection, old: &Nap, n: &NapInput) -> AppResult<()> {
        sqlx::query!(
            "update naps set title = $3, theme = $4, status = $5, start_year = $6, end_year = $7,
                 summary = $8, sdg_targets = $9, national_alignment = $10, translations = $11
             where tenant_id = $1 and id = $2",
            self.tenant_id(),
            old.id,
            n.title,
            n.theme.as_str(),
            n.status.as_str(),
            n.start_year,
            n.end_year,
            n.summary,
            n.sdg_targets,
            n.national_alignment,
            Json(&n.translations) as _
        )
        .execute(&mut *conn)
        .await?;
        if (old.start_year, old.end_year) != (n.start_year, n.end_year) {
            let nap = model::load_nap(conn, old.id).await?;
            model::refresh_all_occurrences(self, conn, &nap).await?;
        }
        Ok(())
    }

    /// False if there is no such NAP.
    async fn delete_nap(&self, conn: &mut PgConnection, id: i64) -> AppResult<bool> {
        let done = sqlx::query!(
            "delete from naps where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// False if there is no such NAP.
    async fn publish_nap(
        &self,
        conn: &mut PgConnection,
        id: i64,
        published: bool,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "update naps set published = $3 where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id,
            published
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
