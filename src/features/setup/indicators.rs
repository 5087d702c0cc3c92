//! A NAP's indicators file: one row per indicator, matched by its name
//! within the NAP; what it measures by the objective's or outcome's code
//! (blank for the plan as a whole), who answers for it by a partner's name
//! or a committee's. Each row is checked by the indicator form's check.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::table::{Analysis, Change, Row, choice_code};
use crate::authz::PlanEditor;
use crate::error::AppResult;
use crate::features::plan::model::Nap;
use crate::features::progress::indicators::{
    self, Indicator, IndicatorForm, IndicatorInput, Place,
};
use crate::i18n;

pub const COLUMNS: &[&str] = &[
    "measures",
    "indicator",
    "unit",
    "kind",
    "baseline",
    "target",
    "responsible",
    "committee",
];

const KINDS: [(&str, &str); 2] = [
    ("number", "indicator.kind_number"),
    ("text", "indicator.kind_text"),
];

fn kind_label(qualitative: bool) -> String {
    i18n::t(KINDS[usize::from(qualitative)].1).into_owned()
}

/// An indicator as the export writes it.
fn stored_cells(i: &Indicator) -> Vec<String> {
    vec![
        i.code.clone(),
        i.name.clone(),
        i.unit.clone(),
        kind_label(i.qualitative),
        i.baseline.clone(),
        i.target.clone(),
        i.responsible_acronym.clone().unwrap_or_default(),
        i.committee_name.clone().unwrap_or_default(),
    ]
}

/// Every indicator of the NAP, one row each.
pub async fn export(conn: &mut PgConnection, nap: &Nap) -> AppResult<Vec<Vec<String>>> {
    Ok(indicators::load(conn, nap.id)
        .await?
        .iter()
        .map(stored_cells)
        .collect())
}

/// What the NAP's indicators can name: codes, partners, committees.
struct Names {
    /// Outcome and objective codes → the form's place ("outcome:1.1").
    places: HashMap<String, String>,
    /// ("objective" or "outcome", id) → its code.
    codes: HashMap<(String, i64), String>,
    acronyms: HashMap<i64, String>,
    /// Committee name (lower case) → (id, name).
    committees: HashMap<String, (i64, String)>,
}

impl Names {
    async fn load(conn: &mut PgConnection, nap: &Nap) -> AppResult<Self> {
        let mut places = HashMap::new();
        let mut codes = HashMap::new();
        // Objectives first, so that an outcome's code wins a tie.
        for r in sqlx::query!(
            r#"select 'objective' as "kind!", id as "id!", code as "code!" from objectives where nap_id = $1
               union all select 'outcome', id, code from outcomes where nap_id = $1
               order by 1"#,
            nap.id
        )
        .fetch_all(&mut *conn)
        .await?
        {
            places.insert(r.code.clone(), format!("{}:{}", r.kind, r.code));
            codes.insert((r.kind, r.id), r.code);
        }
        let acronyms = sqlx::query!("select id, acronym from partners")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p.acronym))
            .collect();
        let committees = sqlx::query!("select id, name from committees")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|c| (c.name.to_lowercase(), (c.id, c.name)))
            .collect();
        Ok(Self {
            places,
            codes,
            acronyms,
            committees,
        })
    }

    /// A checked indicator as the export writes it.
    fn cells(&self, i: &IndicatorInput) -> Vec<String> {
        let place = match i.place {
            Place::Nap => None,
            Place::Objective(id) => Some(("objective".to_owned(), id)),
            Place::Outcome(id) => Some(("outcome".to_owned(), id)),
        };
        let code = place
            .and_then(|p| self.codes.get(&p).cloned())
            .unwrap_or_default();
        let committee = i.committee.and_then(|id| {
            self.committees
                .values()
                .find(|(c, _)| *c == id)
                .map(|(_, name)| name.clone())
        });
        vec![
            code,
            i.name.clone(),
            i.unit.clone(),
            kind_label(i.qualitative),
            i.baseline.clone(),
            i.target.clone(),
            i.responsible
                .and_then(|id| self.acronyms.get(&id).cloned())
                .unwrap_or_default(),
            committee.unwrap_or_default(),
        ]
    }

    /// The form's place for a "measures" cell: blank (or "the whole plan"
    /// in any language) is the NAP; `None` when no code matches.
    fn place(&self, raw: &str) -> Option<String> {
        let whole = i18n::SUPPORTED.iter().any(|(lang, _)| {
            i18n::translate(lang, "indicator.whole_plan").to_lowercase() == raw.to_lowercase()
        });
        if raw.is_empty() || whole {
            return Some("nap".to_owned());
        }
        self.places.get(raw).cloned()
    }
}

