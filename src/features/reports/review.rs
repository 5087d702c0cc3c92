//! The committee's annual review of its own oversight of a NAP: one
//! question per thing oversight is for, each with a rating, the evidence
//! and a comment, and the lessons learned. Kept per year, issued (then
//! frozen by the database), and read beside the year before.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;
use std::collections::BTreeMap;

use crate::authz::{IssueReports, ReportWriter};
use crate::error::{AppError, AppResult};
use crate::features::plan::model::{self, Nap};
use crate::http::form::{FieldErrors, Form, invalid, lines, optional};
use crate::http::page::Chrome;
use crate::paths;
use crate::tenancy::TenantCtx;

/// What oversight is for, one question each, in the order asked.
pub const QUESTIONS: [&str; 8] = [
    "implemented",
    "commitments",
    "alignment",
    "resources",
    "recorded",
    "risks",
    "shared",
    "composition",
];

/// How far a question holds: from 1 (not at all) to 4 (fully). Not rated
/// is not known, and stays so.
pub const RATINGS: [i16; 4] = [1, 2, 3, 4];

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Answer {
    pub rating: Option<i16>,
    pub evidence: String,
    pub comment: String,
}

/// A review as kept, and as a report includes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Review {
    pub year: i32,
    pub answers: BTreeMap<String, Answer>,
    pub lessons: String,
    pub issued_on: Option<time::Date>,
}

impl Review {
    pub fn answer(&self, key: &str) -> Answer {
        self.answers.get(key).cloned().unwrap_or_default()
    }
}

pub async fn load(conn: &mut PgConnection, nap: i64, year: i32) -> AppResult<Option<Review>> {
    let r = sqlx::query!(
        r#"select year, answers as "answers: Json<BTreeMap<String, Answer>>", lessons, issued_at
           from annual_reviews where nap_id = $1 and year = $2"#,
        nap,
        year
    )
    .fetch_optional(conn)
    .await?;
    Ok(r.map(|r| Review {
        year: r.year,
        answers: r.answers.0,
        lessons: r.lessons,
        issued_on: r.issued_at.map(time::OffsetDateTime::date),
    }))
}

/// The latest issued review of the NAP up to `year`.
pub async fn latest_issued(
    conn: &mut PgConnection,
    nap: i64,
    year: i32,
) -> AppResult<Option<Review>> {
    let found = sqlx::query_scalar!(
        "select max(year) from annual_reviews where nap_id = $1 and year <= $2 and issued_at is not null",
        nap,
        year
    )
    .fetch_one(&mut *conn)
    .await?;
    match found {
        Some(y) => load(conn, nap, y).await,
        None => Ok(None),
    }
}

/// The years the NAP has a review for, newest first, and whether each is issued.
pub async fn years(conn: &mut PgConnection, nap: i64) -> AppResult<Vec<(i32, bool)>> {
    Ok(sqlx::query!(
        r#"select year, issued_at is not null as "issued!" from annual_reviews
           where nap_id = $1 order by year desc"#,
        nap
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.year, r.issued))
    .collect())
}

impl ReportWriter {
    /// Starts the review of `year`; false when it exists already.
    pub async fn start_review(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        year: i32,
    ) -> AppResult<bool> {
        let id = sqlx::query_scalar!(
            "insert into annual_reviews (tenant_id, nap_id, year) values ($1, $2, $3)
             on conflict (tenant_id, nap_id, year) do nothing returning id",
            self.tenant_id(),
            nap,
            year
        )
        .fetch_optional(conn)
        .await?;
        Ok(id.is_some())
    }

