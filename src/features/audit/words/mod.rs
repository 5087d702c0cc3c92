//! The audit log in people's words: one sentence per change, naming the
//! person, what changed (codes, titles, names) and the closed lists' labels,
//! never a table or a column name.

mod names;
mod pieces;

pub use names::Names;

use serde_json::{Map, Value};

use super::Entry;
use crate::i18n;
use pieces::{field, name, thing, value};

/// Columns never shown, whatever a table's trigger keeps: secrets and what
/// confidential records say (their triggers leave them out already).
pub const HIDDEN: &[&str] = &[
    "token_hash",
    "password_hash",
    "totp_secret",
    "two_factor_secret",
    "file_data",
];

/// Columns that say nothing a reader needs: keys, stamps, counters.
const QUIET: &[&str] = &[
    "tenant_id",
    "id",
    "created_at",
    "updated_at",
    "code_order",
    "version",
    "last_update_at",
];

/// Long texts: a sentence says they were rewritten, the details show them.
const LONG: &[&str] = &[
    "description",
    "summary",
    "national_alignment",
    "note",
    "mitigation",
    "agenda",
    "minutes",
    "text",
    "review_comment",
    "mandate",
    "purpose",
    "composition",
    "roles",
    "decision_making",
    "meeting_frequency",
    "reporting",
    "changes",
    "confidentiality",
    "evidence",
    "challenge",
];

