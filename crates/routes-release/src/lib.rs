//! Versioned, immutable, reproducible releases of the dataset.
//!
//! [`publish`] validates the dataset (and refuses with the findings when there
//! are errors), then writes `<out>/routes-X.Y.Z/`:
//!
//! ```text
//! README.md  CHANGELOG.md  CITATION.cff  LICENSE  datapackage.json  SHA256SUMS
//! metadata.json (Datasette)
//! schema/route.schema.json
//! data/{routes,requirements,documents,sources}.{parquet,csv}
//! data/routes.jsonl
//! data/routes.sqlite (every table, and the full-text table `search`)
//! ```
//!
//! - **Immutable**: a version that exists in the output folder is refused
//!   ([`Error::Exists`]); versions are SemVer ([`ReleaseVersion`]).
//! - **Whole**: a release holds every record validation read, each id once,
//!   and every route its `related` links name, or it is refused, whatever
//!   `routes.toml` lowers or silences (see [`publish`]).
//! - **Atomic**: every file is written and synced in a staging folder inside the
//!   output folder, which is renamed into place in one step. On any failure
//!   the staging folder is removed: there is the whole release or nothing.
//!   The staging folder and the sort's folder are [`routes_fs::Scratch`]
//!   folders (`.routes-X.Y.Z.staging-…`, `.routes-sort-…`): removed on
//!   SIGINT, SIGTERM and SIGHUP too, and swept by the next publish when a run
//!   was killed outright.
//! - **Trusting nothing it did not check**: the previous release, which the
//!   changelog compares with, must check against its own `SHA256SUMS`.
//! - **Reproducible**: the same input gives the same bytes. Rows are sorted by
//!   key, the Parquet `created_by` is pinned, and the release date is
//!   `SOURCE_DATE_EPOCH` when given, else the latest `last_verified` of the
//!   data, never the clock.
//! - **Streaming**: records are sorted by id with an external merge sort
//!   ([`PublishOptions::sort_budget_bytes`]) and written in batches, so memory
//!   stays bounded however many records there are.
//!
//! ```
//! use routes_release::{NoProgress, PublishOptions, publish};
//!
//! let tmp = tempfile::tempdir()?;
//! let dataset = tmp.path().join("dataset");
//! std::fs::create_dir_all(dataset.join("kz"))?;
//! std::fs::write(dataset.join("kz/example.json"), r#"{
//!   "schema_version": 1, "id": "kz/example", "country": "KZ", "name": "Example",
//!   "category": "work", "status": "active",
//!   "eligibility": { "nationality": { "scope": "all" } },
//!   "requirements": [],
//!   "duration": {
//!     "leads_to_permanent_residence": { "value": "unknown" },
//!     "leads_to_citizenship": { "value": "unknown" }
//!   },
//!   "documents": [], "application": {}, "legal_basis": [],
//!   "sources": [{ "id": "gov", "url": "https://www.gov.kz/", "title": "Portal",
//!     "tier": "official", "language": "en", "translation": "original", "seen": "2026-11-01" }],
//!   "last_verified": "2026-11-01", "review_status": "unverified"
//! }"#)?;
//!
//! let out = tmp.path().join("dist");
//! let options = PublishOptions::new(&dataset, &out, "1.0.0".parse()?, jiff::civil::date(2026, 11, 25));
//! let release = publish(&options, &NoProgress)?;
//! assert_eq!(release.path, out.join("routes-1.0.0"));
//! assert_eq!(release.stats.routes, 1);
//! assert!(release.path.join("data/routes.parquet").is_file());
//!
//! // A published version is never rewritten.
//! let again = publish(&options, &NoProgress);
//! assert!(matches!(again, Err(routes_release::Error::Exists { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod changelog;
mod compare;
mod complete;
mod database;
mod datapackage;
mod datasette;
mod dictionary;
mod docs;
mod input;
mod partition;
mod stage;
mod stats;
mod version;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use routes_core::RouteId;
use routes_formats::{CsvWriter, ParquetWriter, RouteTables, SqliteWriter, Table};
use routes_validate::{Diagnostic, Report, Severity, ValidateOptions, Validator};

pub use compare::{CompareError, Release, RouteChanges, RouteStatus, Summary, compare};
pub use complete::DanglingLink;
pub use partition::{BY_COUNTRY_DIR, PartitionBy, partition_path};
pub use routes_formats::{Change, ChangeKind};
pub use stage::{FAIL_AFTER_FILES_VAR, FileInfo};
pub use stats::Stats;
pub use version::{ReleaseVersion, VersionError};

use crate::database::Database;
use crate::datapackage::{Form, table_path};
use crate::stage::{Stage, StagedFile};

/// The version of the release layout, written into `datapackage.json` as
/// `routes:format_version`. Raise it when files, tables or columns change in a
/// way readers must know about.
///
/// Version 2 adds `effective_until` and `superseded_by` to `requirements` and
/// `documents` (values of different times). Version 3 adds
/// `combination_group` and `combination_meet` to `requirements` (requirements
/// that add up). Version 4 adds the `changes` table (what changed since the
/// previous release, value by value), and `CHANGELOG.md` names changes by
/// table, item and column. Version 5 adds `basis` (gross or net) to the money
/// columns of `requirements` and `fees`, and `language_code` and
/// `language_level` to `requirements`.
pub const FORMAT_VERSION: u32 = 5;

/// Routes written per batch: the unit in which rows reach the writers. At
/// 100,000 routes, 1024 peaked 25 MB higher than 256, at the same speed.
const BATCH_ROUTES: usize = 256;

