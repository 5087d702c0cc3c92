//! The names behind the ids an entry's rows hold (acronyms, people, codes,
//! titles), read for a whole page of entries at once.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::PgConnection;

use crate::error::AppResult;
use crate::features::audit::Entry;
use crate::i18n;

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
    ("tag", &["tag_id"]),
];

pub(super) fn kind_of(column: &str) -> Option<&'static str> {
    REFERENCES
        .iter()
        .find(|(_, columns)| columns.contains(&column))
        .map(|(kind, _)| *kind)
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
                     and l.object_id = any($13)
               union all select 'tag', id, name from nap_tags where id = any($14)"#,
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
            &ids("tag"),
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

    pub(super) fn get(&self, kind: &'static str, id: i64) -> Option<&str> {
        self.0.get(&(kind, id)).map(String::as_str)
    }

    /// The name behind a reference, or a number when it is gone.
    pub(super) fn of(&self, column: &str, value: &Value) -> String {
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

pub(super) const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");
