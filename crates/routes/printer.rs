//! Everything the binary prints: data on stdout, talk on stderr.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "this module is the one place that prints"
)]
#![allow(
    clippy::unused_self,
    reason = "all output goes through one `Printer`, even where it needs no setting yet"
)]

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};
use routes_diagnostics::Diagnostic;

/// A failure of the tool (exit 2), with its causes and a hint.
#[derive(Debug)]
pub(crate) struct ToolError {
    message: String,
    causes: Vec<String>,
    hint: Option<String>,
    io_kind: Option<std::io::ErrorKind>,
}

impl ToolError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            causes: Vec::new(),
            hint: None,
            io_kind: None,
        }
    }

    pub(crate) fn from_error(err: impl std::error::Error) -> Self {
        let mut causes = Vec::new();
        let mut source = err.source();
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        Self {
            message: err.to_string(),
            causes,
            hint: None,
            io_kind: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<std::io::Error> for ToolError {
    fn from(err: std::io::Error) -> Self {
        let kind = err.kind();
        let mut e = Self::new(format!("cannot write output: {err}"));
        e.io_kind = Some(kind);
        e
    }
}

/// An error and its causes in one line, joined with `: `.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let e = ToolError::from_error(err);
    std::iter::once(e.message)
        .chain(e.causes)
        .collect::<Vec<_>>()
        .join(": ")
}

pub(crate) fn is_broken_pipe(err: &ToolError) -> bool {
    err.io_kind == Some(std::io::ErrorKind::BrokenPipe)
}

/// Decides what goes where.
pub(crate) struct Printer {
    quiet: bool,
    color: bool,
    color_stdout: bool,
}

impl Printer {
    pub(crate) fn new(quiet: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            quiet,
            color: !no_color && std::io::stderr().is_terminal(),
            color_stdout: !no_color && std::io::stdout().is_terminal(),
        }
    }

    fn handler(&self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_context_lines(1)
    }

    /// Findings for people, on stderr.
    pub(crate) fn diagnostics_human(&self, diagnostics: &[Diagnostic]) -> Result<(), ToolError> {
        let handler = self.handler();
        let mut stderr = std::io::stderr().lock();
        for d in diagnostics {
            let mut out = String::new();
            if d.offset().is_none() {
                // Without source text to show, name the place on its own line.
                let _ = write!(out, "{}", Location(d));
            }
            if handler.render_report(&mut out, d).is_err() {
                let _ = writeln!(out, "{}: {}", d.code(), d.message());
            }
            writeln!(stderr, "{out}")?;
        }
        Ok(())
    }

    /// Findings for programs: one JSON object per line on stdout.
    pub(crate) fn diagnostics_json(&self, diagnostics: &[Diagnostic]) -> Result<(), ToolError> {
        let mut stdout = std::io::stdout().lock();
        for d in diagnostics {
            writeln!(stdout, "{}", d.to_json())?;
        }
        stdout.flush()?;
        Ok(())
    }

    /// Data for programs, as is, on stdout.
    pub(crate) fn data(&self, text: &str) -> Result<(), ToolError> {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
        Ok(())
    }

    /// A remark for people, on stderr (even with `--quiet`: it explains the data).
    pub(crate) fn note(&self, line: &str) {
        eprintln!("note: {line}");
    }

    /// Whether stdout is a terminal (for highlighting).
    pub(crate) fn stdout_is_terminal(&self) -> bool {
        self.color_stdout
    }

    /// The closing summary line, on stderr.
    pub(crate) fn summary(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// A progress bar on stderr, drawn only when stderr is a terminal and the
    /// run is not `--quiet`; otherwise hidden (every call on it does nothing).
    pub(crate) fn progress_bar(&self) -> indicatif::ProgressBar {
        if self.quiet || !std::io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr())
    }

    /// A failure of the tool, on stderr.
    pub(crate) fn tool_error(&self, err: &ToolError) {
        let mut out = format!("error: {}", err.message);
        for cause in &err.causes {
            let _ = write!(out, "\n  caused by: {cause}");
        }
        if let Some(hint) = &err.hint {
            let _ = write!(out, "\n  hint: {hint}");
        }
        eprintln!("{out}");
    }
}

/// `file:line:column` heading of a finding, as editors and terminals link it.
struct Location<'a>(&'a Diagnostic);

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.0;
        write!(f, "{}", d.file())?;
        if let Some(line) = d.line() {
            write!(f, ":{line}")?;
            if let Some(column) = d.column() {
                write!(f, ":{column}")?;
            }
        }
        if let Some(pointer) = d.pointer().filter(|p| !p.is_empty()) {
            write!(f, " at `{pointer}`")?;
        }
        writeln!(f)
    }
}
