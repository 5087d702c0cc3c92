//! Seats on a committee: who holds them, for which organisation, for how
//! long; their writes, which only a [`CommitteeEditor`] makes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::Date;

use super::committee::{Committee, load, parse_date};
use crate::authz::CommitteeEditor;
use crate::choices::{Constituency, Gender, Holder, PartnerKind, Portfolio, Seat};
use crate::error::{AppError, AppResult};
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub struct MemberRow {
    pub id: i64,
    /// The person's name, the post's title, or empty for a vacant seat.
    pub name: String,
    pub holder: Holder,
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
    /// The seat is linked to an account (its holder's calendar shows the meetings).
    pub linked: bool,
}

impl MemberRow {
    pub fn is_vacant(&self) -> bool {
        self.holder == Holder::Vacant
    }

    /// Held by a post title: the holder's name is not known.
    pub fn is_post(&self) -> bool {
        self.holder == Holder::Post
    }

    /// Known only by its organisation: no person or post is named.
    pub fn is_organisation(&self) -> bool {
        self.holder == Holder::Organisation
    }
}

/// Who holds a seat as the public reads it: the person's name only when
/// they agreed, a post's title always (it names an office, not a person),
/// and a vacant seat as vacant.
pub struct PublicHolder {
    pub text: Option<String>,
    /// What is said instead when there is no text.
    pub note: &'static str,
}

impl PublicHolder {
    /// `name` is the stored name, already withheld (`None`) for a person
    /// who did not agree to be named.
    pub fn new(holder: &str, name: Option<String>) -> Self {
        match Holder::parse(holder) {
            Some(Holder::Vacant) => Self {
                text: None,
                note: "holder.vacant_seat",
            },
            Some(Holder::Organisation) => Self {
                text: None,
                note: "holder.organisation_seat",
            },
            _ => Self {
                text: name,
                note: "committee.name_hidden",
            },
        }
    }
}

pub async fn members(conn: &mut PgConnection, committee: i64) -> AppResult<Vec<MemberRow>> {
    Ok(sqlx::query!(
        r#"select m.id,
                  -- A seat known only by its organisation goes by the organisation's name.
                  case when m.holder = 'organisation' then coalesce(p.name, '') else m.name end as "name!",
                  m.holder, m.public_name, p.name as "partner?", p.acronym as "acronym?", m.seat, m.gender,
                  m.term_start, m.term_end, m.interpretation, m.left_on,
                  p.kind as "kind?", p.portfolio, p.constituency as "constituency?",
                  m.user_id is not null as "linked!"
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
        holder: Holder::parse(&r.holder).unwrap_or(Holder::Person),
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
        linked: r.linked,
    })
    .collect())
}

#[derive(Default, Deserialize)]
pub struct MemberForm {
    /// Who holds the seat, one of [`Holder`].
    #[serde(default)]
    pub holder: String,
    /// The person's name or the post's title (nothing for a vacant seat).
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

impl MemberForm {
    /// The form checked: the one check of the add-member form and of every
    /// member row of the committees file.
    pub async fn check(&self, conn: &mut PgConnection) -> AppResult<Result<NewSeat, FieldErrors>> {
        let mut errors = FieldErrors::default();
        // Said or not, a seat is held by a person: the form's default.
        let holder = form::check(
            &mut errors,
            "holder",
            match self.holder.trim() {
                "" => Ok(Holder::Person),
                said => Holder::parse(said).ok_or("field.choose"),
            },
        );
        let name = match holder {
            Some(h) if !h.is_named() => Some(String::new()),
            _ => form::check(&mut errors, "name", form::required(&self.name, 200)),
        };
        let seat = form::check(
            &mut errors,
            "seat",
            Seat::parse(&self.seat).ok_or("field.choose"),
        );
        let gender = form::check(
            &mut errors,
            "gender",
            Gender::parse(&self.gender).ok_or("field.choose"),
        );
        let start = form::check(&mut errors, "term_start", parse_date(&self.term_start));
        let end = form::check(&mut errors, "term_end", parse_date(&self.term_end));
        if let (Some(Some(s)), Some(Some(e))) = (start, end)
            && e < s
        {
            errors.add("term_end", "committee.term_end_before_start");
        }
        let language = form::check(&mut errors, "language", form::optional(&self.language, 100));
        let interpretation = form::check(
            &mut errors,
            "interpretation",
            form::optional(&self.interpretation, 300),
        );
        let user = match self.email.trim() {
            "" => None,
            raw => match crate::accounts::normalize_email(raw) {
                Err(key) => {
                    errors.add("email", key);
                    None
                }
                Ok(email) => {
                    let found = crate::accounts::user_id(&mut *conn, &email).await?;
                    if found.is_none() {
                        errors.add("email", "committee.no_account");
                    }
                    found
                }
            },
        };
        let partner = crate::features::partners::by_acronym(
            &mut *conn,
            &self.partner,
            "partner",
            &mut errors,
        )
        .await?;
        if holder == Some(Holder::Organisation) && partner.is_none() && !errors.has("partner") {
            errors.add("partner", "holder.organisation_needs_partner");
        }
        let (
            Some(holder),
            Some(name),
            Some(seat),
            Some(gender),
            Some(start),
            Some(end),
            Some(language),
            Some(interpretation),
            true,
        ) = (
            holder,
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
            return Ok(Err(errors));
        };
        Ok(Ok(NewSeat {
            name,
            holder,
            partner,
            seat,
            // Nobody named holds a vacant seat or an organisation's, so
            // nobody's gender is known.
            gender: if !holder.is_named() {
                Gender::NotStated
            } else {
                gender
            },
            start: start.unwrap_or_else(|| time::OffsetDateTime::now_utc().date()),
            end,
            language,
            interpretation,
            public_name: self.public_name.is_some(),
            user,
        }))
    }
}

pub(super) async fn add_member(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    load(ctx.conn(), id).await?;
    let seat = match f.check(ctx.conn()).await? {
        Ok(seat) => seat,
        Err(errors) => {
            let page =
                super::show::show_page(page, &mut ctx, id, f, Default::default(), errors).await?;
            return Ok(invalid(page));
        }
    };
    editor.save_seat(ctx.conn(), id, None, &seat).await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::committee(&ctx.tenant.slug, id),
        crate::choices::Notice::Added,
    );
    Ok(Redirect::to(&to).into_response())
}

