//! Plan baselines: the implementation plan as it stood on a day, kept as
//! one JSON line per activity, and what changed between two baselines or
//! between a baseline and today. Activities are matched by code, which is
//! what stays of an activity across yearly revisions and imports.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;

use crate::authz::ReportWriter;
use crate::error::{AppError, AppResult};
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::Quarter;
use crate::http::form::{FieldErrors, Form, invalid, required};
use crate::http::page::Chrome;
use crate::i18n;
use crate::paths;
use crate::tenancy::TenantCtx;

/// One activity as a baseline keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Line {
    pub code: String,
    pub title: String,
    pub outcome: String,
    pub start: Option<i32>,
    pub end: Option<i32>,
    pub lead: Option<String>,
    pub budget: Option<i64>,
    pub currency: String,
}

/// An activity whose field changed: what it was and what it became.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Moved<T> {
    pub code: String,
    pub title: String,
    pub from: T,
    pub to: T,
}

/// What changed from one state of the plan to another.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Changes {
    /// The baseline compared from, and the later one (none: today).
    pub from_label: String,
    pub to_label: Option<String>,
    pub added: Vec<Line>,
    pub dropped: Vec<Line>,
    /// Between outcomes, by outcome code.
    pub moved: Vec<Moved<String>>,
    /// New start or end quarter (indexes).
    pub retimed: Vec<Moved<(Option<i32>, Option<i32>)>>,
    /// New lead partner (acronyms).
    pub reassigned: Vec<Moved<Option<String>>>,
    /// New budget (with its currency).
    pub budget: Vec<Moved<Option<(i64, String)>>>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.dropped.is_empty()
            && self.moved.is_empty()
            && self.retimed.is_empty()
            && self.reassigned.is_empty()
            && self.budget.is_empty()
    }
}

/// Every change from `before` to `after`, each list in code order.
pub fn compare(before: &[Line], after: &[Line]) -> Changes {
    let key = |l: &Line| (model::code_key(&l.code), l.code.clone());
    let old: BTreeMap<_, &Line> = before.iter().map(|l| (key(l), l)).collect();
    let new: BTreeMap<_, &Line> = after.iter().map(|l| (key(l), l)).collect();
    let mut c = Changes::default();
    for (k, a) in &new {
        let Some(b) = old.get(k) else {
            c.added.push((*a).clone());
            continue;
        };
        fn moved<T>(a: &Line, from: T, to: T) -> Moved<T> {
            Moved {
                code: a.code.clone(),
                title: a.title.clone(),
                from,
                to,
            }
        }
        if b.outcome != a.outcome {
            c.moved.push(moved(a, b.outcome.clone(), a.outcome.clone()));
        }
        if (b.start, b.end) != (a.start, a.end) {
            c.retimed.push(moved(a, (b.start, b.end), (a.start, a.end)));
        }
        if b.lead != a.lead {
            c.reassigned.push(moved(a, b.lead.clone(), a.lead.clone()));
        }
        let money = |l: &Line| l.budget.map(|n| (n, l.currency.clone()));
        if money(b) != money(a) {
            c.budget.push(moved(a, money(b), money(a)));
        }
    }
    c.dropped = old
        .iter()
        .filter(|(k, _)| !new.contains_key(*k))
        .map(|(_, l)| (*l).clone())
        .collect();
    c
}

/// "Q1 2026 – Q4 2027", in the current language; a missing end is "…".
pub fn span((start, end): (Option<i32>, Option<i32>)) -> String {
    let q =
        |i: Option<i32>| i.map_or_else(|| "…".to_owned(), |i| Quarter::from_index(i).to_string());
    format!("{} – {}", q(start), q(end))
}

/// The plan as it stands now, as a baseline keeps it: one statement.
pub async fn today(conn: &mut PgConnection, nap: i64) -> AppResult<Vec<Line>> {
    let rows = sqlx::query!(
        r#"select a.code, a.title, oc.code as outcome, a.start_quarter, a.end_quarter,
                  p.acronym as "lead?", a.budget, a.currency
           from activities a
           join outcomes oc on oc.tenant_id = a.tenant_id and oc.id = a.outcome_id
           left join partners p on p.tenant_id = a.tenant_id and p.id = a.lead_partner_id
           where a.nap_id = $1 order by a.code_order"#,
        nap
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Line {
            code: r.code,
            title: r.title,
            outcome: r.outcome,
            start: r.start_quarter,
            end: r.end_quarter,
            lead: r.lead,
            budget: r.budget,
            currency: r.currency,
        })
        .collect())
}

pub struct Baseline {
    pub id: i64,
    pub label: String,
    pub recorded_at: time::OffsetDateTime,
    pub activities: i64,
}

pub async fn list(conn: &mut PgConnection, nap: i64) -> AppResult<Vec<Baseline>> {
    Ok(sqlx::query_as!(
        Baseline,
        r#"select id, label, recorded_at, jsonb_array_length(activities)::bigint as "activities!"
           from plan_baselines where nap_id = $1 order by recorded_at desc, id desc"#,
        nap
    )
    .fetch_all(conn)
    .await?)
}

