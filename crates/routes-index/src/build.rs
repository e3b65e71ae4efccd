//! Building the index from records, and knowing when it is stale.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use routes_core::{Evidence, Money, Route};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::fields::{Fields, register_tokenizers};
use crate::search::RouteIndex;
use crate::stored;
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

/// Fingerprint of a dataset: the format version, and the path, size and
/// modification time of every record file. Cheap (no file is read) and it
/// changes whenever a record is added, removed or saved.
pub fn dataset_fingerprint(paths: &[PathBuf]) -> Result<String, Error> {
    let mut hasher = Sha256::new();
    hasher.update(format!("routes-index {INDEX_FORMAT_VERSION}\n"));
    for file in routes_validate::record_files(paths).map_err(Error::Records)? {
        let meta = fs_err::metadata(&file).map_err(|e| Error::Io {
            path: file.clone(),
            source: e,
        })?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .unwrap_or_default();
        hasher.update(format!("{}\t{}\t{}\n", file.display(), meta.len(), mtime.as_nanos()));
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Builds an index of the records under `paths` into `dir` (which must not
/// exist or be empty), recording `fingerprint` in its meta file. The index is
/// built in a temporary folder beside `dir` and moved into place when whole.
pub fn build_index(paths: &[PathBuf], dir: &Path, fingerprint: &str) -> Result<IndexMeta, Error> {
    let mut builder = IndexBuilder::new(dir)?;
    let mut failure = None;
    routes_validate::read_routes(paths, &mut |route, _, _| {
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
    builder.finish(fingerprint)
}

/// Builds an index route by route: [`IndexBuilder::add`] hands each route's
/// document to tantivy's indexing thread (so the caller goes on while it
/// indexes), [`IndexBuilder::finish`] commits and moves the index into place.
/// Dropped before `finish`, it leaves nothing behind.
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
    staging: tempfile::TempDir,
    fields: Fields,
    writer: IndexWriter<TantivyDocument>,
    routes: usize,
    documents: usize,
}

impl IndexBuilder {
    /// Starts an index that [`IndexBuilder::finish`] will put at `dir`.
    pub fn new(dir: &Path) -> Result<Self, Error> {
        Self::with_memory(dir, WRITER_HEAP)
    }

    /// Like [`IndexBuilder::new`], with `heap` bytes of indexing memory (at
    /// least 15 MB, tantivy's floor); past it, tantivy writes a segment.
    pub fn with_memory(dir: &Path, heap: usize) -> Result<Self, Error> {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs_err::create_dir_all(parent).map_err(|e| Error::Io {
            path: parent.to_path_buf(),
            source: e,
        })?;
        let staging = tempfile::Builder::new()
            .prefix(".routes-index-")
            .tempdir_in(parent)
            .map_err(io(parent))?;
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_dir(staging.path(), schema).map_err(tantivy_err(staging.path()))?;
        register_tokenizers(&index);
        let writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(1, heap.max(15_000_000))
            .map_err(tantivy_err(staging.path()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            staging,
            fields,
            writer,
            routes: 0,
            documents: 0,
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

    /// Commits, writes the meta file with `fingerprint`, and moves the index
    /// into place (replacing an old one).
    pub fn finish(self, fingerprint: &str) -> Result<IndexMeta, Error> {
        let Self {
            dir,
            staging,
            mut writer,
            routes,
            documents,
            ..
        } = self;
        writer.commit().map_err(tantivy_err(staging.path()))?;
        writer.wait_merging_threads().map_err(tantivy_err(staging.path()))?;
        // The writer is gone: its lock files are empty leftovers.
        for lock in [".tantivy-writer.lock", ".tantivy-meta.lock"] {
            let _ = fs_err::remove_file(staging.path().join(lock));
        }
        let meta = IndexMeta {
            format_version: INDEX_FORMAT_VERSION,
            fingerprint: fingerprint.to_owned(),
            routes,
            documents,
        };
        let meta_path = staging.path().join(META_FILE);
        let mut file = fs_err::File::create(&meta_path).map_err(|e| Error::Io {
            path: meta_path.clone(),
            source: e,
        })?;
        let text = serde_json::to_string_pretty(&meta).unwrap_or_default();
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io(&meta_path))?;
        // Replace an old index, if any, then move the new one into place.
        if dir.exists() {
            fs_err::remove_dir_all(&dir).map_err(|e| Error::Io {
                path: dir.clone(),
                source: e,
            })?;
        }
        let staged = staging.keep();
        if let Err(e) = fs_err::rename(&staged, &dir) {
            let _ = fs_err::remove_dir_all(&staged);
            return Err(Error::Io { path: dir, source: e });
        }
        Ok(meta)
    }
}

/// Reads an index's meta file.
pub(crate) fn read_meta(dir: &Path) -> Result<IndexMeta, Error> {
    let path = dir.join(META_FILE);
    let text = fs_err::read_to_string(&path).map_err(|_| Error::Unusable {
        path: dir.to_path_buf(),
        reason: format!("has no `{META_FILE}`"),
    })?;
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
/// is missing, stale (the data changed), of another format version or
/// broken. Returns the index and why it was (re)built, if it was.
pub fn open_or_build(paths: &[PathBuf], dir: &Path) -> Result<(RouteIndex, Option<String>), Error> {
    let fingerprint = dataset_fingerprint(paths)?;
    let reason = match read_meta(dir) {
        Ok(meta) if meta.fingerprint == fingerprint => match RouteIndex::open(dir) {
            Ok(index) => return Ok((index, None)),
            Err(e) => format!("the index was broken ({})", error_chain(&e)),
        },
        Ok(_) => "the data changed since the index was built".to_owned(),
        Err(_) if !dir.exists() => "there was no index yet".to_owned(),
        Err(e) => error_chain(&e),
    };
    build_index(paths, dir, &fingerprint)?;
    Ok((RouteIndex::open(dir)?, Some(reason)))
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

fn money_words(money: &Money) -> String {
    match money {
        Money::Fixed(m) => format!("{} {} {}", m.amount, m.currency, m.period.as_str().replace('_', " ")),
        Money::Indexed(m) => format!(
            "{} {} {}",
            m.multiplier,
            m.index.as_str().replace('_', " "),
            m.period.as_str().replace('_', " ")
        ),
    }
}

/// The tantivy document of one route, and how many items it holds (the
/// route itself included).
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
    let mut item = |kind: u8, id: &str, label: &str, body: &str, source: Option<usize>| {
        doc.add_text(f.label, label);
        doc.add_text(f.body, body);
        stored.item(kind, id, label, body, source);
        kinds[usize::from(kind)] = true;
        items += 1;
    };
    let mut route_label = route.codes.join(" ");
    if let Some(n) = &route.official_name {
        route_label = format!("{} {route_label}", n.text);
    }
    if route_label.trim().is_empty() {
        route_label.clone_from(&route.name);
    }
    let route_body = format!(
        "{} {}",
        route.category.as_str().replace('_', " "),
        route.summary.as_deref().unwrap_or_default()
    );
    item(
        0,
        "",
        &route_label,
        &route_body,
        (!route.sources.is_empty()).then_some(0),
    );
    for r in &route.requirements {
        let label = r.kind.as_str().replace('_', " ");
        let body = format!(
            "{} {} {} {}",
            r.description,
            r.note.as_deref().unwrap_or_default(),
            r.money.as_ref().map(money_words).unwrap_or_default(),
            excerpts(&r.evidence)
        );
        item(1, r.id.as_str(), &label, body.trim(), source_of(&r.evidence));
    }
    for d in &route.documents {
        let body = format!("{} {}", d.note.as_deref().unwrap_or_default(), excerpts(&d.evidence));
        item(2, d.id.as_str(), &d.name, body.trim(), source_of(&d.evidence));
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
        item(
            3,
            &i.to_string(),
            &format!("exemption {who}"),
            &e.description,
            source_of(&e.evidence),
        );
    }
    for (i, fee) in route.application.fees.iter().enumerate() {
        let body = format!(
            "{} {}",
            fee.money.as_ref().map(money_words).unwrap_or_default(),
            fee.note.as_deref().unwrap_or_default()
        );
        item(
            4,
            &i.to_string(),
            &format!("fee {}", fee.description),
            body.trim(),
            source_of(&fee.evidence),
        );
    }
    for (i, n) in route.notes.iter().enumerate() {
        item(5, &i.to_string(), "note", &n.text, source_of(&n.evidence));
    }
    for (i, s) in route.sources.iter().enumerate() {
        let body = format!("{} {}", s.publisher.as_deref().unwrap_or_default(), s.url);
        item(6, s.id.as_str(), &s.title, &body, Some(i));
    }
    doc.add_u64(f.route_key, crate::fields::route_key(route.id.as_str()));
    doc.add_text(f.country, route.country.as_str());
    doc.add_text(f.category, route.category.as_str());
    doc.add_text(f.status, route.status.as_str());
    doc.add_text(f.name, &route.name);
    for (kind, present) in stored::KINDS.iter().zip(kinds) {
        if present {
            doc.add_text(f.kind, kind);
        }
    }
    doc.add_bytes(f.stored, &stored.finish());
    (doc, items)
}
