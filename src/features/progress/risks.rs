//! The risk register of a NAP: challenges, how likely and how bad, the
//! mitigation plan and who owns it. The secretariat keeps it; all read it.

use crate::http::form::Form;
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::authz::PlanEditor;
use crate::error::{AppError, AppResult};
use crate::features::plan::model::{self, Nap};
use crate::http::form::invalid;
use crate::http::form::{self, FieldErrors};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::risks, list)
        .get(at::risks_new, new)
        .post(at::risks_new, create)
        .get(at::risk_edit, edit)
        .post(at::risk_edit, update)
}

pub const STATES: [&str; 3] = ["open", "mitigating", "closed"];

pub struct Risk {
    pub id: i64,
    pub challenge: String,
    pub likelihood: i16,
    pub impact: i16,
    pub mitigation: String,
    pub owner: Option<String>,
    pub state: String,
}

impl Risk {
    /// Likelihood × impact, 1 to 25.
    pub fn score(&self) -> i16 {
        self.likelihood * self.impact
    }

    pub fn level(&self) -> &'static str {
        match self.score() {
            15.. => "high",
            8.. => "medium",
            _ => "low",
        }
    }

    pub fn state_key(&self) -> String {
        format!("risk.state.{}", self.state)
    }
}

/// The NAP's risks, the highest first; `open_only` leaves out closed ones.
pub async fn load(conn: &mut PgConnection, nap_id: i64, open_only: bool) -> AppResult<Vec<Risk>> {
    Ok(sqlx::query_as!(
        Risk,
        r#"select r.id, r.challenge, r.likelihood, r.impact, r.mitigation, p.acronym as "owner?", r.state
           from risks r left join partners p on p.tenant_id = r.tenant_id and p.id = r.owner_partner_id
           where r.nap_id = $1 and (not $2 or r.state <> 'closed')
           order by r.state = 'closed', r.likelihood * r.impact desc, r.id"#,
        nap_id,
        open_only
    )
    .fetch_all(conn)
    .await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/risks.html")]
struct ListPage {
    page: Chrome,
    slug: String,
    nap: Nap,
    risks: Vec<Risk>,
    can_edit: bool,
}

async fn list(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<ListPage> {
    let nap = model::load_nap(ctx.conn(), id).await?;
    let risks = load(ctx.conn(), id, false).await?;
    Ok(ListPage {
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        nap,
        risks,
        can_edit: ctx.can_edit_plan(),
    })
}

#[derive(Default, Deserialize)]
pub struct RiskForm {
    #[serde(default)]
    pub challenge: String,
    #[serde(default)]
    pub likelihood: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub mitigation: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub state: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "progress/risk_form.html")]
struct FormPage {
    page: Chrome,
    action: String,
    back: String,
    editing: bool,
    form: RiskForm,
    errors: FieldErrors,
    partners: Vec<String>,
    states: [&'static str; 3],
}

impl FormPage {
    fn state_label(&self, state: &str) -> String {
        format!("risk.state.{state}")
    }
}

async fn form_page(
    page: Chrome,
    ctx: &mut TenantCtx,
    nap: &Nap,
    risk: Option<i64>,
    form: RiskForm,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let partners = crate::features::partners::acronyms(ctx.conn()).await?;
    let base = crate::paths::risks(&ctx.tenant.slug, nap.id);
    Ok(FormPage {
        page: page.in_tenant(ctx),
        action: match risk {
            Some(r) => format!("{base}/{r}/edit"),
            None => format!("{base}/new"),
        },
        back: base,
        editing: risk.is_some(),
        form,
        errors,
        partners,
        states: STATES,
    })
}

async fn new(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let form = RiskForm {
        likelihood: "3".into(),
        impact: "3".into(),
        state: "open".into(),
        ..RiskForm::default()
    };
    form_page(page, &mut ctx, &nap, None, form, FieldErrors::default()).await
}

async fn save(
    page: Chrome,
    mut ctx: TenantCtx,
    nap_id: i64,
    risk: Option<i64>,
    f: RiskForm,
) -> AppResult<Response> {
    let editor = ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), nap_id).await?;
    if let Some(risk) = risk {
        sqlx::query_scalar!(
            "select id from risks where id = $1 and nap_id = $2",
            risk,
            nap_id
        )
        .fetch_optional(ctx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    }
    let mut errors = FieldErrors::default();
    let challenge = form::check(&mut errors, "challenge", form::required(&f.challenge, 1000));
    let scale = |raw: &str| match raw.trim().parse::<i16>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err("risk.scale_invalid"),
    };
    let likelihood = form::check(&mut errors, "likelihood", scale(&f.likelihood));
    let impact = form::check(&mut errors, "impact", scale(&f.impact));
    let mitigation = form::check(
        &mut errors,
        "mitigation",
        form::optional(&f.mitigation, 5000),
    );
    let state = form::check(
        &mut errors,
        "state",
        STATES
            .iter()
            .find(|s| **s == f.state)
            .copied()
            .ok_or("field.choose"),
    );
    let owner =
        crate::features::partners::by_acronym(ctx.conn(), &f.owner, "owner", &mut errors).await?;
    let (Some(challenge), Some(likelihood), Some(impact), Some(mitigation), Some(state), true) = (
        challenge,
        likelihood,
        impact,
        mitigation,
        state,
        errors.is_empty(),
    ) else {
        let page = form_page(page, &mut ctx, &nap, risk, f, errors).await?;
        return Ok(invalid(page));
    };
    let input = RiskInput {
        challenge,
        likelihood,
        impact,
        mitigation,
        owner,
        state,
    };
    if !editor.save_risk(ctx.conn(), nap.id, risk, &input).await? {
        return Err(AppError::NotFound);
    }
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::risks(&ctx.tenant.slug, nap_id),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

async fn create(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<RiskForm>,
) -> AppResult<Response> {
    save(page, ctx, id, None, f).await
}

async fn edit(
    page: Chrome,
    mut ctx: TenantCtx,
    Path((_, id, risk)): Path<(String, i64, i64)>,
) -> AppResult<FormPage> {
    ctx.plan_editor()?;
    let nap = model::load_nap(ctx.conn(), id).await?;
    let r = sqlx::query!(
        r#"select r.challenge, r.likelihood, r.impact, r.mitigation, p.acronym as "owner?", r.state
           from risks r left join partners p on p.tenant_id = r.tenant_id and p.id = r.owner_partner_id
           where r.id = $1 and r.nap_id = $2"#,
        risk,
        id
    )
    .fetch_optional(ctx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let form = RiskForm {
        challenge: r.challenge,
        likelihood: r.likelihood.to_string(),
        impact: r.impact.to_string(),
        mitigation: r.mitigation,
        owner: r.owner.unwrap_or_default(),
        state: r.state,
    };
    form_page(
        page,
        &mut ctx,
        &nap,
        Some(risk),
        form,
        FieldErrors::default(),
    )
    .await
}

async fn update(
    page: Chrome,
    ctx: TenantCtx,
    Path((_, id, risk)): Path<(String, i64, i64)>,
    Form(f): Form<RiskForm>,
) -> AppResult<Response> {
    save(page, ctx, id, Some(risk), f).await
}

/// A risk as checked.
struct RiskInput {
    challenge: String,
    likelihood: i16,
    impact: i16,
    mitigation: String,
    owner: Option<i64>,
    state: &'static str,
}

/// The writes of the risk register, which only a [`PlanEditor`] makes.
impl PlanEditor {
    /// A new risk (`risk` none) or a change; false if the NAP has no such risk.
    async fn save_risk(
        &self,
        conn: &mut PgConnection,
        nap: i64,
        risk: Option<i64>,
        r: &RiskInput,
    ) -> AppResult<bool> {
        let done = match risk {
            None => sqlx::query!(
                "insert into risks (tenant_id, nap_id, challenge, likelihood, impact, mitigation, owner_partner_id, state)
                 values ($1, $2, $3, $4, $5, $6, $7, $8)",
                self.tenant_id(), nap, r.challenge, r.likelihood, r.impact, r.mitigation, r.owner, r.state
            )
            .execute(conn)
            .await?,
            Some(id) => sqlx::query!(
                "update risks set challenge = $3, likelihood = $4, impact = $5, mitigation = $6, owner_partner_id = $7, state = $8
                 where tenant_id = $1 and id = $2 and nap_id = $9",
                self.tenant_id(), id, r.challenge, r.likelihood, r.impact, r.mitigation, r.owner, r.state, nap
            )
            .execute(conn)
            .await?,
        };
        Ok(done.rows_affected() == 1)
    }
}