/// Why a release was not published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The version exists in the output folder.
    #[error("release `{}` already exists", path.display())]
    Exists {
        /// The existing release folder.
        path: PathBuf,
    },
    /// The dataset has errors; the report holds every finding.
    #[error("the dataset has {} errors", report.count(Severity::Error))]
    Findings {
        /// The validation report.
        report: Box<Report>,
    },
    /// The dataset holds no records.
    #[error("`{}` holds no route records", path.display())]
    Empty {
        /// The dataset folder.
        path: PathBuf,
    },
    /// Validation itself failed (a missing dataset folder).
    #[error(transparent)]
    Validate(#[from] routes_validate::Error),
    /// A file or folder could not be read or written.
    #[error("cannot access `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The dataset's `ABOUT.md` (shown in the card) could not be read.
    #[error("cannot read `{}`: {why}", path.display())]
    About {
        /// The path.
        path: PathBuf,
        /// Why, in words.
        why: String,
    },
    /// The output folder could not be created.
    #[error("cannot create the output folder `{}`", path.display())]
    OutDir {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A record did not read as a route after validation passed.
    #[error("cannot read the record at `{}` line {line}", path.display())]
    Record {
        /// The file.
        path: PathBuf,
        /// The line (1 for a whole `*.json` file).
        line: usize,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The data dictionary could not be written.
    #[error("cannot write `data/dictionary.csv`")]
    Dictionary {
        /// The cause.
        #[source]
        source: csv::Error,
    },
    /// JSON could not be written.
    #[error("cannot write JSON to `{}`", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A table could not be written.
    #[error("cannot write `{path}`")]
    Table {
        /// The file, inside the release.
        path: String,
        /// The cause.
        #[source]
        source: routes_formats::Error,
    },
    /// The previous release could not be compared with (it is not a
    /// release, or its tables are out of order).
    #[error("cannot compare with the previous release")]
    Compare(#[source] CompareError),
    /// `SOURCE_DATE_EPOCH` is not a date this tool can write.
    #[error("`SOURCE_DATE_EPOCH={0}` is out of range")]
    SourceDateEpoch(i64),
    /// Building the derived files (the search index) failed.
    #[error("cannot build the release's search index: {message}")]
    Derived {
        /// What went wrong.
        message: String,
    },
    /// Validation read records that it could not hand on as routes (they do
    /// not satisfy the schema, or are not JSON), and `routes.toml` lowered or
    /// silenced the findings that say so. A release holds every record
    /// validation read, or none: nothing was written.
    #[error(
        "{} of the {read} records read cannot be read as routes and would be missing from the release",
        read - handed
    )]
    Untyped {
        /// Records validation read.
        read: usize,
        /// Records it handed on as routes.
        handed: usize,
        /// Where they are: the findings of those records at their built-in
        /// severity (empty if they could not be found again).
        located: Vec<Diagnostic>,
    },
    /// The routes do not make a whole release: an id held by two records, or
    /// a `related` link to a route the release does not hold (`routes.toml`
    /// lowered or silenced the findings that say so). Nothing was published.
    #[error("{}", incomplete_message(duplicates, dangling))]
    Incomplete {
        /// Ids held by more than one record.
        duplicates: Vec<RouteId>,
        /// Links to routes that are not in the release.
        dangling: Vec<DanglingLink>,
        /// Where they are: the findings at their built-in severity (empty if
        /// they could not be found again).
        located: Vec<Diagnostic>,
    },
    /// The output folder is the dataset or inside it: the release would be
    /// read as records by the next validation.
    #[error("the output folder `{}` is inside the dataset `{}`", out.display(), dataset.display())]
    OutInsideDataset {
        /// The output folder.
        out: PathBuf,
        /// The dataset folder.
        dataset: PathBuf,
    },
    /// The output folder is a published release or inside one: a release is
    /// never changed, not even by adding a folder to it.
    #[error("the output folder `{}` is inside the published release `{}`", out.display(), release.display())]
    OutInsideRelease {
        /// The output folder.
        out: PathBuf,
        /// The release folder.
        release: PathBuf,
    },
    /// The previous release, which the changelog compares with, does not
    /// check against its own `SHA256SUMS` (or that file is missing or
    /// garbled): it was changed or damaged since it was published.
    #[error("the previous release `{}` is damaged: {reason}", release.display())]
    PreviousDamaged {
        /// The previous release folder.
        release: PathBuf,
        /// What is wrong, naming the file.
        reason: String,
    },
    /// A scratch or staging folder could not be made or moved into place.
    #[error(transparent)]
    Scratch(routes_fs::Error),
    /// Staging stopped by the `ROUTES_FAIL_AFTER_FILES` test hook.
    #[error("publishing interrupted after {files} files (`ROUTES_FAIL_AFTER_FILES` is set)")]
    Interrupted {
        /// Files written before the stop.
        files: usize,
    },
}

/// A failed comparison with the previous release (the only release publish
/// compares): a damaged one is [`Error::PreviousDamaged`].
impl From<CompareError> for Error {
    fn from(err: CompareError) -> Self {
        match err {
            CompareError::Damaged { release, reason } => Error::PreviousDamaged { release, reason },
            other => Error::Compare(other),
        }
    }
}

/// The columns of the `changes` table, in order: what `routes diff --format
/// csv` writes too.
#[must_use]
pub fn change_columns() -> Vec<&'static str> {
    Table::Changes.columns().iter().map(|c| c.name).collect()
}

/// Rows of `changes` gathered before they are written.
const CHANGE_ROWS: usize = 8192;

/// The folder of a release that derived files are written to (the search
/// index); its files are listed in `SHA256SUMS`.
const DERIVED_DIR: &str = "index";

