//! `routes show`, `routes list` and `routes new`, as a contributor uses them:
//! read a route, list the routes, start a new one. The bundled dataset is
//! read in place (never written); everything that writes works on a copy
//! in a temporary folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::util::{bundled_record_count, root, routes, run, transcript};

/// The two routes shown in every format: one with amounts of money and
/// values the sources disagree on (the Opportunity Card's funds), one with
/// conflicting processing times and no fee found.
const SHOWN: [&str; 2] = ["de/opportunity-card", "kz/temporary-residence-permit"];

fn show(args: &[&str]) -> Output {
    run(routes(&root()).arg("show").args(args))
}

fn list(args: &[&str]) -> Output {
    run(routes(&root()).arg("list").args(args))
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// The JSON value of a record file, without the editor's `"$schema"`.
fn record_value(path: &Path) -> Value {
    let mut value: Value = serde_json::from_str(&fs_err::read_to_string(path).expect("record")).expect("JSON");
    if let Some(map) = value.as_object_mut() {
        map.shift_remove("$schema");
    }
    value
}

/// Every file under `dir` with its bytes, to prove that nothing changed.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside").to_path_buf();
            (rel, fs_err::read(e.path()).expect("read"))
        })
        .collect()
}

/// A copy of the bundled dataset in `to` (hidden entries left out).
fn copy_dataset(to: &Path) {
    let from = root().join("dataset");
    for entry in walkdir::WalkDir::new(&from)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = entry.expect("walk");
        let dest = to.join(entry.path().strip_prefix(&from).expect("inside"));
        if entry.file_type().is_dir() {
            fs_err::create_dir_all(&dest).expect("folder");
        } else {
            fs_err::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// A repository in a temporary folder: `dataset/` (a copy of the bundled
/// one) and, with `schema`, `schema/route.schema.json` beside it.
fn repository(schema: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dataset(&dir.path().join("dataset"));
    if schema {
        fs_err::create_dir_all(dir.path().join("schema")).expect("schema folder");
        fs_err::copy(
            root().join("schema/route.schema.json"),
            dir.path().join("schema/route.schema.json"),
        )
        .expect("schema");
    }
    dir
}

// ---------------------------------------------------------------------------
// `routes show`

#[test]
fn show_two_routes_in_every_format() {
    for id in SHOWN {
        for format in ["human", "markdown", "json"] {
            let out = show(&[id, "--format", format]);
            assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
            assert!(out.stderr.is_empty(), "stderr is for talk only: {}", stderr(&out));
            insta::assert_snapshot!(format!("show_{}_{format}", id.replace('/', "_")), transcript(&out));
        }
    }
}

#[test]
fn show_puts_the_sections_in_the_order_of_a_route_page() {
    let text = stdout(&show(&["kz/temporary-residence-permit"]));
    let at = |heading: &str| {
        text.find(&format!("\n{heading}\n"))
            .unwrap_or_else(|| panic!("no section `{heading}` in:\n{text}"))
    };
    let order = [
        "Who may apply",
        "Requirements",
        "Documents",
        "Duration",
        "Application",
        "Legal basis",
        "Notes",
        "Sources",
    ];
    let places: Vec<usize> = order.iter().map(|h| at(h)).collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "{order:?} at {places:?}");
    assert!(text.starts_with("Temporary residence permit\n"));
    assert!(text[..at("Who may apply")].contains("Country: Kazakhstan (KZ)\nCategory: residence\nStatus: active\n"));
    // The same sections as Markdown headings.
    let md = stdout(&show(&["kz/temporary-residence-permit", "--format", "markdown"]));
    let places: Vec<usize> = order
        .iter()
        .map(|h| md.find(&format!("\n## {h}\n")).unwrap_or_else(|| panic!("no `## {h}`")))
        .collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "{places:?}");
    assert!(md.starts_with("# Temporary residence permit\n"));
}

