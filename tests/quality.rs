//! Quality rules: each has a fixture that trips it and one that does not; the
//! seed page's record raises what the seed page gets wrong; `--explain`,
//! `--list-rules`, `routes.toml` and `--deny warnings` work.

use std::collections::BTreeSet;

use crate::util::{fixtures, root, routes, run, temp_dataset, transcript};

fn codes(stdout: &[u8]) -> BTreeSet<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json line")["code"]
                .as_str()
                .expect("code")
                .to_owned()
        })
        .collect()
}

#[test]
fn every_rule_has_a_fixture_that_trips_it_and_one_that_does_not() {
    let dir = fixtures("rules");
    let mut checked = 0;
    for rule in routes_validate::RULES
        .iter()
        .filter(|r| r.code.starts_with("quality/") || r.code.starts_with("config/"))
    {
        let name = rule.code.replace('/', "__");
        let case = dir.join(&name);
        assert!(
            case.join("bad").is_dir(),
            "rule `{}` has no fixture folder {}",
            rule.code,
            case.display()
        );
        let bad = run(routes(&case).args(["validate", "--format", "json", "bad"]));
        let good = run(routes(&case).args(["validate", "--format", "json", "good"]));
        assert!(
            codes(&bad.stdout).contains(rule.code),
            "`bad/` of {} does not trip it: {}",
            rule.code,
            String::from_utf8_lossy(&bad.stdout)
        );
        assert!(
            !codes(&good.stdout).contains(rule.code),
            "`good/` of {} trips it: {}",
            rule.code,
            String::from_utf8_lossy(&good.stdout)
        );
        let human = run(routes(&case).args(["validate", "bad"]));
        insta::with_settings!({ snapshot_suffix => name.clone() }, {
            insta::assert_snapshot!(transcript(&human));
        });
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} rules checked");
}

/// Findings of a run, as (code, severity).
fn findings(stdout: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            (
                v["code"].as_str().expect("code").to_owned(),
                v["severity"].as_str().expect("severity").to_owned(),
            )
        })
        .collect()
}

