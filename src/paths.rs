//! Every route of the product, in one table: the pattern the router
//! registers and a function that builds the link to it, from the same
//! line, so a link cannot drift from its route. Values are percent-encoded
//! as they go in (an acronym with `&` or a slash stays one value), and
//! [`with_query`] encodes query strings the same way.
//!
//! Routers name a route by its pattern (`at::nap`); templates, redirects
//! and e-mails build its links (`nap(slug, id)`, any displayable values, in
//! the pattern's order; a test checks each builder names its pattern's
//! placeholders).

use std::fmt::Display;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What must be encoded in one path segment (RFC 3986's `pchar` keeps the rest).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `pattern` with each `{name}` replaced by the next value, encoded.
fn fill(pattern: &str, values: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut values = values.iter();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        let value = values.next().map(|v| v.to_string()).unwrap_or_default();
        out.extend(utf8_percent_encode(&value, SEGMENT));
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// `url` with `pairs` as its query string, each key and value encoded.
pub fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return url.to_owned();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{url}?{query}")
}

macro_rules! routes {
    ($($name:ident = $pattern:literal $(, $arg:ident)*;)+) => {
        /// The patterns, as the router registers them.
        #[allow(non_upper_case_globals)]
        pub mod at {
            $(pub const $name: &str = $pattern;)+
        }

        $(
            #[doc = concat!("The link to `", $pattern, "`.")]
            pub fn $name($($arg: impl Display),*) -> String {
                fill($pattern, &[$(&$arg as &dyn Display),*])
            }
        )+

        /// Every pattern with the names of its builder's arguments, in order.
        pub const ALL: &[(&str, &[&str])] = &[$(($pattern, &[$(stringify!($arg)),*])),+];
    };
}

routes! {
    home = "/";
    healthz = "/healthz";
    readyz = "/readyz";
    asset = "/static/{file}", file;
    bench_reference = "/bench/reference";
    login = "/login";
    login_code = "/login/code";
    logout = "/logout";
    language = "/language";
    reset = "/reset/{token}", token;
    reset_request = "/reset";
    invitation = "/invitations/{token}", token;
    invitation_accept = "/invitations/{token}/accept", token;
    invitation_decline = "/invitations/{token}/decline", token;
    calendar_feed = "/calendar/{token}/meetings.ics", token;
    public_committee = "/p/{slug}/committees/{id}", slug, id;
    profile = "/profile";
    profile_mail = "/profile/mail";
    notifications = "/notifications";
    notification_open = "/notifications/{tenant}/{id}/open", tenant, id;
    notifications_read = "/notifications/read";
    unsubscribe = "/unsubscribe/{token}", token;
    activity_follow = "/t/{slug}/naps/{id}/activities/{activity}/follow", slug, id, activity;
    committee_follow = "/t/{slug}/committees/{id}/follow", slug, id;
    profile_language = "/profile/language";
    profile_password = "/profile/password";
    profile_two_factor = "/profile/two-factor";
    profile_two_factor_disable = "/profile/two-factor/disable";
    help = "/help";

    public_home = "/p/{slug}/", slug;
    public_nap = "/p/{slug}/naps/{id}", slug, id;
    public_committee_tor = "/p/{slug}/committees/{id}/tor", slug, id;
    public_committee_tor_v = "/p/{slug}/committees/{id}/tor/v/{n}", slug, id, n;
    public_report = "/p/{slug}/reports/{n}", slug, n;
    public_report_pdf = "/p/{slug}/reports/{n}/report.pdf", slug, n;
    public_documents = "/p/{slug}/documents", slug;
    public_search = "/p/{slug}/search", slug;
    public_document_file = "/p/{slug}/documents/{id}/file", slug, id;

    tenant_home = "/t/{slug}/", slug;
    my_work = "/t/{slug}/my-work", slug;
    audit = "/t/{slug}/audit", slug;
    audit_csv = "/t/{slug}/audit.csv", slug;
    reviews = "/t/{slug}/reviews", slug;
    settings = "/t/{slug}/settings", slug;
    update_accept = "/t/{slug}/updates/{id}/accept", slug, id;
    update_return = "/t/{slug}/updates/{id}/return", slug, id;

    members = "/t/{slug}/members", slug;
    member_role = "/t/{slug}/members/{id}/role", slug, id;
    member_activate = "/t/{slug}/members/{id}/activate", slug, id;
    member_deactivate = "/t/{slug}/members/{id}/deactivate", slug, id;
    member_invite = "/t/{slug}/members/{id}/invite", slug, id;
    member_withdraw = "/t/{slug}/members/{id}/withdraw", slug, id;
    member_reset = "/t/{slug}/members/{id}/reset", slug, id;
    member_handover = "/t/{slug}/members/{id}/handover", slug, id;
    handover_read = "/t/{slug}/handovers/{id}/read", slug, id;

    search = "/t/{slug}/search", slug;
    newsletters = "/t/{slug}/newsletters", slug;
    newsletter = "/t/{slug}/newsletters/{id}", slug, id;
    newsletter_send = "/t/{slug}/newsletters/{id}/send", slug, id;
    documents = "/t/{slug}/documents", slug;
    documents_new = "/t/{slug}/documents/new", slug;
    document = "/t/{slug}/documents/{id}", slug, id;
    document_versions = "/t/{slug}/documents/{id}/versions", slug, id;
    document_file = "/t/{slug}/documents/{id}/versions/{n}/file", slug, id, n;
    document_delete = "/t/{slug}/documents/{id}/delete", slug, id;

    partners = "/t/{slug}/partners", slug;
    partners_new = "/t/{slug}/partners/new", slug;
    partner_edit = "/t/{slug}/partners/{id}/edit", slug, id;
    partner_delete = "/t/{slug}/partners/{id}/delete", slug, id;
    partners_import = "/t/{slug}/partners/import", slug;
    partners_import_apply = "/t/{slug}/partners/import/apply", slug;
    partners_file = "/t/{slug}/partners/import/{file}", slug, file;

    naps = "/t/{slug}/naps", slug;
    naps_new = "/t/{slug}/naps/new", slug;
    nap = "/t/{slug}/naps/{id}", slug, id;
    nap_edit = "/t/{slug}/naps/{id}/edit", slug, id;
    nap_delete = "/t/{slug}/naps/{id}/delete", slug, id;
    nap_close = "/t/{slug}/naps/{id}/close", slug, id;
    nap_tags = "/t/{slug}/naps/{id}/tags", slug, id;
    nap_alignment = "/t/{slug}/naps/{id}/alignment", slug, id;
    nap_alignment_ref = "/t/{slug}/naps/{id}/alignment/{code}", slug, id, code;
    nap_publish = "/t/{slug}/naps/{id}/publish", slug, id;
    nap_unpublish = "/t/{slug}/naps/{id}/unpublish", slug, id;
    nap_plan = "/t/{slug}/naps/{id}/plan", slug, id;
    nap_dashboard = "/t/{slug}/naps/{id}/dashboard", slug, id;
    nap_round = "/t/{slug}/naps/{id}/rounds/{quarter}", slug, id, quarter;
    nap_round_extend = "/t/{slug}/naps/{id}/rounds/{quarter}/extensions", slug, id, quarter;
    nap_round_supporting = "/t/{slug}/naps/{id}/rounds/{quarter}/supporting", slug, id, quarter;
    nap_guideline = "/t/{slug}/naps/{id}/guideline", slug, id;
    nap_reports = "/t/{slug}/naps/{id}/reports", slug, id;
    nap_reports_compare = "/t/{slug}/naps/{id}/reports/compare", slug, id;
    nap_communication = "/t/{slug}/naps/{id}/communication", slug, id;
    nap_communication_new = "/t/{slug}/naps/{id}/communication/new", slug, id;
    nap_communication_import = "/t/{slug}/naps/{id}/communication/import", slug, id;
    nap_communication_csv = "/t/{slug}/naps/{id}/communication.csv", slug, id;
    nap_communication_xlsx = "/t/{slug}/naps/{id}/communication.xlsx", slug, id;
    communication_item = "/t/{slug}/naps/{id}/communication/{item}", slug, id, item;
    communication_item_delete = "/t/{slug}/naps/{id}/communication/{item}/delete", slug, id, item;
    nap_checklist = "/t/{slug}/naps/{id}/checklist", slug, id;
    nap_baselines = "/t/{slug}/naps/{id}/baselines", slug, id;
    nap_annual_reviews = "/t/{slug}/naps/{id}/annual-reviews", slug, id;
    nap_annual_review = "/t/{slug}/naps/{id}/annual-reviews/{year}", slug, id, year;
    nap_annual_review_issue = "/t/{slug}/naps/{id}/annual-reviews/{year}/issue", slug, id, year;
    nap_annual_reviews_compare = "/t/{slug}/naps/{id}/annual-reviews/compare", slug, id;
    report = "/t/{slug}/reports/{id}", slug, id;
    report_issue = "/t/{slug}/reports/{id}/issue", slug, id;
    report_publish = "/t/{slug}/reports/{id}/publish", slug, id;
    report_docx = "/t/{slug}/reports/{id}/report.docx", slug, id;
    report_pdf = "/t/{slug}/reports/{id}/report.pdf", slug, id;
    export_csv = "/t/{slug}/naps/{id}/export.csv", slug, id;
    export_xlsx = "/t/{slug}/naps/{id}/export.xlsx", slug, id;
    template_csv = "/t/{slug}/naps/{id}/template.csv", slug, id;
    template_xlsx = "/t/{slug}/naps/{id}/template.xlsx", slug, id;
    import = "/t/{slug}/naps/{id}/import", slug, id;
    import_apply = "/t/{slug}/naps/{id}/import/apply", slug, id;
    objectives_new = "/t/{slug}/naps/{id}/objectives/new", slug, id;
    objective_edit = "/t/{slug}/naps/{id}/objectives/{node}/edit", slug, id, node;
    objective_delete = "/t/{slug}/naps/{id}/objectives/{node}/delete", slug, id, node;
    outcomes_new = "/t/{slug}/naps/{id}/outcomes/new", slug, id;
    outcome_edit = "/t/{slug}/naps/{id}/outcomes/{node}/edit", slug, id, node;
    outcome_delete = "/t/{slug}/naps/{id}/outcomes/{node}/delete", slug, id, node;
    activities = "/t/{slug}/naps/{id}/activities", slug, id;
    activities_new = "/t/{slug}/naps/{id}/activities/new", slug, id;
    activity = "/t/{slug}/naps/{id}/activities/{activity}", slug, id, activity;
    activity_edit = "/t/{slug}/naps/{id}/activities/{activity}/edit", slug, id, activity;
    activity_delete = "/t/{slug}/naps/{id}/activities/{activity}/delete", slug, id, activity;
    activity_update = "/t/{slug}/naps/{id}/activities/{activity}/update", slug, id, activity;
    activity_comments = "/t/{slug}/naps/{id}/activities/{activity}/comments", slug, id, activity;
    activity_confidential = "/t/{slug}/naps/{id}/activities/{activity}/confidential", slug, id, activity;
    risks = "/t/{slug}/naps/{id}/risks", slug, id;
    risks_new = "/t/{slug}/naps/{id}/risks/new", slug, id;
    risk_edit = "/t/{slug}/naps/{id}/risks/{risk}/edit", slug, id, risk;
    indicators = "/t/{slug}/naps/{id}/indicators", slug, id;
    indicator = "/t/{slug}/naps/{id}/indicators/{indicator}", slug, id, indicator;
    indicator_edit = "/t/{slug}/naps/{id}/indicators/{indicator}/edit", slug, id, indicator;
    indicator_delete = "/t/{slug}/naps/{id}/indicators/{indicator}/delete", slug, id, indicator;
    indicators_import = "/t/{slug}/naps/{id}/indicators/import", slug, id;
    indicators_import_apply = "/t/{slug}/naps/{id}/indicators/import/apply", slug, id;
    indicators_file = "/t/{slug}/naps/{id}/indicators/import/{file}", slug, id, file;

    committees = "/t/{slug}/committees", slug;
    committees_import = "/t/{slug}/committees/import", slug;
    committees_import_apply = "/t/{slug}/committees/import/apply", slug;
    committees_file = "/t/{slug}/committees/import/{file}", slug, file;
    committee = "/t/{slug}/committees/{id}", slug, id;
    committee_edit = "/t/{slug}/committees/{id}/edit", slug, id;
    committee_members = "/t/{slug}/committees/{id}/members", slug, id;
    committee_member_leave = "/t/{slug}/committees/{id}/members/{member}/leave", slug, id, member;
    committee_tor = "/t/{slug}/committees/{id}/tor", slug, id;
    committee_tor_publish = "/t/{slug}/committees/{id}/tor/publish", slug, id;
    committee_tor_compare = "/t/{slug}/committees/{id}/tor/compare", slug, id;
    committee_tor_v = "/t/{slug}/committees/{id}/tor/v/{n}", slug, id, n;
    committee_meetings = "/t/{slug}/committees/{id}/meetings", slug, id;
    meeting = "/t/{slug}/committees/{id}/meetings/{meeting}", slug, id, meeting;
    meeting_ics = "/t/{slug}/committees/{id}/meetings/{meeting}/meeting.ics", slug, id, meeting;
    meeting_attendance = "/t/{slug}/committees/{id}/meetings/{meeting}/attendance", slug, id, meeting;
    meeting_minutes = "/t/{slug}/committees/{id}/meetings/{meeting}/minutes", slug, id, meeting;
    meeting_decisions = "/t/{slug}/committees/{id}/meetings/{meeting}/decisions", slug, id, meeting;
    meeting_actions = "/t/{slug}/committees/{id}/meetings/{meeting}/actions", slug, id, meeting;
    action_done = "/t/{slug}/committees/{id}/actions/{action}/done", slug, id, action;
    committee_feed = "/t/{slug}/committees/{id}/calendar", slug, id;
    meeting_minutes_publish = "/t/{slug}/committees/{id}/meetings/{meeting}/minutes/publish", slug, id, meeting;
    tenant_actions = "/t/{slug}/actions", slug;
    tenant_meetings = "/t/{slug}/meetings", slug;
    tenant_meetings_feed = "/t/{slug}/meetings/calendar", slug;

    confidential = "/t/{slug}/confidential", slug;
    confidential_group_members = "/t/{slug}/confidential/groups/{group}/members", slug, group;
    confidential_group_member_remove = "/t/{slug}/confidential/groups/{group}/members/{user}/remove", slug, group, user;
    confidential_record = "/t/{slug}/confidential/records/{record}", slug, record;
    confidential_record_file = "/t/{slug}/confidential/records/{record}/file", slug, record;
    confidential_record_delete = "/t/{slug}/confidential/records/{record}/delete", slug, record;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_builder_fills_its_patterns_placeholders_in_order() {
        for (pattern, args) in ALL {
            let placeholders: Vec<&str> = pattern
                .split('{')
                .skip(1)
                .map(|p| p.split('}').next().unwrap_or(""))
                .collect();
            assert_eq!(&placeholders, args, "{pattern}");
        }
        let patterns: std::collections::BTreeSet<&str> = ALL.iter().map(|(p, _)| *p).collect();
        assert_eq!(patterns.len(), ALL.len(), "one line per route");
    }

    #[test]
    fn values_are_encoded() {
        assert_eq!(nap("veridia", 3), "/t/veridia/naps/3");
        assert_eq!(reset("a/b?c"), "/reset/a%2Fb%3Fc");
        assert_eq!(
            with_query(
                &activities("veridia", 3),
                &[("lead", "R&D"), ("only", "overdue")]
            ),
            "/t/veridia/naps/3/activities?lead=R%26D&only=overdue"
        );
        assert_eq!(with_query("/x", &[]), "/x");
    }
}
