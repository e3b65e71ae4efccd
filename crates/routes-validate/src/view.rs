//! Views of one record that several rule families walk: every evidence
//! list, money amount, range and conflict mark with its JSON pointer, and the
//! claims (facts a source must back, and quoted names, acts and notes).

use std::collections::HashSet;

use routes_core::{Evidence, Money, NationalityScope, Range, Route, Slug, Tristate};

use crate::words::{date_words, fmt_amount, range_words};

/// A JSON Pointer into a record, `head`, then `/index` when there is one,
/// then `tail`: kept in parts and written out only when a finding needs it
/// (most records have none, and a record has hundreds of pointers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ptr {
    head: &'static str,
    index: Option<usize>,
    tail: &'static str,
    /// A second index and what follows it (`/sources/1/aliases/0`).
    then: Option<(usize, &'static str)>,
}

impl Ptr {
    /// A pointer with no index.
    pub(crate) const fn at(head: &'static str) -> Self {
        Self {
            head,
            index: None,
            tail: "",
            then: None,
        }
    }

    /// `head/index` then `tail`.
    pub(crate) const fn item(head: &'static str, index: usize, tail: &'static str) -> Self {
        Self {
            head,
            index: Some(index),
            tail,
            then: None,
        }
    }

    /// `head/index` then `mid`, `/second` and `tail`.
    pub(crate) const fn item2(
        head: &'static str,
        index: usize,
        mid: &'static str,
        second: usize,
        tail: &'static str,
    ) -> Self {
        Self {
            head,
            index: Some(index),
            tail: mid,
            then: Some((second, tail)),
        }
    }

    /// Whether the pointer starts with `prefix` (within its head).
    pub(crate) fn starts_with(&self, prefix: &str) -> bool {
        self.head.starts_with(prefix)
    }
}

impl std::fmt::Display for Ptr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.head)?;
        if let Some(i) = self.index {
            write!(f, "/{i}")?;
        }
        f.write_str(self.tail)?;
        if let Some((j, tail)) = self.then {
            write!(f, "/{j}{tail}")?;
        }
        Ok(())
    }
}

/// Every evidence list of a route, with the pointer of the list.
pub(crate) fn evidence_lists(route: &Route) -> Vec<(Ptr, &[Evidence])> {
    let mut out: Vec<(Ptr, &[Evidence])> = Vec::with_capacity(16);
    if let Some(name) = &route.official_name {
        out.push((Ptr::at("/official_name/evidence"), &name.evidence));
    }
    out.push((
        Ptr::at("/eligibility/nationality/evidence"),
        &route.eligibility.nationality.evidence,
    ));
    for (i, e) in route.eligibility.exemptions.iter().enumerate() {
        out.push((Ptr::item("/eligibility/exemptions", i, "/evidence"), &e.evidence));
    }
    for (i, r) in route.requirements.iter().enumerate() {
        out.push((Ptr::item("/requirements", i, "/evidence"), &r.evidence));
    }
    for (i, t) in route.duration.initial_stay.iter().enumerate() {
        out.push((Ptr::item("/duration/initial_stay", i, "/evidence"), &t.evidence));
    }
    for (i, t) in route.duration.validity.iter().enumerate() {
        out.push((Ptr::item("/duration/validity", i, "/evidence"), &t.evidence));
    }
    for (i, r) in route.duration.renewal.iter().enumerate() {
        out.push((Ptr::item("/duration/renewal", i, "/evidence"), &r.evidence));
    }
    out.push((
        Ptr::at("/duration/leads_to_permanent_residence/evidence"),
        &route.duration.leads_to_permanent_residence.evidence,
    ));
    out.push((
        Ptr::at("/duration/leads_to_citizenship/evidence"),
        &route.duration.leads_to_citizenship.evidence,
    ));
    for (i, d) in route.documents.iter().enumerate() {
        out.push((Ptr::item("/documents", i, "/evidence"), &d.evidence));
    }
    for (i, c) in route.application.channels.iter().enumerate() {
        out.push((Ptr::item("/application/channels", i, "/evidence"), &c.evidence));
    }
    for (i, p) in route.application.processing_times.iter().enumerate() {
        out.push((Ptr::item("/application/processing_times", i, "/evidence"), &p.evidence));
    }
    for (i, f) in route.application.fees.iter().enumerate() {
        out.push((Ptr::item("/application/fees", i, "/evidence"), &f.evidence));
    }
    for (i, l) in route.legal_basis.iter().enumerate() {
        out.push((Ptr::item("/legal_basis", i, "/evidence"), &l.evidence));
    }
    for (i, n) in route.notes.iter().enumerate() {
        out.push((Ptr::item("/notes", i, "/evidence"), &n.evidence));
    }
    out
}

