//! Hostile input: script-like text typed into the forms must come back as
//! text, never as markup.

use axum::http::StatusCode;
use scraper::{Html, Selector};

use crate::plan::{add_activity, plan_setup};

/// About fifty classic injection payloads.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\" onmouseover=\"alert(1)",
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "<scr<script>ipt>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<isindex action=javascript:alert(1) type=image>",
    "<marquee onstart=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">",
    "<base href=javascript:alert(1)//>",
    "{{7*7}}",
    "${alert(1)}",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<!--<script>alert(1)--></script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<audio src=x onerror=alert(1)>",
    "<select onfocus=alert(1) autofocus>",
    "<textarea onfocus=alert(1) autofocus>",
    "<keygen onfocus=alert(1) autofocus>",
    "<frameset onload=alert(1)>",
    "<table background=javascript:alert(1)>",
    "<img src=\"x` `<script>alert(1)</script>\"` `>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "\"><svg/onload=alert(1)>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<x onclick=alert(1)>click",
    "\u{202e}<script>alert(1)</script>",
];

/// Elements and attributes that only an injection could have put there:
/// our pages have no script, image, frame or inline event handler at all.
fn injected(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut found = Vec::new();
    for tag in [
        "script",
        "img",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "frameset",
        "marquee",
        "base",
        "style",
        "meta[http-equiv]",
        "x",
        "math",
        "keygen",
        "isindex",
    ] {
        let sel = Selector::parse(tag).unwrap();
        if doc.select(&sel).next().is_some() {
            found.push(tag.to_owned());
        }
    }
    let all = Selector::parse("*").unwrap();
    for el in doc.select(&all) {
        for (name, value) in el.value().attrs() {
            let v = value.trim().to_ascii_lowercase();
            // A typed value kept in a form field is text, not a link.
            let url_attr = matches!(
                name,
                "href"
                    | "src"
                    | "action"
                    | "formaction"
                    | "data"
                    | "background"
                    | "poster"
                    | "xlink:href"
            );
            if name.starts_with("on")
                || (url_attr && v.starts_with("javascript:"))
                || name == "style"
            {
                found.push(format!("{}[{name}={value}]", el.value().name()));
            }
        }
    }
    found
}

