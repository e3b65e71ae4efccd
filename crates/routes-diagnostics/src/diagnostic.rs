//! The diagnostic model.

use std::fmt;
use std::ops::Range;

use miette::{LabeledSpan, SourceCode};
use serde::{Deserialize, Serialize};

use crate::{LineIndex, Snippet};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed: `routes validate` exits 1.
    Error,
    /// Should be looked at; fails only under `--deny warnings`.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Position {
    line: usize,
    column: usize,
    range: Range<usize>,
    label: String,
    snippet: Snippet,
}

/// One finding: a code, a severity, where it is and what to do about it.
///
/// Built with [`Diagnostic::new`] and the `with_*` methods. What a finding
/// carries is capped, whatever the data: its message, hint, label and
/// pointer keep at most [`MAX_TEXT`] characters (longer ones end in `…`),
/// and its snippet at most a few lines of at most a few hundred bytes (a
/// span over a 16 MB value points at its start), so memory grows with the
/// number of findings, never with the size of the values they quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    code: String,
    severity: Severity,
    file: String,
    route: Option<String>,
    pointer: Option<String>,
    message: String,
    hint: Option<String>,
    position: Option<Position>,
    line_only: Option<(usize, usize)>,
}

impl Diagnostic {
    /// A finding with code `code` (such as `schema/required`) in `file`, as the
    /// file should be shown to the user.
    #[must_use]
    pub fn new(code: impl Into<String>, severity: Severity, file: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            severity,
            file: file.into(),
            route: None,
            pointer: None,
            message: String::new(),
            hint: None,
            position: None,
            line_only: None,
        }
    }

    /// Replaces the code (to fill in a finding placed ahead of time).
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = code.into();
        self
    }

    /// Replaces the severity.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Replaces the label of the span, if there is one.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        if let Some(p) = self.position.as_mut() {
            p.label = cap_text(label.into());
        }
        self
    }

    /// Sets the message.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = cap_text(message.into());
        self
    }

    /// Sets the id of the route the finding is about.
    #[must_use]
    pub fn with_route(mut self, route: impl Into<String>) -> Self {
        self.route = Some(cap_text(route.into()));
        self
    }

    /// Sets the JSON pointer of the offending value.
    #[must_use]
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(cap_text(pointer.into()));
        self
    }

    /// Sets the hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(cap_text(hint.into()));
        self
    }

    /// Points at `range` (byte offsets) of the whole file `text`, with a label.
    #[must_use]
    pub fn with_span(self, text: &str, index: &LineIndex, range: Range<usize>, label: impl Into<String>) -> Self {
        self.with_span_in(text, index, 0, 0, range, label)
    }

    /// Points at `range`, given in offsets of `text`, where `text` is a part of
    /// its file that starts at byte `base_offset` and 0-based line `base_line`
    /// (one line of a JSON Lines file).
    #[must_use]
    pub fn with_span_in(
        mut self,
        text: &str,
        index: &LineIndex,
        base_offset: usize,
        base_line: usize,
        range: Range<usize>,
        label: impl Into<String>,
    ) -> Self {
        let start = floor_char_boundary(text, range.start.min(text.len()));
        let mut end = floor_char_boundary(text, range.end.clamp(start, text.len()));
        if end - start > MAX_SPAN {
            // A huge value: point at its start.
            end = floor_char_boundary(text, start + MAX_SPAN);
        }
        let (line, column) = index.line_col(text, start);
        let mut end_line = index.line_col(text, end.saturating_sub(1).max(start)).0;
        let line_range = index.line_range(text, line);
        let first = line.saturating_sub(1).max(1);
        let last = (end_line.min(line + 4) + 1).min(index.line_count());
        let window = index.line_range(text, first).start..index.line_range(text, last).end;
        if end_line != line && window.len() > MAX_SNIPPET {
            // Long lines around a span over several: keep the span's first line.
            end = end.min(line_range.end).max(start);
            end_line = line;
        }
        let snippet = if end_line == line && (line_range.len() > MAX_LINE || window.len() > MAX_SNIPPET) {
            // One very long line (a JSON Lines record): keep the span and some
            // text either side, and remember how far into the line that starts.
            let from = floor_char_boundary(text, start.saturating_sub(CROP_CONTEXT).max(line_range.start));
            let to = floor_char_boundary(text, (end + CROP_CONTEXT).min(line_range.end)).max(end);
            let skipped = text[line_range.start..from].chars().count();
            Snippet::new(
                self.file.clone(),
                text[from..to].to_owned(),
                base_offset + from,
                base_line + line - 1,
            )
            .cropped(skipped)
        } else {
            // Keep the lines of the span, at most five, plus one line each side.
            Snippet::new(
                self.file.clone(),
                text[window].to_owned(),
                base_offset + index.line_range(text, first).start,
                base_line + first - 1,
            )
        };
        self.position = Some(Position {
            line: base_line + line,
            column,
            range: base_offset + start..base_offset + end,
            label: label.into(),
            snippet,
        });
        self
    }

    /// Records a line and column without showing source text (when the text is
    /// not valid UTF-8 and so cannot be shown).
    #[must_use]
    pub fn with_line(mut self, line: usize, column: usize) -> Self {
        self.position = None;
        self.line_only = Some((line, column));
        self
    }

    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The severity.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Changes the severity (for `--deny warnings` and per-dataset settings).
    pub fn set_severity(&mut self, severity: Severity) {
        self.severity = severity;
    }

    /// The file, as shown to the user.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The id of the route the finding is about, when known.
    #[must_use]
    pub fn route(&self) -> Option<&str> {
        self.route.as_deref()
    }

    /// The JSON pointer of the offending value, if there is one.
    #[must_use]
    pub fn pointer(&self) -> Option<&str> {
        self.pointer.as_deref()
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint.
    #[must_use]
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// 1-based line, when known.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        self.position
            .as_ref()
            .map(|p| p.line)
            .or(self.line_only.map(|(l, _)| l))
    }

    /// 1-based column in characters, when known.
    #[must_use]
    pub fn column(&self) -> Option<usize> {
        self.position
            .as_ref()
            .map(|p| p.column)
            .or(self.line_only.map(|(_, c)| c))
    }

    /// Byte offset in the file, when known.
    #[must_use]
    pub fn offset(&self) -> Option<usize> {
        self.position.as_ref().map(|p| p.range.start)
    }

    /// The stable machine form: one JSON object with the fields `file`, `line`,
    /// `column`, `route`, `pointer`, `code`, `severity`, `message` and `hint`
    /// (null when not known).
    ///
    /// # Panics
    ///
    /// Never: the form holds only strings, numbers and nulls.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.machine_form()).expect("a finding's machine form is plain JSON")
    }

    /// Writes [`Diagnostic::to_json`], compact, to `out`, without building
    /// the value first: the same bytes as `to_json().to_string()`.
    ///
    /// ```
    /// use routes_diagnostics::{Diagnostic, Severity};
    ///
    /// let d = Diagnostic::new("schema/required", Severity::Error, "a.json").with_line(3, 7);
    /// let mut out = Vec::new();
    /// d.write_json(&mut out)?;
    /// assert_eq!(out, d.to_json().to_string().into_bytes());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer(out, &self.machine_form()).map_err(std::io::Error::from)
    }

    fn machine_form(&self) -> MachineForm<'_> {
        MachineForm {
            file: &self.file,
            line: self.line(),
            column: self.column(),
            route: self.route.as_deref(),
            pointer: self.pointer.as_deref(),
            code: &self.code,
            severity: self.severity,
            message: &self.message,
            hint: self.hint.as_deref(),
        }
    }
}

