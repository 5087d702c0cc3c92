//! `/p/{slug}/…`: what a tenant chose to publish, for anyone, no sign-in.
//! Only tenants that opened their public portal answer, and only published
//! NAPs; everything else is 404, including guessed ids.

use crate::features::plan::alignment::{self, Aligned, Part, References};
use crate::http::routes::Routes;
use crate::paths::at;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::choices::Seat;
use crate::features::committees::seats::PublicHolder;
use crate::features::committees::tor::{self, Version};

use crate::error::{AppError, AppResult};
use crate::features::plan::grid::{Filters, Grid};
use crate::features::plan::model::{self, Nap};
use crate::features::plan::quarter::{Quarter, TargetState};
use crate::http::page::Chrome;
use crate::tenancy::PublicTenant;

pub fn router() -> Routes {
    Routes::new()
        .get(at::public_home, public_home)
        .get(at::public_nap, public_nap)
        .get(at::public_committee_tor, current_tor)
        .get(at::public_committee_tor_v, tor_version)
}

pub struct PublishedNap {
    pub id: i64,
    pub title: String,
    pub start_year: i32,
    pub end_year: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/home.html")]
struct PublicHome {
    page: Chrome,
    slug: String,
    name: String,
    country: String,
    naps: Vec<PublishedNap>,
    committees: Vec<(i64, String)>,
}

async fn public_home(page: Chrome, mut tenant: PublicTenant) -> AppResult<PublicHome> {
    // Titles in the reader's language where the secretariat wrote them.
    let naps = sqlx::query_as!(
        PublishedNap,
        r#"select id, coalesce(nullif(translations #>> array[$1, 'title'], ''), title) as "title!",
                  start_year, end_year
           from naps where published order by start_year desc"#,
        crate::i18n::current()
    )
    .fetch_all(tenant.conn())
    .await?;
    let committees = sqlx::query!(
        "select c.id, c.name from committees c
         where exists (select 1 from tor_versions t
                       where t.tenant_id = c.tenant_id and t.committee_id = c.id and t.version is not null)
         order by c.kind = 'oversight' desc, c.name"
    )
    .fetch_all(tenant.conn())
    .await?
    .into_iter()
    .map(|c| (c.id, c.name))
    .collect();
    Ok(PublicHome {
        page,
        slug: tenant.slug,
        name: tenant.name,
        country: tenant.country,
        naps,
        committees,
    })
}

/// One objective's progress, for the public summary.
pub struct ObjectiveProgress {
    pub code: String,
    pub title: String,
    pub activities: usize,
    pub behind: usize,
    pub met: usize,
    pub missed: usize,
    pub pending: usize,
}

impl ObjectiveProgress {
    /// Every objective of `tree` with its targets counted by state.
    pub fn of(tree: &[model::ObjectiveNode]) -> Vec<Self> {
        tree.iter()
            .map(|o| {
                let activities: Vec<&model::ActivityRow> =
                    o.outcomes.iter().flat_map(|oc| &oc.activities).collect();
                let count = |state: TargetState| {
                    activities
                        .iter()
                        .flat_map(|a| &a.occurrences)
                        .filter(|occ| occ.state == state)
                        .count()
                };
                Self {
                    code: o.code.clone(),
                    title: o.title.clone(),
                    activities: activities.len(),
                    behind: activities
                        .iter()
                        .filter(|a| a.schedule().is_behind())
                        .count(),
                    met: count(TargetState::Met),
                    missed: count(TargetState::Missed),
                    pending: count(TargetState::Pending),
                }
            })
            .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "public/nap.html")]
struct PublicNap {
    page: Chrome,
    slug: String,
    tenant_name: String,
    nap: Nap,
    /// Adoption and effect, when the plan gives them.
    dates: crate::features::plan::naps::dates::NapDates,
    grid: Grid,
    progress: Vec<ObjectiveProgress>,
    /// The SDG targets and ILO instruments the plan and its parts serve.
    aligned: Vec<Aligned>,
    today: Quarter,
    links: bool,
    /// Only when the tenant chose to publish spending.
    show_spending: bool,
}

async fn public_nap(
    page: Chrome,
    mut tenant: PublicTenant,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<PublicNap> {
    let mut nap = model::load_nap(tenant.conn(), id).await?;
    if !nap.published {
        return Err(AppError::NotFound);
    }
    nap.title = nap.translations.or("title", &nap.title).to_owned();
    nap.summary = nap.translations.or("summary", &nap.summary).to_owned();
    let dates = crate::features::plan::naps::dates::load(tenant.conn(), id).await?;
    let today = Quarter::current();
    let mut tree = model::load_tree(tenant.conn(), id, today).await?;
    model::in_reader_language(&mut tree);
    let progress = ObjectiveProgress::of(&tree);
    let refs = References::load(tenant.conn()).await?;
    let nap_codes = alignment::codes_of(tenant.conn(), id, Part::Nap).await?;
    let aligned = alignment::aligned_parts(&refs, &nap_codes, &tree);
    let empty: Vec<i64> = tree
        .iter()
        .flat_map(|o| &o.outcomes)
        .filter(|oc| oc.activities.is_empty())
        .map(|oc| oc.id)
        .collect();
    let grid = Grid::build(&nap, tree, &Filters::default(), today, None, &empty);
    let show_spending = sqlx::query_scalar!(
        "select publish_spending from tenants where id = $1",
        tenant.id
    )
    .fetch_one(tenant.conn())
    .await?;
    Ok(PublicNap {
        page,
        slug: tenant.slug,
        tenant_name: tenant.name,
        nap,
        dates,
        aligned,
        grid,
        progress,
        today,
        links: false,
        show_spending,
    })
}

#[derive(Template)]
#[template(path = "public/tor.html")]
struct PublicTor {
    page: Chrome,
    slug: String,
    tenant_name: String,
    committee_id: i64,
    committee_name: String,
    version: Version,
    is_current: bool,
    history: Vec<(i32, String)>,
    /// (organisation, seat, name when the member agreed)
    composition: Vec<(String, Seat, PublicHolder)>,
}

async fn current_tor(
    tenant: PublicTenant,
    headers: HeaderMap,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    public_tor(tenant, headers, id, None).await
}

async fn tor_version(
    tenant: PublicTenant,
    headers: HeaderMap,
    Path((_, id, n)): Path<(String, i64, i32)>,
) -> AppResult<Response> {
    public_tor(tenant, headers, id, Some(n)).await
}

/// A published version of a committee's terms of reference. The page is the
/// same for everyone (no sign-in chrome), so it can be cached and revalidated.
async fn public_tor(
    mut tenant: PublicTenant,
    headers: HeaderMap,
    id: i64,
    n: Option<i32>,
) -> AppResult<Response> {
    let committee = sqlx::query!("select name from committees where id = $1", id)
        .fetch_optional(tenant.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let version = tor::published(tenant.conn(), id, n)
        .await?
        .ok_or(AppError::NotFound)?
        .in_reader_language();
    let history = tor::history(tenant.conn(), id).await?;
    let composition = sqlx::query!(
        r#"select coalesce(nullif(p.translations #>> array[$2, 'name'], ''), p.name, '') as "organisation!",
                  m.seat, m.holder, case when m.public_name or m.holder = 'post' then m.name end as name
           from committee_members m left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
           where m.committee_id = $1 and m.left_on is null
           order by array_position(array['chair','vice-chair','member','alternate','secretary','observer'], m.seat), p.name"#,
        id,
        crate::i18n::current()
    )
    .fetch_all(tenant.conn())
    .await?
    .into_iter()
    .map(|m| {
        (
            m.organisation,
            Seat::parse(&m.seat).unwrap_or(Seat::Member),
            PublicHolder::new(&m.holder, m.name),
        )
    })
    .collect();
    let page = PublicTor {
        page: Chrome::bare(),
        slug: tenant.slug,
        tenant_name: tenant.name,
        committee_id: id,
        committee_name: committee.name,
        is_current: history
            .first()
            .is_some_and(|(latest, _)| *latest == version.number),
        version,
        history,
        composition,
    };
    let html = page.render().map_err(anyhow::Error::from)?;
    Ok(cached_html(&headers, html))
}

/// A public page that is the same for everyone: cached for five minutes
/// and revalidated by its hash (304 when unchanged).
pub fn cached_html(headers: &HeaderMap, html: String) -> Response {
    let etag = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        html.hash(&mut hasher);
        format!("\"{:016x}\"", hasher.finish())
    };
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
        // The language comes from these: a cache must keep one copy per language.
        (header::VARY, "Accept-Language, Cookie".to_owned()),
    ];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if fresh {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (cache, Html(html)).into_response()
}
