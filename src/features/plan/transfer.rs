//! The plan as a spreadsheet: export to CSV and XLSX, and import in exactly
//! the export's format, with a preview before anything is stored.
//!
//! One row per activity; a row with no activity code only names an
//! objective and outcome (so outcomes without activities survive the round
//! trip). Rows are matched to the plan by code.

use std::collections::HashMap;

use crate::http::form::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::model::{self, ActivityDraft, Nap, ObjectiveNode, PlanContext};
use super::quarter::Quarter;
use crate::authz::PlanEditor;
use crate::error::{AppError, AppResult};
use crate::http::form::invalid;
use crate::http::page::Chrome;
use crate::i18n;
use crate::spreadsheet;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

/// The columns, in order; the first row of every file names them.
pub const COLUMNS: [&str; 16] = [
    "objective_code",
    "objective_title",
    "outcome_code",
    "outcome_title",
    "activity_code",
    "activity_title",
    "description",
    "lead",
    "supporting",
    "start",
    "end",
    "level",
    "place",
    "budget",
    "currency",
    "targets",
];

/// Read-only columns after the plan's: where each activity stands. Import
/// ignores them, so an export can be imported as it is.
pub const FIGURES: [&str; 3] = ["status", "progress", "spending"];

/// Files with more rows than this are refused.
const MAX_ROWS: usize = 20_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/naps/{id}/export.csv", get(export_csv))
        .route("/t/{slug}/naps/{id}/export.xlsx", get(export_xlsx))
        .route("/t/{slug}/naps/{id}/template.csv", get(template_csv))
        .route("/t/{slug}/naps/{id}/template.xlsx", get(template_xlsx))
        .route("/t/{slug}/naps/{id}/import", get(import_page).post(upload))
        .route("/t/{slug}/naps/{id}/import/apply", post(apply))
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
        let permit = state
            .spreadsheets
            .clone()
            .acquire_owned()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(Self { _permit: permit })
    }
}

/// One spreadsheet row, as text.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PlanRow {
    /// The row's number in the file (the header is row 1).
    pub line: usize,
    pub objective_code: String,
    pub objective_title: String,
    pub outcome_code: String,
    pub outcome_title: String,
    pub activity: ActivityDraft,
    /// Status, progress and spending, for export only.
    #[serde(skip)]
    pub figures: [String; 3],
}

impl PlanRow {
    fn cells(&self) -> [&str; 16] {
        let a = &self.activity;
        [
            &self.objective_code,
            &self.objective_title,
            &self.outcome_code,
            &self.outcome_title,
            &a.code,
            &a.title,
            &a.description,
            &a.lead,
            &a.supporting,
            &a.start,
            &a.end,
            &a.level,
            &a.place,
            &a.budget,
            &a.currency,
            &a.targets,
        ]
    }

    fn from_cells(line: usize, cells: &[String; 16]) -> Self {
        let c = |i: usize| cells[i].trim().to_owned();
        Self {
            line,
            objective_code: c(0),
            objective_title: c(1),
            outcome_code: c(2),
            outcome_title: c(3),
            activity: ActivityDraft {
                outcome: c(2),
                code: c(4),
                title: c(5),
                description: c(6),
                lead: c(7),
                supporting: c(8),
                start: c(9),
                end: c(10),
                level: c(11),
                place: c(12),
                budget: c(13),
                currency: c(14),
                targets: c(15),
            },
            figures: Default::default(),
        }
    }
}

/// The plan as rows, in code order.
async fn plan_rows(conn: &mut PgConnection, nap: &Nap) -> AppResult<Vec<PlanRow>> {
    let tree = model::load_tree(conn, nap.id, Quarter::current()).await?;
    let extra: HashMap<i64, (String, String)> = sqlx::query!(
        "select id, description, place from activities where nap_id = $1",
        nap.id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.id, (r.description, r.place)))
    .collect();
    Ok(rows_of(tree, &extra))
}

