//! The command line: `serve`, `migrate`, `demo` and the operator's `admin` commands.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::accounts::{self, AccountError, NewMembership, NewTenant};
use crate::auth::session_store::{self, PgSessionStore};
use crate::authz::{self, Role};
use crate::config::{DbConfig, MailConfig, ServerConfig};
use crate::db::{self, Database};
use crate::password::{self, Hasher};
use crate::{AppState, demo, i18n};

#[derive(Parser)]
#[command(
    name = "nap-oversight",
    version,
    about = "Oversight of National Action Plans on forced labour, child labour and human trafficking"
)]
struct Cli {
    #[command(flatten)]
    db: DbConfig,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        #[command(flatten)]
        server: ServerConfig,
        #[command(flatten)]
        mail: MailConfig,
        /// Also load the demo data (two fictional countries and their accounts).
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations.
    Migrate,
    /// Load the demo data; running it again changes nothing.
    Demo,
    /// Fill the database with benchmark tenants (bench-1 … bench-N), each
    /// with a plan of M activities and its history; existing ones are kept.
    BenchData {
        #[arg(long, default_value_t = 1)]
        tenants: u32,
        #[arg(long, default_value_t = 200)]
        activities: u32,
    },
    /// Write the whole database to FILE (pg_dump's custom format).
    Backup { file: std::path::PathBuf },
    /// Restore FILE, made by `backup`, into an empty database, all or nothing.
    Restore { file: std::path::PathBuf },
    /// Tenants and accounts, for the platform operator.
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Subcommand)]
enum Admin {
    /// Create a tenant: one country's (or region's) oversight structure.
    CreateTenant {
        /// Short name used in addresses: /t/SLUG/ (lower-case letters, digits, hyphens).
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        country: String,
        /// Language for members who have not chosen one.
        #[arg(long, default_value = "en")]
        language: String,
        /// Open the tenant's public pages under /p/SLUG/.
        #[arg(long)]
        public: bool,
    },
    /// Create an account. The password is read from standard input or asked for.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Set an account's password (read from standard input or asked for) and
    /// end its sessions: for people the secretariat may not reset.
    SetPassword {
        #[arg(long)]
        email: String,
    },
    /// Switch off an account's two-step sign-in (a lost phone) and end its sessions.
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
    /// Give an account a role in a tenant.
    AddMember {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// secretariat, ministry, social-partner or observer.
        #[arg(long)]
        role: String,
        /// The member's organisation: a partner's code or name.
        #[arg(long)]
        partner: Option<String>,
        /// The member updates activities for their organisation.
        #[arg(long)]
        focal_point: bool,
    },
    /// One line per tenant, its slug first.
    ListTenants,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = !matches!(cli.command, Command::Serve { .. });
    init_tracing(if quiet {
        "warn"
    } else {
        "info,sqlx=warn,tower_sessions=warn"
    });
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Check what needs no database before starting one.
    if let Command::Admin(admin) = &cli.command {
        validate(admin)?;
    }
    let database = Database::open(&cli.db).await?;
    let result = match cli.command {
        Command::Backup { file } => db::backup::backup(&database.conninfo, &file)
            .await
            .map(|()| println!("backup written to {}", file.display())),
        Command::Restore { file } => {
            db::backup::restore(&database.options, &database.conninfo, &file)
                .await
                .map(|()| println!("restored {}", file.display()))
        }
        Command::Serve { server, mail, demo } => {
            serve(&database, &cli.db, server, mail, demo).await
        }
        command => {
            database.migrate().await?;
            let pool = database.pool(2).await?;
            let result = match command {
                Command::Migrate => {
                    println!("migrations applied");
                    Ok(())
                }
                Command::Demo => {
                    demo::load(&pool, &Hasher::new(0)).await?;
                    println!("demo data loaded");
                    Ok(())
                }
                Command::BenchData {
                    tenants,
                    activities,
                } => {
                    if !(1..=100_000).contains(&activities) || !(1..=10_000).contains(&tenants) {
                        bail!("use 1 to 10000 tenants and 1 to 100000 activities");
                    }
                    crate::bench::generate(&pool, &Hasher::new(0), tenants, activities).await?;
                    println!("{tenants} benchmark tenants of {activities} activities ready");
                    Ok(())
                }
                Command::Admin(admin) => run_admin(&pool, admin).await,
                Command::Serve { .. } | Command::Backup { .. } | Command::Restore { .. } => {
                    unreachable!()
                }
            };
            pool.close().await;
            result
        }
    };
    database.close().await;
    result
}

