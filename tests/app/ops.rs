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
    let app = TestApp::init().with_tenant("aland").build().await;
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
async fn malformed_ids_forms_and_queries_get_a_clear_4xx_never_a_500() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", nap_oversight::authz::Role::Secretariat)
        .build()
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

/// Light pages: compressed, and every page with its stylesheet well under
/// 100 KB on the wire, on the demo's five-year plan.
#[tokio::test]
async fn pages_are_compressed_and_light() {
    let app = TestApp::init().with_demo().build().await;
    let mut sec = app.signed_in("secretariat@veridia.example").await;
    let nap = app.count("select id from naps").await;
    let activity = app.count("select min(id) from activities").await;
    let committee = app.count("select min(id) from committees").await;
    let meeting = app
        .count(&format!(
            "select min(id) from meetings where committee_id = {committee}"
        ))
        .await;
    let wire = |client: &mut crate::common::Client, path: String| {
        let request = axum::http::Request::get(&path)
            .header(axum::http::header::ACCEPT_ENCODING, "gzip")
            .body(axum::body::Body::empty())
            .unwrap();
        let client = crate::common::Client::clone_session(client);
        async move {
            let mut client = client;
            let res = client.send(request).await;
            (path, res)
        }
    };
    let stylesheet = sec
        .get("/")
        .await
        .attr("link[rel=stylesheet]", "href")
        .unwrap();
    let (_, css) = wire(&mut sec, stylesheet).await;
    assert_eq!(css.headers[axum::http::header::CONTENT_ENCODING], "gzip");
    assert!(
        css.headers[axum::http::header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // The body as sent: bytes, not characters.
    let css_bytes = css.size;
    let mut heaviest = (String::new(), 0);
    for path in [
        "/t/veridia/".to_owned(),
        format!("/t/veridia/naps/{nap}"),
        format!("/t/veridia/naps/{nap}/plan"),
        format!("/t/veridia/naps/{nap}/dashboard"),
        format!("/t/veridia/naps/{nap}/activities/{activity}"),
        format!("/t/veridia/naps/{nap}/risks"),
        format!("/t/veridia/naps/{nap}/indicators"),
        format!("/t/veridia/naps/{nap}/guideline"),
        "/t/veridia/committees".to_owned(),
        format!("/t/veridia/committees/{committee}"),
        format!("/t/veridia/committees/{committee}/meetings/{meeting}"),
        "/t/veridia/audit".to_owned(),
        "/t/veridia/members".to_owned(),
        format!("/p/veridia/naps/{nap}"),
        format!("/p/veridia/committees/{committee}/tor"),
    ] {
        let (path, res) = wire(&mut sec, path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(
            res.headers[axum::http::header::CONTENT_ENCODING],
            "gzip",
            "{path}"
        );
        let total = res.size + css_bytes;
        if total > heaviest.1 {
            heaviest = (path.clone(), total);
        }
        assert!(
            total < 100 * 1024,
            "{path}: {total} bytes with its stylesheet"
        );
    }
    eprintln!(
        "heaviest page with its stylesheet, compressed: {} at {} bytes",
        heaviest.0, heaviest.1
    );
}
