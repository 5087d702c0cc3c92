use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::TestApp;

async fn setup() -> TestApp {
    let app = TestApp::new().await;
    app.tenant("aland").await;
    app.member(
        "aland",
        "sec@aland.test",
        Role::Secretariat,
        Some("MOL"),
        false,
    )
    .await;
    app
}

async fn partner_id(app: &TestApp, code: &str) -> String {
    app.count(&format!(
        "select p.id from partners p join tenants t on t.id = p.tenant_id where t.slug = 'aland' and p.acronym = '{code}'"
    ))
    .await
    .to_string()
}

#[tokio::test]
async fn the_secretariat_adds_a_new_person_who_can_then_sign_in() {
    let app = setup().await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let ctu = partner_id(&app, "CTU").await;
    let res = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[
                ("email", "Union.Rep@aland.test"),
                ("name", "Union Representative"),
                ("role", "social-partner"),
                ("partner", &ctu),
                ("focal_point", "on"),
                ("password", "a first password of length"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let list = sec.get(res.location()).await;
    assert_eq!(list.texts("[role=status]"), vec!["The person was added."]);
    let row = list
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.contains("union.rep@aland.test"))
        .expect("listed");
    assert!(row.contains("Union Representative"), "{row}");

    let mut rep = app.client();
    assert_eq!(
        rep.sign_in("union.rep@aland.test", "a first password of length")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let home = rep.get("/t/aland/").await;
    assert_eq!(
        home.texts(".facts dd"),
        vec![
            "Social partner member · Focal point",
            "Trade Union Confederation (aland)"
        ]
    );
}

#[tokio::test]
async fn an_existing_account_joins_without_a_password() {
    let app = setup().await;
    app.tenant("borea").await;
    app.member("borea", "expert@ilo.test", Role::Observer, None, false)
        .await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let res = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[("email", "expert@ilo.test"), ("role", "observer")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(app.count("select count(*) from memberships m join users u on u.id = m.user_id where u.email = 'expert@ilo.test'").await, 2);
}

#[tokio::test]
async fn bad_input_is_answered_beside_each_field_and_nothing_is_stored() {
    let app = setup().await;
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
                ("password", "short"),
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
            &[
                ("email", "new@aland.test"),
                ("role", "observer"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#add-name-error"), vec!["Fill in this field."]);
    assert_eq!(
        res.texts("#add-password-error"),
        vec!["Use at least 12 characters."]
    );
    assert_eq!(app.count("select count(*) from users").await, users_before);

    let res = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[("email", "sec@aland.test"), ("role", "observer")],
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
    let app = setup().await;
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
                ("password", "long enough password"),
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
    let app = setup().await;
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
    let app = setup().await;
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
            &[],
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
    let app = setup().await;
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
