//! Bulk set-up: partners, committees with their members, and a NAP's
//! indicators, imported from a spreadsheet and exported in exactly the
//! format the import reads, so that the fifty member forms of a real
//! committee become one pasted sheet.
//!
//! Each import works like the plan's (and with its pieces, from
//! `plan::transfer`): upload, a preview of what would be created or changed
//! field by field (nothing stored; the checked rows wait in a draft), then
//! a confirmation that checks the rows again and writes them all in one
//! transaction, or nothing. Every row goes through the same checks as the
//! form it replaces, and every write through the same capability.
//!
//! `page` holds the handlers and the page, `table` what the three kinds
//! share (a row, a change, an analysis, cells and choices); `partners`,
//! `committees` (with their `seats`) and `indicators` each say their
//! columns, how their records read as cells, and how rows are checked and
//! written.

mod committees;
mod indicators;
mod page;
mod partners;
mod seats;
mod table;

use crate::http::routes::Routes;
use crate::paths::at;

pub use table::Analysis;

pub fn router() -> Routes {
    Routes::new()
        .get(at::partners_import, page::show_partners)
        .post(at::partners_import, page::upload_partners)
        .post(at::partners_import_apply, page::apply_partners)
        .get(at::partners_file, page::file_partners)
        .get(at::committees_import, page::show_committees)
        .post(at::committees_import, page::upload_committees)
        .post(at::committees_import_apply, page::apply_committees)
        .get(at::committees_file, page::file_committees)
        .get(at::indicators_import, page::show_indicators)
        .post(at::indicators_import, page::upload_indicators)
        .post(at::indicators_import_apply, page::apply_indicators)
        .get(at::indicators_file, page::file_indicators)
}

/// Which records a file sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Partners,
    Committees,
    Indicators,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Partners => "partners",
            Kind::Committees => "committees",
            Kind::Indicators => "indicators",
        }
    }

    /// The file's columns, in order; the first row names them.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Partners => partners::COLUMNS,
            Kind::Committees => committees::COLUMNS,
            Kind::Indicators => indicators::COLUMNS,
        }
    }

    /// The prefix of its columns' labels: `setup.partners.col.acronym`.
    pub(super) fn label_prefix(self) -> String {
        format!("setup.{}.col", self.as_str())
    }

    /// A column's heading in the current language.
    pub fn label(self, column: &str) -> String {
        crate::i18n::t(&format!("{}.{column}", self.label_prefix())).into_owned()
    }

    /// The translation key of one of its texts: `setup.partners.title`.
    pub fn key(self, what: &str) -> String {
        format!("setup.{}.{what}", self.as_str())
    }
}
