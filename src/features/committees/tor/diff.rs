//! A word-level diff of two texts: which words were removed from the older
//! and which added to the newer.

/// A run of text on one side of a comparison: the same on both sides, or
/// only on this one (removed from the older text, added to the newer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub change: Change,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Removed,
    Added,
}

impl Piece {
    pub fn removed(&self) -> bool {
        self.change == Change::Removed
    }

    pub fn added(&self) -> bool {
        self.change == Change::Added
    }
}

/// Words, runs of white space, and each other character (punctuation) on
/// its own, so that "quarter." against "month." marks the word only.
fn tokens(text: &str) -> Vec<&str> {
    let class = |c: char| {
        if c.is_alphanumeric() {
            0
        } else if c.is_whitespace() {
            1
        } else {
            2
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut last: Option<u8> = None;
    for (i, c) in text.char_indices() {
        let k = class(c);
        if last.is_some_and(|l| l != k || k == 2) {
            out.push(&text[start..i]);
            start = i;
        }
        last = Some(k);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn is_space(token: &str) -> bool {
    token.chars().all(char::is_whitespace)
}

/// The older and the newer text as pieces, the words that changed marked:
/// removed ones on the older side, added ones on the newer.
pub fn word_diff(before: &str, after: &str) -> (Vec<Piece>, Vec<Piece>) {
    let old = tokens(before);
    let new = tokens(after);
    let mut left = Vec::new();
    let mut right = Vec::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            push(&mut left, Change::Same, &old[o]);
            push(&mut right, Change::Same, &new[n]);
        } else {
            mark(&mut left, Change::Removed, &old[o]);
            mark(&mut right, Change::Added, &new[n]);
        }
    }
    (join_marks(left), join_marks(right))
}

fn push(pieces: &mut Vec<Piece>, change: Change, tokens: &[&str]) {
    let text = tokens.concat();
    if text.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(last) if last.change == change => last.text.push_str(&text),
        _ => pieces.push(Piece { text, change }),
    }
}

/// Marks `tokens` as changed, but not the white space at either end: only words.
fn mark(pieces: &mut Vec<Piece>, change: Change, tokens: &[&str]) {
    let start = tokens
        .iter()
        .position(|t| !is_space(t))
        .unwrap_or(tokens.len());
    let end = tokens
        .iter()
        .rposition(|t| !is_space(t))
        .map_or(start, |e| e + 1);
    push(pieces, Change::Same, &tokens[..start]);
    push(pieces, change, &tokens[start..end]);
    push(pieces, Change::Same, &tokens[end..]);
}

/// Two marked runs with only white space between them read as one change.
fn join_marks(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let n = out.len();
        if piece.change != Change::Same
            && n >= 2
            && out[n - 1].change == Change::Same
            && is_space(&out[n - 1].text)
            && out[n - 2].change == piece.change
        {
            let gap = out.pop().map(|p| p.text).unwrap_or_default();
            let last = &mut out[n - 2];
            last.text.push_str(&gap);
            last.text.push_str(&piece.text);
        } else {
            out.push(piece);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(pieces: &[Piece]) -> Vec<&str> {
        pieces
            .iter()
            .filter(|p| p.change != Change::Same)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn only_the_changed_words_are_marked() {
        let (old, new) = word_diff(
            "The committee meets every quarter.",
            "The committee meets every month.",
        );
        assert_eq!(marked(&old), ["quarter"]);
        assert_eq!(marked(&new), ["month"]);
        let text = |p: &[Piece]| p.iter().map(|p| p.text.as_str()).collect::<String>();
        assert_eq!(text(&old), "The committee meets every quarter.");
        assert_eq!(text(&new), "The committee meets every month.");
        // Neighbouring changes read as one; white space at the edges is not marked.
        let (old, new) = word_diff(
            "reports to the minister yearly",
            "reports to parliament yearly",
        );
        assert_eq!(marked(&old), ["the minister"]);
        assert_eq!(marked(&new), ["parliament"]);
        let (old, new) = word_diff("same", "same");
        assert!(marked(&old).is_empty() && marked(&new).is_empty());
        let (old, new) = word_diff("", "A new section.");
        assert!(old.is_empty());
        assert_eq!(marked(&new), ["A new section."]);
    }
}
