//! Building the index from records, and knowing when it is stale.

use std::path::{Path, PathBuf};

use std::fmt::Write as _;

use routes_core::{Evidence, Money, NationalityScope, Period, Range, Route, Tristate, Unit};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::analysis::{WordMap, index_analyzer};
use crate::fields::{Fields, TEXT_TOKENIZER, register_tokenizers};
use crate::replay::Replay;
use crate::search::RouteIndex;
use crate::stored::{self, Kind};
use crate::{Error, INDEX_FORMAT_VERSION};

/// The indexing memory of the writer. tantivy indexes on one thread (the
/// text is analysed before, on every core: see [`IndexBuilder`]): a second
/// would write a second segment, and every query would then look up each
/// word twice. The memory is used as it fills (about 100 MB for 100,000
/// routes), so a dataset of that size is one segment.
const WRITER_HEAP: usize = 512 * 1024 * 1024;

/// The indexing memory of the writer when `routes publish` builds a release's
/// index beside its tables: a bound on what the index adds to the memory of a
/// publish of any size. Measured on the benchmark's 100,000 generated routes:
/// two segments, and the publish peaks at 257 MB (228 MB when tantivy's
/// thread analysed the text; the preparing threads hold a few batches of
/// routes and what they remember of short texts). Earlier, 300,000 routes
/// made three segments, and the publish peaked at 244 MB (342 MB with 128 MB
/// here).
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
            && let Err(e) = builder.add_owned(route)
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

/// Builds an index route by route: [`IndexBuilder::add`] hands the routes,
/// in batches, to threads that prepare their documents (on every core:
/// the text is analysed there, see `replay.rs`), and the documents go to
/// tantivy's one indexing thread in the order of the routes, whatever thread
/// prepared them; [`IndexBuilder::finish`] commits and moves the index into
/// place. The same routes give the same index, byte for byte, with any
/// number of threads.
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
    pipeline: Pipeline,
    staging: routes_fs::Scratch,
    routes: usize,
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
        Self::configured(dir, heap, Plan::default())
    }

    /// Like [`IndexBuilder::with_memory`], with the threads of `plan`.
    pub(crate) fn configured(dir: &Path, heap: usize, plan: Plan) -> Result<Self, Error> {
        create_parent(dir)?;
        let staging = routes_fs::Scratch::new_in(parent_of(dir), "index").map_err(fs_error)?;
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_dir(staging.path(), schema).map_err(tantivy_err(staging.path()))?;
        register_tokenizers(&index, true);
        if plan.analysis == Analysis::Prepared {
            index
                .tokenizers()
                .register(TEXT_TOKENIZER, TextAnalyzer::from(Replay::default()));
        }
        // One indexing thread: tantivy hands documents to its threads as
        // they come, so two would split them between segments by timing.
        let writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(1, heap.max(15_000_000))
            .map_err(tantivy_err(staging.path()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            pipeline: Pipeline::start(writer, fields, plan),
            staging,
            routes: 0,
            left_out: 0,
            stamped: false,
        })
    }

    /// Adds one route (a copy of it: see [`IndexBuilder::add_owned`]).
    pub fn add(&mut self, route: &routes_core::Route) -> Result<(), Error> {
        self.add_owned(route.clone())
    }

    /// Adds one route. An error of tantivy's is returned by a later call
    /// or by [`IndexBuilder::finish`], as the routes are indexed a little
    /// after they are added.
    pub fn add_owned(&mut self, route: routes_core::Route) -> Result<(), Error> {
        self.routes += 1;
        self.pipeline.push(route).map_err(|f| f.into_error(self.staging.path()))
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
            mut pipeline,
            staging,
            routes,
            left_out,
            stamped,
        } = self;
        let at = staging.path().to_path_buf();
        let (mut writer, documents) = pipeline.finish().map_err(|f| f.into_error(&at))?;
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

/// Preparing threads at most (past a few, tantivy's one indexing thread is
/// all that a build waits for).
const MAX_THREADS: usize = 8;

/// Routes handed to a preparing thread at a time.
const BATCH: usize = 64;

/// How the documents are prepared: the output is the same for every plan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Preparing threads (at least one is started).
    pub(crate) threads: usize,
    /// Routes per batch (at least one).
    pub(crate) batch: usize,
    pub(crate) analysis: Analysis,
    /// Bytes of short texts and their tokens each thread remembers at most.
    pub(crate) remembered: usize,
    /// Makes the threads finish their batches out of order (the tests).
    #[cfg(test)]
    pub(crate) stagger: bool,
}

