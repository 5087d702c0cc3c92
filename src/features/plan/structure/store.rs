//! The writes of objectives and outcomes.

use sqlx::PgConnection;
use sqlx::types::Json;

use super::Level;
use crate::authz::PlanEditor;
use crate::error::AppResult;
use crate::features::plan::alignment::Part;
use crate::features::plan::model::{self, Nap, Node};
use crate::features::plan::quarter::TargetSpec;
use crate::i18n::Translations;

/// An objective or outcome as checked, new (`id` none) or changed.
pub(super) struct NodeInput {
    pub(super) nap: i64,
    pub(super) level: Level,
    pub(super) id: Option<i64>,
    pub(super) code: String,
    pub(super) title: String,
    pub(super) objective: Option<i64>,
    pub(super) translations: Translations,
    /// Time targets set on the node itself, which its activities without
    /// their own inherit.
    pub(super) targets: Vec<TargetSpec>,
    /// Objectives only: their pillars' tag ids.
    pub(super) tags: Vec<i64>,
    /// The SDG targets and ILO instruments it serves, by code.
    pub(super) aligns: Vec<String>,
}

/// The writes of objectives and outcomes, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// The node's id; none if the node to change is not in the NAP. A
    /// code already used is a unique violation, for `db::unless_taken` to
    /// answer.
    pub(super) async fn save_node(
        &self,
        conn: &mut PgConnection,
        nap: &Nap,
        n: &NodeInput,
    ) -> AppResult<Option<i64>> {
        let tenant = self.tenant_id();
        let id = match (n.level, n.id) {
            (Level::Objective, None) => sqlx::query_scalar!(
                "insert into objectives (tenant_id, nap_id, code, title, translations) values ($1, $2, $3, $4, $5)
                 returning id",
                tenant, n.nap, n.code, n.title, Json(&n.translations) as _
            )
            .fetch_optional(&mut *conn)
            .await?,
            (Level::Objective, Some(id)) => sqlx::query_scalar!(
                "update objectives set code = $3, title = $4, translations = $6
                 where tenant_id = $1 and id = $2 and nap_id = $5 returning id",
                tenant, id, n.code, n.title, n.nap, Json(&n.translations) as _
            )
            .fetch_optional(&mut *conn)
            .await?,
            (Level::Outcome, None) => sqlx::query_scalar!(
                "insert into outcomes (tenant_id, nap_id, objective_id, code, title, translations)
                 values ($1, $2, $3, $4, $5, $6) returning id",
                tenant, n.nap, n.objective, n.code, n.title, Json(&n.translations) as _
            )
            .fetch_optional(&mut *conn)
            .await?,
            (Level::Outcome, Some(id)) => sqlx::query_scalar!(
                "update outcomes set code = $3, title = $4, objective_id = $5, translations = $7
                 where tenant_id = $1 and id = $2 and nap_id = $6 returning id",
                tenant, id, n.code, n.title, n.objective, n.nap, Json(&n.translations) as _
            )
            .fetch_optional(&mut *conn)
            .await?,
        };
        if let Some(id) = id {
            let node = match n.level {
                Level::Objective => Node::Objective(id),
                Level::Outcome => Node::Outcome(id),
            };
            model::set_node_targets(self, conn, nap, &[(node, n.targets.clone())]).await?;
            if n.level == Level::Objective {
                self.tag_objective(conn, id, &n.tags).await?;
            }
            let part = match n.level {
                Level::Objective => Part::Objective(id),
                Level::Outcome => Part::Outcome(id),
            };
            self.set_alignment(conn, n.nap, part, &n.aligns).await?;
        }
        Ok(id)
    }

    /// False if there is no such node in the NAP.
    pub(super) async fn delete_node(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        level: Level,
        node: i64,
    ) -> AppResult<bool> {
        let done = match level {
            Level::Objective => {
                sqlx::query!(
                    "delete from objectives where tenant_id = $1 and id = $2 and nap_id = $3",
                    self.tenant_id(),
                    node,
                    nap
                )
                .execute(conn)
                .await?
            }
            Level::Outcome => {
                sqlx::query!(
                    "delete from outcomes where tenant_id = $1 and id = $2 and nap_id = $3",
                    self.tenant_id(),
                    node,
                    nap
                )
                .execute(conn)
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    /// Makes the objective's pillars the tags `tags`.
    pub async fn tag_objective(
        &self,
        conn: &mut PgConnection,
        objective: i64,
        tags: &[i64],
    ) -> AppResult<()> {
        sqlx::query!(
            "delete from objective_tags where tenant_id = $1 and objective_id = $2 and not (tag_id = any($3))",
            self.tenant_id(),
            objective,
            tags
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into objective_tags (tenant_id, objective_id, tag_id)
             select $1, $2, t from unnest($3::bigint[]) as t on conflict do nothing",
            self.tenant_id(),
            objective,
            tags
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