fn rows_of(tree: Vec<ObjectiveNode>, extra: &HashMap<i64, (String, String)>) -> Vec<PlanRow> {
    let mut rows = Vec::new();
    for o in tree {
        for oc in o.outcomes {
            let base = PlanRow {
                line: 0,
                objective_code: o.code.clone(),
                objective_title: o.title.clone(),
                outcome_code: oc.code.clone(),
                outcome_title: oc.title.clone(),
                activity: ActivityDraft {
                    outcome: oc.code.clone(),
                    ..ActivityDraft::default()
                },
                figures: Default::default(),
            };
            if oc.activities.is_empty() {
                rows.push(base.clone());
            }
            for a in oc.activities {
                let (description, place) = extra.get(&a.id).cloned().unwrap_or_default();
                let mut row = base.clone();
                row.activity = ActivityDraft {
                    outcome: oc.code.clone(),
                    code: a.code.clone(),
                    title: a.title.clone(),
                    description,
                    lead: a.lead.clone().unwrap_or_default(),
                    supporting: a.supporting.join(", "),
                    start: a.start.map(Quarter::compact).unwrap_or_default(),
                    end: a.end.map(Quarter::compact).unwrap_or_default(),
                    level: a.level.as_str().to_owned(),
                    place,
                    budget: a.budget.map(|b| b.to_string()).unwrap_or_default(),
                    currency: a.currency.clone(),
                    targets: a.targets_text(),
                };
                row.figures = [
                    a.status.as_str().to_owned(),
                    a.progress.to_string(),
                    a.spending.map(|s| s.to_string()).unwrap_or_default(),
                ];
                rows.push(row);
            }
        }
        if rows.last().is_none_or(|r| r.objective_code != o.code) {
            // An objective without outcomes still gets its row.
            rows.push(PlanRow {
                objective_code: o.code.clone(),
                objective_title: o.title.clone(),
                ..PlanRow::default()
            });
        }
    }
    rows
}

fn download(bytes: Vec<u8>, content_type: &'static str, filename: String) -> Response {
    crate::http::download::attachment(bytes, content_type, &filename)
}

/// A column's heading in the current language. Import accepts the headings
/// of every language, and the plain column names.
pub fn label(column: &str) -> String {
    i18n::t(&format!("transfer.col.{column}")).into_owned()
}

/// Which column a heading names, in any language; `None` if none.
fn column_of(heading: &str) -> Option<&'static str> {
    let heading = heading.trim().to_lowercase();
    COLUMNS.iter().copied().find(|column| {
        heading == *column
            || i18n::SUPPORTED.iter().any(|(lang, _)| {
                i18n::translate(lang, &format!("transfer.col.{column}")).to_lowercase() == heading
            })
    })
}

