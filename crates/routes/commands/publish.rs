//! `routes publish`.

use std::fmt::Write as _;

use routes_release::{Error, PartitionBy, Progress, PublishOptions, ReleaseVersion};
use routes_validate::Severity;

use super::counts;
use crate::ExitStatus;
use crate::args::{PartitionArg, PublishArgs};
use crate::printer::{Printer, ToolError, error_chain};

/// The progress bar, fed by the release's progress events: a spinner while
/// validating, then a bar of the routes written; and a note for each scratch
/// folder an interrupted run left that was swept.
struct Bar<'a>(indicatif::ProgressBar, &'a Printer);

impl Progress for Bar<'_> {
    fn swept(&self, path: &std::path::Path) {
        self.0.suspend(|| {
            self.1.note(&format!(
                "removed `{}`, the scratch folder of a run that was interrupted",
                path.display()
            ));
        });
    }

    fn unowned(&self, path: &std::path::Path) {
        self.0.suspend(|| {
            self.1.note(&format!(
                "`{}` looks like the scratch folder of an older `routes publish`, but holds no lock file, so it was left as it is: remove it by hand once no publish is running",
                path.display()
            ));
        });
    }

    fn validating(&self) {
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            self.0.set_style(style);
        }
        self.0.set_message("validating");
        self.0.enable_steady_tick(std::time::Duration::from_millis(120));
    }

    fn writing(&self, records: u64) {
        self.0.disable_steady_tick();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} routes ({eta} left)") {
            self.0.set_style(style.progress_chars("=> "));
        }
        self.0.set_message("writing");
        self.0.set_length(records);
        self.0.set_position(0);
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    fn done(&self) {
        self.0.finish_and_clear();
    }
}

fn today(text: Option<&str>) -> Result<jiff::civil::Date, ToolError> {
    match text {
        Some(text) => Ok(text
            .parse::<routes_core::Date>()
            .map_err(|e| {
                ToolError::new(format!("invalid `--today` / `ROUTES_TODAY`: {e}"))
                    .hint("write the date as `YYYY-MM-DD`")
            })?
            .civil()),
        None => Ok(jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()),
    }
}

/// `SOURCE_DATE_EPOCH`, the reproducible-builds convention for the build date.
fn source_date_epoch() -> Result<Option<i64>, ToolError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.trim().is_empty() => text.trim().parse().map(Some).map_err(|_| {
            ToolError::new(format!("invalid `SOURCE_DATE_EPOCH`: `{text}`"))
                .hint("give whole seconds since 1970-01-01 UTC, such as `1764028800`, or unset it")
        }),
        _ => Ok(None),
    }
}

/// The search index of a release (`index/`, for `routes search --release`),
/// built as `routes publish` writes the routes.
struct ReleaseIndex(routes_index::IndexBuilder);

impl routes_release::Derived for ReleaseIndex {
    fn add(&mut self, route: routes_core::Route) -> Result<(), String> {
        self.0.add_owned(route).map_err(|e| error_chain(&e))
    }

    fn finish(self: Box<Self>, jsonl_sha256: &str) -> Result<(), String> {
        // A release's index is fingerprinted by the SHA-256 of its `routes.jsonl`,
        // the one `SHA256SUMS` lists (and `routes search --release` checks).
        self.0.finish(jsonl_sha256).map_err(|e| error_chain(&e))?;
        Ok(())
    }
}

fn start_release_index(staging: &std::path::Path) -> Result<Box<dyn routes_release::Derived>, String> {
    let builder = routes_index::IndexBuilder::with_memory(&staging.join("index"), routes_index::RELEASE_WRITER_HEAP)
        .map_err(|e| error_chain(&e))?;
    Ok(Box::new(ReleaseIndex(builder)))
}

