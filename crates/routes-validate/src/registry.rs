//! Every finding code `routes validate` can report: what it checks, why, its
//! default severity and an example that trips it. `--list-rules` and
//! `--explain CODE` print from here, and `docs/rules.md` is generated from it.

use std::fmt::Write as _;
use std::sync::LazyLock;

use routes_diagnostics::Severity;

pub use crate::rule::Rule;

/// All rules, sorted by code: the tables of every rule family.
pub static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let mut all: Vec<Rule> = [
        crate::config::RULES,
        crate::input::RULES,
        crate::json::RULES,
        crate::schema::RULES,
        crate::record::RULES,
        crate::reference::RULES,
    ]
    .into_iter()
    .chain(crate::quality::rule_tables())
    .flatten()
    .copied()
    .collect();
    all.sort_by_key(|r| r.code);
    all
});

pub use crate::rule::{FIXED, is_fixed};

/// The rule with this code. `schema/...` codes share one entry.
#[must_use]
pub fn rule(code: &str) -> Option<&'static Rule> {
    let key = if code.starts_with("schema/") && code != "schema/model-mismatch" {
        "schema/<keyword>"
    } else {
        code
    };
    RULES.iter().find(|r| r.code == key)
}

/// The default severity of a code.
#[must_use]
pub fn default_severity(code: &str) -> Severity {
    rule(code).map_or(Severity::Error, |r| r.severity)
}

/// Failure kinds of the data-quality catalogue that no rule checks, and why.
pub static UNCHECKED: &[(&str, &str)] = &[
    (
        "DQ14",
        "Dead or moved links: checking needs the network, which `routes validate` never uses (it must give the same answer offline and on every run). `routes sources check` does the looking: see its codes below.",
    ),
    (
        "DQ18",
        "Self-reported statistics: records hold no statistics; every count in a release's dataset card is computed from the data by `routes publish`.",
    ),
];

/// `docs/rules.md`, generated from the rule table (a test keeps it current).
#[must_use]
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Rules of `routes validate`\n\nGenerated from the rule tables of `crates/routes-validate/src/` (each family's module holds its own; `registry.rs` gathers them); `routes validate --explain CODE` prints one rule.\n\n| code | default | what it checks | catches |\n|---|---|---|---|\n",
    );
    for r in RULES.iter() {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            r.code,
            r.severity.as_str(),
            r.summary,
            r.catches.join(", ")
        );
    }
    out.push_str("\n## Failure kinds without a rule\n\n");
    for (dq, why) in UNCHECKED {
        let _ = writeln!(out, "- **{dq}**: {why}");
    }
    out
}