fn csv_bytes(rows: &[PlanRow]) -> anyhow::Result<Vec<u8>> {
    let mut writer = spreadsheet::CsvWriter::default();
    writer.row(COLUMNS.iter().chain(&FIGURES).map(|c| label(c)))?;
    for row in rows {
        writer.row(
            row.cells()
                .iter()
                .copied()
                .chain(row.figures.iter().map(String::as_str)),
        )?;
    }
    writer.finish()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A sheet of text cells under a bold header row.
pub struct Sheet {
    pub name: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// The workbook: the plan, every target occurrence with its state, and the
/// extra sheets (updates, indicators, risks) when given. Each sheet is in
/// constant-memory mode: its rows go to a temporary file as they are
/// written, rather than being held until the workbook is saved.
fn xlsx_bytes(
    rows: &[PlanRow],
    occurrences: &[[String; 4]],
    extra: &[Sheet],
) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(i18n::t("transfer.sheet.plan"))?;
    for (col, name) in (0u16..).zip(COLUMNS.iter().chain(&FIGURES)) {
        sheet.write_string_with_format(0, col, label(name), &bold)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        let cells = row
            .cells()
            .into_iter()
            .chain(row.figures.iter().map(String::as_str));
        for (col, value) in (0u16..).zip(cells) {
            match (col, value.parse::<f64>()) {
                (13 | 17 | 18, Ok(n)) => sheet.write_number(r, col, n)?,
                _ => sheet.write_string(r, col, value)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if !occurrences.is_empty() || !rows.is_empty() {
        let targets = book.add_worksheet_with_constant_memory()?;
        targets.set_name(i18n::t("transfer.sheet.targets"))?;
        for (col, name) in (0u16..).zip(["activity_code", "target", "quarter", "state"]) {
            targets.write_string_with_format(0, col, label(name), &bold)?;
        }
        for (r, occ) in (1u32..).zip(occurrences) {
            for (col, value) in (0u16..).zip(occ) {
                targets.write_string(r, col, value)?;
            }
        }
    }
    for extra in extra {
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(i18n::t(&format!("transfer.sheet.{}", extra.name)))?;
        for (col, name) in (0u16..).zip(&extra.header) {
            sheet.write_string_with_format(0, col, label(name), &bold)?;
        }
        for (r, row) in (1u32..).zip(&extra.rows) {
            for (col, value) in (0u16..).zip(row) {
                sheet.write_string(r, col, value)?;
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

/// Status updates, indicators and risks of the NAP, one sheet each.
async fn progress_sheets(conn: &mut PgConnection, nap_id: i64) -> AppResult<Vec<Sheet>> {
    let updates = sqlx::query!(
        r#"select a.code, u.created_at, us.name as author, p.acronym as "organisation?", u.status, u.progress,
                  u.spending, u.note, u.review_state
           from status_updates u
           join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
           join users us on us.id = u.author_id
           left join partners p on p.tenant_id = u.tenant_id and p.id = u.partner_id
           where a.nap_id = $1 order by u.created_at, u.id"#,
        nap_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|u| {
        vec![
            u.code,
            u.created_at.date().to_string(),
            u.author,
            u.organisation.unwrap_or_default(),
            u.status,
            u.progress.to_string(),
            u.spending.map(|s| s.to_string()).unwrap_or_default(),
            u.note,
            u.review_state,
        ]
    })
    .collect();
    let indicators = sqlx::query!(
        r#"select oc.code, i.name, i.unit, i.baseline, i.target, v.year as "year?", v.quarter as "quarter?", v.value as "value?"
           from indicators i
           join outcomes oc on oc.tenant_id = i.tenant_id and oc.id = i.outcome_id
           left join indicator_values v on v.tenant_id = i.tenant_id and v.indicator_id = i.id
           where oc.nap_id = $1 order by oc.code, i.id, v.year, v.quarter nulls first"#,
        nap_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|i| {
        vec![
            i.code,
            i.name,
            i.unit,
            i.baseline.to_string(),
            i.target.to_string(),
            i.year.map(|y| crate::features::progress::indicators::period_text(y, i.quarter)).unwrap_or_default(),
            i.value.map(|v| v.to_string()).unwrap_or_default(),
        ]
    })
    .collect();
    let risks = crate::features::progress::risks::load(conn, nap_id, false)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                r.challenge.clone(),
                r.likelihood.to_string(),
                r.impact.to_string(),
                r.score().to_string(),
                r.mitigation.clone(),
                r.owner.clone().unwrap_or_default(),
                r.state.clone(),
            ]
        })
        .collect();
    Ok(vec![
        Sheet {
            name: "updates",
            header: vec![
                "activity_code",
                "date",
                "author",
                "organisation",
                "status",
                "progress",
                "spending",
                "note",
                "review",
            ],
            rows: updates,
        },
        Sheet {
            name: "indicators",
            header: vec![
                "outcome_code",
                "indicator",
                "unit",
                "baseline",
                "target",
                "period",
                "value",
            ],
            rows: indicators,
        },
        Sheet {
            name: "risks",
            header: vec![
                "challenge",
                "likelihood",
                "impact",
                "score",
                "mitigation",
                "owner",
                "state",
            ],
            rows: risks,
        },
    ])
}

async fn export_csv(
    _turn: ExportTurn,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let nap = model::load_nap(&mut ctx.tx, id).await?;
    let rows = plan_rows(&mut ctx.tx, &nap).await?;
    let lang = i18n::current();
    let bytes = tokio::task::spawn_blocking(move || i18n::with_language(lang, || csv_bytes(&rows)))
        .await
        .map_err(anyhow::Error::from)??;
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        format!("plan-{id}.csv"),
    ))
}

async fn export_xlsx(
    _turn: ExportTurn,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let nap = model::load_nap(&mut ctx.tx, id).await?;
    let today = Quarter::current();
    let rows = plan_rows(&mut ctx.tx, &nap).await?;
    let occurrences: Vec<[String; 4]> = sqlx::query!(
        "select a.code, t.year, t.quarter, o.quarter_index, o.met_at is not null as \"met!\"
         from target_occurrences o
         join time_targets t on t.tenant_id = o.tenant_id and t.id = o.target_id
         join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
         where a.nap_id = $1",
        id
    )
    .fetch_all(&mut *ctx.tx)
    .await?
    .into_iter()
    .map(|o| {
        let quarter = Quarter::from_index(o.quarter_index);
        let spec = super::quarter::TargetSpec::from_row(o.year, o.quarter)
            .map(|s| s.compact())
            .unwrap_or_default();
        let state = super::quarter::TargetState::of(quarter, o.met, today);
        [o.code, spec, quarter.compact(), state.as_str().to_owned()]
    })
    .collect();
    let mut occurrences = occurrences;
    occurrences.sort_by(|a, b| {
        model::code_key(&a[0])
            .cmp(&model::code_key(&b[0]))
            .then(a[2].cmp(&b[2]))
    });
    let sheets = progress_sheets(&mut ctx.tx, id).await?;
    let lang = i18n::current();
    let bytes = tokio::task::spawn_blocking(move || {
        i18n::with_language(lang, || xlsx_bytes(&rows, &occurrences, &sheets))
    })
    .await
    .map_err(anyhow::Error::from)??;
    Ok(download(bytes, XLSX, format!("plan-{id}.xlsx")))
}

async fn template_csv(
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    model::load_nap(&mut ctx.tx, id).await?;
    Ok(download(
        csv_bytes(&[])?,
        "text/csv; charset=utf-8",
        "plan-template.csv".to_owned(),
    ))
}

async fn template_xlsx(
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    model::load_nap(&mut ctx.tx, id).await?;
    Ok(download(
        xlsx_bytes(&[], &[], &[])?,
        XLSX,
        "plan-template.xlsx".to_owned(),
    ))
}

/// A problem in the file, by row and column.
#[derive(Debug, Clone)]
pub struct Problem {
    pub line: usize,
    pub column: &'static str,
    pub message: String,
}

/// The largest file an import reads: a header and [`MAX_ROWS`] rows, and
/// room beside the export's columns for a few of the reader's own.
pub const LIMITS: spreadsheet::Limits = spreadsheet::Limits {
    rows: MAX_ROWS + 1,
    columns: 64,
};

/// Reads a CSV or XLSX file into rows; problems with the file as a whole
/// (no header, unknown format, too large) come back as a problem on row 1.
pub fn parse_file(bytes: &[u8]) -> Result<Vec<PlanRow>, Problem> {
    let file_problem = |message: String| Problem {
        line: 1,
        column: "",
        message,
    };
    let sheets: Vec<String> = i18n::SUPPORTED
        .iter()
        .map(|(lang, _)| i18n::translate(lang, "transfer.sheet.plan").into_owned())
        .collect();
    let mut wanted = vec![i18n::t("transfer.sheet.plan").into_owned()];
    wanted.extend(sheets);
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let table =
        spreadsheet::read(bytes, &wanted, LIMITS).map_err(|e| file_problem(read_error(&e)))?;
    // The header is the first row with anything in it.
    let mut lines = table
        .into_iter()
        .enumerate()
        .skip_while(|(_, cells)| cells.iter().all(|c| c.trim().is_empty()));
    let (_, header) = lines
        .next()
        .ok_or_else(|| file_problem(i18n::t("transfer.empty").into_owned()))?;
    let named: Vec<Option<&str>> = header.iter().map(|h| column_of(h)).collect();
    let positions: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|name| named.iter().position(|n| n == &Some(*name)))
        .collect();
    if let Some(missing) = COLUMNS.iter().zip(&positions).find(|(_, p)| p.is_none()) {
        return Err(Problem {
            line: 1,
            column: missing.0,
            message: i18n::t_with("transfer.missing_column", "value", &label(missing.0)),
        });
    }
    let mut rows = Vec::new();
    for (index, line) in lines {
        if line.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells: [String; 16] = std::array::from_fn(|c| {
            positions[c]
                .and_then(|p| line.get(p))
                .cloned()
                .unwrap_or_default()
        });
        rows.push(PlanRow::from_cells(index + 1, &cells));
    }
    Ok(rows)
}

/// What to tell a person whose file could not be read.
pub fn read_error(error: &spreadsheet::ReadError) -> String {
    use spreadsheet::ReadError;
    match error {
        ReadError::Unreadable => i18n::t("transfer.unreadable").into_owned(),
        ReadError::NotUtf8 => i18n::t("transfer.not_utf8").into_owned(),
        ReadError::TooLarge => i18n::t_args(
            "transfer.too_large",
            &[
                ("rows", &i18n::number(MAX_ROWS as i64)),
                ("columns", &LIMITS.columns.to_string()),
            ],
        ),
        ReadError::Unpacks => i18n::t_args(
            "transfer.unpacks",
            &[(
                "size",
                &i18n::number((spreadsheet::MAX_UNPACKED_BYTES / 1024 / 1024) as i64),
            )],
        ),
        ReadError::CellTooLong { row: 0, .. } => i18n::t_args(
            "transfer.cell_too_long_somewhere",
            &[("size", &i18n::number(spreadsheet::MAX_CELL_CHARS as i64))],
        ),
        ReadError::CellTooLong { row, column } => i18n::t_args(
            "transfer.cell_too_long",
            &[
                ("row", &row.to_string()),
                ("column", &spreadsheet::column_name(*column)),
                ("size", &i18n::number(spreadsheet::MAX_CELL_CHARS as i64)),
            ],
        ),
    }
}

/// What importing would do to one objective, outcome or activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    Update,
    Same,
}

pub struct Change {
    pub what: &'static str,
    pub code: String,
    pub title: String,
    pub kind: ChangeKind,
}

impl Change {
    pub fn kind_key(&self) -> &'static str {
        match self.kind {
            ChangeKind::Create => "transfer.create",
            ChangeKind::Update => "transfer.update",
            ChangeKind::Same => "transfer.same",
        }
    }
}

