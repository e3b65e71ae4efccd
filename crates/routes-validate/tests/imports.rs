//! The modules of `routes-validate` import one another in one direction: no
//! circle. Each module's edges are the `crate::…` and `super::…` paths its
//! code names (tests left out), and the child modules its `use` lines name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name (`quality::money`) → its source text.
fn modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).expect("inside src").with_extension("");
            let rel = rel.to_string_lossy().replace('\\', "/");
            let name = rel.trim_end_matches("/mod").replace('/', "::");
            let text = std::fs::read_to_string(&path).expect("read");
            // Tests may import what they like.
            let text = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default()
                .to_owned();
            out.insert(if name == "lib" { "crate".to_owned() } else { name }, text);
        }
    }
    out
}

/// The longest module named by the start of `path` (`quality::money::cells` → `quality::money`).
fn resolve<'m>(names: &'m BTreeSet<String>, path: &str) -> Option<&'m String> {
    let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
    (1..=parts.len()).rev().find_map(|n| names.get(&parts[..n].join("::")))
}

/// Paths after `prefix` in code (comments dropped).
fn paths_after<'t>(text: &'t str, prefix: &str) -> Vec<&'t str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let after = &rest[i + prefix.len()..];
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(after.len());
            out.push(after[..end].trim_end_matches(':'));
            rest = &after[end..];
        }
    }
    out
}

fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    for (name, text) in &modules {
        let mut to = BTreeSet::new();
        for path in paths_after(text, "crate::") {
            to.extend(resolve(&names, path).cloned());
        }
        let parent = name.rsplit_once("::").map_or("", |(p, _)| p);
        for path in paths_after(text, "super::") {
            let full = if parent.is_empty() {
                path.to_owned()
            } else {
                format!("{parent}::{path}")
            };
            to.extend(resolve(&names, &full).cloned());
        }
        for line in text
            .lines()
            .filter(|l| l.starts_with("use ") || l.starts_with("pub(crate) use "))
        {
            let path = line.trim_start_matches("pub(crate) ").trim_start_matches("use ");
            if let Some((child, _)) = path.split_once("::") {
                let full = if name == "crate" {
                    child.to_owned()
                } else {
                    format!("{name}::{child}")
                };
                to.extend(names.get(&full).cloned());
            }
        }
        to.remove(name);
        to.remove("crate");
        edges.insert(name.clone(), to);
    }
    edges
}

/// A circle of modules, if there is one (depth-first search).
fn find_circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut circle = path[i..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

#[test]
fn modules_import_one_another_in_one_direction() {
    let edges = edges();
    assert!(edges.len() >= 20, "modules not found: {:?}", edges.keys());
    // The graph is read right: the validator's pipeline reaches the families.
    assert!(edges["check"].contains("record"), "{:?}", edges["check"]);
    assert!(
        edges["quality::money"].contains("currency"),
        "{:?}",
        edges["quality::money"]
    );
    assert_eq!(find_circle(&edges), None);
}

#[test]
fn a_circle_is_found_when_there_is_one() {
    let mut edges = edges();
    edges.get_mut("words").expect("words").insert("record".to_owned());
    let circle = find_circle(&edges).expect("a circle");
    assert_eq!(circle.first(), circle.last(), "{circle:?}");
    assert!(circle.contains(&"words".to_owned()), "{circle:?}");
}

#[test]
fn the_shared_leaves_import_no_rule_family() {
    let edges = edges();
    // `input` is also the reader every record text comes from (`RecordText`), and imports only `rule`.
    assert_eq!(edges["input"], BTreeSet::from(["rule".to_owned()]));
    let families = [
        "json",
        "schema",
        "config",
        "record",
        "reference",
        "quality",
        "registry",
        "check",
        "cross",
    ];
    for leaf in ["place", "view", "words", "currency", "snapshot", "facts", "rule"] {
        let bad: Vec<_> = edges[leaf]
            .iter()
            .filter(|m| {
                families
                    .iter()
                    .any(|f| m.as_str() == *f || m.starts_with(&format!("{f}::")))
            })
            .collect();
        assert!(bad.is_empty(), "`{leaf}` imports the rule families {bad:?}");
    }
}
