//! Every finding code of `routes sources`, in one table: what it means, why it
//! matters, what to do, its severity, and whether it puts the route on the
//! list to re-verify.

use std::fmt::Write as _;

use routes_diagnostics::Severity;

/// One finding code of `routes sources check` and `routes sources archive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The stable code, such as `sources/dead-link`.
    pub code: &'static str,
    /// `error` for a change in what the source says or where it is (the route
    /// is to be re-verified); `warning` for trouble that says nothing about
    /// the page (a server error, a time-out: try again later).
    pub severity: Severity,
    /// What it reports.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// What to do about it.
    pub hint: &'static str,
}

impl Code {
    /// Whether a finding of this code puts its route on the list to
    /// re-verify: every error does; warnings are transient trouble or pages
    /// that cannot be compared, which say nothing about the facts.
    #[must_use]
    pub fn reverify(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The page is gone: 404 or 410, or its host does not resolve or refuses connections.
pub const DEAD_LINK: &str = "sources/dead-link";
/// A 301 or 308 redirect to another page.
pub const MOVED_PERMANENTLY: &str = "sources/moved-permanently";
/// A redirect that ends on the site's home page.
pub const REDIRECT_TO_HOME: &str = "sources/redirect-to-home";
/// A redirect that cannot be followed: a loop, too many hops, no `Location`, another scheme.
pub const BAD_REDIRECT: &str = "sources/bad-redirect";
/// The page's text no longer matches its snapshot.
pub const SNAPSHOT_CHANGED: &str = "sources/snapshot-changed";
/// An excerpt quoting the source is no longer in the page.
pub const EXCERPT_MISSING: &str = "sources/excerpt-missing";
/// The page could not be read this time: a server error, a time-out, a refusal.
pub const UNREACHABLE: &str = "sources/unreachable";
/// The answer is larger than the body cap; it was not read further.
pub const TOO_LARGE: &str = "sources/too-large";
/// The answer is not text `routes` can compare (a PDF, an image, an archive).
pub const NOT_TEXT: &str = "sources/not-text";

/// The table of every code.
pub const CODES: &[Code] = &[
    Code {
        code: DEAD_LINK,
        severity: Severity::Error,
        what: "the page is gone: it answers 404 Not Found or 410 Gone, or its host does not resolve or refuses connections",
        why: "a claim whose page is gone can no longer be checked by anyone, and the rule it stated may have been withdrawn with it",
        hint: "find where the page went (the site's search, an archive of the old URL); re-verify the claims it backs, then update `url` and keep the old one in `aliases`",
    },
    Code {
        code: MOVED_PERMANENTLY,
        severity: Severity::Error,
        what: "the URL answers 301 or 308: the page moved to another address for good",
        why: "the record should cite where the page lives now; a moved page is often a rewritten one",
        hint: "check that the new page states the same facts, then set `url` to the new address and keep the old one in `aliases`",
    },
    Code {
        code: REDIRECT_TO_HOME,
        severity: Severity::Error,
        what: "the URL redirects to the site's home page",
        why: "sites send removed pages to their home page instead of answering 404: the page is gone",
        hint: "find the page that states the claims now (the site's search, an archive of the old URL), or mark the claims unknown",
    },
    Code {
        code: BAD_REDIRECT,
        severity: Severity::Error,
        what: "a redirect cannot be followed: it loops, takes more than 10 hops, has no `Location`, or leaves http and https",
        why: "a page no browser can reach backs no claim",
        hint: "open the URL in a browser to see where it goes; cite the page it should reach",
    },
    Code {
        code: SNAPSHOT_CHANGED,
        severity: Severity::Error,
        what: "the page's text no longer matches its snapshot: for a full copy the texts differ, for a partial or plain copy a passage of the snapshot is no longer in the page",
        why: "the snapshot is what was read when the facts were recorded; a changed page may state other facts",
        hint: "read the page again, re-verify the claims it backs, then archive it again with `routes sources archive`",
    },
    Code {
        code: EXCERPT_MISSING,
        severity: Severity::Error,
        what: "an excerpt that quotes the source is no longer in the page (whitespace and quote styles ignored)",
        why: "the quote is the evidence of a claim: a page that no longer says it may no longer back the claim",
        hint: "find what the page says now; update the claim and its excerpt, or mark the claim unknown",
    },
    Code {
        code: UNREACHABLE,
        severity: Severity::Warning,
        what: "the page could not be read this time: a server error (5xx), too many requests (429), a refusal (401, 403, another 4xx), a time-out, or a broken connection",
        why: "such trouble passes and says nothing about the page's content; the route is not put on the list to re-verify",
        hint: "run the check again later; if it persists, open the page in a browser",
    },
    Code {
        code: TOO_LARGE,
        severity: Severity::Warning,
        what: "the answer is larger than the body cap (`--max-body`); it was not read further",
        why: "a page that large is rarely the page the source names (a file dump, an endless stream), and it is not compared",
        hint: "check the URL in a browser; raise `--max-body` if the page is really that large",
    },
    Code {
        code: NOT_TEXT,
        severity: Severity::Warning,
        what: "the answer is not a text `routes` can compare (a PDF, an image, an archive, an unknown type)",
        why: "its snapshot and excerpts cannot be checked automatically",
        hint: "compare the document with its snapshot by hand, and archive its text by hand as a `copy: partial` snapshot",
    },
];

/// The entry of `code` in [`CODES`].
#[must_use]
pub fn code(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

/// The severity of a code of [`CODES`] (a warning for an unknown one).
pub(crate) fn severity(c: &str) -> Severity {
    code(c).map_or(Severity::Warning, |c| c.severity)
}

/// The hint of a code of [`CODES`].
pub(crate) fn hint(c: &str) -> &'static str {
    code(c).map_or("", |c| c.hint)
}

/// The table of codes as Markdown, for `docs/rules.md`.
#[must_use]
pub fn codes_markdown() -> String {
    let mut out = String::from(
        "\n## Codes of `routes sources`\n\n`routes sources check` and `routes sources archive` fetch the sources (the network; `routes validate` never does). Generated from `crates/routes-sources/src/codes.rs`. An error puts the route on the list to re-verify.\n\n| code | severity | what it reports |\n|---|---|---|\n",
    );
    for c in CODES {
        let _ = writeln!(out, "| `{}` | {} | {} |", c.code, c.severity.as_str(), c.what);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "{} twice", c.code);
            assert!(c.code.starts_with("sources/"));
            assert!(!c.what.is_empty() && !c.why.is_empty() && !c.hint.is_empty());
        }
        assert!(code(DEAD_LINK).is_some_and(Code::reverify));
        assert!(code(UNREACHABLE).is_some_and(|c| !c.reverify()));
    }
}
