//! Time targets set on an outcome or an objective, for plans that time
//! their outcomes rather than their activities. The activities under such
//! a node that have no targets of their own inherit them (see
//! `save::refresh_occurrences`); here they are read, checked and written.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::Nap;
use crate::authz::PlanEditor;
use crate::features::plan::quarter::{Period, TargetSpec};
use crate::http::form::FieldErrors;

/// An objective or an outcome, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    Objective(i64),
    Outcome(i64),
}

impl Node {
    /// The `(objective_id, outcome_id)` columns of `time_targets`.
    fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Self::Objective(id) => (Some(id), None),
            Self::Outcome(id) => (None, Some(id)),
        }
    }
}

/// Every objective's and outcome's targets in the NAP, in order.
pub async fn node_targets(
    conn: &mut PgConnection,
    nap_id: i64,
) -> Result<HashMap<Node, Vec<TargetSpec>>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select t.objective_id, t.outcome_id, t.year, t.quarter
           from time_targets t join objectives o on o.tenant_id = t.tenant_id and o.id = t.objective_id
           where o.nap_id = $1
           union all
           select t.objective_id, t.outcome_id, t.year, t.quarter
           from time_targets t join outcomes oc on oc.tenant_id = t.tenant_id and oc.id = t.outcome_id
           where oc.nap_id = $1"#,
        nap_id
    )
    .fetch_all(conn)
    .await?;
    let mut targets: HashMap<Node, Vec<TargetSpec>> = HashMap::new();
    for r in rows {
        let node = match (r.objective_id, r.outcome_id) {
            (Some(id), _) => Node::Objective(id),
            (_, Some(id)) => Node::Outcome(id),
            _ => continue,
        };
        if let Some(spec) = TargetSpec::from_row(r.year, r.quarter) {
            targets.entry(node).or_default().push(spec);
        }
    }
    for list in targets.values_mut() {
        list.sort();
    }
    Ok(targets)
}

/// The targets as a person wrote them over `period` (an activity's, or the
/// plan's for an objective or outcome), checked beside the field `field`;
/// `outside` says a target falls outside that period.
pub fn check_targets(
    raw: &str,
    period: Period,
    field: &'static str,
    outside: &'static str,
    errors: &mut FieldErrors,
) -> Vec<TargetSpec> {
    match TargetSpec::parse_list(raw) {
        Err(bad) => {
            errors.add_with(field, "plan.target_invalid", &bad);
            Vec::new()
        }
        Ok(specs) => {
            if let Some(spec) = specs.iter().find(|s| s.expand(period).is_empty()) {
                errors.add_with(field, outside, &spec.label());
            }
            specs
        }
    }
}

/// Makes the targets of each node what is given, in a fixed number of
/// statements however many nodes; the activities under a node whose targets
/// changed expand what they inherit again. Returns whether anything changed.
pub async fn set_node_targets(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    items: &[(Node, Vec<TargetSpec>)],
) -> Result<bool, sqlx::Error> {
    let tenant = editor.tenant_id();
    let objectives: Vec<i64> = items.iter().filter_map(|(n, _)| n.columns().0).collect();
    let outcomes: Vec<i64> = items.iter().filter_map(|(n, _)| n.columns().1).collect();
    let (mut of_objective, mut of_outcome, mut years, mut quarters) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (node, specs) in items {
        for spec in specs {
            let (objective, outcome) = node.columns();
            let (year, quarter) = spec.to_row();
            of_objective.push(objective.unwrap_or(-1));
            of_outcome.push(outcome.unwrap_or(-1));
            years.push(year.unwrap_or(-1));
            quarters.push(quarter.unwrap_or(-1));
        }
    }
    let removed = sqlx::query!(
        "delete from time_targets t
         where t.tenant_id = $1 and (t.objective_id = any($2) or t.outcome_id = any($3))
           and not exists (select 1 from unnest($4::bigint[], $5::bigint[], $6::int[], $7::smallint[])
                               as n(objective_id, outcome_id, y, q)
                           where coalesce(t.objective_id, -1) = n.objective_id
                             and coalesce(t.outcome_id, -1) = n.outcome_id
                             and coalesce(t.year, -1) = n.y and coalesce(t.quarter, -1) = n.q)",
        tenant,
        &objectives,
        &outcomes,
        &of_objective,
        &of_outcome,
        &years,
        &quarters
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let added = sqlx::query!(
        "insert into time_targets (tenant_id, objective_id, outcome_id, year, quarter)
         select $1, nullif(n.objective_id, -1), nullif(n.outcome_id, -1), nullif(n.y, -1), nullif(n.q, -1)
         from unnest($2::bigint[], $3::bigint[], $4::int[], $5::smallint[]) as n(objective_id, outcome_id, y, q)
         on conflict do nothing",
        tenant,
        &of_objective,
        &of_outcome,
        &years,
        &quarters
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if removed + added == 0 {
        return Ok(false);
    }
    let under = sqlx::query_scalar!(
        "select a.id from activities a
         join outcomes oc on oc.tenant_id = a.tenant_id and oc.id = a.outcome_id
         where a.tenant_id = $1 and a.nap_id = $2
           and (a.outcome_id = any($3) or oc.objective_id = any($4))",
        tenant,
        nap.id,
        &outcomes,
        &objectives
    )
    .fetch_all(&mut *conn)
    .await?;
    super::refresh_occurrences_of(editor, conn, nap, &under).await?;
    Ok(true)
}