/// A baseline's label and lines.
pub async fn lines(conn: &mut PgConnection, nap: i64, id: i64) -> AppResult<(String, Vec<Line>)> {
    let r = sqlx::query!(
        r#"select label, activities as "activities: Json<Vec<Line>>"
           from plan_baselines where nap_id = $1 and id = $2"#,
        nap,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((r.label, r.activities.0))
}

/// The changes since the NAP's latest baseline recorded before `before`, if any.
pub async fn since_latest(
    conn: &mut PgConnection,
    nap: i64,
    before: time::OffsetDateTime,
) -> AppResult<Option<Changes>> {
    let latest = sqlx::query!(
        r#"select label, activities as "activities: Json<Vec<Line>>"
           from plan_baselines where nap_id = $1 and recorded_at <= $2
           order by recorded_at desc, id desc limit 1"#,
        nap,
        before
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(latest) = latest else {
        return Ok(None);
    };
    let mut changes = compare(&latest.activities.0, &today(conn, nap).await?);
    changes.from_label = latest.label;
    Ok(Some(changes))
}

impl ReportWriter {
    /// Keeps the plan as it stands today under `label`; `None` when the
    /// label is taken.
    pub async fn record_baseline(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        label: &str,
        by: i64,
    ) -> AppResult<Option<i64>> {
        let lines = today(conn, nap).await?;
        Ok(sqlx::query_scalar!(
            "insert into plan_baselines (tenant_id, nap_id, label, recorded_by, activities)
             values ($1, $2, $3, $4, $5) on conflict (tenant_id, nap_id, label) do nothing
             returning id",
            self.tenant_id(),
            nap,
            label,
            by,
            Json(&lines) as _
        )
        .fetch_optional(conn)
        .await?)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/baselines.html")]
pub(super) struct BaselinesPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    baselines: Vec<Baseline>,
    can_write: bool,
    typed: String,
    errors: FieldErrors,
    /// The comparison asked for: its two sides' ids ("today" for now).
    from: String,
    to: String,
    changes: Option<Changes>,
}

impl BaselinesPage {
    fn when(&self, b: &Baseline) -> String {
        i18n::date(b.recorded_at)
    }

    fn span(&self, s: &(Option<i32>, Option<i32>)) -> String {
        span(*s)
    }

    fn money(&self, m: &Option<(i64, String)>) -> String {
        m.as_ref().map_or_else(
            || "—".to_owned(),
            |(n, c)| format!("{} {c}", i18n::number(*n)),
        )
    }

    fn lead(&self, l: &Option<String>) -> String {
        l.clone().unwrap_or_else(|| "—".to_owned())
    }
}

#[derive(Deserialize)]
pub struct CompareQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn page(
    page: Chrome,
    mut ctx: TenantCtx,
    nap: Nap,
    label: String,
    errors: FieldErrors,
    q: CompareQuery,
) -> AppResult<BaselinesPage> {
    let baselines = list(ctx.conn(), nap.id).await?;
    let side = |raw: &str| -> Option<Option<i64>> {
        match raw {
            "" => None,
            "today" => Some(None),
            id => id.parse().ok().map(Some),
        }
    };
    let changes = match (side(&q.from), side(&q.to)) {
        (Some(Some(from)), Some(to)) => {
            let (from_label, before) = lines(ctx.conn(), nap.id, from).await?;
            let (to_label, after) = match to {
                Some(to) => {
                    let (label, l) = lines(ctx.conn(), nap.id, to).await?;
                    (Some(label), l)
                }
                None => (None, today(ctx.conn(), nap.id).await?),
            };
            let mut c = compare(&before, &after);
            c.from_label = from_label;
            c.to_label = to_label;
            Some(c)
        }
        _ => None,
    };
    Ok(BaselinesPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        can_write: ctx.grant::<crate::authz::IssueReports>().is_ok(),
        nap,
        baselines,
        typed: label,
        errors,
        from: q.from,
        to: q.to,
        changes,
    })
}

pub(super) async fn baselines_page(
    chrome: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<CompareQuery>,
) -> AppResult<Response> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    Ok(
        page(chrome, ctx, nap, String::new(), FieldErrors::default(), q)
            .await?
            .into_response(),
    )
}

#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    label: String,
}

pub(super) async fn record(
    chrome: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<RecordForm>,
) -> AppResult<Response> {
    let writer = ctx.grant::<crate::authz::IssueReports>()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let user = ctx.user.id;
    let mut errors = FieldErrors::default();
    match required(&f.label, 120) {
        Err(key) => errors.add("label", key),
        Ok(label) => {
            if writer
                .record_baseline(ctx.conn(), nap.id, &label, user)
                .await?
                .is_none()
            {
                errors.add("label", "baseline.label_taken");
            }
        }
    }
    if !errors.is_empty() {
        let q = CompareQuery {
            from: String::new(),
            to: String::new(),
        };
        return Ok(invalid(page(chrome, ctx, nap, f.label, errors, q).await?));
    }
    let committed = ctx.commit().await?;
    Ok(Redirect::to(&paths::nap_baselines(&committed.tenant.slug, id)).into_response())
}
