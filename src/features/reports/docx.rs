//! The report as a Word document that ministries can edit: real headings
//! (Word's own "Heading 1" and "Heading 2" styles, so its navigation pane
//! and table of contents work), real tables with a header row that repeats
//! on each page, and a page break before each objective. Charts become
//! their numbers, as a table.

use docx_rs::{
    AlignmentType, BreakType, Docx, PageMargin, Paragraph, Run, RunFonts, Shading, Style,
    StyleType, Table, TableCell, TableRow, WidthType,
};

use super::render::Block;

/// A4 in twentieths of a point, and 2 cm margins.
const A4: (u32, u32) = (11_906, 16_838);
const MARGIN: i32 = 1_134;
const TEXT_WIDTH: usize = 11_906 - 2 * 1_134;

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .size(size)
            .bold()
    };
    docx.add_style(heading("Title", "Title", 40))
        .add_style(heading("Heading1", "heading 1", 30))
        .add_style(heading("Heading2", "heading 2", 24))
}

fn text(s: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(s))
}

fn cell(s: &str, header: bool, right: bool) -> TableCell {
    let mut run = Run::new().add_text(s).size(18);
    if header {
        run = run.bold();
    }
    let mut p = Paragraph::new().add_run(run);
    if right {
        p = p.align(AlignmentType::Right);
    }
    let c = TableCell::new().add_paragraph(p);
    if header {
        c.shading(Shading::new().fill("E8EEF4"))
    } else {
        c
    }
}

fn table(head: &[String], rows: &[Vec<String>], numeric: &[bool]) -> Table {
    let right = |i: usize| numeric.get(i).copied().unwrap_or(false);
    let mut all = vec![TableRow::new(
        head.iter()
            .enumerate()
            .map(|(i, h)| cell(h, true, right(i)))
            .collect(),
    )];
    all.extend(rows.iter().map(|r| {
        TableRow::new(
            r.iter()
                .enumerate()
                .map(|(i, c)| cell(c, false, right(i)))
                .collect(),
        )
        .cant_split()
    }));
    let columns = head.len().max(1);
    Table::new(all)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .set_grid(vec![TEXT_WIDTH / columns; columns])
}

/// Writes the document.
pub fn write(blocks: &[Block]) -> anyhow::Result<Vec<u8>> {
    let mut docx = styles(Docx::new())
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN),
        )
        .default_fonts(
            RunFonts::new()
                .ascii("Liberation Serif")
                .hi_ansi("Liberation Serif"),
        )
        .default_size(20);
    for b in blocks {
        docx = match b {
            Block::Title { text: t, subtitle } => docx
                .add_paragraph(text(t).style("Title"))
                .add_paragraph(text(subtitle)),
            Block::H1 { text: t } => docx.add_paragraph(text(t).style("Heading1")),
            Block::H2 { text: t } => docx.add_paragraph(text(t).style("Heading2")),
            Block::P { text: t } => docx.add_paragraph(text(t)),
            Block::Break => {
                docx.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
            }
            Block::Table {
                caption,
                head,
                rows,
                numeric,
            } => docx
                .add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_text(caption).bold())
                        .keep_next(true),
                )
                .add_table(table(head, rows, numeric))
                .add_paragraph(Paragraph::new()),
            Block::Bars { caption, bars, .. } => {
                let rows: Vec<Vec<String>> = bars
                    .iter()
                    .map(|b| vec![b.label.clone(), b.shown.clone()])
                    .collect();
                docx.add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_text(caption).bold())
                        .keep_next(true),
                )
                .add_table(table(
                    &[String::new(), String::new()],
                    &rows,
                    &[false, true],
                ))
                .add_paragraph(Paragraph::new())
            }
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    docx.pack(&mut out)?;
    Ok(out.into_inner())
}
