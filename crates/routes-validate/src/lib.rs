//! Reads route records and checks them, pointing at the exact spot of every
//! problem.
//!
//! [`Validator::validate_paths`] walks directories for `*.json` records (one
//! route per file) and `*.jsonl` files (one route per line), and runs, per
//! record: the input checks (UTF-8, byte-order mark, empty or oversized input,
//! JSON syntax), the JSON Schema (`schema/route.schema.json`, built in), and the
//! record rules a schema cannot express (ids matching paths, evidence naming a
//! source of the record, ISO codes, dates not in the future, ranges, URLs). Then
//! it runs the cross-record rules (unique ids, `related` ids that exist). Bad
//! input is a finding, never a panic, and never stops the run.
//!
//! It reads only what it should: regular files (a FIFO, socket or device is a
//! finding, never opened), symbolic links and snapshot or reference paths only
//! inside the dataset (`routes_fs`), standard input when the only path is `-`.
//! A repeated object key is a `json/duplicate-key` error; a record that cannot
//! be typed always leaves an error (`record/untyped`), whatever `routes.toml`
//! says ([`FIXED`] codes cannot be set). Findings are capped in size and, with
//! [`Validator::validate_paths_streamed`], kept with bounded memory.
//!
//! ```
//! use routes_validate::{Validator, ValidateOptions};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::create_dir(dir.path().join("kz"))?;
//! std::fs::write(dir.path().join("kz/broken.json"), "{\n  \"id\": 7,\n")?;
//!
//! let today = jiff::civil::date(2026, 11, 25);
//! let validator = Validator::new(ValidateOptions::new(today))?;
//! let report = validator.validate_paths(&[dir.path().to_path_buf()])?;
//! assert_eq!(report.files, 1);
//! let finding = &report.diagnostics[0];
//! assert_eq!(finding.code(), "json/syntax");
//! assert_eq!(finding.line(), Some(2)); // the last thing written, where the text breaks off
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod check;
mod config;
mod cross;
mod currency;
mod facts;
mod fast;
mod input;
mod json;
mod place;
mod quality;
mod record;
mod reference;
mod registry;
mod rule;
mod schema;
mod snapshot;
mod strict;
mod view;
mod words;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use config::{Allow, CONFIG_VERSION, Config, ConfigError, Level, find_config};
pub use fast::conforming_route;
pub use reference::{
    Converted, CountryReference, ExchangeRate, GroupDefinition, GroupsReference, REFERENCE_VERSION, RatesReference,
    Reference, ReferenceSource,
};
pub use registry::{FIXED, RULES, Rule, UNCHECKED, default_severity, is_fixed, rule, rules_markdown};
pub use routes_diagnostics::{Diagnostic, Severity};
pub use schema::{ROUTE_SCHEMA, RouteSchema};
pub use snapshot::SNAPSHOT_VERSION;
pub use view::{Fact, facts};

/// The reference data of the dataset in `dataset` (found through its
/// `routes.toml`, as `routes validate` finds it), read with the same checks;
/// a file with a problem is left out (`routes validate` reports it).
pub fn load_reference(dataset: &Path) -> Result<Reference, ConfigError> {
    let Some(path) = find_config(dataset) else {
        return Ok(Reference::default());
    };
    let config = Config::load(&path, &|code| registry::rule(code).is_some())?;
    let (Some(root), Some(dir)) = (config.root(), config.reference_dir()?) else {
        return Ok(Reference::default());
    };
    Ok(Reference::load(root, &dir, &mut Vec::new()))
}

/// What receives each record that satisfies the schema: typed, and as text.
pub type EachRecord<'a> = dyn FnMut(routes_core::Route, &str) + 'a;

/// Records checked in parallel at a time: enough to keep every core busy,
/// few enough to keep memory small.
const BATCH: usize = 256;

