//! The optional second factor: a six-digit code from an authenticator app
//! (TOTP, RFC 6238: SHA-1, 30-second steps, one step of clock drift either
//! way). Setting it up, asking for it after the password, and switching it
//! off again; a tenant may require it of its secretariat (see `tenancy`).

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use time::OffsetDateTime;
use totp_rs::{Algorithm, TOTP};
use tower_sessions::Session;

use super::{CurrentUser, throttle};
use crate::error::{AppError, AppResult};
use crate::http::page::{Chrome, encode_component};
use crate::state::AppState;

/// Session key: a password was right, the code is still to come.
const PENDING_KEY: &str = "two_factor_pending";
/// Session key: the secret being set up, until a first code confirms it.
const ENROLLING_KEY: &str = "two_factor_enrolling";
/// How long the code may take after the password.
const PENDING_SECS: i64 = 300;
const STEP_SECS: u64 = 30;
const ISSUER: &str = "NAP Oversight";

pub fn router() -> Routes {
    Routes::new()
        .get(at::login_code, code_page)
        .post(at::login_code, check_code)
        .get(at::profile_two_factor, setup_page)
        .post(at::profile_two_factor, enable)
        .post(at::profile_two_factor_disable, disable)
}

fn totp(secret: &[u8]) -> AppResult<TOTP> {
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, secret.to_vec())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("two-factor secret: {e:?}")))
}

/// The time step `code` belongs to, if it is right now (±1 step) and newer
/// than the last one accepted: a code works once.
pub fn accepted_step(
    secret: &[u8],
    code: &str,
    last_step: Option<i64>,
    now: u64,
) -> AppResult<Option<i64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret)?;
    let current = now / STEP_SECS;
    for step in [current.saturating_sub(1), current, current + 1] {
        let step_i64 = i64::try_from(step).unwrap_or(i64::MAX);
        if last_step.is_some_and(|last| step_i64 <= last) {
            continue;
        }
        if totp.generate(step * STEP_SECS) == code {
            return Ok(Some(step_i64));
        }
    }
    Ok(None)
}

/// A new random secret of 160 bits, as RFC 4226 recommends.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

fn unix_now() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

/// What `/login` leaves in the session when the account has a second factor.
#[derive(Serialize, Deserialize)]
struct Pending {
    user_id: i64,
    at: i64,
    next: String,
    language: Option<String>,
}

