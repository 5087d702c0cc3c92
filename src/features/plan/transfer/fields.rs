//! Which fields of a row change, from what to what, compared the way the
//! export writes them (so case, spaces, list order and a quarter's spelling
//! do not count as changes).

use super::format::PlanRow;
use crate::features::plan::quarter::{Quarter, TargetSpec};

/// One field of a row that the import changes.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// The spreadsheet column, as in [`super::format::COLUMNS`].
    pub column: &'static str,
    /// As the plan has it now.
    pub from: String,
    /// As the file has it.
    pub to: String,
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn list(s: &str) -> Vec<String> {
    let mut items: Vec<String> = s
        .split([',', ';'])
        .map(|p| p.split_whitespace().collect::<String>().to_uppercase())
        .filter(|p| !p.is_empty())
        .collect();
    items.sort();
    items
}

/// Whether two cells name the same quarter, however each is spelled
/// ("2027Q3", "Q3 2027", "T3 2027"); cells that are no quarter compare as text.
fn same_quarter(old: &str, new: &str) -> bool {
    match (Quarter::parse(old), Quarter::parse(new)) {
        (Some(a), Some(b)) => a == b,
        _ => old.split_whitespace().eq(new.split_whitespace()),
    }
}

fn same_targets(old: &str, new: &str) -> bool {
    match (TargetSpec::parse_list(old), TargetSpec::parse_list(new)) {
        (Ok(a), Ok(b)) => a == b,
        _ => list(old) == list(new),
    }
}

