//! The fuzz targets, run briefly by `cargo test` (a few seconds) and for longer
//! by hand:
//!
//! ```console
//! $ ROUTES_FUZZ_CASES=1000000 cargo test --release -p routes-fuzz -- --nocapture
//! ```
//!
//! `ROUTES_FUZZ_CASES` sets the number of cases of each target (1,000 unless
//! set); `ROUTES_FUZZ_SECONDS=600` repeats rounds of fresh cases until that
//! many seconds have passed. A failure prints the
//! smallest case proptest could shrink it to.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use proptest::test_runner::{Config, TestCaseError, TestRunner};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Every record file of the valid and invalid fixtures, as bytes.
fn seeds() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for dir in ["valid/kz", "invalid/kz"] {
        for entry in fs_err::read_dir(fixtures().join(dir)).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "json" || e == "jsonl") {
                files.push(path);
            }
        }
    }
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|p| fs_err::read(p).expect("read")).collect();
    assert!(seeds.len() >= 20, "too few seeds: {}", seeds.len());
    seeds
}

/// Runs `test` on `ROUTES_FUZZ_CASES` cases (1,000 unless set), and again with
/// fresh random cases until `ROUTES_FUZZ_SECONDS` have passed, if set; panics
/// with the shrunk case on a failure. Returns how many cases ran.
fn run_rounds<S: proptest::strategy::Strategy>(
    strategy: &S,
    test: &impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> u64 {
    let seconds = std::env::var("ROUTES_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mut total = 0u64;
    loop {
        let mut runner = TestRunner::new(Config {
            cases: routes_fuzz::cases(1000),
            failure_persistence: None,
            ..Config::default()
        });
        if let Err(e) = runner.run(strategy, test) {
            panic!("{e}");
        }
        total += u64::from(runner.config().cases);
        if std::time::Instant::now() >= deadline {
            return total;
        }
    }
}

/// Says how much a target ran (shown with `--nocapture`).
#[allow(clippy::print_stderr, reason = "a test's own summary, for long runs by hand")]
fn report(line: &str) {
    eprintln!("{line}");
}

/// What a panic said.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic".to_owned())
}

/// Mutated records, validated in process: no panic, every finding a known code
/// (never "a bug in routes"), every failure a typed error.
#[test]
fn mutated_records_give_findings_never_panics() {
    let seeds = seeds();
    let today = jiff::civil::date(2026, 11, 25);
    let validator = routes_validate::Validator::new(routes_validate::ValidateOptions::new(today)).expect("validator");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    fs_err::create_dir_all(data.join("kz")).expect("kz");
    let started = std::time::Instant::now();
    let findings = Cell::new(0usize);
    let strategy = routes_fuzz::mutated(seeds.len());
    let test = |case: routes_fuzz::Case| {
        let bytes = case.apply(&seeds);
        let file = data
            .join("kz")
            .join(if case.lines { "fuzz.jsonl" } else { "fuzz.json" });
        let other = data
            .join("kz")
            .join(if case.lines { "fuzz.json" } else { "fuzz.jsonl" });
        let _ = std::fs::remove_file(other);
        fs_err::write(&file, &bytes).expect("write");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            validator.validate_paths(std::slice::from_ref(&data))
        }));
        let report = match outcome {
            Err(payload) => {
                return Err(TestCaseError::fail(format!(
                    "validation panicked: {} on {:?}",
                    panic_text(payload.as_ref()),
                    String::from_utf8_lossy(&bytes)
                )));
            }
            // A typed failure of the tool is an outcome too.
            Ok(Err(_)) => return Ok(()),
            Ok(Ok(report)) => report,
        };
        for d in &report.diagnostics {
            if d.code() == "schema/model-mismatch" || routes_validate::rule(d.code()).is_none() {
                return Err(TestCaseError::fail(format!(
                    "finding `{}` ({}) on {:?}",
                    d.code(),
                    d.message(),
                    String::from_utf8_lossy(&bytes)
                )));
            }
        }
        findings.set(findings.get() + report.diagnostics.len());
        Ok(())
    };
    let cases = run_rounds(&strategy, &test);
    assert!(findings.get() > 0, "no mutated record gave a finding");
    report(&format!(
        "mutated records: {cases} cases, {} findings, {:.1} s",
        findings.get(),
        started.elapsed().as_secs_f64()
    ));
}

/// Random queries, with random filters and limits, into the query check and
/// a real index of the valid fixtures: no panic; a refused query is a typed
/// error with a hint.
#[test]
fn random_queries_are_answered_or_refused_never_panic() {
    use proptest::prelude::*;

    let dir = tempfile::tempdir().expect("temp dir");
    let index_dir = dir.path().join("index");
    let paths = [fixtures().join("valid")];
    let fingerprint = routes_index::dataset_fingerprint(&paths).expect("fingerprint");
    routes_index::build_index(&paths, &index_dir, &fingerprint).expect("index builds");
    let index = routes_index::RouteIndex::open(&index_dir).expect("index opens");
    let filter = prop::option::of(prop_oneof![
        Just("kz".to_owned()),
        Just("KZ".to_owned()),
        Just("work".to_owned()),
        Just("active".to_owned()),
        ".{0,6}",
    ]);
    let strategy = (
        routes_fuzz::query(),
        filter.clone(),
        filter.clone(),
        filter,
        // The limits the binary can pass (`--limit` is a `u16`, at least 1).
        prop_oneof![0usize..20, Just(usize::from(u16::MAX))],
        any::<bool>(),
    );
    let started = std::time::Instant::now();
    let (answered, refused) = (Cell::new(0usize), Cell::new(0usize));
    let test = |(text, country, category, status, limit, facets): (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        usize,
        bool,
    )| {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if let Err(e) = routes_index::check_query(&text) {
                return Err(e.hint.is_empty());
            }
            let mut query = routes_index::Query::new(text.clone());
            query.country = country;
            query.category = category;
            query.status = status;
            query.limit = limit;
            query.facets = facets;
            index.search(&query).map(|_| ()).map_err(|_| false)
        }));
        match outcome {
            Err(payload) => Err(TestCaseError::fail(format!(
                "search panicked: {} on {text:?} (limit {limit})",
                panic_text(payload.as_ref())
            ))),
            Ok(Err(true)) => Err(TestCaseError::fail(format!("query refused without a hint: {text:?}"))),
            Ok(Err(false)) => {
                refused.set(refused.get() + 1);
                Ok(())
            }
            Ok(Ok(())) => {
                answered.set(answered.get() + 1);
                Ok(())
            }
        }
    };
    let cases = run_rounds(&strategy, &test);
    let (answered, refused) = (answered.get(), refused.get());
    assert!(answered > 0 && refused > 0, "answered {answered}, refused {refused}");
    report(&format!(
        "random queries: {cases} cases, {} answered, {refused} refused, {:.1} s",
        answered,
        started.elapsed().as_secs_f64()
    ));
}
