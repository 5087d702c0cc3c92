use axum::http::StatusCode;

use crate::common::{Client, SEC, TestApp};

/// `aland` with its secretariat (signed in) and observer, and a NAP
/// 2025–2029 with one objective (1) and one outcome (1.1).
pub async fn plan_setup() -> (TestApp, Client, i64) {
    let app = TestApp::init().with_aland().with_plan().build().await;
    let sec = app.signed_in(SEC).await;
    let nap = app.nap();
    (app, sec, nap)
}

/// Adds activity `code` of outcome 1.1, "Inspect farms", led by `lead`
/// (and the `more` fields), and checks it was saved.
pub async fn led_activity(
    sec: &mut Client,
    nap: i64,
    code: &str,
    lead: &str,
    more: &[(&str, &str)],
) {
    let mut fields = vec![
        ("outcome", "1.1"),
        ("code", code),
        ("title", "Inspect farms"),
        ("lead", lead),
    ];
    fields.extend_from_slice(more);
    let res = add_activity(sec, nap, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

pub async fn add_activity(
    sec: &mut Client,
    nap: i64,
    fields: &[(&str, &str)],
) -> crate::common::Page {
    let path = format!("/t/aland/naps/{nap}/activities/new");
    sec.submit(&path, &path, fields).await
}

#[tokio::test]
async fn a_periodic_target_expands_over_an_activity_starting_mid_year() {
    let (app, mut sec, nap) = plan_setup().await;
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Awareness campaign"),
            ("lead", "MOL"),
            ("supporting", "CTU, ef"),
            ("start", "2026Q3"),
            ("end", "2028Q2"),
            ("level", "national"),
            ("budget", "40 000"),
            ("currency", "usd"),
            ("targets", "Q2/yearly, 2026Q4"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let quarters: Vec<i32> = {
        let mut conn = app.owner_conn().await;
        sqlx::query_scalar("select quarter_index from target_occurrences order by quarter_index")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    // 2026Q4, then Q2 of 2027 and 2028 (2026Q2 is before the activity starts).
    assert_eq!(quarters, vec![2026 * 4 + 3, 2027 * 4 + 1, 2028 * 4 + 1]);
    assert_eq!(app.count("select count(*) from activity_partners").await, 2);
    assert_eq!(app.count("select budget from activities").await, 40000);

    let page = sec.get(res.raw_location()).await;
    assert_eq!(page.texts("h1"), vec!["1.1.1 Awareness campaign"]);
    assert_eq!(page.texts(".occurrences li").len(), 3);

    // Narrowing the period drops the occurrences that fall outside it.
    let activity = res.location().rsplit('/').next().unwrap().to_owned();
    let edit = format!("/t/aland/naps/{nap}/activities/{activity}/edit");
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("outcome", "1.1"),
                ("code", "1.1.1"),
                ("title", "Awareness campaign"),
                ("lead", "MOL"),
                ("start", "2026Q3"),
                ("end", "2027Q4"),
                ("targets", "Q2/yearly, 2026Q4"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        app.count("select count(*) from target_occurrences").await,
        2
    );
    assert_eq!(app.count("select count(*) from activity_partners").await, 0);
}

#[tokio::test]
async fn bad_activity_input_is_answered_beside_each_field() {
    let (app, mut sec, nap) = plan_setup().await;
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "9.9"),
            ("code", "1..1"),
            ("title", ""),
            ("lead", "XYZ"),
            ("supporting", "MOL, NOPE"),
            ("start", "2031Q1"),
            ("end", "whenever"),
            ("budget", "lots"),
            ("currency", "dollars"),
            ("targets", "2024Q1, someday"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = |field: &str| res.texts(&format!("#f-{field}-error")).join("");
    assert_eq!(
        error("outcome"),
        "There is no outcome with the code 9.9 in this NAP."
    );
    assert_eq!(
        error("code"),
        "Write a code such as 2.1.3: numbers or letters separated by dots."
    );
    assert_eq!(error("title"), "Fill in this field.");
    assert_eq!(error("lead"), "No partner has the acronym XYZ.");
    assert_eq!(error("supporting"), "No partner has the acronym NOPE.");
    assert_eq!(error("start"), "2031Q1 is outside the NAP's period.");
    assert_eq!(
        error("end"),
        "“whenever” is not a quarter: write it as 2027Q3."
    );
    assert_eq!(
        error("budget"),
        "“lots” is not an amount: write a whole number such as 25000."
    );
    assert_eq!(
        error("currency"),
        "“dollars” is not a currency code: use three capital letters such as USD."
    );
    assert_eq!(
        error("targets"),
        "“someday” is not a time target: write a quarter (2027Q3), a quarter every year (Q2/yearly) or a year (2027)."
    );
    assert_eq!(
        res.attr("#f-supporting", "value").as_deref(),
        Some("MOL, NOPE"),
        "keeps what was typed"
    );
    assert_eq!(res.attr("#f-budget", "value").as_deref(), Some("lots"));

    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "T"),
            ("targets", "2024Q1"),
        ],
    )
    .await;
    assert_eq!(
        res.texts("#f-targets-error"),
        vec!["The target Q1 2024 falls outside the activity's period."]
    );
    assert_eq!(app.count("select count(*) from activities").await, 0);

    assert_eq!(
        add_activity(
            &mut sec,
            nap,
            &[("outcome", "1.1"), ("code", "1.1.1"), ("title", "T")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let res = add_activity(
        &mut sec,
        nap,
        &[("outcome", "1.1"), ("code", "1.1.1"), ("title", "Again")],
    )
    .await;
    assert_eq!(
        res.texts("#f-code-error"),
        vec!["This code is already used in this NAP."]
    );
}

#[tokio::test]
async fn the_grid_shows_targets_by_quarter_with_their_state() {
    let (app, mut sec, nap) = plan_setup().await;
    for (code, lead, level, targets) in [
        ("1.1.2", "MOL", "national", "Q1/yearly"),
        ("1.1.10", "CTU", "local", "2025Q1, 2029Q4"),
    ] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", code),
                ("title", &format!("Activity {code}")),
                ("lead", lead),
                ("level", level),
                ("targets", targets),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    // The first occurrence of 1.1.2 (2025Q1) was met; the other past ones were not.
    let mut conn = app.owner_conn().await;
    sqlx::query("update target_occurrences set met_at = now() where quarter_index = 2025 * 4 and activity_id = (select id from activities where code = '1.1.2')")
        .execute(&mut conn)
        .await
        .unwrap();

    let grid = sec.get(&format!("/t/aland/naps/{nap}/plan")).await;
    assert_eq!(grid.status, StatusCode::OK);
    assert_eq!(
        grid.texts("thead th.year"),
        vec!["2025", "2026", "2027", "2028", "2029"]
    );
    assert_eq!(grid.texts("thead th.q").len(), 20);
    assert_eq!(grid.texts(".objective-row th"), vec!["1 Prevention"]);
    assert_eq!(
        grid.texts(".outcome-row th"),
        vec!["1.1 People know their rights"]
    );
    // Codes in reading order: 1.1.2 before 1.1.10.
    assert_eq!(grid.texts("tbody th.code"), vec!["1.1.2", "1.1.10"]);
    let row = |code: &str| {
        let html = grid.html();
        let tr = scraper::Selector::parse("tbody tr").unwrap();
        let td = scraper::Selector::parse("td.cell").unwrap();
        html.select(&tr)
            .find(|r| r.text().any(|t| t == code))
            .map(|r| {
                r.select(&td)
                    .map(|c| {
                        c.text()
                            .filter(|t| !["●", "✕", "○"].contains(t))
                            .collect::<Vec<_>>()
                            .join("+")
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap()
    };
    let today = nap_oversight::features::plan::quarter::Quarter::current();
    let cells = row("1.1.2");
    assert_eq!(cells.len(), 20);
    assert_eq!(cells[0], "Met");
    for (i, cell) in cells.iter().enumerate().skip(1) {
        let quarter = 2025 * 4 + i as i32;
        let expected = match (i % 4, quarter < today.index()) {
            (0, true) => "Missed",
            (0, false) => "Pending",
            _ => "",
        };
        assert_eq!(cell, expected, "cell {i}");
    }
    assert_eq!(
        grid.texts("th.q.current").len(),
        usize::from((2025..=2029).contains(&today.year))
    );

    // Filters: partner (lead or supporting), level, year, state.
    let only = |path: String| async move { path };
    let mut sec2 = sec;
    let g = sec2
        .get(&only(format!("/t/aland/naps/{nap}/plan?partner=CTU")).await)
        .await;
    assert_eq!(g.texts("tbody th.code"), vec!["1.1.10"]);
    let g = sec2
        .get(&format!("/t/aland/naps/{nap}/plan?level=national"))
        .await;
    assert_eq!(g.texts("tbody th.code"), vec!["1.1.2"]);
    let g = sec2
        .get(&format!("/t/aland/naps/{nap}/plan?year=2027"))
        .await;
    assert_eq!(g.texts("thead th.year"), vec!["2027"]);
    assert_eq!(g.texts("thead th.q").len(), 4);
    let g = sec2
        .get(&format!("/t/aland/naps/{nap}/plan?state=met"))
        .await;
    assert_eq!(g.texts("tbody th.code"), vec!["1.1.2"]);
}

#[tokio::test]
async fn observers_read_the_plan_but_cannot_change_it() {
    let (app, mut sec, nap) = plan_setup().await;
    assert_eq!(
        add_activity(
            &mut sec,
            nap,
            &[("outcome", "1.1"), ("code", "1.1.1"), ("title", "T")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let activity = app.count("select id from activities").await;
    let objective = app.count("select id from objectives").await;
    let mut obs = app.signed_in("obs@aland.test").await;
    for path in [
        "/t/aland/naps".to_owned(),
        format!("/t/aland/naps/{nap}"),
        format!("/t/aland/naps/{nap}/plan"),
        format!("/t/aland/naps/{nap}/activities/{activity}"),
    ] {
        let res = obs.get(&path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(
            res.texts("main a")
                .iter()
                .all(|a| a != "Edit the NAP" && a != "Edit the activity"),
            "{path} shows no edit links"
        );
    }
    let token = obs.get("/t/aland/naps").await.csrf();
    for path in [
        "/t/aland/naps/new".to_owned(),
        format!("/t/aland/naps/{nap}/edit"),
        format!("/t/aland/naps/{nap}/delete"),
        format!("/t/aland/naps/{nap}/objectives/new"),
        format!("/t/aland/naps/{nap}/objectives/{objective}/edit"),
        format!("/t/aland/naps/{nap}/activities/new"),
        format!("/t/aland/naps/{nap}/activities/{activity}/edit"),
        format!("/t/aland/naps/{nap}/activities/{activity}/delete"),
    ] {
        assert_eq!(
            obs.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
        let res = obs
            .post(
                &path,
                &[("csrf", &token), ("title", "Hijacked"), ("code", "9")],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    for action in ["publish", "unpublish"] {
        let res = obs
            .post(
                &format!("/t/aland/naps/{nap}/{action}"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.count(
            "select count(*) from naps where title = 'Plan against forced labour' and not published"
        )
        .await,
        1
    );
    assert_eq!(app.count("select count(*) from activities").await, 1);
}

#[tokio::test]
async fn deleting_asks_first_and_changing_the_period_keeps_targets_inside() {
    let (app, mut sec, nap) = plan_setup().await;
    assert_eq!(
        add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", "1.1.1"),
                ("title", "T"),
                ("targets", "2029Q2, Q1/yearly")
            ]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let edit = format!("/t/aland/naps/{nap}/edit");
    let fields = |end: &'static str| {
        vec![
            ("title", "Plan against forced labour"),
            ("theme", "forced-labour"),
            ("start_year", "2025"),
            ("end_year", end),
            ("status", "adopted"),
        ]
    };
    let res = sec.submit(&edit, &edit, &fields("2028")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-end_year-error"),
        vec!["Activity 1.1.1 has quarters or targets outside these years: change it first."]
    );
    let res = sec.submit(&edit, &edit, &fields("2031")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // Q1 every year now also falls in 2030 and 2031.
    assert_eq!(
        app.count("select count(*) from target_occurrences").await,
        1 + 7
    );

    let confirm = sec.get(&format!("/t/aland/naps/{nap}/delete")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.texts("main p")[0].contains("Plan against forced labour"));
    let res = sec
        .post(
            &format!("/t/aland/naps/{nap}/delete"),
            &[("csrf", &confirm.csrf()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("select count(*) from naps").await, 0);
    assert_eq!(
        app.count("select count(*) from target_occurrences").await,
        0
    );
}

#[tokio::test]
async fn the_demo_plan_is_a_five_year_plan_of_forty_activities() {
    let app = TestApp::new().await;
    nap_oversight::demo::load(&app.pool, &nap_oversight::password::Hasher::new(1))
        .await
        .unwrap();
    nap_oversight::demo::load(&app.pool, &nap_oversight::password::Hasher::new(1))
        .await
        .unwrap();
    assert_eq!(app.count("select count(*) from naps").await, 1);
    assert_eq!(app.count("select count(*) from activities").await, 40);
    assert!(
        app.count("select count(*) from time_targets where year is null")
            .await
            > 10
    );
    assert!(
        app.count("select count(*) from time_targets where year is not null")
            .await
            > 10
    );
    let mut sec = app.signed_in("secretariat@veridia.example").await;
    let nap = app.count("select id from naps").await;
    let grid = sec.get(&format!("/t/veridia/naps/{nap}/plan")).await;
    assert_eq!(grid.status, StatusCode::OK);
    assert_eq!(grid.texts("tbody th.code").len(), 40);
    assert_eq!(grid.texts("thead th.year").len(), 5);
    // Each demo tenant has an oversight committee (two published versions of
    // its terms of reference, three meetings), a coordination group (a
    // meeting held three weeks ago and one in a week) and a sub-group (a
    // meeting in a month).
    assert_eq!(app.count("select count(*) from committees").await, 6);
    assert_eq!(
        app.count("select count(*) from tor_versions where version is not null")
            .await,
        4
    );
    assert_eq!(app.count("select count(*) from meetings").await, 12);
    assert_eq!(app.count("select count(*) from decisions").await, 10);
    let oversight = app.count("select id from committees where name = 'National Oversight Committee on Forced Labour'").await;
    let mut visitor = app.client();
    let public = visitor
        .get(&format!("/p/veridia/committees/{oversight}/tor"))
        .await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.texts("ul.tor-versions li").len(), 2);
    let home = sec.get("/t/veridia/").await;
    assert!(
        !home.texts(".late-actions li").is_empty(),
        "the demo's late action points on the dashboard"
    );
    assert!(
        !home.texts(".risk-list li").is_empty(),
        "risks on the dashboard"
    );
    // Two confidential records on the referral activity, loaded once: the
    // secretariat sees only "fewer than 5", their keeper sees both.
    assert_eq!(
        app.count("select count(*) from confidential_records").await,
        2
    );
    let referral = app
        .count("select id from activities where code = '2.1.4'")
        .await;
    let page = format!("/t/veridia/naps/{nap}/activities/{referral}");
    let seen = sec.get(&page).await;
    assert!(seen.body.contains("Fewer than 5 confidential records"));
    assert!(seen.texts(".confidential-records li").is_empty());
    let mut keeper = app.signed_in("ministry@veridia.example").await;
    assert_eq!(
        keeper
            .get(&page)
            .await
            .texts(".confidential-records li")
            .len(),
        2
    );
}

#[tokio::test]
async fn the_public_page_shows_only_published_naps_and_no_budgets() {
    let (app, mut sec, nap) = plan_setup().await;
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Hotline for workers"),
            ("lead", "MOL"),
            ("budget", "987654"),
            ("currency", "USD"),
            ("targets", "Q2/yearly"),
            ("description", "Internal note on costs"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let mut visitor = app.client();
    let public = format!("/p/aland/naps/{nap}");
    assert_eq!(
        visitor.get(&public).await.status,
        StatusCode::NOT_FOUND,
        "not published yet"
    );
    assert!(visitor.get("/p/aland/").await.texts("main a").is_empty());

    let res = sec
        .submit(
            &format!("/t/aland/naps/{nap}"),
            &format!("/t/aland/naps/{nap}/publish"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = visitor.get(&public).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), vec!["Plan against forced labour"]);
    assert_eq!(page.texts("tbody th.code"), vec!["1.1.1"]);
    assert!(page.texts("td.what")[0].contains("Hotline for workers"));
    assert!(page.texts("td.what")[0].contains("MOL"));
    assert!(
        !page.body.contains("987654") && !page.body.contains("Internal note"),
        "no budgets or notes"
    );
    assert!(
        page.html()
            .select(&scraper::Selector::parse("form").unwrap())
            .next()
            .is_none()
    );
    assert_eq!(
        visitor.get("/p/aland/").await.texts("main .cards a"),
        vec!["Plan against forced labour"]
    );

    // Another tenant's address never shows it, and unpublishing removes it.
    app.tenant("borea").await;
    assert_eq!(
        visitor.get(&format!("/p/borea/naps/{nap}")).await.status,
        StatusCode::NOT_FOUND
    );
    let res = sec
        .submit(
            &format!("/t/aland/naps/{nap}"),
            &format!("/t/aland/naps/{nap}/unpublish"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(visitor.get(&public).await.status, StatusCode::NOT_FOUND);
    let mut conn = app.owner_conn().await;
    sqlx::query("update naps set published = true")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("update tenants set public_portal = false where slug = 'aland'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        visitor.get(&public).await.status,
        StatusCode::NOT_FOUND,
        "the portal is closed"
    );
}

#[tokio::test]
async fn the_secretariat_keeps_the_partner_registry() {
    let (app, mut sec, nap) = plan_setup().await;
    let res = sec
        .submit(
            "/t/aland/partners/new",
            "/t/aland/partners/new",
            &[
                ("acronym", "mol"),
                ("name", ""),
                ("kind", "workers"),
                ("portfolio", "labour"),
                ("level", "national"),
                ("constituency", "workers"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-name-error"), vec!["Fill in this field."]);
    assert_eq!(
        res.texts("#f-portfolio-error"),
        vec!["Only a ministry has a portfolio."]
    );
    assert_eq!(res.attr("#f-acronym", "value").as_deref(), Some("mol"));
    let res = sec
        .submit(
            "/t/aland/partners/new",
            "/t/aland/partners/new",
            &[
                ("acronym", "mol"),
                ("name", "Twin"),
                ("kind", "ministry"),
                ("level", "national"),
                ("constituency", "government"),
            ],
        )
        .await;
    assert_eq!(
        res.texts("#f-acronym-error"),
        vec!["Another partner already has this acronym."]
    );

    let res = sec
        .submit(
            "/t/aland/partners/new",
            "/t/aland/partners/new",
            &[
                ("acronym", "LI"),
                ("name", "Labour Inspectorate"),
                ("kind", "labour-inspection"),
                ("level", "national"),
                ("constituency", "government"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let list = sec.get("/t/aland/partners").await;
    assert!(list.texts("tbody th").contains(&"LI".to_owned()));

    // A partner that leads an activity cannot be deleted.
    assert_eq!(
        add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", "1.1.1"),
                ("title", "T"),
                ("lead", "LI")
            ]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let li = app
        .count("select id from partners where acronym = 'LI'")
        .await;
    let confirm = sec.get(&format!("/t/aland/partners/{li}/delete")).await;
    assert_eq!(confirm.texts("[role=alert]").len(), 1);
    let res = sec
        .post(
            &format!("/t/aland/partners/{li}/delete"),
            &[("csrf", &confirm.csrf())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select count(*) from partners where acronym = 'LI'")
            .await,
        1
    );

    let mut obs = app.signed_in("obs@aland.test").await;
    assert_eq!(obs.get("/t/aland/partners").await.status, StatusCode::OK);
    assert_eq!(
        obs.get("/t/aland/partners/new").await.status,
        StatusCode::FORBIDDEN
    );
}
