//! The import page of each kind and its four requests: the page, the
//! upload that previews, the confirmation that writes, and the files
//! (export and template, CSV and XLSX).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::table::{Analysis, Row};
use super::{Kind, committees, indicators, partners};
use crate::authz::{CommitteeEditor, PlanEditor};
use crate::error::{AppError, AppResult};
use crate::features::plan::model::{self, Nap};
use crate::features::plan::transfer::drafts::{self, DraftOf};
use crate::features::plan::transfer::{
    CSV, ChangeKind, ExportTurn, Problem, XLSX, read_table, slug, table_csv, table_xlsx,
};
use crate::http::form::{Form, invalid};
use crate::http::page::Chrome;
use crate::i18n;
use crate::state::AppState;
use crate::tenancy::TenantCtx;

type Params = Path<HashMap<String, String>>;

/// The handlers of one kind, as the router names them.
macro_rules! handlers {
    ($kind:expr, $show:ident, $upload:ident, $apply:ident, $file:ident) => {
        pub(super) async fn $show(
            page: Chrome,
            ctx: TenantCtx,
            params: Params,
        ) -> AppResult<Response> {
            show($kind, page, ctx, params).await
        }

        pub(super) async fn $upload(
            state: State<AppState>,
            page: Chrome,
            ctx: TenantCtx,
            params: Params,
            request: Request,
        ) -> AppResult<Response> {
            upload($kind, state, page, ctx, params, request).await
        }

        pub(super) async fn $apply(
            page: Chrome,
            ctx: TenantCtx,
            params: Params,
            form: Form<ApplyForm>,
        ) -> AppResult<Response> {
            apply($kind, page, ctx, params, form).await
        }

        pub(super) async fn $file(
            turn: ExportTurn,
            ctx: TenantCtx,
            params: Params,
        ) -> AppResult<Response> {
            file($kind, turn, ctx, params).await
        }
    };
}

handlers!(
    Kind::Partners,
    show_partners,
    upload_partners,
    apply_partners,
    file_partners
);
handlers!(
    Kind::Committees,
    show_committees,
    upload_committees,
    apply_committees,
    file_committees
);
handlers!(
    Kind::Indicators,
    show_indicators,
    upload_indicators,
    apply_indicators,
    file_indicators
);

/// The capability each kind's writes need, as its form needs it: the plan
/// editor's for partners and indicators, the committee editor's for
/// committees; or 403.
enum Grant {
    Plan(PlanEditor),
    Committees(CommitteeEditor),
}

fn grant(kind: Kind, ctx: &TenantCtx) -> AppResult<Grant> {
    Ok(match kind {
        Kind::Partners | Kind::Indicators => Grant::Plan(ctx.plan_editor()?),
        Kind::Committees => Grant::Committees(ctx.committee_editor()?),
    })
}

impl Grant {
    /// Keeps the checked rows under the capability that allowed them.
    async fn keep(
        &self,
        conn: &mut sqlx::PgConnection,
        of: DraftOf,
        me: i64,
        rows: serde_json::Value,
    ) -> AppResult<i64> {
        match self {
            Self::Plan(cap) => drafts::keep(cap, conn, of, me, rows).await,
            Self::Committees(cap) => drafts::keep(cap, conn, of, me, rows).await,
        }
    }

    async fn take(
        &self,
        conn: &mut sqlx::PgConnection,
        of: DraftOf,
        draft: i64,
        me: i64,
    ) -> AppResult<Option<serde_json::Value>> {
        match self {
            Self::Plan(cap) => drafts::take(cap, conn, of, draft, me).await,
            Self::Committees(cap) => drafts::take(cap, conn, of, draft, me).await,
        }
    }
}

/// The NAP of an indicators page (404 when it is not this tenant's).
async fn nap_of(
    kind: Kind,
    ctx: &mut TenantCtx,
    params: &HashMap<String, String>,
) -> AppResult<Option<Nap>> {
    if kind != Kind::Indicators {
        return Ok(None);
    }
    let id = params
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or(AppError::NotFound)?;
    Ok(Some(model::load_nap(ctx.conn(), id).await?))
}