/// The fields of [`Diagnostic::to_json`], in their order.
#[derive(Serialize)]
struct MachineForm<'a> {
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    route: Option<&'a str>,
    pointer: Option<&'a str>,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    hint: Option<&'a str>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.hint.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.position.as_ref().map(|p| &p.snippet as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let p = self.position.as_ref()?;
        let label = (!p.label.is_empty()).then(|| p.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            label,
            p.range.start..p.range.end.max(p.range.start),
        ))))
    }
}

/// Sorts findings deterministically: by file, position, pointer, code, message.
/// The sort is stable: findings equal in all of these keep their order.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(compare);
}

/// The order of [`sort_diagnostics`].
pub(crate) fn compare(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    (a.file(), a.line(), a.column(), a.pointer(), a.code(), a.message()).cmp(&(
        b.file(),
        b.line(),
        b.column(),
        b.pointer(),
        b.code(),
        b.message(),
    ))
}

impl Diagnostic {
    /// About how many bytes of memory the finding takes.
    pub(crate) fn approx_size(&self) -> usize {
        let text = |s: &str| s.len() + 24;
        std::mem::size_of::<Self>()
            + text(&self.code)
            + text(&self.file)
            + self.route.as_deref().map_or(0, text)
            + self.pointer.as_deref().map_or(0, text)
            + text(&self.message)
            + self.hint.as_deref().map_or(0, text)
            + self
                .position
                .as_ref()
                .map_or(0, |p| text(&p.label) + text(p.snippet.text()) + text(&self.file))
    }
}

