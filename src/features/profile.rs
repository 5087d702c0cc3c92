//! `/profile`: my password and my language.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::CurrentUser;
use crate::auth::session_store::PgSessionStore;
use crate::error::{AppError, AppResult};
use crate::http::page::Chrome;
use crate::i18n;
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .get(at::profile, show)
        .post(at::profile_password, change_password)
        .post(at::profile_language, change_language)
        .post(at::language, switch_language)
}

#[derive(Default)]
struct PasswordErrors {
    current: Option<&'static str>,
    new: Option<&'static str>,
    confirm: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "profile/show.html")]
struct ProfilePage {
    page: Chrome,
    name: String,
    email: String,
    language: String,
    languages: &'static [(&'static str, &'static str)],
    errors: PasswordErrors,
    language_error: Option<&'static str>,
    two_factor: bool,
}

impl ProfilePage {
    fn is_language(&self, code: &str) -> bool {
        self.language == code
    }

    fn new(page: Chrome, user: CurrentUser) -> Self {
        Self {
            page,
            name: user.name,
            email: user.email,
            language: user.language.unwrap_or_default(),
            two_factor: user.two_factor,
            languages: i18n::SUPPORTED,
            errors: PasswordErrors::default(),
            language_error: None,
        }
    }
}

async fn show(page: Chrome, user: CurrentUser) -> ProfilePage {
    ProfilePage::new(page, user)
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    page: Chrome,
    user: CurrentUser,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = PasswordErrors::default();
    if !state
        .hasher
        .is_password_of(&state.pool, user.id, &form.current)
        .await?
    {
        errors.current = Some("profile.current_wrong");
    }
    if let Err(key) = state
        .hasher
        .check_new(&form.new, &[&user.email, &user.name])
        .await?
    {
        errors.new = Some(key);
    } else if form.new != form.confirm {
        errors.confirm = Some("profile.confirm_mismatch");
    }
    if errors.current.is_some() || errors.new.is_some() || errors.confirm.is_some() {
        let mut profile = ProfilePage::new(page, user);
        profile.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, profile).into_response());
    }
    let new_hash = state.hasher.hash(&form.new).await?;
    let mut tx = state.pool.begin().await?;
    crate::password::set(&mut tx, user.id, &new_hash).await?;
    // Whoever else was signed in as me (a stolen password?) is signed out.
    let ended = PgSessionStore::end_sessions_of(&mut tx, user.id, session.id()).await?;
    tx.commit().await?;
    tracing::info!(
        user = user.id,
        other_sessions_ended = ended,
        "password changed"
    );
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::profile(),
        crate::choices::Notice::PasswordChanged,
    ))
    .into_response())
}

#[derive(Deserialize)]
struct LanguageForm {
    #[serde(default)]
    language: String,
}

async fn change_language(
    State(state): State<AppState>,
    page: Chrome,
    user: CurrentUser,
    session: Session,
    Form(form): Form<LanguageForm>,
) -> AppResult<Response> {
    // An empty choice means "the tenant's default or my browser's".
    let language = match form.language.trim() {
        "" => None,
        code => match i18n::supported(code) {
            Some(lang) => Some(lang),
            None => {
                let mut profile = ProfilePage::new(page, user);
                profile.language_error = Some("profile.language_invalid");
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, profile).into_response());
            }
        },
    };
    sqlx::query!(
        "update users set language = $2 where id = $1",
        user.id,
        language
    )
    .execute(&state.pool)
    .await?;
    match language {
        Some(lang) => session.insert(i18n::SESSION_KEY, lang).await?,
        None => {
            session.remove_value(i18n::SESSION_KEY).await?;
        }
    }
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::profile(),
        crate::choices::Notice::LanguageChanged,
    ))
    .into_response())
}

#[derive(Deserialize)]
struct SwitchForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

/// The switcher at the foot of every signed-in page: the language for this
/// session and, for a signed-in person, their profile; then back to the page.
async fn switch_language(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    session: Session,
    Form(form): Form<SwitchForm>,
) -> AppResult<Redirect> {
    let lang = i18n::supported(form.lang.trim()).ok_or(AppError::BadRequest)?;
    session.insert(i18n::SESSION_KEY, lang).await?;
    if let Some(user) = user {
        sqlx::query!(
            "update users set language = $2 where id = $1",
            user.id,
            lang
        )
        .execute(&state.pool)
        .await?;
    }
    Ok(Redirect::to(crate::auth::handlers::safe_next(Some(
        form.back.trim(),
    ))))
}
