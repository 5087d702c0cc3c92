//! The plan's data: loading a NAP and its tree (here), validating an
//! activity as people write it, in a form or a spreadsheet row (`validate`),
//! and saving it with its targets (`save`, the plan editor's writes).

mod node_targets;
mod save;
mod validate;

pub use node_targets::{Node, check_targets, node_targets, set_node_targets};

pub use save::{refresh_all_occurrences, refresh_occurrences_of, save_activities, save_activity};
pub use validate::{ActivityDraft, ActivityInput, PlanContext};

use std::collections::HashMap;

use sqlx::PgConnection;

use super::quarter::{Period, Quarter, Schedule, TargetSpec, TargetState};
use crate::choices::{ActivityStatus, Level, NapStatus, Theme};
use crate::error::{AppError, AppResult};
use crate::i18n::Translations;
use sqlx::types::Json;

#[derive(Debug, Clone)]
pub struct Nap {
    pub id: i64,
    pub title: String,
    pub theme: Theme,
    pub start_year: i32,
    pub end_year: i32,
    pub status: NapStatus,
    pub summary: String,
    pub national_alignment: String,
    pub published: bool,
    /// Title and summary in other languages, for the public portal.
    pub translations: Translations,
}

impl Nap {
    pub fn period(&self) -> Period {
        Period::years(self.start_year, self.end_year)
    }

    pub fn first_quarter(&self) -> Quarter {
        self.period().start
    }

    pub fn last_quarter(&self) -> Quarter {
        self.period().end
    }

    pub fn years(&self) -> Vec<i32> {
        (self.start_year..=self.end_year).collect()
    }
}

/// One activity of the tree, found by id.
pub fn find_activity(tree: Vec<ObjectiveNode>, id: i64) -> Option<(String, String, ActivityRow)> {
    tree.into_iter().find_map(|o| {
        o.outcomes.into_iter().find_map(|oc| {
            let (code, title) = (oc.code, oc.title);
            oc.activities
                .into_iter()
                .find(|a| a.id == id)
                .map(|a| (code, title, a))
        })
    })
}

