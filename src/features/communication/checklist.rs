//! The checklist on the plan's knowledge: is sharing it written into the
//! plan, are hand-overs done, is there one filing place, are indicators
//! reported, is a review planned, is external communication planned, are
//! rules on victims' data agreed. The secretariat works through it; the
//! annual review shows it beside its own questions.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;

use crate::choices::Notice;
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap};
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::paths;
use crate::tenancy::TenantCtx;

/// The questions, in the order they are asked.
pub const QUESTIONS: [&str; 7] = [
    "sharing-in-plan",
    "handovers",
    "one-filing-place",
    "indicators-reported",
    "review-planned",
    "external-communication",
    "victims-data-rules",
];

pub const ANSWERS: [&str; 3] = ["yes", "no", "not-known"];

/// One question and its answer ("not-known" until someone answers).
#[derive(Debug, Clone)]
pub struct Answer {
    pub question: &'static str,
    pub answer: String,
    pub note: String,
}

impl Answer {
    pub fn question_key(&self) -> String {
        format!("checklist.q.{}", self.question)
    }
}

/// The NAP's checklist, every question, answered or not: one statement.
pub async fn answers(conn: &mut PgConnection, nap: i64) -> AppResult<Vec<Answer>> {
    let stored = sqlx::query!(
        "select question, answer, note from knowledge_checklist where nap_id = $1",
        nap
    )
    .fetch_all(conn)
    .await?;
    Ok(QUESTIONS
        .iter()
        .map(|q| {
            let found = stored.iter().find(|s| s.question == *q);
            Answer {
                question: q,
                answer: found.map_or_else(|| "not-known".to_owned(), |s| s.answer.clone()),
                note: found.map(|s| s.note.clone()).unwrap_or_default(),
            }
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "communication/checklist.html")]
pub struct ChecklistPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    answers: Vec<Answer>,
    choices: &'static [&'static str],
    can_edit: bool,
    errors: FieldErrors,
}

/// `GET /t/{slug}/naps/{id}/checklist`.
pub(super) async fn page(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ChecklistPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let answers = answers(ctx.conn(), id).await?;
    Ok(ChecklistPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        answers,
        choices: &ANSWERS,
        can_edit: ctx.can_edit_plan(),
        errors: FieldErrors::default(),
    })
}

/// `POST /t/{slug}/naps/{id}/checklist`: every answer at once (fields
/// `answer-{question}` and `note-{question}`).
pub(super) async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let value = |name: String| {
        fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut errors = FieldErrors::default();
    let mut typed = Vec::new();
    for q in QUESTIONS {
        let answer = value(format!("answer-{q}"));
        let note = value(format!("note-{q}"));
        if !ANSWERS.contains(&answer.as_str()) {
            errors.add(q, "field.choose");
        }
        let note = match form::optional(&form::lines(&note), 1000) {
            Ok(note) => note,
            Err(key) => {
                errors.add(q, key);
                note
            }
        };
        typed.push(Answer {
            question: q,
            answer,
            note,
        });
    }
    if !errors.is_empty() {
        return Ok(invalid(ChecklistPage {
            page: page.in_tenant(&ctx),
            slug: ctx.tenant.slug.clone(),
            nap,
            answers: typed,
            choices: &ANSWERS,
            can_edit: true,
            errors,
        }));
    }
    for a in &typed {
        editor
            .answer_checklist(ctx.conn(), id, a.question, &a.answer, &a.note)
            .await?;
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(&paths::nap_checklist(&ctx.tenant.slug, id), Notice::Saved);
    Ok(Redirect::to(&to).into_response())
}
