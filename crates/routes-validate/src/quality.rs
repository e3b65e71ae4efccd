//! Quality rules: the ways published route data goes wrong that a schema cannot
//! see (the DQ catalogue in `docs/rules.md`). Each rule's code, severity and
//! rationale live in [`crate::registry`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use routes_core::{
    Evidence, Money, NationalityScope, Period, Range, RequirementKind, ReviewStatus, Route, Tier, Translation, Tristate,
};
use routes_diagnostics::Diagnostic;
use sha2::{Digest, Sha256};

use crate::record::Place;
use crate::reference::{CountryReference, Reference};
use crate::registry::default_severity;

/// What the quality rules need besides the record.
pub(crate) struct QualityContext<'a> {
    pub(crate) reference: &'a Reference,
    /// The dataset folder, against which snapshot paths resolve.
    pub(crate) root: Option<&'a Path>,
    pub(crate) today: jiff::civil::Date,
    /// Largest snapshot read, in bytes.
    pub(crate) max_snapshot_bytes: u64,
}

/// A money figure, for the cross-record rules.
pub(crate) struct MoneyFact {
    pub(crate) urls: Vec<String>,
    /// The figure as the record states it ("3000 USD").
    pub(crate) stated: String,
    /// The figure in each currency it can be given in: as stated (`true`),
    /// as the record converts it, and at each sourced rate of the
    /// reference data (`false`).
    pub(crate) renderings: Vec<Rendering>,
    pub(crate) period: Period,
    /// The requirement that states it (its money is `/requirements/{i}/money`).
    pub(crate) requirement: usize,
}

/// One amount of a figure in one currency.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rendering {
    pub(crate) amount: f64,
    pub(crate) currency: String,
    /// Whether it is the figure as stated (else a conversion).
    pub(crate) native: bool,
}

/// What the cross-record quality rules need of one record.
pub(crate) struct QualitySummary {
    pub(crate) country: String,
    pub(crate) category: &'static str,
    /// The official pages it cites (canonical URLs of official sources, home pages left out).
    pub(crate) pages: Vec<String>,
    pub(crate) name: String,
    pub(crate) codes: Vec<String>,
    pub(crate) money: Vec<MoneyFact>,
}

/// A known fact of a record, with what it says and what supports it.
struct ClaimView<'r> {
    pointer: String,
    /// Words of the claim, to compare with its excerpts.
    context: String,
    evidence: &'r [Evidence],
    /// Whether it states something (a figure, yes or no) rather than `unknown`.
    known: bool,
    /// Whether it is a fact of the route (else a quoted name, legal act or
    /// note: its quotes are checked, but it is not counted as a claim).
    fact: bool,
}

const HARD_CURRENCIES: &[&str] = &["EUR", "USD", "GBP", "CHF"];

/// Withdrawn ISO 4217 codes, their successors and when they were replaced
/// (ISO 4217 amendments, as published by the maintenance agency).
const WITHDRAWN: &[(&str, &str, &str)] = &[
    ("AZM", "AZN", "2006-01-01"),
    ("BYR", "BYN", "2016-07-01"),
    ("EEK", "EUR", "2011-01-01"),
    ("GHC", "GHS", "2007-07-01"),
    ("HRK", "EUR", "2023-01-01"),
    ("LTL", "EUR", "2015-01-01"),
    ("LVL", "EUR", "2014-01-01"),
    ("MRO", "MRU", "2018-01-01"),
    ("MZM", "MZN", "2006-07-01"),
    ("ROL", "RON", "2005-07-01"),
    ("SDD", "SDG", "2007-01-10"),
    ("SKK", "EUR", "2009-01-01"),
    ("SLL", "SLE", "2022-07-01"),
    ("STD", "STN", "2018-01-01"),
    ("TMM", "TMT", "2009-01-01"),
    ("TRL", "TRY", "2005-01-01"),
    ("VEB", "VEF", "2008-01-01"),
    ("VEF", "VES", "2018-08-20"),
    ("ZMK", "ZMW", "2013-01-01"),
    ("ZWL", "ZWG", "2024-04-05"),
];

/// The successor and date of a withdrawn currency code.
pub(crate) fn withdrawn(code: &str) -> Option<(&'static str, &'static str)> {
    WITHDRAWN
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, next, date)| (*next, *date))
}

/// Age ranges that aggregators fill in when a source gives none.
const DEFAULT_RANGES: &[(f64, f64)] = &[
    (18.0, 65.0),
    (18.0, 60.0),
    (18.0, 64.0),
    (18.0, 55.0),
    (21.0, 65.0),
    (18.0, 70.0),
];

/// Lower age limits that aggregators fill in when a source gives none ("18 and over").
const DEFAULT_MIN_AGES: &[f64] = &[18.0, 21.0];
/// Upper age limits filled in the same way ("under 65").
const DEFAULT_MAX_AGES: &[f64] = &[55.0, 60.0, 64.0, 65.0, 70.0];

/// The words for an age range that is a common default, closed ("age 18–65")
/// or open-ended ("age 18 and over", "age up to 65"); `None` for any other.
fn default_age_bounds(range: &Range) -> Option<String> {
    match (range.min, range.max) {
        (Some(min), Some(max)) if DEFAULT_RANGES.contains(&(min, max)) => {
            Some(format!("age {}–{}", fmt_amount(min), fmt_amount(max)))
        }
        (Some(min), None) if DEFAULT_MIN_AGES.contains(&min) => Some(format!("age {} and over", fmt_amount(min))),
        (None, Some(max)) if DEFAULT_MAX_AGES.contains(&max) => Some(format!("age up to {}", fmt_amount(max))),
        _ => None,
    }
}

