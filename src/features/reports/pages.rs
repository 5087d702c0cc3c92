//! The report pages of the signed-in: the NAP's reports and a new draft,
//! one report (the draft with its narrative form, or as issued), issuing,
//! publishing, the downloads, and two issued reports side by side.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::figures::Figures;
use super::render::{Block, Narrative};
use super::{KINDS, LangQuery, Report, figures_of, load};
use crate::authz::IssueReports;
use crate::error::{AppError, AppResult};
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::Quarter;
use crate::features::plan::transfer::ExportTurn;
use crate::http::download::attachment;
use crate::http::form::{FieldErrors, Form, invalid, lines, optional, required};
use crate::http::page::Chrome;
use crate::i18n;
use crate::paths;
use crate::tenancy::TenantCtx;

pub struct Listed {
    pub id: i64,
    pub title: String,
    pub period: String,
    pub number: Option<i32>,
    pub issued_on: Option<time::Date>,
    pub published: bool,
}

#[derive(Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    period: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/list.html")]
pub(super) struct ListPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    reports: Vec<Listed>,
    can_write: bool,
    form: NewForm,
    errors: FieldErrors,
}

impl ListPage {
    fn kinds(&self) -> [&'static str; 3] {
        KINDS
    }

    fn issued(&self) -> Vec<&Listed> {
        self.reports.iter().filter(|r| r.number.is_some()).collect()
    }
}

async fn list_page(
    page: Chrome,
    mut ctx: TenantCtx,
    nap: Nap,
    form: NewForm,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    let reports = sqlx::query!(
        "select id, title, period_kind, first_quarter, last_quarter, number, issued_at, published_at
         from reports where nap_id = $1 order by number desc nulls first, created_at desc",
        nap.id
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .map(|r| Listed {
        id: r.id,
        title: r.title,
        period: super::render::period_label(&r.period_kind, r.first_quarter, r.last_quarter),
        number: r.number,
        issued_on: r.issued_at.map(time::OffsetDateTime::date),
        published: r.published_at.is_some(),
    })
    .collect();
    Ok(ListPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        can_write: ctx.grant::<IssueReports>().is_ok(),
        nap,
        reports,
        form,
        errors,
    })
}

pub(super) async fn list(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ListPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let last = Quarter::from_index(Quarter::current().index() - 1);
    let form = NewForm {
        kind: "quarter".to_owned(),
        period: last.compact(),
    };
    list_page(page, ctx, nap, form, FieldErrors::default()).await
}

/// The quarters a new report covers, read from its kind and period, within
/// the plan's years.
fn period_of(nap: &Nap, kind: &str, raw: &str) -> Result<(i32, i32), &'static str> {
    let (first, last) = (nap.first_quarter().index(), nap.last_quarter().index());
    let span = match kind {
        "quarter" => {
            let q = Quarter::parse(raw).ok_or("report.period_quarter")?;
            (q.index(), q.index())
        }
        "year" => {
            let y: i32 = raw.trim().parse().map_err(|_| "report.period_year")?;
            let q = Quarter::new(y, 1).ok_or("report.period_year")?;
            (q.index(), q.index() + 3)
        }
        // The whole plan so far: up to the last quarter that has ended.
        _ => {
            let ended = (Quarter::current().index() - 1).min(last);
            if ended < first {
                return Err("report.period_not_begun");
            }
            (first, ended)
        }
    };
    if span.0 < first || span.1 > last {
        return Err("report.period_outside");
    }
    Ok(span)
}