/// The row without the columns that never show.
pub fn shown(row: &Value) -> Value {
    match row {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !HIDDEN.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn row(e: &Entry) -> Option<&Map<String, Value>> {
    e.after
        .as_ref()
        .or(e.before.as_ref())
        .and_then(Value::as_object)
}

/// The sentence for one entry, in the current language, ending with its day.
pub fn sentence(e: &Entry, names: &Names) -> String {
    let who = e
        .actor_name
        .clone()
        .unwrap_or_else(|| i18n::t("audit.nobody").into_owned());
    let said = match (e.action.as_str(), row(e)) {
        ("read", _) => {
            let activity = e
                .object_id
                .and_then(|id| names.get("record", id))
                .unwrap_or_default();
            let key = format!("audit.read.{}", e.object_type);
            if i18n::t(&key) == key {
                i18n::t_args("audit.read", &[("who", &who)])
            } else {
                i18n::t_args(&key, &[("who", &who), ("name", activity)])
            }
        }
        ("insert", Some(r)) => inserted(e, r, &who, names),
        ("delete", Some(r)) => {
            let key = format!("audit.delete.{}", e.object_type);
            let key = if i18n::t(&key) == key {
                "audit.deleted".to_owned()
            } else {
                key
            };
            let group = r
                .get("group_id")
                .map(|v| names.of("group_id", v))
                .unwrap_or_default();
            i18n::t_args(
                &key,
                &[
                    ("who", &who),
                    ("thing", &thing(&e.object_type, r, names)),
                    ("name", &name(&e.object_type, r, names)),
                    ("group", &group),
                ],
            )
        }
        ("update", Some(_)) => updated(e, &who, names),
        _ => i18n::t_args("audit.changed_something", &[("who", &who)]),
    };
    i18n::t_args(
        "audit.sentence",
        &[("said", &said), ("day", &i18n::day(e.at.date()))],
    )
}

fn inserted(e: &Entry, r: &Map<String, Value>, who: &str, names: &Names) -> String {
    let table = e.object_type.as_str();
    let thing = thing(table, r, names);
    let get = |k: &str| value(table, k, r.get(k).unwrap_or(&Value::Null), names);
    match table {
        "status_updates" => i18n::t_args(
            "audit.insert.status_updates",
            &[
                ("who", who),
                ("name", &name(table, r, names)),
                ("status", &get("status")),
                ("progress", &get("progress")),
            ],
        ),
        "memberships" => i18n::t_args(
            "audit.insert.memberships",
            &[
                ("who", who),
                ("name", &name(table, r, names)),
                ("role", &get("role")),
            ],
        ),
        "tor_versions" => i18n::t_args(
            "audit.insert.tor_versions",
            &[("who", who), ("name", &name(table, r, names))],
        ),
        "comments" => i18n::t_args(
            "audit.insert.comments",
            &[("who", who), ("name", &name(table, r, names))],
        ),
        "confidential_group_members" => i18n::t_args(
            "audit.insert.confidential_group_members",
            &[
                ("who", who),
                ("name", &name(table, r, names)),
                ("group", &get("group_id")),
            ],
        ),
        "attendance" => i18n::t_args(
            "audit.insert.attendance",
            &[
                ("who", who),
                ("thing", &thing),
                ("presence", &get("presence")),
            ],
        ),
        _ => i18n::t_args("audit.added", &[("who", who), ("thing", &thing)]),
    }
}

fn updated(e: &Entry, who: &str, names: &Names) -> String {
    let table = e.object_type.as_str();
    let empty = Map::new();
    let before = e
        .before
        .as_ref()
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let after = e
        .after
        .as_ref()
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut columns: Vec<&String> = after
        .keys()
        .filter(|k| !QUIET.contains(&k.as_str()) && !HIDDEN.contains(&k.as_str()))
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    columns.sort();
    let name = name(table, after, names);
    let get = |row: &Map<String, Value>, k: &str| {
        value(table, k, row.get(k).unwrap_or(&Value::Null), names)
    };
    // The changes with a sentence of their own.
    match (table, columns.as_slice()) {
        ("tor_versions", _)
            if before.get("version").is_some_and(Value::is_null)
                && after.get("version").is_some_and(|v| !v.is_null()) =>
        {
            return i18n::t_args(
                "audit.published_tor",
                &[("who", who), ("n", &get(after, "version")), ("name", &name)],
            );
        }
        ("memberships", [c]) if c.as_str() == "active" => {
            let key = if after.get("active") == Some(&Value::Bool(true)) {
                "audit.reactivated"
            } else {
                "audit.deactivated"
            };
            return i18n::t_args(key, &[("who", who), ("name", &name)]);
        }
        ("status_updates", _) if columns.iter().any(|c| c.as_str() == "review_state") => {
            return i18n::t_args(
                "audit.reviewed",
                &[
                    ("who", who),
                    ("name", &name),
                    ("state", &get(after, "review_state")),
                ],
            );
        }
        _ => {}
    }
    match columns.as_slice() {
        [] => i18n::t_args("audit.changed_something", &[("who", who)]),
        [c] => {
            let (old, new) = (get(before, c), get(after, c));
            let args = [
                ("who", who),
                ("field", &field(c)),
                ("name", &name),
                ("before", &old),
                ("after", &new),
            ];
            let key = if LONG.contains(&c.as_str()) {
                "audit.rewrote_one"
            } else if old.is_empty() {
                "audit.set_one"
            } else if new.is_empty() {
                "audit.cleared_one"
            } else {
                "audit.changed_one"
            };
            i18n::t_args(key, &args)
        }
        many => {
            let items: Vec<String> = many
                .iter()
                .map(|c| {
                    if LONG.contains(&c.as_str()) {
                        field(c)
                    } else {
                        i18n::t_args(
                            "audit.change_item",
                            &[
                                ("field", &field(c)),
                                ("before", &or_none(get(before, c))),
                                ("after", &or_none(get(after, c))),
                            ],
                        )
                    }
                })
                .collect();
            let thing = thing(table, after, names);
            i18n::t_args(
                "audit.changed_many",
                &[
                    ("who", who),
                    ("thing", &thing),
                    ("changes", &items.join("; ")),
                ],
            )
        }
    }
}

fn or_none(s: String) -> String {
    if s.is_empty() {
        i18n::t("audit.none").into_owned()
    } else {
        s
    }
}
