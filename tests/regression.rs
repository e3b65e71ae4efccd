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
