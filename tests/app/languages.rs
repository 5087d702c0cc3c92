//! English, French and Spanish: how the language is chosen, and that whole
//! pages, dates, numbers and exports follow it.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use nap_oversight::authz::Role;

use crate::common::{Client, TestApp};
use crate::plan::{add_activity, plan_setup};

/// A catalog's value, read from the file people edit.
fn catalog(lang: &str, key: &str) -> String {
    let text =
        std::fs::read_to_string(format!("{}/locales/{lang}.yml", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("{lang} has no {key}"))
        .trim_matches('"')
        .to_owned()
}

async fn get_with_language(client: &mut Client, path: &str, accept: &str) -> crate::common::Page {
    client
        .send(
            Request::get(path)
                .header(header::ACCEPT_LANGUAGE, accept)
                .body(Body::empty())
                .unwrap(),
        )
        .await
}

fn html_lang(page: &crate::common::Page) -> String {
    page.attr("html", "lang").unwrap()
}

#[tokio::test]
async fn the_browser_language_is_used_until_someone_chooses() {
    let app = TestApp::new().await;
    let mut visitor = app.client();
    for (accept, lang) in [
        ("fr-CA,fr;q=0.9", "fr"),
        ("es-419", "es"),
        ("de, en;q=0.5", "en"),
    ] {
        let page = get_with_language(&mut visitor, "/login", accept).await;
        assert_eq!(html_lang(&page), lang, "{accept}");
        assert_eq!(page.texts("h1"), vec![catalog(lang, "login.title")]);
    }
    // A visitor's language link wins over the browser, and is remembered.
    let page = get_with_language(&mut visitor, "/login?lang=es", "fr").await;
    assert_eq!(html_lang(&page), "es");
    let set_cookie = page.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.starts_with("lang=es;"), "{set_cookie}");
    let page = get_with_language(&mut visitor, "/", "fr").await;
    assert_eq!(html_lang(&page), "es");
    // The links to the other languages keep the page.
    let links = page.texts(".language-links a");
    assert_eq!(links, vec!["English", "Français", "Español"]);
    assert_eq!(
        page.attr(".language-links a[lang=fr]", "href").as_deref(),
        Some("/?lang=fr")
    );
}

#[tokio::test]
async fn the_switcher_changes_the_whole_page_and_is_remembered() {
    let (app, mut sec, nap) = plan_setup().await;
    add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Inspections"),
            ("budget", "1250000"),
            ("currency", "USD"),
        ],
    )
    .await;
    let activity = app.count("select id from activities").await;
    let path = format!("/t/aland/naps/{nap}/activities/{activity}");
    let page = sec.get(&path).await;
    assert_eq!(html_lang(&page), "en");
    assert!(page.body.contains("1,250,000 USD"), "{}", page.body);

    for lang in ["fr", "es"] {
        let res = sec
            .submit(&path, "/language", &[("lang", lang), ("back", &path)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(res.location(), path);
        let page = sec.get(&path).await;
        assert_eq!(html_lang(&page), lang);
        // The navigation, the headings, the facts: nothing left in English.
        for key in [
            "nav.overview",
            "nav.naps",
            "activity.status",
            "activity.budget",
            "comment.title",
            "confidential.title",
        ] {
            let text = catalog(lang, key);
            assert!(page.body.contains(&text), "{lang}: {key} {text:?}");
            let english = catalog("en", key);
            if english != text {
                assert!(
                    !page.texts("nav a, h1, h2, dt").contains(&english),
                    "{lang}: {key} still English"
                );
            }
        }
        let selected = page.attr("#language-switcher option[selected]", "value");
        assert_eq!(selected.as_deref(), Some(lang));
    }
    // Numbers and dates the Spanish way.
    let page = sec.get(&path).await;
    assert!(page.body.contains("1.250.000 USD"));
    // Remembered in the profile: a new session starts in Spanish.
    let mut again = app.signed_in("sec@aland.test").await;
    assert_eq!(html_lang(&again.get("/t/aland/").await), "es");
    // An unknown language is refused, not stored.
    let token = again.get("/profile").await.csrf();
    let res = again
        .post(
            "/language",
            &[("csrf", &token), ("lang", "xx"), ("back", "/")],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // The way back never leaves the site.
    let res = again
        .post(
            "/language",
            &[
                ("csrf", &token),
                ("lang", "en"),
                ("back", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/");
}

#[tokio::test]
async fn a_tenant_default_applies_to_members_who_did_not_choose() {
    let (app, mut sec, _) = plan_setup().await;
    app.member("aland", "min@aland.test", Role::Ministry, None, false)
        .await;
    let res = sec
        .submit(
            "/t/aland/settings",
            "/t/aland/settings",
            &[("stale_days", "90"), ("default_language", "fr")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut min = app.signed_in("min@aland.test").await;
    let page = get_with_language(&mut min, "/t/aland/", "es").await;
    assert_eq!(
        html_lang(&page),
        "fr",
        "the tenant's language over the browser's"
    );
    // A bad choice is refused beside the field.
    let res = sec
        .submit(
            "/t/aland/settings",
            "/t/aland/settings",
            &[("stale_days", "90"), ("default_language", "klingon")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!res.texts("#f-default_language-error").is_empty());
}

#[tokio::test]
async fn a_plan_exported_in_french_imports_in_english() {
    let (app, mut sec, nap) = plan_setup().await;
    add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Inspections"),
            ("targets", "Q2/yearly"),
        ],
    )
    .await;
    sec.submit("/profile", "/language", &[("lang", "fr"), ("back", "/")])
        .await;
    let csv = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/export.csv"))
        .await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.starts_with(&format!(
            "{},{}",
            catalog("fr", "transfer.col.objective_code"),
            catalog("fr", "transfer.col.objective_title")
        )),
        "{csv}"
    );
    // Targets and quarters are written the French way.
    assert!(csv.contains("T2 chaque année"), "{csv}");
    assert!(!csv.contains("Q2/yearly"), "{csv}");
    sec.submit("/profile", "/language", &[("lang", "en"), ("back", "/")])
        .await;
    // The same file, read back by an English session, changes nothing.
    let page = format!("/t/aland/naps/{nap}/import");
    let unchanged = sec.upload(&page, &page, "plan.csv", csv.as_bytes()).await;
    assert_eq!(unchanged.status, StatusCode::OK, "{}", unchanged.body);
    assert!(
        unchanged.texts("table.changes tbody tr").is_empty(),
        "{:?}",
        unchanged.texts("table.changes tbody tr")
    );
    // The same file, changed a little, read back by an English session.
    let edited = csv.replace("Inspections", "Labour inspections");
    let preview = sec
        .upload(&page, &page, "plan.csv", edited.as_bytes())
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let draft = preview.attr("input[name=draft]", "value").unwrap();
    let res = sec
        .post(
            &format!("/t/aland/naps/{nap}/import/apply"),
            &[("csrf", &preview.csrf()), ("draft", &draft)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select count(*) from activities where title = 'Labour inspections'")
            .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from time_targets where year is null and quarter = 2")
            .await,
        1,
        "the yearly target read back from French"
    );
}
