//! Bulk set-up: partners, committees with their members, and indicators
//! imported from spreadsheets through the router, against real PostgreSQL.

use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::{Client, OBSERVER, Page, SEC, TestApp};

/// Uploads `file` to an import page (`/t/aland/partners/import`…).
async fn upload(client: &mut Client, page: &str, name: &str, file: &str) -> Page {
    client.upload(page, page, name, file.as_bytes()).await
}

/// Presses "Import it all" on a preview.
async fn confirm(client: &mut Client, page: &str, preview: &Page) -> Page {
    let draft = preview
        .attr("input[name=draft]", "value")
        .expect("a confirmation form");
    client
        .post(
            &format!("{page}/apply"),
            &[("csrf", &preview.csrf()), ("draft", &draft)],
        )
        .await
}

fn problems(page: &Page) -> Vec<String> {
    page.texts("table.problems tbody tr")
}

fn changes(page: &Page) -> Vec<String> {
    page.texts("table.changes tbody tr")
}

/// Uploads and confirms a file that must be accepted.
async fn import(client: &mut Client, page: &str, file: &str) {
    let preview = upload(client, page, "file.csv", file).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    let done = confirm(client, page, &preview).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

/// Re-imports `file` and checks that it previews "no changes" and that
/// confirming it writes nothing at all (no audit row).
async fn unchanged(app: &TestApp, client: &mut Client, page: &str, file: &[u8], name: &str) {
    let audit = app.count("select count(*) from audit_log").await;
    let preview = client.upload(page, page, name, file).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(
        preview.texts(".no-changes").len(),
        1,
        "{:?}",
        changes(&preview)
    );
    let done = confirm(client, page, &preview).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("select count(*) from audit_log").await, audit);
}

const PARTNERS: &str = "/t/aland/partners/import";
const PARTNERS_HEADER: &str =
    "acronym,name,other_names,kind,portfolio,portfolio_name,level,constituency";

fn partners_file() -> String {
    format!(
        "{PARTNERS_HEADER}\n\
         MOHR,Ministry of Human Resources,KSM; Kementerian Sumber Manusia,Ministry,Labour,,National,Government\n\
         MOL,Ministry of Labour and Employment,,ministry,,,national,other\n"
    )
}

#[tokio::test]
async fn partners_preview_then_import_all_or_nothing_and_again_nothing() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;

    let preview = upload(&mut sec, PARTNERS, "partners.csv", &partners_file()).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(preview.texts("h1"), vec!["Partners from a spreadsheet"]);
    assert_eq!(
        changes(&preview),
        vec![
            "Partner MOHR New",
            "Partner MOL Changed Name: Ministry of Labour (aland) → Ministry of Labour and Employment",
        ]
    );
    // A preview stores nothing but its draft.
    assert_eq!(app.count("select count(*) from partners").await, 5);
    assert_eq!(app.count("select count(*) from partner_aliases").await, 0);

    // One bad row: nothing of the file is stored, and the problems are
    // said by row and column.
    let bad = format!(
        "{}ILO2,Another office,MOJ,Spaceship,,,national,other\n",
        partners_file()
    );
    let res = upload(&mut sec, PARTNERS, "partners.csv", &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&res),
        vec!["4 Kind “Spaceship” is not one of the choices: write it as the export does."]
    );
    assert!(
        res.attr("input[name=draft]", "value").is_none(),
        "no way to confirm"
    );
    let bad = format!(
        "{}ILO2,Another office,MOJ,Ministry,,,national,other\n",
        partners_file()
    );
    let res = upload(&mut sec, PARTNERS, "partners.csv", &bad).await;
    assert_eq!(
        problems(&res),
        vec![
            "4 Other names and acronyms MOJ already names another partner (its acronym, name or other name)."
        ]
    );
    assert_eq!(app.count("select count(*) from partners").await, 5);

    let done = confirm(&mut sec, PARTNERS, &preview).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.notice().as_deref(), Some("set-up-imported"));
    let list = sec.get(done.raw_location()).await;
    assert_eq!(
        list.texts(".notice"),
        vec!["The rows you confirmed were imported."]
    );
    // The list shows each partner's other names, and leads to the import.
    assert_eq!(
        list.texts(".other-names"),
        vec!["Other names and acronyms: Kementerian Sumber Manusia, KSM"]
    );
    assert_eq!(
        list.attr("a[href='/t/aland/partners/import']", "href")
            .as_deref(),
        Some(PARTNERS)
    );
    assert_eq!(app.count("select count(*) from partners").await, 6);
    assert_eq!(app.count("select count(*) from partner_aliases").await, 2);
    assert_eq!(
        app.count("select count(*) from partners where name = 'Ministry of Labour and Employment'")
            .await,
        1
    );
    // The writes are the form's: the audit history has them.
    assert_eq!(
        app.count("select count(*) from audit_log where object_type = 'partner_aliases'")
            .await,
        2
    );

    // The same file again, and the export as it is, change nothing.
    unchanged(
        &app,
        &mut sec,
        PARTNERS,
        partners_file().as_bytes(),
        "partners.csv",
    )
    .await;
    let csv = sec.get_bytes("/t/aland/partners/import/export.csv").await;
    let text = String::from_utf8_lossy(&csv);
    assert!(text.contains("Other names and acronyms"), "{text}");
    assert!(text.contains("Kementerian Sumber Manusia; KSM"), "{text}");
    unchanged(&app, &mut sec, PARTNERS, &csv, "partners.csv").await;
    let xlsx = sec.get_bytes("/t/aland/partners/import/export.xlsx").await;
    unchanged(&app, &mut sec, PARTNERS, &xlsx, "partners.xlsx").await;
    let template = sec.get_bytes("/t/aland/partners/import/template.csv").await;
    assert_eq!(String::from_utf8_lossy(&template).lines().count(), 1);
}

