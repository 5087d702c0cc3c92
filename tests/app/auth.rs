use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::{PASSWORD, TestApp};

#[tokio::test]
async fn sign_in_renews_the_session_and_shows_my_tenants() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user_of("sec@aland.test", Role::Secretariat, "MOL")
        .build()
        .await;
    let mut client = app.client();

    let login = client.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    let before = client
        .cookies
        .get("nap_session")
        .cloned()
        .expect("a session for the form");
    let cookie = login
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "not configured for HTTPS: {cookie}"
    );

    let res = client
        .post(
            "/login",
            &[
                ("csrf", &login.csrf()),
                ("email", "SEC@aland.test"),
                ("password", PASSWORD),
                ("next", "/t/aland/"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/t/aland/");
    let after = client.cookies.get("nap_session").cloned().unwrap();
    assert_ne!(before, after, "the session id must change at sign-in");

    let home = client.get("/").await;
    assert_eq!(home.texts(".cards a"), vec!["Committee of aland"]);
    let tenant = client.get("/t/aland/").await;
    assert_eq!(tenant.status, StatusCode::OK);
    assert_eq!(tenant.texts("h1"), vec!["Committee of aland"]);
    assert!(tenant.texts(".facts dd")[0].starts_with("Secretariat"));
}

#[tokio::test]
async fn weaker_hashes_are_upgraded_at_sign_in() {
    use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let weak = Argon2::new(
        Algorithm::Argon2i,
        Version::V0x13,
        Params::new(8192, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes())
    .unwrap()
    .to_string();
    let mut conn = app.owner_conn().await;
    sqlx::query("update users set password_hash = $1")
        .bind(&weak)
        .execute(&mut conn)
        .await
        .unwrap();
    let _ = app.signed_in("sec@aland.test").await;
    let stored: String = sqlx::query_scalar("select password_hash from users")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    let _ = app.signed_in("sec@aland.test").await;
}

#[tokio::test]
async fn secure_cookies_when_configured() {
    let config = nap_oversight::config::ServerConfig {
        secure_cookies: true,
        ..Default::default()
    };
    let app = TestApp::with_config(config).await;
    let mut client = app.client();
    let login = client.get("/login").await;
    let cookie = login.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut client = app.client();

    let wrong = client.sign_in("sec@aland.test", "not the password").await;
    let unknown = client
        .sign_in("nobody@aland.test", "not the password")
        .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(wrong.texts("[role=alert]"), unknown.texts("[role=alert]"));
    assert_eq!(
        wrong.texts("[role=alert]"),
        vec!["The e-mail address or the password is not right."]
    );
    assert_eq!(
        unknown.attr("#email", "value").as_deref(),
        Some("nobody@aland.test"),
        "keeps what was typed"
    );
    assert!(!client.cookies.is_empty());
    assert_eq!(
        client.get("/t/aland/").await.status,
        StatusCode::SEE_OTHER,
        "still signed out"
    );
}

#[tokio::test]
async fn eleventh_attempt_on_an_account_is_throttled() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut client = app.client();
    for _ in 0..10 {
        assert_eq!(
            client
                .sign_in("sec@aland.test", "wrong password!")
                .await
                .status,
            StatusCode::OK
        );
    }
    // Even the right password is refused until the window passes.
    let res = client.sign_in("sec@aland.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers.get("retry-after").unwrap(), "900");
    assert_eq!(
        res.texts("[role=alert]"),
        vec!["Too many failed attempts. Wait 15 minutes, then try again."]
    );
    assert_eq!(
        app.count("select count(*) from login_failures where key = 'account:sec@aland.test'")
            .await,
        10
    );
}

#[tokio::test]
async fn failures_from_one_address_throttle_every_account() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut client = app.client();
    let token = client.get("/login").await.csrf();
    let from = |addr: &str, email: &str, password: &str| {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("csrf", token.as_str()),
                ("email", email),
                ("password", password),
            ])
            .finish();
        let mut req = axum::http::Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(addr.parse::<SocketAddr>().unwrap()));
        req
    };
    for i in 0..10 {
        let res = client
            .send(from(
                "203.0.113.9:4000",
                &format!("guess{i}@aland.test"),
                "whatever-pass",
            ))
            .await;
        assert_eq!(res.status, StatusCode::OK);
    }
    let blocked = client
        .send(from("203.0.113.9:4000", "sec@aland.test", PASSWORD))
        .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = client
        .send(from("198.51.100.7:4000", "sec@aland.test", PASSWORD))
        .await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut client = app.signed_in("sec@aland.test").await;
    let stolen = client.cookies.clone();
    let token = client.get("/t/aland/").await.csrf();
    let res = client.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select count(*) from sessions where user_id is not null")
            .await,
        0
    );

    // A copy of the old cookie is worth nothing now.
    let mut thief = app.client();
    thief.cookies = stolen;
    let res = thief.get("/t/aland/").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login?next=%2Ft%2Faland%2F");
}

