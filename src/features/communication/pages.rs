//! The communication plan's pages: the items with their quarter grid of a
//! year, and the form that adds, changes and deletes one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::{AUDIENCES, CHANNELS, DIRECTIONS, Item, ItemForm, Lookups, NewItem, STATES, items};
use crate::choices::Notice;
use crate::error::{AppError, AppResult};
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::{Period, Quarter};
use crate::http::form::{FieldErrors, Form, invalid};
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::paths;
use crate::tenancy::TenantCtx;

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default)]
    pub year: Option<i32>,
}

/// One row of the grid: the item, and whether it has a target in each
/// quarter of the year.
pub struct GridRow {
    pub item: Item,
    pub quarters: [bool; 4],
}

#[derive(Template, WebTemplate)]
#[template(path = "communication/plan.html")]
pub struct PlanPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    year: i32,
    years: Vec<i32>,
    rows: Vec<GridRow>,
    can_edit: bool,
    /// Why an imported file was refused, row by row.
    problems: Vec<String>,
}

/// The period of a NAP's years.
pub fn period_of(nap: &Nap) -> Period {
    Period::years(nap.start_year, nap.end_year)
}

/// `GET /t/{slug}/naps/{id}/communication?year=…`.
pub(super) async fn plan(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<YearQuery>,
) -> AppResult<PlanPage> {
    plan_page(page, &mut ctx, id, q.year, Vec::new()).await
}

/// The plan of `year` (this year by default), with an import's `problems`.
pub(super) async fn plan_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    year: Option<i32>,
    problems: Vec<String>,
) -> AppResult<PlanPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let this_year = Quarter::current().year;
    let year = year
        .unwrap_or(this_year)
        .clamp(nap.start_year, nap.end_year);
    let period = period_of(&nap);
    let rows = items(ctx.conn(), id)
        .await?
        .into_iter()
        .map(|item| {
            let mut quarters = [false; 4];
            for q in item.quarters(period).into_iter().filter(|q| q.year == year) {
                quarters[usize::from(q.q - 1)] = true;
            }
            GridRow { item, quarters }
        })
        .collect();
    Ok(PlanPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        years: (nap.start_year..=nap.end_year).collect(),
        nap,
        year,
        rows,
        can_edit: ctx.can_edit_plan(),
        problems,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "communication/form.html")]
pub struct ItemPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    item: Option<i64>,
    form: ItemForm,
    errors: FieldErrors,
    partners: Vec<String>,
    directions: &'static [&'static str],
    audiences: &'static [&'static str],
    channels: &'static [&'static str],
    states: &'static [&'static str],
}

async fn form_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    nap: Nap,
    item: Option<i64>,
    form: ItemForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let partners = crate::features::partners::acronyms(ctx.conn()).await?;
    let page = ItemPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        item,
        form,
        partners,
        directions: &DIRECTIONS,
        audiences: &AUDIENCES,
        channels: &CHANNELS,
        states: &STATES,
        errors,
    };
    Ok(if page.errors.is_empty() {
        page.into_response()
    } else {
        invalid(page)
    })
}

/// `GET /t/{slug}/naps/{id}/communication/new`.
pub(super) async fn new(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let form = ItemForm {
        state: "planned".to_owned(),
        ..ItemForm::default()
    };
    form_page(page, &mut ctx, nap, None, form, FieldErrors::default()).await
}

/// The item checked against what the NAP holds now.
async fn check(
    conn: &mut PgConnection,
    nap: &Nap,
    id: Option<i64>,
    form: &ItemForm,
) -> AppResult<Result<NewItem, FieldErrors>> {
    Ok(form.check(&Lookups::load(conn, nap).await?, id))
}

/// `POST /t/{slug}/naps/{id}/communication/new`.
pub(super) async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    match check(ctx.conn(), &nap, None, &form).await? {
        Ok(item) => {
            editor.save_item(ctx.conn(), id, None, &item).await?;
            let ctx = ctx.commit().await?;
            let to = crate::http::notice::done(
                &paths::nap_communication(&ctx.tenant.slug, id),
                Notice::Added,
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(errors) => form_page(page, &mut ctx, nap, None, form, errors).await,
    }
}

async fn item_of(ctx: &mut TenantCtx, nap: i64, item: i64) -> AppResult<Item> {
    items(ctx.conn(), nap)
        .await?
        .into_iter()
        .find(|i| i.id == item)
        .ok_or(AppError::NotFound)
}

/// `GET /t/{slug}/naps/{id}/communication/{item}`: the item's form.
pub(super) async fn edit(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, item)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let form = item_of(&mut ctx, id, item).await?.form();
    form_page(
        page,
        &mut ctx,
        nap,
        Some(item),
        form,
        FieldErrors::default(),
    )
    .await
}

/// `POST /t/{slug}/naps/{id}/communication/{item}`.
pub(super) async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, item)): Path<(String, i64, i64)>,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    item_of(&mut ctx, id, item).await?;
    match check(ctx.conn(), &nap, Some(item), &form).await? {
        Ok(checked) => {
            editor
                .save_item(ctx.conn(), id, Some(item), &checked)
                .await?;
            let ctx = ctx.commit().await?;
            let to = crate::http::notice::done(
                &paths::nap_communication(&ctx.tenant.slug, id),
                Notice::Saved,
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(errors) => form_page(page, &mut ctx, nap, Some(item), form, errors).await,
    }
}

async fn delete_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    item: i64,
) -> AppResult<ConfirmPage> {
    ctx.plan_editor()?;
    let found = item_of(ctx, id, item).await?;
    let slug = ctx.tenant.slug.clone();
    Ok(ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with(
            "communication.delete_question",
            "value",
            &format!("{} {}", found.code, found.objective),
        ),
        paths::communication_item_delete(&slug, id, item),
        paths::nap_communication(&slug, id),
    )
    .then(i18n::t("confirm.for_good").into_owned()))
}

/// `GET /t/{slug}/naps/{id}/communication/{item}/delete`.
pub(super) async fn confirm_delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, item)): Path<(String, i64, i64)>,
) -> AppResult<ConfirmPage> {
    delete_page(page, &mut ctx, id, item).await
}

/// `POST /t/{slug}/naps/{id}/communication/{item}/delete`.
pub(super) async fn delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, item)): Path<(String, i64, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    if !confirmation.given() {
        return Ok(delete_page(page, &mut ctx, id, item).await?.instead());
    }
    if !editor.delete_item(ctx.conn(), id, item).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &paths::nap_communication(&ctx.tenant.slug, id),
        Notice::Deleted,
    );
    Ok(Redirect::to(&to).into_response())
}
