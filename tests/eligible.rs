//! `routes eligible`: the example profiles against the bundled dataset (both
//! outputs kept as snapshots), a release giving the same verdicts, and every
//! kind of bad input.

use serde_json::Value;

use crate::util::{fixtures, minimal_record, root, routes, run, temp_dataset, transcript, write_record};

/// The day every verdict here is asked for.
const ON: &str = "2026-12-01";

fn eligible(args: &[&str]) -> std::process::Output {
    run(routes(&root()).arg("eligible").args(["--on", ON]).args(args))
}

fn profile(name: &str) -> String {
    root()
        .join("examples/profiles")
        .join(format!("{name}.toml"))
        .display()
        .to_string()
}

/// The JSON lines of a run, by route id.
fn verdicts(output: &std::process::Output) -> std::collections::BTreeMap<String, Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            (v["route_id"].as_str().expect("route_id").to_owned(), v)
        })
        .collect()
}

fn status_of<'a>(route: &'a Value, requirement: &str) -> &'a str {
    route["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["requirement"] == requirement || c["kind"] == requirement)
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("no criterion {requirement} in {route}"))
}

#[test]
fn example_profiles_give_the_verdicts_the_sources_imply() {
    // Too little income for Kazakhstan's Neo Nomad Visa (3,000 USD a month).
    let out = eligible(&["--profile", &profile("remote-worker-low-income"), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "no route is eligible: {}", transcript(&out));
    let v = verdicts(&out);
    assert_eq!(v.len(), crate::util::bundled_record_count());
    let neo = &v["kz/neo-nomad-visa-b12-1"];
    assert_eq!(neo["verdict"], "not_eligible");
    assert_eq!(status_of(neo, "min-income"), "not_met");
    assert!(
        neo["criteria"][0]["status"] == "not_met",
        "failing criteria first: {neo}"
    );

    // Enough income: the income criterion is met, the verdict still not
    // settled (the sources do not say who may apply).
    let out = eligible(&["--profile", &profile("remote-worker"), "--format", "json"]);
    let neo = &verdicts(&out)["kz/neo-nomad-visa-b12-1"];
    assert_eq!(status_of(neo, "min-income"), "met");
    assert_eq!(status_of(neo, "nationality"), "unknown");
    assert_eq!(neo["verdict"], "unknown");

    // A yearly income against a monthly threshold.
    let out = eligible(&["--profile", &profile("yearly-income"), "--format", "json"]);
    let neo = &verdicts(&out)["kz/neo-nomad-visa-b12-1"];
    assert_eq!(status_of(neo, "min-income"), "met");
    let reason = neo["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["requirement"] == "min-income")
        .expect("min-income")["reason"]
        .as_str()
        .expect("reason");
    assert!(reason.contains("3,750 USD a month"), "{reason}");

    // An EAEU citizen: the permit's health insurance is waived.
    let out = eligible(&["--profile", &profile("eaeu-citizen"), "--format", "json"]);
    let trp = &verdicts(&out)["kz/temporary-residence-permit"];
    assert_eq!(status_of(trp, "health-insurance"), "waived");
    assert_eq!(status_of(trp, "nationality"), "met");

    // No answers: nothing is eligible, nothing fails but closed routes.
    let out = eligible(&["--profile", &profile("no-answers"), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(verdicts(&out).values().all(|r| r["verdict"] == "unknown"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("answers nothing"));
}

#[test]
fn every_route_has_the_stable_fields() {
    let out = eligible(&["--profile", &profile("remote-worker"), "--format", "json"]);
    for (id, route) in verdicts(&out) {
        for field in ["route_id", "country", "name", "verdict", "criteria"] {
            assert!(route.get(field).is_some(), "{id} lacks {field}");
        }
        for c in route["criteria"].as_array().expect("criteria") {
            for field in ["requirement", "kind", "status", "reason", "source", "excerpt"] {
                assert!(c.get(field).is_some(), "{id}: a criterion lacks {field}: {c}");
            }
            assert!(["met", "not_met", "unknown", "waived"].contains(&c["status"].as_str().expect("status")));
        }
    }
}

#[test]
fn snapshots_of_both_outputs() {
    for (name, filter) in [
        ("remote-worker", ["--category", "digital_nomad"]),
        ("remote-worker-low-income", ["--category", "digital_nomad"]),
        ("yearly-income", ["--country", "KZ"]),
        ("eaeu-citizen", ["--country", "KZ"]),
        ("no-answers", ["--country", "EE"]),
    ] {
        let human = eligible(&["--profile", &profile(name), filter[0], filter[1]]);
        insta::assert_snapshot!(format!("eligible_{name}"), transcript(&human));
        let json = eligible(&["--profile", &profile(name), filter[0], filter[1], "--format", "json"]);
        insta::assert_snapshot!(format!("eligible_{name}_json"), transcript(&json));
    }
}

#[test]
fn a_release_gives_the_same_verdicts_as_its_dataset() {
    let dist = tempfile::tempdir().expect("temp dir");
    let release = crate::util::publish_bundled(dist.path());
    for name in ["remote-worker-low-income", "eaeu-citizen"] {
        let from_dataset = eligible(&["--profile", &profile(name), "--format", "json"]);
        let from_release = eligible(&[
            "--profile",
            &profile(name),
            "--format",
            "json",
            "--release",
            &release.display().to_string(),
        ]);
        assert_eq!(from_release.status.code(), from_dataset.status.code());
        assert_eq!(
            String::from_utf8_lossy(&from_release.stdout),
            String::from_utf8_lossy(&from_dataset.stdout),
            "{name}"
        );
    }
}

#[test]
fn an_eligible_route_exits_zero() {
    let dir = temp_dataset();
    let mut record = minimal_record("kz/open-route");
    record["requirements"] = serde_json::json!([{
        "id": "income", "kind": "min_income", "required": "yes",
        "description": "Income of at least 1,000 EUR a month.",
        "money": {"amount": 1000, "currency": "EUR", "period": "month"},
        "evidence": [{"source": "example-source", "excerpt": "at least 1,000 EUR a month"}]
    }]);
    write_record(&dir.path().join("kz/open-route.json"), &record);
    let out = eligible(&[
        "--dataset",
        &dir.path().display().to_string(),
        "--income",
        "12000 EUR/year",
    ]);
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 0
    ----- stdout -----
    Eligible (1)

      kz/open-route · KZ · other · Minimal record
        met      nationality: open to every nationality
                 source: https://www.gov.kz/en/services/4631
        met      income (min_income): your income of 12,000 EUR a year (1,000 EUR a month) reaches the 1,000 EUR a month asked for
                 source: https://www.gov.kz/en/services/4631
                 “at least 1,000 EUR a month”

    ----- stderr -----
    1 route judged on 2026-12-01 for 1 answer (income): 1 eligible, 0 unknown, 0 not eligible
    ");
    // The same person with a tenth of it.
    let out = eligible(&[
        "--dataset",
        &dir.path().display().to_string(),
        "--income",
        "100 EUR/month",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Not eligible (1)"));
}

#[test]
fn bad_profiles_and_flags_are_named_with_a_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        fs_err::write(&path, text).expect("write");
        path.display().to_string()
    };
    let cases = [
        ("syntax", write("syntax.toml", "nationality = [\"AM\"\nincome = 5\n")),
        (
            "unknown-field",
            write("field.toml", "nationality = \"AM\"\nincom = \"4000 EUR/month\"\n"),
        ),
        (
            "no-period",
            write("period.toml", "nationality = \"AM\"\nincome = \"4000 EUR\"\n"),
        ),
        ("bad-currency", write("currency.toml", "savings = \"25000 EURO\"\n")),
        (
            "bad-country",
            write("country.toml", "nationality = [\"AM\", \"Armenai\"]\n"),
        ),
        ("bad-level", write("level.toml", "language = [\"de:B3\"]\n")),
        ("wrong-type", write("type.toml", "remote_work = \"yes\"\n")),
    ];
    for (name, path) in &cases {
        let out = eligible(&["--profile", path]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", transcript(&out));
        let stderr = String::from_utf8_lossy(&out.stderr).replace(&dir.path().display().to_string(), "[DIR]");
        insta::assert_snapshot!(format!("eligible_bad_profile_{name}"), stderr);
    }
    let flags: [&[&str]; 7] = [
        &["--income", "4000 EURO/month"],
        &["--nationality", "XX"],
        &["--remote-work", "maybe"],
        &["--age=-3"],
        &["--country", "Atlantis"],
        &["--category", "digital-nomads"],
        &["--on", "2026-02-30"],
    ];
    for args in flags {
        let out = if args[0] == "--on" {
            run(routes(&root()).arg("eligible").args(args))
        } else {
            eligible(args)
        };
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", transcript(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("hint:"), "{args:?}: {stderr}");
        let flag = args[0].trim_start_matches('-').split('=').next().unwrap_or_default();
        insta::assert_snapshot!(format!("eligible_bad_flag_{flag}"), stderr);
    }
    // A country the data has no route of lists those it has.
    let out = eligible(&["--country", "France"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AM, DE, EE"));
    // A profile that is a folder, or missing.
    for path in [
        dir.path().display().to_string(),
        dir.path().join("none.toml").display().to_string(),
    ] {
        let out = eligible(&["--profile", &path]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the profile"));
    }
    // Not a release.
    let out = eligible(&["--release", &fixtures("valid").display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a release"));
}

#[test]
fn flags_override_the_profile_and_the_day_moves_the_rules() {
    // The file says 1,500 USD a month; the flag says 4,000.
    let out = eligible(&[
        "--profile",
        &profile("remote-worker-low-income"),
        "--income",
        "4000 USD/month",
        "--format",
        "json",
    ]);
    assert_eq!(
        status_of(&verdicts(&out)["kz/neo-nomad-visa-b12-1"], "min-income"),
        "met"
    );
    // Before the Neo Nomad income rule took effect (2024-11-17), it is not judged.
    let out = run(routes(&root()).args([
        "eligible",
        "--on",
        "2024-06-01",
        "--income",
        "1 USD/month",
        "--format",
        "json",
        "--country",
        "KZ",
    ]));
    let neo = &verdicts(&out)["kz/neo-nomad-visa-b12-1"];
    assert!(
        neo["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .all(|c| c["requirement"] != "min-income"),
        "{neo}"
    );
}

#[test]
fn help_lists_the_fields_and_examples() {
    let out = run(routes(&root()).args(["eligible", "--help"]));
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for field in routes_eligibility::FIELDS {
        assert!(help.contains(field), "the help names `{field}`");
    }
    insta::assert_snapshot!(help);
}

#[test]
fn record_text_reaches_no_terminal_raw() {
    let dir = temp_dataset();
    let mut record = minimal_record("kz/control-route");
    record["name"] = Value::from("Route \u{1b}[31mred\u{1b}[0m \u{202e}reversed");
    record["requirements"] = serde_json::json!([{
        "id": "insurance", "kind": "health_insurance", "required": "yes",
        "description": "Insurance \u{7}bell", "evidence": [{"source": "example-source"}]
    }]);
    write_record(&dir.path().join("kz/control-route.json"), &record);
    for format in ["human", "json"] {
        let out = eligible(&["--dataset", &dir.path().display().to_string(), "--format", format]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            !stdout.contains('\u{1b}') && !stdout.contains('\u{7}') && !stdout.contains('\u{202e}'),
            "{format}: {stdout}"
        );
        assert!(
            stdout.contains("\\u001b[31mred"),
            "{format}: escaped, not dropped: {stdout}"
        );
        if format == "json" {
            let line: Value = serde_json::from_str(stdout.trim()).expect("still one JSON line");
            assert_eq!(line["name"], "Route \u{1b}[31mred\u{1b}[0m \u{202e}reversed");
        }
    }
}
