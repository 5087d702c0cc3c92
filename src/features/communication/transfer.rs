//! The communication plan as a table: exported as CSV or XLSX with one row
//! per item, and imported back from either. An import checks every row as
//! the form does and stores nothing unless all pass; a row adds the item of
//! its code or changes it, and items the file does not name stay.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::pages;
use super::{ItemForm, Lookups, items};
use crate::choices::Notice;
use crate::error::AppResult;
use crate::features::plan::model;
use crate::features::plan::transfer::{CSV, XLSX, table_csv, table_xlsx};
use crate::http::download::attachment;
use crate::http::form::invalid;
use crate::http::page::Chrome;
use crate::i18n;
use crate::paths;
use crate::spreadsheet::{self, Limits};
use crate::state::AppState;
use crate::tenancy::TenantCtx;

/// The columns, by the names the file's header row gives them.
pub const COLUMNS: [&str; 10] = [
    "code",
    "direction",
    "audience",
    "objective",
    "key_message",
    "channel",
    "partner",
    "targets",
    "state",
    "activities",
];

/// The most items a file may hold.
const MAX_ROWS: usize = 1000;

async fn rows(ctx: &mut TenantCtx, id: i64) -> AppResult<(String, Vec<Vec<String>>)> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let rows = items(ctx.conn(), id)
        .await?
        .into_iter()
        .map(|i| {
            let f = i.form();
            vec![
                f.code,
                f.direction,
                f.audience,
                f.objective,
                f.key_message,
                f.channel,
                f.partner,
                f.targets,
                f.state,
                f.activities,
            ]
        })
        .collect();
    Ok((format!("communication-plan-{}", nap.id), rows))
}

fn header() -> Vec<String> {
    COLUMNS.iter().map(|c| (*c).to_owned()).collect()
}

/// `GET /t/{slug}/naps/{id}/communication.csv`.
pub(super) async fn csv(
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (name, rows) = rows(&mut ctx, id).await?;
    let bytes = table_csv(&header(), &rows)?;
    Ok(attachment(bytes, CSV, &format!("{name}.csv")))
}

/// `GET /t/{slug}/naps/{id}/communication.xlsx`.
pub(super) async fn xlsx(
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (name, rows) = rows(&mut ctx, id).await?;
    let bytes = table_xlsx("Communication", &header(), &rows)?;
    Ok(attachment(bytes, XLSX, &format!("{name}.xlsx")))
}

/// The rows of an uploaded table as forms, or why it cannot be read.
fn forms_of(bytes: &[u8]) -> Result<Vec<(usize, ItemForm)>, String> {
    let limits = Limits {
        rows: MAX_ROWS + 1,
        columns: COLUMNS.len() + 10,
    };
    let table = spreadsheet::read(bytes, &[], limits)
        .map_err(|_| i18n::t("communication.file_unreadable").into_owned())?;
    let mut lines = table.into_iter().enumerate();
    let Some((_, head)) = lines.next() else {
        return Err(i18n::t("communication.file_empty").into_owned());
    };
    let at: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| head.iter().position(|h| h.trim().eq_ignore_ascii_case(c)))
        .collect();
    if at[0].is_none() || at[3].is_none() {
        return Err(i18n::t("communication.file_header").into_owned());
    }
    let cell =
        |row: &[String], n: usize| at[n].and_then(|i| row.get(i)).cloned().unwrap_or_default();
    Ok(lines
        .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, row)| {
            let form = ItemForm {
                code: cell(&row, 0),
                direction: cell(&row, 1),
                audience: cell(&row, 2),
                objective: cell(&row, 3),
                key_message: cell(&row, 4),
                channel: cell(&row, 5),
                partner: cell(&row, 6),
                targets: cell(&row, 7),
                state: cell(&row, 8),
                activities: cell(&row, 9),
            };
            (i + 1, form)
        })
        .collect())
}

/// `POST /t/{slug}/naps/{id}/communication/import`: a CSV or XLSX file.
pub(super) async fn import(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    State(state): State<AppState>,
    request: Request,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let mut bytes = Vec::new();
    let mut multipart = Multipart::from_request(request, &state).await?;
    while let Some(field) = multipart.next_field().await? {
        if field.name() == Some("file") {
            bytes = field.bytes().await?.to_vec();
        }
    }
    let forms = match forms_of(&bytes) {
        Ok(forms) => forms,
        Err(problem) => {
            return Ok(invalid(
                pages::plan_page(page, &mut ctx, id, None, vec![problem]).await?,
            ));
        }
    };
    let known = Lookups::load(ctx.conn(), &nap).await?;
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (row, form) in &forms {
        let item_id = known.items.get(form.code.trim()).copied();
        match form.check(&known, item_id) {
            Ok(item) if seen.insert(item.code.clone()) => checked.push((item_id, item)),
            Ok(item) => problems.push(i18n::t_args(
                "communication.row_problem",
                &[
                    ("row", &row.to_string()),
                    ("field", "code"),
                    (
                        "message",
                        &i18n::t_with("communication.code_twice", "value", &item.code),
                    ),
                ],
            )),
            Err(errors) => problems.extend(errors.iter().map(|e| {
                i18n::t_args(
                    "communication.row_problem",
                    &[
                        ("row", &row.to_string()),
                        ("field", e.field),
                        ("message", &errors.get(e.field).unwrap_or_default()),
                    ],
                )
            })),
        }
    }
    if !problems.is_empty() {
        return Ok(invalid(
            pages::plan_page(page, &mut ctx, id, None, problems).await?,
        ));
    }
    for (known, item) in &checked {
        editor.save_item(ctx.conn(), id, *known, item).await?;
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &paths::nap_communication(&ctx.tenant.slug, id),
        Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}
