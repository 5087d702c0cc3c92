use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::{PASSWORD, TestApp};

#[tokio::test]
async fn changing_my_password_ends_my_other_sessions() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut laptop = app.signed_in("sec@aland.test").await;
    let mut phone = app.signed_in("sec@aland.test").await;

    let res = laptop
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current", "wrong one!"),
                ("new", "tiny"),
                ("confirm", "tiny"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#current-error"),
        vec!["This is not your current password."]
    );
    assert_eq!(res.texts("#new-error"), vec!["Use at least 12 characters."]);

    let res = laptop
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current", PASSWORD),
                ("new", "password1234!"),
                ("confirm", "password1234!"),
            ],
        )
        .await;
    assert_eq!(
        res.texts("#new-error"),
        vec![
            "This password is too easy to guess. Use a longer phrase of unrelated words, not your name or a common password."
        ]
    );

    let res = laptop
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current", PASSWORD),
                ("new", "a brand new passphrase"),
                ("confirm", "a different passphrase"),
            ],
        )
        .await;
    assert_eq!(
        res.texts("#confirm-error"),
        vec!["The two new passwords are not the same."]
    );

    let res = laptop
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current", PASSWORD),
                ("new", "password1234!"),
                ("confirm", "password1234!"),
            ],
        )
        .await;
    assert_eq!(
        res.texts("#new-error"),
        vec![
            "This password is too easy to guess. Use a longer phrase of unrelated words, not your name or a common password."
        ]
    );

    let res = laptop
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current", PASSWORD),
                ("new", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/profile").await.status,
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        phone.get("/profile").await.status,
        StatusCode::SEE_OTHER,
        "the other one ended"
    );

    let mut fresh = app.client();
    assert_eq!(
        fresh.sign_in("sec@aland.test", PASSWORD).await.status,
        StatusCode::OK,
        "old password refused"
    );
    assert_eq!(
        fresh
            .sign_in("sec@aland.test", "a brand new passphrase")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn my_language_choice_is_kept() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let mut client = app.signed_in("sec@aland.test").await;
    let res = client
        .submit("/profile", "/profile/language", &[("language", "en")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select count(*) from users where language = 'en'")
            .await,
        1
    );
    let page = client.get("/profile").await;
    assert_eq!(
        page.attr("#language option[selected]", "value").as_deref(),
        Some("en")
    );
    assert_eq!(page.attr("html", "lang").as_deref(), Some("en"));

    let res = client
        .submit("/profile", "/profile/language", &[("language", "xx")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#language-error"),
        vec!["Choose a language from the list."]
    );
    assert_eq!(
        app.count("select count(*) from users where language = 'en'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_secretariat_issues_a_one_time_reset_link_that_expires() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_tenant("borea")
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let member = app
        .member("aland", "lost@aland.test", Role::Observer, None, false)
        .await;
    let shared = app
        .member("aland", "shared@ilo.test", Role::Observer, None, false)
        .await;
    app.member("borea", "shared@ilo.test", Role::Secretariat, None, false)
        .await;
    let mut lost_session = app.signed_in("lost@aland.test").await;
    let mut sec = app.signed_in("sec@aland.test").await;

    let issued = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{member}/reset"),
            &[],
        )
        .await;
    assert_eq!(issued.status, StatusCode::OK);
    let link = issued.texts("code.reset-link")[0].clone();
    assert!(link.starts_with("/reset/") && link.len() > 60, "{link}");
    assert_eq!(issued.headers.get("cache-control").unwrap(), "no-store");

    let mut person = app.client();
    let form = person.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    let res = person
        .post(
            &link,
            &[
                ("csrf", &form.csrf()),
                ("new", "lostlost2026"),
                ("confirm", "lostlost2026"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!res.texts("#new-error").is_empty());
    let res = person
        .post(
            &link,
            &[
                ("csrf", &form.csrf()),
                ("new", "Marble-cactus-violin-44"),
                ("confirm", "Marble-cactus-violin-44"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login?reset=done");
    assert_eq!(
        lost_session.get("/t/aland/").await.status,
        StatusCode::SEE_OTHER,
        "old sessions end"
    );
    assert_eq!(
        person.get(&link).await.status,
        StatusCode::NOT_FOUND,
        "used once"
    );
    assert_eq!(
        person
            .sign_in("lost@aland.test", "Marble-cactus-violin-44")
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // An expired link does nothing.
    let issued = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{member}/reset"),
            &[],
        )
        .await;
    let link = issued.texts("code.reset-link")[0].clone();
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "update account_links set expires_at = now() - interval '1 minute' where used_at is null",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(app.client().get(&link).await.status, StatusCode::NOT_FOUND);

    // Someone another tenant also trusts can only be reset by the operator.
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{shared}/reset"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.texts("code.reset-link").is_empty());
    assert_eq!(app.count("select count(*) from account_links p join users u on u.id = p.user_id where u.email = 'shared@ilo.test'").await, 0);
    // And only the secretariat issues links.
    let mut lost = app.client();
    lost.sign_in("lost@aland.test", "Marble-cactus-violin-44")
        .await;
    let token = lost.get("/t/aland/").await.csrf();
    assert_eq!(
        lost.post(
            &format!("/t/aland/members/{member}/reset"),
            &[("csrf", &token)]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_reset_link_stops_working_when_its_membership_is_deactivated() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let member = app
        .member("aland", "leaving@aland.test", Role::Observer, None, false)
        .await;
    let mut sec = app.signed_in("sec@aland.test").await;
    let issued = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{member}/reset"),
            &[],
        )
        .await;
    let link = issued.texts("code.reset-link")[0].clone();
    assert_eq!(app.client().get(&link).await.status, StatusCode::OK);
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{member}/deactivate"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let mut holder = app.client();
    assert_eq!(holder.get(&link).await.status, StatusCode::NOT_FOUND);
    let token = holder.get("/login").await.csrf();
    let res = holder
        .post(
            &link,
            &[
                ("csrf", &token),
                ("new", "Marble-cactus-violin-44"),
                ("confirm", "Marble-cactus-violin-44"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        holder
            .sign_in("leaving@aland.test", "Marble-cactus-violin-44")
            .await
            .status,
        StatusCode::OK,
        "the password did not change"
    );
}
