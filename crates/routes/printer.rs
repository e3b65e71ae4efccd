//! Everything the binary prints: data on stdout, talk on stderr.
//!
//! Two rules hold for every byte written here:
//!
//! - **No raw control character from data reaches a terminal.** Every piece of
//!   text that can hold data (search hits, findings with their source snippets,
//!   labels and hints, file names, notes, errors) goes through [`escape`], which
//!   writes each control character (C0 but the line feed, DEL, C1) and each
//!   bidirectional embedding, override or isolate as a JSON escape such as
//!   `\u001b`. In a JSON snippet that is how the character is written anyway,
//!   and in JSON output it keeps the line valid JSON of the same value.
//! - **A closed pipe ends the command quietly.** No write panics: every write
//!   returns its error; a closed stdout stops the command at once, a closed
//!   stderr stops talk, and either makes the exit status 0 (as `ripgrep` does).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use routes_core::text::is_unsafe;
use routes_diagnostics::{Diagnostic, Snippet};

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

/// `text` with every character that must not reach a terminal raw (see
/// [`routes_core::text::is_unsafe`]) but the line feed written as a JSON escape
/// (`\u001b`, `\u202e`): the one escaping function of all output.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    escape_with(text, false).0
}

/// [`escape`], and the byte offsets (in `text`) and added lengths of each
/// escaped character, to move spans of `text` into the escaped text. With
/// `keep_highlight`, the bold and reset sequences the search printer draws
/// highlights with (`ESC [1m`, `ESC [0m`) are kept.
fn escape_with(text: &str, keep_highlight: bool) -> (Cow<'_, str>, Vec<(usize, usize)>) {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return (Cow::Borrowed(text), Vec::new());
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut moved = Vec::new();
    let mut rest = text.char_indices();
    while let Some((i, c)) = rest.next() {
        if c == '\n' || !is_unsafe(c) {
            out.push(c);
            continue;
        }
        if keep_highlight && c == '\u{1b}' {
            let after = &text[i + 1..];
            if let Some(seq) = ["[1m", "[0m"].into_iter().find(|s| after.starts_with(s)) {
                out.push(c);
                out.push_str(seq);
                for _ in 0..seq.len() {
                    rest.next();
                }
                continue;
            }
        }
        let _ = write!(out, "\\u{:04x}", u32::from(c));
        moved.push((i, 6 - c.len_utf8()));
    }
    (Cow::Owned(out), moved)
}

/// Where byte `offset` of a text lands in its escaped form.
fn moved_offset(moved: &[(usize, usize)], offset: usize) -> usize {
    offset
        + moved
            .iter()
            .take_while(|(at, _)| *at < offset)
            .map(|(_, added)| added)
            .sum::<usize>()
}

/// Whether a finding's text needs escaping anywhere.
fn needs_escaping(d: &Diagnostic) -> bool {
    let unsafe_in = |t: &str| t.chars().any(|c| c != '\n' && is_unsafe(c));
    if unsafe_in(d.file()) || unsafe_in(d.message()) || d.hint().is_some_and(unsafe_in) {
        return true;
    }
    let Some(labels) = miette::Diagnostic::labels(d) else {
        return false;
    };
    let labels: Vec<LabeledSpan> = labels.collect();
    if labels.iter().any(|l| l.label().is_some_and(unsafe_in)) {
        return true;
    }
    let Some(source) = miette::Diagnostic::source_code(d) else {
        return false;
    };
    labels.first().is_some_and(|first| {
        source
            .read_span(first.inner(), usize::MAX, usize::MAX)
            .map_or(true, |c| {
                String::from_utf8_lossy(c.data())
                    .chars()
                    .any(|c| c != '\n' && is_unsafe(c))
            })
    })
}

/// A finding as shown to people: the same finding with its message, hint,
/// labels, file name and source snippet escaped (spans moved to match).
#[derive(Debug)]
struct Escaped<'a> {
    inner: &'a Diagnostic,
    message: String,
    hint: Option<String>,
    snippet: Option<Snippet>,
    labels: Vec<LabeledSpan>,
}

impl<'a> Escaped<'a> {
    fn new(inner: &'a Diagnostic) -> Self {
        let mut labels: Vec<LabeledSpan> = miette::Diagnostic::labels(inner)
            .map(Iterator::collect)
            .unwrap_or_default();
        let window = labels.first().and_then(|first| {
            miette::Diagnostic::source_code(inner)?
                .read_span(first.inner(), usize::MAX, usize::MAX)
                .ok()
        });
        let snippet = window.map(|window| {
            let base = window.span().offset();
            let data = String::from_utf8_lossy(window.data());
            let (text, moved) = escape_with(&data, false);
            let name = escape(window.name().unwrap_or_else(|| inner.file())).into_owned();
            labels = labels
                .iter()
                .map(|l| {
                    let start = moved_offset(&moved, l.offset().saturating_sub(base)) + base;
                    let end = moved_offset(&moved, (l.offset() + l.len()).saturating_sub(base)) + base;
                    let label = l.label().map(|t| escape(t).into_owned());
                    if l.primary() {
                        LabeledSpan::new_primary_with_span(label, start..end)
                    } else {
                        LabeledSpan::new_with_span(label, start..end)
                    }
                })
                .collect();
            Snippet::new(name, text.into_owned(), base, window.line()).cropped(window.column())
        });
        if snippet.is_none() {
            labels.clear();
        }
        Self {
            inner,
            message: escape(inner.message()).into_owned(),
            hint: inner.hint().map(|h| escape(h).into_owned()),
            snippet,
            labels,
        }
    }
}

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Escaped<'_> {}

impl miette::Diagnostic for Escaped<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        miette::Diagnostic::code(self.inner)
    }

    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.inner)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.hint.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