impl Default for Plan {
    /// A thread per core, the text analysed by them.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self {
            threads: cores.min(MAX_THREADS),
            batch: BATCH,
            analysis: Analysis::Prepared,
            remembered: REMEMBERED_BYTES,
            #[cfg(test)]
            stagger: false,
        }
    }
}

/// Where the text of the documents is analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Analysis {
    /// By the preparing threads; tantivy replays the tokens (see `replay.rs`).
    Prepared,
    /// By tantivy's indexing thread, from the text (the tests compare).
    #[cfg(test)]
    InTantivy,
}

/// Why the pipeline stopped.
enum Failure {
    Tantivy(tantivy::TantivyError),
    /// A preparing thread panicked: the panic goes on in the caller's thread.
    Panic(Box<dyn std::any::Any + Send>),
}

impl Failure {
    fn into_error(self, at: &Path) -> Error {
        match self {
            Self::Tantivy(source) => Error::Tantivy {
                path: at.to_path_buf(),
                source,
            },
            Self::Panic(payload) => std::panic::resume_unwind(payload),
        }
    }
}

/// A batch of routes, numbered in the order they were added.
struct Batch {
    seq: u64,
    routes: Vec<Route>,
}

/// What the preparing threads share.
struct Shared {
    work: Mutex<Receiver<Batch>>,
    /// The writer, handed from batch to batch in their order.
    turn: Mutex<Turn>,
    turned: Condvar,
    /// Set with [`Turn::failure`]: the caller reads it without waiting for a turn.
    failed: AtomicBool,
    /// The builder was dropped: batches left are passed over.
    abandoned: AtomicBool,
    fields: Fields,
    plan: Plan,
}

struct Turn {
    /// The batch whose documents go to the writer next.
    next: u64,
    writer: Option<IndexWriter<TantivyDocument>>,
    /// Items of the documents written.
    documents: usize,
    failure: Option<Failure>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The threads that prepare the documents of the routes, batch by batch,
/// and give them to the writer in the order of the batches: a thread that
/// is done waits for the batches before its own, so the order of the
/// documents, and so the index, never depends on which thread was faster.
struct Pipeline {
    shared: Arc<Shared>,
    sender: Option<SyncSender<Batch>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    batch: Vec<Route>,
    seq: u64,
}

impl Pipeline {
    fn start(writer: IndexWriter<TantivyDocument>, fields: Fields, mut plan: Plan) -> Self {
        plan.threads = plan.threads.max(1);
        plan.batch = plan.batch.max(1);
        // A batch waiting for each thread: memory stays a few batches.
        let (sender, receiver) = sync_channel(plan.threads);
        let shared = Arc::new(Shared {
            work: Mutex::new(receiver),
            turn: Mutex::new(Turn {
                next: 0,
                writer: Some(writer),
                documents: 0,
                failure: None,
            }),
            turned: Condvar::new(),
            failed: AtomicBool::new(false),
            abandoned: AtomicBool::new(false),
            fields,
            plan,
        });
        let threads = (0..plan.threads)
            .map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("routes-index-{i}"))
                    .spawn(move || prepare(&shared))
            })
            .filter_map(Result::ok)
            .collect();
        Self {
            shared,
            sender: Some(sender),
            threads,
            batch: Vec::with_capacity(plan.batch),
            seq: 0,
        }
    }

    fn push(&mut self, route: Route) -> Result<(), Failure> {
        if self.shared.failed.load(Ordering::Relaxed) {
            return Err(self.failure());
        }
        self.batch.push(route);
        if self.batch.len() == self.shared.plan.batch {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<(), Failure> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let routes = std::mem::replace(&mut self.batch, Vec::with_capacity(self.shared.plan.batch));
        let batch = Batch { seq: self.seq, routes };
        self.seq += 1;
        match &self.sender {
            Some(sender) if !self.threads.is_empty() => {
                if sender.send(batch).is_err() {
                    // Every thread is gone: only a panic outside `prepare` stops them.
                    return Err(Failure::Tantivy(thread_error(
                        "the threads preparing documents stopped",
                    )));
                }
                Ok(())
            }
            // No thread could be started: this one prepares the batch.
            _ => {
                let mut texts = Texts::new(&self.shared.plan);
                let docs = batch
                    .routes
                    .iter()
                    .map(|route| document_of(route, self.shared.fields, &mut texts))
                    .collect();
                write_in_turn(&self.shared, batch.seq, Ok(docs));
                if self.shared.failed.load(Ordering::Relaxed) {
                    return Err(self.failure());
                }
                Ok(())
            }
        }
    }

    /// The failure the threads met (the caller knows there is one).
    fn failure(&self) -> Failure {
        let mut turn = lock(&self.shared.turn);
        match turn.failure.take() {
            Some(Failure::Tantivy(e)) => {
                turn.failure = Some(Failure::Tantivy(e.clone()));
                Failure::Tantivy(e)
            }
            Some(panic) => panic,
            None => Failure::Tantivy(thread_error("an earlier route could not be indexed")),
        }
    }

    /// Prepares and writes the routes left, stops the threads and returns
    /// the writer, with the number of items written.
    fn finish(&mut self) -> Result<(IndexWriter<TantivyDocument>, usize), Failure> {
        self.send()?;
        self.stop();
        let mut turn = lock(&self.shared.turn);
        if let Some(failure) = turn.failure.take() {
            // The writer goes before the scratch folder.
            turn.writer = None;
            return Err(failure);
        }
        let writer = turn
            .writer
            .take()
            .ok_or_else(|| Failure::Tantivy(thread_error("the index writer is gone")))?;
        Ok((writer, turn.documents))
    }

    /// Closes the queue of batches and waits for the threads.
    fn stop(&mut self) {
        self.sender = None;
        for thread in self.threads.drain(..) {
            // `prepare` catches the panics of preparing a document.
            let _ = thread.join();
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.shared.abandoned.store(true, Ordering::Relaxed);
        self.stop();
        // The writer (and tantivy's threads) go before the scratch folder.
        lock(&self.shared.turn).writer = None;
    }
}

fn thread_error(what: &str) -> tantivy::TantivyError {
    tantivy::TantivyError::ErrorInThread(what.to_owned())
}

/// A preparing thread: takes batches until there are none, prepares their
/// documents, and writes them when their turn comes.
fn prepare(shared: &Shared) {
    let mut texts = Texts::new(&shared.plan);
    loop {
        let batch = lock(&shared.work).recv();
        let Ok(Batch { seq, routes }) = batch else {
            return;
        };
        let docs = if shared.failed.load(Ordering::Relaxed) || shared.abandoned.load(Ordering::Relaxed) {
            Ok(Vec::new())
        } else {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                routes
                    .iter()
                    .map(|route| document_of(route, shared.fields, &mut texts))
                    .collect()
            }))
        };
        drop(routes);
        #[cfg(test)]
        if shared.plan.stagger {
            // Later batches first: batch 0 waits longest.
            std::thread::sleep(std::time::Duration::from_millis(3 * (3 - seq % 4)));
        }
        write_in_turn(shared, seq, docs);
    }
}

