//! The audit log in people's words: one sentence per change, naming the
//! person, what changed (codes, titles, names) and the closed lists' labels,
//! never a table or a column name.

use std::collections::HashMap;

use serde_json::{Map, Value};
use sqlx::PgConnection;

use super::Entry;
use crate::choices::{
    ActivityStatus, CommitteeKind, Constituency, Gender, Level, NapStatus, PartnerKind, Portfolio,
    Role, Seat, Theme,
};
use crate::error::AppResult;
use crate::features::plan::quarter::{Quarter, TargetSpec};
use crate::i18n;

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

/// The names behind the ids a page of entries mentions: partners'
/// acronyms, people's names, activities' codes…, read in one statement.
#[derive(Default)]
pub struct Names(HashMap<(&'static str, i64), String>);

/// (kind of name, the columns that hold such ids).
const REFERENCES: &[(&str, &[&str])] = &[
    (
        "partner",
        &[
            "partner_id",
            "lead_partner_id",
            "owner_partner_id",
            "responsible_partner_id",
        ],
    ),
    (
        "user",
        &[
            "user_id",
            "author_id",
            "from_user",
            "to_user",
            "reviewed_by",
            "entered_by",
            "published_by",
            "issued_by",
            "created_by",
        ],
    ),
    ("activity", &["activity_id"]),
    ("outcome", &["outcome_id"]),
    ("objective", &["objective_id"]),
    ("nap", &["nap_id"]),
    ("committee", &["committee_id", "parent_id"]),
    ("group", &["group_id"]),
    ("indicator", &["indicator_id"]),
    ("meeting", &["meeting_id"]),
    ("seat", &["member_id"]),
    ("membership", &["membership_id"]),
];

fn kind_of(column: &str) -> Option<&'static str> {
    REFERENCES
        .iter()
        .find(|(_, columns)| columns.contains(&column))
        .map(|(kind, _)| *kind)
}

fn row(e: &Entry) -> Option<&Map<String, Value>> {
    e.after
        .as_ref()
        .or(e.before.as_ref())
        .and_then(Value::as_object)
}

impl Names {
    pub async fn load(conn: &mut PgConnection, entries: &[Entry]) -> AppResult<Self> {
        let mut wanted: HashMap<&'static str, Vec<i64>> = HashMap::new();
        for e in entries {
            for side in [&e.before, &e.after].into_iter().flatten() {
                for (column, value) in side.as_object().into_iter().flatten() {
                    if let (Some(kind), Some(id)) = (kind_of(column), value.as_i64()) {
                        wanted.entry(kind).or_default().push(id);
                    }
                }
            }
            // A record's read names only the record: its activity is in the
            // log's row of its addition.
            if e.object_type == "confidential_records" {
                wanted.entry("record").or_default().extend(e.object_id);
            }
        }
        let ids = |kind: &str| wanted.get(kind).cloned().unwrap_or_default();
        let rows = sqlx::query!(
            r#"select 'partner' as "kind!", id as "id!", acronym as "name!" from partners where id = any($1)
               union all select 'user', id, name from users where id = any($2)
               union all select 'activity', id, code from activities where id = any($3)
               union all select 'outcome', id, code from outcomes where id = any($4)
               union all select 'objective', id, code from objectives where id = any($5)
               union all select 'nap', id, title from naps where id = any($6)
               union all select 'committee', id, name from committees where id = any($7)
               union all select 'group', id, name from confidential_groups where id = any($8)
               union all select 'indicator', id, name from indicators where id = any($9)
               union all select 'meeting', id, to_char(starts_at, 'YYYY-MM-DD') from meetings where id = any($10)
               union all select 'seat', id, name from committee_members where id = any($11)
               union all select 'membership', m.id, coalesce(m.invited_name, u.name)
                   from memberships m join users u on u.id = m.user_id where m.id = any($12)
               union all select 'record', l.object_id, coalesce(a.code, '')
                   from audit_log l left join activities a on a.id = (l.after ->> 'activity_id')::bigint
                   where l.object_type = 'confidential_records' and l.action = 'insert'
                     and l.object_id = any($13)"#,
            &ids("partner"),
            &ids("user"),
            &ids("activity"),
            &ids("outcome"),
            &ids("objective"),
            &ids("nap"),
            &ids("committee"),
            &ids("group"),
            &ids("indicator"),
            &ids("meeting"),
            &ids("seat"),
            &ids("membership"),
            &ids("record"),
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut names = Self::default();
        for r in rows {
            let kind = REFERENCES
                .iter()
                .map(|(k, _)| *k)
                .chain(["record"])
                .find(|k| *k == r.kind);
            if let Some(kind) = kind {
                names.0.insert((kind, r.id), r.name);
            }
        }
        // What is gone is named as the log last saw it.
        let gone = |kind: &'static str| -> Vec<i64> {
            let mut ids: Vec<i64> = wanted
                .get(kind)
                .into_iter()
                .flatten()
                .copied()
                .filter(|id| !names.0.contains_key(&(kind, *id)))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let (activities, partners, outcomes, objectives) = (
            gone("activity"),
            gone("partner"),
            gone("outcome"),
            gone("objective"),
        );
        let (naps, committees, indicators, seats) = (
            gone("nap"),
            gone("committee"),
            gone("indicator"),
            gone("seat"),
        );
        if [
            &activities,
            &partners,
            &outcomes,
            &objectives,
            &naps,
            &committees,
            &indicators,
            &seats,
        ]
        .iter()
        .any(|ids| !ids.is_empty())
        {
            let rows = sqlx::query!(
                r#"select distinct on (object_type, object_id) object_type as "table!", object_id as "id!",
                          coalesce(before, after) as "row!"
                   from audit_log
                   where action = 'delete'
                     and ((object_type = 'activities' and object_id = any($1))
                          or (object_type = 'partners' and object_id = any($2))
                          or (object_type = 'outcomes' and object_id = any($3))
                          or (object_type = 'objectives' and object_id = any($4))
                          or (object_type = 'naps' and object_id = any($5))
                          or (object_type = 'committees' and object_id = any($6))
                          or (object_type = 'indicators' and object_id = any($7))
                          or (object_type = 'committee_members' and object_id = any($8)))
                   order by object_type, object_id, id desc"#,
                &activities,
                &partners,
                &outcomes,
                &objectives,
                &naps,
                &committees,
                &indicators,
                &seats,
            )
            .fetch_all(conn)
            .await?;
            for r in rows {
                let text = |k: &str| {
                    r.row
                        .get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let (kind, name) = match r.table.as_str() {
                    "activities" => ("activity", text("code")),
                    "partners" => ("partner", text("acronym")),
                    "outcomes" => ("outcome", text("code")),
                    "objectives" => ("objective", text("code")),
                    "naps" => ("nap", text("title")),
                    "committees" => ("committee", text("name")),
                    "indicators" => ("indicator", text("name")),
                    _ => ("seat", text("name")),
                };
                names.0.insert((kind, r.id), name);
            }
        }
        Ok(names)
    }

    fn get(&self, kind: &'static str, id: i64) -> Option<&str> {
        self.0.get(&(kind, id)).map(String::as_str)
    }

    /// The name behind a reference, or a number when it is gone.
    fn of(&self, column: &str, value: &Value) -> String {
        match (kind_of(column), value.as_i64()) {
            (Some("meeting"), Some(id)) => self
                .get("meeting", id)
                .and_then(|d| time::Date::parse(d, &DATE).ok())
                .map(i18n::day)
                .unwrap_or_else(|| format!("#{id}")),
            (Some(kind), Some(id)) => self
                .get(kind, id)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("#{id}")),
            _ => String::new(),
        }
    }
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// A column's value as people read it: a label, a name, a day, a number.
fn value(table: &str, column: &str, v: &Value, names: &Names) -> String {
    if v.is_null() {
        return String::new();
    }
    if kind_of(column).is_some() {
        return names.of(column, v);
    }
    let text = v.as_str().unwrap_or_default();
    let label = match (table, column) {
        ("activities" | "status_updates", "status") => {
            ActivityStatus::parse(text).map(|s| s.label_key())
        }
        ("naps", "status") => NapStatus::parse(text).map(|s| s.label_key()),
        (_, "theme") => Theme::parse(text).map(|s| s.label_key()),
        (_, "level") => Level::parse(text).map(|s| s.label_key()),
        ("partners", "kind") => PartnerKind::parse(text).map(|s| s.label_key()),
        ("committees", "kind") => CommitteeKind::parse(text).map(|s| s.label_key()),
        ("confidential_records", "kind") => Some(crate::features::confidential::kind_key(text)),
        (_, "portfolio") => Portfolio::parse(text).map(|s| s.label_key()),
        (_, "constituency") => Constituency::parse(text).map(|s| s.label_key()),
        (_, "role") => Role::parse(text).map(|s| s.label_key()),
        (_, "seat") => Seat::parse(text).map(|s| s.label_key()),
        (_, "gender") => Gender::parse(text).map(|s| s.label_key()),
        ("risks", "state") => match text {
            "open" => Some("risk.state.open"),
            "mitigating" => Some("risk.state.mitigating"),
            "closed" => Some("risk.state.closed"),
            _ => None,
        },
        (_, "presence") => match text {
            "present" => Some("meeting.presence.present"),
            "apologies" => Some("meeting.presence.apologies"),
            "absent" => Some("meeting.presence.absent"),
            _ => None,
        },
        (_, "review_state") => match text {
            "pending" => Some("update.review_pending"),
            "accepted" => Some("update.review_accepted"),
            "returned" => Some("update.review_returned"),
            _ => None,
        },
        _ => None,
    };
    if let Some(key) = label {
        return i18n::t(key).into_owned();
    }
    match v {
        Value::Bool(true) => i18n::t("audit.yes").into_owned(),
        Value::Bool(false) => i18n::t("audit.no").into_owned(),
        Value::Number(n) => match (column, n.as_i64()) {
            ("start_quarter" | "end_quarter", Some(q)) => {
                Quarter::from_index(i32::try_from(q).unwrap_or_default()).to_string()
            }
            ("progress" | "quorum_percent", Some(n)) => format!("{}%", i18n::number(n)),
            (_, Some(n)) => i18n::number(n),
            _ => n.to_string(),
        },
        Value::String(s) => {
            // Days and moments read as days.
            if let Ok(d) = time::Date::parse(s.get(..10).unwrap_or(s), &DATE)
                && (s.len() == 10 || s.get(10..11) == Some("T"))
            {
                return i18n::day(d);
            }
            let mut s = s.trim().replace('\n', " ");
            if s.chars().count() > 80 {
                s = s.chars().take(79).collect::<String>() + "…";
            }
            s
        }
        other => other.to_string(),
    }
}

/// The label of a column, with its article in languages that need one.
fn field(column: &str) -> String {
    let key = format!("audit.field.{column}");
    let label = i18n::t(&key);
    if label == key {
        i18n::t("audit.field.other").into_owned()
    } else {
        label.into_owned()
    }
}

/// The row's own name: a code and title, a name, an acronym, a person…
fn name(table: &str, r: &Map<String, Value>, names: &Names) -> String {
    let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
    let of = |k: &str| r.get(k).map(|v| names.of(k, v)).unwrap_or_default();
    match table {
        "activities" | "objectives" | "outcomes" => format!("{} {}", text("code"), text("title")),
        "naps" => text("title").to_owned(),
        "partners" => format!("{} ({})", text("name"), text("acronym")),
        "committees" | "confidential_groups" | "indicators" => text("name").to_owned(),
        "committee_members" => {
            let n = text("name");
            if n.is_empty() {
                of("user_id")
            } else {
                n.to_owned()
            }
        }
        "memberships" => {
            let n = text("invited_name");
            if n.is_empty() {
                of("user_id")
            } else {
                n.to_owned()
            }
        }
        "risks" => value(
            table,
            "challenge",
            r.get("challenge").unwrap_or(&Value::Null),
            names,
        ),
        "meetings" => value(
            table,
            "starts_at",
            r.get("starts_at").unwrap_or(&Value::Null),
            names,
        ),
        "tenants" => text("name").to_owned(),
        "decisions" => format!(
            "{}",
            r.get("number").and_then(Value::as_i64).unwrap_or_default()
        ),
        "status_updates"
        | "comments"
        | "time_targets"
        | "activity_partners"
        | "confidential_records" => of("activity_id"),
        "action_points" => value(table, "text", r.get("text").unwrap_or(&Value::Null), names),
        "indicator_values" => of("indicator_id"),
        "attendance" => of("member_id"),
        "tor_versions" | "committee_naps" => of("committee_id"),
        "handovers" => of("from_user"),
        "confidential_group_members" => of("user_id"),
        "account_links" => of("membership_id"),
        _ => String::new(),
    }
}

/// What the row is, with its kind: "the activity 1.1.2 Training".
fn thing(table: &str, r: &Map<String, Value>, names: &Names) -> String {
    let key = format!("audit.thing.{table}");
    let mut args = vec![("name", name(table, r, names))];
    match table {
        "time_targets" => {
            let year = r
                .get("year")
                .and_then(Value::as_i64)
                .and_then(|y| i32::try_from(y).ok());
            let quarter = r
                .get("quarter")
                .and_then(Value::as_i64)
                .and_then(|q| i16::try_from(q).ok());
            let target = quarter
                .and_then(|q| TargetSpec::from_row(year, q))
                .map(|t| t.to_string())
                .unwrap_or_default();
            args.push(("target", target));
        }
        "activity_partners" => args.push((
            "partner",
            r.get("partner_id")
                .map(|v| names.of("partner_id", v))
                .unwrap_or_default(),
        )),
        "committee_naps" => args.push((
            "nap",
            r.get("nap_id")
                .map(|v| names.of("nap_id", v))
                .unwrap_or_default(),
        )),
        "confidential_group_members" | "confidential_records" => args.push((
            "group",
            r.get("group_id")
                .map(|v| names.of("group_id", v))
                .unwrap_or_default(),
        )),
        "attendance" => args.push((
            "meeting",
            r.get("meeting_id")
                .map(|v| names.of("meeting_id", v))
                .unwrap_or_default(),
        )),
        "indicator_values" => {
            let year = r.get("year").and_then(Value::as_i64).unwrap_or_default();
            let q = r.get("quarter").and_then(Value::as_i64).unwrap_or(1);
            let quarter = Quarter::new(
                i32::try_from(year).unwrap_or_default(),
                u8::try_from(q).unwrap_or(1),
            )
            .map(|q| q.to_string())
            .unwrap_or_default();
            args.push(("quarter", quarter));
            args.push((
                "value",
                value(
                    table,
                    "value",
                    r.get("value").unwrap_or(&Value::Null),
                    names,
                ),
            ));
        }
        "handovers" => args.push((
            "to",
            r.get("to_user")
                .map(|v| names.of("to_user", v))
                .unwrap_or_default(),
        )),
        "tor_versions" => args.push((
            "n",
            r.get("version")
                .and_then(Value::as_i64)
                .map(|n| n.to_string())
                .unwrap_or_default(),
        )),
        "account_links" => {
            let purpose = r.get("purpose").and_then(Value::as_str).unwrap_or_default();
            args.push((
                "purpose",
                i18n::t(if purpose == "reset" {
                    "audit.link.reset"
                } else {
                    "audit.link.invitation"
                })
                .into_owned(),
            ));
        }
        _ => {}
    }
    let phrase = i18n::t(&key);
    if phrase == key {
        return i18n::t_with("audit.thing.other", "name", &args[0].1);
    }
    let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    i18n::t_args(&key, &pairs)
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
