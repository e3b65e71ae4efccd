//! What one rule is: its code, severity, what it checks, why, an example and
//! the failure kinds it catches. Each rule family's module keeps the table of
//! its rules next to the code that checks them; [`crate::registry`] gathers
//! them for `--list-rules`, `--explain` and `docs/rules.md`.

use routes_diagnostics::Severity;

/// What one rule checks.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Rule {
    /// Stable code, such as `quality/implausible-amount`.
    pub code: &'static str,
    /// Severity unless `routes.toml` says otherwise.
    pub severity: Severity,
    /// One line: what is checked.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A record fragment that trips the rule.
    pub example: &'static str,
    /// The failure kinds of `data-quality` (DQ1 to DQ18) it catches.
    pub catches: &'static [&'static str],
}

/// Severity `error`, for rule tables.
pub(crate) const E: Severity = Severity::Error;
/// Severity `warning`, for rule tables.
pub(crate) const W: Severity = Severity::Warning;

macro_rules! rule {
    ($code:literal, $sev:expr, $summary:literal, $why:literal, $example:literal $(, $dq:literal)*) => {
        Rule { code: $code, severity: $sev, summary: $summary, why: $why, example: $example, catches: &[$($dq),*] }
    };
}
pub(crate) use rule;

/// Codes that `routes.toml` can neither change nor silence: each means a
/// record (or a file that should hold one) could not be read or typed, or
/// says two things at once, so that no release can hold it as written.
pub static FIXED: &[&str] = &[
    "input/empty",
    "input/not-a-file",
    "input/not-utf8",
    "input/outside-dataset",
    "input/too-large",
    "input/unreadable",
    "json/duplicate-key",
    "json/syntax",
    "record/untyped",
    "schema/model-mismatch",
];

/// Whether no setting may change or silence the code (see [`FIXED`]).
#[must_use]
pub fn is_fixed(code: &str) -> bool {
    FIXED.contains(&code)
}
