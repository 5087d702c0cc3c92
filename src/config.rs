//! Configuration, read once from flags and the environment.
//!
//! Every field is a flag and an environment variable of the same meaning, so
//! a container sets variables and a person at a terminal types flags.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the data lives; shared by every command.
#[derive(Debug, Clone, clap::Args)]
pub struct DbConfig {
    /// PostgreSQL database to use. When unset, a private PostgreSQL cluster is
    /// started (or reused) under the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,

    /// Directory for the private PostgreSQL cluster (used only without DATABASE_URL).
    #[arg(long, env = "NAP_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Largest number of database connections the server keeps open.
    #[arg(
        long,
        env = "NAP_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,
}

/// How the web server behaves.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerConfig {
    /// Address and port to listen on.
    #[arg(long, env = "NAP_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Mark session cookies `Secure`: set this when the site is served over HTTPS.
    #[arg(long, env = "NAP_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// The site's public origin (e.g. `https://nap.example.org`) when it sits
    /// behind a proxy that rewrites the Host header; used by the CSRF origin check.
    #[arg(long, env = "NAP_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,

    /// Take the client address from `X-Forwarded-For` (only behind a proxy
    /// that appends to it): the last entry, the one the proxy wrote; used to
    /// throttle sign-in attempts.
    #[arg(long, env = "NAP_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// Minutes without a request after which a session ends.
    #[arg(long, env = "NAP_SESSION_IDLE_MINUTES", default_value_t = 60)]
    pub session_idle_minutes: u32,

    /// Hours after sign-in after which a session ends, however active.
    #[arg(long, env = "NAP_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: u32,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "NAP_BODY_LIMIT", default_value_t = 8 * 1024 * 1024)]
    pub body_limit: usize,

    /// Largest document file accepted in the library, in bytes.
    #[arg(long, env = "NAP_DOCUMENT_LIMIT", default_value_t = 25 * 1024 * 1024)]
    pub document_limit: usize,

    /// How many password hashes may be computed at once; each takes about
    /// 50 ms of one core, so this bounds what a sign-in storm can take from
    /// page traffic. 0 means half the cores (at least one), so pages keep
    /// the other half whatever the storm.
    #[arg(long, env = "NAP_HASH_CONCURRENCY", default_value_t = 0)]
    pub hash_concurrency: usize,

    /// Also serve the benchmark's reference page, `/bench/reference`.
    #[arg(long, env = "NAP_BENCH", default_value_t = false)]
    pub bench: bool,
}

/// How mail leaves: SMTP when `NAP_SMTP_URL` is set, else `.eml` files.
#[derive(Debug, Clone, clap::Args)]
pub struct MailConfig {
    /// The SMTP server: `smtp://user:password@host:587?tls=required`
    /// (STARTTLS required), `smtps://user:password@host:465` (TLS from the
    /// start), `smtp://127.0.0.1:25` (a local relay, no TLS). Unset: mail is
    /// written as `.eml` files under the mail directory.
    #[arg(long, env = "NAP_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of every message.
    #[arg(
        long,
        env = "NAP_MAIL_FROM",
        default_value = "NAP Oversight <no-reply@localhost>"
    )]
    pub mail_from: String,

    /// Where mail goes without SMTP (default: `mail` under the data directory).
    #[arg(long, env = "NAP_MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,

    /// Seconds between two runs of the reminders' clock (round openings,
    /// deadlines, overdue reports, digests).
    #[arg(long, env = "NAP_CLOCK_SECONDS", default_value_t = 300)]
    pub clock_seconds: u64,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            mail_from: "NAP Oversight <no-reply@localhost>".to_owned(),
            mail_dir: None,
            clock_seconds: 300,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            secure_cookies: false,
            public_origin: None,
            trust_forwarded_for: false,
            session_idle_minutes: 60,
            session_max_hours: 12,
            body_limit: 8 * 1024 * 1024,
            document_limit: 25 * 1024 * 1024,
            hash_concurrency: 0,
            bench: false,
        }
    }
}

/// How many heavy jobs of one kind (password hashes, spreadsheets) may run
/// at once: half the cores, at least one, so page traffic keeps the rest.
pub fn half_the_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}
