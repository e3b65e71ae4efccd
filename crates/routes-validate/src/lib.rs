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

mod input;
mod locate;
mod record;
mod rules;
mod schema;

use std::path::PathBuf;

pub use routes_diagnostics::{Diagnostic, Severity};
pub use schema::{ROUTE_SCHEMA, RouteSchema};

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
}

/// Settings of a validation run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ValidateOptions {
    /// The date taken as today: dates after it are in the future.
    pub today: jiff::civil::Date,
    /// Largest `*.json` file or `*.jsonl` line read, in bytes.
    pub max_record_bytes: u64,
}

impl ValidateOptions {
    /// Default settings with `today` as the current date.
    #[must_use]
    pub fn new(today: jiff::civil::Date) -> Self {
        Self {
            today,
            max_record_bytes: 16 * 1024 * 1024,
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
    /// directories). A path that does not exist is an [`Error`]; everything
    /// wrong inside the files is a finding in the [`Report`].
    pub fn validate_paths(&self, paths: &[PathBuf]) -> Result<Report, Error> {
        let files = input::discover(paths)?;
        let mut report = Report::default();
        let mut summaries = Vec::new();
        let mut findings = Vec::new();
        let mut problems = Vec::new();
        for file in files {
            match file {
                input::Found::File(path) => {
                    report.files += 1;
                    let mut on_record = |rec: input::RecordText<'_>| {
                        report.records += 1;
                        let (mut diags, summary) = record::check(&rec, &self.schema, &self.options);
                        findings.append(&mut diags);
                        summaries.extend(summary);
                    };
                    input::read_file(&path, &self.options, &mut on_record, &mut problems);
                }
                input::Found::Problem(diagnostic) => problems.push(*diagnostic),
            }
        }
        findings.append(&mut problems);
        findings.extend(rules::cross_record(&summaries));
        report.diagnostics = findings;
        routes_diagnostics::sort_diagnostics(&mut report.diagnostics);
        Ok(report)
    }
}