/// Bytes of `*.jsonl` record text a batch holds at most (past it, the batch
/// is sent with fewer records): with the two batches the channel holds and
/// the one being checked, about 50 MB of text, even when every line is 16 MB.
const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// A record waiting in a batch: a line of a `*.jsonl` file, read, or a whole
/// `*.json` file, which the checker reads itself (so files are read in
/// parallel too).
enum Queued {
    Line {
        /// The record's number in reading order, from 0.
        ordinal: u64,
        path: Arc<Path>,
        display: Arc<str>,
        text: String,
        base_offset: usize,
        base_line: usize,
    },
    File {
        /// The record's number in reading order, from 0.
        ordinal: u64,
        path: PathBuf,
    },
    /// A problem the reading thread met (an unreadable folder, a bad line of
    /// a `*.jsonl` file), passed on in reading order.
    Problem(Box<Diagnostic>),
}

/// What checking a queued record gives.
struct Done {
    ordinal: u64,
    /// `None` when the file held no record to check (its problems say why).
    checked: Option<check::Checked>,
    /// Problems with the bytes of the file.
    problems: Vec<Diagnostic>,
    /// The text of a whole-file record that satisfies the schema (a line's
    /// text stays in its [`Queued`]).
    text: Option<String>,
    /// Whether the record was typed (its `Route` is dropped where it was
    /// checked when nothing receives it).
    typed: bool,
    /// Its facts for the cross-record rules, encoded where it was checked.
    encoded: Option<cross::Encoded>,
}

impl Done {
    /// Encodes the record's cross-record facts, and drops its `Route` unless
    /// `keep` (both here, on the checking thread, rather than on the one that
    /// files the results in order).
    fn settle(mut self, keep: bool) -> Self {
        if let Some(checked) = &mut self.checked {
            self.typed = checked.route.is_some();
            self.encoded = checked
                .summary
                .as_ref()
                .map(|summary| cross::Encoded::of(self.ordinal, summary));
            if !keep {
                checked.route = None;
            }
        }
        self
    }
}

impl Queued {
    /// Checks the record (reading it first, for a whole file); keeps a whole
    /// file's text when `keep_text` and the record satisfies the schema.
    fn check(
        &self,
        schema: &RouteSchema,
        ctx: &quality::QualityContext<'_>,
        options: &ValidateOptions,
        keep_text: bool,
    ) -> Done {
        match self {
            Queued::Line {
                ordinal,
                path,
                display,
                text,
                base_offset,
                base_line,
            } => {
                let rec = input::RecordText {
                    path,
                    display,
                    text,
                    base_offset: *base_offset,
                    base_line: *base_line,
                    whole_file: false,
                };
                Done {
                    ordinal: *ordinal,
                    checked: Some(check::check(&rec, schema, ctx, options.typed_fast_path)),
                    problems: Vec::new(),
                    text: None,
                    typed: false,
                    encoded: None,
                }
                .settle(keep_text)
            }
            Queued::Problem(problem) => Done {
                ordinal: 0,
                checked: None,
                problems: vec![(**problem).clone()],
                text: None,
                typed: false,
                encoded: None,
            },
            Queued::File { ordinal, path } => {
                let mut done = Done {
                    ordinal: *ordinal,
                    checked: None,
                    problems: Vec::new(),
                    text: None,
                    typed: false,
                    encoded: None,
                };
                let mut on_record = |rec: input::RecordText<'_>| {
                    let checked = check::check(&rec, schema, ctx, options.typed_fast_path);
                    if keep_text && checked.route.is_some() {
                        done.text = Some(rec.text.to_owned());
                    }
                    done.checked = Some(checked);
                };
                let mut problems = Vec::new();
                input::read_file(path, options, &mut on_record, &mut |d| problems.push(d));
                done.problems = problems;
                done.settle(keep_text)
            }
        }
    }
}

