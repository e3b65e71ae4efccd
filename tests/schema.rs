//! The JSON Schema and the Rust record model agree, and the schema documents
//! itself.

use std::path::PathBuf;

use serde_json::Value;

use crate::util::{fixtures, root};

fn schema_document() -> Value {
    serde_json::from_str(&fs_err::read_to_string(root().join("schema/route.schema.json")).expect("schema"))
        .expect("schema parses")
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles")
}

/// Every record-shaped JSON file the tests know: fixtures and the dataset.
fn record_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        fixtures("valid/kz"),
        fixtures("invalid/kz"),
        root().join("dataset/routes/kz"),
    ] {
        for entry in fs_err::read_dir(&dir).expect("folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Drops nulls and empty arrays and makes every number a float, so that a
/// record and its round trip through the model compare equal when they mean
/// the same.
fn normalise(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| (k.clone(), normalise(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Number(n) => serde_json::json!(n.as_f64()),
        other => other.clone(),
    }
}

#[test]
fn schema_and_model_agree_on_every_fixture() {
    let schema = schema_document();
    let validator = validator(&schema);
    let mut checked = 0;
    let (mut accepted, mut rejected) = (0, 0);
    for path in record_files() {
        let Ok(text) = std::str::from_utf8(&fs_err::read(&path).expect("read")).map(str::to_owned) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) else {
            continue;
        };
        checked += 1;
        let schema_ok = validator.is_valid(&value);
        let model = serde_json::from_value::<routes_core::Route>(value.clone());
        assert_eq!(
            schema_ok,
            model.is_ok(),
            "schema says {schema_ok}, model says {:?} for {}",
            model.as_ref().err(),
            path.display()
        );
        if let Ok(route) = model {
            accepted += 1;
            let back = serde_json::to_value(&route).expect("serialises");
            assert_eq!(
                normalise(&back),
                normalise(&value),
                "round trip changed {}",
                path.display()
            );
        } else {
            rejected += 1;
        }
    }
    assert!(checked >= 30, "too few fixtures: {checked}");
    assert!(
        accepted >= 20 && rejected >= 5,
        "accepted {accepted}, rejected {rejected}"
    );
}

#[test]
fn every_property_has_a_description() {
    fn walk(node: &Value, at: &str, missing: &mut Vec<String>) {
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                if prop
                    .get("description")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    missing.push(format!("{at}/properties/{name}"));
                }
            }
        }
        match node {
            Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, &format!("{at}/{k}"), missing)),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(v, &format!("{at}/{i}"), missing)),
            _ => {}
        }
    }
    let schema = schema_document();
    let mut missing = Vec::new();
    walk(&schema, "", &mut missing);
    assert!(missing.is_empty(), "properties without a description: {missing:#?}");
    assert!(schema["$id"].as_str().is_some_and(|id| id.starts_with("https://")));
    // The `$id` is the name the README documents, and its path is where the site serves it.
    assert_eq!(schema["$id"].as_str(), Some(routes_core::ROUTE_SCHEMA_ID));
    assert!(routes_core::ROUTE_SCHEMA_ID.ends_with(routes_core::ROUTE_SCHEMA_PATH));
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn every_example_in_the_schema_is_valid() {
    let schema = schema_document();
    let mut count = 0;
    for example in schema["examples"].as_array().expect("the schema has a record example") {
        assert!(validator(&schema).is_valid(example), "top-level example is invalid");
        count += 1;
    }
    for (name, def) in schema["$defs"].as_object().expect("$defs") {
        let Some(examples) = def.get("examples").and_then(Value::as_array) else {
            continue;
        };
        let sub = serde_json::json!({
            "$schema": schema["$schema"],
            "$defs": schema["$defs"],
            "$ref": format!("#/$defs/{name}"),
        });
        let v = validator(&sub);
        for example in examples {
            assert!(v.is_valid(example), "example of `{name}` is invalid: {example}");
            count += 1;
        }
    }
    assert!(count >= 15, "only {count} examples");
}

#[test]
fn the_binary_embeds_the_schema_file() {
    assert_eq!(
        routes_validate_schema(),
        fs_err::read_to_string(root().join("schema/route.schema.json")).expect("schema")
    );
}

