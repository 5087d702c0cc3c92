//! The report as a Word document that ministries can edit: Word's own
//! "Title", "Heading 1" and "Heading 2" styles (so its navigation pane and
//! table of contents work), real tables whose header row repeats on each
//! page, and a page break before each objective. Charts become their
//! numbers, as a table.
//!
//! The document is written as it is read, block by block, straight into
//! the compressed archive: memory holds the output, not the document. (A
//! document model such as docx-rs's keeps about 4.6 KB per table cell, over
//! 100 MB for a 2,000-activity plan's year, before it writes a byte.) The
//! `zip` crate packs it; WordprocessingML is written here, and the tests
//! open the result with LibreOffice.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::render::Block;
use crate::i18n::t;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// The styles, by Word's built-in names (a ministry's template can restyle
/// them); text in 10 points, tables with thin borders.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri" w:eastAsia="Calibri"/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:rPr><w:b/><w:sz w:val="40"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="30"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/></w:pPr><w:rPr><w:b/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="A0A0A0"/><w:left w:val="single" w:sz="4" w:space="0" w:color="A0A0A0"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="A0A0A0"/><w:right w:val="single" w:sz="4" w:space="0" w:color="A0A0A0"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="A0A0A0"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="A0A0A0"/></w:tblBorders></w:tblPr></w:style></w:styles>"#;

/// A4 in twentieths of a point, and 2 cm margins.
const SECTION: &str = r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>"#;

/// `text` as XML character data: escaped, without the control characters
/// XML cannot hold.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            // Not characters XML may hold.
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Runs of `text`, its line breaks kept as Word's.
fn runs(out: &mut impl Write, text: &str, bold: bool) -> std::io::Result<()> {
    let props = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
    write!(out, "<w:r>{props}")?;
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.write_all(b"<w:br/>")?;
        }
        write!(out, r#"<w:t xml:space="preserve">{}</w:t>"#, escaped(line))?;
    }
    out.write_all(b"</w:r>")
}

fn paragraph(out: &mut impl Write, style: Option<&str>, text: &str) -> std::io::Result<()> {
    out.write_all(b"<w:p>")?;
    if let Some(style) = style {
        write!(out, r#"<w:pPr><w:pStyle w:val="{style}"/></w:pPr>"#)?;
    }
    runs(out, text, false)?;
    out.write_all(b"</w:p>")
}

/// Each column's width (in twentieths of a point): first room for its
/// longest word, so no word breaks (about 120 a character of bold 9 points, and
/// the cell's margins), then what is left shared by how long its texts run
/// (up to a bound), so titles and notes get the room codes do not need.
fn widths(head: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    const TEXT_WIDTH: usize = 9638;
    let columns: Vec<(usize, usize)> = (0..head.len().max(1))
        .map(|i| {
            let texts = || rows.iter().filter_map(|r| r.get(i)).chain(head.get(i));
            let longest = texts().map(|t| t.chars().count()).max().unwrap_or(0);
            let word = texts()
                .flat_map(|t| t.split_whitespace())
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0);
            (word * 120 + 200, longest.clamp(1, 40))
        })
        .collect();
    let least: usize = columns.iter().map(|c| c.0).sum();
    let runs: usize = columns.iter().map(|c| c.1).sum();
    if least >= TEXT_WIDTH {
        return columns.iter().map(|c| TEXT_WIDTH * c.0 / least).collect();
    }
    let rest = TEXT_WIDTH - least;
    columns
        .iter()
        .map(|(min, run)| min + rest * run / runs)
        .collect()
}

fn table(
    out: &mut impl Write,
    caption: &str,
    head: &[String],
    rows: &[Vec<String>],
    numeric: &[bool],
) -> std::io::Result<()> {
    paragraph(out, Some("Caption"), caption)?;
    out.write_all(br#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>"#)?;
    for width in widths(head, rows) {
        write!(out, r#"<w:gridCol w:w="{width}"/>"#)?;
    }
    out.write_all(b"</w:tblGrid>")?;
    let row = |mut out: &mut dyn Write, cells: &[String], header: bool| -> std::io::Result<()> {
        out.write_all(if header {
            b"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
        } else {
            b"<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        })?;
        for (i, cell) in cells.iter().enumerate() {
            out.write_all(b"<w:tc>")?;
            if header {
                out.write_all(
                    br#"<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="E8EEF4"/></w:tcPr>"#,
                )?;
            }
            out.write_all(b"<w:p>")?;
            if numeric.get(i).copied().unwrap_or(false) {
                out.write_all(br#"<w:pPr><w:jc w:val="right"/></w:pPr>"#)?;
            }
            runs(&mut out, cell, header)?;
            out.write_all(b"</w:p></w:tc>")?;
        }
        out.write_all(b"</w:tr>")
    };
    row(out, head, true)?;
    for r in rows {
        row(out, r, false)?;
    }
    // Word needs a paragraph between two tables.
    out.write_all(b"</w:tbl><w:p/>")
}

fn block(out: &mut impl Write, b: &Block) -> std::io::Result<()> {
    match b {
        Block::Title { text, subtitle } => {
            paragraph(out, Some("Title"), text)?;
            paragraph(out, None, subtitle)
        }
        Block::H1 { text } => paragraph(out, Some("Heading1"), text),
        Block::H2 { text } => paragraph(out, Some("Heading2"), text),
        Block::P { text } => paragraph(out, None, text),
        Block::Break => out.write_all(br#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#),
        Block::Table {
            caption,
            head,
            rows,
            numeric,
        } => table(out, caption, head, rows, numeric),
        Block::Bars { caption, bars, .. } => {
            let head = [
                t("report.figure").into_owned(),
                t("report.col.value").into_owned(),
            ];
            let rows: Vec<Vec<String>> = bars
                .iter()
                .map(|b| vec![b.label.clone(), b.shown.clone()])
                .collect();
            table(out, caption, &head, &rows, &[false, true])
        }
    }
}

/// Writes the document.
pub fn write(blocks: &[Block]) -> anyhow::Result<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let packed = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, part) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", STYLES),
    ] {
        zip.start_file(name, packed)?;
        zip.write_all(part.as_bytes())?;
    }
    zip.start_file("word/document.xml", packed)?;
    let mut body = std::io::BufWriter::with_capacity(64 * 1024, &mut zip);
    write!(
        body,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}"><w:body>"#
    )?;
    for b in blocks {
        block(&mut body, b)?;
    }
    write!(body, "{SECTION}</w:body></w:document>")?;
    body.flush()?;
    drop(body);
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            escaped("a < b & \"c\" \u{7}\u{FFFF}>"),
            "a &lt; b &amp; &quot;c&quot; &gt;"
        );
    }
}
