//! `/t/{slug}/settings`: the tenant's own settings and security: whether
//! updates wait for review, when an activity counts as silent, whether
//! spending is published, the tenant's language, and the second factor
//! required of its secretariat.

use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::authz::{self, SettingsAdmin};
use crate::error::AppResult;
use crate::http::form::{self, FieldErrors, Form};
use crate::http::page::Chrome;
use crate::tenancy::TenantCtx;

pub fn router() -> Routes {
    Routes::new()
        .get(at::settings, settings)
        .post(at::settings, save_settings)
}

#[derive(Default, Deserialize)]
pub struct SettingsForm {
    pub review_updates: Option<String>,
    pub publish_spending: Option<String>,
    pub require_two_factor: Option<String>,
    #[serde(default)]
    pub stale_days: String,
    #[serde(default)]
    pub default_language: String,
    /// Days before a quarter's end its reporting round opens, and after
    /// which it is due; left out of the form, unchanged.
    #[serde(default)]
    pub round_opens_days: String,
    #[serde(default)]
    pub round_due_days: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/page.html")]
struct SettingsPage {
    page: Chrome,
    slug: String,
    form: SettingsForm,
    errors: FieldErrors,
    /// Mail that could not be delivered.
    failures: Vec<crate::features::notifications::FailedMail>,
}

async fn settings(page: Chrome, mut ctx: TenantCtx) -> AppResult<SettingsPage> {
    ctx.grant::<authz::ManageSettings>()?;
    let row = sqlx::query!(
        "select review_updates, stale_days, publish_spending, require_two_factor, default_language,
                round_opens_days, round_due_days
         from tenants where id = $1",
        ctx.tenant.id
    )
    .fetch_one(ctx.conn())
    .await?;
    let tenant = ctx.tenant.id;
    let failures = crate::features::notifications::failed_mail(ctx.conn(), tenant).await?;
    Ok(SettingsPage {
        failures,
        page: page.in_tenant(&ctx),
        slug: ctx.tenant.slug.clone(),
        form: SettingsForm {
            review_updates: row.review_updates.then(|| "on".to_owned()),
            publish_spending: row.publish_spending.then(|| "on".to_owned()),
            require_two_factor: row.require_two_factor.then(|| "on".to_owned()),
            stale_days: row.stale_days.to_string(),
            default_language: row.default_language,
            round_opens_days: row.round_opens_days.to_string(),
            round_due_days: row.round_due_days.to_string(),
        },
        errors: FieldErrors::default(),
    })
}

async fn save_settings(
    page: Chrome,
    mut ctx: TenantCtx,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let admin = ctx.grant::<authz::ManageSettings>()?;
    let mut errors = FieldErrors::default();
    let stale_days = form::check(
        &mut errors,
        "stale_days",
        match f.stale_days.trim().parse::<i32>() {
            Ok(d) if (1..=3650).contains(&d) => Ok(d),
            _ => Err("settings.stale_days_invalid"),
        },
    );
    // Left out of the form: unchanged.
    let default_language = match f.default_language.trim() {
        "" => Some(ctx.tenant.default_language.clone()),
        code => form::check(
            &mut errors,
            "default_language",
            crate::i18n::supported(code)
                .map(str::to_owned)
                .ok_or("field.choose"),
        ),
    };
    let tenant = ctx.tenant.id;
    let (opens, due) = crate::features::progress::rounds::settings(ctx.conn(), tenant).await?;
    let mut days = |field: &'static str, raw: &str, now: i32| match raw.trim() {
        "" => Some(now),
        said => form::check(
            &mut errors,
            field,
            said.parse::<i32>()
                .ok()
                .filter(|d| (0..=90).contains(d))
                .ok_or("settings.round_days_invalid"),
        ),
    };
    let round_opens_days = days("round_opens_days", &f.round_opens_days, opens);
    let round_due_days = days("round_due_days", &f.round_due_days, due);
    // Requiring it of the secretariat while lacking it would lock oneself out.
    if f.require_two_factor.is_some() && !ctx.user.two_factor {
        errors.add("require_two_factor", "settings.two_factor_self_first");
    }
    let (
        Some(stale_days),
        Some(default_language),
        Some(round_opens_days),
        Some(round_due_days),
        true,
    ) = (
        stale_days,
        default_language,
        round_opens_days,
        round_due_days,
        errors.is_empty(),
    )
    else {
        let tenant = ctx.tenant.id;
        let failures = crate::features::notifications::failed_mail(ctx.conn(), tenant).await?;
        let page = SettingsPage {
            page: page.in_tenant(&ctx),
            slug: ctx.tenant.slug.clone(),
            form: f,
            errors,
            failures,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let settings = Settings {
        review_updates: f.review_updates.is_some(),
        stale_days,
        publish_spending: f.publish_spending.is_some(),
        require_two_factor: f.require_two_factor.is_some(),
        default_language,
        round_opens_days,
        round_due_days,
    };
    admin.save_settings(ctx.conn(), &settings).await?;
    // The rounds' days may have changed: every plan's timeliness with them.
    let member = ctx.grant::<authz::ViewTenant>()?;
    let today = time::OffsetDateTime::now_utc().date();
    crate::features::progress::rounds::refresh_all_timeliness(ctx.conn(), &member, today).await?;
    let ctx = ctx.commit().await?;
    let to = crate::http::notice::done(
        &crate::paths::settings(&ctx.tenant.slug),
        crate::choices::Notice::Saved,
    );
    Ok(Redirect::to(&to).into_response())
}

/// The settings as checked.
struct Settings {
    review_updates: bool,
    stale_days: i32,
    publish_spending: bool,
    require_two_factor: bool,
    default_language: String,
    round_opens_days: i32,
    round_due_days: i32,
}

impl SettingsAdmin {
    /// The tenants table has no tenant_id: the capability names which row,
    /// and row-level security lets a transaction change only its own tenant.
    async fn save_settings(&self, conn: &mut PgConnection, s: &Settings) -> AppResult<()> {
        sqlx::query!(
            "update tenants set review_updates = $2, stale_days = $3, publish_spending = $4,
                                require_two_factor = $5, default_language = $6,
                                round_opens_days = $7, round_due_days = $8
             where id = $1",
            self.tenant_id(),
            s.review_updates,
            s.stale_days,
            s.publish_spending,
            s.require_two_factor,
            s.default_language,
            s.round_opens_days,
            s.round_due_days
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