fn draft_of(kind: Kind, nap: Option<&Nap>) -> DraftOf {
    DraftOf {
        kind: kind.as_str(),
        nap: nap.map(|n| n.id),
    }
}

/// The import page: the upload form, and after an upload either the
/// problems by row and column or the preview of every change.
#[derive(Template, WebTemplate)]
#[template(path = "setup/import.html")]
pub(super) struct ImportPage {
    page: Chrome,
    slug: String,
    kind: Kind,
    nap: Option<Nap>,
    analysis: Option<Analysis>,
    draft: Option<i64>,
}

impl ImportPage {
    fn new(page: Chrome, ctx: &TenantCtx, kind: Kind, nap: Option<Nap>) -> Self {
        Self {
            page: page.in_tenant(ctx),
            slug: ctx.tenant.slug.clone(),
            kind,
            nap,
            analysis: None,
            draft: None,
        }
    }

    fn nap_id(&self) -> i64 {
        self.nap.as_ref().map_or(0, |n| n.id)
    }

    /// The list the page belongs to.
    fn back(&self) -> String {
        match self.kind {
            Kind::Partners => crate::paths::partners(&self.slug),
            Kind::Committees => crate::paths::committees(&self.slug),
            Kind::Indicators => crate::paths::indicators(&self.slug, self.nap_id()),
        }
    }

    fn action(&self) -> String {
        match self.kind {
            Kind::Partners => crate::paths::partners_import(&self.slug),
            Kind::Committees => crate::paths::committees_import(&self.slug),
            Kind::Indicators => crate::paths::indicators_import(&self.slug, self.nap_id()),
        }
    }

    fn apply_action(&self) -> String {
        match self.kind {
            Kind::Partners => crate::paths::partners_import_apply(&self.slug),
            Kind::Committees => crate::paths::committees_import_apply(&self.slug),
            Kind::Indicators => crate::paths::indicators_import_apply(&self.slug, self.nap_id()),
        }
    }

    fn file(&self, name: &str) -> String {
        match self.kind {
            Kind::Partners => crate::paths::partners_file(&self.slug, name),
            Kind::Committees => crate::paths::committees_file(&self.slug, name),
            Kind::Indicators => crate::paths::indicators_file(&self.slug, self.nap_id(), name),
        }
    }

    fn t(&self, what: &str) -> String {
        i18n::t(&self.kind.key(what)).into_owned()
    }

    fn label(&self, column: &str) -> String {
        if column.is_empty() {
            String::new()
        } else {
            self.kind.label(column)
        }
    }

    fn count(&self, kind: ChangeKind) -> String {
        self.analysis
            .as_ref()
            .map_or(0, |a| a.count(kind))
            .to_string()
    }
}

async fn show(
    kind: Kind,
    page: Chrome,
    mut ctx: TenantCtx,
    Path(params): Params,
) -> AppResult<Response> {
    grant(kind, &ctx)?;
    let nap = nap_of(kind, &mut ctx, &params).await?;
    Ok(ImportPage::new(page, &ctx, kind, nap).into_response())
}

/// The file's rows, read on a blocking thread in its turn with exports.
async fn read_rows(
    state: &AppState,
    kind: Kind,
    bytes: Vec<u8>,
) -> AppResult<Result<(Vec<Row>, Vec<String>), Problem>> {
    let turn = state
        .spreadsheets
        .clone()
        .acquire_owned()
        .await
        .map_err(anyhow::Error::from)?;
    let lang = i18n::current();
    let sheet = kind.key("sheet");
    let prefix = kind.label_prefix();
    let table = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        i18n::with_language(lang, || {
            read_table(&bytes, &sheet, kind.columns(), &[], &prefix)
        })
    })
    .await
    .map_err(anyhow::Error::from)?;
    Ok(table.map(|t| {
        let rows = t
            .rows
            .into_iter()
            .map(|(line, cells)| Row { line, cells })
            .collect();
        (rows, t.ignored)
    }))
}

