//! The route JSON Schema, compiled once, and its violations in plain words.

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::Error;

use crate::rule::{E, Rule, rule};
/// The `schema` rules.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        "schema/<keyword>",
        E,
        "A JSON Schema violation: `required`, `type`, `enum`, `pattern`, `format`, `const`, `additional-properties`, `one-of`, …",
        "`schema/route.schema.json` (draft 2020-12) defines every field; the finding names the keyword that failed.",
        "\"category\": \"tourism\"",
        "DQ17"
    ),
    rule!(
        "schema/model-mismatch",
        E,
        "The record passes the schema but not the record model (a bug in `routes`)",
        "The schema and the Rust model must accept the same records.",
        "(none: report it)"
    ),
];

/// The text of `schema/route.schema.json`, built into the binary so that
/// `routes` works from any folder.
pub use routes_core::ROUTE_SCHEMA;

/// One schema violation, before it is placed in a file.
#[derive(Debug, Clone)]
pub(crate) struct Violation {
    /// Stable code, `schema/<keyword>`.
    pub(crate) code: String,
    /// Pointer to the offending value.
    pub(crate) pointer: String,
    /// Whether to point at the member name rather than the value.
    pub(crate) at_key: bool,
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) hint: String,
}

/// The compiled route schema.
pub struct RouteSchema {
    validator: jsonschema::Validator,
    document: Value,
}

impl std::fmt::Debug for RouteSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteSchema").finish_non_exhaustive()
    }
}

