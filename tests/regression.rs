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
