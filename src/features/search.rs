//! Search: one box in the header finds activities, outcomes, accepted
//! updates' notes, comments, risks, indicators, committees, meetings'
//! agendas and minutes, decisions, action points, partners and documents
//! (their text included), ranked, the matching words marked. PostgreSQL
//! finds and ranks (`search_entries`, kept by triggers; `search_tenant`
//! applies the tenant's walls and who may read a committee's documents);
//! the page marks the words beginning with the query's stems (`mark`) and
//! cuts the body around the first (`snippet`), cheaper than `ts_headline`;
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
    /// An SDG target or ILO instrument, by code: only what serves it.
    #[serde(default)]
    pub align: String,
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

/// A word as search compares it: lower case, without accents.
fn fold(word: &str) -> String {
    crate::text::folded(word).collect()
}

/// The text's words, as (start, end) byte ranges, read as they are asked for.
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?;
        let end = chars
            .by_ref()
            .find(|(_, c)| !c.is_alphanumeric())
            .map_or(text.len(), |(i, _)| i);
        Some((start, end))
    })
}

/// Whether a word is one the query asked for: it begins with one of the
/// query's stems (`inspect` for "inspectors", `deleg` for "Délégation").
/// Compared character by character: most words differ at the first.
fn matches(word: &str, stems: &[String]) -> bool {
    stems.iter().any(|stem| {
        let mut folded = crate::text::folded(word);
        !stem.is_empty() && stem.chars().all(|c| folded.next() == Some(c))
    })
}

/// `text` in pieces, its matching words marked; the page escapes each.
pub fn mark(text: &str, stems: &[String]) -> Marked {
    let mut pieces: Marked = Vec::new();
    let mut push = |hit: bool, piece: &str| match pieces.last_mut() {
        Some((last, text)) if *last == hit && !hit => text.push_str(piece),
        _ if piece.is_empty() => {}
        _ => pieces.push((hit, piece.to_owned())),
    };
    let mut at = 0;
    for (start, end) in words(text) {
        if matches(&text[start..end], stems) {
            push(false, &text[at..start]);
            push(true, &text[start..end]);
            at = end;
        }
    }
    push(false, &text[at..]);
    pieces
}

/// Words shown before and after the first matching word of a body.
const BEFORE: usize = 10;
const AFTER: usize = 22;

/// A few lines of `body` around its first matching word (or its beginning),
/// marked. Words are read only as far as the snippet needs.
pub fn snippet(body: &str, stems: &[String]) -> Marked {
    let mut words = words(body);
    let mut read = Vec::new();
    let hit = loop {
        match words.next() {
            Some((s, e)) => {
                read.push((s, e));
                if matches(&body[s..e], stems) {
                    break read.len() - 1;
                }
            }
            None => break 0,
        }
    };
    // One more than shown, to know whether the body goes on.
    read.extend(words.take(AFTER + 1));
    let Some(&(first, _)) = read.first() else {
        return Vec::new();
    };
    let from = hit.saturating_sub(BEFORE);
    let to = (hit + AFTER).min(read.len() - 1);
    let (start, end) = (read[from].0, read[to].1);
    let mut text = String::new();
    if start > first {
        text.push_str("… ");
    }
    text.push_str(body[start..end].trim());
    if to + 1 < read.len() {
        text.push_str(" …");
    }
    mark(&text, stems)
}

/// The stems as [`mark`] compares them.
fn folded(stems: Vec<String>) -> Vec<String> {
    stems.iter().map(|s| fold(s)).collect()
}

/// One thing found.
pub struct Hit {
    pub kind: String,
    pub href: String,
    pub title: Marked,
    pub snippet: Marked,
}

