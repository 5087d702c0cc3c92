//! The tenant a request is about, and the database handle that can only see it.
//!
//! `TenantCtx` resolves `/t/{slug}/…`: the tenant, the signed-in person's
//! membership in it, and a transaction whose row-level security is set to
//! that tenant. Someone who is not a member gets 404, exactly as if the
//! tenant did not exist, so nobody learns which tenants there are.

pub mod calendar;
pub mod scope;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use sqlx::{PgConnection, Postgres, Transaction};

use crate::auth::CurrentUser;
use crate::authz::{self, Cap, CommitteeEditor, Kind, MembersAdmin, PlanEditor, Role};
use crate::error::AppError;
use crate::http::RequestSpan;
use crate::http::page::{Chrome, TenantNav};
use crate::i18n::ChosenLanguage;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub country: String,
    pub default_language: String,
}

#[derive(Debug, Clone)]
pub struct Membership {
    pub id: i64,
    pub role: Role,
    pub focal_point: bool,
    pub partner_id: Option<i64>,
    pub partner_name: Option<String>,
}

/// The `{slug}` of the request's path.
async fn slug_of(parts: &mut Parts, state: &AppState) -> Result<String, AppError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound)?;
    params
        .iter()
        .find(|(name, _)| *name == "slug")
        .map(|(_, value)| value.to_owned())
        .ok_or(AppError::NotFound)
}

pub struct TenantCtx {
    pub tenant: Tenant,
    pub member: Membership,
    pub user: CurrentUser,
    /// The person's unread notifications, read with the tenant.
    pub unread: i64,
    /// Sees only this tenant's rows. Dropped without commit, it rolls back.
    /// Private: handlers read through [`TenantCtx::conn`] and write through
    /// the capabilities' methods.
    tx: Transaction<'static, Postgres>,
}

impl TenantCtx {
    /// A capability that depends on the member's role alone, or 403.
    pub fn grant<K: Kind<Data = ()>>(&self) -> Result<Cap<K>, AppError> {
        authz::grant(self.tenant.id, self.member.role, self.member.focal_point)
    }

    /// The capability to manage this tenant's members, or 403.
    pub fn members_admin(&self) -> Result<MembersAdmin, AppError> {
        self.grant()
    }

    /// The capability to change this tenant's plan, or 403.
    pub fn plan_editor(&self) -> Result<PlanEditor, AppError> {
        self.grant()
    }

    /// The capability to run this tenant's committees, or 403.
    pub fn committee_editor(&self) -> Result<CommitteeEditor, AppError> {
        self.grant()
    }

    pub fn can_edit_plan(&self) -> bool {
        self.plan_editor().is_ok()
    }

    /// The request's connection, scoped to the tenant: for reading, and for
    /// the writes of the capabilities, which take it.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Commits the request's work; what the page still needs to know
    /// (where it was, who) comes back.
    pub async fn commit(self) -> Result<Committed, sqlx::Error> {
        self.tx.commit().await?;
        Ok(Committed {
            tenant: self.tenant,
            member: self.member,
            user: self.user,
        })
    }
}

/// A tenant request whose work is committed.
pub struct Committed {
    pub tenant: Tenant,
    pub member: Membership,
    pub user: CurrentUser,
}

impl Chrome {
    /// Adds the tenant strip.
    pub fn in_tenant(mut self, ctx: &TenantCtx) -> Self {
        // The tenant may have changed the request's language.
        self.lang = crate::i18n::current();
        self.unread = Some(ctx.unread);
        self.tenant = Some(TenantNav {
            slug: ctx.tenant.slug.clone(),
            name: ctx.tenant.name.clone(),
            can_manage_members: ctx.members_admin().is_ok(),
            is_focal_point: ctx.member.focal_point,
        });
        self
    }
}

impl FromRequestParts<AppState> for TenantCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let slug = slug_of(parts, state).await?;

        // The audit log records which request made each change.
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let mut tx = state.pool.begin().await?;
        // Finds the tenant, scopes the transaction to it, and finds the
        // membership, in one round trip (migration 15).
        let found = sqlx::query!(
            r#"select id as "id!", slug as "slug!", name as "name!", country as "country!",
                      default_language as "default_language!", require_two_factor as "require_two_factor!",
                      member_id as "member_id!", role as "role!", focal_point as "focal_point!",
                      partner_id, partner_name, unread as "unread!"
               from enter_tenant($1, $2, $3)"#,
            slug,
            user.id,
            request_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
        if let Some(span) = parts.extensions.get::<RequestSpan>() {
            span.0.record("tenant", found.slug.as_str());
        }
        let role = Role::parse(&found.role)
            .ok_or_else(|| anyhow::anyhow!("unknown role in the database"))?;
        // A tenant that requires a second factor of its secretariat sends
        // one without it to set it up before anything else.
        if found.require_two_factor && role == Role::Secretariat && !user.two_factor {
            return Err(AppError::TwoFactorRequired);
        }
        let chosen = parts
            .extensions
            .get::<ChosenLanguage>()
            .is_some_and(|c| c.0);
        if !chosen && user.language.is_none() {
            crate::i18n::set_current(&found.default_language);
        }
        Ok(TenantCtx {
            member: Membership {
                id: found.member_id,
                role,
                focal_point: found.focal_point,
                partner_id: found.partner_id,
                partner_name: found.partner_name,
            },
            tenant: Tenant {
                id: found.id,
                slug: found.slug,
                name: found.name,
                country: found.country,
                default_language: found.default_language,
            },
            user,
            unread: found.unread,
            tx,
        })
    }
}

/// A tenant's public portal, `/p/{slug}/…`: no sign-in, and only tenants
/// that opened their portal (others are 404). The transaction sees that
/// tenant's rows; handlers still show only what was published.
pub struct PublicTenant {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub country: String,
    tx: Transaction<'static, Postgres>,
}

impl PublicTenant {
    /// The request's connection, scoped to the tenant (public pages only read).
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}

impl FromRequestParts<AppState> for PublicTenant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let slug = slug_of(parts, state).await?;
        let mut tx = state.pool.begin().await?;
        let tenant = sqlx::query!(
            r#"select id as "id!", slug as "slug!", name as "name!", country as "country!"
               from enter_public_tenant($1)"#,
            slug
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
        Ok(PublicTenant {
            id: tenant.id,
            slug: tenant.slug,
            name: tenant.name,
            country: tenant.country,
            tx,
        })
    }
}
