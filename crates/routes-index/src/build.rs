//! Building the index from records, and knowing when it is stale.

use std::path::{Path, PathBuf};

use std::fmt::Write as _;

use routes_core::{Evidence, Money, NationalityScope, Period, Range, Route, Tristate, Unit};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::fields::{Fields, register_tokenizers};
use crate::search::RouteIndex;
use crate::stored::{self, Kind};
use crate::{Error, INDEX_FORMAT_VERSION};

/// The indexing memory of the writer. One thread, while this one reads the
/// records: a second would write a second segment, and every query would
/// then look up each word twice. The memory is used as it fills (about 100
/// MB for 100,000 routes), so a dataset of that size is one segment.
const WRITER_HEAP: usize = 512 * 1024 * 1024;

/// The indexing memory of the writer when `routes publish` builds a release's
/// index beside its tables: a bound on what the index adds to the memory of a
/// publish of any size. Measured: 100,000 routes still make one segment (peak
/// RSS of the publish 213 MB, as with 512 MB); 300,000 make three, and the
/// publish peaks at 244 MB (342 MB with 128 MB here).
pub const RELEASE_WRITER_HEAP: usize = 64 * 1024 * 1024;

/// The file beside the index that says what it was built from.
pub(crate) const META_FILE: &str = "routes-index.json";

/// What an index was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexMeta {
    /// [`INDEX_FORMAT_VERSION`] of the builder.
    pub format_version: u32,
    /// Fingerprint of the data it was built from.
    pub fingerprint: String,
    /// Routes indexed.
    pub routes: usize,
    /// Items indexed: routes and their requirements, documents, exemptions,
    /// fees, notes and sources (one tantivy document holds a route and its items).
    pub documents: usize,
    /// Records left out because they cannot be read as routes (they do not
    /// type; `routes validate` says why).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub left_out: usize,
    /// A stamp of the index files (see `files::stamp`), for a cache: a file
    /// changed since the build is seen without reading it. A release has
    /// none: its files are checked against its `SHA256SUMS`, and its bytes
    /// must not depend on the machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<String>,
    /// SHA-256 of the vocabulary (`dataset/vocabulary.toml`) whose concepts
    /// the index holds; a search with another vocabulary looks its synonyms
    /// up as phrases instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocabulary: Option<String>,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn tantivy_err(path: &Path) -> impl FnOnce(tantivy::TantivyError) -> Error + '_ {
    move |source| Error::Tantivy {
        path: path.to_path_buf(),
        source,
    }
}

