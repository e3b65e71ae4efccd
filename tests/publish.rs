//! `routes publish`, run as a maintainer would: releases in temporary folders.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::util::{copy_dir, minimal_record, root, routes, run, transcript};

/// A dataset folder in a temporary directory, written record by record. The
/// runs get a temporary folder of their own (`TMPDIR`, the folder `tmp`), so
/// what they leave there is seen, and the system's is never swept.
pub(crate) struct Dataset {
    tmp: tempfile::TempDir,
}

impl Dataset {
    pub(crate) fn new() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        fs_err::create_dir_all(tmp.path().join("dataset/routes")).expect("dataset folder");
        fs_err::create_dir_all(tmp.path().join("tmp")).expect("temp folder");
        Self { tmp }
    }

    /// A copy of the bundled `dataset/` (records, `routes.toml`, reference data).
    pub(crate) fn bundled() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        copy_dir(&root().join("dataset"), &tmp.path().join("dataset"));
        fs_err::create_dir_all(tmp.path().join("tmp")).expect("temp folder");
        Self { tmp }
    }

    pub(crate) fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub(crate) fn dataset(&self) -> PathBuf {
        self.path().join("dataset")
    }

    /// The temporary folder the runs are given (`TMPDIR`).
    pub(crate) fn temp(&self) -> PathBuf {
        self.path().join("tmp")
    }

    pub(crate) fn record_path(&self, id: &str) -> PathBuf {
        let (cc, slug) = id.split_once('/').expect("id has a country");
        self.dataset().join("routes").join(cc).join(format!("{slug}.json"))
    }

    pub(crate) fn write(&self, record: &Value) {
        let id = record["id"].as_str().expect("id");
        let path = self.record_path(id);
        fs_err::create_dir_all(path.parent().expect("parent")).expect("country folder");
        fs_err::write(path, serde_json::to_string_pretty(record).expect("json")).expect("write record");
    }

    pub(crate) fn remove(&self, id: &str) {
        fs_err::remove_file(self.record_path(id)).expect("remove record");
    }

    /// `routes publish --version <version> --dataset dataset --out <out>`, in the temp folder.
    pub(crate) fn publish(&self, version: &str, out: &str) -> Command {
        let mut cmd = routes(self.path());
        cmd.env_remove("SOURCE_DATE_EPOCH")
            .env_remove("ROUTES_FAIL_AFTER_FILES")
            .env("TMPDIR", self.temp())
            .args(["publish", "--version", version, "--dataset", "dataset", "--out", out]);
        cmd
    }

    pub(crate) fn transcript(&self, output: &std::process::Output) -> String {
        transcript(output).replace(&self.path().display().to_string(), "[TMP]")
    }
}

/// Every file under `dir`, by relative path, with its bytes.
/// The files of a release, but for `index/`: the search index is derived from
/// `routes.jsonl`, outside `SHA256SUMS`, and tantivy names its segments at
/// random, so its bytes are not part of the reproducibility promise.
pub(crate) fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs_err::read_dir(dir).expect("read folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() && path.strip_prefix(base).is_ok_and(|rel| rel == Path::new("index")) {
                assert!(
                    path.join("routes-index.json").is_file(),
                    "the release has a search index"
                );
                continue;
            }
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs_err::read(&path).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Names in a folder, sorted (hidden ones included).
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs_err::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The minimal fixture as a route `id` named `name`, with one money requirement.
pub(crate) fn record(id: &str, name: &str) -> Value {
    let mut r = minimal_record(id);
    let country = id.split('/').next().expect("country").to_uppercase();
    r["country"] = json!(country);
    r["name"] = json!(name);
    r["category"] = json!("work");
    r["requirements"] = json!([{
        "id": "savings",
        "kind": "savings",
        "description": "Savings for the stay.",
        "required": "yes",
        "money": { "amount": 1500.0, "currency": "EUR", "period": "one_off" },
        "effective_from": "2026-01-01",
        "evidence": [{ "source": "example-source" }]
    }]);
    r
}

