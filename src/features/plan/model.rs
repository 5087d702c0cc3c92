//! The plan's data: loading a NAP and its tree, validating an activity as
//! people write it (form or spreadsheet row), and saving it with its targets.

use std::collections::{BTreeSet, HashMap};

use sqlx::PgConnection;

use super::quarter::{Period, Quarter, TargetSpec, TargetState};
use crate::authz::PlanEditor;
use crate::choices::{ActivityStatus, Level, NapStatus, Theme};
use crate::error::{AppError, AppResult};
use crate::http::form::FieldErrors;

#[derive(Debug, Clone)]
pub struct Nap {
    pub id: i64,
    pub title: String,
    pub theme: Theme,
    pub start_year: i32,
    pub end_year: i32,
    pub status: NapStatus,
    pub summary: String,
    pub sdg_targets: String,
    pub national_alignment: String,
    pub published: bool,
}

impl Nap {
    pub fn period(&self) -> Period {
        Period::years(self.start_year, self.end_year)
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
        "select id, title, theme, start_year, end_year, status, summary, sdg_targets,
                national_alignment, published
         from naps where id = $1",
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
        sdg_targets: row.sdg_targets,
        national_alignment: row.national_alignment,
        published: row.published,
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
    pub targets: Vec<TargetSpec>,
    pub occurrences: Vec<OccurrenceView>,
}

impl ActivityRow {
    pub fn targets_text(&self) -> String {
        self.targets
            .iter()
            .map(|t| t.compact())
            .collect::<Vec<_>>()
            .join(", ")
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
    pub activities: Vec<ActivityRow>,
}

pub struct ObjectiveNode {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub outcomes: Vec<OutcomeNode>,
}

/// A NAP's objectives, outcomes and activities with their targets, in code
/// order: five queries, whatever the size of the plan.
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
        "select id, code, title from objectives where nap_id = $1",
        nap_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let outcomes = sqlx::query!(
        "select id, objective_id, code, title from outcomes where nap_id = $1",
        nap_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let activities = sqlx::query!(
        r#"select a.id, a.outcome_id, a.code, a.title, a.level, a.status, a.progress, a.spending, a.start_quarter,
                  a.end_quarter, a.budget, a.currency,
                  lp.acronym as "lead?", lp.name as "lead_name?",
                  coalesce((select array_agg(p.acronym order by p.acronym)
                            from activity_partners ap
                            join partners p on p.tenant_id = ap.tenant_id and p.id = ap.partner_id
                            where ap.tenant_id = a.tenant_id and ap.activity_id = a.id), '{}') as "supporting!",
                  coalesce((select array_agg(coalesce(t.year, -1) order by t.year nulls last, t.quarter)
                            from time_targets t
                            where t.tenant_id = a.tenant_id and t.activity_id = a.id), '{}') as "target_years!",
                  coalesce((select array_agg(t.quarter order by t.year nulls last, t.quarter)
                            from time_targets t
                            where t.tenant_id = a.tenant_id and t.activity_id = a.id), '{}') as "target_quarters!"
           from activities a
           left join partners lp on lp.tenant_id = a.tenant_id and lp.id = a.lead_partner_id
           where a.id = any($1)"#,
        ids
    )
    .fetch_all(&mut *conn)
    .await?;
    // Occurrences of an id outside the NAP find no activity below and are dropped.
    let occurrences = sqlx::query!(
        "select o.activity_id, o.quarter_index, o.met_at is not null as \"met!\"
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
            });
    }
    let mut acts_by_outcome: HashMap<i64, Vec<ActivityRow>> = HashMap::new();
    for a in activities {
        let targets = a
            .target_years
            .iter()
            .zip(&a.target_quarters)
            .filter_map(|(y, q)| TargetSpec::from_row((*y >= 0).then_some(*y), *q))
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
                occurrences: occ_by_activity.remove(&a.id).unwrap_or_default(),
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
                outcomes,
            }
        })
        .collect();
    tree.sort_by_key(|o| code_key(&o.code));
    Ok(tree)
}

/// An activity as a person writes it, in a form or a spreadsheet row.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize, PartialEq)]
pub struct ActivityDraft {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub supporting: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub budget: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub targets: String,
}

/// A validated activity, ready to save.
#[derive(Debug, Clone)]
pub struct ActivityInput {
    pub outcome_id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub lead_partner_id: Option<i64>,
    pub supporting: Vec<i64>,
    pub start: Option<Quarter>,
    pub end: Option<Quarter>,
    pub level: Level,
    pub place: String,
    pub budget: Option<i64>,
    pub currency: String,
    pub targets: Vec<TargetSpec>,
}

