use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::TestApp;

#[tokio::test]
async fn every_change_writes_one_audit_row_with_who_when_and_what() {
    let app = TestApp::init()
        .with_tenant("aland")
        .with_tenant("borea")
        .with_tenant("aland")
        .with_user("sec@aland.test", Role::Secretariat)
        .build()
        .await;
    let observer = app
        .member("aland", "obs@aland.test", Role::Observer, None, false)
        .await;
    app.member("borea", "sec@borea.test", Role::Secretariat, None, false)
        .await;
    let before = app.count("select count(*) from audit_log").await;

    let mut sec = app.signed_in("sec@aland.test").await;
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{observer}/role"),
            &[("role", "ministry")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select count(*) from audit_log").await,
        before + 1,
        "one change, one row"
    );
    let mut conn = app.owner_conn().await;
    let (actor, action, object, request, old_role, new_role): (
        String,
        String,
        String,
        String,
        String,
        String,
    ) = sqlx::query_as(
        "select u.email, a.action, a.object_type, a.request_id, a.before->>'role', a.after->>'role'
         from audit_log a join users u on u.id = a.actor order by a.id desc limit 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), action.as_str(), object.as_str()),
        ("sec@aland.test", "update", "memberships")
    );
    assert_eq!(
        (old_role.as_str(), new_role.as_str()),
        ("observer", "ministry")
    );
    assert_eq!(request.len(), 36, "the request id: {request}");

    // The secretariat browses, filters and exports it; others may not.
    let page = sec
        .get("/t/aland/audit?object=memberships&action=update")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = page.texts("table.audit tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("sec@aland.test") && rows[0].contains("role: \"observer\" → \"ministry\""),
        "{rows:?}"
    );
    let csv =
        String::from_utf8(sec.get_bytes("/t/aland/audit.csv?object=memberships").await).unwrap();
    assert!(
        csv.starts_with("Entry,Time (UTC),Who (e-mail),Request,Action,Table,Row,Before,After\n")
    );
    assert!(csv.contains(&request));
    let mut obs = app.signed_in("obs@aland.test").await;
    assert_eq!(
        obs.get("/t/aland/audit").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        obs.get("/t/aland/audit.csv").await.status,
        StatusCode::FORBIDDEN
    );
    // Another tenant's secretariat sees none of it.
    let mut other = app.signed_in("sec@borea.test").await;
    assert!(
        other
            .get("/t/borea/audit")
            .await
            .texts("table.audit tbody tr")
            .iter()
            .all(|r| !r.contains("aland"))
    );
    assert!(
        !String::from_utf8(other.get_bytes("/t/borea/audit.csv").await)
            .unwrap()
            .contains(&request)
    );
}

#[tokio::test]
async fn the_audit_log_is_append_only_for_the_application() {
    let app = TestApp::new().await;
    let tenant = app.tenant("aland").await;
    app.member("aland", "sec@aland.test", Role::Secretariat, None, false)
        .await;
    assert!(app.count("select count(*) from audit_log").await > 0);
    let mut tx = nap_oversight::tenancy::scope::begin(&app.pool, tenant, None)
        .await
        .unwrap();
    for sql in [
        "update audit_log set actor = null",
        "delete from audit_log",
        "truncate audit_log",
    ] {
        let mut sp = sqlx::Acquire::begin(&mut tx).await.unwrap();
        let err = sqlx::query(sql).execute(&mut *sp).await.unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
        sp.rollback().await.unwrap();
    }
    let n: i64 = sqlx::query_scalar("select count(*) from audit_log")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert!(n > 0, "the application reads its own tenant's log");
}

/// The audit log's CSV neutralises formula cells too: here the e-mail
/// address of the person who made a change (`=` is allowed in one).
#[tokio::test]
async fn the_audit_csv_runs_no_formula() {
    let app = crate::common::TestApp::new().await;
    app.tenant("aland").await;
    app.member(
        "aland",
        "sec@aland.test",
        nap_oversight::authz::Role::Secretariat,
        None,
        false,
    )
    .await;
    let mut conn = app.owner_conn().await;
    let mut sec = app.signed_in("sec@aland.test").await;
    sqlx::query("update users set email = '=1+2@evil.example' where email = 'sec@aland.test'")
        .execute(&mut conn)
        .await
        .unwrap();
    sec.submit(
        "/t/aland/partners/new",
        "/t/aland/partners/new",
        &[
            ("acronym", "NEW"),
            ("name", "New partner"),
            ("kind", "ministry"),
            ("portfolio", "labour"),
            ("level", "national"),
            ("constituency", "government"),
        ],
    )
    .await;
    assert_eq!(
        app.count("select count(*) from partners where acronym = 'NEW'")
            .await,
        1
    );
    let csv = String::from_utf8(sec.get_bytes("/t/aland/audit.csv").await).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut actors = 0;
    for record in reader.records() {
        let record = record.unwrap();
        for cell in record.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell:?}");
        }
        actors += usize::from(&record[2] == "'=1+2@evil.example");
    }
    assert!(actors >= 1, "{csv}");
}
