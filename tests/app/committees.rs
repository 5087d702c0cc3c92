use axum::body::Body;
use axum::http::{Request, StatusCode};
use nap_oversight::authz::Role;

use crate::common::{Client, TestApp};

async fn setup() -> (TestApp, Client, i64) {
    let app = TestApp::init().with_aland().build().await;
    let mut conn = app.owner_conn().await;
    for sql in [
        "update partners set portfolio = 'labour', constituency = 'government' where acronym = 'MOL'",
        "update partners set portfolio = 'justice', constituency = 'government' where acronym = 'MOJ'",
        "update partners set constituency = 'workers' where acronym = 'CTU'",
        "update partners set constituency = 'employers' where acronym = 'EF'",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    let mut sec = app.signed_in("sec@aland.test").await;
    let res = sec
        .submit(
            "/t/aland/committees",
            "/t/aland/committees",
            &[
                ("name", "National Oversight Committee"),
                ("kind", "oversight"),
                ("meets", "quarterly"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id: i64 = res.location().rsplit('/').next().unwrap().parse().unwrap();
    (app, sec, id)
}

async fn add_member(sec: &mut Client, id: i64, fields: &[(&str, &str)]) -> crate::common::Page {
    let page = format!("/t/aland/committees/{id}");
    sec.submit(&page, &format!("{page}/members"), fields).await
}

fn tor_fields(mandate: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("mandate", mandate),
        ("purpose", "Keep a watchful eye on the plan."),
        (
            "confidentiality",
            "Victims' data stay with the referral group.",
        ),
    ]
}

#[tokio::test]
async fn publishing_freezes_a_version_and_editing_starts_a_new_draft() {
    let (app, mut sec, id) = setup().await;
    let tor = format!("/t/aland/committees/{id}/tor");
    let res = sec
        .submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing to publish yet"
    );
    assert_eq!(
        sec.submit(&tor, &tor, &[("mandate", "")]).await.status,
        StatusCode::SEE_OTHER
    );
    let res = sec
        .submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    assert_eq!(
        res.texts("#f-mandate-error"),
        vec!["Fill in this section before publishing."]
    );

    assert_eq!(
        sec.submit(&tor, &tor, &tor_fields("Oversee the NAP 2025–2029."))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let res = sec
        .submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), format!("/t/aland/committees/{id}/tor/v/1"));

    // The next draft starts from version 1; publishing it makes version 2.
    let draft = sec.get(&tor).await;
    assert_eq!(
        draft.texts("#f-mandate"),
        vec!["Oversee the NAP 2025–2029."]
    );
    assert_eq!(
        sec.submit(
            &tor,
            &tor,
            &tor_fields("Oversee the NAP and its annual plans.")
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sec.submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let v1 = sec.get(&format!("{tor}/v/1")).await;
    assert!(v1.texts("article.tor section")[0].ends_with("Oversee the NAP 2025–2029."));
    let compare = sec.get(&format!("{tor}/compare?a=1&b=2")).await;
    let rows = compare.texts("table.compare tbody tr.changed th");
    assert_eq!(rows, vec!["Mandate Changed"]);
    assert_eq!(compare.texts("table.compare tbody tr.same").len(), 8);

    // Not even the database lets a published version change.
    let tenant = app.count("select id from tenants").await;
    let mut tx = nap_oversight::tenancy::scope::begin(&app.pool, tenant, None)
        .await
        .unwrap();
    let err = sqlx::query("update tor_versions set mandate = 'rewritten' where version = 1")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot change"), "{err}");
    drop(tx);
    assert_eq!(app.count("select count(*) from tor_versions where version = 1 and mandate = 'Oversee the NAP 2025–2029.'").await, 1);
}

#[tokio::test]
async fn the_public_portal_shows_exactly_what_was_published() {
    let (app, mut sec, id) = setup().await;
    add_member(
        &mut sec,
        id,
        &[
            ("name", "Ana Open"),
            ("partner", "MOL"),
            ("seat", "chair"),
            ("gender", "woman"),
            ("public_name", "on"),
        ],
    )
    .await;
    add_member(
        &mut sec,
        id,
        &[
            ("name", "Bo Private"),
            ("partner", "CTU"),
            ("seat", "member"),
            ("gender", "man"),
        ],
    )
    .await;
    let mut visitor = app.client();
    let public = format!("/p/aland/committees/{id}/tor");
    assert_eq!(
        visitor.get(&public).await.status,
        StatusCode::NOT_FOUND,
        "no version yet"
    );

    let tor = format!("/t/aland/committees/{id}/tor");
    sec.submit(&tor, &tor, &tor_fields("First mandate")).await;
    assert_eq!(
        visitor.get(&public).await.status,
        StatusCode::NOT_FOUND,
        "a draft is never public"
    );
    sec.submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    sec.submit(&tor, &tor, &tor_fields("Second mandate, still a draft"))
        .await;

    let page = visitor.get(&public).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("First mandate") && !page.body.contains("still a draft"));
    let composition = page.texts("table.composition tbody tr");
    assert_eq!(
        composition,
        vec![
            "Ministry of Labour (aland) Chair Ana Open",
            "Trade Union Confederation (aland) Member Name not published"
        ]
    );
    assert!(!page.body.contains("Bo Private"), "no name without consent");
    assert!(page.headers.get("set-cookie").is_none());
    assert_eq!(
        page.headers.get("cache-control").unwrap(),
        "public, max-age=300"
    );
    let etag = page
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let again = visitor
        .send(
            Request::get(&public)
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(
        visitor.get(&format!("{public}/v/1")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        visitor.get(&format!("{public}/v/2")).await.status,
        StatusCode::NOT_FOUND,
        "version 2 is a draft"
    );
    assert_eq!(
        visitor
            .get(&format!("/p/aland/committees/{}/tor", id + 999))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        visitor.get("/p/aland/").await.texts("main .cards a strong"),
        vec!["National Oversight Committee"]
    );

    // Another tenant's address never shows it.
    app.tenant("borea").await;
    assert_eq!(
        visitor
            .get(&format!("/p/borea/committees/{id}/tor"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_composition_check_flags_gaps_imbalance_and_expiring_terms() {
    let (_app, mut sec, id) = setup().await;
    let soon = (time::OffsetDateTime::now_utc().date() + time::Duration::days(30)).to_string();
    let members: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("name", "M1"),
            ("partner", "MOL"),
            ("seat", "chair"),
            ("gender", "man"),
            ("term_end", soon.as_str()),
        ],
        vec![
            ("name", "M2"),
            ("partner", "MOJ"),
            ("seat", "member"),
            ("gender", "man"),
        ],
        vec![
            ("name", "M3"),
            ("partner", "EF"),
            ("seat", "member"),
            ("gender", "man"),
        ],
        vec![
            ("name", "M4"),
            ("partner", "EF"),
            ("seat", "member"),
            ("gender", "man"),
        ],
        vec![
            ("name", "M5"),
            ("partner", "MOL"),
            ("seat", "member"),
            ("gender", "man"),
        ],
        vec![
            ("name", "M6"),
            ("partner", "MOL"),
            ("seat", "member"),
            ("gender", "man"),
        ],
        vec![
            ("name", "M7"),
            ("partner", "MOJ"),
            ("seat", "member"),
            ("gender", "man"),
        ],
        vec![
            ("name", "W1"),
            ("partner", "EF"),
            ("seat", "member"),
            ("gender", "woman"),
        ],
        vec![
            ("name", "W2"),
            ("partner", "EF"),
            ("seat", "member"),
            ("gender", "woman"),
        ],
        vec![
            ("name", "W3"),
            ("partner", "MOJ"),
            ("seat", "member"),
            ("gender", "woman"),
        ],
        vec![
            ("name", "Obs"),
            ("partner", "ILO"),
            ("seat", "observer"),
            ("gender", "woman"),
        ],
    ];
    for m in &members {
        assert_eq!(
            add_member(&mut sec, id, m).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let page = sec.get(&format!("/t/aland/committees/{id}")).await;
    let gaps = page.texts(".checklist li.gap");
    assert_eq!(
        gaps,
        vec![
            "✕ Ministry of the Interior: Missing",
            "✕ A workers' organisation: Missing",
            "✕ Law enforcement (police, labour inspection or immigration): Missing",
            "✕ Representatives of victims or affected communities: Missing",
            "✕ Gender balance: women are 40% to 60% of the voting members: Missing (3 of 10 women (30%))",
            "✕ No term ends in the next 90 days: Missing (M1)",
        ]
    );
    assert_eq!(page.texts(".checklist li.ok").len(), 4);

    let res = add_member(
        &mut sec,
        id,
        &[
            ("name", ""),
            ("seat", "king"),
            ("gender", "woman"),
            ("term_start", "2027-01-01"),
            ("term_end", "2026-01-01"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-name-error"), vec!["Fill in this field."]);
    assert_eq!(
        res.texts("#f-term_end-error"),
        vec!["The term ends before it starts."]
    );
}

#[tokio::test]
async fn observers_read_committees_but_change_nothing() {
    let (app, mut sec, id) = setup().await;
    let tor = format!("/t/aland/committees/{id}/tor");
    sec.submit(&tor, &tor, &tor_fields("Mandate")).await;
    sec.submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    let mut obs = app.signed_in("obs@aland.test").await;
    let page = obs.get(&format!("/t/aland/committees/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.texts(".checklist li").is_empty(),
        "the composition check is for the secretariat"
    );
    assert_eq!(obs.get(&format!("{tor}/v/1")).await.status, StatusCode::OK);
    assert_eq!(obs.get(&tor).await.status, StatusCode::FORBIDDEN);
    let token = page.csrf();
    for path in [
        tor.clone(),
        format!("{tor}/publish"),
        format!("/t/aland/committees/{id}/members"),
        "/t/aland/committees".to_owned(),
    ] {
        let res = obs
            .post(
                &path,
                &[
                    ("csrf", &token),
                    ("name", "X"),
                    ("mandate", "Y"),
                    ("kind", "oversight"),
                    ("seat", "member"),
                    ("gender", "man"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(app.count("select count(*) from committees").await, 1);
    assert_eq!(app.count("select count(*) from tor_versions").await, 1);
}

#[tokio::test]
async fn meetings_check_quorum_number_decisions_and_spread_action_points() {
    let (app, mut sec, id) = setup().await;
    let tor = format!("/t/aland/committees/{id}/tor");
    let mut fields = tor_fields("Mandate");
    fields.push(("quorum", "60"));
    sec.submit(&tor, &tor, &fields).await;
    sec.submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    for (name, seat) in [
        ("A", "chair"),
        ("B", "member"),
        ("C", "member"),
        ("D", "member"),
        ("E", "member"),
        ("Obs", "observer"),
    ] {
        add_member(
            &mut sec,
            id,
            &[
                ("name", name),
                ("partner", "MOL"),
                ("seat", seat),
                ("gender", "woman"),
            ],
        )
        .await;
    }
    let committee = format!("/t/aland/committees/{id}");
    let res = sec
        .submit(
            &committee,
            &format!("{committee}/meetings"),
            &[("starts_at", "tomorrow"), ("link", "ftp://x")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-starts_at-error"),
        vec!["Write the date and time as 2026-12-15 10:00."]
    );
    assert_eq!(
        res.texts("#f-link-error"),
        vec!["Enter a web address starting with https://"]
    );
    let res = sec
        .submit(
            &committee,
            &format!("{committee}/meetings"),
            &[
                ("starts_at", "2026-12-15 10:00"),
                ("place", "Ministry of Labour, room 4"),
                ("agenda", "Progress\nRisks"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let meeting = res.location().to_owned();

    // 3 of 5 voting members present is 60%: the quorum of the terms of reference.
    let members: Vec<i64> = {
        let mut conn = app.owner_conn().await;
        sqlx::query_scalar("select id from committee_members order by id")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    let page = sec.get(&meeting).await;
    assert_eq!(page.texts("ol.agenda li"), vec!["Progress", "Risks"]);
    let presence = |present: usize| {
        members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (
                    format!("presence_{m}"),
                    if i < present || i == 5 {
                        "present"
                    } else {
                        "apologies"
                    }
                    .to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    let submit_presence = |present: usize| {
        let mut pairs = vec![("csrf".to_owned(), page.csrf())];
        pairs.extend(presence(present));
        pairs
    };
    let pairs = submit_presence(2);
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        sec.post(&format!("{meeting}/attendance"), &refs)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        sec.get(&meeting).await.texts(".quorum")[0].starts_with("No quorum (2/5"),
        "the observer does not count"
    );
    let pairs = submit_presence(3);
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    sec.post(&format!("{meeting}/attendance"), &refs).await;
    assert!(sec.get(&meeting).await.texts(".quorum")[0].starts_with("Quorum reached (3/5"));

    // Decisions are numbered per committee, across meetings.
    sec.submit(
        &meeting,
        &format!("{meeting}/decisions"),
        &[("text", "Adopt the annual plan")],
    )
    .await;
    let second = sec
        .submit(
            &committee,
            &format!("{committee}/meetings"),
            &[("starts_at", "2027-03-15 10:00")],
        )
        .await
        .location()
        .to_owned();
    sec.submit(
        &second,
        &format!("{second}/decisions"),
        &[("text", "Ask for a budget review")],
    )
    .await;
    assert_eq!(
        sec.get(&second).await.texts("ul.decisions li"),
        vec!["Decision 2: Ask for a budget review"]
    );
    let res = sec
        .submit(&second, &format!("{second}/decisions"), &[("text", " ")])
        .await;
    assert_eq!(res.texts("#f-decision-error"), vec!["Fill in this field."]);

    // An action point for the trade unions, linked to an activity, shows where it should.
    let res = sec
        .submit(
            "/t/aland/naps/new",
            "/t/aland/naps/new",
            &[
                ("title", "P"),
                ("theme", "other"),
                ("start_year", "2025"),
                ("end_year", "2029"),
                ("status", "adopted"),
            ],
        )
        .await;
    let nap: i64 = res.location().rsplit('/').next().unwrap().parse().unwrap();
    let base = format!("/t/aland/naps/{nap}");
    sec.submit(
        &format!("{base}/objectives/new"),
        &format!("{base}/objectives/new"),
        &[("code", "1"), ("title", "O")],
    )
    .await;
    let objective = app.count("select id from objectives").await.to_string();
    sec.submit(
        &format!("{base}/outcomes/new"),
        &format!("{base}/outcomes/new"),
        &[("objective", &objective), ("code", "1.1"), ("title", "OC")],
    )
    .await;
    crate::plan::add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Campaign"),
            ("lead", "CTU"),
        ],
    )
    .await;
    let res = sec
        .submit(
            &meeting,
            &format!("{meeting}/actions"),
            &[
                ("text", "Send the leaflets"),
                ("owner", "CTU"),
                ("due_on", "2027-01-31"),
                ("activity", "9.9.9"),
            ],
        )
        .await;
    assert_eq!(
        res.texts("#f-activity-error"),
        vec!["There is no activity with the code 9.9.9."]
    );
    assert_eq!(
        res.attr("#f-text", "value").as_deref(),
        Some("Send the leaflets")
    );
    let res = sec
        .submit(
            &meeting,
            &format!("{meeting}/actions"),
            &[
                ("text", "Send the leaflets"),
                ("owner", "CTU"),
                ("due_on", "2027-01-31"),
                ("activity", "1.1.1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    // The open action point shows on its activity's page and in the
    // owner's "My work" (their wording is theirs; the action is there).
    let activity = app.count("select id from activities").await;
    let on_activity = sec
        .get(&format!("{base}/activities/{activity}"))
        .await
        .texts(".open-actions li");
    assert_eq!(on_activity.len(), 1);
    assert!(
        on_activity[0].starts_with("Send the leaflets · CTU · Due"),
        "{on_activity:?}"
    );
    app.member(
        "aland",
        "focal.ctu@aland.test",
        Role::SocialPartner,
        Some("CTU"),
        true,
    )
    .await;
    let mut focal = app.signed_in("focal.ctu@aland.test").await;
    let mine = focal
        .get("/t/aland/my-work")
        .await
        .texts(".open-actions li");
    assert_eq!(mine.len(), 1);
    assert!(mine[0].starts_with("Send the leaflets · Due"), "{mine:?}");
    // Done, it disappears from those lists.
    let action = app.count("select id from action_points").await;
    sec.submit(&meeting, &format!("{committee}/actions/{action}/done"), &[])
        .await;
    assert!(
        focal
            .get("/t/aland/my-work")
            .await
            .texts(".open-actions li")
            .is_empty()
    );

    let ics = String::from_utf8(sec.get_bytes(&format!("{meeting}/meeting.ics")).await).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.contains("DTSTART:20261215T100000Z\r\n"));
    assert!(ics.contains("LOCATION:Ministry of Labour\\, room 4\r\n"));
}

#[tokio::test]
async fn a_hand_over_passes_duties_and_seats_with_a_note_for_the_successor() {
    let (app, mut sec, id) = setup().await;
    let leaving = app
        .member("aland", "old@aland.test", Role::Ministry, Some("MOJ"), true)
        .await;
    let successor = app
        .member("aland", "new@aland.test", Role::Ministry, None, false)
        .await;
    let mut old = app.signed_in("old@aland.test").await;
    add_member(
        &mut sec,
        id,
        &[
            ("name", "Old Focal"),
            ("email", "old@aland.test"),
            ("partner", "MOJ"),
            ("seat", "vice-chair"),
            ("gender", "man"),
        ],
    )
    .await;
    let res = add_member(
        &mut sec,
        id,
        &[
            ("name", "Nobody"),
            ("email", "ghost@aland.test"),
            ("seat", "member"),
            ("gender", "man"),
        ],
    )
    .await;
    assert_eq!(
        res.texts("#f-email-error"),
        vec!["No account has this e-mail address."]
    );

    let path = format!("/t/aland/members/{leaving}/handover");
    let page = sec.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let res = sec
        .post(
            &path,
            &[("csrf", &page.csrf()), ("successor", ""), ("note", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-successor-error"),
        vec!["Choose one of the options in the list."]
    );
    assert_eq!(res.texts("#f-note-error"), vec!["Fill in this field."]);
    let res = sec
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("successor", &successor.to_string()),
                ("note", "The inspection reports are in the shared folder."),
                ("deactivate", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    assert_eq!(app.count(&format!("select count(*) from memberships where id = {successor} and focal_point and partner_id is not null")).await, 1);
    assert_eq!(app.count(&format!("select count(*) from memberships where id = {leaving} and not focal_point and not active")).await, 1);
    assert_eq!(
        old.get("/t/aland/").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    let page = sec.get(&format!("/t/aland/committees/{id}")).await;
    assert!(
        page.texts("table.committee-members tbody th")
            .contains(&"Person new@aland.test".to_owned())
    );
    assert_eq!(page.texts("ul.past-members li").len(), 1);

    // The successor reads the note when they sign in, until they mark it read.
    let mut new = app.signed_in("new@aland.test").await;
    let home = new.get("/t/aland/").await;
    assert!(
        home.texts(".handovers .handover")[0]
            .contains("The inspection reports are in the shared folder.")
    );
    assert!(
        new.get("/t/aland/my-work")
            .await
            .texts(".handovers .handover")
            .len()
            == 1
    );
    let note = app.count("select id from handovers").await;
    let res = new
        .post(
            &format!("/t/aland/handovers/{note}/read"),
            &[("csrf", &home.csrf())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(new.get("/t/aland/").await.texts(".handovers").is_empty());
    // Nobody else can mark it, nor hand over anyone without being secretariat.
    assert_eq!(
        sec.post(
            &format!("/t/aland/handovers/{note}/read"),
            &[("csrf", &home.csrf())]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(new.get(&path).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_implementation_guideline_gathers_plan_and_committees() {
    let (_app, mut sec, _) = setup().await;
    let res = sec
        .submit(
            "/t/aland/naps/new",
            "/t/aland/naps/new",
            &[
                ("title", "Plan"),
                ("theme", "trafficking"),
                ("start_year", "2025"),
                ("end_year", "2029"),
                ("status", "adopted"),
            ],
        )
        .await;
    let nap: i64 = res.location().rsplit('/').next().unwrap().parse().unwrap();
    let res = sec
        .submit(
            "/t/aland/committees",
            "/t/aland/committees",
            &[
                ("name", "Coordination Group"),
                ("kind", "coordination-national"),
                ("nap", &nap.to_string()),
            ],
        )
        .await;
    let group: i64 = res.location().rsplit('/').next().unwrap().parse().unwrap();
    let tor = format!("/t/aland/committees/{group}/tor");
    sec.submit(&tor, &tor, &tor_fields("Coordinate the partners"))
        .await;
    sec.submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    add_member(
        &mut sec,
        group,
        &[
            ("name", "Chair Person"),
            ("partner", "MOL"),
            ("seat", "chair"),
            ("gender", "woman"),
        ],
    )
    .await;
    let doc = sec.get(&format!("/t/aland/naps/{nap}/guideline")).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.texts(".chapter > h2"), vec!["Coordination Group"]);
    assert!(doc.body.contains("Coordinate the partners"));
    assert_eq!(
        doc.texts(".chapter table.composition tbody tr"),
        vec!["Chair Person Chair Ministry of Labour (aland)"]
    );
    assert!(
        !doc.body.contains("National Oversight Committee"),
        "only the committees that cover this NAP"
    );
}

#[tokio::test]
async fn the_secretariat_edits_a_committee() {
    let (app, mut sec, id) = setup().await;
    let edit = format!("/t/aland/committees/{id}/edit");
    let page = sec.get(&edit).await;
    assert_eq!(
        page.attr("#f-name", "value").as_deref(),
        Some("National Oversight Committee")
    );
    let res = sec
        .post(
            &edit,
            &[
                ("csrf", &page.csrf()),
                ("name", ""),
                ("kind", "oversight"),
                ("outcome", "1.1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-name-error"), vec!["Fill in this field."]);
    assert_eq!(
        res.texts("#f-outcome-error"),
        vec!["Choose the NAP first: the outcome is one of its outcomes."]
    );
    let res = sec
        .post(
            &edit,
            &[
                ("csrf", &page.csrf()),
                ("name", "Oversight Committee"),
                ("kind", "oversight"),
                ("ad_hoc", "on"),
                ("end_date", "2029-12-31"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(app.count("select count(*) from committees where name = 'Oversight Committee' and not permanent and end_date = '2029-12-31'").await, 1);
    let mut obs = app.signed_in("obs@aland.test").await;
    assert_eq!(obs.get(&edit).await.status, StatusCode::FORBIDDEN);
}

/// The finding: the `.ics` export did not fold long lines and left carriage
/// returns from a text area inside a line, where a calendar client could
/// read what follows as a property of its own.
#[tokio::test]
async fn a_meetings_calendar_file_folds_and_escapes_what_was_typed() {
    let (_app, mut sec, id) = setup().await;
    let committee = format!("/t/aland/committees/{id}");
    let agenda = "1. Opening\r\n2. Reports\rATTENDEE:mailto:evil@example.org\n3. A line of the agenda much longer than the seventy-five octets a calendar line may hold";
    let res = sec
        .submit(
            &committee,
            &format!("{committee}/meetings"),
            &[
                ("starts_at", "2026-12-15 10:00"),
                ("place", "Room 4"),
                ("agenda", agenda),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let meeting = res.location().to_owned();
    let ics = String::from_utf8(sec.get_bytes(&format!("{meeting}/meeting.ics")).await).unwrap();
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{line:?}");
        assert!(!line.contains(['\r', '\n']), "{line:?}");
        assert!(!line.starts_with("ATTENDEE"), "{line:?}");
    }
    let calendar: icalendar::Calendar = ics.parse().unwrap();
    use icalendar::{Component, EventLike};
    let event = calendar.components[0].as_event().expect("an event");
    let description = event.get_description().unwrap();
    assert!(
        description.contains("ATTENDEE:mailto:evil@example.org"),
        "{description:?}"
    );
    assert!(
        description.ends_with("a calendar line may hold"),
        "{description:?}"
    );
    assert_eq!(event.get_location(), Some("Room 4"));
}
