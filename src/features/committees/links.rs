//! What a committee works on (a NAP, and within it an objective or an
//! outcome) and the sub-groups nested in it.

use sqlx::PgConnection;

use crate::choices::CommitteeKind;
use crate::error::AppResult;
use crate::http::form::FieldErrors;

/// The part of a plan a committee works on, checked.
#[derive(Default)]
pub struct PlanPart {
    pub nap: Option<i64>,
    pub objective: Option<i64>,
    pub outcome: Option<i64>,
}

/// Reads the NAP (its id), objective and outcome (their codes) as the
/// committee form gave them; an unknown one is said beside its field.
pub async fn plan_part(
    conn: &mut PgConnection,
    errors: &mut FieldErrors,
    nap: &str,
    objective: &str,
    outcome: &str,
) -> AppResult<PlanPart> {
    let nap = match nap.trim().parse::<i64>() {
        Ok(id) => {
            let found = sqlx::query_scalar!("select id from naps where id = $1", id)
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                errors.add("nap", "field.choose");
            }
            found
        }
        Err(_) => None,
    };
    let objective = match (objective.trim(), nap) {
        ("", _) => None,
        (code, Some(nap)) => {
            let found = sqlx::query_scalar!(
                "select id from objectives where nap_id = $1 and code = $2",
                nap,
                code
            )
            .fetch_optional(&mut *conn)
            .await?;
            if found.is_none() {
                errors.add_with("objective", "committee.objective_unknown", code);
            }
            found
        }
        (_, None) => {
            errors.add("objective", "committee.objective_needs_nap");
            None
        }
    };
    let outcome = match (outcome.trim(), nap) {
        ("", _) => None,
        (code, Some(nap)) => {
            let found = sqlx::query_scalar!(
                "select id from outcomes where nap_id = $1 and code = $2",
                nap,
                code
            )
            .fetch_optional(&mut *conn)
            .await?;
            if found.is_none() {
                errors.add_with("outcome", "plan.outcome_unknown", code);
            }
            found
        }
        (_, None) => {
            errors.add("outcome", "committee.outcome_needs_nap");
            None
        }
    };
    Ok(PlanPart {
        nap,
        objective,
        outcome,
    })
}

/// The committees nested in `parent`: id, name and kind, by name.
pub async fn sub_groups(
    conn: &mut PgConnection,
    parent: i64,
) -> AppResult<Vec<(i64, String, CommitteeKind)>> {
    Ok(sqlx::query!(
        "select id, name, kind from committees where parent_id = $1 order by name",
        parent
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| {
        let kind = CommitteeKind::parse(&r.kind).unwrap_or(CommitteeKind::SubGroup);
        (r.id, r.name, kind)
    })
    .collect())
}
