//! Demo data: two fictional countries, their partners and one account per
//! role. Loading twice changes nothing. Every name here is invented.

use sqlx::PgPool;

use crate::accounts::{self, NewMembership, NewTenant};
use crate::auth::password::Hasher;
use crate::authz::{self, Role};
use crate::db;

/// The password of every demo account (listed in the README).
pub const PASSWORD: &str = "demo-oversight-2026";

struct DemoTenant {
    slug: &'static str,
    name: &'static str,
    country: &'static str,
    members: &'static [DemoMember],
}

struct DemoMember {
    email: &'static str,
    name: &'static str,
    role: Role,
    partner: Option<&'static str>,
    focal_point: bool,
}

/// (code, name, kind, level), the same organisations in both countries.
const PARTNERS: &[(&str, &str, &str, &str)] = &[
    (
        "MOL",
        "Ministry of Labour and Social Protection",
        "ministry",
        "national",
    ),
    ("MOJ", "Ministry of Justice", "ministry", "national"),
    ("MOI", "Ministry of the Interior", "ministry", "national"),
    (
        "MOG",
        "Ministry of Gender and Family Affairs",
        "ministry",
        "national",
    ),
    (
        "LI",
        "National Labour Inspectorate",
        "law-enforcement",
        "national",
    ),
    (
        "POL",
        "Police Anti-Trafficking Unit",
        "law-enforcement",
        "national",
    ),
    (
        "CTU",
        "Confederation of Trade Unions",
        "workers",
        "national",
    ),
    ("EF", "Federation of Employers", "employers", "national"),
    (
        "NHRC",
        "National Human Rights Commission",
        "human-rights-institution",
        "national",
    ),
    (
        "SVN",
        "Survivors' Voice Network",
        "affected-communities",
        "national",
    ),
    (
        "NORTH",
        "Northern Province Coordination Office",
        "ministry",
        "regional",
    ),
    (
        "ILO",
        "International Labour Office, country office",
        "international",
        "national",
    ),
];

const TENANTS: &[DemoTenant] = &[
    DemoTenant {
        slug: "veridia",
        name: "Veridia National Oversight Committee on Forced Labour",
        country: "Republic of Veridia",
        members: &[
            DemoMember {
                email: "secretariat@veridia.example",
                name: "Lena Marchetti",
                role: Role::Secretariat,
                partner: Some("MOL"),
                focal_point: false,
            },
            DemoMember {
                email: "ministry@veridia.example",
                name: "Tomas Varga",
                role: Role::Ministry,
                partner: Some("MOJ"),
                focal_point: false,
            },
            DemoMember {
                email: "unions@veridia.example",
                name: "Ines Kowal",
                role: Role::SocialPartner,
                partner: Some("CTU"),
                focal_point: false,
            },
            DemoMember {
                email: "employers@veridia.example",
                name: "Rafael Osei",
                role: Role::SocialPartner,
                partner: Some("EF"),
                focal_point: false,
            },
            DemoMember {
                email: "focal@veridia.example",
                name: "Yusuf Haddad",
                role: Role::Ministry,
                partner: Some("LI"),
                focal_point: true,
            },
            DemoMember {
                email: "observer@ilo.example",
                name: "Claire Dubois",
                role: Role::Observer,
                partner: Some("ILO"),
                focal_point: false,
            },
        ],
    },
    DemoTenant {
        slug: "solmara",
        name: "Solmara Coordination Committee against Child Labour and Trafficking",
        country: "Solmara",
        members: &[
            DemoMember {
                email: "secretariat@solmara.example",
                name: "Noor Rahman",
                role: Role::Secretariat,
                partner: Some("MOL"),
                focal_point: false,
            },
            DemoMember {
                email: "ministry@solmara.example",
                name: "Pedro Almeida",
                role: Role::Ministry,
                partner: Some("MOI"),
                focal_point: false,
            },
            DemoMember {
                email: "unions@solmara.example",
                name: "Grace Mwangi",
                role: Role::SocialPartner,
                partner: Some("CTU"),
                focal_point: false,
            },
            DemoMember {
                email: "focal@solmara.example",
                name: "Sami Lindqvist",
                role: Role::Ministry,
                partner: Some("POL"),
                focal_point: true,
            },
            DemoMember {
                email: "observer@ilo.example",
                name: "Claire Dubois",
                role: Role::Observer,
                partner: Some("ILO"),
                focal_point: false,
            },
        ],
    },
];

pub async fn load(pool: &PgPool, hasher: &Hasher) -> anyhow::Result<()> {
    // One hash serves every demo account: they share the password.
    let hash = hasher.hash(PASSWORD).await?;
    for demo in TENANTS {
        let mut tx = pool.begin().await?;
        let tenant_id = match accounts::tenant_id(&mut tx, demo.slug).await? {
            Some(id) => id,
            None => {
                let tenant = NewTenant {
                    slug: demo.slug,
                    name: demo.name,
                    country: demo.country,
                    default_language: "en",
                    public_portal: true,
                };
                accounts::create_tenant(&mut tx, &tenant).await?
            }
        };
        db::set_scope(&mut tx, Some(tenant_id), None).await?;
        for (code, name, kind, level) in PARTNERS {
            sqlx::query!(
                "insert into partners (tenant_id, code, name, kind, level) values ($1, $2, $3, $4, $5)
                 on conflict (tenant_id, code) do nothing",
                tenant_id,
                code,
                name,
                kind,
                level
            )
            .execute(&mut *tx)
            .await?;
        }
        let admin = authz::operator(tenant_id);
        for member in demo.members {
            let user_id = match accounts::user_id(&mut tx, member.email).await? {
                Some(id) => id,
                None => accounts::create_user(&mut tx, member.email, member.name, &hash).await?,
            };
            let already = sqlx::query_scalar!(
                "select exists (select 1 from memberships where tenant_id = $1 and user_id = $2) as \"e!\"",
                tenant_id,
                user_id
            )
            .fetch_one(&mut *tx)
            .await?;
            if already {
                continue;
            }
            let partner_id = match member.partner {
                Some(code) => accounts::partner_id(&mut tx, code).await?,
                None => None,
            };
            let membership = NewMembership {
                user_id,
                role: member.role,
                partner_id,
                focal_point: member.focal_point,
            };
            accounts::add_membership(&admin, &mut tx, &membership).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
