//! The members' newsletter. The secretariat starts one for every member of
//! the tenant or of one committee; it gathers what happened lately (updates
//! accepted, decisions taken, documents added, meetings to come), which the
//! secretariat introduces with its own text, in the tenant's language and
//! any other. The preview is the message as members will read it; sending
//! queues one message per member in the outbox, in each person's language
//! where the text exists, and freezes the newsletter, which stays readable.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;
use sqlx::types::Json;
use time::OffsetDateTime;

mod letter_form;
mod store;

use letter_form::LetterForm;

use crate::authz::SendNewsletters;
use crate::choices::Notice;
use crate::error::{AppError, AppResult};
use crate::features::committees::committee::{Named, named};
use crate::http::form::{FieldErrors, Form, invalid};
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::http::routes::Routes;
use crate::i18n::{self, Translations};
use crate::mail::message::LetterItem;
use crate::paths::{self, at};
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::newsletters, list)
        .post(at::newsletters, create)
        .get(at::newsletter, show)
        .post(at::newsletter, save)
        .get(at::newsletter_send, confirm_send)
        .post(at::newsletter_send, send)
}

/// How many items of each kind a newsletter gathers, and from how far back.
const PER_KIND: i64 = 8;
const DAYS_BACK: i32 = 31;
const DAYS_AHEAD: i32 = 62;

/// A newsletter as stored.
pub struct Newsletter {
    pub id: i64,
    pub committee_id: Option<i64>,
    pub committee: Option<String>,
    pub subject: String,
    pub body: String,
    pub translations: Translations,
    pub items: Vec<LetterItem>,
    pub sent_at: Option<OffsetDateTime>,
    pub recipients: Option<i32>,
    pub created_at: OffsetDateTime,
}

impl Newsletter {
    pub fn day(&self) -> String {
        i18n::date(self.sent_at.unwrap_or(self.created_at))
    }

    /// Its subject and text in the current language, or the tenant's.
    pub fn in_language(&self) -> (String, String) {
        let lang = i18n::current();
        (
            self.translations
                .get(lang, "subject")
                .unwrap_or(&self.subject)
                .to_owned(),
            self.translations
                .get(lang, "body")
                .unwrap_or(&self.body)
                .to_owned(),
        )
    }

    /// The paragraphs of its text in the current language.
    pub fn paragraphs(&self) -> Vec<String> {
        self.in_language()
            .1
            .split("\n\n")
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    }

    /// Its items of one kind.
    pub fn of_kind(&self, kind: &str) -> Vec<&LetterItem> {
        self.items.iter().filter(|i| i.kind == kind).collect()
    }

