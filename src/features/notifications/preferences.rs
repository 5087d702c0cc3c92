//! How each person wants each category by e-mail (`/profile/mail`), and
//! the one-click unsubscribe that every message links to
//! (`/unsubscribe/{token}`, RFC 8058: the POST a mail program sends needs
//! no session, the signed token says who and what).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use super::notify::{Category, Frequency};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::http::form::{FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::paths::at;
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .get(at::profile_mail, show)
        .post(at::profile_mail, save)
}

pub fn open_router() -> Routes {
    Routes::new()
        .get(at::unsubscribe, unsubscribe_page)
        .post(at::unsubscribe, unsubscribe)
}

/// Each category's frequency for `user`, the default where none was chosen.
pub async fn of_user(conn: &mut PgConnection, user: i64) -> AppResult<Vec<(Category, Frequency)>> {
    let chosen: HashMap<String, String> = sqlx::query!(
        "select category, frequency from mail_preferences where user_id = $1",
        user
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.category, r.frequency))
    .collect();
    Ok(Category::ALL
        .iter()
        .map(|c| {
            let f = chosen
                .get(c.as_str())
                .and_then(|f| Frequency::parse(f))
                .unwrap_or_else(|| c.default_frequency());
            (*c, f)
        })
        .collect())
}

/// Sets `user`'s frequency for each category given.
async fn set(
    conn: &mut PgConnection,
    user: i64,
    choices: &[(Category, Frequency)],
) -> AppResult<()> {
    let (categories, frequencies): (Vec<&str>, Vec<&str>) = choices
        .iter()
        .map(|(c, f)| (c.as_str(), f.as_str()))
        .unzip();
    sqlx::query!(
        "insert into mail_preferences (user_id, category, frequency)
         select $1, c, f from unnest($2::text[], $3::text[]) as t(c, f)
         on conflict (user_id, category) do update set frequency = excluded.frequency",
        user,
        &categories as &[&str],
        &frequencies as &[&str]
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/preferences.html")]
struct PreferencesPage {
    page: Chrome,
    rows: Vec<(Category, Frequency)>,
    frequencies: &'static [Frequency],
    errors: FieldErrors,
}

async fn show(
    page: Chrome,
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<PreferencesPage> {
    let mut conn = state.pool.acquire().await?;
    let rows = of_user(&mut conn, user.id).await?;
    Ok(PreferencesPage {
        page,
        rows,
        frequencies: Frequency::ALL,
        errors: FieldErrors::default(),
    })
}

async fn save(
    page: Chrome,
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut rows = Vec::new();
    let mut conn = state.pool.acquire().await?;
    let current = of_user(&mut conn, user.id).await?;
    for (category, now) in current {
        match form.get(category.as_str()) {
            None => rows.push((category, now)),
            Some(value) => match Frequency::parse(value) {
                Some(f) => rows.push((category, f)),
                None => {
                    errors.add(category.as_str(), "field.choose");
                    rows.push((category, now));
                }
            },
        }
    }
    if !errors.is_empty() {
        return Ok(invalid(PreferencesPage {
            page,
            rows,
            frequencies: Frequency::ALL,
            errors,
        }));
    }
    let mut tx = state.pool.begin().await?;
    set(&mut tx, user.id, &rows).await?;
    tx.commit().await?;
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::profile_mail(),
        crate::choices::Notice::Saved,
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "notifications/unsubscribe.html")]
struct UnsubscribePage {
    page: Chrome,
    token: String,
    categories: Vec<Category>,
    done: bool,
}

/// The person and categories of a valid token, and the person's language.
async fn read_token(
    state: &AppState,
    token: &str,
) -> AppResult<(i64, Vec<Category>, &'static str)> {
    let mut conn = state.pool.acquire().await?;
    let secret = crate::mail::secret(&mut conn).await?;
    let (user, names) = crate::mail::token::verify(&secret, token).ok_or(AppError::NotFound)?;
    let categories: Vec<Category> = names.iter().filter_map(|n| Category::parse(n)).collect();
    if categories.is_empty() {
        return Err(AppError::NotFound);
    }
    let language = sqlx::query_scalar!("select language from users where id = $1", user)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = crate::mail::message::language(language.as_deref().unwrap_or("en"));
    Ok((user, categories, lang))
}

/// The unsubscribe page in the person's language: the question, or, `done`,
/// the answer.
fn answer(
    token: String,
    categories: Vec<Category>,
    lang: &'static str,
    done: bool,
) -> AppResult<Html<String>> {
    let mut page = Chrome::bare();
    page.lang = lang;
    let page = UnsubscribePage {
        page,
        token,
        categories,
        done,
    };
    let html = crate::i18n::with_language(lang, || page.render())
        .map_err(|e| anyhow::anyhow!("template: {e}"))?;
    Ok(Html(html))
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Html<String>> {
    let (_, categories, lang) = read_token(&state, &token).await?;
    answer(token, categories, lang, false)
}

/// The one click: the categories are off from now on.
async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Html<String>> {
    let (user, categories, lang) = read_token(&state, &token).await?;
    let off: Vec<(Category, Frequency)> = categories.iter().map(|c| (*c, Frequency::Off)).collect();
    let mut tx = state.pool.begin().await?;
    set(&mut tx, user, &off).await?;
    tx.commit().await?;
    tracing::info!(user, "unsubscribed by a mail's link");
    answer(token, categories, lang, true)
}
