//! The clock of the oversight cycle: round openings, deadline reminders,
//! overdue reminders, action points coming due, and digests. [`tick`] takes
//! the time as an argument, so tests move it; `serve` calls it every few
//! minutes. Every event is keyed (round, partner, kind, and the week for an
//! overdue reminder), so running late, twice, or in several processes at
//! once sends nothing twice, and after downtime only the reminder that
//! fits today goes out, not every one missed.

use std::time::Duration;

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use tokio::sync::watch;

use super::notify::{self, Category, Notice};
use crate::authz::{self, TenantMember};
use crate::error::AppResult;
use crate::features::plan::model;
use crate::features::plan::quarter::Quarter;
use crate::features::progress::rounds::{self, Answer, Window};
use crate::mail::message::Item;
use crate::tenancy::scope;

/// Weeks after a deadline that overdue reminders go on, one a week.
const OVERDUE_WEEKS: i64 = 8;
/// From this week after the deadline, the secretariat gets a copy.
const SECRETARIAT_FROM_WEEK: i64 = 2;

/// Runs [`tick`] every `every` until `stop` turns true.
pub async fn run(pool: PgPool, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            break;
        }
        if let Err(e) = tick(&pool, OffsetDateTime::now_utc()).await {
            tracing::warn!(error = %e, "the reminder clock could not run");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}

/// What one tick did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ticked {
    pub notified: u64,
    pub digests: u64,
}

/// Everything the clock owes at `now`, tenant by tenant, each in its own
/// transaction. A tenant another process is ticking is left to it.
pub async fn tick(pool: &PgPool, now: OffsetDateTime) -> anyhow::Result<Ticked> {
    let tenants = sqlx::query!("select id, slug from tenants order by id")
        .fetch_all(pool)
        .await?;
    let mut done = Ticked::default();
    for tenant in tenants {
        let mut tx = scope::begin(pool, tenant.id, None).await?;
        let mine = sqlx::query_scalar!(
            r#"select pg_try_advisory_xact_lock(hashtext('nap-cycle'), $1::int) as "got!""#,
            i32::try_from(tenant.id % i64::from(i32::MAX)).unwrap_or(0)
        )
        .fetch_one(&mut *tx)
        .await?;
        if !mine {
            continue;
        }
        let member = authz::operator::<authz::ViewTenant>(tenant.id);
        done.notified += reminders(&mut tx, &member, &tenant.slug, now.date()).await?;
        done.notified += actions_due(&mut tx, &member, &tenant.slug, now.date()).await?;
        done.notified += targets_missed(&mut tx, &member, &tenant.slug, now.date()).await?;
        done.digests += digests(&mut tx, &member, now).await?;
        timeliness(&mut tx, &member, now).await?;
        tx.commit().await?;
    }
    Ok(done)
}

/// Where a partner stands in a round on `today`: the one reminder that fits.
fn stage(today: Date, opens: Date, due: Date) -> Option<String> {
    let days_left = (due - today).whole_days();
    if today < opens {
        None
    } else if days_left < 0 {
        let week = (-days_left - 1) / 7;
        (week < OVERDUE_WEEKS).then(|| format!("overdue:{week}"))
    } else if days_left <= 1 {
        Some("due1".to_owned())
    } else if days_left <= 7 {
        Some("due7".to_owned())
    } else {
        Some("opened".to_owned())
    }
}

