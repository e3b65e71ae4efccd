//! Findings in the formats continuous integration reads: GitHub Actions
//! workflow commands (annotations on the lines of a pull request) and SARIF
//! 2.1.0 (code scanning).
//!
//! Both are written a finding at a time, so memory stays flat however many
//! findings there are: a SARIF log's `results` come first and its `tool`
//! (with the rules) last, which JSON allows.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use routes_diagnostics::{Diagnostic, Severity};

/// One GitHub Actions workflow command for a finding:
/// `::error file=F,line=L,col=C,title=CODE::message`.
///
/// Property values and the message are escaped as the runner expects
/// (`%`, CR, LF; and `:` and `,` in properties), so no text of a record can
/// end the command early or start another.
pub(crate) fn github_annotation(d: &Diagnostic) -> String {
    let command = match d.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if !d.file().is_empty() {
        properties.push(format!("file={}", github_property(d.file())));
    }
    if let Some(line) = d.line() {
        properties.push(format!("line={line}"));
        if let Some(column) = d.column() {
            properties.push(format!("col={column}"));
        }
    }
    properties.push(format!("title={}", github_property(d.code())));
    let mut message = d.message().to_owned();
    if let (Some(route), Some(pointer)) = (d.route(), d.pointer()) {
        let _ = write!(message, " (`{route}` at `{pointer}`)");
    }
    if let Some(hint) = d.hint() {
        let _ = write!(message, "\nhelp: {hint}");
    }
    format!("::{command} {}::{}\n", properties.join(","), github_data(&message))
}

/// The escaping of a workflow command's message.
fn github_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// The escaping of a workflow command's property value.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log written a result at a time.
pub(crate) struct Sarif {
    /// Whether a result was written (for the commas).
    started: bool,
    /// The codes of the results, for the rules listed at the end.
    codes: BTreeSet<String>,
}

/// The address of the SARIF 2.1.0 schema, as the standard names it.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

impl Sarif {
    /// The log's opening, up to its first result.
    pub(crate) fn begin() -> (Self, String) {
        let head = format!(
            "{{\"$schema\":{},\"version\":\"2.1.0\",\"runs\":[{{\"columnKind\":\"unicodeCodePoints\",\"results\":[",
            json(SARIF_SCHEMA)
        );
        (
            Self {
                started: false,
                codes: BTreeSet::new(),
            },
            head,
        )
    }

    /// One result, as JSON text (with the comma before it when needed).
    pub(crate) fn result(&mut self, d: &Diagnostic) -> String {
        self.codes.insert(d.code().to_owned());
        let mut message = d.message().to_owned();
        if let Some(hint) = d.hint() {
            let _ = write!(message, "\nhelp: {hint}");
        }
        let mut result = serde_json::json!({
            "ruleId": d.code(),
            "level": level(d.severity()),
            "message": { "text": message },
        });
        if !d.file().is_empty() {
            let mut physical = serde_json::json!({ "artifactLocation": { "uri": uri(d.file()) } });
            if let Some(line) = d.line() {
                let mut region = serde_json::json!({ "startLine": line });
                if let Some(column) = d.column() {
                    region["startColumn"] = column.into();
                }
                physical["region"] = region;
            }
            result["locations"] = serde_json::json!([{ "physicalLocation": physical }]);
        }
        let mut properties = serde_json::Map::new();
        if let Some(route) = d.route() {
            properties.insert("route".into(), route.into());
        }
        if let Some(pointer) = d.pointer() {
            properties.insert("pointer".into(), pointer.into());
        }
        if !properties.is_empty() {
            result["properties"] = properties.into();
        }
        let comma = if std::mem::replace(&mut self.started, true) {
            ","
        } else {
            ""
        };
        format!("{comma}{result}")
    }

    /// The end of the log: the tool, with a rule for every code of a result
    /// and every rule `routes validate` has, then the closing brackets.
    pub(crate) fn end(self) -> String {
        let mut codes: BTreeSet<String> = routes_validate::RULES.iter().map(|r| r.code.to_owned()).collect();
        codes.extend(self.codes);
        let rules: Vec<serde_json::Value> = codes
            .iter()
            .filter(|code| !code.contains('<'))
            .map(|code| sarif_rule(code))
            .collect();
        let tool = serde_json::json!({
            "driver": {
                "name": "routes",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/routes",
                "rules": rules,
            }
        });
        format!("],\"tool\":{tool}}}]}}\n")
    }
}

/// A SARIF rule: the code's summary, why it exists, and its default level.
/// `schema/<keyword>` codes share the schema rule's words.
fn sarif_rule(code: &str) -> serde_json::Value {
    let rule = routes_validate::rule(code).or_else(|| {
        code.strip_prefix("schema/")
            .and_then(|_| routes_validate::rule("schema/<keyword>"))
    });
    let (summary, why, severity) = rule.map_or((code, "", Severity::Error), |r| (r.summary, r.why, r.severity));
    let mut value = serde_json::json!({
        "id": code,
        "shortDescription": { "text": summary },
        "defaultConfiguration": { "level": level(severity) },
        "help": { "text": format!("routes validate --explain {code}") },
    });
    if !why.is_empty() {
        value["fullDescription"] = serde_json::json!({ "text": why });
    }
    value
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn json(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// A file name as a URI reference: relative names stay relative (to the
/// folder `routes` ran in, the repository in CI), with `/` between parts
/// and every byte a URI may not hold percent-encoded; absolute ones become
/// `file://` URLs.
fn uri(file: &str) -> String {
    let path = std::path::Path::new(file);
    if path.is_absolute()
        && let Ok(url) = url::Url::from_file_path(path)
    {
        return url.to_string();
    }
    let mut out = String::with_capacity(file.len());
    for byte in file.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_what_would_end_the_command() {
        let d = Diagnostic::new("schema/enum", Severity::Error, "a,b:c.json")
            .with_line(3, 7)
            .with_message("50% off\n::error::forged")
            .with_hint("use `x`");
        let line = github_annotation(&d);
        assert_eq!(
            line,
            "::error file=a%2Cb%3Ac.json,line=3,col=7,title=schema/enum::50%25 off%0A::error::forged%0Ahelp: use `x`\n"
        );
        assert_eq!(line.matches('\n').count(), 1);
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("dataset/routes/kz/a b.json"), "dataset/routes/kz/a%20b.json");
        assert_eq!(uri("dataset\\routes\\x#1.json"), "dataset/routes/x%231.json");
        assert_eq!(uri("/tmp/ü.json"), "file:///tmp/%C3%BC.json");
    }
}