/// Whether a quote states the age `bound`: the number as a whole figure (18,
/// not the 18 of 2018), or in English words; 18 also as "adult", "majority"
/// or "full age", which mean it in law.
fn states_age(quote: &str, bound: f64) -> bool {
    let figure = fmt_amount(bound);
    if quote.split(|c: char| !c.is_ascii_digit()).any(|n| n == figure) {
        return true;
    }
    let lower = quote.to_lowercase();
    let words: &[&str] = match figure.as_str() {
        "18" => &["eighteen", "adult", "majority", "full age", "of age"],
        "21" => &["twenty-one", "twenty one"],
        "55" => &["fifty-five", "fifty five"],
        "60" => &["sixty"],
        "64" => &["sixty-four", "sixty four"],
        "65" => &["sixty-five", "sixty five"],
        "70" => &["seventy"],
        _ => &[],
    };
    words.iter().any(|w| lower.contains(w))
}

const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "that",
    "this",
    "from",
    "are",
    "not",
    "who",
    "which",
    "must",
    "can",
    "has",
    "have",
    "its",
    "their",
    "any",
    "all",
    "per",
    "than",
    "into",
    "under",
    "over",
    "also",
    "been",
    "will",
    "shall",
    "such",
    "other",
    "only",
    "each",
    "more",
    "less",
    "issued",
    "issuance",
    "required",
    "requirement",
    "applicant",
    "applicants",
    "foreigners",
    "persons",
    "person",
    "stateless",
    "republic",
    "kazakhstan",
    "copy",
];

/// Whether a source's text is in English, the language records describe
/// their facts in. Word overlap says nothing across languages: a Japanese or
/// Spanish quote is checked against its snapshot, not against the English
/// words of its claim.
fn same_language_as_records(language: &str) -> bool {
    language
        .split(['-', '_'])
        .next()
        .is_some_and(|l| l.eq_ignore_ascii_case("en"))
}

/// Content words of a text, cut to a common prefix so that inflections match.
fn stems(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        // Two separators in a row leave an empty piece, which every text would share.
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| {
            (w.chars().count() >= 3 || w.chars().all(|c| c.is_ascii_digit())) && !STOPWORDS.contains(&w.as_str())
        })
        .map(|w| {
            // A plural `s` goes before the cut, so that "wage" and "wages" match.
            let w = if w.chars().count() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                &w[..w.len() - 1]
            } else {
                w.as_str()
            };
            w.chars().take(5).collect()
        })
        .collect()
}

pub(crate) use routes_core::snapshot::normalise;

/// The same page under its URL variants: https, no `www.`, no `lang=`, no
/// fragment, no trailing slash.
pub(crate) fn canonical_url(raw: &str) -> String {
    let Ok(url) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches("www.")
        .to_lowercase();
    let path = url.path().trim_end_matches('/');
    let query: Vec<String> = url
        .query_pairs()
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| {
            if v.is_empty() {
                k.into_owned()
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    if query.is_empty() {
        format!("{host}{path}")
    } else {
        format!("{host}{path}?{}", query.join("&"))
    }
}

/// The amount per month; a one-off amount stays as it is. An hourly rate has no
/// monthly figure without the hours worked, which records do not state.
fn monthly(amount: f64, period: Period) -> Option<f64> {
    match period {
        Period::Year => Some(amount / 12.0),
        Period::Month | Period::OneOff => Some(amount),
        Period::Hour => None,
    }
}

pub(crate) fn fmt_amount(amount: f64) -> String {
    if amount.fract() == 0.0 && amount.abs() < 1e15 {
        // Whole amounts print as integers: exact below 2^53, and much faster
        // than formatting the float.
        #[allow(clippy::cast_possible_truncation)]
        let whole = amount as i64;
        whole.to_string()
    } else {
        format!("{amount}")
    }
}

/// A money amount in the route's own currency, when it can be computed.
/// A figure in another currency is converted, only at a sourced rate (the
/// record's own conversion, or one of the reference data's).
fn local_amount(
    money: &Money,
    reference: Option<&CountryReference>,
    all: &Reference,
    on: routes_core::Date,
) -> Option<(f64, Period)> {
    let reference = reference?;
    match money {
        Money::Fixed(m) if m.currency == reference.currency => Some((m.amount, m.period)),
        Money::Fixed(m) => match &m.converted {
            Some(c) if c.currency == reference.currency => Some((c.amount, m.period)),
            _ => all
                .convert(m.amount, m.currency.as_str(), reference.currency.as_str(), on)
                .map(|c| (c.amount, m.period)),
        },
        Money::Indexed(m) => {
            let value = m
                .year
                .and_then(|y| reference.index_value(&m.index, y))
                .or_else(|| reference.latest_index_value(&m.index).map(|(_, v)| v))?;
            Some((m.multiplier * value, m.period))
        }
    }
}

/// One fact of a record that a source must back: a figure, a range, a yes/no
/// claim, a nationality scope, a fee or a processing time.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Fact<'r> {
    /// JSON Pointer of the fact in the record.
    pub pointer: String,
    /// Whether it states something (a figure, yes or no) rather than `unknown`.
    pub known: bool,
    /// The evidence given for it.
    pub evidence: &'r [Evidence],
}

/// The facts of a record, the same ones `quality/unevidenced-claim` checks.
///
/// ```
/// # let record = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../dataset/routes/kz/citizenship.json")).unwrap();
/// let route: routes_core::Route = serde_json::from_str(&record).unwrap();
/// let facts = routes_validate::facts(&route);
/// assert!(facts.iter().any(|f| f.pointer == "/eligibility/nationality"));
/// ```
#[must_use]
pub fn facts(route: &Route) -> Vec<Fact<'_>> {
    claims(route)
        .into_iter()
        .filter(|c| c.fact)
        .map(|c| Fact {
            pointer: c.pointer,
            known: c.known,
            evidence: c.evidence,
        })
        .collect()
}

