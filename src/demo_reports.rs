//! Veridia's reporting: two baselines of the plan (last year's as adopted,
//! this year's), last year's annual review, an issued report for the last
//! quarter and a published annual report for last year, each written by the
//! secretariat and issued the way the pages do it.

use sqlx::PgConnection;
use sqlx::types::Json;

use crate::authz::{self, IssueReports};
use crate::features::plan::model;
use crate::features::plan::quarter::Quarter;
use crate::features::reports::render::Narrative;
use crate::features::reports::review::{Answer, QUESTIONS, Review};
use crate::features::reports::{self, baselines};

pub async fn load(conn: &mut PgConnection, tenant_id: i64) -> anyhow::Result<()> {
    let done = sqlx::query_scalar!(r#"select exists (select 1 from reports) as "e!""#)
        .fetch_one(&mut *conn)
        .await?;
    let nap = sqlx::query_scalar!(
        "select id from naps where title = $1",
        crate::demo_plan::TITLE
    )
    .fetch_optional(&mut *conn)
    .await?;
    let (Some(nap), false) = (nap, done) else {
        return Ok(());
    };
    let secretariat =
        sqlx::query_scalar!("select id from users where email = 'secretariat@veridia.example'")
            .fetch_one(&mut *conn)
            .await?;
    let writer = authz::operator::<IssueReports>(tenant_id);
    let this_year = time::OffsetDateTime::now_utc().year();

    // Last year's plan as adopted: without the activity added since, and
    // with the hotline's first budget.
    let mut then = baselines::today(conn, nap).await?;
    then.pop();
    if let Some(hotline) = then.iter_mut().find(|l| l.code == "1.1.4") {
        hotline.budget = Some(60_000);
    }
    sqlx::query!(
        "insert into plan_baselines (tenant_id, nap_id, label, recorded_at, recorded_by, activities)
         values ($1, $2, $3, make_timestamptz($4, 1, 20, 10, 0, 0, 'UTC'), $5, $6)",
        tenant_id,
        nap,
        format!("Yearly plan {}, as adopted", this_year - 1),
        this_year - 1,
        secretariat,
        Json(&then) as _
    )
    .execute(&mut *conn)
    .await?;
    writer
        .record_baseline(
            conn,
            nap,
            &format!("Yearly plan {this_year}, as adopted"),
            secretariat,
        )
        .await?;

    let mut review = Review {
        year: this_year - 1,
        answers: Default::default(),
        lessons: "Quarterly rounds with a firm deadline brought most updates in on time; \
                  the budget lines need the finance ministry at the table."
            .to_owned(),
        issued_on: None,
    };
    for (key, rating) in QUESTIONS.iter().zip([3, 2, 3, 1, 3, 2, 2, 3]) {
        review.answers.insert(
            (*key).to_owned(),
            Answer {
                rating: Some(rating),
                evidence: String::new(),
                comment: String::new(),
            },
        );
    }
    if let Some(a) = review.answers.get_mut("resources") {
        a.evidence = "Spending is reported for fewer than half of the activities.".to_owned();
        a.comment = "Ask every lead for spending with each quarterly update.".to_owned();
    }
    writer.start_review(conn, nap, review.year).await?;
    writer.save_review(conn, nap, &review).await?;
    writer
        .issue_review(conn, nap, review.year, secretariat)
        .await?;

    let nap_row = model::load_nap(conn, nap).await?;
    let last = Quarter::from_index(Quarter::current().index() - 1);
    let year = Quarter::new(this_year - 1, 1).unwrap_or(last);
    for (kind, span, words, publish) in [
        (
            "year",
            (year.index(), year.index() + 3),
            Narrative {
                title: format!("Annual progress report {}", this_year - 1),
                summary: "The first year laid the legal and institutional ground: the referral \
                          mechanism has its procedures and the hotline answers in four languages."
                    .to_owned(),
                achievements: "Standard indicators for identifying victims were agreed by every \
                               partner that meets them."
                    .to_owned(),
                challenges: "Labour inspection in agriculture started late for lack of vehicles."
                    .to_owned(),
                lessons: String::new(),
                recommendations: "The committee asks the Ministry of Finance to join its budget \
                                  review in the first quarter."
                    .to_owned(),
            },
            true,
        ),
        (
            "quarter",
            (last.index(), last.index()),
            Narrative {
                title: format!("Progress report, {}", last.compact()),
                summary: "Most partners reported on time; two organisations were given more time."
                    .to_owned(),
                ..Narrative::default()
            },
            false,
        ),
    ] {
        let id = writer
            .create_report(conn, nap, kind, span, &words.title)
            .await?;
        writer.save_narrative(conn, id, &words).await?;
        let report = reports::load(conn, id).await?;
        let figures = reports::figures_of(conn, tenant_id, &nap_row, &report).await?;
        writer.issue_report(conn, id, &figures, secretariat).await?;
        if publish {
            writer.publish_report(conn, id, true, false, false).await?;
        }
    }
    Ok(())
}