fn routes_validate_schema() -> String {
    // The embedded copy is what `routes validate` enforces.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_routes"))
        .args(["schema"])
        .output()
        .expect("runs");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// How many cases each property test runs: `ROUTES_FUZZ_CASES` (256 unless set).
fn property_cases() -> u32 {
    std::env::var("ROUTES_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

/// The pointers of every number in a record.
fn number_pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| number_pointers(v, &format!("{at}/{k}"), out)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| number_pointers(v, &format!("{at}/{i}"), out)),
        Value::Number(_) => out.push(at.to_owned()),
        _ => {}
    }
}

/// Number literals of every form: integers of any size and sign, integral
/// floats (`3.0`, `3e0`), fractions, exponents, huge digit strings, and the
/// edges of the schema's bounds.
fn number_literal() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let edges = prop::sample::select(vec![
        "0",
        "-0",
        "-0.0",
        "0.0",
        "0e0",
        "1",
        "1.0",
        "1e0",
        "10e-1",
        "3.0",
        "3.5",
        "-1",
        "-1.0",
        "5e-324",
        "1e308",
        "1e309",
        "1e400",
        "-1e400",
        "1989",
        "1990",
        "1990.0",
        "2100",
        "2100.0",
        "2100.5",
        "2101",
        "4294967295",
        "4294967295.0",
        "4294967296",
        "4294967296.0",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "2e0",
        "1E2",
        "1.5E+2",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        edges,
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (-5000i64..5000).prop_map(|n| format!("{n}.0")),
        (-5000i64..5000, -3i32..4).prop_map(|(n, e)| format!("{n}e{e}")),
        (1980u32..2110).prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        ("-?[1-9][0-9]{0,39}", "(\\.[0-9]{1,5})?", "([eE][-+]?[0-9]{1,3})?").prop_map(|(i, f, e)| format!("{i}{f}{e}")),
    ]
}

