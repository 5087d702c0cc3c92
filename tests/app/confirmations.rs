//! Nothing is lost by one click: every destructive or irreversible action
//! asks first, on a page that says what will happen, and a form without the
//! confirmation that page sets changes nothing (it gets the page instead).

use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::{Client, Page, SEC, TestApp};
use crate::plan::{add_activity, plan_setup};

const YES: (&str, &str) = ("confirm", "yes");

/// The confirmation page's promise: its heading, what will happen, and a
/// form that carries the confirmation to `action`.
fn says(page: &Page, action: &str, sentences: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let text = page.texts("main").join(" ");
    for sentence in sentences {
        assert!(text.contains(sentence), "{sentence:?} not in {text}");
    }
    assert_eq!(
        page.attr("main form input[name=confirm]", "value")
            .as_deref(),
        Some("yes")
    );
    assert_eq!(page.attr("main form", "action").as_deref(), Some(action));
    assert_eq!(
        page.attr("main form button", "class").as_deref(),
        Some("danger"),
        "not styled as the main action"
    );
}

/// Posts `action` without the confirmation (the page's token only), checks
/// that the answer is the confirmation page, and that `count` did not move;
/// then posts it confirmed and returns that answer.
async fn refused_then_done(
    app: &TestApp,
    client: &mut Client,
    page: &str,
    action: &str,
    count: &str,
    sentence: &str,
) -> Page {
    let before = app.count(count).await;
    let res = client.submit(page, action, &[]).await;
    says(&res, action, &[sentence]);
    assert_eq!(app.count(count).await, before, "{action} acted unconfirmed");
    let res = client.submit(page, action, &[YES]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_ne!(app.count(count).await, before, "{action} did nothing");
    res
}

async fn plan_with_activity() -> (TestApp, Client, i64, i64) {
    let (app, mut sec, nap) = plan_setup().await;
    let res = add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Awareness campaign"),
            ("lead", "MOL"),
            ("targets", "Q2/yearly"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let activity = app.count("select id from activities").await;
    (app, sec, nap, activity)
}

#[tokio::test]
async fn deleting_a_nap_says_what_goes_with_it_and_needs_the_confirmation() {
    let (app, mut sec, nap, _) = plan_with_activity().await;
    let path = format!("/t/aland/naps/{nap}/delete");
    let page = sec.get(&path).await;
    says(
        &page,
        &path,
        &[
            "Plan against forced labour",
            "objectives, outcomes and 1 activities",
            "This cannot be undone.",
        ],
    );
    let res = refused_then_done(
        &app,
        &mut sec,
        &path,
        &path,
        "select count(*) from naps",
        "Plan against forced labour",
    )
    .await;
    assert_eq!(res.location(), "/t/aland/naps");
    assert_eq!(res.notice().as_deref(), Some("deleted"));
    assert_eq!(app.count("select count(*) from activities").await, 0);
}

#[tokio::test]
async fn deleting_an_objective_an_outcome_or_an_activity_needs_the_confirmation() {
    let (app, mut sec, nap, activity) = plan_with_activity().await;
    let act = format!("/t/aland/naps/{nap}/activities/{activity}/delete");
    says(
        &sec.get(&act).await,
        &act,
        &[
            "1.1.1 Awareness campaign",
            "time targets and comments go with it",
        ],
    );
    refused_then_done(
        &app,
        &mut sec,
        &act,
        &act,
        "select count(*) from activities",
        "1.1.1 Awareness campaign",
    )
    .await;
    assert_eq!(app.count("select count(*) from time_targets").await, 0);

    add_activity(
        &mut sec,
        nap,
        &[("outcome", "1.1"), ("code", "1.1.2"), ("title", "Training")],
    )
    .await;
    let outcome = app.count("select id from outcomes").await;
    let path = format!("/t/aland/naps/{nap}/outcomes/{outcome}/delete");
    says(
        &sec.get(&path).await,
        &path,
        &[
            "1.1 People know their rights",
            "Its 1 activities go with it",
        ],
    );
    refused_then_done(
        &app,
        &mut sec,
        &path,
        &path,
        "select count(*) from outcomes",
        "1.1 People know their rights",
    )
    .await;
    assert_eq!(app.count("select count(*) from activities").await, 0);

    let objective = app.count("select id from objectives").await;
    let path = format!("/t/aland/naps/{nap}/objectives/{objective}/delete");
    says(&sec.get(&path).await, &path, &["1 Prevention"]);
    refused_then_done(
        &app,
        &mut sec,
        &path,
        &path,
        "select count(*) from objectives",
        "1 Prevention",
    )
    .await;
}

#[tokio::test]
async fn deleting_a_partner_needs_the_confirmation() {
    let (app, mut sec, _) = plan_setup().await;
    let ilo = app
        .count("select id from partners where acronym = 'ILO'")
        .await;
    let path = format!("/t/aland/partners/{ilo}/delete");
    says(
        &sec.get(&path).await,
        &path,
        &["(ILO)", "leaves the partners registry"],
    );
    refused_then_done(
        &app,
        &mut sec,
        &path,
        &path,
        "select count(*) from partners where acronym = 'ILO'",
        "(ILO)",
    )
    .await;
}

/// A group with the ministry member in it, and one record of theirs
/// (the confidential tests' fixture); the member's user id last.
async fn confidential_setup() -> (TestApp, Client, Client, i64, i64) {
    let mut setup = crate::confidential::setup().await;
    let res = crate::confidential::add_record(&mut setup, "Case note", None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let min = setup
        .app
        .count("select id from users where email = 'min@aland.test'")
        .await;
    (setup.app, setup.sec, setup.keeper, setup.group, min)
}

#[tokio::test]
async fn deleting_a_confidential_record_needs_the_confirmation() {
    let (app, _, mut keeper, _, _) = confidential_setup().await;
    let record = app.count("select id from confidential_records").await;
    let path = format!("/t/aland/confidential/records/{record}/delete");
    says(
        &keeper.get(&path).await,
        &path,
        &[
            "every member of the group Referral group",
            "never what it said",
        ],
    );
    refused_then_done(
        &app,
        &mut keeper,
        &path,
        &path,
        "select count(*) from confidential_records",
        "Referral group",
    )
    .await;
}

#[tokio::test]
async fn removing_someone_from_a_confidential_group_needs_the_confirmation() {
    let (app, mut sec, _, group, min) = confidential_setup().await;
    // The groups page's button posts without the confirmation, and gets the page.
    let list = sec.get("/t/aland/confidential").await;
    let action = format!("/t/aland/confidential/groups/{group}/members/{min}/remove");
    assert_eq!(
        list.attr(&format!("form[action='{action}'] button"), "class")
            .as_deref(),
        Some("small secondary")
    );
    let res = refused_then_done(
        &app,
        &mut sec,
        "/t/aland/confidential",
        &action,
        "select count(*) from confidential_group_members",
        "stops seeing the group's confidential records at once",
    )
    .await;
    assert_eq!(res.notice().as_deref(), Some("removed"));
}

#[tokio::test]
async fn deactivating_a_member_says_they_are_signed_out_and_needs_the_confirmation() {
    let app = TestApp::init().with_aland().build().await;
    let ministry = app
        .member("aland", "min@aland.test", Role::Ministry, Some("MOJ"), true)
        .await;
    let mut minister = app.signed_in("min@aland.test").await;
    let mut sec = app.signed_in(SEC).await;
    let list = sec.get("/t/aland/members").await;
    let path = format!("/t/aland/members/{ministry}/deactivate");
    // The list links to the confirmation; the link is not the main action's look.
    assert_eq!(
        list.attr(&format!("a[href='{path}']"), "class").as_deref(),
        Some("button small secondary")
    );
    says(
        &sec.get(&path).await,
        &path,
        &[
            "signed out at once",
            "focal-point duty",
            "reactivate them later",
        ],
    );
    refused_then_done(
        &app,
        &mut sec,
        &path,
        &path,
        &format!("select count(*) from memberships where id = {ministry} and active"),
        "signed out at once",
    )
    .await;
    assert_eq!(
        minister.get("/t/aland/").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
}

#[tokio::test]
async fn withdrawing_an_invitation_needs_the_confirmation() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let res = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[
                ("email", "later@aland.test"),
                ("name", "Ana Later"),
                ("role", "observer"),
            ],
        )
        .await;
    let link = res.texts("code.reset-link")[0].clone();
    let pending = app
        .count("select id from memberships where accepted_at is null")
        .await;
    let path = format!("/t/aland/members/{pending}/withdraw");
    says(
        &sec.get(&path).await,
        &path,
        &["Ana Later", "stops working"],
    );
    refused_then_done(
        &app,
        &mut sec,
        &path,
        &path,
        "select count(*) from memberships where accepted_at is null",
        "Ana Later",
    )
    .await;
    assert_eq!(app.client().get(&link).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn publishing_terms_of_reference_shows_the_draft_and_its_changes_first() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let res = sec
        .submit(
            "/t/aland/committees",
            "/t/aland/committees",
            &[("name", "Oversight"), ("kind", "oversight")],
        )
        .await;
    let tor = format!("{}/tor", res.location());
    let publish = format!("{tor}/publish");
    let count = "select count(*) from tor_versions where version is not null";
    sec.submit(
        &tor,
        &tor,
        &[
            ("mandate", "The committee meets every quarter."),
            ("purpose", "Oversight of the plan."),
            ("quorum", "50"),
        ],
    )
    .await;
    // The first version: the preview says so, and shows the text.
    let page = sec.get(&publish).await;
    says(
        &page,
        &publish,
        &[
            "Version 1 is published today",
            "first published version",
            "The committee meets every quarter.",
        ],
    );
    assert!(page.texts("table.compare").is_empty(), "nothing to compare");
    refused_then_done(&app, &mut sec, &tor, &publish, count, "Version 1").await;

    // The second: the changes against version 1, word by word.
    sec.submit(
        &tor,
        &tor,
        &[
            ("mandate", "The committee meets every month."),
            ("purpose", "Oversight of the plan."),
            ("quorum", "60"),
        ],
    )
    .await;
    let page = sec.get(&publish).await;
    says(
        &page,
        &publish,
        &[
            "Version 2 is published today",
            "Version 1 is then superseded",
        ],
    );
    assert_eq!(
        page.texts("table.compare tr.changed td.before del"),
        ["quarter", "Quorum: 50% of the voting members."]
    );
    assert_eq!(
        page.texts("table.compare tr.changed td.after ins"),
        ["month", "Quorum: 60% of the voting members."]
    );
    assert_eq!(
        page.texts("table.compare tr.changed th")[0],
        "Mandate Changed"
    );
    let before = app.count(count).await;
    let res = sec.submit(&tor, &publish, &[]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.texts("main h1")[0].starts_with("Publish version 2?"));
    assert_eq!(app.count(count).await, before, "not published unconfirmed");
    let res = sec.submit(&publish, &publish, &[YES]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().ends_with("/tor/v/2"), "{}", res.location());
    assert_eq!(res.notice().as_deref(), Some("tor-published"));
    // The draft page's way there is a link, not a button that publishes.
    sec.submit(&tor, &tor, &[("mandate", "Again."), ("purpose", "P")])
        .await;
    let draft = sec.get(&tor).await;
    assert_eq!(
        draft
            .attr(&format!("a[href='{publish}']"), "class")
            .as_deref(),
        Some("button secondary")
    );
    assert!(
        draft
            .html()
            .select(&scraper::Selector::parse(&format!("form[action='{publish}']")).unwrap())
            .next()
            .is_none()
    );
}