fn validate(admin: &Admin) -> anyhow::Result<()> {
    match admin {
        Admin::CreateTenant {
            slug,
            name,
            language,
            ..
        } => {
            accounts::validate_slug(slug).map_err(|_| {
                anyhow::anyhow!("invalid slug {slug:?}: use 2 to 40 lower-case letters, digits and inner hyphens")
            })?;
            accounts::validate_name(name)
                .map_err(|_| anyhow::anyhow!("the name must have 1 to 200 characters"))?;
            if i18n::supported(language).is_none() {
                bail!("unknown language {language:?}");
            }
        }
        Admin::CreateUser { email, name } => {
            accounts::normalize_email(email)
                .map_err(|_| anyhow::anyhow!("invalid e-mail address {email:?}"))?;
            accounts::validate_name(name)
                .map_err(|_| anyhow::anyhow!("the name must have 1 to 200 characters"))?;
        }
        Admin::SetPassword { email } | Admin::ResetTwoFactor { email } => {
            accounts::normalize_email(email)
                .map_err(|_| anyhow::anyhow!("invalid e-mail address {email:?}"))?;
        }
        Admin::AddMember { email, role, .. } => {
            accounts::normalize_email(email)
                .map_err(|_| anyhow::anyhow!("invalid e-mail address {email:?}"))?;
            if Role::parse(role).is_none() {
                bail!(
                    "unknown role {role:?}: use secretariat, ministry, social-partner or observer"
                );
            }
        }
        Admin::ListTenants => {}
    }
    Ok(())
}