/// Waits for the turn of batch `seq`, writes its documents (unless an
/// earlier batch failed), and passes the turn on. A panic, of preparing
/// the documents or of tantivy, is kept for the caller: the turn passes on
/// whatever happens, so no thread waits for a batch that never comes.
fn write_in_turn(shared: &Shared, seq: u64, docs: std::thread::Result<Vec<(TantivyDocument, usize)>>) {
    let mut turn = lock(&shared.turn);
    while turn.next != seq {
        turn = shared.turned.wait(turn).unwrap_or_else(PoisonError::into_inner);
    }
    let written = docs.and_then(|docs| {
        let Some(writer) = turn.writer.as_ref().filter(|_| turn.failure.is_none()) else {
            return Ok(Ok(0));
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut items = 0;
            for (doc, n) in docs {
                writer.add_document(doc)?;
                items += n;
            }
            Ok(items)
        }))
    });
    let failure = match written {
        Ok(Ok(items)) => {
            turn.documents += items;
            None
        }
        Ok(Err(e)) => Some(Failure::Tantivy(e)),
        Err(panic) => Some(Failure::Panic(panic)),
    };
    if let Some(failure) = failure {
        turn.failure.get_or_insert(failure);
        shared.failed.store(true, Ordering::Relaxed);
    }
    turn.next += 1;
    drop(turn);
    shared.turned.notify_all();
}

/// Texts of at most this many bytes are remembered with their tokens.
const REMEMBERED_TEXT: usize = 256;

/// Bytes of texts and tokens a preparing thread remembers at most (it
/// forgets them all past it).
const REMEMBERED_BYTES: usize = 8 << 20;

/// How the text fields of a document are written.
struct Texts {
    /// The index's analyzer, when the tokens are written (see `replay.rs`);
    /// `None` writes the text, for tantivy to analyse.
    analyzer: Option<TextAnalyzer>,
    encoded: String,
    /// The tokens of short texts, as [`crate::replay::encode`] wrote them:
    /// labels, claims, units, source titles and publishers recur from item
    /// to item and route to route (measured: 5% of the text of the bundled
    /// dataset, 70% of the generated data of the benchmark).
    remembered: WordMap<String>,
    remembered_bytes: usize,
    /// At most this many bytes in `remembered`.
    most: usize,
}

