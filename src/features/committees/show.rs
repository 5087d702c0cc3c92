//! One committee's page: its seats, the composition check, its terms of
//! reference and meetings, and the forms to add a seat or a meeting.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;

use super::committee::{Committee, load};
use super::composition::{self, Check, Seated};
use super::seats::{MemberForm, MemberRow, members};
use crate::choices::{CommitteeKind, Gender, Holder, Seat};
use crate::error::AppResult;
use crate::http::form::FieldErrors;
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

#[derive(Template, WebTemplate)]
#[template(path = "committees/show.html")]
pub struct ShowPage {
    page: Chrome,
    slug: String,
    committee: Committee,
    current: Vec<MemberRow>,
    past: Vec<MemberRow>,
    checks: Vec<Check>,
    can_edit: bool,
    versions: Vec<(i32, String)>,
    has_draft: bool,
    partners: Vec<String>,
    seats: &'static [Seat],
    genders: &'static [Gender],
    holders: &'static [Holder],
    /// Its sub-groups and technical committees: id, name, kind.
    sub_groups: Vec<(i64, String, CommitteeKind)>,
    form: MemberForm,
    meetings: Vec<super::meetings::MeetingRow>,
    meeting_form: super::meetings::MeetingForm,
    errors: FieldErrors,
    /// Its open action points, the late ones first.
    actions: Vec<super::actions::ActionRow>,
    /// Since when the person has this committee's calendar address.
    feed_since: Option<String>,
    /// The person follows it (its meetings and terms reach them).
    following: bool,
    documents: crate::features::documents::Section,
}

impl ShowPage {
    fn late_actions(&self) -> usize {
        self.actions.iter().filter(|a| a.is_late()).count()
    }
}

/// One committee's page; the member and meeting forms show what was typed.
pub async fn show_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    form: MemberForm,
    meeting_form: super::meetings::MeetingForm,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let committee = load(ctx.conn(), id).await?;
    let (current, past): (Vec<MemberRow>, Vec<MemberRow>) = members(ctx.conn(), id)
        .await?
        .into_iter()
        .partition(|m| m.left_on.is_none());
    let can_edit = ctx.committee_editor().is_ok();
    let today = time::OffsetDateTime::now_utc().date();
    // Every committee has its own check; the institutions a NAP needs are
    // asked of the oversight committee only.
    let checks = if can_edit {
        let seated: Vec<Seated> = current
            .iter()
            .map(|m| Seated {
                seat: m.seat,
                holder: m.holder,
                gender: m.gender,
                kind: m.kind,
                portfolio: m.portfolio,
                constituency: m.constituency,
                term_end: m.term_end,
                name: m.name.clone(),
            })
            .collect();
        composition::check(&seated, committee.kind == CommitteeKind::Oversight, today)
    } else {
        Vec::new()
    };
    let versions = sqlx::query!(
        "select version as \"version!\", published_at as \"published_at!\" from tor_versions
         where committee_id = $1 and version is not null order by version desc",
        id
    )
    .fetch_all(ctx.conn())
    .await?
    .into_iter()
    .map(|v| (v.version, crate::i18n::date(v.published_at)))
    .collect();
    let has_draft = sqlx::query_scalar!(
        "select exists (select 1 from tor_versions where committee_id = $1 and version is null) as \"e!\"",
        id
    )
    .fetch_one(ctx.conn())
    .await?;
    let partners = crate::features::partners::acronyms(ctx.conn()).await?;
    let sub_groups = super::links::sub_groups(ctx.conn(), id).await?;
    let meetings = super::meetings::list(ctx.conn(), id).await?;
    let actions = super::actions::open(ctx.conn(), Some(id)).await?;
    let membership = ctx.member.id;
    let feed_since = super::feeds::issued_on(ctx.conn(), membership, Some(id))
        .await?
        .map(crate::i18n::date);
    let me = ctx.user.id;
    let following = crate::features::notifications::follows(ctx.conn(), me, None, Some(id)).await?;
    use crate::features::documents::{Link, section};
    Ok(ShowPage {
        documents: section(ctx, Link::Committee(id)).await?,
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        current,
        past,
        checks,
        can_edit,
        versions,
        has_draft,
        partners,
        seats: Seat::ALL,
        genders: Gender::ALL,
        holders: Holder::ALL,
        sub_groups,
        form,
        meetings,
        meeting_form,
        errors,
        actions,
        feed_since,
        following,
    })
}

pub(super) async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ShowPage> {
    let form = MemberForm {
        holder: Holder::Person.as_str().into(),
        seat: "member".into(),
        gender: "not-stated".into(),
        ..MemberForm::default()
    };
    show_page(
        page,
        &mut ctx,
        id,
        form,
        Default::default(),
        FieldErrors::default(),
    )
    .await
}
