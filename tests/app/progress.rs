use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::{Client, Page, SEC, TestApp};
use crate::plan::add_activity;

/// The plan of `plan_setup` with activity 1.1.1 led by MOJ and supported by
/// CTU, with a yearly Q1 target; focal points for MOJ, CTU and EF, and a
/// MOJ member who is not a focal point.
pub async fn setup() -> (TestApp, Client, i64, i64) {
    let app = TestApp::init()
        .with_aland()
        .with_focal_point("focal.moj@aland.test", Role::Ministry, "MOJ")
        .with_focal_point("focal.ctu@aland.test", Role::SocialPartner, "CTU")
        .with_focal_point("focal.ef@aland.test", Role::SocialPartner, "EF")
        .with_user_of("member.moj@aland.test", Role::Ministry, "MOJ")
        .with_plan()
        .build()
        .await;
    let mut sec = app.signed_in(SEC).await;
    let nap = app.nap();
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Inspections"),
            ("lead", "MOJ"),
            ("supporting", "CTU"),
            ("budget", "10000"),
            ("currency", "USD"),
            ("targets", "Q1/yearly"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let activity = app.count("select id from activities").await;
    (app, sec, nap, activity)
}

fn form_path(nap: i64, activity: i64) -> String {
    format!("/t/aland/naps/{nap}/activities/{activity}/update")
}

pub async fn post(client: &mut Client, nap: i64, activity: i64, fields: &[(&str, &str)]) -> Page {
    let path = form_path(nap, activity);
    let page = client.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let version = page.attr("input[name=version]", "value").unwrap();
    let token = page.csrf();
    let mut all = vec![("csrf", token.as_str()), ("version", version.as_str())];
    all.extend_from_slice(fields);
    client.post(&path, &all).await
}

#[tokio::test]
async fn focal_points_of_the_activitys_partners_and_the_secretariat_may_report() {
    let (app, mut sec, nap, activity) = setup().await;
    for email in ["focal.moj@aland.test", "focal.ctu@aland.test"] {
        let mut c = app.signed_in(email).await;
        let res = post(
            &mut c,
            nap,
            activity,
            &[
                ("status", "on-track"),
                ("progress", "20"),
                ("note", &format!("from {email}")),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{email}: {}", res.body);
    }
    let res = post(
        &mut sec,
        nap,
        activity,
        &[("status", "delayed"), ("progress", "25")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    let path = form_path(nap, activity);
    for email in [
        "focal.ef@aland.test",
        "member.moj@aland.test",
        "obs@aland.test",
    ] {
        let mut c = app.signed_in(email).await;
        assert_eq!(c.get(&path).await.status, StatusCode::FORBIDDEN, "{email}");
        let token = c.get("/t/aland/").await.csrf();
        let res = c
            .post(
                &path,
                &[
                    ("csrf", &token),
                    ("version", "3"),
                    ("status", "completed"),
                    ("progress", "100"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{email}");
        let page = c
            .get(&format!("/t/aland/naps/{nap}/activities/{activity}"))
            .await;
        assert!(
            page.texts("main a").iter().all(|a| a != "Post an update"),
            "{email} sees no update link"
        );
    }
    // A member of another tenant does not even find it.
    app.tenant("borea").await;
    app.member(
        "borea",
        "focal@borea.test",
        Role::Ministry,
        Some("MOJ"),
        true,
    )
    .await;
    let mut other = app.signed_in("focal@borea.test").await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .get(&path.replace("/t/aland/", "/t/borea/"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(app.count("select count(*) from status_updates").await, 3);
    let page = sec
        .get(&format!("/t/aland/naps/{nap}/activities/{activity}"))
        .await;
    let timeline = page.texts(".timeline li");
    assert_eq!(timeline.len(), 3);
    assert!(
        timeline[0].contains("Delayed · 25%"),
        "newest first: {timeline:?}"
    );
    assert!(
        timeline[2].contains("Trade Union Confederation")
            || timeline[1].contains("Trade Union Confederation")
    );
    assert_eq!(
        app.count("select progress::bigint from activities").await,
        25
    );
}

#[tokio::test]
async fn bad_update_input_is_answered_beside_each_field() {
    let (app, _sec, nap, activity) = setup().await;
    let mut focal = app.signed_in("focal.moj@aland.test").await;
    let res = post(
        &mut focal,
        nap,
        activity,
        &[
            ("status", "dancing"),
            ("progress", "140"),
            ("spending", "-5"),
            ("evidence", "not a link"),
            ("note", "kept note"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-status-error"),
        vec!["Choose one of the options in the list."]
    );
    assert_eq!(
        res.texts("#f-progress-error"),
        vec!["Enter a whole number from 0 to 100."]
    );
    assert_eq!(
        res.texts("#f-spending-error"),
        vec!["“-5” is not an amount: write a whole number such as 25000."]
    );
    assert_eq!(
        res.texts("#f-evidence-error"),
        vec!["“not a link” is not a web address starting with https://"]
    );
    assert_eq!(res.texts("#f-note"), vec!["kept note"]);
    assert_eq!(app.count("select count(*) from status_updates").await, 0);
}

#[tokio::test]
async fn twenty_concurrent_updates_on_one_version_land_exactly_once() {
    let (app, _sec, nap, activity) = setup().await;
    let focal = app.signed_in("focal.moj@aland.test").await;
    let path = form_path(nap, activity);
    let mut probe = app.signed_in("focal.moj@aland.test").await;
    let page = probe.get(&path).await;
    let (token, version) = (
        page.csrf(),
        page.attr("input[name=version]", "value").unwrap(),
    );
    let cookies = probe.cookies.clone();
    drop(focal);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let mut client = app.client();
        client.cookies = cookies.clone();
        let (path, token, version) = (path.clone(), token.clone(), version.clone());
        tasks.push(tokio::spawn(async move {
            let progress = (i * 5).to_string();
            client
                .post(
                    &path,
                    &[
                        ("csrf", &token),
                        ("version", &version),
                        ("status", "on-track"),
                        ("progress", &progress),
                    ],
                )
                .await
                .status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let landed = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((landed, conflicts), (1, 19), "{statuses:?}");
    assert_eq!(app.count("select count(*) from status_updates").await, 1);
    assert_eq!(app.count("select version::bigint from activities").await, 1);
}

#[tokio::test]
async fn a_conflict_shows_the_other_update_beside_mine_and_lets_me_resubmit() {
    let (app, _sec, nap, activity) = setup().await;
    let mut moj = app.signed_in("focal.moj@aland.test").await;
    let mut ctu = app.signed_in("focal.ctu@aland.test").await;
    let path = form_path(nap, activity);
    let stale = ctu.get(&path).await;
    assert_eq!(
        post(
            &mut moj,
            nap,
            activity,
            &[
                ("status", "delayed"),
                ("progress", "10"),
                ("note", "Funding late")
            ]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );

    let res = ctu
        .post(
            &path,
            &[
                ("csrf", &stale.csrf()),
                (
                    "version",
                    &stale.attr("input[name=version]", "value").unwrap(),
                ),
                ("status", "on-track"),
                ("progress", "30"),
                ("note", "My own words"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.texts(".conflict .card")[0].contains("Funding late"));
    assert_eq!(
        res.texts("#f-note"),
        vec!["My own words"],
        "my input is kept"
    );
    assert_eq!(res.attr("#f-progress", "value").as_deref(), Some("30"));
    assert_eq!(
        res.attr("input[name=version]", "value").as_deref(),
        Some("1"),
        "the form now carries the new version"
    );
    assert_eq!(app.count("select count(*) from status_updates").await, 1);

    let again = ctu
        .post(
            &path,
            &[
                ("csrf", &res.csrf()),
                ("version", "1"),
                ("status", "on-track"),
                ("progress", "30"),
                ("note", "My own words"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("select count(*) from status_updates").await, 2);
}

#[tokio::test]
async fn with_review_on_updates_count_only_once_accepted() {
    let (app, mut sec, nap, activity) = setup().await;
    let res = sec
        .submit(
            "/t/aland/settings",
            "/t/aland/settings",
            &[("review_updates", "on"), ("stale_days", "60")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let occurrence = app
        .count("select id from target_occurrences where quarter_index = 2025 * 4")
        .await
        .to_string();
    let mut focal = app.signed_in("focal.moj@aland.test").await;
    let meet = format!("meet_{occurrence}");
    let res = post(
        &mut focal,
        nap,
        activity,
        &[("status", "completed"), ("progress", "100"), (&meet, "on")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select progress::bigint from activities").await,
        0,
        "not counted yet"
    );
    assert_eq!(
        app.count("select count(*) from target_occurrences where met_at is not null")
            .await,
        0
    );

    let queue = sec.get("/t/aland/reviews").await;
    assert_eq!(queue.texts("article.review h2"), vec!["1.1.1 Inspections"]);
    let update = app.count("select id from status_updates").await;
    let res = sec
        .post(
            &format!("/t/aland/updates/{update}/accept"),
            &[("csrf", &queue.csrf())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select progress::bigint from activities").await,
        100
    );
    assert_eq!(
        app.count("select count(*) from target_occurrences where met_at is not null")
            .await,
        1
    );

    // A returned update needs a comment, which the focal point then sees.
    assert_eq!(
        post(
            &mut focal,
            nap,
            activity,
            &[("status", "on-track"), ("progress", "50")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let second = app.count("select max(id) from status_updates").await;
    let queue = sec.get("/t/aland/reviews").await;
    let res = sec
        .post(
            &format!("/t/aland/updates/{second}/return"),
            &[("csrf", &queue.csrf()), ("comment", " ")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts(".field-error"), vec!["Fill in this field."]);
    let res = sec
        .post(
            &format!("/t/aland/updates/{second}/return"),
            &[
                ("csrf", &queue.csrf()),
                ("comment", "Please add the inspection report"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select progress::bigint from activities").await,
        100,
        "a returned update never counts"
    );
    let work = focal.get("/t/aland/my-work").await;
    assert!(work.texts("section.panel li")[0].contains("Please add the inspection report"));
    // Only the secretariat reviews.
    let token = work.csrf();
    assert_eq!(
        focal
            .post(
                &format!("/t/aland/updates/{second}/accept"),
                &[("csrf", &token)]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        focal.get("/t/aland/reviews").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn my_work_lists_my_organisations_activities_with_what_is_due() {
    let (app, mut sec, nap, _activity) = setup().await;
    add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.2"),
            ("title", "Not ours"),
            ("lead", "EF"),
        ],
    )
    .await;
    let mut focal = app.signed_in("focal.ctu@aland.test").await;
    let work = focal.get("/t/aland/my-work").await;
    assert_eq!(work.status, StatusCode::OK);
    let rows = work.texts("table.work tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].starts_with("1.1.1 Inspections"));
    assert!(rows[0].contains("you support"));
    let today = nap_oversight::features::plan::quarter::Quarter::current();
    let overdue = (2025..=2029).filter(|y| (y * 4) < today.index()).count();
    let cells = work.texts("table.work tbody tr td.num");
    assert_eq!(
        cells,
        vec![
            usize::from(today.q == 1 && (2025..=2029).contains(&today.year)).to_string(),
            overdue.to_string()
        ]
    );
    assert!(rows[0].contains("Never"));
    let link = work.attr("table.work a.button", "href").unwrap();
    assert_eq!(focal.get(&link).await.status, StatusCode::OK);

    let mut observer = app.signed_in("obs@aland.test").await;
    let page = observer.get("/t/aland/my-work").await;
    assert_eq!(
        page.texts("main p"),
        vec![
            "This page lists the activities of a focal point's organisation. You are not a focal point in this committee."
        ]
    );
}

#[tokio::test]
async fn history_is_kept_activities_with_updates_cannot_be_deleted() {
    let (app, mut sec, nap, activity) = setup().await;
    assert_eq!(
        post(
            &mut sec,
            nap,
            activity,
            &[("status", "on-track"), ("progress", "5")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let confirm = sec
        .get(&format!("/t/aland/naps/{nap}/activities/{activity}/delete"))
        .await;
    assert_eq!(confirm.texts("[role=alert]").len(), 1);
    assert!(confirm.texts("main button").is_empty(), "no delete button");
    let res = sec
        .post(
            &format!("/t/aland/naps/{nap}/activities/{activity}/delete"),
            &[("csrf", &confirm.csrf())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = sec
        .post(
            &format!("/t/aland/naps/{nap}/delete"),
            &[("csrf", &confirm.csrf())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("select count(*) from activities").await, 1);
    assert_eq!(app.count("select count(*) from naps").await, 1);
    // Nor its outcome or objective, which would take the activity with them.
    for level in ["outcomes", "objectives"] {
        let node = app.count(&format!("select min(id) from {level}")).await;
        let path = format!("/t/aland/naps/{nap}/{level}/{node}/delete");
        let confirm = sec.get(&path).await;
        assert_eq!(confirm.texts("[role=alert]").len(), 1, "{level}");
        assert_eq!(
            sec.post(&path, &[("csrf", &confirm.csrf())]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.count(&format!("select count(*) from {level}")).await,
            1,
            "{level} kept"
        );
    }
    // Not even the application's database role can erase history.
    let mut conn = app.pool.acquire().await.unwrap();
    let err = sqlx::query("delete from status_updates")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}

/// The finding: as `nap_app`, every column of a status update could be
/// rewritten. Updates, published terms of reference, decisions and the
/// audit log are history: the application role adds to them, never
/// changes or removes them (a review, once, is the only change).
#[tokio::test]
async fn the_application_role_cannot_rewrite_history() {
    let (app, mut sec, nap, activity) = setup().await;
    assert_eq!(
        post(
            &mut sec,
            nap,
            activity,
            &[
                ("status", "on-track"),
                ("progress", "5"),
                ("note", "As reported")
            ]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let committee = sec
        .submit(
            "/t/aland/committees",
            "/t/aland/committees",
            &[("name", "Board"), ("kind", "oversight")],
        )
        .await
        .location()
        .to_owned();
    sec.submit(
        &format!("{committee}/tor"),
        &format!("{committee}/tor"),
        &[("mandate", "Oversee"), ("purpose", "Watch")],
    )
    .await;
    sec.submit(
        &format!("{committee}/tor"),
        &format!("{committee}/tor/publish"),
        &[("confirm", "yes")],
    )
    .await;
    let meeting = sec
        .submit(
            &committee,
            &format!("{committee}/meetings"),
            &[("starts_at", "2026-12-15 10:00")],
        )
        .await
        .location()
        .to_owned();
    sec.submit(
        &meeting,
        &format!("{meeting}/decisions"),
        &[("text", "Adopt the plan")],
    )
    .await;
    assert_eq!(app.count("select count(*) from decisions").await, 1);
    assert_eq!(
        app.count("select count(*) from tor_versions where version = 1")
            .await,
        1
    );

    let tenant = app
        .count("select id from tenants where slug = 'aland'")
        .await;
    let mut tx = app.pool.begin().await.unwrap();
    nap_oversight::tenancy::scope::set(&mut tx, Some(tenant), None)
        .await
        .unwrap();
    for statement in [
        "update status_updates set note = 'Rewritten'",
        "update status_updates set progress = 99",
        "update status_updates set author_id = author_id",
        "update status_updates set created_at = now() - interval '1 year'",
        "delete from status_updates",
        "update tor_versions set mandate = 'Rewritten' where version is not null",
        "delete from tor_versions where version is not null",
        "update decisions set text = 'Rewritten'",
        "delete from decisions",
        "update audit_log set after = null",
        "delete from audit_log",
    ] {
        let mut sp = sqlx::Acquire::begin(&mut tx).await.unwrap();
        let err = sqlx::query(statement)
            .execute(&mut *sp)
            .await
            .expect_err(statement);
        let err = err.to_string();
        assert!(
            err.contains("permission denied") || err.contains("cannot change"),
            "{statement}: {err}"
        );
        sp.rollback().await.unwrap();
    }
    // A review is the one change, and it happens once.
    let reviewed = sqlx::query("update status_updates set review_state = 'returned', review_comment = 'x' where review_state = 'accepted'")
        .execute(&mut *tx)
        .await;
    assert!(reviewed.unwrap_err().to_string().contains("cannot change"));
    tx.rollback().await.unwrap();
    assert_eq!(
        app.count(
            "select count(*) from status_updates where note = 'As reported' and progress = 5"
        )
        .await,
        1
    );
}

/// After a form did its work, the page it leads to says what happened, in
/// a status region: saving, posting an update (counted now, or waiting for
/// review), importing. A link cannot make a page say anything else.
#[tokio::test]
async fn every_form_says_what_it_did() {
    let (app, mut sec, nap, activity) = setup().await;
    let status = |page: &Page| page.texts("main [role=status]");

    let edit = format!("/t/aland/naps/{nap}/edit");
    let form = sec.get(&edit).await;
    let title = form.attr("input[name=title]", "value").unwrap();
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("title", &title),
                ("theme", "forced-labour"),
                ("start_year", "2025"),
                ("end_year", "2029"),
                ("status", "adopted"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        status(&sec.get(res.raw_location()).await),
        vec!["Your changes were saved."]
    );

    let mut focal = app.signed_in("focal.moj@aland.test").await;
    let res = post(
        &mut focal,
        nap,
        activity,
        &[("status", "on-track"), ("progress", "10")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.notice().as_deref(), Some("update-recorded"));
    assert_eq!(
        status(&focal.get(res.raw_location()).await),
        vec!["Your update was recorded. The dashboard counts it from now on."]
    );

    // With review switched on, the same form says the update waits.
    let mut conn = app.owner_conn().await;
    sqlx::query("update tenants set review_updates = true")
        .execute(&mut conn)
        .await
        .unwrap();
    let res = post(
        &mut focal,
        nap,
        activity,
        &[("status", "delayed"), ("progress", "10")],
    )
    .await;
    assert_eq!(res.notice().as_deref(), Some("update-pending"));
    assert!(status(&focal.get(res.raw_location()).await)[0].contains("waits for the secretariat"),);

    // An import, confirmed.
    let export = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.csv"))
        .await;
    let page = format!("/t/aland/naps/{nap}/import");
    let preview = sec.upload(&page, &page, "plan.csv", &export).await;
    let draft = preview.attr("input[name=draft]", "value").expect("a draft");
    let res = sec
        .post(
            &format!("/t/aland/naps/{nap}/import/apply"),
            &[("csrf", &preview.csrf()), ("draft", &draft)],
        )
        .await;
    assert_eq!(res.notice().as_deref(), Some("imported"));
    assert_eq!(
        status(&sec.get(res.raw_location()).await),
        vec!["The rows you confirmed were imported into the plan."]
    );

    // Only our own sentences: anything else in the link says nothing.
    for forged in ["%3Cb%3Ehello%3C%2Fb%3E", "saved%00", "members.changed"] {
        let page = sec.get(&format!("/t/aland/naps/{nap}?done={forged}")).await;
        assert!(status(&page).is_empty(), "{forged}");
    }
}
