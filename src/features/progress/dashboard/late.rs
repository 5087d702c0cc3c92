//! The dashboard's first answer: what is late, by how long, and who is
//! responsible (the organisation by its full name, its focal points), then
//! what is due next. Computed from the summary alone.

use std::collections::HashMap;

use time::Date;

use super::facts::{Fact, PartnerInfo};
use crate::features::committees::meetings::OpenAction;
use crate::features::plan::quarter::{Quarter, Schedule};

/// Who answers for something: an organisation and its focal points.
#[derive(Clone)]
pub struct Responsible {
    pub name: String,
    pub acronym: String,
    pub focal_points: Vec<String>,
}

/// An activity behind schedule.
pub struct LateItem {
    pub fact: Fact,
    pub schedule: Schedule,
    /// Since its first missed target's quarter ended: "5 months late".
    pub delay: String,
    pub responsible: Option<Responsible>,
}

/// An action point past its due date.
pub struct LateAction {
    pub action: OpenAction,
    pub due: Date,
    pub delay: String,
    pub responsible: Option<Responsible>,
}

/// An activity with a target due next quarter.
pub struct DueItem {
    pub fact: Fact,
    pub responsible: Option<Responsible>,
}

/// Finds organisations by id or acronym, with their focal points.
pub struct Directory<'a> {
    partners: &'a [(PartnerInfo, Option<time::OffsetDateTime>)],
    focal_points: &'a HashMap<i64, Vec<String>>,
}

impl<'a> Directory<'a> {
    pub fn new(
        partners: &'a [(PartnerInfo, Option<time::OffsetDateTime>)],
        focal_points: &'a HashMap<i64, Vec<String>>,
    ) -> Self {
        Self {
            partners,
            focal_points,
        }
    }

    fn responsible(&self, partner: &PartnerInfo) -> Responsible {
        Responsible {
            name: partner.name.clone(),
            acronym: partner.acronym.clone(),
            focal_points: self
                .focal_points
                .get(&partner.id)
                .cloned()
                .unwrap_or_default(),
        }
    }

    pub fn by_id(&self, id: Option<i64>) -> Option<Responsible> {
        let id = id?;
        self.partners
            .iter()
            .find(|(p, _)| p.id == id)
            .map(|(p, _)| self.responsible(p))
    }

    pub fn by_acronym(&self, acronym: Option<&str>) -> Option<Responsible> {
        let acronym = acronym?;
        self.partners
            .iter()
            .find(|(p, _)| p.acronym == acronym)
            .map(|(p, _)| self.responsible(p))
    }
}

/// The activities behind schedule, longest late first, as the summary
/// picked them.
pub fn late_items(
    overdue: Vec<(usize, Fact)>,
    directory: &Directory,
    today: Quarter,
    day: Date,
) -> Vec<LateItem> {
    let mut items: Vec<LateItem> = overdue
        .into_iter()
        .map(|(_, fact)| {
            let schedule = fact.schedule_on(today);
            LateItem {
                delay: schedule.delay(day),
                responsible: directory.by_id(fact.lead),
                schedule,
                fact,
            }
        })
        .collect();
    items.sort_by_key(|i| match i.schedule {
        Schedule::Behind { first, missed, .. } => (first, std::cmp::Reverse(missed)),
        _ => (Quarter::from_index(i32::MAX), std::cmp::Reverse(0)),
    });
    items
}

/// The open action points split into those whose due date has passed,
/// longest late first, and the others, soonest due first (undated last).
pub fn split_actions(
    actions: Vec<OpenAction>,
    directory: &Directory,
    day: Date,
) -> (Vec<LateAction>, Vec<OpenAction>) {
    let (late, mut open): (Vec<OpenAction>, Vec<OpenAction>) = actions
        .into_iter()
        .partition(|action| action.due_on.is_some_and(|due| due < day));
    let mut late: Vec<LateAction> = late
        .into_iter()
        .filter_map(|action| {
            let due = action.due_on?;
            Some(LateAction {
                due,
                delay: crate::i18n::late_by((day - due).whole_days()),
                responsible: directory.by_acronym(action.owner.as_deref()),
                action,
            })
        })
        .collect();
    late.sort_by_key(|a| a.due);
    open.sort_by_key(|a| (a.due_on.is_none(), a.due_on));
    (late, open)
}

