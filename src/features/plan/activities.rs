//! Activities: read, create, edit, delete.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::i18n::Translations;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use sqlx::types::Json;

use super::alignment::{self, Part, References};
use super::model::{self, ActivityDraft, Nap, PlanContext};
use super::quarter::Quarter;
use crate::authz::PlanEditor;
use crate::choices::Level;
use crate::error::{AppError, AppResult};
use crate::http::form::FieldErrors;
use crate::http::form::invalid;
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::activities_new, new)
        .post(at::activities_new, create)
        .get(at::activity_edit, edit)
        .post(at::activity_edit, update)
        .get(at::activity_delete, confirm_delete)
        .post(at::activity_delete, delete)
}

pub struct PartnerChoice {
    pub acronym: String,
    pub name: String,
}

pub struct OutcomeChoice {
    pub code: String,
    pub title: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/activity_form.html")]
struct FormPage {
    page: Chrome,
    action: String,
    back: String,
    nap_url: String,
    nap: Nap,
    editing: bool,
    form: ActivityDraft,
    errors: FieldErrors,
    /// The tenant's language: the form's own texts are in it.
    own: String,
    partners: Vec<PartnerChoice>,
    outcomes: Vec<OutcomeChoice>,
    levels: &'static [Level],
    /// The NAP's pillars and linked plans, as the hints list them.
    pillars: String,
    plans: String,
    refs: References,
}

impl FormPage {
    fn partner_list(&self) -> String {
        self.partners
            .iter()
            .map(|p| p.acronym.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn form_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    nap: Nap,
    activity: Option<i64>,
    form: ActivityDraft,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let partners = sqlx::query_as!(
        PartnerChoice,
        "select acronym, name from partners order by acronym"
    )
    .fetch_all(ctx.conn())
    .await?;
    let mut outcomes = sqlx::query_as!(
        OutcomeChoice,
        "select code, title from outcomes where nap_id = $1",
        nap.id
    )
    .fetch_all(ctx.conn())
    .await?;
    outcomes.sort_by_key(|o| model::code_key(&o.code));
    let tags = crate::features::plan::tags::TagLists::load(ctx.conn(), nap.id).await?;
    let slug = ctx.tenant.slug.clone();
    let (action, back) = match activity {
        Some(a) => (
            crate::paths::activity_edit(&slug, nap.id, a),
            crate::paths::activity(&slug, nap.id, a),
        ),
        None => (
            crate::paths::activities_new(&slug, nap.id),
            crate::paths::nap(&slug, nap.id),
        ),
    };
    Ok(FormPage {
        page: page.in_tenant(ctx),
        action,
        back,
        nap_url: crate::paths::nap(&slug, nap.id),
        nap,
        editing: activity.is_some(),
        form,
        errors,
        own: ctx.tenant.default_language.clone(),
        partners,
        outcomes,
        levels: Level::ALL,
        pillars: tags.pillars.join("; "),
        plans: tags.plans.join("; "),
        refs: References::load(ctx.conn()).await?,
    })
}

#[derive(Deserialize)]
struct NewQuery {
    outcome: Option<String>,
}

async fn new(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<NewQuery>,
) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let form = ActivityDraft {
        outcome: q.outcome.unwrap_or_default(),
        level: Level::National.as_str().to_owned(),
        ..ActivityDraft::default()
    };
    form_page(page, &mut ctx, nap, None, form, FieldErrors::default()).await
}

async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    nap_id: i64,
    activity: Option<i64>,
    draft: ActivityDraft,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), nap_id).await?;
    if let Some(a) = activity {
        model::activity_in_nap(ctx.conn(), nap_id, a).await?;
    }
    let context = PlanContext::load(ctx.conn(), &nap).await?;
    let mut translation_errors = FieldErrors::default();
    let translations = draft.translations(&ctx.tenant.default_language, &mut translation_errors);
    let aligns = References::load(ctx.conn())
        .await?
        .check(&mut translation_errors, "alignment", &draft.alignment)
        .unwrap_or_default();
    let result = match context.validate(&draft) {
        Ok(input) if translation_errors.is_empty() => Ok(input),
        Ok(_) => Err(translation_errors),
        Err(mut errors) => {
            errors.merge(translation_errors);
            Err(errors)
        }
    };
    let input = match result {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(page, &mut ctx, nap, activity, draft, errors).await?;
            return Ok(invalid(page));
        }
    };
    let saved = crate::db::unless_taken(
        ctx.conn(),
        "activities_tenant_id_nap_id_code_key",
        async |conn| Ok(model::save_activity(&editor, conn, &nap, activity, &input).await?),
    )
    .await?;
    let Some(id) = saved else {
        let mut errors = FieldErrors::default();
        errors.add("code", "plan.code_taken");
        let page = form_page(page, &mut ctx, nap, activity, draft, errors).await?;
        return Ok(invalid(page));
    };
    editor
        .translate_activity(ctx.conn(), id, &translations)
        .await?;
    editor
        .set_alignment(ctx.conn(), nap_id, Part::Activity(id), &aligns)
        .await?;
    let ctx = ctx.commit().await?;
    tracing::info!(activity = id, "activity saved");
    let to = crate::http::notice::done(
        &crate::paths::activity(&ctx.tenant.slug, nap_id, id),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

async fn create(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(draft): Form<ActivityDraft>,
) -> AppResult<Response> {
    save(page, ctx, id, None, draft).await
}

async fn edit(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, activity)): Path<(String, i64, i64)>,
) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let extra = sqlx::query!(
        "select nap_id, description, place from activities where id = $1",
        activity
    )
    .fetch_optional(ctx.conn())
    .await?
    .filter(|a| a.nap_id == id)
    .ok_or(AppError::NotFound)?;
    let tree = model::load_tree_of(ctx.conn(), id, &[activity], Quarter::current()).await?;
    let (outcome, _, a) = model::find_activity(tree, activity).ok_or(AppError::NotFound)?;
    let aligns = alignment::codes_of(ctx.conn(), id, Part::Activity(activity)).await?;
    let form = ActivityDraft {
        alignment: alignment::labels(&aligns),
        outcome,
        code: a.code.clone(),
        title: a.title.clone(),
        description: extra.description,
        lead: a.lead.clone().unwrap_or_default(),
        supporting: a.supporting.join(", "),
        start: a.start.map(|q| q.to_string()).unwrap_or_default(),
        end: a.end.map(|q| q.to_string()).unwrap_or_default(),
        level: a.level.as_str().to_owned(),
        place: extra.place,
        budget: a.budget.map(|b| b.to_string()).unwrap_or_default(),
        currency: a.currency.clone(),
        targets: a.targets_text(),
        pillars: a.pillars.join("; "),
        plans: a.plans.join("; "),
        flag: a.flag.clone(),
        title_en: a
            .translations
            .get("en", "title")
            .unwrap_or_default()
            .to_owned(),
        title_fr: a
            .translations
            .get("fr", "title")
            .unwrap_or_default()
            .to_owned(),
        title_es: a
            .translations
            .get("es", "title")
            .unwrap_or_default()
            .to_owned(),
    };
    form_page(
        page,
        &mut ctx,
        nap,
        Some(activity),
        form,
        FieldErrors::default(),
    )
    .await
}