    /// Saves a draft review (an issued one is refused by the database).
    pub async fn save_review(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        review: &Review,
    ) -> AppResult<()> {
        sqlx::query!(
            "update annual_reviews set answers = $3, lessons = $4
             where nap_id = $1 and year = $2 and issued_at is null",
            nap,
            review.year,
            Json(&review.answers) as _,
            review.lessons
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    pub async fn issue_review(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        year: i32,
        by: i64,
    ) -> AppResult<()> {
        sqlx::query!(
            "update annual_reviews set issued_at = now(), issued_by = $3
             where nap_id = $1 and year = $2 and issued_at is null",
            nap,
            year,
            by
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/reviews.html")]
pub(super) struct ListPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    years: Vec<(i32, bool)>,
    can_write: bool,
    year: String,
    errors: FieldErrors,
}

async fn list_page(
    page: Chrome,
    mut ctx: TenantCtx,
    nap: Nap,
    year: String,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    let years = years(ctx.conn(), nap.id).await?;
    Ok(ListPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        can_write: ctx.grant::<IssueReports>().is_ok(),
        nap,
        years,
        year,
        errors,
    })
}

pub(super) async fn reviews(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ListPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let year = time::OffsetDateTime::now_utc().year().to_string();
    list_page(page, ctx, nap, year, FieldErrors::default()).await
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    year: String,
}

pub(super) async fn start(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<StartForm>,
) -> AppResult<Response> {
    let writer = ctx.grant::<IssueReports>()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let mut errors = FieldErrors::default();
    match f.year.trim().parse::<i32>() {
        Ok(year)
            if (nap.start_year..=nap.end_year + 1).contains(&year)
                && (1990..=2100).contains(&year) =>
        {
            writer.start_review(ctx.conn(), id, year).await?;
            let committed = ctx.commit().await?;
            return Ok(
                Redirect::to(&paths::nap_annual_review(&committed.tenant.slug, id, year))
                    .into_response(),
            );
        }
        _ => errors.add("year", "annual.year_invalid"),
    }
    Ok(invalid(list_page(page, ctx, nap, f.year, errors).await?))
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/review.html")]
pub(super) struct ReviewPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    review: Review,
    /// The year before's issued review, to read beside.
    before: Option<Review>,
    can_write: bool,
    errors: FieldErrors,
    /// The knowledge checklist, as the secretariat answered it.
    answers: Vec<crate::features::communication::checklist::Answer>,
}

impl ReviewPage {
    fn questions(&self) -> [&'static str; 8] {
        QUESTIONS
    }

    fn ratings(&self) -> [i16; 4] {
        RATINGS
    }

    fn editable(&self) -> bool {
        self.can_write && self.review.issued_on.is_none()
    }

    fn answer(&self, key: &str) -> Answer {
        self.review.answer(key)
    }

    fn earlier(&self, key: &str) -> Option<Answer> {
        self.before.as_ref().map(|b| b.answer(key))
    }

    fn field(&self, key: &str, part: &str) -> String {
        format!("{key}_{part}")
    }
}

pub fn rating_key(rating: &Option<i16>) -> String {
    rating.map_or_else(
        || "annual.rating.none".to_owned(),
        |r| format!("annual.rating.{r}"),
    )
}

async fn review_page(
    page: Chrome,
    mut ctx: TenantCtx,
    nap: Nap,
    review: Review,
    errors: FieldErrors,
) -> AppResult<ReviewPage> {
    let before = load(ctx.conn(), nap.id, review.year - 1)
        .await?
        .filter(|r| r.issued_on.is_some());
    let answers = crate::features::communication::checklist::answers(ctx.conn(), nap.id).await?;
    Ok(ReviewPage {
        answers,
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        can_write: ctx.grant::<IssueReports>().is_ok(),
        nap,
        review,
        before,
        errors,
    })
}

pub(super) async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, year)): Path<(String, i64, i32)>,
) -> AppResult<ReviewPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let review = load(ctx.conn(), id, year)
        .await?
        .ok_or(AppError::NotFound)?;
    review_page(page, ctx, nap, review, FieldErrors::default()).await
}

