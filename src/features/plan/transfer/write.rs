//! Writing the plan out: its rows from the database, and the CSV and XLSX
//! files (every sheet in constant-memory mode).

use std::collections::HashMap;

use sqlx::PgConnection;

use super::format::{COLUMNS, FIGURES, PlanRow, label};
use crate::error::AppResult;
use crate::features::plan::alignment;
use crate::features::plan::model::{self, ActivityDraft, Nap, ObjectiveNode};
use crate::features::plan::quarter::Quarter;
use crate::i18n;
use crate::spreadsheet;

pub async fn plan_rows(conn: &mut PgConnection, nap: &Nap) -> AppResult<Vec<PlanRow>> {
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
                objective_targets: model::labels(&o.targets),
                objective_pillars: o.pillars.join("; "),
                outcome_targets: model::labels(&oc.targets),
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
                    start: a.start.map(|q| q.to_string()).unwrap_or_default(),
                    end: a.end.map(|q| q.to_string()).unwrap_or_default(),
                    level: a.level.as_str().to_owned(),
                    place,
                    budget: a.budget.map(|b| b.to_string()).unwrap_or_default(),
                    currency: a.currency.clone(),
                    targets: a.targets_text(),
                    pillars: a.pillars.join("; "),
                    plans: a.plans.join("; "),
                    flag: a.flag.clone(),
                    ..ActivityDraft::default()
                };
                let schedule = a.schedule();
                row.figures = [
                    i18n::t(a.status.label_key()).into_owned(),
                    schedule.warning(a.status).unwrap_or_else(|| {
                        if schedule.is_behind() {
                            format!("{}: {}", schedule.label(), schedule.detail())
                        } else {
                            schedule.label()
                        }
                    }),
                    a.progress.to_string(),
                    a.spending.map(|s| s.to_string()).unwrap_or_default(),
                    alignment::labels(&a.aligns),
                ];
                rows.push(row);
            }
        }
        if rows.last().is_none_or(|r| r.objective_code != o.code) {
            // An objective without outcomes still gets its row.
            rows.push(PlanRow {
                objective_code: o.code.clone(),
                objective_title: o.title.clone(),
                objective_targets: model::labels(&o.targets),
                objective_pillars: o.pillars.join("; "),
                ..PlanRow::default()
            });
        }
    }
    rows
}

pub fn csv_bytes(rows: &[PlanRow]) -> anyhow::Result<Vec<u8>> {
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

/// The columns written as numbers; every other cell, codes first, is text.
const NUMBERS: [&str; 3] = ["budget", "progress", "spending"];

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv; charset=utf-8";

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
pub fn xlsx_bytes(
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
        for ((col, value), name) in (0u16..).zip(cells).zip(COLUMNS.iter().chain(&FIGURES)) {
            match (NUMBERS.contains(name), value.parse::<f64>()) {
                (true, Ok(n)) => sheet.write_number(r, col, n)?,
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
        let header: Vec<String> = extra.header.iter().map(|name| label(name)).collect();
        let name = i18n::t(&format!("transfer.sheet.{}", extra.name)).into_owned();
        text_sheet(&mut book, &name, &header, &extra.rows)?;
    }
    Ok(book.save_to_buffer()?)
}

/// A sheet of text cells under a bold header row, in constant-memory mode.
fn text_sheet(
    book: &mut rust_xlsxwriter::Workbook,
    name: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> anyhow::Result<()> {
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(name)?;
    for (col, heading) in (0u16..).zip(header) {
        sheet.write_string_with_format(0, col, heading, &bold)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (col, value) in (0u16..).zip(row) {
            sheet.write_string(r, col, value)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A workbook of one sheet of text: what the set-up imports read back.
pub fn table_xlsx(sheet: &str, header: &[String], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    text_sheet(&mut book, sheet, header, rows)?;
    Ok(book.save_to_buffer()?)
}

/// The same table as CSV.
pub fn table_csv(header: &[String], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut writer = spreadsheet::CsvWriter::default();
    writer.row(header)?;
    for row in rows {
        writer.row(row)?;
    }
    writer.finish()
}

/// Status updates, indicators and risks of the NAP, one sheet each.
pub async fn progress_sheets(conn: &mut PgConnection, nap_id: i64) -> AppResult<Vec<Sheet>> {
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
            i18n::t(&format!("activity_status.{}", u.status)).into_owned(),
            u.progress.to_string(),
            u.spending.map(|s| s.to_string()).unwrap_or_default(),
            u.note,
            i18n::t(match u.review_state.as_str() {
                "pending" => "update.review_pending",
                "returned" => "update.review_returned",
                _ => "update.review_accepted",
            })
            .into_owned(),
        ]
    })
    .collect();
    // Every indicator of the plan: on the plan as a whole, an objective or
    // an outcome; a value in figures or in words.
    let whole_plan = i18n::t("indicator.whole_plan").into_owned();
    let indicators = sqlx::query!(
        r#"select coalesce(oc.code, o.code) as "measures?", i.name, i.unit, i.baseline, i.target,
                  v.year as "year?", v.quarter as "quarter?", v.value as "value?", v.value_text as "value_text?"
           from indicators i
           left join objectives o on o.tenant_id = i.tenant_id and o.id = i.objective_id
           left join outcomes oc on oc.tenant_id = i.tenant_id and oc.id = i.outcome_id
           left join indicator_values v on v.tenant_id = i.tenant_id and v.indicator_id = i.id
           where coalesce(i.nap_id, o.nap_id, oc.nap_id) = $1
           order by i.nap_id is null, coalesce(oc.code_order, o.code_order), i.id, v.year, v.quarter nulls first"#,
        nap_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|i| {
        vec![
            i.measures.unwrap_or_else(|| whole_plan.clone()),
            i.name,
            i.unit,
            i.baseline.to_string(),
            i.target.to_string(),
            i.year.map(|y| crate::features::progress::indicators::period_text(y, i.quarter)).unwrap_or_default(),
            i.value
                .map(|v| v.to_string())
                .or(i.value_text)
                .unwrap_or_default(),
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
                i18n::t(&format!("risk.state.{}", r.state)).into_owned(),
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
                "measures",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_written_is_read_back() {
        let row = PlanRow {
            line: 2,
            objective_code: "1".into(),
            objective_title: "Prevent".into(),
            outcome_code: "1.1".into(),
            outcome_title: "Know rights".into(),
            objective_targets: String::new(),
            objective_pillars: String::new(),
            outcome_targets: "2027".into(),
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
        let back = super::super::format::parse_file(&bytes).unwrap();
        assert_eq!(back, vec![row]);
    }
}