#[test]
fn every_figure_shows_its_source_and_quote_and_conflicts_show_every_value() {
    let text = stdout(&show(&["de/opportunity-card"]));
    // An amount with its currency, period and basis, then its quotes.
    let funds = text
        .split("\n\n")
        .find(|block| block.contains("amount: 1,091 EUR a month (net)"))
        .unwrap_or_else(|| panic!("no 1,091 EUR requirement in:\n{text}"));
    assert!(
        funds.contains("[4] “Applicants now need to show a minimum of 1,091€ per month to cover living expenses.”"),
        "{funds}"
    );
    // Both values of the conflict, each saying so.
    assert!(funds.contains("value 1 of 2, all shown"), "{funds}");
    assert!(text.contains("amount: 975 EUR a month"));
    assert!(
        text.contains("conflicting: the sources disagree on this value (`opportunity-card-funds-2025`): value 2 of 2")
    );
    // A citation names a source of the numbered list.
    let sources = text.split("\nSources\n-------\n").nth(1).expect("sources");
    assert!(sources.starts_with("[1] "), "{sources}");
    assert!(sources.contains("\n[4] "));

    let text = stdout(&show(&["kz/temporary-residence-permit"]));
    assert_eq!(text.matches("(`trp-processing-time`): value").count(), 3, "{text}");
    // What no source gives is said, never made up.
    assert!(text.contains("\nFees: not found in the sources (which does not mean free)\n"));
    assert!(text.contains("\nLeads to permanent residence: not found in the sources\n"));
    assert!(text.contains("[6] “Children under the age of 16 do not need a temporary residence permit.”"));
    assert!(text.contains("range: at least 16 years"));
}

