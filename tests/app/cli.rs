//! The compiled binary, as an operator and a newcomer use it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use sqlx::Connection;

use crate::common::fresh_database;
use crate::server::{BIN, Server, cluster_ctl, wait_for};

/// A URL for a fresh test database, for the binary's DATABASE_URL.
pub async fn database_url() -> String {
    let o = fresh_database().await;
    let db = o.get_database().unwrap();
    match o.get_socket() {
        Some(dir) => format!(
            "postgres://{}@localhost/{db}?host={}",
            o.get_username(),
            dir.display()
        ),
        None => format!(
            "postgres://{}@{}:{}/{db}",
            o.get_username(),
            o.get_host(),
            o.get_port()
        ),
    }
}

fn run(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        // A command that refuses early may exit before reading its input.
        match input.write_all(text.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn fails(output: &Output, message: &str) {
    assert!(!output.status.success(), "should fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(message), "expected {message:?} in {stderr}");
}

#[tokio::test]
async fn admin_commands_say_one_clear_line() {
    let url = database_url().await;
    let help = ok(&run(&url, &["--help"], None));
    for command in ["serve", "migrate", "demo", "admin"] {
        assert!(help.contains(command), "{help}");
    }
    let admin_help = ok(&run(&url, &["admin", "--help"], None));
    for command in ["create-tenant", "create-user", "add-member", "list-tenants"] {
        assert!(admin_help.contains(command), "{admin_help}");
    }

    assert_eq!(ok(&run(&url, &["migrate"], None)), "migrations applied\n");
    let out = ok(&run(
        &url,
        &[
            "admin",
            "create-tenant",
            "--slug",
            "aland",
            "--name",
            "Aland Committee",
            "--country",
            "Aland",
        ],
        None,
    ));
    assert_eq!(out, "created tenant aland\n");
    fails(
        &run(
            &url,
            &[
                "admin",
                "create-tenant",
                "--slug",
                "aland",
                "--name",
                "Again",
            ],
            None,
        ),
        "already exists",
    );
    fails(
        &run(
            &url,
            &[
                "admin",
                "create-tenant",
                "--slug",
                "Bad Slug",
                "--name",
                "X",
            ],
            None,
        ),
        "invalid slug",
    );
    ok(&run(
        &url,
        &[
            "admin",
            "create-tenant",
            "--slug",
            "borea",
            "--name",
            "Borea Committee",
        ],
        None,
    ));
    let list = ok(&run(&url, &["admin", "list-tenants"], None));
    let slugs: Vec<&str> = list
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(slugs, vec!["aland", "borea"]);

    let out = ok(&run(
        &url,
        &[
            "admin",
            "create-user",
            "--email",
            "Ana@Aland.test",
            "--name",
            "Ana",
        ],
        Some("a good long password\n"),
    ));
    assert_eq!(out, "created user ana@aland.test\n");
    fails(
        &run(
            &url,
            &[
                "admin",
                "create-user",
                "--email",
                "ana@aland.test",
                "--name",
                "Ana",
            ],
            Some("a good long password\n"),
        ),
        "already exists",
    );
    fails(
        &run(
            &url,
            &[
                "admin",
                "create-user",
                "--email",
                "not-an-email",
                "--name",
                "X",
            ],
            Some("a good long password\n"),
        ),
        "invalid e-mail",
    );
    fails(
        &run(
            &url,
            &[
                "admin",
                "create-user",
                "--email",
                "bo@aland.test",
                "--name",
                "Bo",
            ],
            Some("short\n"),
        ),
        "at least 12",
    );
    fails(
        &run(
            &url,
            &[
                "admin",
                "create-user",
                "--email",
                "bo@aland.test",
                "--name",
                "Bo",
            ],
            Some("password1234\n"),
        ),
        "too easy to guess",
    );

    let out = ok(&run(
        &url,
        &[
            "admin",
            "add-member",
            "--tenant",
            "aland",
            "--email",
            "ana@aland.test",
            "--role",
            "secretariat",
        ],
        None,
    ));
    assert_eq!(out, "added ana@aland.test to aland as secretariat\n");
    fails(
        &run(
            &url,
            &[
                "admin",
                "add-member",
                "--tenant",
                "aland",
                "--email",
                "ana@aland.test",
                "--role",
                "observer",
            ],
            None,
        ),
        "already a member",
    );
    fails(
        &run(
            &url,
            &[
                "admin",
                "add-member",
                "--tenant",
                "nowhere",
                "--email",
                "ana@aland.test",
                "--role",
                "observer",
            ],
            None,
        ),
        "unknown tenant",
    );
    fails(
        &run(
            &url,
            &[
                "admin",
                "add-member",
                "--tenant",
                "borea",
                "--email",
                "ana@aland.test",
                "--role",
                "king",
            ],
            None,
        ),
        "unknown role",
    );
    fails(
        &run(
            &url,
            &[
                "admin",
                "add-member",
                "--tenant",
                "borea",
                "--email",
                "zed@aland.test",
                "--role",
                "observer",
            ],
            None,
        ),
        "no account",
    );
    fails(
        &run(
            &url,
            &[
                "admin",
                "add-member",
                "--tenant",
                "borea",
                "--email",
                "ana@aland.test",
                "--role",
                "ministry",
                "--focal-point",
            ],
            None,
        ),
        "needs --partner",
    );
    // Observers change nothing: never a focal point.
    fails(
        &run(
            &url,
            &[
                "admin",
                "add-member",
                "--tenant",
                "aland",
                "--email",
                "ana@aland.test",
                "--role",
                "observer",
                "--partner",
                "MOL",
                "--focal-point",
            ],
            None,
        ),
        "cannot be a focal point",
    );
    fails(
        &run(
            &url,
            &[
                "admin",
                "add-member",
                "--tenant",
                "borea",
                "--email",
                "ana@aland.test",
                "--role",
                "ministry",
                "--partner",
                "MOL",
            ],
            None,
        ),
        "no partner",
    );

    let out = ok(&run(
        &url,
        &["admin", "set-password", "--email", "ana@aland.test"],
        Some("another good long password\n"),
    ));
    assert_eq!(out, "password set for ana@aland.test\n");
    fails(
        &run(
            &url,
            &["admin", "set-password", "--email", "nobody@aland.test"],
            Some("another good long password\n"),
        ),
        "no account",
    );
    // A lost phone: the operator switches two-step sign-in off.
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(
        "update users set totp_secret = '12345678901234567890' where email = 'ana@aland.test'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let out = ok(&run(
        &url,
        &["admin", "reset-two-factor", "--email", "ana@aland.test"],
        None,
    ));
    assert_eq!(out, "two-step sign-in switched off for ana@aland.test\n");
    let left: i64 = sqlx::query_scalar("select count(*) from users where totp_secret is not null")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 0);
    fails(
        &run(
            &url,
            &["admin", "reset-two-factor", "--email", "nobody@aland.test"],
            None,
        ),
        "no account",
    );

    // The demo loads once; loading again changes nothing.
    assert_eq!(ok(&run(&url, &["demo"], None)), "demo data loaded\n");
    ok(&run(&url, &["demo"], None));
    let list = ok(&run(&url, &["admin", "list-tenants"], None));
    assert_eq!(list.lines().count(), 4, "{list}");
    let out = ok(&run(
        &url,
        &[
            "admin",
            "add-member",
            "--tenant",
            "veridia",
            "--email",
            "ana@aland.test",
            "--role",
            "ministry",
            "--partner",
            "mol",
            "--focal-point",
        ],
        None,
    ));
    assert_eq!(out, "added ana@aland.test to veridia as ministry\n");
}

/// A newcomer with PostgreSQL installed and no DATABASE_URL: the server
/// makes its own cluster, serves the demo, survives the database going away
/// and stops cleanly on SIGTERM.
#[tokio::test]
async fn the_binary_runs_on_its_own_database_and_signs_in_over_http() {
    let mut server = Server::start("serve").await;
    let http = server.sign_in("secretariat@veridia.example").await;
    let home = http.get(server.url("/t/veridia/")).send().await.unwrap();
    assert_eq!(home.status().as_u16(), 200);
    assert!(
        home.text()
            .await
            .unwrap()
            .contains("Veridia National Oversight Committee")
    );
    assert_eq!(
        http.get(server.url("/t/solmara/"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    // Its connections log in as the application role itself: none holds
    // the superuser's rights, not even one a `RESET ROLE` could get back.
    {
        use sqlx::Connection;
        let admin = sqlx::postgres::PgConnectOptions::new()
            .socket(server.pgdata())
            .username("postgres")
            .database("nap");
        let mut conn = sqlx::PgConnection::connect_with(&admin).await.unwrap();
        let users: Vec<String> = sqlx::query_scalar(
            "select usename::text from pg_stat_activity
             where datname = 'nap' and backend_type = 'client backend' and pid <> pg_backend_pid()",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert!(!users.is_empty());
        assert!(users.iter().all(|u| u == "nap_app"), "{users:?}");
        conn.close().await.unwrap();
    }

    // The database goes away and comes back; the server needs no restart.
    let pgdata = server.pgdata();
    cluster_ctl(&pgdata, "stop");
    wait_for(&http, &server.url("/readyz"), 503).await;
    cluster_ctl(&pgdata, "start");
    wait_for(&http, &server.url("/readyz"), 200).await;
    assert_eq!(
        http.get(server.url("/t/veridia/"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );

    // SIGTERM: a clean exit that also stops the private cluster.
    server.terminate();
    let status = server.process.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        !pgdata.join("postmaster.pid").exists(),
        "the private cluster was stopped"
    );
}

/// A URL for a new database with nothing in it (not even migrations).
async fn empty_database_url() -> String {
    use sqlx::Connection;
    let url = database_url().await;
    // A private cluster's URL carries its socket folder after `?`.
    let (base, query) = url
        .split_once('?')
        .map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
    let (server, _) = base.rsplit_once('/').unwrap();
    let name = format!("nap_test_{}_empty_{}", std::process::id(), rand_suffix());
    let mut admin = sqlx::PgConnection::connect_with(&crate::common::admin_options().await)
        .await
        .unwrap();
    sqlx::query(&format!("create database {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        % 1_000_000_007
}

/// (table, row count, checksum of all rows) for every table of the database.
async fn fingerprint(url: &str) -> Vec<(String, i64, String)> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "select relname::text from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' order by 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let (n, sum): (i64, Option<String>) = sqlx::query_as(&format!(
            "select count(*), md5(string_agg(x::text, '|' order by x::text)) from {t} x"
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        out.push((t, n, sum.unwrap_or_default()));
    }
    out
}

#[tokio::test]
async fn backup_and_restore_keep_every_row_and_every_wall() {
    use sqlx::Connection;
    let source = database_url().await;
    ok(&run(&source, &["demo"], None));
    let file =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("backup-{}.dump", std::process::id()));
    // Even over a file that others could read, the backup is its owner's alone.
    std::fs::write(&file, b"old").unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let out = ok(&run(&source, &["backup", file.to_str().unwrap()], None));
    assert!(out.starts_with("backup written to"));
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");

    let target = empty_database_url().await;
    assert!(ok(&run(&target, &["restore", file.to_str().unwrap()], None)).starts_with("restored"));
    let (before, after) = (fingerprint(&source).await, fingerprint(&target).await);
    assert!(before.len() > 30, "{before:?}");
    assert!(before.iter().any(|(t, n, _)| t == "activities" && *n == 40));
    assert_eq!(before, after, "same tables, rows and checksums");

    // The walls come back too: forced row-level security, the app role's limits.
    let mut conn = sqlx::PgConnection::connect(&target).await.unwrap();
    let unforced: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
         where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
           and not (c.relrowsecurity and (c.relforcerowsecurity or c.relname = 'search_entries'))",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(unforced.is_empty(), "{unforced:?}");
    let can_delete_history: bool =
        sqlx::query_scalar("select has_table_privilege('nap_app', 'status_updates', 'delete')")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(!can_delete_history);
    // The restored database serves: the app's own migrations see nothing left to do.
    ok(&run(&target, &["migrate"], None));

    // Restoring over data is refused.
    fails(
        &run(&source, &["restore", file.to_str().unwrap()], None),
        "not empty",
    );
    let _ = std::fs::remove_file(&file);
}

/// The finding: as root, from a folder the `postgres` user cannot enter
/// (as under /root), `serve` failed with initdb's "could not change
/// directory … Permission denied". It now says in one sentence what to do.
#[tokio::test]
async fn as_root_a_data_folder_postgres_cannot_reach_is_explained() {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .unwrap()
        .stdout
        .trim_ascii()
        == b"0";
    if !root {
        eprintln!("not root: the server runs as this user and reaches any folder it can");
        return;
    }
    let closed = std::env::temp_dir().join(format!("nap-closed-{}", std::process::id()));
    std::fs::create_dir_all(closed.join("project")).unwrap();
    std::fs::set_permissions(&closed, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let output = Command::new(BIN)
        .args(["migrate", "--data-dir"])
        .arg(closed.join("project/data"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&closed);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot reach")
            && stderr.contains("run as a normal user, or pass --data-dir"),
        "{stderr}"
    );
    assert!(!stderr.contains("initdb failed"), "{stderr}");
}
