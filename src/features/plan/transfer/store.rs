//! The writes of an import, which only a [`PlanEditor`] makes: the checked
//! rows kept between preview and confirmation, and the plan written from
//! them.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::diff::{Analysis, ChangeKind};
use super::drafts::{self, DraftOf};
use super::format::PlanRow;
use crate::authz::PlanEditor;
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap, Node, PlanContext};
use crate::features::plan::quarter::TargetSpec;
use crate::features::plan::tags::{TagKind, TagLists};

/// The plan's drafts: one per person and NAP.
fn plan_draft(nap: i64) -> DraftOf {
    DraftOf {
        kind: "plan",
        nap: Some(nap),
    }
}

impl PlanEditor {
    /// Keeps checked rows for the confirmation (see [`drafts::keep`]).
    pub async fn keep_draft(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        me: i64,
        rows: &[PlanRow],
    ) -> AppResult<i64> {
        let rows = serde_json::to_value(rows).map_err(anyhow::Error::from)?;
        drafts::keep(self, conn, plan_draft(nap), me, rows).await
    }

    /// Takes the person's draft (see [`drafts::take`]).
    pub async fn take_draft(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        draft: i64,
        me: i64,
    ) -> AppResult<Option<serde_json::Value>> {
        drafts::take(self, conn, plan_draft(nap), draft, me).await
    }

    /// Writes what the analysis found changed: each objective and outcome
    /// once, then every changed activity in one batch.
    pub async fn import_rows(
        &self,
        conn: &mut PgConnection,
        nap: &Nap,
        rows: &[PlanRow],
        analysis: &Analysis,
    ) -> AppResult<()> {
        let editor = self;
        // What changed; each objective and outcome is taken once, at its first row.
        let mut changed: std::collections::HashSet<(&str, &str)> = analysis
            .changes
            .iter()
            .filter(|c| c.kind != ChangeKind::Same)
            .map(|c| (c.what, c.code.as_str()))
            .collect();
        let mut objectives: Vec<&PlanRow> = Vec::new();
        let mut outcomes: Vec<&PlanRow> = Vec::new();
        for row in rows {
            if changed.remove(&("plan.objective", row.objective_code.as_str())) {
                objectives.push(row);
            }
            let outcome = row.outcome_code.as_str();
            if !outcome.is_empty() && changed.remove(&("plan.outcome", outcome)) {
                outcomes.push(row);
            }
        }
        for row in &objectives {
            let (code, title) = (&row.objective_code, &row.objective_title);
            sqlx::query!(
                "insert into objectives (tenant_id, nap_id, code, title) values ($1, $2, $3, $4)
             on conflict (tenant_id, nap_id, code) do update set title = excluded.title",
                editor.tenant_id(),
                nap.id,
                code,
                title
            )
            .execute(&mut *conn)
            .await?;
        }
        for row in &outcomes {
            let (objective, code, title) =
                (&row.objective_code, &row.outcome_code, &row.outcome_title);
            sqlx::query!(
                "insert into outcomes (tenant_id, nap_id, objective_id, code, title)
             select $1, $2, o.id, $4, $5 from objectives o where o.nap_id = $2 and o.code = $3
             on conflict (tenant_id, nap_id, code)
             do update set title = excluded.title, objective_id = excluded.objective_id",
                editor.tenant_id(),
                nap.id,
                objective,
                code,
                title
            )
            .execute(&mut *conn)
            .await?;
        }
        if !analysis.new_tags.is_empty() {
            self.add_tags(conn, nap.id, &analysis.new_tags).await?;
        }
        self.import_nodes(conn, nap, &objectives, &outcomes).await?;
        let context = PlanContext::load(conn, nap).await?;
        let ids: HashMap<String, i64> =
            sqlx::query!("select id, code from activities where nap_id = $1", nap.id)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|r| (r.code, r.id))
                .collect();
        let mut inputs = Vec::new();
        for row in rows {
            let code = row.activity.code.trim();
            if code.is_empty() || !changed.contains(&("plan.activity", code)) {
                continue;
            }
            let input = context.validate(&row.activity).map_err(|_| {
                anyhow::anyhow!("row {} changed between preview and import", row.line)
            })?;
            inputs.push((ids.get(code).copied(), input));
        }
        let items: Vec<(Option<i64>, &model::ActivityInput)> =
            inputs.iter().map(|(id, input)| (*id, input)).collect();
        if !items.is_empty() {
            model::save_activities(editor, conn, nap, &items).await?;
        }
        Ok(())
    }

    /// The targets and pillars of the objectives and outcomes an import
    /// changes, as their first rows give them.
    async fn import_nodes(
        &self,
        conn: &mut PgConnection,
        nap: &Nap,
        objectives: &[&PlanRow],
        outcomes: &[&PlanRow],
    ) -> AppResult<()> {
        if objectives.is_empty() && outcomes.is_empty() {
            return Ok(());
        }
        let objective_ids: HashMap<String, i64> =
            sqlx::query!("select id, code from objectives where nap_id = $1", nap.id)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|r| (r.code, r.id))
                .collect();
        let outcome_ids: HashMap<String, i64> =
            sqlx::query!("select id, code from outcomes where nap_id = $1", nap.id)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|r| (r.code, r.id))
                .collect();
        let targets = |raw: &str| TargetSpec::parse_list(raw).unwrap_or_default();
        let mut items = Vec::new();
        let tags = TagLists::load(conn, nap.id).await?;
        for row in objectives {
            if let Some(id) = objective_ids.get(&row.objective_code) {
                items.push((Node::Objective(*id), targets(&row.objective_targets)));
                let pillars = tags
                    .resolve(TagKind::Pillar, &row.objective_pillars)
                    .unwrap_or_default();
                self.tag_objective(conn, *id, &pillars).await?;
            }
        }
        for row in outcomes {
            if let Some(id) = outcome_ids.get(&row.outcome_code) {
                items.push((Node::Outcome(*id), targets(&row.outcome_targets)));
            }
        }
        model::set_node_targets(self, conn, nap, &items).await?;
        Ok(())
    }

    /// Deletes the NAP's activities with these codes, except those with
    /// history (status updates or confidential records), which stay: the
    /// check is in the statement itself. The number deleted.
    pub async fn delete_activities(
        &self,
        conn: &mut PgConnection,
        nap: &Nap,
        codes: &[String],
    ) -> AppResult<u64> {
        let done = sqlx::query!(
            "delete from activities a
             where a.tenant_id = $1 and a.nap_id = $2 and a.code = any($3)
               and not exists (select 1 from status_updates u where u.activity_id = a.id)
               and not exists (select 1 from confidential_counts c
                               where c.activity_id = a.id and c.records > 0)",
            self.tenant_id(),
            nap.id,
            codes
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected())
    }
}
