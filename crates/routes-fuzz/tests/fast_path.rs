//! The typed fast path of `routes validate` against the JSON Schema engine.
//!
//! `routes_validate::conforming_route` reads a record straight into the model
//! and skips the schema engine when it accepts. That is sound only if every
//! text it accepts, the schema accepts too. These tests take real records
//! (the bundled dataset, the valid fixtures) and synthetic ones, mutate them
//! node by node (every member and item: other types, `null`, strings at and
//! past every length limit, broken patterns, removed and unknown members,
//! repeated items and repeated member names) and check that:
//!
//! - every text the fast path accepts, the schema accepts, with no member
//!   named twice;
//! - every unmutated record is accepted (the fast path is the one taken);
//! - validating all the mutated texts with the fast path and without it gives
//!   the same findings, one for one.
//!
//! `ROUTES_FUZZ_CASES` (300 unless set) scales how many mutated texts go
//! through the whole validator: 12 per case.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `*.json` records under `dir`, any depth, sorted.
fn records_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs_err::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Valid records to mutate: the bundled dataset, the valid fixtures and
/// synthetic records.
fn seeds() -> Vec<(String, Value)> {
    let mut seeds = Vec::new();
    let dirs = [root().join("dataset/routes"), root().join("tests/fixtures/valid")];
    for path in dirs.iter().flat_map(|d| records_under(d)) {
        let text = fs_err::read_to_string(&path).expect("read record");
        let value: Value = serde_json::from_str(&text).expect("a seed parses");
        // Route records only (the fixtures also hold reference data).
        if value.get("schema_version").is_some() {
            seeds.push((path.display().to_string(), value));
        }
    }
    for (i, value) in routes_synth::Routes::new(24, 18).enumerate() {
        seeds.push((format!("synthetic record {i}"), value));
    }
    assert!(seeds.len() >= 60, "too few seeds: {}", seeds.len());
    seeds
}

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Every node of `value` (the root too), by path.
fn paths(value: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        out.push(here.clone());
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    here.push(Seg::Key(k.clone()));
                    walk(child, here, out);
                    here.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    here.push(Seg::Index(i));
                    walk(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'v>(value: &'v mut Value, path: &[Seg]) -> &'v mut Value {
    path.iter().fold(value, |v, seg| match seg {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::Index(i) => &mut v[*i],
    })
}

fn node<'v>(value: &'v Value, path: &[Seg]) -> &'v Value {
    path.iter().fold(value, |v, seg| match seg {
        Seg::Key(k) => &v[k.as_str()],
        Seg::Index(i) => &v[*i],
    })
}

/// String lengths at and around every `minLength` and `maxLength` of the schema.
const LENGTHS: &[usize] = &[7, 8, 80, 81, 120, 121, 200, 201, 500, 501, 2000, 2001, 2048, 2049];

/// What a node may be replaced with: other types, and values at the edges
/// of what its own type allows.
fn replacements(v: &Value) -> Vec<Value> {
    let mut out = vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(""),
        json!([]),
        json!({}),
    ];
    match v {
        Value::String(s) => {
            for &n in LENGTHS {
                out.push(Value::String("a".repeat(n)));
                out.push(Value::String("é".repeat(n)));
            }
            let mut edits = vec![
                "a".to_owned(),
                "A".to_owned(),
                "http://".to_owned(),
                "https://a".to_owned(),
                "ftp://example.org/x".to_owned(),
                "2026-02-30".to_owned(),
                "2026-1-05".to_owned(),
                "snapshots/".to_owned(),
                "0".repeat(64),
                "F".repeat(64),
                s.to_uppercase(),
                s.to_lowercase(),
                format!("{s} "),
                format!(" {s}"),
                format!("{s}\n"),
                format!("{s}-"),
                format!("-{s}"),
                format!("{s}é"),
                s.replace('-', "_"),
                s.replace('/', "//"),
                s.chars().skip(1).collect(),
                s.chars().take(2).collect(),
                s.repeat(2),
            ];
            edits.retain(|e| e != s);
            out.extend(edits.into_iter().map(Value::String));
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            for y in [
                -x,
                x + 0.5,
                1e300,
                1989.0,
                1990.0,
                2100.0,
                2101.0,
                4_294_967_296.0,
                -0.0,
            ] {
                out.push(json!(y));
            }
            out.push(json!(4_294_967_296_u64));
            out.push(json!(2));
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                let mut repeated = items.clone();
                repeated.push(first.clone());
                out.push(Value::Array(repeated));
                out.push(Value::Array(vec![Value::Null]));
                out.push(Value::Array(items[1..].to_vec()));
            }
        }
        Value::Object(map) => {
            for k in map.keys() {
                let mut without = map.clone();
                without.shift_remove(k);
                out.push(Value::Object(without));
            }
            for extra in ["unknown", "$schema"] {
                let mut with = map.clone();
                with.insert(extra.to_owned(), json!("x"));
                out.push(Value::Object(with));
            }
        }
        Value::Bool(b) => out.push(json!(!b)),
        Value::Null => {}
    }
    out
}