/// Failures of the tool itself (as opposed to findings in the data).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path given to validate does not exist or cannot be read.
    #[error("cannot read `{path}`")]
    Path {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The built-in schema does not compile (a bug in this build).
    #[error("the built-in route schema is invalid: {0}")]
    Schema(String),
    /// `routes.toml` cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `-` (standard input) was given with other paths.
    #[error("`-` reads records from standard input and cannot be combined with other paths")]
    StdinWithPaths,
    /// Standard input could not be read (or copied to a temporary file).
    #[error("cannot read standard input")]
    Stdin {
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The cross-record state or the findings could not be kept in a
    /// temporary file.
    #[error("cannot keep the cross-record state or the findings in a temporary file")]
    Spill {
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Settings of a validation run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ValidateOptions {
    /// The date taken as today: dates after it are in the future.
    pub today: jiff::civil::Date,
    /// Largest `*.json` file or `*.jsonl` line read, in bytes.
    pub max_record_bytes: u64,
    /// The `routes.toml` to use; when `None`, the one in (or above) the first
    /// path validated, if any.
    pub config: Option<PathBuf>,
    /// Largest archived snapshot read, in bytes.
    pub max_snapshot_bytes: u64,
    /// About how many bytes of findings are held in memory; past it they are
    /// sorted and spilled to temporary files, and merged for output.
    pub findings_budget_bytes: usize,
    /// Whether a record is first read straight into the model, and the JSON
    /// Schema engine runs only on records that it refuses
    /// ([`conforming_route`]); the findings are the same either way (a
    /// property test in `routes-fuzz` checks it). `true` unless turned off to
    /// compare the two paths.
    pub typed_fast_path: bool,
}

impl ValidateOptions {
    /// Default settings with `today` as the current date.
    #[must_use]
    pub fn new(today: jiff::civil::Date) -> Self {
        Self {
            today,
            max_record_bytes: 16 * 1024 * 1024,
            config: None,
            max_snapshot_bytes: 64 * 1024 * 1024,
            findings_budget_bytes: 8 * 1024 * 1024,
            typed_fast_path: true,
        }
    }
}

/// The outcome of a run: every finding, sorted, and what was read.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Report {
    /// Findings, sorted by file, line, column, pointer and code (empty when
    /// they were streamed, with [`Validator::validate_paths_streamed`]).
    pub diagnostics: Vec<Diagnostic>,
    /// Records read: every record text checked, whether or not it parses.
    pub records: usize,
    /// Records handed on typed: those that satisfy the schema and the record
    /// model. A record read but not typed always leaves an error finding
    /// (whatever `routes.toml` says), so with no errors `typed == records`.
    pub typed: usize,
    /// Files read.
    pub files: usize,
    /// Error findings (after `routes.toml`).
    pub errors: usize,
    /// Warning findings (after `routes.toml`).
    pub warnings: usize,
    /// The `routes.toml` that was applied, if any.
    pub config: Option<PathBuf>,
    /// With [`Validator::validate_in_dataset`]: the files named, whose
    /// findings alone the report holds (`records` and `files` count the whole
    /// dataset read).
    pub focused: usize,
}

impl Report {
    /// Number of findings with this severity.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        match severity {
            Severity::Error => self.errors,
            Severity::Warning => self.warnings,
        }
    }

    /// The warnings among [`Report::diagnostics`], counted by rule code.
    #[must_use]
    pub fn warnings_by_rule(&self) -> std::collections::BTreeMap<String, usize> {
        let mut by_rule = std::collections::BTreeMap::new();
        for d in self.diagnostics.iter().filter(|d| d.severity() == Severity::Warning) {
            *by_rule.entry(d.code().to_owned()).or_insert(0) += 1;
        }
        by_rule
    }
}

/// Checks route records.
#[derive(Debug)]
pub struct Validator {
    schema: RouteSchema,
    options: ValidateOptions,
}

impl Validator {
    /// A validator with the built-in schema.
    pub fn new(options: ValidateOptions) -> Result<Self, Error> {
        Ok(Self {
            schema: RouteSchema::new()?,
            options,
        })
    }

    /// Validates every `*.json` and `*.jsonl` file under `paths` (files or
    /// directories). A path that does not exist, or an unusable `routes.toml`,
    /// is an [`Error`]; everything wrong inside the records is a finding in the
    /// [`Report`].
    pub fn validate_paths(&self, paths: &[PathBuf]) -> Result<Report, Error> {
        let mut diagnostics = Vec::new();
        let mut report = self.validate(paths, &[], None, &mut |d| diagnostics.push(d))?;
        report.diagnostics = diagnostics;
        Ok(report)
    }