/// The files of the folder `rel` of the staged release (not recursive: an
/// index folder is flat), hashed, as `SHA256SUMS` lists them; none when it
/// does not exist.
fn derived_files(stage: &Path, rel: &str) -> Result<Vec<FileInfo>, Error> {
    use sha2::Digest as _;
    let dir = stage.join(rel);
    let derived = |e: std::io::Error| Error::Derived {
        message: format!("cannot read `{rel}/`: {e}"),
    };
    let mut files = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(derived(e)),
    };
    for entry in entries {
        let entry = entry.map_err(derived)?;
        if !entry.file_type().map_err(derived)?.is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(derived)?;
        let sha256 = sha2::Sha256::digest(&bytes)
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            });
        files.push(FileInfo {
            path: format!("{rel}/{}", entry.file_name().to_string_lossy()),
            sha256,
            bytes: bytes.len() as u64,
        });
    }
    Ok(files)
}

fn incomplete_message(duplicates: &[RouteId], dangling: &[DanglingLink]) -> String {
    let mut parts = Vec::new();
    if let Some(first) = duplicates.first() {
        parts.push(match duplicates.len() {
            1 => format!("route id `{first}` is held by more than one record"),
            n => format!("{n} route ids (the first `{first}`) are each held by more than one record"),
        });
    }
    if let Some(first) = dangling.first() {
        let link = format!("`{}` names `{}` in `related`", first.route, first.target);
        parts.push(match dangling.len() {
            1 => format!("{link}, which is not in the release"),
            n => format!("{n} `related` links name routes that are not in the release (the first: {link})"),
        });
    }
    parts.join("; ")
}

/// Derived files of a release (the search index), built as the routes are
/// written, in id order; errors are messages for the user.
pub trait Derived {
    /// Takes the next route (the release is done with it: a builder that
    /// keeps routes needs no copy).
    fn add(&mut self, route: routes_core::Route) -> Result<(), String>;
    /// Finishes, given the SHA-256 (lower-case hex) of the release's
    /// `data/routes.jsonl`, as listed in its `SHA256SUMS`.
    fn finish(self: Box<Self>, jsonl_sha256: &str) -> Result<(), String>;
}

/// Starts the derived files of a release, given its staging folder.
pub type DerivedBuilder = fn(&Path) -> Result<Box<dyn Derived>, String>;

/// What to publish, and where.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PublishOptions {
    /// The dataset folder (`dataset/`).
    pub dataset: PathBuf,
    /// The output folder (`dist/`); releases go to `<out>/routes-X.Y.Z/`.
    pub out: PathBuf,
    /// The release version.
    pub version: ReleaseVersion,
    /// The date validation takes as today.
    pub today: jiff::civil::Date,
    /// `SOURCE_DATE_EPOCH`: the release date, in seconds since 1970. Without
    /// it, the release date is the latest `last_verified` of the data.
    pub source_date_epoch: Option<i64>,
    /// Names credited in `CITATION.cff`, `datapackage.json` and `LICENSE`.
    pub contributors: Vec<String>,
    /// Bytes of record text held in memory while sorting by id; beyond it,
    /// sorted runs go to disk and are merged.
    pub sort_budget_bytes: usize,
    /// Builds derived files into the staged release as the routes are
    /// written (so they are built beside the tables, not after them), and
    /// finishes them just before the release is moved into place:
    /// `routes publish` passes the search-index builder (the `index/`
    /// folder). Derived files are listed in `SHA256SUMS` (their bytes are
    /// reproducible), not in `datapackage.json`: they are not data, and can
    /// be rebuilt from `routes.jsonl`.
    pub derived: Option<DerivedBuilder>,
    /// Also write each table of routes as hive-style Parquet partitions
    /// ([`PartitionBy`]), beside the whole tables.
    pub partition_by: Option<PartitionBy>,
}

impl PublishOptions {
    /// Options with the defaults: no `SOURCE_DATE_EPOCH`, the dataset's
    /// contributors credited as a group, a 32 MiB sort budget (record text; about three times that once parsed).
    #[must_use]
    pub fn new(dataset: &Path, out: &Path, version: ReleaseVersion, today: jiff::civil::Date) -> Self {
        Self {
            dataset: dataset.to_path_buf(),
            out: out.to_path_buf(),
            version,
            today,
            source_date_epoch: None,
            contributors: vec!["The routes contributors".to_owned()],
            sort_budget_bytes: 32 * 1024 * 1024,
            derived: None,
            partition_by: None,
        }
    }
}

