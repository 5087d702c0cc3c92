//! The partners file: one row per partner, matched by acronym (or, when
//! the acronym is new, by name: a partner whose acronym changes), checked
//! by the partner form's own check and written by its own write.

use std::collections::HashMap;

use sqlx::PgConnection;
use sqlx::types::Json;

use super::table::{Analysis, Change, Row, choice_code};
use crate::authz::PlanEditor;
use crate::choices::{Constituency, Level, PartnerKind, Portfolio};
use crate::error::AppResult;
use crate::features::partners::{self, PartnerForm, PartnerInput, aliases};
use crate::i18n::{self, Translations};

pub const COLUMNS: &[&str] = &[
    "acronym",
    "name",
    "other_names",
    "kind",
    "portfolio",
    "portfolio_name",
    "level",
    "constituency",
];

/// A partner as stored.
struct Stored {
    id: i64,
    partner: PartnerInput,
}

async fn stored(conn: &mut PgConnection) -> AppResult<Vec<Stored>> {
    let mut names = aliases::all(conn).await?;
    Ok(sqlx::query!(
        r#"select id, acronym, name, kind, portfolio, portfolio_name, level, constituency,
                  translations as "translations: Json<Translations>"
           from partners order by lower(acronym)"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| Stored {
        id: r.id,
        partner: PartnerInput {
            acronym: r.acronym,
            name: r.name,
            kind: PartnerKind::parse(&r.kind).unwrap_or(PartnerKind::Other),
            portfolio: r.portfolio.as_deref().and_then(Portfolio::parse),
            portfolio_name: r.portfolio_name,
            level: Level::parse(&r.level).unwrap_or(Level::National),
            constituency: Constituency::parse(&r.constituency).unwrap_or(Constituency::Other),
            translations: r.translations.0,
            aliases: names.remove(&r.id).unwrap_or_default(),
        },
    })
    .collect())
}

/// A partner as the export writes it: choices by their labels in the
/// current language, other names between semicolons in the order they sort.
fn cells(p: &PartnerInput) -> Vec<String> {
    let label = |key: &str| i18n::t(key).into_owned();
    let mut aliases = p.aliases.clone();
    aliases.sort_by_key(|a| a.to_lowercase());
    vec![
        p.acronym.clone(),
        p.name.clone(),
        aliases.join("; "),
        label(p.kind.label_key()),
        p.portfolio
            .map(|p| label(p.label_key()))
            .unwrap_or_default(),
        p.portfolio_name.clone(),
        label(p.level.label_key()),
        label(p.constituency.label_key()),
    ]
}

/// Every partner, one row each.
pub async fn export(conn: &mut PgConnection) -> AppResult<Vec<Vec<String>>> {
    Ok(stored(conn)
        .await?
        .iter()
        .map(|s| cells(&s.partner))
        .collect())
}

/// The partner form a row fills in; the names in other languages are the
/// stored partner's (the file does not carry them).
fn form_of(row: &Row, stored: Option<&PartnerInput>) -> PartnerForm {
    let cell = |column| row.get(COLUMNS, column).to_owned();
    let name_in = |lang| {
        stored
            .and_then(|s| s.translations.get(lang, "name"))
            .unwrap_or_default()
            .to_owned()
    };
    PartnerForm {
        acronym: cell("acronym"),
        name: cell("name"),
        other_names: cell("other_names"),
        kind: choice_code(
            row.get(COLUMNS, "kind"),
            PartnerKind::ALL.iter().map(|k| (k.as_str(), k.label_key())),
        ),
        portfolio: choice_code(
            row.get(COLUMNS, "portfolio"),
            Portfolio::ALL.iter().map(|p| (p.as_str(), p.label_key())),
        ),
        portfolio_name: cell("portfolio_name"),
        level: choice_code(
            row.get(COLUMNS, "level"),
            Level::ALL.iter().map(|l| (l.as_str(), l.label_key())),
        ),
        constituency: choice_code(
            row.get(COLUMNS, "constituency"),
            Constituency::ALL
                .iter()
                .map(|c| (c.as_str(), c.label_key())),
        ),
        name_en: name_in("en"),
        name_fr: name_in("fr"),
        name_es: name_in("es"),
    }
}

/// The column of a form field (the names in other languages are the name's).
fn column_of(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|c| **c == field)
        .copied()
        .unwrap_or("name")
}

/// What a checked file writes: each changed partner (its id when it
/// exists) as the form's check gave it.
pub type Writes = Vec<(Option<i64>, PartnerInput)>;

/// Checks every row, as the partner form would, and against the others.
pub async fn analyse(
    conn: &mut PgConnection,
    own: &str,
    rows: &[Row],
) -> AppResult<(Analysis, Writes)> {
    let stored = stored(conn).await?;
    let by_acronym: HashMap<String, &Stored> = stored
        .iter()
        .map(|s| (s.partner.acronym.to_lowercase(), s))
        .collect();
    let mut by_name: HashMap<String, Vec<&Stored>> = HashMap::new();
    for s in &stored {
        by_name
            .entry(s.partner.name.to_lowercase())
            .or_default()
            .push(s);
    }
    let mut a = Analysis::default();
    let mut writes = Vec::new();
    // Every name the file gives a partner (lower case) → its row.
    let mut named: HashMap<String, usize> = HashMap::new();
    // Partners a row already changes: another row cannot take them by name.
    let mut matched: Vec<i64> = Vec::new();
    for row in rows {
        let acronym = row.get(COLUMNS, "acronym").to_lowercase();
        let found = by_acronym.get(&acronym).copied().or_else(|| {
            match by_name.get(&row.get(COLUMNS, "name").to_lowercase()) {
                Some(one) if one.len() == 1 && !matched.contains(&one[0].id) => Some(one[0]),
                _ => None,
            }
        });
        let form = form_of(row, found.map(|s| &s.partner));
        let input = match partners::check(conn, found.map(|s| s.id), &form, own).await? {
            Err(errors) => {
                a.form_errors(row, COLUMNS, &errors, column_of);
                continue;
            }
            Ok(input) => input,
        };
        let names = std::iter::once(&input.acronym).chain(&input.aliases);
        if let Some((name, first)) = names
            .map(|n| n.to_lowercase())
            .find_map(|n| named.get(&n).map(|first| (n.clone(), *first)))
        {
            let column = if name == acronym {
                "acronym"
            } else {
                "other_names"
            };
            a.problem(row.line, column, "setup.named_on_row", &first.to_string());
            continue;
        }
        for n in std::iter::once(&input.acronym).chain(&input.aliases) {
            named.insert(n.to_lowercase(), row.line);
        }
        matched.extend(found.map(|s| s.id));
        let old = found.map(|s| cells(&s.partner));
        let change = Change::of(
            "setup.what.partner",
            &input.acronym,
            COLUMNS,
            old.as_deref(),
            &cells(&input),
        );
        if change.changes() {
            writes.push((found.map(|s| s.id), input));
        }
        a.changes.push(change);
    }
    Ok((a, writes))
}

/// Writes the checked partners through the form's own write.
pub async fn write(editor: &PlanEditor, conn: &mut PgConnection, writes: &Writes) -> AppResult<()> {
    for (id, partner) in writes {
        editor
            .save_partner(conn, *id, partner)
            .await?
            .ok_or_else(|| anyhow::anyhow!("a partner went between check and write"))?;
    }
    Ok(())
}
