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
//! readers) and `oneOf` money (the two shapes share no required member).
//!
//! One thing serde allows that the schema does not is a container of the
//! wrong kind: serde reads a struct from a JSON array (its fields in order)
//! and a unit enum variant from `{"active": null}`. So before typing, a scan
//! of the text checks that every `{` and `[` stands where the schema allows
//! an object or an array: [`Shapes`], taken from the schema itself, says
//! which member names may hold which.
//!
//! So a record this accepts is one the schema accepts, and a record it
//! refuses goes down the full path (value, schema engine, then the model),
//! which says exactly why. The property test `fast_path_agrees_with_schema`
//! in `routes-fuzz` mutates real and synthetic records field by field and
//! checks that every text this accepts, the schema accepts too.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::LazyLock;

use serde_json::Value;

use routes_core::{Evidence, NationalitySet, Note, OfficialName, Requirement, Route, Source, Term};

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
    if !SHAPES.allow(text) {
        return None;
    }
    let route: Route = serde_json::from_str(text).ok()?;
    conforms(&route).then_some(route)
}

/// What a member of some name may hold, by the schema: an object, an array,
/// and in an array, objects.
#[derive(Debug, Default, Clone, Copy)]
struct Shape {
    object: bool,
    array: bool,
    object_items: bool,
}

/// The shapes of the members of every name, anywhere in a record; a name
/// used twice in the schema (`language` is a string in a source and an
/// object in a requirement) allows what either use does, and serde refuses
/// the wrong one in its place.
#[derive(Debug)]
struct Shapes {
    by_name: HashMap<String, Shape, foldhash::fast::FixedState>,
}

static SHAPES: LazyLock<Shapes> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(routes_core::ROUTE_SCHEMA).unwrap_or(Value::Null);
    Shapes::of(&schema)
});

/// The subschemas that apply where `schema` does: itself (through its
/// `$ref`) and the branches of its `oneOf`, `anyOf` and `allOf`, through
/// theirs. `None` past 32 levels of them (a cycle): the callers then allow
/// anything.
fn alternatives<'s>(schema: &'s Value, root: &'s Value) -> Option<Vec<&'s Value>> {
    fn walk<'s>(schema: &'s Value, root: &'s Value, depth: usize, out: &mut Vec<&'s Value>) -> bool {
        if depth > 32 {
            return false;
        }
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let resolved = target
                .strip_prefix('#')
                .and_then(|p| root.pointer(p))
                .unwrap_or(&Value::Null);
            return walk(resolved, root, depth + 1, out);
        }
        out.push(schema);
        ["oneOf", "anyOf", "allOf"].into_iter().all(|key| {
            schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .all(|sub| walk(sub, root, depth + 1, out))
        })
    }
    let mut out = Vec::new();
    walk(schema, root, 0, &mut out).then_some(out)
}

/// The kinds a (sub)schema allows: (object, array).
fn kinds(schema: &Value, root: &Value) -> (bool, bool) {
    let Some(alternatives) = alternatives(schema, root) else {
        return (true, true);
    };
    let (mut object, mut array) = (false, false);
    for schema in alternatives {
        match schema.get("type") {
            Some(Value::String(t)) => {
                object |= t == "object";
                array |= t == "array";
            }
            Some(Value::Array(ts)) => {
                object |= ts.iter().any(|t| t == "object");
                array |= ts.iter().any(|t| t == "array");
            }
            _ => {
                object |= schema.get("properties").is_some();
                array |= schema.get("items").is_some();
            }
        }
    }
    (object, array)
}

/// Whether an array the (sub)schema allows may hold objects.
fn object_items(schema: &Value, root: &Value) -> bool {
    alternatives(schema, root).is_none_or(|alternatives| {
        alternatives
            .iter()
            .filter_map(|schema| schema.get("items"))
            .any(|items| kinds(items, root).0)
    })
}