    /// Like [`Validator::validate_paths`], but hands each finding, sorted, to
    /// `finding` instead of keeping them in the [`Report`] (whose
    /// `diagnostics` stay empty): however many findings there are, memory
    /// stays bounded (past [`ValidateOptions::findings_budget_bytes`] they
    /// wait in temporary files). Records that satisfy the schema go to
    /// `each`, if given, as with [`Validator::validate_paths_with`].
    pub fn validate_paths_streamed(
        &self,
        paths: &[PathBuf],
        each: Option<&mut EachRecord<'_>>,
        finding: &mut dyn FnMut(Diagnostic),
    ) -> Result<Report, Error> {
        self.validate(paths, &[], each, finding)
    }

    /// Like [`Validator::validate_paths`], and hands each record that
    /// satisfies the schema to `each` as a typed [`routes_core::Route`], with
    /// its text, in reading order: one pass reads, checks and delivers the
    /// records (`routes publish` sorts them as they come).
    pub fn validate_paths_with(
        &self,
        paths: &[PathBuf],
        each: &mut dyn FnMut(routes_core::Route, &str),
    ) -> Result<Report, Error> {
        let mut diagnostics = Vec::new();
        let mut report = self.validate(paths, &[], Some(each), &mut |d| diagnostics.push(d))?;
        report.diagnostics = diagnostics;
        Ok(report)
    }

    /// Validates `files` as part of the dataset at `dataset`: every record of
    /// the dataset is read, so that `related` links, duplicate ids and the
    /// other rules across records see the whole dataset, but only findings
    /// about `files` are reported (and, of `routes.toml`'s findings, those
    /// about their routes). A file the dataset's walk would not reach (outside
    /// it, in a hidden folder, with another extension) is read as well. This
    /// is how `routes validate FILE…` checks the files a contributor edited.
    pub fn validate_in_dataset(
        &self,
        dataset: &Path,
        files: &[PathBuf],
        finding: &mut dyn FnMut(Diagnostic),
    ) -> Result<Report, Error> {
        let mut paths = vec![dataset.to_path_buf()];
        let mut focus = Vec::with_capacity(files.len());
        for file in files {
            let canonical = std::fs::canonicalize(file).map_err(|source| Error::Path {
                path: file.clone(),
                source,
            })?;
            if !input::walk_reaches(dataset, file) {
                paths.push(file.clone());
            }
            focus.push(canonical);
        }
        let mut report = self.validate(&paths, &focus, None, finding)?;
        report.focused = files.len();
        Ok(report)
    }

