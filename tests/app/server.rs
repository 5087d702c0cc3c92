//! The compiled binary serving over HTTP on its own private PostgreSQL
//! cluster, which a test may stop and start without disturbing the others.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_nap-oversight");

/// `serve --demo` on a free port, with its cluster under
/// `target/tmp/{name}-{pid}` and its log in `{name}-{pid}.log` beside it.
pub struct Server {
    pub process: Child,
    pub base: String,
    pub data_dir: PathBuf,
}

impl Server {
    /// Starts the server and waits until it is ready.
    pub async fn start(name: &str) -> Self {
        let data_dir = scratch(&format!("{name}-{}", std::process::id())).await;
        let _ = std::fs::remove_dir_all(&data_dir);
        let port = free_port();
        let log = std::fs::File::create(data_dir.with_extension("log")).unwrap();
        let process = Command::new(BIN)
            .args([
                "serve",
                "--demo",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(&data_dir)
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = Self {
            process,
            base: format!("http://127.0.0.1:{port}"),
            data_dir,
        };
        let http = client();
        wait_for(&http, &server.url("/healthz"), 200).await;
        wait_for(&http, &server.url("/readyz"), 200).await;
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The private cluster's data folder, for [`cluster_ctl`].
    pub fn pgdata(&self) -> PathBuf {
        self.data_dir.join("pg")
    }

    /// A client signed in as the demo account `email`.
    pub async fn sign_in(&self, email: &str) -> reqwest::Client {
        let http = client();
        self.sign_in_with(&http, email).await;
        http
    }

    /// Signs `http` in as the demo account `email`.
    pub async fn sign_in_with(&self, http: &reqwest::Client, email: &str) {
        let login = http
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("csrf", csrf_of(&login).as_str()),
                ("email", email),
                ("password", nap_oversight::demo::PASSWORD),
            ])
            .finish();
        let res = http
            .post(self.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303, "{email} signs in");
    }

    /// Sends SIGTERM, as an orchestrator stopping the service does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.process.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// Even when an assertion fails half-way: no server, cluster or folder is
/// left behind, only the server's log when the test failed.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        if self.pgdata().join("postmaster.pid").exists() {
            let _ = pg_ctl(&self.pgdata(), "stop").status();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
        let log = self.data_dir.with_extension("log");
        if std::thread::panicking() {
            eprintln!("the server's log: {}", log.display());
        } else {
            let _ = std::fs::remove_file(log);
        }
    }
}

/// A folder for a private cluster: under `target/`, or, when the tests run
/// as root from a folder the `postgres` user cannot pass (under /root),
/// under the system's temporary folder.
pub async fn scratch(name: &str) -> PathBuf {
    use nap_oversight::db::cluster::PrivateCluster;
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    if PrivateCluster::reachable(target).await {
        target.join(name)
    } else {
        std::env::temp_dir().join(format!("nap-oversight-tests-{name}"))
    }
}

/// A client that keeps cookies and shows redirects rather than following them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The pg_ctl a test can use to stop and start the server's private cluster.
fn pg_ctl_path() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("pg_ctl"))
        .find(|p| p.is_file());
    on_path.unwrap_or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .unwrap()
            .map(|e| e.unwrap().path().join("bin/pg_ctl"))
            .filter(|p| p.is_file())
            .collect();
        versions.sort();
        versions.pop().expect("pg_ctl")
    })
}

/// `pg_ctl start` or `stop` (fast: sessions are cut, as in a crash or
/// failover), waiting until it is done.
pub fn cluster_ctl(pgdata: &Path, action: &str) {
    let status = pg_ctl(pgdata, action).status().unwrap();
    assert!(status.success(), "pg_ctl {action}");
}

fn pg_ctl(pgdata: &Path, action: &str) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .unwrap()
        .stdout
        .trim_ascii()
        == b"0";
    let mut command = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(pg_ctl_path());
        c
    } else {
        Command::new(pg_ctl_path())
    };
    let log = pgdata.join("server.log");
    command
        .arg("-D")
        .arg(pgdata)
        .args(["-w", "-l"])
        .arg(log)
        .arg(action);
    if action == "stop" {
        command.args(["-m", "fast"]);
    }
    command.stdout(Stdio::null());
    command
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn wait_for(client: &reqwest::Client, url: &str, status: u16) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let answered = client.get(url).send().await.map(|r| r.status().as_u16());
        if answered.ok() == Some(status) {
            return;
        }
        assert!(Instant::now() < deadline, "{url} never answered {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub fn csrf_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("input[name=csrf]").unwrap();
    doc.select(&sel)
        .next()
        .unwrap()
        .value()
        .attr("value")
        .unwrap()
        .to_owned()
}