/// Every amount of money of a route, with its pointer.
pub(crate) fn money(route: &Route) -> Vec<(Ptr, &Money)> {
    let mut out = Vec::new();
    for (i, r) in route.requirements.iter().enumerate() {
        if let Some(m) = &r.money {
            out.push((Ptr::item("/requirements", i, "/money"), m));
        }
    }
    for (i, f) in route.application.fees.iter().enumerate() {
        if let Some(m) = &f.money {
            out.push((Ptr::item("/application/fees", i, "/money"), m));
        }
    }
    out
}

/// Every range of a route, with its pointer.
pub(crate) fn ranges(route: &Route) -> Vec<(Ptr, &Range)> {
    let mut out = Vec::new();
    for (i, r) in route.requirements.iter().enumerate() {
        if let Some(range) = &r.range {
            out.push((Ptr::item("/requirements", i, "/range"), range));
        }
    }
    for (i, t) in route.duration.initial_stay.iter().enumerate() {
        out.push((Ptr::item("/duration/initial_stay", i, "/range"), &t.range));
    }
    for (i, t) in route.duration.validity.iter().enumerate() {
        out.push((Ptr::item("/duration/validity", i, "/range"), &t.range));
    }
    for (i, r) in route.duration.renewal.iter().enumerate() {
        if let Some(term) = &r.term {
            out.push((Ptr::item("/duration/renewal", i, "/term"), term));
        }
    }
    for (i, p) in route.application.processing_times.iter().enumerate() {
        out.push((Ptr::item("/application/processing_times", i, "/range"), &p.range));
    }
    out
}

/// Every conflict-group mark of a route, with its pointer.
pub(crate) fn conflicts(route: &Route) -> Vec<(Ptr, &Slug)> {
    fn marks<'r, T>(
        list: &'r [T],
        at: &'static str,
        group: fn(&T) -> Option<&Slug>,
    ) -> impl Iterator<Item = (Ptr, &'r Slug)> {
        list.iter()
            .enumerate()
            .filter_map(move |(i, item)| group(item).map(|g| (Ptr::item(at, i, "/conflict"), g)))
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
    pub(crate) pointer: Ptr,
    /// Words of the claim, to compare with its excerpts (empty when no
    /// evidence of it has an excerpt: nothing to compare).
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
            pointer: c.pointer.to_string(),
            known: c.known,
            evidence: c.evidence,
        })
        .collect()
}

