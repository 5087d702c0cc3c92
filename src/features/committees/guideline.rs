//! The implementation guideline of a NAP: one printable document with the
//! plan's objectives and outcomes, and the terms of reference and members of
//! the committees that cover it. What a new committee member reads first.

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;

use super::committee::{self, Committee};
use super::seats::{self, MemberRow};
use super::tor::{self, Version};
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap, ObjectiveNode};
use crate::features::plan::quarter::Quarter;
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new().get(at::nap_guideline, guideline)
}

pub struct CommitteeChapter {
    pub committee: Committee,
    pub version: Option<Version>,
    pub members: Vec<MemberRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/guideline.html")]
struct GuidelinePage {
    page: Chrome,
    nap: Nap,
    tree: Vec<ObjectiveNode>,
    chapters: Vec<CommitteeChapter>,
    /// The communication plan's items.
    communication: Vec<crate::features::communication::Item>,
}

async fn guideline(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<GuidelinePage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let tree = model::load_tree(ctx.conn(), id, Quarter::current()).await?;
    let committees = sqlx::query_scalar!(
        "select c.id from committees c join committee_naps cn on cn.tenant_id = c.tenant_id and cn.committee_id = c.id
         where cn.nap_id = $1 order by c.kind = 'oversight' desc, c.name",
        id
    )
    .fetch_all(ctx.conn())
    .await?;
    // A handful of committees per NAP: a few queries each is fine here.
    let mut chapters = Vec::new();
    for committee in committees {
        chapters.push(CommitteeChapter {
            committee: committee::load(ctx.conn(), committee).await?,
            version: tor::published(ctx.conn(), committee, None).await?,
            members: seats::members(ctx.conn(), committee)
                .await?
                .into_iter()
                .filter(|m| m.left_on.is_none())
                .collect(),
        });
    }
    let communication = crate::features::communication::items(ctx.conn(), id).await?;
    Ok(GuidelinePage {
        page: page.in_tenant(&ctx),
        nap,
        tree,
        chapters,
        communication,
    })
}
