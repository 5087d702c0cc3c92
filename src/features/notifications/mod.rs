//! The notification centre, `/notifications`: what concerns the signed-in
//! person in every tenant they belong to, newest first, each a button that
//! marks it read and opens its object (a POST, so it works without
//! JavaScript and GET changes nothing). Following an activity or a
//! committee, the e-mail preferences and the one-click unsubscribe live
//! here too; `notify` tells people of events and `cycle` is the clock.

pub mod cycle;
pub mod events;
pub mod notify;
mod preferences;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Redirect;
use serde_json::{Map, Value};
use sqlx::PgConnection;

use crate::auth::CurrentUser;
use crate::authz::{self, TenantMember};
use crate::error::{AppError, AppResult};
use crate::http::page::Chrome;
use crate::http::routes::Routes;
use crate::mail::message::{Item, describe};
use crate::paths::at;
use crate::state::AppState;
use crate::tenancy::{TenantCtx, scope};

/// The signed-in person's pages.
pub fn router() -> Routes {
    Routes::new()
        .get(at::notifications, centre)
        .post(at::notification_open, open)
        .post(at::notifications_read, read_all)
        .merge(preferences::router())
}

/// Following, within a tenant.
pub fn tenant_router() -> Routes {
    Routes::new()
        .post(at::activity_follow, follow_activity)
        .post(at::committee_follow, follow_committee)
}

/// What answers links in e-mails without a session.
pub fn open_router() -> Routes {
    preferences::open_router()
}

/// Notifications a page lists.
const SHOWN: i64 = 100;

pub struct Row {
    pub tenant_id: i64,
    pub id: i64,
    pub tenant: String,
    pub sentence: String,
    pub created_at: time::OffsetDateTime,
    pub read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/centre.html")]
struct CentrePage {
    page: Chrome,
    rows: Vec<Row>,
}

/// A transaction that sees the person's own notifications, in any tenant.
async fn as_person(
    state: &AppState,
    user: &CurrentUser,
) -> AppResult<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = state.pool.begin().await?;
    scope::set(&mut tx, None, Some(user.id)).await?;
    Ok(tx)
}

async fn centre(
    mut page: Chrome,
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<CentrePage> {
    let mut tx = as_person(&state, &user).await?;
    let rows = sqlx::query!(
        r#"select n.tenant_id, n.id, t.name as tenant, n.kind, n.params, n.link, n.created_at,
                  n.read_at is not null as "read!"
           from notifications n join tenants t on t.id = n.tenant_id
           where n.user_id = $1
           order by n.created_at desc, n.id desc
           limit $2"#,
        user.id,
        SHOWN
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| Row {
            tenant_id: r.tenant_id,
            id: r.id,
            tenant: r.tenant,
            sentence: describe(&Item {
                kind: r.kind,
                params: match r.params {
                    Value::Object(map) => map,
                    _ => Map::new(),
                },
                link: r.link,
            }),
            created_at: r.created_at,
            read: r.read,
        })
        .collect();
    page.unread = Some(rows.iter().filter(|r| !r.read).count() as i64);
    Ok(CentrePage { page, rows })
}

/// Marks the notification read and goes to its object.
async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((tenant, id)): Path<(i64, i64)>,
) -> AppResult<Redirect> {
    let mut tx = as_person(&state, &user).await?;
    let link = mark_read(&mut tx, &user, Some((tenant, id))).await?;
    tx.commit().await?;
    link.map(|l| Redirect::to(&l)).ok_or(AppError::NotFound)
}

async fn read_all(State(state): State<AppState>, user: CurrentUser) -> AppResult<Redirect> {
    let mut tx = as_person(&state, &user).await?;
    mark_read(&mut tx, &user, None).await?;
    tx.commit().await?;
    Ok(Redirect::to(&crate::paths::notifications()))
}

