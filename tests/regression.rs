//! One test per fixed bug, named after what broke.

use crate::util::{routes, run, temp_dataset};

/// A `*.jsonl` file of blank lines only was read as holding no problem at all;
/// it must be reported as empty.
#[test]
fn jsonl_with_blank_lines_only_is_empty() {
    let dir = temp_dataset();
    fs_err::write(dir.path().join("kz/blank.jsonl"), "\n\n  \n").expect("write");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "kz"]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"code\":\"input/empty\""), "{stdout}");
}

/// Two records with one id were also reported as a near-duplicate pair of a
/// route with itself (`kz/twice` and `kz/twice`); the duplicate id is the one
/// finding.
#[test]
fn duplicate_id_is_not_also_a_near_duplicate_of_itself() {
    let dir = temp_dataset();
    let record = crate::util::minimal_record("kz/twice");
    crate::util::write_record(&dir.path().join("kz/twice.json"), &record);
    fs_err::write(
        dir.path().join("more.jsonl"),
        format!("{}\n", serde_json::to_string(&record).expect("json")),
    )
    .expect("write");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("record/duplicate-id").count(), 1, "{stdout}");
    assert!(!stdout.contains("near-duplicate"), "{stdout}");
}

/// Cross-record findings are placed by reading their records again, counted
/// in reading order; a `*.json` file that holds no record (empty, not UTF-8)
/// must count the same both times, or a finding after it points into the
/// wrong record.
#[test]
fn cross_record_findings_after_a_file_without_record_point_at_their_own_record() {
    let dir = temp_dataset();
    crate::util::write_record(&dir.path().join("kz/a.json"), &crate::util::minimal_record("kz/a"));
    fs_err::write(dir.path().join("kz/b.json"), "").expect("write");
    fs_err::write(dir.path().join("kz/c.json"), b"{\"id\": \"kz/\xff\"}").expect("write");
    let mut linked = crate::util::minimal_record("kz/d");
    linked["related"] = serde_json::json!([{"id": "kz/missing", "relation": "alternative"}]);
    fs_err::write(
        dir.path().join("kz/d.jsonl"),
        format!("\n{}\n", serde_json::to_string(&linked).expect("json")),
    )
    .expect("write");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "kz"]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let dangling: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|d| d["code"] == "record/dangling-related")
        .collect();
    assert_eq!(dangling.len(), 1, "{stdout}");
    assert_eq!(dangling[0]["file"], "kz/d.jsonl", "{stdout}");
    assert_eq!(dangling[0]["line"], 2, "{stdout}");
    assert_eq!(dangling[0]["route"], "kz/d", "{stdout}");
}
