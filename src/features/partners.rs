//! The partners registry: the organisations of a tenant's plan. The
//! secretariat edits it; every member reads it.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::i18n::Translations;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use sqlx::types::Json;

use crate::authz::PlanEditor;
use crate::choices::{Constituency, Level, PartnerKind, Portfolio};
use crate::error::{AppError, AppResult};
use crate::http::form::invalid;
use crate::http::form::{self, FieldErrors};
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::partners, list)
        .get(at::partners_new, new)
        .post(at::partners_new, create)
        .get(at::partner_edit, edit)
        .post(at::partner_edit, update)
        .get(at::partner_delete, confirm_delete)
        .post(at::partner_delete, delete)
}

/// The partner named by `raw` (an acronym, any case), `None` when empty; an
/// unknown acronym is recorded against `field`.
pub async fn by_acronym(
    conn: &mut sqlx::PgConnection,
    raw: &str,
    field: &'static str,
    errors: &mut FieldErrors,
) -> AppResult<Option<i64>> {
    let acronym = raw.trim();
    if acronym.is_empty() {
        return Ok(None);
    }
    let found = sqlx::query_scalar!(
        "select id from partners where lower(acronym) = lower($1)",
        acronym
    )
    .fetch_optional(conn)
    .await?;
    if found.is_none() {
        errors.add_with(field, "plan.partner_unknown", acronym);
    }
    Ok(found)
}

/// The tenant's partner acronyms, for the owner and organisation choices.
pub async fn acronyms(conn: &mut sqlx::PgConnection) -> AppResult<Vec<String>> {
    Ok(
        sqlx::query_scalar!("select acronym from partners order by acronym")
            .fetch_all(conn)
            .await?,
    )
}

pub struct PartnerRow {
    pub id: i64,
    pub acronym: String,
    pub name: String,
    pub kind: PartnerKind,
    pub portfolio: Option<Portfolio>,
    /// The name of an "other (named)" portfolio.
    pub portfolio_name: String,
    pub level: Level,
    pub constituency: Constituency,
}

