//! Realistic data for benchmarks: `nap-oversight bench-data --tenants N
//! --activities M` fills tenants `bench-1` … `bench-N`, each with the demo's
//! partners, a five-year NAP of M activities (both kinds of target), about
//! two years of status updates, indicators, risks, committees with terms of
//! reference and meetings, and three accounts. Plans are written with a few
//! set-based statements per tenant, so 20,000 activities take seconds.

use sqlx::{PgConnection, PgPool};

use crate::accounts::{self, NewMembership, NewTenant};
use crate::authz::{self, Role};
use crate::password::Hasher;

/// Every benchmark account's password.
pub const PASSWORD: &str = "bench-oversight-2026";

/// The slug of benchmark tenant `n` (1-based).
pub fn slug(n: u32) -> String {
    format!("bench-{n}")
}

/// Fills the database; tenants that exist already are left as they are.
pub async fn generate(
    pool: &PgPool,
    hasher: &Hasher,
    tenants: u32,
    activities: u32,
) -> anyhow::Result<()> {
    let hash = hasher.hash(PASSWORD).await?;
    for n in 1..=tenants {
        let slug = slug(n);
        let mut tx = pool.begin().await?;
        if accounts::tenant_id(&mut tx, &slug).await?.is_some() {
            continue;
        }
        let name = format!("Benchmark committee {n}");
        let tenant_id = accounts::create_tenant(
            &mut tx,
            &NewTenant {
                slug: &slug,
                name: &name,
                country: "Benchmark",
                default_language: "en",
                public_portal: true,
            },
        )
        .await?;
        crate::tenancy::scope::set(&mut tx, Some(tenant_id), None).await?;
        crate::demo::insert_partners(&mut tx, tenant_id).await?;
        let admin = authz::operator::<authz::ManageMembers>(tenant_id);
        let mut secretariat = 0;
        for (who, role, partner, focal) in [
            ("sec", Role::Secretariat, "MOL", false),
            ("focal", Role::Ministry, "LI", true),
            ("observer", Role::Observer, "UNI", false),
        ] {
            let email = format!("{who}@{slug}.bench");
            let user_id = accounts::create_user(&mut tx, &email, who, Some(&hash)).await?;
            if who == "sec" {
                secretariat = user_id;
            }
            let partner_id = accounts::partner_id(&mut tx, partner).await?;
            accounts::add_membership(
                &admin,
                &mut tx,
                &NewMembership {
                    user_id,
                    role,
                    partner_id,
                    focal_point: focal,
                    invited_as: None,
                },
            )
            .await?;
        }
        plan(&mut tx, tenant_id, secretariat, i64::from(activities)).await?;
        let editor = authz::operator::<authz::EditPlan>(tenant_id);
        crate::demo_committees::load(&editor, &mut tx, "National Oversight Committee").await?;
        tx.commit().await?;
    }
    Ok(())
}

