//! `routes validate`, run as a user would.

use crate::util::{fixtures, minimal_record, root, routes, run, temp_dataset, transcript};

/// One snapshot per bad fixture: human output on stderr and JSON Lines on
/// stdout, with the exit code.
#[test]
fn invalid_fixtures() {
    // Not `insta::glob!`: its global state misfiles snapshots of tests that run
    // beside it, so the fixtures are listed here and named by suffix.
    let dir = fixtures("invalid");
    let mut names: Vec<String> = fs_err::read_dir(dir.join("kz"))
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 30, "fixtures missing: {names:?}");
    for name in names {
        let rel = format!("kz/{name}");
        let human = run(routes(&dir).args(["validate", &rel]));
        let json = run(routes(&dir).args(["validate", "--format", "json", &rel]));
        assert_eq!(human.status.code(), Some(1), "{rel} must exit 1");
        assert_eq!(json.status.code(), Some(1), "{rel} must exit 1");
        // Every JSON finding names the file and has the stable fields.
        for line in String::from_utf8_lossy(&json.stdout).lines() {
            let finding: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
            assert_eq!(finding["file"], rel.as_str());
            for field in ["line", "column", "pointer", "code", "severity", "message", "hint"] {
                assert!(finding.get(field).is_some(), "{rel}: field `{field}` missing in {line}");
            }
        }
        insta::with_settings!({ snapshot_suffix => name.clone(), input_file => dir.join(&rel) }, {
            insta::assert_snapshot!(format!(
                "{}\n===== --format json =====\n{}",
                transcript(&human),
                String::from_utf8_lossy(&json.stdout)
            ));
        });
    }
}

