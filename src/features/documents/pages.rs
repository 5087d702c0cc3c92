//! The library's pages: the list (by kind), the form of a new document,
//! a document with its versions, its details' form and its deletion.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{KINDS, LANGUAGES, Line, ListQuery, VISIBILITIES};
use crate::authz::{self, ShareDocuments};
use crate::choices::Notice;
use crate::error::{AppError, AppResult};
use crate::features::committees::committee::{Named, named};
use crate::http::form::{FieldErrors, Form, invalid};
use crate::http::page::{Chrome, ConfirmPage, Confirmation};
use crate::i18n;
use crate::paths;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

/// The details as typed (every field text, so a refusal shows them again).
/// Links are ids; the page of origin fills them in (`?activity=12`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct DocumentForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub visibility: String,
    #[serde(default)]
    pub nap: String,
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub activity: String,
    #[serde(default)]
    pub committee: String,
    #[serde(default)]
    pub meeting: String,
}

impl DocumentForm {
    /// Sets the field `name` of a multipart form; unknown names are ignored.
    pub fn set(&mut self, name: &str, value: String) {
        let field = match name {
            "title" => &mut self.title,
            "kind" => &mut self.kind,
            "language" => &mut self.language,
            "description" => &mut self.description,
            "visibility" => &mut self.visibility,
            "nap" => &mut self.nap,
            "objective" => &mut self.objective,
            "activity" => &mut self.activity,
            "committee" => &mut self.committee,
            "meeting" => &mut self.meeting,
            _ => return,
        };
        *field = value;
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/list.html")]
pub struct ListPage {
    page: Chrome,
    slug: String,
    documents: Vec<Line>,
    kind: String,
    kinds: &'static [&'static str],
    can_add: bool,
}

/// `GET /t/{slug}/documents`: what the person may read, latest first.
pub(super) async fn list(
    page: Chrome,
    mut ctx: TenantCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<ListPage> {
    let kind = KINDS
        .iter()
        .find(|k| **k == q.kind)
        .map(|k| (*k).to_owned())
        .unwrap_or_default();
    let documents = super::lines(ctx.conn(), &kind, None, 500).await?;
    let can_add = ctx.grant::<ShareDocuments>().is_ok();
    Ok(ListPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        documents,
        kind,
        kinds: &KINDS,
        can_add,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/new.html")]
pub struct NewPage {
    page: Chrome,
    slug: String,
    form: DocumentForm,
    errors: FieldErrors,
    kinds: &'static [&'static str],
    languages: &'static [&'static str],
    visibilities: &'static [&'static str],
    naps: Vec<Named>,
    committees: Vec<Named>,
    /// What the page of origin linked it to, in words ("Activity 1.1.2 …").
    linked: Vec<String>,
    limit: String,
}

/// `GET /t/{slug}/documents/new`: the form, linked to what the query names.
pub(super) async fn new(
    page: Chrome,
    mut ctx: TenantCtx,
    State(state): State<AppState>,
    Query(mut form): Query<DocumentForm>,
) -> AppResult<Response> {
    ctx.grant::<ShareDocuments>()?;
    if form.language.is_empty() {
        form.language = i18n::current().to_owned();
    }
    if form.visibility.is_empty() {
        form.visibility = "members".to_owned();
    }
    let limit = state.config.document_limit;
    Ok(
        new_page(page, &mut ctx, limit, form, FieldErrors::default())
            .await?
            .into_response(),
    )
}

/// The form of a new document, with `errors` beside their fields (422
/// when there are some).
pub(super) async fn new_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    limit: usize,
    form: DocumentForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let id = |raw: &str| raw.trim().parse::<i64>().ok();
    let naps = sqlx::query_as!(Named, "select id, title as name from naps order by title")
        .fetch_all(ctx.conn())
        .await?;
    let committees = named(ctx.conn()).await?;
    let linked = sqlx::query_scalar!(
        r#"select a.code || ' ' || a.title as "name!" from activities a where a.id = $1
           union all
           select o.code || ' ' || o.title from objectives o where o.id = $2
           union all
           select c.name || ' · ' || to_char(m.starts_at, 'YYYY-MM-DD') from meetings m
             join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
            where m.id = $3"#,
        id(&form.activity),
        id(&form.objective),
        id(&form.meeting)
    )
    .fetch_all(ctx.conn())
    .await?;
    let limit = super::size_text(limit as i64);
    let page = NewPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        form,
        kinds: &KINDS,
        languages: &LANGUAGES,
        visibilities: &VISIBILITIES,
        naps,
        committees,
        linked,
        limit,
        errors,
    };
    Ok(if page.errors.is_empty() {
        page.into_response()
    } else {
        invalid(page)
    })
}

