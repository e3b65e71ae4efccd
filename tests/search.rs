//! `routes search` and `routes index`, on the bundled dataset and on fixtures,
//! through the real binary and a real tantivy index.

use std::path::Path;
use std::process::Command;

use crate::util::{fixtures, root, routes, run, temp_dataset, transcript};

/// The binary with its index cache in a temporary folder.
fn search(dir: &Path, cache: &Path) -> Command {
    let mut cmd = routes(dir);
    cmd.env("ROUTES_CACHE_DIR", cache).arg("search");
    cmd
}

fn hits(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json line"))
        .filter(|v| v.get("route_id").is_some())
        .collect()
}

#[test]
fn health_insurance_finds_the_trp_requirement_and_document_with_their_source() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["health insurance", "--country", "KZ"]));
    insta::assert_snapshot!(transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.split("\n\n").next().expect("a hit").replace("**", "");
    let squashed = first.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(first.starts_with("kz/temporary-residence-permit"), "{first}");
    assert!(squashed.contains("requirement health insurance"), "{first}");
    assert!(squashed.contains("document Copy of health insurance"), "{first}");
    assert!(
        first.contains("source: https://www.gov.kz/services/4631?lang=en"),
        "{first}"
    );
}

#[test]
fn json_output_has_stable_fields() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["health insurance", "--format", "json", "--limit", "1"]));
    assert_eq!(out.status.code(), Some(0));
    let hits = hits(&out.stdout);
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    for field in ["route_id", "country", "category", "name", "score", "matches"] {
        assert!(hit.get(field).is_some(), "missing {field}");
    }
    let m = &hit["matches"][0];
    for field in ["kind", "item", "label", "snippet", "highlights", "source"] {
        assert!(m.get(field).is_some(), "missing {field} in match");
    }
    let mut redacted = hit.clone();
    redacted["score"] = serde_json::json!("[score]");
    insta::assert_json_snapshot!(redacted);
}

#[test]
fn relevance_queries_rank_the_expected_route_first() {
    let cache = tempfile::tempdir().expect("tmp");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&fs_err::read_to_string(fixtures("search/relevance.json")).expect("file")).expect("json");
    assert!(cases.len() >= 40);
    // Every country of the dataset has routes the fixture expects to find.
    let countries: std::collections::BTreeSet<&str> = cases
        .iter()
        .filter_map(|c| c["first"].as_str()?.split('/').next())
        .collect();
    assert!(countries.len() >= 9, "{countries:?}");
    let mut failures = Vec::new();
    for case in &cases {
        let query = case["query"].as_str().expect("query");
        let out = run(search(&root(), cache.path()).args([query, "--format", "json"]));
        let got = hits(&out.stdout)
            .first()
            .map(|h| h["route_id"].as_str().unwrap_or_default().to_owned());
        if got.as_deref() != case["first"].as_str() {
            failures.push(format!("{query:?}: expected {}, got {got:?}", case["first"]));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn filters_phrases_and_exclusions() {
    let cache = tempfile::tempdir().expect("tmp");
    let ids = |args: &[&str]| -> Vec<String> {
        let out = run(search(&root(), cache.path())
            .args(args)
            .args(["--format", "json", "--limit", "100"]));
        hits(&out.stdout)
            .iter()
            .map(|h| h["route_id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let all = ids(&["visa"]);
    assert!(all.len() >= 4, "{all:?}");
    let family = ids(&["visa", "--category", "family"]);
    assert_eq!(family, vec!["kz/family-reunification-visa-c2"]);
    assert_eq!(ids(&["visa category:family"]), family);
    assert!(ids(&["visa", "--country", "US"]).is_empty());
    let kz = ids(&["visa", "--country", "kz"]);
    assert!(!kz.is_empty() && kz.len() < all.len(), "{kz:?}");
    assert!(kz.iter().all(|id| id.starts_with("kz/")), "{kz:?}");
    let de = ids(&["visa country:DE"]);
    assert!(!de.is_empty() && de.iter().all(|id| id.starts_with("de/")), "{de:?}");
    let without = ids(&["visa -tourist"]);
    assert!(
        without.iter().all(|id| id != "kz/neo-nomad-visa-b12-1") && without.len() < all.len(),
        "{without:?}"
    );
    let phrase = ids(&["\"temporary residence\"", "--country", "KZ"]);
    assert_eq!(
        phrase.first().map(String::as_str),
        Some("kz/temporary-residence-permit")
    );
    let either = ids(&["kandas OR household"]);
    assert!(
        either.contains(&"kz/kandas-status".to_owned()) && either.contains(&"kz/labour-immigrant-permit".to_owned())
    );
    let out = run(search(&root(), cache.path()).args(["visa", "--category", "family"]));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn phrase_matches_the_words_in_order() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["\"single-entry business\"", "--limit", "2"]));
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(transcript(&out));
    // The same words in the other order are no phrase match.
    let out = run(search(&root(), cache.path()).args(["\"business single-entry\"", "--format", "json"]));
    assert!(
        hits(&out.stdout).iter().all(|h| h["fuzzy"] == true),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn stemming_and_folding() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["insured", "--limit", "2"]));
    assert_eq!(out.status.code(), Some(0));
    // The stem of `insured` is the stem of `insurance`: it is highlighted
    // (with the words next to it, `**health insurance**`).
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("insurance**"), "{stdout}");
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn cyrillic_text_is_tokenised_and_case_folded() {
    let cache = tempfile::tempdir().expect("tmp");
    let dir = fixtures("valid");
    for query in ["запись", "ПОЛНАЯ"] {
        let out = run(search(&dir, cache.path()).args([query, "--dataset", "kz", "--format", "json"]));
        let ids: Vec<_> = hits(&out.stdout)
            .iter()
            .map(|h| h["route_id"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(ids, vec!["kz/full-record"], "{query}");
    }
}

#[test]
fn typo_falls_back_to_fuzzy_and_says_so() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["fingerprnting"]));
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no exact match for `fingerprnting`"), "{stderr}");
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn facets_count_routes_per_country_and_category() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["visa", "--facets", "--limit", "1"]));
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for country in ["KZ ", "DE ", "EE "] {
        assert!(stdout.contains(country), "{stdout}");
    }
    insta::assert_snapshot!(transcript(&out));
    let out = run(search(&root(), cache.path()).args(["visa", "--facets", "--format", "json", "--limit", "100"]));
    let last = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .map(str::to_owned)
        .expect("facets line");
    let facets: serde_json::Value = serde_json::from_str(&last).expect("json");
    let total: u64 = facets["facets"]["category"]
        .as_object()
        .expect("categories")
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(usize::try_from(total).expect("fits"), hits(&out.stdout).len());
}

