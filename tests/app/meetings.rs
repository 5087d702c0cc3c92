//! The committees' time: late action points, meetings overdue against a
//! committee's frequency, leaving a committee, calendar feeds, the public
//! committee page and dates in each language.

use axum::http::StatusCode;
use icalendar::{Component, EventLike};
use nap_oversight::authz::Role;
use time::{Date, Duration, OffsetDateTime};

use crate::common::{Client, Page, SEC, TestApp};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// A day as the English pages write it: "4 Dec 2026".
fn day(d: Date) -> String {
    format!(
        "{} {} {}",
        d.day(),
        MONTHS[usize::from(u8::from(d.month())) - 1],
        d.year()
    )
}

/// `YYYY-MM-DD`, as forms take a date.
fn iso(d: Date) -> String {
    d.to_string()
}

/// A committee made through its form; returns its id.
pub async fn committee(sec: &mut Client, name: &str, meets: &str) -> i64 {
    let res = sec
        .submit(
            "/t/aland/committees",
            "/t/aland/committees",
            &[("name", name), ("kind", "oversight"), ("meets", meets)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.location().rsplit('/').next().unwrap().parse().unwrap()
}

/// A meeting on `at` ("2026-03-12 10:00"); returns its page's path.
pub async fn meeting(sec: &mut Client, committee: i64, at: &str, agenda: &str) -> String {
    let page = format!("/t/aland/committees/{committee}");
    let res = sec
        .submit(
            &page,
            &format!("{page}/meetings"),
            &[
                ("starts_at", at),
                ("place", "Ministry of Labour, room 4"),
                ("agenda", agenda),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.location().to_owned()
}

/// `days` from today at 10:00, as the meeting form takes it.
fn at(days: i64) -> String {
    format!("{} 10:00", iso(today() + Duration::days(days)))
}

pub async fn action(sec: &mut Client, meeting: &str, text: &str, owner: &str, due: &str) {
    let res = sec
        .submit(
            meeting,
            &format!("{meeting}/actions"),
            &[("text", text), ("owner", owner), ("due_on", due)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

async fn publish_tor(sec: &mut Client, committee: i64) {
    let tor = format!("/t/aland/committees/{committee}/tor");
    let res = sec
        .submit(
            &tor,
            &tor,
            &[("mandate", "Oversee the plan"), ("purpose", "Watch it")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = sec
        .submit(&tor, &format!("{tor}/publish"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[tokio::test]
async fn late_action_points_say_how_late_on_the_meeting_the_committee_and_the_list() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let id = committee(&mut sec, "Oversight Committee", "quarterly").await;
    let m = meeting(&mut sec, id, &at(-40), "Progress").await;
    action(
        &mut sec,
        &m,
        "Send the leaflets",
        "CTU",
        &iso(today() - Duration::days(15)),
    )
    .await;
    action(
        &mut sec,
        &m,
        "Write to the ministry",
        "MOJ",
        &iso(today() + Duration::days(10)),
    )
    .await;
    action(&mut sec, &m, "Visit the shelters", "", "").await;

    // The meeting page: a badge with the delay, only on the late one.
    let page = sec.get(&m).await;
    assert_eq!(
        page.texts(".actions-list li.late .badge.late"),
        vec!["2 weeks late"]
    );
    assert_eq!(page.texts(".actions-list .badge.late").len(), 1);
    let late = &page.texts(".actions-list li.late")[0];
    assert!(
        late.starts_with(&format!(
            "Send the leaflets · Trade Union Confederation (aland) (CTU) · Due {}",
            day(today() - Duration::days(15))
        )),
        "{late}"
    );

    // The committee page lists its open points, the late one first.
    let page = sec.get(&format!("/t/aland/committees/{id}")).await;
    let rows = page.texts("table.actions-table tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].starts_with("Send the leaflets"), "{rows:?}");
    assert_eq!(
        page.texts("table.actions-table tr.late .badge.late"),
        vec!["2 weeks late"]
    );

    // The tenant's list, for every member: late first, owners spelled out.
    let mut observer = app.signed_in("obs@aland.test").await;
    let list = observer.get("/t/aland/actions").await;
    assert_eq!(list.status, StatusCode::OK);
    let rows = list.texts("table.actions-table tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        list.texts("table.actions-table tbody tr:first-child td")[0],
        "Trade Union Confederation (aland) (CTU)"
    );
    assert_eq!(
        list.texts("table.actions-table tr.late .badge.late"),
        vec!["2 weeks late"]
    );
    assert!(rows[1].starts_with("Write to the ministry"), "{rows:?}");
    assert!(rows[2].contains("No due date"), "{rows:?}");
    assert_eq!(
        list.texts(".actions-summary"),
        vec!["3 open · 1 past their due date"]
    );

    // Done, it leaves the lists.
    let done = app
        .count("select id from action_points where text = 'Send the leaflets'")
        .await;
    sec.submit(
        &m,
        &format!("/t/aland/committees/{id}/actions/{done}/done"),
        &[],
    )
    .await;
    let list = observer.get("/t/aland/actions").await;
    assert!(list.texts(".badge.late").is_empty());
    assert_eq!(list.texts("table.actions-table tbody tr").len(), 2);
}

#[tokio::test]
async fn a_quarterly_committee_long_past_its_last_meeting_is_overdue_and_a_recent_one_is_not() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let late = committee(&mut sec, "Late Committee", "quarterly").await;
    let recent = committee(&mut sec, "Recent Committee", "quarterly").await;
    let adhoc = committee(&mut sec, "Task Force", "as-needed").await;
    let last = today() - Duration::days(200);
    meeting(&mut sec, late, &format!("{} 10:00", iso(last)), "").await;
    meeting(&mut sec, recent, &at(-20), "").await;
    meeting(&mut sec, adhoc, &at(-400), "").await;

    // 200 days ago, every quarter: due some 110 days ago, 3 months late.
    let page = sec.get(&format!("/t/aland/committees/{late}")).await;
    assert_eq!(
        page.texts(".schedule.overdue"),
        vec![format!(
            "Meeting overdue last met {}, meets every quarter (3 months late)",
            day(last)
        )]
    );
    assert_eq!(page.texts(".schedule .badge.late"), vec!["Meeting overdue"]);

    let page = sec.get(&format!("/t/aland/committees/{recent}")).await;
    assert!(page.texts(".schedule.overdue").is_empty());
    let due =
        nap_oversight::features::committees::schedule::add_months(today() - Duration::days(20), 3);
    assert_eq!(
        page.texts(".schedule"),
        vec![format!("Next meeting due by {}", day(due))]
    );

    // As needed is never overdue, and says nothing of a next meeting.
    let page = sec.get(&format!("/t/aland/committees/{adhoc}")).await;
    assert!(page.texts(".schedule").is_empty());

    // The list shows the same, and counts them.
    let list = sec.get("/t/aland/committees").await;
    let overdue = list.texts(".card.overdue > a strong");
    assert_eq!(overdue, vec!["Late Committee"]);
    assert_eq!(
        list.texts(".overdue-count"),
        vec!["One committee has a meeting overdue."]
    );

    // A meeting planned late says so, and stays late until it is held.
    meeting(&mut sec, late, &at(7), "").await;
    let page = sec.get(&format!("/t/aland/committees/{late}")).await;
    let text = page.texts(".schedule.overdue");
    assert_eq!(text.len(), 1);
    assert!(
        text[0].ends_with(&format!(
            "; the next one is planned on {}",
            day(today() + Duration::days(7))
        )),
        "{text:?}"
    );
    // One planned in time is simply the next meeting.
    meeting(&mut sec, recent, &at(7), "").await;
    let page = sec.get(&format!("/t/aland/committees/{recent}")).await;
    assert_eq!(
        page.texts(".schedule"),
        vec![format!(
            "Next meeting on {}",
            day(today() + Duration::days(7))
        )]
    );
}

#[tokio::test]
async fn the_frequency_is_chosen_from_a_list_and_old_words_are_read_into_it() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let id = committee(&mut sec, "Board", "twice-a-year").await;
    let edit = format!("/t/aland/committees/{id}/edit");
    let page = sec.get(&edit).await;
    assert_eq!(
        page.attr("select#f-meets option[selected]", "value")
            .as_deref(),
        Some("twice-a-year")
    );
    assert_eq!(page.texts("select#f-meets option").len(), 6);
    let res = sec
        .post(
            &edit,
            &[
                ("csrf", &page.csrf()),
                ("name", "Board"),
                ("kind", "oversight"),
                ("meets", "fortnightly"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-meets-error"),
        vec!["Choose one of the options in the list."]
    );
    let res = sec
        .post(
            &edit,
            &[
                ("csrf", &page.csrf()),
                ("name", "Board"),
                ("kind", "oversight"),
                ("meets", "monthly"),
                ("meeting_frequency", "On the first Monday"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = sec.get(&format!("/t/aland/committees/{id}")).await;
    assert!(
        page.body
            .contains("Meets: Every month (On the first Monday)"),
        "the frequency and the secretariat's words"
    );
    // The words committees used to type, read into the list (migration 21).
    let mut conn = app.owner_conn().await;
    for (said, meets) in [
        ("every quarter", "quarterly"),
        ("Four times a year", "quarterly"),
        ("tous les deux mois", "every-two-months"),
        ("dos veces al año", "twice-a-year"),
        ("once a year", "yearly"),
        ("every month", "monthly"),
        ("after each harvest", "as-needed"),
        ("", "as-needed"),
    ] {
        let got: String = sqlx::query_scalar("select committee_meets_from_text($1)")
            .bind(said)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(got, meets, "{said}");
    }
}

#[tokio::test]
async fn leaving_a_committee_asks_first_says_what_happens_and_acts_only_when_confirmed() {
    let app = TestApp::init().with_aland().build().await;
    app.member(
        "aland",
        "ana@aland.test",
        Role::Ministry,
        Some("MOL"),
        false,
    )
    .await;
    let mut sec = app.signed_in(SEC).await;
    let id = committee(&mut sec, "Oversight Committee", "quarterly").await;
    let page = format!("/t/aland/committees/{id}");
    let res = sec
        .submit(
            &page,
            &format!("{page}/members"),
            &[
                ("name", "Ana Ruiz"),
                ("email", "ana@aland.test"),
                ("partner", "MOL"),
                ("seat", "chair"),
                ("gender", "woman"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let seat = app.count("select id from committee_members").await;
    let leave = format!("{page}/members/{seat}/leave");

    // The committee page links to the confirmation; it posts nothing.
    let committee_page = sec.get(&page).await;
    assert_eq!(
        committee_page.attr("a.leave-link", "href").as_deref(),
        Some(leave.as_str())
    );

    let confirm = sec.get(&leave).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(confirm.texts("h1"), vec!["Leaving the committee?"]);
    assert_eq!(
        confirm.texts(".leave-summary"),
        vec![format!(
            "Ana Ruiz (Chair, Ministry of Labour (aland)) leaves Oversight Committee today, {}.",
            day(today())
        )]
    );
    let consequences = confirm.texts("ul.consequences li");
    assert!(
        consequences
            .iter()
            .any(|c| c.contains("no longer counts towards the quorum")),
        "{consequences:?}"
    );
    assert!(
        consequences
            .iter()
            .any(|c| c.contains("calendar no longer shows")),
        "a linked seat's calendar: {consequences:?}"
    );
    assert!(consequences.iter().any(|c| c.contains("cannot be undone")));
    // Its button is not the main action's.
    assert_eq!(
        confirm
            .attr("main form button[type=submit]", "class")
            .as_deref(),
        Some("caution")
    );
    assert_eq!(
        confirm.attr("input[name=confirm]", "value").as_deref(),
        Some("yes")
    );

    // Without the confirmation (or with another value), nothing changes.
    for fields in [vec![], vec![("confirm", "no")]] {
        let mut all = vec![("csrf", confirm.csrf())];
        all.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = sec.post(&leave, &refs).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.texts("h1"), vec!["Leaving the committee?"]);
        assert_eq!(
            app.count("select count(*) from committee_members where left_on is not null")
                .await,
            0
        );
    }
    // An observer gets neither the page nor the action.
    let mut observer = app.signed_in("obs@aland.test").await;
    assert_eq!(observer.get(&leave).await.status, StatusCode::FORBIDDEN);

    let res = sec
        .post(&leave, &[("csrf", &confirm.csrf()), ("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), page);
    assert_eq!(res.notice().as_deref(), Some("seat-left"));
    assert_eq!(
        app.count("select count(*) from committee_members where left_on = current_date")
            .await,
        1
    );
    assert_eq!(
        sec.get(&page).await.texts("ul.past-members li"),
        vec![format!(
            "Ana Ruiz · Chair · Ministry of Labour (aland) · Left on {}",
            day(today())
        )]
    );
    // A seat that has left has no confirmation page any more.
    assert_eq!(sec.get(&leave).await.status, StatusCode::NOT_FOUND);
}

/// The address a feed page shows, as a path this router answers.
fn feed_path(page: &Page) -> String {
    let url = page.texts("code.feed-link").pop().expect("a feed address");
    let path = url
        .split_once("://")
        .map_or(url.as_str(), |(_, rest)| &rest[rest.find('/').unwrap()..])
        .to_owned();
    assert!(
        path.starts_with("/calendar/") && path.ends_with("/meetings.ics"),
        "{path}"
    );
    path
}

async fn feed(client: &mut Client, path: &str) -> (Page, Option<icalendar::Calendar>) {
    let res = client.get(path).await;
    let calendar = (res.status == StatusCode::OK).then(|| res.body.parse().unwrap());
    (res, calendar)
}

fn summaries(calendar: &icalendar::Calendar) -> Vec<String> {
    calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .map(|e| e.get_summary().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn calendar_feeds_show_only_their_meetings_never_minutes_and_end_when_replaced() {
    let app = TestApp::init()
        .with_aland()
        .with_user_of("min@aland.test", Role::Ministry, "MOJ")
        .with_tenant("borea")
        .with_user("sec@borea.test", Role::Secretariat)
        .with_user("min@aland.test", Role::Ministry)
        .build()
        .await;
    let mut sec = app.signed_in(SEC).await;
    let mine = committee(&mut sec, "Justice Committee", "quarterly").await;
    let other = committee(&mut sec, "Finance Committee", "quarterly").await;
    let page = format!("/t/aland/committees/{mine}");
    let res = sec
        .submit(
            &page,
            &format!("{page}/members"),
            &[
                ("name", "Min Ister"),
                ("email", "min@aland.test"),
                ("seat", "member"),
                ("gender", "man"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let m = meeting(&mut sec, mine, &at(5), "Opening\nReports").await;
    sec.submit(
        &m,
        &format!("{m}/minutes"),
        &[("minutes", "SECRET MINUTES of the justice committee")],
    )
    .await;
    meeting(&mut sec, other, &at(6), "Budget").await;
    // Borea: a committee where the same person holds a seat too.
    let mut borea = app.signed_in("sec@borea.test").await;
    let res = borea
        .submit(
            "/t/borea/committees",
            "/t/borea/committees",
            &[("name", "Borea Committee"), ("kind", "oversight")],
        )
        .await;
    let borea_committee = res.location().rsplit('/').next().unwrap().to_owned();
    let borea_page = format!("/t/borea/committees/{borea_committee}");
    borea
        .submit(
            &borea_page,
            &format!("{borea_page}/members"),
            &[
                ("name", "Min Ister"),
                ("email", "min@aland.test"),
                ("seat", "member"),
                ("gender", "man"),
            ],
        )
        .await;
    borea
        .submit(
            &borea_page,
            &format!("{borea_page}/meetings"),
            &[("starts_at", &at(5))],
        )
        .await;

    // The person's page offers the address; it is shown once, when issued.
    let mut min = app.signed_in("min@aland.test").await;
    let meetings = min.get("/t/aland/meetings").await;
    assert_eq!(meetings.status, StatusCode::OK);
    assert_eq!(
        meetings.texts("table.upcoming tbody tr th"),
        vec![
            format!("{} 10:00", day(today() + Duration::days(5))),
            format!("{} 10:00", day(today() + Duration::days(6)))
        ]
    );
    assert_eq!(meetings.texts(".my-seats li"), vec!["Justice Committee"]);
    assert!(meetings.texts(".feed-since").is_empty());
    let issued = min
        .submit("/t/aland/meetings", "/t/aland/meetings/calendar", &[])
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let first = feed_path(&issued);
    let token = first.split('/').nth(2).unwrap().to_owned();
    assert_eq!(token.len(), 64);
    // Only its hash is kept.
    assert_eq!(
        app.count(&format!(
            "select count(*) from calendar_feeds where token_hash = '{token}'"
        ))
        .await,
        0
    );
    let hash = nap_oversight::tenancy::calendar::token_hash(&token);
    assert_eq!(
        app.count(&format!(
            "select count(*) from calendar_feeds where token_hash = '{hash}'"
        ))
        .await,
        1
    );
    assert_eq!(
        min.get("/t/aland/meetings")
            .await
            .texts(".feed-since")
            .len(),
        1
    );

    // A calendar application, with no session, reads it back.
    let mut calendar_app = app.client();
    let (res, calendar) = feed(&mut calendar_app, &first).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let calendar = calendar.unwrap();
    assert_eq!(summaries(&calendar), vec!["Justice Committee"]);
    let event = calendar.components[0].as_event().unwrap();
    let meeting_id = m.rsplit('/').next().unwrap();
    assert_eq!(
        event.get_uid(),
        Some(format!("meeting-aland-{meeting_id}@nap-oversight").as_str())
    );
    assert_eq!(event.get_description(), Some("Opening\nReports"));
    assert_eq!(event.get_location(), Some("Ministry of Labour, room 4"));
    assert!(event.get_timestamp().is_some(), "DTSTAMP");
    assert!(
        event.get_url().unwrap().ends_with(&m),
        "{:?}",
        event.get_url()
    );
    assert!(!res.body.contains("SECRET"), "never the minutes");
    assert!(
        !res.body.contains("Borea"),
        "never another tenant's meetings"
    );
    assert!(res.headers.get("set-cookie").is_none());

    // The committee's own feed: that committee's meetings, from its page.
    let issued = min
        .submit(
            &format!("/t/aland/committees/{other}"),
            &format!("/t/aland/committees/{other}/calendar"),
            &[],
        )
        .await;
    assert_eq!(issued.status, StatusCode::OK);
    let committee_feed = feed_path(&issued);
    let (_, calendar) = feed(&mut calendar_app, &committee_feed).await;
    assert_eq!(summaries(&calendar.unwrap()), vec!["Finance Committee"]);
    assert_eq!(
        min.get(&format!("/t/aland/committees/{other}"))
            .await
            .texts(".feed-since")
            .len(),
        1
    );

    // A new address replaces the old one, which stops working.
    let renewed = min
        .submit("/t/aland/meetings", "/t/aland/meetings/calendar", &[])
        .await;
    let second = feed_path(&renewed);
    assert_ne!(first, second);
    assert_eq!(calendar_app.get(&first).await.status, StatusCode::NOT_FOUND);
    assert_eq!(calendar_app.get(&second).await.status, StatusCode::OK);
    assert_eq!(
        calendar_app.get(&committee_feed).await.status,
        StatusCode::OK,
        "the committee's feed is another one"
    );

    // Unknown tokens are not found, whatever their shape.
    for path in [
        format!("/calendar/{}/meetings.ics", "0".repeat(64)),
        "/calendar/abc/meetings.ics".to_owned(),
        format!("/calendar/{hash}/meetings.ics"),
    ] {
        assert_eq!(
            calendar_app.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // A deactivated member's feeds end with the membership.
    let mut conn = app.owner_conn().await;
    sqlx::query("update memberships set active = false where user_id = (select id from users where email = 'min@aland.test') and tenant_id = (select id from tenants where slug = 'aland')")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        calendar_app.get(&second).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_public_committee_page_lists_meetings_and_only_published_minutes() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let id = committee(&mut sec, "Oversight Committee", "quarterly").await;
    let page = format!("/t/aland/committees/{id}");
    sec.submit(
        &page,
        &format!("{page}/members"),
        &[
            ("name", "Ana Open"),
            ("partner", "MOL"),
            ("seat", "chair"),
            ("gender", "woman"),
            ("public_name", "on"),
        ],
    )
    .await;
    let first = meeting(&mut sec, id, &at(-60), "Work plan").await;
    let second = meeting(&mut sec, id, &at(-10), "Budget").await;
    meeting(&mut sec, id, &at(20), "Annual report").await;
    for (m, minutes) in [(&first, "Minutes one"), (&second, "Minutes two")] {
        sec.submit(m, &format!("{m}/minutes"), &[("minutes", minutes)])
            .await;
    }
    sec.submit(
        &first,
        &format!("{first}/decisions"),
        &[("text", "Adopt the plan")],
    )
    .await;
    action(&mut sec, &first, "Print the leaflets", "CTU", "").await;

    let mut visitor = app.client();
    let public = format!("/p/aland/committees/{id}");
    assert_eq!(
        visitor.get(&public).await.status,
        StatusCode::NOT_FOUND,
        "no published terms of reference yet"
    );
    publish_tor(&mut sec, id).await;

    // Publishing minutes takes some first, and the secretariat's button.
    let empty = meeting(&mut sec, id, &at(-5), "").await;
    let res = sec
        .submit(
            &empty,
            &format!("{empty}/minutes/publish"),
            &[("publish", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-minutes-error"),
        vec!["Write and save the minutes before publishing them."]
    );
    let mut observer = app.signed_in("obs@aland.test").await;
    let token = observer.get(&first).await.csrf();
    assert_eq!(
        observer
            .post(
                &format!("{first}/minutes/publish"),
                &[("csrf", &token), ("publish", "yes")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = sec
        .submit(
            &first,
            &format!("{first}/minutes/publish"),
            &[("publish", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.notice().as_deref(), Some("minutes-published"));
    assert_eq!(
        sec.get(&first).await.texts(".minutes-state"),
        vec!["Minutes on the public portal"]
    );

    let page = visitor.get(&public).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), vec!["Oversight Committee"]);
    assert_eq!(
        page.texts(".public-meetings.upcoming li"),
        vec![format!(
            "{} 10:00 · Ministry of Labour, room 4",
            day(today() + Duration::days(20))
        )]
    );
    assert_eq!(page.texts(".public-meetings.past > li").len(), 3);
    assert!(page.body.contains("Minutes one"));
    assert!(!page.body.contains("Minutes two"), "not published");
    assert_eq!(
        page.texts(".decisions li"),
        vec!["Decision 1: Adopt the plan"]
    );
    assert_eq!(
        page.texts(".public-actions li"),
        vec!["Print the leaflets · Trade Union Confederation (aland) (CTU)"]
    );
    assert_eq!(
        page.texts("table.composition tbody tr"),
        vec!["Ministry of Labour (aland) (MOL) Chair Ana Open"]
    );
    // The portal's home and the terms of reference lead to it.
    assert_eq!(
        visitor
            .get("/p/aland/")
            .await
            .attr("a.committee-meetings", "href")
            .as_deref(),
        Some(public.as_str())
    );
    assert_eq!(
        visitor
            .get(&format!("{public}/tor"))
            .await
            .attr("a.committee-meetings", "href")
            .as_deref(),
        Some(public.as_str())
    );

    // Withdrawn, the minutes leave the portal.
    sec.submit(
        &first,
        &format!("{first}/minutes/publish"),
        &[("publish", "no")],
    )
    .await;
    let page = visitor.get(&public).await;
    assert!(!page.body.contains("Minutes one"));
    assert!(page.texts(".public-actions li").is_empty());

    // A committee without published terms of reference, and another
    // tenant's address, are not found.
    let hidden = committee(&mut sec, "Hidden Committee", "monthly").await;
    meeting(&mut sec, hidden, &at(3), "").await;
    assert_eq!(
        visitor
            .get(&format!("/p/aland/committees/{hidden}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.tenant("borea").await;
    assert_eq!(
        visitor
            .get(&format!("/p/borea/committees/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// Any `YYYY-MM-DD` in `text`.
fn iso_dates(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(9))
        .filter(|&i| {
            let w = &bytes[i..i + 10];
            w[..4].iter().all(u8::is_ascii_digit)
                && w[4] == b'-'
                && w[5..7].iter().all(u8::is_ascii_digit)
                && w[7] == b'-'
                && w[8..].iter().all(u8::is_ascii_digit)
        })
        .map(|i| text[i..i + 10].to_owned())
        .collect()
}

#[tokio::test]
async fn french_and_spanish_pages_write_dates_in_their_language() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let id = committee(&mut sec, "Comité", "quarterly").await;
    let m = meeting(&mut sec, id, "2026-03-12 10:00", "Ordre du jour").await;
    action(&mut sec, &m, "Écrire au ministère", "MOJ", "2026-05-31").await;
    publish_tor(&mut sec, id).await;

    sec.submit("/profile", "/profile/language", &[("language", "fr")])
        .await;
    let committee_page = sec.get(&format!("/t/aland/committees/{id}")).await;
    assert_eq!(committee_page.attr("html", "lang").as_deref(), Some("fr"));
    assert!(
        committee_page
            .texts("ul.meetings li a")
            .contains(&"12 mars 2026 10:00".to_owned())
    );
    let late = committee_page.texts("table.actions-table tbody tr td");
    assert!(late.contains(&"Ministry of Justice (aland) (MOJ)".to_owned()));
    assert!(
        late.iter().any(|d| d.starts_with("31 mai 2026")),
        "{late:?}"
    );
    let overdue = committee_page.texts(".schedule.overdue")[0].clone();
    assert!(
        overdue.starts_with(
            "Réunion en retard dernière réunion le 12 mars 2026, se réunit tous les trimestres ("
        ),
        "{overdue}"
    );
    let meeting_page = sec.get(&m).await;
    let item = &meeting_page.texts(".actions-list li")[0];
    assert!(item.contains("31 mai 2026"), "{item}");
    assert!(!item.contains("2026-05-31"), "{item}");

    sec.submit("/profile", "/profile/language", &[("language", "es")])
        .await;
    let list = sec.get("/t/aland/actions").await;
    assert_eq!(list.attr("html", "lang").as_deref(), Some("es"));
    let cells = list.texts("table.actions-table tbody td");
    assert!(
        cells.iter().any(|c| c.starts_with("31 may 2026")),
        "{cells:?}"
    );
    assert!(
        cells.iter().any(|c| c.ends_with("12 mar 2026")),
        "{cells:?}"
    );
    let main = list.texts("main").join(" ");
    assert!(iso_dates(&main).is_empty(), "{main}");

    // Visitors choose theirs on the public page.
    let mut visitor = app.client();
    let public = visitor
        .get(&format!("/p/aland/committees/{id}?lang=fr"))
        .await;
    assert!(
        public
            .texts(".public-meetings.past h3")
            .contains(&"12 mars 2026 10:00 · Ministry of Labour, room 4".to_owned())
    );
    let public = visitor
        .get(&format!("/p/aland/committees/{id}?lang=es"))
        .await;
    let main = public.texts("main").join(" ");
    assert!(main.contains("12 mar 2026 10:00"), "{main}");
    assert!(iso_dates(&main).is_empty(), "{main}");
}

#[tokio::test]
async fn the_demo_shows_late_actions_an_overdue_meeting_and_published_minutes() {
    let app = TestApp::init().with_demo().build().await;
    let mut sec = app.signed_in("secretariat@veridia.example").await;
    let list = sec.get("/t/veridia/committees").await;
    assert_eq!(
        list.texts(".card.overdue > a strong"),
        vec!["National Oversight Committee on Forced Labour"]
    );
    let actions = sec.get("/t/veridia/actions").await;
    assert!(
        actions.texts(".badge.late").len() >= 3,
        "{:?}",
        actions.texts(".badge.late")
    );
    let meetings = sec.get("/t/veridia/meetings").await;
    assert_eq!(meetings.texts("table.upcoming tbody tr").len(), 2);
    // The ILO observer holds a seat on the oversight committee.
    let mut observer = app.signed_in("observer@ilo.example").await;
    let page = observer.get("/t/veridia/meetings").await;
    assert_eq!(
        page.texts(".my-seats li"),
        vec!["National Oversight Committee on Forced Labour"]
    );
    let oversight = app
        .count("select id from committees where name = 'National Oversight Committee on Forced Labour' and tenant_id = (select id from tenants where slug = 'veridia')")
        .await;
    let public = app
        .client()
        .get(&format!("/p/veridia/committees/{oversight}"))
        .await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.texts(".public-meeting .minutes").len(), 1);
    assert!(
        public.body.contains("Ministry of Justice (MOJ)"),
        "owners spelled out"
    );
}
