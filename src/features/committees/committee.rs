//! Committees themselves: the list, the forms that create and change one,
//! and their writes, which only a [`CommitteeEditor`] makes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::Date;

use super::schedule::{self, Frequency, Standing};
use crate::authz::CommitteeEditor;
use crate::choices::CommitteeKind;
use crate::error::{AppError, AppResult};
use crate::http::form::{self, FieldErrors, Form, invalid};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub struct CommitteeRow {
    pub id: i64,
    pub name: String,
    pub kind: CommitteeKind,
    pub members: i64,
    pub tor_version: Option<i32>,
    /// How often it meets, and whether a meeting is overdue.
    pub standing: Standing,
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
    /// How often it meets, one of [`Frequency`].
    #[serde(default)]
    pub meets: String,
    /// The secretariat's words beside it ("after each harvest").
    #[serde(default)]
    pub meeting_frequency: String,
    #[serde(default)]
    pub nap: String,
    /// Sub-groups: the code of the objective they work on, in the chosen NAP.
    #[serde(default)]
    pub objective: String,
    /// Sub-groups: the code of the outcome they work on, in the chosen NAP.
    #[serde(default)]
    pub outcome: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/list.html")]
pub(super) struct ListPage {
    page: Chrome,
    slug: String,
    committees: Vec<CommitteeRow>,
    can_edit: bool,
    naps: Vec<(i64, String)>,
    kinds: &'static [CommitteeKind],
    frequencies: &'static [Frequency],
    form: CommitteeForm,
    errors: FieldErrors,
}

impl ListPage {
    /// How many committees have a meeting overdue.
    fn overdue(&self) -> i64 {
        let n = self
            .committees
            .iter()
            .filter(|c| c.standing.schedule.is_overdue())
            .count();
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    fn overdue_count(&self) -> String {
        crate::i18n::number(self.overdue())
    }
}

async fn rows(conn: &mut PgConnection) -> AppResult<Vec<CommitteeRow>> {
    Ok(sqlx::query!(
        r#"select c.id, c.name, c.kind, c.meets, c.meeting_frequency, c.created_at,
                  (select count(*) from committee_members m
                    where m.tenant_id = c.tenant_id and m.committee_id = c.id and m.left_on is null) as "members!",
                  (select max(t.version) from tor_versions t
                    where t.tenant_id = c.tenant_id and t.committee_id = c.id) as tor_version,
                  (select max(m.starts_at) from meetings m
                    where m.tenant_id = c.tenant_id and m.committee_id = c.id and m.starts_at <= now()) as last_meeting,
                  (select min(m.starts_at) from meetings m
                    where m.tenant_id = c.tenant_id and m.committee_id = c.id and m.starts_at > now()) as next_meeting
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
        standing: schedule::standing(
            Frequency::parse(&r.meets).unwrap_or(Frequency::AsNeeded),
            r.meeting_frequency,
            r.last_meeting,
            r.next_meeting,
            r.created_at,
        ),
    })
    .collect())
}

async fn list_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    form: CommitteeForm,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    let committees = rows(ctx.conn()).await?;
    let naps = sqlx::query!("select id, title from naps order by start_year desc")
        .fetch_all(ctx.conn())
        .await?
        .into_iter()
        .map(|n| (n.id, n.title))
        .collect();
    Ok(ListPage {
        naps,
        page: page.in_tenant(ctx),
        slug: ctx.tenant.slug.clone(),
        committees,
        can_edit: ctx.committee_editor().is_ok(),
        kinds: CommitteeKind::ALL,
        frequencies: Frequency::ALL,
        form,
        errors,
    })
}

