//! The layering of `src/`, read from the source: which file imports which.
//! The lower layers (errors, the database, permissions, HTTP pieces,
//! sign-in, tenancy…) never import a feature or the composition above
//! them, and no two files import each other, directly or round a circle.
//! `docs/ARCHITECTURE.md` lists the layers; this test keeps them true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Files of these modules form the lower layers.
const LOWER: [&str; 15] = [
    "config",
    "mail",
    "choices",
    "spreadsheet",
    "password",
    "error",
    "i18n",
    "db",
    "state",
    "authz",
    "http",
    "accounts",
    "auth",
    "tenancy",
    "paths",
];
/// What the lower layers never import: the features, and what composes them.
const UPPER: [&str; 8] = [
    "features",
    "app",
    "cli",
    "demo",
    "demo_plan",
    "demo_committees",
    "demo_reports",
    "bench",
];

/// Every module of `src/` (as `a::b`) and the file's text.
fn modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            let name = match parts.as_slice() {
                [only] if only == "lib" => String::new(),
                _ => parts.join("::"),
            };
            found.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    found
}

/// The text without comments (where paths are only words).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a `{a::b, c}` group (or a plain path) names, expanded.
fn expand(prefix: &str, text: &str, out: &mut Vec<String>) {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(prefix, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(prefix, &inner[start..], out);
        return;
    }
    match text.find("::{") {
        Some(at) => expand(&join(prefix, &text[..at]), &text[at + 2..], out),
        None if !text.is_empty() => out.push(join(prefix, text.split(" as ").next().unwrap())),
        None => {}
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.trim().to_owned()
    } else {
        format!("{a}::{}", b.trim())
    }
}

/// The crate paths a file refers to, `super::` resolved against `module`.
fn references(module: &str, text: &str) -> Vec<String> {
    let text = code(text);
    let mut out = Vec::new();
    let parent: Vec<&str> = module.split("::").filter(|p| !p.is_empty()).collect();
    let parent = parent[..parent.len().saturating_sub(1)].join("::");
    for (marker, base) in [("crate::", String::new()), ("super::", parent)] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(marker) {
            let before = rest[..at].chars().last();
            rest = &rest[at + marker.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            // The path, a group included.
            let mut end = 0;
            let mut depth = 0;
            for (i, c) in rest.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth > 0 => depth -= 1,
                    c if depth > 0 || c.is_alphanumeric() || c == '_' || c == ':' => {}
                    ',' | ' ' | '\n' if depth > 0 => {}
                    _ => {
                        end = i;
                        break;
                    }
                }
                end = i + c.len_utf8();
            }
            let path = rest[..end].trim_end_matches(':');
            expand(&base, path, &mut out);
        }
    }
    out
}

/// The file a path lives in: the longest prefix that is a module.
fn resolve(modules: &BTreeMap<String, String>, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|candidate| modules.contains_key(candidate))
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &modules {
        let targets = edges.entry(module.clone()).or_default();
        for path in references(module, text) {
            if let Some(target) = resolve(&modules, &path)
                && target != *module
                && !target.is_empty()
                // A parent declaring its children (`pub mod x`) is no import.
                && !(target.starts_with(module.as_str()) && module.is_empty())
            {
                targets.insert(target);
            }
        }
    }
    edges
}

