//! Receiving a document: its details and its file from one multipart form.
//! The file streams into chunks as it arrives, inside the request's
//! transaction, so a refusal (a field wrong, the file too large, the
//! connection lost) stores nothing.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use super::extract::{self, Extractable};
use super::pages::{self, DocumentForm};
use super::{CHUNK, KINDS, LANGUAGES, VISIBILITIES};
use crate::authz::DocumentSharer;
use crate::choices::Notice;
use crate::error::{AppError, AppResult};
use crate::http::download::clean_file_name;
use crate::http::form::{self, FieldErrors};
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

/// What a document is linked to, each checked to be the tenant's.
#[derive(Debug, Default, Clone, Copy)]
pub struct Links {
    pub nap: Option<i64>,
    pub objective: Option<i64>,
    pub activity: Option<i64>,
    pub committee: Option<i64>,
    pub meeting: Option<i64>,
}

/// A document's details as checked.
#[derive(Debug)]
pub struct Details {
    pub title: String,
    pub kind: String,
    pub language: String,
    pub description: String,
    pub visibility: String,
    pub links: Links,
}

/// A file received and stored in chunks under `version`.
pub struct Received {
    pub version: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// The text read out of it, for search (empty when none could be).
    pub text: String,
}

fn id_of(raw: &str) -> Result<Option<i64>, &'static str> {
    match raw.trim() {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(|_| "field.choose"),
    }
}

impl DocumentForm {
    /// The details as typed, checked against the tenant's rows (row-level
    /// security: another tenant's id is not found).
    pub async fn check(&self, conn: &mut PgConnection) -> AppResult<Result<Details, FieldErrors>> {
        let mut errors = FieldErrors::default();
        let title = form::check(&mut errors, "title", form::required(&self.title, 200));
        let description = form::check(
            &mut errors,
            "description",
            form::optional(&form::lines(&self.description), 4000),
        );
        let kind = form::check(&mut errors, "kind", form::one_of(&self.kind, &KINDS));
        let language = form::check(
            &mut errors,
            "language",
            form::one_of(&self.language, &LANGUAGES),
        );
        let visibility = form::check(
            &mut errors,
            "visibility",
            form::one_of(&self.visibility, &VISIBILITIES),
        );
        let ids = [
            ("nap", &self.nap),
            ("objective", &self.objective),
            ("activity", &self.activity),
            ("committee", &self.committee),
            ("meeting", &self.meeting),
        ]
        .map(|(field, raw)| form::check(&mut errors, field, id_of(raw)).flatten());
        let [nap, objective, activity, committee, meeting] = ids;
        let found = sqlx::query!(
            r#"select (select id from naps where id = $1) as nap,
                      (select id from objectives where id = $2) as objective,
                      (select nap_id from objectives where id = $2) as objective_nap,
                      (select id from activities where id = $3) as activity,
                      (select nap_id from activities where id = $3) as activity_nap,
                      (select id from committees where id = $4) as committee,
                      (select id from meetings where id = $5) as meeting,
                      (select committee_id from meetings where id = $5) as meeting_committee"#,
            nap,
            objective,
            activity,
            committee,
            meeting
        )
        .fetch_one(conn)
        .await?;
        for (field, asked, got) in [
            ("nap", nap, found.nap),
            ("objective", objective, found.objective),
            ("activity", activity, found.activity),
            ("committee", committee, found.committee),
            ("meeting", meeting, found.meeting),
        ] {
            if asked.is_some() && got.is_none() {
                errors.add(field, "field.choose");
            }
        }
        let links = Links {
            nap: found.nap.or(found.activity_nap).or(found.objective_nap),
            objective: found.objective,
            activity: found.activity,
            committee: found.committee.or(found.meeting_committee),
            meeting: found.meeting,
        };
        if visibility == Some("committee") && links.committee.is_none() {
            errors.add("committee", "document.committee_required");
        }
        Ok(match (title, description, kind, language, visibility) {
            (Some(title), Some(description), Some(kind), Some(language), Some(visibility))
                if errors.is_empty() =>
            {
                Ok(Details {
                    title,
                    kind: kind.to_owned(),
                    language: language.to_owned(),
                    description,
                    visibility: visibility.to_owned(),
                    links,
                })
            }
            _ => Err(errors),
        })
    }
}

/// What the form brought: its details as typed, and the file if one was
/// received (stored when the details were right when the file came).
struct Upload {
    form: DocumentForm,
    checked: Option<Result<Details, FieldErrors>>,
    file: Option<Received>,
    /// A file with bytes came, kept or not.
    sent: bool,
}

/// The most a text field of the form may hold: far more than any field
/// takes, far less than a file.
const TEXT_LIMIT: usize = 64 * 1024;

