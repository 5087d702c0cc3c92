//! Input no person means to send: a NUL byte, a control character, a
//! number past any plan. Each is answered with a page (400, or a message
//! beside the field), never a 500, and nothing half-done is stored.

use axum::http::StatusCode;

use crate::progress::{post, setup};

/// The finding's twelve cases that answered 500.
#[tokio::test]
async fn nul_bytes_anywhere_get_a_page_not_a_500() {
    let (app, mut sec, nap, activity) = setup().await;
    let act = format!("/t/aland/naps/{nap}/activities/{activity}");
    // In the path and the query string.
    for path in [
        "/t/al%00and/".to_owned(),
        "/p/al%00and/".to_owned(),
        format!("/t/aland/naps/{nap}%00"),
        "/t/aland/audit?actor=%00".to_owned(),
        "/t/aland/audit?object=x%00y".to_owned(),
        "/t/aland/audit?action=%00".to_owned(),
        format!("/t/aland/naps/{nap}/plan?partner=%00"),
    ] {
        let res = sec.get(&path).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(res.texts("h1").len(), 1, "{path}: our page");
    }
    // In forms: the sign-in e-mail, a comment, a risk.
    let mut visitor = app.client();
    let res = visitor.sign_in("sec@aland.test\0", "x").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = sec
        .submit(&act, &format!("{act}/comments"), &[("body", "a\0b")])
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let risks = format!("/t/aland/naps/{nap}/risks/new");
    let res = sec
        .submit(
            &risks,
            &risks,
            &[
                ("challenge", "\0"),
                ("likelihood", "3"),
                ("impact", "3"),
                ("state", "open"),
                ("mitigation", "m"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // A line break in the way on after sign-in.
    let page = visitor.get("/login?next=/%0d%0aX:%201").await;
    assert_eq!(page.status, StatusCode::OK);
    let res = visitor
        .post(
            "/login",
            &[
                ("csrf", &page.csrf()),
                ("email", "sec@aland.test"),
                ("password", crate::common::PASSWORD),
                ("next", "/\r\nX: 1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/");
    assert_eq!(
        app.count("select count(*) from comments").await
            + app.count("select count(*) from risks").await,
        0
    );
}

/// Other control characters are refused beside the field, with what was
/// typed kept.
#[tokio::test]
async fn control_characters_are_refused_beside_the_field() {
    let (app, mut sec, nap, _) = setup().await;
    let risks = format!("/t/aland/naps/{nap}/risks/new");
    let res = sec
        .submit(
            &risks,
            &risks,
            &[
                ("challenge", "Late \u{1b}[31mreports"),
                ("likelihood", "3"),
                ("impact", "3"),
                ("state", "open"),
                ("mitigation", "Two\nlines are fine"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-challenge-error"),
        vec!["Remove the invisible control characters (such as a NUL byte) from this text."]
    );
    assert_eq!(app.count("select count(*) from risks").await, 0);
}

/// The finding: a spending of 9223372036854775807 was stored, and every
/// later update in its tally group failed with `bigint out of range`.
#[tokio::test]
async fn amounts_past_any_plan_are_refused_and_later_updates_still_land() {
    let (app, mut sec, nap, activity) = setup().await;
    let mut focal = app.signed_in("focal.moj@aland.test").await;
    for huge in [
        "9223372036854775807",
        "99999999999999999999",
        "1000000000001",
    ] {
        let res = post(
            &mut focal,
            nap,
            activity,
            &[
                ("status", "on-track"),
                ("progress", "10"),
                ("spending", huge),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{huge}");
        assert_eq!(
            res.texts("#f-spending-error"),
            vec![format!(
                "“{huge}” is more than any plan spends: at most 1,000,000,000,000."
            )]
        );
        let edit = format!("/t/aland/naps/{nap}/activities/{activity}/edit");
        let res = sec
            .submit(
                &edit,
                &edit,
                &[
                    ("outcome", "1.1"),
                    ("code", "1.1.1"),
                    ("title", "Inspections"),
                    ("lead", "MOJ"),
                    ("budget", huge),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{huge}");
        assert!(!res.texts("#f-budget-error").is_empty());
    }
    // The largest amounts there are still add up, and updates keep landing.
    for spending in ["1000000000000", "999999999999", "12"] {
        let res = post(
            &mut focal,
            nap,
            activity,
            &[
                ("status", "on-track"),
                ("progress", "10"),
                ("spending", spending),
            ],
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{spending}: {}",
            res.body
        );
    }
    assert_eq!(app.count("select count(*) from status_updates").await, 3);
}
