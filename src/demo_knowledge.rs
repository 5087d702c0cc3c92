//! What Veridia keeps around its plan. The document library: the
//! oversight committee's minutes of the meeting whose minutes are
//! published, the labour inspectorate's guidance in two versions (last
//! year's and this year's), a training module on an activity, the law on
//! trafficking in persons for the public, and the victims' sub-group's own
//! working paper, which only that sub-group reads. The communication plan
//! (five items, internal and external) and the knowledge checklist, half
//! answered. One newsletter, sent to every member. The SDG targets and ILO
//! instruments its objectives, outcomes and a few activities serve.

use sqlx::PgConnection;

use crate::accounts;
use crate::authz::{self, EditPlan, SendNewsletters, ShareDocuments};
use crate::features::communication::{ItemForm, Lookups};
use crate::features::documents::{Details, Links};
use crate::features::newsletters;
use crate::features::plan::model;
use crate::i18n::Translations;

/// One demo document: title, kind, language, visibility, description, and
/// its versions as (file name, text, years ago).
struct Demo {
    title: &'static str,
    kind: &'static str,
    language: &'static str,
    visibility: &'static str,
    description: &'static str,
    versions: &'static [(&'static str, &'static str, i32)],
}

const GUIDANCE: Demo = Demo {
    title: "Guidance for labour inspectors on the indicators of forced labour",
    kind: "guidance",
    language: "en",
    visibility: "public",
    description: "How inspectors recognise the indicators of forced labour on a visit, and whom they refer a case to.",
    versions: &[
        (
            "inspection-guidance-2025.txt",
            "Indicators of forced labour an inspector looks for: withheld wages, retained identity documents, debt bondage, restricted movement, threats. Each visit ends with a written note.",
            1,
        ),
        (
            "inspection-guidance-2026.txt",
            "Indicators of forced labour an inspector looks for: withheld wages, retained identity documents, debt bondage, restricted movement, threats, excessive overtime. A case is referred to the victim referral mechanism the same day; each visit ends with a written note.",
            0,
        ),
    ],
};

const LAW: Demo = Demo {
    title: "Law on the prevention of trafficking in persons",
    kind: "legal",
    language: "en",
    visibility: "public",
    description: "The law as amended, with the articles on protection of victims.",
    versions: &[(
        "trafficking-law.txt",
        "Article 1. Trafficking in persons is the recruitment, transport, transfer, harbouring or receipt of persons by means of threat, force, coercion or deception for the purpose of exploitation. Article 12. Victims are entitled to shelter, legal aid and a reflection period.",
        2,
    )],
};

const TRAINING: Demo = Demo {
    title: "Formation : identifier les victimes de la traite",
    kind: "training",
    language: "fr",
    visibility: "members",
    description: "Module d’une journée pour les inspecteurs et les agents de police.",
    versions: &[(
        "module-formation.txt",
        "Objectifs : reconnaître les signes de la traite et du travail forcé, conduire un entretien sans nuire, orienter la victime vers l’hébergement. Exercices en groupe à partir de cas réels anonymisés.",
        0,
    )],
};

const MINUTES: Demo = Demo {
    title: "Minutes of the oversight committee",
    kind: "minutes",
    language: "en",
    visibility: "members",
    description: "The signed minutes, as adopted at the next meeting.",
    versions: &[(
        "oversight-committee-minutes.txt",
        "The chair opened the meeting. The secretariat presented the first progress report. The committee asked the Ministry of Labour to extend the hotline's hours to the harvest season and agreed on the budget of the inspection campaign.",
        1,
    )],
};

const WORKING_PAPER: Demo = Demo {
    title: "Working paper: shelter places by region",
    kind: "other",
    language: "en",
    visibility: "committee",
    description: "For the sub-group only until the regions confirm their figures.",
    versions: &[(
        "shelter-places.txt",
        "Shelter places available to victims of trafficking, by region, as reported by the regional social services.",
        0,
    )],
};

