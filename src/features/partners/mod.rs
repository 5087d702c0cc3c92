//! The partners registry: the organisations of a tenant's plan. The
//! secretariat edits it; every member reads it.
//!
//! `form` is the form that adds and changes a partner, `delete` its
//! removal, `store` the writes a [`crate::authz::PlanEditor`] makes.

pub mod aliases;
mod delete;
mod form;
mod store;

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;

use crate::choices::{Constituency, Level, PartnerKind, Portfolio};
use crate::error::AppResult;
use crate::http::form::FieldErrors;
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub use form::{PartnerForm, PartnerInput, check};

pub fn router() -> Routes {
    Routes::new()
        .get(at::partners, list)
        .get(at::partners_new, form::new)
        .post(at::partners_new, form::create)
        .get(at::partner_edit, form::edit)
        .post(at::partner_edit, form::update)
        .get(at::partner_delete, delete::confirm_delete)
        .post(at::partner_delete, delete::delete)
}

/// The partner named by `raw` (its acronym or another of its names, any case), `None` when empty; an
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
        r#"select id as "id!" from partners where lower(acronym) = lower($1)
           union all select partner_id from partner_aliases where lower(alias) = lower($1)"#,
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
    /// Other names and acronyms.
    pub other_names: Vec<String>,
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
    let mut other_names = aliases::all(ctx.conn()).await?;
    let partners = rows
        .into_iter()
        .map(|r| PartnerRow {
            other_names: other_names.remove(&r.id).unwrap_or_default(),
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
