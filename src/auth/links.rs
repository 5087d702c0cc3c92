//! One-time links a secretariat passes on to a person: an invitation to
//! join a tenant, or a password reset. Only a hash of each token is
//! stored, each link works once, and only while the membership it was
//! issued through is still pending (an invitation) or active (a reset):
//! deactivating or withdrawing the membership ends its links.

use axum::http::HeaderMap;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::authz::MembersAdmin;
use crate::config::ServerConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::Reset => "reset",
        }
    }

    /// How long a link works: an invitation waits for a person to find
    /// time; a reset is wanted now.
    pub fn valid_hours(self) -> i32 {
        match self {
            Purpose::Invitation => 7 * 24,
            Purpose::Reset => 48,
        }
    }

    /// The path the link opens.
    pub fn path(self, token: &str) -> String {
        match self {
            Purpose::Invitation => format!("/invitations/{token}"),
            Purpose::Reset => format!("/reset/{token}"),
        }
    }
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Issues a link for a membership of the admin's tenant and returns its
/// token; earlier open links of the same kind for it stop working.
pub async fn issue(
    admin: &MembersAdmin,
    conn: &mut PgConnection,
    membership_id: i64,
    purpose: Purpose,
    issued_by: i64,
) -> Result<String, sqlx::Error> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query!(
        "update account_links set used_at = now()
         where tenant_id = $1 and membership_id = $2 and purpose = $3 and used_at is null",
        admin.tenant_id(),
        membership_id,
        purpose.as_str()
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into account_links (tenant_id, membership_id, user_id, purpose, token_hash, issued_by, expires_at)
         select m.tenant_id, m.id, m.user_id, $3, $4, $5, now() + make_interval(hours => $6)
         from memberships m where m.tenant_id = $1 and m.id = $2",
        admin.tenant_id(),
        membership_id,
        purpose.as_str(),
        hash(&token),
        issued_by,
        purpose.valid_hours()
    )
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// An open link, and what the page behind it needs to know.
#[derive(Debug)]
pub struct Link {
    pub id: i64,
    pub tenant_id: i64,
    pub tenant_slug: String,
    pub tenant_name: String,
    pub membership_id: i64,
    pub user_id: i64,
    pub email: String,
    pub name: String,
    /// The person chose a password already (an existing account).
    pub has_password: bool,
    pub role: String,
}

/// The link `token` is, if it is open: unused, unexpired, and its
/// membership still pending (an invitation) or active (a reset). Scopes
/// the transaction to the link's tenant and person on the way.
pub async fn open(
    conn: &mut PgConnection,
    token: &str,
    purpose: Purpose,
) -> Result<Option<Link>, sqlx::Error> {
    // Row-level security shows a link's row to whoever presents its hash.
    let hash = hash(token);
    sqlx::query_scalar!("select set_config('app.link_token', $1, true)", hash)
        .fetch_one(&mut *conn)
        .await?;
    let found = sqlx::query!(
        "select tenant_id, id, membership_id, user_id from account_links
         where token_hash = $1 and purpose = $2 and used_at is null and expires_at > now()",
        hash,
        purpose.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(found) = found else {
        return Ok(None);
    };
    crate::tenancy::scope::set(&mut *conn, Some(found.tenant_id), Some(found.user_id)).await?;
    let row = sqlx::query!(
        r#"select t.slug, t.name as tenant_name, u.email, u.name, u.password_hash is not null as "has_password!",
                  m.role, m.active, m.accepted_at is not null as "accepted!"
           from memberships m
           join tenants t on t.id = m.tenant_id
           join users u on u.id = m.user_id
           where m.tenant_id = $1 and m.id = $2 and u.active"#,
        found.tenant_id,
        found.membership_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let open = match purpose {
        Purpose::Invitation => !row.accepted,
        Purpose::Reset => row.active,
    };
    Ok(open.then_some(Link {
        id: found.id,
        tenant_id: found.tenant_id,
        tenant_slug: row.slug,
        tenant_name: row.tenant_name,
        membership_id: found.membership_id,
        user_id: found.user_id,
        email: row.email,
        name: row.name,
        has_password: row.has_password,
        role: row.role,
    }))
}

/// Uses the link up; false if another request used it first.
pub async fn spend(conn: &mut PgConnection, link: &Link) -> Result<bool, sqlx::Error> {
    let spent = sqlx::query!(
        "update account_links set used_at = now()
         where tenant_id = $1 and id = $2 and used_at is null and expires_at > now()",
        link.tenant_id,
        link.id
    )
    .execute(conn)
    .await?;
    Ok(spent.rows_affected() == 1)
}

/// The link as people can open it: on the public origin when one is
/// configured, else on the host this request came to.
pub fn absolute(config: &ServerConfig, headers: &HeaderMap, path: &str) -> String {
    if let Some(origin) = &config.public_origin {
        return format!("{}{path}", origin.trim_end_matches('/'));
    }
    let scheme = if config.secure_cookies {
        "https"
    } else {
        "http"
    };
    match headers.get("host").and_then(|h| h.to_str().ok()) {
        Some(host) => format!("{scheme}://{host}{path}"),
        None => path.to_owned(),
    }
}

/// Queues the link `token` by e-mail to the membership's person, in the
/// transaction that issued it: the message says what the link is for and
/// for how long it works. The outbox forgets the link once it is sent.
pub async fn mail(
    conn: &mut PgConnection,
    membership_id: i64,
    purpose: Purpose,
    token: &str,
) -> Result<(), sqlx::Error> {
    let kind = purpose.as_str();
    let item = format!("account_{kind}");
    sqlx::query!(
        "insert into mail_outbox (for_tenant, user_id, recipient, language, kind, payload)
         select t.id, u.id, u.email, coalesce(u.language, t.default_language), $2,
                jsonb_build_object('tenant', t.name, 'items', jsonb_build_array(jsonb_build_object(
                    'kind', $3::text,
                    'params', jsonb_build_object('tenant', t.name, 'hours', $4::int),
                    'link', $5::text)))
         from memberships m join users u on u.id = m.user_id join tenants t on t.id = m.tenant_id
         where m.id = $1",
        membership_id,
        kind,
        item,
        purpose.valid_hours(),
        purpose.path(token)
    )
    .execute(conn)
    .await?;
    Ok(())
}
