//! Committee pages: the list, one committee with its members, and the forms.

use crate::http::form::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sqlx::PgConnection;
use time::Date;

use super::composition::{self, Check, Seated};
use crate::choices::{CommitteeKind, Constituency, Gender, PartnerKind, Portfolio, Seat};
use crate::error::{AppError, AppResult};
use crate::http::form::invalid;
use crate::http::form::{self, FieldErrors};
use crate::http::page::Chrome;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/committees", get(list).post(create))
        .route("/t/{slug}/committees/{id}", get(show))
        .route("/t/{slug}/committees/{id}/edit", get(edit).post(update))
        .route("/t/{slug}/committees/{id}/members", post(add_member))
        .route(
            "/t/{slug}/committees/{id}/members/{member}/leave",
            post(leave),
        )
}

pub struct CommitteeRow {
    pub id: i64,
    pub name: String,
    pub kind: CommitteeKind,
    pub members: i64,
    pub tor_version: Option<i32>,
}

#[derive(Default, Deserialize)]
pub struct CommitteeForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub nested_in: String,
    pub ad_hoc: Option<String>,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub meeting_frequency: String,
    #[serde(default)]
    pub nap: String,
    /// Sub-groups: the code of the outcome they work on, in the chosen NAP.
    #[serde(default)]
    pub outcome: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/list.html")]
struct ListPage {
    page: Chrome,
    slug: String,
    committees: Vec<CommitteeRow>,
    can_edit: bool,
    naps: Vec<(i64, String)>,
    kinds: &'static [CommitteeKind],
    form: CommitteeForm,
    errors: FieldErrors,
}

async fn rows(conn: &mut PgConnection) -> AppResult<Vec<CommitteeRow>> {
    Ok(sqlx::query!(
        r#"select c.id, c.name, c.kind,
                  (select count(*) from committee_members m
                    where m.tenant_id = c.tenant_id and m.committee_id = c.id and m.left_on is null) as "members!",
                  (select max(t.version) from tor_versions t
                    where t.tenant_id = c.tenant_id and t.committee_id = c.id) as tor_version
           from committees c order by c.kind = 'oversight' desc, c.name"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| CommitteeRow {
        id: r.id,
        name: r.name,
        kind: CommitteeKind::parse(&r.kind).unwrap_or(CommitteeKind::Oversight),
        members: r.members,
        tor_version: r.tor_version,
    })
    .collect())
}

async fn list_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    form: CommitteeForm,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    let committees = rows(&mut ctx.tx).await?;
    let naps = sqlx::query!("select id, title from naps order by start_year desc")
        .fetch_all(&mut *ctx.tx)
        .await?
        .into_iter()
        .map(|n| (n.id, n.title))
        .collect();
    Ok(ListPage {
        naps,
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        committees,
        can_edit: ctx.can_edit_plan(),
        kinds: CommitteeKind::ALL,
        form,
        errors,
    })
}

async fn list(page: Chrome, mut ctx: TenantCtx) -> AppResult<ListPage> {
    let form = CommitteeForm {
        kind: "oversight".into(),
        ..CommitteeForm::default()
    };
    list_page(page, &mut ctx, form, FieldErrors::default()).await
}

pub fn parse_date(raw: &str) -> Result<Option<Date>, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw, &format)
        .map(Some)
        .map_err(|_| "committee.date_invalid")
}

/// A checked committee form.
struct CommitteeInput {
    name: String,
    kind: CommitteeKind,
    parent: Option<i64>,
    nested_in: String,
    end_date: Option<Date>,
    frequency: String,
    nap: Option<i64>,
    outcome: Option<i64>,
}

