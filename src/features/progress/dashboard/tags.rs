//! The plan by its tags: for each pillar, each linked national plan and
//! each SDG target or ILO instrument it serves, its activities, those completed and those behind schedule, and the
//! flagged activities; every figure a link to the list behind it. One
//! statement, whose cost grows with the tagged activities only.

use sqlx::PgConnection;

use super::figures::Figure;
use crate::choices::ListOnly;
use crate::error::AppResult;
use crate::features::plan::alignment;
use crate::features::plan::quarter::Quarter;
use crate::paths;

pub struct TagRow {
    /// "pillar" or "plan".
    pub kind: String,
    pub name: String,
    pub activities: Figure,
    pub completed: Figure,
    pub behind: Figure,
}

#[derive(Default)]
pub struct TagFigures {
    pub rows: Vec<TagRow>,
    pub flagged: Figure,
}

impl TagFigures {
    /// Whether there is anything to show.
    pub fn any(&self) -> bool {
        !self.rows.is_empty() || self.flagged.value > 0
    }

    /// The rows by kind, each with its heading's key; kinds without rows
    /// are left out.
    pub fn groups(&self) -> Vec<(&'static str, Vec<&TagRow>)> {
        [
            ("pillar", "activity.pillars"),
            ("plan", "activity.plans"),
            ("align", "alignment.filter"),
        ]
        .into_iter()
        .map(|(kind, key)| (key, self.rows.iter().filter(|r| r.kind == kind).collect()))
        .filter(|(_, rows): &(_, Vec<_>)| !rows.is_empty())
        .collect()
    }

    pub async fn load(
        conn: &mut PgConnection,
        slug: &str,
        nap_id: i64,
        today: Quarter,
    ) -> AppResult<Self> {
        let rows = sqlx::query!(
            r#"with tagged as (
                   select x.tag_id, x.activity_id
                   from activity_tags x join nap_tags g on g.tenant_id = x.tenant_id and g.id = x.tag_id
                   where g.nap_id = $1
                   union
                   select ot.tag_id, a.id
                   from objective_tags ot
                   join nap_tags g on g.tenant_id = ot.tenant_id and g.id = ot.tag_id
                   join outcomes oc on oc.tenant_id = ot.tenant_id and oc.objective_id = ot.objective_id
                   join activities a on a.tenant_id = oc.tenant_id and a.outcome_id = oc.id
                   where g.nap_id = $1)
               select g.kind, g.name, count(a.id) as "activities!",
                      count(a.id) filter (where a.status = 'completed') as "completed!",
                      count(f.activity_id) filter (where f.first_quarter < $2) as "behind!"
               from nap_tags g
               left join tagged t on t.tag_id = g.id
               left join activities a on a.tenant_id = g.tenant_id and a.id = t.activity_id
               left join open_targets f on f.tenant_id = a.tenant_id and f.activity_id = a.id
               where g.nap_id = $1
               group by g.id, g.kind, g.name, g.position
               order by g.kind, g.position, g.id"#,
            nap_id,
            today.index()
        )
        .fetch_all(&mut *conn)
        .await?;
        // What serves each SDG target and ILO instrument, own tag or inherited.
        let aligned = alignment::standings(&mut *conn, nap_id, today.index()).await?;
        let flagged = sqlx::query_scalar!(
            r#"select count(*) as "n!" from activities where nap_id = $1 and flag <> ''"#,
            nap_id
        )
        .fetch_one(&mut *conn)
        .await?;
        let list = paths::activities(slug, nap_id);
        let figure = |n: i64, query: &[(&str, &str)]| Figure {
            value: usize::try_from(n).unwrap_or(0),
            href: paths::with_query(&list, query),
        };
        let mut rows: Vec<TagRow> = rows
            .into_iter()
            .map(|r| {
                let key = if r.kind == "plan" { "plan" } else { "pillar" };
                let name = r.name.as_str();
                TagRow {
                    activities: figure(r.activities, &[(key, name)]),
                    completed: figure(r.completed, &[(key, name), ("status", "completed")]),
                    behind: figure(
                        r.behind,
                        &[(key, name), ("only", ListOnly::Overdue.as_str())],
                    ),
                    kind: r.kind,
                    name: r.name,
                }
            })
            .collect();
        rows.extend(aligned.into_iter().map(|(code, s)| TagRow {
            activities: figure(s.activities, &[("align", &code)]),
            completed: figure(s.completed, &[("align", &code), ("status", "completed")]),
            behind: figure(
                s.behind,
                &[("align", &code), ("only", ListOnly::Overdue.as_str())],
            ),
            kind: "align".to_owned(),
            name: alignment::label(&code),
        }));
        Ok(Self {
            rows,
            flagged: figure(flagged, &[("flagged", "yes")]),
        })
    }
}