pub(crate) fn claims(route: &Route) -> Vec<ClaimView<'_>> {
    // A claim's words are compared with its excerpts only: most evidence has
    // a locator and no excerpt, so the words are written only when needed.
    fn said(evidence: &[Evidence], words: impl FnOnce() -> String) -> String {
        if evidence.iter().any(|e| e.excerpt.is_some()) {
            words()
        } else {
            String::new()
        }
    }
    let mut out = Vec::with_capacity(32);
    let nat = &route.eligibility.nationality;
    out.push(ClaimView {
        pointer: Ptr::at("/eligibility/nationality"),
        context: said(&nat.evidence, || {
            format!(
                "nationality nationals citizens countries {}",
                nat.description.as_deref().unwrap_or_default()
            )
        }),
        evidence: &nat.evidence,
        known: nat.scope != NationalityScope::Unknown,
        fact: true,
    });
    for (i, e) in route.eligibility.exemptions.iter().enumerate() {
        out.push(ClaimView {
            pointer: Ptr::item("/eligibility/exemptions", i, ""),
            context: said(&e.evidence, || e.description.clone()),
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
            pointer: Ptr::item("/requirements", i, ""),
            context: said(&r.evidence, || {
                format!(
                    "{} {} {} {} {} {}",
                    r.kind.as_str().replace('_', " "),
                    r.description,
                    r.note.as_deref().unwrap_or_default(),
                    figure.unwrap_or_default(),
                    r.range.as_ref().map(range_words).unwrap_or_default(),
                    date_words(r.effective_from)
                )
            }),
            evidence: &r.evidence,
            known: r.required != Tristate::Unknown || r.money.is_some() || r.range.is_some(),
            fact: true,
        });
    }
    let d = &route.duration;
    for (head, terms) in [
        ("/duration/initial_stay", &d.initial_stay),
        ("/duration/validity", &d.validity),
    ] {
        for (i, t) in terms.iter().enumerate() {
            out.push(ClaimView {
                pointer: Ptr::item(head, i, ""),
                context: said(&t.evidence, || {
                    format!(
                        "stay validity valid period term duration {} {}",
                        range_words(&t.range),
                        t.note.as_deref().unwrap_or_default()
                    )
                }),
                evidence: &t.evidence,
                known: true,
                fact: true,
            });
        }
    }
    for (i, r) in d.renewal.iter().enumerate() {
        out.push(ClaimView {
            pointer: Ptr::item("/duration/renewal", i, ""),
            context: said(&r.evidence, || {
                format!(
                    "renewal renew renewed extension extend extended {}",
                    r.note.as_deref().unwrap_or_default()
                )
            }),
            evidence: &r.evidence,
            known: r.renewable != Tristate::Unknown,
            fact: true,
        });
    }
    for (name, claim, words) in [
        (
            "/duration/leads_to_permanent_residence",
            &d.leads_to_permanent_residence,
            "permanent residence settlement",
        ),
        (
            "/duration/leads_to_citizenship",
            &d.leads_to_citizenship,
            "citizenship naturalisation naturalization",
        ),
    ] {
        out.push(ClaimView {
            pointer: Ptr::at(name),
            context: said(&claim.evidence, || {
                format!("{words} {}", claim.note.as_deref().unwrap_or_default())
            }),
            evidence: &claim.evidence,
            known: claim.value != Tristate::Unknown,
            fact: true,
        });
    }
    for (i, doc) in route.documents.iter().enumerate() {
        out.push(ClaimView {
            pointer: Ptr::item("/documents", i, ""),
            context: said(&doc.evidence, || {
                format!(
                    "{} {} {}",
                    doc.name,
                    doc.note.as_deref().unwrap_or_default(),
                    date_words(doc.effective_from)
                )
            }),
            evidence: &doc.evidence,
            known: doc.required != Tristate::Unknown,
            fact: true,
        });
    }
    let a = &route.application;
    for (i, c) in a.channels.iter().enumerate() {
        out.push(ClaimView {
            pointer: Ptr::item("/application/channels", i, ""),
            context: said(&c.evidence, || {
                format!(
                    "apply application portal online {} {}",
                    c.name,
                    c.note.as_deref().unwrap_or_default()
                )
            }),
            evidence: &c.evidence,
            known: true,
            fact: true,
        });
    }
    for (i, p) in a.processing_times.iter().enumerate() {
        out.push(ClaimView {
            pointer: Ptr::item("/application/processing_times", i, ""),
            context: said(&p.evidence, || {
                format!(
                    "processing decision review time {} {}",
                    range_words(&p.range),
                    p.note.as_deref().unwrap_or_default()
                )
            }),
            evidence: &p.evidence,
            known: true,
            fact: true,
        });
    }
    for (i, f) in a.fees.iter().enumerate() {
        out.push(ClaimView {
            pointer: Ptr::item("/application/fees", i, ""),
            context: said(&f.evidence, || {
                format!(
                    "fee fees cost charge free payment {} {}",
                    f.description,
                    f.note.as_deref().unwrap_or_default()
                )
            }),
            evidence: &f.evidence,
            known: f.money.is_some() || f.free.is_some(),
            fact: true,
        });
    }
    // Quoted, but not facts of the route: the official name, the legal basis
    // and notes. Their quotes get the same checks as a claim's.
    if let Some(name) = &route.official_name {
        out.push(ClaimView {
            pointer: Ptr::at("/official_name"),
            context: said(&name.evidence, || format!("{} {}", name.text, route.name)),
            evidence: &name.evidence,
            known: false,
            fact: false,
        });
    }
    for (i, act) in route.legal_basis.iter().enumerate() {
        out.push(ClaimView {
            pointer: Ptr::item("/legal_basis", i, ""),
            context: said(&act.evidence, || {
                format!(
                    "law act article section code decree regulation {} {} {} {}",
                    act.title,
                    act.number.as_deref().unwrap_or_default(),
                    act.note.as_deref().unwrap_or_default(),
                    date_words(act.effective_from.or(act.issued)),
                )
            }),
            evidence: &act.evidence,
            known: false,
            fact: false,
        });
    }
    for (i, note) in route.notes.iter().enumerate() {
        out.push(ClaimView {
            pointer: Ptr::item("/notes", i, ""),
            context: said(&note.evidence, || note.text.clone()),
            evidence: &note.evidence,
            known: false,
            fact: false,
        });
    }
    out
}