#[tokio::test]
async fn a_partner_is_led_by_any_of_its_names_in_the_plan_import() {
    let app = TestApp::init().with_aland().with_plan().build().await;
    let nap = app.nap();
    let mut sec = app.signed_in(SEC).await;
    import(&mut sec, PARTNERS, &partners_file()).await;

    let plan = format!("/t/aland/naps/{nap}/import");
    let header = "objective_code,objective_title,outcome_code,outcome_title,activity_code,activity_title,description,lead,supporting,start,end,level,place,budget,currency,targets";
    let file = format!(
        "{header}\n1,Prevention,1.1,People know their rights,1.1.1,Campaign,,ksm,CTU,,,,,,,\n\
         1,Prevention,1.1,People know their rights,1.1.2,Training,,Kementerian Sumber Manusia,,,,,,,,\n"
    );
    let preview = sec.upload(&plan, &plan, "plan.csv", file.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    let draft = preview.attr("input[name=draft]", "value").unwrap();
    let res = sec
        .post(
            &format!("{plan}/apply"),
            &[("csrf", &preview.csrf()), ("draft", &draft)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(
            "select count(*) from activities a join partners p on p.id = a.lead_partner_id \
             where p.acronym = 'MOHR'"
        )
        .await,
        2
    );
    // Written by another of its names, the same lead is no change.
    let again = sec.upload(&plan, &plan, "plan.csv", file.as_bytes()).await;
    assert_eq!(
        again.texts("ul.summary li")[1],
        "0 changed",
        "{:?}",
        again.texts("table.changes tbody tr")
    );
}

#[tokio::test]
async fn the_partner_form_keeps_other_names_and_refuses_another_partners() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;
    let fields = [
        ("acronym", "MOHR"),
        ("name", "Ministry of Human Resources"),
        ("other_names", "KSM\nctu"),
        ("kind", "ministry"),
        ("level", "national"),
        ("constituency", "government"),
    ];
    let page = "/t/aland/partners/new";
    let res = sec.submit(page, page, &fields).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.texts("#f-other_names-error"),
        vec!["ctu already names another partner (its acronym, name or other name)."]
    );
    assert_eq!(res.texts("#f-other_names"), vec!["KSM ctu"]);
    let mut fields = fields;
    fields[2] = ("other_names", "KSM\nMOHR\n");
    let res = sec.submit(page, page, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        app.count("select count(*) from partner_aliases where alias = 'KSM'")
            .await,
        1
    );
    assert_eq!(app.count("select count(*) from partner_aliases").await, 1);
}

