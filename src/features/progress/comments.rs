//! Comments on an activity: the partners' discussion beside its history
//! (the form is on the activity page, `features::activity`).

use sqlx::PgConnection;

use crate::authz::Commenter;
use crate::error::AppResult;

pub struct Comment {
    pub author: String,
    pub organisation: Option<String>,
    pub body: String,
    pub at: time::OffsetDateTime,
}

impl Comment {
    pub fn date(&self) -> String {
        crate::http::page::format_date(self.at)
    }
}

pub async fn load(conn: &mut PgConnection, activity: i64) -> AppResult<Vec<Comment>> {
    Ok(sqlx::query_as!(
        Comment,
        r#"select u.name as author, p.name as "organisation?", c.body, c.created_at as at
           from comments c
           join users u on u.id = c.author_id
           left join memberships m on m.tenant_id = c.tenant_id and m.user_id = c.author_id
           left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
           where c.activity_id = $1
           order by c.created_at, c.id"#,
        activity
    )
    .fetch_all(conn)
    .await?)
}

/// The one write of the discussion, which only a [`Commenter`] makes.
impl Commenter {
    pub async fn add_comment(
        &self,
        conn: &mut PgConnection,
        activity: i64,
        author: i64,
        body: &str,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into comments (tenant_id, activity_id, author_id, body) values ($1, $2, $3, $4)",
            self.tenant_id(),
            activity,
            author,
            body
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
