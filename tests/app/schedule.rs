//! An activity's reported status beside its schedule (what its targets
//! say). The fixture's partner reports "on track" while two of its targets
//! were missed: every page that shows a status says both, and flags the
//! contradiction; the dashboard opens on what is late and who answers for it.

use axum::http::StatusCode;
use nap_oversight::authz::Role;
use scraper::Selector;

use crate::common::{Client, SEC, TestApp};
use crate::plan::add_activity;

const WARNING: &str = "Reported on track, but 2 targets missed, the latest in Q4 2025";
const FOCAL: &str = "ana@aland.test";

/// 1.1.1 (led by MOJ) with targets in 2025 Q2 and Q4, both missed, and one
/// in 2029, reported on track by MOJ's focal point; 1.1.2 (led by MOL) with
/// a target in 2029 only.
async fn fixture() -> (TestApp, Client, i64, i64) {
    let app = TestApp::init()
        .with_aland()
        .with_focal_point(FOCAL, Role::Ministry, "MOJ")
        .with_plan()
        .build()
        .await;
    let mut sec = app.signed_in(SEC).await;
    let nap = app.nap();
    for (code, title, lead, targets) in [
        (
            "1.1.1",
            "Train labour inspectors",
            "MOJ",
            "2025Q2, Q4 2025, 2029Q3",
        ),
        ("1.1.2", "Radio campaign", "MOL", "2029Q1"),
    ] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", code),
                ("title", title),
                ("lead", lead),
                ("start", "2025Q1"),
                ("targets", targets),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let activity = app
        .count("select id from activities where code = '1.1.1'")
        .await;
    let mut focal = app.signed_in(FOCAL).await;
    let res = crate::progress::post(
        &mut focal,
        nap,
        activity,
        &[("status", "on-track"), ("progress", "40")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    (app, sec, nap, activity)
}

#[tokio::test]
async fn the_schedule_and_its_contradiction_show_wherever_a_status_does() {
    let (app, mut sec, nap, activity) = fixture().await;
    let base = format!("/t/aland/naps/{nap}");
    for path in [
        format!("{base}/dashboard"),
        format!("{base}/plan"),
        format!("{base}/activities"),
        format!("{base}/activities?only=overdue"),
        format!("{base}/activities/{activity}"),
    ] {
        let page = sec.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(WARNING), "{path} does not flag it");
    }
    // Where both activities are listed, the other one is on schedule, unflagged.
    let grid = sec.get(&format!("{base}/plan")).await;
    assert_eq!(grid.texts(".contradiction").len(), 1);
    assert!(
        grid.texts(".schedule.on-schedule")
            .iter()
            .any(|t| t == "On schedule")
    );

    // The focal point's own list says it too.
    let mut focal = app.signed_in(FOCAL).await;
    let work = focal.get("/t/aland/my-work").await;
    assert!(work.body.contains(WARNING), "my work");

    // The export carries the schedule beside the reported status.
    let csv = String::from_utf8(sec.get_bytes(&format!("{base}/export.csv")).await).unwrap();
    let mut rows = csv.lines();
    let header = rows.next().unwrap();
    assert!(
        header.contains("Status") && header.contains("Schedule"),
        "{header}"
    );
    let line = rows.find(|l| l.contains("1.1.1")).unwrap();
    assert!(
        line.contains("On track") && line.contains(WARNING),
        "{line}"
    );
    let other = csv.lines().find(|l| l.contains("1.1.2")).unwrap();
    assert!(other.contains("On schedule"), "{other}");

    // And the public page, once the plan is published.
    let res = sec.submit(&base, &format!("{base}/publish"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let public = app.client().get(&format!("/p/aland/naps/{nap}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains(WARNING), "public page");
    // Its summary counts the targets by objective.
    let row = public.texts("table.public-progress tbody tr");
    assert_eq!(row, vec!["1 Prevention 2 1 0 2 2"], "{row:?}");
}

#[tokio::test]
async fn the_dashboard_opens_on_what_is_late_and_who_answers_for_it() {
    let (app, mut sec, nap, activity) = fixture().await;
    // An action point of a committee meeting, owned by MOJ, due ten days ago.
    let mut conn = app.owner_conn().await;
    let due = time::OffsetDateTime::now_utc().date() - time::Duration::days(10);
    sqlx::query(
        "with c as (insert into committees (tenant_id, name, kind)
                    select id, 'National Oversight Committee', 'oversight' from tenants where slug = 'aland'
                    returning tenant_id, id),
              m as (insert into meetings (tenant_id, committee_id, starts_at)
                    select tenant_id, id, now() - interval '2 months' from c returning tenant_id, id)
         insert into action_points (tenant_id, meeting_id, text, owner_partner_id, due_on)
         select m.tenant_id, m.id, 'Send the inspection figures', p.id, $1
         from m join partners p on p.tenant_id = m.tenant_id and p.acronym = 'MOJ'",
    )
    .bind(due)
    .execute(&mut conn)
    .await
    .unwrap();
    // And one not yet due, which waits under what comes next.
    sqlx::query(
        "insert into action_points (tenant_id, meeting_id, text, due_on)
         select tenant_id, meeting_id, 'Book the room for the review', $1 from action_points",
    )
    .bind(due + time::Duration::days(30))
    .execute(&mut conn)
    .await
    .unwrap();

    let page = sec.get(&format!("/t/aland/naps/{nap}/dashboard")).await;
    let waiting = page.texts("#next ul.open-actions > li");
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(waiting[0].contains("Book the room for the review"));
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html();
    // The first section of the page is the late list.
    let first = html
        .select(&Selector::parse("main section").unwrap())
        .next()
        .unwrap();
    assert_eq!(first.value().attr("id"), Some("late"));
    let text = |css: &str| -> Vec<String> {
        first
            .select(&Selector::parse(css).unwrap())
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    assert_eq!(
        text(".late-summary"),
        ["Behind schedule: 1 of 2 activities. Of these, reported on track or completed: 1."]
    );
    let items = text("ol.late-list > li");
    assert_eq!(items.len(), 1, "{items:?}");
    let late_since = time::OffsetDateTime::now_utc().date() - time::macros::date!(2025 - 06 - 30);
    let delay = nap_oversight::i18n::with_language("en", || {
        nap_oversight::i18n::late_by(late_since.whole_days())
    });
    for expected in [
        "1.1.1 Train labour inspectors",
        delay.as_str(),
        WARNING,
        "Ministry of Justice (aland) (MOJ)",
        "Focal point: Person ana@aland.test",
    ] {
        assert!(
            items[0].contains(expected),
            "{expected:?} not in {:?}",
            items[0]
        );
    }
    let actions = text("ul.late-actions > li");
    assert_eq!(actions.len(), 1, "{actions:?}");
    for expected in [
        "Send the inspection figures",
        "10 days late",
        "Ministry of Justice (aland) (MOJ)",
        &format!(
            "Was due {}",
            nap_oversight::i18n::with_language("en", || nap_oversight::i18n::day(due))
        ),
    ] {
        assert!(
            actions[0].contains(expected),
            "{expected:?} not in {:?}",
            actions[0]
        );
    }
    // Every figure of the late list links to what it counts.
    let link = first
        .select(&Selector::parse(".late-summary a").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    let list = sec.get(&link).await;
    assert_eq!(list.texts("table.activity-list tbody th"), ["1.1.1"]);
    // And the late item leads to its activity.
    assert_eq!(
        page.attr("#late ol.late-list > li a", "href"),
        Some(format!("/t/aland/naps/{nap}/activities/{activity}"))
    );

    // The charts say what they show: a title, labelled bars with values, a scale.
    assert!(page.texts(".chart-box h3").len() >= 3);
    assert_eq!(page.texts(".hbar-chart .hbar-label")[0], "1 Prevention");
    assert!(!page.texts(".hbar-scale .tick").is_empty());
    let trend = page.texts(".columns-chart .x-label");
    assert!(trend.iter().any(|l| l.starts_with("Q1")), "{trend:?}");
}

#[tokio::test]
async fn quarters_and_targets_are_written_in_each_language_and_read_in_any() {
    let (_app, mut sec, nap, activity) = fixture().await;
    let base = format!("/t/aland/naps/{nap}");
    sec.submit("/profile", "/language", &[("lang", "fr"), ("back", "/")])
        .await;
    let page = sec.get(&format!("{base}/activities/{activity}")).await;
    assert!(
        page.body.contains("T2 2025, T4 2025, T3 2029"),
        "{}",
        page.body
    );
    assert!(page.body.contains(
        "Déclarée en bonne voie, mais 2 échéances non respectées, la dernière au T4 2025"
    ));
    let grid = sec.get(&format!("{base}/plan")).await;
    let heads = grid.texts("table.grid thead th.q");
    assert!(heads.iter().any(|h| h.ends_with("T1")), "{heads:?}");
    assert!(!grid.body.contains(">Q1<"));
    sec.submit("/profile", "/language", &[("lang", "es"), ("back", "/")])
        .await;
    let page = sec.get(&format!("{base}/activities/{activity}")).await;
    assert!(page.body.contains("T2 2025"));
    // A yearly target, typed the Spanish way, is understood and written back.
    let edit = format!("{base}/activities/{activity}/edit");
    let form = sec.get(&edit).await;
    let value = |name: &str| {
        form.attr(&format!("[name={name}]"), "value")
            .unwrap_or_default()
    };
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("outcome", "1.1"),
                ("code", "1.1.1"),
                ("title", "Train labour inspectors"),
                ("lead", "MOJ"),
                ("start", &value("start")),
                ("targets", "T2 cada año"),
                ("level", "national"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = sec.get(&format!("{base}/activities/{activity}")).await;
    assert!(page.body.contains("T2 cada año"), "{}", page.body);
}
