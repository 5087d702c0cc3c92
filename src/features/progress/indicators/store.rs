//! The writes of indicators and their values, each a method of the
//! capability that allows it. The audit trigger keeps every change.

use sqlx::PgConnection;

use super::Place;
use super::form::IndicatorInput;
use super::values::Measured;
use crate::authz::{IndicatorReporter, PlanEditor};
use crate::error::AppResult;

impl Place {
    /// The NAP, objective and outcome columns, one of them set.
    fn columns(self, nap: i64) -> (Option<i64>, Option<i64>, Option<i64>) {
        match self {
            Place::Nap => (Some(nap), None, None),
            Place::Objective(id) => (None, Some(id), None),
            Place::Outcome(id) => (None, None, Some(id)),
        }
    }
}

impl PlanEditor {
    pub async fn add_indicator(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        i: &IndicatorInput,
    ) -> AppResult<i64> {
        let (nap_id, objective, outcome) = i.place.columns(nap);
        let id = sqlx::query_scalar!(
            "insert into indicators (tenant_id, nap_id, objective_id, outcome_id, name, unit, qualitative,
                                     baseline, target, responsible_partner_id, responsible_committee_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
            self.tenant_id(),
            nap_id,
            objective,
            outcome,
            i.name,
            i.unit,
            i.qualitative,
            i.baseline,
            i.target,
            i.responsible,
            i.committee
        )
        .fetch_one(conn)
        .await?;
        Ok(id)
    }

    pub async fn save_indicator(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        id: i64,
        i: &IndicatorInput,
    ) -> AppResult<()> {
        let (nap_id, objective, outcome) = i.place.columns(nap);
        sqlx::query!(
            "update indicators set nap_id = $3, objective_id = $4, outcome_id = $5, name = $6, unit = $7,
                    qualitative = $8, baseline = $9, target = $10,
                    responsible_partner_id = $11, responsible_committee_id = $12
             where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id,
            nap_id,
            objective,
            outcome,
            i.name,
            i.unit,
            i.qualitative,
            i.baseline,
            i.target,
            i.responsible,
            i.committee
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// The indicator and its values; false if there is no such indicator.
    pub(super) async fn delete_indicator(
        &self,
        conn: &mut PgConnection,
        id: i64,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "delete from indicators where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl IndicatorReporter {
    /// A value for a period; a second one corrects the first.
    pub(super) async fn enter_value(
        &self,
        conn: &mut PgConnection,
        year: i32,
        quarter: Option<i16>,
        value: &Measured,
        by: i64,
    ) -> AppResult<()> {
        let (number, text) = match value {
            Measured::Number(n) => (Some(*n), None),
            Measured::Text(t) => (None, Some(t.as_str())),
        };
        sqlx::query!(
            "insert into indicator_values (tenant_id, indicator_id, year, quarter, value, value_text, entered_by)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (tenant_id, indicator_id, year, quarter)
             do update set value = excluded.value, value_text = excluded.value_text,
                           entered_by = excluded.entered_by, created_at = now()",
            self.tenant_id(),
            self.indicator_id(),
            year,
            quarter,
            number,
            text,
            by
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
