//! Publishing: the page that shows the draft as it will be frozen, and
//! what it changes, then the freeze itself.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use super::compare::{SectionDiff, section_diffs};
use super::draft::draft_page;
use super::{TorText, Version, draft_translations, load_draft, published};
use crate::error::{AppError, AppResult};
use crate::features::committees::committee::{self, Committee};
use crate::http::form::{FieldErrors, Form, invalid};
use crate::http::page::{Chrome, Confirmation};
use crate::tenancy::TenantCtx;

/// The draft and its quorum as they would be published, or what stops it:
/// nothing saved, or a section publishing needs is empty (the draft page
/// then says so beside it).
async fn publishable(
    conn: &mut PgConnection,
    id: i64,
) -> AppResult<Result<(TorText, Option<i16>), FieldErrors>> {
    let mut errors = FieldErrors::default();
    let Some(text) = load_draft(conn, id).await? else {
        errors.add("mandate", "tor.nothing_to_publish");
        return Ok(Err(errors));
    };
    for (field, value) in [("mandate", &text.mandate), ("purpose", &text.purpose)] {
        if value.trim().is_empty() {
            errors.add(field, "tor.required_to_publish");
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let quorum = sqlx::query_scalar!(
        "select quorum_percent from tor_versions where committee_id = $1 and version is null",
        id
    )
    .fetch_one(conn)
    .await?;
    Ok(Ok((text, quorum)))
}

/// The publishing page, or the draft page with what stops publishing
/// (422 for a form, 200 for a page asked for by a link).
async fn preview_or_refusal(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    posted: bool,
) -> AppResult<Response> {
    Ok(match publishable(ctx.conn(), id).await? {
        Ok((text, quorum)) => publish_page(page, ctx, id, text, quorum)
            .await?
            .into_response(),
        Err(errors) => {
            // The draft page shows the saved draft beside what stops it.
            let draft = draft_page(page, ctx, id, None, None, errors).await?;
            if posted {
                invalid(draft)
            } else {
                draft.into_response()
            }
        }
    })
}

/// The publishing page: the draft as it will read, and what changes
/// against the version in force, before anything is frozen.
#[derive(Template, WebTemplate)]
#[template(path = "committees/tor_publish.html")]
struct PublishPage {
    page: Chrome,
    slug: String,
    committee: Committee,
    /// The draft, numbered as it will be.
    version: Version,
    /// The version in force now, if any.
    current: Option<i32>,
    sections: Vec<SectionDiff>,
    /// The quorum before and after, when it changes.
    quorum_change: Option<(String, String)>,
    on_portal: bool,
    today: time::Date,
}

impl PublishPage {
    fn unchanged(&self) -> usize {
        self.sections.iter().filter(|s| !s.changed).count()
    }

    /// "Version 3 is published today, 20 June 2026, and never changes after."
    fn frozen(&self) -> String {
        crate::i18n::t_args(
            "tor.publish_frozen",
            &[
                ("value", &self.version.number.to_string()),
                ("date", &self.page.day(&self.today)),
            ],
        )
    }

    fn left_heading(&self) -> String {
        let n = self.current.unwrap_or_default().to_string();
        self.page.t_with("tor.version_in_force", "value", &n)
    }

    fn right_heading(&self) -> String {
        let n = self.version.number.to_string();
        self.page.t_with("tor.version_draft", "value", &n)
    }
}

async fn publish_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    text: TorText,
    quorum: Option<i16>,
) -> AppResult<PublishPage> {
    let committee = committee::load(ctx.conn(), id).await?;
    let current = published(ctx.conn(), id, None).await?;
    let on_portal = sqlx::query_scalar!(
        "select public_portal from tenants where id = $1",
        ctx.tenant.id
    )
    .fetch_one(ctx.conn())
    .await?;
    let (sections, quorum_change) = match &current {
        Some(v) => (
            section_diffs(&v.text, &text),
            super::quorum_change(v.quorum, quorum),
        ),
        None => (Vec::new(), None),
    };
    Ok(PublishPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        version: Version {
            number: current.as_ref().map_or(1, |v| v.number + 1),
            quorum,
            published: String::new(),
            publisher: String::new(),
            text,
            translations: draft_translations(ctx.conn(), id)
                .await?
                .unwrap_or_default(),
        },
        current: current.map(|v| v.number),
        sections,
        quorum_change,
        on_portal,
        today: time::OffsetDateTime::now_utc().date(),
    })
}

pub(super) async fn publish_preview(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    ctx.committee_editor()?;
    committee::load(ctx.conn(), id).await?;
    preview_or_refusal(page, &mut ctx, id, false).await
}

/// Freezes the draft as the next version, once the publishing page has
/// been seen: a form without its confirmation gets that page instead.
pub(super) async fn publish(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    if !confirmation.given() || publishable(ctx.conn(), id).await?.is_err() {
        return preview_or_refusal(page, &mut ctx, id, true).await;
    }
    let by = ctx.user.id;
    let version = editor
        .publish_tor(ctx.conn(), id, by)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::features::notifications::events::tor_published(&mut ctx, id, version).await?;
    let ctx = ctx.commit().await?;
    tracing::info!(committee = id, version, "terms of reference published");
    let to = crate::http::notice::done(
        &crate::paths::committee_tor_v(&ctx.tenant.slug, id, version),
        crate::choices::Notice::TorPublished,
    );
    Ok(Redirect::to(&to).into_response())
}
