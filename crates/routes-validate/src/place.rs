//! Where a finding is: the record's file, line and column, pointer and route,
//! with the record's text around the spot.

use routes_diagnostics::locate::locate;
use routes_diagnostics::{Diagnostic, LineIndex, Severity};

use crate::input::RecordText;

/// A record text with its line index, to place findings by JSON pointer.
pub(crate) struct Place<'a> {
    pub(crate) rec: &'a RecordText<'a>,
    /// Built on first use: most records have no finding to place.
    index: std::sync::OnceLock<LineIndex>,
    /// The record's id, once known: every finding placed carries it.
    pub(crate) route: Option<String>,
}

impl<'a> Place<'a> {
    /// A place in `rec`, whose findings name the route `route`.
    pub(crate) fn new(rec: &'a RecordText<'a>, route: Option<&str>) -> Self {
        Self {
            rec,
            index: std::sync::OnceLock::new(),
            route: route.map(str::to_owned),
        }
    }

    pub(crate) fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(self.rec.text))
    }

    /// A finding at `pointer` (or at the member name, with `at_key`).
    pub(crate) fn finding_at(
        &self,
        code: &str,
        severity: Severity,
        pointer: &str,
        at_key: bool,
        label: &str,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(code, severity, self.rec.display).with_pointer(pointer);
        if let Some(route) = &self.route {
            diagnostic = diagnostic.with_route(route);
        }
        let span = locate(self.rec.text, pointer).map(|l| if at_key { l.key.unwrap_or(l.value) } else { l.value });
        match span {
            Some(span) => diagnostic.with_span_in(
                self.rec.text,
                self.index(),
                self.rec.base_offset,
                self.rec.base_line,
                span,
                label,
            ),
            None => diagnostic.with_line(self.rec.base_line + 1, 1),
        }
    }

    /// A compact place (file, line, column, pointer) without source text, for
    /// findings made after the record's text is gone.
    pub(crate) fn anchor(&self, pointer: &str) -> Diagnostic {
        let mut diagnostic = Diagnostic::new("", Severity::Error, self.rec.display).with_pointer(pointer);
        if let Some(route) = &self.route {
            diagnostic = diagnostic.with_route(route);
        }
        match locate(self.rec.text, pointer) {
            Some(l) => {
                let (line, column) = self.index().line_col(self.rec.text, l.value.start);
                diagnostic.with_line(self.rec.base_line + line, column)
            }
            None => diagnostic.with_line(self.rec.base_line + 1, 1),
        }
    }

    /// An error at `pointer` with a message and a hint.
    pub(crate) fn error(
        &self,
        code: &str,
        pointer: &str,
        label: &str,
        message: String,
        hint: impl Into<String>,
    ) -> Diagnostic {
        self.finding_at(code, Severity::Error, pointer, false, label)
            .with_message(message)
            .with_hint(hint)
    }
}
