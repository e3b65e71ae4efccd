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
