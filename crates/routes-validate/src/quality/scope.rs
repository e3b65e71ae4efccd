//! Who may apply: a nationality scope that is said, lists someone and rests
//! on evidence; exemptions that cited pages state; named groups that the
//! reference data defines.

use std::collections::HashSet;

use routes_core::{NationalityScope, Route, Tristate};
use routes_diagnostics::Diagnostic;

use super::context::Finding;
use crate::reference::CountryReference;
use crate::rule::{E, Rule, W, rule};
use crate::words::canonical_url;

/// The nationality rules.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        "quality/empty-nationality-list",
        E,
        "A restricted nationality scope lists no one",
        "`only` or `all_except` with an empty list says nothing about who may apply.",
        "\"nationality\": {\"scope\": \"only\"}",
        "DQ7"
    ),
    rule!(
        "quality/missing-exemption",
        W,
        "A route lacks an exemption that the official page it cites states",
        "Nationality-specific exemptions (EAEU citizens: no health-insurance copy) are the first thing aggregators drop.",
        "a route citing gov.kz/services/4631 with no exemption for `EAEU`",
        "DQ7"
    ),
    rule!(
        "quality/no-nationality-scope",
        W,
        "The route does not say which nationalities may apply",
        "Many routes are open to some nationalities only; a record that says nothing reads as \"open to all\".",
        "\"eligibility\": {\"nationality\": {\"scope\": \"unknown\"}}",
        "DQ7"
    ),
    rule!(
        "quality/open-to-all-unevidenced",
        W,
        "\"Open to all nationalities\" without evidence",
        "\"Open to all\" is a claim like any other and a common default of aggregators.",
        "\"nationality\": {\"scope\": \"all\"}",
        "DQ7"
    ),
    rule!(
        "quality/undefined-group",
        W,
        "A named group of nationalities is defined in no reference file",
        "`EAEU` or `VISA_FREE_AGREEMENT` means nothing to a reader, or to an eligibility check, unless its members and their source are recorded: international groupings in `reference/groups.json`, a country's own in `reference/<cc>.json`.",
        "\"groups\": [\"EAEU\"] with no `groups` entry named `EAEU`",
        "DQ7"
    ),
];

/// Who may apply is said, and said with evidence; exemptions that cited pages state are carried.
pub(crate) fn nationality(
    route: &Route,
    reference: Option<&CountryReference>,
    finding: &Finding<'_>,
    out: &mut Vec<Diagnostic>,
) {
    // Nationality scope.
    let nat = &route.eligibility.nationality;
    match nat.scope {
        NationalityScope::Unknown => out.push(finding(
            "quality/no-nationality-scope",
            "/eligibility/nationality/scope",
            "who may apply?",
            "the record does not say which nationalities may apply".into(),
            "set `scope` to `only` or `all_except` with the countries or groups the source names, or `all` with evidence".into(),
        )),
        NationalityScope::Only | NationalityScope::AllExcept if nat.countries.is_empty() && nat.groups.is_empty() => out.push(finding(
            "quality/empty-nationality-list",
            "/eligibility/nationality/scope",
            "lists no one",
            format!("scope `{}` lists no country and no group", nat.scope),
            "add the countries (ISO codes) or named groups the source gives".into(),
        )),
        NationalityScope::All if nat.evidence.is_empty() => out.push(finding(
            "quality/open-to-all-unevidenced",
            "/eligibility/nationality/scope",
            "says who?",
            "the route is recorded as open to all nationalities, with no evidence".into(),
            "cite the source that says so, or set `scope` to `unknown`".into(),
        )),
        _ => {}
    }
    if let Some(reference) = reference {
        let urls: HashSet<String> = route
            .sources
            .iter()
            .flat_map(|s| std::iter::once(&s.url).chain(&s.aliases))
            .map(|u| canonical_url(u))
            .collect();
        for ex in &reference.page_exemptions {
            let cites = ex.urls.iter().any(|u| urls.contains(&canonical_url(u)));
            let needs = route
                .requirements
                .iter()
                .any(|r| r.kind == ex.waives && r.required == Tristate::Yes);
            let has = route
                .eligibility
                .exemptions
                .iter()
                .any(|e| ex.groups.iter().any(|g| e.who.groups.contains(g)));
            if cites && needs && !has {
                out.push(finding(
                    "quality/missing-exemption",
                    "/eligibility",
                    "exemption missing",
                    format!(
                        "the record cites a page that exempts {} from `{}`, but lists no such exemption",
                        ex.groups.join(", "),
                        ex.waives
                    ),
                    format!("add to `eligibility.exemptions`: {}", ex.description),
                ));
            }
        }
    }
}

pub(crate) fn nat_scope_all(route: &Route) -> bool {
    route.eligibility.nationality.scope == NationalityScope::All
}

/// Every named group of nationalities a record uses is defined, with its
/// members or a note that no source lists them, in the reference data.
pub(crate) fn group_rules(
    route: &Route,
    reference: &crate::reference::Reference,
    finding: &Finding<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let nat = &route.eligibility.nationality;
    let mut used: Vec<(String, &str)> = nat
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (format!("/eligibility/nationality/groups/{i}"), g.as_str()))
        .collect();
    for (e, ex) in route.eligibility.exemptions.iter().enumerate() {
        for (i, g) in ex.who.groups.iter().enumerate() {
            used.push((format!("/eligibility/exemptions/{e}/who/groups/{i}"), g.as_str()));
        }
    }
    for (pointer, group) in used {
        if reference.group(route.country.as_str(), group).is_none() {
            out.push(finding(
                "quality/undefined-group",
                &pointer,
                "not defined",
                format!(
                    "group `{group}` is defined neither in `reference/{}.json` nor in `reference/groups.json`",
                    route.country.as_str().to_lowercase()
                ),
                "define it under `groups` with its name, its members (or none, when no source lists them) and its sources, so that who belongs to it can be checked".into(),
            ));
        }
    }
}
