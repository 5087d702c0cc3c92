//! The plan's spreadsheet format: its columns, one row per activity, the
//! headings in every language, and reading a file into rows.

use serde::{Deserialize, Serialize};

use super::super::model::ActivityDraft;
use crate::i18n;
use crate::spreadsheet;

/// The columns, in order; the first row of every file names them. The
/// first [`REQUIRED`] must be in a file; a file without the others (written
/// before they existed) leaves what they hold as the plan has it.
pub const COLUMNS: [&str; 22] = [
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
    "objective_targets",
    "objective_pillars",
    "outcome_targets",
    "pillars",
    "plans",
    "flag",
];

/// How many of [`COLUMNS`] every file must have.
pub const REQUIRED: usize = 16;

/// Read-only columns after the plan's: where each activity stands (the
/// reported status and, beside it, the schedule its targets tell), and the
/// SDG targets and ILO instruments it serves (its own and those it
/// inherits, set on each part's form). Import ignores them, so an export
/// can be imported as it is.
pub const FIGURES: [&str; 5] = ["status", "schedule", "progress", "spending", "alignment"];

/// Files with more rows than this are refused.
pub const MAX_ROWS: usize = 20_000;
/// One spreadsheet row, as text.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PlanRow {
    /// The row's number in the file (the header is row 1).
    pub line: usize,
    pub objective_code: String,
    pub objective_title: String,
    pub outcome_code: String,
    pub outcome_title: String,
    /// Targets set on the objective and the outcome themselves, and the
    /// objective's pillars (repeated on each of their rows).
    #[serde(default)]
    pub objective_targets: String,
    #[serde(default)]
    pub objective_pillars: String,
    #[serde(default)]
    pub outcome_targets: String,
    pub activity: ActivityDraft,
    /// Status, schedule, progress, spending and alignment, for export only.
    #[serde(skip)]
    pub figures: [String; 5],
}

impl PlanRow {
    pub fn cells(&self) -> [&str; 22] {
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
            &self.objective_targets,
            &self.objective_pillars,
            &self.outcome_targets,
            &a.pillars,
            &a.plans,
            &a.flag,
        ]
    }

    pub fn from_cells(line: usize, cells: &[String; 22]) -> Self {
        let c = |i: usize| cells[i].trim().to_owned();
        Self {
            line,
            objective_code: c(0),
            objective_title: c(1),
            outcome_code: c(2),
            outcome_title: c(3),
            objective_targets: c(16),
            objective_pillars: c(17),
            outcome_targets: c(18),
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
                pillars: c(19),
                plans: c(20),
                flag: c(21),
                ..ActivityDraft::default()
            },
            figures: Default::default(),
        }
    }
}

/// A column's heading in the current language.
pub fn label(column: &str) -> String {
    i18n::t(&format!("transfer.col.{column}")).into_owned()
}

/// Which column a heading names: its heading in any language, or its plain
/// name; `None` if none.
pub fn column_of(heading: &str) -> Option<&'static str> {
    column_among(heading, &COLUMNS, "transfer.col")
}