impl Texts {
    fn new(plan: &Plan) -> Self {
        Self {
            analyzer: match plan.analysis {
                Analysis::Prepared => Some(index_analyzer(crate::concepts::ConceptTokens)),
                #[cfg(test)]
                Analysis::InTantivy => None,
            },
            encoded: String::new(),
            remembered: WordMap::default(),
            remembered_bytes: 0,
            most: plan.remembered,
        }
    }

    fn add(&mut self, doc: &mut TantivyDocument, field: Field, text: &str) {
        let Some(analyzer) = &mut self.analyzer else {
            doc.add_text(field, text);
            return;
        };
        if text.len() > REMEMBERED_TEXT {
            crate::replay::encode(analyzer, text, &mut self.encoded);
            doc.add_text(field, &self.encoded);
            return;
        }
        if let Some(encoded) = self.remembered.get(text) {
            doc.add_text(field, encoded);
            return;
        }
        crate::replay::encode(analyzer, text, &mut self.encoded);
        doc.add_text(field, &self.encoded);
        let bytes = text.len() + self.encoded.len();
        if self.remembered_bytes + bytes > self.most {
            self.remembered.clear();
            self.remembered_bytes = 0;
        }
        self.remembered_bytes += bytes;
        self.remembered.insert(text.to_owned(), self.encoded.clone());
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
fn document_of(route: &Route, f: Fields, texts: &mut Texts) -> (TantivyDocument, usize) {
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
        texts.add(&mut doc, f.label, label);
        texts.add(&mut doc, f.body, body);
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
    texts.add(
        &mut doc,
        f.name,
        &crate::fields::name_words(&route.name, route.country.as_str()),
    );
    for (kind, present) in stored::KINDS.iter().zip(kinds) {
        if present {
            doc.add_text(f.kind, kind);
        }
    }
    doc.add_bytes(f.stored, &stored.finish());
    (doc, items)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the bundled dataset as a release does (no stamp), with `plan`,
    /// and returns the digest of every file and the meta.
    fn build(plan: Plan) -> (Vec<(String, String)>, IndexMeta) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dataset");
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("index");
        let mut builder = IndexBuilder::configured(&dir, WRITER_HEAP, plan).expect("starts");
        routes_validate::read_routes(&[root], &mut |route, _, _| builder.add_owned(route).expect("adds"))
            .expect("reads");
        let meta = builder.finish("fingerprint").expect("builds");
        (crate::index_file_digests(&dir).expect("digests"), meta)
    }

    /// The documents reach tantivy in the order of the routes, however many
    /// threads prepare them and whichever finishes first, and the tokens
    /// the threads analyse index as the text would: every plan gives the
    /// files tantivy writes when it analyses the text on its own thread.
    #[test]
    fn the_index_is_the_same_whatever_the_threads_do() {
        let plan = |threads, batch, analysis, stagger| Plan {
            threads,
            batch,
            analysis,
            remembered: REMEMBERED_BYTES,
            stagger,
        };
        let (expected, meta) = build(plan(1, BATCH, Analysis::InTantivy, false));
        assert!(meta.routes > 8 && meta.documents > meta.routes, "{meta:?}");
        for plan in [
            plan(1, BATCH, Analysis::Prepared, false),
            plan(2, 1, Analysis::Prepared, false),
            plan(4, 1, Analysis::Prepared, true),
            plan(3, 5, Analysis::Prepared, true),
            plan(3, 2, Analysis::InTantivy, true),
            // Texts forgotten again and again.
            Plan {
                remembered: 300,
                ..plan(2, 3, Analysis::Prepared, true)
            },
        ] {
            let (files, built) = build(plan);
            assert_eq!(files, expected, "{plan:?}");
            assert_eq!(built, meta, "{plan:?}");
        }
    }

    /// A builder dropped before `finish` stops its threads and leaves no
    /// folder behind.
    #[test]
    fn a_builder_dropped_midway_stops_and_leaves_nothing() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dataset");
        let tmp = tempfile::tempdir().expect("tmp");
        let plan = Plan {
            batch: 1,
            ..Plan::default()
        };
        let mut builder = IndexBuilder::configured(&tmp.path().join("index"), WRITER_HEAP, plan).expect("starts");
        let mut added = 0;
        routes_validate::read_routes(&[root], &mut |route, _, _| {
            if added < 5 {
                builder.add_owned(route).expect("adds");
                added += 1;
            }
        })
        .expect("reads");
        drop(builder);
        let left: Vec<_> = fs_err::read_dir(tmp.path()).expect("lists").collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
