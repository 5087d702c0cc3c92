//! The plan as a spreadsheet: export to CSV and XLSX, and import in exactly
//! the export's format, with a preview before anything is stored.
//!
//! One row per activity; a row with no activity code only names an
//! objective and outcome (so outcomes without activities survive the round
//! trip). Rows are matched to the plan by code.
//!
//! `format` is the one format both ways, `write` makes the files and `name`
//! names them, `diff` checks a file against the plan (`fields` says what
//! changes in a row, `codes` catches codes a spreadsheet rewrote as
//! numbers); the writes of an import are the plan editor's (`store`), and
//! the checked rows wait for the confirmation in `drafts`. The set-up
//! imports (`features::setup`) read, write, name and keep their files with
//! the same pieces.

mod codes;
mod diff;
pub mod drafts;
mod fields;
pub mod format;
mod name;
mod store;
mod write;

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{self, Nap};
use super::quarter::Quarter;
use crate::error::{AppError, AppResult};
use crate::http::form::{Form, invalid};
use crate::http::page::Chrome;
use crate::i18n;
use crate::state::AppState;
use crate::tenancy::TenantCtx;
use diff::{Analysis, analyse};
use format::PlanRow;
use write::{csv_bytes, plan_rows, progress_sheets, xlsx_bytes};

pub use diff::ChangeKind;
pub use fields::FieldChange;
pub use format::{COLUMNS, FIGURES, Problem, Table, label, parse_file, read_file, read_table};
pub use name::slug;
pub use write::{CSV, XLSX, table_csv, table_xlsx};

pub fn router() -> Routes {
    Routes::new()
        .get(at::export_csv, export_csv)
        .get(at::export_xlsx, export_xlsx)
        .get(at::template_csv, template_csv)
        .get(at::template_xlsx, template_xlsx)
        .get(at::import, import_page)
        .post(at::import, upload)
        .post(at::import_apply, apply)
}

/// A turn to build an export of a whole plan. At most half the cores build
/// one at a time; a request waits for its turn before it takes a database
/// connection, so waiting exports hold nothing, and memory stays bounded
/// however many people export at once.
pub struct ExportTurn {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl FromRequestParts<AppState> for ExportTurn {
    type Rejection = AppError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Self::take(state).await
    }
}

impl ExportTurn {
    /// Waits for a turn: for a handler that needs one only sometimes (a
    /// file it may already have).
    pub async fn take(state: &AppState) -> Result<Self, AppError> {
        let permit = state
            .spreadsheets
            .clone()
            .acquire_owned()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(Self { _permit: permit })
    }
}

fn download(bytes: Vec<u8>, content_type: &'static str, filename: String) -> Response {
    crate::http::download::attachment(bytes, content_type, &filename)
}

/// The plan as CSV, named after it.
async fn export_csv(
    _turn: ExportTurn,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let rows = plan_rows(ctx.conn(), &nap).await?;
    let lang = i18n::current();
    let bytes = tokio::task::spawn_blocking(move || i18n::with_language(lang, || csv_bytes(&rows)))
        .await
        .map_err(anyhow::Error::from)??;
    Ok(download(
        bytes,
        CSV,
        name::export_name(&ctx.tenant.slug, &nap, "csv"),
    ))
}

async fn export_xlsx(
    _turn: ExportTurn,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let today = Quarter::current();
    let rows = plan_rows(ctx.conn(), &nap).await?;
    let occurrences = sqlx::query!(
        "select a.code, t.year, t.quarter, o.quarter_index, o.met_at is not null as \"met!\"
         from target_occurrences o
         join time_targets t on t.tenant_id = o.tenant_id and t.id = o.target_id
         join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
         where a.nap_id = $1",
        id
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .map(|o| (o.code, o.year, o.quarter, o.quarter_index, o.met))
    .collect::<Vec<_>>();
    let mut occurrences = occurrences;
    occurrences.sort_by(|a, b| {
        model::code_key(&a.0)
            .cmp(&model::code_key(&b.0))
            .then(a.3.cmp(&b.3))
    });
    let occurrences: Vec<[String; 4]> = occurrences
        .into_iter()
        .map(|(code, year, q, index, met)| {
            let quarter = Quarter::from_index(index);
            let spec = super::quarter::TargetSpec::from_row(year, q)
                .map(|s| s.label())
                .unwrap_or_default();
            let state = super::quarter::TargetState::of(quarter, met, today);
            [
                code,
                spec,
                model::occurrence_label(quarter, q.is_none()),
                i18n::t(state.label_key()).into_owned(),
            ]
        })
        .collect();
    let sheets = progress_sheets(ctx.conn(), id).await?;
    let lang = i18n::current();
    let bytes = tokio::task::spawn_blocking(move || {
        i18n::with_language(lang, || xlsx_bytes(&rows, &occurrences, &sheets))
    })
    .await
    .map_err(anyhow::Error::from)??;
    Ok(download(
        bytes,
        XLSX,
        name::export_name(&ctx.tenant.slug, &nap, "xlsx"),
    ))
}

async fn template_csv(
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    model::load_nap(ctx.conn(), id).await?;
    Ok(download(
        csv_bytes(&[])?,
        CSV,
        "plan-template.csv".to_owned(),
    ))
}

async fn template_xlsx(
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    model::load_nap(ctx.conn(), id).await?;
    Ok(download(
        xlsx_bytes(&[], &[], &[])?,
        XLSX,
        "plan-template.xlsx".to_owned(),
    ))
}

/// The import page: the upload form, and after an upload either the
/// problems by row and column or the preview of every change.
#[derive(Template, WebTemplate)]
#[template(path = "plan/import.html")]
struct ImportPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    /// Present after a file was read.
    analysis: Option<Analysis>,
    /// The checked rows kept for the confirmation (migration 16).
    draft: Option<i64>,
}