impl Hit {
    /// A row of the search functions as the page shows it: its title and
    /// a few lines of its body, the words the query's stems begin marked.
    fn new(kind: String, href: String, title: &str, body: &str, stems: Vec<String>) -> Self {
        let stems = folded(stems);
        Self {
            kind,
            href,
            title: mark(title, &stems),
            snippet: snippet(body, &stems),
        }
    }

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
    /// The chosen SDG target or ILO instrument, by code; empty for none.
    align: String,
    /// Those the tenant's plans use, to choose from (none on the portal).
    aligns: Vec<String>,
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
        if !self.align.is_empty() {
            pairs.push(("align", &self.align));
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
    let aligns = crate::features::plan::alignment::used(ctx.conn(), None).await?;
    // Only a code the plans use filters; anything else is no filter.
    let align = Some(crate::features::plan::alignment::normalize(&query.align))
        .filter(|code| aligns.contains(code))
        .unwrap_or_default();
    let mut hits = Vec::new();
    if !q.is_empty() {
        let rows = sqlx::query!(
            r#"select kind as "kind!", path as "path!", title as "title!", body as "body!",
                      stems as "stems!"
               from search_tenant($1, $2, $3, $4, $5)"#,
            q,
            kind,
            PER_PAGE + 1,
            (number - 1) * PER_PAGE,
            align
        )
        .fetch_all(ctx.conn())
        .await?;
        let base = paths::tenant_home(&ctx.tenant.slug);
        hits = rows
            .into_iter()
            .map(|r| {
                Hit::new(
                    r.kind,
                    format!("{base}{}", r.path),
                    &r.title,
                    &r.body,
                    r.stems,
                )
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
        align,
        aligns,
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
                      body as "body!", stems as "stems!"
               from search_public($1, $2, $3)"#,
            q,
            PER_PAGE + 1,
            (number - 1) * PER_PAGE
        )
        .fetch_all(tenant.conn())
        .await?;
        hits = rows
            .into_iter()
            .map(|r| {
                let href = match (r.kind.as_str(), r.nap_id) {
                    ("document", _) => paths::public_document_file(&tenant.slug, r.object_id),
                    (_, Some(nap)) => paths::public_nap(&tenant.slug, nap),
                    _ => paths::public_home(&tenant.slug),
                };
                Hit::new(r.kind, href, &r.title, &r.body, r.stems)
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
        align: String::new(),
        aligns: Vec::new(),
        hits,
        page_number: number,
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_marked_by_their_stem_whatever_their_accents() {
        let stems = folded(vec!["deleg".to_owned(), "exploit".to_owned()]);
        assert_eq!(
            mark("La Délégation a visité <b>les exploitations</b>.", &stems),
            vec![
                (false, "La ".to_owned()),
                (true, "Délégation".to_owned()),
                (false, " a visité <b>les ".to_owned()),
                (true, "exploitations".to_owned()),
                (false, "</b>.".to_owned()),
            ]
        );
        assert_eq!(mark("plain", &stems), vec![(false, "plain".to_owned())]);
        // A ligature reads as its letters, as PostgreSQL's unaccent has it.
        assert_eq!(
            mark("Les Œuvres", &folded(vec!["oeuvr".to_owned()])),
            vec![(false, "Les ".to_owned()), (true, "Œuvres".to_owned())]
        );
        assert_eq!(mark("", &stems), Vec::<(bool, String)>::new());
    }

    #[test]
    fn a_snippet_is_cut_around_the_first_match() {
        let body: String = (1..=100).map(|i| format!("w{i} ")).collect::<String>() + "cocoa end";
        let pieces = snippet(&body, &["cocoa".to_owned()]);
        let text: String = pieces.iter().map(|(_, t)| t.as_str()).collect();
        assert!(text.starts_with("… w91 "), "{text}");
        assert!(text.ends_with("cocoa end"), "{text}");
        assert_eq!(pieces.iter().filter(|(hit, _)| *hit).count(), 1);
        // No match in the body (the title matched): its beginning.
        let text: String = snippet(&body, &["zz".to_owned()])
            .iter()
            .map(|(_, t)| t.as_str())
            .collect();
        assert!(text.starts_with("w1 w2") && text.ends_with(" …"), "{text}");
    }

    #[test]
    fn a_snippet_says_whether_the_body_goes_on() {
        let words = |n: usize| {
            (1..=n)
                .map(|i| format!("w{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let text = |body: &str| -> String {
            snippet(body, &["cocoa".to_owned()])
                .iter()
                .map(|(_, t)| t.as_str())
                .collect()
        };
        // Exactly the words shown after the match: nothing more to say.
        let body = format!("Cocoa {}", words(AFTER));
        assert_eq!(text(&body), body);
        // One more: the body goes on.
        let body = format!("Cocoa {}", words(AFTER + 1));
        assert_eq!(text(&body), format!("Cocoa {} …", words(AFTER)));
        // Upper case and accents match the stem; punctuation is not a word.
        let pieces = snippet("— «CÔCOA»!", &["cocoa".to_owned()]);
        assert_eq!(pieces.iter().filter(|(hit, _)| *hit).count(), 1);
        assert_eq!(snippet("", &["cocoa".to_owned()]), Vec::new());
        assert_eq!(snippet(" , ;", &["cocoa".to_owned()]), Vec::new());
    }
}