const COMMITTEES: &str = "/t/aland/committees/import";

fn committees_file() -> String {
    "committee,kind,meets,meeting_frequency,nested_in,parent,holder,member,email,organisation,role,gender,term_start,term_end,language,interpretation,public_name\n\
     National Oversight Committee,Oversight committee,Every quarter,,,,Person,Ana Ruiz,sec@aland.test,MOL,Chair,Woman,2026-01-01,,,,yes\n\
     National Oversight Committee,,,,,,Post title,Secretary General of the Trade Union Confederation,,CTU,Member,Not stated,2026-01-01,,,,no\n\
     National Oversight Committee,,,,,,Vacant,,,EF,Member,Not stated,2026-01-01,,,,\n\
     National Oversight Committee,,,,,,Organisation only,,,MOJ,Member,Not stated,2026-01-01,,,,\n\
     Working group on recruitment,Sub-group,As needed,,,National Oversight Committee,,,,,,,,,,,\n"
        .to_owned()
}

#[tokio::test]
async fn committees_and_their_members_are_imported_at_once() {
    let app = TestApp::init().with_aland().build().await;
    let mut sec = app.signed_in(SEC).await;

    let bad = format!(
        "{}National Oversight Committee,,,,,,Person,Bo Lind,,MOJ,Boss,Man,2026-01-01,,,,\n\
         National Oversight Committee,,,,,,Person,Cy Ng,,XYZ,Member,,2026-01-01,,,,\n\
         Technical group,Sub-group,,,,Nobody we know,,,,,,,,,,,\n",
        committees_file()
    );
    let res = upload(&mut sec, COMMITTEES, "committees.csv", &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&res),
        vec![
            "7 Role “Boss” is not one of the choices: write it as the export does.",
            "8 Gender Fill in this field.",
            "8 Organisation No partner has the acronym XYZ.",
            "9 Part of (parent committee) No committee is named “Nobody we know”, here or on an earlier row of the file.",
        ]
    );
    assert_eq!(app.count("select count(*) from committees").await, 0);

    let preview = upload(&mut sec, COMMITTEES, "committees.csv", &committees_file()).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(changes(&preview).len(), 6, "{:?}", changes(&preview));
    assert_eq!(app.count("select count(*) from committees").await, 0);
    let done = confirm(&mut sec, COMMITTEES, &preview).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("select count(*) from committees").await, 2);
    assert_eq!(app.count("select count(*) from committee_members").await, 4);
    // The sub-group is part of the committee named on an earlier row.
    assert_eq!(
        app.count(
            "select count(*) from committees c join committees p on p.id = c.parent_id \
             where c.name = 'Working group on recruitment' and p.name = 'National Oversight Committee'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "select count(*) from committee_members where holder = 'organisation' and name = ''"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "select count(*) from committee_members m join users u on u.id = m.user_id \
             where m.seat = 'chair' and m.gender = 'woman' and m.public_name and u.email = 'sec@aland.test'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from committee_members where holder = 'vacant' and gender = 'not-stated'")
            .await,
        1
    );

    unchanged(
        &app,
        &mut sec,
        COMMITTEES,
        committees_file().as_bytes(),
        "c.csv",
    )
    .await;
    let xlsx = sec
        .get_bytes("/t/aland/committees/import/export.xlsx")
        .await;
    unchanged(&app, &mut sec, COMMITTEES, &xlsx, "c.xlsx").await;

    // A member found by e-mail changes role: from → to, and no new seat.
    let moved = committees_file().replace("MOL,Chair,Woman", "MOL,Vice-chair,Woman");
    let preview = upload(&mut sec, COMMITTEES, "committees.csv", &moved).await;
    assert_eq!(
        changes(&preview),
        vec!["Member National Oversight Committee: Ana Ruiz Changed Role: Chair → Vice-chair"]
    );
    let done = confirm(&mut sec, COMMITTEES, &preview).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("select count(*) from committee_members").await, 4);
    assert_eq!(
        app.count("select count(*) from committee_members where seat = 'vice-chair'")
            .await,
        1
    );
}

