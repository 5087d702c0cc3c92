//! `/invitations/{token}`: a person joins a tenant that invited them. A new
//! account's person chooses their own password here; a person who has an
//! account signs in and accepts or declines. Until then the membership
//! grants nothing, and only this tenant's own link can accept it, so
//! whoever controls an account cannot accept another tenant's invitation.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use tower_sessions::Session;

use super::CurrentUser;
use super::links::{self, Link, Purpose};
use crate::authz::Role;
use crate::error::{AppError, AppResult};
use crate::http::form::FieldErrors;
use crate::http::page::Chrome;
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .get(at::invitation, show)
        .post(at::invitation, join)
        .post(at::invitation_accept, accept)
        .post(at::invitation_decline, decline)
}

/// What the person sees: a password to choose, a sign-in to do first, or
/// the choice to accept or decline.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    ChoosePassword,
    SignIn,
    /// Signed in as someone else: sign out first.
    OtherAccount,
    Decide,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/invitation.html")]
struct InvitationPage {
    page: Chrome,
    csrf: String,
    token: String,
    tenant: String,
    role: &'static str,
    email: String,
    step: Step,
    /// The name field's value (named apart from the form macro's `name`).
    person_name: String,
    errors: FieldErrors,
}

impl InvitationPage {
    async fn new(
        page: Chrome,
        session: &Session,
        token: String,
        link: &Link,
        me: Option<&CurrentUser>,
    ) -> AppResult<Self> {
        let step = match (link.has_password, me) {
            (false, _) => Step::ChoosePassword,
            (true, None) => Step::SignIn,
            (true, Some(me)) if me.id == link.user_id => Step::Decide,
            (true, Some(_)) => Step::OtherAccount,
        };
        Ok(Self {
            page,
            csrf: super::csrf::token(session).await?,
            token,
            tenant: link.tenant_name.clone(),
            role: Role::parse(&link.role)
                .unwrap_or(Role::Observer)
                .label_key(),
            email: link.email.clone(),
            step,
            person_name: link.name.clone(),
            errors: FieldErrors::default(),
        })
    }
}

async fn open(conn: &mut PgConnection, token: &str) -> AppResult<Link> {
    links::open(conn, token, Purpose::Invitation)
        .await?
        .ok_or(AppError::NotFound)
}

async fn show(
    State(state): State<AppState>,
    page: Chrome,
    session: Session,
    me: Option<CurrentUser>,
    Path(token): Path<String>,
) -> AppResult<InvitationPage> {
    let mut tx = state.pool.begin().await?;
    let link = open(&mut tx, &token).await?;
    InvitationPage::new(page, &session, token, &link, me.as_ref()).await
}

#[derive(Deserialize)]
struct JoinForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// A new account's person chooses a name and password, and joins.
async fn join(
    State(state): State<AppState>,
    page: Chrome,
    session: Session,
    Path(token): Path<String>,
    Form(form): Form<JoinForm>,
) -> AppResult<Response> {
    let link = open(&mut *state.pool.begin().await?, &token).await?;
    if link.has_password {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::default();
    let name = crate::http::form::check(
        &mut errors,
        "name",
        crate::accounts::validate_name(&form.name),
    );
    let personal = [link.email.as_str(), form.name.as_str()];
    if let Err(key) = state.hasher.check_new(&form.new, &personal).await? {
        errors.add("new", key);
    } else if form.new != form.confirm {
        errors.add("confirm", "profile.confirm_mismatch");
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        let mut again = InvitationPage::new(page, &session, token, &link, None).await?;
        again.person_name = form.name;
        again.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, again).into_response());
    };
    let hash = state.hasher.hash(&form.new).await?;
    let mut tx = state.pool.begin().await?;
    let link = open(&mut tx, &token).await?;
    // Only an account without a password takes one here; a race loses.
    let chosen = sqlx::query!(
        "update users set password_hash = $2, name = $3 where id = $1 and password_hash is null",
        link.user_id,
        hash,
        name
    )
    .execute(&mut *tx)
    .await?;
    if chosen.rows_affected() == 0 || !take(&mut tx, &link).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    super::start_session(&session, link.user_id, None).await?;
    tracing::info!(user = link.user_id, tenant = %link.tenant_slug, "invitation accepted with a new account");
    Ok(Redirect::to(&crate::paths::tenant_home(&link.tenant_slug)).into_response())
}

/// Uses the link and makes the membership active.
async fn take(conn: &mut PgConnection, link: &Link) -> AppResult<bool> {
    if !links::spend(conn, link).await? {
        return Ok(false);
    }
    let accepted = sqlx::query!(
        "update memberships set active = true, accepted_at = now(), invited_name = null
         where tenant_id = $1 and id = $2 and accepted_at is null",
        link.tenant_id,
        link.membership_id
    )
    .execute(conn)
    .await?;
    Ok(accepted.rows_affected() == 1)
}

/// The signed-in person, if the link is theirs.
async fn own_link(
    state: &AppState,
    token: &str,
    me: &CurrentUser,
) -> AppResult<(sqlx::Transaction<'static, sqlx::Postgres>, Link)> {
    let mut tx = state.pool.begin().await?;
    let link = open(&mut tx, token).await?;
    if link.user_id != me.id {
        return Err(AppError::NotFound);
    }
    Ok((tx, link))
}

async fn accept(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (mut tx, link) = own_link(&state, &token, &me).await?;
    if !take(&mut tx, &link).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    tracing::info!(user = me.id, tenant = %link.tenant_slug, "invitation accepted");
    Ok(Redirect::to(&crate::paths::tenant_home(&link.tenant_slug)).into_response())
}

/// Declining removes the pending membership (its links go with it). A
/// person without an account yet may decline without signing in.
async fn decline(
    State(state): State<AppState>,
    me: Option<CurrentUser>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let link = open(&mut tx, &token).await?;
    let allowed = !link.has_password || me.is_some_and(|me| me.id == link.user_id);
    if !allowed {
        return Err(AppError::NotFound);
    }
    sqlx::query!(
        "delete from memberships where tenant_id = $1 and id = $2 and accepted_at is null",
        link.tenant_id,
        link.membership_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(user = link.user_id, tenant = %link.tenant_slug, "invitation declined");
    Ok(Redirect::to(&crate::paths::with_query(
        &crate::paths::home(),
        &[("declined", "1")],
    ))
    .into_response())
}
