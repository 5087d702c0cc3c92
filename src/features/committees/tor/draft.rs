//! The draft: the page the secretariat edits it on, in the tenant's
//! language and the others, and saving it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;

use super::{SECTIONS, TorText, draft_translations, load_draft, published, translated_name};
use crate::error::AppResult;
use crate::features::committees::committee::{self, Committee};
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::i18n::Translations;
use crate::tenancy::TenantCtx;

/// The draft form: the sections, the quorum and the sections'
/// translations (`mandate_fr`…, see [`TRANSLATED`](super::TRANSLATED)).
#[derive(Deserialize)]
pub struct TorForm {
    #[serde(flatten)]
    pub text: TorText,
    #[serde(default)]
    pub quorum: String,
    #[serde(flatten)]
    pub translated: HashMap<String, String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/tor_edit.html")]
pub(super) struct DraftPage {
    page: Chrome,
    slug: String,
    committee: Committee,
    text: TorText,
    quorum: String,
    /// The tenant's language, the one the sections are written in.
    own: String,
    translations: Translations,
    errors: FieldErrors,
    latest: Option<i32>,
    saved: bool,
}

impl DraftPage {
    /// The translation of `field` into `lang` as the form shows it.
    fn translated(&self, field: &str, lang: &str) -> &str {
        self.translations.get(lang, field).unwrap_or_default()
    }

    /// The portal's languages other than the tenant's.
    fn other_languages(&self) -> Vec<&'static str> {
        crate::i18n::SUPPORTED
            .iter()
            .map(|(lang, _)| *lang)
            .filter(|lang| *lang != self.own)
            .collect()
    }

    /// Whether any section has a translation into `lang` or an error in it.
    fn has_translations(&self, lang: &str) -> bool {
        SECTIONS.iter().any(|(field, _)| {
            !self.translated(field, lang).is_empty()
                || self.errors.has(translated_name(field, lang))
        })
    }
}

pub(super) async fn draft_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    text: Option<(TorText, Translations)>,
    quorum: Option<String>,
    errors: FieldErrors,
) -> AppResult<DraftPage> {
    let committee = committee::load(ctx.conn(), id).await?;
    let latest = published(ctx.conn(), id, None).await?;
    let saved = match load_draft(ctx.conn(), id).await? {
        Some(text) => Some((
            text,
            draft_translations(ctx.conn(), id)
                .await?
                .unwrap_or_default(),
        )),
        None => None,
    };
    let has_saved = saved.is_some();
    // A new draft starts from the latest published version.
    let (text, translations) = text
        .or(saved)
        .or_else(|| {
            latest
                .as_ref()
                .map(|v| (v.text.clone(), v.translations.clone()))
        })
        .unwrap_or_default();
    let stored = sqlx::query_scalar!(
        "select quorum_percent from tor_versions where committee_id = $1 and version is null",
        id
    )
    .fetch_optional(ctx.conn())
    .await?;
    // A saved draft says what it says (blank included); a new one starts
    // from the latest version; with neither, the quorum is blank.
    let quorum = quorum.unwrap_or_else(|| {
        stored
            .or(latest.as_ref().map(|v| v.quorum))
            .flatten()
            .map(|q| q.to_string())
            .unwrap_or_default()
    });
    Ok(DraftPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        text,
        quorum,
        own: ctx.tenant.default_language.clone(),
        translations,
        errors,
        latest: latest.map(|v| v.number),
        saved: has_saved,
    })
}

pub(super) async fn draft(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<DraftPage> {
    ctx.committee_editor()?;
    draft_page(page, &mut ctx, id, None, None, FieldErrors::default()).await
}

fn check(text: &TorText) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (field, _, value) in text.sections() {
        if let Err(key) = form::optional(value, 20_000) {
            errors.add(field, key);
        }
    }
    errors
}

pub(super) async fn save_draft(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<TorForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    committee::load(ctx.conn(), id).await?;
    let text = f.text;
    let mut errors = check(&text);
    let own = ctx.tenant.default_language.clone();
    let mut translations = Translations::default();
    for (field, _) in SECTIONS {
        for (lang, _) in crate::i18n::SUPPORTED {
            let name = translated_name(field, lang);
            let value = f.translated.get(name).map_or("", String::as_str);
            form::translation(
                &mut errors,
                &mut translations,
                &own,
                lang,
                field,
                name,
                value,
                20_000,
            );
        }
    }
    let quorum = form::check(
        &mut errors,
        "quorum",
        match f.quorum.trim() {
            // Blank: the terms of reference set no quorum.
            "" => Ok(None),
            q => match q.parse::<i16>() {
                Ok(q) if (1..=100).contains(&q) => Ok(Some(q)),
                _ => Err("tor.quorum_invalid"),
            },
        },
    );
    let (Some(quorum), true) = (quorum, errors.is_empty()) else {
        let page = draft_page(
            page,
            &mut ctx,
            id,
            Some((text, translations)),
            Some(f.quorum),
            errors,
        )
        .await?;
        return Ok(invalid(page));
    };
    editor
        .save_tor_draft(ctx.conn(), id, &text, &translations, quorum)
        .await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::committee_tor(&ctx.tenant.slug, id),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}
