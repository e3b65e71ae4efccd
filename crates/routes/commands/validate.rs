//! `routes validate`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use routes_validate::{Diagnostic, Error, RULES, Severity, ValidateOptions, Validator};

use super::{counts, outcome, plural};
use crate::ExitStatus;
use crate::args::{ValidateArgs, ValidateFormat};
use crate::printer::{Printer, ToolError};
use crate::report::{Sarif, github_annotation};

pub(crate) fn run(args: &ValidateArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    if args.list_rules {
        let text = match args.format {
            ValidateFormat::Human => list_rules(),
            ValidateFormat::Json => list_rules_json(),
            other => {
                return Err(ToolError::new(format!(
                    "`--list-rules` prints `human` or `json`, not `{}`",
                    format_name(other)
                ))
                .hint("use `--list-rules --format json` for a list programs read"));
            }
        };
        printer.data(&text)?;
        return Ok(ExitStatus::Success);
    }
    if let Some(code) = &args.explain {
        printer.data(&explain_or_suggest(code)?)?;
        return Ok(ExitStatus::Success);
    }
    let today = match &args.today {
        Some(text) => text
            .parse::<routes_core::Date>()
            .map_err(|e| {
                ToolError::new(format!("invalid `--today` / `ROUTES_TODAY`: {e}"))
                    .hint("write the date as `YYYY-MM-DD`")
            })?
            .civil(),
        None => jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
    };
    let mut options = ValidateOptions::new(today);
    options.config.clone_from(&args.config);
    let validator = Validator::new(options).map_err(ToolError::from_error)?;
    let target = Target::of(args)?;
    // Findings are printed as they come, sorted, a chunk at a time: however
    // many there are, they are never all held in memory.
    let mut out = Output::new(args.format, printer)?;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut on_finding = |d| {
        chunk.push(d);
        if chunk.len() >= CHUNK {
            out.print(&mut chunk);
        }
    };
    let result = match &target {
        Target::Paths(paths) => validator.validate_paths_streamed(paths, None, &mut on_finding),
        Target::InDataset { dataset, files } => validator.validate_in_dataset(dataset, files, &mut on_finding),
    };
    out.print(&mut chunk);
    let report = result.map_err(|e| {
        let hint = match &e {
            Error::Config(_) => "fix `routes.toml` (see `ARCHITECTURE.md`, \"Rule settings\"), or pass another with `--config`",
            Error::StdinWithPaths => "validate standard input on its own: `routes validate - < records.jsonl`",
            Error::Stdin { .. } | Error::Spill { .. } => "check that the temporary folder (`TMPDIR`) is writable and has room",
            _ => "give a file or folder that exists; without arguments `routes validate` reads `dataset/` in the current folder",
        };
        ToolError::from_error(e).hint(hint)
    })?;
    out.finish()?;
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let checked = match &target {
        Target::InDataset { dataset, .. } => format!(
            "checked {} against the {} of `{}`",
            plural(report.focused, "file"),
            plural(report.records, "record"),
            dataset.display()
        ),
        Target::Paths(_) => format!(
            "checked {} in {}",
            plural(report.records, "record"),
            plural(report.files, "file")
        ),
    };
    printer.summary(&format!("{checked}: {}", counts(errors, warnings, "no findings")));
    Ok(outcome(errors, warnings, args.deny))
}

/// What a run reads.
enum Target {
    /// These files and folders, on their own.
    Paths(Vec<PathBuf>),
    /// Files named one by one, checked against the dataset they belong to.
    InDataset { dataset: PathBuf, files: Vec<PathBuf> },
}

impl Target {
    /// Files named one by one are checked against their dataset: `--dataset`,
    /// or the folder of the `routes.toml` above the first. Folders, standard
    /// input, or files with no dataset above them are read on their own.
    fn of(args: &ValidateArgs) -> Result<Self, ToolError> {
        if args.paths.is_empty() {
            return Ok(Self::Paths(vec![
                args.dataset.clone().unwrap_or_else(|| "dataset".into()),
            ]));
        }
        let all_files = args
            .paths
            .iter()
            .all(|p| p.as_os_str() != "-" && std::fs::metadata(p).is_ok_and(|m| m.is_file()));
        if !all_files {
            return Ok(Self::Paths(args.paths.clone()));
        }
        let dataset = match &args.dataset {
            Some(dataset) => {
                if !dataset.is_dir() {
                    return Err(
                        ToolError::new(format!("`--dataset {}` is not a folder", dataset.display()))
                            .hint("give the dataset folder, the one that holds `routes.toml` and `routes/`"),
                    );
                }
                Some(dataset.clone())
            }
            None => routes_validate::find_config(&args.paths[0])
                .and_then(|config| config.parent().map(Path::to_path_buf))
                .map(|dir| {
                    if dir.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        dir
                    }
                }),
        };
        Ok(match dataset {
            Some(dataset) => Self::InDataset {
                dataset,
                files: args.paths.clone(),
            },
            None => Self::Paths(args.paths.clone()),
        })
    }
}

/// Where the findings go, in the format asked for.
struct Output<'p> {
    format: ValidateFormat,
    printer: &'p Printer,
    sarif: Option<Sarif>,
    /// The first failure to write: later chunks are dropped.
    failed: Option<ToolError>,
}

impl<'p> Output<'p> {
    fn new(format: ValidateFormat, printer: &'p Printer) -> Result<Self, ToolError> {
        let sarif = if format == ValidateFormat::Sarif {
            let (sarif, head) = Sarif::begin();
            printer.data(&head)?;
            Some(sarif)
        } else {
            None
        };
        Ok(Self {
            format,
            printer,
            sarif,
            failed: None,
        })
    }