    pub fn item_day(&self, item: &LetterItem) -> String {
        time::Date::parse(
            &item.day,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map(i18n::day)
        .unwrap_or_default()
    }
}

/// Newsletters, latest first: the one numbered `id`, or the latest
/// `limit` of them. One statement.
async fn letters(
    conn: &mut PgConnection,
    id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<Newsletter>> {
    let rows = sqlx::query!(
        r#"select n.id, n.committee_id, c.name as "committee?", n.subject, n.body,
                  n.translations as "translations: Json<Translations>",
                  n.items as "items: Json<Vec<LetterItem>>", n.sent_at, n.recipients, n.created_at
           from newsletters n left join committees c on c.tenant_id = n.tenant_id and c.id = n.committee_id
           where ($1::bigint is null or n.id = $1)
             -- A committee's newsletter is its seats' and the secretariat's;
             -- a draft is the secretariat's alone.
             and (n.committee_id is null or app_reads_committee(n.tenant_id, n.committee_id))
             and (n.sent_at is not null or exists (
                     select 1 from memberships m
                     where m.tenant_id = n.tenant_id and m.user_id = app_user_id()
                       and m.active and m.role = 'secretariat'))
           order by n.created_at desc, n.id desc
           limit $2"#,
        id,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Newsletter {
            id: r.id,
            committee_id: r.committee_id,
            committee: r.committee,
            subject: r.subject,
            body: r.body,
            translations: r.translations.0,
            items: r.items.0,
            sent_at: r.sent_at,
            recipients: r.recipients,
            created_at: r.created_at,
        })
        .collect())
}

async fn load(conn: &mut PgConnection, id: i64) -> AppResult<Newsletter> {
    letters(conn, Some(id), 1)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// What happened lately, for every member or for one committee's: updates
/// accepted, decisions, documents (those every member reads, and the
/// committee's own), meetings to come. A fixed number of statements.
pub async fn gather(
    conn: &mut PgConnection,
    slug: &str,
    committee: Option<i64>,
) -> AppResult<Vec<LetterItem>> {
    let base = paths::tenant_home(slug);
    let rows = sqlx::query!(
        r#"(select 'update' as "kind!", a.code || ' ' || a.title as "title!",
                   to_char(u.created_at, 'YYYY-MM-DD') as "day!",
                   format('/naps/%s/activities/%s', a.nap_id, a.id) as "link!"
            from status_updates u join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
            where $1::bigint is null and u.review_state = 'accepted'
              and u.created_at > now() - make_interval(days => $2)
            order by u.created_at desc limit $4)
           union all
           (select 'decision', c.name || ' · ' || d.number || '. ' || left(d.text, 160),
                   to_char(m.starts_at, 'YYYY-MM-DD'),
                   format('/committees/%s/meetings/%s#decisions', m.committee_id, m.id)
            from decisions d join meetings m on m.tenant_id = d.tenant_id and m.id = d.meeting_id
            join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
            where ($1::bigint is null or m.committee_id = $1)
              and m.starts_at > now() - make_interval(days => $2) and m.starts_at <= now()
            order by m.starts_at desc, d.number limit $4)
           union all
           (select 'document', d.title, to_char(d.updated_at, 'YYYY-MM-DD'), format('/documents/%s', d.id)
            from documents d
            where (d.visibility <> 'committee' or d.committee_id = $1)
              and ($1::bigint is null or d.committee_id = $1)
              and d.updated_at > now() - make_interval(days => $2)
            order by d.updated_at desc limit $4)
           union all
           (select 'meeting', c.name || coalesce(' · ' || nullif(m.place, ''), ''),
                   to_char(m.starts_at, 'YYYY-MM-DD'),
                   format('/committees/%s/meetings/%s', m.committee_id, m.id)
            from meetings m join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
            where ($1::bigint is null or m.committee_id = $1)
              and m.starts_at > now() and m.starts_at < now() + make_interval(days => $3)
            order by m.starts_at limit $4)"#,
        committee,
        DAYS_BACK,
        DAYS_AHEAD,
        PER_KIND
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LetterItem {
            kind: r.kind,
            title: r.title,
            day: r.day,
            link: format!("{base}{}", r.link.trim_start_matches('/')),
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "newsletters/list.html")]
pub struct ListPage {
    page: Chrome,
    slug: String,
    letters: Vec<Newsletter>,
    can_send: bool,
    form: LetterForm,
    errors: FieldErrors,
    committees: Vec<Named>,
}

async fn list_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    form: LetterForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let letters = letters(ctx.conn(), None, 100).await?;
    let committees = named(ctx.conn()).await?;
    let page = ListPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        letters,
        can_send: ctx.grant::<SendNewsletters>().is_ok(),
        form,
        committees,
        errors,
    };
    Ok(if page.errors.is_empty() {
        page.into_response()
    } else {
        invalid(page)
    })
}

/// `GET /t/{slug}/newsletters`.
async fn list(page: Chrome, mut ctx: TenantCtx) -> AppResult<Response> {
    list_page(
        page,
        &mut ctx,
        LetterForm::default(),
        FieldErrors::default(),
    )
    .await
}

/// `POST /t/{slug}/newsletters`: a draft, with the items gathered now.
async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Form(form): Form<LetterForm>,
) -> AppResult<Response> {
    let editor = ctx.grant::<SendNewsletters>()?;
    let own = ctx.tenant.default_language.clone();
    match form.check(ctx.conn(), &own).await? {
        Ok((committee, subject, body, translations)) => {
            let slug = ctx.tenant.slug.clone();
            let items = gather(ctx.conn(), &slug, committee).await?;
            let me = ctx.user.id;
            let id = editor
                .start_newsletter(
                    ctx.conn(),
                    committee,
                    &subject,
                    &body,
                    &translations,
                    &items,
                    me,
                )
                .await?;
            let ctx = ctx.commit().await?;
            let to =
                crate::http::notice::done(&paths::newsletter(&ctx.tenant.slug, id), Notice::Added);
            Ok(Redirect::to(&to).into_response())
        }
        Err(errors) => list_page(page, &mut ctx, form, errors).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "newsletters/show.html")]
pub struct ShowPage {
    page: Chrome,
    slug: String,
    letter: Newsletter,
    can_send: bool,
    form: LetterForm,
    errors: FieldErrors,
    own: String,
    committees: Vec<Named>,
    /// Who it goes (or went) to: how many.
    recipients: i64,
}

