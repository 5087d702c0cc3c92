//! Terms of reference: the secretariat edits a draft; publishing freezes it
//! as the next numbered version, and the database refuses any change to a
//! published version.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::committee::{self, Committee};
use crate::authz::CommitteeEditor;
use crate::error::{AppError, AppResult};
use crate::http::form::invalid;
use crate::http::form::{self, FieldErrors};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::committee_tor, draft)
        .post(at::committee_tor, save_draft)
        .post(at::committee_tor_publish, publish)
        .get(at::committee_tor_v, version)
        .get(at::committee_tor_compare, compare)
}

/// The sections, in order: (field name, label key).
pub const SECTIONS: [(&str, &str); 9] = [
    ("mandate", "tor.mandate"),
    ("purpose", "tor.purpose"),
    ("composition", "tor.composition"),
    ("roles", "tor.roles"),
    ("decision_making", "tor.decision_making"),
    ("meeting_frequency", "tor.meeting_frequency"),
    ("reporting", "tor.reporting"),
    ("changes", "tor.changes"),
    ("confidentiality", "tor.confidentiality"),
];

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct TorText {
    #[serde(default)]
    pub mandate: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub composition: String,
    #[serde(default)]
    pub roles: String,
    #[serde(default)]
    pub decision_making: String,
    #[serde(default)]
    pub meeting_frequency: String,
    #[serde(default)]
    pub reporting: String,
    #[serde(default)]
    pub changes: String,
    #[serde(default)]
    pub confidentiality: String,
}

impl TorText {
    /// (field, label key, text) for each section, in order.
    pub fn sections(&self) -> Vec<(&'static str, &'static str, &str)> {
        let texts = [
            &self.mandate,
            &self.purpose,
            &self.composition,
            &self.roles,
            &self.decision_making,
            &self.meeting_frequency,
            &self.reporting,
            &self.changes,
            &self.confidentiality,
        ];
        SECTIONS
            .iter()
            .zip(texts)
            .map(|((f, l), t)| (*f, *l, t.as_str()))
            .collect()
    }
}

/// The draft form: the sections and the quorum.
#[derive(Deserialize)]
pub struct TorForm {
    #[serde(flatten)]
    pub text: TorText,
    #[serde(default)]
    pub quorum: String,
}

/// A published version.
pub struct Version {
    pub number: i32,
    /// The share of voting members that makes a quorum.
    pub quorum: i16,
    pub published: String,
    pub publisher: String,
    pub text: TorText,
}

/// Version `n`, or the latest when `None`; only published ones.
pub async fn published(
    conn: &mut PgConnection,
    committee: i64,
    n: Option<i32>,
) -> AppResult<Option<Version>> {
    let row = sqlx::query!(
        r#"select t.version as "version!", t.published_at as "published_at!", u.name as "publisher?",
                  t.mandate, t.purpose, t.composition, t.roles, t.decision_making, t.meeting_frequency,
                  t.reporting, t.changes, t.confidentiality, t.quorum_percent
           from tor_versions t left join users u on u.id = t.published_by
           where t.committee_id = $1 and t.version is not null and ($2::int is null or t.version = $2)
           order by t.version desc limit 1"#,
        committee,
        n
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Version {
        number: r.version,
        quorum: r.quorum_percent,
        published: crate::http::page::format_date(r.published_at),
        publisher: r.publisher.unwrap_or_default(),
        text: TorText {
            mandate: r.mandate,
            purpose: r.purpose,
            composition: r.composition,
            roles: r.roles,
            decision_making: r.decision_making,
            meeting_frequency: r.meeting_frequency,
            reporting: r.reporting,
            changes: r.changes,
            confidentiality: r.confidentiality,
        },
    }))
}

/// Every published version's number and date, newest first.
pub async fn history(conn: &mut PgConnection, committee: i64) -> AppResult<Vec<(i32, String)>> {
    Ok(sqlx::query!(
        "select version as \"version!\", published_at as \"published_at!\" from tor_versions
         where committee_id = $1 and version is not null order by version desc",
        committee
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|v| (v.version, crate::http::page::format_date(v.published_at)))
    .collect())
}

async fn load_draft(conn: &mut PgConnection, committee: i64) -> AppResult<Option<TorText>> {
    Ok(sqlx::query_as!(
        TorText,
        "select mandate, purpose, composition, roles, decision_making, meeting_frequency, reporting, changes,
                confidentiality
         from tor_versions where committee_id = $1 and version is null",
        committee
    )
    .fetch_optional(conn)
    .await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/tor_edit.html")]
struct DraftPage {
    page: Chrome,
    slug: String,
    committee: Committee,
    text: TorText,
    quorum: String,
    errors: FieldErrors,
    latest: Option<i32>,
    saved: bool,
}

async fn draft_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    text: Option<TorText>,
    quorum: Option<String>,
    errors: FieldErrors,
) -> AppResult<DraftPage> {
    let committee = committee::load(ctx.conn(), id).await?;
    let latest = published(ctx.conn(), id, None).await?;
    let saved = load_draft(ctx.conn(), id).await?;
    let has_saved = saved.is_some();
    // A new draft starts from the latest published version.
    let text = text
        .or(saved)
        .or_else(|| latest.as_ref().map(|v| v.text.clone()))
        .unwrap_or_default();
    let stored = sqlx::query_scalar!(
        "select quorum_percent from tor_versions where committee_id = $1 and version is null",
        id
    )
    .fetch_optional(ctx.conn())
    .await?;
    let quorum = quorum
        .or_else(|| {
            stored
                .or(latest.as_ref().map(|v| v.quorum))
                .map(|q| q.to_string())
        })
        .unwrap_or_else(|| "50".to_owned());
    Ok(DraftPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        text,
        quorum,
        errors,
        latest: latest.map(|v| v.number),
        saved: has_saved,
    })
}