/// "Leaving the committee?": what leaving does, and the button that does it.
#[derive(Template, WebTemplate)]
#[template(path = "committees/leave.html")]
pub(super) struct LeavePage {
    page: Chrome,
    slug: String,
    committee: Committee,
    member: MemberRow,
    today: Date,
}

impl LeavePage {
    /// "Ana Ruiz (Chair, Ministry of Labour) leaves the Oversight
    /// Committee today, 4 Dec 2026."
    fn summary(&self) -> String {
        let seat = crate::i18n::t(self.member.seat.label_key());
        let name = if self.member.is_vacant() {
            crate::i18n::t("holder.vacant_seat").into_owned()
        } else {
            self.member.name.clone()
        };
        let who = match &self.member.partner {
            Some(p) => format!("{name} ({seat}, {p})"),
            None => format!("{name} ({seat})"),
        };
        crate::i18n::t_args(
            "leave.summary",
            &[
                ("who", &who),
                ("committee", &self.committee.name),
                ("date", &crate::i18n::day(self.today)),
            ],
        )
    }
}

/// The value the confirmation page's form sends; without it nothing happens.
const CONFIRMED: &str = "yes";

#[derive(Default, Deserialize)]
pub(super) struct LeaveForm {
    #[serde(default)]
    confirm: String,
}

/// The confirmation page of an open seat (404 if there is none).
async fn leave_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    committee: i64,
    member: i64,
) -> AppResult<LeavePage> {
    let committee = load(ctx.conn(), committee).await?;
    let member = members(ctx.conn(), committee.id)
        .await?
        .into_iter()
        .find(|m| m.id == member && m.left_on.is_none())
        .ok_or(AppError::NotFound)?;
    Ok(LeavePage {
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        committee,
        member,
        today: time::OffsetDateTime::now_utc().date(),
    })
}

pub(super) async fn confirm_leave(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, member)): Path<(String, i64, i64)>,
) -> AppResult<LeavePage> {
    ctx.committee_editor()?;
    leave_page(page, &mut ctx, id, member).await
}

/// Ends a seat, only when the confirmation page sent it; otherwise that
/// page again, and nothing changes.
pub(super) async fn leave(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, member)): Path<(String, i64, i64)>,
    Form(f): Form<LeaveForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    if f.confirm != CONFIRMED {
        return Ok(leave_page(page, &mut ctx, id, member)
            .await?
            .into_response());
    }
    if !editor.close_seat(ctx.conn(), id, member).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    Ok(Redirect::to(&crate::http::notice::done(
        &crate::paths::committee(&ctx.tenant.slug, id),
        crate::choices::Notice::SeatLeft,
    ))
    .into_response())
}

/// A seat as the form gave it, checked.
pub struct NewSeat {
    pub name: String,
    pub holder: Holder,
    pub partner: Option<i64>,
    pub seat: Seat,
    pub gender: Gender,
    pub start: Date,
    pub end: Option<Date>,
    pub language: String,
    pub interpretation: String,
    pub public_name: bool,
    pub user: Option<i64>,
}

/// The writes of seats: only a [`CommitteeEditor`] makes them.
impl CommitteeEditor {
    /// Adds a seat to `committee` (`member` none) or changes an open one
    /// of it to what `s` says (its holder, organisation, role, term…): the
    /// member form's write and the committees file's.
    pub async fn save_seat(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        member: Option<i64>,
        s: &NewSeat,
    ) -> AppResult<()> {
        sqlx::query!(
            "insert into committee_members as m (tenant_id, id, committee_id, name, partner_id, seat, gender,
                                                 term_start, term_end, language, interpretation, public_name,
                                                 user_id, holder)
             overriding system value
             values ($1, coalesce($2, nextval(pg_get_serial_sequence('committee_members', 'id'))), $3, $4, $5,
                     $6, $7, $8, $9, $10, $11, $12, $13, $14)
             on conflict (tenant_id, id) do update
             set name = excluded.name, partner_id = excluded.partner_id, seat = excluded.seat,
                 gender = excluded.gender, term_start = excluded.term_start, term_end = excluded.term_end,
                 language = excluded.language, interpretation = excluded.interpretation,
                 public_name = excluded.public_name, user_id = excluded.user_id, holder = excluded.holder
             where m.committee_id = excluded.committee_id and m.left_on is null",
            self.tenant_id(),
            member,
            committee,
            s.name,
            s.partner,
            s.seat.as_str(),
            s.gender.as_str(),
            s.start,
            s.end,
            s.language,
            s.interpretation,
            s.public_name,
            s.user,
            s.holder.as_str()
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Ends a seat today; false if there is no such open seat.
    async fn close_seat(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        member: i64,
    ) -> AppResult<bool> {
        let done = sqlx::query!(
            "update committee_members set left_on = current_date
             where tenant_id = $1 and id = $2 and committee_id = $3 and left_on is null",
            self.tenant_id(),
            member,
            committee
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
