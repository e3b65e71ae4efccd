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

mod config;
mod cross;
mod input;
mod locate;
mod quality;
mod record;
mod reference;
mod registry;
mod rules;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use config::{Allow, CONFIG_VERSION, Config, ConfigError, Level, find_config};
pub use reference::{CountryReference, REFERENCE_VERSION, Reference};
pub use registry::{RULES, Rule, UNCHECKED, default_severity, rule, rules_markdown};
pub use routes_diagnostics::{Diagnostic, Severity};
pub use schema::{ROUTE_SCHEMA, RouteSchema};

/// What receives each record that satisfies the schema: typed, and as text.
type EachRecord<'a> = dyn FnMut(routes_core::Route, &str) + 'a;

/// Records checked in parallel at a time: enough to keep every core busy,
/// few enough to keep memory small.
const BATCH: usize = 256;

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
}

/// What checking a queued record gives.
struct Done {
    ordinal: u64,
    /// `None` when the file held no record to check (its problems say why).
    checked: Option<record::Checked>,
    /// Problems with the bytes of the file.
    problems: Vec<Diagnostic>,
    /// The text of a whole-file record that satisfies the schema (a line's
    /// text stays in its [`Queued`]).
    text: Option<String>,
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
                    checked: Some(record::check(&rec, schema, ctx)),
                    problems: Vec::new(),
                    text: None,
                }
            }
            Queued::File { ordinal, path } => {
                let mut done = Done {
                    ordinal: *ordinal,
                    checked: None,
                    problems: Vec::new(),
                    text: None,
                };
                let mut on_record = |rec: input::RecordText<'_>| {
                    let checked = record::check(&rec, schema, ctx);
                    if keep_text && checked.route.is_some() {
                        done.text = Some(rec.text.to_owned());
                    }
                    done.checked = Some(checked);
                };
                input::read_file(path, options, &mut on_record, &mut done.problems);
                done
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
    /// The cross-record rules could not keep their state in a temporary file.
    #[error("cannot write the cross-record state to a temporary file")]
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
}

impl ValidateOptions {
    /// Default settings with `today` as the current date.
    #[must_use]
    pub fn new(today: jiff::civil::Date) -> Self {
        Self {
            today,
            max_record_bytes: 16 * 1024 * 1024,
            config: None,
        }
    }
}

/// The outcome of a run: every finding, sorted, and what was read.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Report {
    /// Findings, sorted by file, line, column, pointer and code.
    pub diagnostics: Vec<Diagnostic>,
    /// Records read (parsed as JSON).
    pub records: usize,
    /// Files read.
    pub files: usize,
    /// The `routes.toml` that was applied, if any.
    pub config: Option<PathBuf>,
}

impl Report {
    /// Number of findings with this severity.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity() == severity).count()
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
        self.validate(paths, None)
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
        self.validate(paths, Some(each))
    }

    /// One validation pass; records are handed to `each`, if given (only then
    /// is a whole-file record's text kept past its check).
    fn validate(&self, paths: &[PathBuf], mut each: Option<&mut EachRecord<'_>>) -> Result<Report, Error> {
        let keep_text = each.is_some();
        let config_path = self
            .options
            .config
            .clone()
            .or_else(|| paths.first().and_then(|p| find_config(p)));
        let config = config_path
            .as_deref()
            .map(Config::load)
            .transpose()?
            .unwrap_or_default();
        let mut findings = Vec::new();
        let reference = config
            .reference_dir()
            .map(|dir| Reference::load(&dir, &mut findings))
            .unwrap_or_default();
        // Snapshots resolve against the dataset root: the config's folder, or
        // else the first folder validated.
        let root = config
            .root()
            .map(Path::to_path_buf)
            .or_else(|| paths.iter().find(|p| p.is_dir()).cloned());
        let ctx = quality::QualityContext {
            reference: &reference,
            root: root.as_deref(),
            today: self.options.today,
        };

        // One thread reads (in order, one folder and one batch at a time);
        // batches are checked in parallel as they arrive, and their summaries
        // handed to the cross-record rules in reading order.
        let mut cross = cross::CrossRecord::default();
        let read = std::thread::scope(|scope| {
            let (sender, batches) = std::sync::mpsc::sync_channel::<Vec<Queued>>(2);
            let reader = scope.spawn(move || read_batches(paths, &self.options, &sender));
            let mut records = 0;
            for batch in batches {
                let results: Vec<Done> = batch
                    .par_iter()
                    .map(|r| r.check(&self.schema, &ctx, &self.options, keep_text))
                    .collect();
                for (queued, mut done) in batch.iter().zip(results) {
                    findings.append(&mut done.problems);
                    let Some(mut checked) = done.checked else { continue };
                    records += 1;
                    findings.append(&mut checked.diagnostics);
                    if let Some(summary) = &checked.summary {
                        cross.add(done.ordinal, summary);
                    }
                    if let (Some(route), Some(each)) = (checked.route, each.as_mut()) {
                        let text = match (queued, &done.text) {
                            (Queued::Line { text, .. }, _) | (Queued::File { .. }, Some(text)) => text.as_str(),
                            (Queued::File { .. }, None) => "",
                        };
                        each(route, text);
                    }
                }
            }
            let read = reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            read.map(|read| (read, records))
        })?;
        let (read, records) = read;
        let pending = cross.finish().map_err(|source| Error::Spill { source })?;
        place_pending(paths, &self.options, pending, &mut findings)?;
        findings.extend(read.problems);
        let mut report = Report {
            config: config.path.clone(),
            records,
            files: read.files,
            diagnostics: config.apply(findings),
        };
        routes_diagnostics::sort_diagnostics(&mut report.diagnostics);
        Ok(report)
    }
}