pub async fn load(conn: &mut PgConnection, tenant_id: i64) -> anyhow::Result<()> {
    let done = sqlx::query_scalar!(r#"select exists (select 1 from documents) as "e!""#)
        .fetch_one(&mut *conn)
        .await?;
    if done {
        return Ok(());
    }
    let secretariat = accounts::user_id(&mut *conn, "secretariat@veridia.example").await?;
    let nap = sqlx::query_scalar!(
        "select id from naps where title = $1",
        crate::demo_plan::TITLE
    )
    .fetch_optional(&mut *conn)
    .await?;
    let committee =
        |name: &'static str| sqlx::query_scalar!("select id from committees where name = $1", name);
    let steering = committee("National Oversight Committee on Forced Labour")
        .fetch_optional(&mut *conn)
        .await?;
    let subgroup = committee("Sub-group on assistance to victims")
        .fetch_optional(&mut *conn)
        .await?;
    let meeting = sqlx::query_scalar!(
        "select id from meetings where minutes_published order by starts_at limit 1"
    )
    .fetch_optional(&mut *conn)
    .await?;
    let activity = sqlx::query_scalar!("select id from activities where code = '2.1.1'")
        .fetch_optional(&mut *conn)
        .await?;
    let sharer = authz::operator::<ShareDocuments>(tenant_id);
    let this_year = time::OffsetDateTime::now_utc().year();
    let plain = Links {
        nap,
        ..Links::default()
    };
    // The working paper is the sub-group's: it is added as the secretariat,
    // whom the database lets see it.
    crate::tenancy::scope::set(&mut *conn, Some(tenant_id), secretariat).await?;
    for (demo, links) in [
        (&GUIDANCE, plain),
        (&LAW, Links::default()),
        (&TRAINING, Links { activity, ..plain }),
        (
            &MINUTES,
            Links {
                committee: steering,
                meeting,
                ..plain
            },
        ),
        (
            &WORKING_PAPER,
            Links {
                committee: subgroup,
                ..Links::default()
            },
        ),
    ] {
        if demo.visibility == "committee" && links.committee.is_none() {
            continue;
        }
        let details = Details {
            title: demo.title.to_owned(),
            kind: demo.kind.to_owned(),
            language: demo.language.to_owned(),
            description: demo.description.to_owned(),
            visibility: demo.visibility.to_owned(),
            links,
        };
        let id = sharer.add_document(conn, &details, secretariat).await?;
        for (name, text, years_ago) in demo.versions {
            let at = time::Date::from_calendar_date(this_year - years_ago, time::Month::March, 2)?
                .midnight()
                .assume_utc();
            sharer
                .add_file(conn, id, name, text.as_bytes(), secretariat, Some(at))
                .await?;
        }
    }
    crate::tenancy::scope::set(&mut *conn, Some(tenant_id), None).await?;
    if let Some(nap) = nap {
        communication(conn, tenant_id, nap).await?;
        alignment(conn, tenant_id, nap).await?;
    }
    newsletter(conn, tenant_id, secretariat).await?;
    Ok(())
}

/// What the parts of the plan serve beyond the plan as a whole (which
/// serves SDG 8.7 and C29 with its Protocol): (level, code, references).
const ALIGNMENT: &[(&str, &str, &[&str])] = &[
    ("objective", "1", &["10.7"]),
    ("outcome", "1.2", &["C181", "C189"]),
    ("objective", "2", &["5.2", "16.2"]),
    ("objective", "3", &["16.3"]),
    ("outcome", "3.1", &["C81", "C129"]),
    ("activity", "1.1.3", &["4.1", "C138", "C182"]),
    ("activity", "1.2.5", &["C87", "C98"]),
    ("activity", "2.2.3", &["8.5"]),
];

async fn alignment(conn: &mut PgConnection, tenant_id: i64, nap: i64) -> anyhow::Result<()> {
    use crate::features::plan::alignment::Part;
    let editor = authz::operator::<EditPlan>(tenant_id);
    for (level, code, refs) in ALIGNMENT {
        let id = sqlx::query_scalar!(
            "select id from objectives where nap_id = $1 and code = $2 and $3 = 'objective'
             union all select id from outcomes where nap_id = $1 and code = $2 and $3 = 'outcome'
             union all select id from activities where nap_id = $1 and code = $2 and $3 = 'activity'",
            nap,
            code,
            level
        )
        .fetch_one(&mut *conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo part {level} {code} is missing"))?;
        let part = match *level {
            "objective" => Part::Objective(id),
            "outcome" => Part::Outcome(id),
            _ => Part::Activity(id),
        };
        let codes: Vec<String> = refs.iter().map(|r| (*r).to_owned()).collect();
        editor.set_alignment(conn, nap, part, &codes).await?;
    }
    Ok(())
}

/// Last month's newsletter to every member, sent (its messages marked
/// delivered: the demo's addresses are fictional).
async fn newsletter(
    conn: &mut PgConnection,
    tenant_id: i64,
    secretariat: Option<i64>,
) -> anyhow::Result<()> {
    let Some(secretariat) = secretariat else {
        return Ok(());
    };
    let editor = authz::operator::<SendNewsletters>(tenant_id);
    let items = newsletters::gather(conn, "veridia", None).await?;
    let mut translations = Translations::default();
    translations.set(
        "fr",
        "subject",
        "Lettre du secrétariat : le plan à mi-parcours",
    );
    translations.set(
        "fr",
        "body",
        "Le plan arrive à mi-parcours. Merci aux points focaux qui ont rapporté à temps.",
    );
    let id = editor
        .start_newsletter(
            conn,
            None,
            "From the secretariat: the plan at mid-term",
            "The plan reaches its mid-term. Thank you to the focal points who reported on time.\n\nThe annual report is on the public portal; the inspection guidance has a new version.",
            &translations,
            &items,
            secretariat,
        )
        .await?;
    let people = newsletters::recipients(conn, None).await?;
    editor
        .send_newsletter(conn, id, &people, secretariat)
        .await?;
    sqlx::query!(
        "update mail_outbox set state = 'sent', sent_at = now()
         where kind = 'newsletter' and for_tenant = $1 and state = 'queued'",
        tenant_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Code, direction, audience, objective, key message, channel, partner,
/// targets, state, activities.
type DemoItem = [&'static str; 10];

const ITEMS: [DemoItem; 5] = [
    [
        "C1",
        "external",
        "workers",
        "Tell seasonal workers that recruitment fees are unlawful",
        "No worker pays to get a job.",
        "media",
        "CTU",
        "Q2/yearly",
        "in-progress",
        "1.2.1",
    ],
    [
        "C2",
        "external",
        "public",
        "Make the multilingual hotline known",
        "Call the hotline in your own language, free of charge.",
        "social-media",
        "MOL",
        "2025Q3, 2026Q3",
        "done",
        "1.1.4",
    ],
    [
        "C3",
        "internal",
        "partners",
        "Share each meeting's minutes and decisions with every focal point",
        "",
        "newsletter",
        "MOL",
        "Q1/yearly, Q3/yearly",
        "in-progress",
        "",
    ],
    [
        "C4",
        "external",
        "employers",
        "Explain due diligence in supply chains to exporters",
        "Know who recruits for your suppliers.",
        "events",
        "EF",
        "2027",
        "planned",
        "",
    ],
    [
        "C5",
        "external",
        "media",
        "Brief journalists on the annual report",
        "",
        "media",
        "MOL",
        "Q2/yearly",
        "planned",
        "",
    ],
];

/// Question, answer and note of the checklist as the demo answers it.
const CHECKLIST: [(&str, &str, &str); 5] = [
    ("sharing-in-plan", "yes", "Section 5 of the plan."),
    (
        "handovers",
        "no",
        "Two focal points left last year without a hand-over note.",
    ),
    ("one-filing-place", "yes", "The document library."),
    ("indicators-reported", "yes", ""),
    (
        "external-communication",
        "yes",
        "See the communication plan.",
    ),
];

async fn communication(conn: &mut PgConnection, tenant_id: i64, nap: i64) -> anyhow::Result<()> {
    let editor = authz::operator::<EditPlan>(tenant_id);
    let plan = model::load_nap(conn, nap).await?;
    let known = Lookups::load(conn, &plan).await?;
    for [
        code,
        direction,
        audience,
        objective,
        key_message,
        channel,
        partner,
        targets,
        state,
        activities,
    ] in ITEMS
    {
        let form = ItemForm {
            code: code.to_owned(),
            direction: direction.to_owned(),
            audience: audience.to_owned(),
            objective: objective.to_owned(),
            key_message: key_message.to_owned(),
            channel: channel.to_owned(),
            partner: partner.to_owned(),
            targets: targets.to_owned(),
            state: state.to_owned(),
            activities: activities.to_owned(),
        };
        let item = form
            .check(&known, None)
            .map_err(|e| anyhow::anyhow!("demo item {code}: {e:?}"))?;
        editor.save_item(conn, nap, None, &item).await?;
    }
    for (question, answer, note) in CHECKLIST {
        editor
            .answer_checklist(conn, nap, question, answer, note)
            .await?;
    }
    Ok(())
}
