//! `routes sources check` and `routes sources archive`: parse, dispatch,
//! print. The fetching and comparing is `routes_sources`.

use std::fmt::Write as _;

use routes_diagnostics::Severity;
use routes_sources::{Dataset, Error, FetchOptions, Fetcher};

use super::{counts, outcome, plural};
use crate::ExitStatus;
use crate::args::{FetchArgs, Format, SourcesArchiveArgs, SourcesCheckArgs, SourcesCommand};
use crate::printer::{Printer, ToolError};

pub(crate) fn run(command: &SourcesCommand, printer: &Printer) -> Result<ExitStatus, ToolError> {
    match command {
        SourcesCommand::Check(args) => check(args, printer),
        SourcesCommand::Archive(args) => archive(args, printer),
    }
}

fn fetcher(args: &FetchArgs) -> Fetcher {
    let mut options = FetchOptions::default();
    options.timeout = std::time::Duration::from_secs(args.timeout);
    options.per_host_delay = args.per_host_delay;
    options.concurrency = usize::from(args.concurrency);
    options.max_body = args.max_body * 1024 * 1024;
    Fetcher::new(options)
}

/// A failure of the tool, with a hint of what to do.
fn tool_error(e: Error) -> ToolError {
    let hint = match &e {
        Error::Dataset { .. } | Error::Records { .. } => {
            "run in the folder that holds `dataset/`, or give `--dataset DIR`".to_owned()
        }
        Error::UnknownRoute { nearest: Some(id), .. } => format!("did you mean `{id}`?"),
        Error::UnknownRoute { .. } => {
            "a route id is `<cc>/<slug>`, as in `kz/temporary-residence-permit`; `routes search` finds routes".to_owned()
        }
        Error::UnknownSource { known, .. } => format!(
            "the route's sources are {}",
            known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ),
        Error::JsonLines { .. } => {
            "archive edits records kept one per file: move the record to `routes/<cc>/<slug>.json`".to_owned()
        }
        Error::SnapshotPath { .. } => {
            "a snapshot path is relative to the dataset folder and starts with `snapshots/`, such as `snapshots/kz/gov-kz-services.txt`".to_owned()
        }
        Error::NotOurs { .. } => "`routes` replaces only a snapshot whose header names the same page; move that file away, or set the source's `snapshot.path` to a new file".to_owned(),
        Error::LeftAlone { .. } => {
            "`routes` replaces only the file it read and checked: run the archive again once nothing else writes to it".to_owned()
        }
        Error::Untyped { .. } => "run `routes validate` on the record and fix what it reports first".to_owned(),
        Error::EditBroke { .. } => "this is a bug in `routes`; the record was left as it was".to_owned(),
        _ => "check that the dataset folder is writable and has room".to_owned(),
    };
    ToolError::from_error(e).hint(hint)
}

fn check(args: &SourcesCheckArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let dataset = Dataset::open(&args.dataset).map_err(tool_error)?;
    let fetcher = fetcher(&args.fetch);
    let bar = printer.progress_bar();
    if let Ok(style) = indicatif::ProgressStyle::with_template("fetching [{bar:40}] {pos}/{len} pages ({eta} left)") {
        bar.set_style(style.progress_chars("=> "));
    }
    let report = routes_sources::check(&dataset, &fetcher, &args.routes, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let report = report.map_err(tool_error)?;
    if report.skipped > 0 {
        printer.note(&format!(
            "{} of `{}` could not be read as routes and {} not checked; `routes validate {}` shows why",
            plural(report.skipped, "record"),
            args.dataset.display(),
            if report.skipped == 1 { "was" } else { "were" },
            args.dataset.display(),
        ));
    }
    let reverify = report.reverify();
    match args.format {
        Format::Json => {
            let mut out = String::new();
            for s in &report.sources {
                let _ = writeln!(out, "{}", s.to_json());
            }
            let summary = serde_json::json!({
                "reverify": reverify,
                "routes": report.routes,
                "sources": report.sources.len(),
                "pages": report.pages,
                "errors": report.count(Severity::Error),
                "warnings": report.count(Severity::Warning),
                "skipped": report.skipped,
            });
            let _ = writeln!(out, "{summary}");
            printer.data(&out)?;
        }
        Format::Human => {
            let mut out = String::new();
            let route_width = report
                .sources
                .iter()
                .map(|s| s.route.chars().count())
                .max()
                .unwrap_or(0);
            let source_width = report
                .sources
                .iter()
                .map(|s| s.source.chars().count())
                .max()
                .unwrap_or(0);
            for s in &report.sources {
                let status = s.status.map_or_else(|| "---".to_owned(), |c| c.to_string());
                let _ = write!(
                    out,
                    "{status:>3}  {:<route_width$}  {:<source_width$}  {}",
                    s.route, s.source, s.url
                );
                if s.final_url != s.url {
                    let _ = write!(out, " -> {}", s.final_url);
                }
                out.push('\n');
            }
            printer.data(&out)?;
            let findings: Vec<_> = report.sources.iter().flat_map(|s| s.findings.iter().cloned()).collect();
            printer.diagnostics_human(&findings)?;
            let mut list = String::new();
            if reverify.is_empty() {
                list.push_str("routes to re-verify: none\n");
            } else {
                let _ = writeln!(list, "routes to re-verify ({}):", reverify.len());
                for id in &reverify {
                    let _ = writeln!(list, "  {id}");
                }
            }
            printer.data(&list)?;
        }
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    printer.summary(&format!(
        "checked {} ({}) of {}: {}",
        plural(report.sources.len(), "source"),
        plural(report.pages, "page"),
        plural(report.routes, "route"),
        counts(errors, warnings, "all hold")
    ));
    Ok(outcome(errors, warnings, args.deny))
}

fn archive(args: &SourcesArchiveArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let today: routes_core::Date = match &args.today {
        Some(text) => text.parse().map_err(|e| {
            ToolError::new(format!("invalid `--today` / `ROUTES_TODAY`: {e}")).hint("write the date as `YYYY-MM-DD`")
        })?,
        None => jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
            .into(),
    };
    let dataset = Dataset::open(&args.dataset).map_err(tool_error)?;
    let fetcher = fetcher(&args.fetch);
    let report =
        routes_sources::archive(&dataset, &fetcher, &args.route, args.source.as_deref(), today).map_err(tool_error)?;
    let mut out = String::new();
    for a in &report.archived {
        let _ = writeln!(
            out,
            "{} `{}` of {} from {}: {} (sha256 {})",
            if a.changed { "archived" } else { "unchanged" },
            a.source,
            report.route,
            a.final_url,
            a.path,
            a.sha256
        );
        for record in &a.records {
            let _ = writeln!(out, "  recorded in {record}");
        }
    }
    printer.data(&out)?;
    printer.diagnostics_human(&report.findings)?;
    let errors = report
        .findings
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warnings = report.findings.len() - errors;
    printer.summary(&format!(
        "archived {} of {}: {}",
        plural(report.archived.len(), "source"),
        report.route,
        if report.findings.is_empty() {
            "no findings".to_owned()
        } else {
            format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
        }
    ));
    Ok(if report.findings.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
