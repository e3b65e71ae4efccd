//! `routes publish --partition-by country`: hive-style Parquet partitions of
//! every table of routes, read back with the real engines.

use std::path::PathBuf;
use std::process::Command;

use serde_json::json;

use crate::publish::{Dataset, files, record};
use crate::util::{root, routes, run, transcript};

fn python() -> PathBuf {
    crate::util::readers_python()
}

/// Routes of Kazakhstan, Namibia (`NA`, which a careless reader takes for a
/// missing value) and Norway (`NO`, which YAML-minded ones take for false).
fn three_countries() -> Dataset {
    let d = Dataset::new();
    d.write(&record("kz/alpha-visa", "Alpha visa"));
    d.write(&record("kz/beta-visa", "Beta visa"));
    d.write(&record("na/work-visa", "Work visa"));
    d.write(&record("no/work-visa", "Work visa"));
    d
}

fn publish(d: &Dataset, out: &str, partitioned: bool) -> PathBuf {
    let mut cmd = d.publish("1.0.0", out);
    cmd.env("SOURCE_DATE_EPOCH", "1767225600");
    if partitioned {
        cmd.args(["--partition-by", "country"]);
    }
    let out_put = run(&mut cmd);
    assert_eq!(out_put.status.code(), Some(0), "{}", d.transcript(&out_put));
    d.path().join(out).join("routes-1.0.0")
}

/// The partitions are files added to the release: every other file but the
/// three that list the files (card, `datapackage.json`, `SHA256SUMS`) is
/// byte for byte the release without them, and a second run gives the same
/// bytes.
#[test]
fn partitions_add_files_and_change_no_other() {
    let d = three_countries();
    let plain = files(&publish(&d, "plain", false));
    let parted = files(&publish(&d, "parted", true));
    let again = files(&publish(&d, "again", true));
    assert_eq!(parted, again, "a partitioned release is reproducible");

    let added: Vec<&String> = parted.keys().filter(|k| !plain.contains_key(*k)).collect();
    let tables = [
        "amendments",
        "channels",
        "documents",
        "durations",
        "evidence",
        "exemptions",
        "fees",
        "legal_basis",
        "nationality",
        "notes",
        "processing_times",
        "related",
        "requirements",
        "routes",
        "sources",
    ];
    let expected: Vec<String> = tables
        .iter()
        .flat_map(|t| ["KZ", "NA", "NO"].map(|c| format!("data/by_country/{t}/country={c}/part-0.parquet")))
        .collect();
    assert_eq!(added, expected.iter().collect::<Vec<_>>());
    for (name, bytes) in &plain {
        if ["README.md", "datapackage.json", "SHA256SUMS"].contains(&name.as_str()) {
            assert_ne!(Some(bytes), parted.get(name), "{name} names the partitions");
        } else {
            assert_eq!(Some(bytes), parted.get(name), "{name} is the same with partitions");
        }
    }
    let sums = String::from_utf8_lossy(&parted["SHA256SUMS"]).into_owned();
    assert!(sums.contains("  data/by_country/fees/country=NA/part-0.parquet\n"));
    let card = String::from_utf8_lossy(&parted["README.md"]).into_owned();
    assert!(card.contains("| `data/by_country/<table>/country=<CC>/part-0.parquet` |"));
    assert!(
        card.contains("WHERE country = 'KZ'"),
        "the card's example names a country of the release"
    );
    let package: serde_json::Value = serde_json::from_slice(&parted["datapackage.json"]).expect("json");
    assert_eq!(
        package["routes:partitions"]["path"],
        json!("data/by_country/{table}/country={country}/part-0.parquet")
    );
    assert_eq!(
        package["routes:partitions"]["tables"].as_array().map(Vec::len),
        Some(15)
    );

    // The same values: `routes diff` between the two finds nothing.
    let out = run(routes(d.path()).args(["diff", "plain/routes-1.0.0", "parted/routes-1.0.0"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

/// DuckDB, polars and pyarrow read the partitions as the whole tables, with
/// `country` from the folder names, and a filter on `country` opens only its
/// folder (`tests/readers/check_partitions.py`); the card's snippets, the
/// partition ones included, run (`tests/readers/check_release.py`).
#[test]
fn engines_read_the_partitions_with_pruning() {
    let python = python();
    assert!(
        python.is_file(),
        "`{}` is missing: run `bash tests/readers/setup.sh` (or set ROUTES_READERS_PYTHON)",
        python.display()
    );
    let d = Dataset::bundled();
    d.write(&record("na/work-visa", "Work visa"));
    d.write(&record("no/work-visa", "Work visa"));
    let release = publish(&d, "dist", true);
    let countries: &[&str] = &["--expect-country", "NA", "--expect-country", "NO"];
    for (script, args) in [("check_partitions.py", &[][..]), ("check_release.py", countries)] {
        let out = Command::new(&python)
            .arg(root().join("tests/readers").join(script))
            .arg(&release)
            .args(args)
            .output()
            .expect(script);
        assert!(
            out.status.success(),
            "{script} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        if script == "check_partitions.py" {
            // 11 countries: the 9 of the bundled dataset, NA and NO.
            assert!(stdout.contains("ok   fees: 11 partitions,"), "{stdout}");
        }
    }
}

#[test]
fn an_unknown_partition_column_is_refused() {
    let d = three_countries();
    let out = run(d.publish("1.0.0", "dist").args(["--partition-by", "category"]));
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
    assert!(!d.path().join("dist").exists(), "nothing is written");
}