pub(crate) fn run(args: &PublishArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let version: ReleaseVersion = args.version.parse().map_err(|e| {
        ToolError::from_error(e).hint("give a SemVer version `MAJOR.MINOR.PATCH`, such as `1.0.0` or `1.1.0-rc.1`")
    })?;
    let mut options = PublishOptions::new(&args.dataset, &args.out, version, today(args.today.as_deref())?);
    options.source_date_epoch = source_date_epoch()?;
    options.derived = Some(start_release_index);
    options.partition_by = args.partition_by.map(|PartitionArg::Country| PartitionBy::Country);

    let bar = Bar(printer.progress_bar(), printer);
    let result = routes_release::publish(&options, &bar);
    bar.0.finish_and_clear();
    let published = match result {
        Ok(published) => published,
        Err(Error::Findings { report }) => {
            // The errors, in full: they stop the release. The warnings do not,
            // and are counted by rule (`routes validate` prints them).
            let errors: Vec<_> = report
                .diagnostics
                .iter()
                .filter(|d| d.severity() == Severity::Error)
                .cloned()
                .collect();
            printer.diagnostics_human(&errors)?;
            if let Some(line) = warnings_by_rule(&report.warnings_by_rule(), &args.dataset) {
                printer.note(&line);
            }
            printer.summary(&format!(
                "refused to publish {}: the dataset has {}; `routes validate {}` shows them too",
                options.version.dir_name(),
                counts(
                    report.count(Severity::Error),
                    report.count(Severity::Warning),
                    "no findings"
                ),
                args.dataset.display(),
            ));
            return Ok(ExitStatus::Failure);
        }
        Err(Error::Untyped { read, handed, located }) => {
            printer.diagnostics_human(&located)?;
            printer.tool_error(
                &ToolError::new(format!(
                    "refused to publish {}: {} of the {read} records read cannot be read as routes, so the release would leave {}",
                    options.version.dir_name(),
                    read - handed,
                    if read - handed == 1 { "it out" } else { "them out" },
                ))
                .hint(format!(
                    "a release holds every record or none, whatever `routes.toml` says: fix {} shown above (`routes.toml` lowered or silenced {}), or take {} out of `{}`",
                    if read - handed == 1 { "the record" } else { "the records" },
                    if located.len() == 1 { "its finding" } else { "their findings" },
                    if read - handed == 1 { "it" } else { "them" },
                    args.dataset.display(),
                )),
            );
            return Ok(ExitStatus::Failure);
        }
        Err(err @ Error::Incomplete { .. }) => {
            let Error::Incomplete { located, dangling, .. } = &err else {
                unreachable!("matched above")
            };
            printer.diagnostics_human(located)?;
            let mut message = format!("refused to publish {}: {err}", options.version.dir_name());
            if located.is_empty() {
                for link in dangling.iter().take(20) {
                    let _ = write!(
                        message,
                        "\n  `{}` at `/related/{}/id` names `{}`",
                        link.route, link.index, link.target
                    );
                }
            }
            printer.tool_error(&ToolError::new(message).hint(
                "a release holds each route once and every route its `related` links name, whatever `routes.toml` says: fix the records shown above; nothing was published",
            ));
            return Ok(ExitStatus::Failure);
        }
        Err(err) => {
            let hint = match &err {
                Error::Exists { .. } => {
                    "a published version is never rewritten: publish the changes as a new version (such as the next patch)"
                }
                Error::Validate(_) | Error::Empty { .. } => {
                    "give the dataset folder with `--dataset DIR`; without it `routes publish` reads `dataset/` in the current folder"
                }
                Error::About { .. } => {
                    "`ABOUT.md` is the dataset's own description for the release card: a UTF-8 text file of at most 1 MiB inside the dataset folder (no link out of it); fix or remove it; nothing was published"
                }
                Error::OutDir { .. } | Error::Io { .. } => {
                    "check that the output folder is writable and has space, or choose another with `--out DIR`; nothing was published"
                }
                Error::PreviousDamaged { release, .. } => &format!(
                    "restore `{}` from a copy of the published release, or move it out of `{}` (the changelog compares with the highest earlier release there); nothing was published",
                    release.display(),
                    args.out.display(),
                ),
                Error::Compare(_) => {
                    "the previous release in the output folder was not made by this `routes publish`: restore it from a copy, or move it out of the output folder; nothing was published"
                }
                Error::OutInsideDataset { .. } => {
                    "put releases outside the dataset, or the next `routes validate` reads them as records: choose another `--out DIR`"
                }
                Error::OutInsideRelease { .. } => {
                    "a published release is never changed, not even by a folder added to it: choose an `--out DIR` outside it, such as the folder that holds it"
                }
                Error::Interrupted { .. } => {
                    "unset `ROUTES_FAIL_AFTER_FILES`: it is a test hook; nothing was published"
                }
                _ => "nothing was published; the output folder is as it was",
            };
            return Err(ToolError::from_error(err).hint(hint));
        }
    };
    if let Some(line) = warnings_by_rule(&published.warnings, &args.dataset) {
        printer.note(&line);
    }
    printer.data(&format!("{}\n", published.path.display()))?;
    let stats = &published.stats;
    printer.summary(&format!(
        "published {} of {} in {} files and a search index to {}{}",
        plural(stats.routes, "route", "routes"),
        plural(
            u64::try_from(stats.countries.len()).unwrap_or(u64::MAX),
            "country",
            "countries"
        ),
        published.files.len(),
        published.path.display(),
        published
            .previous
            .as_ref()
            .map_or_else(String::new, |p| format!(" (changelog against {p})")),
    ));
    Ok(ExitStatus::Success)
}

/// The warnings of a publish, counted by rule, most frequent first, in one
/// line with the command that prints them; `None` when there are none.
fn warnings_by_rule(by_rule: &std::collections::BTreeMap<String, usize>, dataset: &std::path::Path) -> Option<String> {
    let total: usize = by_rule.values().sum();
    if total == 0 {
        return None;
    }
    let mut rules: Vec<(&str, usize)> = by_rule.iter().map(|(code, n)| (code.as_str(), *n)).collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = rules.iter().take(5).map(|(code, n)| format!("{n} {code}")).collect();
    let more = if rules.len() > 5 {
        format!(" and {} more rules", rules.len() - 5)
    } else {
        String::new()
    };
    Some(format!(
        "{} ({}{more}): `routes validate {}` prints each",
        super::plural(total, "warning"),
        shown.join(", "),
        dataset.display()
    ))
}

fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}
