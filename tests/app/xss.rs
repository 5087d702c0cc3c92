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
            if name.starts_with("on") || v.starts_with("javascript:") || (name == "style") {
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
