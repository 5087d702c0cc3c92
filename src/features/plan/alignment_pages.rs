//! What a plan does for the SDGs and ILO standards:
//! `/t/{slug}/naps/{id}/alignment` lists every SDG target and ILO
//! instrument with the parts of the plan tagged with it and the activities
//! that serve it; `/alignment/{code}` shows one ("what does this plan do
//! for SDG 8.7"): the parts tagged with it and how far each has come.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;

use super::alignment::{self, Reference, References, Standing};
use super::model::{self, Nap};
use crate::choices::ActivityStatus;
use crate::error::{AppError, AppResult};
use crate::features::plan::quarter::Quarter;
use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::paths::at;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::nap_alignment, overview)
        .get(at::nap_alignment_ref, one)
}

/// One line of the overview.
pub struct Line {
    pub reference: Reference,
    /// Parts tagged with it (the NAP, objectives, outcomes, activities).
    pub parts: i64,
    /// The activities that serve it, own tag or inherited.
    pub serving: Standing,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/alignment.html")]
struct OverviewPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    /// The references the plan serves, then the rest of the list.
    used: Vec<Line>,
    unused: Vec<Reference>,
    can_edit: bool,
}

async fn overview(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<OverviewPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let refs = References::load(ctx.conn()).await?;
    let parts: HashMap<String, i64> = sqlx::query!(
        r#"select ref_code, count(*) as "n!" from alignment_tags where nap_id = $1 group by ref_code"#,
        id
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .map(|r| (r.ref_code, r.n))
    .collect();
    let mut serving: HashMap<String, Standing> =
        alignment::standings(ctx.conn(), id, Quarter::current().index())
            .await?
            .into_iter()
            .collect();
    let (mut used, mut unused) = (Vec::new(), Vec::new());
    for reference in refs.all {
        match parts.get(&reference.code) {
            Some(n) => used.push(Line {
                parts: *n,
                serving: serving.remove(&reference.code).unwrap_or_default(),
                reference,
            }),
            None => unused.push(reference),
        }
    }
    let can_edit = ctx.can_edit_plan();
    Ok(OverviewPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        used,
        unused,
        can_edit,
    })
}

/// A part of the plan tagged with the reference, with how it stands.
pub struct TaggedPart {
    /// "objective", "outcome" or "activity".
    pub kind: String,
    pub id: i64,
    pub code: String,
    pub title: String,
    pub standing: Standing,
    /// Activities only: the reported status.
    pub status: Option<ActivityStatus>,
}

impl TaggedPart {
    pub fn kind_key(&self) -> String {
        format!("alignment.part.{}", self.kind)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/alignment_one.html")]
struct OnePage {
    page: Chrome,
    slug: String,
    nap: Nap,
    reference: Reference,
    /// The NAP as a whole is tagged with it.
    whole_plan: bool,
    parts: Vec<TaggedPart>,
    /// Every activity that serves it, own tag or inherited.
    serving: Standing,
}

impl OnePage {
    /// The grid, or the dashboard's list, narrowed to what serves it.
    fn filtered(&self, base: &str) -> String {
        crate::paths::with_query(base, &[("align", &self.reference.code)])
    }

    /// "12 activities serve it: 3 completed, 2 behind schedule, 40 % on average."
    fn summary(&self) -> String {
        let s = &self.serving;
        crate::i18n::t_args(
            "alignment.serving_summary",
            &[
                ("n", &crate::i18n::number(s.activities)),
                ("completed", &crate::i18n::number(s.completed)),
                ("behind", &crate::i18n::number(s.behind)),
                ("progress", &s.progress.to_string()),
            ],
        )
    }
}

async fn one(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, code)): Path<(String, i64, String)>,
) -> AppResult<OnePage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let refs = References::load(ctx.conn()).await?;
    let reference = refs
        .get(&alignment::normalize(&code))
        .cloned()
        .ok_or(AppError::NotFound)?;
    let today = Quarter::current().index();
    let rows = sqlx::query!(
        r#"with tagged as (
               select 'objective' as part, o.id, o.code, o.title, a.id as activity_id
               from alignment_tags t
               join objectives o on o.tenant_id = t.tenant_id and o.id = t.objective_id
               left join outcomes oc on oc.tenant_id = o.tenant_id and oc.objective_id = o.id
               left join activities a on a.tenant_id = oc.tenant_id and a.outcome_id = oc.id
               where t.nap_id = $1 and t.ref_code = $2
               union all
               select 'outcome', oc.id, oc.code, oc.title, a.id
               from alignment_tags t
               join outcomes oc on oc.tenant_id = t.tenant_id and oc.id = t.outcome_id
               left join activities a on a.tenant_id = oc.tenant_id and a.outcome_id = oc.id
               where t.nap_id = $1 and t.ref_code = $2
               union all
               select 'activity', a.id, a.code, a.title, a.id
               from alignment_tags t
               join activities a on a.tenant_id = t.tenant_id and a.id = t.activity_id
               where t.nap_id = $1 and t.ref_code = $2)
           select g.part as "part!", g.id as "id!", g.code as "code!", g.title as "title!",
                  count(a.id) as "activities!",
                  count(a.id) filter (where a.status = 'completed') as "completed!",
                  count(f.activity_id) filter (where f.first_quarter < $3) as "behind!",
                  coalesce(round(avg(a.progress)), 0)::bigint as "progress!",
                  min(a.status) as status
           from tagged g
           left join activities a on a.id = g.activity_id
           left join open_targets f on f.tenant_id = a.tenant_id and f.activity_id = a.id
           group by g.part, g.id, g.code, g.title"#,
        id,
        reference.code,
        today
    )
    .fetch_all(ctx.conn())
    .await?;
    let order = |kind: &str| match kind {
        "objective" => 0,
        "outcome" => 1,
        _ => 2,
    };
    let mut parts: Vec<TaggedPart> = rows
        .into_iter()
        .map(|r| TaggedPart {
            status: (r.part == "activity")
                .then(|| r.status.as_deref().and_then(ActivityStatus::parse))
                .flatten(),
            kind: r.part,
            id: r.id,
            code: r.code,
            title: r.title,
            standing: Standing {
                activities: r.activities,
                completed: r.completed,
                behind: r.behind,
                progress: r.progress,
            },
        })
        .collect();
    parts.sort_by(|a, b| {
        (order(&a.kind), model::code_key(&a.code)).cmp(&(order(&b.kind), model::code_key(&b.code)))
    });
    let whole_plan = sqlx::query_scalar!(
        r#"select exists (select 1 from alignment_tags t
                          where t.nap_id = $1 and t.ref_code = $2
                            and num_nonnulls(t.objective_id, t.outcome_id, t.activity_id) = 0) as "whole!""#,
        id,
        reference.code
    )
    .fetch_one(ctx.conn())
    .await?;
    let serving = alignment::standings(ctx.conn(), id, today)
        .await?
        .into_iter()
        .find(|(code, _)| *code == reference.code)
        .map(|(_, standing)| standing)
        .unwrap_or_default();
    Ok(OnePage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        reference,
        whole_plan,
        parts,
        serving,
    })
}