fn claims(route: &Route) -> Vec<ClaimView<'_>> {
    let mut out = Vec::new();
    let nat = &route.eligibility.nationality;
    out.push(ClaimView {
        pointer: "/eligibility/nationality".into(),
        context: format!(
            "nationality nationals citizens countries {}",
            nat.description.as_deref().unwrap_or_default()
        ),
        evidence: &nat.evidence,
        known: nat.scope != NationalityScope::Unknown,
        fact: true,
    });
    for (i, e) in route.eligibility.exemptions.iter().enumerate() {
        out.push(ClaimView {
            pointer: format!("/eligibility/exemptions/{i}"),
            context: e.description.clone(),
            evidence: &e.evidence,
            known: true,
            fact: true,
        });
    }
    for (i, r) in route.requirements.iter().enumerate() {
        let figure = r.money.as_ref().map(|m| match m {
            Money::Fixed(f) => format!("{} {} {}", fmt_amount(f.amount), f.currency, f.period),
            Money::Indexed(x) => format!("{} {} mci", fmt_amount(x.multiplier), x.index),
        });
        out.push(ClaimView {
            pointer: format!("/requirements/{i}"),
            context: format!(
                "{} {} {} {} {} {}",
                r.kind.as_str().replace('_', " "),
                r.description,
                r.note.as_deref().unwrap_or_default(),
                figure.unwrap_or_default(),
                r.range.as_ref().map(range_words).unwrap_or_default(),
                date_words(r.effective_from)
            ),
            evidence: &r.evidence,
            known: r.required != Tristate::Unknown || r.money.is_some() || r.range.is_some(),
            fact: true,
        });
    }
    let d = &route.duration;
    for (name, terms) in [("initial_stay", &d.initial_stay), ("validity", &d.validity)] {
        for (i, t) in terms.iter().enumerate() {
            out.push(ClaimView {
                pointer: format!("/duration/{name}/{i}"),
                context: format!(
                    "stay validity valid period term duration {} {}",
                    range_words(&t.range),
                    t.note.as_deref().unwrap_or_default()
                ),
                evidence: &t.evidence,
                known: true,
                fact: true,
            });
        }
    }
    for (i, r) in d.renewal.iter().enumerate() {
        out.push(ClaimView {
            pointer: format!("/duration/renewal/{i}"),
            context: format!(
                "renewal renew renewed extension extend extended {}",
                r.note.as_deref().unwrap_or_default()
            ),
            evidence: &r.evidence,
            known: r.renewable != Tristate::Unknown,
            fact: true,
        });
    }
    for (name, claim, words) in [
        (
            "leads_to_permanent_residence",
            &d.leads_to_permanent_residence,
            "permanent residence settlement",
        ),
        (
            "leads_to_citizenship",
            &d.leads_to_citizenship,
            "citizenship naturalisation naturalization",
        ),
    ] {
        out.push(ClaimView {
            pointer: format!("/duration/{name}"),
            context: format!("{words} {}", claim.note.as_deref().unwrap_or_default()),
            evidence: &claim.evidence,
            known: claim.value != Tristate::Unknown,
            fact: true,
        });
    }
    for (i, doc) in route.documents.iter().enumerate() {
        out.push(ClaimView {
            pointer: format!("/documents/{i}"),
            context: format!(
                "{} {} {}",
                doc.name,
                doc.note.as_deref().unwrap_or_default(),
                date_words(doc.effective_from)
            ),
            evidence: &doc.evidence,
            known: doc.required != Tristate::Unknown,
            fact: true,
        });
    }
    let a = &route.application;
    for (i, c) in a.channels.iter().enumerate() {
        out.push(ClaimView {
            pointer: format!("/application/channels/{i}"),
            context: format!(
                "apply application portal online {} {}",
                c.name,
                c.note.as_deref().unwrap_or_default()
            ),
            evidence: &c.evidence,
            known: true,
            fact: true,
        });
    }
    for (i, p) in a.processing_times.iter().enumerate() {
        out.push(ClaimView {
            pointer: format!("/application/processing_times/{i}"),
            context: format!(
                "processing decision review time {} {}",
                range_words(&p.range),
                p.note.as_deref().unwrap_or_default()
            ),
            evidence: &p.evidence,
            known: true,
            fact: true,
        });
    }
    for (i, f) in a.fees.iter().enumerate() {
        out.push(ClaimView {
            pointer: format!("/application/fees/{i}"),
            context: format!(
                "fee fees cost charge free payment {} {}",
                f.description,
                f.note.as_deref().unwrap_or_default()
            ),
            evidence: &f.evidence,
            known: f.money.is_some() || f.free.is_some(),
            fact: true,
        });
    }
    // Quoted, but not facts of the route: the official name, the legal basis
    // and notes. Their quotes get the same checks as a claim's.
    if let Some(name) = &route.official_name {
        out.push(ClaimView {
            pointer: "/official_name".into(),
            context: format!("{} {}", name.text, route.name),
            evidence: &name.evidence,
            known: false,
            fact: false,
        });
    }
    for (i, act) in route.legal_basis.iter().enumerate() {
        out.push(ClaimView {
            pointer: format!("/legal_basis/{i}"),
            context: format!(
                "law act article section code decree regulation {} {} {} {}",
                act.title,
                act.number.as_deref().unwrap_or_default(),
                act.note.as_deref().unwrap_or_default(),
                date_words(act.effective_from.or(act.issued)),
            ),
            evidence: &act.evidence,
            known: false,
            fact: false,
        });
    }
    for (i, note) in route.notes.iter().enumerate() {
        out.push(ClaimView {
            pointer: format!("/notes/{i}"),
            context: note.text.clone(),
            evidence: &note.evidence,
            known: false,
            fact: false,
        });
    }
    out
}

