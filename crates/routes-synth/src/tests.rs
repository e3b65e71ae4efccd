use std::path::PathBuf;

use routes_validate::{Severity, ValidateOptions, Validator};

use super::*;

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 25)
}

fn read_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    generate(&Options::new(120, 7, a.path())).unwrap();
    generate(&Options::new(120, 7, b.path())).unwrap();
    generate(&Options::new(120, 8, c.path())).unwrap();
    let (ta, tb, tc) = (read_tree(a.path()), read_tree(b.path()), read_tree(c.path()));
    assert_eq!(ta.len(), 120 + 2, "120 route files, routes.jsonl and synth.json");
    assert_eq!(ta, tb);
    assert_ne!(ta, tc);
}

#[test]
fn the_first_routes_do_not_depend_on_the_total() {
    let ten: Vec<Value> = Routes::new(10, 3).collect();
    let more: Vec<Value> = Routes::new(50, 3).take(10).collect();
    assert_eq!(ten, more);
}

#[test]
fn generated_routes_pass_validation_with_no_errors() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = generate(&Options::new(400, 11, dir.path())).unwrap();
    assert_eq!(manifest.routes, 400);
    let validator = Validator::new(ValidateOptions::new(today())).unwrap();
    for path in [dir.path().join("files"), dir.path().join("jsonl/routes.jsonl")] {
        let report = validator.validate_paths(std::slice::from_ref(&path)).unwrap();
        assert_eq!(report.records, 400, "{}", path.display());
        let errors: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .map(|d| format!("{} {:?} {}", d.code(), d.pointer(), d.message()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        // Synthetic data has no archived pages and no reference folder: its quotes have no
        // snapshot, its index-linked amounts and nationality groups no declaration. Every
        // other warning counts.
        let no_archive = [
            "quality/excerpt-without-snapshot",
            "quality/undeclared-index",
            "quality/undefined-group",
        ];
        let warnings = report
            .diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Warning && !no_archive.contains(&d.code()))
            .count();
        assert!(
            warnings <= 4,
            "{}: {warnings} warnings: {:#?}",
            path.display(),
            report.diagnostics
        );
    }
}

#[test]
fn records_are_about_three_kilobytes_with_the_promised_shape() {
    let mut bytes = 0;
    let n = 500;
    for route in Routes::new(n, 5) {
        bytes += serde_json::to_string(&route).unwrap().len();
        let docs = route["documents"].as_array().unwrap().len();
        let sources = route["sources"].as_array().unwrap().len();
        assert!((3..=12).contains(&docs), "{docs} documents");
        assert!((1..=4).contains(&sources), "{sources} sources");
        let id = route["id"].as_str().unwrap();
        assert!(id.len() <= 120);
        assert_eq!(&id[..2], route["country"].as_str().unwrap().to_lowercase());
    }
    let mean = bytes / usize::try_from(n).unwrap();
    assert!((2500..=3800).contains(&mean), "mean JSON Lines record of {mean} bytes");
}

fn longest<'a>(xs: &[&'a str]) -> &'a str {
    xs.iter().copied().max_by_key(|x| x.len()).unwrap()
}

#[test]
fn names_of_one_country_are_distinct_and_not_near_duplicates() {
    use std::collections::HashSet;
    let mut ids = HashSet::new();
    for k in 0..record::NAMES_PER_COUNTRY {
        assert!(ids.insert(record::route_id(0, k)), "duplicate id at {k}");
    }
    // The near-duplicate rule compares names that share a first word; the
    // closest such pairs differ in one part, next to the longest other parts.
    let key = |s: &str| s.to_lowercase();
    let bases: Vec<&str> = vocab::BASES.iter().map(|(b, _)| *b).collect();
    let q = longest(vocab::QUALIFIERS);
    let a = longest(vocab::AUDIENCES);
    let b = longest(&bases);
    let mut worst = 0.0f64;
    for (i, x) in bases.iter().enumerate() {
        for y in &bases[..i] {
            let s = strsim::normalized_damerau_levenshtein(
                &key(&format!("{q} {x} for {a}")),
                &key(&format!("{q} {y} for {a}")),
            );
            worst = worst.max(s);
        }
    }
    for (i, x) in vocab::AUDIENCES.iter().enumerate() {
        for y in &vocab::AUDIENCES[..i] {
            let s = strsim::normalized_damerau_levenshtein(
                &key(&format!("{q} {b} for {x}")),
                &key(&format!("{q} {b} for {y}")),
            );
            worst = worst.max(s);
        }
    }
    assert!(worst < 0.88, "closest names are {worst:.3} alike");
}

#[test]
fn refuses_dataset_folders() {
    let dir = tempfile::tempdir().unwrap();
    let inside = dir.path().join("dataset").join("synthetic");
    assert!(matches!(
        generate(&Options::new(1, 1, &inside)),
        Err(Error::Refused { .. })
    ));
    assert!(!inside.exists());
    assert!(matches!(
        check_out_dir(&dir.path().join("dataset")),
        Err(Error::Refused { .. })
    ));
    assert!(check_out_dir(&dir.path().join("bench-data")).is_ok());
}

#[test]
fn refuses_folders_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("files")).unwrap();
    assert!(matches!(
        generate(&Options::new(1, 1, dir.path())),
        Err(Error::NotOurs { .. })
    ));
    // Its own output is replaced.
    let own = tempfile::tempdir().unwrap();
    generate(&Options::new(5, 1, own.path())).unwrap();
    let manifest = generate(&Options::new(3, 1, own.path())).unwrap();
    assert_eq!(manifest.routes, 3);
    assert_eq!(read_tree(own.path()).len(), 3 + 2);
}

#[test]
fn queries_cover_every_kind_in_three_syntaxes() {
    let qs = queries();
    assert!((45..=60).contains(&qs.len()));
    for kind in ["rare", "common", "and", "phrase", "or", "field", "typo", "none"] {
        assert!(qs.iter().any(|q| q.kind == kind), "{kind}");
    }
    let field = qs.iter().find(|q| q.routes == "insurance country:KZ").unwrap();
    assert_eq!(field.fts5, "insurance AND country:kz");
    assert_eq!(field.rg, r#"^(?=.*\binsur)(?=.*"country":"KZ")"#);
    assert!(field.rg_pcre2);
    let or = qs.iter().find(|q| q.kind == "or").unwrap();
    assert_eq!(or.routes, "(fingerprints OR biometric)");
    assert!(!or.rg_pcre2);
}