#[tokio::test]
async fn fifty_payloads_through_the_forms_inject_nothing() {
    let (app, mut sec, nap) = plan_setup().await;
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let code = format!("1.1.{}", i + 1);
        let res = add_activity(
            &mut sec,
            nap,
            &[
                ("outcome", "1.1"),
                ("code", &code),
                ("title", payload),
                ("description", payload),
                ("place", payload),
            ],
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{payload}: {}",
            res.status
        );
    }
    let first = app.count("select min(id) from activities").await;
    let activity = format!("/t/aland/naps/{nap}/activities/{first}");
    for payload in PAYLOADS {
        assert_eq!(
            sec.submit(
                &activity,
                &format!("{activity}/comments"),
                &[("body", payload)]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        let risks = format!("/t/aland/naps/{nap}/risks/new");
        assert_eq!(
            sec.submit(
                &risks,
                &risks,
                &[
                    ("challenge", payload),
                    ("likelihood", "3"),
                    ("impact", "3"),
                    ("state", "open"),
                    ("mitigation", payload)
                ]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
    }
    let res = sec
        .submit(
            "/t/aland/committees",
            "/t/aland/committees",
            &[
                ("name", PAYLOADS[1]),
                ("kind", "oversight"),
                ("nested_in", PAYLOADS[2]),
            ],
        )
        .await;
    let committee = res.location().to_owned();
    for payload in PAYLOADS.iter().take(10) {
        sec.submit(
            &committee,
            &format!("{committee}/members"),
            &[
                ("name", payload),
                ("seat", "member"),
                ("gender", "woman"),
                ("interpretation", payload),
            ],
        )
        .await;
    }
    sec.submit(
        &format!("/t/aland/naps/{nap}"),
        &format!("/t/aland/naps/{nap}/publish"),
        &[],
    )
    .await;

    let mut checked = 0;
    for page in [
        activity.clone(),
        format!("/t/aland/naps/{nap}"),
        format!("/t/aland/naps/{nap}/plan"),
        format!("/t/aland/naps/{nap}/dashboard"),
        format!("/t/aland/naps/{nap}/risks"),
        format!("/t/aland/naps/{nap}/activities?only=stale"),
        format!("/t/aland/naps/{nap}/guideline"),
        format!("/t/aland/naps/{nap}/activities/{first}/edit"),
        "/t/aland/committees".to_owned(),
        committee.clone(),
        "/t/aland/audit".to_owned(),
        format!("/p/aland/naps/{nap}"),
    ] {
        let res = sec.get(&page).await;
        assert_eq!(res.status, StatusCode::OK, "{page}");
        let found = injected(&res.body);
        assert!(found.is_empty(), "{page}: injected {found:?}");
        checked += 1;
    }
    // The payloads are there, as text.
    let shown = sec.get(&activity).await;
    assert!(
        shown
            .texts(".comments li")
            .iter()
            .any(|c| c.contains("<script>alert(1)</script>"))
    );
    assert_eq!(checked, 12);
}

/// A path with its numbers replaced, so that one of each kind of page or
/// form stands for all the others.
fn shape(path: &str) -> String {
    // A quarter in the address (a round's "2026Q3") is one kind of page too.
    let quarter = |part: &str| {
        part.len() == 6 && part[..4].chars().all(|c| c.is_ascii_digit()) && part[4..5] == *"Q"
    };
    path.split('/')
        .map(|part| {
            if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) {
                "N"
            } else if quarter(part) {
                "Q"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Pages worth following: this tenant's signed-in and public HTML pages.
fn followable(href: &str) -> Option<String> {
    let path = href.split('#').next()?;
    let keep = (path.starts_with("/t/veridia/")
        || path.starts_with("/p/veridia/")
        || path.starts_with("/profile"))
        && ![".csv", ".xlsx", ".ics", ".pdf", ".docx", "/file"]
            .iter()
            .any(|end| path.split('?').next().unwrap_or(path).ends_with(end));
    keep.then(|| path.to_owned())
}

/// A valid value for a free-text field that the form left empty.
fn valid_text(name: &str) -> &'static str {
    match name {
        "starts_at" => "2026-05-04 10:00",
        "period" => "2026",
        "term_start" => "2026-01-01",
        "value" | "baseline" => "3",
        "target" => "10",
        "code" => "9",
        "acronym" => "SWP",
        "name" | "title" | "text" => "Sweep",
        _ => "",
    }
}

/// One POST form of a page: where it goes, how, and its fields.
struct FormSpec {
    action: String,
    multipart: bool,
    /// (name, value, whether it takes free text)
    fields: Vec<(String, String, bool)>,
    /// The fields that take a number (typed as one, or named for one).
    numeric: Vec<String>,
    /// The fields that offer a closed list.
    selects: Vec<String>,
}

/// Text fields that hold a number.
const NUMERIC_NAMES: [&str; 7] = [
    "budget", "spending", "baseline", "target", "value", "progress", "quorum",
];

fn forms_of(html: &str) -> Vec<FormSpec> {
    let doc = Html::parse_document(html);
    let form_sel = Selector::parse("form[method=post]").unwrap();
    let field_sel = Selector::parse("input[name], textarea[name], select[name]").unwrap();
    let option_sel = Selector::parse("option").unwrap();
    let mut forms = Vec::new();
    for form in doc.select(&form_sel) {
        let Some(action) = form.value().attr("action") else {
            continue;
        };
        let action = action.split('?').next().unwrap_or(action).to_owned();
        let multipart = form.value().attr("enctype") == Some("multipart/form-data");
        let mut fields = Vec::new();
        let mut numeric = Vec::new();
        let mut selects = Vec::new();
        for field in form.select(&field_sel) {
            let el = field.value();
            let name = el.attr("name").unwrap().to_owned();
            if el.attr("type") == Some("number") || NUMERIC_NAMES.contains(&name.as_str()) {
                numeric.push(name.clone());
            }
            let value = el.attr("value").unwrap_or("").to_owned();
            let (value, text) = match (el.name(), el.attr("type").unwrap_or("text")) {
                ("textarea", _) => (String::new(), true),
                ("select", _) => {
                    selects.push(name.clone());
                    let options: Vec<_> = field.select(&option_sel).collect();
                    // The selected option, else the first real choice, as a
                    // person would pick; a portfolio only ministries have.
                    let chosen = options
                        .iter()
                        .find(|o| o.value().attr("selected").is_some())
                        .or_else(|| {
                            options.iter().find(|o| {
                                name != "portfolio" && o.value().attr("value") != Some("")
                            })
                        })
                        .or(options.first());
                    let value = chosen
                        .map(|o| {
                            o.value()
                                .attr("value")
                                .map(str::to_owned)
                                .unwrap_or_else(|| o.text().collect())
                        })
                        .unwrap_or_default();
                    (value, false)
                }
                (_, "text" | "search") => (value, true),
                (_, "hidden") => (value, false),
                (_, "number") if !value.is_empty() => (value, false),
                (_, "number") => match name.as_str() {
                    "start_year" => ("2025".to_owned(), false),
                    "end_year" => ("2029".to_owned(), false),
                    _ => ("3".to_owned(), false),
                },
                (_, "email") if !value.is_empty() || el.attr("required").is_none() => {
                    (value, false)
                }
                (_, "password") => ("sweep correct horse battery staple 42".to_owned(), false),
                (_, "date") if !value.is_empty() => (value, false),
                (_, "date") => ("2026-05-04".to_owned(), false),
                (_, "time") => ("10:00".to_owned(), false),
                (_, "datetime-local") => ("2026-05-04T10:00".to_owned(), false),
                (_, "email") => ("sweep@veridia.test".to_owned(), false),
                (_, "url") => ("https://example.org/report".to_owned(), false),
                (_, "checkbox" | "radio") => {
                    if el.attr("checked").is_some() {
                        (
                            if value.is_empty() {
                                "on".to_owned()
                            } else {
                                value
                            },
                            false,
                        )
                    } else {
                        continue;
                    }
                }
                _ => continue,
            };
            fields.push((name, value, text));
        }
        forms.push(FormSpec {
            action,
            multipart,
            fields,
            numeric,
            selects,
        });
    }
    forms
}

/// Each message beside a field is announced with it: the field is marked
/// invalid and described by the message.
fn errors_are_tied_to_their_fields(action: &str, html: &str) {
    let doc = Html::parse_document(html);
    let messages = Selector::parse(".field-error[id]").unwrap();
    let invalid = Selector::parse("[aria-invalid=true][aria-describedby]").unwrap();
    let described: Vec<&str> = doc
        .select(&invalid)
        .flat_map(|el| {
            el.value()
                .attr("aria-describedby")
                .unwrap()
                .split_whitespace()
        })
        .collect();
    for message in doc.select(&messages) {
        let id = message.value().attr("id").unwrap();
        assert!(
            described.contains(&id),
            "{action}: no invalid field is described by #{id}"
        );
    }
}

/// Every page the secretariat can reach from its overview, each kind of
/// page `per_shape` times at most.
async fn crawl(client: &mut crate::common::Client, per_shape: usize) -> Vec<(String, String)> {
    let mut seen = std::collections::HashSet::new();
    let mut shapes: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([
        "/t/veridia/".to_owned(),
        "/p/veridia/".to_owned(),
        "/profile".to_owned(),
    ]);
    let link = Selector::parse("a[href]").unwrap();
    let mut pages = Vec::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let count = shapes.entry(shape(&path)).or_default();
        if *count >= per_shape {
            continue;
        }
        *count += 1;
        let res = client.get(&path).await;
        assert!(
            res.status == StatusCode::OK || res.status == StatusCode::FORBIDDEN,
            "{path}: {}",
            res.status
        );
        if res.status != StatusCode::OK {
            continue;
        }
        for a in res.html().select(&link) {
            if let Some(next) = a.value().attr("href").and_then(followable) {
                queue.push_back(next);
            }
        }
        pages.push((path, res.body));
    }
    pages
}

/// Sends one form with these values; the answer, refusals included, must be
/// neither a server error nor carry injected markup.
async fn send(
    sec: &mut crate::common::Client,
    form: &FormSpec,
    values: &[(String, String)],
    token: &str,
) -> crate::common::Page {
    let mut pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let res = if form.multipart {
        // A file too (the library takes none without), named like a payload.
        let file = ("<img src=x onerror=alert(1)>.txt", b"payload".as_slice());
        sec.upload_form("/profile", &form.action, &pairs, Some(file))
            .await
    } else {
        pairs.push(("csrf", token));
        sec.post(&form.action, &pairs).await
    };
    assert!(
        !res.status.is_server_error(),
        "{} answered {}",
        form.action,
        res.status
    );
    if res.status == StatusCode::UNPROCESSABLE_ENTITY {
        errors_are_tied_to_their_fields(&form.action, &res.body);
    }
    let found = injected(&res.body);
    assert!(
        found.is_empty(),
        "{} answer: injected {found:?}",
        form.action
    );
    res
}

/// Every free-text field of every form the secretariat and a confidential
/// group's keeper can reach, filled with every payload; then every page,
/// and every refusal, parsed for injected markup.
#[tokio::test]
async fn every_text_field_of_every_form_takes_every_payload_as_text() {
    let app = crate::common::TestApp::init().with_demo().build().await;
    // The secretariat also keeps the confidential records, to reach their form.
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "insert into confidential_group_members (tenant_id, group_id, user_id)
         select g.tenant_id, g.id, u.id from confidential_groups g, users u
         where u.email = 'secretariat@veridia.example'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let mut sec = app.signed_in("secretariat@veridia.example").await;

    // One form of each kind, from the pages as the demo has them.
    let mut forms: Vec<(String, FormSpec)> = Vec::new();
    let mut kinds = std::collections::HashSet::new();
    for (path, body) in crawl(&mut sec, 2).await {
        for form in forms_of(&body) {
            let skip = [
                "/logout",
                "/profile/password",
                "/profile/two-factor",
                "/login",
            ]
            .iter()
            .any(|s| form.action.starts_with(s));
            if skip || !form.fields.iter().any(|f| f.2) || !kinds.insert(shape(&form.action)) {
                continue;
            }
            forms.push((path.clone(), form));
        }
    }
    let fields: usize = forms
        .iter()
        .map(|(_, f)| f.fields.iter().filter(|f| f.2).count())
        .sum();
    assert!(forms.len() >= 25, "only {} forms found", forms.len());

    let token = sec.get("/profile").await.csrf();
    let mut sent = 0;
    let mut stored = std::collections::BTreeMap::new();
    for (_, form) in &forms {
        for round in 0..PAYLOADS.len() {
            let mut text_index = 0;
            let values: Vec<(String, String)> = form
                .fields
                .iter()
                .filter(|(name, _, _)| name != "csrf")
                .map(|(name, value, text)| {
                    if *text {
                        text_index += 1;
                        // Each field gets every payload; fields of one form get different ones.
                        let payload = PAYLOADS[(round + text_index) % PAYLOADS.len()];
                        (name.clone(), payload.to_owned())
                    } else {
                        (name.clone(), value.clone())
                    }
                })
                .collect();
            let res = send(&mut sec, form, &values, &token).await;
            sent += 1;
            if res.status == StatusCode::SEE_OTHER {
                *stored.entry(shape(&form.action)).or_insert(0) += 1;
            }
        }
    }

    // Second pass, so that forms with strictly checked fields (codes, dates,
    // amounts) store too: one payload at a time, the other fields holding
    // what the form showed or a valid value.
    for (_, form) in &forms {
        let texts: Vec<usize> = (0..form.fields.len())
            .filter(|i| form.fields[*i].2)
            .collect();
        for (n, target) in texts.iter().enumerate() {
            let payload = PAYLOADS[(n * 7 + form.action.len()) % PAYLOADS.len()];
            let values: Vec<(String, String)> = form
                .fields
                .iter()
                .enumerate()
                .filter(|(_, (name, _, _))| name != "csrf")
                .map(|(i, (name, value, text))| {
                    let value = if i == *target {
                        payload.to_owned()
                    } else if *text && value.is_empty() {
                        valid_text(name).to_owned()
                    } else {
                        value.clone()
                    };
                    (name.clone(), value)
                })
                .collect();
            let res = send(&mut sec, form, &values, &token).await;
            sent += 1;
            if res.status == StatusCode::SEE_OTHER {
                *stored.entry(shape(&form.action)).or_insert(0) += 1;
            }
        }
    }

    // Then every page, now full of payloads, parsed.
    let mut pages = crawl(&mut sec, 12).await;
    // Above all the pages the forms came from: they show what was stored.
    for (page, _) in &forms {
        let res = sec.get(page).await;
        assert_eq!(res.status, StatusCode::OK, "{page}");
        pages.push((page.clone(), res.body));
    }
    for (path, body) in &pages {
        let found = injected(body);
        assert!(found.is_empty(), "{path}: injected {found:?}");
    }
    let mut visitor = app.client();
    let public = visitor.get("/p/veridia/").await;
    assert!(injected(&public.body).is_empty());
    eprintln!(
        "xss sweep: {} forms, {fields} text fields, {} payloads each, {sent} submissions, {} pages parsed; stored: {stored:?}",
        forms.len(),
        PAYLOADS.len(),
        pages.len()
    );
    // Nearly every kind of form stored payloads, so the pages above show
    // them (an indicator's value form has only a period and a number; a new
    // report, only a kind and a period; a new annual review, only a year).
    assert!(stored.len() + 4 >= forms.len(), "{stored:?}");
    assert!(pages.len() > 50);
}

/// NUL bytes, control characters and numbers past any plan through every
/// form the secretariat can reach: never a 500, and afterwards no stored
/// text holds a control character and updates still land.
#[tokio::test]
async fn nul_control_characters_and_extreme_numbers_through_every_form() {
    let app = crate::common::TestApp::init().with_demo().build().await;
    let mut sec = app.signed_in("secretariat@veridia.example").await;
    let mut forms: Vec<FormSpec> = Vec::new();
    let mut kinds = std::collections::HashSet::new();
    for (_, body) in crawl(&mut sec, 2).await {
        for form in forms_of(&body) {
            let skip = [
                "/logout",
                "/profile/password",
                "/profile/two-factor",
                "/login",
            ]
            .iter()
            .any(|s| form.action.starts_with(s));
            if !skip && kinds.insert(shape(&form.action)) {
                forms.push(form);
            }
        }
    }
    assert!(forms.len() >= 30, "only {} forms found", forms.len());
    let token = sec.get("/profile").await.csrf();
    // (name, a valid value, whether it takes free text)
    let defaults = |form: &FormSpec| -> Vec<(String, String, bool)> {
        form.fields
            .iter()
            .filter(|(name, _, _)| name != "csrf")
            .map(|(name, value, text)| {
                let value = if *text && value.is_empty() {
                    valid_text(name).to_owned()
                } else {
                    value.clone()
                };
                (name.clone(), value, *text)
            })
            .collect()
    };
    let mut sent = 0;
    let mut numbers = 0;
    let mut refused_choices = 0;
    for form in &forms {
        // Each closed list in turn, with a choice it never offered: refused
        // beside that list, which says so to a screen reader.
        for field in &form.selects {
            let values: Vec<(String, String)> = defaults(form)
                .into_iter()
                .map(|(name, value, _)| {
                    let value = if name == *field {
                        "no-such-choice".to_owned()
                    } else {
                        value
                    };
                    (name, value)
                })
                .collect();
            let res = send(&mut sec, form, &values, &token).await;
            sent += 1;
            if res.status == StatusCode::UNPROCESSABLE_ENTITY
                && res.body.contains(&format!("id=\"f-{field}-error\""))
            {
                refused_choices += 1;
            }
        }
        // Every text field at once: a NUL byte, then other control characters.
        for bad in ["a\0b", "bell\u{7} and esc\u{1b}[2J", "\u{7f}"] {
            let values: Vec<(String, String)> = defaults(form)
                .into_iter()
                .map(|(name, value, text)| (name, if text { bad.to_owned() } else { value }))
                .collect();
            send(&mut sec, form, &values, &token).await;
            sent += 1;
        }
        // Each number field in turn, past any bound.
        for field in &form.numeric {
            for extreme in [
                "9223372036854775807",
                "-9223372036854775808",
                "99999999999999999999999",
                "1e308",
                "-1e308",
                "NaN",
                "-1",
            ] {
                let values: Vec<(String, String)> = defaults(form)
                    .into_iter()
                    .map(|(name, value, _)| {
                        let value = if name == *field {
                            extreme.to_owned()
                        } else {
                            value
                        };
                        (name, value)
                    })
                    .collect();
                send(&mut sec, form, &values, &token).await;
                sent += 1;
                numbers += 1;
            }
        }
    }
    eprintln!(
        "bad-input sweep: {} forms, {sent} submissions, {numbers} with extreme numbers, {refused_choices} choices refused beside their list",
        forms.len()
    );
    assert!(numbers >= 40, "{numbers}");
    assert!(refused_choices >= 10, "{refused_choices}");

    // No text stored anywhere holds a control character.
    let mut conn = app.owner_conn().await;
    let columns: Vec<(String, String)> = sqlx::query_as(
        "select table_name::text, column_name::text from information_schema.columns
         where table_schema = 'public' and data_type in ('text', 'character varying')",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (table, column) in columns {
        let found: i64 = sqlx::query_scalar(&format!(
            "select count(*) from {table} where {column} ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]'"
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(found, 0, "{table}.{column} holds a control character");
    }
    // And an update still lands on every kind of tally.
    let mut focal = app.signed_in("focal@veridia.example").await;
    let work = focal.get("/t/veridia/my-work").await;
    let update = work
        .html()
        .select(&Selector::parse("a[href$='/update']").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .next()
        .expect("an activity to update");
    let page = focal.get(&update).await;
    let version = page.attr("input[name=version]", "value").unwrap();
    let res = focal
        .post(
            &update,
            &[
                ("csrf", &page.csrf()),
                ("version", &version),
                ("status", "on-track"),
                ("progress", "50"),
                ("spending", "1000"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}
