//! The test harness: a fresh database per test (copied from a migrated
//! template), the real router, fixture builders and one client per person.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use nap_oversight::AppState;
use nap_oversight::accounts::{self, NewMembership, NewTenant};
use nap_oversight::authz::{self, Role};
use nap_oversight::config::ServerConfig;
use nap_oversight::db::{self, cluster::PrivateCluster};
use scraper::{Html, Selector};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::OnceCell;
use tower::ServiceExt;

thread_local! {
    static QUERIES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts the SQL statements sqlx runs on this thread (each test runs on
/// its own thread), so tests can check that pages do not do N+1 queries.
struct CountQueries;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountQueries {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        // Opening a pooled connection switches its role once: not a page's query.
        struct Summary(bool);
        impl tracing::field::Visit for Summary {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "summary" && format!("{value:?}").starts_with("\"set role") {
                    self.0 = true;
                }
            }
        }
        if event.metadata().target() == "sqlx::query" {
            let mut setup = Summary(false);
            event.record(&mut setup);
            if !setup.0 {
                QUERIES.with(|q| q.set(q.get() + 1));
            }
        }
    }
}

/// Server logs beside a failing test's output (RUST_LOG to tune), and the query counter.
fn init_tracing() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer, filter::Targets};
    let logs = tracing_subscriber::fmt::layer()
        .with_test_writer()
        .with_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()));
    let counter =
        CountQueries.with_filter(Targets::new().with_target("sqlx::query", tracing::Level::TRACE));
    let _ = tracing_subscriber::registry()
        .with(logs)
        .with(counter)
        .try_init();
}

/// The number of SQL statements `work` ran.
pub async fn count_queries<T>(work: impl std::future::Future<Output = T>) -> (usize, T) {
    let before = QUERIES.with(|q| q.get());
    let out = work.await;
    (QUERIES.with(|q| q.get()) - before, out)
}

/// Every test account's password.
pub const PASSWORD: &str = "correct-horse-battery";

static ADMIN: OnceCell<PgConnectOptions> = OnceCell::const_new();
static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static HASH: OnceLock<String> = OnceLock::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Where test databases are made: `DATABASE_URL`'s server, or else a
/// private cluster under `target/`, just as the application does it.
pub async fn admin_options() -> PgConnectOptions {
    ADMIN
        .get_or_init(|| async {
            match std::env::var("DATABASE_URL") {
                Ok(url) => url.parse::<PgConnectOptions>().expect("DATABASE_URL"),
                Err(_) => {
                    let dir = crate::server::scratch("test-pg").await;
                    let cluster = PrivateCluster::ensure(&dir).await.expect("private cluster");
                    cluster.connect_options()
                }
            }
            .database("postgres")
        })
        .await
        .clone()
}

/// A migrated database that each test copies; made once per test process.
async fn template() -> String {
    TEMPLATE
        .get_or_init(|| async {
            let admin = admin_options().await;
            let mut conn = PgConnection::connect_with(&admin)
                .await
                .expect("admin connection");
            drop_leftovers(&mut conn).await;
            let name = format!("nap_tpl_{}", std::process::id());
            sqlx::query(&format!("create database {name}"))
                .execute(&mut conn)
                .await
                .expect("create template");
            let mut tpl = PgConnection::connect_with(&admin.clone().database(&name))
                .await
                .expect("template connection");
            db::MIGRATOR.run(&mut tpl).await.expect("migrations");
            tpl.close().await.ok();
            conn.close().await.ok();
            name
        })
        .await
        .clone()
}

/// Databases left by test processes that are gone (a crash, Ctrl-C).
async fn drop_leftovers(conn: &mut PgConnection) {
    let names: Vec<String> = sqlx::query_scalar(
        "select datname from pg_database where datname like 'nap\\_test\\_%' or datname like 'nap\\_tpl\\_%'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).unwrap_or("");
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            sqlx::query(&format!("drop database if exists {name} with (force)"))
                .execute(&mut *conn)
                .await
                .ok();
        }
    }
}

