//! The clock of the oversight cycle, moved by the test: a round's opening,
//! its deadline a week and a day ahead, overdue reminders at most once a
//! week with the secretariat told from the second week, a catch-up after
//! downtime that sends one reminder and not every one missed, and digests
//! that gather what was not mailed at once and are never sent empty.

use axum::http::StatusCode;
use nap_oversight::authz::Role;
use nap_oversight::features::notifications::cycle::tick;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::common::TestApp;
use crate::mail::FOCAL;
use crate::plan::{led_activity, plan_setup};

/// The kinds of the notifications `email` has, oldest first.
async fn kinds(app: &TestApp, email: &str) -> Vec<String> {
    let mut conn = app.owner_conn().await;
    sqlx::query_scalar(
        "select n.kind || coalesce(':' || split_part(n.event_key, ':', 5), '')
         from notifications n join users u on u.id = n.user_id
         where u.email = $1 order by n.id",
    )
    .bind(email)
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

async fn at(app: &TestApp, when: OffsetDateTime) -> u64 {
    tick(&app.pool, when).await.unwrap().notified
}

#[tokio::test]
async fn reminders_come_once_each_overdue_ones_weekly_and_a_catch_up_sends_one() {
    let (app, mut sec, nap) = plan_setup().await;
    app.member("aland", FOCAL, Role::Ministry, Some("MOL"), true)
        .await;
    for code in ["1.1.1", "1.1.2"] {
        led_activity(&mut sec, nap, code, "MOL", &[]).await;
    }
    // The 2026Q3 round: open from 16 September, due 15 October.
    assert_eq!(at(&app, datetime!(2026-09-10 08:00 UTC)).await, 0);
    assert_eq!(at(&app, datetime!(2026-09-16 08:00 UTC)).await, 1);
    assert_eq!(kinds(&app, FOCAL).await, ["round_opened:opened"]);
    // The same day again, or from a second process: nothing new.
    assert_eq!(at(&app, datetime!(2026-09-16 09:00 UTC)).await, 0);
    assert_eq!(at(&app, datetime!(2026-10-01 08:00 UTC)).await, 0);
    assert_eq!(at(&app, datetime!(2026-10-08 08:00 UTC)).await, 1);
    assert_eq!(at(&app, datetime!(2026-10-14 08:00 UTC)).await, 1);
    assert_eq!(at(&app, datetime!(2026-10-15 08:00 UTC)).await, 0);
    // Overdue: once a week, however often the clock runs.
    for day in 16..=22 {
        let when = OffsetDateTime::new_utc(
            time::Date::from_calendar_date(2026, time::Month::October, day).unwrap(),
            time::Time::from_hms(8, 0, 0).unwrap(),
        );
        at(&app, when).await;
    }
    assert_eq!(at(&app, datetime!(2026-10-23 08:00 UTC)).await, 1);
    assert_eq!(
        kinds(&app, FOCAL).await,
        [
            "round_opened:opened",
            "round_due_7:due7",
            "round_due_1:due1",
            "round_overdue:overdue",
            "round_overdue:overdue"
        ]
    );
    // From the second week the secretariat hears of it too.
    assert!(kinds(&app, crate::common::SEC).await.is_empty());
    assert_eq!(at(&app, datetime!(2026-10-30 08:00 UTC)).await, 2);
    assert_eq!(
        kinds(&app, crate::common::SEC).await,
        ["round_overdue_summary:overdue"]
    );
    // A month of downtime: one reminder on return, not four.
    assert_eq!(at(&app, datetime!(2026-12-01 08:00 UTC)).await, 2);
    assert_eq!(kinds(&app, FOCAL).await.len(), 7);
    // The message says what is owed and by when, and leads to the round.
    let mut conn = app.owner_conn().await;
    let (link, params): (String, serde_json::Value) = sqlx::query_as(
        "select link, params from notifications n join users u on u.id = n.user_id
         where u.email = $1 order by n.id desc limit 1",
    )
    .bind(FOCAL)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(link, format!("/t/aland/naps/{nap}/rounds/2026Q3"));
    assert_eq!(params["count"], "2");
    assert_eq!(params["partner"], "MOL");
    assert_eq!(params["due"], "2026-10-15");
    // Reminders come at once by default: one message each, none twice.
    assert_eq!(
        app.count("select count(*) from mail_outbox where kind = 'notice'")
            .await,
        app.count("select count(*) from notifications").await
    );
}

#[tokio::test]
async fn a_digest_gathers_what_was_not_mailed_and_is_never_sent_empty() {
    let (app, mut sec, nap) = plan_setup().await;
    app.member("aland", FOCAL, Role::Ministry, Some("MOL"), true)
        .await;
    led_activity(&mut sec, nap, "1.1.1", "MOL", &[("end", "2025Q4")]).await;
    let a = app.count("select id from activities").await;
    let act = format!("/t/aland/naps/{nap}/activities/{a}");
    for body in ["One", "Two"] {
        let res = sec
            .submit(&act, &format!("{act}/comments"), &[("body", body)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    }
    let now = OffsetDateTime::now_utc();
    let digests = |when: OffsetDateTime| {
        let app = &app;
        async move { tick(&app.pool, when).await.unwrap().digests }
    };
    // Comments come in the weekly digest: not before a week has passed.
    assert_eq!(digests(now).await, 0);
    assert_eq!(digests(now + time::Duration::days(8)).await, 1);
    let payload: serde_json::Value =
        sqlx::query_scalar("select payload from mail_outbox where kind = 'digest'")
            .fetch_one(&mut app.owner_conn().await)
            .await
            .unwrap();
    assert_eq!(payload["digest"], "weekly");
    assert_eq!(payload["items"].as_array().unwrap().len(), 2);
    assert_eq!(payload["tenant"], "Committee of aland");
    // Nothing new: no digest, however late the clock.
    assert_eq!(digests(now + time::Duration::days(30)).await, 0);
    // A daily reader gets the next one a day later.
    let mut focal = app.signed_in(FOCAL).await;
    let res = focal
        .submit("/profile/mail", "/profile/mail", &[("comments", "daily")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = sec
        .submit(&act, &format!("{act}/comments"), &[("body", "Three")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(digests(now + time::Duration::hours(25)).await, 1);
    assert_eq!(
        app.count("select count(*) from mail_outbox where kind = 'digest'")
            .await,
        2
    );
}

#[tokio::test]
async fn the_demo_has_late_partners_in_its_last_round_and_its_reminders_land_as_eml_files() {
    let app = TestApp::init().with_demo().build().await;
    let today = OffsetDateTime::now_utc().date();
    let (opens, due) = (14, 15);
    let current = nap_oversight::features::progress::rounds::Window::current(today, opens, due);
    let last =
        nap_oversight::features::plan::quarter::Quarter::from_index(current.quarter.index() - 1);
    let nap = app
        .count("select n.id from naps n join tenants t on t.id = n.tenant_id where t.slug = 'veridia' order by n.id limit 1")
        .await;
    let mut sec = app.signed_in("secretariat@veridia.example").await;
    let page = sec
        .get(&format!("/t/veridia/naps/{nap}/rounds/{}", last.compact()))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let totals = page.texts("table.round-table tfoot tr");
    assert_eq!(totals.len(), 1);
    let figures: Vec<i64> = totals[0]
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    // Expected, on time, late, missing, not yet due.
    assert!(
        figures[1] > 0 && figures[2] > 0 && figures[3] > 0,
        "{figures:?}"
    );
    assert!(
        page.body.contains("(extended:"),
        "an extension with its reason"
    );
    // The clock tells the late organisations; without SMTP the messages
    // are files a demo visitor can open.
    assert!(
        tick(&app.pool, OffsetDateTime::now_utc())
            .await
            .unwrap()
            .notified
            > 0
    );
    let dir = std::env::temp_dir().join(format!("nap-demo-mail-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = nap_oversight::config::MailConfig {
        mail_dir: Some(dir.clone()),
        ..Default::default()
    };
    let settings = nap_oversight::mail::Settings {
        from: "NAP Oversight <nap@veridia.example>".parse().unwrap(),
        origin: crate::mail::ORIGIN.into(),
        transport: nap_oversight::mail::Transport::from_config(&config, &dir).unwrap(),
        secret: crate::mail::secret(&app).await,
    };
    let sent = crate::mail::deliver(&app, &settings).await;
    assert!(sent > 0);
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, sent);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_posted_update_and_the_targets_a_quarter_missed_reach_the_people_concerned_once() {
    let (app, mut sec, nap) = plan_setup().await;
    app.member("aland", FOCAL, Role::Ministry, Some("MOL"), true)
        .await;
    for (code, targets) in [
        ("1.1.1", "2026Q3"),
        ("1.1.2", "2026Q3"),
        ("1.1.3", "2026Q4"),
    ] {
        led_activity(&mut sec, nap, code, "MOL", &[("targets", targets)]).await;
    }
    // Once 2026Q3 is over: one notification for MOL's two missed targets.
    let october = datetime!(2026-10-02 08:00 UTC);
    at(&app, october).await;
    at(&app, october).await;
    let missed = kinds(&app, FOCAL)
        .await
        .into_iter()
        .filter(|k| k.starts_with("targets_missed"))
        .count();
    assert_eq!(missed, 1);
    let mut conn = app.owner_conn().await;
    let params: serde_json::Value =
        sqlx::query_scalar("select params from notifications where kind = 'targets_missed'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(params["count"], "2");
    // A focal point's update tells the secretariat (in its weekly digest).
    let a = app
        .count("select id from activities where code = '1.1.3'")
        .await;
    let mut focal = app.signed_in(FOCAL).await;
    let res = crate::progress::post(
        &mut focal,
        nap,
        a,
        &[("status", "on-track"), ("progress", "10")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(kinds(&app, crate::common::SEC).await, ["update_posted"]);
    assert!(
        !kinds(&app, FOCAL)
            .await
            .contains(&"update_posted".to_string())
    );
}