pub(crate) fn three_routes() -> Dataset {
    let d = Dataset::new();
    d.write(&record("kz/alpha-visa", "Alpha visa"));
    d.write(&record("kz/beta-visa", "Beta visa"));
    d.write(&record("kz/gamma-visa", "Gamma visa"));
    d
}

#[test]
fn publishes_a_release_and_prints_its_path() {
    let d = three_routes();
    let out = run(&mut d.publish("1.0.0", "dist"));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "dist/routes-1.0.0\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.ends_with("published 3 routes of 1 country in 55 files and a search index to dist/routes-1.0.0\n"),
        "{stderr}"
    );
    let release = d.path().join("dist/routes-1.0.0");
    insta::assert_snapshot!(files(&release).keys().cloned().collect::<Vec<_>>().join("\n"), @r"
    CHANGELOG.md
    CITATION.cff
    LICENSE
    README.md
    SHA256SUMS
    data/amendments.csv
    data/amendments.parquet
    data/changes.csv
    data/changes.parquet
    data/channels.csv
    data/channels.parquet
    data/dictionary.csv
    data/documents.csv
    data/documents.parquet
    data/durations.csv
    data/durations.parquet
    data/evidence.csv
    data/evidence.parquet
    data/exchange_rates.csv
    data/exchange_rates.parquet
    data/exemptions.csv
    data/exemptions.parquet
    data/fees.csv
    data/fees.parquet
    data/group_members.csv
    data/group_members.parquet
    data/groups.csv
    data/groups.parquet
    data/index_values.csv
    data/index_values.parquet
    data/legal_basis.csv
    data/legal_basis.parquet
    data/nationality.csv
    data/nationality.parquet
    data/notes.csv
    data/notes.parquet
    data/processing_times.csv
    data/processing_times.parquet
    data/reference_sources.csv
    data/reference_sources.parquet
    data/related.csv
    data/related.parquet
    data/requirements.csv
    data/requirements.parquet
    data/routes.csv
    data/routes.jsonl
    data/routes.parquet
    data/routes.sqlite
    data/sources.csv
    data/sources.parquet
    data/wages.csv
    data/wages.parquet
    datapackage.json
    metadata.json
    schema/route.schema.json
    ");
    assert_eq!(names(&d.path().join("dist")), ["routes-1.0.0"], "no staging leftovers");

    // The tidy tables, read back as CSV text.
    let requirements = fs_err::read_to_string(release.join("data/requirements.csv")).expect("csv");
    insta::assert_snapshot!(requirements.replace("\r\n", "⏎\n"), @r#"
    route_id,requirement_id,kind,description,required,applies_to,amount,currency,period,basis,money_index,multiplier,index_year,index_value,index_currency,index_value_sources,index_amount,amount_per_month,converted_amount,converted_currency,converted_rate,converted_date,converted_source,amount_eur,eur_rate,eur_rate_date,eur_rate_sources,range_min,range_max,range_unit,language_code,language_level,effective_from,effective_until,superseded_by,conflict,combination_group,combination_meet,evidence_sources,note⏎
    kz/alpha-visa,savings,savings,Savings for the stay.,yes,[],1500.0,EUR,one_off,,,,,,,[],,,,,,,,1500.0,1.0,,[],,,,,,2026-01-01,,,,,,"[""example-source""]",⏎
    kz/beta-visa,savings,savings,Savings for the stay.,yes,[],1500.0,EUR,one_off,,,,,,,[],,,,,,,,1500.0,1.0,,[],,,,,,2026-01-01,,,,,,"[""example-source""]",⏎
    kz/gamma-visa,savings,savings,Savings for the stay.,yes,[],1500.0,EUR,one_off,,,,,,,[],,,,,,,,1500.0,1.0,,[],,,,,,2026-01-01,,,,,,"[""example-source""]",⏎
    "#);

    // The manifest: version, format, resources with hashes and keys.
    let package: Value =
        serde_json::from_slice(&fs_err::read(release.join("datapackage.json")).expect("read")).expect("json");
    assert_eq!(package["version"], "1.0.0");
    assert_eq!(package["routes:format_version"], 5);
    assert_eq!(package["created"], "2026-11-25T00:00:00Z");
    let resources: Vec<String> = package["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            format!(
                "{} {} {} key={}",
                r["name"].as_str().expect("name"),
                r["path"].as_str().expect("path"),
                &r["hash"].as_str().expect("hash")[..7],
                r["schema"]["primaryKey"]
            )
        })
        .collect();
    insta::assert_snapshot!(resources.join("\n"), @r#"
    routes-parquet data/routes.parquet sha256: key=["route_id"]
    requirements-parquet data/requirements.parquet sha256: key=["route_id","requirement_id"]
    documents-parquet data/documents.parquet sha256: key=["route_id","document_id"]
    sources-parquet data/sources.parquet sha256: key=["route_id","source_id"]
    fees-parquet data/fees.parquet sha256: key=["route_id","fee_index"]
    processing_times-parquet data/processing_times.parquet sha256: key=["route_id","processing_time_index"]
    durations-parquet data/durations.parquet sha256: key=["route_id","duration_kind","duration_index"]
    channels-parquet data/channels.parquet sha256: key=["route_id","channel_index"]
    legal_basis-parquet data/legal_basis.parquet sha256: key=["route_id","act_index"]
    amendments-parquet data/amendments.parquet sha256: key=["route_id","act_index","amendment_index"]
    exemptions-parquet data/exemptions.parquet sha256: key=["route_id","exemption_index"]
    nationality-parquet data/nationality.parquet sha256: key=["route_id","member_kind","member"]
    evidence-parquet data/evidence.parquet sha256: key=["route_id","pointer"]
    related-parquet data/related.parquet sha256: key=["route_id","related_route_id","relation"]
    notes-parquet data/notes.parquet sha256: key=["route_id","note_index"]
    reference_sources-parquet data/reference_sources.parquet sha256: key=["file","source_id"]
    index_values-parquet data/index_values.parquet sha256: key=["index","year"]
    wages-parquet data/wages.parquet sha256: key=["country","kind","year"]
    exchange_rates-parquet data/exchange_rates.parquet sha256: key=["from_currency","to_currency","date"]
    groups-parquet data/groups.parquet sha256: key=["scope","group_name"]
    group_members-parquet data/group_members.parquet sha256: key=["scope","group_name","member"]
    changes-parquet data/changes.parquet sha256: key=["change_index"]
    routes-csv data/routes.csv sha256: key=["route_id"]
    requirements-csv data/requirements.csv sha256: key=["route_id","requirement_id"]
    documents-csv data/documents.csv sha256: key=["route_id","document_id"]
    sources-csv data/sources.csv sha256: key=["route_id","source_id"]
    fees-csv data/fees.csv sha256: key=["route_id","fee_index"]
    processing_times-csv data/processing_times.csv sha256: key=["route_id","processing_time_index"]
    durations-csv data/durations.csv sha256: key=["route_id","duration_kind","duration_index"]
    channels-csv data/channels.csv sha256: key=["route_id","channel_index"]
    legal_basis-csv data/legal_basis.csv sha256: key=["route_id","act_index"]
    amendments-csv data/amendments.csv sha256: key=["route_id","act_index","amendment_index"]
    exemptions-csv data/exemptions.csv sha256: key=["route_id","exemption_index"]
    nationality-csv data/nationality.csv sha256: key=["route_id","member_kind","member"]
    evidence-csv data/evidence.csv sha256: key=["route_id","pointer"]
    related-csv data/related.csv sha256: key=["route_id","related_route_id","relation"]
    notes-csv data/notes.csv sha256: key=["route_id","note_index"]
    reference_sources-csv data/reference_sources.csv sha256: key=["file","source_id"]
    index_values-csv data/index_values.csv sha256: key=["index","year"]
    wages-csv data/wages.csv sha256: key=["country","kind","year"]
    exchange_rates-csv data/exchange_rates.csv sha256: key=["from_currency","to_currency","date"]
    groups-csv data/groups.csv sha256: key=["scope","group_name"]
    group_members-csv data/group_members.csv sha256: key=["scope","group_name","member"]
    changes-csv data/changes.csv sha256: key=["change_index"]
    routes-jsonl data/routes.jsonl sha256: key=null
    routes-sqlite data/routes.sqlite sha256: key=null
    dictionary data/dictionary.csv sha256: key=null
    "#);
    let citation = fs_err::read_to_string(release.join("CITATION.cff")).expect("citation");
    assert!(citation.contains("type: dataset\n"), "{citation}");
    assert!(citation.contains("version: \"1.0.0\"\n"), "{citation}");
    assert!(citation.contains("date-released: \"2026-11-25\"\n"), "{citation}");
}

