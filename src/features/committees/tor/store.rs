//! The writes of terms of reference.

use sqlx::PgConnection;
use sqlx::types::Json;

use super::TorText;
use crate::authz::CommitteeEditor;
use crate::error::AppResult;
use crate::i18n::Translations;

/// The writes of terms of reference, which only a [`CommitteeEditor`]
/// makes. A published version never changes (a trigger refuses it for
/// every role): only the draft does.
impl CommitteeEditor {
    pub(super) async fn save_tor_draft(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        t: &TorText,
        translations: &Translations,
        quorum: Option<i16>,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into tor_versions (tenant_id, committee_id, mandate, purpose, composition, roles, decision_making,
                                       meeting_frequency, reporting, changes, confidentiality, quorum_percent,
                                       translations)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             on conflict on constraint tor_versions_tenant_id_committee_id_version_key do update
             set mandate = excluded.mandate, purpose = excluded.purpose, composition = excluded.composition,
                 roles = excluded.roles, decision_making = excluded.decision_making,
                 meeting_frequency = excluded.meeting_frequency, reporting = excluded.reporting,
                 changes = excluded.changes, confidentiality = excluded.confidentiality,
                 quorum_percent = excluded.quorum_percent, translations = excluded.translations",
            self.tenant_id(),
            committee,
            t.mandate.trim(),
            t.purpose.trim(),
            t.composition.trim(),
            t.roles.trim(),
            t.decision_making.trim(),
            t.meeting_frequency.trim(),
            t.reporting.trim(),
            t.changes.trim(),
            t.confidentiality.trim(),
            quorum,
            Json(translations) as _
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Freezes the draft as the next version; its number, or `None` when
    /// the committee does not exist. The row lock on the committee keeps
    /// two publishers from taking one number.
    pub(super) async fn publish_tor(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        by: i64,
    ) -> AppResult<Option<i32>> {
        let found = sqlx::query!(
            "select id from committees where tenant_id = $1 and id = $2 for update",
            self.tenant_id(),
            committee
        )
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_none() {
            return Ok(None);
        }
        Ok(sqlx::query_scalar!(
            "update tor_versions set version = (select coalesce(max(version), 0) + 1 from tor_versions
                                                where tenant_id = $1 and committee_id = $2),
                    published_at = now(), published_by = $3
             where tenant_id = $1 and committee_id = $2 and version is null returning version",
            self.tenant_id(),
            committee,
            by
        )
        .fetch_one(conn)
        .await?)
    }
}