/// `tests/fixtures/rules/real/`: records of the bundled dataset, copied unchanged (`good/`) and
/// with one failure real published data shows (`bad/`), in several countries. Each `bad/` trips
/// the rule its `expect.json` names, at least once; each `good/` raises no error and not that rule.
#[test]
fn real_failures_trip_their_rule_and_the_real_records_pass() {
    let dir = fixtures("rules/real");
    let mut cases: Vec<_> = fs_err::read_dir(&dir)
        .expect("real cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut countries = BTreeSet::new();
    let mut rules = BTreeSet::new();
    for case in &cases {
        let expect: serde_json::Value =
            serde_json::from_str(&fs_err::read_to_string(case.join("expect.json")).expect("expect.json"))
                .expect("expect.json parses");
        let code = expect["code"].as_str().expect("code");
        let name = case.file_name().expect("name").to_string_lossy().into_owned();
        countries.insert(name[..2].to_owned());
        rules.insert(code.to_owned());
        let bad = run(routes(case).args(["validate", "--format", "json", "bad"]));
        let bad = findings(&bad.stdout);
        assert!(
            bad.iter().any(|(c, _)| c == code),
            "{name}: `bad/` does not trip {code}: {bad:?}"
        );
        let good_run = run(routes(case).args(["validate", "--format", "json", "good"]));
        let good = findings(&good_run.stdout);
        assert!(
            !good.iter().any(|(c, s)| c == code || s == "error"),
            "{name}: the real records of `good/` raise {code} or an error: {good:?}"
        );
        assert_ne!(good_run.status.code(), Some(2), "{name}: the tool failed on `good/`");
    }
    assert!(cases.len() >= 14, "only {} real cases", cases.len());
    assert!(countries.len() >= 6, "real cases cover only {countries:?}");
    for code in [
        "quality/leaked-value",
        "quality/annual-looks-monthly",
        "quality/euro-without-rate",
        "quality/implausible-amount",
        "quality/near-duplicate-route",
        "quality/default-range",
        "quality/excerpt-from-unofficial-translation",
        "quality/evidence-is-title",
        "quality/excerpt-unrelated",
        "quality/unmarked-conflict",
    ] {
        assert!(rules.contains(code), "no real case for {code}");
    }
}

#[test]
fn seed_page_record_raises_what_the_seed_gets_wrong() {
    let out = run(routes(&fixtures("seed")).args(["validate", "--format", "json", "kz"]));
    assert_eq!(out.status.code(), Some(1));
    let findings: BTreeSet<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            (
                v["code"].as_str().expect("code").to_owned(),
                v["pointer"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (code, pointer) in [
        ("quality/implausible-amount", "/requirements/0/money"), // annual salary EUR 89
        ("quality/implausible-amount", "/requirements/1/money"), // savings EUR 18
        ("quality/default-range", "/requirements/6/range"),      // age 18-65
        ("quality/unevidenced-claim", "/requirements/4"),        // 1+ years of work experience
        (
            "quality/evidence-is-title",
            "/duration/leads_to_permanent_residence/evidence/0/excerpt",
        ),
        ("quality/open-to-all-unevidenced", "/eligibility/nationality/scope"), // no nationality rule
        ("quality/missing-exemption", "/eligibility"),                         // EAEU insurance exemption
        ("quality/verified-without-excerpts", "/review_status"),
    ] {
        assert!(
            findings.contains(&(code.to_owned(), pointer.to_owned())),
            "missing {code} at {pointer}: {findings:#?}"
        );
    }
    let human = run(routes(&fixtures("seed")).args(["validate", "kz"]));
    insta::assert_snapshot!(transcript(&human));
}

#[test]
fn list_rules() {
    let out = run(routes(&root()).args(["validate", "--list-rules"]));
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn explain_a_rule() {
    let out = run(routes(&root()).args(["validate", "--explain", "quality/implausible-amount"]));
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
    let out = run(routes(&root()).args(["validate", "--explain", "schema/enum"]));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("schema/<keyword>"));
}

/// `--explain` knows the codes of `routes sources` too.
#[test]
fn explain_a_sources_code() {
    let out = run(routes(&root()).args(["validate", "--explain", "sources/redirect-to-home"]));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("sources/redirect-to-home  (error; reported by `routes sources check`"),
        "{text}"
    );
    assert!(text.contains("What to do: "), "{text}");
}

#[test]
fn explain_an_unknown_code_exits_2() {
    let out = run(routes(&root()).args(["validate", "--explain", "quality/no-such-rule"]));
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: no rule has the code `quality/no-such-rule`
      hint: `routes validate --list-rules` lists every code
    ");
}

#[test]
fn docs_list_every_rule() {
    let path = root().join("docs/rules.md");
    if std::env::var_os("ROUTES_UPDATE_DOCS").is_some() {
        fs_err::write(
            &path,
            format!(
                "{}{}",
                routes_validate::rules_markdown(),
                routes_sources::codes_markdown()
            ),
        )
        .expect("write docs/rules.md");
    }
    let docs = fs_err::read_to_string(&path).expect("docs/rules.md");
    assert_eq!(
        docs,
        format!(
            "{}{}",
            routes_validate::rules_markdown(),
            routes_sources::codes_markdown()
        ),
        "docs/rules.md is stale: run `ROUTES_UPDATE_DOCS=1 cargo test docs_list_every_rule`"
    );
    for rule in routes_validate::RULES.iter() {
        assert!(routes_validate::rule(rule.code).is_some());
        assert!(
            !rule.why.is_empty() && !rule.example.is_empty(),
            "{} lacks why or example",
            rule.code
        );
    }
}

fn write_scope_unknown(dir: &std::path::Path) {
    let mut record = crate::util::minimal_record("kz/scope");
    record["eligibility"]["nationality"] = serde_json::json!({ "scope": "unknown" });
    crate::util::write_record(&dir.join("kz/scope.json"), &record);
}

#[test]
fn deny_warnings_fails_on_warnings() {
    let dir = temp_dataset();
    write_scope_unknown(dir.path());
    let out = run(routes(dir.path()).args(["validate", "."]));
    assert_eq!(out.status.code(), Some(0), "a warning alone passes");
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 errors, 1 warning"));
    let out = run(routes(dir.path()).args(["validate", "--deny", "warnings", "."]));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn config_sets_severity_and_silences_with_a_reason() {
    let dir = temp_dataset();
    write_scope_unknown(dir.path());
    fs_err::write(
        dir.path().join("routes.toml"),
        "[severity]\n\"quality/no-nationality-scope\" = \"error\"\n",
    )
    .expect("write");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"severity\":\"error\""));

    fs_err::write(
        dir.path().join("routes.toml"),
        "[severity]\n\"quality/no-nationality-scope\" = \"off\"\n",
    )
    .expect("write");
    let out = run(routes(dir.path()).args(["validate", "--deny", "warnings", "."]));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    fs_err::write(
        dir.path().join("routes.toml"),
        "[[allow]]\nroute = \"kz/scope\"\nrule = \"quality/no-nationality-scope\"\npointer = \"/eligibility/nationality/scope\"\nreason = \"not stated by any source\"\n",
    )
    .expect("write");
    let out = run(routes(dir.path()).args(["validate", "--deny", "warnings", "."]));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn bad_config_is_a_tool_error_with_its_place() {
    let dir = temp_dataset();
    write_scope_unknown(dir.path());
    let cases = [
        (
            "[severity]\n\"quality/no-such-rule\" = \"off\"\n",
            "unknown rule `quality/no-such-rule`",
        ),
        ("[severity]\n\"quality/stale-source\" = \"loud\"\n", "routes.toml`:2:26"),
        (
            "[[allow]]\nroute = \"kz/scope\"\nrule = \"quality/no-nationality-scope\"\npointer = \"/\"\nreason = \"  \"\n",
            "gives no reason",
        ),
        ("config_version = 9\n", "unsupported config_version 9"),
        ("not toml at all", "routes.toml`:1:"),
    ];
    for (text, expected) in cases {
        fs_err::write(dir.path().join("routes.toml"), text).expect("write");
        let out = run(routes(dir.path()).args(["validate", "."]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {stderr}");
        assert!(stderr.contains(expected), "{text}: expected `{expected}` in {stderr}");
        assert!(stderr.contains("hint:"), "{stderr}");
    }
}

/// A dataset of one record whose `routes.toml` reads `reference/`, holding
/// `kz.json` with `text`.
fn dataset_with_reference(text: &str) -> tempfile::TempDir {
    let dir = temp_dataset();
    write_scope_unknown(dir.path());
    fs_err::create_dir_all(dir.path().join("reference")).expect("mkdir");
    fs_err::write(dir.path().join("routes.toml"), "reference = \"reference\"\n").expect("write");
    fs_err::write(dir.path().join("reference/kz.json"), text).expect("write");
    dir
}

/// A reference value is a figure like any other: with no source it is a finding.
#[test]
fn a_reference_value_without_a_source_is_a_finding() {
    let reference = serde_json::json!({
        "reference_version": 2, "country": "KZ", "currency": "KZT", "sources": [],
        "index_definitions": [{"index": "KZ_MCI", "name": "MCI", "currency": "KZT", "per": "unit",
                               "description": "unit", "sources": []}],
        "indexes": [{"index": "KZ_MCI", "year": 2026, "value": 4325, "sources": []}],
        "groups": [{"group": "TEST_UNION", "name": "Test", "description": "test", "sources": []}]
    });
    let dir = dataset_with_reference(&reference.to_string());
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for what in [
        "the 2026 value of KZ_MCI cites no source",
        "the declaration of KZ_MCI cites no source",
        "group `TEST_UNION` cites no source",
    ] {
        assert!(stdout.contains(what), "{what}: {stdout}");
    }
}

#[test]
fn broken_reference_data_is_a_finding() {
    let dir = dataset_with_reference("{\"reference_version\": 1, \"country\": \"KZ\",\n \"currency\": 7}\n");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"code\":\"reference/invalid\"") && stdout.contains("\"line\":2"),
        "{stdout}"
    );
}
