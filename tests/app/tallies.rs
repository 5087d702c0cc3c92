//! The summaries kept on write (activity and target tallies, each activity's
//! first open quarter) always equal a count made afresh from the plan,
//! whatever changed it: bulk inserts, status updates, edits, deletions of
//! activities, outcomes and whole NAPs, as the application's own role.

use crate::common::TestApp;

/// Rows where the tallies and a fresh count disagree, in either direction.
const DRIFT: &str = "
with fresh_activities as (
    select tenant_id, nap_id, outcome_id, coalesce(lead_partner_id, 0) as lead_partner_id, status, currency,
           count(*)::int as activities, count(budget)::int as budgeted,
           coalesce(sum(budget), 0)::bigint as budget, coalesce(sum(spending), 0)::bigint as spending
    from activities group by 1, 2, 3, 4, 5, 6),
kept_activities as (
    select tenant_id, nap_id, outcome_id, lead_partner_id, status, currency, activities, budgeted, budget, spending
    from activity_tallies where (activities, budgeted, budget, spending) <> (0, 0, 0, 0)),
fresh_targets as (
    select a.tenant_id, a.nap_id, coalesce(a.lead_partner_id, 0) as lead_partner_id, o.quarter_index,
           count(*)::int as targets, count(o.met_at)::int as met
    from target_occurrences o join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
    group by 1, 2, 3, 4),
kept_targets as (
    select tenant_id, nap_id, lead_partner_id, quarter_index, targets, met
    from target_tallies where (targets, met) <> (0, 0)),
fresh_open as (
    select a.tenant_id, a.id, a.nap_id, min(o.quarter_index) as first_quarter
    from target_occurrences o join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
    where o.met_at is null group by 1, 2, 3),
kept_open as (select tenant_id, activity_id, nap_id, first_quarter from open_targets)
select (select count(*) from (select * from fresh_activities except select * from kept_activities) x)
     + (select count(*) from (select * from kept_activities except select * from fresh_activities) x)
     + (select count(*) from (select * from fresh_targets except select * from kept_targets) x)
     + (select count(*) from (select * from kept_targets except select * from fresh_targets) x)
     + (select count(*) from (select * from fresh_open except select * from kept_open) x)
     + (select count(*) from (select * from kept_open except select * from fresh_open) x)";

