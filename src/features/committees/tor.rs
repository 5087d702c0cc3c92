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
use crate::http::page::{Chrome, Confirmation};
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::committee_tor, draft)
        .post(at::committee_tor, save_draft)
        .get(at::committee_tor_publish, publish_preview)
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

/// The draft and its quorum as they would be published, or what stops it:
/// nothing saved, or a section publishing needs is empty (the draft page
/// then says so beside it).
async fn publishable(
    conn: &mut PgConnection,
    id: i64,
) -> AppResult<Result<(TorText, i16), (Option<TorText>, FieldErrors)>> {
    let mut errors = FieldErrors::default();
    let Some(text) = load_draft(conn, id).await? else {
        errors.add("mandate", "tor.nothing_to_publish");
        return Ok(Err((None, errors)));
    };
    for (field, value) in [("mandate", &text.mandate), ("purpose", &text.purpose)] {
        if value.trim().is_empty() {
            errors.add(field, "tor.required_to_publish");
        }
    }
    if !errors.is_empty() {
        return Ok(Err((Some(text), errors)));
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
        Err((text, errors)) => {
            let draft = draft_page(page, ctx, id, text, None, errors).await?;
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
    quorum_change: Option<(i16, i16)>,
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
    quorum: i16,
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
            (v.quorum != quorum).then_some((v.quorum, quorum)),
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
        },
        current: current.map(|v| v.number),
        sections,
        quorum_change,
        on_portal,
        today: time::OffsetDateTime::now_utc().date(),
    })
}

async fn publish_preview(
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
async fn publish(
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

/// One section of two versions side by side, each with its changed words marked.
pub struct SectionDiff {
    pub label_key: &'static str,
    pub before: Vec<Piece>,
    pub after: Vec<Piece>,
    pub changed: bool,
}

/// The sections of `a` and `b`, in order, word by word.
pub fn section_diffs(a: &TorText, b: &TorText) -> Vec<SectionDiff> {
    a.sections()
        .into_iter()
        .zip(b.sections())
        .map(|((_, label_key, before), (_, _, after))| {
            let (old, new) = word_diff(before, after);
            SectionDiff {
                label_key,
                changed: before != after,
                before: old,
                after: new,
            }
        })
        .collect()
}

/// A run of text on one side of a comparison: the same on both sides, or
/// only on this one (removed from the older text, added to the newer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub change: Change,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Removed,
    Added,
}

impl Piece {
    pub fn removed(&self) -> bool {
        self.change == Change::Removed
    }

    pub fn added(&self) -> bool {
        self.change == Change::Added
    }
}

/// Words, runs of white space, and each other character (punctuation) on
/// its own, so that "quarter." against "month." marks the word only.
fn tokens(text: &str) -> Vec<&str> {
    let class = |c: char| {
        if c.is_alphanumeric() {
            0
        } else if c.is_whitespace() {
            1
        } else {
            2
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut last: Option<u8> = None;
    for (i, c) in text.char_indices() {
        let k = class(c);
        if last.is_some_and(|l| l != k || k == 2) {
            out.push(&text[start..i]);
            start = i;
        }
        last = Some(k);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn is_space(token: &str) -> bool {
    token.chars().all(char::is_whitespace)
}

/// The older and the newer text as pieces, the words that changed marked:
/// removed ones on the older side, added ones on the newer.
pub fn word_diff(before: &str, after: &str) -> (Vec<Piece>, Vec<Piece>) {
    let old = tokens(before);
    let new = tokens(after);
    let mut left = Vec::new();
    let mut right = Vec::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            push(&mut left, Change::Same, &old[o]);
            push(&mut right, Change::Same, &new[n]);
        } else {
            mark(&mut left, Change::Removed, &old[o]);
            mark(&mut right, Change::Added, &new[n]);
        }
    }
    (join_marks(left), join_marks(right))
}

fn push(pieces: &mut Vec<Piece>, change: Change, tokens: &[&str]) {
    let text = tokens.concat();
    if text.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(last) if last.change == change => last.text.push_str(&text),
        _ => pieces.push(Piece { text, change }),
    }
}

/// Marks `tokens` as changed, but not the white space at either end: only words.
fn mark(pieces: &mut Vec<Piece>, change: Change, tokens: &[&str]) {
    let start = tokens
        .iter()
        .position(|t| !is_space(t))
        .unwrap_or(tokens.len());
    let end = tokens
        .iter()
        .rposition(|t| !is_space(t))
        .map_or(start, |e| e + 1);
    push(pieces, Change::Same, &tokens[..start]);
    push(pieces, change, &tokens[start..end]);
    push(pieces, Change::Same, &tokens[end..]);
}

/// Two marked runs with only white space between them read as one change.
fn join_marks(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let n = out.len();
        if piece.change != Change::Same
            && n >= 2
            && out[n - 1].change == Change::Same
            && is_space(&out[n - 1].text)
            && out[n - 2].change == piece.change
        {
            let gap = out.pop().map(|p| p.text).unwrap_or_default();
            let last = &mut out[n - 2];
            last.text.push_str(&gap);
            last.text.push_str(&piece.text);
        } else {
            out.push(piece);
        }
    }
    out
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
    /// The quorum before and after, when it changes.
    quorum_change: Option<(i16, i16)>,
}

impl ComparePage {
    fn left_heading(&self) -> String {
        self.page
            .t_with("tor.version", "value", &self.a.to_string())
    }

    fn right_heading(&self) -> String {
        self.page
            .t_with("tor.version", "value", &self.b.to_string())
    }
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
    let sections = section_diffs(&a.text, &b.text);
    Ok(ComparePage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        a: q.a,
        b: q.b,
        sections,
        quorum_change: (a.quorum != b.quorum).then_some((a.quorum, b.quorum)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(pieces: &[Piece]) -> Vec<&str> {
        pieces
            .iter()
            .filter(|p| p.change != Change::Same)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn only_the_changed_words_are_marked() {
        let (old, new) = word_diff(
            "The committee meets every quarter.",
            "The committee meets every month.",
        );
        assert_eq!(marked(&old), ["quarter"]);
        assert_eq!(marked(&new), ["month"]);
        let text = |p: &[Piece]| p.iter().map(|p| p.text.as_str()).collect::<String>();
        assert_eq!(text(&old), "The committee meets every quarter.");
        assert_eq!(text(&new), "The committee meets every month.");
        // Neighbouring changes read as one; white space at the edges is not marked.
        let (old, new) = word_diff(
            "reports to the minister yearly",
            "reports to parliament yearly",
        );
        assert_eq!(marked(&old), ["the minister"]);
        assert_eq!(marked(&new), ["parliament"]);
        let (old, new) = word_diff("same", "same");
        assert!(marked(&old).is_empty() && marked(&new).is_empty());
        let (old, new) = word_diff("", "A new section.");
        assert!(old.is_empty());
        assert_eq!(marked(&new), ["A new section."]);
    }
}
