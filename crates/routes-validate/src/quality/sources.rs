//! Sources: specific pages (no home page), an archived snapshot for every
//! quoted one with every quote in it, and sources seen recently, not older
//! than the law, not listed twice.

use std::collections::HashMap;

use routes_core::Route;
use routes_diagnostics::{Diagnostic, Severity};

use super::context::{Finding, QualityContext};
use crate::place::Place;
use crate::rule::{E, Rule, W, rule};
use crate::snapshot::read_snapshot;
use crate::words::{canonical_url, is_home_page, normalise};

/// The source rules.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        "quality/no-sources",
        W,
        "The record cites no source",
        "A record that cites nothing is a draft (`routes new` writes one): every fact it comes to state needs a source with a verbatim excerpt, and until then a reader has nothing to check.",
        "\"sources\": []",
        "DQ5"
    ),
    rule!(
        "quality/duplicate-source",
        W,
        "Two sources of one record are the same page",
        "URL variants (http/https, www, `?lang=`) of one page make one source look like two; list the variant in `aliases`.",
        "two sources `https://www.gov.kz/services/4631?lang=en` and `http://gov.kz/services/4631`",
        "DQ13"
    ),
    rule!(
        "quality/excerpt-not-in-snapshot",
        E,
        "An excerpt does not occur in the archived snapshot of its source",
        "An \"official quote\" must be a verbatim substring of the page; a paraphrase or an editor's note is not evidence.",
        "{\"source\": \"egov\", \"excerpt\": \"fonte não declara via para PR\"}  (not in snapshots/egov.txt)",
        "DQ5"
    ),
    rule!(
        "quality/excerpt-without-snapshot",
        W,
        "A quoted source has no archived snapshot",
        "A quote can only be checked against what was read: without a snapshot a quote can drift from its page unnoticed, and `quality/excerpt-not-in-snapshot` cannot run.",
        "a source quoted by an `excerpt` with no `\"snapshot\": {\"path\": \"snapshots/...\", \"sha256\": \"...\"}`",
        "DQ5"
    ),
    rule!(
        "quality/home-page-source",
        W,
        "A source is only a site's home page",
        "A home page states no specific claim: whoever checks the record cannot find the sentence behind the figure. Cite the page itself.",
        "{\"id\": \"islam-kz\", \"url\": \"https://islam.kz/\", ...} cited as evidence",
        "DQ5",
        "DQ14"
    ),
    rule!(
        "quality/snapshot-mismatch",
        E,
        "An archived snapshot is missing or its SHA-256 differs",
        "Excerpts are checked against the snapshot; a changed or lost snapshot breaks that check.",
        "\"snapshot\": {\"path\": \"snapshots/egov.txt\", \"sha256\": \"00…\"}",
        "DQ5"
    ),
    rule!(
        "quality/source-predates-law",
        W,
        "A source was published before the law it describes last changed",
        "A page older than the latest amendment or effective date may describe superseded rules (an article last updated 2022 against a 2024 exam requirement).",
        "source `published: 2022-12-12`, legal act `effective_from: 2024-01-01`",
        "DQ8"
    ),
    rule!(
        "quality/stale-source",
        W,
        "A source was last seen more than two years ago",
        "Immigration rules change yearly; a source not looked at for two years may no longer hold.",
        "\"seen\": \"2023-05-01\"",
        "DQ8"
    ),
];