/// The outcome of checking a file against the plan.
#[derive(Default)]
pub struct Analysis {
    pub problems: Vec<Problem>,
    pub changes: Vec<Change>,
    /// Activities of the plan that the file does not mention (they stay).
    pub untouched: usize,
}

impl Analysis {
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    fn problem(&mut self, line: usize, column: &'static str, key: &str, value: &str) {
        self.problems.push(Problem {
            line,
            column,
            message: i18n::t_with(key, "value", value),
        });
    }
}

fn draft_column(field: &str) -> &'static str {
    match field {
        "outcome" => "outcome_code",
        "code" => "activity_code",
        "title" => "activity_title",
        other => COLUMNS.iter().find(|c| **c == other).copied().unwrap_or(""),
    }
}

/// Checks every row against the plan and each other; nothing is written.
pub async fn analyse(conn: &mut PgConnection, nap: &Nap, rows: &[PlanRow]) -> AppResult<Analysis> {
    let current = plan_rows(conn, nap).await?;
    let mut context = PlanContext::load(conn, nap).await?;
    let mut a = Analysis::default();
    let existing_objectives: HashMap<&str, &str> = current
        .iter()
        .map(|r| (r.objective_code.as_str(), r.objective_title.as_str()))
        .collect();
    let existing_outcomes: HashMap<&str, (&str, &str)> = current
        .iter()
        .filter(|r| !r.outcome_code.is_empty())
        .map(|r| {
            (
                r.outcome_code.as_str(),
                (r.outcome_title.as_str(), r.objective_code.as_str()),
            )
        })
        .collect();
    let existing_activities: HashMap<&str, &PlanRow> = current
        .iter()
        .filter(|r| !r.activity.code.is_empty())
        .map(|r| (r.activity.code.as_str(), r))
        .collect();

    let mut objectives: HashMap<String, (usize, String)> = HashMap::new();
    let mut outcomes: HashMap<String, (usize, String, String)> = HashMap::new();
    let mut activities: HashMap<String, usize> = HashMap::new();
    let mut fake_id = -1;
    for row in rows {
        let line = row.line;
        match model::validate_code(&row.objective_code) {
            Err(key) => a.problem(line, "objective_code", key, &row.objective_code),
            Ok(code) => match objectives.get(&code) {
                Some((first, title))
                    if *title != row.objective_title && !row.objective_title.is_empty() =>
                {
                    a.problem(
                        line,
                        "objective_title",
                        "transfer.title_differs",
                        &first.to_string(),
                    );
                }
                Some(_) => {}
                None => {
                    if row.objective_title.is_empty() {
                        a.problem(line, "objective_title", "field.required", "");
                    }
                    let kind = match existing_objectives.get(code.as_str()) {
                        None => ChangeKind::Create,
                        Some(t) if *t == row.objective_title => ChangeKind::Same,
                        Some(_) => ChangeKind::Update,
                    };
                    a.changes.push(Change {
                        what: "plan.objective",
                        code: code.clone(),
                        title: row.objective_title.clone(),
                        kind,
                    });
                    objectives.insert(code, (line, row.objective_title.clone()));
                }
            },
        }
        if row.outcome_code.is_empty() {
            if !row.activity.code.is_empty() {
                a.problem(line, "outcome_code", "field.required", "");
            }
            continue;
        }
        match model::validate_code(&row.outcome_code) {
            Err(key) => a.problem(line, "outcome_code", key, &row.outcome_code),
            Ok(code) => match outcomes.get(&code) {
                Some((first, title, objective)) => {
                    if *objective != row.objective_code {
                        a.problem(
                            line,
                            "outcome_code",
                            "transfer.outcome_moves",
                            &first.to_string(),
                        );
                    } else if *title != row.outcome_title && !row.outcome_title.is_empty() {
                        a.problem(
                            line,
                            "outcome_title",
                            "transfer.title_differs",
                            &first.to_string(),
                        );
                    }
                }
                None => {
                    if row.outcome_title.is_empty() {
                        a.problem(line, "outcome_title", "field.required", "");
                    }
                    let kind = match existing_outcomes.get(code.as_str()) {
                        None => ChangeKind::Create,
                        Some((t, o)) if *t == row.outcome_title && *o == row.objective_code => {
                            ChangeKind::Same
                        }
                        Some(_) => ChangeKind::Update,
                    };
                    a.changes.push(Change {
                        what: "plan.outcome",
                        code: code.clone(),
                        title: row.outcome_title.clone(),
                        kind,
                    });
                    if !context.outcomes.contains_key(&code) {
                        context.outcomes.insert(code.clone(), fake_id);
                        fake_id -= 1;
                    }
                    outcomes.insert(
                        code,
                        (line, row.outcome_title.clone(), row.objective_code.clone()),
                    );
                }
            },
        }
        if row.activity.code.is_empty() {
            continue;
        }
        if let Some(first) = activities.get(row.activity.code.trim()) {
            a.problem(
                line,
                "activity_code",
                "transfer.code_twice",
                &first.to_string(),
            );
            continue;
        }
        activities.insert(row.activity.code.trim().to_owned(), line);
        match context.validate(&row.activity) {
            Err(errors) => {
                for e in errors.iter() {
                    a.problem(line, draft_column(e.field), e.key, &e.value);
                }
            }
            Ok(_) => {
                let kind = match existing_activities.get(row.activity.code.trim()) {
                    None => ChangeKind::Create,
                    Some(old) if same_activity(old, row) => ChangeKind::Same,
                    Some(_) => ChangeKind::Update,
                };
                a.changes.push(Change {
                    what: "plan.activity",
                    code: row.activity.code.clone(),
                    title: row.activity.title.clone(),
                    kind,
                });
            }
        }
    }
    a.untouched = existing_activities
        .keys()
        .filter(|code| !activities.contains_key(**code))
        .count();
    Ok(a)
}

