//! Two real `serve` processes on one database share the outbox: a burst of
//! 500 messages arrives exactly once each, though the SMTP server stops in
//! the middle and one process is stopped by SIGTERM mid-batch.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mail_parser::MessageParser;
use sqlx::Connection;

use crate::mail::Sink;
use crate::server::{BIN, client, free_port, wait_for};

const BURST: i64 = 500;

fn serve(url: &str, smtp: u16, name: &str) -> (Child, String) {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("nap-outbox-{}-{name}", std::process::id()));
    let log = std::fs::File::create(dir.with_extension("log")).unwrap();
    let child = Command::new(BIN)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(&dir)
        .env("DATABASE_URL", url)
        .env("NAP_SMTP_URL", format!("smtp://127.0.0.1:{smtp}"))
        .env("NAP_MAIL_FROM", "NAP Oversight <nap@outbox.test>")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    (child, format!("http://127.0.0.1:{port}"))
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while !done() {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn two_processes_deliver_a_burst_exactly_once_through_an_outage_and_a_sigterm() {
    let url = crate::cli::database_url().await;
    let mut sink = Sink::start();
    let (mut a, a_base) = serve(&url, sink.port, "a");
    let (mut b, b_base) = serve(&url, sink.port, "b");
    let http = client();
    wait_for(&http, &format!("{a_base}/readyz"), 200).await;
    wait_for(&http, &format!("{b_base}/readyz"), 200).await;

    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(
        "insert into mail_outbox (recipient, kind, payload)
         select 'person' || n || '@outbox.test', 'notice',
                jsonb_build_object('tenant', 'Outbox', 'items', jsonb_build_array(
                    jsonb_build_object('kind', 'handover', 'params', jsonb_build_object('from', 'N' || n), 'link', '/')))
         from generate_series(1, $1) n",
    )
    .bind(BURST)
    .execute(&mut db)
    .await
    .unwrap();

    // The server stops for a while in the middle of the burst.
    wait_until("a first part arrives", || sink.messages().len() >= 120).await;
    sink.stop();
    let during = sink.messages().len();
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(
        sink.messages().len(),
        during,
        "nothing arrives while it is down"
    );
    sink.resume();

    // One process is told to stop while it sends.
    wait_until("more arrives", || sink.messages().len() >= during + 100).await;
    let kill = Command::new("kill")
        .args(["-TERM", &a.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = a.wait().unwrap();
    assert!(
        status.success(),
        "the stopped process exits cleanly: {status}"
    );

    wait_until("every message arrives", || {
        sink.messages().len() >= BURST as usize
    })
    .await;
    // Give a duplicate the time to show up, if there were one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = sink.messages();
    let ids: BTreeSet<String> = messages
        .iter()
        .map(|raw| {
            MessageParser::default()
                .parse(raw)
                .unwrap()
                .message_id()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(messages.len(), BURST as usize, "each message once");
    assert_eq!(ids.len(), BURST as usize, "no message twice");
    let sent: i64 = sqlx::query_scalar("select count(*) from mail_outbox where state = 'sent'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(sent, BURST);
    let _ = b.kill();
    let _ = b.wait();
}