#[test]
fn no_hit_exits_1() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["xylophone quantum"]));
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    note: built the search index of `dataset` (39 routes): there was no index yet
    note: no route matches `xylophone quantum`
    ");
}

#[test]
fn malformed_queries_show_where_they_are_wrong() {
    let cache = tempfile::tempdir().expect("tmp");
    for query in [
        "health \"insurance",
        "(fee OR cost",
        "planet:mars",
        "visa OR",
        "-tourist",
        "",
    ] {
        let out = run(search(&root(), cache.path()).args(["--", query]));
        assert_eq!(out.status.code(), Some(2), "{query}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("hint:"), "{query}");
    }
    let out = run(search(&root(), cache.path()).arg("health \"insurance"));
    insta::assert_snapshot!(transcript(&out), @r#"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: malformed query: this quote is never closed
        health "insurance
               ^
      hint: close the phrase with `"`
    "#);
}

#[test]
fn stale_index_is_rebuilt_when_the_data_changes() {
    let cache = tempfile::tempdir().expect("tmp");
    let dir = temp_dataset();
    let mut record = crate::util::minimal_record("kz/first");
    record["name"] = serde_json::json!("Apricot permit");
    crate::util::write_record(&dir.path().join("kz/first.json"), &record);
    let go = |q: &str| run(search(dir.path(), cache.path()).args([q, "--dataset", "kz"]));
    let out = go("apricot");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there was no index yet"));
    // Warm: no rebuild.
    let out = go("apricot");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("built the search index"));
    // The data changes: the index is rebuilt and finds the new word.
    record["name"] = serde_json::json!("Blueberry permit");
    std::thread::sleep(std::time::Duration::from_millis(20));
    crate::util::write_record(&dir.path().join("kz/first.json"), &record);
    let out = go("blueberry");
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 0
    ----- stdout -----
    kz/first  KZ · other · Blueberry permit
      route           **Blueberry** permit
                      source: https://www.gov.kz/en/services/4631

    ----- stderr -----
    note: built the search index of `kz` (1 route): the data changed since the index was built
    1 of 1 matching route
    ");
}

#[test]
fn corrupt_or_wrong_version_index_is_rebuilt() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["kandas"]));
    assert_eq!(out.status.code(), Some(0));
    let meta = cache.path().join("dataset/index/routes-index.json");
    let text = fs_err::read_to_string(&meta).expect("meta");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("meta json");
    value["format_version"] = serde_json::json!(99);
    fs_err::write(&meta, value.to_string()).expect("write");
    let out = run(search(&root(), cache.path()).args(["kandas"]));
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("format version 99"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Corrupt the tantivy meta: rebuilt again, never searched as is.
    fs_err::write(cache.path().join("dataset/index/meta.json"), "{ not json").expect("write");
    let out = run(search(&root(), cache.path()).args(["kandas"]));
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the index files changed since it was built"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn index_command_builds_where_asked() {
    let out_dir = tempfile::tempdir().expect("tmp");
    let target = out_dir.path().join("idx");
    let out = run(routes(&root()).args(["index", "--out"]).arg(&target));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(target.join("routes-index.json").is_file());
    let records = crate::util::bundled_record_count();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("indexed {records} routes")), "{stderr}");
}

