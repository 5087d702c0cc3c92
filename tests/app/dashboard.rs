use axum::http::StatusCode;
use nap_oversight::features::plan::quarter::Quarter;

use crate::common::{TestApp, count_queries};
use crate::plan::{add_activity, plan_setup};

/// Quarters relative to today, so the figures hold whatever the date.
fn q(offset: i32) -> Quarter {
    Quarter::from_index(Quarter::current().index() + offset)
}

#[tokio::test]
async fn the_dashboard_figures_add_up() {
    let (app, mut sec, _) = plan_setup().await;
    // A NAP from last year to three years ahead, so every quarter used is inside it.
    let year = Quarter::current().year;
    let res = sec
        .submit(
            "/t/aland/naps/new",
            "/t/aland/naps/new",
            &[
                ("title", "Current plan"),
                ("theme", "child-labour"),
                ("start_year", &(year - 1).to_string()),
                ("end_year", &(year + 3).to_string()),
                ("status", "adopted"),
            ],
        )
        .await;
    let nap: i64 = res.location().rsplit('/').next().unwrap().parse().unwrap();
    let base = format!("/t/aland/naps/{nap}");
    sec.submit(
        &format!("{base}/objectives/new"),
        &format!("{base}/objectives/new"),
        &[("code", "1"), ("title", "Prevent")],
    )
    .await;
    sec.submit(
        &format!("{base}/objectives/new"),
        &format!("{base}/objectives/new"),
        &[("code", "2"), ("title", "Protect")],
    )
    .await;
    for (objective, code) in [("1", "1.1"), ("2", "2.1")] {
        let id = app
            .count(&format!(
                "select id from objectives where nap_id = {nap} and code = '{objective}'"
            ))
            .await
            .to_string();
        sec.submit(
            &format!("{base}/outcomes/new"),
            &format!("{base}/outcomes/new"),
            &[("objective", &id), ("code", code), ("title", "Outcome")],
        )
        .await;
    }
    let targets = |offsets: &[i32]| {
        offsets
            .iter()
            .map(|o| q(*o).compact())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (outcome, code, lead, budget, offsets) in [
        ("1.1", "1.1.1", "MOL", "1000", vec![-1, 0]),
        ("1.1", "1.1.2", "CTU", "500", vec![-2, -1, 1]),
        ("2.1", "2.1.1", "EF", "2000", vec![-1]),
        ("2.1", "2.1.2", "MOL", "", vec![1]),
    ] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", outcome),
                ("code", code),
                ("title", &format!("Activity {code}")),
                ("lead", lead),
                ("budget", budget),
                ("currency", if budget.is_empty() { "" } else { "EUR" }),
                ("targets", &targets(&offsets)),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let mut conn = app.owner_conn().await;
    for sql in [
        "update partners set constituency = 'government' where acronym = 'MOL'",
        "update partners set constituency = 'workers' where acronym = 'CTU'",
        "update partners set constituency = 'employers' where acronym = 'EF'",
        "update activities set status = 'on-track', spending = 400, last_update_at = now() - interval '10 days' where code = '1.1.1'",
        "update activities set status = 'delayed', spending = 100, last_update_at = now() - interval '100 days' where code = '1.1.2'",
        "update activities set status = 'completed', spending = 2000 where code = '2.1.1'",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    // Met: the last quarter's targets of 1.1.1 and 2.1.1. Missed: those of 1.1.2.
    sqlx::query(&format!(
        "update target_occurrences set met_at = now() where quarter_index = {} and activity_id in (select id from activities where code in ('1.1.1', '2.1.1'))",
        q(-1).index()
    ))
    .execute(&mut conn)
    .await
    .unwrap();

    let page = sec.get(&format!("/t/aland/naps/{nap}/dashboard")).await;
    assert_eq!(page.status, StatusCode::OK);
    // Targets: (quarter offset, state) of every occurrence.
    let all = [
        (-1, "met"),
        (0, "pending"),
        (-2, "missed"),
        (-1, "missed"),
        (1, "pending"),
        (-1, "met"),
        (1, "pending"),
    ];
    let count = |state: &str, this_year: bool| {
        all.iter()
            .filter(|(o, s)| *s == state && (!this_year || q(*o).year == year))
            .count()
            .to_string()
    };
    let rows = page.texts("tr.targets-row");
    assert_eq!(
        rows[0],
        format!(
            "This year {} {} {}",
            count("met", true),
            count("missed", true),
            count("pending", true)
        )
    );
    assert_eq!(rows[1], "Whole period 2 2 3");
    // Activities by status per objective: not started, on track, delayed,
    // completed, cancelled, total; then those behind schedule, whatever
    // they report (the two missed targets are one activity's).
    assert_eq!(
        page.texts("table.status-table tbody tr"),
        vec!["1 Prevent 0 1 1 0 0 2 1", "2 Protect 1 0 0 1 0 2 0"]
    );
    // What is late comes first: the activity, how late, and who answers for it.
    let late = page.texts("ol.late-list > li");
    assert_eq!(late.len(), 1, "{late:?}");
    for part in [
        "1.1.2 Activity 1.1.2",
        " late ",
        "2 targets missed",
        "Trade Union Confederation (aland) (CTU)",
    ] {
        assert!(late[0].contains(part), "{part:?} not in {late:?}");
    }
    assert_eq!(
        page.texts(".next-list li"),
        vec![
            "1.1.2 Activity 1.1.2 Trade Union Confederation (aland) (CTU) · no focal point named",
            "2.1.2 Activity 2.1.2 Ministry of Labour (aland) (MOL) · no focal point named"
        ]
    );
    let stale = page.texts(".stale-list li");
    assert_eq!(stale.len(), 2, "{stale:?}");
    assert!(
        stale[0].starts_with("1.1.2")
            && stale[1].starts_with("2.1.2 Activity 2.1.2 No update recorded"),
        "{stale:?}"
    );
    // Per partner, by full name: led, behind schedule, reported delayed, targets missed.
    let partners = page.texts("table.partners-table tbody tr");
    assert_eq!(partners.len(), 3);
    assert!(
        partners[0].starts_with("Trade Union Confederation (aland) (CTU) 1 1 1 2"),
        "{partners:?}"
    );
    assert!(
        partners[1].starts_with("Employers' Federation (aland) (EF) 1 0 0 0"),
        "{partners:?}"
    );
    assert!(
        partners[2].starts_with("Ministry of Labour (aland) (MOL) 2 0 0 0"),
        "{partners:?}"
    );
    assert_eq!(
        page.texts("table.constituency-table tbody tr"),
        vec![
            "Government 2 0 0 0",
            "Workers 1 1 1 2",
            "Employers 1 0 0 0",
            "Other 0 0 0 0"
        ]
    );
    let money = page.texts("table.money-table tbody tr");
    assert_eq!(
        money,
        vec![
            "1 Prevent 1,500 500 33%",
            "2 Protect 2,000 2,000 100%",
            "Trade Union Confederation (aland) (CTU) 500 100 20%",
            "Employers' Federation (aland) (EF) 2,000 2,000 100%",
            "Ministry of Labour (aland) (MOL) 1,000 400 40%"
        ]
    );
    assert!(page.texts("#money-heading")[0].ends_with("(EUR)"));

    // Every figure links to the list behind it, and the lists agree.
    let link = page
        .attr("table.partners-table tbody tr:first-child td a", "href")
        .unwrap();
    let list = sec.get(&link).await;
    assert_eq!(list.texts("table.activity-list tbody th"), vec!["1.1.2"]);
    let delayed = page
        .attr(
            "table.constituency-table tbody tr:nth-child(2) td:nth-child(4) a",
            "href",
        )
        .unwrap();
    assert_eq!(
        sec.get(&delayed)
            .await
            .texts("table.activity-list tbody th"),
        vec!["1.1.2"]
    );
    for (only, codes) in [
        ("overdue", vec!["1.1.2"]),
        ("due-next", vec!["1.1.2", "2.1.2"]),
        ("stale", vec!["1.1.2", "2.1.2"]),
    ] {
        let list = sec
            .get(&format!("/t/aland/naps/{nap}/activities?only={only}"))
            .await;
        assert_eq!(list.texts("table.activity-list tbody th"), codes, "{only}");
    }
    let missed = page
        .attr("tr.targets-row:last-child a.missed", "href")
        .unwrap();
    assert_eq!(sec.get(&missed).await.texts("tbody th.code"), vec!["1.1.2"]);

    // The tenant's home is the newest plan's dashboard; an observer reads it too.
    let home = sec.get("/t/aland/").await;
    assert_eq!(home.texts("h1"), vec!["Current plan"]);
    let mut obs = app.signed_in("obs@aland.test").await;
    assert_eq!(obs.get("/t/aland/").await.texts("tr.targets-row").len(), 2);
}

/// Adds `n` activities straight through the model, for size tests.
async fn grow(app: &TestApp, nap: i64, n: usize) {
    use nap_oversight::features::plan::model::{self, ActivityDraft, PlanContext};
    let tenant = app
        .count("select id from tenants where slug = 'aland'")
        .await;
    let mut tx = nap_oversight::tenancy::scope::begin(&app.pool, tenant, None)
        .await
        .unwrap();
    let editor = nap_oversight::authz::operator::<nap_oversight::authz::EditPlan>(tenant);
    let nap = model::load_nap(&mut tx, nap).await.unwrap();
    let context = PlanContext::load(&mut tx, &nap).await.unwrap();
    let existing = app.count("select count(*) from activities").await as usize;
    for i in existing..existing + n {
        let draft = ActivityDraft {
            outcome: "1.1".into(),
            code: format!("1.1.{}", i + 1),
            title: format!("Activity {i}"),
            lead: if i % 2 == 0 {
                "MOL".into()
            } else {
                "CTU".into()
            },
            supporting: "EF".into(),
            budget: "100".into(),
            currency: "USD".into(),
            targets: "Q2/yearly, 2026Q3".into(),
            ..ActivityDraft::default()
        };
        let input = context.validate(&draft).unwrap();
        model::save_activity(&editor, &mut tx, &nap, None, &input)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn pages_run_the_same_number_of_queries_at_10_and_200_activities() {
    let (app, mut sec, nap) = plan_setup().await;
    app.member(
        "aland",
        "focal@aland.test",
        nap_oversight::authz::Role::Ministry,
        Some("MOL"),
        true,
    )
    .await;
    let mut focal = app.signed_in("focal@aland.test").await;
    let activity = |n: i64| format!("/t/aland/naps/{nap}/activities/{n}");
    let pages = [
        "/t/aland/".to_owned(),
        format!("/t/aland/naps/{nap}/dashboard"),
        format!("/t/aland/naps/{nap}/plan"),
        format!("/t/aland/naps/{nap}"),
        format!("/t/aland/naps/{nap}/activities?only=overdue"),
    ];
    let mut counts = Vec::new();
    for size in [10, 200] {
        let have = app.count("select count(*) from activities").await as usize;
        grow(&app, nap, size - have).await;
        let first = app.count("select min(id) from activities").await;
        let mut row = Vec::new();
        for page in pages.iter().cloned().chain([activity(first)]) {
            let (n, res) = count_queries(sec.get(&page)).await;
            assert_eq!(res.status, StatusCode::OK, "{page}");
            row.push((page, n));
        }
        let (n, res) = count_queries(focal.get("/t/aland/my-work")).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.texts("table.work tbody tr").len(), size / 2);
        row.push(("my work".to_owned(), n));
        counts.push(row);
    }
    for ((page, small), (_, large)) in counts[0].iter().zip(&counts[1]) {
        assert!(*small > 0, "{page}: queries are counted");
        assert_eq!(
            small, large,
            "{page}: {small} queries at 10 activities, {large} at 200"
        );
    }
}

#[tokio::test]
async fn the_grid_shows_the_plan_a_page_at_a_time_in_code_order() {
    let (app, mut sec, nap) = plan_setup().await;
    grow(&app, nap, 230).await;
    let grid = format!("/t/aland/naps/{nap}/plan");
    let mut seen = Vec::new();
    let mut path = grid.clone();
    for (page, rows) in [(1, 100), (2, 100), (3, 30)] {
        let res = sec.get(&path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        let codes = res.texts("tbody th.code");
        assert_eq!(codes.len(), rows, "page {page}");
        assert!(
            res.texts("caption")[0].starts_with("230 activities"),
            "{:?}",
            res.texts("caption")
        );
        let first = (page - 1) * 100 + 1;
        assert_eq!(
            res.texts(".pager p:first-child"),
            vec![format!("Activities {first}–{} of 230", first + rows - 1)]
        );
        seen.extend(codes);
        match res.attr(".pager a[rel=next]", "href") {
            Some(next) => path = next,
            None => assert_eq!(page, 3, "only the last page has no next link"),
        }
    }
    // People's order, not the text's: 1.1.9 before 1.1.10 before 1.1.100.
    let expected: Vec<String> = (1..=230).map(|i| format!("1.1.{i}")).collect();
    assert_eq!(seen, expected);
    let back = sec.get(&format!("{grid}?page=3")).await;
    assert_eq!(
        back.attr(".pager a[rel=prev]", "href").as_deref(),
        Some(format!("{grid}?page=2").as_str())
    );

    // A filter that chooses rows pages what it keeps, and the links keep it.
    let ctu = sec.get(&format!("{grid}?partner=CTU&year=2026")).await;
    assert!(ctu.texts("caption")[0].starts_with("115 activities"));
    assert_eq!(ctu.texts("tbody th.code").len(), 100);
    assert_eq!(ctu.texts("tbody th.code")[0], "1.1.2");
    let next = ctu.attr(".pager a[rel=next]", "href").unwrap();
    assert_eq!(next, format!("{grid}?partner=CTU&year=2026&page=2"));
    let rest = sec.get(&next).await;
    assert_eq!(rest.texts("tbody th.code").len(), 15);
    assert_eq!(rest.texts("tbody th.code").last().unwrap(), "1.1.230");

    // Nonsense page numbers show the first page.
    for bad in ["0", "-1", "x", "99999999999999999999", "184467440737095517"] {
        let res = sec.get(&format!("{grid}?page={bad}")).await;
        assert_eq!(res.status, StatusCode::OK, "{bad}");
        assert_eq!(res.texts("tbody th.code")[0], "1.1.1", "{bad}");
    }
}

#[tokio::test]
async fn my_work_shows_a_page_at_a_time_overdue_first() {
    let (app, _, nap) = plan_setup().await;
    app.member(
        "aland",
        "focal@aland.test",
        nap_oversight::authz::Role::Ministry,
        Some("MOL"),
        true,
    )
    .await;
    // MOL leads the odd-numbered activities, 115 of 230; every one has
    // targets in past quarters not yet met.
    grow(&app, nap, 230).await;
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "update target_occurrences set met_at = now()
         where activity_id = (select id from activities where code = '1.1.1')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let mut focal = app.signed_in("focal@aland.test").await;
    let first = focal.get("/t/aland/my-work").await;
    assert_eq!(first.status, StatusCode::OK);
    let codes = |page: &crate::common::Page| -> Vec<String> {
        page.texts("table.work tbody th a")
            .iter()
            .map(|t| t.split(' ').next().unwrap().to_owned())
            .collect()
    };
    let page_one = codes(&first);
    assert_eq!(page_one.len(), 100);
    // Overdue first, in people's order of codes; 1.1.1 has nothing overdue.
    assert_eq!(&page_one[..4], ["1.1.3", "1.1.5", "1.1.7", "1.1.9"]);
    assert_eq!(
        first.texts(".pager p:first-child"),
        vec!["Activities 1–100 of 115"]
    );
    let next = first.attr(".pager a[rel=next]", "href").unwrap();
    let second = focal.get(&next).await;
    let page_two = codes(&second);
    assert_eq!(page_two.len(), 15);
    assert_eq!(page_two.last().unwrap(), "1.1.1", "nothing overdue: last");
    assert!(second.attr(".pager a[rel=next]", "href").is_none());
    let mut all: Vec<String> = page_one.into_iter().chain(page_two).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 115, "every activity once");
    for bad in ["0", "x", "-3"] {
        let res = focal.get(&format!("/t/aland/my-work?page={bad}")).await;
        assert_eq!(codes(&res)[0], "1.1.3", "{bad}");
    }
}

/// Activities are read by their key alone; the NAP in the address must
/// still be theirs.
#[tokio::test]
async fn an_activity_is_found_only_under_its_own_nap() {
    let (app, mut sec, nap) = plan_setup().await;
    grow(&app, nap, 1).await;
    let activity = app.count("select min(id) from activities").await;
    let mut owner = app.owner_conn().await;
    let other: i64 = sqlx::query_scalar(
        "insert into naps (tenant_id, title, theme, start_year, end_year)
         select tenant_id, 'Another plan', 'other', 2025, 2029 from naps limit 1 returning id",
    )
    .fetch_one(&mut owner)
    .await
    .unwrap();
    for (base, expected) in [(nap, StatusCode::OK), (other, StatusCode::NOT_FOUND)] {
        for page in ["", "/edit", "/update"] {
            let path = format!("/t/aland/naps/{base}/activities/{activity}{page}");
            assert_eq!(sec.get(&path).await.status, expected, "{path}");
        }
    }
}