/// One version of a document.
pub struct Version {
    pub number: i32,
    pub file_name: String,
    pub size: i64,
    pub uploaded_by: Option<String>,
    pub uploaded_at: OffsetDateTime,
    pub has_text: bool,
}

impl Version {
    pub fn size_text(&self) -> String {
        super::size_text(self.size)
    }

    pub fn day(&self) -> String {
        i18n::date(self.uploaded_at)
    }
}

/// A document as its page shows it.
pub struct Document {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub language: String,
    pub description: String,
    pub visibility: String,
    pub committee_id: Option<i64>,
    pub created_by: Option<i64>,
    pub committee: Option<String>,
    pub nap: Option<(i64, String)>,
    pub activity: Option<(i64, i64, String)>,
    pub meeting: Option<(i64, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/show.html")]
pub struct ShowPage {
    page: Chrome,
    slug: String,
    item: Document,
    versions: Vec<Version>,
    form: DocumentForm,
    errors: FieldErrors,
    can_add_version: bool,
    can_edit: bool,
    kinds: &'static [&'static str],
    languages: &'static [&'static str],
    visibilities: &'static [&'static str],
    committees: Vec<Named>,
    limit: String,
}

/// The document and its versions; 404 when the person may not read it.
async fn load(ctx: &mut TenantCtx, id: i64) -> AppResult<(Document, Vec<Version>)> {
    let r = sqlx::query!(
        r#"select d.id, d.title, d.kind, d.language, d.description, d.visibility, d.committee_id,
                  d.created_by, c.name as "committee?", n.id as "nap_id?", n.title as "nap_title?",
                  a.id as "activity_id?", a.nap_id as "activity_nap?", a.code || ' ' || a.title as "activity?",
                  m.id as "meeting_id?", to_char(m.starts_at, 'YYYY-MM-DD') as "meeting_day?"
           from documents d
           left join committees c on c.tenant_id = d.tenant_id and c.id = d.committee_id
           left join naps n on n.tenant_id = d.tenant_id and n.id = d.nap_id
           left join activities a on a.tenant_id = d.tenant_id and a.id = d.activity_id
           left join meetings m on m.tenant_id = d.tenant_id and m.id = d.meeting_id
           where d.id = $1"#,
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let versions = sqlx::query_as!(
        Version,
        r#"select v.number, v.file_name, v.size, u.name as "uploaded_by?", v.uploaded_at,
                  v.body <> '' as "has_text!"
           from document_versions v left join users u on u.id = v.uploaded_by
           where v.document_id = $1 order by v.number desc"#,
        id
    )
    .fetch_all(ctx.conn())
    .await?;
    let doc = Document {
        id: r.id,
        title: r.title,
        kind: r.kind,
        language: r.language,
        description: r.description,
        visibility: r.visibility,
        committee_id: r.committee_id,
        created_by: r.created_by,
        committee: r.committee,
        nap: r.nap_id.zip(r.nap_title),
        activity: match (r.activity_id, r.activity_nap, r.activity) {
            (Some(id), Some(nap), Some(name)) => Some((nap, id, name)),
            _ => None,
        },
        meeting: r.meeting_id.zip(r.meeting_day),
    };
    Ok((doc, versions))
}

/// The form of a document's details as stored.
fn form_of(doc: &Document) -> DocumentForm {
    DocumentForm {
        title: doc.title.clone(),
        kind: doc.kind.clone(),
        language: doc.language.clone(),
        description: doc.description.clone(),
        visibility: doc.visibility.clone(),
        committee: doc.committee_id.map(|c| c.to_string()).unwrap_or_default(),
        ..DocumentForm::default()
    }
}

fn editor(ctx: &TenantCtx, doc: &Document) -> AppResult<authz::DocumentEditor> {
    authz::document_editor(
        ctx.tenant.id,
        ctx.member.role,
        ctx.user.id,
        doc.id,
        doc.created_by,
    )
}

/// `GET /t/{slug}/documents/{id}`.
pub(super) async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let limit = state.config.document_limit;
    show_page(page, &mut ctx, limit, id, FieldErrors::default()).await
}

