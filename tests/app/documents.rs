//! The document library: versions, downloads byte for byte, who reads a
//! committee's documents, the public ones, the size limit, and the text of
//! real PDF and Word files (written by LibreOffice) read at upload.

use std::process::Command;

use axum::http::{StatusCode, header};
use nap_oversight::authz::Role;
use nap_oversight::config::ServerConfig;

use crate::common::{Client, OBSERVER, Page, SEC, TestApp};

const MINISTRY: &str = "min@aland.test";
const UNION: &str = "union@aland.test";

async fn app() -> TestApp {
    TestApp::init()
        .with_aland()
        .with_plan()
        .with_user_of(MINISTRY, Role::Ministry, "MOJ")
        .with_user_of(UNION, Role::SocialPartner, "CTU")
        .build()
        .await
}

/// Posts the new-document form with `fields` and `file`.
pub async fn upload(client: &mut Client, fields: &[(&str, &str)], file: (&str, &[u8])) -> Page {
    client
        .upload_form(
            "/t/aland/documents/new",
            "/t/aland/documents",
            fields,
            Some(file),
        )
        .await
}

fn id_of(res: &Page) -> i64 {
    let path = res.location();
    path.trim_start_matches("/t/aland/documents/")
        .split(['?', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{path}"))
}

/// Bytes that are not text and span three chunks.
fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

async fn download(client: &mut Client, path: &str) -> (Page, Vec<u8>) {
    let page = client.get(path).await;
    let bytes = client.get_bytes(path).await;
    (page, bytes)
}

#[tokio::test]
async fn a_document_keeps_every_version_and_downloads_them_as_they_came() {
    let app = app().await;
    let mut sec = app.signed_in(SEC).await;
    let activity = crate::plan::add_activity(
        &mut sec,
        app.nap(),
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Inspect farms"),
            ("lead", "MOL"),
        ],
    )
    .await;
    assert_eq!(activity.status, StatusCode::SEE_OTHER);
    let activity = app.count("select id from activities").await;
    let first = bytes(600 * 1024, 1);
    let res = upload(
        &mut sec,
        &[
            ("title", "Inspection guidance"),
            ("kind", "guidance"),
            ("language", "fr"),
            ("description", "How inspectors\r\nvisit farms"),
            ("visibility", "members"),
            ("activity", &activity.to_string()),
        ],
        ("Décision n°3.pdf", &first),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id = id_of(&res);
    assert_eq!(
        app.count(&format!(
            "select count(*) from document_chunks c join document_versions v on v.id = c.version_id where v.document_id = {id}"
        ))
        .await,
        3,
        "600 KB in chunks of 256 KB"
    );
    // The activity's page lists it, and the NAP was taken from the activity.
    let nap = app.nap();
    let page = sec
        .get(&format!("/t/aland/naps/{nap}/activities/{activity}"))
        .await;
    assert!(page.body.contains("Inspection guidance"), "{}", page.body);
    assert_eq!(
        app.count(&format!("select nap_id from documents where id = {id}"))
            .await,
        nap
    );
    // A second version, by a member of a partner.
    let mut union = app.signed_in(UNION).await;
    let second = bytes(10_000, 2);
    let path = format!("/t/aland/documents/{id}");
    let res = union
        .upload(
            &path,
            &format!("{path}/versions"),
            "Décision n°3 v2.pdf",
            &second,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = union.get(&path).await;
    let versions = page.texts("table.versions tbody tr");
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert!(
        versions[0].contains("Décision n°3 v2.pdf") && versions[0].contains("union@aland.test")
    );
    assert!(versions[1].contains("Décision n°3.pdf"));
    // Each version downloads as it came, as an attachment of a type we chose.
    for (n, expected) in [(1, &first), (2, &second)] {
        let (page, got) = download(&mut union, &format!("{path}/versions/{n}/file")).await;
        assert_eq!(&got, expected, "version {n}");
        let disposition = page.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''D%C3%A9cision"),
            "{disposition}"
        );
        assert_eq!(page.headers[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            page.headers[header::CONTENT_LENGTH],
            expected.len().to_string().as_str()
        );
    }
    // A name the browser called HTML is sent as bytes, never as a page.
    let res = union
        .upload(&path, &format!("{path}/versions"), "page.html", b"<script>")
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = union.get(&format!("{path}/versions/3/file")).await;
    assert_eq!(
        page.headers[header::CONTENT_TYPE],
        "application/octet-stream"
    );
    // Observers read and download, and add nothing.
    let mut observer = app.signed_in(OBSERVER).await;
    let page = observer.get("/t/aland/documents").await;
    assert!(page.body.contains("Inspection guidance"));
    assert!(!page.body.contains("/t/aland/documents/new"));
    let (_, got) = download(&mut observer, &format!("{path}/versions/1/file")).await;
    assert_eq!(got, first);
    assert_eq!(
        observer.get("/t/aland/documents/new").await.status,
        StatusCode::FORBIDDEN
    );
    let res = observer
        .upload(&path, &format!("{path}/versions"), "x.pdf", b"x")
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Only the secretariat and its author change or delete it.
    let res = union
        .submit(
            &path,
            &path,
            &[
                ("title", "Renamed"),
                ("kind", "guidance"),
                ("language", "fr"),
                ("visibility", "members"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = sec
        .submit(&path, &format!("{path}/delete"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(app.count("select count(*) from documents").await, 0);
    assert_eq!(app.count("select count(*) from document_chunks").await, 0);
    // The audit log keeps that it was added, versioned and deleted.
    assert_eq!(
        app.count("select count(*) from audit_log where object_type = 'documents' and action in ('insert', 'delete')")
            .await,
        2
    );
    assert_eq!(
        app.count("select count(*) from audit_log where object_type = 'document_versions' and action = 'insert'")
            .await,
        3
    );
}

#[tokio::test]
async fn a_refused_form_keeps_what_was_typed_and_stores_nothing() {
    let app = app().await;
    let mut sec = app.signed_in(SEC).await;
    let res = upload(
        &mut sec,
        &[
            ("title", ""),
            ("kind", "minutes"),
            ("language", "en"),
            ("description", "Kept as typed"),
            ("visibility", "committee"),
        ],
        ("minutes.pdf", &bytes(300 * 1024, 3)),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Kept as typed"));
    let errors = res.texts(".field-error");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        res.html()
            .select(&scraper::Selector::parse("#f-title[aria-invalid=true]").unwrap())
            .next()
            .is_some()
    );
    assert!(errors.iter().any(|e| e.contains("committee")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("again")), "{errors:?}");
    // No file: said beside the file.
    let res = sec
        .upload_form(
            "/t/aland/documents/new",
            "/t/aland/documents",
            &[
                ("title", "Minutes"),
                ("kind", "minutes"),
                ("language", "en"),
                ("visibility", "members"),
            ],
            Some(("", b"")),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts(".field-error"), vec!["Choose a file.".to_owned()]);
    // A committee that is none of the tenant's is refused beside its field.
    let res = upload(
        &mut sec,
        &[
            ("title", "Minutes"),
            ("kind", "minutes"),
            ("language", "en"),
            ("visibility", "members"),
            ("committee", "999999"),
        ],
        ("m.pdf", b"x"),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.texts("#f-committee-error").len(), 1);
    // A text field is never read whole: one far larger than any form's is 413.
    let res = upload(
        &mut sec,
        &[("title", "T"), ("description", &"x".repeat(100 * 1024))],
        ("m.pdf", b"x"),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    for table in ["documents", "document_versions", "document_chunks"] {
        assert_eq!(
            app.count(&format!("select count(*) from {table}")).await,
            0,
            "{table}"
        );
    }
}

#[tokio::test]
async fn a_committees_own_documents_are_read_by_its_seats_alone_and_public_ones_by_everyone() {
    let app = app().await;
    let mut sec = app.signed_in(SEC).await;
    let committee = crate::meetings::committee(&mut sec, "Oversight board", "quarterly").await;
    let page = format!("/t/aland/committees/{committee}");
    let res = sec
        .submit(
            &page,
            &format!("{page}/members"),
            &[
                ("name", "Mina Istry"),
                ("partner", "MOJ"),
                ("seat", "member"),
                ("gender", "woman"),
                ("email", MINISTRY),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let meeting = crate::meetings::meeting(&mut sec, committee, "2026-03-12 10:00", "Review").await;
    let meeting_id = meeting.rsplit('/').next().unwrap();
    // Minutes for the committee alone, added from the meeting's page.
    let new = sec
        .get(&meeting)
        .await
        .attr("section.documents a", "href")
        .unwrap();
    assert!(
        new.contains("meeting=") && new.contains("kind=minutes"),
        "{new}"
    );
    let res = sec
        .upload_form(
            &new,
            "/t/aland/documents",
            &[
                ("title", "Board minutes"),
                ("kind", "minutes"),
                ("language", "en"),
                ("visibility", "committee"),
                ("meeting", meeting_id),
            ],
            Some(("minutes.txt", b"Decided: more inspectors")),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let minutes = id_of(&res);
    let res = upload(
        &mut sec,
        &[
            ("title", "Leaflet for workers"),
            ("kind", "training"),
            ("language", "en"),
            ("visibility", "public"),
        ],
        ("leaflet.txt", b"Know your rights"),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let leaflet = id_of(&res);
    // The seat's holder reads the minutes, on the meeting's and the
    // committee's pages too; the member without a seat finds nothing.
    let mut holder = app.signed_in(MINISTRY).await;
    assert!(holder.get(&meeting).await.body.contains("Board minutes"));
    assert!(holder.get(&page).await.body.contains("Board minutes"));
    let (_, got) = download(
        &mut holder,
        &format!("/t/aland/documents/{minutes}/versions/1/file"),
    )
    .await;
    assert_eq!(got, b"Decided: more inspectors");
    for who in [UNION, OBSERVER] {
        let mut other = app.signed_in(who).await;
        let list = other.get("/t/aland/documents").await;
        assert!(!list.body.contains("Board minutes"), "{who}");
        assert!(list.body.contains("Leaflet for workers"), "{who}");
        assert!(!other.get(&meeting).await.body.contains("Board minutes"));
        for path in [
            format!("/t/aland/documents/{minutes}"),
            format!("/t/aland/documents/{minutes}/versions/1/file"),
        ] {
            assert_eq!(
                other.get(&path).await.status,
                StatusCode::NOT_FOUND,
                "{who} {path}"
            );
        }
    }
    // The wall is the database's: as the application's role, another
    // member's scope sees neither the document nor its bytes.
    let union_id = app
        .count("select id from users where email = 'union@aland.test'")
        .await;
    let tenant = app
        .count("select id from tenants where slug = 'aland'")
        .await;
    let mut conn = crate::reports::app_role(&app).await;
    sqlx::query(&format!("select set_config('app.user_id', '{union_id}', false), set_config('app.tenant_id', '{tenant}', false)"))
        .execute(&mut conn)
        .await
        .unwrap();
    for table in ["documents", "document_versions", "document_chunks"] {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 1, "{table}: the leaflet's only");
    }
    // The public portal lists the public document only, and sends it.
    sqlx::query("update tenants set public_portal = true where slug = 'aland'")
        .execute(&mut app.owner_conn().await)
        .await
        .unwrap();
    let mut visitor = app.client();
    let list = visitor.get("/p/aland/documents").await;
    assert!(list.body.contains("Leaflet for workers"));
    assert!(!list.body.contains("Board minutes"));
    let (_, got) = download(&mut visitor, &format!("/p/aland/documents/{leaflet}/file")).await;
    assert_eq!(got, b"Know your rights");
    assert_eq!(
        visitor
            .get(&format!("/p/aland/documents/{minutes}/file"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_file_over_the_limit_gets_the_413_page_and_stores_nothing() {
    let config = ServerConfig {
        document_limit: 512 * 1024,
        ..ServerConfig::default()
    };
    let app = TestApp::init()
        .with_aland()
        .with_config(config)
        .build()
        .await;
    let mut sec = app.signed_in(SEC).await;
    let fields = [
        ("title", "Large"),
        ("kind", "other"),
        ("language", "en"),
        ("visibility", "members"),
    ];
    let res = upload(&mut sec, &fields, ("large.bin", &bytes(512 * 1024 + 1, 4))).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.contains("<html"), "the error page");
    for table in ["documents", "document_versions", "document_chunks"] {
        assert_eq!(
            app.count(&format!("select count(*) from {table}")).await,
            0,
            "{table}"
        );
    }
    // A file of the limit exactly is taken.
    let res = upload(&mut sec, &fields, ("large.bin", &bytes(512 * 1024, 4))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // A body far over the limit is refused before it is read.
    let res = upload(&mut sec, &fields, ("huge.bin", &bytes(2 * 1024 * 1024, 5))).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("select count(*) from documents").await, 1);
}

/// `text` written by LibreOffice as `format` (pdf, docx), read back.
pub fn office_file(text: &str, format: &str) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!(
        "nap-documents-{}-{format}-{}",
        std::process::id(),
        text.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("note.txt");
    std::fs::write(&source, text).unwrap();
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            dir.display()
        ))
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(&dir)
        .arg(&source)
        .output()
        .expect("soffice (libreoffice-writer-nogui) is installed by scripts/test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(dir.join(format!("note.{format}"))).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

#[tokio::test]
async fn the_text_of_pdf_and_word_files_is_read_at_upload() {
    let app = app().await;
    let mut sec = app.signed_in(SEC).await;
    let text = "Procès-verbal de la réunion\n\nLa délégation a visité les exploitations de cacao.";
    for format in ["pdf", "docx"] {
        let file = office_file(text, format);
        let res = upload(
            &mut sec,
            &[
                ("title", format),
                ("kind", "minutes"),
                ("language", "fr"),
                ("visibility", "members"),
            ],
            (&format!("pv.{format}"), &file),
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let body: String = sqlx::query_scalar(
            "select v.body from document_versions v join documents d on d.id = v.document_id where d.title = $1",
        )
        .bind(format)
        .fetch_one(&mut app.owner_conn().await)
        .await
        .unwrap();
        for word in ["Procès-verbal", "délégation", "cacao"] {
            assert!(body.contains(word), "{format}: {word} in {body:?}");
        }
    }
}

/// The compiled server takes a 24 MB file and sends it back with its
/// resident memory growing by less than 16 MB (the bar is 50; a
/// server that held the file whole even once would grow by 24): the file
/// streams through in chunks.
#[tokio::test]
async fn a_24_mb_file_streams_through_the_server_in_bounded_memory() {
    use sha2::{Digest, Sha256};
    let server = crate::server::Server::start("documents").await;
    let http = server.sign_in("secretariat@veridia.example").await;
    let new = http
        .get(server.url("/t/veridia/documents/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::server::csrf_of(&new);
    let file = bytes(24 * 1024 * 1024, 6);
    let before = crate::bombs::peak_kb(server.process.id());
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("title", "Training film")
        .text("kind", "training")
        .text("language", "en")
        .text("visibility", "members")
        .part(
            "file",
            reqwest::multipart::Part::bytes(file.clone()).file_name("film.bin"),
        );
    let res = http
        .post(server.url("/t/veridia/documents"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    let page = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let id = page
        .trim_start_matches("/t/veridia/documents/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let got = http
        .get(server.url(&format!("/t/veridia/documents/{id}/versions/1/file")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.len(), file.len());
    assert_eq!(Sha256::digest(&got), Sha256::digest(&file));
    let grown = crate::bombs::peak_kb(server.process.id()).saturating_sub(before);
    eprintln!("24 MB up and down: peak resident memory grew by {grown} kB");
    assert!(grown < 16 * 1024, "grew by {grown} kB");
}
