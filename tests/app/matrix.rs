//! The permission matrix: every route the application registers, called as
//! every kind of person, against one declared policy. A route missing from
//! the policy fails the test, so new pages cannot skip this review.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use nap_oversight::authz::Role;

use crate::common::{Client, TestApp};

/// Who may use a route.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in (own profile, own tenants).
    SignedIn,
    /// Every member of the tenant.
    Members,
    /// The secretariat only.
    Secretariat,
    /// The secretariat and the focal points of the activity's partners.
    Reporters,
    /// Members except observers.
    Commenters,
    /// The secretariat and the focal point of the indicator's partner.
    IndicatorReporters,
    /// Nobody in the matrix (only the successor of a hand-over).
    Addressee,
    /// Nobody: the route exists only when the server runs with `--bench`.
    BenchOnly,
    /// The members of the record's confidential group (here, the ministry member).
    Keepers,
    /// Nobody in the matrix: only the invited person, signed in, with the link.
    Invitee,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Observer,
    SocialPartner,
    Ministry,
    FocalPoint,
    Secretariat,
    OtherTenant,
}

const PEOPLE: [Who; 7] = [
    Who::Anonymous,
    Who::Observer,
    Who::SocialPartner,
    Who::Ministry,
    Who::FocalPoint,
    Who::OtherTenant,
    // The secretariat goes last: its writes must not change what others see.
    Who::Secretariat,
];

fn allowed(rule: Rule, who: Who) -> bool {
    use Who::*;
    match rule {
        Rule::Public => true,
        Rule::SignedIn => who != Anonymous,
        Rule::Members => !matches!(who, Anonymous | OtherTenant),
        Rule::Secretariat => who == Secretariat,
        Rule::Reporters => matches!(who, Secretariat | FocalPoint),
        Rule::Commenters => matches!(who, SocialPartner | Ministry | FocalPoint | Secretariat),
        Rule::IndicatorReporters => matches!(who, Secretariat | FocalPoint),
        Rule::Addressee | Rule::BenchOnly | Rule::Invitee => false,
        Rule::Keepers => who == Ministry,
    }
}

/// The routes the application registers: (method, pattern), from its own
/// route table.
fn registered() -> BTreeSet<(String, String)> {
    nap_oversight::app::route_table()
        .into_iter()
        .map(|(method, pattern)| (method.to_string(), pattern.to_owned()))
        .collect()
}

struct Ids {
    nap: i64,
    activity: i64,
    objective: i64,
    outcome: i64,
    partner: i64,
    spare_member: i64,
    committee: i64,
    meeting: i64,
    action: i64,
    indicator: i64,
    risk: i64,
    pending_a: i64,
    pending_b: i64,
    handover: i64,
    committee_member: i64,
    group: i64,
    group_member: i64,
    record: i64,
    reset_link: String,
    /// A pending invitation of an account that has a password, and its link.
    invited_member: i64,
    invitation_link: String,
    stylesheet: String,
    /// A calendar feed's address (an observer's, whom the matrix does not play).
    feed: String,
    /// That observer's link to stop e-mails of comments.
    unsubscribe: String,
    /// An issued and published report (number 1), and a draft.
    report: i64,
    draft: i64,
    /// The published report's number (numbers are per tenant).
    report_number: i32,
    /// A public document with one version.
    document: i64,
    /// An item of the NAP's communication plan.
    communication_item: i64,
    /// A sent newsletter, and a draft.
    newsletter: i64,
    newsletter_draft: i64,
}