/// The document's page, with `errors` beside the new version's file.
pub(super) async fn show_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    limit: usize,
    id: i64,
    errors: FieldErrors,
) -> AppResult<Response> {
    let (doc, versions) = load(ctx, id).await?;
    let form = form_of(&doc);
    render_show(page, ctx, limit, doc, versions, form, errors).await
}

async fn render_show(
    page: Chrome,
    ctx: &mut TenantCtx,
    limit: usize,
    doc: Document,
    versions: Vec<Version>,
    form: DocumentForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let can_edit = editor(ctx, &doc).is_ok();
    let committees = if can_edit {
        named(ctx.conn()).await?
    } else {
        Vec::new()
    };
    let page = ShowPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        can_add_version: ctx.grant::<ShareDocuments>().is_ok(),
        can_edit,
        item: doc,
        versions,
        form,
        kinds: &KINDS,
        languages: &LANGUAGES,
        visibilities: &VISIBILITIES,
        committees,
        limit: super::size_text(limit as i64),
        errors,
    };
    Ok(if page.errors.is_empty() {
        page.into_response()
    } else {
        invalid(page)
    })
}

/// `POST /t/{slug}/documents/{id}`: the details saved (the secretariat's
/// and the author's).
pub(super) async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
    Form(typed): Form<DocumentForm>,
) -> AppResult<Response> {
    let (doc, versions) = load(&mut ctx, id).await?;
    let editor = editor(&ctx, &doc)?;
    // Only the details: the links stay those the document was added with.
    let typed = DocumentForm {
        nap: String::new(),
        objective: String::new(),
        activity: String::new(),
        meeting: String::new(),
        ..typed
    };
    match typed.check(ctx.conn()).await? {
        Ok(details) => {
            editor.save_details(ctx.conn(), &details).await?;
            let ctx = ctx.commit().await?;
            let to =
                crate::http::notice::done(&paths::document(&ctx.tenant.slug, id), Notice::Saved);
            Ok(Redirect::to(&to).into_response())
        }
        Err(errors) => {
            let limit = state.config.document_limit;
            render_show(page, &mut ctx, limit, doc, versions, typed, errors).await
        }
    }
}

async fn delete_page(page: Chrome, ctx: &mut TenantCtx, id: i64) -> AppResult<ConfirmPage> {
    let (doc, versions) = load(ctx, id).await?;
    editor(ctx, &doc)?;
    let slug = ctx.tenant.slug.clone();
    Ok(ConfirmPage::new(
        page.in_tenant(ctx),
        i18n::t_with("document.delete_question", "value", &doc.title),
        paths::document_delete(&slug, id),
        paths::document(&slug, id),
    )
    .then(i18n::t_with(
        "document.delete_versions",
        "value",
        &versions.len().to_string(),
    ))
    .then(i18n::t("confirm.for_good").into_owned()))
}

/// `GET /t/{slug}/documents/{id}/delete`.
pub(super) async fn confirm_delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ConfirmPage> {
    delete_page(page, &mut ctx, id).await
}

/// `POST /t/{slug}/documents/{id}/delete`: the document and its versions
/// go; the audit log keeps that they were.
pub(super) async fn delete(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let (doc, _) = load(&mut ctx, id).await?;
    let editor = editor(&ctx, &doc)?;
    if !confirmation.given() {
        return Ok(delete_page(page, &mut ctx, id).await?.instead());
    }
    if !editor.delete_document(ctx.conn()).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(&paths::documents(&ctx.tenant.slug), Notice::Deleted);
    Ok(Redirect::to(&to).into_response())
}
