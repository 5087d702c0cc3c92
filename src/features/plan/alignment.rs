//! Alignment with the Sustainable Development Goals and ILO standards: the
//! shared reference list (SDG targets such as 8.7, ILO instruments such as
//! C29 and its Protocol P29), and the tags a NAP, objective, outcome or
//! activity carries. An activity serves what it is tagged with and what its
//! outcome, objective and NAP are ([`NapTags`] for pages of many parts,
//! [`standings`] for the counts, `activity_serves` in SQL for search).

use std::collections::HashMap;

use sqlx::PgConnection;

use crate::authz::PlanEditor;
use crate::error::AppResult;
use crate::i18n;

/// One entry of the reference list, its title in the reader's language.
#[derive(Debug, Clone)]
pub struct Reference {
    /// "8.7" for an SDG target, "C29" for an ILO instrument.
    pub code: String,
    pub title: String,
}

impl Reference {
    /// "SDG 8.7" (in the reader's language) or "C29".
    pub fn label(&self) -> String {
        label(&self.code)
    }
}

/// A code as people read it: an SDG target with its prefix ("SDG 8.7",
/// "ODD 8.7"), an ILO instrument as it is ("C182").
pub fn label(code: &str) -> String {
    if code.starts_with(|c: char| c.is_ascii_digit()) {
        i18n::t_with("alignment.sdg_label", "code", code)
    } else {
        code.to_owned()
    }
}

/// Codes as a field or a cell writes them: "SDG 8.7, C29".
pub fn labels(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| label(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A code as typed, in the list's spelling: "sdg 8.7" and "ODD 8.7" are
/// "8.7", "c 029" is "C29".
pub fn normalize(token: &str) -> String {
    let squeezed: String = token
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let code = ["SDG", "ODD", "ODS"]
        .iter()
        .find_map(|p| squeezed.strip_prefix(p))
        .unwrap_or(&squeezed);
    match code.split_at_checked(1) {
        Some((letter @ ("C" | "P" | "R"), number))
            if number.chars().all(|c| c.is_ascii_digit()) =>
        {
            let number = number.trim_start_matches('0');
            format!("{letter}{number}")
        }
        _ => code.to_owned(),
    }
}

/// The codes some part of NAP `nap` (of any of the tenant's NAPs when
/// none) is tagged with, in the list's order: what a filter offers.
pub async fn used(conn: &mut PgConnection, nap: Option<i64>) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar!(
        "select r.code from alignment_refs r
         where exists (select 1 from alignment_tags t
                       where t.ref_code = r.code and ($1::bigint is null or t.nap_id = $1))
         order by r.position",
        nap
    )
    .fetch_all(conn)
    .await?)
}

/// The whole reference list, in its order (SDG targets, then ILO
/// instruments).
#[derive(Debug, Clone, Default)]
pub struct References {
    pub all: Vec<Reference>,
}

impl References {
    pub async fn load(conn: &mut PgConnection) -> AppResult<Self> {
        let rows = sqlx::query!(
            "select code, title_en, title_fr, title_es from alignment_refs order by position"
        )
        .fetch_all(conn)
        .await?;
        let lang = i18n::current();
        let all = rows
            .into_iter()
            .map(|r| Reference {
                title: match lang {
                    "fr" => r.title_fr,
                    "es" => r.title_es,
                    _ => r.title_en,
                },
                code: r.code,
            })
            .collect();
        Ok(Self { all })
    }

    pub fn get(&self, code: &str) -> Option<&Reference> {
        self.all.iter().find(|r| r.code == code)
    }