async fn import_page(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ImportPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    Ok(ImportPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        analysis: None,
        draft: None,
    })
}

/// Step one: read the file and show what would happen. Nothing of the plan
/// is stored; the checked rows wait in a draft for the confirmation.
async fn upload(
    State(state): State<AppState>,
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    request: Request,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    // Read the upload only once the NAP is known: another tenant's id is a 404.
    let mut multipart = Multipart::from_request(request, &state).await?;
    let mut bytes = Vec::new();
    while let Some(field) = multipart.next_field().await? {
        if field.name() == Some("file") {
            bytes = field.bytes().await?.to_vec();
        }
    }
    // Reading takes its turn with exports, on a blocking thread: however
    // many files arrive at once, at most half the cores read them.
    let turn = state
        .spreadsheets
        .clone()
        .acquire_owned()
        .await
        .map_err(anyhow::Error::from)?;
    let lang = i18n::current();
    let parsed = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        i18n::with_language(lang, || read_file(&bytes))
    })
    .await
    .map_err(anyhow::Error::from)?;
    let (analysis, rows) = match parsed {
        Err(problem) => (
            Analysis {
                problems: vec![problem],
                ..Analysis::default()
            },
            Vec::new(),
        ),
        Ok(file) if file.rows.is_empty() => {
            let problem = Problem {
                line: 1,
                column: "",
                message: i18n::t("transfer.empty").into_owned(),
            };
            (
                Analysis {
                    problems: vec![problem],
                    ignored: file.ignored,
                    ..Analysis::default()
                },
                file.rows,
            )
        }
        Ok(mut file) => {
            if !file.absent.is_empty() {
                let current = write::plan_rows(ctx.conn(), &nap).await?;
                format::keep_absent(&mut file.rows, &file.absent, &current);
            }
            let mut analysis = analyse(ctx.conn(), &nap, &file.rows).await?;
            analysis.ignored = file.ignored;
            (analysis, file.rows)
        }
    };
    let status_ok = analysis.problems.is_empty();
    let draft = if status_ok {
        let me = ctx.user.id;
        Some(editor.keep_draft(ctx.conn(), nap.id, me, &rows).await?)
    } else {
        None
    };
    let page = ImportPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        draft,
        analysis: Some(analysis),
    };
    ctx.commit().await?;
    Ok(if status_ok {
        page.into_response()
    } else {
        invalid(page)
    })
}

#[derive(Deserialize)]
struct ApplyForm {
    #[serde(default)]
    draft: String,
    /// "yes" when the activities not in the file (without history) go.
    #[serde(default)]
    delete_absent: String,
}

/// Step two: check again and apply everything in one transaction, or nothing.
async fn apply(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    // The draft is taken: confirming twice imports once.
    let me = ctx.user.id;
    let kept = match form.draft.trim().parse::<i64>() {
        Ok(draft) => editor.take_draft(ctx.conn(), nap.id, draft, me).await?,
        Err(_) => None,
    };
    let Some(kept) = kept else {
        let problem = Problem {
            line: 1,
            column: "",
            message: i18n::t("transfer.draft_gone").into_owned(),
        };
        let page = ImportPage {
            page: page.in_tenant(&ctx),
            slug: ctx.tenant.slug.clone(),
            nap,
            analysis: Some(Analysis {
                problems: vec![problem],
                ..Analysis::default()
            }),
            draft: None,
        };
        return Ok(invalid(page));
    };
    let rows: Vec<PlanRow> = serde_json::from_value(kept).map_err(anyhow::Error::from)?;
    // Checked again: the plan may have changed since the preview.
    let analysis = analyse(ctx.conn(), &nap, &rows).await?;
    if !analysis.problems.is_empty() {
        let page = ImportPage {
            page: page.in_tenant(&ctx),
            slug: ctx.tenant.slug.clone(),
            nap,
            analysis: Some(analysis),
            draft: None,
        };
        return Ok(invalid(page));
    }
    editor
        .import_rows(ctx.conn(), &nap, &rows, &analysis)
        .await?;
    // Asked for in so many words: only the rows the checked analysis found
    // without history, and those it found are checked again as they go.
    let deleted = if form.delete_absent == "yes" && !analysis.removable.is_empty() {
        editor
            .delete_activities(ctx.conn(), &nap, &analysis.removable)
            .await?
    } else {
        0
    };
    let ctx = ctx.commit().await?;
    tracing::info!(
        nap = id,
        created = analysis.count(ChangeKind::Create),
        updated = analysis.count(ChangeKind::Update),
        deleted,
        "plan imported"
    );
    let to = crate::http::notice::done(
        &crate::paths::nap_plan(&ctx.tenant.slug, id),
        crate::choices::Notice::Imported,
    );
    Ok(Redirect::to(&to).into_response())
}