/// Checks the form; `this` is the committee being edited (not its own parent).
async fn validate(
    ctx: &mut TenantCtx,
    f: &CommitteeForm,
    this: Option<i64>,
) -> AppResult<Result<CommitteeInput, FieldErrors>> {
    let mut errors = FieldErrors::default();
    let name = form::check(&mut errors, "name", form::required(&f.name, 300));
    let kind = form::check(
        &mut errors,
        "kind",
        CommitteeKind::parse(&f.kind).ok_or("field.choose"),
    );
    let nested_in = form::check(&mut errors, "nested_in", form::optional(&f.nested_in, 300));
    let frequency = form::check(
        &mut errors,
        "meeting_frequency",
        form::optional(&f.meeting_frequency, 200),
    );
    let end_date = form::check(&mut errors, "end_date", parse_date(&f.end_date));
    let parent = match f.parent.trim().parse::<i64>() {
        Ok(id) if Some(id) != this => {
            let found = sqlx::query_scalar!("select id from committees where id = $1", id)
                .fetch_optional(&mut *ctx.tx)
                .await?;
            if found.is_none() {
                errors.add("parent", "field.choose");
            }
            found
        }
        Ok(_) => {
            errors.add("parent", "committee.own_parent");
            None
        }
        Err(_) => None,
    };
    let nap = match f.nap.trim().parse::<i64>() {
        Ok(id) => {
            let found = sqlx::query_scalar!("select id from naps where id = $1", id)
                .fetch_optional(&mut *ctx.tx)
                .await?;
            if found.is_none() {
                errors.add("nap", "field.choose");
            }
            found
        }
        Err(_) => None,
    };
    let outcome = match (f.outcome.trim(), nap) {
        ("", _) => None,
        (code, Some(nap)) => {
            let found = sqlx::query_scalar!(
                "select id from outcomes where nap_id = $1 and code = $2",
                nap,
                code
            )
            .fetch_optional(&mut *ctx.tx)
            .await?;
            if found.is_none() {
                errors.add_with("outcome", "plan.outcome_unknown", code);
            }
            found
        }
        (_, None) => {
            errors.add("outcome", "committee.outcome_needs_nap");
            None
        }
    };
    Ok(match (name, kind, nested_in, frequency, end_date) {
        (Some(name), Some(kind), Some(nested_in), Some(frequency), Some(end_date))
            if errors.is_empty() =>
        {
            Ok(CommitteeInput {
                name,
                kind,
                parent,
                nested_in,
                end_date,
                frequency,
                nap,
                outcome,
            })
        }
        _ => Err(errors),
    })
}

/// Records which NAP the committee covers (none, or one).
async fn set_nap(
    conn: &mut PgConnection,
    tenant: i64,
    committee: i64,
    nap: Option<i64>,
) -> AppResult<()> {
    sqlx::query!(
        "delete from committee_naps where tenant_id = $1 and committee_id = $2",
        tenant,
        committee
    )
    .execute(&mut *conn)
    .await?;
    if let Some(nap) = nap {
        sqlx::query!(
            "insert into committee_naps (tenant_id, committee_id, nap_id) values ($1, $2, $3)",
            tenant,
            committee,
            nap
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Form(f): Form<CommitteeForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let c = match validate(&mut ctx, &f, None).await? {
        Ok(c) => c,
        Err(errors) => {
            let page = list_page(page, &mut ctx, f, errors).await?;
            return Ok(invalid(page));
        }
    };
    let id = sqlx::query_scalar!(
        "insert into committees (tenant_id, name, kind, parent_id, nested_in, permanent, end_date, meeting_frequency, outcome_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
        editor.tenant_id(),
        c.name,
        c.kind.as_str(),
        c.parent,
        c.nested_in,
        f.ad_hoc.is_none(),
        c.end_date,
        c.frequency,
        c.outcome
    )
    .fetch_one(&mut *ctx.tx)
    .await?;
    set_nap(&mut ctx.tx, editor.tenant_id(), id, c.nap).await?;
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!("/t/{}/committees/{id}", ctx.tenant.slug)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/edit.html")]
struct EditPage {
    page: Chrome,
    slug: String,
    id: i64,
    form: CommitteeForm,
    errors: FieldErrors,
    kinds: &'static [CommitteeKind],
    naps: Vec<(i64, String)>,
    committees: Vec<CommitteeRow>,
}

async fn edit_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    id: i64,
    form: CommitteeForm,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let committees = rows(&mut ctx.tx)
        .await?
        .into_iter()
        .filter(|c| c.id != id)
        .collect();
    let naps = sqlx::query!("select id, title from naps order by start_year desc")
        .fetch_all(&mut *ctx.tx)
        .await?
        .into_iter()
        .map(|n| (n.id, n.title))
        .collect();
    Ok(EditPage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        id,
        form,
        errors,
        kinds: CommitteeKind::ALL,
        naps,
        committees,
    })
}

async fn edit(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<EditPage> {
    ctx.plan_editor()?;
    let r = sqlx::query!(
        r#"select c.name, c.kind, c.parent_id, c.nested_in, c.permanent, c.end_date, c.meeting_frequency,
                  (select cn.nap_id from committee_naps cn where cn.tenant_id = c.tenant_id and cn.committee_id = c.id limit 1) as nap,
                  o.code as "outcome?"
           from committees c left join outcomes o on o.tenant_id = c.tenant_id and o.id = c.outcome_id
           where c.id = $1"#,
        id
    )
    .fetch_optional(&mut *ctx.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let form = CommitteeForm {
        name: r.name,
        kind: r.kind,
        parent: r.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        nested_in: r.nested_in,
        ad_hoc: (!r.permanent).then(|| "on".to_owned()),
        end_date: r.end_date.map(|d| d.to_string()).unwrap_or_default(),
        meeting_frequency: r.meeting_frequency,
        nap: r.nap.map(|n| n.to_string()).unwrap_or_default(),
        outcome: r.outcome.unwrap_or_default(),
    };
    edit_page(page, &mut ctx, id, form, FieldErrors::default()).await
}

async fn update(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<CommitteeForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    load(&mut ctx.tx, id).await?;
    let c = match validate(&mut ctx, &f, Some(id)).await? {
        Ok(c) => c,
        Err(errors) => {
            let page = edit_page(page, &mut ctx, id, f, errors).await?;
            return Ok(invalid(page));
        }
    };
    sqlx::query!(
        "update committees set name = $3, kind = $4, parent_id = $5, nested_in = $6, permanent = $7, end_date = $8,
                meeting_frequency = $9, outcome_id = $10
         where tenant_id = $1 and id = $2",
        editor.tenant_id(),
        id,
        c.name,
        c.kind.as_str(),
        c.parent,
        c.nested_in,
        f.ad_hoc.is_none(),
        c.end_date,
        c.frequency,
        c.outcome
    )
    .execute(&mut *ctx.tx)
    .await?;
    set_nap(&mut ctx.tx, editor.tenant_id(), id, c.nap).await?;
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!("/t/{}/committees/{id}", ctx.tenant.slug)).into_response())
}

pub struct Committee {
    pub id: i64,
    pub name: String,
    pub kind: CommitteeKind,
    pub nested_in: String,
    pub permanent: bool,
    pub end_date: Option<Date>,
    pub meeting_frequency: String,
    pub parent: Option<String>,
    pub outcome: Option<String>,
}

pub async fn load(conn: &mut PgConnection, id: i64) -> AppResult<Committee> {
    let r = sqlx::query!(
        r#"select c.id, c.name, c.kind, c.nested_in, c.permanent, c.end_date, c.meeting_frequency,
                  p.name as "parent?", o.code || ' ' || o.title as "outcome?"
           from committees c left join committees p on p.tenant_id = c.tenant_id and p.id = c.parent_id
           left join outcomes o on o.tenant_id = c.tenant_id and o.id = c.outcome_id
           where c.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Committee {
        id: r.id,
        name: r.name,
        kind: CommitteeKind::parse(&r.kind).unwrap_or(CommitteeKind::Oversight),
        nested_in: r.nested_in,
        permanent: r.permanent,
        end_date: r.end_date,
        meeting_frequency: r.meeting_frequency,
        parent: r.parent,
        outcome: r.outcome,
    })
}

pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub public_name: bool,
    pub partner: Option<String>,
    pub partner_acronym: Option<String>,
    pub seat: Seat,
    pub gender: Gender,
    pub term_start: Date,
    pub term_end: Option<Date>,
    pub interpretation: String,
    pub left_on: Option<Date>,
    pub kind: Option<PartnerKind>,
    pub portfolio: Option<Portfolio>,
    pub constituency: Option<Constituency>,
}