pub(super) async fn list(page: Chrome, mut ctx: TenantCtx) -> AppResult<ListPage> {
    let form = CommitteeForm {
        kind: "oversight".into(),
        meets: Frequency::AsNeeded.as_str().into(),
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
pub struct CommitteeInput {
    pub name: String,
    pub kind: CommitteeKind,
    /// The committee it is part of (a sub-group's parent).
    pub parent: Option<i64>,
    pub nested_in: String,
    permanent: bool,
    end_date: Option<Date>,
    pub meets: Frequency,
    pub frequency: String,
    plan: super::links::PlanPart,
}

/// Checks the form; `this` is the committee being edited (not its own
/// parent). The one check of the form and of the committees file.
pub async fn validate(
    conn: &mut PgConnection,
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
    // Not said is not known: as needed, which is never overdue.
    let meets = form::check(
        &mut errors,
        "meets",
        match f.meets.trim() {
            "" => Ok(Frequency::AsNeeded),
            said => Frequency::parse(said).ok_or("field.choose"),
        },
    );
    let frequency = form::check(
        &mut errors,
        "meeting_frequency",
        form::optional(&f.meeting_frequency, 200),
    );
    let end_date = form::check(&mut errors, "end_date", parse_date(&f.end_date));
    let parent = match f.parent.trim().parse::<i64>() {
        Ok(id) if Some(id) != this => {
            let found = sqlx::query_scalar!("select id from committees where id = $1", id)
                .fetch_optional(&mut *conn)
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
    let plan = super::links::plan_part(conn, &mut errors, &f.nap, &f.objective, &f.outcome).await?;
    Ok(match (name, kind, nested_in, meets, frequency, end_date) {
        (Some(name), Some(kind), Some(nested_in), Some(meets), Some(frequency), Some(end_date))
            if errors.is_empty() =>
        {
            Ok(CommitteeInput {
                name,
                kind,
                parent,
                nested_in,
                permanent: f.ad_hoc.is_none(),
                end_date,
                meets,
                frequency,
                plan,
            })
        }
        _ => Err(errors),
    })
}

/// The writes of committees themselves: only a [`CommitteeEditor`] makes them.
impl CommitteeEditor {
    pub async fn create_committee(
        &self,
        conn: &mut PgConnection,
        c: &CommitteeInput,
    ) -> AppResult<i64> {
        let id = sqlx::query_scalar!(
            "insert into committees (tenant_id, name, kind, parent_id, nested_in, permanent, end_date, meeting_frequency,
                                     outcome_id, meets, objective_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
            self.tenant_id(),
            c.name,
            c.kind.as_str(),
            c.parent,
            c.nested_in,
            c.permanent,
            c.end_date,
            c.frequency,
            c.plan.outcome,
            c.meets.as_str(),
            c.plan.objective
        )
        .fetch_one(&mut *conn)
        .await?;
        self.set_committee_nap(conn, id, c.plan.nap).await?;
        Ok(id)
    }

    pub async fn update_committee(
        &self,
        conn: &mut PgConnection,
        id: i64,
        c: &CommitteeInput,
    ) -> AppResult<()> {
        sqlx::query!(
            "update committees set name = $3, kind = $4, parent_id = $5, nested_in = $6, permanent = $7, end_date = $8,
                    meeting_frequency = $9, outcome_id = $10, meets = $11, objective_id = $12
             where tenant_id = $1 and id = $2",
            self.tenant_id(),
            id,
            c.name,
            c.kind.as_str(),
            c.parent,
            c.nested_in,
            c.permanent,
            c.end_date,
            c.frequency,
            c.plan.outcome,
            c.meets.as_str(),
            c.plan.objective
        )
        .execute(&mut *conn)
        .await?;
        self.set_committee_nap(conn, id, c.plan.nap).await
    }

    /// Records which NAP the committee covers (none, or one).
    async fn set_committee_nap(
        &self,
        conn: &mut PgConnection,
        committee: i64,
        nap: Option<i64>,
    ) -> AppResult<()> {
        sqlx::query!(
            "delete from committee_naps where tenant_id = $1 and committee_id = $2",
            self.tenant_id(),
            committee
        )
        .execute(&mut *conn)
        .await?;
        if let Some(nap) = nap {
            sqlx::query!(
                "insert into committee_naps (tenant_id, committee_id, nap_id) values ($1, $2, $3)",
                self.tenant_id(),
                committee,
                nap
            )
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

pub(super) async fn create(
    page: Chrome,
    mut ctx: TenantCtx,
    Form(f): Form<CommitteeForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    let c = match validate(ctx.conn(), &f, None).await? {
        Ok(c) => c,
        Err(errors) => {
            let page = list_page(page, &mut ctx, f, errors).await?;
            return Ok(invalid(page));
        }
    };
    let id = editor.create_committee(ctx.conn(), &c).await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::committee(&ctx.tenant.slug, id),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "committees/edit.html")]
pub(super) struct EditPage {
    page: Chrome,
    slug: String,
    id: i64,
    form: CommitteeForm,
    errors: FieldErrors,
    kinds: &'static [CommitteeKind],
    frequencies: &'static [Frequency],
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
    let committees = rows(ctx.conn())
        .await?
        .into_iter()
        .filter(|c| c.id != id)
        .collect();
    let naps = sqlx::query!("select id, title from naps order by start_year desc")
        .fetch_all(ctx.conn())
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
        frequencies: Frequency::ALL,
        naps,
        committees,
    })
}

pub(super) async fn edit(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<EditPage> {
    ctx.committee_editor()?;
    let form = form_of(ctx.conn(), id).await?;
    edit_page(page, &mut ctx, id, form, FieldErrors::default()).await
}

/// The id of the tenant's committee named `name`, whatever the case.
pub async fn id_by_name(conn: &mut PgConnection, name: &str) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "select id from committees where lower(name) = lower($1) order by id limit 1",
        name.trim()
    )
    .fetch_optional(conn)
    .await?)
}

/// The form of a stored committee, as its edit page shows it.
pub async fn form_of(conn: &mut PgConnection, id: i64) -> AppResult<CommitteeForm> {
    let r = sqlx::query!(
        r#"select c.name, c.kind, c.parent_id, c.nested_in, c.permanent, c.end_date, c.meets, c.meeting_frequency,
                  (select cn.nap_id from committee_naps cn where cn.tenant_id = c.tenant_id and cn.committee_id = c.id limit 1) as nap,
                  o.code as "outcome?", g.code as "objective?"
           from committees c left join outcomes o on o.tenant_id = c.tenant_id and o.id = c.outcome_id
           left join objectives g on g.tenant_id = c.tenant_id and g.id = c.objective_id
           where c.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(CommitteeForm {
        name: r.name,
        kind: r.kind,
        parent: r.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        nested_in: r.nested_in,
        ad_hoc: (!r.permanent).then(|| "on".to_owned()),
        end_date: r.end_date.map(|d| d.to_string()).unwrap_or_default(),
        meets: r.meets,
        meeting_frequency: r.meeting_frequency,
        nap: r.nap.map(|n| n.to_string()).unwrap_or_default(),
        objective: r.objective.unwrap_or_default(),
        outcome: r.outcome.unwrap_or_default(),
    })
}

pub(super) async fn update(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<CommitteeForm>,
) -> AppResult<Response> {
    let editor = ctx.committee_editor()?;
    load(ctx.conn(), id).await?;
    let c = match validate(ctx.conn(), &f, Some(id)).await? {
        Ok(c) => c,
        Err(errors) => {
            let page = edit_page(page, &mut ctx, id, f, errors).await?;
            return Ok(invalid(page));
        }
    };
    editor.update_committee(ctx.conn(), id, &c).await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::committee(&ctx.tenant.slug, id),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

pub struct Committee {
    pub id: i64,
    pub name: String,
    pub kind: CommitteeKind,
    pub nested_in: String,
    pub permanent: bool,
    pub end_date: Option<Date>,
    /// How often it meets (and the secretariat's words), and whether a
    /// meeting is overdue.
    pub standing: Standing,
    pub parent: Option<String>,
    /// The parent committee's id, for its link.
    pub parent_id: Option<i64>,
    /// The objective it works on: code and title.
    pub objective: Option<String>,
    pub outcome: Option<String>,
}

pub async fn load(conn: &mut PgConnection, id: i64) -> AppResult<Committee> {
    let r = sqlx::query!(
        r#"select c.id, c.name, c.kind, c.nested_in, c.permanent, c.end_date, c.meets, c.meeting_frequency,
                  c.created_at, p.name as "parent?", c.parent_id, o.code || ' ' || o.title as "outcome?",
                  g.code || ' ' || g.title as "objective?",
                  (select max(m.starts_at) from meetings m
                    where m.tenant_id = c.tenant_id and m.committee_id = c.id and m.starts_at <= now()) as last_meeting,
                  (select min(m.starts_at) from meetings m
                    where m.tenant_id = c.tenant_id and m.committee_id = c.id and m.starts_at > now()) as next_meeting
           from committees c left join committees p on p.tenant_id = c.tenant_id and p.id = c.parent_id
           left join outcomes o on o.tenant_id = c.tenant_id and o.id = c.outcome_id
           left join objectives g on g.tenant_id = c.tenant_id and g.id = c.objective_id
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
        standing: schedule::standing(
            Frequency::parse(&r.meets).unwrap_or(Frequency::AsNeeded),
            r.meeting_frequency,
            r.last_meeting,
            r.next_meeting,
            r.created_at,
        ),
        parent: r.parent,
        parent_id: r.parent_id,
        objective: r.objective,
        outcome: r.outcome,
    })
}

/// A committee as a form offers it: its id and name.
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// The tenant's committees by name, for the forms that choose one.
pub async fn named(conn: &mut PgConnection) -> AppResult<Vec<Named>> {
    Ok(
        sqlx::query_as!(Named, "select id, name from committees order by name")
            .fetch_all(conn)
            .await?,
    )
}