    /// One validation pass; records are handed to `each`, if given (only then
    /// is a whole-file record's text kept past its check), and the findings,
    /// sorted, to `finding`. With `focus` (canonical paths), only findings
    /// about those files are kept and counted.
    fn validate(
        &self,
        paths: &[PathBuf],
        focus: &[PathBuf],
        mut each: Option<&mut EachRecord<'_>>,
        finding: &mut dyn FnMut(Diagnostic),
    ) -> Result<Report, Error> {
        let keep_text = each.is_some();
        let stdin = input::stdin_only(paths)?;
        let config_path = self
            .options
            .config
            .clone()
            .or_else(|| paths.first().filter(|_| stdin.is_none()).and_then(|p| find_config(p)));
        let config = config_path
            .as_deref()
            .map(|path| Config::load(path, &|code| registry::rule(code).is_some()))
            .transpose()?
            .unwrap_or_default();
        // Snapshots resolve against the dataset root: the config's folder, or
        // else the first folder validated (or the current folder, for
        // standard input).
        let root = config.root().map(Path::to_path_buf).or_else(|| {
            if stdin.is_some() {
                Some(PathBuf::from("."))
            } else {
                paths.iter().find(|p| p.is_dir()).cloned()
            }
        });
        let mut findings = Findings {
            store: routes_diagnostics::FindingStore::new(self.options.findings_budget_bytes),
            applier: config.applier(),
            focus: Focus::new(focus),
        };
        // The routes `routes.toml` silences findings of, and whether each was
        // typed (so all its rules ran) or read but broken: a silence is
        // unused only when its route's rules all ran, or, for a route no
        // record has, when the whole dataset was read.
        let mut silenced: std::collections::HashMap<&str, Checking> = config
            .allow
            .iter()
            .map(|a| (a.route.as_str(), Checking::NotRead))
            .collect();
        let whole_dataset = config.root().is_some_and(|root| {
            let root = std::fs::canonicalize(root).ok();
            paths.iter().any(|p| std::fs::canonicalize(p).ok() == root)
        });
        let mut reference_findings = Vec::new();
        let reference = match (config.reference_dir()?, config.root()) {
            (Some(dir), Some(root)) => Reference::load(root, &dir, &mut reference_findings),
            _ => Reference::default(),
        };
        for d in reference_findings {
            findings.add(d)?;
        }
        let ctx = quality::QualityContext {
            reference: &reference,
            root: root.as_deref(),
            today: self.options.today,
            max_snapshot_bytes: self.options.max_snapshot_bytes,
        };
        let source = input::Sources {
            paths,
            stdin: stdin.as_ref(),
            root: root.as_deref(),
        };

        // One thread reads (in order, one folder and one batch at a time);
        // batches are checked in parallel as they arrive, and their results
        // filed in reading order (findings, cross-record summaries, `each`)
        // on this thread while the pool checks the next batch.
        let mut cross = cross::CrossRecord::default();
        let mut records = 0;
        let mut typed = 0;
        let mut file = |batch: &[Queued], results: Vec<Done>| -> Result<(), Error> {
            for (queued, done) in batch.iter().zip(results) {
                for d in done.problems {
                    findings.add(d)?;
                }
                let Some(checked) = done.checked else { continue };
                records += 1;
                // A record that cannot be typed is an error, whatever
                // `routes.toml` did to the findings that say why.
                let mut any_error = false;
                for d in checked.diagnostics {
                    any_error |= findings.add(d)? == Some(Severity::Error);
                }
                if !done.typed
                    && !any_error
                    && let Some(untyped) = checked.untyped
                {
                    findings.add(untyped)?;
                }
                if let Some(encoded) = &done.encoded {
                    cross.add_encoded(encoded);
                }
                if let Some(summary) = &checked.summary
                    && let Some(state) = silenced.get_mut(summary.id.as_str())
                {
                    let now = if done.typed { Checking::Typed } else { Checking::Broken };
                    // A route read twice counts as broken if either is.
                    if *state != Checking::Broken {
                        *state = now;
                    }
                }
                if done.typed {
                    typed += 1;
                }
                if let Some(route) = checked.route
                    && let Some(each) = each.as_mut()
                {
                    let text = match (queued, &done.text) {
                        (Queued::Line { text, .. }, _) | (Queued::File { .. }, Some(text)) => text.as_str(),
                        _ => "",
                    };
                    each(route, text);
                }
            }
            Ok(())
        };
        let check = |batch: &[Queued]| -> Vec<Done> {
            batch
                .par_iter()
                .map(|r| r.check(&self.schema, &ctx, &self.options, keep_text))
                .collect()
        };
        let files = std::thread::scope(|scope| -> Result<_, Error> {
            let (sender, batches) = std::sync::mpsc::sync_channel::<Vec<Queued>>(2);
            let reader = scope.spawn(move || read_batches(&source, &self.options, &sender));
            // The batch checked last, waiting to be filed.
            let mut unfiled: Option<(Vec<Queued>, Vec<Done>)> = None;
            for batch in batches {
                let mut results = Vec::new();
                let filed = rayon::in_place_scope(|pool| {
                    pool.spawn(|_| results = check(&batch));
                    unfiled.take().map_or(Ok(()), |(queued, done)| file(&queued, done))
                });
                filed?;
                unfiled = Some((batch, results));
            }
            if let Some((queued, done)) = unfiled {
                file(&queued, done)?;
            }
            reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })?;
        let pending = cross.finish().map_err(|source| Error::Spill { source })?;
        place_pending(&source, &self.options, &pending, &mut findings)?;
        let Findings {
            mut store,
            applier,
            mut focus,
        } = findings;
        let unused = applier.finish(&|route| match silenced.get(route) {
            Some(Checking::Typed) => Some(true),
            Some(Checking::NotRead) if whole_dataset => Some(false),
            _ => None,
        });
        for d in unused {
            if focus.keeps(&d) {
                store.push(d).map_err(|source| Error::Spill { source })?;
            }
        }
        let report = Report {
            config: config.path.clone(),
            records,
            typed,
            files,
            errors: store.count(Severity::Error),
            warnings: store.count(Severity::Warning),
            diagnostics: Vec::new(),
            focused: 0,
        };
        for d in store.finish().map_err(|source| Error::Spill { source })? {
            finding(d.map_err(|source| Error::Spill { source })?);
        }
        Ok(report)
    }
}

