//! Evidence: every claim names a source, and its quotes (and the quotes of
//! names, legal acts and notes) are about it, not a page title, not from an
//! unofficial translation.

use std::collections::HashMap;

use routes_core::{Route, Translation};
use routes_diagnostics::Diagnostic;

use super::context::Finding;
use super::scope::nat_scope_all;
use crate::rule::{E, Rule, W, rule};
use crate::view::{ClaimView, Ptr};
use crate::words::{normalise, same_language_as_records, stems};

/// The evidence rules.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        "quality/evidence-is-title",
        W,
        "The excerpt quoted as evidence is only the title of the page",
        "A page title names a service; it says nothing about the claim it is quoted for. Checked on claims and notes; a quote of an official name or a legal act may be its title.",
        "\"leads_to_permanent_residence\": {\"value\": \"no\", \"evidence\": [{\"source\": \"egov\", \"excerpt\": \"Issuance to foreigners ... of a temporary residence permit\"}]}",
        "DQ5"
    ),
    rule!(
        "quality/excerpt-from-unofficial-translation",
        W,
        "An excerpt is quoted from an unofficial translation",
        "Unofficial translations are not authoritative; quote the original (kk/ru) text where one exists. Checked on every quote: claims, the official name, the legal basis (where translated law is quoted most) and notes.",
        "{\"source\": \"adilet-en\", \"excerpt\": \"...\"} with source `translation: unofficial_translation`",
        "DQ16"
    ),
    rule!(
        "quality/excerpt-unrelated",
        W,
        "An excerpt shares no words with the claim it supports",
        "A quote about something else does not support the claim it is attached to. Checked on every quote: claims, the official name, the legal basis and notes. Words of three letters or more (and numbers) are compared after dropping a plural `s` and cutting to five letters; punctuation never makes a word. Compared only for sources in English, the language of the records' descriptions: across languages no word is shared.",
        "{\"kind\": \"min_salary\", \"description\": \"Minimum annual salary\", \"evidence\": [{\"excerpt\": \"Certificate of fingerprinting\"}]}",
        "DQ5"
    ),
    rule!(
        "quality/unevidenced-claim",
        E,
        "A figure or yes/no claim has no evidence",
        "Every figure and claim names its source; what no source states stays `unknown`.",
        "{\"kind\": \"work_experience\", \"required\": \"yes\", \"range\": {\"min\": 1, \"unit\": \"years\"}}",
        "DQ5",
        "DQ6"
    ),
];

/// Claims name a source, and their quotes are about them, not a title, not from an unofficial translation.
pub(crate) fn quotes(route: &Route, claims: &[ClaimView<'_>], finding: &Finding<'_>, out: &mut Vec<Diagnostic>) {
    let sources: HashMap<&str, &routes_core::Source> = route.sources.iter().map(|s| (s.id.as_str(), s)).collect();
    // Evidence: present, quoted from the source, about the claim.
    for claim in claims {
        // An unevidenced "open to all" has its own rule.
        let open_to_all = claim.pointer == Ptr::at("/eligibility/nationality") && nat_scope_all(route);
        if claim.known && claim.evidence.is_empty() && !open_to_all {
            out.push(finding(
                "quality/unevidenced-claim",
                &claim.pointer.to_string(),
                "no evidence",
                "this figure or claim names no source".into(),
                "add `evidence` naming the source that states it, with an `excerpt` or `locator`; if no source states it, make it `unknown` (or remove it)".into(),
            ));
        }
        for (j, ev) in claim.evidence.iter().enumerate() {
            let Some(excerpt) = ev.excerpt.as_deref() else { continue };
            let at = format!("{}/evidence/{j}/excerpt", claim.pointer);
            let Some(source) = sources.get(ev.source.as_str()) else {
                continue;
            };
            let quoted = normalise(excerpt);
            let is_title = [
                Some(source.title.as_str()),
                route.official_name.as_ref().map(|n| n.text.as_str()),
            ]
            .into_iter()
            .flatten()
            .any(|t| {
                let title = normalise(t).to_lowercase();
                let q = quoted.to_lowercase();
                q.len() >= 12 && (title == q || (title.contains(&q) && q.len() * 2 >= title.len()))
            });
            // A name's or a legal act's quote may well be the page's title: it is the claim.
            let names_itself = claim.pointer.starts_with("/official_name") || claim.pointer.starts_with("/legal_basis");
            if is_title && !names_itself {
                out.push(finding(
                    "quality/evidence-is-title",
                    &at,
                    "the page title",
                    format!("the excerpt quoted for `{}` is the title of source `{}`", claim.pointer, source.id),
                    "quote the sentence of the source that states the claim; a title names a service and supports nothing".into(),
                ));
            } else if same_language_as_records(&source.language) && stems(excerpt).is_disjoint(&stems(&claim.context)) {
                out.push(finding(
                    "quality/excerpt-unrelated",
                    &at,
                    "shares no word with the claim",
                    format!(
                        "the excerpt shares no word with the claim it supports at `{}`",
                        claim.pointer
                    ),
                    "quote the words of the source that state this claim, or move the excerpt to the claim it is about"
                        .into(),
                ));
            }
            if source.translation == Translation::UnofficialTranslation {
                out.push(finding(
                    "quality/excerpt-from-unofficial-translation",
                    &at,
                    "unofficial translation",
                    format!("the excerpt is quoted from source `{}`, an unofficial translation", source.id),
                    "quote the original text (add the original-language source); keep the translation as a second source if it helps readers".into(),
                ));
            }
        }
    }
}
