//! The report as PDF, laid out by typst used as a library. The layout is
//! one typst file compiled in (`templates/reports/report.typ`); the report's
//! blocks reach it as JSON, which typst reads as data, never as markup, so
//! nothing a person wrote can run as code. Fonts are typst's own, compiled
//! in and embedded in every file: the text stays selectable and a PDF is
//! the same on every machine.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::render::Block;

const LAYOUT: &str = include_str!("../../../templates/reports/report.typ");

/// What never changes between reports: the library, the fonts, the layout.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    data: FileId,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    let id = |name: &str| {
        let path = VirtualPath::new(name).expect("a plain file name");
        FileId::new(RootedPath::new(VirtualRoot::Project, path))
    };
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        main: id("report.typ"),
        data: id("data.json"),
    }
});

/// What typst lays out at once: part of the report, the text it prints
/// around the blocks in the reader's language, and where its pages start.
#[derive(Serialize)]
struct Frame<'a> {
    lang: &'a str,
    title: &'a str,
    /// "Page", before the page's number in the footer.
    page: &'a str,
    first_page: usize,
    blocks: &'a [Block],
}

struct Report {
    source: Source,
    data: Bytes,
    today: Datetime,
}

impl World for Report {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        SHARED.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == SHARED.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == SHARED.data {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// Lays out `blocks` and writes the PDF, in `lang`. Blocking work: run it
/// off the executor, in an export's turn.
///
/// Each part that starts on a new page (the opening, each objective, the
/// committee's parts) is laid out on its own and its pages kept: typst
/// holds what it needs to lay out one part, not the whole report (a
/// 2,000-activity year took 310 MB at once). The pages then make one PDF,
/// numbered on.
pub fn write(
    blocks: &[Block],
    lang: &str,
    page_word: &str,
    today: time::Date,
) -> anyhow::Result<Vec<u8>> {
    let title = match blocks.first() {
        Some(Block::Title { text, .. }) => text.as_str(),
        _ => "",
    };
    let today = Datetime::from_ymd(today.year(), u8::from(today.month()), today.day())
        .ok_or_else(|| anyhow::anyhow!("a day typst cannot hold"))?;
    let mut pages = typst::ecow::EcoVec::new();
    let mut info = None;
    for part in blocks
        .split(|b| matches!(b, Block::Break))
        .filter(|p| !p.is_empty())
    {
        let frame = Frame {
            lang,
            title,
            page: page_word,
            first_page: pages.len() + 1,
            blocks: part,
        };
        let document = lay_out(&frame, today);
        // What typst remembered for this part only holds memory now.
        typst::comemo::evict(0);
        let document = document?;
        info.get_or_insert_with(|| typst::model::Document::info(&document).clone());
        pages.extend(document.pages().iter().cloned());
    }
    let document = typst_layout::PagedDocument::new(pages, info.unwrap_or_default());
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| anyhow::anyhow!("report PDF: {:?}", errors.first().map(|e| &e.message)))
}

fn lay_out(frame: &Frame, today: Datetime) -> anyhow::Result<typst_layout::PagedDocument> {
    let world = Report {
        source: Source::new(SHARED.main, LAYOUT.to_owned()),
        data: Bytes::new(serde_json::to_vec(frame)?),
        today,
    };
    typst::compile::<typst_layout::PagedDocument>(&world)
        .output
        .map_err(|errors| {
            anyhow::anyhow!("report layout: {:?}", errors.first().map(|e| &e.message))
        })
}