/// Progress of a publish, for a progress bar. Every method has an empty default.
pub trait Progress {
    /// A scratch folder that an interrupted run left (its process is gone)
    /// was removed, before anything else was done.
    fn swept(&self, path: &Path) {
        let _ = path;
    }
    /// A folder in the output folder looks like the scratch of an older
    /// `routes publish` (`.routes-X.Y.Z.staging-<pid>`, `.routes-sort-…`) but
    /// holds no lock file, so it cannot be told apart from someone else's
    /// and is left as it is.
    fn unowned(&self, path: &Path) {
        let _ = path;
    }
    /// Validation starts.
    fn validating(&self) {}
    /// Writing starts; `records` routes will pass [`Progress::advance`].
    fn writing(&self, records: u64) {
        let _ = records;
    }
    /// `n` more routes were written.
    fn advance(&self, n: u64) {
        let _ = n;
    }
    /// Writing is over.
    fn done(&self) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// A published release.
#[derive(Debug)]
#[non_exhaustive]
pub struct Published {
    /// The release folder.
    pub path: PathBuf,
    /// Figures of the data.
    pub stats: Stats,
    /// Every file, sorted by path.
    pub files: Vec<FileInfo>,
    /// The release the changelog compares with.
    pub previous: Option<ReleaseVersion>,
    /// The warnings of the validation, counted by rule code (errors refuse
    /// the release). The findings themselves are not kept while the release
    /// is written: `routes validate` prints them.
    pub warnings: BTreeMap<String, usize>,
}

/// The dataset's own account of what it covers and how it was gathered:
/// `ABOUT.md` in the dataset folder, if there is one (a regular file inside
/// the folder, UTF-8, at most 1 MiB), shown in the dataset card.
fn read_about(dataset: &Path) -> Result<Option<String>, Error> {
    let path = dataset.join("ABOUT.md");
    if fs_err::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let fail = |why: String| Error::About {
        path: path.clone(),
        why,
    };
    let bytes = routes_fs::read_confined(dataset, "ABOUT.md", 1024 * 1024).map_err(|r| fail(r.to_string()))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| fail("it is not UTF-8 text".into()))
}

/// The release date, as `YYYY-MM-DD` and as an RFC 3339 time.
fn release_date(options: &PublishOptions, stats: &Stats) -> Result<(String, String), Error> {
    if let Some(epoch) = options.source_date_epoch {
        let ts = jiff::Timestamp::from_second(epoch).map_err(|_| Error::SourceDateEpoch(epoch))?;
        let dt = ts.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        return Ok((
            dt.date().to_string(),
            format!("{}T{}Z", dt.date(), dt.time().strftime("%H:%M:%S")),
        ));
    }
    let date = stats.last_verified.map(|d| d.to_string()).unwrap_or_default();
    Ok((date.clone(), format!("{date}T00:00:00Z")))
}

/// The writers of one table.
struct TableFiles {
    table: Table,
    parquet: ParquetWriter<StagedFile>,
    csv: CsvWriter<StagedFile>,
    rows: u64,
}

fn table_err(table: Table, form: Form) -> impl Fn(routes_formats::Error) -> Error {
    move |source| Error::Table {
        path: table_path(table, form),
        source,
    }
}

impl TableFiles {
    fn create(stage: &mut Stage, table: Table) -> Result<Self, Error> {
        let parquet_file = stage.create_file(&table_path(table, Form::Parquet))?;
        let csv_file = stage.create_file(&table_path(table, Form::Csv))?;
        Ok(Self {
            table,
            parquet: ParquetWriter::new(table, parquet_file).map_err(table_err(table, Form::Parquet))?,
            csv: CsvWriter::new(table, csv_file),
            rows: 0,
        })
    }

    fn write(&mut self, tables: &mut RouteTables, sqlite: &mut Database) -> Result<(), Error> {
        let table = self.table;
        let batch = tables.finish(table).map_err(table_err(table, Form::Parquet))?;
        self.rows += batch.num_rows() as u64;
        self.parquet.write(&batch).map_err(table_err(table, Form::Parquet))?;
        self.csv.write(&batch).map_err(table_err(table, Form::Csv))?;
        sqlite.write(table, &batch)?;
        Ok(())
    }

    fn finish(self, stage: &mut Stage) -> Result<u64, Error> {
        let table = self.table;
        let parquet = self.parquet.finish().map_err(table_err(table, Form::Parquet))?;
        stage.close(parquet)?;
        let csv = self.csv.finish().map_err(table_err(table, Form::Csv))?;
        stage.close(csv)?;
        Ok(self.rows)
    }
}