/// What validating an activity needs to know about its NAP.
pub struct PlanContext {
    pub period: Period,
    /// Lower-case acronym → partner id.
    pub partners: HashMap<String, i64>,
    /// Outcome code → outcome id.
    pub outcomes: HashMap<String, i64>,
}

impl PlanContext {
    pub async fn load(conn: &mut PgConnection, nap: &Nap) -> AppResult<Self> {
        let partners = sqlx::query!("select id, acronym from partners")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|p| (p.acronym.to_lowercase(), p.id))
            .collect();
        let outcomes = sqlx::query!("select id, code from outcomes where nap_id = $1", nap.id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|o| (o.code, o.id))
            .collect();
        Ok(Self {
            period: nap.period(),
            partners,
            outcomes,
        })
    }

    fn quarter(&self, raw: &str, field: &'static str, errors: &mut FieldErrors) -> Option<Quarter> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        match Quarter::parse(raw) {
            None => {
                errors.add_with(field, "plan.quarter_invalid", raw);
                None
            }
            Some(q) if !self.period.contains(q) => {
                errors.add_with(field, "plan.quarter_outside", raw);
                None
            }
            Some(q) => Some(q),
        }
    }

    /// Checks every field; errors are keyed by the draft's field names.
    pub fn validate(&self, d: &ActivityDraft) -> Result<ActivityInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let outcome_id = match d.outcome.trim() {
            "" => {
                errors.add("outcome", "field.required");
                None
            }
            code => match self.outcomes.get(code) {
                Some(id) => Some(*id),
                None => {
                    errors.add_with("outcome", "plan.outcome_unknown", code);
                    None
                }
            },
        };
        let code = validate_code(&d.code)
            .map_err(|k| errors.add("code", k))
            .ok();
        let title = crate::http::form::required(&d.title, 500)
            .map_err(|k| errors.add("title", k))
            .ok();
        let description = crate::http::form::optional(&d.description, 5000)
            .map_err(|k| errors.add("description", k))
            .unwrap_or_default();
        let lead_partner_id = match d.lead.trim() {
            "" => None,
            acronym => match self.partners.get(&acronym.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    errors.add_with("lead", "plan.partner_unknown", acronym);
                    None
                }
            },
        };
        let mut supporting = BTreeSet::new();
        for acronym in d
            .supporting
            .split([',', ';', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match self.partners.get(&acronym.to_lowercase()) {
                Some(id) if Some(*id) != lead_partner_id => {
                    supporting.insert(*id);
                }
                Some(_) => {}
                None => errors.add_with("supporting", "plan.partner_unknown", acronym),
            }
        }
        let start = self.quarter(&d.start, "start", &mut errors);
        let end = self.quarter(&d.end, "end", &mut errors);
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            errors.add("end", "plan.end_before_start");
        }
        let level = match d.level.trim() {
            "" => Some(Level::National),
            raw => Level::parse(&raw.to_lowercase()).or_else(|| {
                errors.add_with("level", "plan.level_invalid", raw);
                None
            }),
        };
        let place = crate::http::form::optional(&d.place, 200)
            .map_err(|k| errors.add("place", k))
            .unwrap_or_default();
        let budget = crate::http::form::amount(&d.budget)
            .map_err(|key| errors.add_with("budget", key, d.budget.trim()))
            .unwrap_or_default();
        let currency = d.currency.trim().to_ascii_uppercase();
        if !(currency.is_empty()
            || currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()))
        {
            errors.add_with("currency", "plan.currency_invalid", d.currency.trim());
        }
        let period = Period {
            start: start.unwrap_or(self.period.start),
            end: end.unwrap_or(self.period.end),
        };
        let targets = match TargetSpec::parse_list(&d.targets) {
            Err(bad) => {
                errors.add_with("targets", "plan.target_invalid", &bad);
                Vec::new()
            }
            Ok(specs) => {
                for spec in &specs {
                    if spec.expand(period).is_empty() {
                        errors.add_with("targets", "plan.target_outside", &spec.compact());
                    }
                }
                specs
            }
        };
        match (errors.is_empty(), outcome_id, code, title, level) {
            (true, Some(outcome_id), Some(code), Some(title), Some(level)) => Ok(ActivityInput {
                outcome_id,
                code,
                title,
                description,
                lead_partner_id,
                supporting: supporting.into_iter().collect(),
                start,
                end,
                level,
                place,
                budget,
                currency,
                targets,
            }),
            _ => Err(errors),
        }
    }
}