pub async fn members(conn: &mut PgConnection, committee: i64) -> AppResult<Vec<MemberRow>> {
    Ok(sqlx::query!(
        r#"select m.id, m.name, m.public_name, p.name as "partner?", p.acronym as "acronym?", m.seat, m.gender,
                  m.term_start, m.term_end, m.interpretation, m.left_on,
                  p.kind as "kind?", p.portfolio, p.constituency as "constituency?"
           from committee_members m left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
           where m.committee_id = $1
           order by m.left_on nulls first, array_position(array['chair','vice-chair','member','alternate','secretary','observer'], m.seat), m.name"#,
        committee
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| MemberRow {
        id: r.id,
        name: r.name,
        public_name: r.public_name,
        partner: r.partner,
        partner_acronym: r.acronym,
        seat: Seat::parse(&r.seat).unwrap_or(Seat::Member),
        gender: Gender::parse(&r.gender).unwrap_or(Gender::NotStated),
        term_start: r.term_start,
        term_end: r.term_end,
        interpretation: r.interpretation,
        left_on: r.left_on,
        kind: r.kind.as_deref().and_then(PartnerKind::parse),
        portfolio: r.portfolio.as_deref().and_then(Portfolio::parse),
        constituency: r.constituency.as_deref().and_then(Constituency::parse),
    })
    .collect())
}

