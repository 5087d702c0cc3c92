//! Progress reports, baselines and the annual review.
//!
//! A report is a draft until the secretariat issues it: the draft reads the
//! plan live (`figures::gather`) beside the narrative being written; issuing
//! keeps the figures of that day as JSON and numbers the report, and the
//! database refuses any later change but what the public sees. Every format
//! (the page, DOCX, PDF) is drawn from the same blocks (`render`), in the
//! language asked for. `baselines` keeps the plan as adopted each year and
//! compares; `review` holds the committee's yearly self-assessment.

pub mod baselines;
mod docx;
pub mod figures;
mod pages;
mod pdf;
mod public;
pub mod render;
pub mod review;
mod store;

use serde::Deserialize;
use sqlx::PgConnection;
use sqlx::types::Json;
use time::OffsetDateTime;

use crate::error::{AppError, AppResult};
use crate::features::plan::model::Nap;
use crate::http::routes::Routes;
use crate::paths::at;
use figures::Figures;
use render::Narrative;

pub fn router() -> Routes {
    Routes::new()
        .get(at::nap_reports, pages::list)
        .post(at::nap_reports, pages::create)
        .get(at::nap_reports_compare, pages::compare)
        .get(at::report, pages::show)
        .post(at::report, pages::save)
        .post(at::report_issue, pages::issue)
        .post(at::report_publish, pages::publish)
        .get(at::report_docx, pages::docx)
        .get(at::report_pdf, pages::pdf)
        .get(at::nap_baselines, baselines::baselines_page)
        .post(at::nap_baselines, baselines::record)
        .get(at::nap_annual_reviews, review::reviews)
        .post(at::nap_annual_reviews, review::start)
        .get(at::nap_annual_reviews_compare, review::compare)
        .get(at::nap_annual_review, review::show)
        .post(at::nap_annual_review, review::save)
        .post(at::nap_annual_review_issue, review::issue)
}

pub fn public_router() -> Routes {
    Routes::new()
        .get(at::public_report, public::report)
        .get(at::public_report_pdf, public::pdf)
}

/// The kinds of period a report covers.
pub const KINDS: [&str; 3] = ["quarter", "year", "plan"];

/// A report as stored.
pub struct Report {
    pub id: i64,
    pub nap_id: i64,
    pub kind: String,
    pub first: i32,
    pub last: i32,
    pub words: Narrative,
    pub number: Option<i32>,
    pub issued_at: Option<OffsetDateTime>,
    pub figures: Option<Figures>,
    pub published: bool,
    pub publish_notes: bool,
    pub publish_spending: bool,
}

impl Report {
    pub fn period(&self) -> String {
        render::period_label(&self.kind, self.first, self.last)
    }
}

/// The report `id` (of the request's tenant), or 404.
pub async fn load(conn: &mut PgConnection, id: i64) -> AppResult<Report> {
    let r = sqlx::query!(
        r#"select id, nap_id, period_kind, first_quarter, last_quarter, title, summary, achievements,
                  challenges, lessons, recommendations, number, issued_at,
                  figures as "figures: Json<Figures>", published_at, publish_notes, publish_spending
           from reports where id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Report {
        id: r.id,
        nap_id: r.nap_id,
        kind: r.period_kind,
        first: r.first_quarter,
        last: r.last_quarter,
        words: Narrative {
            title: r.title,
            summary: r.summary,
            achievements: r.achievements,
            challenges: r.challenges,
            lessons: r.lessons,
            recommendations: r.recommendations,
        },
        number: r.number,
        issued_at: r.issued_at,
        figures: r.figures.map(|f| f.0),
        published: r.published_at.is_some(),
        publish_notes: r.publish_notes,
        publish_spending: r.publish_spending,
    })
}

