//! Demo committees: an oversight committee with two published versions of
//! its terms of reference and a few meetings (one with published minutes;
//! it meets every quarter and last met in March 2026, so a meeting is
//! overdue; two of its action points are late), a coordination group that
//! met three weeks ago and meets again soon, and a sub-group. Seats whose
//! holder has a demo account are linked to it, so their calendars fill.
//! Every name and sentence is invented.

use sqlx::PgConnection;

use crate::authz::PlanEditor;

/// (name, acronym, seat, gender, name may be published)
type DemoSeat = (&'static str, &'static str, &'static str, &'static str, bool);

#[rustfmt::skip]
const OVERSIGHT: &[DemoSeat] = &[
    ("Marta Ilves", "MOL", "chair", "woman", true),
    ("Daniel Okoro", "MOJ", "vice-chair", "man", true),
    ("Sofia Brandt", "MOI", "member", "woman", false),
    ("Ines Kowal", "CTU", "member", "woman", true),
    ("Rafael Osei", "EF", "member", "man", true),
    ("Yusuf Haddad", "LI", "member", "man", false),
    ("Amina Diallo", "SVN", "member", "woman", false),
    ("Petr Novak", "POL", "alternate", "man", false),
    ("Claire Dubois", "ILO", "observer", "woman", true),
    ("Lena Marchetti", "MOL", "secretary", "woman", true),
];

const TOR_V1: [&str; 9] = [
    "Oversee the implementation of the National Action Plan against Forced Labour and hold its partners to account.",
    "Make sure the plan's activities are carried out on time and within budget, and report on them.",
    "The ministries of labour, justice and the interior, the trade union confederation, the employers' federation, the labour inspectorate and the survivors' network, with the ILO as observer.",
    "The chair convenes and leads the meetings; the secretariat prepares them and keeps the record; members report for their organisations.",
    "Decisions by consensus, or else by a majority of the voting members present.",
    "Four times a year.",
    "An annual progress report to the Council of Ministers.",
    "The committee proposes changes to its composition and mandate; the Minister of Labour adopts them.",
    "Information about victims is shared only anonymised.",
];

const TOR_V2_MANDATE: &str = "Oversee the implementation of the National Action Plan against Forced Labour, hold its partners to account and advise the government on its annual implementation plans.";
const TOR_V2_REPORTING: &str = "An annual progress report to the Council of Ministers and to parliament, published on the public portal.";