/// Called by `/login` once the password is right: remember who, ask for the code.
pub async fn ask_for_code(
    session: &Session,
    user_id: i64,
    language: Option<&str>,
    next: &str,
) -> AppResult<Response> {
    session.cycle_id().await?;
    let pending = Pending {
        user_id,
        at: OffsetDateTime::now_utc().unix_timestamp(),
        next: next.to_owned(),
        language: language.map(str::to_owned),
    };
    session.insert(PENDING_KEY, pending).await?;
    Ok(Redirect::to(&crate::paths::login_code()).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/code.html")]
struct CodePage {
    page: Chrome,
    csrf: String,
    error: Option<&'static str>,
}

async fn pending(session: &Session) -> AppResult<Option<Pending>> {
    let pending = session.get::<Pending>(PENDING_KEY).await?;
    Ok(pending.filter(|p| OffsetDateTime::now_utc().unix_timestamp() - p.at <= PENDING_SECS))
}

async fn code_page(page: Chrome, session: Session) -> AppResult<Response> {
    if pending(&session).await?.is_none() {
        return Ok(Redirect::to(&crate::paths::login()).into_response());
    }
    Ok(CodePage {
        page,
        csrf: super::csrf::token(&session).await?,
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn check_code(
    State(state): State<AppState>,
    page: Chrome,
    session: Session,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let Some(pending) = pending(&session).await? else {
        session.remove::<Pending>(PENDING_KEY).await?;
        return Ok(Redirect::to(&crate::paths::login()).into_response());
    };
    let account = sqlx::query!(
        "select email, totp_secret, totp_last_step from users where id = $1 and active",
        pending.user_id
    )
    .fetch_optional(&state.pool)
    .await?;
    let Some(account) = account else {
        session.flush().await?;
        return Ok(Redirect::to(&crate::paths::login()).into_response());
    };
    // Wrong codes count against the account like wrong passwords.
    let client = throttle::client_address(&state, &headers, connect.map(|c| c.0.0));
    let keys = throttle::keys(&account.email, &client);
    let Some(attempt) = throttle::attempt(&state.pool, &keys).await? else {
        return code_again(
            page,
            &session,
            "login.throttled",
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    };
    let step = match &account.totp_secret {
        Some(secret) => accepted_step(secret, &form.code, account.totp_last_step, unix_now())?,
        // The factor was switched off meanwhile: the password sufficed.
        None => Some(account.totp_last_step.unwrap_or(0)),
    };
    let Some(step) = step else {
        // The attempt stays counted as a failure.
        tracing::info!("second factor refused");
        return code_again(
            page,
            &session,
            "two_factor.wrong_code",
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    // Spend the step; a concurrent request with the same code loses here.
    let spent = sqlx::query!(
        "update users set totp_last_step = $2
         where id = $1 and (totp_last_step is null or totp_last_step < $2)",
        pending.user_id,
        step
    )
    .execute(&state.pool)
    .await?;
    if account.totp_secret.is_some() && spent.rows_affected() == 0 {
        return code_again(
            page,
            &session,
            "two_factor.wrong_code",
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    throttle::succeeded(&state.pool, attempt, &keys).await?;
    session.remove::<Pending>(PENDING_KEY).await?;
    super::start_session(&session, pending.user_id, pending.language.as_deref()).await?;
    tracing::info!(user = pending.user_id, "signed in with a second factor");
    Ok(Redirect::to(&pending.next).into_response())
}

/// The code form again, saying why the code was refused.
async fn code_again(
    page: Chrome,
    session: &Session,
    error: &'static str,
    status: StatusCode,
) -> AppResult<Response> {
    let page = CodePage {
        page,
        csrf: super::csrf::token(session).await?,
        error: Some(error),
    };
    Ok(throttle::retry_later((status, page).into_response()))
}

#[derive(Template, WebTemplate)]
#[template(path = "profile/two_factor.html")]
struct SetupPage {
    page: Chrome,
    enabled: bool,
    /// A tenant requires it of this person: it cannot be switched off.
    required: bool,
    /// While setting up: the key to type in, and the same as a QR code.
    key: String,
    qr_svg: String,
    error: Option<&'static str>,
    password_error: Option<&'static str>,
}

/// Whether any tenant requires the second factor of this person.
async fn required_of(state: &AppState, user: i64) -> AppResult<bool> {
    let mut tx = state.pool.begin().await?;
    // A person may read their own memberships in every tenant.
    crate::tenancy::scope::set(&mut tx, None, Some(user)).await?;
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from memberships m join tenants t on t.id = m.tenant_id
                          where m.user_id = $1 and m.active and m.role = 'secretariat'
                            and t.require_two_factor) as "e!""#,
        user
    )
    .fetch_one(&mut *tx)
    .await?)
}

async fn setup(
    state: &AppState,
    page: Chrome,
    session: &Session,
    user: &CurrentUser,
) -> AppResult<SetupPage> {
    let required = required_of(state, user.id).await?;
    if user.two_factor {
        return Ok(SetupPage {
            page,
            enabled: true,
            required,
            key: String::new(),
            qr_svg: String::new(),
            error: None,
            password_error: None,
        });
    }
    let secret = match session.get::<Vec<u8>>(ENROLLING_KEY).await? {
        Some(secret) => secret,
        None => {
            let secret = new_secret();
            session.insert(ENROLLING_KEY, &secret).await?;
            secret
        }
    };
    let key = totp(&secret)?.get_secret_base32();
    let url = format!(
        "otpauth://totp/{issuer}:{account}?secret={key}&issuer={issuer}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        issuer = encode_component(ISSUER).replace('+', "%20"),
        account = encode_component(&user.email),
    );
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(e.into()))?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(SetupPage {
        page,
        enabled: false,
        required,
        // Groups of four are easier to type.
        key: key
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
        qr_svg,
        error: None,
        password_error: None,
    })
}

async fn setup_page(
    State(state): State<AppState>,
    page: Chrome,
    session: Session,
    user: CurrentUser,
) -> AppResult<SetupPage> {
    setup(&state, page, &session, &user).await
}

async fn enable(
    State(state): State<AppState>,
    page: Chrome,
    session: Session,
    user: CurrentUser,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    if user.two_factor {
        return Ok(Redirect::to(&crate::paths::profile_two_factor()).into_response());
    }
    let secret = session.get::<Vec<u8>>(ENROLLING_KEY).await?;
    let step = match &secret {
        Some(secret) => accepted_step(secret, &form.code, None, unix_now())?,
        None => None,
    };
    let (Some(secret), Some(step)) = (secret, step) else {
        let mut page = setup(&state, page, &session, &user).await?;
        page.error = Some("two_factor.wrong_code");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    sqlx::query!(
        "update users set totp_secret = $2, totp_last_step = $3 where id = $1",
        user.id,
        secret,
        step
    )
    .execute(&state.pool)
    .await?;
    session.remove::<Vec<u8>>(ENROLLING_KEY).await?;
    tracing::info!(user = user.id, "second factor switched on");
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::profile(),
        crate::choices::Notice::TwoFactorOn,
    ))
    .into_response())
}

#[derive(Deserialize)]
struct DisableForm {
    #[serde(default)]
    password: String,
}

async fn disable(
    State(state): State<AppState>,
    page: Chrome,
    session: Session,
    user: CurrentUser,
    Form(form): Form<DisableForm>,
) -> AppResult<Response> {
    let refused = if required_of(&state, user.id).await? {
        Some("two_factor.required_cannot_disable")
    } else if !state
        .hasher
        .is_password_of(&state.pool, user.id, &form.password)
        .await?
    {
        Some("profile.current_wrong")
    } else {
        None
    };
    if let Some(key) = refused {
        let mut page = setup(&state, page, &session, &user).await?;
        page.password_error = Some(key);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    sqlx::query!(
        "update users set totp_secret = null, totp_last_step = null where id = $1",
        user.id
    )
    .execute(&state.pool)
    .await?;
    tracing::info!(user = user.id, "second factor switched off");
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::profile(),
        crate::choices::Notice::TwoFactorOff,
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238, appendix B: the SHA-1 vector at 59 s is 94287082 (8 digits);
    /// its last six digits are our code.
    #[test]
    fn codes_follow_rfc_6238() {
        assert_eq!(accepted_step(SECRET, "287082", None, 59).unwrap(), Some(1));
        assert_eq!(
            accepted_step(SECRET, "287 082", None, 59).unwrap(),
            Some(1),
            "spaces are ignored"
        );
        // One step of drift either way, not two.
        assert_eq!(accepted_step(SECRET, "287082", None, 89).unwrap(), Some(1));
        assert_eq!(accepted_step(SECRET, "287082", None, 125).unwrap(), None);
        assert_eq!(accepted_step(SECRET, "28708", None, 59).unwrap(), None);
        assert_eq!(accepted_step(SECRET, "abcdef", None, 59).unwrap(), None);
    }

    #[test]
    fn a_code_works_once() {
        assert_eq!(accepted_step(SECRET, "287082", Some(1), 59).unwrap(), None);
        assert_eq!(
            accepted_step(SECRET, "287082", Some(0), 59).unwrap(),
            Some(1)
        );
    }

    #[test]
    fn secrets_are_random_and_long_enough() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        assert!(totp(&a).is_ok());
    }
}