/// How far a route `routes.toml` names was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checking {
    /// No record with its id was read.
    NotRead,
    /// Read and typed: every rule ran on it.
    Typed,
    /// Read, but it cannot be typed: the rules that need a typed record did not run.
    Broken,
}

/// Which findings a run reports: all, or only those about the files named
/// ([`Validator::validate_in_dataset`]).
struct Focus {
    /// The files named, canonical; empty: every finding is kept.
    files: std::collections::HashSet<PathBuf>,
    /// The routes their paths give, for findings of `routes.toml` about them.
    routes: std::collections::HashSet<String>,
    /// Whether each finding's file is one of `files`, by its shown name.
    seen: std::collections::HashMap<String, bool>,
}

impl Focus {
    fn new(files: &[PathBuf]) -> Self {
        Self {
            routes: files
                .iter()
                .filter_map(|f| check::path_id(f))
                .map(|id| id.as_str().to_owned())
                .collect(),
            files: files.iter().cloned().collect(),
            seen: std::collections::HashMap::new(),
        }
    }

    /// Whether the run reports `d`.
    fn keeps(&mut self, d: &Diagnostic) -> bool {
        if self.files.is_empty() {
            return true;
        }
        let files = &self.files;
        let in_file = *self
            .seen
            .entry(d.file().to_owned())
            .or_insert_with(|| std::fs::canonicalize(d.file()).is_ok_and(|path| files.contains(&path)));
        in_file || (d.code().starts_with("config/") && d.route().is_some_and(|r| self.routes.contains(r)))
    }
}

/// The findings of a run: `routes.toml` applied to each as it comes, then
/// kept sorted with bounded memory.
struct Findings<'c> {
    store: routes_diagnostics::FindingStore,
    applier: config::Applier<'c>,
    focus: Focus,
}

impl Findings<'_> {
    /// Adds a finding, after `routes.toml`; returns its severity, or `None`
    /// when the config turned it off or silenced it.
    fn add(&mut self, mut d: Diagnostic) -> Result<Option<Severity>, Error> {
        // The rule families make findings; their severity is the rule's, then `routes.toml`'s.
        d.set_severity(registry::default_severity(d.code()));
        let Some(d) = self.applier.apply(d) else {
            return Ok(None);
        };
        let severity = d.severity();
        if self.focus.keeps(&d) {
            self.store.push(d).map_err(|source| Error::Spill { source })?;
        }
        Ok(Some(severity))
    }
}

