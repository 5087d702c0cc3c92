//! The private PostgreSQL cluster a newcomer gets without configuring anything.
//!
//! It lives in `<data-dir>/pg`, listens on a Unix socket inside that folder
//! only (no TCP port to collide with), and is reused on the next start.
//! PostgreSQL refuses to run as root, so when we are root the cluster runs as
//! the `postgres` system user.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use tokio::process::Command;

const DB_NAME: &str = "nap";
const SUPERUSER: &str = "postgres";
/// Where Debian and Ubuntu keep the server binaries (one folder per version).
const DEBIAN_PG_ROOT: &str = "/usr/lib/postgresql";

pub struct PrivateCluster {
    pgdata: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<String>,
    started_here: bool,
}

impl PrivateCluster {
    /// Initialises the cluster if needed and starts it unless it already runs.
    pub async fn ensure(data_dir: &Path) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir().context(
            "No DATABASE_URL is set and PostgreSQL's initdb/pg_ctl were not found: \
             install PostgreSQL (e.g. `apt install postgresql`) or set DATABASE_URL.",
        )?;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
        let pgdata = std::fs::canonicalize(data_dir)?.join("pg");
        // A Unix socket path must fit in 107 bytes.
        if pgdata.join(".s.PGSQL.5432").as_os_str().len() > 100 {
            bail!(
                "the data directory path {} is too long for a PostgreSQL socket: use a shorter --data-dir",
                data_dir.display()
            );
        }
        let run_as = if is_root().await {
            Some(SUPERUSER.to_owned())
        } else {
            None
        };
        if run_as.is_some() && !Self::reachable(data_dir).await {
            bail!(
                "PostgreSQL runs as the {SUPERUSER} system user, which cannot reach {} (a folder \
                 above it, such as /root, is closed to other users): run as a normal user, or \
                 pass --data-dir (NAP_DATA_DIR) a folder it can reach, such as /var/lib/nap-oversight",
                data_dir.display()
            );
        }
        let mut cluster = Self {
            pgdata,
            bin_dir,
            run_as,
            started_here: false,
        };
        if !cluster.pgdata.join("PG_VERSION").exists() {
            cluster.init().await?;
        }
        if !cluster.is_running().await {
            cluster.start().await?;
            cluster.started_here = true;
        } else {
            tracing::info!(pgdata = %cluster.pgdata.display(), "reusing the running private PostgreSQL cluster");
        }
        cluster.create_database().await?;
        Ok(cluster)
    }

    /// Whether the cluster's server could work in `dir`: always, unless we
    /// are root, when it runs as the `postgres` system user, which must be
    /// able to pass through every folder down to it.
    pub async fn reachable(dir: &Path) -> bool {
        if !is_root().await {
            return true;
        }
        Command::new("runuser")
            .args(["-u", SUPERUSER, "--", "test", "-x"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .is_ok_and(|s| s.success())
    }

    /// The libpq connection string of the cluster's database.
    pub fn conninfo(&self) -> String {
        format!(
            "host={} user={SUPERUSER} dbname={DB_NAME}",
            self.pgdata.display()
        )
    }

    pub fn connect_options(&self) -> PgConnectOptions {
        self.options_for(DB_NAME)
    }

    fn options_for(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.pgdata)
            .username(SUPERUSER)
            .database(database)
    }

    async fn init(&self) -> anyhow::Result<()> {
        tracing::info!(pgdata = %self.pgdata.display(), "creating a private PostgreSQL cluster");
        std::fs::create_dir_all(&self.pgdata)?;
        if let Some(user) = &self.run_as {
            let status = Command::new("chown")
                .arg(format!("{user}:"))
                .arg(&self.pgdata)
                .status()
                .await?;
            if !status.success() {
                bail!(
                    "could not hand {} to the {user} user",
                    self.pgdata.display()
                );
            }
        }
        let pgdata = self.pgdata.display().to_string();
        self.run(
            "initdb",
            &[
                "-D",
                &pgdata,
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ],
        )
        .await?;
        // Only a socket in the cluster's own folder, reachable by its owner.
        let conf = format!(
            "\n# Written by nap-oversight for its private cluster.\n\
             listen_addresses = ''\n\
             unix_socket_directories = '{pgdata}'\n\
             unix_socket_permissions = 0700\n"
        );
        let conf_path = self.pgdata.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf_path)?;
        text.push_str(&conf);
        std::fs::write(&conf_path, text)?;
        Ok(())
    }

    async fn is_running(&self) -> bool {
        let pgdata = self.pgdata.display().to_string();
        self.command("pg_ctl", &["-D", &pgdata, "status"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .map(|s| s.success())
            .unwrap_or(false)
    }

    async fn start(&self) -> anyhow::Result<()> {
        let pgdata = self.pgdata.display().to_string();
        let log = self.pgdata.join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &pgdata, "-l", &log, "-w", "-t", "60", "start"],
        )
        .await
        .with_context(|| format!("the private PostgreSQL cluster did not start; see {log}"))?;
        tracing::info!(pgdata = %pgdata, "started the private PostgreSQL cluster");
        Ok(())
    }

    async fn create_database(&self) -> anyhow::Result<()> {
        let mut conn = PgConnection::connect_with(&self.options_for("postgres"))
            .await
            .context("could not connect to the private PostgreSQL cluster")?;
        let exists: bool =
            sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
                .bind(DB_NAME)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            sqlx::query(&format!("create database {DB_NAME}"))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await.ok();
        Ok(())
    }

    /// Stops the cluster if this process started it; one we found running
    /// belongs to whoever started it.
    pub async fn stop_if_started(self) {
        if !self.started_here {
            return;
        }
        let pgdata = self.pgdata.display().to_string();
        match self
            .run("pg_ctl", &["-D", &pgdata, "-m", "fast", "-w", "stop"])
            .await
        {
            Ok(()) => tracing::info!(pgdata = %pgdata, "stopped the private PostgreSQL cluster"),
            Err(error) => tracing::warn!(%error, "could not stop the private PostgreSQL cluster"),
        }
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let binary = self.bin_dir.join(program);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&binary);
                c
            }
            None => Command::new(&binary),
        };
        command.args(args).stdin(Stdio::null());
        // The socket and cluster folders must not be writable by others.
        command.current_dir(&self.pgdata);
        command
    }

    async fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let output = self
            .command(program, args)
            .output()
            .await
            .with_context(|| format!("could not run {program}"))?;
        if !output.status.success() {
            bail!(
                "{program} failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }
}

async fn is_root() -> bool {
    let output = Command::new("id").arg("-u").output().await;
    matches!(output, Ok(o) if o.stdout.trim_ascii() == b"0")
}

/// The folder holding `initdb` and `pg_ctl`: on `PATH`, else the newest
/// version in the Debian/Ubuntu location.
pub(crate) fn find_bin_dir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_tools(&dir) {
                // Resolve symbolic links so `postgres` is found beside them.
                let initdb = std::fs::canonicalize(dir.join("initdb")).ok()?;
                return initdb.parent().map(Path::to_path_buf);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(DEBIAN_PG_ROOT)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}