#[test]
fn missing_dataset_is_a_tool_error() {
    let cache = tempfile::tempdir().expect("tmp");
    let dir = tempfile::tempdir().expect("tmp");
    let out = run(search(dir.path(), cache.path()).args(["visa"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `dataset`"));
}

#[test]
fn search_a_published_release() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = run(routes(&root())
        .args(["publish", "--version", "1.0.0", "--out"])
        .arg(tmp.path()));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let release = tmp.path().join("routes-1.0.0");
    let search_release = || {
        run(routes(&root())
            .args(["search", "kandas", "--format", "json", "--release"])
            .arg(&release))
    };
    let out = search_release();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(hits(&out.stdout)[0]["route_id"], "kz/kandas-status");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("built the search index")
            && stderr.lines().count() == 1
            && stderr.ends_with("matching routes\n"),
        "no index is built for a release: {stderr}"
    );

    // A release whose records are not the ones its index was built from is
    // refused, not searched.
    let sums = release.join("SHA256SUMS");
    let text = fs_err::read_to_string(&sums).expect("sums");
    let changed: String = text
        .lines()
        .map(|l| {
            if l.ends_with("  data/routes.jsonl") {
                format!("{}  data/routes.jsonl\n", "0".repeat(64))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    fs_err::write(&sums, changed).expect("write");
    let out = search_release();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("was not built from this release's `data/routes.jsonl`"));
    fs_err::write(&sums, text).expect("write");

    // A release without an index is named in a clear error.
    fs_err::remove_dir_all(release.join("index")).expect("rm");
    let out = search_release();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&release.display().to_string(), "[RELEASE]");
    insta::assert_snapshot!(stderr, @r"
    error: the search index at `[RELEASE]/index` is missing
      hint: a release's index is part of the release; download the release again (`sha256sum --check SHA256SUMS` in it names every file that differs), or search the dataset with `--dataset`
    ");
}

/// Regression: an apostrophe in a word (`resident's`) was a syntax error.
#[test]
fn an_apostrophe_in_a_word_is_part_of_the_question() {
    let cache = tempfile::tempdir().expect("tmp");
    for query in ["long-term resident's permit", "long-term resident\u{2019}s permit"] {
        let out = run(search(&root(), cache.path()).args([query, "--format", "json"]));
        assert_eq!(out.status.code(), Some(0), "{query}: {}", transcript(&out));
        let first = hits(&out.stdout)
            .first()
            .map(|h| h["route_id"].as_str().unwrap_or_default().to_owned());
        assert_eq!(first.as_deref(), Some("ee/long-term-residence-permit"), "{query}");
    }
}

/// The exit code, the route lines of the output (not the snippets, which
/// depend on the ranking of items) and stderr.
fn routes_found(output: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut routes = String::new();
    for line in stdout.lines().filter(|l| !l.is_empty() && !l.starts_with(' ')) {
        routes.push_str(line);
        routes.push('\n');
    }
    format!(
        "exit: {}\n----- routes -----\n{routes}----- stderr -----\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn country_by_name_finds_its_routes() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["visa", "--country", "kazakhstan", "--limit", "3"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let ids = |args: &[&str]| -> Vec<String> {
        let out = run(search(&root(), cache.path())
            .args(args)
            .args(["--format", "json", "--limit", "100"]));
        hits(&out.stdout)
            .iter()
            .map(|h| h["route_id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let kz = ids(&["visa", "--country", "KZ"]);
    assert!(!kz.is_empty() && kz.iter().all(|id| id.starts_with("kz/")), "{kz:?}");
    for country in ["kazakhstan", "Kazakhstan", "KAZ", "kz"] {
        assert_eq!(ids(&["visa", "--country", country]), kz, "{country}");
    }
    assert_eq!(
        ids(&["visa", "--category", "Family"]),
        ids(&["visa", "--category", "family"])
    );
    insta::assert_snapshot!(routes_found(&out));
}

#[test]
fn not_a_country_lists_the_countries_of_the_index() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["visa", "--country", "XX"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`XX` is not a country") && stderr.contains("KZ Kazakhstan"),
        "{stderr}"
    );
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn a_country_without_routes_is_named() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["visa", "--country", "FR"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the index has no route of France (FR)"), "{stderr}");
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn a_misspelt_category_suggests_the_nearest() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["visa", "--category", "digital-nomad"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("did you mean `digital_nomad`?"), "{stderr}");
    insta::assert_snapshot!(transcript(&out));
    let out = run(search(&root(), cache.path()).args(["visa", "--status", "nope"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("statuses: active, suspended, closed, proposed"),
        "{}",
        transcript(&out)
    );
}

#[test]
fn a_wrong_value_in_the_query_is_placed() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["visa kind:nope"]));
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(transcript(&out));
    for query in ["visa country:XX", "visa category:digital-nomad", "visa status:x"] {
        let out = run(search(&root(), cache.path()).arg(query));
        assert_eq!(out.status.code(), Some(2), "{query}: {}", transcript(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains("hint:"), "{query}");
    }
}

#[test]
fn country_by_name_in_the_query() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).args(["visa country:japan", "--limit", "2"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("jp/"), "{stdout}");
    insta::assert_snapshot!(routes_found(&out));
}