/// Prints a command-line error of clap (or the help or version it was asked
/// for) and gives the exit status. Help and version are clap's own text; an
/// error, which may quote what was typed, is escaped and printed plain.
pub(crate) fn clap_error(err: &clap::Error) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    let code = u8::try_from(err.exit_code()).unwrap_or(2);
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Our own text: printed by clap, styled on a terminal; a closed pipe is swallowed.
        let _ = err.print();
        return std::process::ExitCode::from(code);
    }
    let text = err.render().to_string();
    let mut stderr = std::io::stderr().lock();
    match stderr.write_all(escape(&text).as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::ExitCode::SUCCESS,
        _ => std::process::ExitCode::from(code),
    }
}

/// Decides what goes where.
pub(crate) struct Printer {
    quiet: bool,
    color: bool,
    color_stdout: bool,
    /// A write to stdout or stderr found the pipe closed: stop talking, and
    /// exit 0.
    closed: Cell<bool>,
}

impl Printer {
    /// A printer; `when` decides colour (`auto`: on a terminal, unless
    /// `NO_COLOR` is set).
    pub(crate) fn new(quiet: bool, when: crate::args::ColorWhen) -> Self {
        use crate::args::ColorWhen;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let colour = |terminal: bool| match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => !no_color && terminal,
        };
        Self {
            quiet,
            color: colour(std::io::stderr().is_terminal()),
            color_stdout: colour(std::io::stdout().is_terminal()),
            closed: Cell::new(false),
        }
    }

    /// Whether a pipe the output went to was closed by its reader: the
    /// command then ends quietly with exit 0.
    pub(crate) fn output_closed(&self) -> bool {
        self.closed.get()
    }

    /// Writes `text` to stderr; a closed pipe is remembered (and later talk
    /// skipped), as is any other failure: there is nowhere left to report it.
    fn talk(&self, text: &str) -> Result<(), ToolError> {
        if self.closed.get() {
            return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe).into());
        }
        let mut stderr = std::io::stderr().lock();
        let result = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
        if let Err(e) = result {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                self.closed.set(true);
            }
            return Err(e.into());
        }
        Ok(())
    }

    /// Writes `text` to stdout (a closed pipe is remembered).
    fn write_stdout(&self, text: &str) -> Result<(), ToolError> {
        let mut stdout = std::io::stdout().lock();
        let result = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
        if let Err(e) = result {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                self.closed.set(true);
            }
            return Err(e.into());
        }
        Ok(())
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

    /// Findings for people, on stderr; every text of a finding is escaped.
    pub(crate) fn diagnostics_human(&self, diagnostics: &[Diagnostic]) -> Result<(), ToolError> {
        let handler = self.handler();
        let mut stderr = std::io::BufWriter::new(std::io::stderr().lock());
        let result = diagnostics.iter().try_for_each(|d| {
            let mut out = String::new();
            if d.offset().is_none() {
                // Without source text to show, name the place on its own line.
                let _ = write!(out, "{}", Location(d));
            }
            let rendered = if needs_escaping(d) {
                handler.render_report(&mut out, &Escaped::new(d))
            } else {
                handler.render_report(&mut out, d)
            };
            if rendered.is_err() {
                let _ = writeln!(out, "{}: {}", d.code(), escape(d.message()));
            }
            writeln!(stderr, "{out}")
        });
        if let Err(e) = result.and_then(|()| stderr.flush()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                self.closed.set(true);
            }
            return Err(e.into());
        }
        Ok(())
    }

    /// Findings for programs: one JSON object per line on stdout (JSON
    /// escapes; DEL, C1 and bidirectional controls escaped too).
    pub(crate) fn diagnostics_json(&self, diagnostics: &[Diagnostic]) -> Result<(), ToolError> {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        let mut line = Vec::with_capacity(512);
        let result = diagnostics
            .iter()
            .try_for_each(|d| {
                line.clear();
                d.write_json(&mut line)?;
                // serde_json writes UTF-8.
                let text = std::str::from_utf8(&line).map_err(std::io::Error::other)?;
                writeln!(stdout, "{}", escape(text))
            })
            .and_then(|()| stdout.flush());
        if let Err(e) = result {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                self.closed.set(true);
            }
            return Err(e.into());
        }
        Ok(())
    }

    /// Data on stdout: JSON, or text for people, with every character that must
    /// not reach a terminal escaped (JSON stays valid JSON of the same value).
    /// On a terminal, the bold and reset sequences of search highlights pass.
    pub(crate) fn data(&self, text: &str) -> Result<(), ToolError> {
        self.write_stdout(&escape_with(text, self.color_stdout).0)
    }

    /// A remark for people, on stderr (even with `--quiet`: it explains the data).
    pub(crate) fn note(&self, line: &str) {
        let _ = self.talk(&format!("note: {}\n", escape(line)));
    }

    /// Whether stdout is a terminal (for highlighting).
    pub(crate) fn stdout_is_terminal(&self) -> bool {
        self.color_stdout
    }

    /// The closing summary line, on stderr.
    pub(crate) fn summary(&self, line: &str) {
        if !self.quiet {
            let _ = self.talk(&format!("{}\n", escape(line)));
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
        out.push('\n');
        let _ = self.talk(&escape(&out));
    }
}

/// `file:line:column` heading of a finding, as editors and terminals link it.
struct Location<'a>(&'a Diagnostic);

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.0;
        write!(f, "{}", escape(d.file()))?;
        if let Some(line) = d.line() {
            write!(f, ":{line}")?;
            if let Some(column) = d.column() {
                write!(f, ":{column}")?;
            }
        }
        if let Some(pointer) = d.pointer().filter(|p| !p.is_empty()) {
            write!(f, " at `{}`", escape(pointer))?;
        }
        writeln!(f)
    }
}
