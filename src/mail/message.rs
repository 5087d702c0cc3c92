//! What a message says, in its reader's language: a notification as one
//! sentence (the same sentence the notification centre shows), a digest as
//! a list of them, and the message itself, plain text and HTML, with its
//! `Message-ID`, its one-click unsubscribe and, for meetings, the `.ics`.

use lettre::Message;
use lettre::address::Envelope;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Settings;
use crate::i18n;

/// One thing that happened, as notifications and messages carry it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub kind: String,
    /// Titles, dates ("2026-10-15") and quarters ("2026Q3"), by name.
    #[serde(default)]
    pub params: Map<String, Value>,
    /// The product's path of its object.
    pub link: String,
}

/// What an outbox row asks to send.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Payload {
    /// The tenant's name, said in the message.
    #[serde(default)]
    pub tenant: String,
    #[serde(default)]
    pub items: Vec<Item>,
    /// The categories the unsubscribe link leaves.
    #[serde(default)]
    pub categories: Vec<String>,
    /// `daily` or `weekly` for a digest.
    #[serde(default)]
    pub digest: Option<String>,
    /// A newsletter, already in the reader's language.
    #[serde(default)]
    pub letter: Option<Letter>,
}

/// The members' newsletter as a message carries it: the secretariat's
/// subject and text, and the items it gathered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Letter {
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub items: Vec<LetterItem>,
}

/// One item of a newsletter: an update, a decision, a document or a
/// coming meeting.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LetterItem {
    /// `update`, `decision`, `document` or `meeting`.
    pub kind: String,
    pub title: String,
    /// Its day ("2026-10-15").
    pub day: String,
    /// The product's path of it (`/t/{slug}/…`).
    pub link: String,
}

/// A newsletter's subject and bodies, in the current language.
fn letter_words(letter: &Letter, tenant: &str, origin: &str) -> (String, String, String) {
    let subject: String = letter
        .subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut text = format!(
        "{}\n\n{}\n",
        i18n::t_with("mail.greeting", "tenant", tenant),
        letter.body
    );
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><body><p>{}</p>",
        i18n::current(),
        escape(&i18n::t_with("mail.greeting", "tenant", tenant))
    );
    for paragraph in letter.body.split("\n\n").filter(|p| !p.trim().is_empty()) {
        html.push_str(&format!(
            "<p>{}</p>",
            escape(paragraph.trim()).replace('\n', "<br>")
        ));
    }
    for kind in ["update", "decision", "document", "meeting"] {
        let items: Vec<&LetterItem> = letter.items.iter().filter(|i| i.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        let heading = i18n::t(&format!("newsletter.section.{kind}")).into_owned();
        text.push_str(&format!("\n{heading}\n"));
        html.push_str(&format!("<h2>{}</h2><ul>", escape(&heading)));
        for item in items {
            let day = param("date", &Value::String(item.day.clone()));
            let url = format!("{origin}{}", item.link);
            text.push_str(&format!("- {} ({day})\n  {url}\n", item.title));
            html.push_str(&format!(
                "<li><a href=\"{}\">{}</a> ({})</li>",
                escape(&url),
                escape(&item.title),
                escape(&day)
            ));
        }
        html.push_str("</ul>");
    }
    let footer = i18n::t("mail.footer");
    text.push_str(&format!("\n-- \n{footer}\n"));
    html.push_str(&format!(
        "<hr><p><small>{}</small></p></body></html>",
        escape(&footer)
    ));
    (subject, text, html)
}

/// A parameter as the current language writes it: dates and quarters
/// formatted, the rest as they are.
fn param(name: &str, value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if matches!(name, "due" | "date")
        && let Ok(day) = time::Date::parse(
            &text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
    {
        return i18n::day(day);
    }
    if name == "quarter"
        && let Some((year, q)) = text.split_once('Q')
    {
        return i18n::t_args("quarter.one", &[("q", q), ("year", year)]);
    }
    text
}

/// The item as one sentence in the current language.
pub fn describe(item: &Item) -> String {
    let values: Vec<(String, String)> = item
        .params
        .iter()
        .map(|(k, v)| (k.clone(), param(k, v)))
        .collect();
    let args: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    i18n::t_args(&format!("notify.{}", item.kind), &args)
}

/// The language a message is written in: one of ours, else English.
pub fn language(lang: &str) -> &'static str {
    i18n::supported(lang).unwrap_or("en")
}