pub(super) async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<NewForm>,
) -> AppResult<Response> {
    let writer = ctx.grant::<IssueReports>()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let mut errors = FieldErrors::default();
    if !KINDS.contains(&form.kind.as_str()) {
        errors.add("kind", "report.kind_invalid");
    } else {
        match period_of(&nap, &form.kind, &form.period) {
            Ok(span) => {
                let label = super::render::period_label(&form.kind, span.0, span.1);
                let title = i18n::t_with(
                    &format!("report.default_title.{}", form.kind),
                    "period",
                    &label,
                );
                let report = writer
                    .create_report(ctx.conn(), id, &form.kind, span, &title)
                    .await?;
                let committed = ctx.commit().await?;
                return Ok(
                    Redirect::to(&paths::report(&committed.tenant.slug, report)).into_response()
                );
            }
            Err(key) => errors.add("period", key),
        }
    }
    Ok(invalid(list_page(page, ctx, nap, form, errors).await?))
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/report.html")]
pub(super) struct ReportPage {
    pub page: Chrome,
    pub slug: String,
    pub nap: Nap,
    pub report: Report,
    pub blocks: Vec<Block>,
    pub can_write: bool,
    pub words: Narrative,
    pub errors: FieldErrors,
}

impl ReportPage {
    fn sections(&self) -> [(&'static str, &str); 5] {
        self.words.sections()
    }

    fn field_label(&self, field: &str) -> String {
        format!("report.section.{field}")
    }

    fn hint(&self, field: &str) -> String {
        format!("report.hint.{field}")
    }

    /// The report as a file of `ext` in `lang`.
    fn file(&self, ext: &str, lang: &str) -> String {
        let url = if ext == "pdf" {
            paths::report_pdf(&self.slug, self.report.id)
        } else {
            paths::report_docx(&self.slug, self.report.id)
        };
        paths::with_query(&url, &[("lang", lang)])
    }
}

async fn report_page(
    page: Chrome,
    mut ctx: TenantCtx,
    report: Report,
    words: Narrative,
    errors: FieldErrors,
) -> AppResult<ReportPage> {
    let tenant = ctx.tenant.id;
    let nap = model::load_nap(ctx.conn(), report.nap_id).await?;
    let figures = figures_of(ctx.conn(), tenant, &nap, &report).await?;
    let blocks = super::render::blocks(&figures, &report.words, &report.kind, report.number);
    Ok(ReportPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        can_write: ctx.grant::<IssueReports>().is_ok(),
        nap,
        report,
        blocks,
        words,
        errors,
    })
}

pub(super) async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ReportPage> {
    let report = load(ctx.conn(), id).await?;
    let words = report.words.clone();
    report_page(page, ctx, report, words, FieldErrors::default()).await
}

#[derive(Deserialize)]
pub struct NarrativeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    achievements: String,
    #[serde(default)]
    challenges: String,
    #[serde(default)]
    lessons: String,
    #[serde(default)]
    recommendations: String,
}

pub(super) async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<NarrativeForm>,
) -> AppResult<Response> {
    let writer = ctx.grant::<IssueReports>()?;
    let report = load(ctx.conn(), id).await?;
    if report.number.is_some() {
        return Ok(Redirect::to(&paths::report(&ctx.tenant.slug, id)).into_response());
    }
    let mut errors = FieldErrors::default();
    let mut text = |field: &'static str, raw: &str, max: usize, needed: bool| {
        let raw = &lines(raw);
        let checked = if needed {
            required(raw, max)
        } else {
            optional(raw, max)
        };
        checked.unwrap_or_else(|key| {
            errors.add(field, key);
            raw.to_owned()
        })
    };
    let words = Narrative {
        title: text("title", &f.title, 200, true),
        summary: text("summary", &f.summary, 20_000, false),
        achievements: text("achievements", &f.achievements, 20_000, false),
        challenges: text("challenges", &f.challenges, 20_000, false),
        lessons: text("lessons", &f.lessons, 20_000, false),
        recommendations: text("recommendations", &f.recommendations, 20_000, false),
    };
    if !errors.is_empty() {
        return Ok(invalid(
            report_page(page, ctx, report, words, errors).await?,
        ));
    }
    writer.save_narrative(ctx.conn(), id, &words).await?;
    let committed = ctx.commit().await?;
    Ok(Redirect::to(&paths::report(&committed.tenant.slug, id)).into_response())
}

pub(super) async fn issue(
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let writer = ctx.grant::<IssueReports>()?;
    let (tenant, user) = (ctx.tenant.id, ctx.user.id);
    let report = load(ctx.conn(), id).await?;
    let nap = model::load_nap(ctx.conn(), report.nap_id).await?;
    let figures = figures_of(ctx.conn(), tenant, &nap, &report).await?;
    writer.issue_report(ctx.conn(), id, &figures, user).await?;
    let committed = ctx.commit().await?;
    Ok(Redirect::to(&paths::report(&committed.tenant.slug, id)).into_response())
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    spending: Option<String>,
}