/// Every bad fixture that is not a problem of the bytes gives a line and column.
#[test]
fn findings_name_line_and_column() {
    let out = run(routes(&fixtures("invalid")).args(["validate", "--format", "json", "kz"]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    assert!(
        findings.len() >= 30,
        "expected a finding per fixture, got {}",
        findings.len()
    );
    for f in &findings {
        assert!(f["line"].as_u64().is_some_and(|l| l >= 1), "no line in {f}");
        assert!(f["column"].as_u64().is_some_and(|c| c >= 1), "no column in {f}");
    }
    // Sorted and deterministic: a second run prints the same bytes.
    let again = run(routes(&fixtures("invalid")).args(["validate", "--format", "json", "kz"]));
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn valid_fixtures_are_clean() {
    let out = run(routes(&fixtures("valid")).args(["validate", "."]));
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    checked 2 records in 2 files: no findings
    ");
}

#[test]
fn bundled_dataset_is_clean() {
    let out = run(routes(&root()).args(["validate", "--format", "json"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "no findings expected");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let records = crate::util::bundled_record_count();
    assert!(records >= 35, "{records} records");
    assert!(
        stderr.starts_with(&format!("checked {records} records in {records} files: no findings")),
        "{stderr}"
    );
}

#[test]
fn missing_path_is_a_tool_error() {
    let dir = temp_dataset();
    let out = run(routes(dir.path()).args(["validate", "no-such-folder"]));
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: cannot read `no-such-folder`
      caused by: No such file or directory (os error 2)
      hint: give a file or folder that exists; without arguments `routes validate` reads `dataset/` in the current folder
    ");
}

#[test]
fn default_path_is_dataset_in_the_current_folder() {
    let dir = temp_dataset();
    let out = run(routes(dir.path()).args(["validate"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `dataset`"));
}

#[test]
fn bad_flag_exits_2() {
    let out = run(routes(&root()).args(["validate", "--format", "xml"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'xml'"));
    let out = run(routes(&root()).args(["validate", "--no-such-flag"]));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_today_exits_2() {
    let out = run(routes(&root()).env("ROUTES_TODAY", "2026-13-01").args(["validate"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`2026-13-01` is not a valid date"));
}

#[test]
fn today_is_injectable() {
    // The same record is clean today and has a future date seen from 2026-01-01.
    let dir = temp_dataset();
    let record = minimal_record("kz/clock");
    crate::util::write_record(&dir.path().join("kz/clock.json"), &record);
    assert_eq!(run(routes(dir.path()).args(["validate", "kz"])).status.code(), Some(0));
    let out = run(routes(dir.path()).args(["validate", "--today", "2026-01-01", "--format", "json", "kz"]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("record/future-date").count(), 2, "{stdout}");
}

#[test]
fn duplicate_ids_across_files() {
    let dir = temp_dataset();
    let record = minimal_record("kz/twice");
    crate::util::write_record(&dir.path().join("kz/twice.json"), &record);
    fs_err::write(
        dir.path().join("more.jsonl"),
        format!("{}\n", serde_json::to_string(&record).expect("json")),
    )
    .expect("write");
    let out = run(routes(dir.path()).args(["validate", "."]));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn related_ids_resolve_across_files() {
    let dir = temp_dataset();
    let mut a = minimal_record("kz/a");
    a["related"] = serde_json::json!([{ "id": "kz/b", "relation": "leads_to" }]);
    crate::util::write_record(&dir.path().join("kz/a.json"), &a);
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("record/dangling-related"));
    crate::util::write_record(&dir.path().join("kz/b.json"), &minimal_record("kz/b"));
    let out = run(routes(dir.path()).args(["validate", "."]));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[cfg(unix)]
#[test]
fn symlink_loop_and_broken_link_are_findings() {
    let dir = temp_dataset();
    crate::util::write_record(&dir.path().join("kz/ok.json"), &minimal_record("kz/ok"));
    std::os::unix::fs::symlink("..", dir.path().join("kz/loop")).expect("symlink");
    std::os::unix::fs::symlink("missing.json", dir.path().join("kz/broken.json")).expect("symlink");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "kz"]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"code\":\"input/symlink-loop\""), "{stdout}");
    assert!(stdout.contains("\"code\":\"input/unreadable\""), "{stdout}");
    assert!(stdout.contains("kz/broken.json"), "{stdout}");
    // The good record was still read.
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked 1 record in 1 file"));
}

#[test]
fn oversized_file_is_a_finding() {
    let dir = temp_dataset();
    let big = format!("{{\"notes\": \"{}\"}}", "x".repeat(17 * 1024 * 1024));
    fs_err::write(dir.path().join("kz/big.json"), big).expect("write");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "kz"]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"code\":\"input/too-large\""), "{stdout}");
}

#[test]
fn large_jsonl_points_at_the_right_line() {
    let dir = temp_dataset();
    let mut text = String::new();
    for i in 0..3000 {
        let mut record = minimal_record(&format!("kz/route-{i}"));
        record["name"] = serde_json::json!(format!("Synthetic route {i}"));
        if i == 2718 {
            record["country"] = serde_json::json!("Kazakhstan");
        }
        text.push_str(&serde_json::to_string(&record).expect("json"));
        text.push('\n');
    }
    fs_err::write(dir.path().join("many.jsonl"), text).expect("write");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "many.jsonl"]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    assert_eq!(findings.len(), 1, "{stdout}");
    assert_eq!(findings[0]["line"], 2719);
    assert_eq!(findings[0]["pointer"], "/country");
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked 3000 records in 1 file"));
}

#[test]
fn json_output_goes_to_stdout_and_talk_to_stderr() {
    let out = run(routes(&fixtures("invalid")).args(["validate", "--format", "json", "--quiet", "kz/wrong-type.json"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let finding: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one object");
    insta::assert_json_snapshot!(finding, @r#"
    {
      "file": "kz/wrong-type.json",
      "line": 5,
      "column": 11,
      "route": "kz/wrong-type",
      "pointer": "/name",
      "code": "schema/type",
      "severity": "error",
      "message": "expected text (a JSON string), found the number `42`",
      "hint": "`name`: Short English name of the route"
    }
    "#);
}