/// Fingerprint of a dataset: the format version, and the path, size,
/// modification time, inode and change time of every record file. Cheap
/// (no file is read) and it changes whenever a record is added, removed or
/// saved, also when an edit keeps the size and the modification time is set
/// back (`touch -r`): the change time cannot be set back by a user.
pub fn dataset_fingerprint(paths: &[PathBuf]) -> Result<String, Error> {
    let mut hasher = Sha256::new();
    hasher.update(format!(
        "routes-index {INDEX_FORMAT_VERSION}\nvocabulary {}\n",
        crate::vocabulary::builtin_digest()
    ));
    for file in routes_validate::record_files(paths).map_err(Error::Records)? {
        let meta = fs_err::metadata(&file).map_err(|e| Error::Io {
            path: file.clone(),
            source: e,
        })?;
        hasher.update(format!("{}\t{}\n", file.display(), crate::files::file_identity(&meta)));
    }
    Ok(hex(&hasher.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Builds an index of the records under `paths` into `dir`, recording
/// `fingerprint` in its meta file. The index is built in a scratch folder
/// beside `dir` and swapped into place when whole, under a lock on the
/// parent folder, so two builders take turns. Only an index folder (one
/// holding `routes-index.json`) or an empty folder at `dir` is replaced;
/// anything else is refused with [`Error::NotOurs`] and left untouched,
/// before anything is built.
pub fn build_index(paths: &[PathBuf], dir: &Path, fingerprint: &str) -> Result<IndexMeta, Error> {
    let dir = std::path::absolute(dir).map_err(io(dir))?;
    check_target(&dir)?;
    let parent = parent_of(&dir);
    create_parent(&dir)?;
    let _lock = routes_fs::Lock::acquire(parent).map_err(fs_error)?;
    routes_fs::sweep(parent);
    build_unlocked(paths, &dir, fingerprint, true)
}

/// Builds without taking the lock (the caller holds it).
fn build_unlocked(paths: &[PathBuf], dir: &Path, fingerprint: &str, stamped: bool) -> Result<IndexMeta, Error> {
    let mut builder = IndexBuilder::new(dir)?;
    let mut failure = None;
    let left_out = routes_validate::read_routes(paths, &mut |route, _, _| {
        if failure.is_none()
            && let Err(e) = builder.add(&route)
        {
            failure = Some(e);
        }
    })
    .map_err(Error::Records)?;
    if let Some(e) = failure {
        return Err(e);
    }
    builder.left_out = left_out;
    builder.stamped = stamped;
    builder.finish(fingerprint)
}

/// The folder `dir` is in (`.` for a bare name).
pub(crate) fn parent_of(dir: &Path) -> &Path {
    dir.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn create_parent(dir: &Path) -> Result<(), Error> {
    let parent = parent_of(dir);
    fs_err::create_dir_all(parent).map_err(|e| Error::Io {
        path: parent.to_path_buf(),
        source: e,
    })
}

pub(crate) fn fs_error(e: routes_fs::Error) -> Error {
    match e {
        routes_fs::Error::NotOurs { path } => Error::NotOurs { path },
        routes_fs::Error::Io { path, source, .. } => Error::Io { path, source },
        other => Error::Io {
            path: PathBuf::new(),
            source: std::io::Error::other(other.to_string()),
        },
    }
}

/// Refuses a target that `routes` may not replace: anything but nothing,
/// an empty folder, or an index folder (see [`crate::is_index_folder`]).
pub(crate) fn check_target(dir: &Path) -> Result<(), Error> {
    let not_ours = || Error::NotOurs {
        path: dir.to_path_buf(),
    };
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::Io {
            path: dir.to_path_buf(),
            source: e,
        }),
        Ok(meta) if !meta.is_dir() => Err(not_ours()),
        Ok(_) => {
            let empty = fs_err::read_dir(dir).map_err(io(dir))?.next().is_none();
            if empty || crate::files::is_index_folder(dir) {
                Ok(())
            } else {
                Err(not_ours())
            }
        }
    }
}

/// Builds an index route by route: [`IndexBuilder::add`] hands each route's
/// document to tantivy's indexing thread (so the caller goes on while it
/// indexes), [`IndexBuilder::finish`] commits and moves the index into place.
/// The index is built in a scratch folder beside its target
/// ([`routes_fs::Scratch`]): dropped before `finish`, or killed, it leaves
/// nothing behind that the next build does not sweep.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// let mut builder = routes_index::IndexBuilder::new(&dir.path().join("index"))?;
/// // builder.add(&route)? for each route, then:
/// let meta = builder.finish("fingerprint of the data")?;
/// assert_eq!(meta.routes, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct IndexBuilder {
    dir: PathBuf,
    // Declared before `staging`: the writer lets go of its files first.
    writer: IndexWriter<TantivyDocument>,
    staging: routes_fs::Scratch,
    fields: Fields,
    routes: usize,
    documents: usize,
    left_out: usize,
    stamped: bool,
}

impl IndexBuilder {
    /// Starts an index that [`IndexBuilder::finish`] will put at `dir`.
    pub fn new(dir: &Path) -> Result<Self, Error> {
        Self::with_memory(dir, WRITER_HEAP)
    }

    /// Like [`IndexBuilder::new`], with `heap` bytes of indexing memory (at
    /// least 15 MB, tantivy's floor); past it, tantivy writes a segment.
    pub fn with_memory(dir: &Path, heap: usize) -> Result<Self, Error> {
        create_parent(dir)?;
        let staging = routes_fs::Scratch::new_in(parent_of(dir), "index").map_err(fs_error)?;
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_dir(staging.path(), schema).map_err(tantivy_err(staging.path()))?;
        register_tokenizers(&index, true);
        let writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(1, heap.max(15_000_000))
            .map_err(tantivy_err(staging.path()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            writer,
            staging,
            fields,
            routes: 0,
            documents: 0,
            left_out: 0,
            stamped: false,
        })
    }

    /// Adds one route.
    pub fn add(&mut self, route: &routes_core::Route) -> Result<(), Error> {
        self.routes += 1;
        let (doc, items) = document_of(route, self.fields);
        self.documents += items;
        self.writer
            .add_document(doc)
            .map(|_| ())
            .map_err(tantivy_err(self.staging.path()))
    }

    /// Commits, names the segments by their content (the same routes give
    /// the same files, byte for byte), writes the meta file with
    /// `fingerprint`, and moves the index into place. An old index at the
    /// target is replaced only when it is an index folder (or an empty
    /// folder); anything else is refused ([`Error::NotOurs`]). Hold a
    /// [`routes_fs::Lock`] on the parent folder when other processes may
    /// replace the same index ([`build_index`] does).
    pub fn finish(self, fingerprint: &str) -> Result<IndexMeta, Error> {
        let Self {
            dir,
            mut writer,
            staging,
            routes,
            documents,
            left_out,
            stamped,
            ..
        } = self;
        let at = staging.path().to_path_buf();
        writer.commit().map_err(tantivy_err(&at))?;
        writer.wait_merging_threads().map_err(tantivy_err(&at))?;
        // The writer is gone: its lock files are empty leftovers.
        for lock in [".tantivy-writer.lock", ".tantivy-meta.lock"] {
            let _ = fs_err::remove_file(at.join(lock));
        }
        crate::files::name_segments_by_content(&at)?;
        let meta = IndexMeta {
            format_version: INDEX_FORMAT_VERSION,
            fingerprint: fingerprint.to_owned(),
            routes,
            documents,
            left_out,
            stamp: if stamped { Some(crate::files::stamp(&at)?) } else { None },
            vocabulary: Some(crate::vocabulary::builtin_digest().to_owned()),
        };
        let mut text = serde_json::to_string_pretty(&meta).unwrap_or_default();
        text.push('\n');
        crate::files::write_synced(&at.join(META_FILE), text.as_bytes())?;
        routes_fs::replace_dir(staging, &dir, crate::files::is_index_folder).map_err(fs_error)?;
        Ok(meta)
    }
}

/// Reads an index's meta file.
pub(crate) fn read_meta(dir: &Path) -> Result<IndexMeta, Error> {
    let path = dir.join(META_FILE);
    // A regular file of at most 1 MiB: a FIFO put there would block a read.
    let bytes = routes_fs::read_regular(&path, META_FILE, 1 << 20).map_err(|e| Error::Unusable {
        path: dir.to_path_buf(),
        reason: match e {
            routes_fs::Refusal::Missing { .. } => format!("has no `{META_FILE}`"),
            e => format!("has an unusable `{META_FILE}`: {e}"),
        },
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let meta: IndexMeta = serde_json::from_str(&text).map_err(|e| Error::Unusable {
        path: dir.to_path_buf(),
        reason: format!("has a broken `{META_FILE}`: {e}"),
    })?;
    if meta.format_version != INDEX_FORMAT_VERSION {
        return Err(Error::Unusable {
            path: dir.to_path_buf(),
            reason: format!(
                "has format version {}, this build reads {INDEX_FORMAT_VERSION}",
                meta.format_version
            ),
        });
    }
    Ok(meta)
}

/// Opens the cached index of a dataset in `dir`, building it first when it
/// is missing, stale (the data changed), of another format version, or its
/// files changed since it was built (a stamp of their size, times and
/// inodes, so nothing is read). Returns the index and why it was (re)built,
/// if it was.
///
/// Readers check and open the index under a shared lock on the parent
/// folder, a rebuilder builds and swaps it under the exclusive lock (and
/// sweeps the scratch folders of dead builders), so a search never sees a
/// half-replaced index, and two rebuilders take turns. A folder at `dir`
/// that is not an index folder is refused ([`Error::NotOurs`]), never
/// removed.
pub fn open_or_build(paths: &[PathBuf], dir: &Path) -> Result<(RouteIndex, Option<String>), Error> {
    let dir = std::path::absolute(dir).map_err(io(dir))?;
    check_target(&dir)?;
    create_parent(&dir)?;
    let parent = parent_of(&dir);
    let fingerprint = dataset_fingerprint(paths)?;
    let reason = {
        let _shared = routes_fs::Lock::acquire_shared(parent).map_err(fs_error)?;
        match open_cached(&dir, &fingerprint) {
            Ok(index) => return Ok((index, None)),
            Err(reason) => reason,
        }
    };
    let _lock = routes_fs::Lock::acquire(parent).map_err(fs_error)?;
    // Another process may have rebuilt it while this one waited.
    if let Ok(index) = open_cached(&dir, &fingerprint) {
        return Ok((index, None));
    }
    routes_fs::sweep(parent);
    build_unlocked(paths, &dir, &fingerprint, true)?;
    Ok((RouteIndex::open(&dir)?, Some(reason)))
}

/// Rebuilds the cached index of a dataset in `dir` whatever state it is in
/// (for an index that failed while searching), under the exclusive lock.
pub fn rebuild(paths: &[PathBuf], dir: &Path) -> Result<RouteIndex, Error> {
    let dir = std::path::absolute(dir).map_err(io(dir))?;
    check_target(&dir)?;
    create_parent(&dir)?;
    let parent = parent_of(&dir);
    let _lock = routes_fs::Lock::acquire(parent).map_err(fs_error)?;
    routes_fs::sweep(parent);
    let fingerprint = dataset_fingerprint(paths)?;
    build_unlocked(paths, &dir, &fingerprint, true)?;
    RouteIndex::open(&dir)
}

/// Opens the cache if it is fresh and whole, or says why not.
fn open_cached(dir: &Path, fingerprint: &str) -> Result<RouteIndex, String> {
    let meta = match read_meta(dir) {
        Ok(meta) => meta,
        Err(_) if !dir.exists() => return Err("there was no index yet".to_owned()),
        Err(e) => return Err(error_chain(&e)),
    };
    if meta.fingerprint != fingerprint {
        return Err("the data changed since the index was built".to_owned());
    }
    match crate::files::stamp(dir) {
        Ok(stamp) if meta.stamp.as_deref() == Some(stamp.as_str()) => {}
        _ => return Err("the index files changed since it was built".to_owned()),
    }
    RouteIndex::open(dir).map_err(|e| format!("the index was broken ({})", error_chain(&e)))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// A number as people write it: `100`, `1.5`, `3000` (no `.0`, no thousands separators).
fn number_words(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        let text = format!("{n:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn period_words(period: Period) -> &'static str {
    match period {
        Period::OneOff => "one-off",
        Period::Hour => "per hour",
        Period::Month => "per month",
        Period::Year => "per year",
    }
}

/// An amount in words, as people ask for it: `EUR 100 (100 EUR) per month`.
fn money_words(money: &Money) -> String {
    match money {
        Money::Fixed(m) => {
            let amount = number_words(m.amount);
            let mut out = format!(
                "{currency} {amount} ({amount} {currency}) {}",
                period_words(m.period),
                currency = m.currency
            );
            if let Some(c) = &m.converted {
                let _ = write!(out, " about {} {}", c.currency, number_words(c.amount));
            }
            out
        }
        Money::Indexed(m) => {
            let mut out = format!(
                "{} times the {}",
                number_words(m.multiplier),
                m.index.as_str().replace(['_', '-'], " ")
            );
            if let Some(year) = m.year {
                let _ = write!(out, " of {year}");
            }
            let _ = write!(out, " {}", period_words(m.period));
            out
        }
    }
}

fn unit_words(unit: Unit, n: Option<f64>) -> &'static str {
    unit.noun(n == Some(1.0))
}

/// A range in words: `5 to 10 working days`, `at least 18 years`, `up to 1 year`;
/// empty when neither bound is known.
fn range_words(range: &Range) -> String {
    let unit = |n| unit_words(range.unit, n);
    match (range.min, range.max) {
        (Some(a), Some(b)) if a == b => format!("{} {}", number_words(a), unit(Some(a))),
        (Some(a), Some(b)) => format!("{} to {} {}", number_words(a), number_words(b), unit(Some(b))),
        (Some(a), None) => format!("at least {} {}", number_words(a), unit(Some(a))),
        (None, Some(b)) => format!("up to {} {}", number_words(b), unit(Some(b))),
        (None, None) => String::new(),
    }
}

fn claim_words(value: Tristate) -> &'static str {
    match value {
        Tristate::Yes => "yes",
        Tristate::No => "no",
        Tristate::Unknown => "not found in the sources",
    }
}

/// Joins the non-empty parts of an item's text with ` · `, so that a
/// snippet reads as its parts (the fact, its note, the quote); the
/// separator is no word, so a phrase across two parts still matches.
fn sections<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    joined(parts, crate::snippet::PART_SEPARATOR)
}

/// Joins the non-empty parts with spaces.
fn words<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    joined(parts, " ")
}

fn joined<'a>(parts: impl IntoIterator<Item = &'a str>, separator: &str) -> String {
    let mut out = String::new();
    for part in parts {
        let part = part.trim();
        if !part.is_empty() {
            if !out.is_empty() {
                out.push_str(separator);
            }
            out.push_str(part);
        }
    }
    out
}