pub(crate) fn sqlite_err(source: routes_formats::Error) -> Error {
    Error::Table {
        path: datasette::SQLITE_PATH.to_owned(),
        source,
    }
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Validates the dataset and publishes `<out>/routes-<version>/`.
///
/// **A release holds every record validation read, or publish refuses.**
/// `routes.toml` may lower or silence findings for `routes validate`, but it
/// never changes what a release holds:
///
/// - Publish counts the records validation read and the records it handed on
///   as routes. A record that was read but could not be handed on (it is not
///   JSON, does not satisfy the schema, or does not fit the record model) is
///   never dropped: publish refuses with [`Error::Untyped`], naming each such
///   record's file and line, before anything is written.
/// - The routes written must make a whole release: each id once, and every
///   `related` link naming a route of the same release. Otherwise publish
///   refuses with [`Error::Incomplete`] (naming the records) and removes what
///   it staged.
/// - The previous release, which the changelog compares with, must check
///   against its own `SHA256SUMS` (`data/routes.jsonl` and `CHANGELOG.md`,
///   hashed as streams); a missing or garbled `SHA256SUMS` or a file that
///   does not match is [`Error::PreviousDamaged`], never a changelog that
///   reports every route as added.
/// - The output folder may not be the dataset or inside it
///   ([`Error::OutInsideDataset`]): the next validation would read the
///   release as records; nor inside a published release
///   ([`Error::OutInsideRelease`]), which is never changed.
///
/// Refuses with [`Error::Exists`] when the version exists, with
/// [`Error::Findings`] when the dataset has errors, and with
/// [`Error::Empty`] when it has no records. Nothing is left in `out` after
/// any error but the folders that were there before.
///
/// Scratch (the sort's runs, the staging folder) lives in
/// [`routes_fs::Scratch`] folders: removed on any error, on SIGINT, SIGTERM
/// and SIGHUP when the binary installed [`routes_fs::remove_scratch_on_signal`],
/// and, when a run was killed outright, by the sweep this function starts
/// with (of `out` and of the system's temporary folder), each reported
/// through [`Progress::swept`].
pub fn publish(options: &PublishOptions, progress: &dyn Progress) -> Result<Published, Error> {
    // An output folder that is a file is refused before any work.
    if let Ok(meta) = std::fs::metadata(&options.out)
        && !meta.is_dir()
    {
        return Err(Error::OutDir {
            path: options.out.clone(),
            source: std::io::Error::other(format!("it is {}, not a folder", routes_fs::describe(meta.file_type()))),
        });
    }
    // Scratch of runs that were killed outright: beside the releases, and in
    // the system's temporary folder (where the sort goes while `out` does not
    // exist yet). Only folders whose lock no process holds are removed.
    if options.out.is_dir() {
        for path in routes_fs::sweep(&options.out) {
            progress.swept(&path);
        }
    }
    for path in routes_fs::sweep(&std::env::temp_dir()) {
        progress.swept(&path);
    }
    for path in legacy_scratch(&options.out) {
        progress.unowned(&path);
    }
    let target = options.out.join(options.version.dir_name());
    // Anything at the target, even a dangling symbolic link, is in the way.
    if std::fs::symlink_metadata(&target).is_ok() {
        return Err(Error::Exists { path: target });
    }
    refuse_out_inside_dataset(options)?;
    // The previous release is checked before any work, so that a damaged one
    // stops the run at once.
    let previous = changelog::previous_release(&options.out, &options.version)?
        .map(|(version, dir)| Release::open(&dir).map(|release| (version, release)))
        .transpose()?;
    progress.validating();
    // One pass reads and validates the records and sorts them by id within
    // the memory budget; the sort's runs go to a scratch folder beside the
    // releases (or the system's, while `out` does not exist yet), removed
    // when done. Nothing is written into `out` until the data passed.
    let sort_dir = if options.out.is_dir() {
        routes_fs::Scratch::new_in(&options.out, "sort")
    } else {
        routes_fs::Scratch::new("sort")
    }
    .map_err(Error::Scratch)?;
    let mut sorter = input::Sorter::new(sort_dir.path().to_path_buf(), options.sort_budget_bytes);
    let mut sort_failure = None;
    let mut handed = 0usize;
    let validator = Validator::new(ValidateOptions::new(options.today))?;
    let report = validator.validate_paths_with(std::slice::from_ref(&options.dataset), &mut |route, text| {
        handed += 1;
        if sort_failure.is_none()
            && let Err(err) = sorter.push(route.id, text)
        {
            sort_failure = Some(err);
        }
    })?;
    // Its schema and reference data are not needed while writing.
    drop(validator);
    if report.count(Severity::Error) > 0 {
        return Err(Error::Findings {
            report: Box::new(report),
        });
    }
    if handed < report.records {
        return Err(Error::Untyped {
            read: report.records,
            handed,
            located: locate(options, |code| code.starts_with("json/") || code.starts_with("schema/")),
        });
    }
    // Only the warnings' count by rule is kept: the findings, each with its
    // text around it, held 30 MB at 100,000 routes for the whole writing.
    let records = report.records;
    let warnings = report.warnings_by_rule();
    drop(report);
    if records == 0 {
        return Err(Error::Empty {
            path: options.dataset.clone(),
        });
    }
    if let Some(err) = sort_failure {
        return Err(err);
    }
    // `std::fs` here: the error names the folder itself, so its cause need not.
    std::fs::create_dir_all(&options.out).map_err(|source| Error::OutDir {
        path: options.out.clone(),
        source,
    })?;

    let mut stage = Stage::create(&options.out, &options.version)?;
    let scratch = stage.scratch()?;
    let in_order = sorter.finish()?;

    progress.writing(records as u64);
    let mut changelog = changelog::Changelog::new(&scratch)?;
    let mut jsonl = stage.create_file("data/routes.jsonl")?;
    let jsonl_path = PathBuf::from("data/routes.jsonl");
    let mut files = Vec::new();
    for table in Table::ALL.into_iter().filter(|t| t.holds_facts()) {
        files.push(TableFiles::create(&mut stage, table)?);
    }
    let mut changes = TableFiles::create(&mut stage, Table::Changes)?;
    // The database is written on a thread of its own, from the same batches.
    let sqlite_path = stage.create_path(datasette::SQLITE_PATH)?;
    let mut sqlite = Database::start(
        SqliteWriter::create(&sqlite_path, FORMAT_VERSION).map_err(sqlite_err)?,
        sqlite_path,
    )?;
    let mut derived = options
        .derived
        .map(|start| start(stage.dir()))
        .transpose()
        .map_err(|message| Error::Derived { message })?;
    let mut tables = RouteTables::with_money(money_context(&options.dataset));
    tables
        .push_reference()
        .map_err(table_err(Table::ReferenceSources, Form::Parquet))?;
    let mut stats = Stats::default();
    let mut complete = complete::Completeness::default();
    let mut pending = 0usize;
    for route in in_order {
        let route = route?;
        complete.add(&route);
        serde_json::to_writer(&mut jsonl, &route).map_err(|source| Error::Json {
            path: jsonl_path.clone(),
            source,
        })?;
        jsonl.write_all(b"\n").map_err(write_err(&jsonl_path))?;
        tables.push(&route).map_err(table_err(Table::Routes, Form::Parquet))?;
        stats.add(&route);
        if let Some(derived) = &mut derived {
            derived.add(route).map_err(|message| Error::Derived { message })?;
        }
        pending += 1;
        if pending == BATCH_ROUTES {
            for f in &mut files {
                f.write(&mut tables, &mut sqlite)?;
            }
            progress.advance(pending as u64);
            pending = 0;
        }
    }
    for f in &mut files {
        f.write(&mut tables, &mut sqlite)?;
    }
    progress.advance(pending as u64);
    let found = complete.finish();
    if !found.is_empty() {
        return Err(Error::Incomplete {
            located: locate(options, |code| {
                (code == "record/duplicate-id" && !found.duplicates.is_empty())
                    || (code == "record/dangling-related" && !found.dangling.is_empty())
            }),
            duplicates: found.duplicates,
            dangling: found.dangling,
        });
    }
    let jsonl_sha256 = stage.close(jsonl)?.sha256;
    let mut rows = BTreeMap::new();
    for f in files {
        let table = f.table;
        rows.insert(table, f.finish(&mut stage)?);
    }
    // The partitions are cut from the finished tables, one table at a
    // time, so that their writers do not join the open ones.
    if options.partition_by == Some(PartitionBy::Country) {
        let countries: BTreeSet<String> = stats.countries.keys().cloned().collect();
        partition::write_by_country(&mut stage, &countries)?;
    }
    // What changed since the previous release, read back from the tables
    // just written: the `changes` table and the changelog.
    let version = &options.version;
    let summary = match &previous {
        None => None,
        Some((_, prev)) => {
            let staged = Release::staged(stage.dir(), version.to_string());
            Some(compare::compare(prev, &staged, &mut |route| {
                changelog.record(&route)?;
                for change in route.changes {
                    tables
                        .push_change(change)
                        .map_err(table_err(Table::Changes, Form::Parquet))?;
                    if tables.rows(Table::Changes) >= CHANGE_ROWS {
                        changes.write(&mut tables, &mut sqlite)?;
                    }
                }
                Ok::<(), Error>(())
            })?)
        }
    };
    changes.write(&mut tables, &mut sqlite)?;
    rows.insert(Table::Changes, changes.finish(&mut stage)?);
    // The database is finished on its thread (`search`, the checks, the
    // compact copy, sync and hash) while the other files are written.
    sqlite.finish()?;

    let (date, created) = release_date(options, &stats)?;
    let mut changelog_file = stage.create_file("CHANGELOG.md")?;
    let compared = previous.as_ref().zip(summary.as_ref()).map(|((v, r), s)| (v, r, s));
    changelog.finish(
        version,
        &date,
        stats.routes,
        compared,
        &mut changelog_file,
        Path::new("CHANGELOG.md"),
    )?;
    stage.close(changelog_file)?;
    let compared = previous.map(|(v, _)| v);
    stage.write_file("schema/route.schema.json", routes_validate::ROUTE_SCHEMA.as_bytes())?;
    let dictionary = dictionary::render().map_err(|source| Error::Dictionary { source })?;
    stage.write_file("data/dictionary.csv", &dictionary)?;
    let about = read_about(&options.dataset)?;
    let card = docs::Card {
        version,
        date: &date,
        stats: &stats,
        rows: &rows,
        previous: compared.as_ref(),
        about: about.as_deref(),
        partition_by: options.partition_by,
    };
    stage.write_file("README.md", card.render().as_bytes())?;
    stage.write_file(
        "CITATION.cff",
        docs::citation(version, &date, &options.contributors).as_bytes(),
    )?;
    stage.write_file("LICENSE", docs::license(&options.contributors).as_bytes())?;
    // The derived files are finished before `SHA256SUMS`, so that it lists
    // them too (they are byte-reproducible); `datapackage.json` describes
    // the data and leaves them out.
    if let Some(derived) = derived {
        derived
            .finish(&jsonl_sha256)
            .map_err(|message| Error::Derived { message })?;
    }
    let hashed = sqlite.wait()?;
    stage.closed_path(datasette::SQLITE_PATH, hashed)?;
    let manifest = datapackage::Manifest {
        version,
        created: &created,
        contributors: &options.contributors,
        stats: &stats,
        rows: &rows,
        files: stage.files(),
        partition_by: options.partition_by,
    }
    .render()
    .map_err(|source| Error::Json {
        path: PathBuf::from("datapackage.json"),
        source,
    })?;
    stage.write_file("datapackage.json", manifest.as_bytes())?;
    let metadata = datasette::metadata(version).map_err(|source| Error::Json {
        path: PathBuf::from(datasette::METADATA_PATH),
        source,
    })?;
    stage.write_file(datasette::METADATA_PATH, metadata.as_bytes())?;

    let mut sums: Vec<FileInfo> = stage.files().to_vec();
    sums.extend(derived_files(stage.dir(), DERIVED_DIR)?);
    sums.sort_by(|a, b| a.path.cmp(&b.path));
    let text = sums.iter().fold(String::new(), |mut text, f| {
        let _ = writeln!(text, "{}  {}", f.sha256, f.path);
        text
    });
    stage.write_file("SHA256SUMS", text.as_bytes())?;
    let mut files = stage.files().to_vec();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    progress.done();

    let path = stage.commit()?;
    Ok(Published {
        path,
        stats,
        files,
        previous: compared,
        warnings,
    })
}

/// The sourced index values and exchange rates of the dataset's reference
/// data, for the normalised money columns. Reference files with problems were
/// reported by validation; what cannot be read gives no values (null columns).
fn money_context(dataset: &Path) -> routes_formats::MoneyContext {
    let Ok(reference) = routes_validate::load_reference(dataset) else {
        return routes_formats::MoneyContext::default();
    };
    let ids = |ids: &[routes_core::Slug]| ids.iter().map(|s| s.as_str().to_owned()).collect::<Vec<_>>();
    let mut m = routes_formats::MoneyContext::default();
    let mut add_sources = |file: &str, sources: &[routes_validate::ReferenceSource]| {
        for s in sources {
            m.sources.push(routes_formats::ReferenceSource {
                file: file.to_owned(),
                id: s.id.as_str().to_owned(),
                url: s.url.clone(),
                title: s.title.clone(),
                tier: s.tier.as_str(),
                published: s.published,
                seen: s.seen,
                note: s.note.clone(),
                snapshot_path: s.snapshot.as_ref().map(|x| x.path.clone()),
                snapshot_sha256: s.snapshot.as_ref().map(|x| x.sha256.clone()),
            });
        }
    };
    let group = |file: &str, scope: &str, g: &routes_validate::GroupDefinition| routes_formats::Group {
        file: file.to_owned(),
        scope: scope.to_owned(),
        group: g.group.clone(),
        name: g.name.clone(),
        description: g.description.clone(),
        as_of: g.as_of,
        members: g
            .members
            .as_ref()
            .map(|m| m.iter().map(|c| c.as_str().to_owned()).collect()),
        excerpt: g.excerpt.clone(),
        sources: ids(&g.sources),
    };
    let mut index_values = Vec::new();
    let mut wages = Vec::new();
    let mut groups = Vec::new();
    for country in reference.all() {
        let file = format!("reference/{}.json", country.country.as_str().to_lowercase());
        add_sources(&file, &country.sources);
        for v in &country.indexes {
            let Some(def) = country.index_definition(&v.index) else {
                continue;
            };
            index_values.push(routes_formats::IndexValue {
                file: file.clone(),
                effective_from: v.effective_from,
                excerpt: v.excerpt.clone(),
                note: v.note.clone(),
                index: v.index.as_str().to_owned(),
                year: v.year,
                value: v.value,
                currency: def.currency.as_str().to_owned(),
                sources: ids(&v.sources),
            });
        }
        for (kind, list) in [
            ("minimum_wage", &country.minimum_wage),
            ("subsistence_minimum", &country.subsistence_minimum),
        ] {
            for w in list {
                wages.push(routes_formats::Wage {
                    file: file.clone(),
                    country: country.country.as_str().to_owned(),
                    kind,
                    year: i64::from(w.year),
                    amount: w.amount,
                    currency: country.currency.as_str().to_owned(),
                    period: w.period,
                    excerpt: w.excerpt.clone(),
                    sources: ids(&w.sources),
                });
            }
        }
        for g in &country.groups {
            groups.push(group(&file, country.country.as_str(), g));
        }
    }
    if let Some(international) = reference.international() {
        add_sources("reference/groups.json", &international.sources);
        for g in &international.groups {
            groups.push(group("reference/groups.json", "international", g));
        }
    }
    let mut rates = Vec::new();
    if let Some(file) = reference.rates_file() {
        add_sources("reference/rates.json", &file.sources);
        for r in &file.rates {
            rates.push(routes_formats::ExchangeRate {
                excerpt: r.excerpt.clone(),
                from: r.from.as_str().to_owned(),
                to: r.to.as_str().to_owned(),
                rate: r.rate,
                date: r.date,
                sources: ids(&r.sources),
            });
        }
    }
    m.index_values = index_values;
    m.wages = wages;
    m.groups = groups;
    m.rates = rates;
    m
}

/// Folders in `out` named like the scratch of an older `routes publish`
/// (which made no lock file): `.routes-X.Y.Z.staging-<pid>` and
/// `.routes-sort-<random>` without a [`routes_fs::LOCK_FILE`].
fn legacy_scratch(out: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            let name = e.file_name();
            let Some(name) = name.to_str() else { return false };
            let Some(rest) = name.strip_prefix(".routes-") else {
                return false;
            };
            let staging = rest.rsplit_once(".staging-").is_some_and(|(version, pid)| {
                version.parse::<ReleaseVersion>().is_ok() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
            });
            (staging || rest.starts_with("sort-")) && !e.path().join(routes_fs::LOCK_FILE).exists()
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Refuses an output folder that is the dataset or lies inside it, or lies
/// inside a published release (after resolving symbolic links; the part of
/// `out` that does not exist yet is taken as written).
fn refuse_out_inside_dataset(options: &PublishOptions) -> Result<(), Error> {
    let Ok(dataset) = std::fs::canonicalize(&options.dataset) else {
        // Validation reports a dataset that cannot be read.
        return Ok(());
    };
    let mut existing = options.out.as_path();
    let mut rest = Vec::new();
    let resolved = loop {
        let here = if existing.as_os_str().is_empty() {
            Path::new(".")
        } else {
            existing
        };
        if let Ok(resolved) = std::fs::canonicalize(here) {
            break resolved;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            // `..` or a root that cannot be resolved: nothing to compare.
            _ => return Ok(()),
        }
    };
    let out = rest.iter().rev().fold(resolved, |p, part| p.join(part));
    if out.starts_with(&dataset) {
        return Err(Error::OutInsideDataset {
            out: options.out.clone(),
            dataset: options.dataset.clone(),
        });
    }
    // A folder named `routes-X.Y.Z` that holds a `SHA256SUMS` is a release.
    if let Some(release) = out.ancestors().find(|dir| {
        dir.file_name()
            .and_then(|n| n.to_str())
            .and_then(ReleaseVersion::from_dir_name)
            .is_some()
            && dir.join("SHA256SUMS").is_file()
    }) {
        return Err(Error::OutInsideRelease {
            out: options.out.clone(),
            release: release.to_path_buf(),
        });
    }
    Ok(())
}

/// Validates the dataset again with the built-in severities (an empty
/// `routes.toml`) and keeps the error findings whose code `keep` accepts:
/// where the records are that publish refused after `routes.toml` lowered or
/// silenced their findings. Only run when publish refuses; a failure here
/// leaves the list empty (the refusal still stands).
fn locate(options: &PublishOptions, keep: impl Fn(&str) -> bool) -> Vec<Diagnostic> {
    let Ok(scratch) = routes_fs::Scratch::new("check") else {
        return Vec::new();
    };
    let config = scratch.path().join("routes.toml");
    let text = format!("config_version = {}\n", routes_validate::CONFIG_VERSION);
    if std::fs::write(&config, text).is_err() {
        return Vec::new();
    }
    let mut validate = ValidateOptions::new(options.today);
    validate.config = Some(config);
    let Ok(validator) = Validator::new(validate) else {
        return Vec::new();
    };
    validator
        .validate_paths(std::slice::from_ref(&options.dataset))
        .map(|report| {
            report
                .diagnostics
                .into_iter()
                .filter(|d| d.severity() == Severity::Error && keep(d.code()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, name: &str) -> String {
        let country = id.split('/').next().unwrap_or("kz").to_uppercase();
        format!(
            r#"{{"schema_version": 1, "id": "{id}", "country": "{country}", "name": "{name}",
  "category": "work", "status": "active",
  "eligibility": {{ "nationality": {{ "scope": "all" }} }},
  "requirements": [{{"id": "b-req", "kind": "savings", "description": "Savings.", "required": "yes",
     "money": {{"amount": 1500.5, "currency": "EUR", "period": "one_off"}}, "evidence": [{{"source": "gov"}}]}},
   {{"id": "a-req", "kind": "age", "description": "Adult.", "required": "yes",
     "range": {{"min": 16, "max": null, "unit": "years"}}, "evidence": [{{"source": "gov"}}]}}],
  "duration": {{
    "leads_to_permanent_residence": {{ "value": "unknown" }},
    "leads_to_citizenship": {{ "value": "unknown" }}
  }},
  "documents": [], "application": {{}}, "legal_basis": [],
  "sources": [{{ "id": "gov", "url": "https://www.gov.kz/", "title": "Portal",
    "tier": "official", "language": "en", "translation": "original", "seen": "2026-11-01" }}],
  "last_verified": "2026-11-01", "review_status": "unverified"
}}"#
        )
    }

    fn dataset(dir: &Path, ids: &[&str]) {
        for id in ids {
            let (cc, slug) = id.split_once('/').expect("id");
            fs_err::create_dir_all(dir.join(cc)).expect("dir");
            fs_err::write(dir.join(cc).join(format!("{slug}.json")), record(id, "Name")).expect("write");
        }
    }

    fn read_all(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.expect("entry"))
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                (rel, fs_err::read(e.path()).expect("read"))
            })
            .collect()
    }

    /// Sorting on disk (a budget of one byte spills every record) gives the
    /// same bytes as sorting in memory.
    #[test]
    fn external_sort_gives_the_same_release() {
        let tmp = tempfile::tempdir().expect("tmp");
        let data = tmp.path().join("dataset");
        // Names whose file order differs from id order (`a-b` < `a` by path).
        dataset(&data, &["kz/a", "kz/a-b", "kz/zeta", "na/work", "kz/b"]);
        let today = jiff::civil::date(2026, 11, 25);
        let version: ReleaseVersion = "1.0.0".parse().expect("version");
        let memory = PublishOptions::new(&data, &tmp.path().join("m"), version.clone(), today);
        let mut disk = PublishOptions::new(&data, &tmp.path().join("d"), version, today);
        disk.sort_budget_bytes = 1;
        let a = publish(&memory, &NoProgress).expect("publish in memory");
        let b = publish(&disk, &NoProgress).expect("publish on disk");
        assert_eq!(read_all(&a.path), read_all(&b.path));
        let jsonl = fs_err::read_to_string(a.path.join("data/routes.jsonl")).expect("jsonl");
        let ids: Vec<String> = jsonl
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["id"].to_string())
            .collect();
        assert_eq!(
            ids,
            ["\"kz/a\"", "\"kz/a-b\"", "\"kz/b\"", "\"kz/zeta\"", "\"na/work\""]
        );
        let csv = fs_err::read_to_string(a.path.join("data/requirements.csv")).expect("csv");
        let first: Vec<&str> = csv.lines().take(3).collect();
        assert!(first[1].starts_with("kz/a,a-req,age,"), "{first:?}");
        assert!(first[2].starts_with("kz/a,b-req,savings,"), "{first:?}");
        assert!(
            !tmp.path().join("d").read_dir().expect("out").any(|e| e
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .starts_with('.'))
        );
    }

    #[test]
    fn release_date_comes_from_the_data_or_source_date_epoch() {
        let stats = Stats {
            last_verified: Some("2026-10-02".parse().expect("date")),
            ..Stats::default()
        };
        let tmp = tempfile::tempdir().expect("tmp");
        let mut options = PublishOptions::new(
            tmp.path(),
            tmp.path(),
            "1.0.0".parse().expect("v"),
            jiff::civil::date(2026, 11, 25),
        );
        assert_eq!(
            release_date(&options, &stats).expect("date"),
            ("2026-10-02".to_owned(), "2026-10-02T00:00:00Z".to_owned())
        );
        options.source_date_epoch = Some(1_700_000_000);
        assert_eq!(
            release_date(&options, &stats).expect("date"),
            ("2023-11-14".to_owned(), "2023-11-14T22:13:20Z".to_owned())
        );
    }
}
