//! A partner's other names and acronyms: a ministry known by its Malay and
//! its English acronym is one partner, and every field that names a
//! partner (the plan import's lead and supporting partners among them)
//! accepts any of its names, whatever their case.

use std::collections::HashMap;

use sqlx::PgConnection;

use crate::authz::PlanEditor;
use crate::error::AppResult;
use crate::http::form;

/// The most other names one partner keeps.
const MAX_NAMES: usize = 20;

/// The other names as typed, one per line (or separated by semicolons, as
/// a spreadsheet cell holds them): trimmed, each said once whatever its
/// case, none longer than a partner's name.
pub fn parse(raw: &str) -> Result<Vec<String>, &'static str> {
    let mut names: Vec<String> = Vec::new();
    for part in raw.split(['\n', ';']) {
        let name = form::optional(part, 200)?;
        if !name.is_empty()
            && !names
                .iter()
                .any(|n| n.to_lowercase() == name.to_lowercase())
        {
            names.push(name);
        }
    }
    if names.len() > MAX_NAMES {
        return Err("partner.too_many_names");
    }
    Ok(names)
}

/// The first of `names` that already names another partner than `id`: its
/// acronym, its name or one of its other names.
pub async fn taken(
    conn: &mut PgConnection,
    id: Option<i64>,
    names: &[String],
) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar!(
        r#"select n as "name!" from unnest($2::text[]) with ordinality as t(n, i)
           where exists (select 1 from partners p
                         where p.id is distinct from $1 and (lower(p.acronym) = lower(n) or lower(p.name) = lower(n)))
              or exists (select 1 from partner_aliases a
                         where a.partner_id is distinct from $1 and lower(a.alias) = lower(n))
           order by i limit 1"#,
        id,
        names
    )
    .fetch_optional(conn)
    .await?)
}

/// The partner's other names, in the order they sort.
pub async fn of(conn: &mut PgConnection, partner: i64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar!(
        "select alias from partner_aliases where partner_id = $1 order by lower(alias)",
        partner
    )
    .fetch_all(conn)
    .await?)
}

/// Every partner's other names, by partner.
pub async fn all(conn: &mut PgConnection) -> AppResult<HashMap<i64, Vec<String>>> {
    let mut by_partner: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query!("select partner_id, alias from partner_aliases order by lower(alias)")
        .fetch_all(conn)
        .await?
    {
        by_partner.entry(r.partner_id).or_default().push(r.alias);
    }
    Ok(by_partner)
}

/// Every name that names a partner, in lower case: acronyms and other
/// names, for lookups that take any of them.
pub async fn lookup(conn: &mut PgConnection) -> AppResult<HashMap<String, i64>> {
    Ok(sqlx::query!(
        r#"select lower(alias) as "name!", partner_id as "id!" from partner_aliases
           union all select lower(acronym), id from partners"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.name, r.id))
    .collect())
}

impl PlanEditor {
    /// Makes `names` the partner's other names: those dropped go, those
    /// new come, those kept stay untouched (so the history shows only what
    /// changed).
    pub(super) async fn set_aliases(
        &self,
        conn: &mut PgConnection,
        partner: i64,
        names: &[String],
    ) -> AppResult<()> {
        let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        sqlx::query!(
            "delete from partner_aliases
             where tenant_id = $1 and partner_id = $2 and not (lower(alias) = any($3))",
            self.tenant_id(),
            partner,
            &lower
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into partner_aliases (tenant_id, partner_id, alias)
             select $1, $2, n from unnest($3::text[]) n
             where not exists (select 1 from partner_aliases a
                               where a.tenant_id = $1 and a.partner_id = $2 and lower(a.alias) = lower(n))",
            self.tenant_id(),
            partner,
            names
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_names_are_read_one_per_line_or_between_semicolons() {
        assert_eq!(
            parse(" KSM \r\nMOHR; ksm\n\n").unwrap(),
            vec!["KSM".to_owned(), "MOHR".to_owned()]
        );
        assert_eq!(parse("").unwrap(), Vec::<String>::new());
        assert_eq!(parse("a\nb;c").unwrap().len(), 3);
        let many: String = (0..21).map(|i| format!("N{i}\n")).collect();
        assert_eq!(parse(&many), Err("partner.too_many_names"));
    }
}