/// The column of a form field.
fn column_of(field: &str) -> &'static str {
    match field {
        "place" => "measures",
        "name" => "indicator",
        "unit" => "unit",
        "kind" => "kind",
        "baseline" => "baseline",
        "target" => "target",
        "responsible" => "responsible",
        _ => "committee",
    }
}

/// What a checked file writes: each new or changed indicator.
pub type Writes = Vec<(Option<i64>, IndicatorInput)>;

/// Checks every row, as the indicator form would, and against the others.
pub async fn analyse(
    conn: &mut PgConnection,
    nap: &Nap,
    rows: &[Row],
) -> AppResult<(Analysis, Writes)> {
    let stored = indicators::load(conn, nap.id).await?;
    let names = Names::load(conn, nap).await?;
    let mut a = Analysis::default();
    let mut writes = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let name = row.get(COLUMNS, "indicator").to_lowercase();
        if let Some(first) = seen.get(&name) {
            a.problem(
                row.line,
                "indicator",
                "setup.indicators.twice",
                &first.to_string(),
            );
            continue;
        }
        seen.insert(name.clone(), row.line);
        let found = stored.iter().find(|i| i.name.to_lowercase() == name);
        let measures = row.get(COLUMNS, "measures");
        let Some(place) = names.place(measures) else {
            a.problem(
                row.line,
                "measures",
                "setup.indicators.measures_unknown",
                measures,
            );
            continue;
        };
        let committee = match row.get(COLUMNS, "committee") {
            "" => String::new(),
            written => match names.committees.get(&written.to_lowercase()) {
                Some((id, _)) => id.to_string(),
                None => {
                    a.problem(
                        row.line,
                        "committee",
                        "setup.indicators.committee_unknown",
                        written,
                    );
                    continue;
                }
            },
        };
        let form = IndicatorForm {
            place,
            name: row.get(COLUMNS, "indicator").to_owned(),
            unit: row.get(COLUMNS, "unit").to_owned(),
            kind: choice_code(row.get(COLUMNS, "kind"), KINDS.into_iter()),
            baseline: row.get(COLUMNS, "baseline").to_owned(),
            target: row.get(COLUMNS, "target").to_owned(),
            responsible: row.get(COLUMNS, "responsible").to_owned(),
            committee,
        };
        let input = match indicators::check(conn, nap, &form, found).await? {
            Ok(input) => input,
            Err(errors) => {
                a.form_errors(row, COLUMNS, &errors, column_of);
                continue;
            }
        };
        let old = found.map(stored_cells);
        let change = Change::of(
            "setup.what.indicator",
            &input.name,
            COLUMNS,
            old.as_deref(),
            &names.cells(&input),
        );
        if change.changes() {
            writes.push((found.map(|i| i.id), input));
        }
        a.changes.push(change);
    }
    Ok((a, writes))
}

/// Writes the checked indicators through the form's own writes.
pub async fn write(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    writes: &Writes,
) -> AppResult<()> {
    for (id, input) in writes {
        match id {
            Some(id) => editor.save_indicator(conn, nap.id, *id, input).await?,
            None => {
                editor.add_indicator(conn, nap.id, input).await?;
            }
        }
    }
    Ok(())
}