/// A text field, read only up to [`TEXT_LIMIT`] (413 beyond): the uploads'
/// body limit is the file's, not a field's.
async fn small_text(field: &mut axum::extract::multipart::Field<'_>) -> AppResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        if bytes.len() + chunk.len() > TEXT_LIMIT {
            return Err(AppError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads the form; with `details` false only the file is read (a new
/// version). A file larger than the limit ends it with 413.
async fn receive(
    sharer: &DocumentSharer,
    ctx: &mut TenantCtx,
    state: &AppState,
    request: Request,
    details: bool,
) -> AppResult<Upload> {
    let limit = state.config.document_limit;
    let mut form = DocumentForm::default();
    let mut checked = None;
    let mut file = None;
    let mut sent = false;
    let mut multipart = Multipart::from_request(request, state).await?;
    while let Some(mut field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            form.set(&name, small_text(&mut field).await?);
            continue;
        }
        let file_name = clean_file_name(field.file_name().unwrap_or_default());
        if details && checked.is_none() {
            checked = Some(form.check(ctx.conn()).await?);
        }
        let store = !matches!(checked, Some(Err(_))) && file.is_none();
        let version = if store {
            Some(sharer.take_version_id(ctx.conn()).await?)
        } else {
            None
        };
        let kind = Extractable::of(&file_name);
        let mut copy = kind.map(|_| Vec::new());
        let mut digest = Sha256::new();
        let mut pending: Vec<u8> = Vec::with_capacity(if store { CHUNK } else { 0 });
        let (mut size, mut n) = (0usize, 0i32);
        while let Some(bytes) = field.chunk().await? {
            size += bytes.len();
            if size > limit {
                return Err(AppError::TooLarge);
            }
            let Some(version) = version else { continue };
            digest.update(&bytes);
            copy = copy.filter(|_| size <= extract::LIMIT);
            if let Some(copy) = copy.as_mut() {
                copy.extend_from_slice(&bytes);
            }
            pending.extend_from_slice(&bytes);
            while pending.len() >= CHUNK {
                sharer
                    .write_chunk(ctx.conn(), version, n, &pending[..CHUNK])
                    .await?;
                pending.drain(..CHUNK);
                n += 1;
            }
        }
        sent |= size > 0;
        let Some(version) = version.filter(|_| size > 0) else {
            continue;
        };
        if !pending.is_empty() {
            sharer.write_chunk(ctx.conn(), version, n, &pending).await?;
        }
        let text = match (kind, copy) {
            (Some(kind), Some(bytes)) => extract::in_background(kind, bytes).await,
            _ => String::new(),
        };
        file = Some(Received {
            version,
            content_type: files_type(&file_name).to_owned(),
            name: file_name,
            size: size as i64,
            sha256: format!("{:x}", digest.finalize()),
            text,
        });
    }
    if details && checked.is_none() {
        checked = Some(form.check(ctx.conn()).await?);
    }
    Ok(Upload {
        form,
        checked,
        file,
        sent,
    })
}

fn files_type(name: &str) -> &'static str {
    super::files::content_type(name)
}

/// `POST /t/{slug}/documents`: a new document and its first version.
pub(super) async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    State(state): State<AppState>,
    request: Request,
) -> AppResult<Response> {
    let sharer = ctx.grant::<crate::authz::ShareDocuments>()?;
    let upload = receive(&sharer, &mut ctx, &state, request, true).await?;
    let mut errors = match upload.checked {
        Some(Ok(details)) if upload.file.is_some() => {
            let file = upload.file.as_ref().expect("checked above");
            let me = ctx.user.id;
            let id = sharer.add_document(ctx.conn(), &details, Some(me)).await?;
            sharer
                .add_version(ctx.conn(), id, file, Some(me), None)
                .await?
                .ok_or(AppError::NotFound)?;
            let ctx = ctx.commit().await?;
            let to = crate::http::notice::done(
                &crate::paths::document(&ctx.tenant.slug, id),
                Notice::Added,
            );
            return Ok(Redirect::to(&to).into_response());
        }
        Some(Err(errors)) => errors,
        _ => FieldErrors::default(),
    };
    if upload.sent {
        errors.add("file", "document.file_again");
    } else {
        errors.add("file", "document.file_required");
    }
    pages::new_page(
        page,
        &mut ctx,
        state.config.document_limit,
        upload.form,
        errors,
    )
    .await
}

/// `POST /t/{slug}/documents/{id}/versions`: a new version of a document.
pub(super) async fn add_version(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    State(state): State<AppState>,
    request: Request,
) -> AppResult<Response> {
    let sharer = ctx.grant::<crate::authz::ShareDocuments>()?;
    // Only a document the person reads takes a version: known before the file.
    sqlx::query_scalar!("select id from documents where id = $1", id)
        .fetch_optional(ctx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let upload = receive(&sharer, &mut ctx, &state, request, false).await?;
    let Some(file) = upload.file else {
        let mut errors = FieldErrors::default();
        errors.add("file", "document.file_required");
        return pages::show_page(page, &mut ctx, state.config.document_limit, id, errors).await;
    };
    let me = ctx.user.id;
    sharer
        .add_version(ctx.conn(), id, &file, Some(me), None)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = ctx.commit().await?;
    let to =
        crate::http::notice::done(&crate::paths::document(&ctx.tenant.slug, id), Notice::Added);
    Ok(Redirect::to(&to).into_response())
}
