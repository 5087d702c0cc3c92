//! Hand-over: when a member or focal point leaves, the secretariat passes
//! their focal-point duty and committee seats to a successor in one step,
//! with a note the successor reads when they next sign in.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::auth::session_store::PgSessionStore;
use crate::authz::{self, MembersAdmin, TenantMember};
use crate::error::{AppError, AppResult};
use crate::http::form::invalid;
use crate::http::form::{self, FieldErrors};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::member_handover, page)
        .post(at::member_handover, hand_over)
        .post(at::handover_read, mark_read)
}

pub struct Note {
    pub id: i64,
    pub from: String,
    pub note: String,
    pub at: time::OffsetDateTime,
}

impl Note {
    pub fn date(&self) -> String {
        crate::http::page::format_date(self.at)
    }
}

/// The unread hand-over notes addressed to `user`.
pub async fn unread(conn: &mut PgConnection, user: i64) -> AppResult<Vec<Note>> {
    Ok(sqlx::query_as!(
        Note,
        "select h.id, u.name as from, h.note, h.created_at as at
         from handovers h join users u on u.id = h.from_user
         where h.to_user = $1 and h.read_at is null order by h.created_at",
        user
    )
    .fetch_all(conn)
    .await?)
}

#[derive(Default, Deserialize)]
pub struct HandoverForm {
    #[serde(default)]
    pub successor: String,
    #[serde(default)]
    pub note: String,
    pub deactivate: Option<String>,
}

pub struct Leaving {
    pub membership: i64,
    pub user_id: i64,
    pub name: String,
    pub focal_point: bool,
    pub partner: Option<String>,
    pub seats: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "handover.html")]
struct HandoverPage {
    page: Chrome,
    slug: String,
    leaving: Leaving,
    candidates: Vec<(i64, String)>,
    form: HandoverForm,
    errors: FieldErrors,
}

async fn leaving(conn: &mut PgConnection, membership: i64) -> AppResult<Leaving> {
    sqlx::query_as!(
        Leaving,
        r#"select m.id as membership, m.user_id, u.name, m.focal_point, p.name as "partner?",
                  (select count(*) from committee_members c
                    where c.tenant_id = m.tenant_id and c.user_id = m.user_id and c.left_on is null) as "seats!"
           from memberships m join users u on u.id = m.user_id
           left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
           where m.id = $1"#,
        membership
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)
}

async fn render(
    page: Chrome,
    ctx: &mut TenantCtx,
    membership: i64,
    form: HandoverForm,
    errors: FieldErrors,
) -> AppResult<HandoverPage> {
    let leaving = leaving(ctx.conn(), membership).await?;
    let candidates = sqlx::query!(
        "select m.id, u.name from memberships m join users u on u.id = m.user_id
         where m.active and m.id <> $1 order by u.name",
        membership
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .map(|c| (c.id, c.name))
    .collect();
    Ok(HandoverPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        leaving,
        candidates,
        form,
        errors,
    })
}

