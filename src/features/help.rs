//! `/help`: what the words of the product mean, for anyone, signed in or
//! not. Each term has its anchor (`/help#focal-point`), and pages that use a
//! term link to it through the `term` macro of `_help.html`.

use askama::Template;
use askama_web::WebTemplate;

use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::paths::at;

pub fn router() -> Routes {
    Routes::new().get(at::help, page)
}

/// The glossary's terms, in reading order: each one's anchor, and the
/// catalog keys `help.<anchor>.term` and `help.<anchor>.text`.
pub const TERMS: &[&str] = &[
    "nap",
    "objective",
    "outcome",
    "activity",
    "time-target",
    "schedule-and-status",
    "indicator",
    "baseline",
    "round",
    "focal-point",
    "tripartite",
    "alignment",
    "secretariat",
    "observer",
    "terms-of-reference",
    "quorum",
];

/// The catalog key of a term's name.
pub fn term_key(anchor: &str) -> String {
    format!("help.{anchor}.term")
}

/// The catalog key of a term's explanation.
pub fn text_key(anchor: &str) -> String {
    format!("help.{anchor}.text")
}

#[derive(Template, WebTemplate)]
#[template(path = "help.html")]
struct HelpPage {
    page: Chrome,
    terms: &'static [&'static str],
}

async fn page(page: Chrome) -> HelpPage {
    HelpPage { page, terms: TERMS }
}
