//! `routes diff OLD NEW` and the `changes` table of a release.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::publish::{Dataset, two_releases};
use crate::util::{root, routes, run, transcript};

fn python() -> PathBuf {
    crate::util::readers_python()
}

fn diff(dir: &Path, args: &[&str]) -> std::process::Output {
    run(routes(dir).arg("diff").args(args))
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn diff_prints_every_changed_value_and_exits_1() {
    let (d, _) = two_releases();
    let out = diff(d.path(), &["dist/routes-1.0.0", "dist/routes-1.1.0"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    insta::assert_snapshot!(stdout(&out));
    // 17 values of kz/alpha-visa (the snapshot above) and 39 of each whole route.
    assert_eq!(
        stderr(&out),
        "1.0.0 → 1.1.0: 95 values differ; 1 added, 1 removed, 1 changed, 1 unchanged\n"
    );

    // The same release twice: nothing on stdout, exit 0.
    let out = diff(d.path(), &["dist/routes-1.1.0", "dist/routes-1.1.0"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("1.1.0 and 1.1.0 hold the same values (0 added, 0 removed, 0 changed, 3 unchanged)"));
}

/// `--format csv` gives the rows of the newer release's `changes.csv`,
/// `--format json` the same changes as JSON Lines; reversed, every added
/// value is a removed one.
#[test]
fn diff_as_csv_and_json_is_the_changes_table() {
    let (d, _) = two_releases();
    let csv_out = diff(d.path(), &["--format", "csv", "dist/routes-1.0.0", "dist/routes-1.1.0"]);
    assert_eq!(csv_out.status.code(), Some(1), "{}", transcript(&csv_out));
    let read = |bytes: &[u8]| -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(|r| r.expect("csv record").iter().map(str::to_owned).collect())
            .collect()
    };
    let printed = read(&csv_out.stdout);
    let table = read(&fs_err::read(d.path().join("dist/routes-1.1.0/data/changes.csv")).expect("changes.csv"));
    assert!(printed.len() > 10, "{printed:?}");
    assert_eq!(printed, table);
    let amount: Vec<&Vec<String>> = printed
        .iter()
        .filter(|r| r[2] == "requirements" && r[5] == "amount" && r[6] == "changed")
        .collect();
    assert_eq!(amount.len(), 1, "{amount:?}");
    assert_eq!(
        &amount[0][1..],
        [
            "kz/alpha-visa",
            "requirements",
            "savings",
            "[\"kz/alpha-visa\",\"savings\"]",
            "amount",
            "changed",
            "1500",
            "2000.5"
        ]
    );

    let json_out = diff(
        d.path(),
        &["--format", "json", "dist/routes-1.0.0", "dist/routes-1.1.0"],
    );
    let lines: Vec<serde_json::Value> = stdout(&json_out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), printed.len());
    for (line, row) in lines.iter().zip(&printed) {
        assert_eq!(line["field"], json!(row[5]));
        assert_eq!(line["kind"], json!(row[6]));
    }

    let back = diff(
        d.path(),
        &["--format", "json", "dist/routes-1.1.0", "dist/routes-1.0.0"],
    );
    let reversed: Vec<serde_json::Value> = stdout(&back)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let count = |lines: &[serde_json::Value], kind: &str| lines.iter().filter(|l| l["kind"] == kind).count();
    assert_eq!(count(&lines, "added"), count(&reversed, "removed"));
    assert_eq!(count(&lines, "removed"), count(&reversed, "added"));
    assert_eq!(count(&lines, "changed"), count(&reversed, "changed"));
}

/// pyarrow, not routes, applies the changes table to the older release's
/// tables and must get the newer release's tables exactly: on the bundled
/// dataset with routes removed, added and edited in many tables.
#[test]
fn the_changes_table_turns_the_old_tables_into_the_new() {
    let d = Dataset::bundled();
    assert_eq!(run(&mut d.publish("1.0.0", "dist")).status.code(), Some(0));
    let routes_dir = d.dataset().join("routes");
    let edit = |id: &str, f: &dyn Fn(&mut serde_json::Value)| {
        let path = d.record_path(id);
        let mut value: serde_json::Value =
            serde_json::from_str(&fs_err::read_to_string(&path).expect("record")).expect("json");
        f(&mut value);
        fs_err::write(&path, serde_json::to_string_pretty(&value).expect("json")).expect("write");
    };
    edit("kz/temporary-residence-permit", &|r| {
        r["name"] = json!("Temporary residence permit (edited)");
        r["requirements"].as_array_mut().expect("list").remove(0);
    });
    edit("ee/digital-nomad-visa", &|r| {
        r["notes"] = json!([]);
        r["codes"] = json!(["D"]);
    });
    let removed = fs_err::read_dir(routes_dir.join("jp"))
        .expect("jp")
        .next()
        .expect("a route")
        .expect("entry");
    fs_err::remove_file(removed.path()).expect("remove");
    let out = run(&mut d.publish("1.1.0", "dist"));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    let out = run(Command::new(python())
        .arg(root().join("tests/readers/check_changes.py"))
        .arg(d.path().join("dist/routes-1.0.0"))
        .arg(d.path().join("dist/routes-1.1.0")));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(stdout(&out).starts_with("ok: "), "{}", stdout(&out));
    // The release with its changes passes frictionless too.
    let frictionless = python().parent().expect("venv bin").join("frictionless");
    let out = run(Command::new(frictionless)
        .args(["validate", "datapackage.json"])
        .current_dir(d.path().join("dist/routes-1.1.0")));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn diff_refuses_what_is_not_a_whole_release() {
    let (d, _) = two_releases();
    // Not a release.
    let out = diff(d.path(), &["dataset", "dist/routes-1.1.0"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(
        stderr(&out).contains("error: `dataset` is not a release"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("hint: give the folder of a release"),
        "{}",
        stderr(&out)
    );
    let out = diff(d.path(), &["no-such-folder", "dist/routes-1.1.0"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));

    // A table edited after publishing.
    let table = d.path().join("dist/routes-1.0.0/data/fees.parquet");
    let original = fs_err::read(&table).expect("table");
    fs_err::write(&table, [original.as_slice(), b"x"].concat()).expect("edit");
    let out = diff(d.path(), &["dist/routes-1.0.0", "dist/routes-1.1.0"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(
        stderr(&out).contains("`data/fees.parquet` does not match its SHA-256"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    fs_err::write(&table, &original).expect("restore");

    // A table that is a link out of the release is never read.
    let outside = d.path().join("outside.parquet");
    fs_err::write(&outside, &original).expect("outside copy");
    fs_err::remove_file(&table).expect("remove");
    std::os::unix::fs::symlink(&outside, &table).expect("link");
    let out = diff(d.path(), &["dist/routes-1.0.0", "dist/routes-1.1.0"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(stderr(&out).contains("is damaged"), "{}", stderr(&out));
    assert!(stderr(&out).contains("data/fees.parquet"), "{}", stderr(&out));
}
