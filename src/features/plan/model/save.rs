//! Saving activities with their partners, targets and occurrences: the
//! plan editor's writes, in a fixed number of statements however many.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::{ActivityInput, Nap};
use crate::authz::PlanEditor;
use crate::features::plan::quarter::{Period, Quarter, TargetSpec};

/// Saves one activity (new when `id` is none) with its partners, targets
/// and occurrences; returns its id.
pub async fn save_activity(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    id: Option<i64>,
    a: &ActivityInput,
) -> Result<i64, sqlx::Error> {
    let ids = save_activities(editor, conn, nap, &[(id, a)]).await?;
    Ok(ids[0])
}

/// Saves activities (new where the id is none) with their partners, targets
/// and occurrences, in a fixed number of statements however many there are:
/// a spreadsheet of 5,000 rows is written in a few round trips, not 40,000.
/// Returns their ids, in order.
pub async fn save_activities(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    items: &[(Option<i64>, &ActivityInput)],
) -> Result<Vec<i64>, sqlx::Error> {
    let tenant = editor.tenant_id();
    // Column by column, as PostgreSQL's unnest reads them. New activities
    // take their id from the identity's sequence; the others update in
    // place, in the same statement.
    let id: Vec<Option<i64>> = items.iter().map(|(id, _)| *id).collect();
    let outcome: Vec<i64> = items.iter().map(|(_, a)| a.outcome_id).collect();
    let code: Vec<&str> = items.iter().map(|(_, a)| a.code.as_str()).collect();
    let title: Vec<&str> = items.iter().map(|(_, a)| a.title.as_str()).collect();
    let description: Vec<&str> = items.iter().map(|(_, a)| a.description.as_str()).collect();
    let lead: Vec<Option<i64>> = items.iter().map(|(_, a)| a.lead_partner_id).collect();
    let start: Vec<Option<i32>> = items
        .iter()
        .map(|(_, a)| a.start.map(Quarter::index))
        .collect();
    let end: Vec<Option<i32>> = items
        .iter()
        .map(|(_, a)| a.end.map(Quarter::index))
        .collect();
    let level: Vec<&str> = items.iter().map(|(_, a)| a.level.as_str()).collect();
    let place: Vec<&str> = items.iter().map(|(_, a)| a.place.as_str()).collect();
    let budget: Vec<Option<i64>> = items.iter().map(|(_, a)| a.budget).collect();
    let currency: Vec<&str> = items.iter().map(|(_, a)| a.currency.as_str()).collect();
    let flag: Vec<&str> = items.iter().map(|(_, a)| a.flag.as_str()).collect();
    let saved: HashMap<String, i64> = sqlx::query!(
        "insert into activities as a (tenant_id, id, nap_id, outcome_id, code, title, description,
             lead_partner_id, start_quarter, end_quarter, level, place, budget, currency, flag)
         overriding system value
         select $1, coalesce(u.id, nextval(pg_get_serial_sequence('activities', 'id'))), $2,
                u.outcome_id, u.code, u.title, u.description, u.lead, u.start_quarter,
                u.end_quarter, u.level, u.place, u.budget, u.currency, u.flag
         from unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                     $9::int[], $10::int[], $11::text[], $12::text[], $13::bigint[], $14::text[],
                     $15::text[])
              as u(id, outcome_id, code, title, description, lead, start_quarter, end_quarter,
                   level, place, budget, currency, flag)
         on conflict (tenant_id, id) do update
         set outcome_id = excluded.outcome_id, code = excluded.code, title = excluded.title,
             description = excluded.description, lead_partner_id = excluded.lead_partner_id,
             start_quarter = excluded.start_quarter, end_quarter = excluded.end_quarter,
             level = excluded.level, place = excluded.place, budget = excluded.budget,
             currency = excluded.currency, flag = excluded.flag
         returning a.id, a.code",
        tenant,
        nap.id,
        &id as &[Option<i64>],
        &outcome,
        &code as &[&str],
        &title as &[&str],
        &description as &[&str],
        &lead as &[Option<i64>],
        &start as &[Option<i32>],
        &end as &[Option<i32>],
        &level as &[&str],
        &place as &[&str],
        &budget as &[Option<i64>],
        &currency as &[&str],
        &flag as &[&str]
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.code, r.id))
    .collect();
    let ids: Vec<i64> = items
        .iter()
        .map(|(_, a)| saved.get(&a.code).copied())
        .collect::<Option<_>>()
        .ok_or(sqlx::Error::RowNotFound)?;

    // Supporting partners: those no longer named go, new ones come.
    let (partner_of, partner): (Vec<i64>, Vec<i64>) = ids
        .iter()
        .zip(items)
        .flat_map(|(id, (_, a))| a.supporting.iter().map(move |p| (*id, *p)))
        .unzip();
    sqlx::query!(
        "delete from activity_partners ap
         where ap.tenant_id = $1 and ap.activity_id = any($2)
           and not exists (select 1 from unnest($3::bigint[], $4::bigint[]) as n(a, p)
                           where n.a = ap.activity_id and n.p = ap.partner_id)",
        tenant,
        &ids,
        &partner_of,
        &partner
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into activity_partners (tenant_id, activity_id, partner_id)
         select $1, n.a, n.p from unnest($2::bigint[], $3::bigint[]) as n(a, p)
         on conflict do nothing",
        tenant,
        &partner_of,
        &partner
    )
    .execute(&mut *conn)
    .await?;

    // Pillars and linked plans: the same.
    let (tag_of, tag): (Vec<i64>, Vec<i64>) = ids
        .iter()
        .zip(items)
        .flat_map(|(id, (_, a))| a.tags.iter().map(move |t| (*id, *t)))
        .unzip();
    sqlx::query!(
        "delete from activity_tags x
         where x.tenant_id = $1 and x.activity_id = any($2)
           and not exists (select 1 from unnest($3::bigint[], $4::bigint[]) as n(a, t)
                           where n.a = x.activity_id and n.t = x.tag_id)",
        tenant,
        &ids,
        &tag_of,
        &tag
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into activity_tags (tenant_id, activity_id, tag_id)
         select $1, n.a, n.t from unnest($2::bigint[], $3::bigint[]) as n(a, t)
         on conflict do nothing",
        tenant,
        &tag_of,
        &tag
    )
    .execute(&mut *conn)
    .await?;

    // Targets: removed ones go (with their occurrences), new ones come.
    let mut target_of = Vec::new();
    let mut years = Vec::new();
    let mut quarters = Vec::new();
    for (id, (_, a)) in ids.iter().zip(items) {
        for t in &a.targets {
            let (year, quarter) = t.to_row();
            target_of.push(*id);
            years.push(year.unwrap_or(-1));
            quarters.push(quarter.unwrap_or(-1));
        }
    }
    sqlx::query!(
        "delete from time_targets t
         where t.tenant_id = $1 and t.activity_id = any($2)
           and not exists (select 1 from unnest($3::bigint[], $4::int[], $5::smallint[]) as n(a, y, q)
                           where n.a = t.activity_id and coalesce(t.year, -1) = n.y and coalesce(t.quarter, -1) = n.q)",
        tenant,
        &ids,
        &target_of,
        &years,
        &quarters
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into time_targets (tenant_id, activity_id, year, quarter)
         select $1, n.a, nullif(n.y, -1), nullif(n.q, -1) from unnest($2::bigint[], $3::int[], $4::smallint[]) as n(a, y, q)
         on conflict do nothing",
        tenant,
        &target_of,
        &years,
        &quarters
    )
    .execute(&mut *conn)
    .await?;
    let periods: Vec<(i64, Option<Quarter>, Option<Quarter>)> = ids
        .iter()
        .zip(items)
        .map(|(id, (_, a))| (*id, a.start, a.end))
        .collect();
    refresh_occurrences(editor, conn, nap, &periods).await?;
    Ok(ids)
}

