//! Empty and partial data shown as it is: an outcome without activities
//! keeps its place in the grid, activities nobody leads are counted on the
//! dashboard, and the lists behind the figures say their filters in words.

use axum::http::StatusCode;

use crate::plan::{add_activity, plan_setup};

#[tokio::test]
async fn the_grid_shows_an_outcome_without_activities_and_the_dashboard_counts_activities_without_a_lead()
 {
    let (app, mut sec, nap) = plan_setup().await;
    let base = format!("/t/aland/naps/{nap}");
    let objective = app
        .count("select id from objectives order by id limit 1")
        .await
        .to_string();
    let res = sec
        .submit(
            &format!("{base}/outcomes/new"),
            &format!("{base}/outcomes/new"),
            &[
                ("objective", &objective),
                ("code", "1.2"),
                ("title", "Recruitment is fair"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    for (code, lead) in [("1.1.1", "MOL"), ("1.1.2", "")] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", code),
                ("title", "Train labour inspectors"),
                ("lead", lead),
                ("targets", "2025Q2"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }

    // The grid keeps the empty outcome in its place, saying so.
    let grid = sec.get(&format!("{base}/plan")).await;
    let outcomes = grid.texts("tr.outcome-row");
    assert!(
        outcomes
            .iter()
            .any(|o| o.contains("1.2 Recruitment is fair")),
        "{outcomes:?}"
    );
    assert_eq!(grid.texts("tr.empty-outcome"), ["No activities yet"]);
    // And so does the public page, once the plan is published.
    let res = sec.submit(&base, &format!("{base}/publish"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let public = app.client().get(&format!("/p/aland/naps/{nap}")).await;
    assert_eq!(public.texts("tr.empty-outcome"), ["No activities yet"]);

    // The dashboard's partner table counts the activity nobody leads.
    let dashboard = sec.get(&format!("{base}/dashboard")).await;
    let row = dashboard.texts("table.partners-table tr.no-lead");
    assert_eq!(row.len(), 1, "{row:?}");
    assert!(
        row[0].starts_with("No lead organisation named 1 1"),
        "{row:?}"
    );
    let link = dashboard
        .attr("table.partners-table tr.no-lead a", "href")
        .unwrap();
    let list = sec.get(&link).await;
    assert_eq!(list.texts("table.activity-list tbody th"), ["1.1.2"]);
    let shown = list.texts("main").join(" ");
    assert!(shown.contains("No lead organisation"), "{shown}");
    assert!(!shown.contains("no-lead"), "no notation on screen: {shown}");

    // The lists behind the figures say their filters in words.
    let list = sec
        .get(&format!(
            "{base}/activities?status=delayed&only=overdue&constituency=workers"
        ))
        .await;
    let said = list.texts("main p.muted");
    let said = said.join(" ");
    for words in ["Delayed", "Behind schedule", "Workers"] {
        assert!(said.contains(words), "{words:?} not in {said:?}");
    }
    for notation in ["delayed", "overdue", "workers"] {
        assert!(!said.contains(notation), "{notation:?} in {said:?}");
    }
}

#[tokio::test]
async fn an_ended_plan_gives_a_final_summary_instead_of_what_is_due_next() {
    let (app, mut sec, nap) = plan_setup().await;
    let base = format!("/t/aland/naps/{nap}");
    for (code, target) in [("1.1.1", "2025Q2"), ("1.1.2", "2025Q3")] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", code),
                ("title", "Train labour inspectors"),
                ("lead", "MOL"),
                ("targets", target),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    // While the plan runs, the dashboard says what is due next.
    let running = sec.get(&format!("{base}/dashboard")).await;
    assert!(running.texts("#final").is_empty());
    assert!(!running.texts("#next-heading").is_empty());

    // The same plan, its period over.
    let mut conn = app.owner_conn().await;
    sqlx::query("update naps set start_year = 2020, end_year = 2024")
        .execute(&mut conn)
        .await
        .unwrap();
    let ended = sec.get(&format!("{base}/dashboard")).await;
    assert_eq!(ended.status, StatusCode::OK);
    let title = ended.texts("#final-heading");
    assert_eq!(
        title,
        ["The plan's period ended in 2024: final summary"],
        "{}",
        ended.body
    );
    let figures = ended.texts("#final .final-figures li");
    assert!(
        figures
            .iter()
            .any(|f| f == "2 activities with no update recorded"),
        "{figures:?}"
    );
    assert!(
        !ended
            .texts("h2")
            .iter()
            .any(|h| h.starts_with("Due next quarter")),
        "no list of what is due next"
    );
    // The figure links to the activities it counts.
    let link = ended
        .attr("#final .final-figures li:last-child a", "href")
        .unwrap();
    let list = sec.get(&link).await;
    assert_eq!(
        list.texts("table.activity-list tbody th"),
        ["1.1.1", "1.1.2"]
    );

    // The secretariat may close it from there.
    let close = ended
        .attr(&format!("#final a[href=\"{base}/close\"]"), "href")
        .expect("a way to close the plan");
    let ask = sec.get(&close).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(
        ask.body
            .contains("2 activities that are neither completed nor cancelled")
    );
    // Without a note: refused beside the field, nothing stored.
    let res = sec
        .submit(&close, &close, &[("status", "cancelled"), ("note", "")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.attr("#f-note", "aria-invalid").as_deref(), Some("true"));
    assert_eq!(app.count("select count(*) from status_updates").await, 0);
    let fields = [
        ("status", "cancelled"),
        ("note", "Not carried out before the plan ended."),
    ];
    // Without the confirmation its page sets: the page again, nothing done.
    let res = sec.submit(&close, &close, &fields).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(app.count("select count(*) from status_updates").await, 0);
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm", "yes"));
    let res = sec.submit(&close, &close, &confirmed).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        app.count(
            "select count(*) from status_updates
             where status = 'cancelled' and note = 'Not carried out before the plan ended.'"
        )
        .await,
        2
    );
    assert_eq!(
        app.count("select count(*) from activities where status <> 'cancelled'")
            .await,
        0
    );
    assert_eq!(
        app.count("select count(*) from naps where status = 'closed'")
            .await,
        1
    );
    let closed = sec.get(&format!("{base}/dashboard")).await;
    assert!(
        closed
            .attr(&format!("#final a[href=\"{base}/close\"]"), "href")
            .is_none(),
        "a closed plan is not offered again"
    );
    assert!(
        closed
            .texts("#final .final-figures li")
            .iter()
            .any(|f| f == "0 activities with no update recorded")
    );
}

#[tokio::test]
async fn progress_by_quarter_is_kept_on_write_and_equals_a_fresh_count() {
    let (app, mut sec, nap) = plan_setup().await;
    let base = format!("/t/aland/naps/{nap}");
    for code in ["1.1.1", "1.1.2"] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", code),
                ("title", "Train labour inspectors"),
                ("lead", "MOL"),
                ("targets", "2029Q1"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let first = app
        .count("select id from activities where code = '1.1.1'")
        .await;
    let res = crate::progress::post(
        &mut sec,
        nap,
        first,
        &[("status", "on-track"), ("progress", "60")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // The summary holds what a count of the activities gives now.
    let fresh = "select count(*) from outcome_progress p
                 where p.quarter_index = quarter_index_of(now())
                   and (p.progress_sum, p.activities) = (select coalesce(sum(progress), 0), count(*)
                                                         from activities a where a.outcome_id = p.outcome_id)";
    assert_eq!(app.count(fresh).await, 1);
    // The dashboard's table says it: (60 + 0) / 2 this quarter.
    let dashboard = sec.get(&format!("{base}/dashboard")).await;
    let rows = dashboard.texts("section[aria-labelledby=progress-heading] tbody tr");
    assert_eq!(
        rows.last().map(String::as_str).unwrap_or(""),
        format!(
            "{} 30%",
            nap_oversight::features::plan::quarter::Quarter::current()
        )
    );

    // History written out of order (a report of an earlier quarter arriving
    // after this one's) lands in its own quarter, from the history.
    let mut conn = app.owner_conn().await;
    let second = app
        .count("select id from activities where code = '1.1.2'")
        .await;
    sqlx::query(
        "with u as (insert into status_updates (tenant_id, activity_id, author_id, status, progress,
                                                based_on_version, created_at)
                    select a.tenant_id, a.id, (select min(id) from users), 'on-track', 40, a.version,
                           now() - interval '6 months'
                    from activities a where a.id = $1 returning activity_id, created_at)
         update activities a set progress = 40, last_update_at = u.created_at from u where a.id = u.activity_id",
    )
    .bind(second)
    .execute(&mut conn)
    .await
    .unwrap();
    let past = "select progress_sum from outcome_progress
                where quarter_index = quarter_index_of(now() - interval '6 months')";
    assert_eq!(
        app.count(past).await,
        40,
        "the earlier quarter holds the report of its time"
    );
    assert_eq!(
        app.count(fresh).await,
        1,
        "and this quarter the activities as they stand"
    );

    // Adding and removing activities keep it true.
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.3"),
            ("title", "Inspect the farms"),
            ("lead", "MOL"),
            ("targets", "2029Q1"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(app.count(fresh).await, 1);
    sqlx::query("delete from activities where code = '1.1.3'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(app.count(fresh).await, 1);
}
