//! Codes that differ only as numbers would: a spreadsheet that takes the
//! outcome "1.0" for a number writes it back as "1", and "2.10" as "2.1".
//! An import must not take such a code for a new objective, outcome or
//! activity while the one it was meant to be sits in the plan.

use std::collections::{HashMap, HashSet};

/// The code as a spreadsheet would write it had it read it as a number: a
/// code of one or two parts of digits is a decimal number ("1.0" is "1",
/// "2.10" is "2.1", "01" is "1"); longer codes are never read as numbers,
/// so only their leading zeros go ("1.01.2" is "1.1.2"). Codes with letters
/// stay as they are.
pub fn numeric_form(code: &str) -> String {
    let parts: Vec<&str> = code.trim().split('.').collect();
    let all_digits = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !all_digits {
        return code.trim().to_owned();
    }
    let whole = |p: &str| match p.trim_start_matches('0') {
        "" => "0".to_owned(),
        rest => rest.to_owned(),
    };
    match parts.as_slice() {
        [integer] => whole(integer),
        [integer, fraction] => match fraction.trim_end_matches('0') {
            "" => whole(integer),
            fraction => format!("{}.{fraction}", whole(integer)),
        },
        _ => parts.iter().map(|p| whole(p)).collect::<Vec<_>>().join("."),
    }
}

/// Codes of the plan, found by their numeric form.
pub struct LookAlikes<'a> {
    by_form: HashMap<String, Vec<&'a str>>,
    existing: HashSet<&'a str>,
    in_file: HashSet<String>,
}

impl<'a> LookAlikes<'a> {
    /// `existing`: the plan's codes at one level; `in_file`: the codes the
    /// file names at that level.
    pub fn new(
        existing: impl IntoIterator<Item = &'a str>,
        in_file: impl IntoIterator<Item = String>,
    ) -> Self {
        let existing: HashSet<&str> = existing.into_iter().collect();
        let mut by_form: HashMap<String, Vec<&str>> = HashMap::new();
        for code in &existing {
            by_form.entry(numeric_form(code)).or_default().push(code);
        }
        for codes in by_form.values_mut() {
            codes.sort_unstable();
        }
        Self {
            by_form,
            existing,
            in_file: in_file.into_iter().collect(),
        }
    }

    /// The plan's code that `code` looks like, when `code` itself is not in
    /// the plan and that code is not in the file too (a file naming both
    /// "2.1" and "2.10" means two outcomes).
    pub fn of(&self, code: &str) -> Option<&'a str> {
        if self.existing.contains(code) {
            return None;
        }
        self.by_form
            .get(&numeric_form(code))?
            .iter()
            .copied()
            .find(|other| *other != code && !self.in_file.contains(*other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_compared_as_a_spreadsheet_would_write_them() {
        assert_eq!(numeric_form("1.0"), "1");
        assert_eq!(numeric_form("1"), "1");
        assert_eq!(numeric_form("2.10"), "2.1");
        assert_eq!(numeric_form("02.1"), "2.1");
        assert_eq!(numeric_form("0.50"), "0.5");
        assert_eq!(numeric_form("1.01.2"), "1.1.2");
        // Three parts are never a number: 1.1.0 is its own code.
        assert_eq!(numeric_form("1.1.0"), "1.1.0");
        assert_eq!(numeric_form("A.10"), "A.10");
        assert_eq!(numeric_form(" 3.00 "), "3");
    }

    #[test]
    fn a_look_alike_is_only_one_the_file_does_not_name_itself() {
        let plan = ["1.0", "2.1", "2.2"];
        let file = || ["1".to_owned(), "2.10".to_owned()];
        let alikes = LookAlikes::new(plan, file());
        assert_eq!(alikes.of("1"), Some("1.0"));
        assert_eq!(alikes.of("2.10"), Some("2.1"));
        assert_eq!(alikes.of("1.0"), None, "the code itself");
        assert_eq!(alikes.of("3"), None);
        // Outcomes 2.1 and 2.10 both in the file are two outcomes.
        let both = LookAlikes::new(plan, ["2.1".to_owned(), "2.10".to_owned()]);
        assert_eq!(both.of("2.10"), None);
    }
}
