//! The typed fast path: most records are valid, and for a valid record the
//! JSON Schema engine only confirms what the model already knows.
//!
//! [`conforming_route`] reads a record text straight into [`Route`] (no
//! `serde_json::Value`, no schema engine) and then checks what the model's
//! types do not: string lengths, the patterns of plain-string fields and
//! `uniqueItems`. Everything else the schema asks, the model's types already
//! refuse: unknown members (`deny_unknown_fields`), repeated members (serde
//! refuses a field named twice), missing required members, `null` where the
//! schema allows none (`routes_core`'s `wire` readers), enums, ids, codes and
//! dates (validated newtypes), number bounds (`routes_core`'s `number`
//! readers) and `oneOf` money (read by its members: `amount` and `currency`,
//! or `index` and `multiplier`, never both).
//!
//! One thing `serde_json` allows that the schema does not is a container of
//! the wrong kind: it reads a struct from a JSON array (its fields in order)
//! and a unit enum variant from `{"active": null}`. So the record is read
//! through [`Strict`], which asks for an object wherever a struct is wanted
//! and for a string wherever an enum is.
//!
//! So a record this accepts is one the schema accepts, and a record it
//! refuses goes down the full path (value, schema engine, then the model),
//! which says exactly why. The property test `fast_path_agrees_with_schema`
//! in `routes-fuzz` mutates real and synthetic records field by field and
//! checks that every text this accepts, the schema accepts too.

use std::hash::Hash;

use serde::Deserialize;

use routes_core::{Evidence, NationalitySet, Note, OfficialName, Requirement, Route, Source, Term};

use crate::strict::Strict;

/// The record in `text` read straight into the model, when it certainly
/// satisfies the schema; `None` when the schema engine must judge it (it may
/// still accept it: then the model refused it, a `schema/model-mismatch`).
///
/// ```
/// let text = std::fs::read_to_string(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/../../dataset/routes/kz/temporary-residence-permit.json"
/// ))?;
/// assert!(routes_validate::conforming_route(&text).is_some());
/// // An empty name: the model's `String` takes it, the schema's `minLength` does not.
/// let mut record: serde_json::Value = serde_json::from_str(&text)?;
/// record["name"] = "".into();
/// assert!(routes_validate::conforming_route(&record.to_string()).is_none());
/// // A struct written as an array: serde reads it, the schema does not.
/// record["name"] = "Temporary residence permit".into();
/// record["application"] = serde_json::json!([]);
/// assert!(routes_validate::conforming_route(&record.to_string()).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn conforming_route(text: &str) -> Option<Route> {
    let mut json = serde_json::Deserializer::from_str(text);
    let route = Route::deserialize(Strict(&mut json)).ok()?;
    json.end().ok()?;
    conforms(&route).then_some(route)
}

/// Whether a typed record also meets the schema's constraints that its types
/// do not carry.
fn conforms(r: &Route) -> bool {
    r.schema_ref.as_deref().is_none_or(|s| text(s, 1, None))
        && text(&r.name, 1, Some(200))
        && all_unique(&r.codes, |c| is_code(c))
        && opt_text(r.summary.as_deref(), 1, Some(2000))
        && r.official_name.as_ref().is_none_or(official_name)
        && nationality(r)
        && r.requirements.iter().all(requirement)
        && duration(&r.duration)
        && r.documents.iter().all(|d| {
            text(&d.name, 1, Some(500))
                && unique(&d.applies_to)
                && evidence(&d.evidence)
                && opt_text(d.note.as_deref(), 1, None)
        })
        && application(&r.application)
        && r.legal_basis.iter().all(|act| {
            text(&act.title, 1, None)
                && opt_text(act.number.as_deref(), 1, None)
                && opt_text(act.registration.as_deref(), 1, None)
                && act
                    .amendments
                    .iter()
                    .all(|a| opt_text(a.number.as_deref(), 1, None) && opt_text(a.note.as_deref(), 1, None))
                && act.url.as_deref().is_none_or(is_url)
                && evidence(&act.evidence)
                && opt_text(act.note.as_deref(), 1, None)
        })
        && r.sources.iter().all(source)
        && r.related.iter().all(|rel| opt_text(rel.note.as_deref(), 1, None))
        && r.notes.iter().all(note)
}

fn official_name(n: &OfficialName) -> bool {
    text(&n.text, 1, Some(500)) && is_language(&n.language) && evidence(&n.evidence)
}

fn nationality(r: &Route) -> bool {
    let n = &r.eligibility.nationality;
    unique(&n.countries)
        && all_unique(&n.groups, |g| is_group(g))
        && opt_text(n.description.as_deref(), 1, None)
        && evidence(&n.evidence)
        && r.eligibility.exemptions.iter().all(|e| {
            nationality_set(&e.who)
                && text(&e.description, 1, None)
                && unique(&e.requirements)
                && unique(&e.documents)
                && evidence(&e.evidence)
        })
}

fn nationality_set(s: &NationalitySet) -> bool {
    unique(&s.countries) && all_unique(&s.groups, |g| is_group(g))
}

fn requirement(q: &Requirement) -> bool {
    // Money needs nothing more: every field of a fixed amount (and its
    // conversion) and of an index amount is typed.
    text(&q.description, 1, Some(2000))
        && unique(&q.applies_to)
        && q.language.as_ref().is_none_or(|l| is_language(&l.code))
        && evidence(&q.evidence)
        && opt_text(q.note.as_deref(), 1, None)
}

fn term(t: &Term) -> bool {
    unique(&t.applies_to) && evidence(&t.evidence) && opt_text(t.note.as_deref(), 1, None)
}