async fn page(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<HandoverPage> {
    ctx.members_admin()?;
    render(
        page,
        &mut ctx,
        id,
        HandoverForm::default(),
        FieldErrors::default(),
    )
    .await
}

/// One transaction: the focal-point duty and the organisation move to the
/// successor, every open committee seat is handed on, the note is left, and
/// (if asked) the leaving person is deactivated and signed out.
async fn hand_over(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HandoverForm>,
) -> AppResult<Response> {
    let admin = ctx.members_admin()?;
    let from = leaving(ctx.conn(), id).await?;
    let mut errors = FieldErrors::default();
    let successor = match f.successor.trim().parse::<i64>() {
        Ok(s) if s != id => sqlx::query!(
            "select m.id, m.user_id, u.name from memberships m join users u on u.id = m.user_id where m.id = $1 and m.active",
            s
        )
        .fetch_optional(ctx.conn())
        .await?,
        _ => None,
    };
    if successor.is_none() {
        errors.add("successor", "field.choose");
    }
    let note = form::check(&mut errors, "note", form::required(&f.note, 10_000));
    if id == ctx.member.id {
        errors.add("successor", "handover.not_yourself");
    }
    let (Some(to), Some(note), true) = (successor, note, errors.is_empty()) else {
        let page = render(page, &mut ctx, id, f, errors).await?;
        return Ok(invalid(page));
    };
    let handover = Handover {
        from_membership: id,
        from_user: from.user_id,
        focal_point: from.focal_point,
        to_membership: to.id,
        to_user: to.user_id,
        to_name: to.name,
        note,
        by: ctx.user.id,
        deactivate: f.deactivate.is_some(),
    };
    admin.hand_over(ctx.conn(), &handover).await?;
    crate::features::notifications::events::handover(&mut ctx, handover.to_user, &from.name)
        .await?;
    let ctx = ctx.commit().await?;
    tracing::info!(from = from.membership, to = to.id, "hand-over recorded");
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::members(&ctx.tenant.slug),
        crate::choices::Notice::HandedOver,
    ))
    .into_response())
}

async fn mark_read(mut ctx: TenantCtx, Path((_, id)): Path<(String, i64)>) -> AppResult<Redirect> {
    let member = ctx.grant::<authz::ViewTenant>()?;
    let me = ctx.user.id;
    if !member.mark_handover_read(ctx.conn(), id, me).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    Ok(Redirect::to(&crate::paths::tenant_home(&ctx.tenant.slug)))
}

/// A hand-over as decided.
struct Handover {
    from_membership: i64,
    from_user: i64,
    focal_point: bool,
    to_membership: i64,
    to_user: i64,
    to_name: String,
    note: String,
    by: i64,
    deactivate: bool,
}

/// A hand-over is the members administrator's write.
impl MembersAdmin {
    async fn hand_over(&self, conn: &mut PgConnection, h: &Handover) -> AppResult<()> {
        let tenant = self.tenant_id();
        if h.focal_point {
            sqlx::query!(
                "update memberships s set focal_point = true, partner_id = coalesce(f.partner_id, s.partner_id)
                 from memberships f where s.tenant_id = $1 and s.id = $2 and f.tenant_id = $1 and f.id = $3",
                tenant,
                h.to_membership,
                h.from_membership
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query!(
                "update memberships set focal_point = false where tenant_id = $1 and id = $2",
                tenant,
                h.from_membership
            )
            .execute(&mut *conn)
            .await?;
        }
        // Seats: the leaving member's end today; the successor takes each one.
        sqlx::query!(
            "with ended as (
                 update committee_members set left_on = current_date
                 where tenant_id = $1 and user_id = $2 and left_on is null
                 returning committee_id, partner_id, seat, term_end, language
             )
             insert into committee_members (tenant_id, committee_id, name, user_id, partner_id, seat, term_end, language)
             select $1, committee_id, $4, $3, partner_id, seat, term_end, '' from ended",
            tenant,
            h.from_user,
            h.to_user,
            h.to_name
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "insert into handovers (tenant_id, from_user, to_user, note, created_by) values ($1, $2, $3, $4, $5)",
            tenant,
            h.from_user,
            h.to_user,
            h.note,
            h.by
        )
        .execute(&mut *conn)
        .await?;
        if h.deactivate {
            sqlx::query!(
                "update memberships set active = false where tenant_id = $1 and id = $2",
                tenant,
                h.from_membership
            )
            .execute(&mut *conn)
            .await?;
            PgSessionStore::end_sessions_of(conn, h.from_user, None).await?;
        }
        Ok(())
    }
}

impl TenantMember {
    /// Only the successor marks their own note as read; false otherwise.
    async fn mark_handover_read(
        &self,
        conn: &mut PgConnection,
        id: i64,
        me: i64,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "update handovers set read_at = now() where tenant_id = $1 and id = $2 and to_user = $3 and read_at is null",
            self.tenant_id(),
            id,
            me
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
