//! The writes of partners, which only a [`PlanEditor`] makes.

use sqlx::PgConnection;
use sqlx::types::Json;

use super::delete::Deleted;
use super::form::PartnerInput;
use crate::authz::PlanEditor;
use crate::choices::Portfolio;
use crate::error::AppResult;

/// The writes of partners, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// The partner and its other names; its id, or `None` if the partner
    /// to change does not exist. An acronym already used is a unique
    /// violation, for `db::unless_taken` to answer.
    pub async fn save_partner(
        &self,
        conn: &mut PgConnection,
        id: Option<i64>,
        p: &PartnerInput,
    ) -> AppResult<Option<i64>> {
        let portfolio = p.portfolio.map(Portfolio::as_str);
        let saved = match id {
            None => sqlx::query_scalar!(
                "insert into partners (tenant_id, acronym, name, kind, portfolio, level, constituency, translations,
                                       portfolio_name)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
                self.tenant_id(), p.acronym, p.name, p.kind.as_str(), portfolio, p.level.as_str(), p.constituency.as_str(),
                Json(&p.translations) as _, p.portfolio_name
            )
            .fetch_optional(&mut *conn)
            .await?,
            Some(id) => sqlx::query_scalar!(
                "update partners set acronym = $3, name = $4, kind = $5, portfolio = $6, level = $7, constituency = $8,
                     translations = $9, portfolio_name = $10
                 where tenant_id = $1 and id = $2 returning id",
                self.tenant_id(), id, p.acronym, p.name, p.kind.as_str(), portfolio, p.level.as_str(), p.constituency.as_str(),
                Json(&p.translations) as _, p.portfolio_name
            )
            .fetch_optional(&mut *conn)
            .await?,
        };
        if let Some(id) = saved {
            self.set_aliases(conn, id, &p.aliases).await?;
        }
        Ok(saved)
    }

    pub(super) async fn delete_partner(
        &self,
        conn: &mut PgConnection,
        id: i64,
    ) -> AppResult<Deleted> {
        let mut savepoint = sqlx::Acquire::begin(&mut *conn).await?;
        let done = sqlx::query!(
            "delete from partners where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id
        )
        .execute(&mut *savepoint)
        .await;
        match done {
            Ok(d) if d.rows_affected() == 1 => {
                savepoint.commit().await?;
                Ok(Deleted::Gone)
            }
            Ok(_) => Ok(Deleted::NotFound),
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                savepoint.rollback().await?;
                Ok(Deleted::InUse)
            }
            Err(e) => Err(e.into()),
        }
    }
}