impl ShowPage {
    fn kinds(&self) -> [&'static str; 4] {
        ["update", "decision", "document", "meeting"]
    }
}

/// The people a newsletter goes to: active members (of the committee's
/// seats, when it has one), each once.
pub async fn recipients(conn: &mut PgConnection, committee: Option<i64>) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"select distinct m.user_id as "id!" from memberships m join users u on u.id = m.user_id
           where m.active and u.active
             and ($1::bigint is null or exists (select 1 from committee_members s
                  where s.committee_id = $1 and s.user_id = m.user_id and s.left_on is null))"#,
        committee
    )
    .fetch_all(conn)
    .await?)
}

async fn show_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    letter: Newsletter,
    form: LetterForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let committees = named(ctx.conn()).await?;
    let count = match letter.recipients {
        Some(n) => i64::from(n),
        None => recipients(ctx.conn(), letter.committee_id).await?.len() as i64,
    };
    let page = ShowPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        can_send: ctx.grant::<SendNewsletters>().is_ok() && letter.sent_at.is_none(),
        letter,
        form,
        own: ctx.tenant.default_language.clone(),
        committees,
        recipients: count,
        errors,
    };
    Ok(if page.errors.is_empty() {
        page.into_response()
    } else {
        invalid(page)
    })
}

/// `GET /t/{slug}/newsletters/{id}`: as members read it (a draft: its preview).
async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    // Members read what was sent; a draft is found by the secretariat only.
    let letter = load(ctx.conn(), id).await?;
    let form = LetterForm::of(&letter);
    show_page(page, &mut ctx, letter, form, FieldErrors::default()).await
}

/// `POST /t/{slug}/newsletters/{id}`: the draft's text and audience.
async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<LetterForm>,
) -> AppResult<Response> {
    let editor = ctx.grant::<SendNewsletters>()?;
    let letter = load(ctx.conn(), id).await?;
    if letter.sent_at.is_some() {
        return Err(AppError::NotFound);
    }
    let own = ctx.tenant.default_language.clone();
    match form.check(ctx.conn(), &own).await? {
        Ok((committee, subject, body, translations)) => {
            let items = if committee == letter.committee_id {
                letter.items
            } else {
                let slug = ctx.tenant.slug.clone();
                gather(ctx.conn(), &slug, committee).await?
            };
            editor
                .save_newsletter(
                    ctx.conn(),
                    id,
                    committee,
                    &subject,
                    &body,
                    &translations,
                    &items,
                )
                .await?;
            let ctx = ctx.commit().await?;
            let to =
                crate::http::notice::done(&paths::newsletter(&ctx.tenant.slug, id), Notice::Saved);
            Ok(Redirect::to(&to).into_response())
        }
        Err(errors) => show_page(page, &mut ctx, letter, form, errors).await,
    }
}

async fn send_page(page: Chrome, ctx: &mut TenantCtx, id: i64) -> AppResult<ConfirmPage> {
    ctx.grant::<SendNewsletters>()?;
    let letter = load(ctx.conn(), id).await?;
    if letter.sent_at.is_some() {
        return Err(AppError::NotFound);
    }
    let count = recipients(ctx.conn(), letter.committee_id).await?.len();
    let slug = ctx.tenant.slug.clone();
    let mut confirm = ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with("newsletter.send_question", "value", &letter.subject),
        paths::newsletter_send(&slug, id),
        paths::newsletter(&slug, id),
    )
    .then(i18n::t_with(
        "newsletter.send_count",
        "value",
        &count.to_string(),
    ))
    .then(i18n::t("newsletter.send_once").into_owned());
    confirm.title_key = "newsletter.send_title";
    confirm.button_key = "newsletter.send";
    Ok(confirm)
}

/// `GET /t/{slug}/newsletters/{id}/send`.
async fn confirm_send(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ConfirmPage> {
    send_page(page, &mut ctx, id).await
}

/// `POST /t/{slug}/newsletters/{id}/send`: one message per member, queued
/// in the outbox with the newsletter frozen, in one transaction.
async fn send(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let editor = ctx.grant::<SendNewsletters>()?;
    if !confirmation.given() {
        return Ok(send_page(page, &mut ctx, id).await?.instead());
    }
    let letter = load(ctx.conn(), id).await?;
    let people = recipients(ctx.conn(), letter.committee_id).await?;
    let me = ctx.user.id;
    if !editor.send_newsletter(ctx.conn(), id, &people, me).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &paths::newsletter(&ctx.tenant.slug, id),
        Notice::NewsletterSent,
    );
    Ok(Redirect::to(&to).into_response())
}