    /// The codes `raw` names (separated by commas, semicolons or new
    /// lines), each once, in the list's order; the first unknown one, as
    /// typed, is the error.
    pub fn resolve(&self, raw: &str) -> Result<Vec<String>, String> {
        let mut found = Vec::new();
        for token in raw.split([',', ';', '\n']).map(str::trim) {
            if token.is_empty() {
                continue;
            }
            let code = normalize(token);
            match self
                .all
                .iter()
                .position(|r| r.code.eq_ignore_ascii_case(&code))
            {
                Some(i) => found.push(i),
                None => return Err(token.to_owned()),
            }
        }
        found.sort_unstable();
        found.dedup();
        Ok(found
            .into_iter()
            .map(|i| self.all[i].code.clone())
            .collect())
    }

    /// Checks an alignment field into `errors`; its codes when it passes.
    pub fn check(
        &self,
        errors: &mut crate::http::form::FieldErrors,
        field: &'static str,
        raw: &str,
    ) -> Option<Vec<String>> {
        // Room for every code of the list, spelt out.
        let raw = crate::http::form::check(errors, field, crate::http::form::optional(raw, 1000))?;
        match self.resolve(&raw) {
            Ok(codes) => Some(codes),
            Err(unknown) => {
                errors.add_with(field, "alignment.unknown", &unknown);
                None
            }
        }
    }
}

/// A part of the plan and the references it is tagged with, as the NAP's
/// pages list them.
pub struct Aligned {
    /// "objective" or "outcome" with its code and title; none for the
    /// plan as a whole.
    pub part: Option<(&'static str, String)>,
    pub refs: Vec<Reference>,
}

impl Aligned {
    /// The part in words: "Objective 1 Prevention", or "The whole plan".
    pub fn heading(&self) -> String {
        match &self.part {
            Some((kind, name)) => format!("{} {name}", i18n::t(&format!("alignment.part.{kind}"))),
            None => i18n::t("alignment.whole").into_owned(),
        }
    }
}

/// The plan as a whole (`nap`, its codes), then its objectives and
/// outcomes, each with the references it is tagged with; parts without
/// any are left out.
pub fn aligned_parts(
    refs: &References,
    nap: &[String],
    tree: &[super::model::ObjectiveNode],
) -> Vec<Aligned> {
    let resolve = |codes: &[String]| -> Vec<Reference> {
        codes.iter().filter_map(|c| refs.get(c).cloned()).collect()
    };
    let mut parts = vec![Aligned {
        part: None,
        refs: resolve(nap),
    }];
    for o in tree {
        parts.push(Aligned {
            part: Some(("objective", format!("{} {}", o.code, o.title))),
            refs: resolve(&o.aligns),
        });
        for oc in &o.outcomes {
            parts.push(Aligned {
                part: Some(("outcome", format!("{} {}", oc.code, oc.title))),
                refs: resolve(&oc.aligns),
            });
        }
    }
    parts.retain(|p| !p.refs.is_empty());
    parts
}

/// The part of a plan a tag is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Nap,
    Objective(i64),
    Outcome(i64),
    Activity(i64),
}

impl Part {
    /// Its objective, outcome and activity columns (all null for the NAP).
    fn columns(self) -> (Option<i64>, Option<i64>, Option<i64>) {
        match self {
            Part::Nap => (None, None, None),
            Part::Objective(id) => (Some(id), None, None),
            Part::Outcome(id) => (None, Some(id), None),
            Part::Activity(id) => (None, None, Some(id)),
        }
    }
}

/// The codes the part of NAP `nap` is tagged with, in the list's order.
pub async fn codes_of(conn: &mut PgConnection, nap: i64, part: Part) -> AppResult<Vec<String>> {
    let (objective, outcome, activity) = part.columns();
    Ok(sqlx::query_scalar!(
        "select t.ref_code from alignment_tags t join alignment_refs r on r.code = t.ref_code
         where t.nap_id = $1 and t.objective_id is not distinct from $2
           and t.outcome_id is not distinct from $3 and t.activity_id is not distinct from $4
         order by r.position",
        nap,
        objective,
        outcome,
        activity
    )
    .fetch_all(conn)
    .await?)
}

