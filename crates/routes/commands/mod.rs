//! One module per subcommand.

pub(crate) mod diff;
pub(crate) mod eligible;
pub(crate) mod list;
pub(crate) mod new;
pub(crate) mod publish;
pub(crate) mod reference;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod show;
pub(crate) mod sources;
pub(crate) mod validate;

use crate::ExitStatus;
use crate::args::Deny;

/// `1 record`, `2 records`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The end of a summary line: `clean` when there are no findings, else the counts.
pub(crate) fn counts(errors: usize, warnings: usize, clean: &str) -> String {
    if errors + warnings == 0 {
        clean.to_owned()
    } else {
        format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
    }
}

/// The note that records of a dataset were left out because they cannot be
/// read as routes (said once, with the command that shows why).
pub(crate) fn note_left_out(printer: &crate::printer::Printer, dataset: &std::path::Path, skipped: usize) {
    if skipped > 0 {
        printer.note(&format!(
            "{} of `{}` left out: {} cannot be read as routes; `routes validate {}` shows why",
            plural(skipped, "record"),
            dataset.display(),
            if skipped == 1 { "it" } else { "they" },
            dataset.display()
        ));
    }
}

/// Exit 1 with errors, or with warnings under `--deny warnings`; else 0.
pub(crate) fn outcome(errors: usize, warnings: usize, deny: Option<Deny>) -> ExitStatus {
    if errors > 0 || (deny == Some(Deny::Warnings) && warnings > 0) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
