//! What the three set-up imports share: a row as read, a change as the
//! preview shows it, the analysis of a whole file, and the cells and
//! choices written the way the export writes them.

use serde::{Deserialize, Serialize};

use crate::features::plan::transfer::{ChangeKind, FieldChange, Problem};
use crate::http::form::FieldErrors;
use crate::i18n;

/// One row of a file: its number in the file (the header is row 1) and
/// its cells in the order of the kind's columns.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell of `column` (one of `columns`), trimmed.
    pub fn get<'a>(&'a self, columns: &[&str], column: &str) -> &'a str {
        columns
            .iter()
            .position(|c| *c == column)
            .and_then(|i| self.cells.get(i))
            .map_or("", |c| c.trim())
    }
}

/// One record the import creates or changes (or finds as it is).
pub struct Change {
    /// The translation key of what it is: `setup.what.partner`.
    pub what: &'static str,
    /// How the file names it: an acronym, a committee's name.
    pub name: String,
    pub kind: ChangeKind,
    /// For a changed record, each field that changes, from what to what.
    pub fields: Vec<FieldChange>,
}

impl Change {
    /// A record compared field by field, both sides as the export writes
    /// them: new when there is no `old`, unchanged when every cell agrees.
    pub fn of(
        what: &'static str,
        name: &str,
        columns: &[&'static str],
        old: Option<&[String]>,
        new: &[String],
    ) -> Self {
        let (kind, fields) = match old {
            None => (ChangeKind::Create, Vec::new()),
            Some(old) => {
                let fields: Vec<FieldChange> = columns
                    .iter()
                    .zip(old.iter().zip(new))
                    .filter(|(_, (from, to))| from != to)
                    .map(|(column, (from, to))| FieldChange {
                        column,
                        from: from.clone(),
                        to: to.clone(),
                    })
                    .collect();
                let kind = if fields.is_empty() {
                    ChangeKind::Same
                } else {
                    ChangeKind::Update
                };
                (kind, fields)
            }
        };
        Self {
            what,
            name: name.to_owned(),
            kind,
            fields,
        }
    }

    pub fn kind_key(&self) -> &'static str {
        match self.kind {
            ChangeKind::Create => "transfer.create",
            ChangeKind::Update => "transfer.update",
            ChangeKind::Same => "transfer.same",
        }
    }

    pub fn changes(&self) -> bool {
        self.kind != ChangeKind::Same
    }
}

/// The outcome of checking a file: its problems by row and column, or what
/// it would create and change.
#[derive(Default)]
pub struct Analysis {
    pub problems: Vec<Problem>,
    pub changes: Vec<Change>,
    /// Headings of the file's columns that the import does not read.
    pub ignored: Vec<String>,
}

impl Analysis {
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// Whether confirming would change nothing.
    pub fn nothing_changes(&self) -> bool {
        self.changes.iter().all(|c| !c.changes())
    }

    pub fn ignored_list(&self) -> String {
        self.ignored.join(", ")
    }

    /// A problem of the whole file, on its first row.
    pub fn of_file(problem: Problem) -> Self {
        Self {
            problems: vec![problem],
            ..Self::default()
        }
    }

    /// A problem in one cell: `key` takes the cell's text as `%{value}`.
    pub fn problem(&mut self, line: usize, column: &'static str, key: &str, value: &str) {
        self.problems.push(Problem {
            line,
            column,
            message: i18n::t_with(key, "value", value),
        });
    }

    /// The errors a form's check found in a row, each under the column
    /// that holds its field (`column_of` maps the form's names). A choice
    /// the form's list lacks is said with the text the file gave.
    pub fn form_errors(
        &mut self,
        row: &Row,
        columns: &[&'static str],
        errors: &FieldErrors,
        column_of: impl Fn(&str) -> &'static str,
    ) {
        for e in errors.iter() {
            let column = column_of(e.field);
            let typed = row.get(columns, column);
            if e.key == "field.choose" && typed.is_empty() {
                self.problem(row.line, column, "field.required", "");
            } else if e.key == "field.choose" {
                self.problem(row.line, column, "setup.not_a_choice", typed);
            } else {
                self.problem(row.line, column, e.key, &e.value);
            }
        }
    }
}

/// The stable name of a choice written as its name or as its label in any
/// language, whatever the case; what was written, trimmed, when it is
/// none of them (for the form's check to refuse).
pub fn choice_code(
    raw: &str,
    options: impl Iterator<Item = (&'static str, &'static str)>,
) -> String {
    let written = raw.trim().to_lowercase();
    for (code, key) in options {
        let named = code == written
            || i18n::SUPPORTED
                .iter()
                .any(|(lang, _)| i18n::translate(lang, key).to_lowercase() == written);
        if named {
            return code.to_owned();
        }
    }
    raw.trim().to_owned()
}

/// A yes-or-no cell: "yes" or "no" in any language (or its first letter,
/// or a tick written as x), blank for no; `None` when it is neither.
pub fn yes_no(raw: &str) -> Option<bool> {
    let written = raw.trim().to_lowercase();
    if written.is_empty() {
        return Some(false);
    }
    let said = |key: &str| {
        i18n::SUPPORTED
            .iter()
            .any(|(lang, _)| i18n::translate(lang, key).to_lowercase() == written)
    };
    if said("setup.yes") || matches!(written.as_str(), "y" | "x" | "true" | "1") {
        Some(true)
    } else if said("setup.no") || matches!(written.as_str(), "n" | "false" | "0") {
        Some(false)
    } else {
        None
    }
}

/// How the export writes a yes or a no.
pub fn yes_no_text(value: bool) -> String {
    i18n::t(if value { "setup.yes" } else { "setup.no" }).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_lists_the_cells_that_differ() {
        let columns = ["a", "b"];
        let old = vec!["1".to_owned(), "2".to_owned()];
        let same = Change::of("x", "n", &columns, Some(&old), &old);
        assert_eq!(same.kind, ChangeKind::Same);
        let new = vec!["1".to_owned(), "3".to_owned()];
        let changed = Change::of("x", "n", &columns, Some(&old), &new);
        assert_eq!(changed.kind, ChangeKind::Update);
        assert_eq!(changed.fields.len(), 1);
        assert_eq!(changed.fields[0].column, "b");
        assert_eq!(
            Change::of("x", "n", &columns, None, &new).kind,
            ChangeKind::Create
        );
    }

    #[test]
    fn yes_and_no_are_read_in_any_language() {
        assert_eq!(yes_no(""), Some(false));
        assert_eq!(yes_no("x"), Some(true));
        assert_eq!(yes_no("maybe"), None);
    }
}
