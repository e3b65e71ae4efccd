//! The search index of route records, built with tantivy.
//!
//! Every route becomes one document holding the text of the route itself and
//! of each requirement, document, source, exemption, fee and note, with the
//! items in a compact stored form; at search time the items of the routes
//! shown are matched against the query, so a hit can say which item matched.
//! Queries rank by BM25 with field boosts (names above labels above long
//! text), routes by their best item, and come back as plain structs with
//! highlighted snippets and the source URL behind each item.
//!
//! A query is read as people ask: the curated vocabulary of
//! `dataset/vocabulary.toml` (built in) adds the synonyms of its terms
//! (`police clearance` also finds `criminal record`, ranked below a route
//! with the words as typed; [`Query::synonyms`] turns it off), stop words are
//! left out of questions, the last word also matches as a prefix
//! ([`Query::prefix`]), words of every script are folded (Japanese and
//! Chinese by pairs of characters), and a query with no hits is retried with
//! typos, then with some of its words ([`SearchResults::partial`]), with a
//! respelling that finds routes ([`SearchResults::suggestion`]).
//!
//! What it may touch on disk:
//!
//! - An index is built in a scratch folder beside its target
//!   (`routes_fs::Scratch`) and swapped in with `routes_fs::replace_dir`,
//!   which replaces only an index folder (one holding `routes-index.json`
//!   with a format version) or an empty folder; anything else is refused
//!   ([`Error::NotOurs`]). A rebuild holds an exclusive lock on the parent
//!   folder, readers a shared one while they open, so searches never see a
//!   half-replaced index.
//! - Indexes are opened read-only (no lock file, no write), and a panic of
//!   tantivy is returned as [`Error::Panicked`]. A cache is checked with a
//!   stamp of its files (size, times, inode: no file is read) and rebuilt
//!   when it differs; a release's index is checked against its `SHA256SUMS`
//!   ([`open_release`]).
//! - Segments are named by a digest of their files, so the same routes give
//!   the same index, byte for byte.
//! - Queries are bounded: at most [`MAX_QUERY_WORDS`] words,
//!   [`MAX_QUERY_DEPTH`] nested parentheses, and a typo retry only for
//!   [`MAX_FUZZY_WORDS`] words or fewer.
//!
//! ```
//! use routes_index::{Query, RouteIndex, build_index};
//!
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dataset");
//! let dir = tempfile::tempdir()?;
//! build_index(&[root.clone()], dir.path(), "example")?;
//! let index = RouteIndex::open(dir.path())?;
//! let results = index.search(&Query::new("health insurance country:KZ"))?;
//! assert_eq!(results.hits[0].route_id, "kz/temporary-residence-permit");
//! assert!(results.hits[0].matches.iter().any(|m| m.snippet.contains("insurance")));
//!
//! // The words people use: no route says "police clearance".
//! let results = index.search(&Query::new("police clearance"))?;
//! let synonym = results.hits[0].matches[0].synonym.as_ref().expect("a synonym matched");
//! assert_eq!(synonym.query, "police clearance");
//!
//! // A misspelt word is retried with typos, and respelt.
//! let results = index.search(&Query::new("citizenshp"))?;
//! assert!(results.fuzzy && !results.hits.is_empty());
//! assert_eq!(results.suggestion.as_deref(), Some("citizenship"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod alternatives;
mod analysis;
mod build;
mod concepts;
mod count;
mod fields;
mod files;
mod filters;
mod guard;
mod items;
mod query;
mod readonly;
mod replay;
mod rewrite;
mod search;
mod snippet;
mod stored;
mod suggest;
mod vocabulary;

use std::path::PathBuf;

pub use build::{
    IndexBuilder, IndexMeta, RELEASE_WRITER_HEAP, build_index, dataset_fingerprint, open_or_build, rebuild,
};
pub use files::{index_file_digests, is_index_folder, open_release, verify_index_files};
pub use filters::{FilterError, IndexedCountry};
pub use query::{MAX_QUERY_DEPTH, MAX_QUERY_WORDS, QueryError, check_query};
pub use search::{Facets, Hit, MAX_FUZZY_WORDS, Match, Query, RouteIndex, SearchResults, Synonym};

/// The on-disk format of the index this build writes and reads. An index of
/// another version is rebuilt (dataset cache) or refused (release).
pub const INDEX_FORMAT_VERSION: u32 = 8;

/// Failures of building, opening or searching an index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Reading the records failed.
    #[error("cannot read the records")]
    Records(#[source] routes_validate::Error),
    /// tantivy failed.
    #[error("the search index at `{}` cannot be used", path.display())]
    Tantivy {
        /// The index folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: tantivy::TantivyError,
    },
    /// The folder holds no index, or one written by another format version,
    /// or one built from other data.
    #[error("the search index at `{}` {reason}", path.display())]
    Unusable {
        /// The index folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The query is malformed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A filter (`--country`, `--category`, `--status`) names no value the
    /// index can search for.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// Something that is not an index folder of `routes` is where the
    /// index would go; it was left untouched.
    #[error("`{}` exists and is not a search index made by `routes`; it was left untouched", path.display())]
    NotOurs {
        /// What is in the way.
        path: PathBuf,
    },
    /// A file of the index does not hold what was written.
    #[error("the search index file `{}` {reason}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// How it differs.
        reason: String,
    },
    /// tantivy panicked on the index (a damage its checks did not see).
    #[error("the search index at `{}` is damaged: tantivy failed on it ({message})", path.display())]
    Panicked {
        /// The index folder.
        path: PathBuf,
        /// The panic message.
        message: String,
    },
}