/// The tantivy document of one route, and how many items it holds (the
/// route itself included). Besides the text of the record, its structured
/// facts are written as words (`processing time 5 to 10 working days`, `fee
/// EUR 100`, `stay up to 1 year`, `age at least 18 years`), so a question
/// about them finds the item that answers it; each quoted excerpt is indexed
/// with its item, in the language of its source.
#[allow(
    clippy::too_many_lines,
    reason = "one item per part of the record, in the record's order"
)]
fn document_of(route: &Route, f: Fields) -> (TantivyDocument, usize) {
    let source_urls: Vec<&str> = route.sources.iter().map(|s| s.url.as_str()).collect();
    let source_of = |evidence: &[Evidence]| {
        evidence
            .first()
            .and_then(|e| route.sources.iter().position(|s| s.id.as_str() == e.source.as_str()))
    };
    let excerpts = |evidence: &[Evidence]| {
        evidence
            .iter()
            .filter_map(|e| e.excerpt.as_deref())
            .collect::<Vec<_>>()
            .join(" … ")
    };
    let mut doc = TantivyDocument::new();
    let mut stored = stored::Writer::new(
        [
            route.id.as_str(),
            route.country.as_str(),
            route.category.as_str(),
            route.status.as_str(),
            &route.name,
        ],
        &source_urls,
    );
    let mut kinds = [false; stored::KINDS.len()];
    let mut items = 0;
    let mut item = |kind: Kind, id: &str, label: &str, body: &str, source: Option<usize>| {
        doc.add_text(f.label, label);
        doc.add_text(f.body, body);
        stored.item(kind as u8, id, label, body, source);
        kinds[kind as usize] = true;
        items += 1;
    };
    let mut route_label = route.codes.join(" ");
    if let Some(n) = &route.official_name {
        route_label = format!("{} {route_label}", n.text);
    }
    if route_label.trim().is_empty() {
        route_label.clone_from(&route.name);
    }
    let category = route.category.as_str().replace('_', " ");
    let official_excerpts = route
        .official_name
        .as_ref()
        .map(|n| excerpts(&n.evidence))
        .unwrap_or_default();
    let route_body = sections([
        category.as_str(),
        route.summary.as_deref().unwrap_or_default(),
        &official_excerpts,
    ]);
    item(
        Kind::Route,
        "",
        &route_label,
        &route_body,
        (!route.sources.is_empty()).then_some(0),
    );
    let nationality = &route.eligibility.nationality;
    let who: Vec<&str> = nationality
        .groups
        .iter()
        .map(String::as_str)
        .chain(nationality.countries.iter().map(routes_core::CountryCode::as_str))
        .collect();
    let scope = match nationality.scope {
        NationalityScope::All => "open to every nationality",
        NationalityScope::Only => "only nationals of",
        NationalityScope::AllExcept => "every nationality except",
        NationalityScope::Unknown => "",
    };
    let body = sections([
        &words([scope, &who.join(" ")]),
        nationality.description.as_deref().unwrap_or_default(),
        &excerpts(&nationality.evidence),
    ]);
    if !body.is_empty() {
        item(
            Kind::Eligibility,
            "nationality",
            "nationality eligibility",
            &body,
            source_of(&nationality.evidence),
        );
    }
    for r in &route.requirements {
        let label = r.kind.as_str().replace('_', " ");
        let range = r.range.as_ref().map(range_words).unwrap_or_default();
        let range = if range.is_empty() {
            range
        } else {
            format!("{label} {range}")
        };
        let body = sections([
            r.description.as_str(),
            r.note.as_deref().unwrap_or_default(),
            &r.money.as_ref().map(money_words).unwrap_or_default(),
            &range,
            &excerpts(&r.evidence),
        ]);
        item(Kind::Requirement, r.id.as_str(), &label, &body, source_of(&r.evidence));
    }
    for d in &route.documents {
        let body = sections([d.note.as_deref().unwrap_or_default(), &excerpts(&d.evidence)]);
        item(Kind::Document, d.id.as_str(), &d.name, &body, source_of(&d.evidence));
    }
    for (i, e) in route.eligibility.exemptions.iter().enumerate() {
        let who: Vec<&str> = e
            .who
            .groups
            .iter()
            .map(String::as_str)
            .chain(e.who.countries.iter().map(routes_core::CountryCode::as_str))
            .collect();
        let who = who.join(" ");
        let body = sections([e.description.as_str(), &excerpts(&e.evidence)]);
        item(
            Kind::Exemption,
            &i.to_string(),
            &format!("exemption {who}"),
            &body,
            source_of(&e.evidence),
        );
    }
    for (i, t) in route.duration.initial_stay.iter().enumerate() {
        let body = sections([
            &words(["stay", &range_words(&t.range)]),
            t.note.as_deref().unwrap_or_default(),
            &excerpts(&t.evidence),
        ]);
        item(
            Kind::Duration,
            &format!("initial_stay/{i}"),
            "initial stay",
            &body,
            source_of(&t.evidence),
        );
    }
    for (i, t) in route.duration.validity.iter().enumerate() {
        let body = sections([
            &words(["valid for", &range_words(&t.range)]),
            t.note.as_deref().unwrap_or_default(),
            &excerpts(&t.evidence),
        ]);
        item(
            Kind::Duration,
            &format!("validity/{i}"),
            "validity",
            &body,
            source_of(&t.evidence),
        );
    }
    for (i, r) in route.duration.renewal.iter().enumerate() {
        let times = r.times.map(|n| format!("up to {n} times")).unwrap_or_default();
        let term = r
            .term
            .as_ref()
            .map(|t| format!("for {}", range_words(t)))
            .unwrap_or_default();
        let body = sections([
            &words(["renewable:", claim_words(r.renewable), &times, &term]),
            r.note.as_deref().unwrap_or_default(),
            &excerpts(&r.evidence),
        ]);
        item(Kind::Renewal, &i.to_string(), "renewal", &body, source_of(&r.evidence));
    }
    for (id, label, claim) in [
        (
            "permanent_residence",
            "leads to permanent residence",
            &route.duration.leads_to_permanent_residence,
        ),
        (
            "citizenship",
            "leads to citizenship",
            &route.duration.leads_to_citizenship,
        ),
    ] {
        if claim.value == Tristate::Unknown && claim.evidence.is_empty() && claim.note.is_none() {
            continue;
        }
        let body = sections([
            claim_words(claim.value),
            claim.note.as_deref().unwrap_or_default(),
            &excerpts(&claim.evidence),
        ]);
        item(Kind::Duration, id, label, &body, source_of(&claim.evidence));
    }
    for (i, c) in route.application.channels.iter().enumerate() {
        let body = sections([
            &words(["apply", &c.kind.as_str().replace('_', " ")]),
            c.url.as_deref().unwrap_or_default(),
            c.note.as_deref().unwrap_or_default(),
            &excerpts(&c.evidence),
        ]);
        item(Kind::Channel, &i.to_string(), &c.name, &body, source_of(&c.evidence));
    }
    for (i, p) in route.application.processing_times.iter().enumerate() {
        // The label says "processing time": the text starts with the figure.
        let body = sections([
            &range_words(&p.range),
            p.note.as_deref().unwrap_or_default(),
            &excerpts(&p.evidence),
        ]);
        item(
            Kind::ProcessingTime,
            &i.to_string(),
            "processing time",
            &body,
            source_of(&p.evidence),
        );
    }
    for (i, fee) in route.application.fees.iter().enumerate() {
        let free = if fee.free == Some(true) { "free of charge" } else { "" };
        let body = sections([
            &words([&fee.money.as_ref().map(money_words).unwrap_or_default(), free]),
            fee.note.as_deref().unwrap_or_default(),
            &excerpts(&fee.evidence),
        ]);
        item(
            Kind::Fee,
            &i.to_string(),
            &format!("fee {}", fee.description),
            &body,
            source_of(&fee.evidence),
        );
    }
    for (i, act) in route.legal_basis.iter().enumerate() {
        let body = sections([
            act.number.as_deref().unwrap_or_default(),
            act.registration.as_deref().unwrap_or_default(),
            act.note.as_deref().unwrap_or_default(),
            &excerpts(&act.evidence),
        ]);
        item(Kind::Law, &i.to_string(), &act.title, &body, source_of(&act.evidence));
    }
    for (i, n) in route.notes.iter().enumerate() {
        let body = sections([n.text.as_str(), &excerpts(&n.evidence)]);
        item(Kind::Note, &i.to_string(), "note", &body, source_of(&n.evidence));
    }
    for (i, s) in route.sources.iter().enumerate() {
        let body = sections([s.publisher.as_deref().unwrap_or_default(), &s.url]);
        item(Kind::Source, s.id.as_str(), &s.title, &body, Some(i));
    }
    doc.add_u64(f.route_key, crate::fields::route_key(route.id.as_str()));
    doc.add_text(f.country, route.country.as_str());
    doc.add_text(f.category, route.category.as_str());
    doc.add_text(f.status, route.status.as_str());
    doc.add_text(f.name, crate::fields::name_words(&route.name, route.country.as_str()));
    for (kind, present) in stored::KINDS.iter().zip(kinds) {
        if present {
            doc.add_text(f.kind, kind);
        }
    }
    doc.add_bytes(f.stored, &stored.finish());
    (doc, items)
}
