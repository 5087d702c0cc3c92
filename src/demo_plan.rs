//! The demo NAP of Veridia: five years, four objectives, about forty
//! activities with both kinds of time targets. Every sentence is invented.

use crate::features::plan::tags::{TagKind, TagLists};
use crate::i18n::Translations;
use sqlx::PgConnection;
use sqlx::types::Json;

use crate::authz::PlanEditor;
use crate::choices::{NapStatus, Theme};
use crate::features::plan::model::{self, ActivityDraft, Nap, PlanContext};
use crate::features::plan::naps::NapInput;
use crate::features::plan::quarter::Quarter;

pub const TITLE: &str = "National Action Plan against Forced Labour 2025–2029";

/// (code, title, in French, in Spanish)
const OBJECTIVES: &[(&str, &str, &str, &str)] = &[
    (
        "1",
        "Prevent forced labour before it starts",
        "Prévenir le travail forcé avant qu’il ne commence",
        "Prevenir el trabajo forzoso antes de que empiece",
    ),
    (
        "2",
        "Identify and protect victims",
        "Identifier et protéger les victimes",
        "Identificar y proteger a las víctimas",
    ),
    (
        "3",
        "Enforce the law and give victims access to remedy",
        "Appliquer la loi et donner aux victimes accès à réparation",
        "Hacer cumplir la ley y dar a las víctimas acceso a la reparación",
    ),
    (
        "4",
        "Coordinate, measure and share what works",
        "Coordonner, mesurer et partager ce qui fonctionne",
        "Coordinar, medir y compartir lo que funciona",
    ),
];

const OUTCOMES: &[(&str, &str, &str)] = &[
    (
        "1",
        "1.1",
        "Workers and jobseekers know their rights before they migrate or sign a contract",
    ),
    (
        "1",
        "1.2",
        "Recruitment is fair and free of fees for workers",
    ),
    ("2", "2.1", "Front-line officials identify victims early"),
    (
        "2",
        "2.2",
        "Victims receive shelter, care and a way back to decent work",
    ),
    ("3", "3.1", "Labour inspection reaches high-risk sectors"),
    (
        "3",
        "3.2",
        "Cases are prosecuted and victims are compensated",
    ),
    ("4", "4.1", "Partners meet, plan and report together"),
    ("4", "4.2", "Reliable data guide the plan"),
];