/// What the reading thread counted and met.
struct Read {
    files: usize,
    problems: Vec<Diagnostic>,
}

/// Walks `paths` in order and sends the records on in batches: the lines of
/// `*.jsonl` files as read, whole `*.json` files to be read by the checker.
/// Each record gets the next ordinal; a `*.json` file takes one whether or not
/// it turns out to hold a record (`place_pending` counts the same way).
fn read_batches(
    paths: &[PathBuf],
    options: &ValidateOptions,
    sender: &std::sync::mpsc::SyncSender<Vec<Queued>>,
) -> Result<Read, Error> {
    let mut read = Read {
        files: 0,
        problems: Vec::new(),
    };
    let mut ordinal = 0u64;
    let mut batch: Vec<Queued> = Vec::with_capacity(BATCH);
    let send = |batch: &mut Vec<Queued>| {
        if batch.len() >= BATCH {
            // The checker stops taking batches only when it is done.
            let _ = sender.send(std::mem::replace(batch, Vec::with_capacity(BATCH)));
        }
    };
    input::discover(paths, &mut |found| match found {
        input::Found::File(path) if !input::is_jsonl(&path) => {
            read.files += 1;
            batch.push(Queued::File { ordinal, path });
            ordinal += 1;
            send(&mut batch);
        }
        input::Found::File(path) => {
            read.files += 1;
            let path: Arc<Path> = Arc::from(path);
            let display: Arc<str> = Arc::from(input::display(&path));
            let mut on_record = |rec: input::RecordText<'_>| {
                batch.push(Queued::Line {
                    ordinal,
                    path: Arc::clone(&path),
                    display: Arc::clone(&display),
                    text: rec.text.to_owned(),
                    base_offset: rec.base_offset,
                    base_line: rec.base_line,
                });
                ordinal += 1;
                send(&mut batch);
            };
            input::read_file(&path, options, &mut on_record, &mut read.problems);
        }
        input::Found::Problem(diagnostic) => read.problems.push(*diagnostic),
    })?;
    if !batch.is_empty() {
        let _ = sender.send(batch);
    }
    Ok(read)
}

/// Places the cross-record findings: reads the records they are about again
/// (only those; nothing when there are none) and points into their text.
fn place_pending(
    paths: &[PathBuf],
    options: &ValidateOptions,
    pending: Vec<cross::Pending>,
    out: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    if pending.is_empty() {
        return Ok(());
    }
    // The records to read again: those with findings, and the first records
    // that duplicate ids point back to.
    let mut wanted: std::collections::BTreeMap<u64, Option<(String, usize)>> = pending
        .iter()
        .flat_map(|p| {
            let first = match p.message {
                cross::Message::DuplicateOf { first, .. } => Some(first),
                cross::Message::Text(_) => None,
            };
            std::iter::once(p.ordinal).chain(first)
        })
        .map(|o| (o, None))
        .collect();
    let mut placed: Vec<Option<Diagnostic>> = pending.iter().map(|_| None).collect();
    let last = wanted.keys().next_back().copied().unwrap_or(0);
    let mut ordinal = 0u64;
    let mut ignored = Vec::new();
    input::discover(paths, &mut |found| {
        let input::Found::File(path) = found else { return };
        if ordinal > last {
            return;
        }
        let jsonl = input::is_jsonl(&path);
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
                    let place = record::Place::new(&rec, Some(&p.route));
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
                    placed[i] = Some(diagnostic);
                }
            }
            if jsonl {
                ordinal += 1;
            }
        };
        input::read_file(&path, options, &mut on_record, &mut ignored);
        if !jsonl {
            // A `*.json` file takes one ordinal, record or not (as in `read_batches`).
            ordinal += 1;
        }
    })?;
    for (p, diagnostic) in pending.into_iter().zip(placed) {
        // A record that changed or vanished since the first read is named by
        // its route id, without a place.
        let diagnostic =
            diagnostic.unwrap_or_else(|| Diagnostic::new(p.code, default_severity(p.code), "").with_route(&p.route));
        let message = match p.message {
            cross::Message::Text(text) => text,
            cross::Message::DuplicateOf { id, first } => {
                let at = match wanted.get(&first) {
                    Some(Some((file, line))) if *line > 1 => format!("{file}:{line}"),
                    Some(Some((file, _))) => file.clone(),
                    _ => "another record".to_owned(),
                };
                format!("route id `{id}` is already used by the record in {at}")
            }
        };
        out.push(diagnostic.with_message(message).with_hint(p.hint));
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
    let mut problems = Vec::new();
    input::discover(paths, &mut |found| {
        let input::Found::File(path) = found else { return };
        let mut on_record = |rec: input::RecordText<'_>| match serde_json::from_str::<routes_core::Route>(rec.text) {
            Ok(route) => each(route, rec.path, rec.base_line + 1),
            Err(_) => skipped += 1,
        };
        input::read_file(&path, &options, &mut on_record, &mut problems);
    })?;
    Ok(skipped + problems.len())
}

/// The record files under `paths`, sorted, as `routes validate` reads them.
pub fn record_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    input::discover(paths, &mut |found| {
        if let input::Found::File(path) = found {
            files.push(path);
        }
    })?;
    Ok(files)
}