impl RouteSchema {
    /// Compiles the built-in schema, asserting `format` (so `2026-02-30` is no date).
    pub fn new() -> Result<Self, Error> {
        let document: Value = serde_json::from_str(ROUTE_SCHEMA).map_err(|e| Error::Schema(e.to_string()))?;
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&document)
            .map_err(|e| Error::Schema(e.to_string()))?;
        Ok(Self { validator, document })
    }

    /// The schema document.
    #[must_use]
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Whether `instance` satisfies the schema.
    #[must_use]
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    pub(crate) fn violations(&self, instance: &Value) -> Vec<Violation> {
        let mut out: Vec<Violation> = Vec::new();
        // Most records are valid: the boolean check is much cheaper than
        // collecting errors.
        if self.validator.is_valid(instance) {
            return out;
        }
        for error in self.validator.iter_errors(instance) {
            let pointer = error.instance_path().as_str().to_owned();
            let schema_path = error.schema_path().as_str().to_owned();
            let keyword = error.kind().keyword().to_owned();
            let code = format!("schema/{}", kebab(&keyword));
            let parent = self.schema_at(parent_pointer(&schema_path));
            let description = parent
                .and_then(|s| s.get("description"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let about = description.clone().or_else(|| parent.and_then(|p| self.describe(p)));
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let allowed = parent
                        .and_then(|s| s.get("properties"))
                        .and_then(Value::as_object)
                        .map(|p| p.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default();
                    let names: Vec<&str> = parent
                        .and_then(|s| s.get("properties"))
                        .and_then(Value::as_object)
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    for name in unexpected {
                        let hint = match routes_core::text::nearest(name, names.iter().copied()) {
                            Some(near) => format!("did you mean `{near}`? Allowed here: {allowed}"),
                            None => format!("allowed here: {allowed}"),
                        };
                        out.push(Violation {
                            code: code.clone(),
                            pointer: format!("{pointer}/{}", escape(name)),
                            at_key: true,
                            message: format!("unknown property `{name}`"),
                            label: "not in the schema".into(),
                            hint,
                        });
                    }
                }
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    // One finding per object, listing every missing property.
                    if let Some(prev) = out.iter_mut().find(|v| v.code == code && v.pointer == pointer) {
                        let names = prev
                            .message
                            .trim_start_matches("missing required property ")
                            .trim_start_matches("missing required properties ");
                        prev.message = format!("missing required properties {names}, `{name}`");
                        prev.label = "required properties are missing here".into();
                        prev.hint =
                            "add every property the message names; see `schema/route.schema.json` for what each holds"
                                .into();
                        continue;
                    }
                    let what = parent
                        .and_then(|s| s.pointer(&format!("/properties/{}", escape(name))))
                        .and_then(|p| self.describe(p))
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default();
                    out.push(Violation {
                        code,
                        pointer,
                        at_key: false,
                        message: format!("missing required property `{name}`"),
                        label: format!("`{name}` is missing here"),
                        hint: format!("add `{name}`{what}"),
                    });
                }
                ValidationErrorKind::Enum { options } => {
                    let list = options
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|v| format!("`{}`", plain(v)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    let nearest = error
                        .instance()
                        .as_str()
                        .zip(options.as_array())
                        .and_then(|(text, allowed)| {
                            routes_core::text::nearest(text, allowed.iter().filter_map(Value::as_str))
                        });
                    let hint = match nearest {
                        Some(near) => format!("did you mean `{near}`? Allowed: {list}"),
                        None => format!("use one of {list}"),
                    };
                    out.push(Violation {
                        code,
                        pointer,
                        at_key: false,
                        message: format!("`{}` is not an allowed value", plain(error.instance())),
                        label: "not allowed".into(),
                        hint,
                    });
                }
                ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
                    // Report the branch that came closest, in its own words.
                    let closest = closest_branch(context);
                    let form = description
                        .or_else(|| parent.and_then(|p| self.describe(p)))
                        .unwrap_or_default();
                    let mut hint = sentence(&form);
                    let (message, pointer) = match closest {
                        Some(inner) => {
                            let words = if matches!(inner.kind(), ValidationErrorKind::Pattern { .. }) {
                                let (words, repaired) = self.pattern_words(inner);
                                if let Some(better) = repaired {
                                    hint = format!("did you mean `{better}`?");
                                }
                                words
                            } else {
                                inner_message(inner)
                            };
                            (
                                format!("matches none of the allowed forms; closest: {words}"),
                                inner.instance_path().as_str().to_owned(),
                            )
                        }
                        None => ("matches none of the allowed forms".to_owned(), pointer),
                    };
                    out.push(Violation {
                        code,
                        pointer,
                        at_key: false,
                        message,
                        label: "no allowed form matches".into(),
                        hint,
                    });
                }
                ValidationErrorKind::Pattern { .. } => {
                    let (message, repaired) = self.pattern_words(&error);
                    let hint = match (repaired, &about) {
                        (Some(better), _) => format!("did you mean `{better}`?"),
                        (None, Some(about)) => sentence(about),
                        (None, None) => "write the value in the form the message names".to_owned(),
                    };
                    out.push(Violation {
                        code,
                        pointer,
                        at_key: false,
                        message,
                        label: "not of the expected form".into(),
                        hint,
                    });
                }
                kind => {
                    let field = pointer
                        .rsplit('/')
                        .next()
                        .filter(|t| !t.is_empty() && !t.bytes().all(|b| b.is_ascii_digit()));
                    let hint = match (field, &about) {
                        (Some(field), Some(about)) => format!("`{field}`: {}", sentence(about)),
                        (None, Some(about)) => sentence(about),
                        (_, None) => format!("see `{schema_path}` in the schema"),
                    };
                    out.push(Violation {
                        code,
                        pointer,
                        at_key: false,
                        message: in_words(kind, error.instance()).unwrap_or_else(|| error.to_string()),
                        label: format!("fails `{keyword}`"),
                        hint,
                    });
                }
            }
        }
        // A value of the wrong form that is no date either is said once.
        let patterned: Vec<String> = out
            .iter()
            .filter(|v| v.code == "schema/pattern")
            .map(|v| v.pointer.clone())
            .collect();
        out.retain(|v| v.code != "schema/format" || !patterned.contains(&v.pointer));
        out
    }

    /// The schema node at a keyword location, following the `$ref`s on the
    /// way (`/properties/country/$ref` is the `country_code` definition).
    fn schema_at(&self, pointer: &str) -> Option<&Value> {
        let mut node = &self.document;
        for token in pointer.split('/').skip(1) {
            let token = token.replace("~1", "/").replace("~0", "~");
            node = if token == "$ref" {
                let target = node.get("$ref")?.as_str()?.strip_prefix('#')?;
                self.document.pointer(target)?
            } else {
                match node {
                    Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                    _ => node.get(&token)?,
                }
            };
        }
        Some(node)
    }

    /// The description of a schema node, following one `$ref`.
    fn describe(&self, node: &Value) -> Option<String> {
        if let Some(d) = node.get("description").and_then(Value::as_str) {
            return Some(d.trim_end_matches('.').to_owned());
        }
        let target = node.get("$ref").and_then(Value::as_str)?.strip_prefix('#')?;
        self.schema_at(target)?
            .get("description")
            .and_then(Value::as_str)
            .map(|d| d.trim_end_matches('.').to_owned())
    }
}