/// The record's text with the first member of the object at `target`
/// written twice (the second time with the value `repeat`).
fn with_repeated_member(value: &Value, target: &[Seg], repeat: &Value) -> Option<String> {
    fn write(v: &Value, target: &[Seg], here: &mut Vec<Seg>, repeat: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                out.push('{');
                let mut first = true;
                let mut member = |out: &mut String, k: &str, child: &Value, here: &mut Vec<Seg>| {
                    if !std::mem::take(&mut first) {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).expect("key"));
                    out.push(':');
                    here.push(Seg::Key(k.to_owned()));
                    write(child, target, here, repeat, out);
                    here.pop();
                };
                for (k, child) in map {
                    member(out, k, child, here);
                }
                if here.as_slice() == target
                    && let Some((k, _)) = map.iter().next()
                {
                    member(out, k, repeat, here);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, child) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    here.push(Seg::Index(i));
                    write(child, target, here, repeat, out);
                    here.pop();
                }
                out.push(']');
            }
            scalar => out.push_str(&serde_json::to_string(scalar).expect("scalar")),
        }
    }
    let obj = node(value, target).as_object()?;
    obj.keys().next()?;
    let mut out = String::new();
    write(value, target, &mut Vec::new(), repeat, &mut out);
    Some(out)
}

/// A mutated record text, and whether it names a member twice.
struct Mutant {
    text: String,
    repeats_a_member: bool,
}

/// One mutation of a record, written out only when taken.
enum Mutation {
    /// The node at the path replaced.
    Replace(Vec<Seg>, Value),
    /// The first member of the object at the path written twice, the second
    /// time with this value.
    Repeat(Vec<Seg>, Value),
}

impl Mutation {
    fn apply(self, record: &Value) -> Option<Mutant> {
        match self {
            Mutation::Replace(path, replacement) => {
                let mut mutated = record.clone();
                *node_mut(&mut mutated, &path) = replacement;
                Some(Mutant {
                    text: serde_json::to_string(&mutated).expect("text"),
                    repeats_a_member: false,
                })
            }
            Mutation::Repeat(path, repeat) => with_repeated_member(record, &path, &repeat).map(|text| Mutant {
                text,
                repeats_a_member: true,
            }),
        }
    }
}

/// Every mutation of one record: each replacement at each node, and a
/// repeated member in each object (with the same value, and with `null`).
fn mutations(value: &Value) -> Vec<Mutation> {
    let mut out = Vec::new();
    for path in paths(value) {
        let current = node(value, &path);
        for replacement in replacements(current) {
            out.push(Mutation::Replace(path.clone(), replacement));
        }
        if let Some(first) = current.as_object().and_then(|m| m.values().next()) {
            out.push(Mutation::Repeat(path.clone(), first.clone()));
            out.push(Mutation::Repeat(path.clone(), Value::Null));
        }
    }
    out
}

/// `take` of the mutations of `record`, spread over them from `offset`.
fn mutants(record: &Value, take: usize, offset: usize) -> Vec<Mutant> {
    spread(mutations(record), take, offset)
        .into_iter()
        .filter_map(|m| m.apply(record))
        .collect()
}

/// A spread of `take` of `all`, starting at `offset`, so that seeds taken in
/// turn reach different nodes.
fn spread<T>(all: Vec<T>, take: usize, offset: usize) -> Vec<T> {
    let step = (all.len() / take.max(1)).max(1);
    all.into_iter().skip(offset % step).step_by(step).collect()
}