/// `routes.jsonl` holds the records exactly as validated, and `routes validate` accepts it.
#[test]
fn the_released_records_validate() {
    let d = three_routes();
    assert_eq!(run(&mut d.publish("1.0.0", "dist")).status.code(), Some(0));
    let jsonl = d.path().join("dist/routes-1.0.0/data/routes.jsonl");
    let out = run(routes(d.path()).args(["validate", "--format", "json"]).arg(&jsonl));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    let text = fs_err::read_to_string(&jsonl).expect("jsonl");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    // One record per line, the same as the source record.
    let first: Value = serde_json::from_str(lines[0]).expect("json");
    let source: Value =
        serde_json::from_str(&fs_err::read_to_string(d.record_path("kz/alpha-visa")).expect("read")).expect("json");
    assert_eq!(first, source);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let d = three_routes();
    d.write(&record("na/work-visa", "Work visa"));
    assert_eq!(run(&mut d.publish("1.0.0", "one")).status.code(), Some(0));
    assert_eq!(run(&mut d.publish("1.0.0", "two")).status.code(), Some(0));
    let one = files(&d.path().join("one/routes-1.0.0"));
    let two = files(&d.path().join("two/routes-1.0.0"));
    assert_eq!(one.len(), 55);
    // The SQLite database too: a fixed page size, no journal, no time stamp, `VACUUM`ed.
    assert!(one["data/routes.sqlite"].starts_with(b"SQLite format 3\0"));
    assert!(one.contains_key("metadata.json"));
    for (name, bytes) in &one {
        assert!(two.get(name) == Some(bytes), "`{name}` differs between two builds");
    }
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());

    // `SOURCE_DATE_EPOCH` sets the release date; the bytes stay reproducible.
    for out in ["three", "four"] {
        let status = run(d.publish("1.0.0", out).env("SOURCE_DATE_EPOCH", "1767225600")).status;
        assert_eq!(status.code(), Some(0));
    }
    let three = files(&d.path().join("three/routes-1.0.0"));
    assert_eq!(three, files(&d.path().join("four/routes-1.0.0")));
    let citation = String::from_utf8_lossy(&three["CITATION.cff"]).into_owned();
    assert!(citation.contains("date-released: \"2026-01-01\""), "{citation}");
    assert_ne!(three["datapackage.json"], one["datapackage.json"]);
    assert_eq!(three["data/routes.parquet"], one["data/routes.parquet"]);
    assert_eq!(three["data/routes.sqlite"], one["data/routes.sqlite"]);
}