/// The full form of a finding, as it is kept in a spill file (not a stable
/// format: only this build reads it back; [`Diagnostic::to_json`] is the
/// stable one). A type of its own, so that `Diagnostic` itself cannot be
/// deserialised around the caps its constructors apply.
#[derive(Serialize, Deserialize)]
pub(crate) struct Stored {
    code: String,
    severity: Severity,
    file: String,
    route: Option<String>,
    pointer: Option<String>,
    message: String,
    hint: Option<String>,
    position: Option<Position>,
    line_only: Option<(usize, usize)>,
}

impl From<Diagnostic> for Stored {
    fn from(d: Diagnostic) -> Self {
        Self {
            code: d.code,
            severity: d.severity,
            file: d.file,
            route: d.route,
            pointer: d.pointer,
            message: d.message,
            hint: d.hint,
            position: d.position,
            line_only: d.line_only,
        }
    }
}

impl From<Stored> for Diagnostic {
    fn from(s: Stored) -> Self {
        Self {
            code: s.code,
            severity: s.severity,
            file: s.file,
            route: s.route,
            pointer: s.pointer,
            message: s.message,
            hint: s.hint,
            position: s.position,
            line_only: s.line_only,
        }
    }
}

/// Most characters a message, hint, label or pointer keeps; longer ones are
/// cut and end in `…`.
pub const MAX_TEXT: usize = 300;

/// Most bytes of a span: a longer one (a huge value) is cut to its start.
const MAX_SPAN: usize = 200;

/// Most bytes of a snippet of whole lines; past it, only the span's line is
/// kept, cropped around the span.
const MAX_SNIPPET: usize = 2048;

/// `text`, cut to [`MAX_TEXT`] characters with `…` (in a new allocation:
/// truncating in place would keep the whole capacity).
fn cap_text(text: String) -> String {
    if text.len() > MAX_TEXT
        && let Some((cut, _)) = text.char_indices().nth(MAX_TEXT - 1)
    {
        let mut short = String::with_capacity(cut + '…'.len_utf8());
        short.push_str(&text[..cut]);
        short.push('…');
        return short;
    }
    text
}

/// Lines longer than this are cropped around the span in snippets.
const MAX_LINE: usize = 160;
/// Bytes kept either side of the span in a cropped line.
const CROP_CONTEXT: usize = 60;

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_form_has_its_stable_keys_in_order_written_or_built() {
        let text = "{\n  \"id\": \"kz/\\u001b\u{202e}\"\n}\n";
        let index = LineIndex::new(text);
        let findings = [
            Diagnostic::new("schema/required", Severity::Error, "a.json"),
            Diagnostic::new("quality/x", Severity::Warning, "dir/\"quoted\".jsonl")
                .with_route("kz/route")
                .with_pointer("/requirements/0/text")
                .with_message("a \"message\" with\ttabs, \u{1b}[31m and ü")
                .with_hint("a hint\nover two lines")
                .with_span(text, &index, 4..8, "here"),
            Diagnostic::new("json/syntax", Severity::Error, "b.json").with_line(7, 3),
        ];
        for d in findings {
            let mut out = Vec::new();
            d.write_json(&mut out).expect("write");
            // The stable form, spelt out: these keys, in this order.
            let expected = serde_json::json!({
                "file": d.file(),
                "line": d.line(),
                "column": d.column(),
                "route": d.route(),
                "pointer": d.pointer(),
                "code": d.code(),
                "severity": d.severity().as_str(),
                "message": d.message(),
                "hint": d.hint(),
            })
            .to_string();
            assert_eq!(String::from_utf8(out).expect("utf-8"), expected);
            assert_eq!(d.to_json().to_string(), expected);
        }
    }
}