/// Loads the demo committees once: nothing changes if they exist.
pub async fn load(editor: &PlanEditor, conn: &mut PgConnection, title: &str) -> anyhow::Result<()> {
    let exists = sqlx::query_scalar!(
        "select exists (select 1 from committees where name = $1) as \"e!\"",
        title
    )
    .fetch_one(&mut *conn)
    .await?;
    if exists {
        return Ok(());
    }
    let tenant = editor.tenant_id();
    let nap = sqlx::query_scalar!("select id from naps order by start_year desc limit 1")
        .fetch_optional(&mut *conn)
        .await?;
    let oversight = committee(conn, tenant, title, "oversight", None, "quarterly", nap).await?;
    for (name, acronym, seat, gender, public) in OVERSIGHT {
        sqlx::query!(
            "insert into committee_members (tenant_id, committee_id, name, partner_id, seat, gender, term_start,
                                            term_end, public_name, interpretation)
             select $1, $2, $3, p.id, $5, $6, date '2025-01-15', date '2027-12-31', $7,
                    case when $4 = 'SVN' then 'Interpretation into sign language' else '' end
             from partners p where p.acronym = $4",
            tenant,
            oversight,
            name,
            acronym,
            seat,
            gender,
            public
        )
        .execute(&mut *conn)
        .await?;
    }
    // Version 1, then version 2 a year later with a wider mandate.
    for (version, published, mandate, reporting) in [
        (1, "2025-02-10 09:00:00+00", TOR_V1[0], TOR_V1[6]),
        (
            2,
            "2026-03-05 09:00:00+00",
            TOR_V2_MANDATE,
            TOR_V2_REPORTING,
        ),
    ] {
        sqlx::query!(
            "insert into tor_versions (tenant_id, committee_id, version, mandate, purpose, composition, roles,
                                       decision_making, meeting_frequency, reporting, changes, confidentiality,
                                       published_at, quorum_percent)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text::timestamptz, 50)",
            tenant,
            oversight,
            version,
            mandate,
            TOR_V1[1],
            TOR_V1[2],
            TOR_V1[3],
            TOR_V1[4],
            TOR_V1[5],
            reporting,
            TOR_V1[7],
            TOR_V1[8],
            published
        )
        .execute(&mut *conn)
        .await?;
    }
    let group = committee(
        conn,
        tenant,
        "Coordination group on labour inspection",
        "coordination-national",
        Some(oversight),
        "monthly",
        nap,
    )
    .await?;
    let subgroup = committee(
        conn,
        tenant,
        "Sub-group on assistance to victims",
        "sub-group",
        Some(oversight),
        "every-two-months",
        nap,
    )
    .await?;
    sqlx::query!(
        "update committees set permanent = false, end_date = date '2027-06-30',
                outcome_id = (select id from outcomes where code = '2.2' and nap_id = $2)
         where id = $1",
        subgroup,
        nap
    )
    .execute(&mut *conn)
    .await?;
    for (committee, name, acronym, seat, gender) in [
        (group, "Yusuf Haddad", "LI", "chair", "man"),
        (group, "Petr Novak", "POL", "member", "man"),
        (group, "Ines Kowal", "CTU", "member", "woman"),
        (group, "Rafael Osei", "EF", "member", "man"),
        (subgroup, "Amina Diallo", "SVN", "chair", "woman"),
        (subgroup, "Sofia Brandt", "MOG", "member", "woman"),
    ] {
        sqlx::query!(
            "insert into committee_members (tenant_id, committee_id, name, partner_id, seat, gender)
             select $1, $2, $3, id, $5, $6 from partners where acronym = $4",
            tenant,
            committee,
            name,
            acronym,
            seat,
            gender
        )
        .execute(&mut *conn)
        .await?;
    }
    // As published plans name some seats: by the post, its holder unknown.
    sqlx::query!(
        "insert into committee_members (tenant_id, committee_id, name, holder, partner_id, seat, gender)
         select $1, $2, 'Director General, Department of Social Welfare', 'post', id, 'member', 'not-stated'
         from partners where acronym = 'MOG'",
        tenant,
        subgroup
    )
    .execute(&mut *conn)
    .await?;
    // Seats of people who have a demo account here are theirs.
    sqlx::query!(
        "update committee_members s set user_id = m.user_id
         from memberships m join users u on u.id = m.user_id
         where m.tenant_id = s.tenant_id and s.tenant_id = $1 and u.name = s.name and s.user_id is null",
        tenant
    )
    .execute(&mut *conn)
    .await?;
    meetings(conn, tenant, oversight).await?;
    coming_meetings(conn, tenant, group, subgroup).await
}

