//! The worker inside `serve` that empties the outbox. Each message is taken
//! in its own transaction with `FOR UPDATE SKIP LOCKED`, sent, and marked
//! sent before the commit: several processes on one database share the
//! work and never take the same message, and a process stopped by SIGTERM
//! finishes the message in hand first. A server that is down or asks to
//! try later gets the message again with growing pauses; one that refuses
//! it for good leaves it failed, kept for the secretariat to see.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;

use super::message::{self, Outgoing, Payload};
use super::{Failure, Settings};

/// Attempts before a message that keeps failing is given up as failed.
pub const MAX_ATTEMPTS: i32 = 12;

/// How long to wait after the `attempts`-th failure: 5 s doubling, at most
/// five minutes.
pub fn backoff(attempts: i32) -> Duration {
    let seconds = 5u64.saturating_mul(1 << attempts.clamp(0, 10));
    Duration::from_secs(seconds.min(300))
}

/// What one step of the worker did.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing is due.
    Idle,
    Sent,
    /// Kept for later, or failed for good.
    NotSent,
}

/// Messages a process sends at once: a mail server answers each in some
/// milliseconds, so a few conversations at a time keep it busy, while the
/// pages keep most of the database connections.
pub const PARALLEL: usize = 4;

/// Delivers the outbox until `stop` turns true, [`PARALLEL`] messages at a
/// time, polling every `poll` when nothing is due.
pub async fn run(
    pool: PgPool,
    settings: Arc<Settings>,
    stop: watch::Receiver<bool>,
    poll: Duration,
) {
    if let super::Transport::Files(dir) = &settings.transport {
        tracing::info!(
            "no SMTP server configured (NAP_SMTP_URL): mail is written to {}",
            dir.display()
        );
    }
    let lanes: Vec<_> = (0..PARALLEL)
        .map(|_| tokio::spawn(lane(pool.clone(), settings.clone(), stop.clone(), poll)))
        .collect();
    for lane in lanes {
        let _ = lane.await;
    }
}

/// One sender: a message at a time, until `stop`.
async fn lane(
    pool: PgPool,
    settings: Arc<Settings>,
    mut stop: watch::Receiver<bool>,
    poll: Duration,
) {
    loop {
        if *stop.borrow() {
            break;
        }
        match step(&pool, &settings).await {
            Ok(Step::Sent | Step::NotSent) => continue,
            Ok(Step::Idle) => {}
            Err(e) => tracing::warn!(error = %e, "mail worker: cannot read the outbox"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Takes one due message, sends it and records the outcome, in one
/// transaction.
pub async fn step(pool: &PgPool, settings: &Settings) -> anyhow::Result<Step> {
    let mut tx = pool.begin().await?;
    let Some(row) = sqlx::query!(
        r#"select id, user_id, recipient, language, kind, payload, attachment, attempts, created_at
           from mail_outbox
           where state = 'queued' and next_attempt_at <= now()
           order by next_attempt_at, id
           limit 1
           for update skip locked"#
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Step::Idle);
    };
    let out = Outgoing {
        id: row.id,
        user_id: row.user_id,
        recipient: row.recipient,
        language: row.language,
        kind: row.kind,
        payload: serde_json::from_value::<Payload>(row.payload).unwrap_or_default(),
        attachment: row.attachment,
        created_at: row.created_at,
    };
    let outcome = match message::build(&out, settings) {
        Ok((envelope, bytes)) => settings.transport.deliver(&envelope, &bytes, out.id).await,
        Err(e) => Err(Failure::Permanent(format!("cannot write the message: {e}"))),
    };
    let step = match outcome {
        Ok(()) => {
            // An account link is a secret: once sent, the outbox forgets it.
            sqlx::query!(
                "update mail_outbox set state = 'sent', sent_at = now(), attempts = attempts + 1,
                        last_error = null,
                        payload = case when kind in ('invitation', 'reset') then '{}' else payload end
                 where id = $1",
                out.id
            )
            .execute(&mut *tx)
            .await?;
            Step::Sent
        }
        Err(Failure::Transient(error)) if row.attempts + 1 < MAX_ATTEMPTS => {
            tracing::warn!(id = out.id, error = %error, "mail not sent; it will be tried again");
            let wait = backoff(row.attempts);
            sqlx::query!(
                "update mail_outbox set attempts = attempts + 1, last_error = $2,
                        next_attempt_at = now() + make_interval(secs => $3)
                 where id = $1",
                out.id,
                error,
                wait.as_secs_f64()
            )
            .execute(&mut *tx)
            .await?;
            Step::NotSent
        }
        Err(Failure::Transient(error) | Failure::Permanent(error)) => {
            tracing::warn!(id = out.id, error = %error, "mail refused; kept as failed");
            sqlx::query!(
                "update mail_outbox set state = 'failed', attempts = attempts + 1, last_error = $2
                 where id = $1",
                out.id,
                error
            )
            .execute(&mut *tx)
            .await?;
            Step::NotSent
        }
    };
    tx.commit().await?;
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_from_five_seconds_up_to_five_minutes() {
        assert_eq!(backoff(0), Duration::from_secs(5));
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(5), Duration::from_secs(160));
        assert_eq!(backoff(6), Duration::from_secs(300));
        assert_eq!(backoff(40), Duration::from_secs(300));
    }
}
