//! The writes of reports: the report writer's alone.

use sqlx::PgConnection;
use sqlx::types::Json;

use super::figures::Figures;
use super::render::Narrative;
use crate::authz::ReportWriter;
use crate::error::AppResult;

impl ReportWriter {
    pub async fn create_report(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        kind: &str,
        (first, last): (i32, i32),
        title: &str,
    ) -> AppResult<i64> {
        Ok(sqlx::query_scalar!(
            "insert into reports (tenant_id, nap_id, period_kind, first_quarter, last_quarter, title)
             values ($1, $2, $3, $4, $5, $6) returning id",
            self.tenant_id(),
            nap,
            kind,
            first,
            last,
            title
        )
        .fetch_one(conn)
        .await?)
    }

    /// Saves a draft's narrative; an issued report is left as it is.
    pub async fn save_narrative(
        &self,
        conn: &mut PgConnection,
        id: i64,
        words: &Narrative,
    ) -> AppResult<()> {
        sqlx::query!(
            "update reports set title = $2, summary = $3, achievements = $4, challenges = $5,
                    lessons = $6, recommendations = $7
             where id = $1 and number is null",
            id,
            words.title,
            words.summary,
            words.achievements,
            words.challenges,
            words.lessons,
            words.recommendations
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Issues a draft with `figures`: the tenant's next number, taken under
    /// a lock so two reports issued at once never share one. The number, or
    /// none when the report was issued already.
    pub async fn issue_report(
        &self,
        conn: &mut PgConnection,
        id: i64,
        figures: &Figures,
        by: i64,
    ) -> AppResult<Option<i32>> {
        sqlx::query!(
            "select pg_advisory_xact_lock(hashtextextended('reports of tenant ' || $1::bigint, 0))",
            self.tenant_id()
        )
        .execute(&mut *conn)
        .await?;
        Ok(sqlx::query_scalar!(
            r#"update reports set issued_at = now(), issued_by = $3, figures = $2,
                      number = (select coalesce(max(number), 0) + 1 from reports)
               where id = $1 and number is null
               returning number as "number!""#,
            id,
            Json(figures) as _,
            by
        )
        .fetch_optional(conn)
        .await?)
    }

    /// Publishes an issued report (or withdraws it), with what the public sees.
    pub async fn publish_report(
        &self,
        conn: &mut PgConnection,
        id: i64,
        publish: bool,
        notes: bool,
        spending: bool,
    ) -> AppResult<()> {
        sqlx::query!(
            "update reports set published_at = case when $2 then coalesce(published_at, now()) end,
                    publish_notes = $3, publish_spending = $4
             where id = $1 and number is not null",
            id,
            publish,
            notes,
            spending
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