/// What the file would do; nothing is written.
async fn analyse(
    kind: Kind,
    ctx: &mut TenantCtx,
    nap: Option<&Nap>,
    rows: &[Row],
) -> AppResult<Analysis> {
    let own = ctx.tenant.default_language.clone();
    Ok(match (kind, nap) {
        (Kind::Partners, _) => partners::analyse(ctx.conn(), &own, rows).await?.0,
        (Kind::Committees, _) => committees::analyse(ctx.conn(), rows).await?.0,
        (Kind::Indicators, Some(nap)) => indicators::analyse(ctx.conn(), nap, rows).await?.0,
        (Kind::Indicators, None) => return Err(AppError::NotFound),
    })
}

/// Checks the rows again and, when nothing is wrong, writes them with the
/// capability `granted` for the kind (see [`grant`]); the analysis either way.
async fn import(
    kind: Kind,
    granted: &Grant,
    ctx: &mut TenantCtx,
    nap: Option<&Nap>,
    rows: &[Row],
) -> AppResult<Analysis> {
    let own = ctx.tenant.default_language.clone();
    match (kind, granted, nap) {
        (Kind::Committees, Grant::Committees(editor), _) => {
            let (analysis, writes) = committees::analyse(ctx.conn(), rows).await?;
            if analysis.problems.is_empty() {
                committees::write(editor, ctx.conn(), writes).await?;
            }
            Ok(analysis)
        }
        (Kind::Indicators, Grant::Plan(editor), Some(nap)) => {
            let (analysis, writes) = indicators::analyse(ctx.conn(), nap, rows).await?;
            if analysis.problems.is_empty() {
                indicators::write(editor, ctx.conn(), nap, &writes).await?;
            }
            Ok(analysis)
        }
        (Kind::Partners, Grant::Plan(editor), _) => {
            let (analysis, writes) = partners::analyse(ctx.conn(), &own, rows).await?;
            if analysis.problems.is_empty() {
                partners::write(editor, ctx.conn(), &writes).await?;
            }
            Ok(analysis)
        }
        // `grant` gives each kind its capability; an indicators page has a NAP.
        _ => Err(AppError::NotFound),
    }
}

/// Step one: read the file and show what would happen. Nothing is stored
/// but the checked rows, which wait in a draft for the confirmation.
async fn upload(
    kind: Kind,
    State(state): State<AppState>,
    page: Chrome,
    mut ctx: TenantCtx,
    Path(params): Params,
    request: Request,
) -> AppResult<Response> {
    let granted = grant(kind, &ctx)?;
    // Read the upload only once the NAP is known: another tenant's id is a 404.
    let nap = nap_of(kind, &mut ctx, &params).await?;
    let mut multipart = Multipart::from_request(request, &state).await?;
    let mut bytes = Vec::new();
    while let Some(field) = multipart.next_field().await? {
        if field.name() == Some("file") {
            bytes = field.bytes().await?.to_vec();
        }
    }
    let (analysis, rows) = match read_rows(&state, kind, bytes).await? {
        Err(problem) => (Analysis::of_file(problem), Vec::new()),
        Ok((rows, ignored)) if rows.is_empty() => {
            let mut analysis = Analysis::of_file(Problem {
                line: 1,
                column: "",
                message: i18n::t("transfer.empty").into_owned(),
            });
            analysis.ignored = ignored;
            (analysis, rows)
        }
        Ok((rows, ignored)) => {
            let mut analysis = analyse(kind, &mut ctx, nap.as_ref(), &rows).await?;
            analysis.ignored = ignored;
            (analysis, rows)
        }
    };
    let ok = analysis.problems.is_empty();
    let draft = if ok {
        let rows = serde_json::to_value(&rows).map_err(anyhow::Error::from)?;
        let me = ctx.user.id;
        Some(
            granted
                .keep(ctx.conn(), draft_of(kind, nap.as_ref()), me, rows)
                .await?,
        )
    } else {
        None
    };
    let mut page = ImportPage::new(page, &ctx, kind, nap);
    page.analysis = Some(analysis);
    page.draft = draft;
    ctx.commit().await?;
    Ok(if ok {
        page.into_response()
    } else {
        invalid(page)
    })
}