/// Whether a row says the same as the plan already does, written the way
/// the export writes it (so case, spaces and list order do not count).
fn same_activity(old: &PlanRow, new: &PlanRow) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let list = |s: &str| {
        let mut items: Vec<String> = s
            .split([',', ';'])
            .map(|p| p.split_whitespace().collect::<String>().to_uppercase())
            .filter(|p| !p.is_empty())
            .collect();
        items.sort();
        items
    };
    let (o, n) = (&old.activity, &new.activity);
    o.outcome == n.outcome.trim()
        && norm(&o.title) == norm(&n.title)
        && norm(&o.description) == norm(&n.description)
        && o.lead.eq_ignore_ascii_case(n.lead.trim())
        && list(&o.supporting) == list(&n.supporting)
        && list(&o.start) == list(&n.start)
        && list(&o.end) == list(&n.end)
        && o.level.eq_ignore_ascii_case(if n.level.trim().is_empty() {
            "national"
        } else {
            n.level.trim()
        })
        && norm(&o.place) == norm(&n.place)
        && o.budget == n.budget.replace([' ', ','], "")
        && o.currency.eq_ignore_ascii_case(n.currency.trim())
        && list(&o.targets) == list(&n.targets)
}

/// Writes what the analysis found changed: each objective and outcome once,
/// then every changed activity in one batch.
async fn write_all(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    rows: &[PlanRow],
    analysis: &Analysis,
) -> AppResult<()> {
    // What changed; each objective and outcome is taken once, at its first row.
    let mut changed: std::collections::HashSet<(&str, &str)> = analysis
        .changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Same)
        .map(|c| (c.what, c.code.as_str()))
        .collect();
    let mut objectives: Vec<(&str, &str)> = Vec::new();
    let mut outcomes: Vec<(&str, &str, &str)> = Vec::new();
    for row in rows {
        let objective = row.objective_code.as_str();
        if changed.remove(&("plan.objective", objective)) {
            objectives.push((objective, &row.objective_title));
        }
        let outcome = row.outcome_code.as_str();
        if !outcome.is_empty() && changed.remove(&("plan.outcome", outcome)) {
            outcomes.push((objective, outcome, &row.outcome_title));
        }
    }
    for (code, title) in objectives {
        sqlx::query!(
            "insert into objectives (tenant_id, nap_id, code, title) values ($1, $2, $3, $4)
             on conflict (tenant_id, nap_id, code) do update set title = excluded.title",
            editor.tenant_id(),
            nap.id,
            code,
            title
        )
        .execute(&mut *conn)
        .await?;
    }
    for (objective, code, title) in outcomes {
        sqlx::query!(
            "insert into outcomes (tenant_id, nap_id, objective_id, code, title)
             select $1, $2, o.id, $4, $5 from objectives o where o.nap_id = $2 and o.code = $3
             on conflict (tenant_id, nap_id, code)
             do update set title = excluded.title, objective_id = excluded.objective_id",
            editor.tenant_id(),
            nap.id,
            objective,
            code,
            title
        )
        .execute(&mut *conn)
        .await?;
    }
    let context = PlanContext::load(conn, nap).await?;
    let ids: HashMap<String, i64> =
        sqlx::query!("select id, code from activities where nap_id = $1", nap.id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.code, r.id))
            .collect();
    let mut inputs = Vec::new();
    for row in rows {
        let code = row.activity.code.trim();
        if code.is_empty() || !changed.contains(&("plan.activity", code)) {
            continue;
        }
        let input = context
            .validate(&row.activity)
            .map_err(|_| anyhow::anyhow!("row {} changed between preview and import", row.line))?;
        inputs.push((ids.get(code).copied(), input));
    }
    let items: Vec<(Option<i64>, &model::ActivityInput)> =
        inputs.iter().map(|(id, input)| (*id, input)).collect();
    if !items.is_empty() {
        model::save_activities(editor, conn, nap, &items).await?;
    }
    Ok(())
}

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
    let nap = model::load_nap(&mut ctx.tx, id).await?;
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
    ctx.plan_editor()?;
    let nap = model::load_nap(&mut ctx.tx, id).await?;
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
        i18n::with_language(lang, || parse_file(&bytes))
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
        Ok(rows) if rows.is_empty() => {
            let problem = Problem {
                line: 1,
                column: "",
                message: i18n::t("transfer.empty").into_owned(),
            };
            (
                Analysis {
                    problems: vec![problem],
                    ..Analysis::default()
                },
                rows,
            )
        }
        Ok(rows) => (analyse(&mut ctx.tx, &nap, &rows).await?, rows),
    };
    let status_ok = analysis.problems.is_empty();
    let draft = if status_ok {
        Some(keep_draft(&mut ctx, nap.id, &rows).await?)
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
    ctx.tx.commit().await?;
    Ok(if status_ok {
        page.into_response()
    } else {
        invalid(page)
    })
}

