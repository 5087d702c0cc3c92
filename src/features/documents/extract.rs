//! The text of an uploaded PDF, Word, Excel or plain text file, read once at
//! upload for search: PDF by `lopdf` page by page, Word's `document.xml` by
//! `quick-xml`, a workbook's first sheet by our bounded spreadsheet reader.
//! A file it cannot read, or one that makes a reader panic, simply has no
//! text; the upload itself never fails for it.

use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::spreadsheet::{self, Limits};

/// Files larger than this are stored but their text is not read (the
/// reader needs the whole file in memory).
pub const LIMIT: usize = 12 * 1024 * 1024;

/// At most this much text is kept per version (a `tsvector` holds 1 MB).
pub const MAX_TEXT: usize = 400_000;

/// What a PDF page or a Word part may unpack to.
const MAX_UNPACKED: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extractable {
    Pdf,
    Docx,
    Xlsx,
    /// Plain text (`.txt`, `.csv`, `.md`), read as UTF-8.
    Text,
}

impl Extractable {
    /// The kind a file's name says it is, if one we read.
    pub fn of(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(Self::Pdf),
            "docx" => Some(Self::Docx),
            "xlsx" => Some(Self::Xlsx),
            "txt" | "csv" | "md" => Some(Self::Text),
            _ => None,
        }
    }
}

/// The text, read off the executor; empty when it could not be read.
pub async fn in_background(kind: Extractable, bytes: Vec<u8>) -> String {
    let read = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(|| extract_text(kind, &bytes)).unwrap_or_default()
    });
    match read.await {
        Ok(text) => text,
        Err(e) => {
            tracing::warn!(error = %e, "reading a document's text failed");
            String::new()
        }
    }
}

/// The file's text, words separated by spaces and paragraphs by new lines,
/// cut at [`MAX_TEXT`] bytes (on a character boundary).
pub fn extract_text(kind: Extractable, bytes: &[u8]) -> String {
    let mut text = match kind {
        Extractable::Pdf => pdf(bytes),
        Extractable::Docx => docx(bytes),
        Extractable::Xlsx => xlsx(bytes),
        Extractable::Text => Some(String::from_utf8_lossy(bytes).into_owned()),
    }
    .unwrap_or_default();
    // Control characters mean nothing to a reader.
    text.retain(|c| !c.is_control() || c == '\n' || c == '\t');
    if text.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

fn pdf(bytes: &[u8]) -> Option<String> {
    let doc = lopdf::Document::load_mem(bytes).ok()?;
    let mut text = String::new();
    for page in doc.get_pages().keys() {
        // A page that cannot be read leaves the others.
        if let Ok(words) = doc.extract_text_with_limit(&[*page], MAX_UNPACKED) {
            text.push_str(&words);
            text.push('\n');
        }
        if text.len() > MAX_TEXT {
            break;
        }
    }
    Some(text)
}

fn docx(bytes: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let part = archive.by_name("word/document.xml").ok()?;
    if part.size() > MAX_UNPACKED as u64 {
        return None;
    }
    let mut xml = Vec::new();
    part.take(MAX_UNPACKED as u64).read_to_end(&mut xml).ok()?;
    let mut reader = Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    let mut text = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => text.push('\n'),
                _ => {}
            },
            Event::Empty(e) if matches!(e.local_name().as_ref(), "tab" | "br") => {
                text.push(' ');
            }
            Event::Text(t) if in_text => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => text.extend(spreadsheet::entity(&r)),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
        if text.len() > MAX_TEXT {
            break;
        }
    }
    Some(text)
}

fn xlsx(bytes: &[u8]) -> Option<String> {
    // The reader takes anything else for CSV: a workbook is a zip archive.
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let limits = Limits {
        rows: 50_000,
        columns: 200,
    };
    let table = spreadsheet::read(bytes, &[], limits).ok()?;
    let mut text = String::new();
    for row in table {
        let cells: Vec<&str> = row
            .iter()
            .map(String::as_str)
            .filter(|c| !c.is_empty())
            .collect();
        if !cells.is_empty() {
            text.push_str(&cells.join(" "));
            text.push('\n');
        }
        if text.len() > MAX_TEXT {
            break;
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_name() {
        assert_eq!(Extractable::of("Minutes.PDF"), Some(Extractable::Pdf));
        assert_eq!(Extractable::of("a.b.docx"), Some(Extractable::Docx));
        assert_eq!(Extractable::of("plan.xlsx"), Some(Extractable::Xlsx));
        assert_eq!(Extractable::of("photo.jpg"), None);
        assert_eq!(Extractable::of("pdf"), None);
    }

    #[test]
    fn damaged_files_have_no_text() {
        assert_eq!(
            extract_text(Extractable::Text, "délégation\u{2}\0".as_bytes()),
            "délégation"
        );
        for kind in [Extractable::Pdf, Extractable::Docx, Extractable::Xlsx] {
            assert_eq!(extract_text(kind, b"%PDF-1.7 not really"), "");
        }
    }
}