/// Marks one of the person's notifications read (and returns its link), or
/// all of them.
async fn mark_read(
    conn: &mut PgConnection,
    user: &CurrentUser,
    one: Option<(i64, i64)>,
) -> AppResult<Option<String>> {
    match one {
        Some((tenant, id)) => Ok(sqlx::query_scalar!(
            "update notifications set read_at = coalesce(read_at, now())
             where tenant_id = $1 and id = $2 and user_id = $3 returning link",
            tenant,
            id,
            user.id
        )
        .fetch_optional(conn)
        .await?),
        None => {
            sqlx::query!(
                "update notifications set read_at = now() where user_id = $1 and read_at is null",
                user.id
            )
            .execute(conn)
            .await?;
            Ok(None)
        }
    }
}

/// Follows the activity, or stops following it.
async fn follow_activity(
    mut ctx: TenantCtx,
    Path((_, nap, activity)): Path<(String, i64, i64)>,
) -> AppResult<Redirect> {
    let member = ctx.grant::<authz::ViewTenant>()?;
    crate::features::plan::model::activity_in_nap(ctx.conn(), nap, activity).await?;
    let me = ctx.user.id;
    member
        .toggle_follow(ctx.conn(), me, Some(activity), None)
        .await?;
    let ctx = ctx.commit().await?;
    Ok(Redirect::to(&crate::paths::activity(
        &ctx.tenant.slug,
        nap,
        activity,
    )))
}

async fn follow_committee(
    mut ctx: TenantCtx,
    Path((_, committee)): Path<(String, i64)>,
) -> AppResult<Redirect> {
    let member = ctx.grant::<authz::ViewTenant>()?;
    crate::features::committees::committee::load(ctx.conn(), committee).await?;
    let me = ctx.user.id;
    member
        .toggle_follow(ctx.conn(), me, None, Some(committee))
        .await?;
    let ctx = ctx.commit().await?;
    Ok(Redirect::to(&crate::paths::committee(
        &ctx.tenant.slug,
        committee,
    )))
}

/// Whether the person follows the activity or the committee.
pub async fn follows(
    conn: &mut PgConnection,
    user: i64,
    activity: Option<i64>,
    committee: Option<i64>,
) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from follows where user_id = $1
               and activity_id is not distinct from $2 and committee_id is not distinct from $3) as "x!""#,
        user,
        activity,
        committee
    )
    .fetch_one(conn)
    .await?)
}

impl TenantMember {
    /// Follows the object (one of the two), or stops when already following.
    async fn toggle_follow(
        &self,
        conn: &mut PgConnection,
        user: i64,
        activity: Option<i64>,
        committee: Option<i64>,
    ) -> AppResult<()> {
        let removed = sqlx::query!(
            "delete from follows where user_id = $1
             and activity_id is not distinct from $2 and committee_id is not distinct from $3",
            user,
            activity,
            committee
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if removed == 0 {
            sqlx::query!(
                "insert into follows (tenant_id, user_id, activity_id, committee_id)
                 values ($1, $2, $3, $4)",
                self.tenant_id(),
                user,
                activity,
                committee
            )
            .execute(conn)
            .await?;
        }
        Ok(())
    }
}

/// A message the SMTP server refused for good (or after every retry).
pub struct FailedMail {
    pub recipient: String,
    pub kind: String,
    pub error: String,
    pub at: time::OffsetDateTime,
}

/// The tenant's undelivered mail, newest first, for its secretariat. The
/// outbox is outside tenant data: the tenant is named in the query.
pub async fn failed_mail(conn: &mut PgConnection, tenant: i64) -> AppResult<Vec<FailedMail>> {
    Ok(sqlx::query_as!(
        FailedMail,
        r#"select recipient, kind, coalesce(last_error, '') as "error!", created_at as at
           from mail_outbox where for_tenant = $1 and state = 'failed'
           order by id desc limit 50"#,
        tenant
    )
    .fetch_all(conn)
    .await?)
}