/// A NAP's tags, read in one statement, for pages that show many of its
/// parts: what each activity serves is its own and what its outcome,
/// objective and NAP serve, put together here rather than row by row.
#[derive(Debug, Default)]
pub struct NapTags {
    nap: Vec<String>,
    objectives: HashMap<i64, Vec<String>>,
    outcomes: HashMap<i64, Vec<String>>,
    activities: HashMap<i64, Vec<String>>,
    /// Each code's place in the reference list.
    order: HashMap<String, i32>,
}

impl NapTags {
    /// The tags of NAP `nap` and its objectives and outcomes, and of the
    /// activities `activities` (every activity's when none are named).
    pub async fn load(
        conn: &mut PgConnection,
        nap: i64,
        activities: Option<&[i64]>,
    ) -> AppResult<Self> {
        let rows = sqlx::query!(
            "select t.objective_id, t.outcome_id, t.activity_id, t.ref_code, r.position
             from alignment_tags t join alignment_refs r on r.code = t.ref_code
             where t.nap_id = $1 and ($2 or t.activity_id is null or t.activity_id = any($3))
             order by r.position",
            nap,
            activities.is_none(),
            activities.unwrap_or_default()
        )
        .fetch_all(conn)
        .await?;
        let mut tags = Self::default();
        for r in rows {
            tags.order.insert(r.ref_code.clone(), r.position);
            let list = match (r.objective_id, r.outcome_id, r.activity_id) {
                (Some(id), _, _) => tags.objectives.entry(id).or_default(),
                (_, Some(id), _) => tags.outcomes.entry(id).or_default(),
                (_, _, Some(id)) => tags.activities.entry(id).or_default(),
                _ => &mut tags.nap,
            };
            list.push(r.ref_code);
        }
        Ok(tags)
    }

    pub fn of_objective(&self, id: i64) -> Vec<String> {
        self.objectives.get(&id).cloned().unwrap_or_default()
    }

    pub fn of_outcome(&self, id: i64) -> Vec<String> {
        self.outcomes.get(&id).cloned().unwrap_or_default()
    }

    /// What an activity serves: its own tags and those of its outcome,
    /// objective and NAP, each once, in the reference list's order.
    pub fn served_by(&self, objective: i64, outcome: i64, activity: i64) -> Vec<String> {
        let mut codes: Vec<String> = [
            self.activities.get(&activity),
            self.outcomes.get(&outcome),
            self.objectives.get(&objective),
            Some(&self.nap),
        ]
        .into_iter()
        .flatten()
        .flatten()
        .cloned()
        .collect();
        codes.sort_by_key(|c| self.order.get(c).copied().unwrap_or(i32::MAX));
        codes.dedup();
        codes
    }
}

/// How the activities serving one reference stand.
#[derive(Debug, Default, Clone)]
pub struct Standing {
    pub activities: i64,
    pub completed: i64,
    /// With a target whose quarter has passed unmet.
    pub behind: i64,
    /// Their mean reported progress, in per cent (0 without activities).
    pub progress: i64,
}