async fn serve(
    database: &Database,
    db_config: &DbConfig,
    server: ServerConfig,
    mail: MailConfig,
    load_demo: bool,
) -> anyhow::Result<()> {
    database.migrate().await?;
    let pool = database.pool(db_config.db_max_connections).await?;
    // Links in mail: the public origin, else the address served (a server
    // listening on every interface is reached as localhost).
    let origin = server.public_origin.clone().unwrap_or_else(|| {
        if server.bind.ip().is_unspecified() {
            format!("http://localhost:{}", server.bind.port())
        } else {
            format!("http://{}", server.bind)
        }
    });
    let state = AppState::new(pool.clone(), server);
    if load_demo {
        demo::load(&pool, &state.hasher).await?;
        tracing::info!("demo data loaded; the README lists the demo sign-ins");
    }
    session_store::spawn_cleanup(PgSessionStore::new(pool.clone()));
    // The outbox's worker and the reminders' clock run beside the pages;
    // on SIGTERM the pages stop first, then these finish what they hold.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let settings = crate::mail::Settings {
        from: mail
            .mail_from
            .parse()
            .with_context(|| format!("NAP_MAIL_FROM is not an address: {}", mail.mail_from))?,
        origin: origin.trim_end_matches('/').to_owned(),
        transport: crate::mail::Transport::from_config(&mail, &db_config.data_dir)?,
        secret: crate::mail::secret(&mut *pool.acquire().await?).await?,
    };
    let worker = tokio::spawn(crate::mail::worker::run(
        pool.clone(),
        std::sync::Arc::new(settings),
        stopped.clone(),
        std::time::Duration::from_secs(1),
    ));
    let clock = tokio::spawn(crate::features::notifications::cycle::run(
        pool.clone(),
        std::time::Duration::from_secs(mail.clock_seconds.max(1)),
        stopped,
    ));
    let bind = state.config.bind;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!(
        "NAP Oversight is listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(
        listener,
        crate::app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("shutting down");
    let _ = stop.send(true);
    let _ = tokio::join!(worker, clock);
    pool.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn run_admin(pool: &sqlx::PgPool, admin: Admin) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    match admin {
        Admin::CreateTenant {
            slug,
            name,
            country,
            language,
            public,
        } => {
            let tenant = NewTenant {
                slug: &slug,
                name: name.trim(),
                country: country.trim(),
                default_language: &language,
                public_portal: public,
            };
            match accounts::create_tenant(&mut tx, &tenant).await {
                Err(AccountError::DuplicateSlug) => {
                    bail!("a tenant with the slug {slug:?} already exists")
                }
                other => other?,
            };
            tx.commit().await?;
            println!("created tenant {slug}");
        }
        Admin::CreateUser { email, name } => {
            let email = accounts::normalize_email(&email).expect("validated");
            if accounts::user_id(&mut tx, &email).await?.is_some() {
                bail!("an account with the e-mail {email} already exists");
            }
            let secret = read_password(&[&email, &name])?;
            let hash = Hasher::new(1).hash(&secret).await?;
            match accounts::create_user(&mut tx, &email, name.trim(), Some(&hash)).await {
                Err(AccountError::DuplicateEmail) => {
                    bail!("an account with the e-mail {email} already exists")
                }
                other => other?,
            };
            tx.commit().await?;
            println!("created user {email}");
        }
        Admin::SetPassword { email } => {
            let email = accounts::normalize_email(&email).expect("validated");
            let user = sqlx::query!("select id, name from users where email = $1", email)
                .fetch_optional(&mut *tx)
                .await?
                .with_context(|| format!("no account has the e-mail {email}"))?;
            let secret = read_password(&[&email, &user.name])?;
            let hash = Hasher::new(1).hash(&secret).await?;
            crate::password::set(&mut tx, user.id, &hash).await?;
            PgSessionStore::end_sessions_of(&mut tx, user.id, None).await?;
            tx.commit().await?;
            println!("password set for {email}");
        }
        Admin::ResetTwoFactor { email } => {
            let email = accounts::normalize_email(&email).expect("validated");
            let user = sqlx::query_scalar!("select id from users where email = $1", email)
                .fetch_optional(&mut *tx)
                .await?
                .with_context(|| format!("no account has the e-mail {email}"))?;
            sqlx::query!(
                "update users set totp_secret = null, totp_last_step = null where id = $1",
                user
            )
            .execute(&mut *tx)
            .await?;
            PgSessionStore::end_sessions_of(&mut tx, user, None).await?;
            tx.commit().await?;
            println!("two-step sign-in switched off for {email}");
        }
        Admin::AddMember {
            tenant,
            email,
            role,
            partner,
            focal_point,
        } => {
            let email = accounts::normalize_email(&email).expect("validated");
            let role = Role::parse(&role).expect("validated");
            if accounts::check_focal_point(role, focal_point).is_err() {
                bail!("an observer changes nothing, so cannot be a focal point");
            }
            let tenant_id = accounts::tenant_id(&mut tx, &tenant)
                .await?
                .with_context(|| format!("unknown tenant {tenant:?}"))?;
            let user_id = accounts::user_id(&mut tx, &email).await?.with_context(|| {
                format!(
                    "no account has the e-mail {email}; create it first with `admin create-user`"
                )
            })?;
            crate::tenancy::scope::set(&mut tx, Some(tenant_id), None).await?;
            let partner_id = match &partner {
                Some(p) => Some(
                    accounts::partner_id(&mut tx, p)
                        .await?
                        .with_context(|| format!("tenant {tenant} has no partner {p:?}"))?,
                ),
                None if focal_point => {
                    bail!("a focal point needs --partner: the organisation they report for")
                }
                None => None,
            };
            let membership = NewMembership {
                user_id,
                role,
                partner_id,
                focal_point,
                invited_as: None,
            };
            match accounts::add_membership(
                &authz::operator::<authz::ManageMembers>(tenant_id),
                &mut tx,
                &membership,
            )
            .await
            {
                Err(AccountError::AlreadyMember) => {
                    bail!("{email} is already a member of {tenant}")
                }
                other => other?,
            };
            tx.commit().await?;
            println!("added {email} to {tenant} as {}", role.as_str());
        }
        Admin::ListTenants => {
            let rows = sqlx::query!("select slug, name, country from tenants order by slug")
                .fetch_all(&mut *tx)
                .await?;
            for row in rows {
                println!("{}\t{}\t{}", row.slug, row.name, row.country);
            }
        }
    }
    Ok(())
}

/// The new account's password: asked twice at a terminal, else one line of
/// standard input. Never an argument, which would land in shell history.
fn read_password(personal: &[&str]) -> anyhow::Result<String> {
    let secret = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    match password::check_new_for(&secret, personal) {
        Ok(()) => Ok(secret),
        Err("password.too_short") => bail!(
            "the password must have at least {} characters",
            password::MIN_LEN
        ),
        Err("password.too_long") => bail!(
            "the password must have at most {} characters",
            password::MAX_LEN
        ),
        Err(_) => {
            bail!("the password is too easy to guess: use a longer phrase of unrelated words")
        }
    }
}