/// For every number field of a record (every number of the full fixture),
/// and numbers of every form, the schema and the record model accept and
/// refuse the same records. `ROUTES_FUZZ_CASES=100000` runs it longer.
#[test]
fn schema_and_model_agree_on_every_number() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let schema = schema_document();
    let validator = validator(&schema);
    let text = fs_err::read_to_string(fixtures("valid/kz/full-record.json")).expect("fixture");
    let base: Value = serde_json::from_str(&text).expect("fixture parses");
    assert!(validator.is_valid(&base));
    let mut pointers = Vec::new();
    number_pointers(&base, "", &mut pointers);
    assert!(pointers.len() >= 10, "too few number fields: {pointers:?}");
    let mut runner = TestRunner::new(Config {
        cases: property_cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let (accepted, refused) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let result = runner.run(
        &(prop::sample::select(pointers.clone()), number_literal()),
        |(pointer, literal)| {
            let mut record = base.clone();
            *record.pointer_mut(&pointer).expect("pointer") = Value::String("\u{0}NUMBER".into());
            let text = serde_json::to_string(&record)
                .expect("json")
                .replace("\"\\u0000NUMBER\"", &literal);
            // Numbers beyond f64 are a syntax error before either sees them.
            let Ok(value) = serde_json::from_str::<Value>(&text) else {
                return Ok(());
            };
            let schema_ok = validator.is_valid(&value);
            let model = serde_json::from_value::<routes_core::Route>(value);
            prop_assert_eq!(
                schema_ok,
                model.is_ok(),
                "`{}` at `{}`: schema accepts: {}, model: {:?}",
                literal,
                pointer,
                schema_ok,
                model.as_ref().err()
            );
            let count = if schema_ok { &accepted } else { &refused };
            count.set(count.get() + 1);
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    let (accepted, refused) = (accepted.get(), refused.get());
    assert!(accepted > 0 && refused > 0, "accepted {accepted}, refused {refused}");
}

/// Copies the valid fixtures (records and snapshots) and writes the full
/// fixture with one number replaced by `literal` as written.
fn full_record_with(dir: &std::path::Path, pointer: &str, literal: &str) {
    for sub in ["kz", "snapshots"] {
        fs_err::create_dir_all(dir.join(sub)).expect("folder");
        for entry in fs_err::read_dir(fixtures("valid").join(sub)).expect("fixtures") {
            let path = entry.expect("entry").path();
            fs_err::copy(&path, dir.join(sub).join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let text = fs_err::read_to_string(fixtures("valid/kz/full-record.json")).expect("fixture");
    let mut record: Value = serde_json::from_str(&text).expect("fixture parses");
    *record.pointer_mut(pointer).expect("pointer") = Value::String("\u{0}NUMBER".into());
    let text = serde_json::to_string_pretty(&record)
        .expect("json")
        .replace("\"\\u0000NUMBER\"", literal);
    fs_err::write(dir.join("kz/full-record.json"), text).expect("write");
}

#[test]
fn integral_floats_are_integers_for_the_binary_too() {
    use crate::util::{routes, run, temp_dataset, transcript};
    for (pointer, literal) in [
        ("/schema_version", "1.0"),
        ("/schema_version", "1e0"),
        ("/duration/renewal/0/times", "3.0"),
        ("/requirements/1/money/year", "2026.0"),
        ("/requirements/1/money/year", "2.026e3"),
    ] {
        let dir = temp_dataset();
        full_record_with(dir.path(), pointer, literal);
        let out = run(routes(dir.path()).args(["validate", ".", "--format", "json"]));
        let text = transcript(&out);
        assert_eq!(out.status.code(), Some(0), "`{literal}` at `{pointer}`:\n{text}");
        assert!(!text.contains("model-mismatch"), "{text}");
    }
}

#[test]
fn integers_beyond_the_model_are_schema_findings_not_bugs() {
    use crate::util::{routes, run, temp_dataset, transcript};
    for (pointer, literal, code) in [
        ("/duration/renewal/0/times", "4294967296", "schema/maximum"),
        ("/duration/renewal/0/times", "18446744073709551616", "schema/maximum"),
        ("/duration/renewal/0/times", "3.5", "schema/type"),
        ("/requirements/1/money/year", "65536", "schema/one-of"),
        ("/schema_version", "4294967296", "schema/const"),
    ] {
        let dir = temp_dataset();
        full_record_with(dir.path(), pointer, literal);
        let out = run(routes(dir.path()).args(["validate", ".", "--format", "json"]));
        let text = transcript(&out);
        assert_eq!(out.status.code(), Some(1), "`{literal}` at `{pointer}`:\n{text}");
        assert!(!text.contains("model-mismatch"), "`{literal}` at `{pointer}`:\n{text}");
        let findings: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert!(
            findings.iter().any(|f| f["code"] == code && f["pointer"] == pointer),
            "`{literal}` at `{pointer}`: no `{code}`:\n{text}"
        );
    }
}

/// Every `pattern` of the schema says in words what it expects
/// (`patternErrorMessage`, which `routes validate` prints and VS Code shows),
/// so no message shows a regular expression.
#[test]
fn every_pattern_has_words() {
    fn walk(node: &serde_json::Value, at: &str, missing: &mut Vec<String>, seen: &mut usize) {
        match node {
            serde_json::Value::Object(map) => {
                if map.get("pattern").is_some_and(serde_json::Value::is_string) {
                    *seen += 1;
                    let words = map.get("patternErrorMessage").and_then(serde_json::Value::as_str);
                    if !words.is_some_and(|w| w.starts_with("expected ") && !w.contains('^')) {
                        missing.push(at.to_owned());
                    }
                }
                for (key, value) in map {
                    walk(value, &format!("{at}/{key}"), missing, seen);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    walk(value, &format!("{at}/{i}"), missing, seen);
                }
            }
            _ => {}
        }
    }
    let schema: serde_json::Value = serde_json::from_str(routes_core::ROUTE_SCHEMA).expect("schema");
    let (mut missing, mut seen) = (Vec::new(), 0);
    walk(&schema, "", &mut missing, &mut seen);
    assert!(seen >= 10, "{seen}");
    assert!(missing.is_empty(), "patterns without words: {missing:?}");
}