/// Saves one activity (new when `id` is none) with its partners, targets
/// and occurrences; returns its id.
pub async fn save_activity(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    id: Option<i64>,
    a: &ActivityInput,
) -> Result<i64, sqlx::Error> {
    let ids = save_activities(editor, conn, nap, &[(id, a)]).await?;
    Ok(ids[0])
}

/// Saves activities (new where the id is none) with their partners, targets
/// and occurrences, in a fixed number of statements however many there are:
/// a spreadsheet of 5,000 rows is written in a few round trips, not 40,000.
/// Returns their ids, in order.
pub async fn save_activities(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    items: &[(Option<i64>, &ActivityInput)],
) -> Result<Vec<i64>, sqlx::Error> {
    let tenant = editor.tenant_id();
    // Column by column, as PostgreSQL's unnest reads them. New activities
    // take their id from the identity's sequence; the others update in
    // place, in the same statement.
    let id: Vec<Option<i64>> = items.iter().map(|(id, _)| *id).collect();
    let outcome: Vec<i64> = items.iter().map(|(_, a)| a.outcome_id).collect();
    let code: Vec<&str> = items.iter().map(|(_, a)| a.code.as_str()).collect();
    let title: Vec<&str> = items.iter().map(|(_, a)| a.title.as_str()).collect();
    let description: Vec<&str> = items.iter().map(|(_, a)| a.description.as_str()).collect();
    let lead: Vec<Option<i64>> = items.iter().map(|(_, a)| a.lead_partner_id).collect();
    let start: Vec<Option<i32>> = items
        .iter()
        .map(|(_, a)| a.start.map(Quarter::index))
        .collect();
    let end: Vec<Option<i32>> = items
        .iter()
        .map(|(_, a)| a.end.map(Quarter::index))
        .collect();
    let level: Vec<&str> = items.iter().map(|(_, a)| a.level.as_str()).collect();
    let place: Vec<&str> = items.iter().map(|(_, a)| a.place.as_str()).collect();
    let budget: Vec<Option<i64>> = items.iter().map(|(_, a)| a.budget).collect();
    let currency: Vec<&str> = items.iter().map(|(_, a)| a.currency.as_str()).collect();
    let saved: HashMap<String, i64> = sqlx::query!(
        "insert into activities as a (tenant_id, id, nap_id, outcome_id, code, title, description,
             lead_partner_id, start_quarter, end_quarter, level, place, budget, currency)
         overriding system value
         select $1, coalesce(u.id, nextval(pg_get_serial_sequence('activities', 'id'))), $2,
                u.outcome_id, u.code, u.title, u.description, u.lead, u.start_quarter,
                u.end_quarter, u.level, u.place, u.budget, u.currency
         from unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                     $9::int[], $10::int[], $11::text[], $12::text[], $13::bigint[], $14::text[])
              as u(id, outcome_id, code, title, description, lead, start_quarter, end_quarter,
                   level, place, budget, currency)
         on conflict (tenant_id, id) do update
         set outcome_id = excluded.outcome_id, code = excluded.code, title = excluded.title,
             description = excluded.description, lead_partner_id = excluded.lead_partner_id,
             start_quarter = excluded.start_quarter, end_quarter = excluded.end_quarter,
             level = excluded.level, place = excluded.place, budget = excluded.budget,
             currency = excluded.currency
         returning a.id, a.code",
        tenant,
        nap.id,
        &id as &[Option<i64>],
        &outcome,
        &code as &[&str],
        &title as &[&str],
        &description as &[&str],
        &lead as &[Option<i64>],
        &start as &[Option<i32>],
        &end as &[Option<i32>],
        &level as &[&str],
        &place as &[&str],
        &budget as &[Option<i64>],
        &currency as &[&str]
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.code, r.id))
    .collect();
    let ids: Vec<i64> = items
        .iter()
        .map(|(_, a)| saved.get(&a.code).copied())
        .collect::<Option<_>>()
        .ok_or(sqlx::Error::RowNotFound)?;

    // Supporting partners: those no longer named go, new ones come.
    let (partner_of, partner): (Vec<i64>, Vec<i64>) = ids
        .iter()
        .zip(items)
        .flat_map(|(id, (_, a))| a.supporting.iter().map(move |p| (*id, *p)))
        .unzip();
    sqlx::query!(
        "delete from activity_partners ap
         where ap.tenant_id = $1 and ap.activity_id = any($2)
           and not exists (select 1 from unnest($3::bigint[], $4::bigint[]) as n(a, p)
                           where n.a = ap.activity_id and n.p = ap.partner_id)",
        tenant,
        &ids,
        &partner_of,
        &partner
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into activity_partners (tenant_id, activity_id, partner_id)
         select $1, n.a, n.p from unnest($2::bigint[], $3::bigint[]) as n(a, p)
         on conflict do nothing",
        tenant,
        &partner_of,
        &partner
    )
    .execute(&mut *conn)
    .await?;

    // Targets: removed ones go (with their occurrences), new ones come.
    let mut target_of = Vec::new();
    let mut years = Vec::new();
    let mut quarters = Vec::new();
    for (id, (_, a)) in ids.iter().zip(items) {
        for t in &a.targets {
            let (year, quarter) = t.to_row();
            target_of.push(*id);
            years.push(year.unwrap_or(-1));
            quarters.push(quarter);
        }
    }
    sqlx::query!(
        "delete from time_targets t
         where t.tenant_id = $1 and t.activity_id = any($2)
           and not exists (select 1 from unnest($3::bigint[], $4::int[], $5::smallint[]) as n(a, y, q)
                           where n.a = t.activity_id and coalesce(t.year, -1) = n.y and t.quarter = n.q)",
        tenant,
        &ids,
        &target_of,
        &years,
        &quarters
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into time_targets (tenant_id, activity_id, year, quarter)
         select $1, n.a, nullif(n.y, -1), n.q from unnest($2::bigint[], $3::int[], $4::smallint[]) as n(a, y, q)
         on conflict do nothing",
        tenant,
        &target_of,
        &years,
        &quarters
    )
    .execute(&mut *conn)
    .await?;
    let periods: Vec<(i64, Option<Quarter>, Option<Quarter>)> = ids
        .iter()
        .zip(items)
        .map(|(id, (_, a))| (*id, a.start, a.end))
        .collect();
    refresh_occurrences(editor, conn, nap, &periods).await?;
    Ok(ids)
}