/// Walks the sources in order and sends the records on in batches: the
/// lines of `*.jsonl` files as read, whole `*.json` files to be read by the
/// checker, and problems met, in reading order. Each record gets the next
/// ordinal; a `*.json` file takes one whether or not it turns out to hold a
/// record (`place_pending` counts the same way). Returns the files read.
fn read_batches(
    sources: &input::Sources<'_>,
    options: &ValidateOptions,
    sender: &std::sync::mpsc::SyncSender<Vec<Queued>>,
) -> Result<usize, Error> {
    let mut files = 0;
    let mut ordinal = 0u64;
    let batch: std::cell::RefCell<(Vec<Queued>, usize)> = std::cell::RefCell::new((Vec::with_capacity(BATCH), 0));
    let push = |queued: Queued| {
        let mut batch = batch.borrow_mut();
        if let Queued::Line { text, .. } = &queued {
            batch.1 += text.len();
        }
        batch.0.push(queued);
        // A batch is cut at `BATCH` records or `BATCH_BYTES` of text, so that
        // long lines do not make batches huge.
        if batch.0.len() >= BATCH || batch.1 >= BATCH_BYTES {
            // The checker stops taking batches only when it is done.
            let full = std::mem::replace(&mut batch.0, Vec::with_capacity(BATCH));
            batch.1 = 0;
            let _ = sender.send(full);
        }
    };
    let problem = |d: Diagnostic| push(Queued::Problem(Box::new(d)));
    input::discover(sources, &mut |found| match found {
        input::Found::File(path) if !input::is_jsonl(&path) => {
            files += 1;
            push(Queued::File { ordinal, path });
            ordinal += 1;
        }
        input::Found::File(path) => {
            files += 1;
            let path: Arc<Path> = Arc::from(path);
            let display: Arc<str> = Arc::from(input::display(&path));
            input::read_file(
                &path,
                options,
                &mut lines_of(&path, &display, &mut ordinal, &push),
                &mut |d| problem(d),
            );
        }
        input::Found::Stdin => {
            files += 1;
            let path: Arc<Path> = Arc::from(Path::new(input::STDIN_NAME));
            let display: Arc<str> = Arc::from(input::STDIN_NAME);
            if let Some(stdin) = sources.stdin {
                input::read_stdin(
                    stdin,
                    options,
                    &mut lines_of(&path, &display, &mut ordinal, &push),
                    &mut |d| problem(d),
                );
            }
        }
        input::Found::Problem(diagnostic) => problem(*diagnostic),
    })?;
    let (batch, _) = batch.into_inner();
    if !batch.is_empty() {
        let _ = sender.send(batch);
    }
    Ok(files)
}

