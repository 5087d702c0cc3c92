//! Demo data: two fictional countries, their partners and one account per
//! role. Loading twice changes nothing. Every name here is invented.

use sqlx::PgPool;

use crate::accounts::{self, NewMembership, NewTenant};
use crate::authz::{self, Role};
use crate::password::Hasher;

/// The password of every demo account (listed in the README).
pub const PASSWORD: &str = "demo-oversight-2026";

struct DemoTenant {
    slug: &'static str,
    name: &'static str,
    country: &'static str,
    /// The oversight committee's name.
    committee: &'static str,
    members: &'static [DemoMember],
}

struct DemoMember {
    email: &'static str,
    name: &'static str,
    role: Role,
    partner: Option<&'static str>,
    focal_point: bool,
}

/// (acronym, name, kind, ministry portfolio, level, constituency).
type DemoPartner = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);

/// The same
/// organisations in both countries.
#[rustfmt::skip]
const PARTNERS: &[DemoPartner] = &[
    ("MOL", "Ministry of Labour and Social Protection", "ministry", Some("labour"), "national", "government"),
    ("MOJ", "Ministry of Justice", "ministry", Some("justice"), "national", "government"),
    ("MOI", "Ministry of the Interior", "ministry", Some("interior"), "national", "government"),
    ("MOG", "Ministry of Gender and Family Affairs", "ministry", Some("gender"), "national", "government"),
    ("MOE", "Ministry of Education", "ministry", Some("education"), "national", "government"),
    ("LI", "National Labour Inspectorate", "labour-inspection", None, "national", "government"),
    ("POL", "Police Anti-Trafficking Unit", "law-enforcement", None, "national", "government"),
    ("IMM", "Immigration Service", "immigration", None, "national", "government"),
    ("CTU", "Confederation of Trade Unions", "workers", None, "national", "workers"),
    ("EF", "Federation of Employers", "employers", None, "national", "employers"),
    ("NHRC", "National Human Rights Commission", "human-rights-institution", None, "national", "other"),
    ("SVN", "Survivors' Voice Network", "affected-communities", None, "national", "other"),
    ("NORTH", "Northern Province Coordination Office", "other", None, "regional", "government"),
    ("UNI", "National University, Labour Studies Centre", "research", None, "national", "other"),
    ("ILO", "International Labour Office, country office", "international", None, "national", "other"),
];

const TENANTS: &[DemoTenant] = &[
    DemoTenant {
        slug: "veridia",
        name: "Veridia National Oversight Committee on Forced Labour",
        country: "Republic of Veridia",
        committee: "National Oversight Committee on Forced Labour",
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
        committee: "National Steering Committee on Child Labour and Trafficking",
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

/// The demo's partners, in the tenant the connection is scoped to.
pub async fn insert_partners(conn: &mut sqlx::PgConnection, tenant_id: i64) -> anyhow::Result<()> {
    for (acronym, name, kind, portfolio, level, constituency) in PARTNERS {
        sqlx::query!(
            "insert into partners (tenant_id, acronym, name, kind, portfolio, level, constituency)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (tenant_id, lower(acronym)) do nothing",
            tenant_id,
            acronym,
            name,
            kind,
            *portfolio,
            level,
            constituency
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

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
        crate::tenancy::scope::set(&mut tx, Some(tenant_id), None).await?;
        insert_partners(&mut tx, tenant_id).await?;
        let admin = authz::operator::<authz::ManageMembers>(tenant_id);
        for member in demo.members {
            let user_id = match accounts::user_id(&mut tx, member.email).await? {
                Some(id) => id,
                None => {
                    accounts::create_user(&mut tx, member.email, member.name, Some(&hash)).await?
                }
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
                invited_as: None,
            };
            accounts::add_membership(&admin, &mut tx, &membership).await?;
        }
        let editor = authz::operator::<authz::EditPlan>(tenant_id);
        if demo.slug == "veridia" {
            crate::demo_plan::load(&editor, &mut tx).await?;
            load_confidential(&mut tx, tenant_id).await?;
            more_time(&mut tx, tenant_id).await?;
        }
        crate::demo_committees::load(&editor, &mut tx, demo.committee).await?;
        if demo.slug == "veridia" {
            crate::demo_reports::load(&mut tx, tenant_id).await?;
            crate::demo_knowledge::load(&mut tx, tenant_id).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// A referral group of one (the Ministry of Justice member) keeping two
/// records on the referral-mechanism activity: others see "fewer than 5".
async fn load_confidential(tx: &mut sqlx::PgConnection, tenant_id: i64) -> anyhow::Result<()> {
    let Some(keeper) = accounts::user_id(&mut *tx, "ministry@veridia.example").await? else {
        return Ok(());
    };
    let group = sqlx::query_scalar!(
        "insert into confidential_groups (tenant_id, name) values ($1, 'Victim referral group')
         on conflict (tenant_id, name) do update set name = excluded.name
         returning id",
        tenant_id
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into confidential_group_members (tenant_id, group_id, user_id) values ($1, $2, $3)
         on conflict do nothing",
        tenant_id,
        group,
        keeper
    )
    .execute(&mut *tx)
    .await?;
    // Records are written as their keeper: the row policy admits nobody else.
    crate::tenancy::scope::set(&mut *tx, Some(tenant_id), Some(keeper)).await?;
    let activity = sqlx::query_scalar!(
        "select a.id from activities a where a.code = '2.1.4'
         and not exists (select 1 from confidential_records r where r.activity_id = a.id)"
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(activity) = activity {
        for (kind, title, body) in [
            (
                "referral",
                "Referral of a domestic worker to the shelter in the capital",
                "Identified during a joint inspection; referred with consent; interpreter needed.",
            ),
            (
                "note",
                "Follow-up after three months",
                "Back in decent work; compensation claim filed with legal aid.",
            ),
        ] {
            sqlx::query!(
                "insert into confidential_records (tenant_id, activity_id, group_id, kind, title, body, created_by)
                 values ($1, $2, $3, $4, $5, $6, $7)",
                tenant_id,
                activity,
                group,
                kind,
                title,
                body,
                keeper
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    crate::tenancy::scope::set(&mut *tx, Some(tenant_id), None).await?;
    Ok(())
}

/// In the last round whose deadline has passed, one organisation was given
/// more time, with the reason: the round's page shows it.
async fn more_time(tx: &mut sqlx::PgConnection, tenant_id: i64) -> anyhow::Result<()> {
    use crate::features::plan::quarter::Quarter;
    use crate::features::progress::rounds::Window;
    let today = time::OffsetDateTime::now_utc().date();
    let current = Window::current(today, 14, 15);
    let closed = Window::of(Quarter::from_index(current.quarter.index() - 1), 14, 15);
    sqlx::query!(
        "insert into round_extensions (tenant_id, nap_id, quarter_index, partner_id, due_on, reason)
         select $1, a.nap_id, $2, a.lead_partner_id, $3, $4
         from activities a where a.lead_partner_id is not null order by a.id limit 1 offset 2
         on conflict do nothing",
        tenant_id,
        closed.quarter.index(),
        closed.due + time::Duration::days(30),
        "The focal point changed in September; the report comes with the annual figures."
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