/// (outcome, code, title, lead, supporting, start, end, level, budget, targets)
type DemoActivity = [&'static str; 10];

#[rustfmt::skip]
const ACTIVITIES: &[DemoActivity] = &[
    ["1.1", "1.1.1", "Radio and social-media campaign on the signs of forced labour", "MOL", "CTU, ILO", "", "", "national", "40000", "Q2/yearly"],
    ["1.1", "1.1.2", "Pre-departure orientation for migrant workers", "IMM", "MOL, CTU", "2025Q3", "2029Q4", "national", "60000", "Q1/yearly, Q3/yearly"],
    ["1.1", "1.1.3", "Lessons on labour rights in secondary schools", "MOE", "CTU", "2026Q1", "", "national", "25000", "Q3/yearly"],
    ["1.1", "1.1.4", "Multilingual workers' rights hotline", "MOL", "SVN", "2025Q2", "", "national", "80000", "2025Q4, Q4/yearly"],
    ["1.1", "1.1.5", "Community meetings in sending districts of the north", "NORTH", "CTU, SVN", "2025Q3", "2028Q4", "regional", "15000", "Q4/yearly"],
    ["1.2", "1.2.1", "Review the law on private employment agencies", "MOL", "MOJ, EF, CTU", "2025Q1", "2026Q4", "national", "12000", "2025Q4, 2026Q3"],
    ["1.2", "1.2.2", "Licensing and public register of recruitment agencies", "MOL", "IMM", "2026Q1", "", "national", "30000", "2026Q4, Q4/yearly"],
    ["1.2", "1.2.3", "Employers' guidance on fair recruitment and due diligence", "EF", "ILO", "2025Q2", "2027Q4", "national", "18000", "2025Q4, 2026Q2"],
    ["1.2", "1.2.4", "Model employment contract in the main migrant languages", "MOL", "CTU, EF", "2025Q1", "2025Q4", "national", "5000", "2025Q3"],
    ["1.2", "1.2.5", "Joint union–employer monitoring of recruitment fees", "CTU", "EF", "2026Q1", "", "national", "20000", "Q2/yearly"],
    ["2.1", "2.1.1", "Standard indicators for identifying victims", "MOJ", "POL, LI, SVN", "2025Q1", "2025Q4", "national", "8000", "2025Q2"],
    ["2.1", "2.1.2", "Training of labour inspectors on identification", "LI", "ILO", "", "", "national", "35000", "Q1/yearly"],
    ["2.1", "2.1.3", "Training of police and border officers", "POL", "IMM, NHRC", "", "", "national", "45000", "Q3/yearly"],
    ["2.1", "2.1.4", "National referral mechanism with agreed procedures", "MOJ", "MOG, POL, SVN", "2025Q2", "2026Q4", "national", "20000", "2025Q4, 2026Q2"],
    ["2.1", "2.1.5", "Screening at health clinics in agricultural districts", "NORTH", "MOG", "2026Q1", "2029Q4", "local", "16000", "Q2/yearly"],
    ["2.2", "2.2.1", "Shelter places for women and men victims", "MOG", "SVN", "", "", "national", "150000", "Q1/yearly"],
    ["2.2", "2.2.2", "Free legal aid for victims", "MOJ", "NHRC", "2025Q2", "", "national", "50000", "Q4/yearly"],
    ["2.2", "2.2.3", "Vocational training and job placement for survivors", "MOL", "EF, SVN", "2026Q1", "", "national", "70000", "Q3/yearly"],
    ["2.2", "2.2.4", "Psychosocial care in the referral system", "MOG", "SVN", "2025Q3", "", "national", "40000", "2025Q4, Q2/yearly"],
    ["2.2", "2.2.5", "Safe return and reintegration support", "IMM", "ILO, SVN", "2026Q1", "2029Q2", "national", "45000", "Q2/yearly"],
    ["3.1", "3.1.1", "Risk-based inspection plan for agriculture, fishing and construction", "LI", "EF, CTU", "", "", "national", "30000", "Q1/yearly"],
    ["3.1", "3.1.2", "Joint inspections with the police in high-risk sectors", "LI", "POL", "2025Q3", "", "national", "25000", "Q2/yearly, Q4/yearly"],
    ["3.1", "3.1.3", "Mobile inspection unit for remote areas", "LI", "NORTH", "2026Q2", "2028Q4", "regional", "90000", "2026Q4, 2027Q4, 2028Q4"],
    ["3.1", "3.1.4", "Case-management system for labour inspection", "LI", "UNI", "2025Q1", "2026Q4", "national", "60000", "2025Q4, 2026Q4"],
    ["3.1", "3.1.5", "Union workplace representatives report suspected cases", "CTU", "LI", "", "", "national", "10000", "Q3/yearly"],
    ["3.2", "3.2.1", "Specialised prosecutors for forced labour cases", "MOJ", "POL", "2025Q2", "2026Q2", "national", "25000", "2026Q1"],
    ["3.2", "3.2.2", "Judicial training on forced labour and trafficking", "MOJ", "ILO, NHRC", "", "", "national", "20000", "Q4/yearly"],
    ["3.2", "3.2.3", "Compensation fund for victims", "MOJ", "MOL", "2026Q1", "", "national", "200000", "2026Q4, 2027Q4"],
    ["3.2", "3.2.4", "Amend the criminal code to cover all forms of forced labour", "MOJ", "MOI, NHRC", "2025Q1", "2025Q4", "national", "5000", "2025Q4"],
    ["3.2", "3.2.5", "Witness protection for victims who testify", "MOI", "MOJ, POL", "2026Q1", "", "national", "55000", "Q1/yearly"],
    ["4.1", "4.1.1", "Oversight committee meets each quarter", "MOL", "MOJ, MOI, CTU, EF", "", "", "national", "6000", "Q1/yearly, Q2/yearly, Q3/yearly, Q4/yearly"],
    ["4.1", "4.1.2", "Annual progress report to parliament", "MOL", "NHRC", "", "", "national", "4000", "Q1/yearly"],
    ["4.1", "4.1.3", "Provincial coordination group in the north", "NORTH", "LI, POL, CTU", "2025Q3", "", "regional", "12000", "Q2/yearly, Q4/yearly"],
    ["4.1", "4.1.4", "Hand-over notes when focal points change", "MOL", "", "2025Q2", "", "national", "", "Q4/yearly"],
    ["4.1", "4.1.5", "Mid-term review with all partners", "MOL", "ILO, UNI", "2027Q1", "2027Q4", "national", "30000", "2027Q3"],
    ["4.2", "4.2.1", "National survey on forced labour", "UNI", "ILO, MOL", "2025Q3", "2027Q2", "national", "120000", "2026Q2, 2027Q2"],
    ["4.2", "4.2.2", "Shared database of identified cases, anonymised", "MOI", "MOJ, LI, POL", "2025Q2", "", "national", "45000", "2026Q1, Q3/yearly"],
    ["4.2", "4.2.3", "Indicators and baseline for every outcome", "MOL", "UNI", "2025Q1", "2025Q4", "national", "8000", "2025Q3"],
    ["4.2", "4.2.4", "Study of forced labour risks in supply chains", "UNI", "EF, CTU", "2026Q1", "2027Q4", "national", "35000", "2027"],
    ["4.2", "4.2.5", "Final evaluation of the plan", "MOL", "ILO", "2029Q1", "2029Q4", "national", "40000", "2029Q4"],
];

/// The plan's pillars, one per objective in order, and the other national
/// plan some of its activities share.
const PILLARS: [&str; 4] = ["Prevention", "Protection", "Prosecution", "Partnership"];
const OTHER_PLAN: &str = "National action plan against trafficking in persons";
/// Activities shared with the other plan, and those flagged, with the note.
const LINKED: &[(&str, &str)] = &[
    ("2.1.3", OTHER_PLAN),
    ("2.1.4", OTHER_PLAN),
    ("3.2.2", OTHER_PLAN),
];
const FLAGGED: &[(&str, &str)] = &[("4.2.1", "Funding source not yet confirmed")];

/// The pillar and linked-plan lists, and each objective's pillar.
async fn tag(editor: &PlanEditor, conn: &mut PgConnection, nap_id: i64) -> anyhow::Result<()> {
    let pillars: Vec<String> = PILLARS.iter().map(|p| (*p).to_owned()).collect();
    editor
        .set_tag_list(conn, nap_id, TagKind::Pillar, &pillars)
        .await?;
    editor
        .set_tag_list(conn, nap_id, TagKind::Plan, &[OTHER_PLAN.to_owned()])
        .await?;
    let tags = TagLists::load(conn, nap_id).await?;
    for ((code, ..), pillar) in OBJECTIVES.iter().zip(PILLARS) {
        let objective = sqlx::query_scalar!(
            "select id from objectives where nap_id = $1 and code = $2",
            nap_id,
            code
        )
        .fetch_one(&mut *conn)
        .await?;
        let ids = tags
            .resolve(TagKind::Pillar, pillar)
            .map_err(|name| anyhow::anyhow!("demo pillar {name} is not in the list"))?;
        editor.tag_objective(conn, objective, &ids).await?;
    }
    Ok(())
}

/// Loads the demo NAP once: if a NAP with its title exists, nothing changes.
pub async fn load(editor: &PlanEditor, conn: &mut PgConnection) -> anyhow::Result<()> {
    let exists = sqlx::query_scalar!(
        "select exists (select 1 from naps where title = $1) as \"e!\"",
        TITLE
    )
    .fetch_one(&mut *conn)
    .await?;
    if exists {
        return Ok(());
    }
    let input = NapInput {
        title: TITLE.to_owned(),
        theme: Theme::ForcedLabour,
        status: NapStatus::Adopted,
        start_year: 2025,
        end_year: 2029,
        summary: "Veridia's plan to prevent forced labour, protect its victims, punish those responsible and \
                  work together with employers' and workers' organisations."
            .to_owned(),
        alignment: ["8.7", "8.8", "16.2", "C29", "P29", "R203"].map(String::from).to_vec(),
        national_alignment: "National Development Strategy 2021–2030, pillar 3 (decent work for all)".to_owned(),
        dates: Default::default(),
        translations: {
            let mut t = Translations::default();
            t.set("fr", "title", "Plan d’action national contre le travail forcé 2025–2029");
            t.set(
                "fr",
                "summary",
                "Le plan de la Veridia pour prévenir le travail forcé, protéger ses victimes, punir \
                 les responsables et agir avec les organisations d’employeurs et de travailleurs.",
            );
            t.set("es", "title", "Plan de Acción Nacional contra el Trabajo Forzoso 2025–2029");
            t.set(
                "es",
                "summary",
                "El plan de Veridia para prevenir el trabajo forzoso, proteger a sus víctimas, castigar \
                 a los responsables y trabajar con las organizaciones de empleadores y de trabajadores.",
            );
            t
        },
    };
    let nap_id = editor.create_nap(conn, &input).await?;
    sqlx::query!("update naps set published = true where id = $1", nap_id)
        .execute(&mut *conn)
        .await?;
    for (code, title, french, spanish) in OBJECTIVES {
        let mut translations = Translations::default();
        translations.set("fr", "title", french);
        translations.set("es", "title", spanish);
        sqlx::query!(
            "insert into objectives (tenant_id, nap_id, code, title, translations) values ($1, $2, $3, $4, $5)",
            editor.tenant_id(),
            nap_id,
            code,
            title,
            Json(&translations) as _
        )
        .execute(&mut *conn)
        .await?;
    }
    for (objective, code, title) in OUTCOMES {
        sqlx::query!(
            "insert into outcomes (tenant_id, nap_id, objective_id, code, title)
             select $1, $2, id, $4, $5 from objectives where nap_id = $2 and code = $3",
            editor.tenant_id(),
            nap_id,
            objective,
            code,
            title
        )
        .execute(&mut *conn)
        .await?;
    }
    tag(editor, conn, nap_id).await?;
    let nap = model::load_nap(conn, nap_id).await?;
    let context = PlanContext::load(conn, &nap).await?;
    for [
        outcome,
        code,
        title,
        lead,
        supporting,
        start,
        end,
        level,
        budget,
        targets,
    ] in ACTIVITIES
    {
        let draft = ActivityDraft {
            outcome: (*outcome).to_owned(),
            code: (*code).to_owned(),
            title: (*title).to_owned(),
            lead: (*lead).to_owned(),
            supporting: (*supporting).to_owned(),
            start: (*start).to_owned(),
            end: (*end).to_owned(),
            level: (*level).to_owned(),
            budget: (*budget).to_owned(),
            currency: if budget.is_empty() {
                String::new()
            } else {
                "USD".to_owned()
            },
            targets: (*targets).to_owned(),
            plans: LINKED
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, p)| (*p).to_owned())
                .unwrap_or_default(),
            flag: FLAGGED
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, f)| (*f).to_owned())
                .unwrap_or_default(),
            ..ActivityDraft::default()
        };
        let activity = context
            .validate(&draft)
            .map_err(|e| anyhow::anyhow!("demo activity {code} is invalid: {e:?}"))?;
        model::save_activity(editor, conn, &nap, None, &activity).await?;
    }
    history(editor, conn, &nap).await?;
    register(editor, conn, &nap).await
}