/// For each reference a part of NAP `nap` serves, in the list's order,
/// how the activities serving it stand (`today` decides what is behind).
/// The NAP's activities are read once, summed by outcome: a reference
/// serves whole outcomes (tagged themselves, by their objective or by the
/// NAP) and a few activities tagged on their own, so nothing is counted
/// row by row or twice.
pub async fn standings(
    conn: &mut PgConnection,
    nap: i64,
    today: i32,
) -> AppResult<Vec<(String, Standing)>> {
    let rows = sqlx::query!(
        r#"with tags as (
               select objective_id, outcome_id, activity_id, ref_code from alignment_tags where nap_id = $1),
           -- The outcomes whose every activity serves the reference.
           covered as (
               select ref_code, outcome_id from tags where outcome_id is not null
               union
               select t.ref_code, oc.id from tags t join outcomes oc on oc.objective_id = t.objective_id
               where t.objective_id is not null
               union
               select t.ref_code, oc.id from tags t join outcomes oc on oc.nap_id = $1
               where t.objective_id is null and t.outcome_id is null and t.activity_id is null),
           per_outcome as (
               select a.outcome_id, count(*) as activities,
                      count(*) filter (where a.status = 'completed') as completed,
                      count(f.activity_id) as behind, sum(a.progress) as progress
               from activities a
               left join open_targets f on f.tenant_id = a.tenant_id and f.activity_id = a.id
                                       and f.first_quarter < $2
               where a.nap_id = $1
               group by a.outcome_id),
           -- Activities tagged themselves, outside the outcomes counted whole.
           own as (
               select t.ref_code, a.id, a.status, a.progress
               from tags t join activities a on a.id = t.activity_id
               where not exists (select 1 from covered c
                                 where c.ref_code = t.ref_code and c.outcome_id = a.outcome_id)),
           counts as (
               select c.ref_code, sum(p.activities) as activities, sum(p.completed) as completed,
                      sum(p.behind) as behind, sum(p.progress) as progress
               from covered c join per_outcome p on p.outcome_id = c.outcome_id
               group by c.ref_code
               union all
               select o.ref_code, count(*), count(*) filter (where o.status = 'completed'),
                      count(*) filter (where exists (select 1 from open_targets f
                                                     where f.activity_id = o.id and f.first_quarter < $2)),
                      sum(o.progress)
               from own o group by o.ref_code)
           select n.ref_code as "code!", sum(n.activities)::bigint as "activities!",
                  sum(n.completed)::bigint as "completed!", sum(n.behind)::bigint as "behind!",
                  sum(n.progress)::bigint as "progress!"
           from counts n join alignment_refs r on r.code = n.ref_code
           group by n.ref_code, r.position
           order by r.position"#,
        nap,
        today
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let progress = if r.activities > 0 {
                (r.progress as f64 / r.activities as f64).round() as i64
            } else {
                0
            };
            let standing = Standing {
                activities: r.activities,
                completed: r.completed,
                behind: r.behind,
                progress,
            };
            (r.code, standing)
        })
        .collect())
}

/// The tags' writes, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// Makes the part's tags `codes` (known codes, as [`References::resolve`]
    /// gives them): others go, new ones come, those kept stay untouched.
    pub async fn set_alignment(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        part: Part,
        codes: &[String],
    ) -> AppResult<()> {
        let (objective, outcome, activity) = part.columns();
        sqlx::query!(
            "delete from alignment_tags
             where tenant_id = $1 and nap_id = $2 and objective_id is not distinct from $3
               and outcome_id is not distinct from $4 and activity_id is not distinct from $5
               and not (ref_code = any($6))",
            self.tenant_id(),
            nap,
            objective,
            outcome,
            activity,
            codes
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into alignment_tags (tenant_id, nap_id, objective_id, outcome_id, activity_id, ref_code)
             select $1, $2, $3, $4, $5, c from unnest($6::text[]) as c
             on conflict do nothing",
            self.tenant_id(),
            nap,
            objective,
            outcome,
            activity,
            codes
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> References {
        let entry = |code: &str| Reference {
            code: code.to_owned(),
            title: String::new(),
        };
        References {
            all: vec![entry("8.7"), entry("16.2"), entry("C29"), entry("P29")],
        }
    }

    #[test]
    fn codes_are_read_in_any_spelling_once_each_in_the_list_order() {
        assert_eq!(
            list()
                .resolve("p29; SDG 8.7,\n c 029, ODD 8.7, ods16.2")
                .unwrap(),
            ["8.7", "16.2", "C29", "P29"]
        );
        assert_eq!(list().resolve("  ").unwrap(), Vec::<String>::new());
        assert_eq!(list().resolve("8.7, C999").unwrap_err(), "C999");
        assert_eq!(list().resolve("8.77").unwrap_err(), "8.77");
    }
}