impl RouteSchema {
    /// A `pattern` failure in words (the schema's `patternErrorMessage`, never
    /// the regular expression), and the nearest value of the right form.
    fn pattern_words(&self, error: &jsonschema::ValidationError<'_>) -> (String, Option<String>) {
        let schema_path = error.schema_path().as_str().to_owned();
        let node = parent_pointer(&schema_path);
        let expected = self
            .schema_at(node)
            .and_then(|n| n.get("patternErrorMessage"))
            .and_then(Value::as_str)
            .unwrap_or("expected a value of another form");
        let expected = expected.trim_start_matches("expected ");
        let repaired = error.instance().as_str().and_then(|text| self.nearest_form(node, text));
        (format!("`{}` is not {expected}", plain(error.instance())), repaired)
    }

    /// The value a slip of the keyboard turned `text` into, back in the form
    /// the pattern at `node` asks for: the same text in upper or lower case,
    /// with `-` and `_` or spaces swapped, trimmed. `None` when no such
    /// repair fits.
    fn nearest_form(&self, node: &str, text: &str) -> Option<String> {
        let pattern = self.schema_at(node)?.get("pattern")?.as_str()?;
        let check = jsonschema::validator_for(&serde_json::json!({ "type": "string", "pattern": pattern })).ok()?;
        let trimmed = text.trim();
        let candidates = [
            trimmed.to_owned(),
            trimmed.to_uppercase(),
            trimmed.to_lowercase(),
            trimmed.replace('-', "_").to_uppercase(),
            trimmed.replace(['_', ' '], "-").to_lowercase(),
            trimmed.replace(' ', "_").to_uppercase(),
        ];
        if let Some(found) = candidates
            .into_iter()
            .find(|c| c != text && check.is_valid(&Value::from(c.as_str())))
        {
            return Some(found);
        }
        // Codes from a standard list: the nearest code of the list (`EURO` → `EUR`).
        let node = self.schema_at(node)?;
        let list: Vec<&'static str> = if Some(node) == self.document.pointer("/$defs/currency_code") {
            <iso_currency::Currency as iso_currency::IntoEnumIterator>::iter()
                .map(|c| c.code())
                .collect()
        } else if Some(node) == self.document.pointer("/$defs/country_code") {
            celes::Country::get_countries().iter().map(|c| c.alpha2).collect()
        } else {
            return None;
        };
        routes_core::text::nearest(&trimmed.to_uppercase(), list.iter().copied()).map(str::to_owned)
    }
}

