//! The writes of NAPs themselves.

use sqlx::PgConnection;
use sqlx::types::Json;

use super::form::NapInput;
use crate::authz::PlanEditor;
use crate::error::AppResult;
use crate::features::plan::alignment::Part;
use crate::features::plan::model::{self, Nap};

/// The writes of NAPs themselves, which only a [`PlanEditor`] makes.
impl PlanEditor {
    pub async fn create_nap(&self, conn: &mut PgConnection, n: &NapInput) -> AppResult<i64> {
        let id = sqlx::query_scalar!(
            "insert into naps (tenant_id, title, theme, status, start_year, end_year, summary,
                               national_alignment, translations, adopted_on, effective_from, effective_to)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
            self.tenant_id(),
            n.title,
            n.theme.as_str(),
            n.status.as_str(),
            n.start_year,
            n.end_year,
            n.summary,
            n.national_alignment,
            Json(&n.translations) as _,
            n.dates.adopted_on,
            n.dates.effective_from,
            n.dates.effective_to
        )
        .fetch_one(&mut *conn)
        .await?;
        self.set_alignment(conn, id, Part::Nap, &n.alignment)
            .await?;
        Ok(id)
    }

    /// Saves `n` over `old`; a new period expands the targets again.
    pub(super) async fn update_nap(
        &self,
        conn: &mut PgConnection,
        old: &Nap,
        n: &NapInput,
    ) -> AppResult<()> {
        sqlx::query!(
            "update naps set title = $3, theme = $4, status = $5, start_year = $6, end_year = $7,
                 summary = $8, national_alignment = $9, translations = $10,
                 adopted_on = $11, effective_from = $12, effective_to = $13
             where tenant_id = $1 and id = $2",
            self.tenant_id(),
            old.id,
            n.title,
            n.theme.as_str(),
            n.status.as_str(),
            n.start_year,
            n.end_year,
            n.summary,
            n.national_alignment,
            Json(&n.translations) as _,
            n.dates.adopted_on,
            n.dates.effective_from,
            n.dates.effective_to
        )
        .execute(&mut *conn)
        .await?;
        self.set_alignment(conn, old.id, Part::Nap, &n.alignment)
            .await?;
        if (old.start_year, old.end_year) != (n.start_year, n.end_year) {
            let nap = model::load_nap(conn, old.id).await?;
            model::refresh_all_occurrences(self, conn, &nap).await?;
        }
        Ok(())
    }

    /// False if there is no such NAP.
    pub(super) async fn delete_nap(&self, conn: &mut PgConnection, id: i64) -> AppResult<bool> {
        let done = sqlx::query!(
            "delete from naps where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// False if there is no such NAP.
    pub(super) async fn publish_nap(
        &self,
        conn: &mut PgConnection,
        id: i64,
        published: bool,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "update naps set published = $3 where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id,
            published
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
