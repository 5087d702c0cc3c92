//! The tags a plan uses: its pillars or strategic areas (objectives and
//! activities are tagged with them) and the other national plans its
//! activities overlap. The lists are kept per NAP on their own page; a
//! name that leaves a list leaves every objective and activity it tagged.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::model::{self, Nap};
use crate::authz::PlanEditor;
use crate::error::AppResult;
use crate::http::form::{FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::paths::at;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::nap_tags, show)
        .post(at::nap_tags, save)
}

/// The two kinds of list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagKind {
    Pillar,
    Plan,
}

impl TagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pillar => "pillar",
            Self::Plan => "plan",
        }
    }
}

/// At most this many names in one list, each at most [`NAME_CHARS`] long.
const MAX_TAGS: usize = 40;
const NAME_CHARS: usize = 200;

/// A NAP's lists: name → id, by kind, keyed by the lower-case name, and the
/// names in their order.
#[derive(Debug, Default, Clone)]
pub struct TagLists {
    pub pillars: Vec<String>,
    pub plans: Vec<String>,
    ids: HashMap<(TagKind, String), i64>,
}

impl TagLists {
    pub async fn load(conn: &mut PgConnection, nap_id: i64) -> AppResult<Self> {
        let rows = sqlx::query!(
            "select id, kind, name from nap_tags where nap_id = $1 order by position, id",
            nap_id
        )
        .fetch_all(conn)
        .await?;
        let mut lists = Self::default();
        for r in rows {
            let kind = if r.kind == "plan" {
                lists.plans.push(r.name.clone());
                TagKind::Plan
            } else {
                lists.pillars.push(r.name.clone());
                TagKind::Pillar
            };
            lists.ids.insert((kind, r.name.to_lowercase()), r.id);
        }
        Ok(lists)
    }

    /// The ids of the names `raw` lists (separated by semicolons or new
    /// lines, any case); the first unknown name is the error.
    pub fn resolve(&self, kind: TagKind, raw: &str) -> Result<Vec<i64>, String> {
        let mut ids = Vec::new();
        for name in split(raw) {
            match self.ids.get(&(kind, name.to_lowercase())) {
                Some(id) if !ids.contains(id) => ids.push(*id),
                Some(_) => {}
                None => return Err(name.to_owned()),
            }
        }
        Ok(ids)
    }

    /// Takes in the names `items` hold that the lists lack (an import
    /// adds them, saying so in its preview), each under a provisional id;
    /// returns them, in the order met. Names that could not be kept (too
    /// long) stay unknown, for the row's check to answer.
    pub fn learn<'a>(
        &mut self,
        items: impl IntoIterator<Item = (TagKind, &'a str)>,
    ) -> Vec<(TagKind, String)> {
        let mut learned = Vec::new();
        for (kind, raw) in items {
            for name in split(raw) {
                let key = (kind, name.to_lowercase());
                if self.ids.contains_key(&key) || check_list(name).is_err() {
                    continue;
                }
                let provisional = -i64::try_from(self.ids.len() + 1).unwrap_or(i64::MAX);
                self.ids.insert(key, provisional);
                learned.push((kind, name.to_owned()));
            }
        }
        learned
    }

    /// The names of one kind, as the hint beside a field lists them.
    pub fn names(&self, kind: TagKind) -> String {
        match kind {
            TagKind::Pillar => self.pillars.join("; "),
            TagKind::Plan => self.plans.join("; "),
        }
    }
}

/// The tag filters of the grid and of the dashboard's lists, as their
/// query strings give them: one place says what they keep.
#[derive(Debug, Default, Deserialize)]
pub struct TagFilter {
    /// A pillar's name, any case.
    #[serde(default)]
    pub pillar: String,
    /// Another national plan's name, any case.
    #[serde(default)]
    pub plan: String,
    /// "yes": flagged activities only.
    #[serde(default)]
    pub flagged: String,
    /// An SDG target or ILO instrument, by code ("8.7", "C29").
    #[serde(default)]
    pub align: String,
}

impl TagFilter {
    /// Whether any of the filters is chosen.
    pub fn is_set(&self) -> bool {
        !self.pillar.trim().is_empty()
            || !self.plan.trim().is_empty()
            || self.flagged()
            || !self.align.trim().is_empty()
    }

    pub fn flagged(&self) -> bool {
        self.flagged == "yes"
    }

    /// The chosen SDG target or ILO instrument in the list's spelling;
    /// empty when none is chosen.
    pub fn align_code(&self) -> String {
        if self.align.trim().is_empty() {
            String::new()
        } else {
            super::alignment::normalize(&self.align)
        }
    }

    /// Whether an activity passes: its `pillars` (its own and its
    /// objective's), its linked `plans`, whether it is flagged, and the
    /// codes it serves (`aligns`, its own and those it inherits).
    pub fn keeps<'a>(
        &self,
        mut pillars: impl Iterator<Item = &'a String>,
        mut plans: impl Iterator<Item = &'a String>,
        flagged: bool,
        aligns: &[String],
    ) -> bool {
        let align = self.align_code();
        let (pillar, plan) = (
            self.pillar.trim().to_lowercase(),
            self.plan.trim().to_lowercase(),
        );
        (pillar.is_empty() || pillars.any(|n| n.to_lowercase() == pillar))
            && (plan.is_empty() || plans.any(|n| n.to_lowercase() == plan))
            && (!self.flagged() || flagged)
            && (align.is_empty() || aligns.iter().any(|c| c.eq_ignore_ascii_case(&align)))
    }

    /// The chosen filters as query-string pairs.
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            ("pillar", &self.pillar),
            ("plan", &self.plan),
            ("flagged", &self.flagged),
            ("align", &self.align),
        ]
    }
}

