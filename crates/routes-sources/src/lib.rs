//! The source fetcher: checks that the pages a dataset cites still say what
//! was archived and quoted, and archives them again.
//!
//! `routes validate` stays offline and deterministic; this crate does the
//! looking. [`check`] fetches every source URL of a [`Dataset`] once, with a
//! [`Fetcher`] (one `ureq` agent, redirects followed by hand so that each hop
//! is seen, a time-out, a body cap, a per-host minimum interval, a fixed
//! number of threads and an honest `User-Agent`), and reports per source the
//! status, the final URL and its findings: a dead link, a permanent move, a
//! redirect to the home page, a page whose text no longer matches its
//! snapshot, an excerpt no longer in the page, and transient trouble (every
//! code, with what, why and a hint, is in [`CODES`]). The findings are
//! [`routes_diagnostics::Diagnostic`]s placed on the source's URL (or the
//! snapshot path, or the excerpt) in the record, with line and column.
//! [`archive`] fetches a route's sources, stores their readable text under
//! `snapshots/` with a snapshot header, and records path, SHA-256 and
//! retrieval date in the record, editing only those bytes.
//!
//! The library prints nothing and never panics on what a server sends.
//!
//! ```
//! use routes_sources::{CODES, extract, is_home_page};
//!
//! // The readable text of a page: script, style and head dropped.
//! let html = b"<html><head><title>Tab</title><script>track()</script></head>\
//!              <body><h1>Work visa</h1><p>Apply at a service centre.</p></body></html>";
//! let text = extract(html, Some("text/html; charset=utf-8")).unwrap();
//! assert!(text.contains("Apply at a service centre."));
//! assert!(!text.contains("track()"));
//!
//! // A removed page often redirects to the site's home page.
//! assert!(is_home_page("https://www.gov.kz/en/"));
//! assert!(!is_home_page("https://www.gov.kz/services/4631"));
//!
//! // Each code says what it reports, why, and what to do.
//! let dead = CODES.iter().find(|c| c.code == "sources/dead-link").unwrap();
//! assert!(dead.reverify());
//! ```
//!
//! Checking a dataset (this fetches every page it cites):
//!
//! ```no_run
//! use routes_sources::{Dataset, FetchOptions, Fetcher, check};
//!
//! let dataset = Dataset::open(std::path::Path::new("dataset"))?;
//! let fetcher = Fetcher::new(FetchOptions::default());
//! let report = check(&dataset, &fetcher, &[], &|_done, _total| {})?;
//! for source in &report.sources {
//!     println!("{:?} {} {}", source.status, source.url, source.findings.len());
//! }
//! println!("to re-verify: {:?}", report.reverify());
//! # Ok::<(), routes_sources::Error>(())
//! ```
#![warn(missing_docs)]

mod archive;
mod check;
mod classify;
mod codes;
mod dataset;
mod error;
mod fetch;
mod text;

pub use archive::{ArchiveReport, Archived, TAKEN_FROM, archive};
pub use check::{CheckReport, SourceReport, check};
pub use classify::{is_home_page, permanent_target};
pub use codes::{
    BAD_REDIRECT, CODES, Code, DEAD_LINK, EXCERPT_MISSING, MOVED_PERMANENTLY, NOT_TEXT, REDIRECT_TO_HOME,
    SNAPSHOT_CHANGED, TOO_LARGE, UNREACHABLE, code, codes_markdown,
};
pub use dataset::Dataset;
pub use error::Error;
pub use fetch::{Failure, FetchOptions, Fetched, Fetcher, Hop, MAX_REDIRECTS, Outcome, default_user_agent};
pub use text::{NotText, extract, passages};
