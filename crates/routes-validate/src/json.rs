//! The `json` rule family: a record's text is one JSON value, with no
//! object member named twice (`serde_json` keeps the last silently); where
//! the text breaks, the finding points at the spot.

use routes_diagnostics::{Diagnostic, Severity};
use serde_json::Value;

use crate::place::Place;
use crate::rule::{E, Rule, rule};

/// The `json` rules.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        "json/duplicate-key",
        E,
        "An object names the same key twice (also when one is written with escapes)",
        "Readers disagree on which value wins (RFC 8259 §4): a record that says `\"status\": \"closed\"` then `\"active\"` means two things at once.",
        "{\"status\": \"closed\", \"status\": \"active\"}"
    ),
    rule!(
        "json/syntax",
        E,
        "The text is not valid JSON",
        "Nothing else can be checked until the record parses.",
        "{\"name\": \"Visa\" \"country\": \"KZ\"}"
    ),
];

/// A record text parsed into a JSON value, in one pass, noting whether any
/// object repeats a member name (`serde_json` itself keeps the last silently).
pub(crate) struct Parse<'a> {
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
pub(crate) fn parse_noting_duplicates(text: &str) -> Result<(Value, bool), serde_json::Error> {
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
pub(crate) fn duplicate_key_findings(place: &Place<'_>) -> Vec<Diagnostic> {
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

pub(crate) fn syntax_error(place: &Place<'_>, err: &serde_json::Error) -> Diagnostic {
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
    if message.contains("trailing comma")
        && let Some(comma) = text[..offset].trim_end().strip_suffix(',')
    {
        // serde_json points past the comma, at the bracket that closes: point at the comma.
        offset = comma.len();
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
    let d = Diagnostic::new("json/syntax", Severity::Error, place.rec.display)
        .with_span_in(
            text,
            place.index(),
            place.rec.base_offset,
            place.rec.base_line,
            offset..end,
            label,
        )
        .with_message(message)
        .with_hint(hint);
    match &place.route {
        Some(route) => d.with_route(route),
        None => d,
    }
}