impl Shapes {
    fn of(root: &Value) -> Self {
        fn walk(node: &Value, root: &Value, by_name: &mut HashMap<String, Shape, foldhash::fast::FixedState>) {
            match node {
                Value::Object(map) => {
                    if let Some(Value::Object(props)) = map.get("properties") {
                        for (name, sub) in props {
                            let (object, array) = kinds(sub, root);
                            let object_items = object_items(sub, root);
                            let shape = by_name.entry(name.clone()).or_default();
                            shape.object |= object;
                            shape.array |= array;
                            shape.object_items |= object_items;
                        }
                    }
                    for (key, child) in map {
                        // Examples are records, not schemas.
                        if key != "examples" {
                            walk(child, root, by_name);
                        }
                    }
                }
                Value::Array(list) => list.iter().for_each(|c| walk(c, root, by_name)),
                _ => {}
            }
        }
        let mut by_name = HashMap::default();
        walk(root, root, &mut by_name);
        Self { by_name }
    }

    fn shape(&self, name: &str) -> Shape {
        self.by_name.get(name).copied().unwrap_or_default()
    }

    /// Whether every `{` and `[` of the JSON text stands where the schema
    /// allows an object or an array (the root an object). Text that is not
    /// JSON may pass: the parser refuses it next.
    fn allow(&self, text: &str) -> bool {
        /// A container being read: an array (of the member named `name`) or
        /// an object (whose member being read is `name`).
        struct Frame<'t> {
            array: bool,
            name: &'t str,
        }
        let b = text.as_bytes();
        let mut stack: Vec<Frame<'_>> = Vec::with_capacity(16);
        // In an object: the last string read, the name of the next value.
        let mut last_string: &str = "";
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'"' => {
                    let start = i + 1;
                    let mut j = start;
                    let mut escaped = false;
                    // Most of a record is string text: jump to its end.
                    while let Some(k) = memchr::memchr2(b'"', b'\\', b.get(j..).unwrap_or_default()) {
                        j += k;
                        if b[j] == b'"' {
                            break;
                        }
                        escaped = true;
                        j += 2;
                    }
                    if j >= b.len() {
                        return true;
                    }
                    // A name written with escapes is not looked up: the full
                    // path reads it.
                    last_string = if escaped {
                        "\\"
                    } else {
                        text.get(start..j.min(b.len())).unwrap_or("")
                    };
                    i = j;
                }
                b':' => {
                    if let Some(top) = stack.last_mut()
                        && !top.array
                    {
                        top.name = last_string;
                    }
                }
                open @ (b'{' | b'[') => {
                    let allowed = match stack.last() {
                        None => open == b'{',
                        Some(top) if top.array => open == b'{' && self.shape(top.name).object_items,
                        Some(top) => {
                            let shape = self.shape(top.name);
                            if open == b'{' { shape.object } else { shape.array }
                        }
                    };
                    if !allowed {
                        return false;
                    }
                    let name = stack.last().map_or("", |top| top.name);
                    stack.push(Frame {
                        array: open == b'[',
                        name: if open == b'[' { name } else { "" },
                    });
                }
                b'}' | b']' => {
                    stack.pop();
                }
                _ => {}
            }
            i += 1;
        }
        true
    }
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
    fn containers_stand_only_where_the_schema_allows_them() {
        let shapes = &*SHAPES;
        assert!(shapes.allow(r#"{"requirements": [{"evidence": [{"source": "a"}]}], "eligibility": {}}"#));
        // A struct read from an array, an enum from an object, nested arrays.
        assert!(!shapes.allow(r#"{"application": []}"#));
        assert!(!shapes.allow(r#"{"status": {"active": null}}"#));
        assert!(!shapes.allow(r#"{"evidence": [["gov"]]}"#));
        assert!(!shapes.allow(r#"{"codes": [{"a": 1}]}"#));
        assert!(!shapes.allow("[]"));
        // Brackets inside strings, and escaped quotes, are text.
        assert!(shapes.allow(r#"{"name": "a [b] {c} \" [", "note": "x"}"#));
        // A name with escapes is left to the full path.
        assert!(!shapes.allow(r#"{"evid\u0065nce": [{}]}"#));
        assert!(shapes.shape("language").object && !shapes.shape("language").array);
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
