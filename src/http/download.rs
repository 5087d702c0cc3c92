//! Files we send: always as attachments (never shown in the page), with
//! the type we give them and a file name that cannot mislead.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::page::encode_component;

/// Characters that reorder the text around them (right-to-left overrides
/// and isolates): `invoice\u{202e}fdp.exe` reads as `invoiceexe.pdf`.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// The last path segment of an uploaded name, without control or
/// reordering characters or quotes, at most 200 characters; `file` when
/// nothing is left.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c) && *c != '"')
        .take(200)
        .collect();
    let clean = clean.trim();
    if clean.is_empty() || clean.chars().all(|c| c == '.') {
        "file".to_owned()
    } else {
        clean.to_owned()
    }
}

/// `bytes` as a download named `name` (cleaned again here), never cached.
pub fn attachment(bytes: impl IntoResponse, content_type: &str, name: &str) -> Response {
    let name = clean_file_name(name);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode_component(&name)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_what_a_person_reads_and_nothing_else() {
        assert_eq!(
            clean_file_name("C:\\Users\\x\\referral.pdf"),
            "referral.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\"b\r\n.txt"), "ab.txt");
        assert_eq!(clean_file_name(""), "file");
        assert_eq!(clean_file_name(".."), "file");
        assert_eq!(clean_file_name("invoice\u{202e}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_file_name("\u{2067}a\u{2069}b\u{200f}.txt"), "ab.txt");
        assert_eq!(clean_file_name("Décision n°3.pdf"), "Décision n°3.pdf");
    }
}
