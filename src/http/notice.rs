//! What a page says after a form did its work. The handler redirects to
//! the page with `?done=<notice>` ([`done`]); whichever page that is shows
//! the sentence in a status region (`base.html`), so the person knows what
//! happened without a session write. Only the closed list of
//! [`Notice`]s is ever shown: a link cannot make a page say anything else.

use crate::choices::Notice;

/// `url` (which may end in a `#fragment`) with the notice in its query.
pub fn done(url: &str, notice: Notice) -> String {
    let (path, fragment) = match url.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (url, None),
    };
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut out = format!("{path}{separator}done={}", notice.as_str());
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The notice a request's query names, if it is one of ours.
pub fn from_query(query: Option<&str>) -> Option<Notice> {
    let query = query?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| Notice::parse(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_goes_before_the_fragment_and_only_ours_come_back() {
        assert_eq!(done("/t/a/", Notice::Saved), "/t/a/?done=saved");
        assert_eq!(
            done("/t/a/naps/1/activities/2#comments", Notice::CommentAdded),
            "/t/a/naps/1/activities/2?done=comment-added#comments"
        );
        assert_eq!(
            done("/t/a/members?x=1", Notice::Deactivated),
            "/t/a/members?x=1&done=deactivated"
        );
        assert_eq!(
            from_query(Some("page=2&done=imported")),
            Some(Notice::Imported)
        );
        assert_eq!(from_query(Some("done=%3Cscript%3E")), None);
        assert_eq!(from_query(None), None);
    }
}