fn duration(d: &routes_core::Duration) -> bool {
    d.initial_stay.iter().all(term)
        && d.validity.iter().all(term)
        && d.renewal
            .iter()
            .all(|r| unique(&r.applies_to) && evidence(&r.evidence) && opt_text(r.note.as_deref(), 1, None))
        && [&d.leads_to_permanent_residence, &d.leads_to_citizenship]
            .into_iter()
            .all(|c| evidence(&c.evidence) && opt_text(c.note.as_deref(), 1, None))
}

fn application(a: &routes_core::Application) -> bool {
    a.channels.iter().all(|c| {
        text(&c.name, 1, None)
            && c.url.as_deref().is_none_or(is_url)
            && unique(&c.applies_to)
            && evidence(&c.evidence)
            && opt_text(c.note.as_deref(), 1, None)
    }) && a
        .processing_times
        .iter()
        .all(|p| unique(&p.applies_to) && evidence(&p.evidence) && opt_text(p.note.as_deref(), 1, None))
        && a.fees.iter().all(|f| {
            text(&f.description, 1, None)
                && unique(&f.applies_to)
                && evidence(&f.evidence)
                && opt_text(f.note.as_deref(), 1, None)
        })
}

fn source(s: &Source) -> bool {
    is_url(&s.url)
        && text(&s.title, 1, None)
        && opt_text(s.publisher.as_deref(), 1, None)
        && is_language(&s.language)
        && s.snapshot
            .as_ref()
            .is_none_or(|snap| is_snapshot_path(&snap.path) && is_sha256(&snap.sha256))
        && all_unique(&s.aliases, |a| is_url(a))
}

fn note(n: &Note) -> bool {
    text(&n.text, 1, None) && evidence(&n.evidence)
}

fn evidence(list: &[Evidence]) -> bool {
    list.iter()
        .all(|e| opt_text(e.excerpt.as_deref(), 1, Some(2000)) && opt_text(e.locator.as_deref(), 1, Some(200)))
}

/// `minLength` and `maxLength`, which JSON Schema counts in code points.
fn text(s: &str, min: usize, max: Option<usize>) -> bool {
    // Bytes bound code points from above: count only when it matters.
    let long_enough = s.len() >= min && (min <= 1 || s.chars().count() >= min);
    let short_enough = max.is_none_or(|max| s.len() <= max || s.chars().count() <= max);
    long_enough && short_enough
}

fn opt_text(s: Option<&str>, min: usize, max: Option<usize>) -> bool {
    s.is_none_or(|s| text(s, min, max))
}

/// `uniqueItems`: lists are short, so pairs are compared directly up to a
/// size, then through a set.
fn unique<T: Eq + Hash>(items: &[T]) -> bool {
    if items.len() <= 16 {
        items.iter().enumerate().all(|(i, a)| items[..i].iter().all(|b| a != b))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(items.len());
        items.iter().all(|item| seen.insert(item))
    }
}

fn all_unique<T: Eq + Hash>(items: &[T], each: impl Fn(&T) -> bool) -> bool {
    items.iter().all(each) && unique(items)
}

/// `^[A-Za-z0-9][A-Za-z0-9./-]{0,31}$`
fn is_code(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=32).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'/' | b'-'))
}

/// `^[A-Z][A-Z0-9_]{1,39}$`
fn is_group(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=40).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
}

/// `^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`
fn is_language(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or_default();
    (2..=3).contains(&first.len())
        && first.bytes().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_alphanumeric()))
}

/// `minLength` 8, `maxLength` 2048, `^https?://`.
fn is_url(s: &str) -> bool {
    text(s, 8, Some(2048)) && (s.starts_with("http://") || s.starts_with("https://"))
}

/// `^snapshots/[A-Za-z0-9._/-]+$`
fn is_snapshot_path(s: &str) -> bool {
    s.strip_prefix("snapshots/").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'/' | b'-'))
    })
}

/// `^[0-9a-f]{64}$`
fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_the_schema_regexes() {
        assert!(is_code("D-7") && is_code("a") && !is_code("-a") && !is_code(&"a".repeat(33)));
        assert!(is_group("EU") && is_group("EAEU_2") && !is_group("E") && !is_group("eu") && !is_group("_EU"));
        assert!(is_language("en") && is_language("zh-Hant") && is_language("kaz") && !is_language("en-"));
        assert!(!is_language("EN") && !is_language("engl") && !is_language("en-a") && !is_language("en-abcdefghi"));
        assert!(is_url("https://a.b") && !is_url("ftp://a.bc") && !is_url("https:/") && !is_url("http://"));
        assert!(is_snapshot_path("snapshots/kz/a.html") && !is_snapshot_path("snapshots/") && !is_snapshot_path("x/a"));
        assert!(is_sha256(&"a".repeat(64)) && !is_sha256(&"A".repeat(64)) && !is_sha256(&"a".repeat(63)));
    }

    #[test]
    fn lengths_count_code_points() {
        assert!(text("é", 1, Some(1)));
        assert!(!text("", 1, None));
        assert!(text(&"é".repeat(200), 1, Some(200)));
        assert!(!text(&"é".repeat(201), 1, Some(200)));
        assert!(!text(&"é".repeat(4), 8, None) && text(&"é".repeat(8), 8, None));
    }

    #[test]
    fn unique_on_both_sides_of_the_set_threshold() {
        let short: Vec<u32> = (0..10).collect();
        let long: Vec<u32> = (0..100).collect();
        assert!(unique(&short) && unique(&long));
        let mut dup = long.clone();
        dup.push(42);
        assert!(!unique(&dup));
        assert!(!unique(&[1, 2, 1]));
    }
}