/// (challenge, likelihood, impact, mitigation, owner, state)
type DemoRisk = (
    &'static str,
    i16,
    i16,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const RISKS: &[DemoRisk] = &[
    ("Focal points change jobs and their knowledge leaves with them", 4, 4, "Hand-over notes and a deputy for every focal point", "MOL", "mitigating"),
    ("The budget for shelters is cut in the next finance law", 3, 5, "Early talks with the finance ministry; shared costs with local government", "MOG", "open"),
    ("Employers see inspections as a threat and stop taking part", 2, 4, "Joint guidance with the employers' federation before inspections", "EF", "open"),
    ("Victims fear deportation and do not come forward", 3, 4, "Referral without immigration checks, agreed with the Interior", "MOI", "open"),
    ("The survey is delayed by the census", 2, 2, "Agreed field dates with the statistics office", "UNI", "closed"),
];

/// (outcome, name, unit, baseline, target, responsible, values by year)
type DemoIndicator = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(i32, f64)],
);

#[rustfmt::skip]
const INDICATORS: &[DemoIndicator] = &[
    ("1.1", "Workers and jobseekers reached by information", "people", "0", "200000", "MOL", &[(2025, 35000.0), (2026, 82000.0)]),
    ("2.1", "Labour inspectors trained in identification", "%", "10", "90", "LI", &[(2025, 30.0), (2026, 55.0)]),
    ("2.2", "Identified victims who receive assistance", "%", "40", "95", "MOG", &[(2025, 52.0), (2026, 61.0)]),
    ("3.2", "Forced labour cases brought to court", "cases", "3", "40", "MOJ", &[(2025, 5.0), (2026, 9.0)]),
];