/// Every text the fast path accepts, the schema accepts (and names no member
/// twice); every unmutated seed is accepted. `ROUTES_FUZZ_CASES` × 40
/// mutants in all, spread over the seeds and their nodes.
#[test]
fn fast_path_accepts_only_what_the_schema_accepts() {
    let schema = routes_validate::RouteSchema::new().expect("schema");
    let seeds = seeds();
    let per_seed = routes_fuzz::cases(300) as usize * 40 / seeds.len();
    let (mut checked, mut accepted, mut refused) = (0usize, 0usize, 0usize);
    for (s, (name, seed)) in seeds.iter().enumerate() {
        let text = serde_json::to_string(seed).expect("text");
        assert!(schema.is_valid(seed), "seed {name} does not satisfy the schema");
        assert!(
            routes_validate::conforming_route(&text).is_some(),
            "the fast path refuses the valid record {name}"
        );
        for m in mutants(seed, per_seed, s) {
            checked += 1;
            if routes_validate::conforming_route(&m.text).is_none() {
                refused += 1;
                continue;
            }
            accepted += 1;
            assert!(
                !m.repeats_a_member,
                "the fast path accepts a repeated member in {name}: {}",
                m.text
            );
            let parsed: Value = serde_json::from_str(&m.text).expect("a mutant parses");
            assert!(
                schema.is_valid(&parsed),
                "the fast path accepts a text the schema refuses ({name}): {}",
                m.text
            );
        }
    }
    // Both outcomes occur, so the check above had something to check.
    assert!(
        accepted > checked / 20 && refused > checked / 4,
        "{checked} mutants: {accepted} accepted, {refused} refused"
    );
}

/// The same findings, one for one, with the fast path and without it, over
/// mutated records in one JSON Lines file and as one file per route.
#[test]
fn fast_path_gives_the_same_findings() {
    let cases = routes_fuzz::cases(300) as usize;
    let seeds = seeds();
    let mut lines = Vec::new();
    for (s, (_, seed)) in seeds.iter().enumerate() {
        let take = cases * 12 / seeds.len();
        lines.extend(mutants(seed, take, s + 7).into_iter().map(|m| m.text));
        lines.push(serde_json::to_string(seed).expect("text"));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    fs_err::create_dir_all(data.join("kz")).expect("kz");
    fs_err::write(data.join("kz/mutants.jsonl"), lines.join("\n") + "\n").expect("write");
    // A few as whole files too: ids that match their paths, and ones that do not.
    for (i, line) in lines.iter().take(300).enumerate() {
        let id = serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned))
            .filter(|id| i % 2 == 0 && id.len() > 3 && id.is_ascii() && !id.contains(".."));
        let path = match id {
            Some(id) => data.join(format!("{id}.json")),
            None => data.join(format!("kz/mutant-{i}.json")),
        };
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent).expect("folder");
        }
        fs_err::write(&path, line).expect("write");
    }
    let today = jiff::civil::date(2026, 11, 25);
    let findings = |fast: bool| {
        let mut options = routes_validate::ValidateOptions::new(today);
        options.typed_fast_path = fast;
        let validator = routes_validate::Validator::new(options).expect("validator");
        let report = validator.validate_paths(std::slice::from_ref(&data)).expect("validate");
        let all: Vec<String> = report.diagnostics.iter().map(|d| format!("{d:?}")).collect();
        (all, report.records, report.typed)
    };
    let (fast, records, typed_fast) = findings(true);
    let (full, records_full, typed_full) = findings(false);
    assert_eq!(records, records_full);
    assert!(records >= lines.len(), "{records} records read of {}", lines.len());
    assert_eq!(typed_fast, typed_full, "records typed differ");
    assert!(
        typed_fast > seeds.len() && typed_fast < records,
        "{typed_fast} of {records} typed"
    );
    assert_eq!(fast.len(), full.len(), "a different number of findings");
    for (a, b) in fast.iter().zip(&full) {
        assert_eq!(a, b);
    }
    assert!(fast.iter().any(|d| d.contains("schema/")), "no schema finding at all");
}

/// The mutations reach what the schema constrains, and the fast path refuses
/// them: an over-long route name, a `null` summary, a repeated country, an
/// array for an object.
#[test]
fn mutations_include_each_kind_the_schema_refuses() {
    let seed: Value = serde_json::from_str(
        &fs_err::read_to_string(root().join("dataset/routes/kz/temporary-residence-permit.json")).expect("record"),
    )
    .expect("json");
    let texts: Vec<String> = mutants(&seed, usize::MAX, 0).into_iter().map(|m| m.text).collect();
    let long_name = format!("\"country\":\"KZ\",\"name\":\"{}\"", "a".repeat(201));
    for shape in [long_name.as_str(), "\"summary\":null", "\"application\":[]"] {
        let hits: Vec<&String> = texts.iter().filter(|t| t.contains(shape)).collect();
        assert!(!hits.is_empty(), "no mutant has {shape}");
        for t in hits {
            assert!(routes_validate::conforming_route(t).is_none(), "accepted: {shape}");
        }
    }
}
