//! Search: one box in the header finds activities, outcomes, accepted
//! updates' notes, comments, risks, indicators, committees, meetings'
//! agendas and minutes, decisions, action points, partners and documents
//! (their text included), ranked, the matching words marked. PostgreSQL
//! does the work (`search_entries`, kept by triggers; `search_tenant`
//! applies the tenant's walls and who may read a committee's documents);
//! confidential records are never indexed. The public portal has its own
//! search over what is published (`search_public`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use serde::Deserialize;

use crate::error::AppResult;
use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::paths::{self, at};
use crate::tenancy::{PublicTenant, TenantCtx};

/// What a search may be filtered by.
pub const KINDS: [&str; 12] = [
    "activity",
    "outcome",
    "update",
    "comment",
    "risk",
    "indicator",
    "committee",
    "meeting",
    "decision",
    "action",
    "partner",
    "document",
];

/// Results a page shows.
const PER_PAGE: i32 = 20;

pub fn router() -> Routes {
    Routes::new().get(at::search, search)
}

pub fn public_router() -> Routes {
    Routes::new().get(at::public_search, public_search)
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub page: Option<u16>,
}

impl SearchQuery {
    /// The words, at most 200 characters, control characters dropped.
    fn words(&self) -> String {
        self.q
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect::<String>()
            .trim()
            .to_owned()
    }

    fn kind(&self) -> &'static str {
        KINDS
            .iter()
            .find(|k| **k == self.kind)
            .copied()
            .unwrap_or("")
    }

    fn page(&self) -> i32 {
        i32::from(self.page.unwrap_or(1).clamp(1, 50))
    }
}

/// Text with its matching words marked: (marked, text) pieces.
pub type Marked = Vec<(bool, String)>;

/// Splits what `ts_headline` wrote between U+0002 and U+0003 into pieces,
/// so the page escapes the text and marks the words itself.
pub fn marked(headline: &str) -> Marked {
    let mut pieces = Vec::new();
    for (i, part) in headline.split('\u{2}').enumerate() {
        let (hit, rest) = match part.split_once('\u{3}') {
            Some((hit, rest)) if i > 0 => (Some(hit), rest),
            _ => (None, part),
        };
        if let Some(hit) = hit.filter(|h| !h.is_empty()) {
            pieces.push((true, hit.to_owned()));
        }
        let rest = rest.replace('\u{3}', "");
        if !rest.is_empty() {
            pieces.push((false, rest));
        }
    }
    pieces
}

/// One thing found.
pub struct Hit {
    pub kind: String,
    pub href: String,
    pub title: Marked,
    pub snippet: Marked,
}

impl Hit {
    pub fn kind_key(&self) -> String {
        format!("search.kind.{}", self.kind)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "search/results.html")]
pub struct SearchPage {
    page: Chrome,
    /// The search's own address (the tenant's, or the portal's).
    action: String,
    /// The portal's tenant (slug, name), on the public search.
    portal: Option<(String, String)>,
    q: String,
    kind: &'static str,
    kinds: &'static [&'static str],
    hits: Vec<Hit>,
    page_number: i32,
    more: bool,
}

impl SearchPage {
    fn page_link(&self, n: i32) -> String {
        let n = n.to_string();
        let mut pairs = vec![("q", self.q.as_str()), ("page", n.as_str())];
        if !self.kind.is_empty() {
            pairs.push(("kind", self.kind));
        }
        paths::with_query(&self.action, &pairs)
    }
}

/// `GET /t/{slug}/search?q=…&kind=…&page=…`.
async fn search(
    page: Chrome,
    mut ctx: TenantCtx,
    Query(query): Query<SearchQuery>,
) -> AppResult<SearchPage> {
    let q = query.words();
    let kind = query.kind();
    let number = query.page();
    let mut hits = Vec::new();
    if !q.is_empty() {
        let rows = sqlx::query!(
            r#"select kind as "kind!", path as "path!", title as "title!", snippet as "snippet!"
               from search_tenant($1, $2, $3, $4)"#,
            q,
            kind,
            PER_PAGE + 1,
            (number - 1) * PER_PAGE
        )
        .fetch_all(ctx.conn())
        .await?;
        let base = paths::tenant_home(&ctx.tenant.slug);
        hits = rows
            .into_iter()
            .map(|r| Hit {
                href: format!("{base}{}", r.path),
                kind: r.kind,
                title: marked(&r.title),
                snippet: marked(&r.snippet),
            })
            .collect();
    }
    let more = hits.len() > PER_PAGE as usize;
    hits.truncate(PER_PAGE as usize);
    Ok(SearchPage {
        page: page.in_tenant(&ctx),
        action: paths::search(&ctx.tenant.slug),
        portal: None,
        q,
        kind,
        kinds: &KINDS,
        hits,
        page_number: number,
        more,
    })
}

/// `GET /p/{slug}/search?q=…`: what the portal publishes.
async fn public_search(
    page: Chrome,
    mut tenant: PublicTenant,
    Query(query): Query<SearchQuery>,
) -> AppResult<SearchPage> {
    let q = query.words();
    let number = query.page();
    let mut hits = Vec::new();
    if !q.is_empty() {
        let rows = sqlx::query!(
            r#"select kind as "kind!", object_id as "object_id!", nap_id, title as "title!",
                      snippet as "snippet!"
               from search_public($1, $2, $3)"#,
            q,
            PER_PAGE + 1,
            (number - 1) * PER_PAGE
        )
        .fetch_all(tenant.conn())
        .await?;
        hits = rows
            .into_iter()
            .map(|r| Hit {
                href: match (r.kind.as_str(), r.nap_id) {
                    ("document", _) => paths::public_document_file(&tenant.slug, r.object_id),
                    (_, Some(nap)) => paths::public_nap(&tenant.slug, nap),
                    _ => paths::public_home(&tenant.slug),
                },
                kind: r.kind,
                title: marked(&r.title),
                snippet: marked(&r.snippet),
            })
            .collect();
    }
    let more = hits.len() > PER_PAGE as usize;
    hits.truncate(PER_PAGE as usize);
    Ok(SearchPage {
        page,
        action: paths::public_search(&tenant.slug),
        portal: Some((tenant.slug.clone(), tenant.name.clone())),
        q,
        kind: "",
        kinds: &[],
        hits,
        page_number: number,
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_words_come_apart_from_the_text() {
        assert_eq!(
            marked("la \u{2}délégation\u{3} a visité <b>"),
            vec![
                (false, "la ".to_owned()),
                (true, "délégation".to_owned()),
                (false, " a visité <b>".to_owned()),
            ]
        );
        assert_eq!(marked("plain"), vec![(false, "plain".to_owned())]);
        assert_eq!(
            marked("\u{2}a\u{3}\u{2}b\u{3}"),
            vec![(true, "a".to_owned()), (true, "b".to_owned())]
        );
        // A stray end marker is dropped, never shown.
        assert_eq!(marked("x\u{3}y"), vec![(false, "xy".to_owned())]);
    }
}
