//! A NAP's communication plan: internal and external items (to whom, what
//! for, the key message, the channel, the partner responsible, time
//! targets written as an activity's, the state, the activities served),
//! shown as a quarter grid, exported and imported as a table, and printed
//! in the implementation guideline; and the checklist on how the plan's
//! knowledge is kept and shared, which the annual review reads.

pub mod checklist;
mod pages;
mod store;
mod transfer;

use std::collections::HashMap;

use serde::Deserialize;
use sqlx::PgConnection;

use crate::error::AppResult;
use crate::features::partners::aliases;
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::{Period, Quarter, TargetSpec};
use crate::http::form::{self, FieldErrors};
use crate::http::routes::Routes;
use crate::paths::at;

pub const DIRECTIONS: [&str; 2] = ["internal", "external"];
pub const AUDIENCES: [&str; 7] = [
    "partners",
    "policy-makers",
    "public",
    "communities",
    "employers",
    "workers",
    "media",
];
pub const CHANNELS: [&str; 7] = [
    "newsletter",
    "website",
    "media",
    "events",
    "social-media",
    "meetings",
    "training",
];
pub const STATES: [&str; 4] = ["planned", "in-progress", "done", "dropped"];

pub fn router() -> Routes {
    Routes::new()
        .get(at::nap_communication, pages::plan)
        .get(at::nap_communication_new, pages::new)
        .post(at::nap_communication_new, pages::create)
        .get(at::communication_item, pages::edit)
        .post(at::communication_item, pages::save)
        .get(at::communication_item_delete, pages::confirm_delete)
        .post(at::communication_item_delete, pages::delete)
        .get(at::nap_communication_csv, transfer::csv)
        .get(at::nap_communication_xlsx, transfer::xlsx)
        .post(at::nap_communication_import, transfer::import)
        .get(at::nap_checklist, checklist::page)
        .post(at::nap_checklist, checklist::save)
}

/// One item as stored, with its partner's acronym and its activities' codes.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub code: String,
    pub direction: String,
    pub audience: String,
    pub objective: String,
    pub key_message: String,
    pub channel: String,
    pub partner: Option<String>,
    pub targets: String,
    pub state: String,
    pub activities: Vec<String>,
}

impl Item {
    /// The quarters of `period` its targets fall in.
    pub fn quarters(&self, period: Period) -> Vec<Quarter> {
        TargetSpec::parse_list(&self.targets)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|t| t.expand(period))
            .collect()
    }

    /// The form as the item stands.
    pub fn form(&self) -> ItemForm {
        ItemForm {
            code: self.code.clone(),
            direction: self.direction.clone(),
            audience: self.audience.clone(),
            objective: self.objective.clone(),
            key_message: self.key_message.clone(),
            channel: self.channel.clone(),
            partner: self.partner.clone().unwrap_or_default(),
            targets: self.targets.clone(),
            state: self.state.clone(),
            activities: self.activities.join(", "),
        }
    }
}

/// A NAP's items in code order, with their partners and activities: one
/// statement.
pub async fn items(conn: &mut PgConnection, nap: i64) -> AppResult<Vec<Item>> {
    Ok(sqlx::query_as!(
        Item,
        r#"select i.id, i.code, i.direction, i.audience, i.objective, i.key_message, i.channel,
                  p.acronym as "partner?", i.targets, i.state,
                  array(select a.code from communication_activities ca
                        join activities a on a.tenant_id = ca.tenant_id and a.id = ca.activity_id
                        where ca.tenant_id = i.tenant_id and ca.item_id = i.id
                        order by a.code_order) as "activities!"
           from communication_items i
           left join partners p on p.tenant_id = i.tenant_id and p.id = i.partner_id
           where i.nap_id = $1
           order by code_order(i.code), i.code"#,
        nap
    )
    .fetch_all(conn)
    .await?)
}