#[test]
fn show_json_is_the_record_as_read() {
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(root().join("dataset/routes")) {
        let entry = entry.expect("walk");
        if entry.path().extension().is_none_or(|x| x != "json") {
            continue;
        }
        let expected = record_value(entry.path());
        let id = expected["id"].as_str().expect("id");
        let out = show(&[id, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", transcript(&out));
        let shown: Value = serde_json::from_slice(&out.stdout).expect("show prints JSON");
        assert_eq!(shown, expected, "{id}");
        checked += 1;
    }
    assert_eq!(checked, bundled_record_count());
}

#[test]
fn an_unknown_id_names_the_nearest_and_a_malformed_one_is_refused() {
    let out = show(&["kz/temporary-residense-permit"]);
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: no route has the id `kz/temporary-residense-permit`
      hint: did you mean `kz/temporary-residence-permit` or `am/temporary-residence-status`? `routes list --country kz` lists the routes of `kz`
    ");
    let out = show(&["fr/talent-passport"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("hint: `routes list` lists every route"),
        "{}",
        stderr(&out)
    );

    let out = show(&["KZ/x y"]);
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: `KZ/x y` is not a route id
      hint: did you mean `kz/x-y`? an id is `<country>/<slug>`: the ISO 3166-1 code in lower case, `/`, then lower-case letters and digits in words joined by `-`, such as `kz/temporary-residence-permit`
    ");

    let out = show(&["kz/citizenship", "--dataset", "no-such-folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("error: cannot read `no-such-folder`"));
}

#[test]
fn record_text_with_control_characters_is_printed_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("routes/kz/temporary-residence-permit.json");
    fs_err::create_dir_all(path.parent().expect("folder")).expect("folder");
    let mut record = record_value(&root().join("dataset/routes/kz/temporary-residence-permit.json"));
    record["name"] = "Permit \u{1b}[31mred\u{1b}[0m".into();
    record["requirements"][0]["evidence"][0]["excerpt"] = "quoted \u{1b}]0;title\u{7} text".into();
    fs_err::write(&path, serde_json::to_string_pretty(&record).expect("JSON")).expect("write");
    let dataset = dir.path().display().to_string();
    for format in ["human", "markdown", "json"] {
        let out = show(&[
            "kz/temporary-residence-permit",
            "--dataset",
            &dataset,
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
        assert!(
            !out.stdout.iter().any(|&b| b == 0x1b || b == 0x07),
            "{format}: a raw control character reached stdout"
        );
        // Markdown escapes the brackets too (`\[`), as it does any markup.
        let text = stdout(&out).replace(r"\[", "[").replace(r"\]", "]");
        assert!(text.contains(r"\u001b[31mred\u001b[0m"), "{format}: {text}");
        assert!(text.contains(r"\u001b]0;title\u0007"), "{format}: {text}");
        if format == "json" {
            // Escaped as JSON escapes: the same value.
            let value: Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(value, record);
        }
    }
    let out = list(&["--dataset", &dataset]);
    assert!(!out.stdout.contains(&0x1b));
    assert!(stdout(&out).contains(r"Permit \u001b[31mred\u001b[0m"));
}

#[test]
fn a_release_reads_as_its_dataset() {
    let dist = tempfile::tempdir().expect("temp dir");
    let release = crate::util::publish_bundled(dist.path()).display().to_string();
    for id in SHOWN {
        for format in ["human", "markdown"] {
            let from_dataset = show(&[id, "--format", format]);
            let from_release = show(&[id, "--format", format, "--release", &release]);
            assert_eq!(from_release.status.code(), Some(0), "{}", transcript(&from_release));
            assert_eq!(stdout(&from_release), stdout(&from_dataset), "{id} {format}");
        }
        let json: Value =
            serde_json::from_slice(&show(&[id, "--format", "json", "--release", &release]).stdout).expect("JSON");
        assert_eq!(json["id"], id);
    }
    for format in ["human", "json", "csv"] {
        assert_eq!(
            stdout(&list(&["--format", format, "--release", &release])),
            stdout(&list(&["--format", format])),
            "{format}"
        );
    }
    let out = show(&["kz/no-such-route", "--release", &release]);
    assert_eq!(out.status.code(), Some(1));
    let out = show(&[
        "kz/citizenship",
        "--release",
        &root().join("dataset").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the folder is not a release"), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------
// `routes list`

#[test]
fn list_with_and_without_filters() {
    let out = list(&[]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("list_human", transcript(&out));
    let out = list(&["--country", "Kazakhstan"]);
    insta::assert_snapshot!("list_human_country", transcript(&out));
    let out = list(&["--category", "digital_nomad", "--status", "active", "--format", "csv"]);
    insta::assert_snapshot!("list_csv_category_status", transcript(&out));
    let out = list(&["--country", "nz", "--format", "json"]);
    insta::assert_snapshot!("list_json_country", transcript(&out));
}

#[test]
fn list_json_and_csv_hold_every_route_sorted_by_id() {
    let out = list(&["--format", "json"]);
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), bundled_record_count());
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().expect("id")).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    let keys: Vec<&str> = lines[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "country",
            "category",
            "status",
            "name",
            "official_name",
            "review_status",
            "last_verified"
        ]
    );
    // Each line says what the record says.
    for line in &lines {
        let id = line["id"].as_str().expect("id");
        let record = record_value(&root().join("dataset/routes").join(format!("{id}.json")));
        for key in [
            "country",
            "category",
            "status",
            "name",
            "review_status",
            "last_verified",
        ] {
            assert_eq!(line[key], record[key], "{id} {key}");
        }
        assert_eq!(line["official_name"], record["official_name"]["text"], "{id}");
    }
    assert!(
        lines.iter().any(|l| l["official_name"].is_null()),
        "a route without an official name"
    );
    assert!(stderr(&out).contains(&format!("{} routes in 9 countries", bundled_record_count())));

    let out = list(&["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    assert_eq!(header, keys);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    assert_eq!(rows.len(), lines.len());
    for (row, line) in rows.iter().zip(&lines) {
        assert_eq!(&row[0], line["id"].as_str().expect("id"));
        assert_eq!(&row[4], line["name"].as_str().expect("name"));
        assert_eq!(&row[5], line["official_name"].as_str().unwrap_or(""));
    }
}

#[test]
fn list_filters_take_any_case_and_names() {
    let kz = stdout(&list(&["--country", "kz"]));
    assert_eq!(kz.lines().count(), 9, "{kz}");
    assert!(kz.lines().all(|l| l.starts_with("kz/")));
    for spelling in ["KZ", "KAZ", "kazakhstan", "KAZAKHSTAN"] {
        assert_eq!(stdout(&list(&["--country", spelling])), kz, "{spelling}");
    }
    let work = stdout(&list(&["--category", "work"]));
    assert!(!work.is_empty() && work.lines().all(|l| l.contains(" work ")), "{work}");
    assert_eq!(stdout(&list(&["--category", "WORK"])), work);
    assert_eq!(stdout(&list(&["--category", "Work", "--status", "ACTIVE"])), work);
    // The columns line up.
    let starts: Vec<usize> = work.lines().map(|l| l.find(" work ").expect("category")).collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{work}");
}

#[test]
fn list_refuses_values_that_are_not_known_and_says_when_nothing_is_listed() {
    let out = list(&["--country", "Kazakstan"]);
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: --country: `Kazakstan` is not a country
      hint: did you mean `Kazakhstan`? give an ISO 3166-1 code (`KZ`, `KAZ`) or an English name (`Kazakhstan`)
    ");
    let out = list(&["--category", "digital-nomad"]);
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: --category: there is no category `digital-nomad`; did you mean `digital_nomad`?
      hint: the categories are: work, family, study, investment, digital_nomad, business_visit, residence, permanent_residence, citizenship, ethnic_return, humanitarian, other
    ");
    let out = list(&["--status", "activ"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `active`?"), "{}", stderr(&out));
    let out = list(&["--country", "France"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no route of `FR` is in the data"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("the countries are: AM, DE, EE, ES, FI, JP, KZ, NZ, PT"));

    let out = list(&["--country", "kz", "--status", "closed"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out),
        format!(
            "note: none of the {} routes matches --country kz --status closed\n",
            bundled_record_count()
        )
    );
}

// ---------------------------------------------------------------------------
// `routes new`

#[test]
fn new_writes_a_skeleton_that_validates() {
    let repo = repository(true);
    let out = run(routes(repo.path()).args(["new", "kz/student-visa", "--category", "study"]));
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 0
    ----- stdout -----
    dataset/routes/kz/student-visa.json
    ----- stderr -----
    created `kz/student-visa`: every fact is still unknown. Next:
      1. add a source to `sources` (id, url, title, tier, language, translation, seen) and quote it verbatim in the `evidence` of each fact taken from it; archive its page: `routes sources archive kz/student-visa`
      2. set `status` (active, suspended, closed, proposed) as the source states it
      3. say who may apply: `eligibility.nationality` (scope, countries, groups) and any `exemptions`
      4. add the `requirements`, each with its kind, its amount (currency and period) where there is money, and its `evidence`
      5. list the `documents` to hand in, each with its evidence
      6. add the fees (`application.fees`), channels and processing times
      7. fill in `duration`: initial stay, validity, renewal, and whether it leads to permanent residence or citizenship
      8. check it with `routes validate dataset/routes/kz/student-visa.json`, then read it with `routes show kz/student-visa`
    ");
    let path = repo.path().join("dataset/routes/kz/student-visa.json");
    let text = fs_err::read_to_string(&path).expect("the record was written");
    insta::assert_snapshot!(text, @r#"
    {
      "$schema": "../../../schema/route.schema.json",
      "schema_version": 1,
      "id": "kz/student-visa",
      "country": "KZ",
      "name": "Student visa",
      "category": "study",
      "status": "unknown",
      "eligibility": {
        "nationality": {
          "scope": "unknown"
        }
      },
      "requirements": [],
      "duration": {
        "leads_to_permanent_residence": {
          "value": "unknown"
        },
        "leads_to_citizenship": {
          "value": "unknown"
        }
      },
      "documents": [],
      "application": {
        "channels": [],
        "processing_times": [],
        "fees": []
      },
      "legal_basis": [],
      "sources": [],
      "last_verified": "2026-12-02",
      "review_status": "unverified"
    }
    "#);
    assert!(text.ends_with("}\n"), "a trailing newline");
    // The `$schema` path leads to the schema from the record's folder.
    assert!(
        path.parent()
            .expect("folder")
            .join("../../../schema/route.schema.json")
            .is_file()
    );
    // The typed model reads it.
    let route: routes_core::Route = serde_json::from_str(&text).expect("a route");
    assert_eq!(route.status, routes_core::Status::Unknown);
    // Nothing is left beside it (the scratch folder is gone).
    let names: Vec<String> = fs_err::read_dir(path.parent().expect("folder"))
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");

    // The whole dataset, the new record in it, has no error.
    let out = run(routes(repo.path()).args(["validate", "dataset", "--format", "json"]));
    let findings: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON finding"))
        .collect();
    let errors: Vec<&Value> = findings.iter().filter(|f| f["severity"] == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let records = stderr(&out);
    assert!(
        records.contains(&format!("checked {} records", bundled_record_count() + 1)),
        "the new record was read: {records}"
    );

    // `routes show` reads it, and says what is not known yet.
    let out = run(routes(repo.path()).args(["show", "kz/student-visa"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let text = stdout(&out);
    assert!(text.contains("\nStatus: not found in the sources\n"), "{text}");
    assert!(
        text.contains("\nLeads to citizenship: not found in the sources\n"),
        "{text}"
    );
    let out = run(routes(repo.path()).args(["show", "kz/student-visa", "--format", "json"]));
    let shown: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(shown, record_value(&path), "the record, without its `$schema`");
    assert!(shown.get("$schema").is_none());
    let out = run(routes(repo.path()).args(["list", "--status", "unknown"]));
    assert_eq!(stdout(&out), "kz/student-visa  study  unknown  Student visa\n");
}

#[test]
fn new_names_the_schema_by_its_id_when_no_schema_file_is_above_the_dataset() {
    let repo = repository(false);
    let out = run(routes(repo.path()).args([
        "new",
        "fr/talent-passport",
        "--category",
        "WORK",
        "--name",
        "Talent passport",
        "--today",
        "2027-01-15",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert_eq!(stdout(&out), "dataset/routes/fr/talent-passport.json\n");
    let record: Value = serde_json::from_str(
        &fs_err::read_to_string(repo.path().join("dataset/routes/fr/talent-passport.json")).expect("written"),
    )
    .expect("JSON");
    let schema: Value = serde_json::from_str(routes_validate::ROUTE_SCHEMA).expect("schema");
    assert_eq!(record["$schema"], schema["$id"]);
    assert_eq!(record["name"], "Talent passport");
    assert_eq!(record["country"], "FR");
    assert_eq!(record["category"], "work");
    assert_eq!(record["last_verified"], "2027-01-15");
    // A new country folder, and a record that validates in it.
    let out = run(routes(repo.path()).args(["validate", "dataset", "--format", "json", "--today", "2027-01-15"]));
    let errors: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| l.contains(r#""severity":"error""#) && l.contains("talent-passport"))
        .map(str::to_owned)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn new_refuses_and_writes_nothing() {
    let repo = repository(true);
    let before = tree(repo.path());
    let new = |args: &[&str]| run(routes(repo.path()).arg("new").args(args));

    // An existing record is left byte for byte as it was.
    let out = new(&["kz/temporary-residence-permit", "--category", "residence"]);
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: `dataset/routes/kz/temporary-residence-permit.json` exists already: `routes new` never replaces a record
      hint: `routes show kz/temporary-residence-permit` prints it; edit that file, or give the new route another slug
    ");

    // A folder without `routes.toml` is not a dataset.
    fs_err::create_dir_all(repo.path().join("elsewhere")).expect("folder");
    let out = new(&["kz/student-visa", "--category", "study", "--dataset", "elsewhere"]);
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: `elsewhere` is not a dataset folder: it has no `routes.toml`
      hint: give the dataset folder (the one that holds `routes.toml` and `routes/`) with `--dataset DIR`
    ");
    fs_err::remove_dir(repo.path().join("elsewhere")).expect("empty");

    let out = new(&["kz/student-visa", "--category", "digital-nomad"]);
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: --category: there is no category `digital-nomad`; did you mean `digital_nomad`?
      hint: the categories are: work, family, study, investment, digital_nomad, business_visit, residence, permanent_residence, citizenship, ethnic_return, humanitarian, other
    ");
    let out = new(&["kx/student-visa", "--category", "study"]);
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: `kx/student-visa`: no country has the code `kx`
      hint: did you mean `kz/student-visa`? an id is `<cc>/<slug>`: the ISO 3166-1 alpha-2 code of the country in lower case, `/`, then lower-case letters and digits in words joined by `-`, such as `kz/student-visa`
    ");
    for (id, meant) in [
        ("kazakhstan/student-visa", "did you mean `kz/student-visa`?"),
        ("KZ/student-visa", "did you mean `kz/student-visa`?"),
        ("kz/Student Visa", "did you mean `kz/student-visa`?"),
        ("kz/student--visa", "did you mean `kz/student-visa`?"),
        ("Kazakstan/student-visa", "did you mean `Kazakhstan`?"),
        ("student-visa", "it has no `/`"),
    ] {
        let out = new(&[id, "--category", "study"]);
        assert_eq!(out.status.code(), Some(2), "{id}: {}", transcript(&out));
        assert!(stderr(&out).contains(meant), "{id}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    let out = new(&["kz/student-visa", "--category", "study", "--today", "2026-02-30"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid `--today`"), "{}", stderr(&out));
    let out = new(&["kz/student-visa", "--category", "study", "--name", "  "]);
    assert_eq!(out.status.code(), Some(2));

    assert_eq!(tree(repo.path()), before, "nothing was written");
}
