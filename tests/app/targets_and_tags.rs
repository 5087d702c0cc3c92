//! Time targets and tags as published plans write them: a whole year as a
//! target (met, or missed once the year is over), targets set on an outcome
//! that its activities inherit, pillars and linked plans with their filters,
//! and a flag; all carried by the spreadsheet both ways.

use axum::http::StatusCode;

use crate::plan::{add_activity, plan_setup};
use crate::transfer::{confirm, import, problems};

/// The secretariat's answer to a form, on the form's own page.
fn field_error(page: &crate::common::Page, field: &str) -> String {
    page.texts(&format!("#f-{field}-error")).join(" ")
}

#[tokio::test]
async fn a_year_target_is_met_any_time_that_year_and_missed_once_it_ended() {
    let (app, mut sec, nap) = plan_setup().await;
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Review the labour law"),
            ("lead", "MOL"),
            ("targets", "2025, 2026"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let activity = app.count("select id from activities").await;
    // One occurrence each, in its year's last quarter.
    assert_eq!(
        app.count(
            "select count(*) from target_occurrences
             where quarter_index in (2025 * 4 + 3, 2026 * 4 + 3)"
        )
        .await,
        2
    );
    let path = format!("/t/aland/naps/{nap}/activities/{activity}");
    let page = sec.get(&path).await;
    assert_eq!(
        page.texts("li.target"),
        ["2025: Missed", "2026: Pending"],
        "2025 is over, 2026 is not"
    );

    // An update in the year meets it; the form names the year, not a quarter.
    let form = sec.get(&format!("{path}/update")).await;
    let offered = form.texts("label.check");
    assert!(
        offered.iter().any(|t| t.starts_with("2026 (")),
        "{offered:?}"
    );
    let occurrence = app
        .count("select id from target_occurrences where quarter_index = 2026 * 4 + 3")
        .await
        .to_string();
    let meet = format!("meet_{occurrence}");
    let res = crate::progress::post(
        &mut sec,
        nap,
        activity,
        &[("status", "on-track"), ("progress", "60"), (&meet, "on")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = sec.get(&path).await;
    assert_eq!(page.texts("li.target"), ["2025: Missed", "2026: Met"]);
    assert!(
        page.texts("dd").iter().any(|d| d == "2025, 2026"),
        "{:?}",
        page.texts("dd")
    );

    // The grid marks 2026 across its first three quarters, its mark in Q4.
    let grid = sec
        .get(&format!("/t/aland/naps/{nap}/plan?year=2026"))
        .await;
    assert_eq!(grid.html().select(&sel("td.year-span")).count(), 3);
    assert_eq!(grid.texts("td.cell .mark.met .visually-hidden"), ["Met"]);

    // The plan's years cannot shrink past a year target.
    let edit = format!("/t/aland/naps/{nap}/edit");
    let res = sec.submit(&edit, &edit, &nap_years("2026")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_error(&res, "end_year"),
        "Activity 1.1.1 has quarters or targets outside these years: change it first."
    );

    // A year outside the plan is answered beside the field.
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.2"),
            ("title", "Another"),
            ("targets", "2031"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_error(&res, "targets"),
        "The target 2031 falls outside the activity's period."
    );
    assert_eq!(res.attr("#f-targets", "value").as_deref(), Some("2031"));
}

/// The NAP form of the test plan, from `start` to 2029.
fn nap_years(start: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("title", "Plan against forced labour"),
        ("theme", "forced-labour"),
        ("start_year", start),
        ("end_year", "2029"),
        ("status", "adopted"),
    ]
}

fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap()
}

#[tokio::test]
async fn activities_without_targets_inherit_their_outcomes_and_the_spreadsheet_carries_them() {
    let (app, mut sec, nap) = plan_setup().await;
    let base = format!("/t/aland/naps/{nap}");
    for (code, targets) in [("1.1.1", "2027Q2"), ("1.1.2", "")] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", code),
                ("title", "Inspect farms"),
                ("lead", "MOL"),
                ("targets", targets),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let outcome = app.count("select id from outcomes").await;
    let objective = app.count("select id from objectives").await.to_string();
    let edit = format!("{base}/outcomes/{outcome}/edit");
    // Bad targets are answered beside the field, with what was typed kept.
    for (typed, message) in [
        (
            "soon",
            "“soon” is not a time target: write a quarter (2027Q3), a quarter every year (Q2/yearly) or a year (2027).",
        ),
        ("2031", "The target 2031 falls outside the plan's period."),
    ] {
        let res = sec
            .submit(
                &edit,
                &edit,
                &[
                    ("objective", &objective),
                    ("code", "1.1"),
                    ("title", "Farms are inspected"),
                    ("targets", typed),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_error(&res, "targets"), message);
        assert_eq!(res.attr("#f-targets", "value").as_deref(), Some(typed));
    }
    assert_eq!(
        app.count("select count(*) from time_targets where outcome_id is not null")
            .await,
        0
    );
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("objective", &objective),
                ("code", "1.1"),
                ("title", "Farms are inspected"),
                ("targets", "2027"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // Only the activity without targets of its own takes the outcome's.
    let inheriting = app
        .count("select id from activities where code = '1.1.2'")
        .await;
    assert_eq!(
        app.count(&format!(
            "select count(*) from target_occurrences where activity_id = {inheriting} and quarter_index = 2027 * 4 + 3"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from target_occurrences").await,
        2
    );
    let page = sec.get(&format!("{base}/activities/{inheriting}")).await;
    assert!(
        page.texts("dd")
            .iter()
            .any(|d| d == "2027 (set on outcome 1.1)"),
        "{:?}",
        page.texts("dd")
    );
    assert_eq!(page.texts("li.target"), ["2027: Pending"]);
    // The form shows the outcome's targets again.
    let form = sec.get(&edit).await;
    assert_eq!(form.attr("#f-targets", "value").as_deref(), Some("2027"));

    // The export carries them in their own column; importing it back
    // changes nothing, and a change to them is previewed field by field.
    let csv = String::from_utf8(sec.get_bytes(&format!("{base}/export.csv")).await).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains("Outcome time targets"), "{header}");
    let preview = import(&mut sec, nap, "plan.csv", csv.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.texts("table.changes tbody tr").is_empty(),
        "{}",
        preview.body
    );
    let changed = csv.replace(",2027,", ",2028,");
    assert_ne!(changed, csv);
    let preview = import(&mut sec, nap, "plan.csv", changed.as_bytes()).await;
    assert_eq!(
        preview.texts("table.fields tbody tr"),
        ["Outcome time targets 2027 2028"]
    );
    assert_eq!(
        confirm(&mut sec, nap, &preview).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count(&format!(
            "select count(*) from target_occurrences where activity_id = {inheriting} and quarter_index = 2028 * 4 + 3"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from target_occurrences").await,
        2
    );

    // Nor past an outcome's own target.
    let edit_nap = format!("{base}/edit");
    let mut years = nap_years("2025");
    years[3] = ("end_year", "2027");
    let res = sec.submit(&edit_nap, &edit_nap, &years).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_error(&res, "end_year"),
        "Objective or outcome 1.1 has time targets outside these years: change them first."
    );

    // Two rows of one outcome that disagree are a problem, by row and column.
    let mut lines: Vec<String> = changed.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replace(",2028,", ",2029,");
    let res = import(&mut sec, nap, "plan.csv", lines.join("\n").as_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&res),
        ["3 Outcome time targets Another value was given for this objective or outcome on row 2."]
    );
}

#[tokio::test]
async fn pillars_linked_plans_and_flags_tag_the_plan_filter_it_and_travel_with_it() {
    let (app, mut sec, nap) = plan_setup().await;
    let base = format!("/t/aland/naps/{nap}");
    let tags = format!("{base}/tags");
    // A name too long is refused beside its field, and nothing is kept.
    let long = "P".repeat(201);
    let res = sec
        .submit(
            &tags,
            &tags,
            &[("pillars", &format!("Prevention\n{long}")), ("plans", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_error(&res, "pillars").contains("too long"),
        "{}",
        res.body
    );
    assert_eq!(app.count("select count(*) from nap_tags").await, 0);
    let res = sec
        .submit(
            &tags,
            &tags,
            &[
                ("pillars", "Prevention\nProtection\nprevention"),
                ("plans", "National plan on trafficking"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(app.count("select count(*) from nap_tags").await, 3);

    // The objective is tagged Prevention; its activities are in it.
    let objective = app.count("select id from objectives").await;
    let edit = format!("{base}/objectives/{objective}/edit");
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("code", "1"),
                ("title", "Prevent"),
                ("pillars", "Prosecution"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res, "pillars").contains("“Prosecution” is not in this plan's list"));
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("code", "1"),
                ("title", "Prevent"),
                ("pillars", "prevention"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    for (code, pillars, plans, flag) in [
        (
            "1.1.1",
            "",
            "National plan on trafficking",
            "source uncertain",
        ),
        ("1.1.2", "Protection", "", ""),
    ] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", code),
                ("title", "Inspect farms"),
                ("lead", "MOL"),
                ("pillars", pillars),
                ("plans", plans),
                ("flag", flag),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let grid = |query: &'static str| {
        let path = format!("{base}/plan?{query}");
        let mut sec = crate::common::Client::clone_session(&sec);
        async move { sec.get(&path).await.texts("table.grid tbody th.code") }
    };
    assert_eq!(
        grid("pillar=Prevention").await,
        ["1.1.1", "1.1.2"],
        "by the objective"
    );
    assert_eq!(grid("pillar=protection").await, ["1.1.2"]);
    assert_eq!(grid("plan=National+plan+on+trafficking").await, ["1.1.1"]);
    assert_eq!(grid("flagged=yes").await, ["1.1.1"]);
    let page = sec.get(&format!("{base}/plan")).await;
    assert_eq!(page.texts("td.what .flag"), ["⚑ Flag: source uncertain"]);
    // The flag is an internal note: the public page does not show it.
    let res = sec.submit(&base, &format!("{base}/publish"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let public = app.client().get(&format!("/p/aland/naps/{nap}")).await;
    assert_eq!(public.texts("table.grid tbody th.code"), ["1.1.1", "1.1.2"]);
    assert!(!public.body.contains("source uncertain"));

    // The dashboard counts by pillar and linked plan; each figure is a list.
    let dashboard = sec.get(&format!("{base}/dashboard")).await;
    assert_eq!(
        dashboard.texts("table.tag-table tbody tr"),
        [
            "Prevention 2 0 0",
            "Protection 1 0 0",
            "National plan on trafficking 1 0 0",
            "SDG 8.7 2 0 0"
        ]
    );
    let link = dashboard
        .attr("table.tag-table tbody tr:nth-child(2) a", "href")
        .unwrap();
    let list = sec.get(&link).await;
    assert_eq!(list.texts("table.activity-list tbody th"), ["1.1.2"]);
    let flagged = dashboard.attr("#tags-heading ~ p a", "href").unwrap();
    assert_eq!(
        sec.get(&flagged)
            .await
            .texts("table.activity-list tbody th"),
        ["1.1.1"]
    );

    // The spreadsheet carries them: an unchanged export writes nothing.
    let csv = String::from_utf8(sec.get_bytes(&format!("{base}/export.csv")).await).unwrap();
    let audited = app.count("select count(*) from audit_log").await;
    let preview = import(&mut sec, nap, "plan.csv", csv.as_bytes()).await;
    assert!(
        preview.texts("table.changes tbody tr").is_empty(),
        "{}",
        preview.body
    );
    // An older file, without these columns, leaves them as they are.
    let header = "objective_code,objective_title,outcome_code,outcome_title,activity_code,activity_title,description,lead,supporting,start,end,level,place,budget,currency,targets";
    let older = format!(
        "{header}\n1,Prevent,1.1,People know their rights,1.1.1,Inspect farms,,MOL,,,,national,,,,\n1,Prevent,1.1,People know their rights,1.1.2,Inspect farms,,MOL,,,,national,,,,\n"
    );
    let preview = import(&mut sec, nap, "plan.csv", older.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.texts("table.changes tbody tr").is_empty(),
        "{}",
        preview.body
    );
    assert_eq!(app.count("select count(*) from audit_log").await, audited);
    // A change of tags in the file is previewed, then applied.
    let retagged = csv.replace("source uncertain", "checked with the ministry");
    let preview = import(&mut sec, nap, "plan.csv", retagged.as_bytes()).await;
    assert_eq!(
        preview.texts("table.fields tbody tr"),
        ["Flag source uncertain checked with the ministry"]
    );
    assert_eq!(
        confirm(&mut sec, nap, &preview).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count("select count(*) from activities where flag = 'checked with the ministry'")
            .await,
        1
    );
    // A pillar the plan's list lacks is added to it, as the preview says.
    let unknown = csv.replace(",Protection,", ",Partnership,");
    let preview = import(&mut sec, nap, "plan.csv", unknown.as_bytes()).await;
    assert!(problems(&preview).is_empty(), "{}", preview.body);
    assert_eq!(
        preview.texts("p.new-tags"),
        ["The import adds to this plan's lists: pillars Partnership."]
    );
    assert_eq!(
        app.count("select count(*) from nap_tags").await,
        3,
        "nothing before the confirmation"
    );
    assert_eq!(
        confirm(&mut sec, nap, &preview).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count(
            "select count(*) from activity_tags x join nap_tags g on g.id = x.tag_id where g.name = 'Partnership'"
        )
        .await,
        1
    );
    // A name that cannot be kept is a problem on its row and column.
    let long = format!(",{},", "P".repeat(201));
    let bad = csv.replace(",Protection,", &long);
    let res = import(&mut sec, nap, "plan.csv", bad.as_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let said = problems(&res);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with("3 Pillars “PPP"), "{said:?}");

    // A pillar taken off the list leaves what it tagged.
    let res = sec
        .submit(
            &tags,
            &tags,
            &[
                ("pillars", "Prevention"),
                ("plans", "National plan on trafficking"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("select count(*) from activity_tags").await, 1);
    assert_eq!(app.count("select count(*) from objective_tags").await, 1);
    assert_eq!(app.count("select count(*) from nap_tags").await, 2);
}
