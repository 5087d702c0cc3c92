//! Indicators as plans write them: on the NAP, an objective or an outcome;
//! baselines and targets in numbers, words or not stated; values in words
//! for qualitative indicators; a partner or a committee responsible; changed
//! and deleted with their history.

use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::{Page, TestApp};
use crate::plan::plan_setup;

/// The one row of the indicators table that names `name`.
fn row(page: &Page, name: &str) -> String {
    let rows = page.texts("table.indicators tbody tr");
    let found: Vec<&String> = rows.iter().filter(|r| r.contains(name)).collect();
    assert_eq!(found.len(), 1, "{name:?} in {rows:?}");
    found[0].clone()
}

async fn committee(app: &TestApp, name: &str) -> i64 {
    let mut conn = app.owner_conn().await;
    sqlx::query_scalar(
        "insert into committees (tenant_id, name, kind)
         select id, $1, 'oversight' from tenants where slug = 'aland' returning id",
    )
    .bind(name)
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

/// (action, before's target, after's target) of the indicator's audit rows.
async fn history(app: &TestApp, id: i64) -> Vec<(String, Option<String>, Option<String>)> {
    let mut conn = app.owner_conn().await;
    sqlx::query_as(
        "select action, before->>'target', after->>'target' from audit_log
         where object_type = 'indicators' and object_id = $1 order by id",
    )
    .bind(id)
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_indicator_stated_in_words_shows_no_share_and_is_changed_and_deleted_with_its_history() {
    let (app, mut sec, nap) = plan_setup().await;
    let oversight = committee(&app, "Oversight committee").await.to_string();
    let list = format!("/t/aland/naps/{nap}/indicators");
    let res = sec
        .submit(
            &list,
            &list,
            &[
                ("place", "outcome:1.1"),
                ("name", "Victims referred to services"),
                ("kind", "number"),
                ("baseline", "baseline and end of 2025"),
                ("target", ""),
                ("committee", &oversight),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id = app.count("select id from indicators").await;
    let page = format!("{list}/{id}");

    // A number entered against words: still no share of the way.
    let res = sec
        .submit(&page, &page, &[("period", "2026"), ("value", "40")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let overview = sec.get(&list).await;
    assert_eq!(
        row(&overview, "Victims referred"),
        "1.1 Victims referred to services baseline and end of 2025 not stated 40 (2026) — Oversight committee"
    );
    assert!(overview.texts("table.indicators svg.meter").is_empty());
    let detail = sec.get(&page).await;
    assert_eq!(detail.texts("dd.actual"), vec!["40"]);
    assert_eq!(detail.texts("dd.target"), vec!["not stated"]);
    assert_eq!(detail.texts("dd.responsible"), vec!["Oversight committee"]);

    // Changed: the form holds what is stored; the change is kept.
    let edit = format!("{page}/edit");
    let form = sec.get(&edit).await;
    assert_eq!(
        form.attr("#f-baseline", "value").as_deref(),
        Some("baseline and end of 2025")
    );
    assert_eq!(
        form.attr("#f-committee option[selected]", "value"),
        Some(oversight.clone())
    );
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("place", "outcome:1.1"),
                ("name", "Victims referred to support services"),
                ("kind", "number"),
                ("baseline", "baseline and end of 2025"),
                ("target", "a third more than the baseline"),
                ("committee", &oversight),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), page);
    let overview = sec.get(&list).await;
    assert_eq!(
        row(&overview, "Victims referred"),
        "1.1 Victims referred to support services baseline and end of 2025 a third more than the baseline 40 (2026) — Oversight committee"
    );

    // Deleted: asked first, saying its value goes with it.
    let delete = format!("{page}/delete");
    let ask = sec.get(&delete).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert_eq!(
        ask.texts("ul.consequences li"),
        vec![
            "The values entered for it go with it: 1. The history keeps a record of them.",
            "This cannot be undone."
        ]
    );
    let res = sec.submit(&delete, &delete, &[]).await;
    assert_eq!(res.status, StatusCode::OK, "unconfirmed: the page again");
    assert_eq!(app.count("select count(*) from indicators").await, 1);
    let res = sec.submit(&delete, &delete, &[("confirm", "yes")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), list);
    assert_eq!(app.count("select count(*) from indicators").await, 0);
    assert_eq!(app.count("select count(*) from indicator_values").await, 0);
    assert_eq!(
        history(&app, id).await,
        vec![
            ("insert".to_owned(), None, Some(String::new())),
            (
                "update".to_owned(),
                Some(String::new()),
                Some("a third more than the baseline".to_owned())
            ),
            (
                "delete".to_owned(),
                Some("a third more than the baseline".to_owned()),
                None
            ),
        ]
    );
}

#[tokio::test]
async fn indicators_sit_on_the_nap_and_on_an_objective_and_numbers_still_show_their_share() {
    let (app, mut sec, nap) = plan_setup().await;
    let list = format!("/t/aland/naps/{nap}/indicators");
    for (place, name, baseline, target) in [
        ("objective:1", "Share of sectors covered", "10", "20"),
        (
            "nap",
            "National prevalence of forced labour",
            "",
            "halved by 2029",
        ),
    ] {
        let res = sec
            .submit(
                &list,
                &list,
                &[
                    ("place", place),
                    ("name", name),
                    ("unit", "%"),
                    ("baseline", baseline),
                    ("target", target),
                    ("responsible", "MOL"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let objective = app
        .count("select id from indicators where objective_id is not null")
        .await;
    let page = format!("{list}/{objective}");
    let res = sec
        .submit(&page, &page, &[("period", "2026Q2"), ("value", "15")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // Numbers stay numbers: the database reads them as such.
    assert_eq!(
        app.count(&format!(
            "select (baseline_number * 100 + target_number)::bigint from indicators where id = {objective}"
        ))
        .await,
        1020
    );

    let overview = sec.get(&list).await;
    // The plan's own first, then by code; (15 - 10) / (20 - 10) = 50%.
    assert_eq!(
        overview.texts("table.indicators tbody tr"),
        vec![
            "The plan as a whole National prevalence of forced labour (%) not stated halved by 2029 — — MOL",
            "1 Share of sectors covered (%) 10 20 15 (Q2 2026) 50% MOL",
        ]
    );
    assert_eq!(overview.texts("table.indicators svg.meter").len(), 1);
    let detail = sec.get(&page).await;
    assert_eq!(detail.texts("dd.place"), vec!["Objective 1"]);
    assert_eq!(detail.texts("dd.actual"), vec!["15 (50%)"]);
}

#[tokio::test]
async fn a_qualitative_indicator_takes_a_text_value_per_period() {
    let (app, mut sec, nap) = plan_setup().await;
    let list = format!("/t/aland/naps/{nap}/indicators");
    let res = sec
        .submit(
            &list,
            &list,
            &[
                ("place", "nap"),
                ("name", "Social dialogue on the plan"),
                ("kind", "text"),
                ("baseline", "No regular consultation"),
                (
                    "target",
                    "Each annual review discussed with the social partners",
                ),
                ("responsible", "CTU"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id = app.count("select id from indicators").await;
    let page = format!("{list}/{id}");
    app.member(
        "aland",
        "focal.ctu@aland.test",
        Role::SocialPartner,
        Some("CTU"),
        true,
    )
    .await;
    let mut ctu = app.signed_in("focal.ctu@aland.test").await;
    let form = ctu.get(&page).await;
    assert!(
        form.attr("textarea#f-value", "name").is_some(),
        "words, not a number field"
    );
    let res = ctu
        .submit(&page, &page, &[("period", "2026"), ("value", "  ")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-value-error"), vec!["Fill in this field."]);
    for (period, value) in [
        ("2025", "Sent to the social partners for written comments"),
        ("2026", "Discussed at the tripartite meeting of May"),
    ] {
        let res = ctu
            .submit(&page, &page, &[("period", period), ("value", value)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let detail = ctu.get(&page).await;
    assert_eq!(
        detail.texts("table.values tbody tr"),
        vec![
            "2025 Sent to the social partners for written comments Person focal.ctu@aland.test",
            "2026 Discussed at the tripartite meeting of May Person focal.ctu@aland.test",
        ]
    );
    assert_eq!(detail.texts("dd.kind"), vec!["Words (qualitative)"]);
    let overview = sec.get(&list).await;
    assert_eq!(
        row(&overview, "Social dialogue"),
        "The plan as a whole Social dialogue on the plan No regular consultation Each annual review discussed with the social partners Discussed at the tripartite meeting of May (2026) — CTU"
    );
    assert!(overview.texts("table.indicators svg.meter").is_empty());
    assert_eq!(
        app.count(
            "select count(*) from indicator_values where value is null and value_text is not null"
        )
        .await,
        2
    );
    // The audit log says the words that were entered.
    let audit = sec.get("/t/aland/audit").await;
    assert!(
        audit
            .body
            .contains("the value Discussed at the tripartite meeting of May of the indicator"),
        "{}",
        audit.texts("main li, main td").join("\n")
    );
    // Its values are words: it cannot turn into a numeric one under them.
    let edit = format!("{page}/edit");
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("place", "nap"),
                ("name", "Social dialogue on the plan"),
                ("kind", "number"),
                ("responsible", "CTU"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-kind-error"),
        vec![
            "This indicator already has values of the other kind: delete them or add a new indicator."
        ]
    );
    assert_eq!(
        app.count("select count(*) from indicators where qualitative")
            .await,
        1
    );

    // The plan's export carries it, on the plan as a whole, with its words.
    let xlsx = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.xlsx"))
        .await;
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range("Indicators").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "What it measures");
    assert!(
        rows.iter().any(|r| r[0] == "The plan as a whole"
            && r[1] == "Social dialogue on the plan"
            && r[6] == "Discussed at the tripartite meeting of May"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn bad_indicator_input_is_answered_beside_its_field_and_nothing_is_stored() {
    let (app, mut sec, nap) = plan_setup().await;
    let oversight = committee(&app, "Oversight committee").await.to_string();
    let list = format!("/t/aland/naps/{nap}/indicators");
    let res = sec
        .submit(
            &list,
            &list,
            &[
                ("place", "outcome:9.9"),
                ("name", " "),
                ("baseline", "2e13"),
                ("target", "end of 2025"),
                ("responsible", "NOPE"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-place-error"),
        vec!["Choose one of the options in the list."]
    );
    assert_eq!(res.texts("#f-name-error"), vec!["Fill in this field."]);
    assert_eq!(
        res.texts("#f-baseline-error"),
        vec![
            "This number is larger than any indicator measures: at most a million million either way."
        ]
    );
    assert_eq!(
        res.texts("#f-responsible-error"),
        vec!["No partner has the acronym NOPE."]
    );
    assert_eq!(res.attr("#f-baseline", "value").as_deref(), Some("2e13"));
    assert_eq!(
        res.attr("#f-target", "value").as_deref(),
        Some("end of 2025")
    );
    assert_eq!(res.attr("#f-responsible", "value").as_deref(), Some("NOPE"));
    assert!(res.texts("#f-target-error").is_empty());

    // A partner and a committee at once.
    let res = sec
        .submit(
            &list,
            &list,
            &[
                ("place", "objective:1"),
                ("name", "Inspections"),
                ("target", "12"),
                ("responsible", "MOL"),
                ("committee", &oversight),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-committee-error"),
        vec!["Name a partner or a committee, not both."]
    );
    assert_eq!(
        res.attr("#f-place option[selected]", "value").as_deref(),
        Some("objective:1")
    );
    assert_eq!(res.attr("#f-name", "value").as_deref(), Some("Inspections"));
    assert_eq!(app.count("select count(*) from indicators").await, 0);

    // A change refused keeps what was typed and leaves the indicator as it was.
    let res = sec
        .submit(
            &list,
            &list,
            &[
                ("place", "objective:1"),
                ("name", "Inspections"),
                ("target", "12"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id = app.count("select id from indicators").await;
    let edit = format!("{list}/{id}/edit");
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("place", "objective:1"),
                ("name", ""),
                ("target", "twelve a year"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-name-error"), vec!["Fill in this field."]);
    assert_eq!(
        res.attr("#f-target", "value").as_deref(),
        Some("twelve a year")
    );
    assert_eq!(
        app.count("select count(*) from indicators where name = 'Inspections' and target = '12'")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "select count(*) from audit_log where object_type = 'indicators' and action = 'update'"
        )
        .await,
        0
    );
}
