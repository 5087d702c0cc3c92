//! E-mail. Every message goes through the outbox (`mail_outbox`), written in
//! the transaction of the event it tells of, so an event that rolls back
//! sends nothing; the worker inside `serve` ([`worker`]) delivers it over
//! SMTP, or, without SMTP, writes it as an `.eml` file. A message says
//! titles, states, dates and a link ([`message`]): never a note, a figure
//! or a confidential word. Each category can be left with one click
//! ([`token`]).

pub mod message;
pub mod token;
pub mod worker;

use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};

use crate::config::MailConfig;

/// What the worker needs to write and send messages.
pub struct Settings {
    pub from: Mailbox,
    /// Where links in messages point, without a trailing slash.
    pub origin: String,
    pub transport: Transport,
    /// Signs unsubscribe links (`mail_keys`, the same for every process).
    pub secret: Vec<u8>,
}

/// How a message leaves.
pub enum Transport {
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    /// Without SMTP: one `.eml` file a message, in this directory.
    Files(PathBuf),
}

/// Why a message did not go.
#[derive(Debug)]
pub enum Failure {
    /// The server is down or asked to try later: retried with backoff.
    Transient(String),
    /// The server refused it for good: kept, and shown to the secretariat.
    Permanent(String),
}

impl Transport {
    /// SMTP when `NAP_SMTP_URL` is set, else files under `mail_dir` (or
    /// `mail` in the data directory).
    pub fn from_config(config: &MailConfig, data_dir: &Path) -> anyhow::Result<Self> {
        match &config.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("NAP_SMTP_URL cannot be used: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                Ok(Self::Smtp(Box::new(transport)))
            }
            None => Ok(Self::Files(
                config
                    .mail_dir
                    .clone()
                    .unwrap_or_else(|| data_dir.join("mail")),
            )),
        }
    }

    /// Sends one message (`id` names its file when written to disk).
    pub async fn deliver(&self, envelope: &Envelope, bytes: &[u8], id: i64) -> Result<(), Failure> {
        match self {
            Self::Smtp(smtp) => match smtp.send_raw(envelope, bytes).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
                Err(e) => Err(Failure::Transient(e.to_string())),
            },
            Self::Files(dir) => {
                let write = async {
                    tokio::fs::create_dir_all(dir).await?;
                    // Written whole, then renamed: a reader never sees half.
                    let part = dir.join(format!("{id:08}.eml.part"));
                    tokio::fs::write(&part, bytes).await?;
                    tokio::fs::rename(&part, dir.join(format!("{id:08}.eml"))).await
                };
                write
                    .await
                    .map_err(|e| Failure::Transient(format!("cannot write mail: {e}")))
            }
        }
    }
}

/// The key that signs unsubscribe links.
pub async fn secret(conn: &mut sqlx::PgConnection) -> Result<Vec<u8>, sqlx::Error> {
    let secret = sqlx::query_scalar!("select secret from mail_keys")
        .fetch_one(conn)
        .await?;
    Ok(secret.into_bytes())
}