/// Round reminders for each partner of each running NAP, in the rounds of
/// this quarter and the two before.
async fn reminders(
    conn: &mut PgConnection,
    member: &TenantMember,
    slug: &str,
    today: Date,
) -> AppResult<u64> {
    let (opens_days, due_days) = rounds::settings(conn, member.tenant_id()).await?;
    let naps = sqlx::query_scalar!("select id from naps where status <> 'closed' order by id")
        .fetch_all(&mut *conn)
        .await?;
    let secretariat = notify::secretariat(conn).await?;
    let this = Quarter::of_date(today).index();
    let mut sent = 0;
    for nap_id in naps {
        let nap = model::load_nap(conn, nap_id).await?;
        for q in (this - 2..=this).map(Quarter::from_index) {
            if !nap.period().contains(q) {
                continue;
            }
            let window = Window::of(q, opens_days, due_days);
            if today < window.opens {
                continue;
            }
            // Organisations two weeks or more past their deadline: the
            // secretariat hears of them together, once a week.
            let mut long_overdue: Vec<(String, usize)> = Vec::new();
            for partner in rounds::load(conn, &nap, window, today).await? {
                let owed = partner.count(&Answer::Awaited) + partner.count(&Answer::Missing);
                let Some(stage) = stage(today, window.opens, partner.due) else {
                    continue;
                };
                if owed == 0 {
                    continue;
                }
                let kind = match stage.as_str() {
                    "opened" => "round_opened",
                    "due7" => "round_due_7",
                    "due1" => "round_due_1",
                    _ => "round_overdue",
                };
                let notice = Notice::new(
                    Category::Reminders,
                    kind,
                    crate::paths::nap_round(slug, nap.id, q.compact()),
                )
                .with("quarter", q.compact())
                .with("nap", &nap.title)
                .with("partner", &partner.acronym)
                .with("count", owed)
                .with("due", partner.due)
                .keyed(format!(
                    "round:{}:{}:{}:{stage}",
                    nap.id,
                    q.index(),
                    partner.id
                ));
                let people = notify::focal_points(conn, &[partner.id]).await?;
                let week: i64 = stage
                    .strip_prefix("overdue:")
                    .and_then(|w| w.parse().ok())
                    .unwrap_or(-1);
                if week >= SECRETARIAT_FROM_WEEK {
                    long_overdue.push((partner.acronym.clone(), owed));
                }
                sent += member.notify(conn, &people, &notice).await?;
            }
            if let (false, Some(stage)) = (
                long_overdue.is_empty(),
                stage(today, window.opens, window.due),
            ) {
                let names: Vec<&str> = long_overdue.iter().map(|(a, _)| a.as_str()).collect();
                let notice = Notice::new(
                    Category::Reminders,
                    "round_overdue_summary",
                    crate::paths::nap_round(slug, nap.id, q.compact()),
                )
                .with("quarter", q.compact())
                .with("nap", &nap.title)
                .with("partners", names.join(", "))
                .with("count", long_overdue.iter().map(|(_, n)| n).sum::<usize>())
                .with("due", window.due)
                .keyed(format!("round:{}:{}:sec:{stage}", nap.id, q.index()));
                sent += member.notify(conn, &secretariat, &notice).await?;
            }
        }
    }
    Ok(sent)
}

