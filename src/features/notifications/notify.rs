//! Telling people: a notification for each person an event concerns, and,
//! for those who want that category at once, a message in the outbox, in
//! the same statement and so in the event's own transaction. Who is
//! concerned is read here too: an organisation's focal points, a
//! committee's members, the secretariat, and whoever follows the object.
//!
//! Events carry titles, states, dates and links only. Confidential records
//! never notify: nobody learns of them from a notification.

use serde_json::{Map, Value, json};
use sqlx::PgConnection;

use crate::authz::TenantMember;
use crate::error::AppResult;
use crate::mail::message::Item;

pub use crate::choices::{MailFrequency as Frequency, NoticeCategory as Category};

/// One event, for the people it concerns.
pub struct Notice {
    pub category: Category,
    pub kind: &'static str,
    pub params: Map<String, Value>,
    pub link: String,
    /// For events the clock makes: one per key and person, ever.
    pub event_key: Option<String>,
    /// A calendar file for the message (meetings).
    pub attachment: Option<String>,
}

impl Notice {
    pub fn new(category: Category, kind: &'static str, link: String) -> Self {
        Self {
            category,
            kind,
            params: Map::new(),
            link,
            event_key: None,
            attachment: None,
        }
    }

    /// Adds a parameter the sentence names (a title, a date, a quarter).
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.params
            .insert(name.to_owned(), Value::String(value.to_string()));
        self
    }

    pub fn keyed(mut self, key: String) -> Self {
        self.event_key = Some(key);
        self
    }
}

/// Any member's action may tell others of it.
impl TenantMember {
    /// Notifies `users` (the one who acted left out by the caller) in the
    /// transaction's tenant, and queues a message for each who wants the
    /// category at once. Returns how many were notified (a keyed event already
    /// sent to someone is not sent again).
    pub async fn notify(
        &self,
        conn: &mut PgConnection,
        users: &[i64],
        notice: &Notice,
    ) -> AppResult<u64> {
        if users.is_empty() {
            return Ok(0);
        }
        let category = notice.category.as_str();
        let item = Item {
            kind: notice.kind.to_owned(),
            params: notice.params.clone(),
            link: notice.link.clone(),
        };
        let payload = json!({ "items": [item], "categories": [category] });
        let default = notice.category.default_frequency().as_str();
        let n = sqlx::query_scalar!(
        r#"with sent as (
               insert into notifications (tenant_id, user_id, category, kind, params, link, event_key, mailed)
               select $10, u.id, $2, $3, $4, $5, $6, coalesce(mp.frequency, $7) = 'now'
               from users u
               left join mail_preferences mp on mp.user_id = u.id and mp.category = $2
               where u.id = any($1) and u.active
               on conflict (tenant_id, user_id, event_key) do nothing
               returning user_id, mailed),
           queued as (
               insert into mail_outbox (for_tenant, user_id, recipient, language, kind, payload, attachment)
               select t.id, u.id, u.email, coalesce(u.language, t.default_language), 'notice',
                      jsonb_set($8::jsonb, '{tenant}', to_jsonb(t.name)), $9
               from sent s
               join users u on u.id = s.user_id
               join tenants t on t.id = $10
               where s.mailed
               returning 1)
           select count(*) as "n!" from sent"#,
        users,
        category,
        notice.kind,
        Value::Object(notice.params.clone()),
        notice.link,
        notice.event_key,
        default,
        payload,
        notice.attachment,
        self.tenant_id()
    )
    .fetch_one(conn)
    .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// The active focal points of these organisations.
pub async fn focal_points(conn: &mut PgConnection, partners: &[i64]) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        "select distinct user_id from memberships
         where partner_id = any($1) and focal_point and active",
        partners
    )
    .fetch_all(conn)
    .await?)
}

/// The active members of the secretariat.
pub async fn secretariat(conn: &mut PgConnection) -> AppResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar!(
            "select user_id from memberships where role = 'secretariat' and active"
        )
        .fetch_all(conn)
        .await?,
    )
}

/// An activity's name ("1.2.3 Inspect farms") and who it concerns: the
/// focal points of its lead and supporting organisations, those who follow
/// it, and the secretariat when `secretariat` says so; in one statement.
pub async fn of_activity(
    conn: &mut PgConnection,
    activity: i64,
    secretariat: bool,
) -> AppResult<(String, Vec<i64>)> {
    let found = sqlx::query!(
        r#"select a.code || ' ' || a.title as "name!",
                  array(select m.user_id from memberships m
                        where m.active and ((m.role = 'secretariat' and $2) or (m.focal_point and m.partner_id in (
                            select a.lead_partner_id
                            union select s.partner_id from activity_partners s
                            where s.tenant_id = a.tenant_id and s.activity_id = a.id)))
                        union
                        select f.user_id from follows f
                        join memberships m on m.user_id = f.user_id and m.active
                        where f.activity_id = a.id) as "people!"
           from activities a where a.id = $1"#,
        activity,
        secretariat
    )
    .fetch_one(conn)
    .await?;
    Ok((found.name, found.people))
}

/// Who a committee concerns: the people who hold its seats, and those who
/// follow it (still members of the tenant).
pub async fn of_committee(conn: &mut PgConnection, committee: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"select c.user_id as "id!" from committee_members c
           join memberships m on m.user_id = c.user_id and m.active
           where c.committee_id = $1 and c.left_on is null
           union
           select f.user_id from follows f
           join memberships m on m.user_id = f.user_id and m.active
           where f.committee_id = $1"#,
        committee
    )
    .fetch_all(conn)
    .await?)
}

/// `users` without `me`.
pub fn except(mut users: Vec<i64>, me: i64) -> Vec<i64> {
    users.retain(|u| *u != me);
    users
}

/// Tells an update's author that it was accepted or returned (unless the
/// reviewer wrote it).
pub async fn reviewed(
    conn: &mut PgConnection,
    member: &TenantMember,
    slug: &str,
    update: i64,
    accepted: bool,
    by: i64,
) -> AppResult<()> {
    let Some(u) = sqlx::query!(
        "select u.author_id, a.id, a.nap_id, a.code, a.title
         from status_updates u join activities a on a.tenant_id = u.tenant_id and a.id = u.activity_id
         where u.id = $1",
        update
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let notice = Notice::new(
        Category::Reviews,
        if accepted {
            "update_accepted"
        } else {
            "update_returned"
        },
        crate::paths::activity(slug, u.nap_id, u.id),
    )
    .with("activity", format!("{} {}", u.code, u.title));
    member
        .notify(conn, &except(vec![u.author_id], by), &notice)
        .await?;
    Ok(())
}