/// Keeps checked rows for the confirmation. A person has one draft per NAP
/// (a new upload replaces it); drafts older than a day go too.
async fn keep_draft(ctx: &mut TenantCtx, nap_id: i64, rows: &[PlanRow]) -> AppResult<i64> {
    let rows = serde_json::to_value(rows).map_err(anyhow::Error::from)?;
    sqlx::query!(
        "delete from import_drafts
         where nap_id = $1 and (user_id = $2 or created_at < now() - interval '1 day')",
        nap_id,
        ctx.user.id
    )
    .execute(&mut *ctx.tx)
    .await?;
    Ok(sqlx::query_scalar!(
        "insert into import_drafts (tenant_id, nap_id, user_id, rows) values ($1, $2, $3, $4) returning id",
        ctx.tenant.id,
        nap_id,
        ctx.user.id,
        rows
    )
    .fetch_one(&mut *ctx.tx)
    .await?)
}

#[derive(Deserialize)]
struct ApplyForm {
    #[serde(default)]
    draft: String,
}

/// Step two: check again and apply everything in one transaction, or nothing.
async fn apply(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(&mut ctx.tx, id).await?;
    // The draft is taken: confirming twice imports once.
    let kept = match form.draft.trim().parse::<i64>() {
        Ok(draft) => sqlx::query_scalar!(
            "delete from import_drafts where id = $1 and nap_id = $2 and user_id = $3 returning rows",
            draft,
            nap.id,
            ctx.user.id
        )
        .fetch_optional(&mut *ctx.tx)
        .await?,
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
    let analysis = analyse(&mut ctx.tx, &nap, &rows).await?;
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
    write_all(&editor, &mut ctx.tx, &nap, &rows, &analysis).await?;
    ctx.tx.commit().await?;
    tracing::info!(
        nap = id,
        created = analysis.count(ChangeKind::Create),
        updated = analysis.count(ChangeKind::Update),
        "plan imported"
    );
    Ok(Redirect::to(&format!("/t/{}/naps/{id}/plan", ctx.tenant.slug)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_files_are_read_by_header_name() {
        let file = "\u{feff}activity_code,objective_code,objective_title,outcome_code,outcome_title,activity_title,description,lead,supporting,start,end,level,place,budget,currency,targets\n\
                    1.1.1,1,Prevent,1.1,Know rights,Campaign,,MOL,,,,,,100,USD,Q2/yearly\n,,,,,,,,,,,,,,,\n";
        let rows = parse_file(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].activity.code, "1.1.1");
        assert_eq!(rows[0].activity.outcome, "1.1");
        assert_eq!(rows[0].activity.targets, "Q2/yearly");
    }

    #[test]
    fn a_missing_column_is_named() {
        let problem = parse_file(b"objective_code,objective_title\n1,x\n").unwrap_err();
        assert_eq!(problem.line, 1);
        assert_eq!(problem.column, "outcome_code");
    }

    #[test]
    fn xlsx_written_is_read_back() {
        let row = PlanRow {
            line: 2,
            objective_code: "1".into(),
            objective_title: "Prevent".into(),
            outcome_code: "1.1".into(),
            outcome_title: "Know rights".into(),
            activity: ActivityDraft {
                outcome: "1.1".into(),
                code: "1.1.1".into(),
                title: "Campaign".into(),
                budget: "25000".into(),
                targets: "2027Q3, Q2/yearly".into(),
                ..ActivityDraft::default()
            },
            figures: Default::default(),
        };
        let bytes = xlsx_bytes(std::slice::from_ref(&row), &[], &[]).unwrap();
        let back = parse_file(&bytes).unwrap();
        assert_eq!(back, vec![row]);
    }
}