pub fn due_items(due: Vec<Fact>, directory: &Directory) -> Vec<DueItem> {
    due.into_iter()
        .map(|fact| DueItem {
            responsible: directory.by_id(fact.lead),
            fact,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choices::{ActivityStatus, Constituency};

    fn partner(id: i64, acronym: &str, name: &str) -> (PartnerInfo, Option<time::OffsetDateTime>) {
        (
            PartnerInfo {
                id,
                acronym: acronym.into(),
                name: name.into(),
                constituency: Constituency::Government,
            },
            None,
        )
    }

    fn fact(id: i64, lead: Option<i64>, occurrences: Vec<(Quarter, bool)>) -> Fact {
        Fact {
            id,
            code: format!("1.1.{id}"),
            title: "Train inspectors".into(),
            objective: "1".into(),
            lead,
            lead_acronym: None,
            status: ActivityStatus::OnTrack,
            budget: 0,
            spending: 0,
            last_update: None,
            occurrences: occurrences
                .into_iter()
                .map(|(q, met)| (q.index(), met))
                .collect(),
            pillars: Vec::new(),
            plans: Vec::new(),
            flagged: false,
            aligns: Vec::new(),
        }
    }

    #[test]
    fn late_things_name_the_organisation_its_focal_points_and_the_delay() {
        let q = |year, quarter| Quarter::new(year, quarter).unwrap();
        let partners = vec![
            partner(1, "MOL", "Ministry of Labour"),
            partner(2, "CTU", "Trade Union Confederation"),
        ];
        let focal = HashMap::from([(1, vec!["Ana Ruiz".to_owned()])]);
        let directory = Directory::new(&partners, &focal);
        let today = q(2026, 4);
        let day = time::macros::date!(2026 - 12 - 04);
        let items = late_items(
            vec![
                (1, fact(1, Some(2), vec![(q(2026, 3), false)])),
                (
                    2,
                    fact(2, Some(1), vec![(q(2026, 1), false), (q(2026, 2), false)]),
                ),
            ],
            &directory,
            today,
            day,
        );
        // The longest late first: since the end of Q1 2026.
        assert_eq!(items[0].fact.id, 2);
        assert_eq!(items[0].delay, "8 months late");
        let who = items[0].responsible.as_ref().unwrap();
        assert_eq!(
            (who.name.as_str(), who.acronym.as_str()),
            ("Ministry of Labour", "MOL")
        );
        assert_eq!(who.focal_points, ["Ana Ruiz"]);
        assert_eq!(items[1].delay, "2 months late");
        assert!(
            items[1]
                .responsible
                .as_ref()
                .unwrap()
                .focal_points
                .is_empty()
        );

        let action = |due: Option<Date>| OpenAction {
            committee_id: 1,
            meeting_id: 1,
            text: "Send the list".into(),
            owner: Some("CTU".into()),
            due_on: due,
            activity: None,
            id: 1,
            owner_name: Some("Trade Union Confederation".into()),
        };
        let (late, open) = split_actions(
            vec![
                action(Some(time::macros::date!(2026 - 11 - 13))),
                action(Some(time::macros::date!(2026 - 12 - 20))),
                action(None),
            ],
            &directory,
            day,
        );
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].delay, "3 weeks late");
        // The others wait, the dated one first.
        assert_eq!(open.len(), 2);
        assert!(open[0].due_on.is_some() && open[1].due_on.is_none());
        assert_eq!(
            late[0].responsible.as_ref().unwrap().name,
            "Trade Union Confederation"
        );
    }
}
