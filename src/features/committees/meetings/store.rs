//! The writes of meetings, which only a [`CommitteeEditor`] makes.

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use crate::authz::CommitteeEditor;
use crate::error::AppResult;

pub struct NewMeeting {
    pub starts_at: OffsetDateTime,
    pub place: String,
    pub link: String,
    pub agenda: String,
}

pub struct NewAction {
    pub text: String,
    pub owner: Option<i64>,
    pub due_on: Option<Date>,
    pub activity: Option<i64>,
}

impl CommitteeEditor {
    pub async fn add_meeting(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        m: &NewMeeting,
    ) -> AppResult<i64> {
        Ok(sqlx::query_scalar!(
            "insert into meetings (tenant_id, committee_id, starts_at, place, link, agenda)
             values ($1, $2, $3, $4, $5, $6) returning id",
            self.tenant_id(),
            committee,
            m.starts_at,
            m.place,
            m.link,
            m.agenda
        )
        .fetch_one(conn)
        .await?)
    }

    /// Present, apologies or absent, for a seat of the meeting's committee.
    pub async fn record_presence(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        meeting: i64,
        member: i64,
        presence: &str,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into attendance (tenant_id, meeting_id, member_id, presence)
             select $1, $2, m.id, $4 from committee_members m where m.id = $3 and m.committee_id = $5
             on conflict (tenant_id, meeting_id, member_id) do update set presence = excluded.presence",
            self.tenant_id(),
            meeting,
            member,
            presence,
            committee
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// False if the committee has no such meeting.
    pub async fn set_minutes(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        meeting: i64,
        text: &str,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "update meetings set minutes = $4 where tenant_id = $1 and id = $2 and committee_id = $3",
            self.tenant_id(),
            meeting,
            committee,
            text
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Shows or hides the minutes on the public portal; false if the
    /// committee has no such meeting.
    pub async fn publish_minutes(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        meeting: i64,
        published: bool,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "update meetings set minutes_published = $4 where tenant_id = $1 and id = $2 and committee_id = $3",
            self.tenant_id(),
            meeting,
            committee,
            published
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The committee's next decision number; the committee's row lock keeps
    /// numbers unique when two are taken at once.
    pub async fn take_decision(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        meeting: i64,
        text: &str,
    ) -> AppResult<()> {
        sqlx::query!(
            "select id from committees where tenant_id = $1 and id = $2 for update",
            self.tenant_id(),
            committee
        )
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into decisions (tenant_id, committee_id, meeting_id, number, text)
             select $1, $2, $3, coalesce(max(number), 0) + 1, $4 from decisions
             where tenant_id = $1 and committee_id = $2",
            self.tenant_id(),
            committee,
            meeting,
            text
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    pub async fn add_action_point(
        &self,
        conn: &mut PgConnection,
        meeting: i64,
        a: &NewAction,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into action_points (tenant_id, meeting_id, text, owner_partner_id, due_on, activity_id)
             values ($1, $2, $3, $4, $5, $6)",
            self.tenant_id(),
            meeting,
            a.text,
            a.owner,
            a.due_on,
            a.activity
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Marks an open action point of the committee done; its meeting, or
    /// `None` if there is no such open point.
    pub async fn close_action_point(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        action: i64,
    ) -> AppResult<Option<i64>> {
        Ok(sqlx::query_scalar!(
            "update action_points ap set done_on = current_date
             from meetings m
             where ap.tenant_id = $1 and ap.id = $2 and m.tenant_id = ap.tenant_id and m.id = ap.meeting_id
               and m.committee_id = $3 and ap.done_on is null
             returning ap.meeting_id",
            self.tenant_id(),
            action,
            committee
        )
        .fetch_optional(conn)
        .await?)
    }
}
