//! Conflicts: two values of one fact that differ carry one conflict mark.
//! Values for other applicants, of other times, or of requirements that add
//! up are different facts.

use std::collections::BTreeMap;

use routes_core::{RequirementKind, Route};
use routes_diagnostics::Diagnostic;

use super::context::Finding;
use crate::rule::{Rule, W, rule};
use crate::words::range_words;

/// The conflict rules.
pub(crate) static RULES: &[Rule] = &[rule!(
    "quality/unmarked-conflict",
    W,
    "Two values of one fact differ without a conflict mark",
    "Disagreeing sources are kept, each with its value, and marked as one conflict group; unmarked, a reader takes one of them for the answer. Only values of one fact are compared: not values for other applicants (`applies_to`), of other times (`effective_from`/`effective_until`, `superseded_by`), or requirements that add up (`combination` with `meet: all` or `meet: any`).",
    "two `processing_times` for all applicants: 3 working days and 30 working days, no `conflict`",
    "DQ12"
)];

/// When a value held: its first and last day, and whether a later value of
/// the record replaced it. Values of different times are not a conflict.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
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
pub(crate) fn replaces(
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
pub(crate) fn unmarked_conflicts(route: &Route, finding: &Finding<'_>, out: &mut Vec<Diagnostic>) {
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
