//! `routes validate`.

use routes_validate::{Severity, ValidateOptions, Validator};

use crate::ExitStatus;
use crate::args::{Format, ValidateArgs};
use crate::printer::{Printer, ToolError};

pub(crate) fn run(args: &ValidateArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
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
    let validator = Validator::new(ValidateOptions::new(today)).map_err(ToolError::from_error)?;
    let report = validator.validate_paths(&args.paths).map_err(|e| {
        ToolError::from_error(e).hint("give a file or folder that exists; without arguments `routes validate` reads `dataset/` in the current folder")
    })?;
    match args.format {
        Format::Human => printer.diagnostics_human(&report.diagnostics)?,
        Format::Json => printer.diagnostics_json(&report.diagnostics)?,
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    printer.summary(&format!(
        "checked {} in {}: {}",
        plural(report.records, "record"),
        plural(report.files, "file"),
        if errors + warnings == 0 {
            "no findings".to_owned()
        } else {
            format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
        }
    ));
    Ok(if errors > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
