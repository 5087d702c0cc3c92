//! Tenants, people and memberships: the rules and queries shared by the
//! command line, the demo loader and the members pages.

use sqlx::PgConnection;

use crate::authz::{MembersAdmin, Role};

/// Why a tenant, person or membership could not be created; each maps to a
/// translation key, so pages and the CLI say the same thing.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("a tenant with this slug already exists")]
    DuplicateSlug,
    #[error("an account with this e-mail already exists")]
    DuplicateEmail,
    #[error("this person is already a member of the tenant")]
    AlreadyMember,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Turns a unique violation on `constraint` into `error`; other errors pass.
fn on_constraint(e: sqlx::Error, constraint: &str, error: AccountError) -> AccountError {
    match &e {
        sqlx::Error::Database(db) if db.constraint() == Some(constraint) => error,
        _ => AccountError::Database(e),
    }
}

/// A lower-cased e-mail address, or the translation key of what is wrong.
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if valid {
        Ok(email)
    } else {
        Err("field.email_invalid")
    }
}

/// A tenant slug: lower-case letters, digits and inner hyphens, 2 to 40 long.
pub fn validate_slug(raw: &str) -> Result<String, &'static str> {
    let slug = raw.trim();
    let valid = (2..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if valid {
        Ok(slug.to_owned())
    } else {
        Err("field.slug_invalid")
    }
}

/// A person's or organisation's name: trimmed, 1 to 200 characters.
pub fn validate_name(raw: &str) -> Result<String, &'static str> {
    crate::http::form::required(raw, 200)
}

pub struct NewTenant<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub country: &'a str,
    pub default_language: &'a str,
    pub public_portal: bool,
}

pub async fn create_tenant(
    conn: &mut PgConnection,
    tenant: &NewTenant<'_>,
) -> Result<i64, AccountError> {
    sqlx::query_scalar!(
        "insert into tenants (slug, name, country, default_language, public_portal)
         values ($1, $2, $3, $4, $5) returning id",
        tenant.slug,
        tenant.name,
        tenant.country,
        tenant.default_language,
        tenant.public_portal
    )
    .fetch_one(conn)
    .await
    .map_err(|e| on_constraint(e, "tenants_slug_key", AccountError::DuplicateSlug))
}

pub async fn tenant_id(conn: &mut PgConnection, slug: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!("select id from tenants where slug = $1", slug)
        .fetch_optional(conn)
        .await
}

pub async fn user_id(conn: &mut PgConnection, email: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!("select id from users where email = $1", email)
        .fetch_optional(conn)
        .await
}

/// Creates an account; `email` must already be normalised. Without a
/// password hash, the person chooses a password through an invitation.
pub async fn create_user(
    conn: &mut PgConnection,
    email: &str,
    name: &str,
    password_hash: Option<&str>,
) -> Result<i64, AccountError> {
    sqlx::query_scalar!(
        "insert into users (email, name, password_hash) values ($1, $2, $3) returning id",
        email,
        name,
        password_hash
    )
    .fetch_one(conn)
    .await
    .map_err(|e| on_constraint(e, "users_email_key", AccountError::DuplicateEmail))
}

/// A partner of the tenant by its acronym or its name (case-insensitive).
/// `conn` must be scoped to the tenant.
pub async fn partner_id(
    conn: &mut PgConnection,
    acronym_or_name: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from partners where lower(acronym) = lower($1) or lower(name) = lower($1)
         order by (lower(acronym) = lower($1)) desc limit 1",
        acronym_or_name.trim()
    )
    .fetch_optional(conn)
    .await
}

pub struct NewMembership<'a> {
    pub user_id: i64,
    pub role: Role,
    pub partner_id: Option<i64>,
    pub focal_point: bool,
    /// Set when a secretariat invites: the membership waits, inactive, for
    /// its person to accept, and shows this name meanwhile. The operator
    /// (CLI, demo) adds people directly.
    pub invited_as: Option<&'a str>,
}

/// Whether a role and the focal-point flag go together: observers change
/// nothing, so they never report.
pub fn check_focal_point(role: Role, focal_point: bool) -> Result<(), &'static str> {
    if focal_point && !crate::authz::may_be_focal_point(role) {
        Err("members.observer_never_focal")
    } else {
        Ok(())
    }
}

/// Adds a person to the tenant. `conn` must be scoped to the tenant.
pub async fn add_membership(
    admin: &MembersAdmin,
    conn: &mut PgConnection,
    m: &NewMembership<'_>,
) -> Result<i64, AccountError> {
    sqlx::query_scalar!(
        "insert into memberships (tenant_id, user_id, role, partner_id, focal_point, active,
                                  accepted_at, invited_name)
         values ($1, $2, $3, $4, $5, $6::text is null, case when $6::text is null then now() end, $6)
         returning id",
        admin.tenant_id(),
        m.user_id,
        m.role.as_str(),
        m.partner_id,
        m.focal_point,
        m.invited_as
    )
    .fetch_one(conn)
    .await
    .map_err(|e| {
        on_constraint(
            e,
            "memberships_tenant_id_user_id_key",
            AccountError::AlreadyMember,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email(" Ana@Example.ORG ").unwrap(),
            "ana@example.org"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@example.org",
            "a@b@c.org",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs() {
        assert!(validate_slug("veridia").is_ok());
        assert!(validate_slug("north-region-2").is_ok());
        for bad in [
            "",
            "a",
            "Veridia",
            "-x",
            "x-",
            "with space",
            &"x".repeat(41),
        ] {
            assert!(validate_slug(bad).is_err(), "{bad}");
        }
    }
}