/// The fields of an activity's row that differ from the plan, in the
/// file's column order; none when the row says what the plan says.
pub fn activity_changes(old: &PlanRow, new: &PlanRow) -> Vec<FieldChange> {
    let (o, n) = (&old.activity, &new.activity);
    let level = if n.level.trim().is_empty() {
        "national"
    } else {
        n.level.trim()
    };
    let same: [(&'static str, &str, &str, bool); 15] = [
        (
            "outcome_code",
            &o.outcome,
            &n.outcome,
            o.outcome == n.outcome.trim(),
        ),
        (
            "activity_title",
            &o.title,
            &n.title,
            norm(&o.title) == norm(&n.title),
        ),
        (
            "description",
            &o.description,
            &n.description,
            norm(&o.description) == norm(&n.description),
        ),
        (
            "lead",
            &o.lead,
            &n.lead,
            o.lead.eq_ignore_ascii_case(n.lead.trim()),
        ),
        (
            "supporting",
            &o.supporting,
            &n.supporting,
            list(&o.supporting) == list(&n.supporting),
        ),
        (
            "start",
            &o.start,
            &n.start,
            same_quarter(&o.start, &n.start),
        ),
        ("end", &o.end, &n.end, same_quarter(&o.end, &n.end)),
        (
            "level",
            &o.level,
            &n.level,
            o.level.eq_ignore_ascii_case(level),
        ),
        (
            "place",
            &o.place,
            &n.place,
            norm(&o.place) == norm(&n.place),
        ),
        (
            "budget",
            &o.budget,
            &n.budget,
            o.budget == n.budget.replace([' ', ','], ""),
        ),
        (
            "currency",
            &o.currency,
            &n.currency,
            o.currency.eq_ignore_ascii_case(n.currency.trim()),
        ),
        (
            "targets",
            &o.targets,
            &n.targets,
            same_targets(&o.targets, &n.targets),
        ),
        (
            "pillars",
            &o.pillars,
            &n.pillars,
            list(&o.pillars) == list(&n.pillars),
        ),
        (
            "plans",
            &o.plans,
            &n.plans,
            list(&o.plans) == list(&n.plans),
        ),
        ("flag", &o.flag, &n.flag, norm(&o.flag) == norm(&n.flag)),
    ];
    changes(same)
}

/// The fields of an objective's first row that differ from the plan.
pub fn objective_changes(old: &PlanRow, new: &PlanRow) -> Vec<FieldChange> {
    changes([
        (
            "objective_title",
            &old.objective_title,
            &new.objective_title,
            old.objective_title == new.objective_title,
        ),
        (
            "objective_targets",
            &old.objective_targets,
            &new.objective_targets,
            same_targets(&old.objective_targets, &new.objective_targets),
        ),
        (
            "objective_pillars",
            &old.objective_pillars,
            &new.objective_pillars,
            list(&old.objective_pillars) == list(&new.objective_pillars),
        ),
    ])
}

/// The fields of an outcome's first row that differ from the plan.
pub fn outcome_changes(old: &PlanRow, new: &PlanRow) -> Vec<FieldChange> {
    changes([
        (
            "objective_code",
            &old.objective_code,
            &new.objective_code,
            old.objective_code == new.objective_code,
        ),
        (
            "outcome_title",
            &old.outcome_title,
            &new.outcome_title,
            old.outcome_title == new.outcome_title,
        ),
        (
            "outcome_targets",
            &old.outcome_targets,
            &new.outcome_targets,
            same_targets(&old.outcome_targets, &new.outcome_targets),
        ),
    ])
}

/// Whether two rows of one objective or outcome say the same of `column`
/// (a later row may leave it empty).
pub fn agrees(column: &str, first: &str, later: &str) -> bool {
    later.trim().is_empty()
        || match column {
            "objective_targets" | "outcome_targets" => same_targets(first, later),
            "objective_pillars" => list(first) == list(later),
            _ => first == later,
        }
}

fn changes<const N: usize>(fields: [(&'static str, &str, &str, bool); N]) -> Vec<FieldChange> {
    fields
        .into_iter()
        .filter(|(_, _, _, same)| !same)
        .map(|(column, from, to, _)| FieldChange {
            column,
            from: from.trim().to_owned(),
            to: to.trim().to_owned(),
        })
        .collect()
}

/// The targets a row names that the plan does not yet have: all of them
/// for a new activity (`old` is `None`).
pub fn new_targets(old: Option<&str>, new: &[TargetSpec]) -> Vec<TargetSpec> {
    let old = old
        .and_then(|o| TargetSpec::parse_list(o).ok())
        .unwrap_or_default();
    new.iter().copied().filter(|t| !old.contains(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::plan::model::ActivityDraft;

    fn same_activity(old: &PlanRow, new: &PlanRow) -> bool {
        activity_changes(old, new).is_empty()
    }

    fn row(code: &str, title: &str, supporting: &str, targets: &str, budget: &str) -> PlanRow {
        PlanRow {
            line: 2,
            objective_code: "1".into(),
            objective_title: "Prevent".into(),
            outcome_code: "1.1".into(),
            outcome_title: "Know rights".into(),
            objective_targets: String::new(),
            objective_pillars: String::new(),
            outcome_targets: String::new(),
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
    fn each_changed_field_is_named_with_both_values() {
        let plan = row("1.1.1", "Train inspectors", "CTU, EF", "2026Q1", "25000");
        let file = row(
            "1.1.1",
            "Train judges",
            "CTU, EF",
            "2026Q1, 2027Q2",
            "30000",
        );
        let changes = activity_changes(&plan, &file);
        let columns: Vec<&str> = changes.iter().map(|c| c.column).collect();
        assert_eq!(columns, ["activity_title", "budget", "targets"]);
        assert_eq!(changes[0].from, "Train inspectors");
        assert_eq!(changes[0].to, "Train judges");
    }

    #[test]
    fn only_targets_the_plan_lacks_are_new() {
        let specs = TargetSpec::parse_list("2026Q1, Q2/yearly").unwrap();
        assert_eq!(new_targets(None, &specs), specs);
        assert_eq!(
            new_targets(Some("T1 2026"), &specs),
            vec![TargetSpec::Yearly(2)]
        );
    }
}