/// One NAP (2025–2029) of `activities` activities under 5 objectives and 20
/// outcomes, with targets, their occurrences, four updates per activity,
/// an indicator per outcome and ten risks.
async fn plan(
    conn: &mut PgConnection,
    tenant: i64,
    author: i64,
    activities: i64,
) -> anyhow::Result<()> {
    let nap = sqlx::query_scalar!(
        "insert into naps (tenant_id, title, theme, start_year, end_year, status, published)
         values ($1, 'National Action Plan against Forced Labour 2025–2029', 'forced-labour', 2025, 2029,
                 'adopted', true)
         returning id",
        tenant
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into objectives (tenant_id, nap_id, code, title)
         select $1, $2, g::text, 'Objective ' || g from generate_series(1, 5) g",
        tenant,
        nap
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into outcomes (tenant_id, nap_id, objective_id, code, title)
         select $1, $2, o.id, o.code || '.' || g, 'Outcome ' || o.code || '.' || g
         from objectives o, generate_series(1, 4) g where o.nap_id = $2",
        tenant,
        nap
    )
    .execute(&mut *conn)
    .await?;
    // Activities spread over the outcomes; leads taken in turn from the partners.
    sqlx::query!(
        r#"with oc as (select id, code, row_number() over (order by id) as rn from outcomes where nap_id = $2),
                p as (select id, row_number() over (order by id) as rn, count(*) over () as n from partners)
           insert into activities (tenant_id, nap_id, outcome_id, code, title, description, lead_partner_id,
                                   start_quarter, end_quarter, budget, currency, status, progress, version,
                                   spending, last_update_at)
           select $1, $2, oc.id, oc.code || '.' || ((g - 1) / 20 + 1),
                  'Activity ' || g || ': training, inspection and outreach in sector ' || (g % 17 + 1),
                  'Planned work number ' || g || ' of the plan.',
                  (select id from p where p.rn = g % p.n + 1),
                  case when g % 3 = 0 then 2025 * 4 + g % 8 end,
                  case when g % 3 = 0 then 2028 * 4 + g % 4 end,
                  10000 + (g * 37 % 90) * 1000, 'USD',
                  (array['not-started', 'on-track', 'on-track', 'delayed', 'completed'])[g % 5 + 1],
                  (g * 13) % 100, 4, (g * 11 % 50) * 100,
                  now() - make_interval(days => (g % 400)::int)
           from generate_series(1, $3::bigint) g
           join oc on oc.rn = (g - 1) % 20 + 1"#,
        tenant,
        nap,
        activities
    )
    .execute(&mut *conn)
    .await?;
    // Even activities: a quarter every year; odd ones: one quarter of one
    // year, inside the activity's period, as the plan's forms require.
    sqlx::query!(
        "insert into time_targets (tenant_id, activity_id, year, quarter)
         select $1, a.id,
                case when a.id % 2 = 1 then (p.lo + a.id % (p.hi - p.lo + 1))::int / 4 end,
                (case when a.id % 2 = 1 then (p.lo + a.id % (p.hi - p.lo + 1))::int % 4 + 1
                      else a.id % 4 + 1 end)::smallint
         from activities a
         cross join lateral (select coalesce(a.start_quarter, 2025 * 4) as lo,
                                    coalesce(a.end_quarter, 2029 * 4 + 3) as hi) p
         where a.nap_id = $2",
        tenant,
        nap
    )
    .execute(&mut *conn)
    .await?;
    // Occurrences, expanded by the plan model itself; about 60% of the past
    // ones met.
    let editor = authz::operator::<authz::EditPlan>(tenant);
    let plan = crate::features::plan::model::load_nap(conn, nap).await?;
    crate::features::plan::model::refresh_all_occurrences(&editor, conn, &plan).await?;
    sqlx::query!(
        "update target_occurrences o set met_at = now() - interval '30 days'
         from activities a
         where a.tenant_id = o.tenant_id and a.id = o.activity_id and a.nap_id = $1
           and o.quarter_index < $2 and (a.id + o.quarter_index) % 10 < 6",
        nap,
        crate::features::plan::quarter::Quarter::current().index()
    )
    .execute(&mut *conn)
    .await?;
    // Four updates per activity, half a year apart, each note one of
    // twenty, as focal points write them. A round is in progress: the
    // tenant's rounds open 90 days before their quarter ends (so the one
    // answered today is open), and the latest update of every other
    // activity came in an hour ago.
    sqlx::query!(
        "update tenants set round_opens_days = 90 where id = $1",
        tenant
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into status_updates (tenant_id, activity_id, author_id, status, progress, note, spending,
                                     based_on_version, created_at)
         select $1, a.id, $3, case when v < 3 then 'on-track' else a.status end,
                least(100, a.progress * (v + 1) / 4),
                (array['Progress as planned; next steps agreed.',
                       'Twelve labour inspectors trained on forced labour indicators.',
                       'Hotline staff recruited; calls answered in three languages.',
                       'Draft amendment sent to the ministry of justice for review.',
                       'Joint inspection of cocoa farms with the police in the north.',
                       'Awareness campaign on recruitment fees aired on community radio.',
                       'Shelter places for victims increased in two regions.',
                       'Employers federation signed the code of conduct.',
                       'Delay: the budget arrived late; the workshop moved to next quarter.',
                       'Data on child labour cases collected from the provinces.',
                       'Guidance on debt bondage printed and distributed to inspectors.',
                       'Trade union organised migrant domestic workers in the capital.',
                       'Prosecutors trained on the trafficking law and victim protection.',
                       'Survey of brick kilns completed; findings being analysed.',
                       'Referral mechanism tested with the social services.',
                       'Fishing vessels inspected in port; two cases referred.',
                       'Private employment agencies registered under the new decree.',
                       'Birth registration drive reached remote villages.',
                       'Compensation fund rules adopted by the steering committee.',
                       'Interpreters hired for interviews of migrant workers.'])[1 + (a.id + v) % 20],
                a.spending * (v + 1) / 4, v,
                case when v = 3 and a.id % 2 = 0 then now() - interval '1 hour'
                     else timestamptz '2025-01-20' + make_interval(months => v * 6) end
         from activities a, generate_series(0, 3) v where a.nap_id = $2",
        tenant,
        nap,
        author
    )
    .execute(&mut *conn)
    .await?;
    documents(conn, tenant, nap, author, activities / 10).await?;
    sqlx::query!(
        "insert into indicators (tenant_id, outcome_id, name, unit, baseline, target)
         select $1, id, 'Cases identified under outcome ' || code, 'cases', '10', '100'
         from outcomes where nap_id = $2",
        tenant,
        nap
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into indicator_values (tenant_id, indicator_id, year, value, entered_by)
         select $1, i.id, y, 10 + (y - 2024) * 20, $3
         from indicators i join outcomes o on o.tenant_id = i.tenant_id and o.id = i.outcome_id,
              generate_series(2025, 2026) y
         where o.nap_id = $2",
        tenant,
        nap,
        author
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into risks (tenant_id, nap_id, challenge, likelihood, impact, mitigation, state)
         select $1, $2, 'Risk ' || g || ': funding or staff may not arrive on time', g % 5 + 1,
                (g * 3) % 5 + 1, 'Agree a fallback with the partners.', 'open'
         from generate_series(1, 10) g",
        tenant,
        nap
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `count` documents of the library, a tenth of them public, each with one
/// version whose text (what search reads) is 1,500 words drawn from forty
/// words of the plans' vocabulary (its topic, each document its own); the
/// file itself is its first kilobyte.
async fn documents(
    conn: &mut PgConnection,
    tenant: i64,
    nap: i64,
    author: i64,
    count: i64,
) -> anyhow::Result<()> {
    sqlx::query!(
        "insert into documents (tenant_id, title, kind, language, description, visibility, nap_id, created_by)
         select $1, (array['Minutes of meeting', 'Guidance note', 'Training module', 'Progress report',
                           'Legal opinion'])[1 + g % 5] || ' ' || g,
                (array['minutes', 'guidance', 'training', 'report', 'legal'])[1 + g % 5], 'en',
                'Filed by the secretariat.', case when g % 10 = 0 then 'public' else 'members' end, $2, $3
         from generate_series(1, $4::bigint) g",
        tenant,
        nap,
        author,
        count
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"with words as (
               select regexp_split_to_array('inspection inspector labour forced child trafficking victim shelter
                   referral recruitment fee agency employer worker union migrant domestic fishing vessel
                   cocoa cotton brick kiln farm harvest wage debt bondage passport document contract
                   overtime threat violence coercion deception exploitation prosecution court judge police
                   prosecutor law decree amendment regulation budget funding donor ministry justice
                   interior social services health education school birth registration village province
                   region district capital border port hotline interpreter language awareness campaign
                   radio training workshop manual module curriculum survey data indicator baseline target
                   report committee meeting minutes decision action plan outcome objective activity
                   monitoring evaluation review partner cooperation coordination compensation remedy fund
                   grievance mechanism identification interview protection assistance rehabilitation
                   reintegration return repatriation visa permit sector industry supply chain due
                   diligence audit certification code conduct',
                   '[[:space:]]+') as w
           )
           insert into document_versions (tenant_id, document_id, number, file_name, content_type, size,
                                          sha256, body, uploaded_by)
           select d.tenant_id, d.id, 1, 'document-' || d.id || '.pdf', 'application/pdf', 1024, '',
                  (select string_agg(w[1 + (d.id * 13 + (hashint8(g * 1000003 + d.id) & 2147483647) % 40)
                                      % cardinality(w)], ' ')
                   from generate_series(1, 1500) g),
                  $2
           from documents d, words where d.tenant_id = $1"#,
        tenant,
        author
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into document_chunks (tenant_id, version_id, n, data)
         select tenant_id, id, 0, convert_to(rpad(body, 1024), 'UTF8') from document_versions
         where tenant_id = $1",
        tenant
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The reference page, served only when the server runs with `--bench`.
pub fn router() -> crate::http::routes::Routes {
    crate::http::routes::Routes::new().get(crate::paths::at::bench_reference, reference)
}

pub struct Fortune {
    pub id: i32,
    pub message: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "bench/reference.html")]
struct ReferencePage {
    fortunes: Vec<Fortune>,
}

/// One query over a small table, one row added in memory, sorted, one
/// template: the least a real page can cost on this stack.
async fn reference(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
) -> crate::error::AppResult<ReferencePage> {
    let mut fortunes = sqlx::query_as!(Fortune, "select id, message from bench_fortunes")
        .fetch_all(&state.pool)
        .await?;
    fortunes.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".to_owned(),
    });
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    Ok(ReferencePage { fortunes })
}
