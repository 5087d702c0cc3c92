//! Two published versions side by side, section by section, the changed
//! words marked.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use serde::Deserialize;

use super::diff::{Piece, word_diff};
use super::{TorText, published};
use crate::error::{AppError, AppResult};
use crate::features::committees::committee::{self, Committee};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

#[derive(Deserialize)]
pub(super) struct CompareQuery {
    a: i32,
    b: i32,
}

/// One section of two versions side by side, each with its changed words marked.
pub struct SectionDiff {
    pub label_key: &'static str,
    pub before: Vec<Piece>,
    pub after: Vec<Piece>,
    pub changed: bool,
}

/// The sections of `a` and `b`, in order, word by word.
pub fn section_diffs(a: &TorText, b: &TorText) -> Vec<SectionDiff> {
    a.sections()
        .into_iter()
        .zip(b.sections())
        .map(|((_, label_key, before), (_, _, after))| {
            let (old, new) = word_diff(before, after);
            SectionDiff {
                label_key,
                changed: before != after,
                before: old,
                after: new,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/tor_compare.html")]
pub(super) struct ComparePage {
    page: Chrome,
    slug: String,
    committee: Committee,
    a: i32,
    b: i32,
    sections: Vec<SectionDiff>,
    /// The quorum before and after, when it changes.
    quorum_change: Option<(String, String)>,
}

impl ComparePage {
    fn left_heading(&self) -> String {
        self.page
            .t_with("tor.version", "value", &self.a.to_string())
    }

    fn right_heading(&self) -> String {
        self.page
            .t_with("tor.version", "value", &self.b.to_string())
    }
}

pub(super) async fn compare(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<CompareQuery>,
) -> AppResult<ComparePage> {
    let committee = committee::load(ctx.conn(), id).await?;
    let a = published(ctx.conn(), id, Some(q.a))
        .await?
        .ok_or(AppError::NotFound)?;
    let b = published(ctx.conn(), id, Some(q.b))
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = section_diffs(&a.text, &b.text);
    Ok(ComparePage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        a: q.a,
        b: q.b,
        sections,
        quorum_change: super::quorum_change(a.quorum, b.quorum),
    })
}