pub(super) async fn publish(
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<PublishForm>,
) -> AppResult<Response> {
    let writer = ctx.grant::<IssueReports>()?;
    let report = load(ctx.conn(), id).await?;
    if report.number.is_none() {
        return Err(AppError::BadRequest);
    }
    writer
        .publish_report(
            ctx.conn(),
            id,
            f.published.is_some(),
            f.notes.is_some(),
            f.spending.is_some(),
        )
        .await?;
    let committed = ctx.commit().await?;
    Ok(Redirect::to(&paths::report(&committed.tenant.slug, id)).into_response())
}

async fn download(mut ctx: TenantCtx, id: i64, q: LangQuery, pdf: bool) -> AppResult<Response> {
    let tenant = ctx.tenant.id;
    let report = load(ctx.conn(), id).await?;
    let nap = model::load_nap(ctx.conn(), report.nap_id).await?;
    let figures = figures_of(ctx.conn(), tenant, &nap, &report).await?;
    // Nothing more to read: the connection goes back before the long work.
    drop(ctx);
    let lang = q.language();
    let (ext, kind) = if pdf {
        ("pdf", "application/pdf")
    } else {
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    };
    let name = super::file_name(&report, lang, ext);
    let bytes = super::write_file(lang, figures, report, pdf).await?;
    Ok(attachment(bytes, kind, &name))
}

pub(super) async fn docx(
    _turn: ExportTurn,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<LangQuery>,
) -> AppResult<Response> {
    download(ctx, id, q, false).await
}

pub(super) async fn pdf(
    _turn: ExportTurn,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<LangQuery>,
) -> AppResult<Response> {
    download(ctx, id, q, true).await
}

#[derive(Deserialize)]
pub struct CompareQuery {
    a: i64,
    b: i64,
}

/// One figure of two issued reports, side by side.
pub struct Row {
    pub label: String,
    pub a: i64,
    pub b: i64,
}

impl Row {
    pub fn change(&self) -> String {
        let d = self.b - self.a;
        if d > 0 {
            format!("+{}", i18n::number(d))
        } else {
            i18n::number(d)
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/compare.html")]
pub(super) struct ComparePage {
    page: Chrome,
    slug: String,
    nap: Nap,
    a: Report,
    b: Report,
    rows: Vec<Row>,
}

fn rows(a: &Figures, b: &Figures) -> Vec<Row> {
    let t = |k: &str| i18n::t(k).into_owned();
    let mut rows = vec![
        Row {
            label: t("target_state.met"),
            a: a.targets.met,
            b: b.targets.met,
        },
        Row {
            label: t("target_state.missed"),
            a: a.targets.missed,
            b: b.targets.missed,
        },
        Row {
            label: t("target_state.pending"),
            a: a.targets.pending,
            b: b.targets.pending,
        },
    ];
    for (status, n) in &a.statuses {
        let other = b
            .statuses
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n);
        rows.push(Row {
            label: t(&format!("activity_status.{status}")),
            a: *n,
            b: other,
        });
    }
    let total = |f: &Figures, pick: fn(&super::figures::TimelinessLine) -> i64| {
        f.timeliness.iter().map(pick).sum()
    };
    rows.push(Row {
        label: t("round.on_time"),
        a: total(a, |l| l.on_time),
        b: total(b, |l| l.on_time),
    });
    rows.push(Row {
        label: t("round.late"),
        a: total(a, |l| l.late),
        b: total(b, |l| l.late),
    });
    rows.push(Row {
        label: t("round.missing"),
        a: total(a, |l| l.missing),
        b: total(b, |l| l.missing),
    });
    rows.push(Row {
        label: t("report.decisions"),
        a: i64::try_from(a.decisions.len()).unwrap_or(0),
        b: i64::try_from(b.decisions.len()).unwrap_or(0),
    });
    rows
}

pub(super) async fn compare(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<CompareQuery>,
) -> AppResult<ComparePage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let a = load(ctx.conn(), q.a).await?;
    let b = load(ctx.conn(), q.b).await?;
    let (Some(fa), Some(fb)) = (&a.figures, &b.figures) else {
        return Err(AppError::NotFound);
    };
    if a.nap_id != id || b.nap_id != id {
        return Err(AppError::NotFound);
    }
    let rows = rows(fa, fb);
    Ok(ComparePage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        a,
        b,
        rows,
    })
}
