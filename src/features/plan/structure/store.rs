//! The writes of objectives and outcomes.

use sqlx::PgConnection;
use sqlx::types::Json;

use super::Level;
use crate::authz::PlanEditor;
use crate::error::AppResult;
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
}

/// The writes of objectives and outcomes, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// False if the node to change is not in the NAP. A code already used
    /// is a unique violation, for `db::unless_taken` to answer.
    pub(super) async fn save_node(
        &self,
        conn: &mut PgConnection,
        n: &NodeInput,
    ) -> AppResult<bool> {
        let tenant = self.tenant_id();
        let changed = match (n.level, n.id) {
            (Level::Objective, None) => sqlx::query!(
                "insert into objectives (tenant_id, nap_id, code, title, translations) values ($1, $2, $3, $4, $5)",
                tenant, n.nap, n.code, n.title, Json(&n.translations) as _
            )
            .execute(conn)
            .await?,
            (Level::Objective, Some(id)) => sqlx::query!(
                "update objectives set code = $3, title = $4, translations = $6
                 where tenant_id = $1 and id = $2 and nap_id = $5",
                tenant, id, n.code, n.title, n.nap, Json(&n.translations) as _
            )
            .execute(conn)
            .await?,
            (Level::Outcome, None) => sqlx::query!(
                "insert into outcomes (tenant_id, nap_id, objective_id, code, title, translations)
                 values ($1, $2, $3, $4, $5, $6)",
                tenant, n.nap, n.objective, n.code, n.title, Json(&n.translations) as _
            )
            .execute(conn)
            .await?,
            (Level::Outcome, Some(id)) => sqlx::query!(
                "update outcomes set code = $3, title = $4, objective_id = $5, translations = $7
                 where tenant_id = $1 and id = $2 and nap_id = $6",
                tenant, id, n.code, n.title, n.objective, n.nap, Json(&n.translations) as _
            )
            .execute(conn)
            .await?,
        };
        Ok(changed.rows_affected() == 1)
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
}
