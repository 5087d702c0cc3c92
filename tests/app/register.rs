//! Risks, indicators, comments, and what the exports and public pages show of progress.

use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::plan::{add_activity, plan_setup};

#[tokio::test]
async fn the_risk_register_orders_by_score_and_feeds_the_dashboard() {
    let (app, mut sec, nap) = plan_setup().await;
    let new = format!("/t/aland/naps/{nap}/risks/new");
    let res = sec
        .submit(
            &new,
            &new,
            &[
                ("challenge", ""),
                ("likelihood", "9"),
                ("impact", "x"),
                ("owner", "NOPE"),
                ("state", "open"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-challenge-error"), vec!["Fill in this field."]);
    assert_eq!(
        res.texts("#f-likelihood-error"),
        vec!["Enter a whole number from 1 to 5."]
    );
    assert_eq!(
        res.texts("#f-impact-error"),
        vec!["Enter a whole number from 1 to 5."]
    );
    assert_eq!(
        res.texts("#f-owner-error"),
        vec!["No partner has the acronym NOPE."]
    );
    for (challenge, l, i, state) in [
        ("Budget cuts", "2", "3", "open"),
        ("Staff turnover in ministries", "4", "5", "mitigating"),
        ("Old risk", "5", "5", "closed"),
    ] {
        let res = sec
            .submit(
                &new,
                &new,
                &[
                    ("challenge", challenge),
                    ("likelihood", l),
                    ("impact", i),
                    ("owner", "MOL"),
                    ("mitigation", "Plan B"),
                    ("state", state),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let list = sec.get(&format!("/t/aland/naps/{nap}/risks")).await;
    assert_eq!(
        list.texts("table.risks tbody th"),
        vec!["Staff turnover in ministries", "Budget cuts", "Old risk"]
    );
    let dashboard = sec.get(&format!("/t/aland/naps/{nap}/dashboard")).await;
    assert_eq!(
        dashboard.texts(".risk-list li"),
        vec!["20 Staff turnover in ministries MOL", "6 Budget cuts MOL"]
    );
    let mut obs = app.signed_in("obs@aland.test").await;
    assert_eq!(
        obs.get(&format!("/t/aland/naps/{nap}/risks")).await.status,
        StatusCode::OK
    );
    assert_eq!(obs.get(&new).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn indicators_show_target_against_actual_entered_by_the_responsible_focal_point() {
    let (app, mut sec, nap) = plan_setup().await;
    let list = format!("/t/aland/naps/{nap}/indicators");
    let res = sec
        .submit(
            &list,
            &list,
            &[
                ("place", "outcome:1.1"),
                ("name", "Workers reached"),
                ("unit", "people"),
                ("baseline", "100"),
                ("target", "1e13"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-target-error"),
        vec![
            "This number is larger than any indicator measures: at most a million million either way."
        ]
    );
    let res = sec
        .submit(
            &list,
            &list,
            &[
                ("place", "outcome:1.1"),
                ("name", "Workers reached"),
                ("unit", "people"),
                ("baseline", "100"),
                ("target", "600"),
                ("responsible", "CTU"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let indicator = app.count("select id from indicators").await;
    let page = format!("/t/aland/naps/{nap}/indicators/{indicator}");

    app.member(
        "aland",
        "focal.ctu@aland.test",
        Role::SocialPartner,
        Some("CTU"),
        true,
    )
    .await;
    app.member(
        "aland",
        "focal.ef@aland.test",
        Role::SocialPartner,
        Some("EF"),
        true,
    )
    .await;
    let mut ctu = app.signed_in("focal.ctu@aland.test").await;
    let res = ctu
        .submit(&page, &page, &[("period", "2031"), ("value", "200")])
        .await;
    assert_eq!(
        res.texts("#f-period-error"),
        vec!["This period is outside the NAP's years."]
    );
    assert_eq!(
        ctu.submit(&page, &page, &[("period", "2026"), ("value", "250")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        ctu.submit(&page, &page, &[("period", "2027Q2"), ("value", "350")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let mut ef = app.signed_in("focal.ef@aland.test").await;
    let token = ef.get(&page).await.csrf();
    assert!(
        ef.get(&page).await.attr("#f-value", "name").is_none(),
        "no form for another partner"
    );
    assert_eq!(
        ef.post(
            &page,
            &[("csrf", &token), ("period", "2026"), ("value", "1")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // (350 - 100) / (600 - 100) = 50% of the way.
    let overview = sec.get(&list).await;
    assert_eq!(
        overview.texts("table.indicators tbody tr"),
        vec!["1.1 Workers reached (people) 100 600 350 (Q2 2027) 50% CTU"]
    );
    let detail = sec.get(&page).await;
    assert_eq!(
        detail.texts("table.values tbody tr"),
        vec![
            "2026 250 Person focal.ctu@aland.test",
            "Q2 2027 350 Person focal.ctu@aland.test",
        ]
    );
}

#[tokio::test]
async fn members_discuss_an_activity_observers_only_read() {
    let (app, mut sec, nap) = plan_setup().await;
    add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Campaign"),
            ("lead", "MOL"),
        ],
    )
    .await;
    let activity = app.count("select id from activities").await;
    let page = format!("/t/aland/naps/{nap}/activities/{activity}");
    let action = format!("{page}/comments");
    let res = sec.submit(&page, &action, &[("body", "  ")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-body-error"), vec!["Fill in this field."]);
    assert_eq!(
        sec.submit(
            &page,
            &action,
            &[("body", "Can the unions review the leaflets?")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let shown = sec.get(&page).await;
    assert!(shown.texts(".comments li")[0].ends_with("Can the unions review the leaflets?"));
    let mut obs = app.signed_in("obs@aland.test").await;
    let view = obs.get(&page).await;
    assert_eq!(view.texts(".comments li").len(), 1);
    assert!(view.attr("#f-body", "name").is_none());
    assert_eq!(
        obs.post(&action, &[("csrf", &view.csrf()), ("body", "Sneaky")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("select count(*) from comments").await, 1);
}

#[tokio::test]
async fn published_pages_show_progress_but_spending_only_when_chosen() {
    let (app, mut sec, nap) = plan_setup().await;
    add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Campaign"),
            ("lead", "MOL"),
            ("budget", "5000"),
            ("currency", "USD"),
        ],
    )
    .await;
    let activity = app.count("select id from activities").await;
    let form = format!("/t/aland/naps/{nap}/activities/{activity}/update");
    let page = sec.get(&form).await;
    let version = page.attr("input[name=version]", "value").unwrap();
    let res = sec
        .post(
            &form,
            &[
                ("csrf", &page.csrf()),
                ("version", &version),
                ("status", "on-track"),
                ("progress", "40"),
                ("spending", "1234"),
                ("note", "Private remark"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    sec.submit(
        &format!("/t/aland/naps/{nap}"),
        &format!("/t/aland/naps/{nap}/publish"),
        &[],
    )
    .await;
    let mut visitor = app.client();
    let public = visitor.get(&format!("/p/aland/naps/{nap}")).await;
    let state = &public.texts("td.what .state")[0];
    assert!(
        state.starts_with("On track") && state.contains("· 40%"),
        "{state}"
    );
    assert!(
        !public.body.contains("1234")
            && !public.body.contains("1,234")
            && !public.body.contains("Private remark")
    );
    sec.submit(
        "/t/aland/settings",
        "/t/aland/settings",
        &[("publish_spending", "on"), ("stale_days", "90")],
    )
    .await;
    let public = visitor.get(&format!("/p/aland/naps/{nap}")).await;
    assert!(public.texts("td.what .state")[0].contains("1,234 USD"));
    assert!(
        !public.body.contains("Private remark"),
        "notes are never published"
    );

    // The plan's exports carry the figures and the history.
    let csv = String::from_utf8(
        sec.get_bytes(&format!("/t/aland/naps/{nap}/export.csv"))
            .await,
    )
    .unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",Status,Schedule,Progress (%),Spending,SDG targets and ILO standards")
    );
    let line = csv.lines().nth(1).unwrap();
    assert!(
        line.contains(",On track,") && line.ends_with(",40,1234,SDG 8.7"),
        "{line}"
    );
    let bytes = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.xlsx"))
        .await;
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let updates = book.worksheet_range("Updates").unwrap();
    let row: Vec<String> = updates
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(row[0], "1.1.1");
    assert_eq!(row[4..8], ["On track", "40", "1234", "Private remark"]);
}
