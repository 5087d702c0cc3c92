//! What importing a file would do to the plan: every row checked against
//! the plan and the other rows, nothing written.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::format::{COLUMNS, PlanRow, Problem};
use super::write::plan_rows;
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap, PlanContext};
use crate::features::plan::quarter::{Quarter, TargetSpec};
use crate::i18n;

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
pub fn same_activity(old: &PlanRow, new: &PlanRow) -> bool {
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
        && same_quarter(&o.start, &n.start)
        && same_quarter(&o.end, &n.end)
        && o.level.eq_ignore_ascii_case(if n.level.trim().is_empty() {
            "national"
        } else {
            n.level.trim()
        })
        && norm(&o.place) == norm(&n.place)
        && o.budget == n.budget.replace([' ', ','], "")
        && o.currency.eq_ignore_ascii_case(n.currency.trim())
        && match (
            TargetSpec::parse_list(&o.targets),
            TargetSpec::parse_list(&n.targets),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => list(&o.targets) == list(&n.targets),
        }
}

/// Whether two cells name the same quarter, however each is spelled
/// ("2027Q3", "Q3 2027", "T3 2027"); cells that are no quarter compare as text.
fn same_quarter(old: &str, new: &str) -> bool {
    match (Quarter::parse(old), Quarter::parse(new)) {
        (Some(a), Some(b)) => a == b,
        _ => old.split_whitespace().eq(new.split_whitespace()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::plan::model::ActivityDraft;

    fn row(code: &str, title: &str, supporting: &str, targets: &str, budget: &str) -> PlanRow {
        PlanRow {
            line: 2,
            objective_code: "1".into(),
            objective_title: "Prevent".into(),
            outcome_code: "1.1".into(),
            outcome_title: "Know rights".into(),
            activity: ActivityDraft {
                outcome: "1.1".into(),
                code: code.into(),
                title: title.into(),
                supporting: supporting.into(),
                targets: targets.into(),
                budget: budget.into(),
                level: "national".into(),
                ..ActivityDraft::default()
            },
            figures: Default::default(),
        }
    }

    #[test]
    fn the_same_activity_written_another_way_is_no_change() {
        let plan = row(
            "1.1.1",
            "Train inspectors",
            "CTU, EF",
            "2026Q1, Q2/yearly",
            "25000",
        );
        let file = row(
            "1.1.1",
            "Train  inspectors",
            "ef;ctu",
            "Q2/yearly,2026Q1",
            "25,000",
        );
        assert!(same_activity(&plan, &file));
        // Quarters and targets as another language writes them.
        let french = row(
            "1.1.1",
            "Train inspectors",
            "CTU, EF",
            "T2 chaque année, T1 2026",
            "25000",
        );
        assert!(same_activity(&plan, &french));
        let mut later = plan.clone();
        later.activity.start = "T3 2026".into();
        let mut english = plan.clone();
        english.activity.start = "2026Q3".into();
        assert!(same_activity(&later, &english));
        english.activity.start = "2026Q4".into();
        assert!(!same_activity(&later, &english));
        assert!(!same_activity(
            &plan,
            &row(
                "1.1.1",
                "Train judges",
                "CTU, EF",
                "2026Q1, Q2/yearly",
                "25000"
            )
        ));
        assert!(!same_activity(
            &plan,
            &row(
                "1.1.1",
                "Train inspectors",
                "CTU",
                "2026Q1, Q2/yearly",
                "25000"
            )
        ));
        assert!(!same_activity(
            &plan,
            &row("1.1.1", "Train inspectors", "CTU, EF", "2026Q1", "25000")
        ));
    }

    #[test]
    fn problems_point_at_the_spreadsheet_column() {
        assert_eq!(draft_column("outcome"), "outcome_code");
        assert_eq!(draft_column("title"), "activity_title");
        assert_eq!(draft_column("budget"), "budget");
        assert_eq!(draft_column("unknown"), "");
    }
}
