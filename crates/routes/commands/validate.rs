//! `routes validate`.

use std::fmt::Write as _;

use routes_validate::{Error, RULES, Severity, ValidateOptions, Validator};

use super::{counts, outcome, plural};
use crate::ExitStatus;
use crate::args::{Format, ValidateArgs};
use crate::printer::{Printer, ToolError};

pub(crate) fn run(args: &ValidateArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    if args.list_rules {
        printer.data(&list_rules())?;
        return Ok(ExitStatus::Success);
    }
    if let Some(code) = &args.explain {
        let text = explain(code).ok_or_else(|| {
            ToolError::new(format!("no rule has the code `{code}`"))
                .hint("`routes validate --list-rules` lists every code")
        })?;
        printer.data(&text)?;
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
    // Findings are printed as they come, sorted, a chunk at a time: however
    // many there are, they are never all held in memory.
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut failed_output = None;
    let mut print = |chunk: &mut Vec<routes_validate::Diagnostic>| {
        if failed_output.is_none() {
            let outcome = match args.format {
                Format::Human => printer.diagnostics_human(chunk),
                Format::Json => printer.diagnostics_json(chunk),
            };
            failed_output = outcome.err();
        }
        chunk.clear();
    };
    let result = validator.validate_paths_streamed(&args.paths, None, &mut |d| {
        chunk.push(d);
        if chunk.len() >= CHUNK {
            print(&mut chunk);
        }
    });
    print(&mut chunk);
    let report = result.map_err(|e| {
        let hint = match &e {
            Error::Config(_) => "fix `routes.toml` (see `ARCHITECTURE.md`, \"Rule settings\"), or pass another with `--config`",
            Error::StdinWithPaths => "validate standard input on its own: `routes validate - < records.jsonl`",
            Error::Stdin { .. } | Error::Spill { .. } => "check that the temporary folder (`TMPDIR`) is writable and has room",
            _ => "give a file or folder that exists; without arguments `routes validate` reads `dataset/` in the current folder",
        };
        ToolError::from_error(e).hint(hint)
    })?;
    if let Some(err) = failed_output {
        return Err(err);
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    printer.summary(&format!(
        "checked {} in {}: {}",
        plural(report.records, "record"),
        plural(report.files, "file"),
        counts(errors, warnings, "no findings")
    ));
    Ok(outcome(errors, warnings, args.deny))
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
