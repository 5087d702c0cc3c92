//! The demo NAP of Veridia: five years, four objectives, about forty
//! activities with both kinds of time targets. Every sentence is invented.

use sqlx::PgConnection;

use crate::authz::PlanEditor;
use crate::choices::{NapStatus, Theme};
use crate::features::plan::model::{self, ActivityDraft, PlanContext};
use crate::features::plan::naps::{self, NapInput};
use crate::features::plan::quarter::Quarter;

pub const TITLE: &str = "National Action Plan against Forced Labour 2025–2029";

const OBJECTIVES: &[(&str, &str)] = &[
    ("1", "Prevent forced labour before it starts"),
    ("2", "Identify and protect victims"),
    ("3", "Enforce the law and give victims access to remedy"),
    ("4", "Coordinate, measure and share what works"),
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
    ["4.2", "4.2.4", "Study of forced labour risks in supply chains", "UNI", "EF, CTU", "2026Q1", "2027Q4", "national", "35000", "2027Q2"],
    ["4.2", "4.2.5", "Final evaluation of the plan", "MOL", "ILO", "2029Q1", "2029Q4", "national", "40000", "2029Q4"],
];

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
        sdg_targets: "8.7, 8.8, 16.2".to_owned(),
        national_alignment: "National Development Strategy 2021–2030, pillar 3 (decent work for all)".to_owned(),
    };
    let nap_id = naps::insert_nap(editor, conn, &input).await?;
    sqlx::query!("update naps set published = true where id = $1", nap_id)
        .execute(&mut *conn)
        .await?;
    for (code, title) in OBJECTIVES {
        sqlx::query!(
            "insert into objectives (tenant_id, nap_id, code, title) values ($1, $2, $3, $4)",
            editor.tenant_id(),
            nap_id,
            code,
            title
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
            ..ActivityDraft::default()
        };
        let activity = context
            .validate(&draft)
            .map_err(|e| anyhow::anyhow!("demo activity {code} is invalid: {e:?}"))?;
        model::save_activity(editor, conn, &nap, None, &activity).await?;
    }
    // Most past targets were met; every seventh was not, so the grid shows both.
    sqlx::query!(
        "update target_occurrences set met_at = now()
         where activity_id in (select id from activities where nap_id = $1)
           and quarter_index < $2 and id % 7 <> 3",
        nap_id,
        Quarter::current().index()
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
