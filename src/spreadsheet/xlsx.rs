//! XLSX read within bounds: the archive checked before unpacking, parts
//! unpacked no further than they declare, the sheet read as a stream.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::{Limits, MAX_CELL_CHARS, ReadError, Rows, Table};

/// A workbook has a dozen parts; thousands mean something else.
const MAX_ENTRIES: usize = 1_000;
/// How much smaller than its content a large part may be. Spreadsheet XML
/// compresses about tenfold; a bomb, a thousandfold.
const MAX_RATIO: u64 = 200;
/// Parts smaller than this may compress as they like.
const RATIO_FROM_BYTES: u64 = 1024 * 1024;
/// The longest start tag read. A cell's tag is a few dozen bytes.
const MAX_TAG: usize = 16 * 1024;

pub(super) fn read(bytes: &[u8], sheets: &[&str], limits: Limits) -> Result<Table, ReadError> {
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
        if total > super::MAX_UNPACKED_BYTES || bomb {
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
                text.push(super::entity(&r).ok_or(ReadError::Unreadable)?);
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
        let table = super::super::read(&bytes, &["Missing", "Plan"], LIMITS).unwrap();
        assert_eq!(table.len(), 3);
        assert_eq!(table[0], vec!["code", "", "title & <more>"]);
        assert!(table[1].is_empty());
        assert_eq!(table[2], vec!["", "25000", "line\none"]);
        // Without a sheet of the wanted name, the first one.
        assert_eq!(
            super::super::read(&bytes, &["Missing"], LIMITS).unwrap()[0],
            vec!["ignored"]
        );
    }
}