/// Re-expands every activity's targets, after the NAP's period changed.
pub async fn refresh_all_occurrences(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
) -> Result<(), sqlx::Error> {
    let ids = sqlx::query_scalar!(
        "select id from activities where tenant_id = $1 and nap_id = $2",
        editor.tenant_id(),
        nap.id
    )
    .fetch_all(&mut *conn)
    .await?;
    refresh_occurrences_of(editor, conn, nap, &ids).await
}

/// Re-expands the targets of the activities `ids`, as they are stored:
/// after an outcome's or an objective's targets, which they may inherit,
/// changed.
pub async fn refresh_occurrences_of(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    let periods: Vec<(i64, Option<Quarter>, Option<Quarter>)> = sqlx::query!(
        "select id, start_quarter, end_quarter from activities where tenant_id = $1 and id = any($2)",
        editor.tenant_id(),
        ids
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|a| {
        (
            a.id,
            a.start_quarter.map(Quarter::from_index),
            a.end_quarter.map(Quarter::from_index),
        )
    })
    .collect();
    refresh_occurrences(editor, conn, nap, &periods).await
}

/// Makes the occurrences of the given activities (id, start, end) match
/// their targets over their periods: occurrences that no longer apply go,
/// new ones come, met ones stay met. An activity without targets of its
/// own takes its outcome's, or else its objective's.
async fn refresh_occurrences(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    activities: &[(i64, Option<Quarter>, Option<Quarter>)],
) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = activities.iter().map(|(id, ..)| *id).collect();
    let periods: HashMap<i64, Period> = activities
        .iter()
        .map(|(id, start, end)| {
            let period = Period {
                start: start.unwrap_or(nap.period().start),
                end: end.unwrap_or(nap.period().end),
            };
            (*id, period)
        })
        .collect();
    // Each activity's own targets (level 0), its outcome's (1) and its
    // objective's (2); the nearest level that has any applies.
    let targets = sqlx::query!(
        r#"select t.id as "id!", a.id as "activity_id!", t.year, t.quarter, 0 as "level!"
           from activities a join time_targets t on t.tenant_id = a.tenant_id and t.activity_id = a.id
           where a.tenant_id = $1 and a.id = any($2)
           union all
           select t.id, a.id, t.year, t.quarter, 1
           from activities a join time_targets t on t.tenant_id = a.tenant_id and t.outcome_id = a.outcome_id
           where a.tenant_id = $1 and a.id = any($2)
           union all
           select t.id, a.id, t.year, t.quarter, 2
           from activities a
           join outcomes oc on oc.tenant_id = a.tenant_id and oc.id = a.outcome_id
           join time_targets t on t.tenant_id = a.tenant_id and t.objective_id = oc.objective_id
           where a.tenant_id = $1 and a.id = any($2)"#,
        editor.tenant_id(),
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut nearest: HashMap<i64, i32> = HashMap::new();
    for t in &targets {
        let level = nearest.entry(t.activity_id).or_insert(t.level);
        *level = (*level).min(t.level);
    }
    let mut target_ids = Vec::new();
    let mut activity_ids = Vec::new();
    let mut indexes = Vec::new();
    let mut whole_years = Vec::new();
    for t in targets {
        let (Some(spec), Some(period)) = (
            TargetSpec::from_row(t.year, t.quarter),
            periods.get(&t.activity_id),
        ) else {
            continue;
        };
        if nearest.get(&t.activity_id) != Some(&t.level) {
            continue;
        }
        for q in spec.expand(*period) {
            target_ids.push(t.id);
            activity_ids.push(t.activity_id);
            indexes.push(q.index());
            whole_years.push(spec.is_year());
        }
    }
    sqlx::query!(
        "delete from target_occurrences o
         where o.tenant_id = $1 and o.activity_id = any($2)
           and not exists (select 1 from unnest($3::bigint[], $4::bigint[], $5::int[]) as n(t, a, i)
                           where o.target_id = n.t and o.activity_id = n.a and o.quarter_index = n.i)",
        editor.tenant_id(),
        &ids,
        &target_ids,
        &activity_ids,
        &indexes
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into target_occurrences (tenant_id, target_id, activity_id, quarter_index, whole_year)
         select $1, n.t, n.a, n.i, n.y from unnest($2::bigint[], $3::bigint[], $4::int[], $5::bool[]) as n(t, a, i, y)
         on conflict do nothing",
        editor.tenant_id(),
        &target_ids,
        &activity_ids,
        &indexes,
        &whole_years
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
