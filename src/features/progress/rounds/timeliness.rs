//! Each partner's timeliness over a NAP: of the updates its closed rounds
//! expected (those whose deadline, or the partner's extension, has passed),
//! how many came on time. Computed in one statement, by the same rules as
//! the round's page, and kept per NAP (`round_timeliness`): the clock
//! refreshes it hourly, an extension or a change of the round settings at
//! once, and the dashboard reads what was kept.

use std::collections::HashMap;

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use super::settings;
use crate::authz::TenantMember;
use crate::error::AppResult;
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::Quarter;

/// One partner's timeliness over the plan: of the updates its closed
/// rounds expected (those whose deadline, or its extension, has passed),
/// how many came on time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeliness {
    pub on_time: i64,
    pub expected: i64,
}

impl Timeliness {
    /// The share on time, in whole percent; none before a round closed.
    pub fn percent(self) -> Option<i64> {
        (self.expected > 0).then(|| (self.on_time * 100 + self.expected / 2) / self.expected)
    }
}

/// Every lead partner's timeliness over the NAP's rounds up to `today`,
/// by the same rules as [`load`], in one statement.
pub async fn timeliness(
    conn: &mut PgConnection,
    nap: &Nap,
    (opens_days, due_days): (i32, i32),
    today: Date,
) -> AppResult<HashMap<i64, Timeliness>> {
    let first = nap.first_quarter().index();
    let last = nap
        .last_quarter()
        .index()
        .min(Quarter::of_date(today).index());
    let rows = sqlx::query!(
        r#"with rounds as (
               select qi, (make_date(qi / 4, (qi % 4) * 3 + 1, 1) + interval '3 months' - interval '1 day')::date as last_day
               from generate_series($2::int, $3::int) qi),
           expected as (
               select a.id, a.tenant_id, owed.partner_id, owed.partner_id = a.lead_partner_id as leads,
                      ((r.last_day - $4::int)::timestamp at time zone 'UTC') as opens,
                      coalesce(x.due_on, r.last_day + $5::int) as due
               from activities a
               join naps n on n.tenant_id = a.tenant_id and n.id = a.nap_id
               cross join lateral (
                   select a.lead_partner_id as partner_id
                   union
                   select s.partner_id from activity_partners s
                   where n.rounds_expect_supporting and s.tenant_id = a.tenant_id and s.activity_id = a.id) owed
               join rounds r on r.qi between coalesce(a.start_quarter, r.qi) and coalesce(a.end_quarter, r.qi)
               left join round_extensions x on x.tenant_id = a.tenant_id and x.nap_id = a.nap_id
                    and x.quarter_index = r.qi and x.partner_id = owed.partner_id
               where a.nap_id = $1 and owed.partner_id is not null)
           select e.partner_id as "partner_id!",
                  count(*) filter (where exists (
                      select 1 from status_updates u
                      where u.tenant_id = e.tenant_id and u.activity_id = e.id
                        and u.created_at >= e.opens
                        and u.created_at < ((e.due + 1)::timestamp at time zone 'UTC')
                        and u.review_state <> 'returned'
                        and (e.leads or u.partner_id = e.partner_id))) as "on_time!",
                  count(*) as "expected!"
           from expected e
           where e.due < $6
             and coalesce((select u.status from status_updates u
                           where u.tenant_id = e.tenant_id and u.activity_id = e.id
                             and u.created_at < e.opens and u.review_state = 'accepted'
                           order by u.created_at desc, u.id desc limit 1), 'not-started')
                 not in ('completed', 'cancelled')
           group by e.partner_id"#,
        nap.id,
        first,
        last,
        opens_days,
        due_days,
        today
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.partner_id,
                Timeliness {
                    on_time: r.on_time,
                    expected: r.expected,
                },
            )
        })
        .collect())
}

/// The kept timeliness of the NAP's partners, or `None` when it was never
/// computed (then [`timeliness`] reads it afresh).
pub async fn kept_timeliness(
    conn: &mut PgConnection,
    nap: i64,
) -> AppResult<Option<HashMap<i64, Timeliness>>> {
    let rows = sqlx::query!(
        r#"select t.partner_id as "partner_id?", t.on_time as "on_time?", t.expected as "expected?"
           from round_timeliness_runs r
           left join round_timeliness t on t.tenant_id = r.tenant_id and t.nap_id = r.nap_id
           where r.nap_id = $1"#,
        nap
    )
    .fetch_all(conn)
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        rows.into_iter()
            .filter_map(|r| {
                Some((
                    r.partner_id?,
                    Timeliness {
                        on_time: i64::from(r.on_time?),
                        expected: i64::from(r.expected?),
                    },
                ))
            })
            .collect(),
    ))
}

/// Whether a NAP's kept timeliness is older than `age` (or missing).
pub async fn timeliness_older_than(
    conn: &mut PgConnection,
    nap: i64,
    since: OffsetDateTime,
) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select coalesce((select computed_at < $2 from round_timeliness_runs where nap_id = $1), true) as "old!""#,
        nap,
        since
    )
    .fetch_one(conn)
    .await?)
}

/// Computes each partner's timeliness over the NAP and keeps it.
pub async fn refresh_timeliness(
    conn: &mut PgConnection,
    member: &TenantMember,
    nap: &Nap,
    today: Date,
) -> AppResult<()> {
    let days = settings(conn, member.tenant_id()).await?;
    let figures = timeliness(conn, nap, days, today).await?;
    member.keep_timeliness(conn, nap.id, &figures).await
}

/// Refreshes the kept timeliness of every NAP of the tenant.
pub async fn refresh_all_timeliness(
    conn: &mut PgConnection,
    member: &TenantMember,
    today: Date,
) -> AppResult<()> {
    let naps = sqlx::query_scalar!("select id from naps order by id")
        .fetch_all(&mut *conn)
        .await?;
    for id in naps {
        let nap = model::load_nap(conn, id).await?;
        refresh_timeliness(conn, member, &nap, today).await?;
    }
    Ok(())
}

/// Timeliness is derived from what members and the clock did: any of them
/// may keep it afresh.
impl TenantMember {
    async fn keep_timeliness(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        figures: &HashMap<i64, Timeliness>,
    ) -> AppResult<()> {
        let (mut partners, mut on_time, mut expected) = (Vec::new(), Vec::new(), Vec::new());
        for (partner, t) in figures {
            partners.push(*partner);
            on_time.push(i32::try_from(t.on_time).unwrap_or(i32::MAX));
            expected.push(i32::try_from(t.expected).unwrap_or(i32::MAX));
        }
        sqlx::query!(
            "delete from round_timeliness where tenant_id = $1 and nap_id = $2",
            self.tenant_id(),
            nap
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into round_timeliness (tenant_id, nap_id, partner_id, on_time, expected)
             select $1, $2, p, o, e from unnest($3::bigint[], $4::int[], $5::int[]) as t(p, o, e)",
            self.tenant_id(),
            nap,
            &partners,
            &on_time,
            &expected
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into round_timeliness_runs (tenant_id, nap_id, computed_at) values ($1, $2, now())
             on conflict (tenant_id, nap_id) do update set computed_at = now()",
            self.tenant_id(),
            nap
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
