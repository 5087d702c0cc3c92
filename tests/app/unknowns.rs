//! What the secretariat does not know stays unknown: a gender not stated,
//! a quorum the terms of reference do not set, a seat held by a post or
//! vacant, a NAP without exact dates; and committees as plans publish them
//! (sub-groups on an objective, more portfolios).

use axum::http::StatusCode;

use crate::common::{Client, TestApp};

/// Åland with its plan, the secretariat signed in, and an oversight
/// committee.
async fn setup() -> (TestApp, Client, i64) {
    let app = TestApp::init().with_aland().with_plan().build().await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let id = committee(
        &mut sec,
        &[
            ("name", "National Oversight Committee"),
            ("kind", "oversight"),
        ],
    )
    .await;
    (app, sec, id)
}

async fn committee(sec: &mut Client, fields: &[(&str, &str)]) -> i64 {
    let res = sec
        .submit("/t/aland/committees", "/t/aland/committees", fields)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.location().rsplit('/').next().unwrap().parse().unwrap()
}

async fn add_member(sec: &mut Client, id: i64, fields: &[(&str, &str)]) {
    let page = format!("/t/aland/committees/{id}");
    let res = sec.submit(&page, &format!("{page}/members"), fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

async fn publish_tor(sec: &mut Client, id: i64, quorum: &str) {
    let tor = format!("/t/aland/committees/{id}/tor");
    let res = sec
        .submit(
            &tor,
            &tor,
            &[
                ("mandate", "Oversee the plan."),
                ("purpose", "Keep the plan on track."),
                ("quorum", quorum),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = sec
        .submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

/// The composition check's line on gender balance.
fn gender_line(page: &crate::common::Page) -> String {
    page.texts(".checklist li")
        .into_iter()
        .find(|l| l.contains("Gender balance"))
        .expect("a gender line")
}

#[tokio::test]
async fn a_gender_not_stated_counts_as_neither_a_woman_nor_a_man() {
    let (_app, mut sec, id) = setup().await;
    for (name, gender) in [
        ("W1", "woman"),
        ("W2", "woman"),
        ("W3", "woman"),
        ("M1", "man"),
        ("M2", "man"),
        ("U1", "not-stated"),
        ("U2", "not-stated"),
    ] {
        add_member(
            &mut sec,
            id,
            &[("name", name), ("seat", "member"), ("gender", gender)],
        )
        .await;
    }
    let page = sec.get(&format!("/t/aland/committees/{id}")).await;
    // 3 of the 5 whose gender is known: 60%, balanced; not 3 of 7 (42%).
    assert_eq!(
        gender_line(&page),
        "✓ Gender balance: women are 40% to 60% of the voting members: Yes \
         (3 of 5 women (60%); 2 not stated)"
    );

    // A sub-group has its own check; when no gender is known it says the
    // balance cannot be judged, neither met nor missing.
    let sub = committee(
        &mut sec,
        &[
            ("name", "Technical committee on recruitment"),
            ("kind", "sub-group"),
            ("parent", &id.to_string()),
        ],
    )
    .await;
    for name in ["A", "B"] {
        add_member(
            &mut sec,
            sub,
            &[("name", name), ("seat", "member"), ("gender", "not-stated")],
        )
        .await;
    }
    let page = sec.get(&format!("/t/aland/committees/{sub}")).await;
    assert_eq!(
        page.texts(".checklist li.unknown"),
        [
            "? Gender balance: women are 40% to 60% of the voting members: Cannot be judged \
          (no voting member's gender is stated (2 not stated))"
        ]
    );
    assert!(
        page.texts(".checklist li.gap")
            .iter()
            .all(|l| !l.contains("Gender"))
    );
}

#[tokio::test]
async fn a_blank_quorum_is_published_as_nothing() {
    let (app, mut sec, id) = setup().await;
    add_member(
        &mut sec,
        id,
        &[("name", "Ana"), ("seat", "chair"), ("gender", "woman")],
    )
    .await;
    publish_tor(&mut sec, id, "").await;
    assert_eq!(
        app.count("select count(*) from tor_versions where quorum_percent is null")
            .await,
        1,
        "blank is stored as no quorum, not 50%"
    );
    let public = app
        .client()
        .get(&format!("/p/aland/committees/{id}/tor"))
        .await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.texts(".tor-quorum").is_empty());
    assert!(!public.body.contains("Quorum:"), "no quorum sentence");
    let inside = sec.get(&format!("/t/aland/committees/{id}/tor/v/1")).await;
    assert!(!inside.body.contains("Quorum:"));
    // The next draft starts blank, as version 1 was.
    let draft = sec.get(&format!("/t/aland/committees/{id}/tor")).await;
    assert_eq!(draft.attr("#f-quorum", "value").unwrap_or_default(), "");

    // A meeting says there is no quorum to reach, not that it was missed.
    let meetings = format!("/t/aland/committees/{id}/meetings");
    let res = sec
        .submit(
            &format!("/t/aland/committees/{id}"),
            &meetings,
            &[("starts_at", "2026-03-10 10:00")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let meeting = sec.get(&res.location()).await;
    assert_eq!(
        meeting.texts(".quorum"),
        ["The terms of reference set no quorum (0/1)"]
    );

    // A quorum set later is published, and the change is said.
    publish_tor(&mut sec, id, "60").await;
    let public = app
        .client()
        .get(&format!("/p/aland/committees/{id}/tor"))
        .await;
    assert_eq!(
        public.texts(".tor-quorum"),
        ["Quorum: 60% of the voting members."]
    );
    let compare = sec
        .get(&format!("/t/aland/committees/{id}/tor/compare?a=1&b=2"))
        .await;
    assert_eq!(
        compare.texts("tr.quorum td"),
        [
            "The terms of reference set no quorum.",
            "Quorum: 60% of the voting members."
        ]
    );
}

#[tokio::test]
async fn seats_held_by_a_post_title_or_vacant_are_shown_as_such() {
    let (app, mut sec, id) = setup().await;
    add_member(
        &mut sec,
        id,
        &[
            ("holder", "post"),
            ("name", "Secretary General, Ministry of Human Resources"),
            ("partner", "MOL"),
            ("seat", "chair"),
            ("gender", "not-stated"),
        ],
    )
    .await;
    // A seat known only by its organisation needs that organisation.
    let path = format!("/t/aland/committees/{id}");
    let res = sec
        .submit(
            &path,
            &format!("{path}/members"),
            &[
                ("holder", "organisation"),
                ("name", ""),
                ("partner", ""),
                ("seat", "member"),
                ("gender", "not-stated"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(
        res.texts("#f-partner-error"),
        ["Choose the organisation that holds the seat."]
    );
    add_member(
        &mut sec,
        id,
        &[
            ("holder", "organisation"),
            ("name", "Whoever they send"),
            ("partner", "EF"),
            ("seat", "member"),
            ("gender", "woman"),
        ],
    )
    .await;
    add_member(
        &mut sec,
        id,
        &[
            ("holder", "vacant"),
            ("name", ""),
            ("partner", "CTU"),
            ("seat", "member"),
            ("gender", "man"),
        ],
    )
    .await;
    assert_eq!(
        app.count(
            "select count(*) from committee_members
             where holder = 'vacant' and name = '' and gender = 'not-stated'"
        )
        .await,
        1,
        "nobody holds a vacant seat, so no gender is recorded for it"
    );
    assert_eq!(
        app.count(
            "select count(*) from committee_members
             where holder = 'organisation' and name = '' and gender = 'not-stated'"
        )
        .await,
        1,
        "no person is named for the organisation's seat, so neither name nor gender is kept"
    );
    let page = sec.get(&format!("/t/aland/committees/{id}")).await;
    assert_eq!(
        page.texts("table.committee-members tbody th"),
        [
            "Secretary General, Ministry of Human Resources post title",
            "Employers' Federation (aland) organisation only",
            "Vacant"
        ]
    );
    assert_eq!(
        page.texts(".checklist li")
            .into_iter()
            .filter(|l| l.contains("holder"))
            .collect::<Vec<_>>(),
        [
            "? Every seat's holder is named: Cannot be judged (1 held by a post title, \
          its holder not named; 1 known only by organisation; 1 vacant)"
        ]
    );

    publish_tor(&mut sec, id, "").await;
    let public = app
        .client()
        .get(&format!("/p/aland/committees/{id}/tor"))
        .await;
    assert_eq!(
        public.texts("table.composition tbody tr"),
        [
            "Ministry of Labour (aland) Chair Secretary General, Ministry of Human Resources",
            "Employers' Federation (aland) Member Representative not named",
            "Trade Union Confederation (aland) Member Vacant"
        ]
    );
    let page = app.client().get(&format!("/p/aland/committees/{id}")).await;
    assert!(
        page.texts("table.composition tbody tr")[0]
            .ends_with("Secretary General, Ministry of Human Resources")
    );

    // A vacant seat neither attends a meeting nor counts towards its quorum.
    let res = sec
        .submit(
            &format!("/t/aland/committees/{id}"),
            &format!("/t/aland/committees/{id}/meetings"),
            &[("starts_at", "2026-03-10 10:00")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let meeting = sec.get(&res.location()).await;
    assert_eq!(
        meeting.texts("table.attendance tbody tr th"),
        [
            "Secretary General, Ministry of Human Resources",
            "Employers' Federation (aland)"
        ]
    );
    assert_eq!(
        meeting.texts(".quorum"),
        ["The terms of reference set no quorum (0/2)"]
    );

    // A person still needs a name; what was typed stays.
    let res = sec
        .submit(
            &format!("/t/aland/committees/{id}"),
            &format!("/t/aland/committees/{id}/members"),
            &[
                ("holder", "person"),
                ("name", ""),
                ("seat", "member"),
                ("gender", "woman"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-name-error"), ["Fill in this field."]);
    assert_eq!(app.count("select count(*) from committee_members").await, 3);
}

fn nap_fields<'a>(dates: [(&'a str, &'a str); 3]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("title", "Plan against forced labour"),
        ("theme", "forced-labour"),
        ("start_year", "2025"),
        ("end_year", "2029"),
        ("status", "adopted"),
    ];
    fields.extend(dates);
    fields
}

#[tokio::test]
async fn a_nap_s_adoption_date_is_kept_and_a_bad_date_refused_beside_its_field() {
    let (app, mut sec, _) = setup().await;
    let nap = app.nap();
    let edit = format!("/t/aland/naps/{nap}/edit");
    let res = sec
        .submit(
            &edit,
            &edit,
            &nap_fields([
                ("adopted_on", "8 March 2024"),
                ("effective_from", "2025-01-01"),
                ("effective_to", "2024-12-31"),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-adopted_on-error"),
        ["Enter a date as YYYY-MM-DD, such as 2023-03-08, or leave it blank."]
    );
    assert_eq!(
        res.texts("#f-effective_to-error"),
        ["The plan cannot cease to take effect before it takes effect."]
    );
    assert_eq!(
        res.attr("#f-adopted_on", "value").as_deref(),
        Some("8 March 2024")
    );
    assert_eq!(
        app.count(
            "select count(*) from naps where adopted_on is not null or effective_from is not null"
        )
        .await,
        0,
        "nothing stored"
    );

    let res = sec
        .submit(
            &edit,
            &edit,
            &nap_fields([
                ("adopted_on", "2024-03-08"),
                ("effective_from", "2025-01-01"),
                ("effective_to", ""),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        app.count(
            "select count(*) from naps where adopted_on = '2024-03-08' and effective_to is null"
        )
        .await,
        1
    );
    let page = sec.get(&format!("/t/aland/naps/{nap}")).await;
    assert_eq!(page.texts("dd.adopted-on"), ["8 Mar 2024"]);
    assert!(
        page.texts("dd.effective-to").is_empty(),
        "not known, not shown"
    );
    assert_eq!(
        sec.get(&edit)
            .await
            .attr("#f-adopted_on", "value")
            .as_deref(),
        Some("2024-03-08")
    );

    let publish = sec
        .submit(
            &format!("/t/aland/naps/{nap}"),
            &format!("/t/aland/naps/{nap}/publish"),
            &[],
        )
        .await;
    assert_eq!(publish.status, StatusCode::SEE_OTHER);
    let public = app.client().get(&format!("/p/aland/naps/{nap}")).await;
    assert_eq!(public.texts("dd.adopted-on"), ["8 Mar 2024"]);
    assert_eq!(public.texts("dd.effective-from"), ["1 Jan 2025"]);
}

#[tokio::test]
async fn a_sub_group_on_an_objective_is_listed_on_its_parents_page() {
    let (app, mut sec, parent) = setup().await;
    let nap = app.nap().to_string();
    let parent_id = parent.to_string();
    let res = sec
        .submit(
            "/t/aland/committees",
            "/t/aland/committees",
            &[
                ("name", "Technical committee on prevention"),
                ("kind", "sub-group"),
                ("parent", &parent_id),
                ("nap", &nap),
                ("objective", "9"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-objective-error"),
        ["There is no objective with the code 9 in this NAP."]
    );
    assert_eq!(app.count("select count(*) from committees").await, 1);

    let sub = committee(
        &mut sec,
        &[
            ("name", "Technical committee on prevention"),
            ("kind", "sub-group"),
            ("parent", &parent_id),
            ("nap", &nap),
            ("objective", "1"),
        ],
    )
    .await;
    let page = sec.get(&format!("/t/aland/committees/{parent}")).await;
    assert_eq!(
        page.texts(".sub-groups li"),
        ["Technical committee on prevention · Sub-group"]
    );
    assert_eq!(
        page.attr(".sub-groups li a", "href"),
        Some(format!("/t/aland/committees/{sub}"))
    );
    let page = sec.get(&format!("/t/aland/committees/{sub}")).await;
    assert!(
        page.body.contains("Objective 1 Prevention"),
        "{}",
        page.body
    );
    let edit = sec.get(&format!("/t/aland/committees/{sub}/edit")).await;
    assert_eq!(edit.attr("#f-objective", "value").as_deref(), Some("1"));
}

#[tokio::test]
async fn the_new_portfolios_are_accepted_and_other_is_named() {
    let (app, mut sec, _) = setup().await;
    let new = "/t/aland/partners/new";
    for (acronym, portfolio) in [
        ("MOD", "defence"),
        ("MFA", "foreign-affairs"),
        ("MHA", "home-affairs"),
    ] {
        let res = sec
            .submit(
                new,
                new,
                &[
                    ("acronym", acronym),
                    ("name", acronym),
                    ("kind", "ministry"),
                    ("portfolio", portfolio),
                    ("level", "national"),
                    ("constituency", "government"),
                ],
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{portfolio}: {}",
            res.body
        );
    }
    let named = |name: &'static str| {
        vec![
            ("acronym", "KSM"),
            ("name", "Ministry of Human Resources"),
            ("kind", "ministry"),
            ("portfolio", "other-named"),
            ("portfolio_name", name),
            ("level", "national"),
            ("constituency", "government"),
        ]
    };
    let res = sec.submit(new, new, &named("")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-portfolio_name-error"),
        ["Name the portfolio, or choose another one from the list."]
    );
    let res = sec.submit(new, new, &named("Human Resources")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        app.count(
            "select count(*) from partners
             where portfolio in ('defence', 'foreign-affairs', 'home-affairs')
                or (portfolio = 'other-named' and portfolio_name = 'Human Resources')"
        )
        .await,
        4
    );
    let list = sec.get("/t/aland/partners").await;
    assert!(
        list.body.contains("Ministry (Human Resources)"),
        "{}",
        list.body
    );
    assert!(list.body.contains("Ministry (Foreign affairs)"));
}