#[derive(Default, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    pub name: String,
    /// Links the seat to an account, so a hand-over can pass it on.
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub seat: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub term_start: String,
    #[serde(default)]
    pub term_end: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub interpretation: String,
    pub public_name: Option<String>,
}

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
    form: MemberForm,
    meetings: Vec<super::meetings::MeetingRow>,
    meeting_form: super::meetings::MeetingForm,
    errors: FieldErrors,
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
    let committee = load(&mut ctx.tx, id).await?;
    let (current, past): (Vec<MemberRow>, Vec<MemberRow>) = members(&mut ctx.tx, id)
        .await?
        .into_iter()
        .partition(|m| m.left_on.is_none());
    let can_edit = ctx.can_edit_plan();
    let today = time::OffsetDateTime::now_utc().date();
    let checks = if can_edit && committee.kind == CommitteeKind::Oversight {
        let seated: Vec<Seated> = current
            .iter()
            .map(|m| Seated {
                seat: m.seat,
                gender: m.gender,
                kind: m.kind,
                portfolio: m.portfolio,
                constituency: m.constituency,
                term_end: m.term_end,
                name: m.name.clone(),
            })
            .collect();
        composition::check(&seated, today)
    } else {
        Vec::new()
    };
    let versions = sqlx::query!(
        "select version as \"version!\", published_at as \"published_at!\" from tor_versions
         where committee_id = $1 and version is not null order by version desc",
        id
    )
    .fetch_all(&mut *ctx.tx)
    .await?
    .into_iter()
    .map(|v| (v.version, crate::http::page::format_date(v.published_at)))
    .collect();
    let has_draft = sqlx::query_scalar!(
        "select exists (select 1 from tor_versions where committee_id = $1 and version is null) as \"e!\"",
        id
    )
    .fetch_one(&mut *ctx.tx)
    .await?;
    let partners = crate::features::partners::acronyms(&mut ctx.tx).await?;
    let meetings = super::meetings::list(&mut ctx.tx, id).await?;
    Ok(ShowPage {
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
        form,
        meetings,
        meeting_form,
        errors,
    })
}

async fn show(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ShowPage> {
    let form = MemberForm {
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

async fn add_member(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    load(&mut ctx.tx, id).await?;
    let mut errors = FieldErrors::default();
    let name = form::check(&mut errors, "name", form::required(&f.name, 200));
    let seat = form::check(
        &mut errors,
        "seat",
        Seat::parse(&f.seat).ok_or("field.choose"),
    );
    let gender = form::check(
        &mut errors,
        "gender",
        Gender::parse(&f.gender).ok_or("field.choose"),
    );
    let start = form::check(&mut errors, "term_start", parse_date(&f.term_start));
    let end = form::check(&mut errors, "term_end", parse_date(&f.term_end));
    if let (Some(Some(s)), Some(Some(e))) = (start, end)
        && e < s
    {
        errors.add("term_end", "committee.term_end_before_start");
    }
    let language = form::check(&mut errors, "language", form::optional(&f.language, 100));
    let interpretation = form::check(
        &mut errors,
        "interpretation",
        form::optional(&f.interpretation, 300),
    );
    let user = match f.email.trim() {
        "" => None,
        raw => match crate::accounts::normalize_email(raw) {
            Err(key) => {
                errors.add("email", key);
                None
            }
            Ok(email) => {
                let found = crate::accounts::user_id(&mut ctx.tx, &email).await?;
                if found.is_none() {
                    errors.add("email", "committee.no_account");
                }
                found
            }
        },
    };
    let partner =
        crate::features::partners::by_acronym(&mut ctx.tx, &f.partner, "partner", &mut errors)
            .await?;
    let (
        Some(name),
        Some(seat),
        Some(gender),
        Some(start),
        Some(end),
        Some(language),
        Some(interpretation),
        true,
    ) = (
        name,
        seat,
        gender,
        start,
        end,
        language,
        interpretation,
        errors.is_empty(),
    )
    else {
        let page = show_page(page, &mut ctx, id, f, Default::default(), errors).await?;
        return Ok(invalid(page));
    };
    let start = start.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    sqlx::query!(
        "insert into committee_members (tenant_id, committee_id, name, partner_id, seat, gender, term_start,
                                        term_end, language, interpretation, public_name, user_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        editor.tenant_id(),
        id,
        name,
        partner,
        seat.as_str(),
        gender.as_str(),
        start,
        end,
        language,
        interpretation,
        f.public_name.is_some(),
        user
    )
    .execute(&mut *ctx.tx)
    .await?;
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!("/t/{}/committees/{id}", ctx.tenant.slug)).into_response())
}

async fn leave(
    mut ctx: TenantCtx,
    Path((_, id, member)): Path<(String, i64, i64)>,
) -> AppResult<Redirect> {
    let editor = ctx.plan_editor()?;
    let done = sqlx::query!(
        "update committee_members set left_on = current_date
         where tenant_id = $1 and id = $2 and committee_id = $3 and left_on is null",
        editor.tenant_id(),
        member,
        id
    )
    .execute(&mut *ctx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    ctx.tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/t/{}/committees/{id}",
        ctx.tenant.slug
    )))
}