    fn print(&mut self, chunk: &mut Vec<Diagnostic>) {
        if self.failed.is_none() && !chunk.is_empty() {
            // A SARIF run holds its log from the start (`Output::new`).
            let outcome = match (self.format, self.sarif.as_mut()) {
                (ValidateFormat::Sarif, Some(sarif)) => {
                    let text: String = chunk.iter().map(|d| sarif.result(d)).collect();
                    self.printer.data(&text)
                }
                (ValidateFormat::Json, _) => self.printer.diagnostics_json(chunk),
                (ValidateFormat::Github, _) => self
                    .printer
                    .data(&chunk.iter().map(github_annotation).collect::<String>()),
                _ => self.printer.diagnostics_human(chunk),
            };
            self.failed = outcome.err();
        }
        chunk.clear();
    }

    fn finish(self) -> Result<(), ToolError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        if let Some(sarif) = self.sarif {
            self.printer.data(&sarif.end())?;
        }
        Ok(())
    }
}

fn format_name(format: ValidateFormat) -> &'static str {
    match format {
        ValidateFormat::Human => "human",
        ValidateFormat::Json => "json",
        ValidateFormat::Github => "github",
        ValidateFormat::Sarif => "sarif",
    }
}

/// Findings printed at a time.
const CHUNK: usize = 256;

/// One line per rule: code, default severity, summary.
pub(crate) fn list_rules() -> String {
    let width = RULES.iter().map(|r| r.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in RULES.iter() {
        let _ = writeln!(out, "{:<width$}  {:<7}  {}", r.code, r.severity.as_str(), r.summary);
    }
    out
}

/// One JSON object per rule (JSON Lines): code, default severity, what it
/// checks, why, an example and the failure kinds it catches; then the codes
/// of `routes sources`.
pub(crate) fn list_rules_json() -> String {
    let mut out = String::new();
    for r in RULES.iter() {
        let value = serde_json::json!({
            "code": r.code,
            "severity": r.severity.as_str(),
            "summary": r.summary,
            "why": r.why,
            "example": r.example,
            "catches": r.catches,
            "command": "validate",
        });
        let _ = writeln!(out, "{value}");
    }
    for c in routes_sources::CODES {
        let value = serde_json::json!({
            "code": c.code,
            "severity": c.severity.as_str(),
            "summary": c.what,
            "why": c.why,
            "example": null,
            "catches": [],
            "command": "sources",
        });
        let _ = writeln!(out, "{value}");
    }
    out
}

/// Every code `--explain` knows: the rules of `routes validate`, then those
/// of `routes sources`.
fn all_codes() -> impl Iterator<Item = &'static str> + Clone {
    RULES
        .iter()
        .map(|r| r.code)
        .chain(routes_sources::CODES.iter().map(|c| c.code))
}

/// The explanation of `code`, which may leave out its family
/// (`implausible-amount`), or an error naming the nearest codes.
fn explain_or_suggest(code: &str) -> Result<String, ToolError> {
    let wanted = code.trim().to_ascii_lowercase().replace('_', "-");
    if let Some(text) = explain(&wanted) {
        return Ok(text);
    }
    // Without the family prefix: `implausible-amount`.
    let bare: Vec<&str> = all_codes()
        .filter(|c| c.rsplit_once('/').is_some_and(|(_, name)| name == wanted))
        .collect();
    if let [only] = bare[..] {
        return explain(only).ok_or_else(|| ToolError::new(format!("no rule has the code `{code}`")));
    }
    let mut error = ToolError::new(format!("no rule has the code `{code}`"));
    if bare.len() > 1 {
        error = error.hint(format!(
            "several families have it: {}",
            bare.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        ));
        return Err(error);
    }
    // Names are compared without their families, which most codes share.
    let wanted_name = wanted.rsplit_once('/').map_or(wanted.as_str(), |(_, n)| n);
    let name = |c: &'static str| c.rsplit_once('/').map_or(c, |(_, n)| n);
    let hint = match routes_core::text::nearest(wanted_name, all_codes().map(name)) {
        Some(near) => {
            let code = all_codes().find(|c| name(c) == near).unwrap_or(near);
            format!("did you mean `{code}`? (`routes validate --list-rules` lists every code)")
        }
        None => "`routes validate --list-rules` lists every code".to_owned(),
    };
    Err(error.hint(hint))
}

/// What a rule checks, why, and an example.
pub(crate) fn explain(code: &str) -> Option<String> {
    let Some(r) = routes_validate::rule(code) else {
        // The codes of `routes sources check` and `archive`.
        let c = routes_sources::code(code)?;
        return Some(format!(
            "{}  ({}; reported by `routes sources check` and `routes sources archive`)\n\nIt reports that {}.\n\nWhy: {}.\n\nWhat to do: {}.\n",
            c.code,
            c.severity.as_str(),
            c.what,
            c.why,
            c.hint
        ));
    };
    let mut out = format!(
        "{}  ({} by default)\n\n{}.\n\nWhy: {}\n\nExample that trips it:\n",
        r.code,
        r.severity.as_str(),
        r.summary,
        r.why
    );
    for line in r.example.lines() {
        let _ = writeln!(out, "    {line}");
    }
    if !r.catches.is_empty() {
        let _ = write!(out, "\nCatches: {} (see docs/rules.md)\n", r.catches.join(", "));
    }
    let _ = write!(
        out,
        "\nChange its severity, or silence it for one value with a reason, in `routes.toml`:\n\n    [severity]\n    \"{}\" = \"warning\"   # or \"error\", \"off\"\n",
        r.code
    );
    Some(out)
}
