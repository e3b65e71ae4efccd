//! Views of one record that several rule families walk: every evidence
//! list, money amount, range and conflict mark with its JSON pointer, and the
//! claims (facts a source must back, and quoted names, acts and notes).

use std::collections::HashSet;

use routes_core::{Evidence, Money, NationalityScope, Range, Route, Slug, Tristate};

use crate::words::{date_words, fmt_amount, range_words};

/// Every evidence list of a route, with the pointer of the list.
pub(crate) fn evidence_lists(route: &Route) -> Vec<(String, &[Evidence])> {
    let mut out: Vec<(String, &[Evidence])> = Vec::new();
    if let Some(name) = &route.official_name {
        out.push(("/official_name/evidence".into(), &name.evidence));
    }
    out.push((
        "/eligibility/nationality/evidence".into(),
        &route.eligibility.nationality.evidence,
    ));
    for (i, e) in route.eligibility.exemptions.iter().enumerate() {
        out.push((format!("/eligibility/exemptions/{i}/evidence"), &e.evidence));
    }
    for (i, r) in route.requirements.iter().enumerate() {
        out.push((format!("/requirements/{i}/evidence"), &r.evidence));
    }
    for (i, t) in route.duration.initial_stay.iter().enumerate() {
        out.push((format!("/duration/initial_stay/{i}/evidence"), &t.evidence));
    }
    for (i, t) in route.duration.validity.iter().enumerate() {
        out.push((format!("/duration/validity/{i}/evidence"), &t.evidence));
    }
    for (i, r) in route.duration.renewal.iter().enumerate() {
        out.push((format!("/duration/renewal/{i}/evidence"), &r.evidence));
    }
    out.push((
        "/duration/leads_to_permanent_residence/evidence".into(),
        &route.duration.leads_to_permanent_residence.evidence,
    ));
    out.push((
        "/duration/leads_to_citizenship/evidence".into(),
        &route.duration.leads_to_citizenship.evidence,
    ));
    for (i, d) in route.documents.iter().enumerate() {
        out.push((format!("/documents/{i}/evidence"), &d.evidence));
    }
    for (i, c) in route.application.channels.iter().enumerate() {
        out.push((format!("/application/channels/{i}/evidence"), &c.evidence));
    }
    for (i, p) in route.application.processing_times.iter().enumerate() {
        out.push((format!("/application/processing_times/{i}/evidence"), &p.evidence));
    }
    for (i, f) in route.application.fees.iter().enumerate() {
        out.push((format!("/application/fees/{i}/evidence"), &f.evidence));
    }
    for (i, l) in route.legal_basis.iter().enumerate() {
        out.push((format!("/legal_basis/{i}/evidence"), &l.evidence));
    }
    for (i, n) in route.notes.iter().enumerate() {
        out.push((format!("/notes/{i}/evidence"), &n.evidence));
    }
    out
}

/// Every amount of money of a route, with its pointer.
pub(crate) fn money(route: &Route) -> Vec<(String, &Money)> {
    let mut out = Vec::new();
    for (i, r) in route.requirements.iter().enumerate() {
        if let Some(m) = &r.money {
            out.push((format!("/requirements/{i}/money"), m));
        }
    }
    for (i, f) in route.application.fees.iter().enumerate() {
        if let Some(m) = &f.money {
            out.push((format!("/application/fees/{i}/money"), m));
        }
    }
    out
}

/// Every range of a route, with its pointer.
pub(crate) fn ranges(route: &Route) -> Vec<(String, &Range)> {
    let mut out = Vec::new();
    for (i, r) in route.requirements.iter().enumerate() {
        if let Some(range) = &r.range {
            out.push((format!("/requirements/{i}/range"), range));
        }
    }
    for (i, t) in route.duration.initial_stay.iter().enumerate() {
        out.push((format!("/duration/initial_stay/{i}/range"), &t.range));
    }
    for (i, t) in route.duration.validity.iter().enumerate() {
        out.push((format!("/duration/validity/{i}/range"), &t.range));
    }
    for (i, r) in route.duration.renewal.iter().enumerate() {
        if let Some(term) = &r.term {
            out.push((format!("/duration/renewal/{i}/term"), term));
        }
    }
    for (i, p) in route.application.processing_times.iter().enumerate() {
        out.push((format!("/application/processing_times/{i}/range"), &p.range));
    }
    out
}

/// Every conflict-group mark of a route, with its pointer.
pub(crate) fn conflicts(route: &Route) -> Vec<(String, &Slug)> {
    fn marks<'r, T>(
        list: &'r [T],
        at: &str,
        group: fn(&T) -> Option<&Slug>,
    ) -> impl Iterator<Item = (String, &'r Slug)> {
        list.iter()
            .enumerate()
            .filter_map(move |(i, item)| group(item).map(|g| (format!("{at}/{i}/conflict"), g)))
    }
    let d = &route.duration;
    let a = &route.application;
    marks(&route.requirements, "/requirements", |r| r.conflict.as_ref())
        .chain(marks(&d.initial_stay, "/duration/initial_stay", |t| {
            t.conflict.as_ref()
        }))
        .chain(marks(&d.renewal, "/duration/renewal", |r| r.conflict.as_ref()))
        .chain(marks(&route.documents, "/documents", |x| x.conflict.as_ref()))
        .chain(marks(&a.processing_times, "/application/processing_times", |p| {
            p.conflict.as_ref()
        }))
        .chain(marks(&a.fees, "/application/fees", |f| f.conflict.as_ref()))
        .collect()
}

/// Number of conflict groups of a route.
pub(crate) fn conflict_count(route: &Route) -> usize {
    conflicts(route)
        .into_iter()
        .map(|(_, g)| g.as_str())
        .collect::<HashSet<_>>()
        .len()
}

/// A known fact of a record, with what it says and what supports it.
pub(crate) struct ClaimView<'r> {
    pub(crate) pointer: String,
    /// Words of the claim, to compare with its excerpts.
    pub(crate) context: String,
    pub(crate) evidence: &'r [Evidence],
    /// Whether it states something (a figure, yes or no) rather than `unknown`.
    pub(crate) known: bool,
    /// Whether it is a fact of the route (else a quoted name, legal act or
    /// note: its quotes are checked, but it is not counted as a claim).
    pub(crate) fact: bool,
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

pub(crate) fn claims(route: &Route) -> Vec<ClaimView<'_>> {
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