/// Words of a date as sources write it: the year and the month's name.
fn date_words(date: Option<routes_core::Date>) -> String {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    date.map(|d| {
        let c = d.civil();
        let month = usize::try_from(c.month() - 1)
            .ok()
            .and_then(|m| MONTHS.get(m))
            .copied()
            .unwrap_or_default();
        format!("{} {month} {}", c.year(), c.day())
    })
    .unwrap_or_default()
}

/// A range as people write it: `3 working days`, `25–40 days`, `up to 1 years`.
fn range_words(range: &Range) -> String {
    let unit = range.unit.as_str().replace('_', " ");
    match (range.min, range.max) {
        (Some(a), Some(b)) if a == b => format!("{} {unit}", fmt_amount(a)),
        (Some(a), Some(b)) => format!("{}–{} {unit}", fmt_amount(a), fmt_amount(b)),
        (None, Some(b)) => format!("up to {} {unit}", fmt_amount(b)),
        (Some(a), None) => format!("from {} {unit}", fmt_amount(a)),
        (None, None) => format!("unknown {unit}"),
    }
}

/// Runs the per-record quality rules.
pub(crate) fn record_quality(route: &Route, place: &Place<'_>, ctx: &QualityContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let finding = |code: &str, pointer: &str, label: &str, message: String, hint: String| {
        place
            .finding_at(code, default_severity(code), pointer, false, label)
            .with_message(message)
            .with_hint(hint)
    };
    let reference = ctx.reference.country(route.country.as_str());
    let sources: HashMap<&str, &routes_core::Source> = route.sources.iter().map(|s| (s.id.as_str(), s)).collect();
    let claims = claims(route);

    // Sources: specific pages, and an archived copy of each one quoted.
    let snapshots = load_snapshots(route, place, ctx, &mut out);
    source_rules(route, &snapshots, &finding, &mut out);
    group_rules(route, ctx.reference, &finding, &mut out);

    // Evidence: present, quoted from the source, about the claim.
    for claim in &claims {
        // An unevidenced "open to all" has its own rule.
        let open_to_all = claim.pointer == "/eligibility/nationality" && nat_scope_all(route);
        if claim.known && claim.evidence.is_empty() && !open_to_all {
            out.push(finding(
                "quality/unevidenced-claim",
                &claim.pointer,
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

    // Requirements: money, ranges, thresholds.
    for (i, r) in route.requirements.iter().enumerate() {
        let at = format!("/requirements/{i}");
        if r.kind == RequirementKind::Age
            && let Some(range) = &r.range
            && let Some(default) = default_age_bounds(range)
        {
            let quotes: Vec<&str> = r.evidence.iter().filter_map(|e| e.excerpt.as_deref()).collect();
            let stated = |bound: f64| quotes.iter().any(|x| states_age(x, bound));
            // Each bound a default would fill in must be stated by a quote (a
            // closed range by one quote stating both).
            let unstated = match (range.min, range.max) {
                (Some(min), Some(max)) => !quotes.iter().any(|x| states_age(x, min) && states_age(x, max)),
                (Some(bound), None) | (None, Some(bound)) => !stated(bound),
                (None, None) => false,
            };
            if unstated {
                out.push(finding(
                    "quality/default-range",
                    &format!("{at}/range"),
                    "a common default",
                    format!("{default} is a common default, and no excerpt states it"),
                    "quote the source sentence that sets the limit (for a range, one sentence with both limits), or record only the bounds a source states (null for the others)".into(),
                ));
            }
        }
        if let Some(money) = &r.money {
            money_rules(
                route,
                (r.kind, r.effective_from),
                money,
                &format!("{at}/money"),
                (reference, ctx.reference),
                &finding,
                &mut out,
            );
            if r.kind.is_money() && r.effective_from.is_none() {
                out.push(finding(
                    "quality/threshold-without-effective-date",
                    &format!("{at}/money"),
                    "since when?",
                    "this money threshold has no `effective_from`".into(),
                    "add the date from which the threshold applies (the law or index year that sets it)".into(),
                ));
            }
        }
    }
    for (i, f) in route.application.fees.iter().enumerate() {
        if let Some(money) = &f.money {
            money_rules(
                route,
                (RequirementKind::Other, f.effective_from),
                money,
                &format!("/application/fees/{i}/money"),
                (reference, ctx.reference),
                &finding,
                &mut out,
            );
        }
    }

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
        .filter(|d| d.civil() <= ctx.today)
        .max();
    let mut canon: HashMap<String, usize> = HashMap::new();
    for (i, s) in route.sources.iter().enumerate() {
        if ctx.today.since(s.seen.civil()).is_ok_and(|d| d.get_days() > 730) {
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

    // Review status.
    let conflicts = crate::rules::conflict_count(route);
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
        let unquoted: Vec<&str> = claims
            .iter()
            .filter(|c| {
                c.known
                    && !c.evidence.iter().any(|e| {
                        e.excerpt.is_some() && sources.get(e.source.as_str()).is_some_and(|s| s.tier == Tier::Official)
                    })
            })
            .map(|c| c.pointer.as_str())
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
    unmarked_conflicts(route, &finding, &mut out);
    out
}

fn nat_scope_all(route: &Route) -> bool {
    route.eligibility.nationality.scope == NationalityScope::All
}

type Finding<'f> = dyn Fn(&str, &str, &str, String, String) -> Diagnostic + 'f;

fn money_rules(
    route: &Route,
    (kind, effective_from): (RequirementKind, Option<routes_core::Date>),
    money: &Money,
    at: &str,
    (reference, all): (Option<&CountryReference>, &crate::reference::Reference),
    finding: &Finding<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let year = route.last_verified.civil().year();
    // Rates and index values of the day the figure took effect, else of the day it was verified.
    let on = effective_from.unwrap_or(route.last_verified);
    match money {
        Money::Fixed(m) => {
            if let Some(c) = &m.converted {
                let expected = m.amount * c.rate;
                if c.amount > 0.0 && ((expected - c.amount).abs() / c.amount) > 0.02 {
                    out.push(finding(
                        "quality/conversion-mismatch",
                        &format!("{at}/converted/amount"),
                        "disagrees with the rate",
                        format!(
                            "{} {} at rate {} is {} {}, not {} {}",
                            fmt_amount(m.amount),
                            m.currency,
                            c.rate,
                            fmt_amount((expected * 100.0).round() / 100.0),
                            c.currency,
                            fmt_amount(c.amount),
                            c.currency
                        ),
                        "check the currency, the period and the rate: one of the two renderings is wrong".into(),
                    ));
                }
                if let Ok(span) = route.last_verified.civil().since(c.date.civil())
                    && span.get_days() > 365
                {
                    out.push(finding(
                        "quality/stale-fx",
                        &format!("{at}/converted/date"),
                        "old rate",
                        format!(
                            "the conversion uses a rate of {}, more than a year before the record was verified",
                            c.date
                        ),
                        "convert again at a current rate, with its date and source".into(),
                    ));
                }
            }
            if let Some((next, date)) = withdrawn(m.currency.as_str()) {
                out.push(finding(
                    "quality/withdrawn-currency",
                    &format!("{at}/currency"),
                    "withdrawn code",
                    format!("`{}` was replaced by `{next}` on {date}", m.currency),
                    format!("state the amount in `{next}` as the source gives it today"),
                ));
            }
            let local = country_currencies(route.country.as_str());
            if m.currency.as_str() == "EUR" && m.converted.is_none() && !local.is_empty() && !local.contains(&"EUR") {
                let local = local.join(" or ");
                out.push(finding(
                    "quality/euro-without-rate",
                    &format!("{at}/currency"),
                    "converted by whom?",
                    format!("a euro figure for a route of {}, which uses {local}, with no rate or date", route.country),
                    format!("record the amount in {local} (or the currency the source states) and put the euro figure in `converted` with its rate, date and source"),
                ));
            }
            if let Some(reference) = reference
                && m.currency == reference.currency
            {
                for v in &reference.indexes {
                    if m.amount >= v.value && (m.amount / v.value).fract() == 0.0 {
                        out.push(finding(
                            "quality/frozen-index-amount",
                            &format!("{at}/amount"),
                            "a multiple of an index",
                            format!("{} {} is {} × {} of {}", fmt_amount(m.amount), m.currency, fmt_amount(m.amount / v.value), v.index.as_str(), v.year),
                            format!("record it as `{{\"index\": \"{}\", \"multiplier\": {}, \"year\": {}, ...}}` so it follows the index", v.index.as_str(), fmt_amount(m.amount / v.value), v.year),
                        ));
                        break;
                    }
                }
            }
        }
        Money::Indexed(m) => {
            let declared = all
                .country(m.index.country_part())
                .is_some_and(|r| r.index_definition(&m.index).is_some());
            if !declared {
                out.push(finding(
                    "quality/undeclared-index",
                    &format!("{at}/index"),
                    "not declared",
                    format!(
                        "index `{}` is not declared in the reference data (`reference/{}.json`, `index_definitions`)",
                        m.index,
                        m.index.country_part().to_lowercase()
                    ),
                    "declare the index with its name, currency, unit and sources, and add its yearly values, so the amount can be computed for any year".into(),
                ));
            } else if let (Some(reference), Some(y)) = (reference, m.year)
                && reference.index_value(&m.index, y).is_none()
            {
                out.push(finding(
                    "quality/unknown-index-value",
                    &format!("{at}/year"),
                    "no reference value",
                    format!("no value of {} for {y} in the reference data", m.index.as_str()),
                    format!(
                        "add the {y} value with its source to `reference/{}.json`",
                        route.country.as_str().to_lowercase()
                    ),
                ));
            }
        }
    }
    if !matches!(
        kind,
        RequirementKind::MinIncome
            | RequirementKind::MinSalary
            | RequirementKind::Savings
            | RequirementKind::Investment
    ) {
        return;
    }
    let implausible = |why: String| {
        finding(
            "quality/implausible-amount",
            at,
            "implausible",
            why,
            "check whether the source states a fee, an index unit or a monthly figure; if no source states a threshold, remove it".into(),
        )
    };
    // A hard currency's floor holds as stated; any other currency's, at a
    // sourced rate into euros.
    let hard = match money {
        Money::Fixed(m) if HARD_CURRENCIES.contains(&m.currency.as_str()) => {
            Some((m.amount, m.currency.as_str().to_owned(), m.period, String::new()))
        }
        Money::Fixed(m) => all.convert(m.amount, m.currency.as_str(), "EUR", on).map(|c| {
            let how = format!(
                " ({} {} at the {} rate of {})",
                fmt_amount(m.amount),
                m.currency,
                c.rate.date,
                c.rate.sources.first().map_or("", |s| s.as_str())
            );
            (c.amount, "EUR".to_owned(), m.period, how)
        }),
        Money::Indexed(_) => None,
    };
    if let Some((amount, cur, period, how)) = hard {
        let amount = (amount * 100.0).round() / 100.0;
        let Some(per_month) = monthly(amount, period) else {
            return;
        };
        let floor = if kind == RequirementKind::Investment {
            1000.0
        } else {
            100.0
        };
        let value = if kind == RequirementKind::Savings || kind == RequirementKind::Investment {
            amount
        } else {
            per_month
        };
        if value < floor {
            let (what, shown) = (kind_words(kind), fmt_amount(amount));
            let floor = fmt_amount(floor);
            out.push(implausible(if value == per_month && period == Period::Year {
                format!(
                    "a {what} of {shown} {cur}{how} per year ({} a month) is below {floor} {cur} a month",
                    fmt_amount((per_month * 100.0).round() / 100.0),
                )
            } else if value == per_month && period == Period::Month {
                format!("a {what} of {shown} {cur}{how} per month is below {floor} {cur} a month")
            } else {
                format!("{what} of {shown} {cur}{how} is below {floor} {cur}, implausibly small")
            }));
            return;
        }
    }
    let Some((amount, period)) = local_amount(money, reference, all, on) else {
        return;
    };
    let Some(reference) = reference else { return };
    let Some(wage) = reference.monthly_minimum_wage(year) else {
        return;
    };
    let currency = reference.currency.as_str();
    match kind {
        RequirementKind::MinIncome | RequirementKind::MinSalary => {
            let Some(per_month) = monthly(amount, period) else {
                return;
            };
            if per_month < wage * 0.5 {
                if period == Period::Year && amount >= wage * 0.5 {
                    out.push(finding(
                        "quality/annual-looks-monthly",
                        at,
                        "monthly figure?",
                        format!(
                            "{} {currency} per year is about one month's minimum wage ({} {currency})",
                            fmt_amount(amount),
                            fmt_amount(wage)
                        ),
                        "check whether the source states this amount per month".into(),
                    ));
                } else {
                    out.push(implausible(format!(
                        "a {} of {} {currency} {} is below half the minimum wage ({} {currency} per month)",
                        kind_words(kind),
                        fmt_amount(amount),
                        period_words(period),
                        fmt_amount(wage)
                    )));
                }
            }
        }
        RequirementKind::Savings | RequirementKind::Investment if amount < wage * 0.5 => {
            out.push(implausible(format!(
                "{} of {} {currency} is below half a month's minimum wage ({} {currency})",
                kind_words(kind),
                fmt_amount(amount),
                fmt_amount(wage)
            )));
        }
        _ => {}
    }
}

fn kind_words(kind: RequirementKind) -> &'static str {
    match kind {
        RequirementKind::MinIncome => "minimum income",
        RequirementKind::MinSalary => "minimum salary",
        RequirementKind::Savings => "savings",
        RequirementKind::Investment => "investment",
        _ => "amount",
    }
}

fn period_words(period: Period) -> &'static str {
    match period {
        Period::OneOff => "once",
        Period::Hour => "per hour",
        Period::Month => "per month",
        Period::Year => "per year",
    }
}

/// When a value held: its first and last day, and whether a later value of
/// the record replaced it. Values of different times are not a conflict.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: Option<routes_core::Date>,
    until: Option<routes_core::Date>,
    superseded: bool,
}

impl Window {
    fn new(from: Option<routes_core::Date>, until: Option<routes_core::Date>, superseded: bool) -> Self {
        Self {
            from,
            until,
            superseded,
        }
    }

    /// Whether two values can hold at the same time: neither replaced while
    /// the other stands, and their dates overlap (a missing date is open).
    fn overlaps(self, other: Self) -> bool {
        if self.superseded != other.superseded {
            return false;
        }
        let starts_before_end = |a: Self, b: Self| match (a.from, b.until) {
            (Some(from), Some(until)) => from <= until,
            _ => true,
        };
        starts_before_end(self, other) && starts_before_end(other, self)
    }
}

/// Whether `newer` replaced `older`, directly or through a chain of
/// `superseded_by` links (a chain that loops ends the search).
fn replaces(
    all: &[routes_core::Requirement],
    newer: &routes_core::Requirement,
    older: &routes_core::Requirement,
) -> bool {
    let mut at = older;
    for _ in 0..all.len() {
        let Some(next) = at.superseded_by.as_ref() else {
            return false;
        };
        if *next == newer.id {
            return true;
        }
        let Some(found) = all.iter().find(|r| r.id == *next) else {
            return false;
        };
        at = found;
    }
    false
}

/// Values of one fact that differ and carry no shared conflict mark.
fn unmarked_conflicts(route: &Route, finding: &Finding<'_>, out: &mut Vec<Diagnostic>) {
    fn overlap(a: &[routes_core::Slug], b: &[routes_core::Slug]) -> bool {
        a.is_empty() && b.is_empty() || a.iter().any(|x| b.contains(x))
    }
    // Each item: who it applies to, its case (such as single or multiple
    // entry), its value, its conflict group and when it held.
    type Item<'a> = (
        &'a [routes_core::Slug],
        &'a str,
        String,
        Option<&'a routes_core::Slug>,
        Window,
    );
    let mut check = |list: &str, items: Vec<Item<'_>>| {
        for (j, (applies_j, case_j, value_j, group_j, when_j)) in items.iter().enumerate() {
            for (applies_i, case_i, value_i, group_i, when_i) in &items[..j] {
                let marked = group_j.is_some() && group_i == group_j;
                let same_case = case_i.is_empty() || case_j.is_empty() || case_i == case_j;
                if !marked
                    && same_case
                    && value_i != value_j
                    && overlap(applies_i, applies_j)
                    && when_i.overlaps(*when_j)
                {
                    out.push(finding(
                        "quality/unmarked-conflict",
                        &format!("{list}/{j}"),
                        "differs from an earlier value",
                        format!("this value ({value_j}) differs from an earlier one ({value_i}) for the same applicants"),
                        "if the sources disagree, give both the same `conflict` group; if they cover different cases, say so in `applies_to`".into(),
                    ));
                    break;
                }
            }
        }
    };
    let a = &route.application;
    check(
        "/application/processing_times",
        a.processing_times
            .iter()
            .map(|p| {
                let when = Window::new(p.effective_from, p.effective_until, false);
                (
                    p.applies_to.as_slice(),
                    "",
                    range_words(&p.range),
                    p.conflict.as_ref(),
                    when,
                )
            })
            .collect(),
    );
    let d = &route.duration;
    for (name, terms) in [
        ("/duration/initial_stay", &d.initial_stay),
        ("/duration/validity", &d.validity),
    ] {
        check(
            name,
            terms
                .iter()
                .map(|t| {
                    (
                        t.applies_to.as_slice(),
                        t.entries.map_or("", |e| e.as_str()),
                        range_words(&t.range),
                        t.conflict.as_ref(),
                        Window::new(t.effective_from, t.effective_until, false),
                    )
                })
                .collect(),
        );
    }
    check(
        "/duration/renewal",
        d.renewal
            .iter()
            .map(|r| {
                let value = format!(
                    "{} {:?} {}",
                    r.renewable,
                    r.times,
                    r.term.as_ref().map(range_words).unwrap_or_default()
                );
                let when = Window::new(r.effective_from, r.effective_until, false);
                (r.applies_to.as_slice(), "", value, r.conflict.as_ref(), when)
            })
            .collect(),
    );
    let mut by_kind: BTreeMap<RequirementKind, Vec<(usize, &routes_core::Requirement)>> = BTreeMap::new();
    for (i, r) in route.requirements.iter().enumerate() {
        if r.kind.is_money() || r.kind == RequirementKind::Age {
            by_kind.entry(r.kind).or_default().push((i, r));
        }
    }
    for reqs in by_kind.values() {
        for (j, (index_j, rj)) in reqs.iter().enumerate() {
            let value = |r: &routes_core::Requirement| format!("{:?} {:?}", r.money, r.range);
            if let Some((_, ri)) = reqs[..j].iter().find(|(_, ri)| {
                let when = |r: &routes_core::Requirement| {
                    Window::new(r.effective_from, r.effective_until, r.superseded_by.is_some())
                };
                value(ri) != value(rj)
                    && overlap(&ri.applies_to, &rj.applies_to)
                    && when(ri).overlaps(when(rj))
                    && !replaces(&route.requirements, ri, rj)
                    && !replaces(&route.requirements, rj, ri)
                    && !(rj.conflict.is_some() && ri.conflict == rj.conflict)
                    // Requirements that add up are different facts.
                    && !(rj.combination.is_some()
                        && ri.combination.as_ref().map(|c| &c.group) == rj.combination.as_ref().map(|c| &c.group))
            }) {
                out.push(finding(
                    "quality/unmarked-conflict",
                    &format!("/requirements/{index_j}"),
                    "differs from an earlier value",
                    format!("requirement `{}` states a different {} than `{}` for the same applicants", rj.id, rj.kind.as_str().replace('_', " "), ri.id),
                    "if the sources disagree, give both the same `conflict` group; if both apply or either suffices, say so with the same `combination` group (`meet: all` or `meet: any`); if they cover different cases, say so in `applies_to`".into(),
                ));
            }
        }
    }
}

