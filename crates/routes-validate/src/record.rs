//! Checks one record text: JSON syntax, schema, then the record rules.

use routes_core::{Route, RouteId};
use routes_diagnostics::{Diagnostic, LineIndex, Severity};
use serde_json::Value;

use crate::cross::Summary;
use crate::input::RecordText;
use crate::quality::{self, QualityContext};
use crate::rules;
use crate::schema::RouteSchema;
use routes_diagnostics::locate::locate;

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

/// A record text parsed into a JSON value, in one pass, noting whether any
/// object repeats a member name (`serde_json` itself keeps the last silently).
struct Parse<'a> {
    duplicates: &'a std::cell::Cell<bool>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Parse<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Parse<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, deserializer)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Parse {
            duplicates: self.duplicates,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = serde_json::Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(Parse {
                duplicates: self.duplicates,
            })?;
            // As serde_json does: the last value, at the first name's place.
            if members.insert(name, value).is_some() {
                self.duplicates.set(true);
            }
        }
        Ok(Value::Object(members))
    }
}

/// Parses a record text; the flag says whether a member name repeats.
fn parse_noting_duplicates(text: &str) -> Result<(Value, bool), serde_json::Error> {
    let duplicates = std::cell::Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde::de::DeserializeSeed::deserialize(
        Parse {
            duplicates: &duplicates,
        },
        &mut deserializer,
    )?;
    deserializer.end()?;
    Ok((value, duplicates.get()))
}

/// Parses a record text; a repeated member name is an error (a custom one:
/// callers that need its place use [`routes_diagnostics::locate::duplicate_keys`]).
pub(crate) fn parse(text: &str) -> Result<Value, serde_json::Error> {
    match parse_noting_duplicates(text)? {
        (_, true) => Err(serde::de::Error::custom("an object repeats a member name")),
        (value, false) => Ok(value),
    }
}

/// A `json/duplicate-key` finding for each repeated member name.
fn duplicate_key_findings(place: &Place<'_>) -> Vec<Diagnostic> {
    let text = place.rec.text;
    routes_diagnostics::locate::duplicate_keys(text)
        .into_iter()
        .map(|dup| {
            let (first_line, _) = place.index().line_col(text, dup.first);
            let first_line = place.rec.base_line + first_line;
            let mut d = Diagnostic::new("json/duplicate-key", Severity::Error, place.rec.display)
                .with_pointer(&dup.pointer)
                .with_span_in(
                    text,
                    place.index(),
                    place.rec.base_offset,
                    place.rec.base_line,
                    dup.second,
                    "named again here",
                )
                .with_message(format!(
                    "the key `{}` appears twice in one object; the first is on line {first_line}",
                    dup.name
                ))
                .with_hint(
                    "keep one of the two: JSON readers disagree on which value wins (RFC 8259 §4), so the record would say two things",
                );
            if let Some(route) = &place.route {
                d = d.with_route(route);
            }
            d
        })
        .collect()
}

/// What checking one record text gives.
pub(crate) struct Checked {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// What the cross-record rules need, when the record has a valid id.
    pub(crate) summary: Option<Summary>,
    /// The typed record, when it satisfies the schema.
    pub(crate) route: Option<Route>,
    /// For a record that parses but cannot be typed: the `record/untyped`
    /// error to report when `routes.toml` lowered or silenced every error
    /// that says why.
    pub(crate) untyped: Option<Diagnostic>,
}

/// Checks one record text; returns its findings, what the cross-record rules
/// need of it, and the typed record.
pub(crate) fn check(rec: &RecordText<'_>, schema: &RouteSchema, ctx: &QualityContext<'_>) -> Checked {
    let mut place = Place {
        rec,
        index: std::sync::OnceLock::new(),
        route: None,
    };
    let (value, duplicates) = match parse_noting_duplicates(rec.text) {
        Ok(parsed) => parsed,
        Err(err) => {
            return Checked {
                diagnostics: vec![syntax_error(&place, &err)],
                summary: None,
                route: None,
                untyped: None,
            };
        }
    };
    place.route = value
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| RouteId::new(id).ok())
        .map(|id| id.as_str().to_owned());
    let mut found = if duplicates {
        duplicate_key_findings(&place)
    } else {
        Vec::new()
    };
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
        found.extend::<Vec<Diagnostic>>(diags);
        return Checked {
            diagnostics: found,
            summary,
            route: None,
            untyped: Some(untyped(&place)),
        };
    }
    match serde_json::from_value::<Route>(value) {
        Ok(route) => {
            let mut diags = found;
            diags.extend(rules::record_rules(&route, &place, ctx.today));
            diags.extend(quality::record_quality(&route, &place, ctx));
            let related = route.related.iter().map(|r| r.id.clone()).collect();
            let quality = Some(quality::summarise(&route, ctx.reference));
            let summary = Summary {
                id: route.id.clone(),
                related,
                quality,
            };
            Checked {
                diagnostics: diags,
                summary: Some(summary),
                route: Some(route),
                untyped: None,
            }
        }
        Err(err) => {
            found.push(place.error(
                "schema/model-mismatch",
                "",
                "here",
                format!("the record satisfies the schema but not the record model: {err}"),
                "this is a bug in `routes`: the schema and the record model disagree; please report it with this record",
            ));
            Checked {
                diagnostics: found,
                summary: None,
                route: None,
                untyped: Some(untyped(&place)),
            }
        }
    }
}

/// The error of a record that parses but cannot be typed, whose own findings
/// `routes.toml` lowered or silenced.
fn untyped(place: &Place<'_>) -> Diagnostic {
    place.error(
        "record/untyped",
        "",
        "not a valid route",
        "the record does not satisfy the schema, so it cannot be read as a route and no release can hold it".to_owned(),
        "`routes.toml` lowers or silences the findings that say why (`schema/*`): fix them; severities change how they are reported, never whether the record is accepted",
    )
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
