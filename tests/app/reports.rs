//! Progress reports: the figures of a quarter and a year, issuing (frozen,
//! also against the application role), the three formats in each language,
//! the public copy, baselines and the annual review.

use std::io::Read;
use std::process::Command;

use axum::http::StatusCode;
use sqlx::{Connection, PgConnection};

use crate::common::{Client, OBSERVER, Page, TestApp};
use crate::plan::{led_activity, plan_setup};

/// Three activities: 1.1.1 (MOL) met its 2026Q3 target and has 2026Q4 to
/// come; 1.1.2 (CTU) missed 2026Q2 and 2026Q3; 1.1.3 (EF) starts in 2027.
/// 1.1.1's update (posted today, in 2026Q4) says what was done and spent.
async fn fixture() -> (TestApp, Client, i64) {
    let (app, mut sec, nap) = plan_setup().await;
    led_activity(
        &mut sec,
        nap,
        "1.1.1",
        "MOL",
        &[
            ("targets", "2026Q3, 2026Q4"),
            ("budget", "1000"),
            ("currency", "USD"),
        ],
    )
    .await;
    led_activity(
        &mut sec,
        nap,
        "1.1.2",
        "CTU",
        &[("targets", "2026Q2, 2026Q3")],
    )
    .await;
    led_activity(&mut sec, nap, "1.1.3", "EF", &[("start", "2027Q1")]).await;
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "update target_occurrences set met_at = '2026-09-20' where quarter_index = 2026 * 4 + 2
         and activity_id = (select id from activities where code = '1.1.1')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let a = app
        .count("select id from activities where code = '1.1.1'")
        .await;
    let res = crate::progress::post(
        &mut sec,
        nap,
        a,
        &[
            ("status", "on-track"),
            ("progress", "40"),
            ("note", "Trained forty labour inspectors"),
            ("spending", "250"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = sec
        .submit(
            &format!("/t/aland/naps/{nap}/risks/new"),
            &format!("/t/aland/naps/{nap}/risks/new"),
            &[
                ("challenge", "Inspectors leave"),
                ("likelihood", "3"),
                ("impact", "4"),
                ("mitigation", "Retention pay"),
                ("owner", "MOL"),
                ("state", "open"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    (app, sec, nap)
}

/// Starts a report of `kind` for `period`; the report's path.
async fn start(sec: &mut Client, nap: i64, kind: &str, period: &str) -> String {
    let list = format!("/t/aland/naps/{nap}/reports");
    let res = sec
        .submit(&list, &list, &[("kind", kind), ("period", period)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.location()
}

fn table(page: &Page, caption: &str) -> Vec<String> {
    let html = page.html();
    let tables = scraper::Selector::parse("table.report-table").unwrap();
    let rows = scraper::Selector::parse("tbody tr").unwrap();
    let cap = scraper::Selector::parse("caption").unwrap();
    html.select(&tables)
        .filter(|t| {
            t.select(&cap)
                .next()
                .is_some_and(|c| c.text().collect::<String>() == caption)
        })
        .flat_map(|t| {
            t.select(&rows)
                .map(|r| {
                    r.text()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn bars(page: &Page, caption: &str) -> Vec<String> {
    let html = page.html();
    let figures = scraper::Selector::parse("figure.report-chart").unwrap();
    let rows = scraper::Selector::parse("tr").unwrap();
    html.select(&figures)
        .filter(|f| f.text().collect::<String>().contains(caption))
        .flat_map(|f| {
            f.select(&rows)
                .map(|r| {
                    r.text()
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn a_quarters_and_a_years_report_say_the_plans_figures_number_by_number() {
    let (_app, mut sec, nap) = fixture().await;
    let quarter = start(&mut sec, nap, "quarter", "2026Q3").await;
    let page = sec.get(&quarter).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts(".report-head h1"), ["Progress report, Q3 2026"]);
    assert_eq!(
        page.texts("article.report > p").first().map(String::as_str),
        Some("Of the period's 2 time targets, 1 were met, 1 missed and 0 are pending.")
    );
    assert_eq!(
        bars(&page, "Time targets of the period"),
        ["Met 1", "Missed 1", "Pending 0"]
    );
    assert_eq!(
        bars(&page, "Activities by status"),
        [
            "Not started 1",
            "On track 1",
            "Delayed 0",
            "Completed 0",
            "Cancelled 0"
        ]
    );
    // 1.1.3 starts in 2027: not in the quarter.
    assert_eq!(
        table(&page, "Activities of outcome 1.1"),
        [
            "1.1.1 Inspect farms MOL On track 40% Q3 2026: Met 1,000 USD 250 USD",
            "1.1.2 Inspect farms CTU Not started 0% Q3 2026: Missed",
        ]
    );
    // The note was written in Q4: not a highlight of Q3.
    assert!(table(&page, "Highlights from the partners' updates, outcome 1.1").is_empty());
    assert_eq!(
        table(&page, "Budget and spending to date"),
        ["USD 1,000 250 25%"]
    );
    assert_eq!(
        table(&page, "Risks and their mitigation"),
        ["Inspectors leave 3 4 Retention pay MOL Open"]
    );

    let year = start(&mut sec, nap, "year", "2026").await;
    let page = sec.get(&year).await;
    assert_eq!(
        page.texts(".report-head h1"),
        ["Annual progress report 2026"]
    );
    assert_eq!(
        bars(&page, "Time targets of the period"),
        ["Met 1", "Missed 2", "Pending 1"]
    );
    assert_eq!(
        table(&page, "Activities of outcome 1.1"),
        [
            "1.1.1 Inspect farms MOL On track 40% Q3 2026: Met; Q4 2026: Pending 1,000 USD 250 USD",
            "1.1.2 Inspect farms CTU Not started 0% Q2 2026: Missed; Q3 2026: Missed",
        ]
    );
    let highlights = table(&page, "Highlights from the partners' updates, outcome 1.1");
    assert_eq!(highlights.len(), 1);
    assert!(
        highlights[0].starts_with("1.1.1")
            && highlights[0].ends_with("Trained forty labour inspectors")
    );

    // Outside the plan's years, or not a quarter: said beside the field.
    let list = format!("/t/aland/naps/{nap}/reports");
    let res = sec
        .submit(&list, &list, &[("kind", "quarter"), ("period", "2031Q1")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-period-error"),
        ["This period is outside the plan's years."]
    );
    assert_eq!(res.attr("#f-period", "value").as_deref(), Some("2031Q1"));
    let res = sec
        .submit(&list, &list, &[("kind", "quarter"), ("period", "third")])
        .await;
    assert_eq!(
        res.texts("#f-period-error"),
        ["Write the quarter as 2026Q3."]
    );
}

/// The application's own role, scoped to the tenant, as a request is.
pub async fn app_role(app: &TestApp) -> PgConnection {
    let tenant = app
        .count("select id from tenants where slug = 'aland'")
        .await;
    let mut conn = PgConnection::connect_with(&app.owner).await.unwrap();
    sqlx::query("set role nap_app")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&format!(
        "select set_config('app.tenant_id', '{tenant}', false)"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    conn
}

#[tokio::test]
async fn an_issued_report_keeps_its_figures_whatever_happens_to_the_plan() {
    let (app, mut sec, nap) = fixture().await;
    let report = start(&mut sec, nap, "quarter", "2026Q3").await;
    let res = sec
        .submit(
            &report,
            &report,
            &[
                ("title", "Third quarter 2026"),
                // As browsers send a text area: CR LF; a blank line parts paragraphs.
                (
                    "summary",
                    "Inspections began in earnest.\r\n\r\nTwo regions lag.",
                ),
                ("achievements", ""),
                ("challenges", "Staff turnover."),
                ("lessons", ""),
                ("recommendations", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // An empty title is refused beside the field; what was typed stays.
    let res = sec
        .submit(&report, &report, &[("title", " "), ("summary", "Kept")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-title-error").len(), 1);
    assert_eq!(res.texts("#f-summary"), ["Kept"]);

    let paragraphs = sec.get(&report).await.texts("article.report > p");
    assert_eq!(
        paragraphs[..2],
        ["Inspections began in earnest.", "Two regions lag."]
    );
    let res = sec.submit(&report, &format!("{report}/issue"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let before = sec.get(&report).await;
    assert_eq!(
        before
            .texts(".report-state")
            .first()
            .map(|s| s.starts_with("Report no. 1")),
        Some(true)
    );
    assert!(
        before.texts("form.narrative").is_empty(),
        "an issued report has no narrative form"
    );

    // The plan changes: a new activity with a missed Q3 target, 1.1.2 met.
    led_activity(&mut sec, nap, "1.1.4", "ILO", &[("targets", "2026Q3")]).await;
    let mut conn = app.owner_conn().await;
    sqlx::query("update target_occurrences set met_at = now() where activity_id = (select id from activities where code = '1.1.2')")
        .execute(&mut conn)
        .await
        .unwrap();
    let after = sec.get(&report).await;
    assert_eq!(
        after.texts("article.report"),
        before.texts("article.report")
    );
    assert_eq!(
        bars(&after, "Time targets of the period"),
        ["Met 1", "Missed 1", "Pending 0"]
    );
    // A new draft of the same quarter sees the plan as it is now.
    let draft = start(&mut sec, nap, "quarter", "2026Q3").await;
    assert_eq!(
        bars(&sec.get(&draft).await, "Time targets of the period"),
        ["Met 2", "Missed 1", "Pending 0"]
    );

    // The audit log says who issued it, without its figures.
    assert!(app.count("select count(*) from audit_log where object_type = 'reports' and after ->> 'number' = '1'").await >= 1);
    assert_eq!(app.count("select count(*) from audit_log where object_type = 'reports' and (after ? 'figures' or before ? 'figures')").await, 0);
    let audit = sec.get("/t/aland/audit").await;
    assert!(
        audit.body.contains("the report “Third quarter 2026”"),
        "{}",
        audit.body
    );

    // The application's role cannot alter or delete it; publishing is allowed.
    let mut conn = app_role(&app).await;
    for sql in [
        "update reports set summary = 'rewritten' where number = 1",
        "update reports set figures = '{}' where number = 1",
        "delete from reports where number = 1",
    ] {
        let err = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
        assert!(err.to_string().contains("issued report"), "{sql}: {err}");
    }
    sqlx::query("update reports set published_at = now() where number = 1")
        .execute(&mut conn)
        .await
        .unwrap();
}

fn unzip_document(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // The text of every run (`<w:t>` or `<w:t xml:space="preserve">`), one a line.
    let mut text = String::new();
    for piece in xml.split("<w:t").skip(1) {
        if !(piece.starts_with('>') || piece.starts_with(' ')) {
            continue;
        }
        let Some((_, rest)) = piece.split_once('>') else {
            continue;
        };
        let Some((run, _)) = rest.split_once("</w:t>") else {
            continue;
        };
        let run = run
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        text.push_str(&run);
        text.push('\n');
    }
    text
}

fn pdf_text(bytes: &[u8], dir: &std::path::Path, name: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn docx_and_pdf_hold_the_headings_and_figures_in_each_language() {
    let (_app, mut sec, nap) = fixture().await;
    let report = start(&mut sec, nap, "year", "2026").await;
    sec.submit(
        &report,
        &report,
        &[
            ("title", "Année 2026"),
            ("summary", "Inspections began in earnest."),
        ],
    )
    .await;
    let dir = tempdir();
    for (lang, heading, targets, activities) in [
        (
            "en",
            "Headline figures",
            "1 were met, 2 missed and 1 are pending",
            "Activities by status",
        ),
        (
            "fr",
            "Chiffres clés",
            "1 ont été atteintes, 2 manquées et 1 sont en attente",
            "Activités par état",
        ),
        (
            "es",
            "Cifras principales",
            "1 se cumplieron, 2 no se cumplieron y 1 están pendientes",
            "Actividades por estado",
        ),
    ] {
        let res = sec.get(&format!("{report}/report.docx?lang={lang}")).await;
        assert_eq!(res.status, StatusCode::OK);
        let bytes = sec
            .get_bytes(&format!("{report}/report.docx?lang={lang}"))
            .await;
        let text = unzip_document(&bytes);
        for expected in [
            "Année 2026",
            heading,
            targets,
            activities,
            "Inspections began in earnest.",
            "Trained forty labour inspectors",
            "1.1.2",
        ] {
            assert!(
                text.contains(expected),
                "{lang} DOCX lacks {expected:?}:\n{text}"
            );
        }
        let pdf = sec
            .get_bytes(&format!("{report}/report.pdf?lang={lang}"))
            .await;
        assert!(pdf.starts_with(b"%PDF-"));
        let text = pdf_text(&pdf, &dir, &format!("report-{lang}.pdf"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for expected in [
            "Année 2026",
            heading,
            targets,
            activities,
            "Inspections began in earnest.",
            "1.1.2",
        ] {
            assert!(
                text.contains(expected),
                "{lang} PDF lacks {expected:?}:\n{text}"
            );
        }
        // Fonts travel with the file.
        let fonts = Command::new("pdffonts")
            .arg(dir.join(format!("report-{lang}.pdf")))
            .output()
            .unwrap();
        let fonts = String::from_utf8_lossy(&fonts.stdout).into_owned();
        assert!(
            fonts.lines().skip(2).all(|l| l.contains(" yes ")),
            "{fonts}"
        );
    }
    // Numbers are written the reader's way.
    let fr = unzip_document(
        &sec.get_bytes(&format!("{report}/report.docx?lang=fr"))
            .await,
    );
    assert!(fr.contains("1\u{202f}000 USD"), "{fr}");
    let es = unzip_document(
        &sec.get_bytes(&format!("{report}/report.docx?lang=es"))
            .await,
    );
    assert!(es.contains("1.000 USD"), "{es}");

    // Word users' program opens it: LibreOffice, which scripts/test installs.
    {
        let docx = dir.join("report.docx");
        std::fs::write(
            &docx,
            sec.get_bytes(&format!("{report}/report.docx?lang=fr"))
                .await,
        )
        .unwrap();
        let out = Command::new("soffice")
            .args([
                "--headless",
                "--norestore",
                &format!("-env:UserInstallation=file://{}/lo", dir.display()),
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(&dir)
            .arg(&docx)
            .output()
            .expect("soffice (Debian's libreoffice-writer-nogui, which scripts/test installs)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = pdf_text(
            &std::fs::read(dir.join("report.pdf")).unwrap(),
            &dir,
            "converted.pdf",
        );
        assert!(text.contains("Chiffres clés"), "{text}");
    }
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "nap-report-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

#[tokio::test]
async fn the_public_reads_a_published_report_without_notes_or_spending_unless_chosen() {
    let (app, mut sec, nap) = fixture().await;
    // The portal is open.
    let mut conn = app.owner_conn().await;
    sqlx::raw_sql("update tenants set public_portal = true where slug = 'aland'; update naps set published = true")
        .execute(&mut conn)
        .await
        .unwrap();
    // A confidential record on an activity: no report ever reads it.
    let tenant = app
        .count("select id from tenants where slug = 'aland'")
        .await;
    sqlx::query(&format!(
        "with g as (insert into confidential_groups (tenant_id, name) values ({tenant}, 'Referrals') returning id)
         insert into confidential_records (tenant_id, activity_id, group_id, kind, title, body, created_by)
         select {tenant}, a.id, g.id, 'note', 'Referral of Quillonwise', 'Quillonwise was referred', u.id
         from g, activities a, users u where a.code = '1.1.1' and u.email = 'sec@aland.test'"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let report = start(&mut sec, nap, "year", "2026").await;
    sec.submit(&report, &format!("{report}/issue"), &[]).await;
    assert_eq!(
        app.count("select count(*) from reports where figures::text like '%Quillonwise%'")
            .await,
        0
    );
    let mut public = app.client();
    assert_eq!(
        public.get("/p/aland/reports/1").await.status,
        StatusCode::NOT_FOUND,
        "not published yet"
    );
    // Observers read, but do not publish.
    let mut obs = app.signed_in(OBSERVER).await;
    assert_eq!(obs.get(&report).await.status, StatusCode::OK);
    assert!(obs.get(&report).await.texts("form.publish").is_empty());
    let res = obs
        .submit(
            &report,
            &format!("{report}/publish"),
            &[("published", "on")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let res = sec
        .submit(
            &report,
            &format!("{report}/publish"),
            &[("published", "on")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = public.get("/p/aland/reports/1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Annual progress report 2026"));
    for hidden in [
        "Trained forty labour inspectors",
        "250 USD",
        "Budget and spending",
    ] {
        assert!(!page.body.contains(hidden), "{hidden} is public");
    }
    assert!(page.body.contains("Retention pay"));
    assert_eq!(page.headers["cache-control"], "public, max-age=300");
    let pdf = public
        .get_bytes("/p/aland/reports/1/report.pdf?lang=en")
        .await;
    let text = pdf_text(&pdf, &tempdir(), "public.pdf");
    assert!(
        text.contains("Headline figures") && !text.contains("Trained forty"),
        "{text}"
    );

    sec.submit(
        &report,
        &format!("{report}/publish"),
        &[("published", "on"), ("notes", "on"), ("spending", "on")],
    )
    .await;
    let page = public.get("/p/aland/reports/1").await;
    assert!(page.body.contains("Trained forty labour inspectors") && page.body.contains("250 USD"));
    // Even with everything chosen, no confidential word, on the page or in the PDF.
    assert!(!page.body.contains("Quillonwise"));
    let pdf = public
        .get_bytes("/p/aland/reports/1/report.pdf?lang=en")
        .await;
    let text = pdf_text(&pdf, &tempdir(), "everything.pdf");
    assert!(
        text.contains("Trained forty") && !text.contains("Quillonwise"),
        "{text}"
    );
    // A draft is never public, whatever its number would be.
    start(&mut sec, nap, "quarter", "2026Q3").await;
    assert_eq!(
        public.get("/p/aland/reports/2").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_baseline_comparison_lists_exactly_what_changed() {
    let (app, mut sec, nap) = fixture().await;
    let path = format!("/t/aland/naps/{nap}/baselines");
    let res = sec
        .submit(&path, &path, &[("label", "Yearly plan 2026")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = sec
        .submit(&path, &path, &[("label", "Yearly plan 2026")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-label-error"),
        ["This plan already has a baseline of that name."]
    );

    // Added 1.1.4; dropped 1.1.3; 1.1.1 re-timed and its budget changed; 1.1.2 to EF.
    led_activity(&mut sec, nap, "1.1.4", "ILO", &[]).await;
    let mut conn = app.owner_conn().await;
    for sql in [
        "delete from activities where code = '1.1.3'",
        "update activities set start_quarter = 2026 * 4 + 1, budget = 1500 where code = '1.1.1'",
        "update activities set lead_partner_id = (select id from partners where acronym = 'EF') where code = '1.1.2'",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    let first = app.count("select id from plan_baselines").await;
    let page = sec.get(&format!("{path}?from={first}&to=today")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.texts("table.changes tbody tr"),
        [
            "Added 1.1.4 Inspect farms",
            "Dropped 1.1.3 Inspect farms",
            "Re-timed 1.1.1 Inspect farms … – … Q2 2026 – …",
            "New lead 1.1.2 Inspect farms CTU EF",
            "Budget changed 1.1.1 Inspect farms 1,000 USD 1,500 USD",
        ]
    );
    // A second baseline: nothing changed since.
    sec.submit(&path, &path, &[("label", "Yearly plan 2027")])
        .await;
    let second = app.count("select max(id) from plan_baselines").await;
    let page = sec.get(&format!("{path}?from={second}&to=today")).await;
    assert_eq!(page.texts(".baseline-changes p"), ["Nothing changed."]);
    // A baseline is never changed or deleted, but with its NAP.
    let mut conn = app_role(&app).await;
    for sql in [
        "update plan_baselines set label = 'x'",
        "delete from plan_baselines",
    ] {
        let err = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
        assert!(
            err.to_string().contains("baseline cannot change"),
            "{sql}: {err}"
        );
    }
    // The year's report says what changed since the latest baseline.
    let report = start(&mut sec, nap, "year", "2026").await;
    let page = sec.get(&report).await;
    assert!(
        page.texts(".report h2")
            .contains(&"Changes to the plan since the baseline “Yearly plan 2027”".to_owned())
    );
    // Deleting the NAP takes its baselines, issued reports and reviews.
    let issued = start(&mut sec, nap, "quarter", "2026Q3").await;
    sec.submit(&issued, &format!("{issued}/issue"), &[]).await;
    let reviews = format!("/t/aland/naps/{nap}/annual-reviews");
    sec.submit(&reviews, &reviews, &[("year", "2026")]).await;
    sec.submit(&reviews, &format!("{reviews}/2026/issue"), &[])
        .await;
    assert_eq!(
        app.count("select count(*) from annual_reviews where issued_at is not null")
            .await,
        1
    );
    // (Updates are history the product never deletes: the owner clears them first.)
    sqlx::raw_sql(&format!(
        "delete from update_targets; delete from status_updates; delete from naps where id = {nap}"
    ))
    .execute(&mut app.owner_conn().await)
    .await
    .unwrap();
    assert_eq!(
        app.count("select count(*) from plan_baselines").await
            + app.count("select count(*) from reports").await
            + app.count("select count(*) from annual_reviews").await,
        0
    );
}

#[tokio::test]
async fn an_annual_review_is_saved_issued_and_compared_with_last_years() {
    let (_app, mut sec, nap) = fixture().await;
    let list = format!("/t/aland/naps/{nap}/annual-reviews");
    for year in ["2025", "2026"] {
        let res = sec.submit(&list, &list, &[("year", year)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let res = sec.submit(&list, &list, &[("year", "1900")]).await;
    assert_eq!(
        res.texts("#f-year-error"),
        ["Give a year of the plan, such as 2026."]
    );
    let y2025 = format!("{list}/2025");
    let res = sec
        .submit(
            &y2025,
            &y2025,
            &[
                ("implemented_rating", "2"),
                ("implemented_comment", "Half the activities ran late."),
                ("lessons", "Meet every quarter."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // A rating off the scale is refused beside its question; the rest stays.
    let res = sec
        .submit(
            &y2025,
            &y2025,
            &[
                ("risks_rating", "9"),
                ("risks_evidence", "bell \u{7}"),
                ("lessons", "Typed"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-risks_rating-error"),
        ["Choose a rating from the list."]
    );
    // Beside its own field, whatever the rating says.
    assert_eq!(res.texts("#f-risks_evidence-error").len(), 1);
    assert_eq!(res.texts("#f-lessons"), ["Typed"]);
    sec.submit(&y2025, &format!("{y2025}/issue"), &[]).await;
    let issued = sec.get(&y2025).await;
    assert!(issued.texts("form.review-form").is_empty());
    assert_eq!(
        issued
            .texts("table.review tbody tr")
            .first()
            .map(String::as_str),
        Some("Is the plan implemented as planned? Partly Half the activities ran late.")
    );

    let y2026 = format!("{list}/2026");
    sec.submit(
        &y2026,
        &y2026,
        &[("implemented_rating", "3"), ("lessons", "Rounds work.")],
    )
    .await;
    sec.submit(&y2026, &format!("{y2026}/issue"), &[]).await;
    let page = sec.get(&format!("{list}/compare?a=2025&b=2026")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.texts("table.review-compare tbody tr")
            .first()
            .map(String::as_str),
        Some("Is the plan implemented as planned? Partly Half the activities ran late. Largely")
    );
    // The year's report includes the latest issued review.
    let report = start(&mut sec, nap, "year", "2026").await;
    let page = sec.get(&report).await;
    assert!(
        page.texts(".report h2")
            .contains(&"The committee's annual review 2026".to_owned())
    );
}

#[tokio::test]
async fn the_demo_has_issued_and_published_reports_two_baselines_and_a_review() {
    let app = TestApp::init().with_demo().build().await;
    assert_eq!(app.count("select count(*) from plan_baselines").await, 2);
    assert_eq!(
        app.count("select count(*) from annual_reviews where issued_at is not null")
            .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from reports where number is not null")
            .await,
        2
    );
    let mut sec = app.signed_in("secretariat@veridia.example").await;
    let nap = app
        .count(
            "select id from naps where tenant_id = (select id from tenants where slug = 'veridia')",
        )
        .await;
    let list = sec.get(&format!("/t/veridia/naps/{nap}/reports")).await;
    assert_eq!(
        list.texts("table.reports tbody tr").len(),
        2,
        "{}",
        list.body
    );
    // Last year's annual report is public, with last year's review and no spending.
    let year = time::OffsetDateTime::now_utc().year() - 1;
    let page = app.client().get("/p/veridia/reports/1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.texts(".report-head h1"),
        [format!("Annual progress report {year}")]
    );
    assert!(
        page.texts(".report h2")
            .contains(&format!("The committee's annual review {year}"))
    );
    assert!(!page.body.contains("Budget and spending"));
    // The quarter's report is issued, not published.
    assert_eq!(
        app.client().get("/p/veridia/reports/2").await.status,
        StatusCode::NOT_FOUND
    );
    // The baselines differ by the activity added since and the hotline's budget.
    let baselines = format!("/t/veridia/naps/{nap}/baselines");
    let first = app.count("select min(id) from plan_baselines").await;
    let second = app.count("select max(id) from plan_baselines").await;
    let page = sec
        .get(&format!("{baselines}?from={first}&to={second}"))
        .await;
    let rows = page.texts("table.changes tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].starts_with("Added") && rows[1].starts_with("Budget changed 1.1.4"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn the_periods_decisions_action_points_and_indicator_values_reach_the_report() {
    let (app, mut sec, nap) = fixture().await;
    let steering = crate::meetings::committee(&mut sec, "Steering committee", "quarterly").await;
    let other = crate::meetings::committee(&mut sec, "Another plan's group", "quarterly").await;
    let tenant = app
        .count("select id from tenants where slug = 'aland'")
        .await;
    let mut conn = app.owner_conn().await;
    sqlx::query(&format!("insert into committee_naps (tenant_id, committee_id, nap_id) values ({tenant}, {steering}, {nap})"))
        .execute(&mut conn)
        .await
        .unwrap();
    let decide = async |sec: &mut Client, meeting: &str, text: &str| {
        let res = sec
            .submit(meeting, &format!("{meeting}/decisions"), &[("text", text)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    };
    let august =
        crate::meetings::meeting(&mut sec, steering, "2026-08-14 10:00", "Inspections").await;
    decide(&mut sec, &august, "Adopt the inspection plan").await;
    crate::meetings::action(
        &mut sec,
        &august,
        "Send the plan to the regions",
        "MOL",
        "2026-09-30",
    )
    .await;
    let october = crate::meetings::meeting(&mut sec, steering, "2026-10-20 10:00", "Review").await;
    decide(&mut sec, &october, "Extend inspections to fisheries").await;
    let elsewhere = crate::meetings::meeting(&mut sec, other, "2026-08-20 10:00", "Other").await;
    decide(&mut sec, &elsewhere, "Not this plan's business").await;
    // An indicator of outcome 1.1 with a value in Q3 and one in 2025.
    let indicator: i64 = sqlx::query_scalar(&format!(
        "insert into indicators (tenant_id, outcome_id, name, unit, baseline, target)
         select {tenant}, id, 'Farms inspected', 'farms', '10', '50' from outcomes where code = '1.1' returning id"
    ))
    .fetch_one(&mut conn)
    .await
    .unwrap();
    sqlx::query(&format!(
        "insert into indicator_values (tenant_id, indicator_id, year, quarter, value, entered_by)
         select {tenant}, {indicator}, y, q, v, (select id from users where email = 'sec@aland.test')
         from (values (2026, 3, 25), (2025, 4, 12)) as t (y, q, v)"
    ))
    .execute(&mut conn)
    .await
    .unwrap();

    let quarter = start(&mut sec, nap, "quarter", "2026Q3").await;
    let page = sec.get(&quarter).await;
    assert_eq!(
        table(&page, "Decisions of the committee"),
        ["Steering committee 14 Aug 2026 1 Adopt the inspection plan"]
    );
    assert_eq!(
        table(&page, "Action points"),
        ["Steering committee Send the plan to the regions MOL 30 Sep 2026"]
    );
    assert_eq!(
        table(&page, "Indicators of outcome 1.1"),
        ["Farms inspected (farms) 10 50 Q3 2026: 25"]
    );
    let year = start(&mut sec, nap, "year", "2026").await;
    let page = sec.get(&year).await;
    assert_eq!(table(&page, "Decisions of the committee").len(), 2);

    // The minutes are not published: the public copy leaves the decisions out.
    sqlx::raw_sql("update tenants set public_portal = true where slug = 'aland'; update naps set published = true")
        .execute(&mut conn)
        .await
        .unwrap();
    sec.submit(&quarter, &format!("{quarter}/issue"), &[]).await;
    sec.submit(
        &quarter,
        &format!("{quarter}/publish"),
        &[("published", "on")],
    )
    .await;
    let public = app.client().get("/p/aland/reports/1").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        !public.body.contains("Adopt the inspection plan")
            && !public.body.contains("Send the plan")
    );
    assert!(public.body.contains("Farms inspected"));
    // Minutes published after the report was issued: their decisions show;
    // withdrawn again, they go.
    let res = sec
        .submit(
            &august,
            &format!("{august}/minutes"),
            &[("minutes", "We adopted the plan.")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    for (answer, shown) in [("yes", true), ("no", false)] {
        let res = sec
            .submit(
                &august,
                &format!("{august}/minutes/publish"),
                &[("publish", answer)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let public = app.client().get("/p/aland/reports/1").await;
        assert_eq!(
            public.body.contains("Adopt the inspection plan"),
            shown,
            "{answer}"
        );
        assert_eq!(
            public.body.contains("Send the plan to the regions"),
            shown,
            "{answer}"
        );
        // The PDF a visitor gets too, though the server keeps public PDFs.
        for _ in 0..2 {
            let pdf = app
                .client()
                .get_bytes("/p/aland/reports/1/report.pdf?lang=en")
                .await;
            let text = pdf_text(&pdf, &tempdir(), "public.pdf");
            assert_eq!(
                text.contains("Adopt the inspection plan"),
                shown,
                "{answer}: {text}"
            );
        }
    }
    // A report of a NAP the tenant does not publish is not public either.
    sqlx::query("update naps set published = false")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        app.client().get("/p/aland/reports/1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn two_issued_reports_compare_figure_by_figure() {
    let (app, mut sec, nap) = fixture().await;
    let q2 = start(&mut sec, nap, "quarter", "2026Q2").await;
    sec.submit(&q2, &format!("{q2}/issue"), &[]).await;
    let q3 = start(&mut sec, nap, "quarter", "2026Q3").await;
    sec.submit(&q3, &format!("{q3}/issue"), &[]).await;
    let (a, b) = (
        app.count("select id from reports where number = 1").await,
        app.count("select id from reports where number = 2").await,
    );
    // The list offers the comparison once two are issued.
    let list = sec.get(&format!("/t/aland/naps/{nap}/reports")).await;
    assert_eq!(list.texts("form.compare-form select#f-a option").len(), 2);
    let page = sec
        .get(&format!("/t/aland/naps/{nap}/reports/compare?a={a}&b={b}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let rows = page.texts("table.report-compare tbody tr");
    // Q2: 1.1.2's target missed; Q3: 1.1.1's met and 1.1.2's missed.
    assert_eq!(rows[0], "Met 0 1 +1");
    assert_eq!(rows[1], "Missed 1 1 0");
    assert_eq!(rows[2], "Pending 0 0 0");
    // A draft, or a report of another NAP, is not compared.
    let draft = start(&mut sec, nap, "quarter", "2026Q4").await;
    let draft: i64 = draft.rsplit('/').next().unwrap().parse().unwrap();
    let res = sec
        .get(&format!(
            "/t/aland/naps/{nap}/reports/compare?a={a}&b={draft}"
        ))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = sec
        .get(&format!(
            "/t/aland/naps/{}/reports/compare?a={a}&b={b}",
            nap + 1000
        ))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}