/// The currencies a country uses, from the maintained ISO 4217 table of the
/// `iso_currency` crate (funds and superseded codes left out); empty for a
/// code the table does not know.
pub(crate) fn country_currencies(country: &str) -> Vec<&'static str> {
    let Ok(country) = country.parse::<iso_currency::Country>() else {
        return Vec::new();
    };
    let mut out: Vec<&'static str> = iso_currency::Currency::from_country(country)
        .into_iter()
        .filter(|c| !c.is_fund() && c.is_superseded().is_none())
        .map(|c| c.code())
        .collect();
    out.sort_unstable();
    out
}

/// Every named group of nationalities a record uses is defined, with its
/// members or a note that no source lists them, in the reference data.
fn group_rules(
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

/// Whether a URL is only a site's home page (no path beyond `/`, no query),
/// which names no page that could state a specific claim.
pub(crate) fn is_home_page(raw: &str) -> bool {
    url::Url::parse(raw)
        .is_ok_and(|u| matches!(u.path(), "" | "/") && u.query().is_none_or(str::is_empty) && u.fragment().is_none())
}

/// Source rules: a home page backs no specific claim, and every quoted
/// source has an archived snapshot to check its quotes against.
fn source_rules(
    route: &Route,
    snapshots: &HashMap<&str, Option<String>>,
    finding: &Finding<'_>,
    out: &mut Vec<Diagnostic>,
) {
    // Every evidence list of the record: claims, and also legal basis, names and notes.
    let lists = crate::rules::evidence_lists(route);
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

/// Why a snapshot was not read: the finding's code, message and hint.
pub(crate) type SnapshotRefusal = (&'static str, String, &'static str);

/// Reads the snapshot of source `id` (page `url`, also known as `aliases`):
/// only inside the dataset `root`, only a regular file, at most `cap` bytes;
/// its SHA-256 must be the recorded one, and a header must name the page.
/// Returns its text.
pub(crate) fn read_snapshot(
    root: &Path,
    snapshot: &routes_core::Snapshot,
    (id, url, aliases): (&str, &str, &[String]),
    cap: u64,
) -> Result<String, SnapshotRefusal> {
    let path = &snapshot.path;
    let bytes = match routes_fs::read_confined(root, path, cap) {
        Ok(bytes) => bytes,
        Err(routes_fs::Refusal::Missing { .. }) => {
            return Err((
                "quality/snapshot-mismatch",
                format!("snapshot `{path}` of source `{id}` is missing"),
                "restore the archived copy, or archive the page again and record its new SHA-256 (`sha256sum`)",
            ));
        }
        Err(routes_fs::Refusal::OutsideRoot { .. }) => {
            return Err((
                "input/outside-dataset",
                format!("snapshot `{path}` of source `{id}` leaves the dataset folder; it was not read"),
                "a snapshot path is relative to the dataset folder (where `routes.toml` is) and stays inside it, symbolic links included: archive the page under `snapshots/`",
            ));
        }
        Err(routes_fs::Refusal::NotAFile { what, .. }) => {
            return Err((
                "input/not-a-file",
                format!("snapshot `{path}` of source `{id}` is {what}, not a regular file; it was not read"),
                "a snapshot is an archived copy of the page, saved as a regular file",
            ));
        }
        Err(routes_fs::Refusal::TooLarge { cap, .. }) => {
            return Err((
                "input/too-large",
                format!("snapshot `{path}` of source `{id}` is larger than {cap} bytes; it was not read"),
                "archive the page itself (its HTML or text), not a bundle of its resources",
            ));
        }
        Err(err) => {
            return Err((
                "input/unreadable",
                format!("snapshot `{path}` of source `{id}` cannot be read: {}", err_cause(&err)),
                "check the permissions of the file",
            ));
        }
    };
    let hex = Sha256::digest(&bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
    if hex != snapshot.sha256 {
        return Err((
            "quality/snapshot-mismatch",
            format!(
                "snapshot `{path}` has SHA-256 {hex}, not the recorded {}",
                snapshot.sha256
            ),
            "restore the archived copy, or archive the page again and record its new SHA-256 (`sha256sum`)",
        ));
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    match snapshot_header(&text) {
        Err(why) => Err((
            "quality/snapshot-mismatch",
            format!("snapshot `{path}` of source `{id}`: {why}"),
            "a snapshot starting with `routes-snapshot-version:` has a header of `key: value` lines ending at the first empty line; see `dataset/snapshots/README.md`",
        )),
        Ok(Some(named)) if named != url && !aliases.contains(&named) => Err((
            "quality/snapshot-mismatch",
            format!("snapshot `{path}` is a copy of {named}, not of source `{id}` ({url})"),
            "point the source at the snapshot of its own page, or archive this page",
        )),
        Ok(_) => Ok(text),
    }
}

/// Reads and checks each source's snapshot; returns the texts by source id
/// (`None` when missing or altered).
fn load_snapshots<'r>(
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
                        .finding_at(code, default_severity(code), &at, false, "snapshot")
                        .with_message(message)
                        .with_hint(hint),
                );
            }
        }
    }
    texts
}