/// Which of `columns` a heading names: its heading in any language (the
/// translation of `{prefix}.{column}`), or its plain name.
fn column_among(heading: &str, columns: &[&'static str], prefix: &str) -> Option<&'static str> {
    let heading = heading.trim().to_lowercase();
    columns.iter().copied().find(|column| {
        heading == *column
            || i18n::SUPPORTED.iter().any(|(lang, _)| {
                i18n::translate(lang, &format!("{prefix}.{column}")).to_lowercase() == heading
            })
    })
}

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

/// A file read: its rows, and the headings of the columns the import does
/// not read (the export's status, schedule, progress and spending, or a
/// reader's own), as the file writes them.
pub struct ParsedFile {
    pub rows: Vec<PlanRow>,
    pub ignored: Vec<String>,
    /// The optional columns the file does not have.
    pub absent: Vec<&'static str>,
}

/// Reads a CSV or XLSX file into rows; problems with the file as a whole
/// (no header, unknown format, too large) come back as a problem on row 1.
pub fn parse_file(bytes: &[u8]) -> Result<Vec<PlanRow>, Problem> {
    read_file(bytes).map(|file| file.rows)
}

/// [`parse_file`], with the columns it leaves out.
pub fn read_file(bytes: &[u8]) -> Result<ParsedFile, Problem> {
    let table = read_table(
        bytes,
        "transfer.sheet.plan",
        &COLUMNS,
        &COLUMNS[REQUIRED..],
        "transfer.col",
    )?;
    let rows = table
        .rows
        .into_iter()
        .map(|(line, cells)| {
            let cells: [String; 22] = std::array::from_fn(|c| cells[c].clone());
            PlanRow::from_cells(line, &cells)
        })
        .collect();
    Ok(ParsedFile {
        rows,
        ignored: table.ignored,
        absent: table.absent,
    })
}

/// A file read as a table of known columns: each row's number in the file
/// and its cells in the order of the columns asked for (empty for a column
/// the file lacks), the headings of the columns left out, and the optional
/// columns the file lacks.
pub struct Table {
    pub rows: Vec<(usize, Vec<String>)>,
    pub ignored: Vec<String>,
    pub absent: Vec<&'static str>,
}

/// Reads a CSV or XLSX file of `columns` (an XLSX file from the sheet
/// named by `sheet`, in any language), headed by their names or their
/// labels (`{prefix}.{column}`) in any language, in any order; all but the
/// `optional` ones must be there. Empty rows are skipped. The one reader of
/// every import, within [`LIMITS`].
pub fn read_table(
    bytes: &[u8],
    sheet: &str,
    columns: &[&'static str],
    optional: &[&str],
    prefix: &str,
) -> Result<Table, Problem> {
    let file_problem = |message: String| Problem {
        line: 1,
        column: "",
        message,
    };
    let mut wanted = vec![i18n::t(sheet).into_owned()];
    wanted.extend(
        i18n::SUPPORTED
            .iter()
            .map(|(lang, _)| i18n::translate(lang, sheet).into_owned()),
    );
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
    let named: Vec<Option<&str>> = header
        .iter()
        .map(|h| column_among(h, columns, prefix))
        .collect();
    let positions: Vec<Option<usize>> = columns
        .iter()
        .map(|name| named.iter().position(|n| n == &Some(*name)))
        .collect();
    if let Some(missing) = columns
        .iter()
        .zip(&positions)
        .find(|(c, p)| p.is_none() && !optional.contains(c))
    {
        let label = i18n::t(&format!("{prefix}.{}", missing.0)).into_owned();
        return Err(Problem {
            line: 1,
            column: missing.0,
            message: i18n::t_with("transfer.missing_column", "value", &label),
        });
    }
    let ignored = header
        .iter()
        .zip(&named)
        .filter(|(heading, column)| column.is_none() && !heading.trim().is_empty())
        .map(|(heading, _)| heading.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for (index, line) in lines {
        if line.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = positions
            .iter()
            .map(|p| p.and_then(|p| line.get(p)).cloned().unwrap_or_default())
            .collect();
        rows.push((index + 1, cells));
    }
    let absent = columns
        .iter()
        .zip(&positions)
        .filter(|(_, p)| p.is_none())
        .map(|(c, _)| *c)
        .collect();
    Ok(Table {
        rows,
        ignored,
        absent,
    })
}

/// Fills the columns a file does not have with what the plan (`current`,
/// as the export writes it) holds: an older file changes none of them.
pub fn keep_absent(rows: &mut [PlanRow], absent: &[&str], current: &[PlanRow]) {
    if absent.is_empty() {
        return;
    }
    let by = |key: fn(&PlanRow) -> &str| -> std::collections::HashMap<&str, &PlanRow> {
        current
            .iter()
            .filter(|r| !key(r).is_empty())
            .map(|r| (key(r), r))
            .collect()
    };
    let objectives = by(|r| &r.objective_code);
    let outcomes = by(|r| &r.outcome_code);
    let activities = by(|r| &r.activity.code);
    for row in rows {
        let objective = objectives.get(row.objective_code.trim());
        let outcome = outcomes.get(row.outcome_code.trim());
        let activity = activities.get(row.activity.code.trim());
        for column in absent {
            let (target, source) = match *column {
                "objective_targets" => (
                    &mut row.objective_targets,
                    objective.map(|r| &r.objective_targets),
                ),
                "objective_pillars" => (
                    &mut row.objective_pillars,
                    objective.map(|r| &r.objective_pillars),
                ),
                "outcome_targets" => (
                    &mut row.outcome_targets,
                    outcome.map(|r| &r.outcome_targets),
                ),
                "pillars" => (
                    &mut row.activity.pillars,
                    activity.map(|r| &r.activity.pillars),
                ),
                "plans" => (&mut row.activity.plans, activity.map(|r| &r.activity.plans)),
                "flag" => (&mut row.activity.flag, activity.map(|r| &r.activity.flag)),
                _ => continue,
            };
            if let Some(value) = source {
                target.clone_from(value);
            }
        }
    }
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
    fn columns_not_read_are_named_as_the_file_writes_them() {
        let file = format!("{},Status,Progress (%),,Our notes\n", COLUMNS.join(","));
        let read = read_file(file.as_bytes()).unwrap();
        assert_eq!(read.ignored, ["Status", "Progress (%)", "Our notes"]);
    }

    #[test]
    fn a_missing_column_is_named() {
        let problem = parse_file(b"objective_code,objective_title\n1,x\n").unwrap_err();
        assert_eq!(problem.line, 1);
        assert_eq!(problem.column, "outcome_code");
    }
}