async fn draft(
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

async fn save_draft(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<TorForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    committee::load(ctx.conn(), id).await?;
    let text = f.text;
    let mut errors = check(&text);
    let quorum = form::check(
        &mut errors,
        "quorum",
        match f.quorum.trim() {
            "" => Ok(50),
            q => match q.parse::<i16>() {
                Ok(q) if (1..=100).contains(&q) => Ok(q),
                _ => Err("tor.quorum_invalid"),
            },
        },
    );
    let (Some(quorum), true) = (quorum, errors.is_empty()) else {
        let page = draft_page(page, &mut ctx, id, Some(text), Some(f.quorum), errors).await?;
        return Ok(invalid(page));
    };
    editor.save_tor_draft(ctx.conn(), id, &text, quorum).await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::committee_tor(&ctx.tenant.slug, id),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

async fn publish(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    let Some(text) = load_draft(ctx.conn(), id).await? else {
        let mut errors = FieldErrors::default();
        errors.add("mandate", "tor.nothing_to_publish");
        let page = draft_page(page, &mut ctx, id, None, None, errors).await?;
        return Ok(invalid(page));
    };
    if text.mandate.trim().is_empty() || text.purpose.trim().is_empty() {
        let mut errors = FieldErrors::default();
        for (field, value) in [("mandate", &text.mandate), ("purpose", &text.purpose)] {
            if value.trim().is_empty() {
                errors.add(field, "tor.required_to_publish");
            }
        }
        let page = draft_page(page, &mut ctx, id, Some(text), None, errors).await?;
        return Ok(invalid(page));
    }
    let by = ctx.user.id;
    let version = editor
        .publish_tor(ctx.conn(), id, by)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = ctx.commit().await?;
    tracing::info!(committee = id, version, "terms of reference published");
    let to = crate::http::notice::done(
        &crate::paths::committee_tor_v(&ctx.tenant.slug, id, version),
        crate::choices::Notice::TorPublished,
    );
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/tor_version.html")]
struct VersionPage {
    page: Chrome,
    slug: String,
    committee: Committee,
    version: Version,
    history: Vec<(i32, String)>,
}

async fn version(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, n)): Path<(String, i64, i32)>,
) -> AppResult<VersionPage> {
    let committee = committee::load(ctx.conn(), id).await?;
    let version = published(ctx.conn(), id, Some(n))
        .await?
        .ok_or(AppError::NotFound)?;
    let history = history(ctx.conn(), id).await?;
    Ok(VersionPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        version,
        history,
    })
}

#[derive(Deserialize)]
struct CompareQuery {
    a: i32,
    b: i32,
}

pub struct SectionDiff {
    pub label_key: &'static str,
    pub before: String,
    pub after: String,
    pub changed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/tor_compare.html")]
struct ComparePage {
    page: Chrome,
    slug: String,
    committee: Committee,
    a: i32,
    b: i32,
    sections: Vec<SectionDiff>,
}

async fn compare(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<CompareQuery>,
) -> AppResult<ComparePage> {
    let committee = committee::load(ctx.conn(), id).await?;
    let a = published(ctx.conn(), id, Some(q.a))
        .await?
        .ok_or(AppError::NotFound)?;
    let b = published(ctx.conn(), id, Some(q.b))
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = a
        .text
        .sections()
        .into_iter()
        .zip(b.text.sections())
        .map(|((_, label_key, before), (_, _, after))| SectionDiff {
            label_key,
            changed: before != after,
            before: before.to_owned(),
            after: after.to_owned(),
        })
        .collect();
    Ok(ComparePage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        a: q.a,
        b: q.b,
        sections,
    })
}

/// The writes of terms of reference, which only a [`CommitteeEditor`]
/// makes. A published version never changes (a trigger refuses it for
/// every role): only the draft does.
impl CommitteeEditor {
    async fn save_tor_draft(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        t: &TorText,
        quorum: i16,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into tor_versions (tenant_id, committee_id, mandate, purpose, composition, roles, decision_making,
                                       meeting_frequency, reporting, changes, confidentiality, quorum_percent)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             on conflict on constraint tor_versions_tenant_id_committee_id_version_key do update
             set mandate = excluded.mandate, purpose = excluded.purpose, composition = excluded.composition,
                 roles = excluded.roles, decision_making = excluded.decision_making,
                 meeting_frequency = excluded.meeting_frequency, reporting = excluded.reporting,
                 changes = excluded.changes, confidentiality = excluded.confidentiality,
                 quorum_percent = excluded.quorum_percent",
            self.tenant_id(),
            committee,
            t.mandate.trim(),
            t.purpose.trim(),
            t.composition.trim(),
            t.roles.trim(),
            t.decision_making.trim(),
            t.meeting_frequency.trim(),
            t.reporting.trim(),
            t.changes.trim(),
            t.confidentiality.trim(),
            quorum
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Freezes the draft as the next version; its number, or `None` when
    /// the committee does not exist. The row lock on the committee keeps
    /// two publishers from taking one number.
    async fn publish_tor(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        by: i64,
    ) -> AppResult<Option<i32>> {
        let found = sqlx::query!(
            "select id from committees where tenant_id = $1 and id = $2 for update",
            self.tenant_id(),
            committee
        )
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_none() {
            return Ok(None);
        }
        Ok(sqlx::query_scalar!(
            "update tor_versions set version = (select coalesce(max(version), 0) + 1 from tor_versions
                                                where tenant_id = $1 and committee_id = $2),
                    published_at = now(), published_by = $3
             where tenant_id = $1 and committee_id = $2 and version is null returning version",
            self.tenant_id(),
            committee,
            by
        )
        .fetch_one(conn)
        .await?)
    }
}
