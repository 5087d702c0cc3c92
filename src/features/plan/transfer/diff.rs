//! What importing a file would do to the plan: every row checked against
//! the plan and the other rows, nothing written.

use std::collections::{HashMap, HashSet};

use sqlx::PgConnection;

use super::codes::LookAlikes;
use super::fields::{
    FieldChange, activity_changes, agrees, new_targets, objective_changes, outcome_changes,
};
use super::format::{COLUMNS, PlanRow, Problem};
use super::write::plan_rows;
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap, PlanContext};
use crate::features::plan::quarter::{Period, Quarter};
use crate::features::plan::tags::TagKind;
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
    /// For a changed row, each field that changes.
    pub fields: Vec<FieldChange>,
    /// The time targets the row adds, each with the quarters it falls in.
    pub targets: Vec<NewTarget>,
}

impl Change {
    fn new(what: &'static str, code: &str, title: &str, kind: ChangeKind) -> Self {
        Self {
            what,
            code: code.to_owned(),
            title: title.to_owned(),
            kind,
            fields: Vec::new(),
            targets: Vec::new(),
        }
    }

    pub fn kind_key(&self) -> &'static str {
        match self.kind {
            ChangeKind::Create => "transfer.create",
            ChangeKind::Update => "transfer.update",
            ChangeKind::Same => "transfer.same",
        }
    }

    /// The id of the row's details on the preview page.
    pub fn anchor(&self) -> String {
        let what = self.what.trim_start_matches("plan.");
        format!("change-{what}-{}", self.code)
    }

    /// Whether the preview has more to say about the row than its line.
    pub fn has_details(&self) -> bool {
        !self.fields.is_empty() || !self.targets.is_empty()
    }
}

/// A time target an import creates: "Q2 every year", and its quarters.
pub struct NewTarget {
    pub label: String,
    pub quarters: Vec<String>,
}

/// Codes of one level of the plan that the file does not name.
pub struct Absent {
    pub codes: Vec<String>,
    /// The sentence that lists them.
    pub message: String,
}

/// The outcome of checking a file against the plan.
#[derive(Default)]
pub struct Analysis {
    pub problems: Vec<Problem>,
    pub changes: Vec<Change>,
    /// What the plan has and the file does not name (it stays).
    pub absent: Vec<Absent>,
    /// Headings of the file's columns that the import does not read.
    pub ignored: Vec<String>,
    /// Activities not in the file that the import may delete when asked.
    pub removable: Vec<String>,
    /// Activities not in the file that stay whatever is asked: they have
    /// status updates or confidential records, the committee's memory.
    pub with_history: Vec<String>,
    /// Pillars and linked plans the file names that the NAP's lists lack:
    /// the import adds them.
    pub new_tags: Vec<(TagKind, String)>,
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

    /// `code` is new but looks like the plan's `existing`.
    fn looks_like(
        &mut self,
        line: usize,
        column: &'static str,
        key: &str,
        code: &str,
        existing: &str,
    ) {
        self.problems.push(Problem {
            line,
            column,
            message: i18n::t_args(key, &[("code", code), ("existing", existing)]),
        });
    }

