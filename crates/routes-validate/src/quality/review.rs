//! Review status: a `verified` record rests on official quotes, not on
//! third-party pages alone, and holds no unsettled conflict.

use std::collections::HashMap;

use routes_core::{ReviewStatus, Route, Tier};
use routes_diagnostics::Diagnostic;

use super::context::Finding;
use crate::rule::{E, Rule, W, rule};
use crate::view::ClaimView;

/// The review-status rules.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        "quality/conflict-in-verified",
        W,
        "A record with conflicting values is marked `verified`",
        "Sources that disagree lower the confidence in a record; it cannot be fully verified until the conflict is settled.",
        "\"review_status\": \"verified\" with two processing times in conflict group `decision-time`",
        "DQ12"
    ),
    rule!(
        "quality/verified-third-party",
        E,
        "A `verified` record rests on third-party sources only",
        "Verification means checked against official sources.",
        "\"review_status\": \"verified\" with every source `tier: third_party`"
    ),
    rule!(
        "quality/verified-without-excerpts",
        E,
        "A `verified` record has figures that rest on no official quote",
        "A record is verified only when every figure and claim is quoted from an official source; a claim with no excerpt, or quoted only from official-adjacent or third-party pages, must not be marked verified.",
        "\"review_status\": \"verified\" and a figure whose evidence has no `excerpt`",
        "DQ5"
    ),
];

/// A `verified` record rests on official quotes and holds no conflict.
pub(crate) fn status(route: &Route, claims: &[ClaimView<'_>], finding: &Finding<'_>, out: &mut Vec<Diagnostic>) {
    let sources: HashMap<&str, &routes_core::Source> = route.sources.iter().map(|s| (s.id.as_str(), s)).collect();
    // Review status.
    let conflicts = crate::view::conflict_count(route);
    if route.review_status == ReviewStatus::Verified {
        if route.sources.iter().all(|s| s.tier == Tier::ThirdParty) {
            out.push(finding(
                "quality/verified-third-party",
                "/review_status",
                "third-party only",
                "the record is `verified` but every source is third-party".into(),
                "verify against official sources, or set `review_status` to `unverified`".into(),
            ));
        }
        let unquoted: Vec<crate::view::Ptr> = claims
            .iter()
            .filter(|c| {
                c.known
                    && !c.evidence.iter().any(|e| {
                        e.excerpt.is_some() && sources.get(e.source.as_str()).is_some_and(|s| s.tier == Tier::Official)
                    })
            })
            .map(|c| c.pointer)
            .collect();
        if let Some(first) = unquoted.first() {
            out.push(finding(
                "quality/verified-without-excerpts",
                "/review_status",
                "verified without official quotes",
                format!(
                    "the record is `verified` but {} of its claims rest on no quote of an official source (first: `{first}`)",
                    unquoted.len()
                ),
                "quote the official source for every claim, or set `review_status` to `under_review`".into(),
            ));
        }
        if conflicts > 0 {
            out.push(finding(
                "quality/conflict-in-verified",
                "/review_status",
                "sources disagree",
                format!("the record is `verified` but holds {conflicts} conflict group(s)"),
                "settle the conflict against the official source, or set `review_status` to `under_review`".into(),
            ));
        }
    }
}
