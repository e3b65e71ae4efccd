//! The `quality` rule family: the ways published route data goes wrong that
//! a schema cannot see (the DQ catalogue of `docs/rules.md`). One module per
//! kind of failure, each with the table of its rules next to their code:
//! evidence and quotes, sources and snapshots, money, ages, nationality scope,
//! conflicts, review status, near duplicates.

mod ages;
mod conflicts;
pub(crate) mod context;
pub(crate) mod duplicates;
mod evidence;
pub(crate) mod money;
mod review;
mod scope;
mod sources;

use std::collections::HashMap;

use routes_core::{Money, Route, Tier};
use routes_diagnostics::{Diagnostic, Severity};

use crate::place::Place;
use crate::reference::Reference;
use crate::rule::Rule;
use crate::view::claims;
use crate::words::{canonical_url, fmt_amount, is_home_page};
pub(crate) use context::{MoneyFact, QualityContext, QualitySummary};
use money::renderings;

/// The tables of the quality rules, one per module.
pub(crate) fn rule_tables() -> [&'static [Rule]; 8] {
    [
        ages::RULES,
        conflicts::RULES,
        duplicates::RULES,
        evidence::RULES,
        money::RULES,
        review::RULES,
        scope::RULES,
        sources::RULES,
    ]
}

/// Runs the per-record quality rules. Each finding gets its rule's default
/// severity from the validator, which then applies `routes.toml`.
pub(crate) fn record_quality(route: &Route, place: &Place<'_>, ctx: &QualityContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let finding = |code: &str, pointer: &str, label: &str, message: String, hint: String| {
        place
            .finding_at(code, Severity::Error, pointer, false, label)
            .with_message(message)
            .with_hint(hint)
    };
    let reference = ctx.reference.country(route.country.as_str());
    let claims = claims(route);
    let snapshots = sources::load_snapshots(route, place, ctx, &mut out);
    sources::source_rules(route, &snapshots, &finding, &mut out);
    sources::freshness(route, ctx.today, &finding, &mut out);
    scope::group_rules(route, ctx.reference, &finding, &mut out);
    scope::nationality(route, reference, &finding, &mut out);
    evidence::quotes(route, &claims, &finding, &mut out);
    ages::default_ranges(route, &finding, &mut out);
    money::amounts(route, (reference, ctx.reference), &finding, &mut out);
    review::status(route, &claims, &finding, &mut out);
    conflicts::unmarked_conflicts(route, &finding, &mut out);
    out
}

/// What the cross-record quality rules need of a record.
pub(crate) fn summarise(route: &Route, reference: &Reference) -> QualitySummary {
    let sources: HashMap<&str, &routes_core::Source> = route.sources.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut money = Vec::new();
    for (i, r) in route.requirements.iter().enumerate() {
        if let Some(Money::Fixed(m)) = &r.money {
            let urls = r
                .evidence
                .iter()
                .filter_map(|e| sources.get(e.source.as_str()))
                .map(|s| canonical_url(&s.url))
                .collect();
            money.push(MoneyFact {
                urls,
                stated: format!("{} {}", fmt_amount(m.amount), m.currency),
                renderings: renderings(m, reference, r.effective_from.unwrap_or(route.last_verified)),
                period: m.period,
                requirement: i,
            });
        }
    }
    let mut pages: Vec<String> = route
        .sources
        .iter()
        .filter(|s| s.tier == Tier::Official)
        .flat_map(|s| std::iter::once(&s.url).chain(&s.aliases))
        .filter(|u| !is_home_page(u))
        .map(|u| canonical_url(u))
        .collect();
    pages.sort_unstable();
    pages.dedup();
    QualitySummary {
        country: route.country.as_str().to_owned(),
        category: route.category.as_str(),
        pages,
        name: route.name.clone(),
        codes: route.codes.clone(),
        money,
    }
}
