//! The form that adds a partner and changes one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::types::Json;

use sqlx::PgConnection;

use super::aliases;
use crate::choices::{Constituency, Level, PartnerKind, Portfolio};
use crate::error::{AppError, AppResult};
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::i18n::Translations;
use crate::tenancy::TenantCtx;

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
    /// Other names and acronyms, one per line.
    #[serde(default)]
    pub other_names: String,
}

pub struct PartnerInput {
    pub acronym: String,
    pub name: String,
    pub kind: PartnerKind,
    pub portfolio: Option<Portfolio>,
    pub portfolio_name: String,
    pub level: Level,
    pub constituency: Constituency,
    pub translations: Translations,
    /// Other names and acronyms, none the acronym or name itself.
    pub aliases: Vec<String>,
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
        let mut aliases = form::check(
            &mut errors,
            "other_names",
            aliases::parse(&self.other_names),
        )
        .unwrap_or_default();
        aliases.retain(|a| {
            !a.eq_ignore_ascii_case(self.acronym.trim())
                && a.to_lowercase() != self.name.trim().to_lowercase()
        });
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
                    aliases,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The form checked, and checked against the other partners than `id`:
/// no acronym or other name of this partner may name another one. The
/// one check of the form and of every spreadsheet row.
pub async fn check(
    conn: &mut PgConnection,
    id: Option<i64>,
    form: &PartnerForm,
    own: &str,
) -> AppResult<Result<PartnerInput, FieldErrors>> {
    let input = match form.validate(own) {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut errors = FieldErrors::default();
    if let Some(name) = aliases::taken(conn, id, &input.aliases).await? {
        errors.add_with("other_names", "partner.name_taken", &name);
    }
    if aliases::taken(conn, id, std::slice::from_ref(&input.acronym))
        .await?
        .is_some()
    {
        errors.add("acronym", "partner.acronym_taken");
    }
    Ok(if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/form.html")]
pub(super) struct FormPage {
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

pub(super) async fn new(page: Chrome, ctx: TenantCtx) -> AppResult<FormPage> {
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
    let own = ctx.tenant.default_language.clone();
    let input = match check(ctx.conn(), id, &form, &own).await? {
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
        Some(None) => return Err(AppError::NotFound),
        Some(Some(_)) => {}
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::partners(&ctx.tenant.slug),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

pub(super) async fn create(
    page: Chrome,
    ctx: TenantCtx,
    Form(form): Form<PartnerForm>,
) -> AppResult<Response> {
    save(page, ctx, None, form).await
}

pub(super) async fn edit(
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
    let other_names = aliases::of(ctx.conn(), id).await?.join("\n");
    let form = PartnerForm {
        other_names,
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

pub(super) async fn update(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<PartnerForm>,
) -> AppResult<Response> {
    save(page, ctx, Some(id), form).await
}
