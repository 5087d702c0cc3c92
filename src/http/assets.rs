//! Static files, compiled into the binary and served under content-hashed
//! names, so browsers may keep them for a year and still never see a stale one.

use crate::http::routes::Routes;
use crate::paths::at;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../static/app.css"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../../static/favicon.svg"),
    },
];

/// Each asset's public name: `app.css` becomes `app.1a2b3c4d5e6f7a8b.css`.
static HASHED: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let mut hasher = DefaultHasher::new();
            asset.bytes.hash(&mut hasher);
            let (stem, ext) = asset.name.rsplit_once('.').unwrap_or((asset.name, ""));
            format!("{stem}.{:016x}.{ext}", hasher.finish())
        })
        .collect()
});

/// The URL of a static file, for templates.
pub fn url(name: &str) -> String {
    ASSETS
        .iter()
        .zip(HASHED.iter())
        .find(|(asset, _)| asset.name == name)
        .map(|(_, hashed)| format!("/static/{hashed}"))
        .unwrap_or_default()
}

pub fn router() -> Routes {
    Routes::new().get(at::asset, serve)
}

async fn serve(Path(file): Path<String>) -> Result<Response, AppError> {
    let asset = HASHED
        .iter()
        .position(|hashed| *hashed == file)
        .map(|i| &ASSETS[i])
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.bytes,
    )
        .into_response())
}