impl PartnerRow {
    /// The portfolio as the list shows it: its label, or the name written
    /// for an "other (named)" one.
    pub fn portfolio_label(&self) -> Option<String> {
        self.portfolio.map(|p| match p {
            Portfolio::OtherNamed => self.portfolio_name.clone(),
            p => crate::i18n::t(p.label_key()).into_owned(),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/list.html")]
struct ListPage {
    page: Chrome,
    slug: String,
    partners: Vec<PartnerRow>,
    can_edit: bool,
}

async fn list(page: Chrome, mut ctx: TenantCtx) -> AppResult<ListPage> {
    let rows = sqlx::query!(
        "select id, acronym, name, kind, portfolio, portfolio_name, level, constituency from partners order by acronym"
    )
    .fetch_all(ctx.conn())
    .await?;
    let partners = rows
        .into_iter()
        .map(|r| PartnerRow {
            id: r.id,
            acronym: r.acronym,
            name: r.name,
            kind: PartnerKind::parse(&r.kind).unwrap_or(PartnerKind::Other),
            portfolio: r.portfolio.as_deref().and_then(Portfolio::parse),
            portfolio_name: r.portfolio_name,
            level: Level::parse(&r.level).unwrap_or(Level::National),
            constituency: Constituency::parse(&r.constituency).unwrap_or(Constituency::Other),
        })
        .collect();
    Ok(ListPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        partners,
        can_edit: ctx.can_edit_plan(),
    })
}

#[derive(Default, Deserialize)]
pub struct PartnerForm {
    #[serde(default)]
    pub acronym: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub portfolio: String,
    /// The portfolio's name when it is "other (named)".
    #[serde(default)]
    pub portfolio_name: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub constituency: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub name_fr: String,
    #[serde(default)]
    pub name_es: String,
}

struct PartnerInput {
    acronym: String,
    name: String,
    kind: PartnerKind,
    portfolio: Option<Portfolio>,
    portfolio_name: String,
    level: Level,
    constituency: Constituency,
    translations: Translations,
}

fn validate_acronym(raw: &str) -> Result<String, &'static str> {
    let acronym = raw.trim();
    let mut chars = acronym.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && acronym.len() <= 20
        && chars.all(|c| c.is_ascii_alphanumeric() || ".&'_-".contains(c));
    match (acronym.is_empty(), valid) {
        (true, _) => Err("field.required"),
        (_, true) => Ok(acronym.to_owned()),
        _ => Err("partner.acronym_invalid"),
    }
}

impl PartnerForm {
    /// The partner as typed, checked; `own` is the tenant's language.
    fn validate(&self, own: &str) -> Result<PartnerInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut translations = Translations::default();
        for (lang, field, value) in [
            ("en", "name_en", &self.name_en),
            ("fr", "name_fr", &self.name_fr),
            ("es", "name_es", &self.name_es),
        ] {
            form::translation(
                &mut errors,
                &mut translations,
                own,
                lang,
                "name",
                field,
                value,
                200,
            );
        }
        let acronym = form::check(&mut errors, "acronym", validate_acronym(&self.acronym));
        let name = form::check(&mut errors, "name", form::required(&self.name, 200));
        let kind = form::check(
            &mut errors,
            "kind",
            PartnerKind::parse(&self.kind).ok_or("field.choose"),
        );
        let portfolio = match self.portfolio.trim() {
            "" => None,
            p => form::check(
                &mut errors,
                "portfolio",
                Portfolio::parse(p).ok_or("field.choose"),
            ),
        };
        if portfolio.is_some() && kind.is_some_and(|k| k != PartnerKind::Ministry) {
            errors.add("portfolio", "partner.portfolio_only_ministries");
        }
        let portfolio_name = form::check(
            &mut errors,
            "portfolio_name",
            form::optional(&self.portfolio_name, 200),
        )
        .unwrap_or_default();
        match (portfolio, portfolio_name.is_empty()) {
            (Some(Portfolio::OtherNamed), true) => {
                errors.add("portfolio_name", "partner.portfolio_name_required");
            }
            (p, false) if p != Some(Portfolio::OtherNamed) => {
                errors.add("portfolio_name", "partner.portfolio_name_only_named");
            }
            _ => {}
        }
        let level = form::check(
            &mut errors,
            "level",
            Level::parse(&self.level).ok_or("field.choose"),
        );
        let constituency = form::check(
            &mut errors,
            "constituency",
            Constituency::parse(&self.constituency).ok_or("field.choose"),
        );
        match (acronym, name, kind, level, constituency) {
            (Some(acronym), Some(name), Some(kind), Some(level), Some(constituency))
                if errors.is_empty() =>
            {
                Ok(PartnerInput {
                    acronym,
                    name,
                    kind,
                    portfolio,
                    portfolio_name,
                    level,
                    constituency,
                    translations,
                })
            }
            _ => Err(errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/form.html")]
struct FormPage {
    page: Chrome,
    slug: String,
    partner_id: Option<i64>,
    form: PartnerForm,
    errors: FieldErrors,
    /// The tenant's language: the form's own texts are in it.
    own: String,
    kinds: &'static [PartnerKind],
    portfolios: &'static [Portfolio],
    levels: &'static [Level],
    constituencies: &'static [Constituency],
}

impl FormPage {
    fn new(
        page: Chrome,
        ctx: &TenantCtx,
        partner_id: Option<i64>,
        form: PartnerForm,
        errors: FieldErrors,
    ) -> Self {
        Self {
            page: page.in_tenant(ctx),
            slug: ctx.tenant.slug.clone(),
            partner_id,
            form,
            errors,
            own: ctx.tenant.default_language.clone(),
            kinds: PartnerKind::ALL,
            portfolios: Portfolio::ALL,
            levels: Level::ALL,
            constituencies: Constituency::ALL,
        }
    }
}

async fn new(page: Chrome, ctx: TenantCtx) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let form = PartnerForm {
        kind: PartnerKind::Ministry.as_str().to_owned(),
        level: Level::National.as_str().to_owned(),
        constituency: Constituency::Government.as_str().to_owned(),
        ..PartnerForm::default()
    };
    Ok(FormPage::new(
        page,
        &ctx,
        None,
        form,
        FieldErrors::default(),
    ))
}

async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    id: Option<i64>,
    form: PartnerForm,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    if let Some(id) = id {
        sqlx::query_scalar!("select id from partners where id = $1", id)
            .fetch_optional(ctx.conn())
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let input = match form.validate(&ctx.tenant.default_language) {
        Ok(input) => input,
        Err(errors) => return Ok(invalid(FormPage::new(page, &ctx, id, form, errors))),
    };
    let saved =
        crate::db::unless_taken(ctx.conn(), "partners_acronym_any_case_key", async |conn| {
            editor.save_partner(conn, id, &input).await
        })
        .await?;
    match saved {
        None => {
            let mut errors = FieldErrors::default();
            errors.add("acronym", "partner.acronym_taken");
            return Ok(invalid(FormPage::new(page, &ctx, id, form, errors)));
        }
        Some(false) => return Err(AppError::NotFound),
        Some(true) => {}
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::partners(&ctx.tenant.slug),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

async fn create(
    page: Chrome,
    ctx: TenantCtx,
    Form(form): Form<PartnerForm>,
) -> AppResult<Response> {
    save(page, ctx, None, form).await
}

async fn edit(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let r = sqlx::query!(
        r#"select acronym, name, kind, portfolio, portfolio_name, level, constituency,
                  translations as "translations: Json<Translations>"
           from partners where id = $1"#,
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let name_in = |lang| {
        r.translations
            .get(lang, "name")
            .unwrap_or_default()
            .to_owned()
    };
    let form = PartnerForm {
        name_en: name_in("en"),
        name_fr: name_in("fr"),
        name_es: name_in("es"),
        acronym: r.acronym,
        name: r.name,
        kind: r.kind,
        portfolio: r.portfolio.unwrap_or_default(),
        portfolio_name: r.portfolio_name,
        level: r.level,
        constituency: r.constituency,
    };
    Ok(FormPage::new(
        page,
        &ctx,
        Some(id),
        form,
        FieldErrors::default(),
    ))
}

async fn update(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<PartnerForm>,
) -> AppResult<Response> {
    save(page, ctx, Some(id), form).await
}

async fn confirm_delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ConfirmPage> {
    ctx.plan_editor()?;
    Ok(delete_page(page, &mut ctx, id).await?.0)
}

/// The confirmation, and whether the partner is still named somewhere
/// (then it offers no button).
async fn delete_page(page: Chrome, ctx: &mut TenantCtx, id: i64) -> AppResult<(ConfirmPage, bool)> {
    let r = sqlx::query!(
        r#"select p.acronym, p.name,
                  (select count(*) from activities a where a.tenant_id = p.tenant_id and a.lead_partner_id = p.id)
                + (select count(*) from activity_partners ap where ap.tenant_id = p.tenant_id and ap.partner_id = p.id) as "activities!",
                  (select count(*) from memberships m where m.tenant_id = p.tenant_id and m.partner_id = p.id) as "members!"
           from partners p where p.id = $1"#,
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let slug = ctx.tenant.slug.clone();
    let in_use = r.activities > 0 || r.members > 0;
    let problem = in_use.then(|| {
        i18n::t_with(
            "partner.in_use",
            "value",
            &format!("{} / {}", r.activities, r.members),
        )
    });
    let page = ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with(
            "partner.delete_question",
            "value",
            &format!("{} ({})", r.name, r.acronym),
        ),
        crate::paths::partner_delete(&slug, id),
        crate::paths::partners(&slug),
    )
    .then(i18n::t("confirm.partner_goes").into_owned())
    .then(i18n::t("confirm.for_good").into_owned())
    .problem(problem);
    Ok((page, in_use))
}

async fn delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    if !confirmation.given() {
        let (confirm, in_use) = delete_page(page, &mut ctx, id).await?;
        if in_use {
            let back = crate::paths::partner_delete(&ctx.tenant.slug, id);
            return Ok(Redirect::to(&back).into_response());
        }
        return Ok(confirm.instead());
    }
    match editor.delete_partner(ctx.conn(), id).await? {
        Deleted::Gone => {
            let ctx = ctx.commit().await?;
            let to = crate::http::notice::done(
                &crate::paths::partners(&ctx.tenant.slug),
                crate::choices::Notice::Deleted,
            );
            Ok(Redirect::to(&to).into_response())
        }
        Deleted::NotFound => Err(AppError::NotFound),
        Deleted::InUse => {
            Ok(Redirect::to(&crate::paths::partner_delete(&ctx.tenant.slug, id)).into_response())
        }
    }
}

enum Deleted {
    Gone,
    NotFound,
    /// Still named by an activity, a member or a seat: the foreign keys refuse.
    InUse,
}

/// The writes of partners, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// False if the partner to change does not exist. An acronym already
    /// used is a unique violation, for `db::unless_taken` to answer.
    async fn save_partner(
        &self,
        conn: &mut PgConnection,
        id: Option<i64>,
        p: &PartnerInput,
    ) -> AppResult<bool> {
        let portfolio = p.portfolio.map(Portfolio::as_str);
        let changed = match id {
            None => sqlx::query!(
                "insert into partners (tenant_id, acronym, name, kind, portfolio, level, constituency, translations,
                                       portfolio_name)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                self.tenant_id(), p.acronym, p.name, p.kind.as_str(), portfolio, p.level.as_str(), p.constituency.as_str(),
                Json(&p.translations) as _, p.portfolio_name
            )
            .execute(conn)
            .await?,
            Some(id) => sqlx::query!(
                "update partners set acronym = $3, name = $4, kind = $5, portfolio = $6, level = $7, constituency = $8,
                     translations = $9, portfolio_name = $10
                 where tenant_id = $1 and id = $2",
                self.tenant_id(), id, p.acronym, p.name, p.kind.as_str(), portfolio, p.level.as_str(), p.constituency.as_str(),
                Json(&p.translations) as _, p.portfolio_name
            )
            .execute(conn)
            .await?,
        };
        Ok(changed.rows_affected() == 1)
    }

    async fn delete_partner(&self, conn: &mut PgConnection, id: i64) -> AppResult<Deleted> {
        let mut savepoint = sqlx::Acquire::begin(&mut *conn).await?;
        let done = sqlx::query!(
            "delete from partners where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id
        )
        .execute(&mut *savepoint)
        .await;
        match done {
            Ok(d) if d.rows_affected() == 1 => {
                savepoint.commit().await?;
                Ok(Deleted::Gone)
            }
            Ok(_) => Ok(Deleted::NotFound),
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                savepoint.rollback().await?;
                Ok(Deleted::InUse)
            }
            Err(e) => Err(e.into()),
        }
    }
}