/// Names separated by semicolons or new lines, trimmed, without blanks.
pub fn split(raw: &str) -> impl Iterator<Item = &str> {
    raw.split([';', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

/// A list as typed, checked: names without control characters, each once
/// (whatever the case), not too long, not too many.
fn check_list(raw: &str) -> Result<Vec<String>, (&'static str, String)> {
    let mut names: Vec<String> = Vec::new();
    for name in split(raw) {
        if name.chars().count() > NAME_CHARS || name.chars().any(char::is_control) {
            return Err(("tags.name_invalid", name.to_owned()));
        }
        if !names
            .iter()
            .any(|n| n.to_lowercase() == name.to_lowercase())
        {
            names.push(name.to_owned());
        }
    }
    if names.len() > MAX_TAGS {
        return Err(("tags.too_many", MAX_TAGS.to_string()));
    }
    Ok(names)
}

#[derive(Debug, Default, Deserialize)]
pub struct TagsForm {
    #[serde(default)]
    pub pillars: String,
    #[serde(default)]
    pub plans: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan/tags.html")]
struct TagsPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    form: TagsForm,
    errors: FieldErrors,
}

async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<TagsPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let lists = TagLists::load(ctx.conn(), id).await?;
    Ok(TagsPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        form: TagsForm {
            pillars: lists.pillars.join("\n"),
            plans: lists.plans.join("\n"),
        },
        errors: FieldErrors::default(),
    })
}

async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<TagsForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let mut errors = FieldErrors::default();
    let mut checked = |field: &'static str, raw: &str| match check_list(raw) {
        Ok(names) => names,
        Err((key, value)) => {
            errors.add_with(field, key, &value);
            Vec::new()
        }
    };
    let pillars = checked("pillars", &form.pillars);
    let plans = checked("plans", &form.plans);
    if !errors.is_empty() {
        let page = TagsPage {
            page: page.in_tenant(&ctx),
            slug: ctx.tenant.slug.clone(),
            nap,
            form,
            errors,
        };
        return Ok(invalid(page));
    }
    editor
        .set_tag_list(ctx.conn(), nap.id, TagKind::Pillar, &pillars)
        .await?;
    editor
        .set_tag_list(ctx.conn(), nap.id, TagKind::Plan, &plans)
        .await?;
    let ctx = ctx.commit().await?;
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::nap(&ctx.tenant.slug, id),
        crate::choices::Notice::Saved,
    ))
    .into_response())
}

/// The tags' writes, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// Adds `names` at the end of the NAP's lists (those already there,
    /// whatever the case, stay as they are).
    pub async fn add_tags(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        names: &[(TagKind, String)],
    ) -> AppResult<()> {
        let kinds: Vec<&str> = names.iter().map(|(k, _)| k.as_str()).collect();
        let names: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
        sqlx::query!(
            "insert into nap_tags (tenant_id, nap_id, kind, name, position)
             select $1, $2, n.kind, n.name,
                    n.i + coalesce((select max(position) from nap_tags where tenant_id = $1 and nap_id = $2), 0)
             from unnest($3::text[], $4::text[]) with ordinality as n(kind, name, i)
             on conflict do nothing",
            self.tenant_id(),
            nap,
            &kinds as &[&str],
            &names as &[&str]
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Makes the NAP's list of `kind` the names given, in their order:
    /// names kept keep their taggings (a change of case renames), names
    /// gone take theirs with them.
    pub async fn set_tag_list(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        kind: TagKind,
        names: &[String],
    ) -> AppResult<()> {
        let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        let positions: Vec<i32> = (0..names.len())
            .map(|i| i32::try_from(i).unwrap_or(i32::MAX))
            .collect();
        sqlx::query!(
            "delete from nap_tags where tenant_id = $1 and nap_id = $2 and kind = $3
             and not (lower(name) = any($4))",
            self.tenant_id(),
            nap,
            kind.as_str(),
            &lower
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into nap_tags as t (tenant_id, nap_id, kind, name, position)
             select $1, $2, $3, n.name, n.position from unnest($4::text[], $5::int[]) as n(name, position)
             on conflict (tenant_id, nap_id, kind, lower(name))
             do update set name = excluded.name, position = excluded.position
             where (t.name, t.position) is distinct from (excluded.name, excluded.position)",
            self.tenant_id(),
            nap,
            kind.as_str(),
            names,
            &positions
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_once_per_name_whatever_the_case() {
        assert_eq!(
            check_list("Prevention\n protection ;Protection\n\nPartnership").unwrap(),
            ["Prevention", "protection", "Partnership"]
        );
        assert_eq!(
            check_list(&"x".repeat(201)).unwrap_err().0,
            "tags.name_invalid"
        );
        let many: String = (0..41).map(|i| format!("P{i};")).collect();
        assert_eq!(check_list(&many).unwrap_err().0, "tags.too_many");
    }
}