/// An item as typed (the form's and an imported row's).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub key_message: String,
    #[serde(default)]
    pub channel: String,
    /// The responsible partner's acronym (or one of its other names).
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub targets: String,
    #[serde(default)]
    pub state: String,
    /// The activities served, by code, comma-separated.
    #[serde(default)]
    pub activities: String,
}

/// An item as checked, its partner and activities found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub code: String,
    pub direction: String,
    pub audience: String,
    pub objective: String,
    pub key_message: String,
    pub channel: String,
    pub partner: Option<i64>,
    pub targets: String,
    pub state: String,
    pub activities: Vec<i64>,
}

/// What an item is checked against, read once for a form or a whole
/// imported file: three statements, however many rows.
pub struct Lookups {
    pub period: Period,
    /// Every name of every partner, in lower case.
    partners: HashMap<String, i64>,
    /// The NAP's activities by code.
    activities: HashMap<String, i64>,
    /// The NAP's items by code.
    pub items: HashMap<String, i64>,
}

impl Lookups {
    pub async fn load(conn: &mut PgConnection, nap: &Nap) -> AppResult<Self> {
        let partners = aliases::lookup(conn).await?;
        let activities = sqlx::query!("select id, code from activities where nap_id = $1", nap.id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.code, r.id))
            .collect();
        let items = sqlx::query!(
            "select id, code from communication_items where nap_id = $1",
            nap.id
        )
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| (r.code, r.id))
        .collect();
        Ok(Self {
            period: Period::years(nap.start_year, nap.end_year),
            partners,
            activities,
            items,
        })
    }
}

impl ItemForm {
    /// The item as typed (`id`: the item it changes, if any), checked
    /// against the NAP's years, activities and other items' codes and the
    /// tenant's partners.
    pub fn check(&self, known: &Lookups, id: Option<i64>) -> Result<NewItem, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = form::check(&mut errors, "code", form::required(&self.code, 20));
        if code
            .as_ref()
            .and_then(|c| known.items.get(c))
            .is_some_and(|other| Some(*other) != id)
        {
            errors.add("code", "communication.code_taken");
        }
        let objective = form::check(
            &mut errors,
            "objective",
            form::required(&self.objective, 500),
        );
        let key_message = form::check(
            &mut errors,
            "key_message",
            form::optional(&form::lines(&self.key_message), 1000),
        );
        let mut pick = |field, raw: &str, list: &[&'static str]| {
            form::check(&mut errors, field, form::one_of(raw, list))
                .unwrap_or_default()
                .to_owned()
        };
        let direction = pick("direction", &self.direction, &DIRECTIONS);
        let audience = pick("audience", &self.audience, &AUDIENCES);
        let channel = pick("channel", &self.channel, &CHANNELS);
        let state = match self.state.trim() {
            "" => "planned".to_owned(),
            s => pick("state", s, &STATES),
        };
        let targets = model::check_targets(
            &self.targets,
            known.period,
            "targets",
            "plan.node_target_outside",
            &mut errors,
        )
        .iter()
        .map(|t| t.compact())
        .collect::<Vec<_>>()
        .join(", ");
        let partner = match self.partner.trim() {
            "" => None,
            name => {
                let found = known.partners.get(&name.to_lowercase()).copied();
                if found.is_none() {
                    errors.add_with("partner", "plan.partner_unknown", name);
                }
                found
            }
        };
        let mut activities = Vec::new();
        for code in self
            .activities
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            match known.activities.get(code) {
                Some(id) => activities.push(*id),
                None if !errors.has("activities") => {
                    errors.add_with("activities", "communication.activity_unknown", code);
                }
                None => {}
            }
        }
        activities.sort_unstable();
        activities.dedup();
        match (code, objective, key_message) {
            (Some(code), Some(objective), Some(key_message)) if errors.is_empty() => Ok(NewItem {
                code,
                direction,
                audience,
                objective,
                key_message,
                channel,
                partner,
                targets,
                state,
                activities,
            }),
            _ => Err(errors),
        }
    }
}
