//! Backup and restore with PostgreSQL's own tools: `pg_dump` in its custom
//! format, and `pg_restore` into an empty database in one transaction.

use std::path::Path;

use anyhow::{Context, bail};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use tokio::process::Command;

fn tool(name: &str) -> anyhow::Result<std::path::PathBuf> {
    let dir = super::cluster::find_bin_dir()
        .context("PostgreSQL's client tools were not found: install PostgreSQL (e.g. `apt install postgresql`)")?;
    Ok(dir.join(name))
}

async fn run(mut command: Command, what: &str) -> anyhow::Result<()> {
    let output = command
        .output()
        .await
        .with_context(|| format!("could not run {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Writes the whole database to `file`, readable by its owner alone: a
/// backup holds every tenant's data, confidential records included.
pub async fn backup(conninfo: &str, file: &Path) -> anyhow::Result<()> {
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        // pg_dump keeps the mode of a file that exists.
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(file)
            .with_context(|| format!("cannot write {}", file.display()))?;
        created.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    let mut command = Command::new(tool("pg_dump")?);
    command
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(file)
        .arg("--dbname")
        .arg(conninfo);
    run(command, "pg_dump").await
}

/// Restores `file` into the (empty) database: all of it or, on any error, nothing.
pub async fn restore(
    options: &PgConnectOptions,
    conninfo: &str,
    file: &Path,
) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect_with(options)
        .await
        .context("could not connect to the database")?;
    let used: bool = sqlx::query_scalar(
        "select exists (select 1 from pg_class where relname = '_sqlx_migrations' and relnamespace = 'public'::regnamespace)",
    )
    .fetch_one(&mut conn)
    .await?;
    if used {
        bail!("the database is not empty: restore into a new, empty database");
    }
    // The grants in the dump name the application role, which lives outside any database.
    sqlx::query(
        "do $$ begin
             if not exists (select 1 from pg_roles where rolname = 'nap_app') then
                 create role nap_app nologin nosuperuser nobypassrls nocreatedb nocreaterole;
             end if;
         end $$",
    )
    .execute(&mut conn)
    .await?;
    conn.close().await.ok();
    let mut command = Command::new(tool("pg_restore")?);
    command
        .args([
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
        ])
        .arg(conninfo)
        .arg(file);
    run(command, "pg_restore").await
}