#[derive(Deserialize)]
pub(super) struct ApplyForm {
    #[serde(default)]
    draft: String,
}

/// Step two: check again and write everything in one transaction, or nothing.
async fn apply(
    kind: Kind,
    page: Chrome,
    mut ctx: TenantCtx,
    Path(params): Params,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    let granted = grant(kind, &ctx)?;
    let nap = nap_of(kind, &mut ctx, &params).await?;
    // The draft is taken: confirming twice imports once.
    let me = ctx.user.id;
    let of = draft_of(kind, nap.as_ref());
    let kept = match form.draft.trim().parse::<i64>() {
        Ok(draft) => granted.take(ctx.conn(), of, draft, me).await?,
        Err(_) => None,
    };
    let Some(kept) = kept else {
        let mut page = ImportPage::new(page, &ctx, kind, nap);
        page.analysis = Some(Analysis::of_file(Problem {
            line: 1,
            column: "",
            message: i18n::t("transfer.draft_gone").into_owned(),
        }));
        return Ok(invalid(page));
    };
    let rows: Vec<Row> = serde_json::from_value(kept).map_err(anyhow::Error::from)?;
    let analysis = import(kind, &granted, &mut ctx, nap.as_ref(), &rows).await?;
    if !analysis.problems.is_empty() {
        let mut page = ImportPage::new(page, &ctx, kind, nap);
        page.analysis = Some(analysis);
        // Not committed: nothing is written and the draft stays as it was.
        return Ok(invalid(page));
    }
    let back = ImportPage::new(page, &ctx, kind, nap).back();
    ctx.commit().await?;
    tracing::info!(
        kind = kind.as_str(),
        created = analysis.count(ChangeKind::Create),
        updated = analysis.count(ChangeKind::Update),
        "set-up imported"
    );
    let to = crate::http::notice::done(&back, crate::choices::Notice::SetUpImported);
    Ok(Redirect::to(&to).into_response())
}

/// The export ("export.csv", "export.xlsx") or the blank template
/// ("template.csv", "template.xlsx"), headed in the reader's language.
async fn file(
    kind: Kind,
    _turn: ExportTurn,
    mut ctx: TenantCtx,
    Path(params): Params,
) -> AppResult<Response> {
    grant(kind, &ctx)?;
    let nap = nap_of(kind, &mut ctx, &params).await?;
    let name = params.get("file").map(String::as_str).unwrap_or_default();
    let (what, extension) = name.split_once('.').ok_or(AppError::NotFound)?;
    if !matches!(extension, "csv" | "xlsx") {
        return Err(AppError::NotFound);
    }
    let rows = match (what, kind, &nap) {
        ("template", _, _) => Vec::new(),
        ("export", Kind::Partners, _) => partners::export(ctx.conn()).await?,
        ("export", Kind::Committees, _) => committees::export(ctx.conn()).await?,
        ("export", Kind::Indicators, Some(nap)) => indicators::export(ctx.conn(), nap).await?,
        _ => return Err(AppError::NotFound),
    };
    let lang = i18n::current();
    let extension = extension.to_owned();
    let xlsx = extension == "xlsx";
    let bytes = tokio::task::spawn_blocking(move || {
        i18n::with_language(lang, || {
            let header: Vec<String> = kind.columns().iter().map(|c| kind.label(c)).collect();
            if xlsx {
                table_xlsx(&i18n::t(&kind.key("sheet")), &header, &rows)
            } else {
                table_csv(&header, &rows)
            }
        })
    })
    .await
    .map_err(anyhow::Error::from)??;
    let stem = match (what, &nap) {
        ("template", _) => format!("{}-template", kind.as_str()),
        (_, Some(nap)) => format!(
            "{}-{}-{}",
            slug(&ctx.tenant.slug),
            slug(&nap.title),
            kind.as_str()
        ),
        (_, None) => format!("{}-{}", slug(&ctx.tenant.slug), kind.as_str()),
    };
    let content_type = if xlsx { XLSX } else { CSV };
    Ok(crate::http::download::attachment(
        bytes,
        content_type,
        &format!("{stem}.{extension}"),
    ))
}
