//! `routes site`: the server's pages written as static files.
//!
//! Every page is asked of the same router that `routes serve` runs, in
//! process, and written where a static host finds it: `/routes/kz/x` as
//! `routes/kz/x/index.html`, its JSON twin as `routes/kz/x.json`. The search
//! runs in the browser on `search-index.json`; the pages that need the
//! server (compare, eligibility) say so. The folder is built as a scratch
//! folder beside the target and moved into place in one rename; a folder
//! already there is replaced only when it holds the marker
//! [`SITE_MARKER`] that this writes (or is empty).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tower::ServiceExt as _;

use crate::Site;

/// The file that marks a folder as a site `routes site` wrote.
pub const SITE_MARKER: &str = ".routes-site.json";
/// The format version written into [`SITE_MARKER`].
pub const SITE_FORMAT_VERSION: u32 = 1;
/// Largest page read back from the router, in bytes.
const MAX_PAGE_BYTES: usize = 64 << 20;

/// Failures of writing a site.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SiteError {
    /// The folder could not be written, or is not one this made.
    #[error(transparent)]
    Fs(#[from] routes_fs::Error),
    /// A file could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A page could not be made.
    #[error("the page `{path}` answered {status}")]
    Page {
        /// The address.
        path: String,
        /// Its status.
        status: StatusCode,
    },
    /// The runtime that asks the pages could not start.
    #[error("cannot start the runtime that renders the pages")]
    Runtime(#[source] std::io::Error),
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// Whether `dir` holds the marker of a site `routes site` wrote.
#[must_use]
pub fn is_site_folder(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(SITE_MARKER)).is_ok_and(|m| m.is_file())
}

/// The file of an address: a page as `index.html` in its folder, anything
/// with an extension as itself.
fn file_of(address: &str) -> PathBuf {
    let rel = address.trim_start_matches('/');
    let last = rel.rsplit('/').next().unwrap_or_default();
    if rel.is_empty() {
        PathBuf::from("index.html")
    } else if last.contains('.') {
        PathBuf::from(rel)
    } else {
        Path::new(rel).join("index.html")
    }
}

/// Writes every page of `site` into `out`.
pub fn write_site(mut site: Site, out: &Path) -> Result<Written, SiteError> {
    site.static_files = true;
    let mut addresses: Vec<String> = vec![
        "/".into(),
        "/index.json".into(),
        "/llms.txt".into(),
        "/static/style.css".into(),
        "/search".into(),
        "/compare".into(),
        "/eligible".into(),
        "/changes".into(),
        "/changes.atom".into(),
        "/changes.json".into(),
        routes_core::ROUTE_SCHEMA_PATH.into(),
    ];
    for country in site.countries().keys() {
        let cc = country.to_lowercase();
        addresses.push(format!("/countries/{cc}"));
        addresses.push(format!("/countries/{cc}.json"));
    }
    for e in site.routes() {
        addresses.push(format!("/routes/{}", e.id));
        addresses.push(format!("/routes/{}.json", e.id));
    }
    let index: Vec<serde_json::Value> = site
        .routes()
        .iter()
        .map(|e| {
            let text = e.route().map_or_else(String::new, |r| search_text(&r));
            json!({ "id": e.id, "name": e.name, "country": e.country, "category": e.category.replace('_', " "), "text": text })
        })
        .collect();
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| SiteError::Write {
        path: parent.to_path_buf(),
        source,
    })?;
    let scratch = routes_fs::Scratch::new_in(parent, "site")?;
    let root = scratch.path().to_path_buf();
    let mut written = Written { files: 0, bytes: 0 };
    let mut put = |rel: &Path, bytes: &[u8]| -> Result<(), SiteError> {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| SiteError::Write {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| SiteError::Write {
            path: path.clone(),
            source,
        })?;
        written.files += 1;
        written.bytes += bytes.len() as u64;
        Ok(())
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(SiteError::Runtime)?;
    let router = crate::router(Arc::new(site));
    for address in &addresses {
        let body = runtime.block_on(async {
            let request = Request::get(address.as_str())
                .body(Body::empty())
                .map_err(|_| SiteError::Page {
                    path: address.clone(),
                    status: StatusCode::BAD_REQUEST,
                })?;
            let response = router.clone().oneshot(request).await.map_err(|_| SiteError::Page {
                path: address.clone(),
                status: StatusCode::INTERNAL_SERVER_ERROR,
            })?;
            if response.status() != StatusCode::OK {
                return Err(SiteError::Page {
                    path: address.clone(),
                    status: response.status(),
                });
            }
            axum::body::to_bytes(response.into_body(), MAX_PAGE_BYTES)
                .await
                .map_err(|_| SiteError::Page {
                    path: address.clone(),
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                })
        })?;
        put(&file_of(address), &body)?;
    }
    put(Path::new("static/search.js"), crate::pages::SEARCH_JS.as_bytes())?;
    put(
        Path::new("search-index.json"),
        serde_json::to_string(&index).unwrap_or_default().as_bytes(),
    )?;
    put(
        Path::new(SITE_MARKER),
        json!({ "format_version": SITE_FORMAT_VERSION, "tool": "routes site" })
            .to_string()
            .as_bytes(),
    )?;
    routes_fs::replace_dir(scratch, out, is_site_folder)?;
    Ok(written)
}

/// The words a route is found by in the browser: its name, official name,
/// codes, summary, and its requirements' and documents' words.
fn search_text(r: &routes_core::Route) -> String {
    let mut parts: Vec<&str> = vec![&r.name, r.country.as_str(), r.category.as_str()];
    if let Some(o) = &r.official_name {
        parts.push(&o.text);
    }
    parts.extend(r.codes.iter().map(String::as_str));
    if let Some(s) = &r.summary {
        parts.push(s);
    }
    for q in &r.requirements {
        parts.push(q.kind.as_str());
        parts.push(&q.description);
    }
    for d in &r.documents {
        parts.push(&d.name);
    }
    parts.join(" ").replace('_', " ")
}
