//! Notifications and e-mail: the notification centre and its count, the
//! preferences, messages delivered to a real SMTP server (Debian's
//! `python3-aiosmtpd`, `tests/support/smtp_sink.py`) and read back as a
//! mail program would, the one-click unsubscribe, retries while the server
//! is down, failures kept for the secretariat, and the clock's reminders.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use axum::http::StatusCode;
use mail_parser::{MessageParser, MimeHeaders};
use nap_oversight::authz::Role;
use nap_oversight::config::MailConfig;
use nap_oversight::mail::worker::{Step, step};
use nap_oversight::mail::{Settings, Transport};

use crate::common::{Client, TestApp, count_queries};
use crate::plan::{led_activity, plan_setup};

pub const FOCAL: &str = "fp@aland.test";
pub const ORIGIN: &str = "https://nap.example.org";

/// A real SMTP server on a free port, keeping each message it accepts as a
/// file; stopped and started again on the same port by the tests.
pub struct Sink {
    child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
}

impl Sink {
    pub fn start() -> Self {
        let port = crate::server::free_port();
        let dir = std::env::temp_dir().join(format!("nap-smtp-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut sink = Self {
            child: None,
            port,
            dir,
        };
        sink.resume();
        sink
    }

    /// Starts the server (again), and waits until it listens.
    pub fn resume(&mut self) {
        use std::io::BufRead;
        let python = if std::path::Path::new("/usr/bin/python3").exists() {
            "/usr/bin/python3"
        } else {
            "python3"
        };
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(self.port.to_string())
            .arg(&self.dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/test installs python3-aiosmtpd)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        self.child = Some(child);
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message received so far, as bytes.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files.iter().map(|f| std::fs::read(f).unwrap()).collect()
    }

    pub fn settings(&self, secret: Vec<u8>) -> Settings {
        let config = MailConfig {
            smtp_url: Some(format!("smtp://127.0.0.1:{}", self.port)),
            ..MailConfig::default()
        };
        Settings {
            from: "NAP Oversight <nap@aland.test>".parse().unwrap(),
            origin: ORIGIN.to_owned(),
            transport: Transport::from_config(&config, &self.dir).unwrap(),
            secret,
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub async fn secret(app: &TestApp) -> Vec<u8> {
    let mut conn = app.pool.acquire().await.unwrap();
    nap_oversight::mail::secret(&mut conn).await.unwrap()
}

/// Delivers every message due; returns how many went.
pub async fn deliver(app: &TestApp, settings: &Settings) -> usize {
    let mut sent = 0;
    loop {
        match step(&app.pool, settings).await.unwrap() {
            Step::Idle => return sent,
            Step::Sent => sent += 1,
            Step::NotSent => return sent,
        }
    }
}

async fn comment(sec: &mut Client, act: &str, body: &str) {
    let res = sec
        .submit(act, &format!("{act}/comments"), &[("body", body)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

/// One header's raw value.
fn header<'a>(message: &'a mail_parser::Message<'a>, name: &str) -> String {
    message
        .header_raw(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_comment_reaches_the_focal_point_in_the_product_and_by_mail_until_they_unsubscribe() {
    let (app, mut sec, nap) = plan_setup().await;
    app.member("aland", FOCAL, Role::Ministry, Some("MOL"), true)
        .await;
    led_activity(&mut sec, nap, "1.1.1", "MOL", &[]).await;
    let a = app.count("select id from activities").await;
    let act = format!("/t/aland/naps/{nap}/activities/{a}");
    comment(&mut sec, &act, "First note: the inspectors' findings").await;

    // In the product: the count in the header, the centre, newest first.
    let mut focal = app.signed_in(FOCAL).await;
    let work = focal.get("/t/aland/my-work").await;
    assert_eq!(work.texts(".unread-count"), ["1"]);
    let centre = focal.get("/notifications").await;
    assert_eq!(centre.status, StatusCode::OK);
    assert_eq!(
        centre.texts("li.unread .notification-open"),
        ["New: Person sec@aland.test commented on 1.1.1 Inspect farms."]
    );
    // The one who wrote is not told of their own comment.
    assert_eq!(
        app.count("select count(*) from notifications n join users u on u.id = n.user_id where u.email = 'sec@aland.test'")
            .await,
        0
    );
    // The header's count costs the same whatever the number unread.
    let (one, _) = count_queries(focal.get("/t/aland/my-work")).await;
    let mut owner = app.owner_conn().await;
    sqlx::query(
        "insert into notifications (tenant_id, user_id, category, kind, params, link)
         select tenant_id, user_id, category, kind, params, link from notifications, generate_series(1, 20)",
    )
    .execute(&mut owner)
    .await
    .unwrap();
    let (many, work) = count_queries(focal.get("/t/aland/my-work")).await;
    assert_eq!(work.texts(".unread-count"), ["21"]);
    assert_eq!(one, many, "queries with 1 and 21 unread");
    sqlx::query("delete from notifications where id > (select min(id) from notifications)")
        .execute(&mut owner)
        .await
        .unwrap();

    // Opening one marks it read and goes to its object.
    let centre = focal.get("/notifications").await;
    let open = centre
        .attr("li.unread form", "action")
        .expect("a button to open it");
    let res = focal.post(&open, &[("csrf", &centre.csrf())]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), format!("{act}#comments"));
    let centre = focal.get("/notifications").await;
    assert!(centre.texts(".unread-count").is_empty());
    assert_eq!(centre.texts("li.read").len(), 1);
    // Someone else's notification is no page.
    let mut observer = app.signed_in(crate::common::OBSERVER).await;
    let token = observer.get("/notifications").await.csrf();
    assert_eq!(
        observer.post(&open, &[("csrf", &token)]).await.status,
        StatusCode::NOT_FOUND
    );

    // Preferences: a bad choice is answered beside its field, nothing stored.
    let prefs = "/profile/mail";
    let res = focal
        .submit(prefs, prefs, &[("comments", "sometimes")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-comments-error"),
        ["Choose one of the options in the list."]
    );
    assert_eq!(app.count("select count(*) from mail_preferences").await, 0);
    let res = focal.submit(prefs, prefs, &[("comments", "now")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = focal.get(prefs).await;
    assert_eq!(
        page.attr("#f-comments option[selected]", "value")
            .as_deref(),
        Some("now")
    );
    assert_eq!(
        page.attr("#f-reminders option[selected]", "value")
            .as_deref(),
        Some("now")
    );
    assert_eq!(
        page.attr("#f-meetings option[selected]", "value")
            .as_deref(),
        Some("weekly")
    );

    // By mail, in the person's language, at once.
    sqlx::query("update users set language = 'fr' where email = $1")
        .bind(FOCAL)
        .execute(&mut owner)
        .await
        .unwrap();
    comment(&mut sec, &act, "Second note: names of the workers").await;
    assert_eq!(
        app.count("select count(*) from mail_outbox where state = 'queued'")
            .await,
        1
    );
    let sink = Sink::start();
    let settings = sink.settings(secret(&app).await);
    assert_eq!(deliver(&app, &settings).await, 1);
    let raw = sink.messages();
    assert_eq!(raw.len(), 1);
    let message = MessageParser::default().parse(&raw[0]).unwrap();
    assert_eq!(
        message.subject(),
        Some("Person sec@aland.test a commenté « 1.1.1 Inspect farms ».")
    );
    assert_eq!(header(&message, "Content-Language"), "fr");
    assert!(header(&message, "Message-ID").contains("@aland.test>"));
    assert!(header(&message, "To").contains(FOCAL));
    let text = message.body_text(0).unwrap().into_owned();
    let html = message.body_html(0).unwrap().into_owned();
    let link = format!("{ORIGIN}{act}#comments");
    assert!(text.contains(&link), "{text}");
    assert!(html.contains(&link), "{html}");
    assert!(
        text.contains("Ouvrez le lien") || text.contains("ouvrez le lien"),
        "{text}"
    );
    // Never the note itself.
    for body in [&text, &html] {
        assert!(!body.contains("names of the workers"), "{body}");
    }
    // One click leaves the category: a POST from the mail program, without
    // a session or a form token.
    assert_eq!(
        header(&message, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    let unsubscribe = header(&message, "List-Unsubscribe");
    let path = unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .strip_prefix(ORIGIN)
        .unwrap()
        .to_owned();
    let mut mail_program = app.client();
    let page = mail_program.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts(".unsubscribe-categories li"), ["Commentaires"]);
    let res = mail_program
        .post(&path, &[("List-Unsubscribe", "One-Click")])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        app.count("select count(*) from mail_preferences where category = 'comments' and frequency = 'off'")
            .await,
        1
    );
    // A link altered by hand opens nothing.
    let forged = path.replacen("/unsubscribe/", "/unsubscribe/9", 1);
    assert_eq!(
        mail_program.get(&forged).await.status,
        StatusCode::NOT_FOUND
    );
    // Off: the centre still tells, the mail does not.
    comment(&mut sec, &act, "Third note").await;
    assert_eq!(app.count("select count(*) from mail_outbox").await, 1);
    assert_eq!(
        app.count("select count(*) from notifications where kind = 'comment'")
            .await,
        3
    );
}

#[tokio::test]
async fn an_event_that_rolls_back_sends_nothing_and_a_meeting_comes_with_its_calendar_file() {
    let (app, mut sec, _nap) = plan_setup().await;
    app.member("aland", FOCAL, Role::Ministry, Some("MOL"), true)
        .await;
    let focal_id = app
        .count(&format!("select id from users where email = '{FOCAL}'"))
        .await;
    let tenant = app
        .count("select id from tenants where slug = 'aland'")
        .await;

    // Notified in a transaction that rolls back: no trace, no mail.
    {
        let mut tx = nap_oversight::tenancy::scope::begin(&app.pool, tenant, None)
            .await
            .unwrap();
        let member = nap_oversight::authz::operator::<nap_oversight::authz::ViewTenant>(tenant);
        let notice = nap_oversight::features::notifications::notify::Notice::new(
            nap_oversight::features::notifications::notify::Category::Reminders,
            "handover",
            "/t/aland".into(),
        )
        .with("from", "Someone");
        assert_eq!(
            member.notify(&mut tx, &[focal_id], &notice).await.unwrap(),
            1
        );
        tx.rollback().await.unwrap();
    }
    assert_eq!(app.count("select count(*) from notifications").await, 0);
    assert_eq!(app.count("select count(*) from mail_outbox").await, 0);

    // The focal point follows a committee and wants its meetings at once.
    let committee = crate::meetings::committee(&mut sec, "Oversight committee", "quarterly").await;
    let mut focal = app.signed_in(FOCAL).await;
    let page = format!("/t/aland/committees/{committee}");
    let res = focal.submit(&page, &format!("{page}/follow"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        focal.get(&page).await.texts("form.follow button"),
        ["Following (stop)"]
    );
    let res = focal
        .submit("/profile/mail", "/profile/mail", &[("meetings", "now")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = sec
        .submit(
            &page,
            &format!("{page}/meetings"),
            &[
                ("starts_at", "2027-03-12 10:00"),
                ("place", "Ministry of Labour, room 4"),
                ("agenda", "Confidential agenda item"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let sink = Sink::start();
    let settings = sink.settings(secret(&app).await);
    assert_eq!(deliver(&app, &settings).await, 1);
    let raw = sink.messages();
    let message = MessageParser::default().parse(&raw[0]).unwrap();
    assert_eq!(
        message.subject(),
        Some("Oversight committee will meet on 12 Mar 2027.")
    );
    let attachment = message.attachment(0).expect("the meeting's calendar file");
    assert_eq!(attachment.attachment_name(), Some("meeting.ics"));
    let ics = String::from_utf8(attachment.contents().to_vec()).unwrap();
    let calendar: icalendar::Calendar = ics.parse().unwrap();
    let event = calendar
        .components
        .iter()
        .find_map(|c| c.as_event())
        .expect("an event");
    use icalendar::{Component, EventLike};
    assert_eq!(event.get_summary(), Some("Oversight committee"));
    assert_eq!(event.get_location(), Some("Ministry of Labour, room 4"));
    assert!(!ics.contains("Confidential agenda item"), "{ics}");

    // A decision at the meeting reaches the follower too, without its words.
    let meeting = res.location().split('?').next().unwrap().to_owned();
    let decided = sec
        .submit(
            &meeting,
            &format!("{meeting}/decisions"),
            &[("text", "Adopt the inspection plan for the harvest")],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(deliver(&app, &settings).await, 1);
    let raw = sink.messages();
    let message = MessageParser::default().parse(&raw[1]).unwrap();
    assert_eq!(
        message.subject(),
        Some("Oversight committee recorded a decision at its meeting of 12 Mar 2027.")
    );
    assert!(
        !message
            .body_text(0)
            .unwrap()
            .contains("Adopt the inspection plan")
    );
}

#[tokio::test]
async fn a_server_that_is_down_gets_the_message_later_and_a_refusal_is_kept_for_the_secretariat() {
    let (app, mut sec, nap) = plan_setup().await;
    app.member("aland", FOCAL, Role::Ministry, Some("MOL"), true)
        .await;
    app.member(
        "aland",
        "refuse@aland.test",
        Role::Ministry,
        Some("MOL"),
        true,
    )
    .await;
    let mut owner = app.owner_conn().await;
    sqlx::query("insert into mail_preferences (user_id, category, frequency) select id, 'comments', 'now' from users")
        .execute(&mut owner)
        .await
        .unwrap();
    led_activity(&mut sec, nap, "1.1.1", "MOL", &[]).await;
    let a = app.count("select id from activities").await;
    comment(
        &mut sec,
        &format!("/t/aland/naps/{nap}/activities/{a}"),
        "Hello",
    )
    .await;
    assert_eq!(app.count("select count(*) from mail_outbox").await, 2);

    let mut sink = Sink::start();
    let settings = sink.settings(secret(&app).await);
    sink.stop();
    // Down: each message is kept for later, with a pause.
    assert_eq!(deliver(&app, &settings).await, 0);
    assert_eq!(deliver(&app, &settings).await, 0);
    assert_eq!(
        app.count("select count(*) from mail_outbox where state = 'queued' and attempts = 1 and next_attempt_at > now()")
            .await,
        2
    );
    assert_eq!(
        deliver(&app, &settings).await,
        0,
        "nothing due during the pause"
    );
    // Back: once the pause is over, both go; the refused one is failed.
    sink.resume();
    sqlx::query("update mail_outbox set next_attempt_at = now()")
        .execute(&mut owner)
        .await
        .unwrap();
    let mut steps = Vec::new();
    for _ in 0..2 {
        steps.push(step(&app.pool, &settings).await.unwrap());
    }
    assert!(
        steps.contains(&Step::Sent) && steps.contains(&Step::NotSent),
        "{steps:?}"
    );
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(
        app.count("select count(*) from mail_outbox where state = 'sent'")
            .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from mail_outbox where state = 'failed' and recipient = 'refuse@aland.test'")
            .await,
        1
    );
    assert_eq!(deliver(&app, &settings).await, 0, "sent once, never again");
    // The secretariat sees the refusal on the settings page.
    let page = sec.get("/t/aland/settings").await;
    let failed = page.texts("table.mail-failures tbody tr");
    assert_eq!(failed.len(), 1, "{}", page.body);
    assert!(failed[0].contains("refuse@aland.test"), "{failed:?}");
    assert!(failed[0].contains("550"), "{failed:?}");
    // Another tenant's secretariat does not.
    app.tenant("borea").await;
    app.member("borea", "sec@borea.test", Role::Secretariat, None, false)
        .await;
    let mut borea = app.signed_in("sec@borea.test").await;
    let page = borea.get("/t/borea/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.texts("table.mail-failures tbody tr").is_empty());
    assert!(!page.body.contains("refuse@aland.test"));
}

#[tokio::test]
async fn invitations_and_reset_links_go_by_mail_and_anyone_may_ask_for_a_reset_without_learning_who_has_an_account()
 {
    let (app, mut sec, _nap) = plan_setup().await;
    let res = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[
                ("email", "new.person@aland.test"),
                ("name", "New Person"),
                ("role", "observer"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        res.texts("p.mailed"),
        ["The link has also been sent to the person's e-mail address."]
    );
    let shown = res.texts("code")[0].clone();
    let sink = Sink::start();
    let settings = sink.settings(secret(&app).await);
    assert_eq!(deliver(&app, &settings).await, 1);
    let raw = sink.messages();
    let message = MessageParser::default().parse(&raw[0]).unwrap();
    assert!(
        message
            .subject()
            .unwrap()
            .starts_with("You are invited to join Committee of aland on NAP Oversight."),
        "{:?}",
        message.subject()
    );
    let text = message.body_text(0).unwrap().into_owned();
    let path = &shown[shown.find("/invitations/").unwrap()..];
    assert!(text.contains(&format!("{ORIGIN}{path}")), "{text}");
    // Account mail has no unsubscribe; once sent, the outbox forgets the link.
    assert_eq!(header(&message, "List-Unsubscribe"), "");
    assert_eq!(
        app.count(
            "select count(*) from mail_outbox where kind = 'invitation' and payload = '{}'::jsonb"
        )
        .await,
        1
    );

    // Forgot the password: the sign-in page leads to the request.
    let mut visitor = app.client();
    let login = visitor.get("/login").await;
    assert_eq!(
        login.attr("a.forgot-link", "href").as_deref(),
        Some("/reset")
    );
    let res = visitor
        .submit("/reset", "/reset", &[("email", "not an address")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.attr("#f-email", "value").as_deref(),
        Some("not an address")
    );
    assert_eq!(res.texts("#f-email-error").len(), 1);
    // Known or not, the same answer; only the known one gets a link.
    let unknown = visitor
        .submit("/reset", "/reset", &[("email", "nobody@aland.test")])
        .await;
    let known = visitor
        .submit("/reset", "/reset", &[("email", "SEC@aland.test")])
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(
        unknown.texts("#forgot-answer"),
        known.texts("#forgot-answer")
    );
    assert_eq!(
        app.count(
            "select count(*) from mail_outbox where kind = 'reset' and recipient = 'sec@aland.test'"
        )
        .await,
        1
    );
    assert_eq!(deliver(&app, &settings).await, 1);
    let raw = sink.messages();
    let message = MessageParser::default().parse(&raw[1]).unwrap();
    let text = message.body_text(0).unwrap().into_owned();
    let start = text.find("/reset/").unwrap();
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(visitor.get(&link).await.status, StatusCode::OK);
    // Asking again and again is throttled, whoever the address is.
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        last = visitor
            .submit("/reset", "/reset", &[("email", "sec@aland.test")])
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        app.count("select count(*) from mail_outbox where kind = 'reset'")
            .await
            <= 10
    );
}