#[tokio::test]
async fn sessions_past_their_absolute_limit_end() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut client = app.signed_in("sec@aland.test").await;
    assert_eq!(client.get("/t/aland/").await.status, StatusCode::OK);
    // Pretend the sign-in happened 13 hours ago (the limit is 12).
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "update sessions set data = jsonb_set(data, '{signed_in_at}', to_jsonb(extract(epoch from now())::bigint - 13 * 3600))",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(client.get("/t/aland/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn idle_sessions_expire_in_the_store() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut client = app.signed_in("sec@aland.test").await;
    let mut conn = app.owner_conn().await;
    let expires: i64 = sqlx::query_scalar(
        "select extract(epoch from expires_at - now())::bigint from sessions where user_id is not null",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(
        (3500..=3600).contains(&expires),
        "idle timeout of an hour, got {expires}s"
    );
    sqlx::query("update sessions set expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(client.get("/t/aland/").await.status, StatusCode::SEE_OTHER);
}

/// The person is read with the session, in one statement: what the page
/// shows is their row as it is now, an account switched off in the database
/// signs out at its next request, and the row read is never stored.
#[tokio::test]
async fn the_person_is_read_with_each_request_and_never_stored_in_the_session() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user_of("sec@aland.test", Role::Secretariat, "MOL")
        .build()
        .await;
    let mut client = app.signed_in("sec@aland.test").await;
    let mut owner = app.owner_conn().await;
    sqlx::query("update users set name = 'Renamed Person' where email = 'sec@aland.test'")
        .execute(&mut owner)
        .await
        .unwrap();
    let page = client.get("/profile").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Renamed Person"),
        "the name as it is now"
    );
    // A change that saves the session (the language) keeps it out of the store.
    let token = page.csrf();
    client
        .post(
            "/language",
            &[("csrf", &token), ("lang", "fr"), ("back", "/profile")],
        )
        .await;
    assert_eq!(
        app.count("select count(*) from sessions where data ? '_loaded_user'")
            .await,
        0
    );
    assert_eq!(
        app.count("select count(*) from sessions where user_id is not null")
            .await,
        1
    );

    sqlx::query("update users set active = false where email = 'sec@aland.test'")
        .execute(&mut owner)
        .await
        .unwrap();
    let res = client.get("/t/aland/").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "sent to sign in");
    assert!(res.location().starts_with("/login"), "{}", res.location());
}

/// After sign-in and after switching language, the way on stays on this
/// site whatever the link said: each of these once led a browser away.
#[tokio::test]
async fn no_redirect_leaves_the_site() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    // As written in a link's query string.
    let links = [
        "/%09/evil.example/",
        "//evil.example",
        "/%5Cevil.example",
        "/%255Cevil.example",
        "https://evil.example",
        "/%0d%0aX:1",
        "javascript:alert(1)",
    ];
    for link in links {
        let mut client = app.client();
        let page = client.get(&format!("/login?next={link}")).await;
        assert_eq!(page.status, StatusCode::OK, "{link}");
        assert_eq!(
            page.attr("input[name=next]", "value").as_deref(),
            Some("/"),
            "{link}"
        );
        // The form field as a crafted page would post it, decoded once.
        let decoded = percent_encoding::percent_decode_str(link)
            .decode_utf8_lossy()
            .into_owned();
        let res = client
            .post(
                "/login",
                &[
                    ("csrf", &page.csrf()),
                    ("email", "sec@aland.test"),
                    ("password", PASSWORD),
                    ("next", &decoded),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{link}");
        assert_eq!(res.location(), "/", "{link}");
        let token = client.get("/profile").await.csrf();
        let res = client
            .post(
                "/language",
                &[("csrf", &token), ("lang", "en"), ("back", &decoded)],
            )
            .await;
        assert_eq!(res.location(), "/", "{link}");
    }
}

/// A client, the path it posts to and the form it sends.
type Request = (crate::common::Client, &'static str, Vec<(String, String)>);

/// Sends each client's request at once; the statuses, in any order.
async fn all_at_once(requests: Vec<Request>) -> Vec<StatusCode> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(mut client, path, fields)| {
            tokio::spawn(async move {
                let fields: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                client.post(path, &fields).await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

/// The finding: 100 wrong passwords sent at once were all checked. Now the
/// count and the decision are one step, so at most 10 ever are.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_wrong_passwords_at_once_get_ten_checked_at_most() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut requests = Vec::new();
    for i in 0..100 {
        let mut client = app.client();
        let token = client.get("/login").await.csrf();
        let fields = vec![
            ("csrf".to_owned(), token),
            ("email".to_owned(), "sec@aland.test".to_owned()),
            ("password".to_owned(), format!("wrong password {i}")),
        ];
        requests.push((client, "/login", fields));
    }
    let statuses = all_at_once(requests).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    eprintln!("{checked} checked, {refused} throttled");
    assert_eq!((checked, refused), (10, 90), "{statuses:?}");
    assert_eq!(
        app.count("select count(*) from login_failures where key = 'account:sec@aland.test'")
            .await,
        10
    );
}

/// Behind a proxy, the address counted is the one the proxy appended, not
/// one the client wrote before it.
#[tokio::test]
async fn a_client_cannot_choose_its_forwarded_address() {
    let app = TestApp::with_config(nap_oversight::config::ServerConfig {
        trust_forwarded_for: true,
        ..Default::default()
    })
    .await;
    app.tenant("aland").await;
    app.member("aland", "sec@aland.test", Role::Secretariat, None, false)
        .await;
    let mut client = app.client();
    let token = client.get("/login").await.csrf();
    let attempt = |spoofed: String, email: &str, password: &str| {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("csrf", token.as_str()),
                ("email", email),
                ("password", password),
            ])
            .finish();
        axum::http::Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", format!("{spoofed}, 203.0.113.9"))
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    for i in 0..10 {
        let res = client
            .send(attempt(
                format!("10.0.0.{i}"),
                &format!("guess{i}@aland.test"),
                "whatever-pass",
            ))
            .await;
        assert_eq!(res.status, StatusCode::OK);
    }
    let res = client
        .send(attempt("10.9.9.9".into(), "sec@aland.test", PASSWORD))
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.count("select count(*) from login_failures where key = 'client:203.0.113.9'")
            .await,
        10
    );
}
