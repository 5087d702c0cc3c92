//! The benchmark data and the reference page.

use axum::http::StatusCode;
use nap_oversight::config::ServerConfig;

use crate::common::TestApp;

#[tokio::test]
async fn bench_data_fills_tenants_with_plans_that_every_page_can_show() {
    let app = TestApp::new().await;
    let hasher = nap_oversight::password::Hasher::new(1);
    nap_oversight::bench::generate(&app.pool, &hasher, 2, 60)
        .await
        .unwrap();
    // Again: existing tenants are kept as they are.
    nap_oversight::bench::generate(&app.pool, &hasher, 2, 60)
        .await
        .unwrap();
    assert_eq!(app.count("select count(*) from tenants").await, 2);
    assert_eq!(app.count("select count(*) from activities").await, 120);
    assert_eq!(app.count("select count(*) from status_updates").await, 480);
    assert!(
        app.count("select count(*) from target_occurrences where met_at is not null")
            .await
            > 20
    );
    assert_eq!(
        app.count("select count(distinct code) from activities")
            .await,
        60,
        "codes are unique within a plan"
    );
    // The activities' versions match their histories, so updates can follow.
    assert_eq!(
        app.count(
            "select count(*) from activities a
             where a.version <> (select count(*) from status_updates u where u.activity_id = a.id)"
        )
        .await,
        0
    );
    let sign_in = async |email: &str| {
        let mut client = app.client();
        let res = client.sign_in(email, nap_oversight::bench::PASSWORD).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{email}");
        client
    };
    let mut sec = sign_in("sec@bench-1.bench").await;
    let nap = app
        .count("select min(n.id) from naps n join tenants t on t.id = n.tenant_id where t.slug = 'bench-1'")
        .await;
    let activity = app
        .count(&format!(
            "select min(id) from activities where nap_id = {nap}"
        ))
        .await;
    let committee = app
        .count("select min(c.id) from committees c join tenants t on t.id = c.tenant_id where t.slug = 'bench-1'")
        .await;
    for path in [
        "/t/bench-1/".to_owned(),
        format!("/t/bench-1/naps/{nap}/plan"),
        format!("/t/bench-1/naps/{nap}/activities/{activity}"),
        format!("/p/bench-1/committees/{committee}/tor"),
    ] {
        assert_eq!(sec.get(&path).await.status, StatusCode::OK, "{path}");
    }
    // A round is in progress: the dashboard counts updates in.
    let status = sec.get("/t/bench-1/").await.texts("p.round-status");
    let answered: Option<usize> = status.first().and_then(|s| {
        let before = s.split(" of ").next()?;
        before.split_whitespace().last()?.parse().ok()
    });
    assert!(answered.is_some_and(|n| n > 0), "{status:?}");
    let mut focal = sign_in("focal@bench-1.bench").await;
    let work = focal.get("/t/bench-1/my-work").await;
    assert_eq!(work.status, StatusCode::OK);
    assert!(!work.texts("table a, ul a").is_empty());
    // An update on top of the generated history lands.
    let form = format!("/t/bench-1/naps/{nap}/activities/{activity}/update");
    let res = sec
        .submit(
            &form,
            &form,
            &[("version", "4"), ("status", "on-track"), ("progress", "50")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[tokio::test]
async fn the_reference_page_is_served_only_for_benchmarks() {
    let off = TestApp::new().await;
    assert_eq!(
        off.client().get("/bench/reference").await.status,
        StatusCode::NOT_FOUND
    );
    let on = TestApp::with_config(ServerConfig {
        bench: true,
        ..ServerConfig::default()
    })
    .await;
    let page = on.client().get("/bench/reference").await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = page.texts("tr");
    assert_eq!(rows.len(), 14, "a header and thirteen fortunes");
    // Sorted by message, the added one among them, and escaped.
    assert!(rows[1].starts_with("7 <script>"), "{rows:?}");
    assert!(rows[2].starts_with("4 A focal point"), "{rows:?}");
    assert!(rows[4].starts_with("0 Additional fortune"), "{rows:?}");
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(
        page.texts("td")
            .iter()
            .any(|t| t.starts_with("Additional fortune"))
    );
}