pub use routes_core::snapshot::SNAPSHOT_VERSION;

/// The URL a snapshot's header names, if it has a header.
fn snapshot_header(text: &str) -> Result<Option<String>, String> {
    Ok(routes_core::snapshot::parse_header(text)?.map(|(header, _)| header.url))
}

/// The cause of a refusal, in words.
fn err_cause(err: &routes_fs::Refusal) -> String {
    std::error::Error::source(err).map_or_else(|| err.to_string(), ToString::to_string)
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

/// A figure in every currency it can be given in without guessing: as
/// stated, as the record converts it, and at each sourced rate (of the day
/// nearest to `on`) from or into the stated currency.
pub(crate) fn renderings(m: &routes_core::FixedMoney, reference: &Reference, on: routes_core::Date) -> Vec<Rendering> {
    let mut out = vec![Rendering {
        amount: m.amount,
        currency: m.currency.as_str().to_owned(),
        native: true,
    }];
    if let Some(c) = &m.converted {
        out.push(Rendering {
            amount: c.amount,
            currency: c.currency.as_str().to_owned(),
            native: false,
        });
    }
    let mut targets: Vec<&str> = reference
        .rates()
        .flat_map(|r| [r.from.as_str(), r.to.as_str()])
        .filter(|c| *c != m.currency.as_str())
        .collect();
    targets.sort_unstable();
    targets.dedup();
    for to in targets {
        if let Some(c) = reference.convert(m.amount, m.currency.as_str(), to, on)
            && !out.iter().any(|r| r.currency == to)
        {
            out.push(Rendering {
                amount: c.amount,
                currency: to.to_owned(),
                native: false,
            });
        }
    }
    out
}

/// Most names compared with each new name in one block of near-duplicate candidates.
pub(crate) const MAX_BLOCK: usize = 16;

/// A name's words for comparison: lower case, letters and digits only, plural
/// `s` dropped.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            if w.chars().count() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                w[..w.len() - 1].to_owned()
            } else {
                w
            }
        })
        .collect()
}