    /// A later row of an objective or outcome that says something else of
    /// it than its first row (`first`) did: one problem, at the first
    /// column that differs.
    fn disagreement(&mut self, line: usize, first: usize, columns: &[(&'static str, &str, &str)]) {
        if let Some((column, ..)) = columns
            .iter()
            .find(|(column, old, new)| !agrees(column, old, new))
        {
            let key = if column.ends_with("_title") {
                "transfer.title_differs"
            } else {
                "transfer.node_differs"
            };
            self.problem(line, column, key, &first.to_string());
        }
    }

    /// The targets set on an objective or outcome, checked over the NAP's period.
    fn check_node(&mut self, line: usize, column: &'static str, raw: &str, context: &PlanContext) {
        let mut errors = crate::http::form::FieldErrors::default();
        model::check_targets(
            raw,
            context.period,
            column,
            "plan.node_target_outside",
            &mut errors,
        );
        for e in errors.iter() {
            self.problem(line, column, e.key, &e.value);
        }
    }

    /// The names the import adds to the lists, by kind, in words: "pillars
    /// Prevention, Protection; linked plans …".
    pub fn new_tags_text(&self) -> String {
        [
            (TagKind::Pillar, "tags.new_pillars"),
            (TagKind::Plan, "tags.new_plans"),
        ]
        .into_iter()
        .filter_map(|(kind, key)| {
            let names: Vec<&str> = self
                .new_tags
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, n)| n.as_str())
                .collect();
            (!names.is_empty()).then(|| i18n::t_with(key, "value", &names.join(", ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
    }

    /// The ignored columns, as one list.
    pub fn ignored_list(&self) -> String {
        self.ignored.join(", ")
    }

    /// The offer to delete the activities not in the file that may go.
    pub fn delete_offer(&self) -> String {
        i18n::t_args(
            "transfer.delete_absent",
            &[
                ("count", &self.removable.len().to_string()),
                ("codes", &self.removable.join(", ")),
            ],
        )
    }

    /// The activities not in the file that stay for their history.
    pub fn with_history_list(&self) -> String {
        self.with_history.join(", ")
    }
}

/// Same when no field changes, else an update.
fn kind_of(fields: &[FieldChange]) -> ChangeKind {
    if fields.is_empty() {
        ChangeKind::Same
    } else {
        ChangeKind::Update
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
    let mut a = Analysis {
        new_tags: context.tags.learn(rows.iter().flat_map(|r| {
            [
                (TagKind::Pillar, r.objective_pillars.as_str()),
                (TagKind::Pillar, r.activity.pillars.as_str()),
                (TagKind::Plan, r.activity.plans.as_str()),
            ]
        })),
        ..Analysis::default()
    };
    let existing_objectives: HashMap<&str, &PlanRow> = current
        .iter()
        .map(|r| (r.objective_code.as_str(), r))
        .collect();
    let existing_outcomes: HashMap<&str, &PlanRow> = current
        .iter()
        .filter(|r| !r.outcome_code.is_empty())
        .map(|r| (r.outcome_code.as_str(), r))
        .collect();
    let existing_activities: HashMap<&str, &PlanRow> = current
        .iter()
        .filter(|r| !r.activity.code.is_empty())
        .map(|r| (r.activity.code.as_str(), r))
        .collect();
    // Codes the file names, level by level: a new code that only looks like
    // one of the plan's is a problem unless the file names that one too.
    let named = |code: fn(&PlanRow) -> &str| -> HashSet<String> {
        rows.iter()
            .map(|r| code(r).trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let file_objectives = named(|r| &r.objective_code);
    let file_outcomes = named(|r| &r.outcome_code);
    let file_activities = named(|r| &r.activity.code);
    let objective_alikes = LookAlikes::new(
        existing_objectives.keys().copied(),
        file_objectives.iter().cloned(),
    );
    let outcome_alikes = LookAlikes::new(
        existing_outcomes.keys().copied(),
        file_outcomes.iter().cloned(),
    );
    let activity_alikes = LookAlikes::new(
        existing_activities.keys().copied(),
        file_activities.iter().cloned(),
    );

    // Each objective and outcome by code: the row that first names it.
    let mut objectives: HashMap<String, (usize, &PlanRow)> = HashMap::new();
    let mut outcomes: HashMap<String, (usize, &PlanRow)> = HashMap::new();
    let mut activities: HashMap<String, usize> = HashMap::new();
    let mut fake_id = -1;
    for row in rows {
        let line = row.line;
        match model::validate_code(&row.objective_code) {
            Err(key) => a.problem(line, "objective_code", key, &row.objective_code),
            Ok(code) => match objectives.get(&code) {
                Some((first, first_row)) => a.disagreement(
                    line,
                    *first,
                    &[
                        (
                            "objective_title",
                            &first_row.objective_title,
                            &row.objective_title,
                        ),
                        (
                            "objective_targets",
                            &first_row.objective_targets,
                            &row.objective_targets,
                        ),
                        (
                            "objective_pillars",
                            &first_row.objective_pillars,
                            &row.objective_pillars,
                        ),
                    ],
                ),
                None => {
                    if row.objective_title.is_empty() {
                        a.problem(line, "objective_title", "field.required", "");
                    }
                    if let Some(existing) = objective_alikes.of(&code) {
                        a.looks_like(
                            line,
                            "objective_code",
                            "transfer.looks_like_objective",
                            &code,
                            existing,
                        );
                    }
                    a.check_node(line, "objective_targets", &row.objective_targets, &context);
                    if let Err(unknown) = context
                        .tags
                        .resolve(TagKind::Pillar, &row.objective_pillars)
                    {
                        a.problem(line, "objective_pillars", "tags.unknown", &unknown);
                    }
                    let mut change = Change::new(
                        "plan.objective",
                        &code,
                        &row.objective_title,
                        ChangeKind::Create,
                    );
                    if let Some(old) = existing_objectives.get(code.as_str()) {
                        change.fields = objective_changes(old, row);
                        change.kind = kind_of(&change.fields);
                    }
                    a.changes.push(change);
                    objectives.insert(code, (line, row));
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
                Some((first, first_row)) => {
                    if first_row.objective_code != row.objective_code {
                        a.problem(
                            line,
                            "outcome_code",
                            "transfer.outcome_moves",
                            &first.to_string(),
                        );
                    } else {
                        a.disagreement(
                            line,
                            *first,
                            &[
                                (
                                    "outcome_title",
                                    &first_row.outcome_title,
                                    &row.outcome_title,
                                ),
                                (
                                    "outcome_targets",
                                    &first_row.outcome_targets,
                                    &row.outcome_targets,
                                ),
                            ],
                        );
                    }
                }
                None => {
                    if row.outcome_title.is_empty() {
                        a.problem(line, "outcome_title", "field.required", "");
                    }
                    if let Some(existing) = outcome_alikes.of(&code) {
                        a.looks_like(
                            line,
                            "outcome_code",
                            "transfer.looks_like_outcome",
                            &code,
                            existing,
                        );
                    }
                    a.check_node(line, "outcome_targets", &row.outcome_targets, &context);
                    let mut change = Change::new(
                        "plan.outcome",
                        &code,
                        &row.outcome_title,
                        ChangeKind::Create,
                    );
                    if let Some(old) = existing_outcomes.get(code.as_str()) {
                        change.fields = outcome_changes(old, row);
                        change.kind = kind_of(&change.fields);
                    }
                    a.changes.push(change);
                    if !context.outcomes.contains_key(&code) {
                        context.outcomes.insert(code.clone(), fake_id);
                        fake_id -= 1;
                    }
                    outcomes.insert(code, (line, row));
                }
            },
        }
        if row.activity.code.is_empty() {
            continue;
        }
        let code = row.activity.code.trim();
        if let Some(first) = activities.get(code) {
            a.problem(
                line,
                "activity_code",
                "transfer.code_twice",
                &first.to_string(),
            );
            continue;
        }
        activities.insert(code.to_owned(), line);
        match context.validate(&row.activity) {
            Err(errors) => {
                for e in errors.iter() {
                    a.problem(line, draft_column(e.field), e.key, &e.value);
                }
            }
            Ok(input) => {
                let old = existing_activities.get(code).copied();
                if old.is_none()
                    && let Some(existing) = activity_alikes.of(code)
                {
                    a.looks_like(
                        line,
                        "activity_code",
                        "transfer.looks_like_activity",
                        code,
                        existing,
                    );
                }
                let mut change = Change::new(
                    "plan.activity",
                    &row.activity.code,
                    &row.activity.title,
                    ChangeKind::Create,
                );
                if let Some(old) = old {
                    // A partner named by another of its names is no change.
                    let named = PlanRow {
                        activity: context.by_acronym(&row.activity),
                        ..row.clone()
                    };
                    change.fields = activity_changes(old, &named);
                    change.kind = kind_of(&change.fields);
                }
                if change.kind != ChangeKind::Same {
                    let period = Period {
                        start: input.start.unwrap_or(context.period.start),
                        end: input.end.unwrap_or(context.period.end),
                    };
                    let old_targets = old.map(|o| o.activity.targets.as_str());
                    change.targets = new_targets(old_targets, &input.targets)
                        .into_iter()
                        .map(|spec| NewTarget {
                            label: spec.label(),
                            quarters: spec.expand(period).iter().map(Quarter::to_string).collect(),
                        })
                        .collect();
                }
                a.changes.push(change);
            }
        }
    }
    for (key, codes) in [
        (
            "transfer.absent_objectives",
            absent(existing_objectives.keys().copied(), &file_objectives),
        ),
        (
            "transfer.absent_outcomes",
            absent(existing_outcomes.keys().copied(), &file_outcomes),
        ),
        (
            "transfer.absent_activities",
            absent(existing_activities.keys().copied(), &file_activities),
        ),
    ] {
        if key == "transfer.absent_activities" && !codes.is_empty() {
            let history = histories(conn, nap.id).await?;
            let (kept, removable) = codes
                .iter()
                .cloned()
                .partition(|code| history.contains(code));
            a.removable = removable;
            a.with_history = kept;
        }
        if !codes.is_empty() {
            let message = i18n::t_args(
                key,
                &[
                    ("count", &codes.len().to_string()),
                    ("codes", &codes.join(", ")),
                ],
            );
            a.absent.push(Absent { codes, message });
        }
    }
    Ok(a)
}

/// Codes of the NAP's activities that have history: status updates or
/// confidential records.
async fn histories(conn: &mut PgConnection, nap: i64) -> AppResult<HashSet<String>> {
    Ok(sqlx::query_scalar!(
        "select a.code from activities a
         where a.nap_id = $1
           and (exists (select 1 from status_updates u where u.activity_id = a.id)
                or exists (select 1 from confidential_counts c
                           where c.activity_id = a.id and c.records > 0))",
        nap
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .collect())
}

/// The plan's codes that the file does not name, in code order.
fn absent<'a>(plan: impl Iterator<Item = &'a str>, file: &HashSet<String>) -> Vec<String> {
    let mut codes: Vec<String> = plan
        .filter(|code| !file.contains(*code))
        .map(str::to_owned)
        .collect();
    codes.sort_by_key(|c| model::code_key(c));
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_point_at_the_spreadsheet_column() {
        assert_eq!(draft_column("outcome"), "outcome_code");
        assert_eq!(draft_column("title"), "activity_title");
        assert_eq!(draft_column("budget"), "budget");
        assert_eq!(draft_column("unknown"), "");
    }
}