#[test]
fn a_published_version_is_never_rewritten() {
    let d = three_routes();
    assert_eq!(run(&mut d.publish("1.0.0", "dist")).status.code(), Some(0));
    let before = files(&d.path().join("dist/routes-1.0.0"));
    d.write(&record("kz/delta-visa", "Delta visa"));
    let out = run(&mut d.publish("1.0.0", "dist"));
    insta::assert_snapshot!(d.transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: release `dist/routes-1.0.0` already exists
      hint: a published version is never rewritten: publish the changes as a new version (such as the next patch)
    ");
    assert_eq!(files(&d.path().join("dist/routes-1.0.0")), before);
    assert_eq!(names(&d.path().join("dist")), ["routes-1.0.0"]);
}

/// An interruption at any point (after 1 file, midway, after the last file
/// but before the rename) leaves neither a release nor a staging folder.
#[test]
fn an_interrupted_publish_leaves_nothing() {
    let d = three_routes();
    for n in ["1", "8", "16"] {
        let out = run(d.publish("1.0.0", "dist").env("ROUTES_FAIL_AFTER_FILES", n));
        assert_eq!(out.status.code(), Some(2), "{}", d.transcript(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!("error: publishing interrupted after {n} files")),
            "{stderr}"
        );
        assert_eq!(names(&d.path().join("dist")), Vec::<String>::new(), "after {n} files");
    }
    // An earlier release in the same folder is untouched by a failed one.
    assert_eq!(run(&mut d.publish("1.0.0", "dist")).status.code(), Some(0));
    let before = files(&d.path().join("dist/routes-1.0.0"));
    let out = run(d.publish("1.1.0", "dist").env("ROUTES_FAIL_AFTER_FILES", "5"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(names(&d.path().join("dist")), ["routes-1.0.0"]);
    assert_eq!(files(&d.path().join("dist/routes-1.0.0")), before);
}

#[test]
fn a_bad_version_exits_2() {
    let d = three_routes();
    let out = run(&mut d.publish("1.0", "dist"));
    insta::assert_snapshot!(d.transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: `1.0` is not a SemVer version
      caused by: unexpected end of input while parsing minor version number
      hint: give a SemVer version `MAJOR.MINOR.PATCH`, such as `1.0.0` or `1.1.0-rc.1`
    ");
    let out = run(&mut d.publish("1.0.0+build.7", "dist"));
    insta::assert_snapshot!(d.transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: `1.0.0+build.7` carries build metadata (`+build.7`), which SemVer ignores when ordering versions
      hint: give a SemVer version `MAJOR.MINOR.PATCH`, such as `1.0.0` or `1.1.0-rc.1`
    ");
    for bad in ["v1.0.0", "01.0.0", "latest", ""] {
        assert_eq!(run(&mut d.publish(bad, "dist")).status.code(), Some(2), "`{bad}`");
    }
    assert!(!d.path().join("dist").exists());
}

#[test]
fn data_with_errors_is_refused_with_the_findings() {
    let d = three_routes();
    let mut bad = record("kz/beta-visa", "Beta visa");
    bad["category"] = json!("tourism");
    d.write(&bad);
    let out = run(&mut d.publish("1.0.0", "dist"));
    assert_eq!(out.status.code(), Some(1), "{}", d.transcript(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("schema/enum"), "{stderr}");
    assert!(stderr.contains("`tourism` is not an allowed value"), "{stderr}");
    assert!(
        stderr
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("refused to publish routes-1.0.0: the dataset has 1 error, ")),
        "{stderr}"
    );
    assert!(
        !d.path().join("dist").exists(),
        "nothing is written when the data has errors"
    );
}

#[test]
fn an_unusable_output_folder_exits_2() {
    let d = three_routes();
    fs_err::write(d.path().join("taken"), "a file, not a folder").expect("write");
    let out = run(&mut d.publish("1.0.0", "taken"));
    insta::assert_snapshot!(d.transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: cannot create the output folder `taken`
      caused by: it is a regular file, not a folder
      hint: check that the output folder is writable and has space, or choose another with `--out DIR`; nothing was published
    ");
    let out = run(&mut d.publish("1.0.0", "taken/dist"));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_dataset_exits_2() {
    let d = Dataset::new();
    let out = run(routes(d.path()).args(["publish", "--version", "1.0.0", "--dataset", "nowhere"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: cannot read `nowhere`"), "{stderr}");
    assert!(
        stderr.contains("hint: give the dataset folder with `--dataset DIR`"),
        "{stderr}"
    );
    assert!(!d.path().join("dist").exists());
}

/// Three routes published as 1.0.0, then one removed (`kz/beta-visa`), one
/// added (`kz/delta-visa`) and one changed (`kz/alpha-visa`: renamed, an
/// amount changed, a code and a requirement added before the others), and
/// published as 1.1.0 (its output returned).
pub(crate) fn two_releases() -> (Dataset, std::process::Output) {
    let d = three_routes();
    assert_eq!(run(&mut d.publish("1.0.0", "dist")).status.code(), Some(0));

    d.remove("kz/beta-visa");
    d.write(&record("kz/delta-visa", "Delta visa"));
    let mut alpha = record("kz/alpha-visa", "Alpha visa (renamed)");
    alpha["requirements"][0]["money"]["amount"] = json!(2000.5);
    alpha["codes"] = json!(["A1"]);
    alpha["requirements"].as_array_mut().expect("list").insert(
        0,
        json!({
            "id": "age",
            "kind": "age",
            "description": "At least 16 | adult.",
            "required": "yes",
            "range": { "min": 16.0, "max": null, "unit": "years" },
            "evidence": [{ "source": "example-source" }]
        }),
    );
    d.write(&alpha);

    let out = run(&mut d.publish("1.1.0", "dist"));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    (d, out)
}

#[test]
fn the_changelog_lists_added_removed_and_changed_routes() {
    let (d, out) = two_releases();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.ends_with("(changelog against 1.0.0)\n"), "{stderr}");
    let changelog = fs_err::read_to_string(d.path().join("dist/routes-1.1.0/CHANGELOG.md")).expect("changelog");
    insta::assert_snapshot!(changelog);

    // A patch of the older line compares with the highest lower version.
    let out = run(&mut d.publish("1.0.1", "dist"));
    assert_eq!(out.status.code(), Some(0));
    let patch = fs_err::read_to_string(d.path().join("dist/routes-1.0.1/CHANGELOG.md")).expect("changelog");
    assert!(
        patch.contains("## 1.0.1 (2026-11-25)\n\nCompared with 1.0.0: 1 added, 1 removed, 1 changed, 1 unchanged;")
    );
}

/// The bundled dataset plus a Namibian route (`NA`), published and checked
/// with the real readers: `sha256sum`, frictionless, DuckDB, pandas,
/// cffconvert, and the card's snippets (`tests/readers/check_release.py`).
/// The venvs come from `bash tests/readers/setup.sh`; without them this test
/// fails rather than skips.
#[test]
fn real_readers_accept_the_release() {
    let python = std::env::var_os("ROUTES_READERS_PYTHON")
        .map_or_else(|| root().join("target/readers-venv/bin/python"), PathBuf::from);
    let bin = python.parent().expect("venv bin").to_path_buf();
    let cffconvert = std::env::var_os("ROUTES_CFFCONVERT")
        .map_or_else(|| root().join("target/cff-venv/bin/cffconvert"), PathBuf::from);
    for tool in [&python, &bin.join("frictionless"), &cffconvert] {
        assert!(
            tool.is_file(),
            "`{}` is missing: run `bash tests/readers/setup.sh` (or set ROUTES_READERS_PYTHON / ROUTES_CFFCONVERT)",
            tool.display()
        );
    }

    let d = Dataset::bundled();
    let mut namibia = record("na/work-visa", "Work visa");
    namibia["sources"][0]["url"] = json!("https://www.gov.na/");
    d.write(&namibia);
    let out = run(&mut d.publish("1.0.0", "dist"));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    let release = d.path().join("dist/routes-1.0.0");

    let check = |cmd: &mut Command, what: &str| {
        let out = cmd.current_dir(&release).output().expect(what);
        assert!(
            out.status.success(),
            "{what} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    check(
        Command::new("sha256sum").args(["--check", "--strict", "SHA256SUMS"]),
        "sha256sum --check",
    );
    check(
        Command::new(bin.join("frictionless")).args(["validate", "datapackage.json"]),
        "frictionless validate",
    );
    check(
        Command::new(&cffconvert).args(["--validate", "-i", "CITATION.cff"]),
        "cffconvert --validate",
    );
    check(
        Command::new(&python)
            .arg(root().join("tests/readers/check_release.py"))
            .arg(&release)
            .arg("--cffconvert")
            .arg(&cffconvert)
            .args(["--expect-country", "NA", "--expect-country", "KZ"]),
        "tests/readers/check_release.py",
    );
}

/// The dataset's `ABOUT.md` goes into the card; one that leads out of the
/// dataset is refused and nothing is published.
#[test]
fn an_about_file_that_leaves_the_dataset_is_refused() {
    let d = three_routes();
    let outside = tempfile::tempdir().expect("tmp");
    fs_err::write(outside.path().join("secret.md"), "not the dataset's").expect("write");
    std::os::unix::fs::symlink(outside.path().join("secret.md"), d.dataset().join("ABOUT.md")).expect("link");
    let out = run(&mut d.publish("1.0.0", "dist"));
    assert_eq!(out.status.code(), Some(2), "{}", d.transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ABOUT.md`: `ABOUT.md` leaves the dataset folder"),
        "{stderr}"
    );
    assert!(!d.path().join("dist/routes-1.0.0").exists());
}

/// Every scalar of a route in `routes.jsonl` (a string, a number, a yes/no)
/// is a cell of a published table for that route: no fact is left inside the
/// nested records only. Read back from the CSV tables with the `csv` crate.
#[test]
fn every_scalar_of_a_record_is_a_cell_of_the_tables() {
    use std::collections::{BTreeMap, BTreeSet};

    /// A value as the tables and the records can both write it.
    fn norm(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => n.as_f64().map(|f| format!("{f}")),
            Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }
    fn scalars(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    scalars(v, &format!("{at}/{k}"), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    scalars(v, &format!("{at}/{i}"), out);
                }
            }
            v => out.extend(norm(v).map(|s| (at.to_owned(), s))),
        }
    }

    let d = Dataset::bundled();
    let out = run(&mut d.publish("1.0.0", "dist"));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    let data = d.path().join("dist/routes-1.0.0/data");
    // Every cell of every table, by route.
    let mut cells: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut tables = 0;
    for entry in fs_err::read_dir(&data).expect("data folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path).expect("csv");
        let headers = reader.headers().expect("header").clone();
        // `dictionary.csv` describes the tables and the reference tables are
        // by country, index or group; every other table is by route.
        let Some(route_col) = headers.iter().position(|h| h == "route_id") else {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            assert!(
                [
                    "dictionary",
                    "reference_sources",
                    "index_values",
                    "wages",
                    "exchange_rates",
                    "groups",
                    "group_members"
                ]
                .contains(&stem),
                "{} has no route_id",
                path.display()
            );
            continue;
        };
        tables += 1;
        for row in reader.records() {
            let row = row.expect("csv row");
            let set = cells.entry(row[route_col].to_owned()).or_default();
            for cell in &row {
                // Lists are JSON arrays; numbers are compared as numbers.
                if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(cell) {
                    set.extend(items.iter().filter_map(norm));
                } else if let Ok(f) = cell.parse::<f64>() {
                    set.insert(format!("{f}"));
                } else {
                    set.insert(cell.to_owned());
                }
            }
        }
    }
    assert!(tables >= 15, "only {tables} tables");
    let jsonl = fs_err::read_to_string(data.join("routes.jsonl")).expect("routes.jsonl");
    let mut missing = Vec::new();
    let mut checked = 0;
    for line in jsonl.lines() {
        let record: Value = serde_json::from_str(line).expect("record");
        let id = record["id"].as_str().expect("id").to_owned();
        let mut found = Vec::new();
        scalars(&record, "", &mut found);
        let set = cells.get(&id).cloned().unwrap_or_default();
        for (pointer, value) in found {
            if pointer == "/schema_version" {
                continue;
            }
            checked += 1;
            if !set.contains(&value) {
                missing.push(format!("{id}{pointer} = {value:?}"));
            }
        }
    }
    assert!(checked > 5000, "only {checked} values checked");
    assert!(
        missing.is_empty(),
        "{} values in no table: {:#?}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
}

/// Money a researcher can compare: index-linked amounts resolved with the
/// reference data's value of their year, per-month figures, and euros only at
/// a sourced rate of `reference/rates.json` (never a rate without a source).
#[test]
fn money_rows_are_normalised_with_sourced_values_only() {
    use sha2::{Digest, Sha256};

    let d = Dataset::bundled();
    let snapshot = "routes-snapshot-version: 1\nurl: https://rates.example.org/2024-11-15\ncopy: full\n\
                    taken-from: written for this test\npage-date: unknown\nseen: 2026-11-25\n\n\
                    1 USD = 0.8718 EUR on 15 November 2024.\n";
    fs_err::write(d.dataset().join("snapshots/test-rates.txt"), snapshot).expect("snapshot");
    let sha = Sha256::digest(snapshot.as_bytes())
        .iter()
        .fold(String::new(), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        });
    let rates = serde_json::json!({
        "reference_version": 2,
        "sources": [{"id": "test-rates", "url": "https://rates.example.org/2024-11-15", "title": "Rates for a test",
                     "tier": "third_party", "seen": "2026-11-25",
                     "snapshot": {"path": "snapshots/test-rates.txt", "sha256": sha}}],
        "rates": [{"from": "USD", "to": "EUR", "rate": 0.8718, "date": "2024-11-15", "sources": ["test-rates"],
                   "excerpt": "1 USD = 0.8718 EUR on 15 November 2024."}]
    });
    fs_err::write(d.dataset().join("reference/rates.json"), rates.to_string()).expect("rates");
    let out = run(&mut d.publish("1.0.0", "dist"));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    let mut reader = csv::Reader::from_path(d.path().join("dist/routes-1.0.0/data/requirements.csv")).expect("csv");
    let headers = reader.headers().expect("header").clone();
    let rows: Vec<std::collections::HashMap<String, String>> = reader
        .records()
        .map(|r| {
            headers
                .iter()
                .map(str::to_owned)
                .zip(r.expect("row").iter().map(str::to_owned))
                .collect()
        })
        .collect();
    let row = |route: &str, id: &str| {
        rows.iter()
            .find(|r| r["route_id"] == route && r["requirement_id"] == id)
            .unwrap_or_else(|| panic!("no row {route} {id}"))
            .clone()
    };
    // A dollar threshold (in force from 2024-11-17), in euros at the sourced rate of a day
    // within a year of it, with its day and source.
    let nomad = row("kz/neo-nomad-visa-b12-1", "min-income");
    assert_eq!(nomad["amount_eur"].parse::<f64>().expect("euros"), 3000.0 * 0.8718);
    assert_eq!(nomad["eur_rate_date"], "2024-11-15");
    assert_eq!(nomad["eur_rate_sources"], r#"["test-rates"]"#);
    assert_eq!(nomad["amount_per_month"], "3000.0");
    // An index-linked threshold: multiplier × the index value of its year, per month, in euros.
    let d8 = row("pt/remote-work-visa-d8", "min-income");
    assert_eq!(d8["index_value"], "920.0");
    assert_eq!(d8["index_amount"], "3680.0");
    assert_eq!(d8["amount_eur"], "3680.0");
    assert!(!d8["index_value_sources"].is_empty() && d8["index_value_sources"] != "[]");
    // No rate for yen: no euros, rather than a guess.
    let japan = row("jp/designated-activities-digital-nomad", "min-annual-income");
    assert_eq!(japan["amount_eur"], "");
    assert_eq!(
        japan["amount_per_month"].parse::<f64>().expect("per month"),
        10_000_000.0 / 12.0
    );
    // An index-linked amount with no year gets no value: the year is not guessed.
    let blue = row("de/eu-blue-card", "min-salary-before-2023");
    assert_eq!((blue["index_value"].as_str(), blue["amount_eur"].as_str()), ("", ""));
}