/// Open action points due tomorrow or today, to their organisation's focal
/// points, once.
async fn actions_due(
    conn: &mut PgConnection,
    member: &TenantMember,
    slug: &str,
    today: Date,
) -> AppResult<u64> {
    let due = sqlx::query!(
        r#"select a.id, a.text, a.due_on as "due_on!", a.owner_partner_id as "partner!",
                  p.acronym, m.committee_id, c.name as committee
           from action_points a
           join partners p on p.tenant_id = a.tenant_id and p.id = a.owner_partner_id
           join meetings m on m.tenant_id = a.tenant_id and m.id = a.meeting_id
           join committees c on c.tenant_id = m.tenant_id and c.id = m.committee_id
           where a.done_on is null and a.due_on between $1 and $1 + 1"#,
        today
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut sent = 0;
    for a in due {
        let people = notify::focal_points(conn, &[a.partner]).await?;
        let notice = Notice::new(
            Category::Actions,
            "action_due",
            crate::paths::committee(slug, a.committee_id),
        )
        .with("committee", &a.committee)
        .with("partner", &a.acronym)
        .with("text", &a.text)
        .with("due", a.due_on)
        .keyed(format!("action:{}:due", a.id));
        sent += member.notify(conn, &people, &notice).await?;
    }
    Ok(sent)
}

/// Keeps each running NAP's timeliness fresh: recomputed when an hour old,
/// so a round that closed shows within the hour.
async fn timeliness(
    conn: &mut PgConnection,
    member: &TenantMember,
    now: OffsetDateTime,
) -> AppResult<()> {
    let naps = sqlx::query_scalar!("select id from naps where status <> 'closed' order by id")
        .fetch_all(&mut *conn)
        .await?;
    for id in naps {
        if rounds::timeliness_older_than(conn, id, now - time::Duration::hours(1)).await? {
            let nap = model::load_nap(conn, id).await?;
            rounds::refresh_timeliness(conn, member, &nap, now.date()).await?;
        }
    }
    Ok(())
}

/// Once a quarter has ended, each organisation's focal points hear how many
/// of the targets it leads were missed in it: one notification per plan,
/// quarter and organisation, never one per target.
async fn targets_missed(
    conn: &mut PgConnection,
    member: &TenantMember,
    slug: &str,
    today: Date,
) -> AppResult<u64> {
    let last = Quarter::from_index(Quarter::of_date(today).index() - 1);
    let missed = sqlx::query!(
        r#"select a.nap_id, n.title as nap, a.lead_partner_id as "partner!", p.acronym,
                  count(*) as "count!"
           from target_occurrences o
           join activities a on a.tenant_id = o.tenant_id and a.id = o.activity_id
           join naps n on n.tenant_id = a.tenant_id and n.id = a.nap_id
           join partners p on p.tenant_id = a.tenant_id and p.id = a.lead_partner_id
           where o.quarter_index = $1 and o.met_at is null and n.status <> 'closed'
           group by a.nap_id, n.title, a.lead_partner_id, p.acronym
           order by a.nap_id, p.acronym"#,
        last.index()
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut sent = 0;
    for m in missed {
        let people = notify::focal_points(conn, &[m.partner]).await?;
        let link = crate::paths::with_query(
            &crate::paths::activities(slug, m.nap_id),
            &[("lead", &m.acronym), ("only", "overdue")],
        );
        let notice = Notice::new(Category::Updates, "targets_missed", link)
            .with("nap", &m.nap)
            .with("partner", &m.acronym)
            .with("quarter", last.compact())
            .with("count", m.count)
            .keyed(format!(
                "targets:{}:{}:{}",
                m.nap_id,
                last.index(),
                m.partner
            ));
        sent += member.notify(conn, &people, &notice).await?;
    }
    Ok(sent)
}

/// The digests due at `now` in the tenant: for each person and frequency,
/// what was not yet mailed, once the last digest (or, before the first,
/// the oldest item) is a day or a week old. An empty digest is not sent.
async fn digests(
    conn: &mut PgConnection,
    member: &TenantMember,
    now: OffsetDateTime,
) -> AppResult<u64> {
    let tenant = member.tenant_id();
    let rows = sqlx::query!(
        r#"with pending as (
               select n.id, n.user_id, n.category, n.kind, n.params, n.link, n.created_at,
                      coalesce(mp.frequency, case when n.category = 'reminders' then 'now' else 'weekly' end) as frequency
               from notifications n
               join users u on u.id = n.user_id and u.active
               left join mail_preferences mp on mp.user_id = n.user_id and mp.category = n.category
               where n.tenant_id = $1 and not n.mailed)
           select p.user_id, p.frequency as "frequency!",
                  array_agg(p.id order by p.created_at desc, p.id desc) as "ids!",
                  jsonb_agg(jsonb_build_object('kind', p.kind, 'params', p.params, 'link', p.link)
                            order by p.created_at desc, p.id desc) as "items!",
                  array_agg(distinct p.category) as "categories!"
           from pending p
           left join mail_digests d on d.user_id = p.user_id and d.for_tenant = $1 and d.frequency = p.frequency
           where p.frequency in ('daily', 'weekly')
           group by p.user_id, p.frequency, d.last_sent_at
           having coalesce(d.last_sent_at, min(p.created_at))
                  <= $2::timestamptz - case when p.frequency = 'daily' then interval '1 day' else interval '7 days' end"#,
        tenant,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut sent = 0;
    for r in rows {
        let items: Vec<Item> = serde_json::from_value(r.items).unwrap_or_default();
        let payload = json!({ "items": items, "categories": r.categories, "digest": r.frequency });
        member
            .queue_digest(conn, r.user_id, &r.ids, &payload, &r.frequency, now)
            .await?;
        sent += 1;
    }
    Ok(sent)
}

/// The clock's writes of digests.
impl TenantMember {
    /// Queues one digest and marks its items mailed, so the next leaves
    /// them out.
    async fn queue_digest(
        &self,
        conn: &mut PgConnection,
        user: i64,
        ids: &[i64],
        payload: &serde_json::Value,
        frequency: &str,
        now: OffsetDateTime,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into mail_outbox (for_tenant, user_id, recipient, language, kind, payload)
             select t.id, u.id, u.email, coalesce(u.language, t.default_language), 'digest',
                    jsonb_set($3::jsonb, '{tenant}', to_jsonb(t.name))
             from users u, tenants t where u.id = $2 and t.id = $1",
            self.tenant_id(),
            user,
            payload
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into mail_digests (user_id, for_tenant, frequency, last_sent_at) values ($1, $2, $3, $4)
             on conflict (user_id, for_tenant, frequency) do update set last_sent_at = excluded.last_sent_at",
            user,
            self.tenant_id(),
            frequency,
            now
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "update notifications set mailed = true where tenant_id = $1 and id = any($2)",
            self.tenant_id(),
            ids
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn one_reminder_fits_each_day_of_a_round() {
        let (opens, due) = (date!(2026 - 09 - 16), date!(2026 - 10 - 15));
        assert_eq!(stage(date!(2026 - 09 - 15), opens, due), None);
        assert_eq!(stage(opens, opens, due).as_deref(), Some("opened"));
        assert_eq!(
            stage(date!(2026 - 10 - 08), opens, due).as_deref(),
            Some("due7")
        );
        assert_eq!(
            stage(date!(2026 - 10 - 14), opens, due).as_deref(),
            Some("due1")
        );
        assert_eq!(stage(due, opens, due).as_deref(), Some("due1"));
        // Overdue: week 0 the week after the deadline, then one a week.
        assert_eq!(
            stage(date!(2026 - 10 - 16), opens, due).as_deref(),
            Some("overdue:0")
        );
        assert_eq!(
            stage(date!(2026 - 10 - 22), opens, due).as_deref(),
            Some("overdue:0")
        );
        assert_eq!(
            stage(date!(2026 - 10 - 23), opens, due).as_deref(),
            Some("overdue:1")
        );
        assert_eq!(
            stage(date!(2026 - 12 - 10), opens, due).as_deref(),
            Some("overdue:7")
        );
        assert_eq!(stage(date!(2026 - 12 - 11), opens, due), None);
    }
}