/// 404 unless `activity` is one of the NAP `nap`'s (the one check every
/// activity route makes). Read by key, then compared: with the NAP in the
/// condition, the planner takes tenant and NAP for independent and reads
/// the whole NAP.
pub async fn activity_in_nap(conn: &mut PgConnection, nap: i64, activity: i64) -> AppResult<()> {
    let found = sqlx::query_scalar!("select nap_id from activities where id = $1", activity)
        .fetch_optional(conn)
        .await?;
    match found {
        Some(n) if n == nap => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

/// The NAP `id` of the transaction's tenant, or 404.
pub async fn load_nap(conn: &mut PgConnection, id: i64) -> AppResult<Nap> {
    let row = sqlx::query!(
        r#"select id, title, theme, start_year, end_year, status, summary,
                national_alignment, published, translations as "translations: Json<Translations>"
         from naps where id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Nap {
        id: row.id,
        title: row.title,
        theme: Theme::parse(&row.theme).unwrap_or(Theme::Other),
        start_year: row.start_year,
        end_year: row.end_year,
        status: NapStatus::parse(&row.status).unwrap_or(NapStatus::Draft),
        summary: row.summary,
        national_alignment: row.national_alignment,
        published: row.published,
        translations: row.translations.0,
    })
}

/// Orders codes as people read them: "2.9" before "2.10".
pub fn code_key(code: &str) -> Vec<(u64, String)> {
    code.split('.')
        .map(|part| (part.parse::<u64>().unwrap_or(u64::MAX), part.to_owned()))
        .collect()
}

/// A code such as "2.1.3": digits or letters separated by dots.
pub fn validate_code(raw: &str) -> Result<String, &'static str> {
    let code = raw.trim();
    let valid = !code.is_empty()
        && code.len() <= 20
        && code
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if valid {
        Ok(code.to_owned())
    } else if code.is_empty() {
        Err("field.required")
    } else {
        Err("plan.code_invalid")
    }
}

pub struct OccurrenceView {
    pub quarter: Quarter,
    pub state: TargetState,
    /// A whole year's target: met any time in the year, shown across it.
    pub whole_year: bool,
}

impl OccurrenceView {
    /// "Q3 2027", or the year alone for a whole year's target.
    pub fn label(&self) -> String {
        occurrence_label(self.quarter, self.whole_year)
    }
}

/// An occurrence as people read it: its quarter, or its year when the
/// target is a whole year.
pub fn occurrence_label(quarter: Quarter, whole_year: bool) -> String {
    if whole_year {
        quarter.year.to_string()
    } else {
        quarter.to_string()
    }
}

/// The targets an activity without its own takes from its outcome or
/// objective.
pub struct Inherited {
    /// "outcome" or "objective".
    pub from: &'static str,
    pub code: String,
    pub targets: Vec<TargetSpec>,
}

pub struct ActivityRow {
    pub id: i64,
    pub outcome_id: i64,
    pub code: String,
    pub title: String,
    pub lead: Option<String>,
    pub lead_name: Option<String>,
    pub supporting: Vec<String>,
    pub level: Level,
    pub status: ActivityStatus,
    pub progress: i16,
    pub spending: Option<i64>,
    pub start: Option<Quarter>,
    pub end: Option<Quarter>,
    pub budget: Option<i64>,
    pub currency: String,
    /// Its own targets (the form's and the spreadsheet's).
    pub targets: Vec<TargetSpec>,
    /// Its outcome's or objective's targets, when it has none of its own.
    pub inherited: Option<Inherited>,
    /// Its pillars and the other national plans it overlaps, by name.
    pub pillars: Vec<String>,
    pub plans: Vec<String>,
    /// The SDG targets and ILO instruments it serves: its own tags and
    /// those of its outcome, objective and NAP, in the list's order.
    pub aligns: Vec<String>,
    /// A short note that flags it; empty when not flagged.
    pub flag: String,
    pub occurrences: Vec<OccurrenceView>,
    /// The title in other languages, for the public portal.
    pub translations: Translations,
    /// The lead partner's name in other languages.
    pub lead_translations: Translations,
}

impl ActivityRow {
    /// Its own time targets as the page's language writes them.
    pub fn targets_text(&self) -> String {
        labels(&self.targets)
    }

    /// The targets that apply, own or inherited, in words: "2023 (set on
    /// outcome 1.2)".
    pub fn schedule_text(&self) -> String {
        match &self.inherited {
            Some(i) if self.targets.is_empty() => crate::i18n::t_args(
                &format!("activity.inherited_{}", i.from),
                &[("targets", &labels(&i.targets)), ("code", &i.code)],
            ),
            _ => self.targets_text(),
        }
    }

    /// Where the activity stands against its targets today.
    pub fn schedule(&self) -> Schedule {
        Schedule::of(
            self.occurrences
                .iter()
                .map(|o| (o.quarter, o.state == TargetState::Met)),
            Quarter::current(),
        )
    }

    pub fn involves(&self, acronym: &str) -> bool {
        self.lead
            .as_deref()
            .is_some_and(|l| l.eq_ignore_ascii_case(acronym))
            || self
                .supporting
                .iter()
                .any(|s| s.eq_ignore_ascii_case(acronym))
    }
}

pub struct OutcomeNode {
    pub id: i64,
    pub code: String,
    pub title: String,
    /// Targets set on the outcome itself.
    pub targets: Vec<TargetSpec>,
    pub translations: Translations,
    /// The SDG targets and ILO instruments it is tagged with itself.
    pub aligns: Vec<String>,
    pub activities: Vec<ActivityRow>,
}

pub struct ObjectiveNode {
    pub id: i64,
    pub code: String,
    pub title: String,
    /// The pillars the objective is tagged with.
    pub pillars: Vec<String>,
    /// The SDG targets and ILO instruments it is tagged with itself.
    pub aligns: Vec<String>,
    /// Targets set on the objective itself.
    pub targets: Vec<TargetSpec>,
    pub translations: Translations,
    pub outcomes: Vec<OutcomeNode>,
}

/// Targets as the page's language writes them, separated by commas.
pub fn labels(targets: &[TargetSpec]) -> String {
    targets
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A NAP's objectives, outcomes and activities with their targets, in code
/// order: six queries, whatever the size of the plan.
pub async fn load_tree(
    conn: &mut PgConnection,
    nap_id: i64,
    today: Quarter,
) -> AppResult<Vec<ObjectiveNode>> {
    let ids = sqlx::query_scalar!("select id from activities where nap_id = $1", nap_id)
        .fetch_all(&mut *conn)
        .await?;
    load_tree_of(conn, nap_id, &ids, today).await
}

/// The tree with only the activities `ids` (others of the NAP are left
/// out), for the pages that show one activity or a page of them: their
/// cost does not grow with the plan. Every query reaches the activities by
/// their key alone, also in the generic plan PostgreSQL caches for a
/// prepared statement: with the NAP in the condition too, the planner may
/// take an index on the NAP and read all of its activities (it takes the
/// tenant and the NAP for independent). An id of another NAP finds no
/// outcome of this one below, and is left out.
pub async fn load_tree_of(
    conn: &mut PgConnection,
    nap_id: i64,
    ids: &[i64],
    today: Quarter,
) -> AppResult<Vec<ObjectiveNode>> {
    let objectives = sqlx::query!(
        r#"select o.id, o.code, o.title, o.translations as "translations: Json<Translations>",
                  coalesce((select array_agg(g.name order by g.position, g.id)
                            from objective_tags x join nap_tags g on g.tenant_id = x.tenant_id and g.id = x.tag_id
                            where x.tenant_id = o.tenant_id and x.objective_id = o.id), '{}') as "pillars!"
           from objectives o where o.nap_id = $1"#,
        nap_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let outcomes = sqlx::query!(
        r#"select id, objective_id, code, title, translations as "translations: Json<Translations>"
           from outcomes where nap_id = $1"#,
        nap_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let activities = sqlx::query!(
        r#"select a.id, a.outcome_id, a.code, a.title, a.level, a.status, a.progress, a.spending, a.start_quarter,
                  a.end_quarter, a.budget, a.currency,
                  lp.acronym as "lead?", lp.name as "lead_name?",
                  a.translations as "translations: Json<Translations>",
                  lp.translations as "lead_translations?: Json<Translations>",
                  coalesce((select array_agg(p.acronym order by p.acronym)
                            from activity_partners ap
                            join partners p on p.tenant_id = ap.tenant_id and p.id = ap.partner_id
                            where ap.tenant_id = a.tenant_id and ap.activity_id = a.id), '{}') as "supporting!",
                  a.flag,
                  coalesce(tg.pillars, '{}') as "pillars!", coalesce(tg.plans, '{}') as "plans!",
                  coalesce(tt.years, '{}') as "target_years!", coalesce(tt.quarters, '{}') as "target_quarters!"
           from activities a
           left join partners lp on lp.tenant_id = a.tenant_id and lp.id = a.lead_partner_id
           -- Its tags and its own targets, each read once per activity.
           left join lateral (
               select array_agg(g.name order by g.position, g.id) filter (where g.kind = 'pillar') as pillars,
                      array_agg(g.name order by g.position, g.id) filter (where g.kind = 'plan') as plans
               from activity_tags x join nap_tags g on g.tenant_id = x.tenant_id and g.id = x.tag_id
               where x.tenant_id = a.tenant_id and x.activity_id = a.id) tg on true
           left join lateral (
               select array_agg(coalesce(t.year, -1) order by t.year nulls last, t.quarter) as years,
                      array_agg(coalesce(t.quarter, -1::smallint) order by t.year nulls last, t.quarter) as quarters
               from time_targets t
               where t.tenant_id = a.tenant_id and t.activity_id = a.id) tt on true
           where a.id = any($1)"#,
        ids
    )
    .fetch_all(&mut *conn)
    .await?;
    // Occurrences of an id outside the NAP find no activity below and are dropped.
    let occurrences = sqlx::query!(
        "select o.activity_id, o.quarter_index, o.met_at is not null as \"met!\", o.whole_year
         from target_occurrences o
         where o.activity_id = any($1)
         order by o.quarter_index",
        ids
    )
    .fetch_all(&mut *conn)
    .await?;

    let mut occ_by_activity: HashMap<i64, Vec<OccurrenceView>> = HashMap::new();
    for o in occurrences {
        let quarter = Quarter::from_index(o.quarter_index);
        occ_by_activity
            .entry(o.activity_id)
            .or_default()
            .push(OccurrenceView {
                quarter,
                state: TargetState::of(quarter, o.met, today),
                whole_year: o.whole_year,
            });
    }
    let tags = super::alignment::NapTags::load(conn, nap_id, Some(ids)).await?;
    let mut acts_by_outcome: HashMap<i64, Vec<ActivityRow>> = HashMap::new();
    for a in activities {
        let targets = a
            .target_years
            .iter()
            .zip(&a.target_quarters)
            .filter_map(|(y, q)| {
                TargetSpec::from_row((*y >= 0).then_some(*y), (*q >= 0).then_some(*q))
            })
            .collect();
        acts_by_outcome
            .entry(a.outcome_id)
            .or_default()
            .push(ActivityRow {
                id: a.id,
                outcome_id: a.outcome_id,
                code: a.code,
                title: a.title,
                lead: a.lead,
                lead_name: a.lead_name,
                supporting: a.supporting,
                level: Level::parse(&a.level).unwrap_or(Level::National),
                status: ActivityStatus::parse(&a.status).unwrap_or(ActivityStatus::NotStarted),
                progress: a.progress,
                spending: a.spending,
                start: a.start_quarter.map(Quarter::from_index),
                end: a.end_quarter.map(Quarter::from_index),
                budget: a.budget,
                currency: a.currency,
                targets,
                inherited: None,
                pillars: a.pillars,
                plans: a.plans,
                aligns: Vec::new(),
                flag: a.flag,
                occurrences: occ_by_activity.remove(&a.id).unwrap_or_default(),
                translations: a.translations.0,
                lead_translations: a.lead_translations.map(|t| t.0).unwrap_or_default(),
            });
    }
    let mut outs_by_objective: HashMap<i64, Vec<OutcomeNode>> = HashMap::new();
    for o in outcomes {
        let mut activities = acts_by_outcome.remove(&o.id).unwrap_or_default();
        activities.sort_by_key(|a| code_key(&a.code));
        outs_by_objective
            .entry(o.objective_id)
            .or_default()
            .push(OutcomeNode {
                id: o.id,
                code: o.code,
                title: o.title,
                targets: Vec::new(),
                translations: o.translations.0,
                aligns: tags.of_outcome(o.id),
                activities,
            });
    }
    let mut tree: Vec<ObjectiveNode> = objectives
        .into_iter()
        .map(|o| {
            let mut outcomes = outs_by_objective.remove(&o.id).unwrap_or_default();
            outcomes.sort_by_key(|x| code_key(&x.code));
            ObjectiveNode {
                id: o.id,
                code: o.code,
                title: o.title,
                pillars: o.pillars,
                aligns: tags.of_objective(o.id),
                targets: Vec::new(),
                translations: o.translations.0,
                outcomes,
            }
        })
        .collect();
    tree.sort_by_key(|o| code_key(&o.code));
    inherit(&mut tree, node_targets(conn, nap_id).await?);
    for o in &mut tree {
        for oc in &mut o.outcomes {
            for a in &mut oc.activities {
                a.aligns = tags.served_by(o.id, oc.id, a.id);
            }
        }
    }
    Ok(tree)
}

/// Gives objectives and outcomes their own targets, and tells each
/// activity without targets of its own which it takes from its outcome, or
/// else its objective.
fn inherit(tree: &mut [ObjectiveNode], mut targets: HashMap<Node, Vec<TargetSpec>>) {
    for o in tree {
        o.targets = targets.remove(&Node::Objective(o.id)).unwrap_or_default();
        for oc in &mut o.outcomes {
            oc.targets = targets.remove(&Node::Outcome(oc.id)).unwrap_or_default();
            let (from, code, list) = match (oc.targets.is_empty(), o.targets.is_empty()) {
                (false, _) => ("outcome", &oc.code, &oc.targets),
                (true, false) => ("objective", &o.code, &o.targets),
                (true, true) => continue,
            };
            for a in oc.activities.iter_mut().filter(|a| a.targets.is_empty()) {
                a.inherited = Some(Inherited {
                    from,
                    code: code.clone(),
                    targets: list.clone(),
                });
            }
        }
    }
}

/// The tree as a reader of the current language sees it on the portal:
/// every title, and the lead partners' names, in that language where the
/// secretariat wrote it.
pub fn in_reader_language(tree: &mut [ObjectiveNode]) {
    let swap = |text: &mut String, translations: &Translations, field: &str| {
        if let Some(t) = translations.get(crate::i18n::current(), field) {
            *text = t.to_owned();
        }
    };
    for o in tree {
        swap(&mut o.title, &o.translations, "title");
        for oc in &mut o.outcomes {
            swap(&mut oc.title, &oc.translations, "title");
            for a in &mut oc.activities {
                swap(&mut a.title, &a.translations, "title");
                if let Some(name) = a.lead_name.as_mut() {
                    swap(name, &a.lead_translations, "name");
                }
            }
        }
    }
}