#[test]
fn lower_layers_never_import_features() {
    let mut wrong = Vec::new();
    for (from, targets) in graph() {
        if !LOWER.contains(&top(&from)) {
            continue;
        }
        for to in targets {
            if UPPER.contains(&top(&to)) {
                wrong.push(format!("{from} imports {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "lower layers importing upward:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_file_imports_itself_round_a_circle() {
    let edges = graph();
    // Tarjan's strongly connected components.
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        cycles: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let targets: Vec<&'a str> = s
            .edges
            .get(v)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        for w in targets {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.cycles.push(component);
            }
        }
    }
    let mut state = State {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        cycles: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    let through_lower: Vec<_> = state
        .cycles
        .iter()
        .filter(|c| c.iter().any(|m| LOWER.contains(&top(m))))
        .collect();
    assert!(
        through_lower.is_empty(),
        "import cycles through the lower layers:\n{through_lower:#?}"
    );
}

#[test]
fn the_reader_sees_groups_and_parents() {
    let mut out = Vec::new();
    expand(
        "",
        "http::{self, form::{Form, invalid}, page::Chrome}",
        &mut out,
    );
    assert_eq!(
        out,
        [
            "http::self",
            "http::form::Form",
            "http::form::invalid",
            "http::page::Chrome"
        ]
    );
    let refs = references(
        "features::plan::grid",
        "use super::model::Nap;\nuse crate::error::AppError; // crate::app",
    );
    assert_eq!(refs, ["error::AppError", "features::plan::model::Nap"]);
}

/// The text with every string literal's content blanked (quotes kept, one
/// space a character), so that braces and words inside strings do not count
/// as code.
fn blank_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let after_word = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        // Raw strings: r"…", r#"…"#.
        if c == 'r' && !after_word && matches!(chars.get(i + 1), Some('"' | '#')) {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) == Some(&'"') {
                let start = i + 2 + hashes;
                let mut end = start;
                while end < chars.len()
                    && !(chars[end] == '"'
                        && chars[end + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|c| **c == '#')
                            .count()
                            == hashes)
                {
                    end += 1;
                }
                out.extend(&chars[i..start]);
                out.extend(chars[start..end].iter().map(|c| blank(*c)));
                let close = (end + 1 + hashes).min(chars.len());
                out.extend(&chars[end.min(chars.len())..close]);
                i = close;
                continue;
            }
        }
        if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    out.push(' ');
                    i += 1;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
            if i < chars.len() {
                out.push('"');
            }
            i += 1;
            continue;
        }
        // A character literal such as '{' or '"'.
        if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The capability types a write must be given (or be a method of); the
/// signed-in person (`CurrentUser`) for their own rows (notifications read).
const CAPABILITIES: [&str; 18] = [
    "CurrentUser",
    "Cap<",
    "TenantMember",
    "MembersAdmin",
    "PlanEditor",
    "CommitteeEditor",
    "SettingsAdmin",
    "UpdateReviewer",
    "Commenter",
    "AuditReader",
    "ConfidentialGroupsAdmin",
    "ActivityReporter",
    "IndicatorReporter",
    "ConfidentialKeeper",
    "ReportWriter",
    "DocumentSharer",
    "DocumentEditor",
    "NewsletterEditor",
];
/// Tables that are no tenant's data: accounts, sessions and mail.
const GLOBAL_TABLES: [&str; 6] = [
    "users",
    "sessions",
    "login_failures",
    "mail_preferences",
    "mail_digests",
    "mail_outbox",
];

/// The tables a piece of SQL writes to.
fn written_tables(sql: &str) -> Vec<String> {
    let sql = sql.to_lowercase();
    let words: Vec<&str> = sql
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut tables = Vec::new();
    for (i, pair) in words.windows(2).enumerate() {
        match pair {
            ["insert", "into"] | ["delete", "from"] => {
                if let Some(t) = words.get(i + 2) {
                    tables.push((*t).to_owned());
                }
            }
            ["update", t]
                if words.get(i + 2) == Some(&"set") || words.get(i + 3) == Some(&"set") =>
            {
                tables.push((*t).to_owned())
            }
            _ => {}
        }
    }
    tables
}

/// No feature writes a tenant's rows except in a function that is given a
/// capability, or is a method of one: the type of the write says who may.
#[test]
fn tenant_writes_need_their_capability() {
    let mut wrong = Vec::new();
    for (module, text) in modules() {
        if !module.starts_with("features") {
            continue;
        }
        let code_only = blank_strings(&code(&text));
        // Each `fn`: its signature, its body, and the `impl` it sits in.
        let mut impl_header = String::new();
        let mut impl_depth: Option<usize> = None;
        let mut depth = 0usize;
        let mut i = 0;
        let chars: Vec<char> = code_only.chars().collect();
        let original: Vec<char> = code(&text).chars().collect();
        while i < chars.len() {
            let rest: String = chars[i..chars.len().min(i + 5)].iter().collect();
            let at_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
            if at_word
                && rest.starts_with("impl")
                && chars
                    .get(i + 4)
                    .is_some_and(|c| c.is_whitespace() || *c == '<')
            {
                let open = (i..chars.len()).find(|&j| chars[j] == '{').unwrap();
                impl_header = chars[i..open].iter().collect();
                impl_depth = Some(depth);
                depth += 1;
                i = open + 1;
                continue;
            }
            if at_word && rest.starts_with("fn ") {
                let open = (i..chars.len())
                    .find(|&j| chars[j] == '{' || chars[j] == ';')
                    .unwrap();
                if chars[open] == ';' {
                    i = open + 1;
                    continue;
                }
                let signature: String = chars[i..open].iter().collect();
                let mut d = 0;
                let mut end = open;
                for (j, c) in chars.iter().enumerate().skip(open) {
                    match c {
                        '{' => d += 1,
                        '}' => {
                            d -= 1;
                            if d == 0 {
                                end = j;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let body: String = original[open..=end].iter().collect();
                let tables: Vec<String> = written_tables(&body)
                    .into_iter()
                    .filter(|t| !GLOBAL_TABLES.contains(&t.as_str()))
                    .collect();
                let given = CAPABILITIES.iter().any(|c| signature.contains(c));
                let method = signature.contains("self")
                    && CAPABILITIES.iter().any(|c| impl_header.contains(c));
                if !tables.is_empty() && !given && !method {
                    let name = signature.split('(').next().unwrap_or("").trim().to_owned();
                    wrong.push(format!("{module}: {name} writes {tables:?}"));
                }
                i = end + 1;
                continue;
            }
            match chars[i] {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if impl_depth == Some(depth) {
                        impl_depth = None;
                        impl_header.clear();
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "writes of tenant data without a capability:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_write_reader_finds_tables_and_skips_strings() {
    assert_eq!(
        written_tables("insert into risks (a) values (1)"),
        ["risks"]
    );
    assert_eq!(
        written_tables("update activities a set x = 1"),
        ["activities"]
    );
    assert_eq!(written_tables("delete from comments where"), ["comments"]);
    assert!(written_tables("select updated_at from x").is_empty());
    assert_eq!(blank_strings("f(\"{a}\", '{') {"), "f(\"   \", ' ') {");
}
