use axum::body::Body;
use axum::http::{Request, StatusCode};
use nap_oversight::authz::Role;

use crate::common::{SEC, TestApp};

#[tokio::test]
async fn a_form_post_without_the_token_is_refused() {
    let app = TestApp::init().with_secretariat().build().await;
    let mut client = app.signed_in(SEC).await;
    let fields = [
        ("email", "new@aland.test"),
        ("name", "New Person"),
        ("role", "observer"),
    ];
    let res = client.post("/t/aland/members", &fields).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.texts("h1"), vec!["The form has expired"]);
    let res = client
        .post(
            "/t/aland/members",
            &[
                ("csrf", "0123456789abcdef"),
                fields[0],
                fields[1],
                fields[2],
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("select count(*) from users where email = 'new@aland.test'")
            .await,
        0
    );

    // The same form with the page's token goes through.
    let res = client
        .submit("/t/aland/members", "/t/aland/members", &fields)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        app.count("select count(*) from users where email = 'new@aland.test'")
            .await,
        1
    );
}

#[tokio::test]
async fn sign_in_and_sign_out_need_the_token_too() {
    let _app = TestApp::init().with_secretariat().build().await;
    let mut client = _app.signed_in(SEC).await;
    let res = client.post("/logout", &[]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        client.get("/t/aland/").await.status,
        StatusCode::OK,
        "still signed in"
    );
    let mut stranger = _app.client();
    let res = stranger
        .post(
            "/login",
            &[
                ("email", "sec@aland.test"),
                ("password", crate::common::PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_the_token() {
    let _app = TestApp::init().with_secretariat().build().await;
    let mut client = _app.signed_in(SEC).await;
    let token = client.get("/profile").await.csrf();
    let body = format!("csrf={token}&language=");
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let req = Request::post("/profile/language")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("host", "nap.example")
            .header(name, value)
            .body(Body::from(body.clone()))
            .unwrap();
        assert_eq!(
            client.send(req).await.status,
            StatusCode::FORBIDDEN,
            "{name}: {value}"
        );
    }
    let req = Request::post("/profile/language")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "nap.example")
        .header("origin", "http://nap.example")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(client.send(req).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_token_may_come_in_a_header() {
    let app = TestApp::init().with_secretariat().build().await;
    let mut client = app.signed_in(SEC).await;
    let token = client.get("/profile").await.csrf();
    let req = Request::post("/profile/language")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-csrf-token", token)
        .body(Body::from("language=fr"))
        .unwrap();
    let res = client.send(req).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/profile");
    assert_eq!(res.notice().as_deref(), Some("language-changed"));
    assert_eq!(
        app.count("select count(*) from users where email = 'sec@aland.test' and language = 'fr'")
            .await,
        1
    );
    // The same request with a wrong token in the header changes nothing.
    let req = Request::post("/profile/language")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-csrf-token", "0123456789abcdef")
        .body(Body::from("language=es"))
        .unwrap();
    assert_eq!(client.send(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("select count(*) from users where language = 'es'")
            .await,
        0
    );
}

/// The token of the sign-in page stops working once signed in: forms of
/// the signed-in session carry a new one.
#[tokio::test]
async fn the_token_is_renewed_at_sign_in() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut client = app.client();
    let before = client.get("/login").await.csrf();
    let res = client
        .post(
            "/login",
            &[
                ("csrf", &before),
                ("email", "sec@aland.test"),
                ("password", crate::common::PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let after = client.get("/profile").await.csrf();
    assert_ne!(before, after);
    let res = client
        .post(
            "/profile/language",
            &[("csrf", &before), ("language", "fr")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = client
        .post("/profile/language", &[("csrf", &after), ("language", "fr")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}
