//! Alignment with the Sustainable Development Goals and ILO standards: the
//! shared reference list (SDG targets such as 8.7, ILO instruments such as
//! C29 and its Protocol P29), and the tags a NAP, objective, outcome or
//! activity carries. An activity serves what it is tagged with and what its
//! outcome, objective and NAP are (the `activity_alignment` view).

use sqlx::PgConnection;

use crate::authz::PlanEditor;
use crate::error::AppResult;
use crate::i18n;

/// One entry of the reference list, its title in the reader's language.
#[derive(Debug, Clone)]
pub struct Reference {
    /// "8.7" for an SDG target, "C29" for an ILO instrument.
    pub code: String,
    pub sdg: bool,
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

/// The whole reference list, in its order (SDG targets, then ILO
/// instruments).
#[derive(Debug, Clone, Default)]
pub struct References {
    pub all: Vec<Reference>,
}

impl References {
    pub async fn load(conn: &mut PgConnection) -> AppResult<Self> {
        let rows = sqlx::query!(
            "select code, kind, title_en, title_fr, title_es from alignment_refs order by position"
        )
        .fetch_all(conn)
        .await?;
        let lang = i18n::current();
        let all = rows
            .into_iter()
            .map(|r| Reference {
                sdg: r.kind == "sdg",
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
        match self.resolve(raw) {
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
        let entry = |code: &str, sdg| Reference {
            code: code.to_owned(),
            sdg,
            title: String::new(),
        };
        References {
            all: vec![
                entry("8.7", true),
                entry("16.2", true),
                entry("C29", false),
                entry("P29", false),
            ],
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
