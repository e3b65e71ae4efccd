//! Checks one record text: JSON syntax, schema, then the record rules.

use routes_core::{Route, RouteId};
use routes_diagnostics::{Diagnostic, LineIndex, Severity};
use serde_json::Value;

use crate::cross::Summary;
use crate::input::RecordText;
use crate::locate::locate;
use crate::quality::{self, QualityContext};
use crate::rules;
use crate::schema::RouteSchema;

/// A record text with its line index, to place findings by JSON pointer.
pub(crate) struct Place<'a> {
    pub(crate) rec: &'a RecordText<'a>,
    /// Built on first use: most records have no finding to place.
    index: std::sync::OnceLock<LineIndex>,
    /// The record's id, once known: every finding placed carries it.
    route: Option<String>,
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

    fn index(&self) -> &LineIndex {
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

/// What checking one record text gives.
pub(crate) struct Checked {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// What the cross-record rules need, when the record has a valid id.
    pub(crate) summary: Option<Summary>,
    /// The typed record, when it satisfies the schema.
    pub(crate) route: Option<Route>,
}

/// Checks one record text; returns its findings, what the cross-record rules
/// need of it, and the typed record.
pub(crate) fn check(rec: &RecordText<'_>, schema: &RouteSchema, ctx: &QualityContext<'_>) -> Checked {
    let mut place = Place {
        rec,
        index: std::sync::OnceLock::new(),
        route: None,
    };
    let value: Value = match serde_json::from_str(rec.text) {
        Ok(value) => value,
        Err(err) => {
            return Checked {
                diagnostics: vec![syntax_error(&place, &err)],
                summary: None,
                route: None,
            };
        }
    };
    place.route = value
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| RouteId::new(id).ok())
        .map(|id| id.as_str().to_owned());
    let violations = schema.violations(&value);
    if !violations.is_empty() {
        let diags = violations
            .into_iter()
            .map(|v| {
                let code = money_code(&v).unwrap_or(&v.code).to_owned();
                place
                    .finding_at(&code, Severity::Error, &v.pointer, v.at_key, &v.label)
                    .with_message(v.message)
                    .with_hint(v.hint)
            })
            .collect();
        // Keep the id, if it is one, so that other records' links to it still resolve.
        let summary = value
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| RouteId::new(id).ok())
            .map(|id| Summary {
                id,
                related: Vec::new(),
                quality: None,
            });
        return Checked {
            diagnostics: diags,
            summary,
            route: None,
        };
    }
    match serde_json::from_value::<Route>(value) {
        Ok(route) => {
            let mut diags = rules::record_rules(&route, &place, ctx.today);
            diags.extend(quality::record_quality(&route, &place, ctx));
            let related = route.related.iter().map(|r| r.id.clone()).collect();
            let quality = Some(quality::summarise(&route));
            let summary = Summary {
                id: route.id.clone(),
                related,
                quality,
            };
            Checked {
                diagnostics: diags,
                summary: Some(summary),
                route: Some(route),
            }
        }
        Err(err) => Checked {
            diagnostics: vec![place.error(
                "schema/model-mismatch",
                "",
                "here",
                format!("the record satisfies the schema but not the record model: {err}"),
                "this is a bug in `routes`: the schema and the record model disagree; please report it with this record",
            )],
            summary: None,
            route: None,
        },
    }
}

fn syntax_error(place: &Place<'_>, err: &serde_json::Error) -> Diagnostic {
    let text = place.rec.text;
    let full = err.to_string();
    let message = full.rfind(" at line ").map_or(full.as_str(), |i| &full[..i]).to_owned();
    // serde_json counts columns in bytes from 1; turn them into a byte offset.
    let line_range = place.index().line_range(text, err.line().max(1));
    let mut offset = (line_range.start + err.column().saturating_sub(1)).min(text.len());
    if err.is_eof() {
        // Point at the last thing written, not at the blank end of the file.
        offset = text.trim_end().len().saturating_sub(1);
    }
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let end = text[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
    let (label, hint) = if message.contains("recursion limit") {
        ("nested too deeply", "a route record nests at most 128 levels deep")
    } else if err.is_eof() {
        (
            "the text ends after this",
            "the record is cut short: close every `{`, `[` and `\"`",
        )
    } else if message.contains("trailing characters") && !place.rec.whole_file {
        (
            "unexpected text",
            "each line of a `*.jsonl` file holds exactly one JSON object",
        )
    } else if message.contains("trailing characters") {
        (
            "unexpected text",
            "a `*.json` file holds exactly one JSON object; put many routes in a `*.jsonl` file",
        )
    } else if message.contains("trailing comma") {
        (
            "remove this comma",
            "JSON allows no comma after the last member or element",
        )
    } else {
        ("invalid JSON here", "fix the JSON syntax at this spot")
    };
    Diagnostic::new("json/syntax", Severity::Error, place.rec.display)
        .with_span_in(
            text,
            place.index(),
            place.rec.base_offset,
            place.rec.base_line,
            offset..end,
            label,
        )
        .with_message(message)
        .with_hint(hint)
}

/// Money that lacks its period or currency gets the quality code that names it.
fn money_code(v: &crate::schema::Violation) -> Option<&'static str> {
    if v.code != "schema/one-of" || !v.pointer.contains("/money") {
        return None;
    }
    if v.message.ends_with("missing required property `period`") {
        Some("quality/money-without-period")
    } else if v.message.ends_with("missing required property `currency`") {
        Some("quality/money-without-currency")
    } else {
        None
    }
}
