//! The writes of the communication plan and its checklist: the plan
//! editor's.

use sqlx::PgConnection;

use super::NewItem;
use crate::authz::PlanEditor;
use crate::error::AppResult;

impl PlanEditor {
    /// Adds the item (`id` none) or changes it, and makes its activities
    /// those given; the item's id.
    pub async fn save_item(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        id: Option<i64>,
        item: &NewItem,
    ) -> AppResult<i64> {
        let id = sqlx::query_scalar!(
            "insert into communication_items as c (tenant_id, id, nap_id, code, direction, audience, objective,
                                                   key_message, channel, partner_id, targets, state)
             overriding system value
             values ($1, coalesce($2, nextval(pg_get_serial_sequence('communication_items', 'id'))), $3,
                     $4, $5, $6, $7, $8, $9, $10, $11, $12)
             on conflict (tenant_id, id) do update
                set code = excluded.code, direction = excluded.direction, audience = excluded.audience,
                    objective = excluded.objective, key_message = excluded.key_message,
                    channel = excluded.channel, partner_id = excluded.partner_id,
                    targets = excluded.targets, state = excluded.state
                where c.nap_id = excluded.nap_id
             returning id",
            self.tenant_id(),
            id,
            nap,
            item.code,
            item.direction,
            item.audience,
            item.objective,
            item.key_message,
            item.channel,
            item.partner,
            item.targets,
            item.state
        )
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query!(
            "delete from communication_activities where item_id = $1 and activity_id <> all($2)",
            id,
            &item.activities
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into communication_activities (tenant_id, item_id, activity_id)
             select $1, $2, unnest($3::bigint[]) on conflict do nothing",
            self.tenant_id(),
            id,
            &item.activities
        )
        .execute(conn)
        .await?;
        Ok(id)
    }

    /// Deletes an item of the NAP; whether there was one.
    pub async fn delete_item(&self, conn: &mut PgConnection, nap: i64, id: i64) -> AppResult<bool> {
        let done = sqlx::query!(
            "delete from communication_items where id = $1 and nap_id = $2",
            id,
            nap
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the answer to one question of the NAP's checklist.
    pub async fn answer_checklist(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        question: &str,
        answer: &str,
        note: &str,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into knowledge_checklist (tenant_id, nap_id, question, answer, note)
             values ($1, $2, $3, $4, $5)
             on conflict (tenant_id, nap_id, question) do update
                set answer = excluded.answer, note = excluded.note",
            self.tenant_id(),
            nap,
            question,
            answer,
            note
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
