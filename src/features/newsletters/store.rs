//! The writes of newsletters: the newsletter editor's.

use sqlx::PgConnection;
use sqlx::types::Json;

use crate::authz::NewsletterEditor;
use crate::error::AppResult;
use crate::i18n::Translations;
use crate::mail::message::LetterItem;

impl NewsletterEditor {
    #[allow(clippy::too_many_arguments)]
    pub async fn start_newsletter(
        &self,
        conn: &mut PgConnection,
        committee: Option<i64>,
        subject: &str,
        body: &str,
        translations: &Translations,
        items: &[LetterItem],
        by: i64,
    ) -> AppResult<i64> {
        Ok(sqlx::query_scalar!(
            "insert into newsletters (tenant_id, committee_id, subject, body, translations, items, created_by)
             values ($1, $2, $3, $4, $5, $6, $7) returning id",
            self.tenant_id(),
            committee,
            subject,
            body,
            Json(translations) as _,
            Json(items) as _,
            by
        )
        .fetch_one(conn)
        .await?)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn save_newsletter(
        &self,
        conn: &mut PgConnection,
        id: i64,
        committee: Option<i64>,
        subject: &str,
        body: &str,
        translations: &Translations,
        items: &[LetterItem],
    ) -> AppResult<()> {
        sqlx::query!(
            "update newsletters set committee_id = $2, subject = $3, body = $4, translations = $5, items = $6
             where id = $1 and sent_at is null",
            id,
            committee,
            subject,
            body,
            Json(translations) as _,
            Json(items) as _
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Queues the newsletter for `people`, each in their language (its
    /// text there if written, else the tenant's), and marks it sent;
    /// `false` when it was sent already.
    pub async fn send_newsletter(
        &self,
        conn: &mut PgConnection,
        id: i64,
        people: &[i64],
        by: i64,
    ) -> AppResult<bool> {
        let sent = sqlx::query_scalar!(
            "update newsletters set sent_at = now(), sent_by = $2, recipients = cardinality($3::bigint[])
             where id = $1 and sent_at is null returning id",
            id,
            by,
            people
        )
        .fetch_optional(&mut *conn)
        .await?;
        if sent.is_none() {
            return Ok(false);
        }
        sqlx::query!(
            r#"insert into mail_outbox (for_tenant, user_id, recipient, language, kind, payload)
               select t.id, u.id, u.email, l.lang, 'newsletter',
                      jsonb_build_object(
                          'tenant', t.name,
                          'letter', jsonb_build_object(
                              'subject', coalesce(nullif(n.translations -> l.lang ->> 'subject', ''), n.subject),
                              'body', coalesce(nullif(n.translations -> l.lang ->> 'body', ''), n.body),
                              'items', n.items))
               from newsletters n
               join tenants t on t.id = n.tenant_id
               join users u on u.id = any($2)
               cross join lateral (select coalesce(u.language, t.default_language) as lang) l
               where n.id = $1"#,
            id,
            people
        )
        .execute(conn)
        .await?;
        Ok(true)
    }
}
