//! Hostile spreadsheets uploaded to a plan's import, against the real
//! binary: each gets a 422 with a sentence a secretariat understands, in
//! bounded time and memory, and the server keeps answering.

use std::io::Write;
use std::time::{Duration, Instant};

use zip::write::SimpleFileOptions;

use crate::server::{Server, csrf_of};

/// Generous: the debug build on a busy 2-core machine. `docs/SECURITY.md`
/// gives the release build's times.
const TIME_BUDGET: Duration = Duration::from_secs(10);
/// How much the server's peak resident memory may grow over all uploads.
const MEMORY_BUDGET_KB: u64 = 100 * 1024;

const TOO_LARGE: &str = "larger than a plan can be";
const UNPACKS: &str = "unpacks to more than a plan can be";
const UNREADABLE: &str = "could not be read as CSV or XLSX";

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_END: &str = "</sheetData></worksheet>";

/// Writes one part of a workbook into the archive.
type Part<'a> = &'a dyn Fn(&mut dyn Write);

/// A workbook whose sheet (and shared strings, if given) are written by the
/// closures, streamed into the archive so large parts never sit in memory.
fn workbook(sheet: impl FnOnce(&mut dyn Write), shared_strings: Option<Part<'_>>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(false);
    for (name, text) in [
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    sheet(&mut zip);
    if let Some(strings) = shared_strings {
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        strings(&mut zip);
    }
    zip.finish().unwrap().into_inner()
}

/// A sheet holding exactly these cells: (reference, inline text).
fn cells(cells: &[(&str, &str)]) -> Vec<u8> {
    workbook(
        |w| {
            w.write_all(SHEET_START.as_bytes()).unwrap();
            for (reference, text) in cells {
                write!(
                    w,
                    r#"<row><c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c></row>"#
                )
                .unwrap();
            }
            w.write_all(SHEET_END.as_bytes()).unwrap();
        },
        None,
    )
}

/// The crafted files: name, bytes, and what the answer must say.
fn crafted() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut files = vec![
        // The finding: 1.7 KB that made the reader allocate about 550 GB.
        (
            "far-corner.xlsx",
            cells(&[("A1", "objective_code"), ("XFD1048576", "x")]),
            TOO_LARGE,
        ),
        // 489 MB for a single cell a million rows down.
        (
            "deep-cell.xlsx",
            cells(&[("A1", "objective_code"), ("P1000000", "x")]),
            TOO_LARGE,
        ),
    ];
    // A zip bomb: about 150 MB of sheet XML packed into a few hundred KB.
    let bomb = workbook(
        |w| {
            w.write_all(SHEET_START.as_bytes()).unwrap();
            let row = "<row><c><v>1</v></c></row>".repeat(4096);
            for _ in 0..(150 * 1024 * 1024 / row.len()) {
                w.write_all(row.as_bytes()).unwrap();
            }
            w.write_all(SHEET_END.as_bytes()).unwrap();
        },
        None,
    );
    assert!(
        bomb.len() < 1024 * 1024,
        "the bomb is small: {}",
        bomb.len()
    );
    files.push(("bomb.xlsx", bomb, UNPACKS));
    // Under the total, but packed a thousandfold: shared strings.
    let dense = workbook(
        |w| {
            w.write_all(SHEET_START.as_bytes()).unwrap();
            w.write_all(SHEET_END.as_bytes()).unwrap();
        },
        Some(&|w: &mut dyn Write| {
            w.write_all(b"<sst>").unwrap();
            let strings = "<si><t>a</t></si>".repeat(4096);
            for _ in 0..(30 * 1024 * 1024 / strings.len()) {
                w.write_all(strings.as_bytes()).unwrap();
            }
            w.write_all(b"</sst>").unwrap();
        }),
    );
    files.push(("dense.xlsx", dense, UNPACKS));
    files.push(("lying.xlsx", lying_sizes(), UNREADABLE));
    // RUSTSEC-2026-0194: 60,000 attributes on one cell's tag.
    let attributes: String = (0..60_000).map(|i| format!(" a{i}=\"1\"")).collect();
    let wide_tag = workbook(
        |w| {
            w.write_all(SHEET_START.as_bytes()).unwrap();
            write!(w, r#"<row><c r="A1"{attributes}><v>1</v></c></row>"#).unwrap();
            w.write_all(SHEET_END.as_bytes()).unwrap();
        },
        None,
    );
    files.push(("attributes.xlsx", wide_tag, UNREADABLE));
    // Claims that readers trust: a huge dimension and string count.
    let claims = workbook(
        |w| {
            w.write_all(
                r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#
                    .as_bytes(),
            )
            .unwrap();
        },
        Some(&|w: &mut dyn Write| {
            w.write_all(br#"<sst count="4000000000" uniqueCount="4000000000"><si><t>objective_code</t></si></sst>"#)
                .unwrap();
        }),
    );
    files.push(("claims.xlsx", claims, "is missing from the first row"));
    // Thousands of entries where a workbook has a dozen.
    let mut many = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..5_000 {
        many.start_file(format!("x/{i}"), SimpleFileOptions::default())
            .unwrap();
    }
    files.push(("entries.xlsx", many.finish().unwrap().into_inner(), UNPACKS));
    // CSV: a million fields on one line, and more rows than a plan has.
    let mut wide = b"objective_code".to_vec();
    wide.extend(std::iter::repeat_n(b',', 1_000_000));
    wide.extend_from_slice(b"x\n");
    files.push(("wide.csv", wide, TOO_LARGE));
    let long = "objective_code\n1\n".repeat(10_001).into_bytes();
    files.push(("long.csv", long, TOO_LARGE));
    files
}

/// A workbook whose sheet says it unpacks to 1,000 bytes and unpacks to 40 MB.
fn lying_sizes() -> Vec<u8> {
    let mut bytes = workbook(
        |w| {
            w.write_all(SHEET_START.as_bytes()).unwrap();
            let row = "<row><c><v>2</v></c></row>".repeat(4096);
            for _ in 0..(40 * 1024 * 1024 / row.len()) {
                w.write_all(row.as_bytes()).unwrap();
            }
            w.write_all(SHEET_END.as_bytes()).unwrap();
        },
        None,
    );
    let name = b"xl/worksheets/sheet1.xml";
    // The local header (size at 22) and the central directory entry (size at 24).
    for (signature, size_at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let name_at = if size_at == 22 { 30 } else { 46 };
        let at = (0..bytes.len() - name_at - name.len())
            .find(|&i| {
                &bytes[i..i + 4] == signature
                    && &bytes[i + name_at..i + name_at + name.len()] == name
            })
            .expect("the sheet's header");
        bytes[at + size_at..at + size_at + 4].copy_from_slice(&1000u32.to_le_bytes());
    }
    bytes
}

/// Peak resident memory of a process, in KB.
pub fn peak_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[tokio::test]
async fn hostile_spreadsheets_get_a_sentence_in_bounded_time_and_memory() {
    let files = crafted();
    let server = Server::start("bombs").await;
    let http = server.sign_in("secretariat@veridia.example").await;
    let naps = http
        .get(server.url("/t/veridia/naps"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let nap: i64 = naps
        .split("href=\"/t/veridia/naps/")
        .skip(1)
        .find_map(|rest| rest.split(['/', '"']).next()?.parse().ok())
        .expect("a NAP");
    let import = server.url(&format!("/t/veridia/naps/{nap}/import"));
    let page = http
        .get(&import)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let before = peak_kb(server.process.id());
    for (name, bytes, expected) in files {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        let started = Instant::now();
        let res = http.post(&import).multipart(form).send().await.unwrap();
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        let took = started.elapsed();
        eprintln!("{name}: {status} in {took:?}");
        assert_eq!(status, 422, "{name}");
        let doc = scraper::Html::parse_document(&body);
        let problems = scraper::Selector::parse("table.problems tbody tr").unwrap();
        let said: Vec<String> = doc
            .select(&problems)
            .map(|row| row.text().collect::<String>())
            .collect();
        assert!(
            said.iter().any(|p| p.contains(expected)),
            "{name}: {said:?} should say {expected:?}"
        );
        assert!(took < TIME_BUDGET, "{name} took {took:?}");
        // Still answering, signed-in pages included.
        let health = http.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status().as_u16(), 200, "after {name}");
        let home = http.get(server.url("/t/veridia/")).send().await.unwrap();
        assert_eq!(home.status().as_u16(), 200, "after {name}");
    }
    let grown = peak_kb(server.process.id()).saturating_sub(before);
    eprintln!("peak resident memory grew by {grown} kB");
    assert!(grown < MEMORY_BUDGET_KB, "grew by {grown} kB");
}