fn indicators_file() -> String {
    "measures,indicator,unit,kind,baseline,target,responsible,committee\n\
     1.1,People trained,persons,Numbers,0,500,MOL,\n\
     ,Law on forced labour adopted,,Words (qualitative),none,adopted,,\n"
        .to_owned()
}

#[tokio::test]
async fn indicators_are_imported_into_their_nap() {
    let app = TestApp::init().with_aland().with_plan().build().await;
    let nap = app.nap();
    let page = format!("/t/aland/naps/{nap}/indicators/import");
    let mut sec = app.signed_in(SEC).await;

    let bad = format!(
        "{}9.9,Shelters opened,,,0,10,,\n1,Shelter places,,,lots,x,NOPE,\n",
        indicators_file()
    );
    let res = upload(&mut sec, &page, "i.csv", &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&res),
        vec![
            "4 Measures No objective or outcome of this NAP has the code 9.9.",
            "5 Responsible partner No partner has the acronym NOPE.",
        ]
    );
    assert_eq!(app.count("select count(*) from indicators").await, 0);

    let preview = upload(&mut sec, &page, "i.csv", &indicators_file()).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", problems(&preview));
    assert_eq!(
        changes(&preview),
        vec![
            "Indicator People trained New",
            "Indicator Law on forced labour adopted New"
        ]
    );
    let done = confirm(&mut sec, &page, &preview).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        done.raw_location(),
        format!("/t/aland/naps/{nap}/indicators?done=set-up-imported")
    );
    assert_eq!(app.count("select count(*) from indicators").await, 2);
    assert_eq!(
        app.count("select count(*) from indicators where qualitative and nap_id is not null")
            .await,
        1
    );

    unchanged(&app, &mut sec, &page, indicators_file().as_bytes(), "i.csv").await;
    let csv = sec
        .get_bytes(&format!("/t/aland/naps/{nap}/indicators/import/export.csv"))
        .await;
    unchanged(&app, &mut sec, &page, &csv, "i.csv").await;

    let changed = indicators_file().replace("0,500", "0,600");
    let preview = upload(&mut sec, &page, "i.csv", &changed).await;
    assert_eq!(
        changes(&preview),
        vec!["Indicator People trained Changed Target: 500 → 600"]
    );
}

#[tokio::test]
async fn another_tenant_and_an_observer_cannot_import() {
    let app = TestApp::init()
        .with_aland()
        .with_tenant("bland")
        .with_user_of("sec@bland.test", Role::Secretariat, "MOL")
        .build()
        .await;
    let mut sec = app.signed_in(SEC).await;
    let preview = upload(&mut sec, PARTNERS, "partners.csv", &partners_file()).await;
    let draft = preview.attr("input[name=draft]", "value").unwrap();

    // Bland's secretariat: aland's pages are not found, and aland's draft
    // is no draft of bland's.
    let mut other = app.signed_in("sec@bland.test").await;
    assert_eq!(other.get(PARTNERS).await.status, StatusCode::NOT_FOUND);
    let token = other.get("/t/bland/partners/import").await.csrf();
    let res = other
        .post(
            "/t/bland/partners/import/apply",
            &[("csrf", &token), ("draft", &draft)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&res),
        vec!["1 This check was already imported or has expired. Upload the file again."]
    );
    // Bland's own import of the same file touches bland only.
    import(&mut other, "/t/bland/partners/import", &partners_file()).await;
    assert_eq!(
        app.count("select count(*) from partners where acronym = 'MOHR'")
            .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from partners where name like 'Ministry of Labour (aland)'")
            .await,
        1
    );

    // An observer may read partners, not set them up.
    let mut observer = app.signed_in(OBSERVER).await;
    assert_eq!(observer.get(PARTNERS).await.status, StatusCode::FORBIDDEN);
    let token = observer.get("/t/aland/partners").await.csrf();
    let res = observer
        .post(
            "/t/aland/partners/import/apply",
            &[("csrf", &token), ("draft", &draft)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        observer
            .get("/t/aland/committees/import/export.csv")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The secretariat's draft is still there, and still imports.
    let done = confirm(&mut sec, PARTNERS, &preview).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("select count(*) from partners where acronym = 'MOHR'")
            .await,
        2
    );
}