/// A violation's message in words, for the keywords whose library message
/// shows schema syntax (`"x" is not of type "string"`).
fn in_words(kind: &ValidationErrorKind, instance: &Value) -> Option<String> {
    let shown = plain(instance);
    Some(match kind {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                jsonschema::error::TypeKind::Single(t) => type_words(&t.to_string()).to_owned(),
                jsonschema::error::TypeKind::Multiple(ts) => ts
                    .into_iter()
                    .map(|t| type_words(&t.to_string()).to_owned())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let found = match instance {
                Value::Array(_) => "a list".to_owned(),
                Value::Object(_) => "an object".to_owned(),
                Value::String(_) => format!("the text `{shown}`"),
                Value::Number(_) => format!("the number `{shown}`"),
                Value::Bool(_) | Value::Null => format!("`{shown}`"),
            };
            format!("expected {expected}, found {found}")
        }
        ValidationErrorKind::Format { format } => {
            let expected = match format.as_str() {
                "date" => "a calendar date `YYYY-MM-DD` that exists",
                "uri" | "iri" => "an absolute URL",
                "uri-reference" | "iri-reference" => "a URL or relative path",
                "email" => "an e-mail address",
                "date-time" => "a date and time (RFC 3339)",
                _ => return None,
            };
            format!("`{shown}` is not {expected}")
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("expected exactly `{expected_value}`, found `{instance}`")
        }
        ValidationErrorKind::Minimum { limit } => format!("`{shown}` is below the minimum, {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("`{shown}` is above the maximum, {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("`{shown}` is not above {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("`{shown}` is not below {limit}"),
        ValidationErrorKind::MinLength { limit: 1 } => "the text is empty".to_owned(),
        ValidationErrorKind::MinLength { limit } => format!("`{shown}` is shorter than {limit} characters"),
        ValidationErrorKind::MaxLength { limit } => format!(
            "the text is {} characters long, more than {limit}",
            instance.as_str().map_or(0, |t| t.chars().count())
        ),
        ValidationErrorKind::MinItems { limit } => format!(
            "the list has {} {}, fewer than {limit}",
            instance.as_array().map_or(0, Vec::len),
            if instance.as_array().map_or(0, Vec::len) == 1 {
                "item"
            } else {
                "items"
            }
        ),
        ValidationErrorKind::MaxItems { limit } => format!(
            "the list has {} items, more than {limit}",
            instance.as_array().map_or(0, Vec::len)
        ),
        ValidationErrorKind::UniqueItems => "the list holds the same item more than once".to_owned(),
        ValidationErrorKind::MinProperties { limit } => format!("the object needs at least {limit} properties"),
        _ => return None,
    })
}

/// A JSON Schema type in words.
fn type_words(t: &str) -> &'static str {
    match t {
        "string" => "text (a JSON string)",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "`true` or `false`",
        "array" => "a list (a JSON array)",
        "object" => "an object",
        "null" => "`null`",
        _ => "another type",
    }
}

fn parent_pointer(pointer: &str) -> &str {
    pointer.rfind('/').map_or("", |i| &pointer[..i])
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn kebab(keyword: &str) -> String {
    let mut out = String::new();
    for c in keyword.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        }
    }
    out
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => {
            let s = other.to_string();
            if s.len() > 60 {
                format!("{}…", &s[..s.floor_char_boundary(57)])
            } else {
                s
            }
        }
    }
}

/// A description as a hint: no trailing period.
fn sentence(s: &str) -> String {
    s.trim().trim_end_matches('.').to_owned()
}

/// In a `oneOf`/`anyOf` failure, the first error of the branch with the fewest
/// errors, descending into nested alternatives.
fn closest_branch<'e>(
    context: &'e [Vec<jsonschema::ValidationError<'static>>],
) -> Option<&'e jsonschema::ValidationError<'static>> {
    let branch = context.iter().filter(|b| !b.is_empty()).min_by_key(|b| b.len())?;
    let first = branch.first()?;
    match first.kind() {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            closest_branch(context).or(Some(first))
        }
        _ => Some(first),
    }
}

fn inner_message(error: &jsonschema::ValidationError<'_>) -> String {
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            format!("missing required property `{}`", plain(property))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!("unknown property `{}`", unexpected.join("`, `"))
        }
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_compiles_and_codes_are_kebab() {
        assert!(RouteSchema::new().is_ok());
        assert_eq!(kebab("additionalProperties"), "additional-properties");
        assert_eq!(kebab("$ref"), "ref");
        assert_eq!(parent_pointer("/$defs/a/required"), "/$defs/a");
    }
}