async fn update(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, activity)): Path<(String, i64, i64)>,
    Form(draft): Form<ActivityDraft>,
) -> AppResult<Response> {
    save(page, ctx, id, Some(activity), draft).await
}

async fn confirm_delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, activity)): Path<(String, i64, i64)>,
) -> AppResult<ConfirmPage> {
    ctx.plan_editor()?;
    delete_page(page, &mut ctx, id, activity).await
}

/// What deleting the activity takes with it, said before it happens.
async fn delete_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    activity: i64,
) -> AppResult<ConfirmPage> {
    let row = sqlx::query!(
        r#"select code, title,
                  exists (select 1 from status_updates u where u.activity_id = a.id)
                  or exists (select 1 from confidential_counts c
                             where c.activity_id = a.id and c.records > 0) as "history!"
           from activities a where id = $1 and nap_id = $2"#,
        activity,
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let slug = ctx.tenant.slug.clone();
    Ok(ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with(
            "plan.delete_activity",
            "value",
            &format!("{} {}", row.code, row.title),
        ),
        crate::paths::activity_delete(&slug, id, activity),
        crate::paths::activity(&slug, id, activity),
    )
    .then(i18n::t("confirm.activity_takes").into_owned())
    .then(i18n::t("confirm.for_good").into_owned())
    .problem(
        row.history
            .then(|| i18n::t("plan.activity_has_history").into_owned()),
    ))
}

async fn delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, activity)): Path<(String, i64, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    // An activity with status history stays: the history is the committee's memory.
    let has_history = sqlx::query_scalar!(
        "select exists (select 1 from status_updates where activity_id = $1)
             or exists (select 1 from confidential_counts where activity_id = $1 and records > 0) as \"e!\"",
        activity
    )
    .fetch_one(ctx.conn())
    .await?;
    if has_history {
        let back = crate::paths::activity_delete(&ctx.tenant.slug, id, activity);
        return Ok(Redirect::to(&back).into_response());
    }
    if !confirmation.given() {
        return Ok(delete_page(page, &mut ctx, id, activity).await?.instead());
    }
    if !editor.delete_activity(ctx.conn(), id, activity).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    tracing::info!(activity, "activity deleted");
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::nap(&ctx.tenant.slug, id),
        crate::choices::Notice::Deleted,
    ))
    .into_response())
}

impl PlanEditor {
    /// Keeps the activity's title in other languages.
    async fn translate_activity(
        &self,
        conn: &mut PgConnection,
        id: i64,
        translations: &Translations,
    ) -> AppResult<()> {
        sqlx::query!(
            "update activities set translations = $3 where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id,
            Json(translations) as _
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// False if the NAP has no such activity. One with history is kept by
    /// the database (its updates refer to it).
    async fn delete_activity(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        activity: i64,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "delete from activities where tenant_id = $1 and id = $2 and nap_id = $3",
            self.tenant_id(),
            activity,
            nap
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
