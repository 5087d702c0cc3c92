//! Alignment with the SDGs and ILO standards: one reference list for every
//! tenant, read-only to them; tags on the NAP, objectives, outcomes and
//! activities, set on their forms; the grid, the dashboard and search
//! filtered by them; the view of what the plan does for one target; the
//! public page and the export showing them.

use axum::http::StatusCode;

use crate::common::{Client, OBSERVER, TestApp};
use crate::plan::{add_activity, plan_setup};
use crate::transfer::import;

fn field_error(page: &crate::common::Page, field: &str) -> String {
    page.texts(&format!("#f-{field}-error")).join(" ")
}

/// The codes of a page's tags: (level, code) → references, as the
/// database holds them.
async fn tags(app: &TestApp) -> Vec<String> {
    let mut conn = app.owner_conn().await;
    sqlx::query_scalar(
        "select concat_ws(' ', coalesce(o.code, oc.code, a.code, 'nap'), t.ref_code)
         from alignment_tags t
         left join objectives o on o.id = t.objective_id
         left join outcomes oc on oc.id = t.outcome_id
         left join activities a on a.id = t.activity_id
         order by 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

/// A plan with two objectives: objective 1 (outcome 1.1) and objective 2
/// (outcome 2.1, tagged C182), activities 1.1.1 (tagged SDG 5.2), 1.1.2 and
/// 2.1.1, all "Inspect farms"; the NAP itself serves SDG 8.7.
async fn tagged_plan() -> (TestApp, Client, i64) {
    let (app, mut sec, nap) = plan_setup().await;
    let base = format!("/t/aland/naps/{nap}");
    let new_objective = format!("{base}/objectives/new");
    let res = sec
        .submit(
            &new_objective,
            &new_objective,
            &[
                ("code", "2"),
                ("title", "Protect children"),
                ("alignment", "C182"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let objective = app
        .count("select id from objectives where code = '2'")
        .await
        .to_string();
    let new_outcome = format!("{base}/outcomes/new");
    let res = sec
        .submit(
            &new_outcome,
            &new_outcome,
            &[
                ("objective", &objective),
                ("code", "2.1"),
                ("title", "Children leave work for school"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    for (outcome, code, alignment) in [
        ("1.1", "1.1.1", "sdg 5.2"),
        ("1.1", "1.1.2", ""),
        ("2.1", "2.1.1", ""),
    ] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", outcome),
                ("code", code),
                ("title", "Inspect farms"),
                ("lead", "MOL"),
                ("alignment", alignment),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    (app, sec, nap)
}

#[tokio::test]
async fn the_reference_list_is_one_for_every_tenant_and_read_only_to_them() {
    let app = TestApp::init().with_aland().build().await;
    let borland = app.tenant("borland").await;
    let aland = app
        .count("select id from tenants where slug = 'aland'")
        .await;
    let mut conn = app.pool.acquire().await.unwrap();
    // Each tenant, as the application's role in its scope, reads the same list.
    let mut lists = Vec::new();
    for tenant in [aland, borland] {
        nap_oversight::tenancy::scope::set(&mut conn, Some(tenant), None)
            .await
            .unwrap();
        let codes: Vec<String> =
            sqlx::query_scalar("select code from alignment_refs order by position")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        lists.push(codes);
    }
    assert_eq!(lists[0], lists[1]);
    let codes = lists.remove(0);
    for code in [
        "8.7", "16.2", "5.2", "5.3", "10.7", "16.3", "C29", "P29", "R203", "C105", "C138", "C182",
        "C181", "C189", "C190",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
    }
    // The application's role reads it and changes nothing.
    for statement in [
        "insert into alignment_refs (code, kind, position, title_en, title_fr, title_es) values ('8.9', 'sdg', 1, 'x', 'x', 'x')",
        "update alignment_refs set title_en = 'x' where code = '8.7'",
        "delete from alignment_refs where code = 'C29'",
    ] {
        let err = sqlx::query(statement)
            .execute(&mut *conn)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("permission denied"), "{err}");
    }
}

#[tokio::test]
async fn parts_are_tagged_on_their_forms_and_an_unknown_code_is_refused_beside_the_field() {
    let (app, mut sec, nap) = tagged_plan().await;
    assert_eq!(
        tags(&app).await,
        ["1.1.1 5.2", "2 C182", "nap 8.7"],
        "the plan's form, an objective's and an activity's"
    );
    // The NAP's form: an unknown code is named beside the field; what was
    // typed stays, and nothing changes.
    let edit = format!("/t/aland/naps/{nap}/edit");
    let form = sec.get(&edit).await;
    assert_eq!(
        form.attr("#f-alignment", "value").as_deref(),
        Some("SDG 8.7")
    );
    assert!(
        form.body
            .contains("Forced Labour Convention, 1930 (No. 29)")
    );
    let fields = |alignment: &'static str| {
        vec![
            ("title", "Plan against forced labour"),
            ("theme", "forced-labour"),
            ("start_year", "2025"),
            ("end_year", "2029"),
            ("status", "adopted"),
            ("alignment", alignment),
        ]
    };
    let res = sec
        .submit(&edit, &edit, &fields("SDG 8.7, C29, C999"))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_error(&res, "alignment").contains("“C999” is not on the reference list"),
        "{}",
        res.body
    );
    assert_eq!(
        res.attr("#f-alignment", "value").as_deref(),
        Some("SDG 8.7, C29, C999")
    );
    assert_eq!(
        res.attr("#f-alignment", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(tags(&app).await, ["1.1.1 5.2", "2 C182", "nap 8.7"]);
    let long = "8.7, ".repeat(201);
    let res = sec.submit(&edit, &edit, &fields(long.leak())).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_error(&res, "alignment").contains("too long"),
        "{}",
        res.body
    );
    // Any spelling of a known code will do; each is kept once.
    let res = sec
        .submit(&edit, &edit, &fields("p29; sdg 8.7, C 029, 8.7"))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        tags(&app).await,
        ["1.1.1 5.2", "2 C182", "nap 8.7", "nap C29", "nap P29"]
    );

    // The audit log says so in words.
    let audit = sec.get("/t/aland/audit").await;
    assert!(
        audit
            .body
            .contains("the tag P29 of Plan against forced labour"),
        "{}",
        audit.body
    );

    // An outcome's form, and an activity's: a refused activity keeps
    // nothing of what it was given.
    let outcome = app
        .count("select id from outcomes where code = '1.1'")
        .await;
    let edit_outcome = format!("/t/aland/naps/{nap}/outcomes/{outcome}/edit");
    let objective = app
        .count("select id from objectives where code = '1'")
        .await
        .to_string();
    let res = sec
        .submit(
            &edit_outcome,
            &edit_outcome,
            &[
                ("objective", &objective),
                ("code", "1.1"),
                ("title", "People know their rights"),
                ("alignment", "ODD 10.7"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.9"),
            ("title", "Inspect mines"),
            ("alignment", "8.7, SDG 99"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res, "alignment").contains("“SDG 99”"));
    assert_eq!(
        app.count("select count(*) from activities where code = '1.1.9'")
            .await,
        0
    );
    assert!(tags(&app).await.contains(&"1.1 10.7".to_owned()));
    // The activity's form shows its own tags; its page, all it serves.
    let activity = app
        .count("select id from activities where code = '1.1.1'")
        .await;
    let page = sec
        .get(&format!("/t/aland/naps/{nap}/activities/{activity}/edit"))
        .await;
    assert_eq!(
        page.attr("#f-alignment", "value").as_deref(),
        Some("SDG 5.2")
    );
    let page = sec
        .get(&format!("/t/aland/naps/{nap}/activities/{activity}"))
        .await;
    assert!(
        page.body.contains("SDG 5.2, SDG 8.7, SDG 10.7, C29, P29"),
        "its own, its outcome's and the plan's, in the list's order: {}",
        page.body
    );
}

#[tokio::test]
async fn the_grid_the_dashboard_and_search_filter_by_what_activities_serve() {
    let (_app, sec, nap) = tagged_plan().await;
    let base = format!("/t/aland/naps/{nap}");
    let get = |path: String, css: &'static str| {
        let mut sec = Client::clone_session(&sec);
        async move {
            let page = sec.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            page.texts(css)
        }
    };
    let grid = |query: &str| get(format!("{base}/plan?{query}"), "table.grid tbody th.code");
    assert_eq!(
        grid("align=8.7").await,
        ["1.1.1", "1.1.2", "2.1.1"],
        "the plan's"
    );
    assert_eq!(grid("align=C182").await, ["2.1.1"], "by its objective");
    assert_eq!(grid("align=SDG+5.2").await, ["1.1.1"], "its own");
    assert!(grid("align=C29").await.is_empty());
    // The grid offers the references the plan uses, by their labels.
    assert_eq!(
        get(format!("{base}/plan"), "#g-align option").await,
        ["All", "SDG 5.2", "SDG 8.7", "C182"]
    );

    // The dashboard counts what serves each; each figure lists them.
    let mut client = Client::clone_session(&sec);
    let dashboard = client.get(&format!("{base}/dashboard")).await;
    let rows = dashboard.texts("table.tag-table tbody tr");
    assert_eq!(rows, ["SDG 5.2 1 0 0", "SDG 8.7 3 0 0", "C182 1 0 0"]);
    let link = dashboard
        .attr("table.tag-table tbody tr:nth-child(3) a", "href")
        .unwrap();
    assert!(link.ends_with("activities?align=C182"), "{link}");
    assert_eq!(get(link, "table.activity-list tbody th").await, ["2.1.1"]);
    assert_eq!(
        get(
            format!("{base}/activities?align=5.2"),
            "table.activity-list tbody th"
        )
        .await,
        ["1.1.1"]
    );

    // Search keeps what serves the chosen reference.
    let search = |align: &str| {
        get(
            nap_oversight::paths::with_query(
                &nap_oversight::paths::search("aland"),
                &[("q", "farms"), ("kind", "activity"), ("align", align)],
            ),
            "ol.search-results .hit-title",
        )
    };
    assert_eq!(search("").await.len(), 3);
    assert_eq!(search("C182").await, ["2.1.1 Inspect farms"]);
    assert_eq!(search("5.2").await, ["1.1.1 Inspect farms"]);
    assert_eq!(search("8.7").await.len(), 3);
    // Outcomes too, by their objective's tags or the plan's.
    let outcomes = |q: &'static str, align: &'static str| {
        get(
            nap_oversight::paths::with_query(
                &nap_oversight::paths::search("aland"),
                &[("q", q), ("kind", "outcome"), ("align", align)],
            ),
            "ol.search-results .hit-title",
        )
    };
    assert_eq!(
        outcomes("children", "C182").await,
        ["2.1 Children leave work for school"]
    );
    assert!(outcomes("rights", "C182").await.is_empty());
    assert_eq!(
        outcomes("rights", "8.7").await,
        ["1.1 People know their rights"]
    );
    assert_eq!(
        get(nap_oversight::paths::search("aland"), "#f-align option").await,
        ["All", "SDG 5.2", "SDG 8.7", "C182"]
    );
}

#[tokio::test]
async fn what_the_plan_does_for_a_target_lists_its_tagged_parts_and_their_progress() {
    let (app, _sec, nap) = tagged_plan().await;
    let mut conn = app.owner_conn().await;
    for update in [
        "update activities set status = 'completed', progress = 100 where code = '2.1.1'",
        "update activities set progress = 40 where code = '1.1.1'",
    ] {
        sqlx::query(update).execute(&mut conn).await.unwrap();
    }
    // An observer reads it.
    let mut obs = app.signed_in(OBSERVER).await;
    let base = format!("/t/aland/naps/{nap}/alignment");
    let overview = obs.get(&base).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    assert_eq!(
        overview.texts("table.alignment-table tbody tr"),
        [
            "SDG 5.2 End violence against women and girls, trafficking and sexual exploitation included 1 1 0 0 40 %",
            "SDG 8.7 End forced labour, modern slavery, human trafficking and every form of child labour 1 3 1 0 47 %",
            "C182 Worst Forms of Child Labour Convention, 1999 (No. 182) 1 1 1 0 100 %",
        ]
    );
    let one = obs.get(&format!("{base}/C182")).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(one.texts("h1"), ["What this plan does for C182"]);
    assert_eq!(
        one.texts("table.alignment-table tbody tr"),
        ["Objective 2 Protect children 1 1 0 100 %"]
    );
    assert!(one.body.contains(
        "1 activities serve it: 1 completed, 0 behind schedule, 100 % progress on average."
    ));
    let link = one.attr("a[href*='/plan?align=']", "href").unwrap();
    assert!(link.ends_with("/plan?align=C182"), "{link}");
    let whole = obs.get(&format!("{base}/8.7")).await;
    assert!(whole.body.contains("The plan as a whole is tagged with it"));
    let own = obs.get(&format!("{base}/5.2")).await;
    assert_eq!(
        own.texts("table.alignment-table tbody tr"),
        ["Activity 1.1.1 Inspect farms Not started 1 0 0 40 %"]
    );
    assert_eq!(
        obs.get(&format!("{base}/C999")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_public_page_and_the_export_show_what_the_plan_serves() {
    let (app, mut sec, nap) = tagged_plan().await;
    let base = format!("/t/aland/naps/{nap}");
    let res = sec.submit(&base, &format!("{base}/publish"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let public = app.client().get(&format!("/p/aland/naps/{nap}")).await;
    assert_eq!(
        public.texts("dl.alignment dt"),
        ["The whole plan", "Objective 2 Protect children"]
    );
    assert_eq!(
        public.texts("dl.alignment dd li"),
        [
            "SDG 8.7 End forced labour, modern slavery, human trafficking and every form of child labour",
            "C182 Worst Forms of Child Labour Convention, 1999 (No. 182)",
        ]
    );
    // In French, the reader's language.
    let public = app
        .client()
        .get(&format!("/p/aland/naps/{nap}?lang=fr"))
        .await;
    assert!(
        public.texts("dl.alignment dd li").contains(
            &"C182 Convention (n° 182) sur les pires formes de travail des enfants, 1999"
                .to_owned()
        ),
        "{}",
        public.body
    );

    // The export writes each activity's references; importing it back
    // changes nothing.
    let csv = String::from_utf8(sec.get_bytes(&format!("{base}/export.csv")).await).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",SDG targets and ILO standards"),
        "{csv}"
    );
    let row = |code: &str| {
        csv.lines()
            .find(|l| l.contains(&format!(",{code},")))
            .unwrap()
            .to_owned()
    };
    assert!(row("2.1.1").ends_with(",\"SDG 8.7, C182\""), "{csv}");
    assert!(row("1.1.1").ends_with(",\"SDG 5.2, SDG 8.7\""), "{csv}");
    let preview = import(&mut sec, nap, "plan.csv", csv.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.texts("table.changes tbody tr").is_empty());
}
