//! The public portal in the reader's language: titles of the plan, its
//! objectives, outcomes and activities, and partner names, as the
//! secretariat wrote them in English, French or Spanish, with the tenant's
//! own language where nothing was written.

use axum::http::StatusCode;

use crate::common::{SEC, TestApp};
use crate::plan::add_activity;

#[tokio::test]
async fn public_pages_speak_the_readers_language_where_it_was_written() {
    let app = TestApp::init().with_aland().with_plan().build().await;
    let mut sec = app.signed_in(SEC).await;
    let nap = app.nap();
    let base = format!("/t/aland/naps/{nap}");
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Train labour inspectors"),
            ("title_fr", "Former les inspecteurs du travail"),
            ("lead", "MOL"),
            ("targets", "2029Q1"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // The tenant writes in English: its forms ask for French and Spanish only.
    let edit = format!("{base}/edit");
    let form = sec.get(&edit).await;
    assert!(form.attr("input[name=title_en]", "name").is_none());
    assert!(form.attr("input[name=title_fr]", "name").is_some());
    assert!(form.attr("textarea[name=summary_es]", "name").is_some());
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("title", "Plan against forced labour"),
                ("title_fr", "Plan contre le travail forcé"),
                ("summary", "What the country will do."),
                ("summary_fr", "Ce que le pays va faire."),
                ("theme", "forced-labour"),
                ("start_year", "2025"),
                ("end_year", "2029"),
                ("status", "adopted"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let objective = app.count("select id from objectives").await;
    let node = format!("{base}/objectives/{objective}/edit");
    let res = sec
        .submit(
            &node,
            &node,
            &[
                ("code", "1"),
                ("title", "Prevention"),
                ("title_fr", "Prévention"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mol = app
        .count("select id from partners where acronym = 'MOL'")
        .await;
    let partner = format!("/t/aland/partners/{mol}/edit");
    let form = sec.get(&partner).await;
    let keep = |name: &str| {
        form.attr(&format!("[name={name}] option[selected]"), "value")
            .unwrap_or_default()
    };
    let res = sec
        .submit(
            &partner,
            &partner,
            &[
                ("acronym", "MOL"),
                ("name", "Ministry of Labour"),
                ("name_fr", "Ministère du Travail"),
                ("kind", &keep("kind")),
                ("portfolio", &keep("portfolio")),
                ("level", &keep("level")),
                ("constituency", &keep("constituency")),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = sec.submit(&base, &format!("{base}/publish"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    let mut visitor = app.client();
    let french = visitor.get(&format!("/p/aland/naps/{nap}?lang=fr")).await;
    assert_eq!(french.status, StatusCode::OK);
    assert_eq!(french.texts("h1"), ["Plan contre le travail forcé"]);
    assert!(french.body.contains("Ce que le pays va faire."));
    assert!(french.texts("table.grid .objective-row th")[0].contains("Prévention"));
    let what = french.texts("table.grid td.what");
    assert!(
        what[0].contains("Former les inspecteurs du travail"),
        "{what:?}"
    );
    assert!(what[0].contains("Ministère du Travail (MOL)"), "{what:?}");
    assert!(french.texts("table.public-progress tbody th")[0].contains("Prévention"));
    // Nothing was written in Spanish: the tenant's English stands in.
    let spanish = visitor.get(&format!("/p/aland/naps/{nap}?lang=es")).await;
    assert_eq!(spanish.texts("h1"), ["Plan against forced labour"]);
    let what = spanish.texts("table.grid td.what");
    assert!(
        what[0].contains("Train labour inspectors") && what[0].contains("Ministry of Labour (MOL)"),
        "{what:?}"
    );
    let home = visitor.get("/p/aland/?lang=fr").await;
    assert!(home.body.contains("Plan contre le travail forcé"));
    // And the tenant's own pages keep the text as the secretariat wrote it.
    let grid = sec.get(&format!("{base}/plan")).await;
    assert!(grid.body.contains("Train labour inspectors"));
}

#[tokio::test]
async fn a_bad_translation_is_refused_beside_its_field_and_nothing_is_kept() {
    let app = TestApp::init().with_aland().with_plan().build().await;
    let mut sec = app.signed_in(SEC).await;
    let nap = app.nap();
    let edit = format!("/t/aland/naps/{nap}/edit");
    let long = "x".repeat(301);
    let res = sec
        .submit(
            &edit,
            &edit,
            &[
                ("title", "Plan against forced labour"),
                ("title_fr", "Plan\u{7} contre le travail forcé"),
                ("title_es", &long),
                ("theme", "forced-labour"),
                ("start_year", "2025"),
                ("end_year", "2029"),
                ("status", "adopted"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.attr("#f-title_fr", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        res.attr("#f-title_es", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        res.attr("#f-title_es", "value").as_deref(),
        Some(long.as_str()),
        "what was typed is kept"
    );
    assert_eq!(
        app.count("select count(*) from naps where translations <> '{}'")
            .await,
        0
    );
}

#[tokio::test]
async fn terms_of_reference_read_in_the_readers_language_and_the_translation_is_frozen_with_them() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let id = crate::meetings::committee(&mut sec, "Oversight Committee", "quarterly").await;
    let tor = format!("/t/aland/committees/{id}/tor");

    // The tenant writes in English: the draft asks for French and Spanish.
    let form = sec.get(&tor).await;
    assert!(form.attr("textarea[name=mandate_en]", "name").is_none());
    assert!(form.attr("textarea[name=mandate_fr]", "name").is_some());
    assert!(
        form.attr("textarea[name=confidentiality_es]", "name")
            .is_some()
    );

    // A bad translation is refused beside its field; what was typed stays.
    let res = sec
        .submit(
            &tor,
            &tor,
            &[
                ("mandate", "Oversee the plan"),
                ("purpose", "Watch it"),
                ("mandate_fr", "Surveiller\u{7} le plan"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.attr("#f-mandate_fr", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        app.count("select count(*) from tor_versions").await,
        0,
        "nothing is kept"
    );

    let res = sec
        .submit(
            &tor,
            &tor,
            &[
                ("mandate", "Oversee the plan"),
                ("purpose", "Watch it"),
                ("mandate_fr", "Surveiller le plan"),
                ("mandate_es", "Supervisar el plan"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let form = sec.get(&tor).await;
    assert_eq!(
        form.texts("textarea[name=mandate_fr]")[0],
        "Surveiller le plan",
        "the draft keeps its translations"
    );
    let res = sec
        .submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    let mut visitor = app.client();
    let public = format!("/p/aland/committees/{id}/tor");
    let french = visitor.get(&format!("{public}?lang=fr")).await;
    assert!(
        french.body.contains("Surveiller le plan"),
        "{}",
        french.body
    );
    assert!(
        french.body.contains("Watch it"),
        "a section without a translation falls back to the tenant's text"
    );
    assert!(!french.body.contains("Oversee the plan"));
    let spanish = visitor.get(&format!("{public}?lang=es")).await;
    assert!(spanish.body.contains("Supervisar el plan"));
    let english = visitor.get(&format!("{public}?lang=en")).await;
    assert!(english.body.contains("Oversee the plan"));

    // Published translations are frozen with their version.
    let tenant = app.count("select id from tenants").await;
    let mut tx = nap_oversight::tenancy::scope::begin(&app.pool, tenant, None)
        .await
        .unwrap();
    let err = sqlx::query("update tor_versions set translations = '{}' where version = 1")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot change"), "{err}");
}