/// A row of the outbox, as the worker reads it.
pub struct Outgoing {
    pub id: i64,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub language: String,
    pub kind: String,
    pub payload: Payload,
    pub attachment: Option<String>,
    pub created_at: time::OffsetDateTime,
}

/// The subject and the two bodies of `out`, in its language.
fn words(
    out: &Outgoing,
    settings: &Settings,
    unsubscribe: Option<&str>,
) -> (String, String, String) {
    let p = &out.payload;
    if let Some(letter) = &p.letter {
        return letter_words(letter, &p.tenant, &settings.origin);
    }
    let subject = match (&p.digest, p.items.as_slice()) {
        (Some(freq), _) => i18n::t_with(&format!("mail.digest_{freq}"), "tenant", &p.tenant),
        (None, [one]) => describe(one),
        _ => i18n::t_with("mail.several", "tenant", &p.tenant),
    };
    // One line, whatever a title holds.
    let subject: String = subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut text = format!("{}\n\n", i18n::t_with("mail.greeting", "tenant", &p.tenant));
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><body><p>{}</p><ul>",
        i18n::current(),
        escape(&i18n::t_with("mail.greeting", "tenant", &p.tenant))
    );
    for item in &p.items {
        let sentence = describe(item);
        let url = format!("{}{}", settings.origin, item.link);
        text.push_str(&format!("- {sentence}\n  {url}\n"));
        html.push_str(&format!(
            "<li>{} <a href=\"{}\">{}</a></li>",
            escape(&sentence),
            escape(&url),
            escape(&i18n::t("mail.open"))
        ));
    }
    html.push_str("</ul>");
    let footer = i18n::t("mail.footer");
    text.push_str(&format!("\n-- \n{footer}\n"));
    html.push_str(&format!("<hr><p><small>{}", escape(&footer)));
    if let Some(url) = unsubscribe {
        let leave = i18n::t("mail.unsubscribe");
        text.push_str(&format!("{leave}: {url}\n"));
        html.push_str(&format!(
            " <a href=\"{}\">{}</a>",
            escape(url),
            escape(&leave)
        ));
    }
    html.push_str("</small></p></body></html>");
    (subject, text, html)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The message of `out`, ready to send, and its envelope.
pub fn build(out: &Outgoing, settings: &Settings) -> anyhow::Result<(Envelope, Vec<u8>)> {
    let to: Mailbox = out.recipient.parse()?;
    let unsubscribe = match (out.user_id, out.payload.categories.is_empty()) {
        (Some(user), false) => Some(format!(
            "{}{}",
            settings.origin,
            crate::paths::unsubscribe(super::token::sign(
                &settings.secret,
                user,
                &out.payload.categories.join(",")
            ))
        )),
        _ => None,
    };
    let lang = language(&out.language);
    let (subject, text, html) =
        i18n::with_language(lang, || words(out, settings, unsubscribe.as_deref()));
    let domain = settings.from.email.domain().to_owned();
    let id = format!(
        "<nap.{}.{}@{domain}>",
        out.id,
        out.created_at.unix_timestamp()
    );
    let body = MultiPart::alternative_plain_html(text, html);
    let body = match &out.attachment {
        Some(ics) => MultiPart::mixed().multipart(body).singlepart(
            Attachment::new("meeting.ics".to_owned()).body(
                ics.clone(),
                ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")?,
            ),
        ),
        None => body,
    };
    let mut message: Message = Message::builder()
        .from(settings.from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(id))
        .multipart(body)?;
    let headers = message.headers_mut();
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Content-Language"),
        lang.to_owned(),
    ));
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".to_owned(),
    ));
    if let Some(url) = unsubscribe {
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{url}>"),
        ));
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ));
    }
    Ok((message.envelope().clone(), message.formatted()))
}
