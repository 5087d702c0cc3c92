//! Words people use: the audit log in sentences, the changed words of terms
//! of reference marked, and a glossary every page can point to.

use axum::http::StatusCode;

use crate::common::{Client, SEC, TestApp};
use crate::plan::{add_activity, plan_setup};

/// The sentences of the audit log's first page, newest first.
async fn sentences(sec: &mut Client) -> Vec<String> {
    let page = sec.get("/t/aland/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    page.texts("table.audit p.sentence")
}

fn said(sentences: &[String], start: &str) -> String {
    sentences
        .iter()
        .find(|s| s.starts_with(start))
        .unwrap_or_else(|| panic!("no sentence {start:?} in {sentences:#?}"))
        .clone()
}

#[tokio::test]
async fn the_audit_log_says_each_kind_of_change_in_a_sentence() {
    let (app, mut sec, nap) = plan_setup().await;
    let mut conn = app.owner_conn().await;
    sqlx::query("update users set name = 'Ana Ruiz' where email = $1")
        .bind(SEC)
        .execute(&mut conn)
        .await
        .unwrap();
    let today = nap_oversight::i18n::day(time::OffsetDateTime::now_utc().date());
    for (code, title) in [("1.1.1", "Awareness campaign"), ("1.1.2", "Training")] {
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", code),
                ("title", title),
                ("lead", "MOL"),
                ("targets", "2026Q3"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let activity = app
        .count("select id from activities where code = '1.1.1'")
        .await;
    // An update of the activity's figures, through a status update.
    let form = format!("/t/aland/naps/{nap}/activities/{activity}/update");
    let res = sec
        .submit(
            &form,
            &form,
            &[
                ("version", "0"),
                ("status", "delayed"),
                ("progress", "20"),
                ("note", "Waiting for the printer"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // One field changed: a role.
    let observer = app
        .count("select m.id from memberships m join users u on u.id = m.user_id where u.email = 'obs@aland.test'")
        .await;
    sec.submit(
        "/t/aland/members",
        &format!("/t/aland/members/{observer}/role"),
        &[("role", "ministry")],
    )
    .await;
    // A deletion.
    let other = app
        .count("select id from activities where code = '1.1.2'")
        .await;
    let delete = format!("/t/aland/naps/{nap}/activities/{other}/delete");
    let res = sec.submit(&delete, &delete, &[("confirm", "yes")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    let all = sentences(&mut sec).await;
    assert_eq!(
        said(&all, "Ana Ruiz added the activity 1.1.1"),
        format!("Ana Ruiz added the activity 1.1.1 Awareness campaign, {today}.")
    );
    let target = nap_oversight::features::plan::quarter::TargetSpec::parse("2026Q3")
        .unwrap()
        .to_string();
    assert_eq!(
        said(
            &all,
            &format!("Ana Ruiz added the time target {target} of the activity 1.1.1")
        ),
        format!("Ana Ruiz added the time target {target} of the activity 1.1.1, {today}.")
    );
    // What is gone is named as it was.
    assert_eq!(
        said(&all, &format!("Ana Ruiz deleted the time target {target}")),
        format!("Ana Ruiz deleted the time target {target} of the activity 1.1.2, {today}.")
    );
    assert_eq!(
        said(&all, "Ana Ruiz reported"),
        format!("Ana Ruiz reported on 1.1.1: Delayed, 20%, {today}.")
    );
    assert_eq!(
        said(&all, "Ana Ruiz changed the activity"),
        format!(
            "Ana Ruiz changed the activity 1.1.1 Awareness campaign: the progress from 0% to 20%; \
             the status from Not started to Delayed, {today}."
        )
    );
    assert_eq!(
        said(&all, "Ana Ruiz changed the role"),
        format!(
            "Ana Ruiz changed the role of Person obs@aland.test from Observer to Ministry member, {today}."
        )
    );
    assert_eq!(
        said(&all, "Ana Ruiz deleted the activity"),
        format!("Ana Ruiz deleted the activity 1.1.2 Training, {today}.")
    );
    assert!(
        all.iter()
            .any(|s| s == &format!("Ana Ruiz added the NAP Plan against forced labour, {today}.")),
        "{all:#?}"
    );
    // No database words: no table or column names, no raw ids.
    for s in &all {
        for word in ["activities", "_id", "status_updates", "memberships", "#"] {
            assert!(!s.contains(word), "{word:?} in {s:?}");
        }
    }
    // The raw row stays one click away, and the export keeps raw columns.
    let page = sec
        .get("/t/aland/audit?object=memberships&action=update")
        .await;
    let details = page.texts("table.audit details.raw");
    assert!(
        details[0].contains("\"role\": \"ministry\"") && details[0].contains("sec@aland.test"),
        "{details:?}"
    );
    let csv = String::from_utf8(sec.get_bytes("/t/aland/audit.csv").await).unwrap();
    assert!(csv.contains("memberships") && csv.contains("\"\"role\"\":\"\"ministry\"\""));
}

#[tokio::test]
async fn reads_of_confidential_records_are_said_without_what_they_say() {
    let mut setup = crate::confidential::setup().await;
    let res = crate::confidential::add_record(&mut setup, crate::confidential::TITLE, None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let crate::confidential::Setup {
        app,
        mut sec,
        mut keeper,
        ..
    } = setup;
    let record = app.count("select id from confidential_records").await;
    keeper
        .get(&format!("/t/aland/confidential/records/{record}"))
        .await;
    let today = nap_oversight::i18n::day(time::OffsetDateTime::now_utc().date());
    let all = sentences(&mut sec).await;
    assert_eq!(
        said(&all, "Person min@aland.test read"),
        format!("Person min@aland.test read a confidential record on the activity 1.1.1, {today}.")
    );
    assert_eq!(
        said(&all, "Person min@aland.test added"),
        format!(
            "Person min@aland.test added a confidential record on the activity 1.1.1 (group Referral group), {today}."
        )
    );
    assert_eq!(
        said(&all, "Person sec@aland.test added Person min"),
        format!(
            "Person sec@aland.test added Person min@aland.test to the confidential group Referral group, {today}."
        )
    );
    let page = sec.get("/t/aland/audit").await;
    assert!(
        !page.body.contains(crate::confidential::TITLE)
            && !page.body.contains(crate::confidential::BODY)
    );
}

#[tokio::test]
async fn the_audit_log_speaks_the_readers_language() {
    let (app, _, _) = plan_setup().await;
    let mut conn = app.owner_conn().await;
    sqlx::query("update users set name = 'Ana Ruiz', language = 'fr' where email = $1")
        .bind(SEC)
        .execute(&mut conn)
        .await
        .unwrap();
    let mut sec = app.signed_in(SEC).await;
    let all = sentences(&mut sec).await;
    assert!(
        all.iter()
            .any(|s| s.starts_with("Ana Ruiz a ajouté le PAN Plan against forced labour, le ")),
        "{all:#?}"
    );
    assert!(
        all.iter()
            .any(|s| s.starts_with("Ana Ruiz a ajouté le résultat 1.1 People know their rights")),
        "{all:#?}"
    );
}

/// Two published versions, the second with one word changed in one section.
#[tokio::test]
async fn the_terms_of_reference_compare_marks_the_words_that_changed() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let res = sec
        .submit(
            "/t/aland/committees",
            "/t/aland/committees",
            &[("name", "Oversight"), ("kind", "oversight")],
        )
        .await;
    let committee = res.location();
    let tor = format!("{committee}/tor");
    for mandate in [
        "The committee meets every quarter, and reports to parliament.",
        "The committee meets every month, and reports to parliament.",
    ] {
        sec.submit(
            &tor,
            &tor,
            &[
                ("mandate", mandate),
                ("purpose", "Oversight of the plan."),
                ("reporting", "A yearly report."),
            ],
        )
        .await;
        let res = sec
            .submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    }
    let page = sec.get(&format!("{tor}/compare?a=1&b=2")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("table.compare td.before del"), ["quarter"]);
    assert_eq!(page.texts("table.compare td.after ins"), ["month"]);
    assert_eq!(
        page.texts("table.compare tr.changed td.after"),
        ["The committee meets every month , and reports to parliament."]
    );
    // Unchanged sections carry no mark, and read whole.
    assert_eq!(
        page.texts("table.compare tr.same del, table.compare tr.same ins")
            .len(),
        0
    );
    assert!(
        page.texts("table.compare tr.same td.after")
            .contains(&"A yearly report.".to_owned())
    );
    // The version page links to the glossary for the words it uses.
    let version = sec.get(&format!("{tor}/v/2")).await;
    assert_eq!(
        version.attr("h1 a.help-link", "href").as_deref(),
        Some("/help#terms-of-reference")
    );
}

#[tokio::test]
async fn the_glossary_explains_each_term_in_three_languages() {
    let app = TestApp::init().with_aland().build().await;
    let mut visitor = app.client();
    let mut seen = Vec::new();
    for (lang, title, quorum) in [
        ("en", "Help: the words we use", "Quorum"),
        ("fr", "Aide : les mots employés", "Quorum"),
        ("es", "Ayuda: las palabras que usamos", "Quórum"),
    ] {
        let page = visitor.get(&format!("/help?lang={lang}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.attr("html", "lang").as_deref(), Some(lang));
        assert_eq!(page.texts("main h1"), [title]);
        for anchor in nap_oversight::features::help::TERMS {
            let term = page.texts(&format!("dl.glossary dt#{anchor}"));
            assert_eq!(term.len(), 1, "{lang}: #{anchor}");
            let text = page.texts(&format!("dl.glossary dt#{anchor} + dd"));
            assert!(text[0].len() > 60, "{lang}: #{anchor} explained: {text:?}");
            assert_eq!(
                page.attr(&format!("a[href='#{anchor}']"), "href")
                    .as_deref(),
                Some(format!("#{anchor}").as_str()),
                "{lang}: #{anchor} in the index"
            );
        }
        assert_eq!(page.texts("dt#quorum"), [quorum]);
        seen.push(page.texts("dd")[0].clone());
    }
    seen.dedup();
    assert_eq!(seen.len(), 3, "three languages, three texts");
    // The glossary names every term the issue lists.
    for anchor in [
        "nap",
        "focal-point",
        "time-target",
        "round",
        "tripartite",
        "secretariat",
        "observer",
        "outcome",
        "objective",
        "indicator",
        "baseline",
        "terms-of-reference",
        "quorum",
        "schedule-and-status",
    ] {
        assert!(
            nap_oversight::features::help::TERMS.contains(&anchor),
            "{anchor}"
        );
    }
    // Signed in, the same page, with the tenant's person's chrome.
    let mut sec = app.signed_in(SEC).await;
    let page = sec.get("/help").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.texts("dt#focal-point")[0].contains("Focal point"));
    // The members page points at the glossary where it uses its words.
    let members = sec.get("/t/aland/members").await;
    let links: Vec<String> = members
        .html()
        .select(&scraper::Selector::parse("a.help-link").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert!(links.contains(&"/help#focal-point".to_owned()), "{links:?}");
}
