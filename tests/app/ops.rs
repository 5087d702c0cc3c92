use axum::http::StatusCode;
use nap_oversight::config::ServerConfig;
use nap_oversight::{AppState, db};

use crate::common::TestApp;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let res = client.get("/healthz").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.headers.get("set-cookie").is_none(),
        "probes make no sessions"
    );
    assert_eq!(client.get("/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn readiness_fails_while_the_database_is_unreachable() {
    // Nothing listens on port 1: the pool cannot connect.
    let options = "postgres://postgres@127.0.0.1:1/none".parse().unwrap();
    let router = nap_oversight::app(AppState::new(
        db::app_pool(options, 1, false),
        ServerConfig::default(),
    ));
    let res = tower::ServiceExt::oneshot(
        router.clone(),
        axum::http::Request::get("/readyz")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let res = tower::ServiceExt::oneshot(
        router,
        axum::http::Request::get("/healthz")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the process itself is up");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    app.tenant("aland").await;
    let mut client = app.client();
    let css = client
        .get("/login")
        .await
        .attr("link[rel=stylesheet]", "href")
        .unwrap();
    for path in ["/login", "/nowhere", "/t/aland/", "/healthz", css.as_str()] {
        let res = client.get(path).await;
        let h = |name: &str| {
            res.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let csp = h("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            h("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(!h("x-request-id").is_empty(), "{path}");
    }
    let page = client.get("/login").await;
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    let asset = client.get(&css).await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(
        asset.headers.get("cache-control").unwrap(),
        "public, max-age=31536000, immutable"
    );
    assert!(
        asset
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn error_pages_are_html_and_reveal_nothing() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let res = client.get("/no/such/page").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(
        res.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(res.texts("h1"), vec!["Page not found"]);
    assert_eq!(res.attr("a.skip-link", "href").as_deref(), Some("#main"));
    assert_eq!(
        client.get("/static/app.css").await.status,
        StatusCode::NOT_FOUND,
        "only hashed names"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let config = ServerConfig {
        body_limit: 1024,
        ..Default::default()
    };
    let app = TestApp::with_config(config).await;
    let mut client = app.client();
    let token = client.get("/login").await.csrf();
    let big = "x".repeat(4096);
    let res = client
        .post(
            "/login",
            &[("csrf", &token), ("email", &big), ("password", "y")],
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn pages_are_accessible_by_structure() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let login = client.get("/login").await;
    assert_eq!(login.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(login.texts("main#main h1"), vec!["Sign in"]);
    for id in ["email", "password"] {
        assert_eq!(
            login.texts(&format!("label[for={id}]")).len(),
            1,
            "label for {id}"
        );
    }
    assert!(
        login
            .html()
            .select(&scraper::Selector::parse("script").unwrap())
            .next()
            .is_none(),
        "no script needed"
    );
}

#[tokio::test]
async fn malformed_ids_forms_and_queries_get_a_clear_4xx_never_a_500() {
    let app = TestApp::new().await;
    app.tenant("aland").await;
    app.member(
        "aland",
        "sec@aland.test",
        nap_oversight::authz::Role::Secretariat,
        None,
        false,
    )
    .await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let token = sec.get("/t/aland/members").await.csrf();
    for path in [
        "/t/aland/naps/abc",
        "/t/aland/naps/99999999999999999999999",
        "/t/aland/naps/1/plan?year=x&state=%ZZ",
        "/t/aland/audit?before=yesterday",
    ] {
        let res = sec.get(path).await;
        assert!(res.status.is_client_error(), "{path}: {}", res.status);
        assert!(
            res.headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert!(
            !res.body.contains("i64") && !res.body.contains("parse"),
            "{path} shows no internals: {}",
            res.body
        );
    }
    let res = sec
        .post(
            "/t/aland/members/notanumber/deactivate",
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = sec
        .send(
            axum::http::Request::post("/t/aland/members")
                .header("content-type", "application/json")
                .header("x-csrf-token", &token)
                .body(axum::body::Body::from("{\"email\": 1}"))
                .unwrap(),
        )
        .await;
    assert!(
        res.status.is_client_error() && res.status != StatusCode::NOT_FOUND,
        "{}",
        res.status
    );
    assert_eq!(
        res.texts("h1"),
        vec!["This request could not be understood"]
    );
}