/// Source rules: a home page backs no specific claim, and every quoted
/// source has an archived snapshot to check its quotes against.
pub(crate) fn source_rules(
    route: &Route,
    snapshots: &HashMap<&str, Option<String>>,
    finding: &Finding<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if route.sources.is_empty() {
        out.push(finding(
            "quality/no-sources",
            "/sources",
            "no source yet",
            "the record cites no source, so none of what it states can be checked".into(),
            "add the page each fact comes from to `sources`, with `routes sources archive` for its snapshot, and cite it in the facts' `evidence`".into(),
        ));
    }
    // Every evidence list of the record: claims, and also legal basis, names and notes.
    let lists = crate::view::evidence_lists(route);
    // Every excerpt, wherever it is, occurs in the snapshot of its source.
    let mut normalised: HashMap<&str, String> = HashMap::new();
    for (pointer, list) in &lists {
        for (j, ev) in list.iter().enumerate() {
            let Some(excerpt) = ev.excerpt.as_deref() else { continue };
            let Some(Some(text)) = snapshots.get(ev.source.as_str()) else {
                continue;
            };
            let text = normalised.entry(ev.source.as_str()).or_insert_with(|| normalise(text));
            if !text.contains(&normalise(excerpt)) {
                out.push(finding(
                    "quality/excerpt-not-in-snapshot",
                    &format!("{pointer}/{j}/excerpt"),
                    "not in the snapshot",
                    format!(
                        "the excerpt does not occur in the archived snapshot of source `{}`",
                        ev.source
                    ),
                    "an excerpt is a verbatim quote: copy it from the snapshot, in the source's language".into(),
                ));
            }
        }
    }
    for (i, source) in route.sources.iter().enumerate() {
        let (mut cites, mut quotes) = (0usize, 0usize);
        for e in lists
            .iter()
            .flat_map(|(_, list)| list.iter())
            .filter(|e| e.source == source.id)
        {
            cites += 1;
            quotes += usize::from(e.excerpt.is_some());
        }
        if cites > 0 && is_home_page(&source.url) {
            out.push(finding(
                "quality/home-page-source",
                &format!("/sources/{i}/url"),
                "a home page",
                format!(
                    "source `{}` is the home page {}, cited for {cites} claim{}; a home page states no specific claim",
                    source.id,
                    source.url,
                    if cites == 1 { "" } else { "s" }
                ),
                "give the URL of the page that states the claim (find it in the site's search or an archive), or keep the claim's other sources and drop this one".into(),
            ));
        }
        if quotes > 0 && source.snapshot.is_none() {
            out.push(finding(
                "quality/excerpt-without-snapshot",
                &format!("/sources/{i}"),
                "no snapshot",
                format!(
                    "source `{}` is quoted {quotes} time{} but has no `snapshot`, so no quote can be checked against what was read",
                    source.id,
                    if quotes == 1 { "" } else { "s" }
                ),
                "archive the text read under `snapshots/` (the whole page, or the passages quoted, marked as a partial copy) and record its `path` and `sha256`".into(),
            ));
        }
    }
}

/// Reads and checks each source's snapshot; returns the texts by source id
/// (`None` when missing or altered).
pub(crate) fn load_snapshots<'r>(
    route: &'r Route,
    place: &Place<'_>,
    ctx: &QualityContext<'_>,
    out: &mut Vec<Diagnostic>,
) -> HashMap<&'r str, Option<String>> {
    let mut texts = HashMap::new();
    for (i, s) in route.sources.iter().enumerate() {
        let Some(snapshot) = &s.snapshot else { continue };
        let Some(root) = ctx.root else {
            texts.insert(s.id.as_str(), None);
            continue;
        };
        match read_snapshot(
            root,
            snapshot,
            (s.id.as_str(), &s.url, &s.aliases),
            ctx.max_snapshot_bytes,
        ) {
            Ok(text) => {
                texts.insert(s.id.as_str(), Some(text));
            }
            Err((code, message, hint)) => {
                // No excerpt is checked against a snapshot that was not read.
                texts.insert(s.id.as_str(), None);
                let at = format!("/sources/{i}/snapshot/path");
                out.push(
                    place
                        .finding_at(code, Severity::Error, &at, false, "snapshot")
                        .with_message(message)
                        .with_hint(hint),
                );
            }
        }
    }
    texts
}

/// Sources seen recently, not older than the law, not listed twice.
pub(crate) fn freshness(route: &Route, today: jiff::civil::Date, finding: &Finding<'_>, out: &mut Vec<Diagnostic>) {
    // Sources: stale, superseded, duplicated.
    let latest_law = route
        .legal_basis
        .iter()
        .flat_map(|a| {
            a.effective_from
                .into_iter()
                .chain(a.issued)
                .chain(a.amendments.iter().map(|m| m.date))
        })
        .filter(|d| d.civil() <= today)
        .max();
    let mut canon: HashMap<String, usize> = HashMap::new();
    for (i, s) in route.sources.iter().enumerate() {
        if today.since(s.seen.civil()).is_ok_and(|d| d.get_days() > 730) {
            out.push(finding(
                "quality/stale-source",
                &format!("/sources/{i}/seen"),
                "seen long ago",
                format!("source `{}` was last seen on {}, more than two years ago", s.id, s.seen),
                "read the source again and update `seen` (and the values, if they changed)".into(),
            ));
        }
        if let (Some(published), Some(law)) = (s.published, latest_law)
            && published < law
        {
            out.push(finding(
                "quality/source-predates-law",
                &format!("/sources/{i}/published"),
                "older than the law",
                format!("source `{}` dates from {published}, before the legal basis changed on {law}", s.id),
                "check the figures it supports against the current law; keep it only as an older value in a conflict group".into(),
            ));
        }
        for u in std::iter::once(&s.url).chain(&s.aliases) {
            let key = canonical_url(u);
            match canon.get(&key) {
                Some(&first) if first != i => out.push(finding(
                    "quality/duplicate-source",
                    &format!("/sources/{i}/url"),
                    "same page",
                    format!(
                        "source `{}` is the same page as source `{}` ({key})",
                        s.id, route.sources[first].id
                    ),
                    "keep one source and list the other URL in its `aliases`".into(),
                )),
                Some(_) => {}
                None => {
                    canon.insert(key, i);
                }
            }
        }
    }
}