/// Queues each record text read (a line, or standard input's one record) as
/// a [`Queued::Line`] with the next ordinal.
fn lines_of<'a>(
    path: &'a Arc<Path>,
    display: &'a Arc<str>,
    ordinal: &'a mut u64,
    push: &'a impl Fn(Queued),
) -> impl FnMut(input::RecordText<'_>) + 'a {
    move |rec| {
        push(Queued::Line {
            ordinal: *ordinal,
            path: Arc::clone(path),
            display: Arc::clone(display),
            text: rec.text.to_owned(),
            base_offset: rec.base_offset,
            base_line: rec.base_line,
        });
        *ordinal += 1;
    }
}

/// Places the cross-record findings: reads the records they are about again
/// (only those; nothing when there are none), points into their text and
/// adds them to `out` as they are placed.
fn place_pending(
    sources: &input::Sources<'_>,
    options: &ValidateOptions,
    pending: &[facts::Pending],
    out: &mut Findings<'_>,
) -> Result<(), Error> {
    if pending.is_empty() {
        return Ok(());
    }
    // The records to read again: those with findings, and the first records
    // that duplicate ids point back to (always read before the duplicates).
    let mut wanted: std::collections::BTreeMap<u64, Option<(String, usize)>> = pending
        .iter()
        .flat_map(|p| {
            let first = match p.message {
                facts::Message::DuplicateOf { first, .. } => Some(first),
                facts::Message::Text(_) => None,
            };
            std::iter::once(p.ordinal).chain(first)
        })
        .map(|o| (o, None))
        .collect();
    let mut placed = vec![false; pending.len()];
    let last = wanted.keys().next_back().copied().unwrap_or(0);
    let mut ordinal = 0u64;
    let mut failure = None;
    let finish = |p: &facts::Pending,
                  diagnostic: Diagnostic,
                  wanted: &std::collections::BTreeMap<u64, Option<(String, usize)>>| {
        let message = match &p.message {
            facts::Message::Text(text) => text.clone(),
            facts::Message::DuplicateOf { id, first } => {
                let at = match wanted.get(first) {
                    Some(Some((file, line))) if *line > 1 => format!("{file}:{line}"),
                    Some(Some((file, _))) => file.clone(),
                    _ => "another record".to_owned(),
                };
                format!("route id `{id}` is already used by the record in {at}")
            }
        };
        diagnostic.with_message(message).with_hint(p.hint)
    };
    input::discover(sources, &mut |found| {
        let (path, jsonl) = match found {
            input::Found::File(path) => {
                let jsonl = input::is_jsonl(&path);
                (Some(path), jsonl)
            }
            input::Found::Stdin => (None, true),
            input::Found::Problem(_) => return,
        };
        if ordinal > last || failure.is_some() {
            return;
        }
        let mut on_record = |rec: input::RecordText<'_>| {
            if let Some(slot) = wanted.get_mut(&ordinal) {
                *slot = Some((rec.display.to_owned(), rec.base_line + 1));
                let first = pending.partition_point(|p| p.ordinal < ordinal);
                for (i, p) in pending
                    .iter()
                    .enumerate()
                    .skip(first)
                    .take_while(|(_, p)| p.ordinal == ordinal)
                {
                    let place = place::Place::new(&rec, Some(&p.route));
                    let diagnostic = if p.with_span {
                        place.finding_at(p.code, default_severity(p.code), &p.pointer, false, p.label)
                    } else {
                        let anchor = place
                            .anchor(&p.pointer)
                            .with_code(p.code)
                            .with_severity(default_severity(p.code));
                        if p.label.is_empty() {
                            anchor
                        } else {
                            anchor.with_label(p.label)
                        }
                    };
                    placed[i] = true;
                    if let Err(e) = out.add(finish(p, diagnostic, &wanted)) {
                        failure.get_or_insert(e);
                    }
                }
            }
            if jsonl {
                ordinal += 1;
            }
        };
        match (&path, sources.stdin) {
            (Some(path), _) => input::read_file(path, options, &mut on_record, &mut |_| {}),
            (None, Some(stdin)) => input::read_stdin(stdin, options, &mut on_record, &mut |_| {}),
            (None, None) => {}
        }
        if !jsonl {
            // A `*.json` file takes one ordinal, record or not (as in `read_batches`).
            ordinal += 1;
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    for (p, placed) in pending.iter().zip(placed) {
        if !placed {
            // A record that changed or vanished since the first read is named
            // by its route id, without a place.
            let diagnostic = Diagnostic::new(p.code, default_severity(p.code), "").with_route(&p.route);
            out.add(finish(p, diagnostic, &wanted))?;
        }
    }
    Ok(())
}

/// Reads every record under `paths` the way `routes validate` does (same
/// files, same order, same limits) and hands each record that parses as a
/// [`routes_core::Route`] to `each`, with its file and 1-based line. Returns
/// how many records were skipped because they do not parse; validate first to
/// see why.
pub fn read_routes(paths: &[PathBuf], each: &mut dyn FnMut(routes_core::Route, &Path, usize)) -> Result<usize, Error> {
    let options = ValidateOptions::new(jiff::civil::date(2000, 1, 1));
    let mut skipped = 0;
    let mut problems = 0;
    let sources = input::Sources {
        paths,
        stdin: None,
        root: paths.iter().find(|p| p.is_dir()).map(PathBuf::as_path),
    };
    input::discover(&sources, &mut |found| {
        let path = match found {
            input::Found::File(path) => path,
            input::Found::Problem(_) => {
                problems += 1;
                return;
            }
            input::Found::Stdin => return,
        };
        // Straight into the model first (serde refuses a field named twice,
        // as the value path does); the value path for the rest.
        let mut on_record = |rec: input::RecordText<'_>| match serde_json::from_str::<routes_core::Route>(rec.text) {
            Ok(route) => each(route, rec.path, rec.base_line + 1),
            Err(_) => match json::parse(rec.text) {
                Ok(value) => match serde_json::from_value::<routes_core::Route>(value) {
                    Ok(route) => each(route, rec.path, rec.base_line + 1),
                    Err(_) => skipped += 1,
                },
                Err(_) => skipped += 1,
            },
        };
        input::read_file(&path, &options, &mut on_record, &mut |_| problems += 1);
    })?;
    Ok(skipped + problems)
}

/// The record files under `paths`, sorted, as `routes validate` reads them.
pub fn record_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let sources = input::Sources {
        paths,
        stdin: None,
        root: paths.iter().find(|p| p.is_dir()).map(PathBuf::as_path),
    };
    input::discover(&sources, &mut |found| {
        if let input::Found::File(path) = found {
            files.push(path);
        }
    })?;
    Ok(files)
}
