//! The members' newsletter: started from what happened lately, previewed,
//! sent once to each member through the real SMTP server of the tests in
//! the member's language where the text exists, then frozen and readable.

use axum::http::StatusCode;
use mail_parser::MessageParser;
use nap_oversight::authz::Role;

use crate::common::{Client, OBSERVER, SEC};
use crate::mail::{Sink, deliver, secret};
use crate::plan::{led_activity, plan_setup};

const MINISTRY: &str = "min@aland.test";
const UNION: &str = "union@aland.test";

async fn start(sec: &mut Client, fields: &[(&str, &str)]) -> crate::common::Page {
    sec.submit("/t/aland/newsletters", "/t/aland/newsletters", fields)
        .await
}

#[tokio::test]
async fn a_newsletter_reaches_each_member_once_in_their_language_and_stays_readable() {
    let (app, mut sec, nap) = plan_setup().await;
    app.member("aland", MINISTRY, Role::Ministry, Some("MOJ"), false)
        .await;
    app.member("aland", UNION, Role::SocialPartner, Some("CTU"), false)
        .await;
    sqlx::query("update users set language = 'fr' where email = $1")
        .bind(UNION)
        .execute(&mut app.owner_conn().await)
        .await
        .unwrap();
    // What happened lately: an accepted update, a document, a coming meeting.
    led_activity(&mut sec, nap, "1.1.1", "MOL", &[]).await;
    let activity = app.count("select id from activities").await;
    let res = crate::progress::post(
        &mut sec,
        nap,
        activity,
        &[
            ("status", "on-track"),
            ("progress", "30"),
            ("note", "Forty farms inspected"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = crate::documents::upload(
        &mut sec,
        &[
            ("title", "Inspection checklist"),
            ("kind", "guidance"),
            ("language", "en"),
            ("visibility", "members"),
        ],
        ("checklist.txt", b"Look for withheld passports"),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let committee = crate::meetings::committee(&mut sec, "Steering group", "quarterly").await;
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::days(10)).date();
    crate::meetings::meeting(
        &mut sec,
        committee,
        &format!("{soon} 10:00"),
        "Plan the harvest season",
    )
    .await;

    // A subject is needed, said beside it.
    let res = start(&mut sec, &[("subject", " ")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-subject-error").len(), 1);
    let res = start(&mut sec, &[("subject", "Quarterly letter")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let path = res.location().split('?').next().unwrap().to_owned();
    let res = sec
        .submit(
            &path,
            &path,
            &[
                ("subject", "Quarterly letter"),
                ("body", "The plan moves.\r\n\r\nThank you all."),
                ("subject_fr", "Lettre trimestrielle"),
                ("body_fr", "Le plan avance."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // The preview: the text and what was gathered; a draft is the secretariat's.
    let preview = sec.get(&path).await;
    let items = preview.texts("article.letter li a");
    for expected in [
        "1.1.1 Inspect farms",
        "Inspection checklist",
        "Steering group",
    ] {
        assert!(
            items.iter().any(|i| i.contains(expected)),
            "{expected}: {items:?}"
        );
    }
    assert_eq!(
        preview.texts("article.letter p"),
        ["The plan moves.", "Thank you all."]
    );
    let mut observer = app.signed_in(OBSERVER).await;
    assert_eq!(observer.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(
        !observer
            .get("/t/aland/newsletters")
            .await
            .body
            .contains("Quarterly letter")
    );

    // Sent: one message per active member, once, through the real SMTP server.
    let send = format!("{path}/send");
    let confirm = sec.get(&send).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("4 people"), "{}", confirm.body);
    let res = sec.submit(&send, &send, &[("confirm", "yes")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let sink = Sink::start();
    let settings = sink.settings(secret(&app).await);
    assert_eq!(deliver(&app, &settings).await, 4);
    let messages = sink.messages();
    assert_eq!(messages.len(), 4);
    let mut to: Vec<String> = Vec::new();
    for raw in &messages {
        let message = MessageParser::default().parse(raw).unwrap();
        let address = message
            .to()
            .unwrap()
            .first()
            .unwrap()
            .address()
            .unwrap()
            .to_owned();
        let body = message.body_text(0).unwrap().into_owned();
        assert!(body.contains("Inspection checklist"), "{body}");
        // Its links open the tenant's pages.
        let link = format!("{}/t/aland/documents/", crate::mail::ORIGIN);
        assert!(body.contains(&link), "{body}");
        if address == UNION {
            assert_eq!(message.subject(), Some("Lettre trimestrielle"));
            assert!(body.contains("Le plan avance."), "{body}");
            assert!(body.contains("Nouveaux documents"), "{body}");
        } else {
            assert_eq!(message.subject(), Some("Quarterly letter"));
            assert!(body.contains("Thank you all."), "{body}");
        }
        to.push(address);
    }
    to.sort();
    to.dedup();
    assert_eq!(
        to,
        [MINISTRY, OBSERVER, SEC, UNION].map(str::to_owned).to_vec()
    );
    // Never twice, never changed; readable by every member afterwards.
    let res = sec.submit(&path, &send, &[("confirm", "yes")]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("select count(*) from mail_outbox where kind = 'newsletter'")
            .await,
        4
    );
    let err = sqlx::query("update newsletters set subject = 'Changed'")
        .execute(&mut crate::reports::app_role(&app).await)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot change"), "{err}");
    let read = observer.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.contains("Thank you all."));
    assert!(
        observer
            .get("/t/aland/newsletters")
            .await
            .body
            .contains("Quarterly letter")
    );
    let list = observer.get("/t/aland/newsletters").await;
    assert!(
        list.attr("form[action=\"/t/aland/newsletters\"]", "method")
            .is_none(),
        "observers start none"
    );
}

#[tokio::test]
async fn a_committees_newsletter_goes_to_its_seats_alone() {
    let (app, mut sec, _nap) = plan_setup().await;
    app.member("aland", MINISTRY, Role::Ministry, Some("MOJ"), false)
        .await;
    let committee = crate::meetings::committee(&mut sec, "Steering group", "quarterly").await;
    let page = format!("/t/aland/committees/{committee}");
    let res = sec
        .submit(
            &page,
            &format!("{page}/members"),
            &[
                ("name", "Mina"),
                ("partner", "MOJ"),
                ("seat", "member"),
                ("gender", "woman"),
                ("email", MINISTRY),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = start(
        &mut sec,
        &[
            ("subject", "To the group"),
            ("committee", &committee.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let send = format!("{}/send", res.location().split('?').next().unwrap());
    let res = sec.submit(&send, &send, &[("confirm", "yes")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        app.count("select count(*) from mail_outbox where kind = 'newsletter'")
            .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "select count(*) from mail_outbox where kind = 'newsletter' and recipient = '{MINISTRY}'"
        ))
        .await,
        1
    );
    // Sent, it is read by the seat's holder and the secretariat, no one else.
    let letter = send.trim_end_matches("/send").to_owned();
    let mut holder = app.signed_in(MINISTRY).await;
    assert_eq!(holder.get(&letter).await.status, StatusCode::OK);
    let mut observer = app.signed_in(OBSERVER).await;
    assert_eq!(observer.get(&letter).await.status, StatusCode::NOT_FOUND);
    assert!(
        !observer
            .get("/t/aland/newsletters")
            .await
            .body
            .contains("To the group")
    );
    // Another tenant's committee is refused beside the field.
    app.tenant("borea").await;
    let foreign: i64 = sqlx::query_scalar(
        "insert into committees (tenant_id, name, kind) select id, 'Borea group', 'oversight'
         from tenants where slug = 'borea' returning id",
    )
    .fetch_one(&mut app.owner_conn().await)
    .await
    .unwrap();
    let res = start(
        &mut sec,
        &[("subject", "x"), ("committee", &foreign.to_string())],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-committee-error").len(), 1);
    // The committee's newsletters go with it, sent or not.
    sqlx::query("delete from committees where name = 'Steering group'")
        .execute(&mut app.owner_conn().await)
        .await
        .unwrap();
    assert_eq!(app.count("select count(*) from newsletters").await, 0);
}