/// A few risks and indicators with measured values.
async fn register(editor: &PlanEditor, conn: &mut PgConnection, nap: &Nap) -> anyhow::Result<()> {
    for (challenge, likelihood, impact, mitigation, owner, state) in RISKS {
        sqlx::query!(
            "insert into risks (tenant_id, nap_id, challenge, likelihood, impact, mitigation, owner_partner_id, state)
             select $1, $2, $3, $4, $5, $6, p.id, $8 from partners p where p.acronym = $7",
            editor.tenant_id(),
            nap.id,
            challenge,
            likelihood,
            impact,
            mitigation,
            owner,
            state
        )
        .execute(&mut *conn)
        .await?;
    }
    let author = sqlx::query_scalar!(
        "select user_id from memberships where tenant_id = $1 and role = 'secretariat' limit 1",
        editor.tenant_id()
    )
    .fetch_one(&mut *conn)
    .await?;
    for (outcome, name, unit, baseline, target, responsible, values) in INDICATORS {
        let id = sqlx::query_scalar!(
            "insert into indicators (tenant_id, outcome_id, name, unit, baseline, target, responsible_partner_id)
             select $1, o.id, $4, $5, $6, $7, (select id from partners where acronym = $8)
             from outcomes o where o.nap_id = $2 and o.code = $3 returning id",
            editor.tenant_id(),
            nap.id,
            outcome,
            name,
            unit,
            baseline,
            target,
            responsible
        )
        .fetch_one(&mut *conn)
        .await?;
        for (year, value) in *values {
            sqlx::query!(
                "insert into indicator_values (tenant_id, indicator_id, year, value, entered_by) values ($1, $2, $3, $4, $5)",
                editor.tenant_id(),
                id,
                year,
                value,
                author
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    qualitative_indicator(editor, conn, nap, author).await
}

/// One indicator for the plan as a whole, as plans often word it: its
/// baseline and target are sentences and its values are reported in words.
async fn qualitative_indicator(
    editor: &PlanEditor,
    conn: &mut PgConnection,
    nap: &Nap,
    author: i64,
) -> anyhow::Result<()> {
    let id = sqlx::query_scalar!(
        "insert into indicators (tenant_id, nap_id, name, qualitative, baseline, target, responsible_partner_id)
         select $1, $2, 'Social dialogue on the plan''s progress', true,
                'No regular consultation of workers'' and employers'' organisations before the plan',
                'Each annual review discussed with workers'' and employers'' organisations by the end of 2027',
                (select id from partners where acronym = 'MOL')
         returning id",
        editor.tenant_id(),
        nap.id
    )
    .fetch_one(&mut *conn)
    .await?;
    for (year, text) in [
        (
            2025,
            "The first annual review was sent to the social partners for written comments.",
        ),
        (
            2026,
            "The annual review was discussed at a tripartite meeting; two of its recommendations were adopted.",
        ),
    ] {
        sqlx::query!(
            "insert into indicator_values (tenant_id, indicator_id, year, value_text, entered_by) values ($1, $2, $3, $4, $5)",
            editor.tenant_id(),
            id,
            year,
            text,
            author
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What focal points might write, by how the activity is going.
const NOTES: &[(&str, &str)] = &[
    (
        "on-track",
        "Work went as planned this quarter; the next steps are agreed with the partners.",
    ),
    (
        "on-track",
        "The materials were validated with the trade unions and the employers' federation.",
    ),
    (
        "delayed",
        "The budget release came late, so the work started a quarter behind plan.",
    ),
    (
        "delayed",
        "We are waiting for the ministry's approval before the next phase can begin.",
    ),
    (
        "completed",
        "Done. The report is on the shared drive and was presented to the committee.",
    ),
];

/// About two years of status updates, so the dashboard tells a story on
/// first start: most activities move on, some fall behind, a few go quiet.
async fn history(editor: &PlanEditor, conn: &mut PgConnection, nap: &Nap) -> anyhow::Result<()> {
    let today = Quarter::current();
    let authors = sqlx::query!(
        "select u.id, m.partner_id, m.focal_point, m.role from memberships m join users u on u.id = m.user_id
         where m.tenant_id = $1",
        editor.tenant_id()
    )
    .fetch_all(&mut *conn)
    .await?;
    let secretariat = authors
        .iter()
        .find(|a| a.role == "secretariat")
        .map(|a| a.id);
    let activities = sqlx::query!(
        "select id, code, lead_partner_id, coalesce(start_quarter, $2) as \"start!\", budget
         from activities where nap_id = $1 order by id",
        nap.id,
        nap.period().start.index()
    )
    .fetch_all(&mut *conn)
    .await?;
    for (i, a) in activities.iter().enumerate() {
        let focal = authors
            .iter()
            .find(|m| m.focal_point && m.partner_id.is_some() && m.partner_id == a.lead_partner_id);
        let (author, partner) = match (focal, secretariat) {
            (Some(f), _) => (f.id, f.partner_id),
            (None, Some(s)) => (s, None),
            (None, None) => continue,
        };
        // Every sixth activity went quiet four quarters ago; every fifth is behind.
        let quiet = i % 6 == 0;
        let behind = i % 5 == 0;
        let last = today.index() - if quiet { 4 } else { 1 };
        let mut progress: i16 = 0;
        let mut version = 0;
        let mut q = a.start + 1;
        while q <= last {
            progress = (progress + if behind { 10 } else { 20 }).min(100);
            let status = if progress >= 100 {
                "completed"
            } else if behind {
                "delayed"
            } else {
                "on-track"
            };
            let note = NOTES
                .iter()
                .filter(|(s, _)| *s == status)
                .nth((i + version as usize) % 2)
                .or_else(|| NOTES.iter().find(|(s, _)| *s == status))
                .map_or("", |(_, n)| *n);
            let spending = a
                .budget
                .map(|b| b * i64::from(progress) / 100 * if behind { 7 } else { 9 } / 10);
            let quarter = Quarter::from_index(q);
            // Most report in the round, on the 20th of its last month; every
            // seventh activity's organisation reports after the deadline.
            let on_time = time::Date::from_calendar_date(
                quarter.year,
                time::Month::try_from(quarter.q * 3)?,
                20,
            )?;
            let late = (quarter.last_day() + time::Duration::days(25))
                .min(time::OffsetDateTime::now_utc().date() - time::Duration::days(1));
            let at = if i % 7 == 3 { late } else { on_time }
                .midnight()
                .assume_utc();
            let update = sqlx::query_scalar!(
                "insert into status_updates (tenant_id, activity_id, author_id, partner_id, status, progress, note,
                                             spending, based_on_version, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
                editor.tenant_id(),
                a.id,
                author,
                partner,
                status,
                progress,
                note,
                spending,
                version,
                at
            )
            .fetch_one(&mut *conn)
            .await?;
            // The update meets the targets of its quarter and any missed ones
            // before it, unless the activity is behind.
            if !behind {
                sqlx::query!(
                    "insert into update_targets (tenant_id, update_id, occurrence_id)
                     select $1, $2, id from target_occurrences
                     where activity_id = $3 and quarter_index <= $4 and met_at is null",
                    editor.tenant_id(),
                    update,
                    a.id,
                    q
                )
                .execute(&mut *conn)
                .await?;
            }
            let reviewer =
                crate::authz::operator::<crate::authz::ReviewUpdates>(editor.tenant_id());
            crate::features::progress::updates::apply(conn, &reviewer, update)
                .await
                .map_err(|e| anyhow::anyhow!("demo history: {e}"))?;
            version += 1;
            if progress >= 100 {
                break;
            }
            q += 2;
        }
        sqlx::query!(
            "update activities set version = $2 where id = $1",
            a.id,
            version
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
