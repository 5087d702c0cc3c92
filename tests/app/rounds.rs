//! Reporting rounds: who owes an update for a quarter, who sent it on time,
//! late or not at all, and a partner given more time, with its reason.

use axum::http::StatusCode;

use crate::common::{Client, OBSERVER, TestApp};
use crate::plan::{led_activity, plan_setup};

/// Activities of the test plan, each with its lead (and period).
async fn activities(sec: &mut Client, nap: i64) {
    for (code, lead, end) in [
        ("1.1.1", "MOL", ""),
        ("1.1.2", "MOL", ""),
        ("1.1.3", "CTU", ""),
        // Over before the quarter: not expected.
        ("1.1.4", "CTU", "2025Q4"),
        // Completed before the round opened: not expected.
        ("1.1.5", "EF", ""),
        // Nobody leads it: nobody owes it.
        ("1.1.6", "", ""),
    ] {
        led_activity(sec, nap, code, lead, &[("end", end)]).await;
    }
}

/// An update on activity `code`, as if posted on `day`.
async fn update_on(app: &TestApp, sec: &mut Client, nap: i64, code: &str, status: &str, day: &str) {
    let id = app
        .count(&format!("select id from activities where code = '{code}'"))
        .await;
    let progress = if status == "completed" { "100" } else { "40" };
    let res =
        crate::progress::post(sec, nap, id, &[("status", status), ("progress", progress)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // Updates never change: only the database's owner, its triggers off,
    // can date one in the past.
    let mut conn = app.owner_conn().await;
    sqlx::query("set session_replication_role = replica")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&format!(
        "update status_updates set created_at = '{day} 12:00+00' where activity_id = {id}"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
}

fn rows(page: &crate::common::Page) -> Vec<String> {
    page.texts("table.round-table tbody tr")
}

#[tokio::test]
async fn a_round_says_who_reported_on_time_late_or_not_and_a_partner_gets_more_time() {
    let (app, mut sec, nap) = plan_setup().await;
    activities(&mut sec, nap).await;
    update_on(&app, &mut sec, nap, "1.1.5", "completed", "2026-08-01").await;
    update_on(&app, &mut sec, nap, "1.1.1", "on-track", "2026-10-01").await;
    update_on(&app, &mut sec, nap, "1.1.2", "delayed", "2026-10-20").await;
    let round = format!("/t/aland/naps/{nap}/rounds/2026Q3");

    // Open from 16 September, due 15 October (14 and 15 days).
    let page = sec.get(&round).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.texts("p.round-window"),
        [
            "Open from 16 Sep 2026; updates are due by 15 Oct 2026. An update posted after the deadline still counts, marked late."
        ]
    );
    assert_eq!(
        rows(&page),
        ["CTU 1 0 0 1 0 15 Oct 2026", "MOL 2 1 1 0 0 15 Oct 2026"]
    );
    assert_eq!(
        page.texts("table.round-table tfoot tr"),
        ["All partners 3 1 1 1 0"]
    );
    // Each activity behind the counts, with a link to it.
    let listed = page.texts("section.round-partner li");
    assert!(
        listed
            .iter()
            .any(|l| l.starts_with("1.1.2 Inspect farms : Late (20 Oct 2026)")),
        "{listed:?}"
    );
    assert!(
        listed
            .iter()
            .any(|l| l.starts_with("1.1.3 Inspect farms : Missing")),
        "{listed:?}"
    );
    assert_eq!(listed.len(), 3, "{listed:?}");

    // The form proposes two weeks after the round's deadline.
    assert_eq!(
        page.attr("#f-due_on", "value").as_deref(),
        Some("2026-10-29")
    );
    // More time for CTU: checked beside each field, and what was typed stays.
    let ctu = app
        .count("select id from partners where acronym = 'CTU'")
        .await
        .to_string();
    let extend = format!("{round}/extensions");
    for (fields, field, message) in [
        (
            vec![
                ("partner", ctu.as_str()),
                ("due_on", "soon"),
                ("reason", "Staff change"),
            ],
            "due_on",
            "Write the date as 2027-06-30.",
        ),
        (
            vec![
                ("partner", ctu.as_str()),
                ("due_on", "2026-10-10"),
                ("reason", "Staff change"),
            ],
            "due_on",
            "The new deadline must come after the round's, 15 Oct 2026.",
        ),
        (
            vec![
                ("partner", ctu.as_str()),
                ("due_on", "2026-12-31"),
                ("reason", " "),
            ],
            "reason",
            "Fill in this field.",
        ),
        (
            vec![
                ("partner", "0"),
                ("due_on", "2026-12-31"),
                ("reason", "Staff change"),
            ],
            "partner",
            "Choose one of the options in the list.",
        ),
    ] {
        let res = sec.submit(&round, &extend, &fields).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert_eq!(res.texts(&format!("#f-{field}-error")), [message]);
        assert_eq!(res.attr("#f-due_on", "value").as_deref(), Some(fields[1].1));
    }
    assert_eq!(app.count("select count(*) from round_extensions").await, 0);
    let res = sec
        .submit(
            &round,
            &extend,
            &[
                ("partner", &ctu),
                ("due_on", "2026-12-31"),
                ("reason", "Staff change"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = sec.get(&round).await;
    assert_eq!(
        rows(&page),
        [
            "CTU 1 0 0 0 1 31 Dec 2026 (extended: Staff change)",
            "MOL 2 1 1 0 0 15 Oct 2026"
        ]
    );
    // The history keeps it.
    assert_eq!(
        app.count("select count(*) from audit_log where object_type = 'round_extensions'")
            .await,
        1
    );

    // An observer reads the round but cannot extend it.
    let mut observer = app.signed_in(OBSERVER).await;
    let seen = observer.get(&round).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.texts("#extend-heading").is_empty());
    let token = seen.csrf();
    let res = observer
        .post(
            &extend,
            &[
                ("csrf", &token),
                ("partner", &ctu),
                ("due_on", "2027-01-31"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // A later deadline for every round is a setting: MOL's update of the
    // 20th is then on time.
    let settings = "/t/aland/settings";
    let res = sec
        .submit(
            settings,
            settings,
            &[("stale_days", "60"), ("round_due_days", "91")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-round_due_days-error"),
        ["Write a number of days from 0 to 90."]
    );
    let res = sec
        .submit(
            settings,
            settings,
            &[("stale_days", "60"), ("round_due_days", "30")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = sec.get(&round).await;
    assert_eq!(rows(&page)[1], "MOL 2 2 0 0 0 30 Oct 2026");

    // A quarter outside the plan, or no quarter at all, is no page; the
    // links go from round to round within the plan.
    assert_eq!(
        sec.get(&format!("/t/aland/naps/{nap}/rounds/2024Q4"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let first = sec.get(&format!("/t/aland/naps/{nap}/rounds/2025Q1")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(!first.body.contains("rounds/2024Q4"));
    assert!(first.body.contains("rounds/2025Q2"));
    // A bad quarter in the address is no page.
    assert_eq!(
        sec.get(&format!("/t/aland/naps/{nap}/rounds/2026Q9"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The dashboard: each partner's timeliness over the closed rounds, and
    // how complete the round answered now is.
    let today = time::OffsetDateTime::now_utc().date();
    let closed = |due: &dyn Fn(i32) -> time::Date, from: i32, to: i32| {
        (from..=to).filter(|q| due(*q) < today).count() as i64
    };
    let due30 = |q: i32| last_day(q) + time::Duration::days(30);
    let (first, q3, last) = (2025 * 4, 2026 * 4 + 2, 2029 * 4 + 3);
    let mol = closed(&due30, first, last);
    // CTU: 1.1.3 every round, its 2026Q3 deadline extended to 31 December;
    // 1.1.4 the four rounds of 2025.
    let ctu_due = |q: i32| {
        if q == q3 {
            time::macros::date!(2026 - 12 - 31)
        } else {
            due30(q)
        }
    };
    let ctu = closed(&ctu_due, first, last) + 4;
    let percent = |on_time: i64, expected: i64| (on_time * 100 + expected / 2) / expected;
    let dashboard = sec.get(&format!("/t/aland/naps/{nap}/dashboard")).await;
    let partners = dashboard.texts("table.partners-table tbody tr td.timeliness");
    // Rows by acronym: CTU, EF (1.1.5, six rounds before it was completed,
    // its update too late for 2026Q2), MOL (two of its updates on time).
    assert_eq!(
        partners,
        [
            format!("{} %", percent(0, ctu)),
            "0 %".to_string(),
            format!("{} %", percent(2, 2 * mol))
        ]
    );
    let window = current_round(today, 30);
    let round_text = dashboard.texts("p.round-status");
    assert_eq!(round_text.len(), 1, "{}", dashboard.body);
    assert!(
        round_text[0].contains(&format!("Reporting round {}", window.0)),
        "{round_text:?}"
    );
    assert_eq!(
        dashboard.attr("a.round-link", "href").as_deref(),
        Some(format!("/t/aland/naps/{nap}/rounds/{}", compact(&window.0)).as_str())
    );
    // A focal point of MOL sees the round first on "My work", with its
    // deadline and what it owes.
    app.member(
        "aland",
        "fp@aland.test",
        nap_oversight::authz::Role::Ministry,
        Some("MOL"),
        true,
    )
    .await;
    let mut focal = app.signed_in("fp@aland.test").await;
    let work = focal.get("/t/aland/my-work").await;
    assert_eq!(work.status, StatusCode::OK);
    assert_eq!(
        work.texts("section.my-round p.round-deadline")[0],
        format!(
            "Your updates for this round are due by {}. · the round's page",
            window.1
        )
    );
    assert_eq!(work.texts("section.my-round ul.round-items li").len(), 2);

    // The dashboard's figures are the round page's totals: updates in (on
    // time and late) of those expected. An update posted now answers one
    // once the round is open, which it is today when it opens 90 days
    // before its quarter ends.
    let mut owner = app.owner_conn().await;
    sqlx::query("update tenants set round_opens_days = 90")
        .execute(&mut owner)
        .await
        .unwrap();
    let round_now = format!("/t/aland/naps/{nap}/rounds/{}", compact(&window.0));
    let totals = |page: &crate::common::Page| -> Vec<usize> {
        page.texts("table.round-table tfoot tr")[0]
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect()
    };
    let before = sec.get(&round_now).await;
    let awaited = before.attr("section.round-partner li.awaited a", "href");
    let id: i64 = awaited
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let before = totals(&before);
    let res = crate::progress::post(
        &mut sec,
        nap,
        id,
        &[("status", "on-track"), ("progress", "50")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let totals = totals(&sec.get(&round_now).await);
    assert_eq!(totals[0], before[0], "{before:?} {totals:?}");
    assert_eq!(
        totals[1] + totals[2],
        before[1] + before[2] + 1,
        "{before:?} {totals:?}"
    );
    let dashboard = sec.get(&format!("/t/aland/naps/{nap}/dashboard")).await;
    let status = dashboard.texts("p.round-status");
    assert!(
        status[0].contains(&format!(
            "{} of {} expected updates in",
            totals[1] + totals[2],
            totals[0]
        )),
        "{status:?} {totals:?}"
    );
}

/// "Q4 2026" as an address writes it: "2026Q4".
fn compact(quarter: &str) -> String {
    let (q, year) = quarter.split_once(' ').unwrap();
    format!("{year}{q}")
}

/// The last day of the quarter of index `q` (year * 4 + quarter - 1).
fn last_day(q: i32) -> time::Date {
    let (year, quarter) = (q.div_euclid(4), q.rem_euclid(4));
    let next = if quarter == 3 {
        time::Date::from_calendar_date(year + 1, time::Month::January, 1)
    } else {
        time::Date::from_calendar_date(
            year,
            time::Month::try_from(quarter as u8 * 3 + 4).unwrap(),
            1,
        )
    };
    next.unwrap() - time::Duration::days(1)
}

/// The round answered on `today` ("Q4 2026") and its deadline as pages
/// write it.
fn current_round(today: time::Date, due: i64) -> (String, String) {
    let this = today.year() * 4 + (today.month() as i32 - 1) / 3;
    let q = if today <= last_day(this - 1) + time::Duration::days(due) {
        this - 1
    } else {
        this
    };
    let deadline = last_day(q) + time::Duration::days(due);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][deadline.month() as usize - 1];
    (
        format!("Q{} {}", q.rem_euclid(4) + 1, q.div_euclid(4)),
        format!("{} {month} {}", deadline.day(), deadline.year()),
    )
}

#[tokio::test]
async fn a_plan_may_expect_updates_from_supporting_partners_too() {
    let (app, mut sec, nap) = plan_setup().await;
    led_activity(&mut sec, nap, "1.1.1", "MOL", &[("supporting", "CTU")]).await;
    // The lead's update, late; nothing from the supporting partner.
    update_on(&app, &mut sec, nap, "1.1.1", "on-track", "2026-10-20").await;
    let round = format!("/t/aland/naps/{nap}/rounds/2026Q3");
    let page = sec.get(&round).await;
    assert_eq!(rows(&page), ["MOL 1 0 1 0 0 15 Oct 2026"]);
    // The secretariat says supporting partners owe updates too.
    let res = sec
        .submit(
            &round,
            &format!("{round}/supporting"),
            &[("supporting", "on")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = sec.get(&round).await;
    assert_eq!(
        rows(&page),
        ["CTU 1 0 0 1 0 15 Oct 2026", "MOL 1 0 1 0 0 15 Oct 2026"]
    );
    assert_eq!(
        page.texts("p.round-who"),
        ["Each activity's lead organisation and each supporting organisation owe an update."]
    );
    // An observer cannot change it.
    let mut observer = app.signed_in(OBSERVER).await;
    let seen = observer.get(&round).await;
    assert!(seen.texts("form.round-supporting").is_empty());
    let res = observer
        .post(&format!("{round}/supporting"), &[("csrf", &seen.csrf())])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Unticked, back to the lead alone.
    let res = sec
        .submit(&round, &format!("{round}/supporting"), &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(rows(&sec.get(&round).await), ["MOL 1 0 1 0 0 15 Oct 2026"]);
}
