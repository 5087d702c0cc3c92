//! The pieces a sentence is made of: a column's value and label as people
//! read them, a row's own name, and what the row is.

use serde_json::{Map, Value};

use super::names::{DATE, Names, kind_of};
use crate::choices::{
    ActivityStatus, CommitteeKind, Constituency, Gender, Holder, Level, NapStatus, PartnerKind,
    Portfolio, Role, Seat, Theme,
};
use crate::features::plan::quarter::{Quarter, TargetSpec};
use crate::i18n;

/// A column's value as people read it: a label, a name, a day, a number.
pub(super) fn value(table: &str, column: &str, v: &Value, names: &Names) -> String {
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
        (_, "holder") => Holder::parse(text).map(|s| s.label_key()),
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
pub(super) fn field(column: &str) -> String {
    let key = format!("audit.field.{column}");
    let label = i18n::t(&key);
    if label == key {
        i18n::t("audit.field.other").into_owned()
    } else {
        label.into_owned()
    }
}

/// The row's own name: a code and title, a name, an acronym, a person…
pub(super) fn name(table: &str, r: &Map<String, Value>, names: &Names) -> String {
    let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
    let of = |k: &str| r.get(k).map(|v| names.of(k, v)).unwrap_or_default();
    match table {
        "activities" | "objectives" | "outcomes" => format!("{} {}", text("code"), text("title")),
        "naps" => text("title").to_owned(),
        "partners" => format!("{} ({})", text("name"), text("acronym")),
        "committees" | "confidential_groups" | "indicators" | "nap_tags" => text("name").to_owned(),
        "activity_tags" => of("activity_id"),
        "objective_tags" => of("objective_id"),
        "alignment_tags" => ["activity_id", "outcome_id", "objective_id", "nap_id"]
            .into_iter()
            .find(|k| r.get(*k).is_some_and(|v| !v.is_null()))
            .map(of)
            .unwrap_or_default(),
        "partner_aliases" => text("alias").to_owned(),
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
        "reports" => text("title").to_owned(),
        "plan_baselines" => text("label").to_owned(),
        "annual_reviews" => r
            .get("year")
            .and_then(Value::as_i64)
            .unwrap_or_default()
            .to_string(),
        "decisions" => format!(
            "{}",
            r.get("number").and_then(Value::as_i64).unwrap_or_default()
        ),
        "time_targets" => ["activity_id", "outcome_id", "objective_id"]
            .into_iter()
            .find(|k| r.get(*k).is_some_and(|v| !v.is_null()))
            .map(of)
            .unwrap_or_default(),
        "status_updates" | "comments" | "activity_partners" | "confidential_records" => {
            of("activity_id")
        }
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
pub(super) fn thing(table: &str, r: &Map<String, Value>, names: &Names) -> String {
    // A target is an activity's, an outcome's or an objective's.
    let on = |k: &str| r.get(k).is_some_and(|v| !v.is_null());
    let key = match table {
        "time_targets" if on("outcome_id") => "audit.thing.time_targets_outcome".to_owned(),
        "time_targets" if on("objective_id") => "audit.thing.time_targets_objective".to_owned(),
        _ => format!("audit.thing.{table}"),
    };
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
            let target = TargetSpec::from_row(year, quarter)
                .map(|t| t.to_string())
                .unwrap_or_default();
            args.push(("target", target));
        }
        "activity_tags" | "objective_tags" => args.push((
            "tag",
            r.get("tag_id")
                .map(|v| names.of("tag_id", v))
                .unwrap_or_default(),
        )),
        "alignment_tags" => args.push((
            "tag",
            crate::features::plan::alignment::label(text_of(r, "ref_code")),
        )),
        "activity_partners" => args.push((
            "partner",
            r.get("partner_id")
                .map(|v| names.of("partner_id", v))
                .unwrap_or_default(),
        )),
        "partner_aliases" => args.push((
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
            // A number, or a qualitative indicator's words.
            let figure = r.get("value").filter(|v| !v.is_null());
            let (column, v) = match figure {
                Some(v) => ("value", v),
                None => ("value_text", r.get("value_text").unwrap_or(&Value::Null)),
            };
            args.push(("value", value(table, column, v, names)));
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

fn text_of<'a>(r: &'a Map<String, Value>, key: &str) -> &'a str {
    r.get(key).and_then(Value::as_str).unwrap_or_default()
}
