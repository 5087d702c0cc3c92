//! `/`: the tenants I belong to (visitors: tenants with public pages), and
//! each tenant's home page.

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use crate::auth::CurrentUser;
use crate::authz::Role;
use crate::error::AppResult;
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new().get(at::home, home)
}

pub fn tenant_router() -> Routes {
    Routes::new().get(at::tenant_home, tenant_home)
}

pub struct TenantLink {
    pub slug: String,
    pub name: String,
    pub country: String,
    pub role: Option<Role>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/index.html")]
struct HomePage {
    page: Chrome,
    signed_in: bool,
    tenants: Vec<TenantLink>,
    /// After declining an invitation: say so.
    declined: bool,
}

#[derive(serde::Deserialize)]
struct HomeQuery {
    declined: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    page: Chrome,
    user: Option<CurrentUser>,
    Query(query): Query<HomeQuery>,
) -> AppResult<HomePage> {
    let tenants = match &user {
        Some(user) => my_tenants(&state, user.id).await?,
        None => public_tenants(&state).await?,
    };
    Ok(HomePage {
        page,
        signed_in: user.is_some(),
        tenants,
        declined: query.declined.is_some(),
    })
}

async fn my_tenants(state: &AppState, user_id: i64) -> AppResult<Vec<TenantLink>> {
    let mut tx = state.pool.begin().await?;
    crate::tenancy::scope::set(&mut tx, None, Some(user_id)).await?;
    let rows = sqlx::query!(
        "select t.slug, t.name, t.country, m.role
         from memberships m join tenants t on t.id = m.tenant_id
         where m.user_id = $1 and m.active
         order by t.name",
        user_id
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TenantLink {
            slug: r.slug,
            name: r.name,
            country: r.country,
            role: Role::parse(&r.role),
        })
        .collect())
}

async fn public_tenants(state: &AppState) -> AppResult<Vec<TenantLink>> {
    let rows =
        sqlx::query!("select slug, name, country from tenants where public_portal order by name")
            .fetch_all(&state.pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| TenantLink {
            slug: r.slug,
            name: r.name,
            country: r.country,
            role: None,
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "home/tenant.html")]
struct TenantHome {
    page: Chrome,
    tenant_name: String,
    country: String,
    role: Role,
    focal_point: bool,
    partner_name: Option<String>,
    slug: String,
    handovers: Vec<crate::features::handover::Note>,
}

/// The committee dashboard of the current NAP, or (before any NAP exists)
/// the member's role in the committee.
async fn tenant_home(page: Chrome, mut ctx: TenantCtx) -> AppResult<Response> {
    if let Some(nap) = crate::features::progress::dashboard::current_nap(ctx.conn()).await? {
        let dashboard = crate::features::progress::dashboard::render(page, &mut ctx, nap).await?;
        return Ok(dashboard.into_response());
    }
    let page = page.in_tenant(&ctx);
    let user_id = ctx.user.id;
    let handovers = crate::features::handover::unread(ctx.conn(), user_id).await?;
    Ok(TenantHome {
        slug: ctx.tenant.slug.clone(),
        handovers,
        page,
        tenant_name: ctx.tenant.name,
        country: ctx.tenant.country,
        role: ctx.member.role,
        focal_point: ctx.member.focal_point,
        partner_name: ctx.member.partner_name,
    }
    .into_response())
}
