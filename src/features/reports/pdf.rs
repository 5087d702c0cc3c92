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

/// The text typst prints around the blocks, in the reader's language.
#[derive(Serialize)]
pub struct Frame<'a> {
    pub lang: &'a str,
    /// "Page", before the page's number in the footer.
    pub page: String,
    pub blocks: &'a [Block],
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

/// Lays out `frame` and writes the PDF. Blocking work: run it off the
/// executor, in an export's turn.
pub fn write(frame: &Frame, today: time::Date) -> anyhow::Result<Vec<u8>> {
    let data = serde_json::to_vec(frame)?;
    let world = Report {
        source: Source::new(SHARED.main, LAYOUT.to_owned()),
        data: Bytes::new(data),
        today: Datetime::from_ymd(today.year(), u8::from(today.month()), today.day())
            .ok_or_else(|| anyhow::anyhow!("a day typst cannot hold"))?,
    };
    let document = typst::compile::<typst_layout::PagedDocument>(&world)
        .output
        .map_err(|errors| {
            anyhow::anyhow!("report layout: {:?}", errors.first().map(|e| &e.message))
        })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| anyhow::anyhow!("report PDF: {:?}", errors.first().map(|e| &e.message)))
}
