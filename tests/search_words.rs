//! `routes search` as people ask: the vocabulary's synonyms and the switch
//! that turns them off, other languages and scripts, question words left
//! out, partial matches, "did you mean", and the last word as a prefix.

use std::path::Path;
use std::process::Command;

use crate::util::{root, routes, run, transcript};

fn search(cache: &Path) -> Command {
    let mut cmd = routes(&root());
    cmd.env("ROUTES_CACHE_DIR", cache).arg("search");
    cmd
}

fn json(cache: &Path, args: &[&str]) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let out = run(search(cache).args(args).args(["--format", "json"]));
    let hits = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("route_id").is_some())
        .collect();
    (
        out.status.code(),
        hits,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_synonym_finds_the_routes_and_the_hit_says_which_matched() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(cache.path()).args(["police clearance", "--country", "KZ", "--limit", "2"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("for \"police clearance\""), "{stdout}");
    insta::assert_snapshot!(transcript(&out));
    // The same in JSON: each match that a synonym made says which.
    let (code, hits, _) = json(cache.path(), &["police clearance", "--country", "KZ"]);
    assert_eq!(code, Some(0));
    assert!(hits.len() >= 2, "{hits:?}");
    for hit in &hits {
        assert_eq!(hit["partial"], false);
        for m in hit["matches"].as_array().expect("matches") {
            let synonym = &m["synonym"];
            assert_eq!(synonym["query"], "police clearance", "{m}");
            assert!(synonym["matched"].is_string(), "{m}");
        }
    }
}

#[test]
fn no_synonyms_searches_the_words_as_typed() {
    let cache = tempfile::tempdir().expect("tmp");
    let (_, with, _) = json(cache.path(), &["police clearance"]);
    let (code, without, stderr) = json(cache.path(), &["police clearance", "--no-synonyms"]);
    // No route holds both words: only routes with one of them, said so.
    assert_eq!(code, Some(0));
    assert!(stderr.contains("no route holds every word"), "{stderr}");
    assert!(without.iter().all(|h| h["partial"] == true));
    assert!(
        without
            .iter()
            .flat_map(|h| h["matches"].as_array().cloned().unwrap_or_default())
            .all(|m| m.get("synonym").is_none())
    );
    assert!(with.iter().all(|h| h["partial"] == false));
    assert_ne!(
        with.iter().map(|h| &h["route_id"]).collect::<Vec<_>>(),
        without.iter().map(|h| &h["route_id"]).collect::<Vec<_>>()
    );
    let out = run(search(cache.path()).args(["police clearance", "--no-synonyms", "--limit", "1"]));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn the_words_as_typed_rank_above_a_synonym() {
    let cache = tempfile::tempdir().expect("tmp");
    // `Blaue Karte` is written in the German route; `blue card` is its synonym.
    let (code, hits, _) = json(cache.path(), &["Blaue Karte"]);
    assert_eq!(code, Some(0));
    assert_eq!(hits[0]["route_id"], "de/eu-blue-card");
    assert!(hits[0]["matches"][0].get("synonym").is_none(), "{}", hits[0]);
    // `在留資格` (status of residence) is in the Japanese routes' excerpts.
    let (_, hits, _) = json(cache.path(), &["在留資格"]);
    assert!(
        hits[0]["route_id"].as_str().is_some_and(|id| id.starts_with("jp/")),
        "{hits:?}"
    );
}

#[test]
fn queries_in_the_languages_of_the_routes_find_them() {
    let cache = tempfile::tempdir().expect("tmp");
    for (query, expected) in [
        ("гражданство", "citizenship"),
        ("Einbürgerung", "de/naturalisation"),
        ("nacionalidad", "es/nationality-by-residence"),
        ("кандас", "kz/kandas-status"),
        ("高度専門職", "jp/highly-skilled-professional"),
        ("elamisluba", "ee/"),
        ("teletrabajo", "es/international-teleworker-visa"),
    ] {
        let (code, hits, stderr) = json(cache.path(), &[query]);
        assert_eq!(code, Some(0), "{query}: {stderr}");
        let first = hits[0]["route_id"].as_str().unwrap_or_default();
        assert!(first.contains(expected), "{query}: {first}");
    }
    let out = run(search(cache.path()).args(["вид на жительство", "--country", "KZ", "--limit", "2"]));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn question_words_are_left_out_and_said() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(cache.path()).args(["how long does it take to get the blue card", "--limit", "1"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("left out `to`, `get`, `the`"), "{stderr}");
    insta::assert_snapshot!(transcript(&out));
    // Quoted, every word counts.
    let out = run(search(cache.path()).args(["\"how long does it take to get the blue card\""]));
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
}

#[test]
fn a_misspelt_word_gets_a_spelling_that_has_hits() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(cache.path()).args(["citizenshp", "--limit", "1"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `citizenship`?"));
    insta::assert_snapshot!(transcript(&out));
    // Capitals are kept; words the index holds are left alone.
    let out = run(search(cache.path()).args(["Helth insurance", "--limit", "1"]));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean `Health insurance`?"),
        "{}",
        transcript(&out)
    );
    // Nothing close: no suggestion.
    let out = run(search(cache.path()).args(["xylophone quantum"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("did you mean"),
        "{}",
        transcript(&out)
    );
}

#[test]
fn the_last_word_is_a_prefix_unless_told() {
    let cache = tempfile::tempdir().expect("tmp");
    let (code, hits, _) = json(cache.path(), &["fingerpr"]);
    assert_eq!(code, Some(0));
    assert!(
        ids_of(&hits).contains(&"kz/temporary-residence-permit".to_owned()),
        "{hits:?}"
    );
    let out = run(search(cache.path()).args(["fingerpr", "--no-prefix"]));
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    // A typo is not read as a shorter word and an ending.
    let (_, hits, stderr) = json(cache.path(), &["citizenshp"]);
    assert!(stderr.contains("allow a typo"), "{stderr}");
    assert!(hits.iter().all(|h| h["fuzzy"] == true));
}

#[test]
fn a_country_named_in_the_query_finds_its_routes() {
    let cache = tempfile::tempdir().expect("tmp");
    let (_, hits, _) = json(cache.path(), &["residence permit Kazakhstan", "--limit", "50"]);
    let found = ids_of(&hits);
    assert!(!found.is_empty());
    assert!(found.iter().all(|id| id.starts_with("kz/")), "{found:?}");
    assert!(found.contains(&"kz/temporary-residence-permit".to_owned()), "{found:?}");
}

fn ids_of(hits: &[serde_json::Value]) -> Vec<String> {
    hits.iter()
        .filter_map(|h| h["route_id"].as_str().map(str::to_owned))
        .collect()
}
