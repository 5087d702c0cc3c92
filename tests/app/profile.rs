use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::{PASSWORD, TestApp};

#[tokio::test]
async fn changing_my_password_ends_my_other_sessions() {
    let app = TestApp::new().await;
    app.tenant("aland").await;
    app.member("aland", "sec@aland.test", Role::Secretariat, None, false)
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
    let app = TestApp::new().await;
    app.tenant("aland").await;
    app.member("aland", "sec@aland.test", Role::Secretariat, None, false)
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