/// Meetings around the day the demo is loaded: the coordination group met
/// three weeks before and meets again in a week (one of its action
/// points is a week late); the sub-group meets in a month.
async fn coming_meetings(
    conn: &mut PgConnection,
    tenant: i64,
    group: i64,
    subgroup: i64,
) -> anyhow::Result<()> {
    for (committee, days, agenda) in [
        (
            group,
            -21,
            "Joint inspection plan for the harvest season\nReferrals from inspections",
        ),
        (
            group,
            7,
            "Results of the joint inspections\nTraining of new inspectors",
        ),
        (
            subgroup,
            30,
            "Shelter capacity in the northern province\nHotline figures",
        ),
    ] {
        let meeting = sqlx::query_scalar!(
            "insert into meetings (tenant_id, committee_id, starts_at, place, agenda)
             values ($1, $2, date_trunc('day', now()) + make_interval(days => $3) + interval '9 hours',
                     'Labour Inspectorate, conference room', $4)
             returning id",
            tenant,
            committee,
            days,
            agenda
        )
        .fetch_one(&mut *conn)
        .await?;
        if days < 0 {
            sqlx::query!(
                "insert into action_points (tenant_id, meeting_id, text, owner_partner_id, due_on)
                 select $1, $2, 'Share the list of farms to inspect with the police', id, current_date - 7
                 from partners where acronym = 'LI'",
                tenant,
                meeting
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

async fn committee(
    conn: &mut PgConnection,
    tenant: i64,
    name: &str,
    kind: &str,
    parent: Option<i64>,
    meets: &str,
    nap: Option<i64>,
) -> anyhow::Result<i64> {
    let id = sqlx::query_scalar!(
        "insert into committees (tenant_id, name, kind, parent_id, meets) values ($1, $2, $3, $4, $5) returning id",
        tenant,
        name,
        kind,
        parent,
        meets
    )
    .fetch_one(&mut *conn)
    .await?;
    if let Some(nap) = nap {
        sqlx::query!(
            "insert into committee_naps (tenant_id, committee_id, nap_id) values ($1, $2, $3)",
            tenant,
            id,
            nap
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// (text, owner, due date, linked activity code, done)
type DemoAction = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
);
/// (start, agenda, decisions, action points)
type DemoMeeting = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [DemoAction],
);

/// Three meetings with attendance, minutes, decisions and action points.
async fn meetings(conn: &mut PgConnection, tenant: i64, committee: i64) -> anyhow::Result<()> {
    let plans: [DemoMeeting; 3] = [
        (
            "2025-03-14 09:00:00+00",
            "Adoption of the terms of reference\nWork plan for 2025\nBudget of the hotline",
            &[
                "The committee adopts its terms of reference.",
                "The 2025 work plan is approved as presented by the secretariat.",
            ],
            &[(
                "Send the 2025 work plan to all focal points",
                "MOL",
                "2025-04-15",
                None,
                true,
            )],
        ),
        (
            "2025-09-19 09:00:00+00",
            "Progress in the first half of 2025\nReferral mechanism\nRisks",
            &["The national referral mechanism is to be adopted before the end of 2026."],
            &[(
                "Draft the referral procedures with the police and the survivors' network",
                "MOJ",
                "2026-06-30",
                Some("2.1.4"),
                false,
            )],
        ),
        (
            "2026-03-06 09:00:00+00",
            "Annual report 2025\nVersion 2 of the terms of reference\nShelter budget",
            &[
                "The annual report 2025 is adopted and will be published.",
                "Version 2 of the terms of reference is adopted.",
            ],
            &[(
                "Ask the finance ministry to keep the shelter budget",
                "MOG",
                "2026-05-31",
                Some("2.2.1"),
                false,
            )],
        ),
    ];
    let members = sqlx::query!(
        "select id, seat from committee_members where committee_id = $1 order by id",
        committee
    )
    .fetch_all(&mut *conn)
    .await?;
    for (n, (starts, agenda, decisions, actions)) in plans.iter().enumerate() {
        // The second meeting's minutes are on the public portal.
        let meeting = sqlx::query_scalar!(
            "insert into meetings (tenant_id, committee_id, starts_at, place, agenda, minutes, minutes_published)
             values ($1, $2, $3::text::timestamptz, 'Ministry of Labour, meeting room 2', $4,
                     'The chair opened the meeting and the agenda was adopted. Partners reported on their activities; the discussion is summarised under each item.',
                     $5)
             returning id",
            tenant,
            committee,
            starts,
            agenda,
            n == 1
        )
        .fetch_one(&mut *conn)
        .await?;
        for (i, m) in members.iter().enumerate() {
            let presence = if (i + n) % 5 == 4 {
                "apologies"
            } else {
                "present"
            };
            sqlx::query!(
                "insert into attendance (tenant_id, meeting_id, member_id, presence) values ($1, $2, $3, $4)",
                tenant,
                meeting,
                m.id,
                presence
            )
            .execute(&mut *conn)
            .await?;
        }
        for text in *decisions {
            sqlx::query!(
                "insert into decisions (tenant_id, committee_id, meeting_id, number, text)
                 select $1, $2, $3, coalesce(max(number), 0) + 1, $4 from decisions where committee_id = $2",
                tenant,
                committee,
                meeting,
                text
            )
            .execute(&mut *conn)
            .await?;
        }
        for (text, owner, due, activity, done) in *actions {
            sqlx::query!(
                "insert into action_points (tenant_id, meeting_id, text, owner_partner_id, due_on, activity_id, done_on)
                 select $1, $2, $3, (select id from partners where acronym = $4), $5::text::date,
                        (select id from activities where code = $6 order by id desc limit 1),
                        case when $7 then $5::text::date end",
                tenant,
                meeting,
                text,
                owner,
                due,
                *activity,
                done
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