/// Re-expands every activity's targets, after the NAP's period changed.
pub async fn refresh_all_occurrences(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
) -> Result<(), sqlx::Error> {
    let periods: Vec<(i64, Option<Quarter>, Option<Quarter>)> = sqlx::query!(
        "select id, start_quarter, end_quarter from activities where tenant_id = $1 and nap_id = $2",
        editor.tenant_id(),
        nap.id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|a| {
        (
            a.id,
            a.start_quarter.map(Quarter::from_index),
            a.end_quarter.map(Quarter::from_index),
        )
    })
    .collect();
    refresh_occurrences(editor, conn, nap, &periods).await
}

/// Makes the occurrences of the given activities (id, start, end) match
/// their targets over their periods: occurrences that no longer apply go,
/// new ones come, met ones stay met.
async fn refresh_occurrences(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    activities: &[(i64, Option<Quarter>, Option<Quarter>)],
) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = activities.iter().map(|(id, ..)| *id).collect();
    let periods: HashMap<i64, Period> = activities
        .iter()
        .map(|(id, start, end)| {
            let period = Period {
                start: start.unwrap_or(nap.period().start),
                end: end.unwrap_or(nap.period().end),
            };
            (*id, period)
        })
        .collect();
    let targets = sqlx::query!(
        "select id, activity_id, year, quarter from time_targets
         where tenant_id = $1 and activity_id = any($2)",
        editor.tenant_id(),
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut target_ids = Vec::new();
    let mut activity_ids = Vec::new();
    let mut indexes = Vec::new();
    for t in targets {
        let (Some(spec), Some(period)) = (
            TargetSpec::from_row(t.year, t.quarter),
            periods.get(&t.activity_id),
        ) else {
            continue;
        };
        for q in spec.expand(*period) {
            target_ids.push(t.id);
            activity_ids.push(t.activity_id);
            indexes.push(q.index());
        }
    }
    sqlx::query!(
        "delete from target_occurrences o
         where o.tenant_id = $1 and o.activity_id = any($2)
           and not exists (select 1 from unnest($3::bigint[], $4::int[]) as n(t, i)
                           where o.target_id = n.t and o.quarter_index = n.i)",
        editor.tenant_id(),
        &ids,
        &target_ids,
        &indexes
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into target_occurrences (tenant_id, target_id, activity_id, quarter_index)
         select $1, n.t, n.a, n.i from unnest($2::bigint[], $3::bigint[], $4::int[]) as n(t, a, i)
         on conflict do nothing",
        editor.tenant_id(),
        &target_ids,
        &activity_ids,
        &indexes
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
