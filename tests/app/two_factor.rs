//! Two-step sign-in: setting it up, signing in with it, codes that work
//! once, and a tenant that requires it of its secretariat.

use axum::http::StatusCode;
use nap_oversight::authz::Role;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::common::{Client, PASSWORD, TestApp};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Switches two-step sign-in on for the signed-in `client`, as a person
/// would: read the key off the page, type the app's code. Returns the app.
async fn enroll(client: &mut Client) -> TOTP {
    let page = client.get("/profile/two-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html()
            .select(&scraper::Selector::parse(".qr svg").unwrap())
            .next()
            .is_some()
    );
    let key: String = page.texts("#secret-key")[0]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let secret = Secret::Encoded(key).to_bytes().unwrap();
    let app = TOTP::new(Algorithm::SHA1, 6, 1, 30, secret).unwrap();
    // A wrong code is refused beside the field; nothing is switched on.
    let t = now();
    let valid: Vec<String> = [t - 30, t, t + 30]
        .iter()
        .map(|t| app.generate(*t))
        .collect();
    let bad = (0..)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .unwrap();
    let wrong = client
        .submit(
            "/profile/two-factor",
            "/profile/two-factor",
            &[("code", &bad)],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!wrong.texts("#code-error").is_empty());
    // The key stays the same until it is confirmed.
    assert_eq!(
        wrong.texts("#secret-key")[0].replace(' ', ""),
        app.get_secret_base32()
    );
    let res = client
        .submit(
            "/profile/two-factor",
            "/profile/two-factor",
            &[("code", &app.generate(now()))],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/profile");
    assert_eq!(res.notice().as_deref(), Some("two-factor-on"));
    app
}

#[tokio::test]
async fn a_second_factor_is_asked_after_the_password_and_each_code_works_once() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut me = app.signed_in("sec@aland.test").await;
    let totp = enroll(&mut me).await;
    assert_eq!(
        app.count("select count(*) from users where totp_secret is not null")
            .await,
        1
    );

    // The password alone no longer signs in.
    let mut other = app.client();
    let res = other.sign_in("sec@aland.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login/code");
    let res = other.get("/t/aland/").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/login"));
    // A wrong code, then the next step's code (the one used at set-up is spent).
    let res = other
        .submit("/login/code", "/login/code", &[("code", "123 456")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!res.texts("#code-error").is_empty());
    let code = totp.generate(now() + 30);
    let res = other
        .submit("/login/code", "/login/code", &[("code", &code)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/");
    assert_eq!(other.get("/t/aland/").await.status, StatusCode::OK);

    // The same code cannot sign in a second time.
    let mut thief = app.client();
    thief.sign_in("sec@aland.test", PASSWORD).await;
    let res = thief
        .submit("/login/code", "/login/code", &[("code", &code)])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(thief.get("/t/aland/").await.status, StatusCode::SEE_OTHER);

    // Guessing is throttled like passwords.
    let mut last = None;
    for _ in 0..12 {
        last = Some(
            thief
                .submit("/login/code", "/login/code", &[("code", "000001")])
                .await,
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(last.headers[axum::http::header::RETRY_AFTER], "900");

    // Switching it off asks for the password.
    let res = me
        .submit(
            "/profile/two-factor",
            "/profile/two-factor/disable",
            &[("password", "not my password")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!res.texts("#password-error").is_empty());
    let res = me
        .submit(
            "/profile/two-factor",
            "/profile/two-factor/disable",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select count(*) from users where totp_secret is not null")
            .await,
        0
    );
}

#[tokio::test]
async fn a_tenant_can_require_it_of_its_secretariat() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .with_user("sec2@aland.test", Role::Secretariat)
        .with_user("obs@aland.test", Role::Observer)
        .build()
        .await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let settings = [("stale_days", "90"), ("require_two_factor", "on")];

    // Not before the one who asks has it: that would lock them out.
    let res = sec
        .submit("/t/aland/settings", "/t/aland/settings", &settings)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!res.texts("#f-require_two_factor-error").is_empty());
    assert!(res.attr("#f-require_two_factor", "checked").is_some());
    enroll(&mut sec).await;
    let res = sec
        .submit("/t/aland/settings", "/t/aland/settings", &settings)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(sec.get("/t/aland/").await.status, StatusCode::OK);

    // Another secretariat member without it is sent to set it up.
    let mut sec2 = app.signed_in("sec2@aland.test").await;
    let res = sec2.get("/t/aland/members").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/profile/two-factor?required=1");
    let page = sec2.get(res.raw_location()).await;
    assert!(!page.texts(".notice").is_empty());
    let token = sec2.get("/profile").await.csrf();
    let res = sec2
        .post(
            "/t/aland/members",
            &[("csrf", &token), ("email", "x@aland.test")],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "writes are held back too"
    );
    // Other members are not asked.
    let mut obs = app.signed_in("obs@aland.test").await;
    assert_eq!(obs.get("/t/aland/").await.status, StatusCode::OK);

    enroll(&mut sec2).await;
    assert_eq!(sec2.get("/t/aland/members").await.status, StatusCode::OK);
    // While required, it cannot be switched off.
    let res = sec2
        .submit(
            "/profile/two-factor",
            "/profile/two-factor/disable",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("select count(*) from users where totp_secret is not null")
            .await,
        2
    );
}

/// The finding: of 40 wrong codes sent at once, 18 were checked. Now at
/// most 10 are, like passwords.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_wrong_codes_at_once_get_ten_checked_at_most() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut me = app.signed_in("sec@aland.test").await;
    let totp = enroll(&mut me).await;
    let t = now();
    let valid: Vec<String> = [t - 30, t, t + 30, t + 60]
        .iter()
        .map(|t| totp.generate(*t))
        .collect();
    let wrong = (0..)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .unwrap();
    let mut pending = Vec::new();
    for _ in 0..40 {
        let mut client = app.client();
        let res = client.sign_in("sec@aland.test", PASSWORD).await;
        assert_eq!(res.location(), "/login/code");
        let token = client.get("/login/code").await.csrf();
        pending.push((client, token));
    }
    let handles: Vec<_> = pending
        .into_iter()
        .map(|(mut client, token)| {
            let wrong = wrong.clone();
            tokio::spawn(async move {
                client
                    .post("/login/code", &[("csrf", &token), ("code", &wrong)])
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    eprintln!("{checked} checked, {refused} throttled");
    assert_eq!((checked, refused), (10, 30), "{statuses:?}");
}