/// (method, pattern, the concrete path to call, who may use it).
fn policy(ids: &Ids) -> Vec<(&'static str, &'static str, String, Rule)> {
    use Rule::*;
    let (n, a, c) = (ids.nap, ids.activity, ids.committee);
    let nap = format!("/t/aland/naps/{n}");
    let act = format!("{nap}/activities/{a}");
    let com = format!("/t/aland/committees/{c}");
    let meeting = format!("{com}/meetings/{}", ids.meeting);
    vec![
        ("GET", "/", "/".into(), Public),
        ("GET", "/healthz", "/healthz".into(), Public),
        ("GET", "/readyz", "/readyz".into(), Public),
        ("GET", "/static/{file}", ids.stylesheet.clone(), Public),
        ("GET", "/login", "/login".into(), Public),
        ("POST", "/login", "/login".into(), Public),
        ("GET", "/reset", "/reset".into(), Public),
        ("POST", "/reset", "/reset".into(), Public),
        ("GET", "/reset/{token}", ids.reset_link.clone(), Public),
        ("POST", "/reset/{token}", ids.reset_link.clone(), Public),
        ("GET", "/profile", "/profile".into(), SignedIn),
        ("GET", "/profile/mail", "/profile/mail".into(), SignedIn),
        ("POST", "/profile/mail", "/profile/mail".into(), SignedIn),
        ("GET", "/notifications", "/notifications".into(), SignedIn),
        (
            "POST",
            "/notifications/read",
            "/notifications/read".into(),
            SignedIn,
        ),
        // Only its person opens a notification (none of the matrix's here).
        (
            "POST",
            "/notifications/{tenant}/{id}/open",
            "/notifications/1/999999999/open".into(),
            Addressee,
        ),
        // The signed link is the key, from a mail program without a session.
        (
            "GET",
            "/unsubscribe/{token}",
            ids.unsubscribe.clone(),
            Public,
        ),
        (
            "POST",
            "/unsubscribe/{token}",
            ids.unsubscribe.clone(),
            Public,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/follow",
            format!("{com}/follow"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/activities/{activity}/follow",
            format!("{act}/follow"),
            Members,
        ),
        ("GET", "/login/code", "/login/code".into(), Public),
        ("GET", "/help", "/help".into(), Public),
        (
            "GET",
            "/bench/reference",
            "/bench/reference".into(),
            BenchOnly,
        ),
        ("POST", "/language", "/language".into(), Public),
        ("POST", "/login/code", "/login/code".into(), Public),
        (
            "GET",
            "/profile/two-factor",
            "/profile/two-factor".into(),
            SignedIn,
        ),
        (
            "POST",
            "/profile/two-factor",
            "/profile/two-factor".into(),
            SignedIn,
        ),
        (
            "POST",
            "/profile/two-factor/disable",
            "/profile/two-factor/disable".into(),
            SignedIn,
        ),
        (
            "POST",
            "/profile/password",
            "/profile/password".into(),
            SignedIn,
        ),
        (
            "POST",
            "/profile/language",
            "/profile/language".into(),
            SignedIn,
        ),
        ("GET", "/p/{slug}/", "/p/aland/".into(), Public),
        (
            "GET",
            "/p/{slug}/reports/{n}",
            format!("/p/aland/reports/{}", ids.report_number),
            Public,
        ),
        (
            "GET",
            "/p/{slug}/reports/{n}/report.pdf",
            format!("/p/aland/reports/{}/report.pdf", ids.report_number),
            Public,
        ),
        (
            "GET",
            "/p/{slug}/naps/{id}",
            format!("/p/aland/naps/{n}"),
            Public,
        ),
        (
            "GET",
            "/p/{slug}/documents",
            "/p/aland/documents".into(),
            Public,
        ),
        (
            "GET",
            "/p/{slug}/search",
            "/p/aland/search?q=inspections".into(),
            Public,
        ),
        (
            "GET",
            "/t/{slug}/newsletters",
            "/t/aland/newsletters".into(),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/newsletters",
            "/t/aland/newsletters".into(),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/newsletters/{id}",
            format!("/t/aland/newsletters/{}", ids.newsletter),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/newsletters/{id}",
            format!("/t/aland/newsletters/{}", ids.newsletter_draft),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/newsletters/{id}/send",
            format!("/t/aland/newsletters/{}/send", ids.newsletter_draft),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/newsletters/{id}/send",
            format!("/t/aland/newsletters/{}/send", ids.newsletter_draft),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/search",
            "/t/aland/search?q=inspections&kind=document".into(),
            Members,
        ),
        (
            "GET",
            "/p/{slug}/documents/{id}/file",
            format!("/p/aland/documents/{}/file", ids.document),
            Public,
        ),
        (
            "GET",
            "/t/{slug}/documents",
            "/t/aland/documents?kind=minutes".into(),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/documents/new",
            "/t/aland/documents/new?activity=1".into(),
            Commenters,
        ),
        (
            "POST",
            "/t/{slug}/documents",
            "/t/aland/documents".into(),
            Commenters,
        ),
        (
            "GET",
            "/t/{slug}/documents/{id}",
            format!("/t/aland/documents/{}", ids.document),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/documents/{id}",
            format!("/t/aland/documents/{}", ids.document),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/documents/{id}/versions",
            format!("/t/aland/documents/{}/versions", ids.document),
            Commenters,
        ),
        (
            "GET",
            "/t/{slug}/documents/{id}/versions/{n}/file",
            format!("/t/aland/documents/{}/versions/1/file", ids.document),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/documents/{id}/delete",
            format!("/t/aland/documents/{}/delete", ids.document),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/documents/{id}/delete",
            format!("/t/aland/documents/{}/delete", ids.document),
            Secretariat,
        ),
        (
            "GET",
            "/p/{slug}/committees/{id}/tor",
            format!("/p/aland/committees/{c}/tor"),
            Public,
        ),
        (
            "GET",
            "/p/{slug}/committees/{id}/tor/v/{n}",
            format!("/p/aland/committees/{c}/tor/v/1"),
            Public,
        ),
        ("GET", "/t/{slug}/", "/t/aland/".into(), Members),
        (
            "GET",
            "/t/{slug}/my-work",
            "/t/aland/my-work".into(),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/members",
            "/t/aland/members".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/members",
            "/t/aland/members".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/members/{id}/role",
            format!("/t/aland/members/{}/role", ids.spare_member),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/members/{id}/deactivate",
            format!("/t/aland/members/{}/deactivate", ids.spare_member),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/members/{id}/deactivate",
            format!("/t/aland/members/{}/deactivate", ids.spare_member),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/members/{id}/activate",
            format!("/t/aland/members/{}/activate", ids.spare_member),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/members/{id}/reset",
            format!("/t/aland/members/{}/reset", ids.spare_member),
            Secretariat,
        ),
        // The invitation first: a new link (next) cancels it, and the
        // withdrawal (last) removes the membership.
        (
            "GET",
            "/invitations/{token}",
            ids.invitation_link.clone(),
            Public,
        ),
        (
            "POST",
            "/invitations/{token}",
            ids.invitation_link.clone(),
            Invitee,
        ),
        (
            "POST",
            "/invitations/{token}/accept",
            format!("{}/accept", ids.invitation_link),
            Invitee,
        ),
        (
            "POST",
            "/invitations/{token}/decline",
            format!("{}/decline", ids.invitation_link),
            Invitee,
        ),
        // The token is the key: anyone who has it reads the feed.
        (
            "GET",
            "/calendar/{token}/meetings.ics",
            ids.feed.clone(),
            Public,
        ),
        (
            "GET",
            "/p/{slug}/committees/{id}",
            format!("/p/aland/committees/{c}"),
            Public,
        ),
        (
            "POST",
            "/t/{slug}/members/{id}/invite",
            format!("/t/aland/members/{}/invite", ids.invited_member),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/members/{id}/withdraw",
            format!("/t/aland/members/{}/withdraw", ids.invited_member),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/members/{id}/withdraw",
            format!("/t/aland/members/{}/withdraw", ids.invited_member),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/members/{id}/handover",
            format!("/t/aland/members/{}/handover", ids.spare_member),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/members/{id}/handover",
            format!("/t/aland/members/{}/handover", ids.spare_member),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/handovers/{id}/read",
            format!("/t/aland/handovers/{}/read", ids.handover),
            Addressee,
        ),
        (
            "GET",
            "/t/{slug}/audit",
            "/t/aland/audit".into(),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/audit.csv",
            "/t/aland/audit.csv".into(),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/settings",
            "/t/aland/settings".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/settings",
            "/t/aland/settings".into(),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/reviews",
            "/t/aland/reviews".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/updates/{id}/accept",
            format!("/t/aland/updates/{}/accept", ids.pending_a),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/updates/{id}/return",
            format!("/t/aland/updates/{}/return", ids.pending_b),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/partners",
            "/t/aland/partners".into(),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/partners/new",
            "/t/aland/partners/new".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/partners/new",
            "/t/aland/partners/new".into(),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/partners/{id}/edit",
            format!("/t/aland/partners/{}/edit", ids.partner),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/partners/{id}/edit",
            format!("/t/aland/partners/{}/edit", ids.partner),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/partners/{id}/delete",
            format!("/t/aland/partners/{}/delete", ids.partner),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/partners/{id}/delete",
            format!("/t/aland/partners/{}/delete", ids.partner),
            Secretariat,
        ),
        ("GET", "/t/{slug}/naps", "/t/aland/naps".into(), Members),
        (
            "GET",
            "/t/{slug}/naps/new",
            "/t/aland/naps/new".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/new",
            "/t/aland/naps/new".into(),
            Secretariat,
        ),
        ("GET", "/t/{slug}/naps/{id}", nap.clone(), Members),
        (
            "GET",
            "/t/{slug}/naps/{id}/edit",
            format!("{nap}/edit"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/edit",
            format!("{nap}/edit"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/delete",
            format!("{nap}/delete"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/delete",
            format!("{nap}/delete"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/close",
            format!("{nap}/close"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/close",
            format!("{nap}/close"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/tags",
            format!("{nap}/tags"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/tags",
            format!("{nap}/tags"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/alignment",
            format!("{nap}/alignment"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/alignment/{code}",
            format!("{nap}/alignment/8.7"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/publish",
            format!("{nap}/publish"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/unpublish",
            format!("{nap}/unpublish"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/plan",
            format!("{nap}/plan"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/dashboard",
            format!("{nap}/dashboard"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/rounds/{quarter}",
            format!("{nap}/rounds/2026Q3"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/rounds/{quarter}/extensions",
            format!("{nap}/rounds/2026Q3/extensions"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/rounds/{quarter}/supporting",
            format!("{nap}/rounds/2026Q3/supporting"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/activities",
            format!("{nap}/activities?only=overdue"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/guideline",
            format!("{nap}/guideline"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/reports",
            format!("{nap}/reports"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/reports",
            format!("{nap}/reports"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/reports/compare",
            format!("{nap}/reports/compare?a={0}&b={0}", ids.report),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/reports/{id}",
            format!("/t/aland/reports/{}", ids.draft),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/reports/{id}",
            format!("/t/aland/reports/{}", ids.draft),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/reports/{id}/report.docx",
            format!("/t/aland/reports/{}/report.docx?lang=fr", ids.report),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/reports/{id}/report.pdf",
            format!("/t/aland/reports/{}/report.pdf", ids.draft),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/reports/{id}/publish",
            format!("/t/aland/reports/{}/publish", ids.report),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/reports/{id}/issue",
            format!("/t/aland/reports/{}/issue", ids.draft),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/baselines",
            format!("{nap}/baselines"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/communication",
            format!("{nap}/communication?year=2026"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/communication/new",
            format!("{nap}/communication/new"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/communication/new",
            format!("{nap}/communication/new"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/communication/{item}",
            format!("{nap}/communication/{}", ids.communication_item),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/communication/{item}",
            format!("{nap}/communication/{}", ids.communication_item),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/communication/{item}/delete",
            format!("{nap}/communication/{}/delete", ids.communication_item),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/communication/{item}/delete",
            format!("{nap}/communication/{}/delete", ids.communication_item),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/communication.csv",
            format!("{nap}/communication.csv"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/communication.xlsx",
            format!("{nap}/communication.xlsx"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/communication/import",
            format!("{nap}/communication/import"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/checklist",
            format!("{nap}/checklist"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/checklist",
            format!("{nap}/checklist"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/baselines",
            format!("{nap}/baselines"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/annual-reviews",
            format!("{nap}/annual-reviews"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/annual-reviews",
            format!("{nap}/annual-reviews"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/annual-reviews/compare",
            format!("{nap}/annual-reviews/compare?a=2026&b=2026"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/annual-reviews/{year}",
            format!("{nap}/annual-reviews/2026"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/annual-reviews/{year}",
            format!("{nap}/annual-reviews/2026"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/annual-reviews/{year}/issue",
            format!("{nap}/annual-reviews/2026/issue"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/export.csv",
            format!("{nap}/export.csv"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/export.xlsx",
            format!("{nap}/export.xlsx"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/template.csv",
            format!("{nap}/template.csv"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/template.xlsx",
            format!("{nap}/template.xlsx"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/import",
            format!("{nap}/import"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/import",
            format!("{nap}/import"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/import/apply",
            format!("{nap}/import/apply"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/objectives/new",
            format!("{nap}/objectives/new"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/objectives/new",
            format!("{nap}/objectives/new"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/objectives/{node}/edit",
            format!("{nap}/objectives/{}/edit", ids.objective),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/objectives/{node}/edit",
            format!("{nap}/objectives/{}/edit", ids.objective),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/objectives/{node}/delete",
            format!("{nap}/objectives/{}/delete", ids.objective),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/objectives/{node}/delete",
            format!("{nap}/objectives/{}/delete", ids.objective),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/outcomes/new",
            format!("{nap}/outcomes/new"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/outcomes/new",
            format!("{nap}/outcomes/new"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/outcomes/{node}/edit",
            format!("{nap}/outcomes/{}/edit", ids.outcome),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/outcomes/{node}/edit",
            format!("{nap}/outcomes/{}/edit", ids.outcome),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/outcomes/{node}/delete",
            format!("{nap}/outcomes/{}/delete", ids.outcome),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/outcomes/{node}/delete",
            format!("{nap}/outcomes/{}/delete", ids.outcome),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/activities/new",
            format!("{nap}/activities/new"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/activities/new",
            format!("{nap}/activities/new"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/activities/{activity}",
            act.clone(),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/activities/{activity}/edit",
            format!("{act}/edit"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/activities/{activity}/edit",
            format!("{act}/edit"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/activities/{activity}/delete",
            format!("{act}/delete"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/activities/{activity}/delete",
            format!("{act}/delete"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/activities/{activity}/update",
            format!("{act}/update"),
            Reporters,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/activities/{activity}/update",
            format!("{act}/update"),
            Reporters,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/activities/{activity}/comments",
            format!("{act}/comments"),
            Commenters,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/indicators",
            format!("{nap}/indicators"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/indicators",
            format!("{nap}/indicators"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/indicators/{indicator}",
            format!("{nap}/indicators/{}", ids.indicator),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/indicators/{indicator}",
            format!("{nap}/indicators/{}", ids.indicator),
            IndicatorReporters,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/indicators/{indicator}/edit",
            format!("{nap}/indicators/{}/edit", ids.indicator),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/indicators/{indicator}/edit",
            format!("{nap}/indicators/{}/edit", ids.indicator),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/indicators/{indicator}/delete",
            format!("{nap}/indicators/{}/delete", ids.indicator),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/indicators/{indicator}/delete",
            format!("{nap}/indicators/{}/delete", ids.indicator),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/risks",
            format!("{nap}/risks"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/risks/new",
            format!("{nap}/risks/new"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/risks/new",
            format!("{nap}/risks/new"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/risks/{risk}/edit",
            format!("{nap}/risks/{}/edit", ids.risk),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/risks/{risk}/edit",
            format!("{nap}/risks/{}/edit", ids.risk),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/partners/import",
            "/t/aland/partners/import".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/partners/import",
            "/t/aland/partners/import".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/partners/import/apply",
            "/t/aland/partners/import/apply".into(),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/partners/import/{file}",
            "/t/aland/partners/import/export.csv".into(),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/committees/import",
            "/t/aland/committees/import".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/import",
            "/t/aland/committees/import".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/import/apply",
            "/t/aland/committees/import/apply".into(),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/committees/import/{file}",
            "/t/aland/committees/import/export.csv".into(),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/indicators/import",
            format!("{nap}/indicators/import"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/indicators/import",
            format!("{nap}/indicators/import"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/indicators/import/apply",
            format!("{nap}/indicators/import/apply"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/naps/{id}/indicators/import/{file}",
            format!("{nap}/indicators/import/export.csv"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/committees",
            "/t/aland/committees".into(),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/committees",
            "/t/aland/committees".into(),
            Secretariat,
        ),
        ("GET", "/t/{slug}/committees/{id}", com.clone(), Members),
        (
            "GET",
            "/t/{slug}/committees/{id}/edit",
            format!("{com}/edit"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/edit",
            format!("{com}/edit"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/members",
            format!("{com}/members"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/committees/{id}/members/{member}/leave",
            format!("{com}/members/{}/leave", ids.committee_member),
            Secretariat,
        ),
        // Without the confirmation, the page again: nothing leaves.
        (
            "POST",
            "/t/{slug}/committees/{id}/members/{member}/leave",
            format!("{com}/members/{}/leave", ids.committee_member),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/calendar",
            format!("{com}/calendar"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/actions",
            "/t/aland/actions".into(),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/meetings",
            "/t/aland/meetings".into(),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/meetings/calendar",
            "/t/aland/meetings/calendar".into(),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/meetings/{meeting}/minutes/publish",
            format!("{meeting}/minutes/publish"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/committees/{id}/tor",
            format!("{com}/tor"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/tor",
            format!("{com}/tor"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/committees/{id}/tor/publish",
            format!("{com}/tor/publish"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/tor/publish",
            format!("{com}/tor/publish"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/committees/{id}/tor/v/{n}",
            format!("{com}/tor/v/1"),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/committees/{id}/tor/compare",
            format!("{com}/tor/compare?a=1&b=1"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/meetings",
            format!("{com}/meetings"),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/committees/{id}/meetings/{meeting}",
            meeting.clone(),
            Members,
        ),
        (
            "GET",
            "/t/{slug}/committees/{id}/meetings/{meeting}/meeting.ics",
            format!("{meeting}/meeting.ics"),
            Members,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/meetings/{meeting}/attendance",
            format!("{meeting}/attendance"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/meetings/{meeting}/minutes",
            format!("{meeting}/minutes"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/meetings/{meeting}/decisions",
            format!("{meeting}/decisions"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/meetings/{meeting}/actions",
            format!("{meeting}/actions"),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/committees/{id}/actions/{action}/done",
            format!("{com}/actions/{}/done", ids.action),
            Secretariat,
        ),
        (
            "GET",
            "/t/{slug}/confidential",
            "/t/aland/confidential".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/confidential",
            "/t/aland/confidential".into(),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/confidential/groups/{group}/members",
            format!("/t/aland/confidential/groups/{}/members", ids.group),
            Secretariat,
        ),
        (
            "POST",
            "/t/{slug}/naps/{id}/activities/{activity}/confidential",
            format!("{act}/confidential"),
            Keepers,
        ),
        (
            "GET",
            "/t/{slug}/confidential/records/{record}",
            format!("/t/aland/confidential/records/{}", ids.record),
            Keepers,
        ),
        (
            "GET",
            "/t/{slug}/confidential/records/{record}/file",
            format!("/t/aland/confidential/records/{}/file", ids.record),
            Keepers,
        ),
        (
            "GET",
            "/t/{slug}/confidential/records/{record}/delete",
            format!("/t/aland/confidential/records/{}/delete", ids.record),
            Keepers,
        ),
        (
            "POST",
            "/t/{slug}/confidential/records/{record}/delete",
            format!("/t/aland/confidential/records/{}/delete", ids.record),
            Keepers,
        ),
        (
            "POST",
            "/t/{slug}/confidential/groups/{group}/members/{user}/remove",
            format!(
                "/t/aland/confidential/groups/{}/members/{}/remove",
                ids.group, ids.group_member
            ),
            Secretariat,
        ),
        // Last: it ends the session.
        ("POST", "/logout", "/logout".into(), Public),
    ]
}

async fn fixture() -> (TestApp, Ids, Vec<(Who, Client)>) {
    let (app, mut sec, nap) = crate::plan::plan_setup().await;
    app.tenant("borea").await;
    app.member("borea", "sec@borea.test", Role::Secretariat, None, false)
        .await;
    app.member(
        "aland",
        "union@aland.test",
        Role::SocialPartner,
        Some("CTU"),
        false,
    )
    .await;
    app.member(
        "aland",
        "min@aland.test",
        Role::Ministry,
        Some("MOL"),
        false,
    )
    .await;
    app.member(
        "aland",
        "focal@aland.test",
        Role::Ministry,
        Some("MOJ"),
        true,
    )
    .await;
    let spare_member = app
        .member("aland", "spare@aland.test", Role::Observer, None, false)
        .await;
    app.member("aland", "heir@aland.test", Role::Observer, None, false)
        .await;
    let res = crate::plan::add_activity(
        &mut sec,
        nap,
        &[
            ("outcome", "1.1"),
            ("code", "1.1.1"),
            ("title", "Inspections"),
            ("lead", "MOJ"),
            ("targets", "Q1/yearly"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let activity = app.count("select id from activities").await;
    // History (so deletes are refused and nothing disappears), and two updates waiting for review.
    let form = format!("/t/aland/naps/{nap}/activities/{activity}/update");
    for (version, note) in [("0", "first"), ("1", "second"), ("2", "third")] {
        if note == "second" {
            sec.submit(
                "/t/aland/settings",
                "/t/aland/settings",
                &[("review_updates", "on"), ("stale_days", "90")],
            )
            .await;
        }
        let mut client = if note == "first" {
            app.signed_in("sec@aland.test").await
        } else {
            app.signed_in("focal@aland.test").await
        };
        let page = client.get(&form).await;
        let res = client
            .post(
                &form,
                &[
                    ("csrf", &page.csrf()),
                    ("version", version),
                    ("status", "on-track"),
                    ("progress", "10"),
                    ("note", note),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{note}: {}", res.body);
    }
    let pending: Vec<i64> = {
        let mut conn = app.owner_conn().await;
        sqlx::query_scalar(
            "select id from status_updates where review_state = 'pending' order by id",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
    };
    sec.submit(
        &format!("/t/aland/naps/{nap}"),
        &format!("/t/aland/naps/{nap}/publish"),
        &[],
    )
    .await;
    let list = format!("/t/aland/naps/{nap}/indicators");
    sec.submit(
        &list,
        &list,
        &[
            ("place", "outcome:1.1"),
            ("name", "Cases"),
            ("target", "10"),
            ("responsible", "MOJ"),
        ],
    )
    .await;
    let risks = format!("/t/aland/naps/{nap}/risks/new");
    sec.submit(
        &risks,
        &risks,
        &[
            ("challenge", "Turnover"),
            ("likelihood", "3"),
            ("impact", "3"),
            ("state", "open"),
        ],
    )
    .await;
    let res = sec
        .submit(
            "/t/aland/committees",
            "/t/aland/committees",
            &[("name", "Oversight"), ("kind", "oversight")],
        )
        .await;
    let committee: i64 = res.location().rsplit('/').next().unwrap().parse().unwrap();
    let com = format!("/t/aland/committees/{committee}");
    sec.submit(
        &com,
        &format!("{com}/members"),
        &[("name", "Chair"), ("seat", "chair"), ("gender", "woman")],
    )
    .await;
    sec.submit(
        &format!("{com}/tor"),
        &format!("{com}/tor"),
        &[("mandate", "Oversee"), ("purpose", "Watch")],
    )
    .await;
    sec.submit(
        &format!("{com}/tor"),
        &format!("{com}/tor/publish"),
        &[("confirm", "yes")],
    )
    .await;
    let meeting = sec
        .submit(
            &com,
            &format!("{com}/meetings"),
            &[("starts_at", "2026-12-15 10:00")],
        )
        .await
        .location()
        .to_owned();
    sec.submit(
        &meeting,
        &format!("{meeting}/actions"),
        &[("text", "Write to the ministry")],
    )
    .await;
    let heir = app.count("select id from memberships where user_id = (select id from users where email = 'heir@aland.test')").await;
    let leaving = app
        .member("aland", "leaving@aland.test", Role::Observer, None, false)
        .await;
    let res = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{leaving}/handover"),
            &[
                ("successor", &heir.to_string()),
                ("note", "Files are in the cupboard"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let issued = sec
        .submit(
            "/t/aland/members",
            &format!("/t/aland/members/{spare_member}/reset"),
            &[],
        )
        .await;
    let reset_link = issued.texts("code.reset-link")[0].clone();
    app.member("borea", "invitee@borea.test", Role::Observer, None, false)
        .await;
    let invited = sec
        .submit(
            "/t/aland/members",
            "/t/aland/members",
            &[
                ("email", "invitee@borea.test"),
                ("name", "Invitee"),
                ("role", "observer"),
            ],
        )
        .await;
    let invitation_link = invited.texts("code.reset-link")[0].clone();
    let invited_member = app.count("select m.id from memberships m join users u on u.id = m.user_id where u.email = 'invitee@borea.test' and m.accepted_at is null").await;
    // A confidential group: the ministry member and one more, and a record with a file.
    app.member(
        "aland",
        "keeper@aland.test",
        Role::Ministry,
        Some("MOL"),
        false,
    )
    .await;
    sec.submit(
        "/t/aland/confidential",
        "/t/aland/confidential",
        &[("name", "Referrals")],
    )
    .await;
    let group = app.count("select id from confidential_groups").await;
    let group_member = app
        .count("select id from users where email = 'keeper@aland.test'")
        .await;
    let min = app
        .count("select id from users where email = 'min@aland.test'")
        .await;
    for user in [min, group_member] {
        let res = sec
            .submit(
                "/t/aland/confidential",
                &format!("/t/aland/confidential/groups/{group}/members"),
                &[("user", &user.to_string())],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    }
    let act = format!("/t/aland/naps/{nap}/activities/{activity}");
    let res = app
        .signed_in("min@aland.test")
        .await
        .upload_form(
            &act,
            &format!("{act}/confidential"),
            &[
                ("kind", "note"),
                ("group", &group.to_string()),
                ("title", "Case note"),
            ],
            Some(("note.txt", b"note")),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let record = app.count("select id from confidential_records").await;
    // An observer outside the matrix's people keeps a calendar feed.
    let mut heir_client = app.signed_in("heir@aland.test").await;
    let issued = heir_client
        .submit("/t/aland/meetings", "/t/aland/meetings/calendar", &[])
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let url = issued.texts("code.feed-link")[0].clone();
    let feed = url[url.find("/calendar/").unwrap()..].to_owned();
    let heir = app
        .count("select id from users where email = 'heir@aland.test'")
        .await;
    let secret: String = sqlx::query_scalar("select secret from mail_keys")
        .fetch_one(&mut app.owner_conn().await)
        .await
        .unwrap();
    let unsubscribe = nap_oversight::paths::unsubscribe(nap_oversight::mail::token::sign(
        secret.as_bytes(),
        heir,
        "comments",
    ));
    let stylesheet = sec
        .get("/login")
        .await
        .attr("link[rel=stylesheet]", "href")
        .unwrap();
    // Reports: one issued and published, one draft; the 2026 annual review.
    let reports = format!("/t/aland/naps/{nap}/reports");
    for period in ["2026Q2", "2026Q3"] {
        let res = sec
            .submit(
                &reports,
                &reports,
                &[("kind", "quarter"), ("period", period)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let report = app.count("select min(id) from reports").await;
    let draft = app.count("select max(id) from reports").await;
    let path = format!("/t/aland/reports/{report}");
    assert_eq!(
        sec.submit(&path, &format!("{path}/issue"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let res = sec
        .submit(&path, &format!("{path}/publish"), &[("published", "on")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let new_item = format!("/t/aland/naps/{nap}/communication/new");
    let res = sec
        .submit(
            &new_item,
            &new_item,
            &[
                ("code", "C1"),
                ("direction", "external"),
                ("audience", "workers"),
                ("objective", "Inspections explained to workers"),
                ("channel", "media"),
                ("targets", "2026Q3"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    for subject in ["Sent letter", "Draft letter"] {
        let res = sec
            .submit(
                "/t/aland/newsletters",
                "/t/aland/newsletters",
                &[("subject", subject)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let sent = app.count("select min(id) from newsletters").await;
    let send = format!("/t/aland/newsletters/{sent}/send");
    let res = sec.submit(&send, &send, &[("confirm", "yes")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let reviews = format!("/t/aland/naps/{nap}/annual-reviews");
    let res = sec.submit(&reviews, &reviews, &[("year", "2026")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = sec
        .upload_form(
            "/t/aland/documents/new",
            "/t/aland/documents",
            &[
                ("title", "Inspections guidance"),
                ("kind", "guidance"),
                ("language", "en"),
                ("visibility", "public"),
            ],
            Some(("guidance.txt", b"Inspect every farm")),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id = |sql: &str| {
        let sql = sql.to_owned();
        let app = &app;
        async move { app.count(&sql).await }
    };
    let ids = Ids {
        report,
        draft,
        report_number: 1,
        document: id("select id from documents").await,
        communication_item: id("select id from communication_items").await,
        newsletter: sent,
        newsletter_draft: id("select max(id) from newsletters").await,
        nap,
        activity,
        objective: id("select min(id) from objectives").await,
        outcome: id("select min(id) from outcomes").await,
        partner: id("select id from partners p where acronym = 'MOJ' and tenant_id = (select id from tenants where slug = 'aland')").await,
        spare_member,
        committee,
        meeting: meeting.rsplit('/').next().unwrap().parse().unwrap(),
        action: id("select id from action_points").await,
        indicator: id("select id from indicators").await,
        risk: id("select id from risks").await,
        pending_a: pending[0],
        pending_b: pending[1],
        handover: id("select id from handovers").await,
        committee_member: id("select id from committee_members").await,
        group,
        group_member,
        record,
        reset_link,
        invited_member,
        invitation_link,
        stylesheet,
        feed,
        unsubscribe,
    };
    let mut people = Vec::new();
    for who in PEOPLE {
        let client = match who {
            Who::Anonymous => app.client(),
            Who::Observer => app.signed_in("obs@aland.test").await,
            Who::SocialPartner => app.signed_in("union@aland.test").await,
            Who::Ministry => app.signed_in("min@aland.test").await,
            Who::FocalPoint => app.signed_in("focal@aland.test").await,
            Who::OtherTenant => app.signed_in("sec@borea.test").await,
            Who::Secretariat => app.signed_in("sec@aland.test").await,
        };
        people.push((who, client));
    }
    (app, ids, people)
}

#[tokio::test]
async fn every_route_answers_every_person_as_the_policy_says() {
    let (_app, ids, mut people) = fixture().await;
    let table = policy(&ids);
    let declared: BTreeSet<(String, String)> = table
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), p.to_string()))
        .collect();
    let routes = registered();
    let missing: Vec<_> = routes.difference(&declared).collect();
    assert!(
        missing.is_empty(),
        "routes without a declared policy: {missing:?}"
    );
    let stale: Vec<_> = declared.difference(&routes).collect();
    assert!(
        stale.is_empty(),
        "policy for routes that no longer exist: {stale:?}"
    );

    // Each signed-in person's form token, taken from a page they may open.
    let mut tokens = Vec::new();
    for (who, client) in people.iter_mut() {
        let page = match who {
            // A visitor's session gets its token from the sign-in form.
            Who::Anonymous => client.get("/login").await.csrf(),
            _ => client.get("/profile").await.csrf(),
        };
        tokens.push(Some(page));
    }
    let mut problems = Vec::new();
    let mut calls = 0;
    for (method, pattern, path, rule) in &table {
        for ((who, client), token) in people.iter_mut().zip(&tokens) {
            let res = match *method {
                "GET" => client.get(path).await,
                _ => {
                    let fields: Vec<(&str, &str)> = token
                        .as_deref()
                        .map(|t| vec![("csrf", t)])
                        .unwrap_or_default();
                    client.post(path, &fields).await
                }
            };
            calls += 1;
            let status = res.status;
            let ok = if status.is_server_error() {
                false
            } else if matches!(rule, Rule::BenchOnly) {
                status == StatusCode::NOT_FOUND
            } else if matches!(rule, Rule::Invitee) {
                status == StatusCode::NOT_FOUND
                    || (*who == Who::Anonymous
                        && status == StatusCode::SEE_OTHER
                        && res.location().starts_with("/login"))
            } else if allowed(*rule, *who) {
                status != StatusCode::FORBIDDEN && status != StatusCode::NOT_FOUND
            } else if *who == Who::Anonymous {
                status == StatusCode::FORBIDDEN
                    || (status == StatusCode::SEE_OTHER && res.location().starts_with("/login"))
            } else {
                matches!(
                    status,
                    StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
                )
            };
            if !ok {
                problems.push(format!("{method} {pattern} as {who:?}: {status}"));
            }
            // Another tenant's member never sees this tenant's names in the answer.
            if *who == Who::OtherTenant && pattern.starts_with("/t/") {
                assert!(
                    !res.body.contains("Inspections"),
                    "{method} {pattern} shows aland's data to borea"
                );
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {calls} calls off the policy:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert_eq!(calls, table.len() * PEOPLE.len());
}

/// A GET changes nothing: every route of the table called by GET (those
/// registered for POST only too: they must refuse) as every person, and a
/// fingerprint of every table taken before and after. What a GET may write
/// is named: the session it renews and the audit rows of reads.
#[tokio::test]
async fn no_get_changes_data() {
    let (app, ids, mut people) = fixture().await;
    let mut paths: Vec<(&'static str, String)> = Vec::new();
    for (_, pattern, path, _) in policy(&ids) {
        if !paths.iter().any(|(p, _)| *p == pattern) {
            paths.push((pattern, path));
        }
    }
    let patterns: BTreeSet<String> = registered().into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        paths.len(),
        patterns.len(),
        "a route without a path to call"
    );
    let before = fingerprint(&app).await;
    let mut calls = 0;
    for (who, client) in people.iter_mut() {
        for (pattern, path) in &paths {
            let res = client.get(path).await;
            calls += 1;
            assert!(
                !res.status.is_server_error(),
                "GET {pattern} as {who:?}: {}",
                res.status
            );
        }
    }
    let after = fingerprint(&app).await;
    let changed: Vec<&String> = before
        .iter()
        .filter(|(table, sum)| after.get(*table) != Some(*sum))
        .map(|(table, _)| table)
        .collect();
    assert!(changed.is_empty(), "{calls} GETs changed {changed:?}");
    assert!(before.len() >= 30, "{} tables", before.len());
}

/// Every HTML page of the route table, as every person who may see it,
/// read for the structure assistive technology relies on: the language, one
/// main heading, a label for every control, a text for every image, and
/// header cells in every table.
#[tokio::test]
async fn every_page_is_accessible_by_structure() {
    let (_app, ids, mut people) = fixture().await;
    let mut pages = BTreeSet::new();
    let mut problems = Vec::new();
    for (method, pattern, path, _) in policy(&ids) {
        if method != "GET" {
            continue;
        }
        for (who, client) in people.iter_mut() {
            let res = client.get(&path).await;
            let html = res
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            if res.status != StatusCode::OK || !html {
                continue;
            }
            pages.insert(pattern);
            for problem in structure_problems(&res.html()) {
                problems.push(format!("{pattern} as {who:?}: {problem}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(pages.len() >= 40, "only {} pages read", pages.len());
}

fn structure_problems(doc: &scraper::Html) -> Vec<String> {
    let sel = |css: &str| scraper::Selector::parse(css).unwrap();
    let mut problems = Vec::new();
    let lang = doc
        .select(&sel("html"))
        .next()
        .and_then(|h| h.value().attr("lang"));
    if !matches!(lang, Some("en" | "fr" | "es")) {
        problems.push(format!("html lang {lang:?}"));
    }
    let headings = doc.select(&sel("main#main h1")).count();
    if headings != 1 {
        problems.push(format!("{headings} h1 in main"));
    }
    let labels: BTreeSet<&str> = doc
        .select(&sel("label[for]"))
        .filter_map(|l| l.value().attr("for"))
        .collect();
    let controls =
        sel("input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea");
    for control in doc.select(&controls) {
        let el = control.value();
        let labelled = el.attr("id").is_some_and(|id| labels.contains(id))
            || el.attr("aria-label").is_some()
            || el.attr("aria-labelledby").is_some()
            || control
                .ancestors()
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "label"));
        if !labelled {
            problems.push(format!(
                "unlabelled {} name={:?}",
                el.name(),
                el.attr("name")
            ));
        }
    }
    for img in doc.select(&sel("img")) {
        if img.value().attr("alt").is_none() {
            problems.push(format!("img without alt: {:?}", img.value().attr("src")));
        }
    }
    for table in doc.select(&sel("table")) {
        if table.select(&sel("th")).next().is_none() {
            problems.push("a table without header cells".to_owned());
        }
    }
    problems
}

/// Each table's rows, hashed in a stable order: (table, md5).
async fn fingerprint(app: &TestApp) -> std::collections::BTreeMap<String, String> {
    let mut conn = app.owner_conn().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables
         where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut sums = std::collections::BTreeMap::new();
    for table in tables {
        let rows = match table.as_str() {
            // Renewed on every request, by design.
            "tower_sessions" | "sessions" => continue,
            // Reading a confidential record is itself recorded.
            "audit_log" => format!("(select * from {table} where action <> 'read')"),
            _ => table.clone(),
        };
        let sum: String = sqlx::query_scalar(&format!(
            "select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {rows} t"
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        sums.insert(table, sum);
    }
    sums
}

/// The one value `sql` returns, with `$T` standing for the tenant's id.
async fn scalar(conn: &mut sqlx::PgConnection, tenant: i64, sql: &str) -> i64 {
    sqlx::query_scalar(&sql.replace("$T", &tenant.to_string()))
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Another tenant's objects of every kind, made straight in the database.
async fn foreign_ids(app: &TestApp) -> Ids {
    let mut conn = app.owner_conn().await;
    let borea = app
        .count("select id from tenants where slug = 'borea'")
        .await;
    let user = scalar(
        &mut conn,
        borea,
        "select id from users where email = 'sec@borea.test'",
    )
    .await;
    let partner = scalar(
        &mut conn,
        borea,
        "select id from partners where tenant_id = $T and acronym = 'MOJ'",
    )
    .await;
    let nap = scalar(&mut conn, borea, "insert into naps (tenant_id, title, theme, start_year, end_year, published) values ($T, 'Borea plan', 'other', 2025, 2029, true) returning id").await;
    let objective = scalar(&mut conn, borea, &format!("insert into objectives (tenant_id, nap_id, code, title) values ($T, {nap}, '1', 'Borea objective') returning id")).await;
    let outcome = scalar(&mut conn, borea, &format!("insert into outcomes (tenant_id, nap_id, objective_id, code, title) values ($T, {nap}, {objective}, '1.1', 'Borea outcome') returning id")).await;
    let activity = scalar(&mut conn, borea, &format!("insert into activities (tenant_id, nap_id, outcome_id, code, title, lead_partner_id) values ($T, {nap}, {outcome}, '1.1.1', 'Borea activity', {partner}) returning id")).await;
    let pending_a = scalar(&mut conn, borea, &format!("insert into status_updates (tenant_id, activity_id, author_id, status, progress, based_on_version, review_state) values ($T, {activity}, {user}, 'on-track', 5, 0, 'pending') returning id")).await;
    let pending_b = scalar(&mut conn, borea, &format!("insert into status_updates (tenant_id, activity_id, author_id, status, progress, based_on_version, review_state) values ($T, {activity}, {user}, 'on-track', 6, 0, 'pending') returning id")).await;
    let indicator = scalar(&mut conn, borea, &format!("insert into indicators (tenant_id, outcome_id, name, target) values ($T, {outcome}, 'Borea indicator', 5) returning id")).await;
    let risk = scalar(&mut conn, borea, &format!("insert into risks (tenant_id, nap_id, challenge, likelihood, impact) values ($T, {nap}, 'Borea risk', 2, 2) returning id")).await;
    let committee = scalar(&mut conn, borea, "insert into committees (tenant_id, name, kind) values ($T, 'Borea committee', 'oversight') returning id").await;
    let committee_member = scalar(&mut conn, borea, &format!("insert into committee_members (tenant_id, committee_id, name, seat) values ($T, {committee}, 'Borea person', 'chair') returning id")).await;
    scalar(&mut conn, borea, &format!("insert into tor_versions (tenant_id, committee_id, version, mandate, purpose, published_at) values ($T, {committee}, 1, 'Borea mandate', 'x', now()) returning id")).await;
    let meeting = scalar(&mut conn, borea, &format!("insert into meetings (tenant_id, committee_id, starts_at) values ($T, {committee}, now()) returning id")).await;
    let action = scalar(&mut conn, borea, &format!("insert into action_points (tenant_id, meeting_id, text) values ($T, {meeting}, 'Borea action') returning id")).await;
    let spare_member = scalar(
        &mut conn,
        borea,
        "select id from memberships where tenant_id = $T limit 1",
    )
    .await;
    let group = scalar(
        &mut conn,
        borea,
        "insert into confidential_groups (tenant_id, name) values ($T, 'Borea group') returning id",
    )
    .await;
    scalar(&mut conn, borea, &format!("insert into confidential_group_members (tenant_id, group_id, user_id) values ($T, {group}, {user}) returning id")).await;
    let record = scalar(&mut conn, borea, &format!("insert into confidential_records (tenant_id, activity_id, group_id, kind, title, file_name, file_data, created_by) values ($T, {activity}, {group}, 'note', 'Borea record', 'b.txt', 'Borea', {user}) returning id")).await;
    let handover = scalar(&mut conn, borea, &format!("insert into handovers (tenant_id, from_user, to_user, note, created_by) values ($T, {user}, {user}, 'Borea note', {user}) returning id")).await;
    let draft = scalar(&mut conn, borea, &format!("insert into reports (tenant_id, nap_id, period_kind, first_quarter, last_quarter, title) values ($T, {nap}, 'quarter', 8106, 8106, 'Borea report') returning id")).await;
    let report = scalar(&mut conn, borea, &format!("insert into reports (tenant_id, nap_id, period_kind, first_quarter, last_quarter, title, number, issued_at, figures, published_at) values ($T, {nap}, 'quarter', 8105, 8105, 'Borea report', 7, now(), '{{}}', now()) returning id")).await;
    scalar(&mut conn, borea, &format!("insert into annual_reviews (tenant_id, nap_id, year) values ($T, {nap}, 2026) returning id")).await;
    let document = scalar(&mut conn, borea, &format!("insert into documents (tenant_id, title, kind, language, visibility, created_by) values ($T, 'Borea document', 'other', 'en', 'public', {user}) returning id")).await;
    let version = scalar(&mut conn, borea, &format!("insert into document_versions (tenant_id, document_id, number, file_name, content_type, size, sha256) values ($T, {document}, 1, 'b.txt', 'text/plain', 5, '') returning id")).await;
    scalar(&mut conn, borea, &format!("insert into document_chunks (tenant_id, version_id, n, data) values ($T, {version}, 0, 'Borea') returning n::bigint")).await;
    let communication_item = scalar(&mut conn, borea, &format!("insert into communication_items (tenant_id, nap_id, code, direction, audience, objective, channel) values ($T, {nap}, 'C1', 'internal', 'partners', 'Borea item', 'meetings') returning id")).await;
    let newsletter = scalar(&mut conn, borea, "insert into newsletters (tenant_id, subject, sent_at, recipients) values ($T, 'Borea letter', now(), 1) returning id").await;
    let newsletter_draft = scalar(
        &mut conn,
        borea,
        "insert into newsletters (tenant_id, subject) values ($T, 'Borea draft') returning id",
    )
    .await;
    Ids {
        report,
        draft,
        document,
        communication_item,
        newsletter,
        newsletter_draft,
        // Aland has no report 7: borea's is not found through aland's portal.
        report_number: 7,
        nap,
        activity,
        objective,
        outcome,
        partner,
        spare_member,
        committee,
        meeting,
        action,
        indicator,
        risk,
        pending_a,
        pending_b,
        handover,
        committee_member,
        group,
        group_member: user,
        record,
        reset_link: String::new(),
        invited_member: spare_member,
        invitation_link: String::new(),
        stylesheet: String::new(),
        // Another tenant's feed would open (its token is the key): an
        // address that names none.
        feed: format!("/calendar/{}/meetings.ics", "0".repeat(64)),
        unsubscribe: "/unsubscribe/1.comments.00".into(),
    }
}

#[tokio::test]
async fn another_tenants_ids_are_never_found() {
    let (app, _, mut people) = fixture().await;
    let foreign = foreign_ids(&app).await;
    let (_, sec) = people
        .iter_mut()
        .find(|(who, _)| *who == Who::Secretariat)
        .unwrap();
    let token = sec.get("/profile").await.csrf();
    let mut tried = 0;
    for (method, pattern, path, _) in policy(&foreign) {
        // Only routes that take an id of a tenant's object (a slug or the
        // name of a download is none).
        let ids_in_path = pattern.matches('{').count()
            - usize::from(pattern.contains("{slug}"))
            - usize::from(pattern.contains("{file}"));
        if ids_in_path == 0
            || pattern.starts_with("/static")
            || pattern.starts_with("/reset")
            || pattern.starts_with("/invitations")
        {
            continue;
        }
        let res = match method {
            "GET" => sec.get(&path).await,
            _ => sec.post(&path, &[("csrf", &token), ("rows", "[]")]).await,
        };
        tried += 1;
        assert_eq!(
            res.status,
            StatusCode::NOT_FOUND,
            "{method} {path} with borea's ids"
        );
        assert!(
            !res.body.contains("Borea"),
            "{method} {path} shows borea's data"
        );
    }
    assert!(tried >= 60, "{tried}");
    // Nothing of borea changed.
    assert_eq!(app.count("select count(*) from status_updates where review_state = 'pending' and progress in (5, 6)").await, 2);
    assert_eq!(
        app.count(
            "select count(*) from action_points where text = 'Borea action' and done_on is null"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn ten_thousand_interleaved_requests_for_three_tenants_never_cross() {
    let app = TestApp::new().await;
    let mut clients = Vec::new();
    for slug in ["aland", "borea", "cora"] {
        app.tenant(slug).await;
        let email = format!("sec@{slug}.test");
        app.member(slug, &email, Role::Secretariat, Some("MOL"), false)
            .await;
        clients.push((slug, app.signed_in(&email).await));
    }
    // 30 workers, 10 per tenant, over the test pool of 5 connections.
    let mut tasks = Vec::new();
    for worker in 0..30 {
        let (slug, client) = &clients[worker % 3];
        let mut client = Client::clone_session(client);
        let slug = *slug;
        tasks.push(tokio::spawn(async move {
            let mut foreign = 0;
            for i in 0..334 {
                let path = match i % 3 {
                    0 => format!("/t/{slug}/partners"),
                    1 => format!("/t/{slug}/members"),
                    _ => format!("/t/{slug}/"),
                };
                let res = client.get(&path).await;
                assert_eq!(res.status, StatusCode::OK, "{path}");
                for other in ["aland", "borea", "cora"].iter().filter(|o| **o != slug) {
                    if res.body.contains(&format!("({other})"))
                        || res.body.contains(&format!("@{other}.test"))
                    {
                        foreign += 1;
                    }
                }
            }
            foreign
        }));
    }
    let mut foreign = 0;
    for t in tasks {
        foreign += t.await.unwrap();
    }
    assert_eq!(foreign, 0, "pages showed another tenant's rows");
}