/// A fresh, migrated, empty database for one test.
pub async fn fresh_database() -> PgConnectOptions {
    let template = template().await;
    let admin = admin_options().await;
    let name = format!(
        "nap_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut conn = PgConnection::connect_with(&admin)
        .await
        .expect("admin connection");
    sqlx::query(&format!("create database {name} template {template}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    conn.close().await.ok();
    admin.database(&name)
}

pub fn password_hash() -> String {
    HASH.get_or_init(|| {
        use argon2::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(PASSWORD.as_bytes())
            .unwrap()
            .to_string()
    })
    .clone()
}

pub struct TestApp {
    pub router: Router,
    /// Works as the application role, like the server.
    pub pool: PgPool,
    /// Works as the owner (superuser): for setting up what tests need.
    pub owner: PgConnectOptions,
    /// The NAP made by [`Builder::with_plan`].
    nap: Option<i64>,
}

/// The secretariat of the usual test tenant, `aland`.
pub const SEC: &str = "sec@aland.test";
/// An observer in `aland`.
pub const OBSERVER: &str = "obs@aland.test";

/// What a test starts from, said in one chain and built in order:
/// `TestApp::init().with_tenant("aland").with_user(SEC, Role::Secretariat).build().await`.
/// People join the tenant named last before them.
#[must_use]
pub struct Builder {
    config: ServerConfig,
    steps: Vec<Step>,
}

enum Step {
    Demo,
    Tenant(&'static str),
    Member {
        email: &'static str,
        role: Role,
        partner: Option<&'static str>,
        focal: bool,
    },
    Plan,
}

impl Builder {
    pub fn with_config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// The demo's tenants, people and plan (passwords: `demo::PASSWORD`).
    pub fn with_demo(mut self) -> Self {
        self.steps.push(Step::Demo);
        self
    }

    /// A tenant with five partners: MOL, MOJ, CTU, EF, ILO (made the first
    /// time it is named; naming it again adds the people after to it).
    pub fn with_tenant(mut self, slug: &'static str) -> Self {
        self.steps.push(Step::Tenant(slug));
        self
    }

    /// A person with `role` and no organisation.
    pub fn with_user(self, email: &'static str, role: Role) -> Self {
        self.member(email, role, None, false)
    }

    /// A person with `role` in the organisation with this acronym.
    pub fn with_user_of(self, email: &'static str, role: Role, partner: &'static str) -> Self {
        self.member(email, role, Some(partner), false)
    }

    /// Their organisation's focal point, who reports on its activities.
    pub fn with_focal_point(self, email: &'static str, role: Role, partner: &'static str) -> Self {
        self.member(email, role, Some(partner), true)
    }

    fn member(
        mut self,
        email: &'static str,
        role: Role,
        partner: Option<&'static str>,
        focal: bool,
    ) -> Self {
        self.steps.push(Step::Member {
            email,
            role,
            partner,
            focal,
        });
        self
    }

    /// `aland` and its secretariat [`SEC`] (of MOL).
    pub fn with_secretariat(self) -> Self {
        self.with_tenant("aland")
            .with_user_of(SEC, Role::Secretariat, "MOL")
    }

    /// The usual start: `aland`, its secretariat [`SEC`] and an observer
    /// [`OBSERVER`].
    pub fn with_aland(self) -> Self {
        self.with_secretariat().with_user(OBSERVER, Role::Observer)
    }

    /// A NAP 2025–2029 in `aland` with one objective (1) and one outcome
    /// (1.1), made through the pages by [`SEC`]; see [`TestApp::nap`].
    pub fn with_plan(mut self) -> Self {
        self.steps.push(Step::Plan);
        self
    }

    pub async fn build(self) -> TestApp {
        init_tracing();
        let owner = fresh_database().await;
        let pool = db::app_pool(owner.clone(), 5, true);
        let router = nap_oversight::app(AppState::new(pool.clone(), self.config));
        let mut app = TestApp {
            router,
            pool,
            owner,
            nap: None,
        };
        let mut tenant = None;
        let mut made = Vec::new();
        for step in self.steps {
            match step {
                Step::Demo => {
                    nap_oversight::demo::load(&app.pool, &nap_oversight::password::Hasher::new(1))
                        .await
                        .unwrap();
                }
                Step::Tenant(slug) => {
                    if !made.contains(&slug) {
                        app.tenant(slug).await;
                        made.push(slug);
                    }
                    tenant = Some(slug);
                }
                Step::Member {
                    email,
                    role,
                    partner,
                    focal,
                } => {
                    let slug = tenant.expect("with_tenant before with_user");
                    app.member(slug, email, role, partner, focal).await;
                }
                Step::Plan => app.nap = Some(app.make_plan().await),
            }
        }
        app
    }
}

impl TestApp {
    pub fn init() -> Builder {
        Builder {
            config: ServerConfig::default(),
            steps: Vec::new(),
        }
    }

    /// An empty application: no tenant, no one.
    pub async fn new() -> Self {
        Self::init().build().await
    }

    pub async fn with_config(config: ServerConfig) -> Self {
        Self::init().with_config(config).build().await
    }

    /// The NAP made by [`Builder::with_plan`].
    pub fn nap(&self) -> i64 {
        self.nap.expect("built with_plan")
    }

    async fn make_plan(&self) -> i64 {
        let mut sec = self.signed_in(SEC).await;
        let res = sec
            .submit(
                "/t/aland/naps/new",
                "/t/aland/naps/new",
                &[
                    ("title", "Plan against forced labour"),
                    ("theme", "forced-labour"),
                    ("start_year", "2025"),
                    ("end_year", "2029"),
                    ("status", "adopted"),
                    ("alignment", "SDG 8.7"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let nap: i64 = res.location().rsplit('/').next().unwrap().parse().unwrap();
        let base = format!("/t/aland/naps/{nap}");
        let res = sec
            .submit(
                &format!("{base}/objectives/new"),
                &format!("{base}/objectives/new"),
                &[("code", "1"), ("title", "Prevention")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let objective = self.count("select id from objectives").await.to_string();
        let res = sec
            .submit(
                &format!("{base}/outcomes/new"),
                &format!("{base}/outcomes/new"),
                &[
                    ("objective", &objective),
                    ("code", "1.1"),
                    ("title", "People know their rights"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        nap
    }

    pub async fn owner_conn(&self) -> PgConnection {
        PgConnection::connect_with(&self.owner).await.unwrap()
    }

    /// A tenant with a few partners (acronyms MOL, MOJ, CTU, EF, ILO).
    pub async fn tenant(&self, slug: &str) -> i64 {
        let mut tx = self.pool.begin().await.unwrap();
        let id = accounts::create_tenant(
            &mut tx,
            &NewTenant {
                slug,
                name: &format!("Committee of {slug}"),
                country: "Testland",
                default_language: "en",
                public_portal: true,
            },
        )
        .await
        .unwrap();
        nap_oversight::tenancy::scope::set(&mut tx, Some(id), None)
            .await
            .unwrap();
        for (code, name, kind) in [
            ("MOL", "Ministry of Labour", "ministry"),
            ("MOJ", "Ministry of Justice", "ministry"),
            ("CTU", "Trade Union Confederation", "workers"),
            ("EF", "Employers' Federation", "employers"),
            ("ILO", "ILO country office", "international"),
        ] {
            sqlx::query(
                "insert into partners (tenant_id, acronym, name, kind) values ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(code)
            .bind(format!("{name} ({slug})"))
            .bind(kind)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        id
    }

    /// An account (made if new) with `role` in the tenant; returns the membership id.
    pub async fn member(
        &self,
        slug: &str,
        email: &str,
        role: Role,
        partner: Option<&str>,
        focal: bool,
    ) -> i64 {
        let mut tx = self.pool.begin().await.unwrap();
        let tenant_id = accounts::tenant_id(&mut tx, slug).await.unwrap().unwrap();
        let user_id = match accounts::user_id(&mut tx, email).await.unwrap() {
            Some(id) => id,
            None => accounts::create_user(
                &mut tx,
                email,
                &format!("Person {email}"),
                Some(&password_hash()),
            )
            .await
            .unwrap(),
        };
        nap_oversight::tenancy::scope::set(&mut tx, Some(tenant_id), None)
            .await
            .unwrap();
        let partner_id = match partner {
            Some(code) => accounts::partner_id(&mut tx, code).await.unwrap(),
            None => None,
        };
        let id = accounts::add_membership(
            &authz::operator::<authz::ManageMembers>(tenant_id),
            &mut tx,
            &NewMembership {
                user_id,
                role,
                partner_id,
                focal_point: focal,
                invited_as: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: HashMap::new(),
        }
    }

    /// A client signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> Client {
        let password = if email.ends_with(".example") {
            nap_oversight::demo::PASSWORD
        } else {
            PASSWORD
        };
        let mut client = self.client();
        let res = client.sign_in(email, password).await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "sign-in of {email} failed: {}",
            res.body
        );
        client
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let mut conn = self.owner_conn().await;
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    }
}

/// A browser stand-in: keeps cookies, sends forms, reads pages.
pub struct Client {
    router: Router,
    pub cookies: HashMap<String, String>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body's size as sent, in bytes (compressed, if it was).
    pub size: usize,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The trimmed texts of the elements matching `css`.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let selector = Selector::parse(css).unwrap();
        self.html()
            .select(&selector)
            .map(|e| {
                // Separate texts of separate elements (table cells, say).
                e.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn attr(&self, css: &str, attr: &str) -> Option<String> {
        let selector = Selector::parse(css).unwrap();
        self.html()
            .select(&selector)
            .next()
            .and_then(|e| e.value().attr(attr).map(str::to_owned))
    }

    /// Where a redirect goes, without the notice it carries (see [`Page::notice`]).
    pub fn location(&self) -> String {
        let raw = self.raw_location();
        let (before, fragment) = raw
            .split_once('#')
            .map_or((raw, None), |(b, f)| (b, Some(f)));
        let (path, query) = before.split_once('?').unwrap_or((before, ""));
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("done="))
            .collect();
        let mut out = path.to_owned();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
        if let Some(fragment) = fragment {
            out.push('#');
            out.push_str(fragment);
        }
        out
    }

    /// The `Location` header as sent.
    pub fn raw_location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The notice a redirect asks the next page to show (`?done=…`).
    pub fn notice(&self) -> Option<String> {
        let query = self.raw_location().split('#').next()?.split_once('?')?.1;
        query
            .split('&')
            .find_map(|p| p.strip_prefix("done="))
            .map(str::to_owned)
    }

    pub fn csrf(&self) -> String {
        self.attr("input[name=csrf]", "value")
            .expect("a form with a CSRF token")
    }
}

impl Client {
    /// Another client in the same session (the same cookies).
    pub fn clone_session(other: &Client) -> Client {
        Client {
            router: other.router.clone(),
            cookies: other.cookies.clone(),
        }
    }

    pub async fn send(&mut self, request: Request<Body>) -> Page {
        let request = self.with_cookies(request);
        let response = self.router.clone().oneshot(request).await.unwrap();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let value = value.to_str().unwrap();
            let pair = value.split(';').next().unwrap();
            let (name, val) = pair.split_once('=').unwrap();
            let expired = value.to_ascii_lowercase().contains("max-age=0");
            if expired || val.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), val.to_owned());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            size: bytes.len(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// Posts a urlencoded form exactly as given (add the `csrf` field yourself).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Opens `page_path`, takes its CSRF token and posts `fields` to `action`.
    pub async fn submit(&mut self, page_path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(page_path).await.csrf();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

impl Client {
    /// Uploads `bytes` as the form's `file` field, the token first, as a browser sends it.
    pub async fn upload(
        &mut self,
        page_path: &str,
        action: &str,
        filename: &str,
        bytes: &[u8],
    ) -> Page {
        self.upload_form(page_path, action, &[], Some((filename, bytes)))
            .await
    }

    /// Sends a multipart form: the token (taken from `page_path`) as its
    /// first part, as a browser sends the form's first field, then text
    /// `fields` and, optionally, a `file`.
    pub async fn upload_form(
        &mut self,
        page_path: &str,
        action: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Page {
        let token = self.get(page_path).await.csrf();
        let boundary = "----nap-test-boundary";
        let mut body = Vec::new();
        for (name, value) in [("csrf", token.as_str())].iter().chain(fields) {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((filename, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(action)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    pub async fn get_bytes(&mut self, path: &str) -> Vec<u8> {
        let response = self
            .router
            .clone()
            .oneshot(self.with_cookies(Request::get(path).body(Body::empty()).unwrap()))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec()
    }

    fn with_cookies(&self, mut request: Request<Body>) -> Request<Body> {
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        request
    }
}