/// Reads the review's form: `{question}_rating`, `_evidence`, `_comment`
/// and `lessons`. A rating outside the scale is refused beside its question.
fn read(year: i32, fields: &[(String, String)], errors: &mut FieldErrors) -> Review {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| lines(v))
            .unwrap_or_default()
    };
    let mut answers = BTreeMap::new();
    for key in QUESTIONS {
        let raw = get(&format!("{key}_rating"));
        let rating = match raw.trim() {
            "" => None,
            r => match r.parse::<i16>() {
                Ok(n) if RATINGS.contains(&n) => Some(n),
                _ => {
                    errors.add(field_names(key)[0], "annual.rating_invalid");
                    None
                }
            },
        };
        let [_, evidence_field, comment_field] = field_names(key);
        let mut text = |field: &'static str| {
            let raw = get(field);
            optional(&raw, 4000).unwrap_or_else(|k| {
                errors.add(field, k);
                raw
            })
        };
        let evidence = text(evidence_field);
        let comment = text(comment_field);
        answers.insert(
            key.to_owned(),
            Answer {
                rating,
                evidence,
                comment,
            },
        );
    }
    let raw = get("lessons");
    let lessons = optional(&raw, 20_000).unwrap_or_else(|k| {
        errors.add("lessons", k);
        raw
    });
    Review {
        year,
        answers,
        lessons,
        issued_on: None,
    }
}

/// A question's form fields: its rating, evidence and comment, where
/// their errors are said.
fn field_names(key: &str) -> [&'static str; 3] {
    match key {
        "implemented" => [
            "implemented_rating",
            "implemented_evidence",
            "implemented_comment",
        ],
        "commitments" => [
            "commitments_rating",
            "commitments_evidence",
            "commitments_comment",
        ],
        "alignment" => [
            "alignment_rating",
            "alignment_evidence",
            "alignment_comment",
        ],
        "resources" => [
            "resources_rating",
            "resources_evidence",
            "resources_comment",
        ],
        "recorded" => ["recorded_rating", "recorded_evidence", "recorded_comment"],
        "risks" => ["risks_rating", "risks_evidence", "risks_comment"],
        "shared" => ["shared_rating", "shared_evidence", "shared_comment"],
        _ => [
            "composition_rating",
            "composition_evidence",
            "composition_comment",
        ],
    }
}

pub(super) async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, year)): Path<(String, i64, i32)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let writer = ctx.grant::<IssueReports>()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let stored = load(ctx.conn(), id, year)
        .await?
        .ok_or(AppError::NotFound)?;
    if stored.issued_on.is_some() {
        // Issued: frozen, and the form is gone; nothing to save.
        return Ok(
            Redirect::to(&paths::nap_annual_review(&ctx.tenant.slug, id, year)).into_response(),
        );
    }
    let mut errors = FieldErrors::default();
    let review = read(year, &fields, &mut errors);
    if !errors.is_empty() {
        return Ok(invalid(review_page(page, ctx, nap, review, errors).await?));
    }
    writer.save_review(ctx.conn(), id, &review).await?;
    let committed = ctx.commit().await?;
    Ok(Redirect::to(&paths::nap_annual_review(&committed.tenant.slug, id, year)).into_response())
}

pub(super) async fn issue(
    mut ctx: TenantCtx,
    Path((_, id, year)): Path<(String, i64, i32)>,
) -> AppResult<Response> {
    let writer = ctx.grant::<IssueReports>()?;
    let user = ctx.user.id;
    load(ctx.conn(), id, year)
        .await?
        .ok_or(AppError::NotFound)?;
    writer.issue_review(ctx.conn(), id, year, user).await?;
    let committed = ctx.commit().await?;
    Ok(Redirect::to(&paths::nap_annual_review(&committed.tenant.slug, id, year)).into_response())
}

#[derive(Deserialize)]
pub struct CompareQuery {
    a: i32,
    b: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/review_compare.html")]
pub(super) struct ComparePage {
    page: Chrome,
    slug: String,
    nap: Nap,
    a: Review,
    b: Review,
}

impl ComparePage {
    fn questions(&self) -> [&'static str; 8] {
        QUESTIONS
    }
}

pub(super) async fn compare(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<CompareQuery>,
) -> AppResult<ComparePage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let a = load(ctx.conn(), id, q.a).await?.ok_or(AppError::NotFound)?;
    let b = load(ctx.conn(), id, q.b).await?.ok_or(AppError::NotFound)?;
    Ok(ComparePage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        a,
        b,
    })
}