/// The figures of `report`: as issued, or read now for a draft. A year's or
/// the whole plan's report also says how the plan changed since its latest
/// baseline and holds the committee's latest annual review.
pub async fn figures_of(
    conn: &mut PgConnection,
    tenant: i64,
    nap: &Nap,
    report: &Report,
) -> AppResult<Figures> {
    if let Some(f) = &report.figures {
        return Ok(f.clone());
    }
    let now = OffsetDateTime::now_utc();
    let mut f = figures::gather(conn, tenant, nap, report.first, report.last, now.date()).await?;
    if report.kind != "quarter" {
        // The latest baseline recorded by the period's end: an annual
        // report says how the plan changed since that year's baseline.
        let (_, last_day) = figures::days(report.first, report.last);
        let end = last_day
            .next_day()
            .unwrap_or(last_day)
            .midnight()
            .assume_utc();
        f.changes = baselines::since_latest(conn, nap.id, end.min(now)).await?;
        let year = crate::features::plan::quarter::Quarter::from_index(report.last).year;
        f.review = review::latest_issued(conn, nap.id, year).await?;
    }
    Ok(f)
}

impl Figures {
    /// What the public may read: no notes (the highlights) or spending
    /// unless the tenant chose to publish them, and only the decisions and
    /// action points of the meetings whose minutes are published now.
    pub fn for_public(mut self, notes: bool, spending: bool, published_minutes: &[i64]) -> Self {
        for o in &mut self.objectives {
            for oc in &mut o.outcomes {
                if !notes {
                    oc.highlights.clear();
                }
                if !spending {
                    for a in &mut oc.activities {
                        a.budget = None;
                        a.spending = None;
                    }
                }
            }
        }
        if !spending {
            self.money.clear();
            if let Some(c) = &mut self.changes {
                c.budget.clear();
            }
        }
        self.decisions
            .retain(|d| published_minutes.contains(&d.meeting));
        self.action_points
            .retain(|a| published_minutes.contains(&a.meeting));
        self
    }
}

/// The language a download is written in: `?lang=`, else the page's.
#[derive(Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    lang: String,
}

impl LangQuery {
    pub fn language(&self) -> &'static str {
        crate::i18n::supported(&self.lang).unwrap_or_else(crate::i18n::current)
    }
}

/// Writes a report's DOCX or PDF off the executor, in `lang`.
pub async fn write_file(
    lang: &'static str,
    f: Figures,
    report: Report,
    pdf: bool,
) -> AppResult<Vec<u8>> {
    let bytes = on_report_thread(move || {
        crate::i18n::with_language(lang, || {
            let blocks = render::blocks(&f, &report.words, &report.kind, report.number);
            if pdf {
                pdf::write(&blocks, lang, &crate::i18n::t("report.page"), f.as_of)
            } else {
                docx::write(&blocks)
            }
        })
    })
    .await??;
    Ok(bytes)
}

type Job = Box<dyn FnOnce() + Send>;

/// The one thread that writes report files. The allocator gives each
/// thread that allocates much its own arena and keeps what was freed there:
/// on the executor's many blocking threads, each PDF left its layout's
/// memory behind in another arena (a server's memory grew by 140 MB a
/// report); on one thread the next report reuses it. Reports already take
/// turns (`ExportTurn`), so one thread costs no waiting on small machines.
static REPORT_THREAD: std::sync::LazyLock<Option<std::sync::mpsc::Sender<Job>>> =
    std::sync::LazyLock::new(|| {
        let (jobs, inbox) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("reports".to_owned())
            .spawn(move || {
                for job in inbox {
                    // A job that panics answers nothing (its caller gets an
                    // error) and the thread goes on.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            })
            .ok()
            .map(|_| jobs)
    });

/// Runs `work` on the report thread and waits for its answer.
async fn on_report_thread<R: Send + 'static>(
    work: impl FnOnce() -> R + Send + 'static,
) -> anyhow::Result<R> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(work());
    });
    REPORT_THREAD
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no thread for reports"))?
        .send(job)
        .map_err(|_| anyhow::anyhow!("the report thread stopped"))?;
    answer
        .await
        .map_err(|_| anyhow::anyhow!("a report failed on its thread"))
}

/// The file name of a report's download: "report-3-fr.pdf", "report-draft-en.docx".
pub fn file_name(report: &Report, lang: &str, ext: &str) -> String {
    match report.number {
        Some(n) => format!("report-{n}-{lang}.{ext}"),
        None => format!("report-draft-{lang}.{ext}"),
    }
}
