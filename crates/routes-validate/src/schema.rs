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
pub const ROUTE_SCHEMA: &str = include_str!("../../../schema/route.schema.json");

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
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let allowed = parent
                        .and_then(|s| s.get("properties"))
                        .and_then(Value::as_object)
                        .map(|p| p.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default();
                    for name in unexpected {
                        out.push(Violation {
                            code: code.clone(),
                            pointer: format!("{pointer}/{}", escape(name)),
                            at_key: true,
                            message: format!("unknown property `{name}`"),
                            label: "not in the schema".into(),
                            hint: format!("allowed here: {allowed}"),
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
                    out.push(Violation {
                        code,
                        pointer,
                        at_key: false,
                        message: format!("`{}` is not an allowed value", plain(error.instance())),
                        label: "not allowed".into(),
                        hint: format!("use one of {list}"),
                    });
                }
                ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
                    // Report the branch that came closest, in its own words.
                    let closest = closest_branch(context);
                    let form = description
                        .or_else(|| parent.and_then(|p| self.describe(p)))
                        .unwrap_or_default();
                    let (message, pointer) = match closest {
                        Some(inner) => (
                            format!("matches none of the allowed forms; closest: {}", inner_message(inner)),
                            inner.instance_path().as_str().to_owned(),
                        ),
                        None => ("matches none of the allowed forms".to_owned(), pointer),
                    };
                    out.push(Violation {
                        code,
                        pointer,
                        at_key: false,
                        message,
                        label: "no allowed form matches".into(),
                        hint: sentence(&form),
                    });
                }
                _ => {
                    let field = pointer
                        .rsplit('/')
                        .next()
                        .filter(|t| !t.is_empty() && !t.bytes().all(|b| b.is_ascii_digit()));
                    let about = description.or_else(|| parent.and_then(|p| self.describe(p)));
                    let hint = match (field, about) {
                        (Some(field), Some(about)) => format!("`{field}`: {}", sentence(&about)),
                        (None, Some(about)) => sentence(&about),
                        (_, None) => format!("see `{schema_path}` in the schema"),
                    };
                    out.push(Violation {
                        code,
                        pointer,
                        at_key: false,
                        message: error.to_string(),
                        label: format!("fails `{keyword}`"),
                        hint,
                    });
                }
            }
        }
        out
    }

    fn schema_at(&self, pointer: &str) -> Option<&Value> {
        self.document.pointer(pointer)
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
