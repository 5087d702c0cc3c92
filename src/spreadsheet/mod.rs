//! Spreadsheets in and out: reading what people upload (XLSX and CSV) into
//! rows of text, with every cost bounded whatever the file claims, and
//! writing CSV that a spreadsheet program opens without running anything.
//!
//! An XLSX file is a zip archive of XML parts, and a hostile one can claim
//! a cell a million rows down (a reader that builds a dense grid then
//! allocates the whole rectangle), unpack to gigabytes, or hang thousands of
//! attributes on one tag. General spreadsheet libraries trust the file's
//! own numbers (one reserves memory for as many shared strings as the file
//! says it has), so this small reader reads only what an import needs:
//!
//! - the archive's directory is checked before anything is unpacked: how
//!   many entries, how large unpacked, how compressed;
//! - each part is read through a counter that stops at the size the
//!   directory declared, so a lying entry cannot unpack more;
//! - the sheet is read as a stream of cells; only cells with a value count,
//!   and one beyond [`Limits`] ends the reading with [`ReadError::TooLarge`];
//! - no tag may be longer than [`MAX_TAG`] bytes and no cell longer than
//!   [`MAX_CELL_CHARS`] characters.
//!
//! CSV is read field by field with `csv-core`, so a line of a million empty
//! fields costs nothing either (`csv`); XLSX in `xlsx`.

mod csv;
mod xlsx;

pub use csv::{CsvWriter, csv_cell};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Rows, the header included.
    pub rows: usize,
    pub columns: usize,
}

/// Excel's own limit for the text of one cell.
pub const MAX_CELL_CHARS: usize = 32_767;
/// What all parts together may unpack to.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file could not be read; each is a sentence for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Neither CSV nor XLSX, or a damaged one.
    Unreadable,
    /// CSV that is not UTF-8.
    NotUtf8,
    /// A value beyond the last row or column an import takes.
    TooLarge,
    /// An archive that unpacks to more than [`MAX_UNPACKED_BYTES`], has too
    /// many entries or is compressed like a bomb.
    Unpacks,
    /// A cell longer than [`MAX_CELL_CHARS`]; row and column count from 1,
    /// and are 0 when not known (a shared string too long).
    CellTooLong { row: usize, column: usize },
}

/// Rows of cells as text, from the file's first row: the table's index
/// `i` is the file's row `i + 1`. In a workbook, empty rows are kept (as
/// empty vectors), so row numbers stay those people see in their
/// spreadsheet program; in CSV, a row is a record and blank lines are
/// skipped.
pub type Table = Vec<Vec<String>>;

/// Reads an XLSX file (recognised by its zip signature) or else CSV. For
/// XLSX, the first sheet named in `sheets` is read, or else the first sheet.
pub fn read(bytes: &[u8], sheets: &[&str], limits: Limits) -> Result<Table, ReadError> {
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx::read(bytes, sheets, limits)
    } else {
        csv::read(bytes, limits)
    }
}

/// The character an XML reference stands for: one of XML's five named
/// entities or a character reference (`&#233;`); `None` for any other.
pub fn entity(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match r.as_ref() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => r.resolve_char_ref().ok().flatten(),
    }
}

/// The spreadsheet column name of a 1-based column number: 1 → A, 28 → AB.
pub fn column_name(mut column: usize) -> String {
    let mut name = Vec::new();
    while column > 0 {
        let rem = (column - 1) % 26;
        name.push(b'A' + rem as u8);
        column = (column - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// Collects cells into rows, refusing what lies beyond the limits.
pub(crate) struct Rows {
    limits: Limits,
    pub(crate) table: Table,
}

impl Rows {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            table: Vec::new(),
        }
    }

    /// Sets the cell at 0-based `row` and `column`; empty values are skipped.
    pub(crate) fn put(
        &mut self,
        row: usize,
        column: usize,
        value: String,
    ) -> Result<(), ReadError> {
        if value.is_empty() {
            return Ok(());
        }
        if row >= self.limits.rows || column >= self.limits.columns {
            return Err(ReadError::TooLarge);
        }
        if value.chars().count() > MAX_CELL_CHARS {
            return Err(ReadError::CellTooLong {
                row: row + 1,
                column: column + 1,
            });
        }
        if self.table.len() <= row {
            self.table.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.table[row];
        if cells.len() <= column {
            cells.resize_with(column + 1, String::new);
        }
        cells[column] = value;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(1), "A");
        assert_eq!(column_name(28), "AB");
        assert_eq!(column_name(16_384), "XFD");
    }
}
