use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::{Client, Page, TestApp};

async fn partner_id(app: &TestApp, code: &str) -> String {
    app.count(&format!(
        "select p.id from partners p join tenants t on t.id = p.tenant_id where t.slug = 'aland' and p.acronym = '{code}'"
    ))
    .await
    .to_string()
}

/// Invites `email` to aland as the secretariat `sec`; returns the answer.
async fn invite(sec: &mut Client, fields: &[(&str, &str)]) -> Page {
    sec.submit("/t/aland/members", "/t/aland/members", fields)
        .await
}

fn invitation_link(page: &Page) -> String {
    page.texts("code.reset-link")
        .into_iter()
        .next()
        .expect("an invitation link")
}

#[tokio::test]
async fn a_new_person_chooses_their_own_password_through_the_invitation() {
    let app = TestApp::init().with_secretariat().build().await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let ctu = partner_id(&app, "CTU").await;
    let res = invite(
        &mut sec,
        &[
            ("email", "Union.Rep@aland.test"),
            ("name", "Union Representative"),
            ("role", "social-partner"),
            ("partner", &ctu),
            ("focal_point", "on"),
            // A password sent by an old form is ignored: nobody chooses it for them.
            ("password", "a first password of length"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let link = invitation_link(&res);
    assert!(
        link.starts_with("/invitations/") && link.len() > 70,
        "{link}"
    );
    assert_eq!(
        app.count("select count(*) from users where email = 'union.rep@aland.test' and password_hash is null")
            .await,
        1
    );
    let list = sec.get("/t/aland/members").await;
    let row = list
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.contains("union.rep@aland.test"))
        .expect("listed");
    assert!(
        row.contains("Union Representative") && row.contains("Invited, not yet accepted"),
        "{row}"
    );

    // Until accepted, nothing: no password signs in.
    let mut rep = app.client();
    for guess in ["a first password of length", ""] {
        assert_eq!(
            rep.sign_in("union.rep@aland.test", guess).await.status,
            StatusCode::OK
        );
    }
    let page = rep.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), vec!["Join Committee of aland"]);
    let res = rep
        .post(
            &link,
            &[
                ("csrf", &page.csrf()),
                ("name", "Uma Rep"),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-new-error"),
        vec!["Use at least 12 characters."]
    );
    assert_eq!(res.attr("#f-name", "value").as_deref(), Some("Uma Rep"));
    let res = rep
        .post(
            &link,
            &[
                ("csrf", &page.csrf()),
                ("name", "Uma Rep"),
                ("new", "Marble-cactus-violin-44"),
                ("confirm", "Marble-cactus-violin-44"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/t/aland/");
    let home = rep.get("/t/aland/").await;
    assert_eq!(
        home.texts(".facts dd"),
        vec![
            "Social partner member · Focal point",
            "Trade Union Confederation (aland)"
        ]
    );
    assert_eq!(
        app.client().get(&link).await.status,
        StatusCode::NOT_FOUND,
        "used once"
    );
    let mut again = app.client();
    assert_eq!(
        again
            .sign_in("union.rep@aland.test", "Marble-cactus-violin-44")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_existing_account_signs_in_and_accepts_before_it_gets_anything() {
    let app = TestApp::init().with_secretariat().build().await;
    app.tenant("borea").await;
    app.member("borea", "expert@ilo.test", Role::Observer, None, false)
        .await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let res = invite(
        &mut sec,
        &[
            ("email", "expert@ilo.test"),
            ("name", "The ILO expert"),
            ("role", "observer"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let link = invitation_link(&res);
    // Listed under the name the secretariat typed, not the account's own.
    let list = sec.get("/t/aland/members").await;
    let row = list
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.contains("expert@ilo.test"))
        .expect("listed");
    assert!(
        row.contains("The ILO expert") && !row.contains("Person expert@ilo.test"),
        "{row}"
    );

    let mut expert = app.signed_in("expert@ilo.test").await;
    assert_eq!(
        expert.get("/t/aland/").await.status,
        StatusCode::NOT_FOUND,
        "pending grants nothing"
    );
    let page = expert.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html()
            .select(&scraper::Selector::parse("input[name=new]").unwrap())
            .next()
            .is_none(),
        "no password to choose"
    );
    // Signed in as someone else, the link accepts nothing.
    let mut other = app.signed_in("sec@aland.test").await;
    let token = other.get(&link).await.csrf();
    let res = other
        .post(&format!("{link}/accept"), &[("csrf", &token)])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = expert
        .post(&format!("{link}/accept"), &[("csrf", &page.csrf())])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(expert.get("/t/aland/").await.status, StatusCode::OK);
    assert_eq!(app.count("select count(*) from memberships m join users u on u.id = m.user_id where u.email = 'expert@ilo.test' and m.active").await, 2);
}

#[tokio::test]
async fn a_person_may_decline_and_the_secretariat_may_withdraw() {
    let app = TestApp::init().with_secretariat().build().await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let link = invitation_link(
        &invite(
            &mut sec,
            &[
                ("email", "no@aland.test"),
                ("name", "No Thanks"),
                ("role", "observer"),
            ],
        )
        .await,
    );
    let mut person = app.client();
    let token = person.get(&link).await.csrf();
    let res = person
        .post(&format!("{link}/decline"), &[("csrf", &token)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        person.get(res.raw_location()).await.texts("[role=status]"),
        vec!["You declined the invitation."]
    );
    assert_eq!(app.count("select count(*) from memberships m join users u on u.id = m.user_id where u.email = 'no@aland.test'").await, 0);
    assert_eq!(person.get(&link).await.status, StatusCode::NOT_FOUND);

    let link = invitation_link(
        &invite(
            &mut sec,
            &[
                ("email", "later@aland.test"),
                ("name", "Later"),
                ("role", "observer"),
            ],
        )
        .await,
    );
    let pending: i64 = app.count("select m.id from memberships m join users u on u.id = m.user_id where u.email = 'later@aland.test'").await;
    // A pending membership cannot be switched on by the secretariat.
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{pending}/activate"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // A new link cancels the old one.
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{pending}/invite"),
            &[],
        )
        .await;
    let newer = invitation_link(&res);
    assert_ne!(newer, link);
    assert_eq!(app.client().get(&link).await.status, StatusCode::NOT_FOUND);
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{pending}/withdraw"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.client().get(&newer).await.status, StatusCode::NOT_FOUND);
}

/// The finding: one tenant's secretariat added a person of another tenant
/// with a password it chose, deactivated the membership, and signed in as
/// that person once the other tenant had added them.
#[tokio::test]
async fn one_tenant_cannot_take_the_access_another_tenant_gives() {
    let app = TestApp::init().with_secretariat().build().await;
    app.tenant("borea").await;
    app.member("borea", "sec@borea.test", Role::Secretariat, None, false)
        .await;
    let mut aland = app.signed_in("sec@aland.test").await;
    let mut borea = app.signed_in("sec@borea.test").await;
    let deputy = [
        ("email", "new.deputy@borea.test"),
        ("name", "Deputy"),
        ("role", "secretariat"),
    ];

    // Aland invites first, keeps the link, and withdraws.
    let aland_link = invitation_link(&invite(&mut aland, &deputy).await);
    let pending: i64 = app.count("select m.id from memberships m join tenants t on t.id = m.tenant_id where t.slug = 'aland' and m.accepted_at is null").await;
    aland
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{pending}/withdraw"),
            &[("confirm", "yes")],
        )
        .await;
    // Borea invites the same address: the answer tells it nothing.
    let res = borea
        .submit("/t/borea/members", "/t/borea/members", &deputy)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    // Aland's link is dead; no password it could have chosen signs in.
    let mut attacker = app.client();
    assert_eq!(
        attacker.get(&aland_link).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        attacker
            .sign_in("new.deputy@borea.test", "a first password of length")
            .await
            .status,
        StatusCode::OK
    );

    // Even an account Aland controls (it invited first and accepted with
    // its own link) cannot accept Borea's invitation without Borea's link.
    let app2 = TestApp::init().with_secretariat().build().await;
    app2.tenant("borea").await;
    app2.member("borea", "sec@borea.test", Role::Secretariat, None, false)
        .await;
    let mut aland = app2.signed_in("sec@aland.test").await;
    let mut borea = app2.signed_in("sec@borea.test").await;
    let aland_link = invitation_link(&invite(&mut aland, &deputy).await);
    let borea_link = invitation_link(
        &borea
            .submit("/t/borea/members", "/t/borea/members", &deputy)
            .await,
    );
    let mut attacker = app2.client();
    let page = attacker.get(&aland_link).await;
    let res = attacker
        .post(
            &aland_link,
            &[
                ("csrf", &page.csrf()),
                ("name", "Deputy"),
                ("new", "Marble-cactus-violin-44"),
                ("confirm", "Marble-cactus-violin-44"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    for path in ["/t/borea/", "/t/borea/members", "/t/borea/confidential"] {
        assert_eq!(
            attacker.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Borea's own link still asks Borea's person to sign in; the attacker,
    // without it, has no way in.
    assert_eq!(app2.client().get(&borea_link).await.status, StatusCode::OK);
    assert_eq!(app2.count("select count(*) from memberships m join tenants t on t.id = m.tenant_id where t.slug = 'borea' and m.active and m.role = 'secretariat'").await, 1);
}

/// The add form answers a known and an unknown address alike.
#[tokio::test]
async fn inviting_tells_nothing_about_which_addresses_have_accounts() {
    let app = TestApp::init().with_secretariat().build().await;
    app.tenant("borea").await;
    app.member(
        "borea",
        "known@elsewhere.test",
        Role::Secretariat,
        None,
        false,
    )
    .await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let mut answers = Vec::new();
    for email in ["known@elsewhere.test", "unknown@elsewhere.test"] {
        // Refused the same way (no name), then accepted the same way.
        let refused = invite(
            &mut sec,
            &[("email", email), ("name", ""), ("role", "observer")],
        )
        .await;
        let accepted = invite(
            &mut sec,
            &[("email", email), ("name", "Someone"), ("role", "observer")],
        )
        .await;
        let normalise = |page: &Page| {
            let link = page
                .texts("code.reset-link")
                .into_iter()
                .next()
                .unwrap_or_default();
            let mut body = page.body.replace(email, "EMAIL");
            if !link.is_empty() {
                body = body.replace(&link, "LINK");
            }
            body.split("name=\"csrf\" value=\"")
                .map(|p| p.split_once('"').map_or(p, |(_, rest)| rest).to_owned())
                .collect::<Vec<_>>()
                .join("")
        };
        // The refusal's form (the list above it grows with each invitation).
        let form = refused
            .texts("#add-member")
            .join("")
            .replace(email, "EMAIL");
        answers.push((refused.status, form, accepted.status, normalise(&accepted)));
    }
    assert_eq!(answers[0].0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answers[0].2, StatusCode::OK);
    assert_eq!(answers[0], answers[1]);
    let list = sec.get("/t/aland/members").await;
    let rows: Vec<String> = list
        .texts("tbody tr")
        .into_iter()
        .filter(|r| r.contains("@elsewhere.test"))
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].replace("unknown", "known"),
        rows[1].replace("unknown", "known")
    );
}

#[tokio::test]
async fn an_observer_is_never_a_focal_point() {
    let app = TestApp::init().with_secretariat().build().await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let ilo = partner_id(&app, "ILO").await;
    let res = invite(
        &mut sec,
        &[
            ("email", "obs@aland.test"),
            ("name", "Obs"),
            ("role", "observer"),
            ("partner", &ilo),
            ("focal_point", "on"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#add-partner-error"),
        vec!["Observers change nothing, so an observer cannot be a focal point."]
    );
    let observer = app
        .member(
            "aland",
            "obs2@aland.test",
            Role::Observer,
            Some("ILO"),
            false,
        )
        .await;
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{observer}/role"),
            &[
                ("role", "observer"),
                ("partner", &ilo),
                ("focal_point", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("select count(*) from memberships where focal_point and role = 'observer'")
            .await,
        0
    );
    // And the database refuses it whoever asks.
    let mut conn = app.owner_conn().await;
    let err = sqlx::query(&format!(
        "update memberships set focal_point = true where id = {observer}"
    ))
    .execute(&mut conn)
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("memberships_observer_never_focal"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_input_is_answered_beside_each_field_and_nothing_is_stored() {
    let app = TestApp::init().with_secretariat().build().await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let users_before = app.count("select count(*) from users").await;
    let res = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[
                ("email", "not an e-mail"),
                ("name", "Kept Name"),
                ("role", "emperor"),
                ("focal_point", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#add-email-error"),
        vec!["Enter an e-mail address such as name@example.org."]
    );
    assert_eq!(
        res.texts("#add-role-error"),
        vec!["Choose one of the roles in the list."]
    );
    assert_eq!(
        res.texts("#add-partner-error"),
        vec!["A focal point needs an organisation to report for."]
    );
    assert_eq!(
        res.attr("#add-email", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        res.attr("#add-email", "value").as_deref(),
        Some("not an e-mail")
    );
    assert_eq!(res.attr("#add-name", "value").as_deref(), Some("Kept Name"));
    assert!(res.attr("#add-focal", "checked").is_some());

    let res = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[("email", "new@aland.test"), ("role", "observer")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#add-name-error"), vec!["Fill in this field."]);
    assert_eq!(app.count("select count(*) from users").await, users_before);

    let res = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[
                ("email", "sec@aland.test"),
                ("name", "Me"),
                ("role", "observer"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#add-email-error"),
        vec!["This person is already a member of this committee."]
    );
}

#[tokio::test]
async fn a_partner_of_another_tenant_cannot_be_chosen() {
    let app = TestApp::init().with_secretariat().build().await;
    app.tenant("borea").await;
    let foreign = app
        .count("select p.id from partners p join tenants t on t.id = p.tenant_id where t.slug = 'borea' and p.acronym = 'MOL'")
        .await
        .to_string();
    let mut sec = app.signed_in("sec@aland.test").await;
    let res = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[
                ("email", "x@aland.test"),
                ("name", "X"),
                ("role", "observer"),
                ("partner", &foreign),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#add-partner-error"),
        vec!["Choose an organisation from the list."]
    );
}

#[tokio::test]
async fn the_secretariat_changes_a_role_but_not_its_own() {
    let app = TestApp::init().with_secretariat().build().await;
    let observer = app
        .member("aland", "obs@aland.test", Role::Observer, None, false)
        .await;
    let me: i64 = app.count("select m.id from memberships m join users u on u.id = m.user_id where u.email = 'sec@aland.test'").await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let moj = partner_id(&app, "MOJ").await;
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{observer}/role"),
            &[
                ("role", "ministry"),
                ("partner", &moj),
                ("focal_point", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(app.count(&format!("select count(*) from memberships where id = {observer} and role = 'ministry' and focal_point")).await, 1);

    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{observer}/role"),
            &[("role", "observer"), ("focal_point", "on")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts(&format!("#member-{observer} .field-error")),
        vec!["A focal point needs an organisation to report for."]
    );

    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{me}/role"),
            &[("role", "observer")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{me}/deactivate"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count(&format!(
            "select count(*) from memberships where id = {me} and role = 'secretariat' and active"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn deactivation_ends_the_persons_sessions_at_once() {
    let app = TestApp::init().with_secretariat().build().await;
    let ministry = app
        .member("aland", "min@aland.test", Role::Ministry, None, false)
        .await;
    let mut minister = app.signed_in("min@aland.test").await;
    assert_eq!(minister.get("/t/aland/").await.status, StatusCode::OK);

    let mut sec = app.signed_in("sec@aland.test").await;
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{ministry}/deactivate"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        minister.get("/t/aland/").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );

    // Signing in again works (the account lives on), but the tenant is closed to them.
    let mut again = app.signed_in("min@aland.test").await;
    assert_eq!(again.get("/t/aland/").await.status, StatusCode::NOT_FOUND);
    let list = sec.get("/t/aland/members").await;
    assert!(list.texts(&format!("#member-{ministry}"))[0].contains("Deactivated"));

    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{ministry}/activate"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(again.get("/t/aland/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn only_the_secretariat_manages_members() {
    let app = TestApp::init().with_secretariat().build().await;
    let target = app
        .member("aland", "obs@aland.test", Role::Observer, None, false)
        .await;
    for (email, role, focal) in [
        ("min@aland.test", Role::Ministry, false),
        ("union@aland.test", Role::SocialPartner, false),
        ("focal@aland.test", Role::Ministry, true),
        ("obs2@aland.test", Role::Observer, false),
    ] {
        app.member("aland", email, role, focal.then_some("MOJ"), focal)
            .await;
        let mut client = app.signed_in(email).await;
        assert_eq!(
            client.get("/t/aland/members").await.status,
            StatusCode::FORBIDDEN,
            "{email}"
        );
        let home = client.get("/t/aland/").await;
        assert!(
            home.texts("nav.tenant-nav a")
                .iter()
                .all(|a| a != "Members"),
            "{email} sees no Members link"
        );
        let token = home.csrf();
        let res = client
            .post(
                "/t/aland/members",
                &[
                    ("csrf", &token),
                    ("email", "x@aland.test"),
                    ("role", "secretariat"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{email}");
        let res = client
            .post(
                &format!("/t/aland/members/{target}/deactivate"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{email}");
    }
    assert_eq!(
        app.count("select count(*) from memberships where not active")
            .await,
        0
    );
    assert_eq!(
        app.count("select count(*) from users where email = 'x@aland.test'")
            .await,
        0
    );
}
