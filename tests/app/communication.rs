//! The communication plan: items with their quarters on the grid, refusals
//! beside the fields, the table exported and imported back (CSV and XLSX)
//! unchanged, an import that stores nothing when a row is wrong, the
//! guideline that prints it, and the checklist the annual review reads.

use axum::http::StatusCode;

use crate::common::{Client, OBSERVER, Page};
use crate::plan::{led_activity, plan_setup};

fn item<'a>(code: &'a str, targets: &'a str, state: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("direction", "external"),
        ("audience", "workers"),
        (
            "objective",
            "Tell workers that recruitment fees are unlawful",
        ),
        ("key_message", "No worker pays to get a job."),
        ("channel", "media"),
        ("partner", "CTU"),
        ("targets", targets),
        ("state", state),
        ("activities", "1.1.1"),
    ]
}

async fn add(sec: &mut Client, nap: i64, fields: &[(&str, &str)]) -> Page {
    let path = format!("/t/aland/naps/{nap}/communication/new");
    sec.submit(&path, &path, fields).await
}

/// The grid's rows of `year`: code and the quarters marked.
async fn grid(client: &mut Client, nap: i64, year: i32) -> Vec<(String, Vec<bool>)> {
    let page = client
        .get(&format!("/t/aland/naps/{nap}/communication?year={year}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html();
    let rows = scraper::Selector::parse("table.communication tbody tr").unwrap();
    let code = scraper::Selector::parse("th").unwrap();
    let quarter = scraper::Selector::parse("td.q").unwrap();
    let target = scraper::Selector::parse(".target").unwrap();
    html.select(&rows)
        .map(|row| {
            let code = row.select(&code).next().unwrap().text().collect::<String>();
            let marks = row
                .select(&quarter)
                .map(|q| q.select(&target).next().is_some())
                .collect();
            (code.trim().to_owned(), marks)
        })
        .collect()
}

#[tokio::test]
async fn items_show_their_quarters_and_wrong_ones_are_refused_beside_their_fields() {
    let (app, mut sec, nap) = plan_setup().await;
    led_activity(&mut sec, nap, "1.1.1", "MOL", &[]).await;
    let res = add(&mut sec, nap, &item("C1", "2026Q3, Q1/yearly", "planned")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        grid(&mut sec, nap, 2026).await,
        vec![("C1".to_owned(), vec![true, false, true, false])]
    );
    assert_eq!(
        grid(&mut sec, nap, 2027).await,
        vec![("C1".to_owned(), vec![true, false, false, false])]
    );
    let page = sec.get(&format!("/t/aland/naps/{nap}/communication")).await;
    assert!(page.body.contains("No worker pays to get a job."));
    assert!(page.body.contains("1.1.1"));

    // Each mistake beside its field; what was typed stays; nothing stored.
    let mut wrong = item("C1", "2031Q1", "planned");
    wrong[6] = ("partner", "XYZ");
    wrong[9] = ("activities", "1.1.1, 9.9.9");
    wrong[2] = ("audience", "everyone");
    let res = add(&mut sec, nap, &wrong).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["code", "targets", "partner", "activities", "audience"] {
        assert!(
            !res.texts(&format!("#f-{field}-error")).is_empty(),
            "{field}: {:?}",
            res.texts(".field-error")
        );
    }
    assert_eq!(res.attr("#f-targets", "value").unwrap(), "2031Q1");
    assert_eq!(
        app.count("select count(*) from communication_items").await,
        1
    );

    // Observers read it and change nothing.
    let mut observer = app.signed_in(OBSERVER).await;
    let page = observer
        .get(&format!("/t/aland/naps/{nap}/communication"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/communication/new"));
    let token = page.csrf();
    let res = observer
        .post(
            &format!("/t/aland/naps/{nap}/communication/new"),
            &[("csrf", token.as_str()), ("code", "C9")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // The guideline prints the plan's items.
    let guideline = sec.get(&format!("/t/aland/naps/{nap}/guideline")).await;
    assert!(guideline.texts("table.communication-items tbody th") == vec!["C1".to_owned()]);
}

/// The exported table as (code, every other cell) rows, header first.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    csv_reader(text.trim_start_matches('\u{feff}'))
}

fn csv_reader(text: &str) -> Vec<Vec<String>> {
    // Cells never hold a line break here: a plain split reads them.
    text.lines()
        .map(|line| {
            let mut cells = Vec::new();
            let mut cell = String::new();
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        cell.push('"');
                        chars.next();
                    }
                    ('"', _) => quoted = !quoted,
                    (',', false) => cells.push(std::mem::take(&mut cell)),
                    _ => cell.push(c),
                }
            }
            cells.push(cell);
            cells
        })
        .collect()
}

async fn import(sec: &mut Client, nap: i64, name: &str, bytes: &[u8]) -> Page {
    sec.upload(
        &format!("/t/aland/naps/{nap}/communication"),
        &format!("/t/aland/naps/{nap}/communication/import"),
        name,
        bytes,
    )
    .await
}

#[tokio::test]
async fn the_table_goes_out_and_comes_back_unchanged_and_a_wrong_row_stores_nothing() {
    let (app, mut sec, nap) = plan_setup().await;
    led_activity(&mut sec, nap, "1.1.1", "MOL", &[]).await;
    led_activity(&mut sec, nap, "1.1.2", "MOL", &[]).await;
    assert_eq!(
        add(&mut sec, nap, &item("C1", "2026Q3, Q1/yearly", "planned"))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let mut second = item("C2", "2027", "in-progress");
    second[9] = ("activities", "1.1.1, 1.1.2");
    second[3] = ("objective", "Brief \"policy makers\", with figures");
    assert_eq!(
        add(&mut sec, nap, &second).await.status,
        StatusCode::SEE_OTHER
    );
    let csv = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/communication.csv"))
        .await;
    let before = csv_rows(&csv);
    assert_eq!(before.len(), 3, "{before:?}");
    assert_eq!(before[0][0], "code");
    assert_eq!(before[2][9], "1.1.1, 1.1.2");
    let audit = app.count("select count(*) from audit_log").await;
    // CSV and XLSX both come back unchanged: nothing is written.
    let xlsx = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/communication.xlsx"))
        .await;
    for (name, bytes) in [("plan.csv", &csv), ("plan.xlsx", &xlsx)] {
        let res = import(&mut sec, nap, name, bytes).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{name}: {}", res.body);
        let again = sec
            .get_bytes(&format!("/t/aland/naps/{nap}/communication.csv"))
            .await;
        assert_eq!(csv_rows(&again), before, "{name}");
    }
    assert_eq!(
        app.count("select count(*) from audit_log").await,
        audit,
        "no change recorded"
    );

    // A row changed and a row added come in; a row the file leaves out stays.
    let changed = String::from_utf8(csv.clone())
        .unwrap()
        .replace(",in-progress,", ",done,")
        + "C3,internal,partners,Share the minutes,,newsletter,MOL,Q4/yearly,planned,\n";
    let res = import(&mut sec, nap, "plan.csv", changed.as_bytes()).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let after = csv_rows(
        &sec.get_bytes(&format!("/t/aland/naps/{nap}/communication.csv"))
            .await,
    );
    assert_eq!(after.len(), 4);
    assert_eq!(after[2][8], "done");
    assert_eq!(after[3][0], "C3");

    // One wrong row: every problem said by row, nothing stored.
    let wrong = "code,objective,channel,direction,audience,partner\n\
                 C4,Radio spots,media,external,public,MOL\n\
                 C5,Posters,posters,external,public,NOPE\n";
    let res = import(&mut sec, nap, "wrong.csv", wrong.as_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = res.texts("ul.problems li");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems.iter().all(|p| p.starts_with("Row 3")),
        "{problems:?}"
    );
    assert_eq!(
        app.count("select count(*) from communication_items").await,
        3
    );
    let res = import(&mut sec, nap, "empty.csv", b"").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_checklist_is_answered_and_the_annual_review_reads_it() {
    let (app, mut sec, nap) = plan_setup().await;
    let path = format!("/t/aland/naps/{nap}/checklist");
    let mut fields: Vec<(String, String)> = [
        "sharing-in-plan",
        "handovers",
        "one-filing-place",
        "indicators-reported",
        "review-planned",
        "external-communication",
        "victims-data-rules",
    ]
    .iter()
    .map(|q| (format!("answer-{q}"), "not-known".to_owned()))
    .collect();
    fields[1].1 = "no".to_owned();
    fields[6].1 = "yes".to_owned();
    fields.push((
        "note-victims-data-rules".to_owned(),
        "Agreed with the shelters in March".to_owned(),
    ));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = sec.submit(&path, &path, &pairs).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = sec.get(&path).await;
    assert_eq!(
        page.attr("input[name=answer-handovers][checked]", "value")
            .as_deref(),
        Some("no")
    );
    // A made-up answer is refused beside its question, nothing stored.
    let mut bad = pairs.clone();
    bad[0].1 = "maybe";
    let res = sec.submit(&path, &path, &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts(".field-error").len(), 1);
    assert_eq!(
        app.count("select count(*) from knowledge_checklist where answer = 'no'")
            .await,
        1
    );
    // The annual review shows the answers.
    let reviews = format!("/t/aland/naps/{nap}/annual-reviews");
    let res = sec.submit(&reviews, &reviews, &[("year", "2026")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let review = sec.get(&format!("{reviews}/2026")).await;
    let answers = review.texts("section.checklist-read dd");
    assert_eq!(answers.len(), 7);
    assert!(answers[6].contains("Yes") && answers[6].contains("Agreed with the shelters"));
    assert!(answers[1].contains("No"));
    // Observers read the answers, without a form.
    let mut observer = app.signed_in(OBSERVER).await;
    let page = observer.get(&path).await;
    assert_eq!(page.texts("dl.checklist-answers dd").len(), 7);
    assert!(
        page.html()
            .select(&scraper::Selector::parse("form.checklist").unwrap())
            .next()
            .is_none()
    );
}