#[tokio::test]
async fn tallies_equal_a_fresh_count_after_every_kind_of_change() {
    let app = TestApp::new().await;
    let hasher = nap_oversight::password::Hasher::new(1);
    nap_oversight::bench::generate(&app.pool, &hasher, 2, 80)
        .await
        .unwrap();
    assert!(app.count("select count(*) from activity_tallies").await > 0);
    assert!(app.count("select count(*) from open_targets").await > 0);
    assert_eq!(app.count(DRIFT).await, 0, "after generating the plans");

    let tenant = app
        .count("select id from tenants where slug = 'bench-1'")
        .await;
    let other = app
        .count("select id from tenants where slug = 'bench-2'")
        .await;
    let before_other = app
        .count(&format!(
            "select sum(activities) from activity_tallies where tenant_id = {other}"
        ))
        .await;
    // History is never deleted by the application, and would keep the
    // activities below from being deleted: the owner clears it first.
    let mut owner = app.owner_conn().await;
    for table in ["update_targets", "status_updates"] {
        sqlx::query(&format!("delete from {table} where tenant_id = {tenant}"))
            .execute(&mut owner)
            .await
            .unwrap();
    }
    // Each change runs as the application's role, scoped to one tenant, and
    // is committed before the count.
    let changes = [
        "update target_occurrences set met_at = now() where id % 3 = 0 and met_at is null",
        "update target_occurrences set met_at = null where id % 5 = 0",
        "update activities set status = 'delayed', spending = coalesce(spending, 0) + 10 where id % 4 = 0",
        "update activities set lead_partner_id = null where id % 7 = 0",
        "update activities set lead_partner_id = (select max(id) from partners) where id % 6 = 0",
        "update activities set budget = null, currency = '' where id % 9 = 0",
        "update activities a set outcome_id = (select max(o.id) from outcomes o where o.nap_id = a.nap_id)
         where id % 5 = 1",
        "delete from time_targets where id % 11 = 0",
        "delete from target_occurrences where id % 13 = 0",
        "insert into time_targets (tenant_id, activity_id, year, quarter)
         select tenant_id, id, 2027, 3 from activities where id % 8 = 0
         on conflict do nothing",
        "insert into target_occurrences (tenant_id, target_id, activity_id, quarter_index)
         select tenant_id, id, activity_id, 2027 * 4 + 2 from time_targets where year = 2027 and quarter = 3
         on conflict do nothing",
        "delete from activities where id % 10 = 3",
        "delete from outcomes where id = (select min(id) from outcomes)",
        "delete from objectives where id = (select max(id) from objectives)",
    ];
    for sql in changes {
        let mut tx = nap_oversight::tenancy::scope::begin(&app.pool, tenant, None)
            .await
            .unwrap();
        let done = sqlx::query(sql).execute(&mut *tx).await.unwrap();
        assert!(done.rows_affected() > 0, "{sql} changed nothing");
        tx.commit().await.unwrap();
        assert_eq!(app.count(DRIFT).await, 0, "after: {sql}");
    }
    // The other tenant's tallies were never touched.
    assert_eq!(
        app.count(&format!(
            "select sum(activities) from activity_tallies where tenant_id = {other}"
        ))
        .await,
        before_other
    );
    // A whole NAP goes with its tallies.
    let mut tx = nap_oversight::tenancy::scope::begin(&app.pool, tenant, None)
        .await
        .unwrap();
    sqlx::query("delete from naps")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.count(DRIFT).await, 0, "after deleting the NAP");
    for table in ["activity_tallies", "target_tallies", "open_targets"] {
        assert_eq!(
            app.count(&format!(
                "select count(*) from {table} where tenant_id = {tenant}"
            ))
            .await,
            0,
            "{table}"
        );
    }
}

/// Transactions that each move two activities between the same tally rows,
/// in opposite directions and orders, from many connections at once: writes
/// to a tenant's plan take turns, so none waits on another in a cycle
/// (PostgreSQL would abort one as a deadlock), and the counts stay exact.
#[tokio::test]
async fn concurrent_changes_to_shared_tallies_neither_deadlock_nor_drift() {
    let app = TestApp::new().await;
    let hasher = nap_oversight::password::Hasher::new(1);
    nap_oversight::bench::generate(&app.pool, &hasher, 1, 40)
        .await
        .unwrap();
    let tenant = app
        .count("select id from tenants where slug = 'bench-1'")
        .await;
    let ids: Vec<i64> = {
        let mut conn = app.owner_conn().await;
        // One outcome, one lead, one currency: the activities share their
        // tally rows and differ only in status.
        sqlx::query(
            "update activities set outcome_id = (select min(id) from outcomes),
                    lead_partner_id = (select min(id) from partners), currency = 'USD'",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        sqlx::query_scalar("select id from activities order by id")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    let mut tasks = Vec::new();
    for worker in 0..8usize {
        let pool = app.pool.clone();
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..25usize {
                let mut tx = nap_oversight::tenancy::scope::begin(&pool, tenant, None)
                    .await
                    .unwrap();
                // Two activities, in an order that differs between workers,
                // one going each way between "on track" and "delayed".
                let (a, b) = (ids[(worker + round) % ids.len()], ids[(worker * 7 + round * 3 + 1) % ids.len()]);
                for (id, status) in [(a, "delayed"), (b, "on-track")] {
                    sqlx::query(
                        "update activities set status = $2, spending = coalesce(spending, 0) + 1 where id = $1",
                    )
                    .bind(id)
                    .bind(status)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                    sqlx::query(
                        "update target_occurrences set met_at = case when met_at is null then now() end
                         where activity_id = $1",
                    )
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                }
                tx.commit().await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.expect("no transaction failed");
    }
    assert_eq!(app.count(DRIFT).await, 0);
}
