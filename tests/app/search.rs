//! Search: words inside real PDF and Word files, French with and without
//! accents, titles ranked above bodies, and the walls: no confidential
//! record, no update awaiting review, no other tenant's row, no committee
//! document outside its committee; the portal's search sees only what is
//! published.

use axum::http::StatusCode;

use crate::common::{Client, OBSERVER, Page};
use crate::documents::{office_file, upload};

/// The titles of the results of `q` (and `kind`) as `client` sees them.
async fn titles(client: &mut Client, q: &str, kind: &str) -> Vec<String> {
    let path = nap_oversight::paths::with_query(
        &nap_oversight::paths::search("aland"),
        &[("q", q), ("kind", kind)],
    );
    let page: Page = client.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.texts("ol.search-results .hit-title")
}

async fn document(
    client: &mut Client,
    title: &str,
    lang: &str,
    visibility: &str,
    file: (&str, &[u8]),
) {
    let res = upload(
        client,
        &[
            ("title", title),
            ("kind", "minutes"),
            ("language", lang),
            ("visibility", visibility),
            ("description", ""),
        ],
        file,
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[tokio::test]
async fn words_inside_pdf_and_word_files_are_found_in_french_with_or_without_accents() {
    let s = crate::confidential::setup().await;
    let mut sec = s.sec;
    let text = "Procès-verbal\n\nLa délégation a visité les exploitations de cacao du district.";
    document(
        &mut sec,
        "Compte rendu A",
        "fr",
        "members",
        ("a.pdf", &office_file(text, "pdf")),
    )
    .await;
    document(
        &mut sec,
        "Compte rendu B",
        "fr",
        "members",
        ("b.docx", &office_file(text, "docx")),
    )
    .await;
    for q in [
        "délégation",
        "delegation",
        "DELEGATION",
        "exploitation",
        "cacao district",
    ] {
        let mut found = titles(&mut sec, q, "document").await;
        found.sort();
        assert_eq!(found, vec!["Compte rendu A", "Compte rendu B"], "{q}");
    }
    // The matching words are marked, and only words of the text.
    let page = sec.get("/t/aland/search?q=delegation").await;
    let marks = page.texts("ol.search-results .snippet mark");
    assert!(marks.iter().all(|m| m == "délégation"), "{marks:?}");
    assert!(!marks.is_empty());
    assert!(titles(&mut sec, "inspection", "").await.is_empty());
}

#[tokio::test]
async fn a_title_hit_ranks_above_a_body_hit_and_marked_text_stays_text() {
    let s = crate::confidential::setup().await;
    let mut sec = s.sec;
    document(&mut sec, "Annual plan", "en", "members", ("a.txt", b"x")).await;
    let res = upload(
        &mut sec,
        &[
            ("title", "Cocoa <script>alert(1)</script> farms"),
            ("kind", "guidance"),
            ("language", "en"),
            ("visibility", "members"),
        ],
        ("b.txt", b"y"),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = upload(
        &mut sec,
        &[
            ("title", "Field notes"),
            ("kind", "other"),
            ("language", "en"),
            ("visibility", "members"),
            ("description", "The inspectors went to three cocoa farms."),
        ],
        ("c.txt", b"z"),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let found = titles(&mut sec, "cocoa", "").await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("Cocoa"), "{found:?}");
    assert_eq!(found[1], "Field notes");
    let page = sec.get("/t/aland/search?q=cocoa").await;
    assert!(
        !page
            .html()
            .select(&scraper::Selector::parse("ol script").unwrap())
            .any(|_| true)
    );
    assert_eq!(
        found[0], "Cocoa <script>alert(1)</script> farms",
        "shown as text"
    );
    // The kinds filter keeps to one kind.
    assert!(titles(&mut sec, "cocoa", "activity").await.is_empty());
}

#[tokio::test]
async fn search_finds_only_what_the_person_may_read() {
    let mut s = crate::confidential::setup().await;
    // A confidential record's words are in no result, for anyone.
    let res = crate::confidential::add_record(&mut s, crate::confidential::TITLE, None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let app = &s.app;
    // Another tenant's activity with the same words.
    app.tenant("borea").await;
    app.member(
        "borea",
        "sec@borea.test",
        nap_oversight::authz::Role::Secretariat,
        Some("MOL"),
        false,
    )
    .await;
    let mut conn = app.owner_conn().await;
    sqlx::raw_sql(
        "insert into naps (tenant_id, title, start_year, end_year, theme)
           select id, 'Borea plan', 2025, 2029, 'forced-labour' from tenants where slug = 'borea';
         insert into objectives (tenant_id, nap_id, code, title) select tenant_id, id, '1', 'Borea objective' from naps where title = 'Borea plan';
         insert into outcomes (tenant_id, nap_id, objective_id, code, title) select tenant_id, nap_id, id, '1.1', 'Borea outcome' from objectives where title = 'Borea objective';
         insert into activities (tenant_id, nap_id, outcome_id, code, title)
           select tenant_id, nap_id, id, '1.1.1', 'Shelter for Qx7 cocoa workers' from outcomes where title = 'Borea outcome';",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        app.count("select count(*) from search_entries where title like '%Qx7 cocoa%'")
            .await,
        1,
        "borea's activity is indexed"
    );
    let mut union = app.signed_in("union@aland.test").await;
    // A committee's own minutes, for its seat's holder (the ministry member).
    let committee = crate::meetings::committee(&mut s.sec, "Referral board", "quarterly").await;
    let page = format!("/t/aland/committees/{committee}");
    let res = s
        .sec
        .submit(
            &page,
            &format!("{page}/members"),
            &[
                ("name", "Mina"),
                ("partner", "MOL"),
                ("seat", "member"),
                ("gender", "woman"),
                ("email", "min@aland.test"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = upload(
        &mut s.sec,
        &[
            ("title", "Board cocoa minutes"),
            ("kind", "minutes"),
            ("language", "en"),
            ("visibility", "committee"),
            ("committee", &committee.to_string()),
        ],
        ("m.txt", b"m"),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut observer = app.signed_in(OBSERVER).await;
    for (who, client, minutes) in [
        ("secretariat", &mut s.sec, true),
        ("keeper", &mut s.keeper, true),
        ("union", &mut union, false),
        ("observer", &mut observer, false),
    ] {
        for q in ["Qx7", "Kappa", "shelter"] {
            assert!(titles(client, q, "").await.is_empty(), "{who}: {q}");
        }
        let found = titles(client, "cocoa", "").await;
        assert_eq!(
            found.contains(&"Board cocoa minutes".to_owned()),
            minutes,
            "{who}: {found:?}"
        );
        assert!(!found.iter().any(|t| t.contains("Qx7")), "{who}: {found:?}");
    }
    let mut borea = app.signed_in("sec@borea.test").await;
    assert_eq!(
        borea.get("/t/aland/search?q=cocoa").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn accepted_notes_are_found_and_notes_awaiting_review_are_not() {
    let s = crate::confidential::setup().await;
    let (app, mut sec) = (s.app, s.sec);
    sqlx::query("update tenants set review_updates = true where slug = 'aland'")
        .execute(&mut app.owner_conn().await)
        .await
        .unwrap();
    app.member(
        "aland",
        "fp@aland.test",
        nap_oversight::authz::Role::Ministry,
        Some("MOL"),
        true,
    )
    .await;
    sqlx::query("update activities set lead_partner_id = (select id from partners where acronym = 'MOL' and tenant_id = activities.tenant_id)")
        .execute(&mut app.owner_conn().await)
        .await
        .unwrap();
    let mut focal = app.signed_in("fp@aland.test").await;
    let res = crate::progress::post(
        &mut focal,
        s.nap,
        s.activity,
        &[
            ("status", "on-track"),
            ("progress", "20"),
            ("note", "Visited twelve cocoa cooperatives"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(
        titles(&mut sec, "cooperatives", "update").await.is_empty(),
        "pending"
    );
    let update = app.count("select id from status_updates").await;
    let res = sec
        .submit(
            "/t/aland/reviews",
            &format!("/t/aland/updates/{update}/accept"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        titles(&mut sec, "cooperative", "update").await,
        vec!["1.1.1 Victim referral"]
    );
}

#[tokio::test]
async fn the_portal_searches_what_is_published_only() {
    let s = crate::confidential::setup().await;
    let (app, mut sec) = (s.app, s.sec);
    document(&mut sec, "Cocoa leaflet", "en", "public", ("l.txt", b"l")).await;
    document(
        &mut sec,
        "Cocoa working paper",
        "en",
        "members",
        ("w.txt", b"w"),
    )
    .await;
    sqlx::query(
        "update activities set title = 'Cocoa referral', description = 'Kept for partners: quinoa'",
    )
    .execute(&mut app.owner_conn().await)
    .await
    .unwrap();
    let mut visitor = app.client();
    let found = |page: Page| page.texts("ol.search-results .hit-title");
    let before = found(visitor.get("/p/aland/search?q=cocoa").await);
    assert_eq!(
        before,
        vec!["Cocoa leaflet"],
        "the NAP is not published yet"
    );
    sqlx::query("update naps set published = true")
        .execute(&mut app.owner_conn().await)
        .await
        .unwrap();
    let mut after = found(visitor.get("/p/aland/search?q=cocoa").await);
    after.sort();
    assert_eq!(after, vec!["1.1.1 Cocoa referral", "Cocoa leaflet"]);
    // Of the plan, the portal searches what it shows: titles, not descriptions.
    assert!(found(visitor.get("/p/aland/search?q=quinoa").await).is_empty());
    assert_eq!(
        titles(&mut sec, "quinoa", "").await,
        vec!["1.1.1 Cocoa referral"]
    );
}

/// What a search ranks is a sample of at most 30 title matches and 60
/// others: with that many title matches, words found only in bodies are
/// not read (they would rank below every title match anyway); with fewer,
/// they are.
#[tokio::test]
async fn title_matches_enough_for_the_page_leave_body_matches_unread() {
    let (app, mut sec, nap) = crate::plan::plan_setup().await;
    let mut conn = app.owner_conn().await;
    let add =
        |codes: std::ops::RangeInclusive<i32>, title: &'static str, description: &'static str| {
            format!(
                "insert into activities (tenant_id, nap_id, outcome_id, code, title, description)
             select o.tenant_id, o.nap_id, o.id, '1.1.' || g, '{title} ' || g, '{description}'
             from outcomes o, generate_series({}, {}) g where o.nap_id = {nap}",
                codes.start(),
                codes.end()
            )
        };
    sqlx::query(&add(1..=1, "Fences", "A zebra crossing by the school"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&add(2..=30, "Zebra count", ""))
        .execute(&mut conn)
        .await
        .unwrap();
    let all = |sec: &mut Client| {
        let mut sec = Client::clone_session(sec);
        async move {
            let mut found = Vec::new();
            for page in 1..=5 {
                let path = format!("/t/aland/search?q=zebra&page={page}");
                found.extend(sec.get(&path).await.texts("ol.search-results .hit-title"));
            }
            found
        }
    };
    let found = all(&mut sec).await;
    assert_eq!(found.len(), 30, "{found:?}");
    assert_eq!(
        found.last().unwrap(),
        "1.1.1 Fences 1",
        "a body match, last"
    );
    // One more title match fills the quota: the body match is not read.
    sqlx::query(&add(31..=31, "Zebra count", ""))
        .execute(&mut conn)
        .await
        .unwrap();
    let found = all(&mut sec).await;
    assert_eq!(found.len(), 30, "{found:?}");
    assert!(found.iter().all(|t| t.contains("Zebra")), "{found:?}");
}
