//! The audit log, for the secretariat: who changed what, when, in which
//! request, with the row before and after. The page says each change in a
//! sentence ("Ana Ruiz changed the status of 1.1.2 from On track to
//! Delayed"), with the raw row one click away; the CSV keeps the raw columns.
//! Filterable.

mod words;

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::authz::{self, AuditReader};
use crate::error::AppResult;
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::audit, page)
        .get(at::audit_csv, export)
}

/// Rows shown on one page.
const PAGE: i64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    /// A table name such as `activities`.
    #[serde(default)]
    pub object: String,
    /// A person's e-mail.
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    /// Show entries older than this id (the next page).
    pub before: Option<i64>,
}

pub struct Entry {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor: Option<String>,
    /// The actor's name, for the sentence.
    pub actor_name: Option<String>,
    pub request_id: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditPage {
    /// The entry's day in the page's language, and its time (UTC).
    fn time(&self, e: &Entry) -> String {
        let format = time::macros::format_description!("[hour]:[minute]");
        e.at.format(&format).unwrap_or_default()
    }

    fn action_key(&self, action: &str) -> &'static str {
        match action {
            "insert" => "audit.action.insert",
            "update" => "audit.action.update",
            "delete" => "audit.action.delete",
            _ => "audit.action.read",
        }
    }
}

impl Entry {
    pub fn when(&self) -> String {
        let format =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        self.at.format(&format).unwrap_or_default()
    }

    /// The row as it was and as it became, without what never shows.
    pub fn raw(&self) -> (String, String) {
        let show = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .map(|v| serde_json::to_string_pretty(&words::shown(v)).unwrap_or_default())
                .unwrap_or_default()
        };
        (show(&self.before), show(&self.after))
    }

    /// The fields that changed, as "field: before → after".
    pub fn changes(&self) -> Vec<String> {
        let empty = serde_json::Map::new();
        let before = self
            .before
            .as_ref()
            .and_then(|v| v.as_object())
            .unwrap_or(&empty);
        let after = self
            .after
            .as_ref()
            .and_then(|v| v.as_object())
            .unwrap_or(&empty);
        let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| !matches!(k.as_str(), "tenant_id" | "id" | "created_at" | "updated_at"))
            .filter(|k| !words::HIDDEN.contains(&k.as_str()))
            .filter(|k| before.get(*k) != after.get(*k))
            .map(|k| {
                let show = |v: Option<&serde_json::Value>| {
                    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
                };
                format!("{k}: {} → {}", show(before.get(k)), show(after.get(k)))
            })
            .collect()
    }
}

async fn entries(
    reader: &AuditReader,
    conn: &mut PgConnection,
    f: &Filters,
    limit: i64,
) -> AppResult<Vec<Entry>> {
    Ok(sqlx::query_as!(
        Entry,
        r#"select a.id, a.at, u.email as "actor?", u.name as "actor_name?", a.request_id, a.action, a.object_type, a.object_id, a.before, a.after
           from audit_log a left join users u on u.id = a.actor
           where a.tenant_id = $6 and ($1 = '' or a.object_type = $1)
             and ($2 = '' or u.email = lower($2))
             and ($3 = '' or a.action = $3)
             and ($4::bigint is null or a.id < $4)
           order by a.id desc
           limit $5"#,
        f.object.trim(),
        f.actor.trim(),
        f.action.trim(),
        f.before,
        limit,
        reader.tenant_id()
    )
    .fetch_all(conn)
    .await?)
}

fn reader(ctx: &TenantCtx) -> AppResult<AuditReader> {
    ctx.grant::<authz::ViewAudit>()
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Chrome,
    slug: String,
    entries: Vec<Entry>,
    /// What each entry says, in the page's language, beside it.
    sentences: Vec<String>,
    filters: Filters,
    next: Option<i64>,
    export_query: String,
}

async fn page(
    page: Chrome,
    mut ctx: TenantCtx,
    Query(filters): Query<Filters>,
) -> AppResult<AuditPage> {
    let reader = reader(&ctx)?;
    let entries = entries(&reader, ctx.conn(), &filters, PAGE).await?;
    let names = words::Names::load(ctx.conn(), &entries).await?;
    let sentences = entries.iter().map(|e| words::sentence(e, &names)).collect();
    let next = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let export_query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("object", &filters.object),
            ("actor", &filters.actor),
            ("action", &filters.action),
        ])
        .finish();
    Ok(AuditPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        entries,
        sentences,
        filters,
        next,
        export_query,
    })
}

async fn export(mut ctx: TenantCtx, Query(filters): Query<Filters>) -> AppResult<Response> {
    let reader = reader(&ctx)?;
    let rows = entries(&reader, ctx.conn(), &filters, i64::MAX).await?;
    let header: Vec<String> = [
        "id",
        "at_utc",
        "actor",
        "request_id",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
    ]
    .iter()
    .map(|c| crate::i18n::t(&format!("audit.col.{c}")).into_owned())
    .collect();
    let bytes = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
        let mut w = crate::spreadsheet::CsvWriter::default();
        w.row(&header)?;
        for e in rows {
            w.row([
                e.id.to_string(),
                e.when(),
                e.actor.unwrap_or_default(),
                e.request_id,
                e.action,
                e.object_type,
                e.object_id.map(|i| i.to_string()).unwrap_or_default(),
                e.before.map(|v| v.to_string()).unwrap_or_default(),
                e.after.map(|v| v.to_string()).unwrap_or_default(),
            ])?;
        }
        w.finish()
    })
    .await
    .map_err(anyhow::Error::from)??;
    Ok((
        [
            (header::CONTENT_TYPE, crate::features::plan::transfer::CSV),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-log.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
