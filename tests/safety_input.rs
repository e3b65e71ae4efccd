//! Reading only what it should: paths that leave the dataset, special files,
//! duplicate keys, control characters, numbers the model cannot hold, and
//! memory that stays bounded on bad data. Each test runs the real binary.

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;

use crate::util::{minimal_record, routes, run, temp_dataset, write_record};

/// The JSON findings of a run, one value per line of stdout.
fn findings(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// The findings with this code.
fn with_code<'a>(all: &'a [serde_json::Value], code: &str) -> Vec<&'a serde_json::Value> {
    all.iter().filter(|f| f["code"] == code).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    sha2::Sha256::digest(bytes).iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// A record whose source has a snapshot at `path` with `sha256`, and whose
/// nationality claim quotes `excerpt` from it.
fn record_with_snapshot(id: &str, path: &str, sha256: &str, excerpt: &str) -> serde_json::Value {
    let mut record = minimal_record(id);
    record["sources"][0]["snapshot"] = serde_json::json!({ "path": path, "sha256": sha256 });
    record["eligibility"]["nationality"]["evidence"][0]["excerpt"] = serde_json::json!(excerpt);
    record
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn snapshot_paths_that_leave_the_dataset_are_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = b"all who may apply: the secret words of a file outside\n";
    fs_err::write(outside.path().join("secret.txt"), secret).expect("write");
    let dir = temp_dataset();
    fs_err::create_dir_all(dir.path().join("snapshots")).expect("mkdir");
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), dir.path().join("snapshots/link.txt"))
        .expect("symlink");
    let hash = sha256_hex(secret);
    // `..` climbing out, and a link inside that points out: both with the
    // right hash and an excerpt that is in the outside file.
    let climbing = format!(
        "snapshots/../../{}/secret.txt",
        outside.path().file_name().expect("name").to_string_lossy()
    );
    let cases = [("kz/climb", climbing.as_str()), ("kz/link", "snapshots/link.txt")];
    for (id, path) in cases {
        let slug = id.trim_start_matches("kz/");
        write_record(
            &dir.path().join(format!("kz/{slug}.json")),
            &record_with_snapshot(id, path, &hash, "the secret words"),
        );
    }
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let all = findings(&out.stdout);
    let refused = with_code(&all, "input/outside-dataset");
    assert_eq!(refused.len(), 2, "{all:#?}");
    for f in refused {
        assert_eq!(f["pointer"], "/sources/0/snapshot/path");
        assert!(
            f["message"]
                .as_str()
                .expect("message")
                .contains("leaves the dataset folder")
        );
    }
    // Nothing was checked against the refused snapshot, and none of it quoted.
    assert!(
        with_code(&all, "quality/excerpt-not-in-snapshot").is_empty(),
        "{all:#?}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("secret words of a file"));
}

#[cfg(unix)]
#[test]
fn snapshots_that_are_fifos_or_devices_are_refused_without_blocking() {
    let dir = temp_dataset();
    fs_err::create_dir_all(dir.path().join("snapshots")).expect("mkdir");
    mkfifo(&dir.path().join("snapshots/page.txt"));
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("snapshots/zero.txt")).expect("symlink");
    let hash = "0".repeat(64);
    write_record(
        &dir.path().join("kz/fifo.json"),
        &record_with_snapshot("kz/fifo", "snapshots/page.txt", &hash, "who may apply"),
    );
    write_record(
        &dir.path().join("kz/zero.json"),
        &record_with_snapshot("kz/zero", "snapshots/zero.txt", &hash, "who may apply"),
    );
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
    assert_eq!(out.status.code(), Some(1));
    let all = findings(&out.stdout);
    let fifo = with_code(&all, "input/not-a-file");
    assert_eq!(fifo.len(), 1, "{all:#?}");
    assert_eq!(fifo[0]["file"], "./kz/fifo.json");
    assert!(fifo[0]["message"].as_str().expect("message").contains("is a FIFO"));
    // `/dev/zero` lies outside the dataset: refused before its type matters.
    let zero = with_code(&all, "input/outside-dataset");
    assert_eq!(zero.len(), 1, "{all:#?}");
    assert_eq!(zero[0]["file"], "./kz/zero.json");
    assert_eq!(zero[0]["pointer"], "/sources/0/snapshot/path");
}

#[cfg(unix)]
#[test]
fn special_files_given_or_found_are_findings() {
    let dir = temp_dataset();
    write_record(&dir.path().join("kz/ok.json"), &minimal_record("kz/ok"));
    mkfifo(&dir.path().join("kz/pipe.json"));
    mkfifo(&dir.path().join("given.jsonl"));
    // A FIFO inside a folder: a finding, and the good record is still read.
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "kz"]));
    assert_eq!(out.status.code(), Some(1));
    let all = findings(&out.stdout);
    let found = with_code(&all, "input/not-a-file");
    assert_eq!(found.len(), 1, "{all:#?}");
    assert_eq!(found[0]["file"], "kz/pipe.json");
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked 1 record in 1 file"));
    // A FIFO, and standard input as a device, given on the command line.
    for given in ["given.jsonl", "/dev/stdin"] {
        let out = run(routes(dir.path())
            .args(["validate", "--format", "json", given])
            .stdin(Stdio::null()));
        assert_eq!(
            out.status.code(),
            Some(1),
            "{given}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let all = findings(&out.stdout);
        assert_eq!(with_code(&all, "input/not-a-file").len(), 1, "{given}: {all:#?}");
        assert!(all[0]["hint"].as_str().expect("hint").contains("give `-`"));
    }
}

#[cfg(unix)]
#[test]
fn links_to_records_outside_the_dataset_are_not_followed() {
    let outside = tempfile::tempdir().expect("tempdir");
    fs_err::create_dir_all(outside.path().join("kz")).expect("mkdir");
    fs_err::write(
        outside.path().join("kz/private.json"),
        "{\"private\": \"line of someone else's file\"}\n",
    )
    .expect("write");
    let dir = temp_dataset();
    write_record(&dir.path().join("kz/ok.json"), &minimal_record("kz/ok"));
    std::os::unix::fs::symlink(
        outside.path().join("kz/private.json"),
        dir.path().join("kz/private.json"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(outside.path().join("kz"), dir.path().join("elsewhere")).expect("symlink");
    // A link that stays inside is followed.
    std::os::unix::fs::symlink("ok.json", dir.path().join("kz/alias.json")).expect("symlink");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("someone else"), "{stdout}");
    let all = findings(&out.stdout);
    let refused: Vec<&str> = with_code(&all, "input/outside-dataset")
        .iter()
        .map(|f| f["file"].as_str().expect("file"))
        .collect();
    assert_eq!(refused, ["./elsewhere", "./kz/private.json"], "{all:#?}");
    // ok.json and its alias (which has the wrong id for its path).
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked 2 records in 2 files"));
}

#[test]
fn records_can_come_from_standard_input() {
    let dir = temp_dataset();
    let good = serde_json::to_string(&minimal_record("kz/one")).expect("json");
    let mut bad = minimal_record("kz/two");
    bad["category"] = serde_json::json!("tourism");
    let bad = serde_json::to_string(&bad).expect("json");
    let stdin_run = |input: String, args: &[&str]| {
        let mut child = routes(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    };
    // JSON Lines.
    let out = stdin_run(format!("{good}\n{bad}\n"), &["validate", "--format", "json", "-"]);
    assert_eq!(out.status.code(), Some(1));
    let all = findings(&out.stdout);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["file"], "<stdin>");
    assert_eq!(all[0]["line"], 2);
    assert_eq!(all[0]["code"], "schema/enum");
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked 2 records in 1 file"));
    // One pretty-printed document (no id-path rule: standard input has no path).
    let pretty = serde_json::to_string_pretty(&minimal_record("kz/three")).expect("json");
    let out = stdin_run(pretty, &["validate", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked 1 record in 1 file"));
    // `-` stands alone.
    let out = stdin_run(String::new(), &["validate", "-", "kz"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be combined with other paths"));
}

#[test]
fn duplicate_keys_are_findings_at_the_second_key() {
    let dir = temp_dataset();
    let text = format!(
        "{{\n{}\n}}\n",
        [
            r#"  "schema_version": 1, "id": "kz/twice", "country": "KZ","#,
            r#"  "name": "Twice", "category": "other","#,
            r#"  "status": "closed","#,
            r#"  "status": "active","#,
            r#"  "\u006eame": "Escaped","#,
            r#"  "eligibility": {"nationality": {"scope": "all", "scope": "all", "evidence": [{"source": "s", "locator": "x"}]}},"#,
            r#"  "requirements": [], "documents": [], "application": {}, "legal_basis": [],"#,
            r#"  "duration": {"leads_to_permanent_residence": {"value": "unknown"}, "leads_to_citizenship": {"value": "unknown"}},"#,
            r#"  "sources": [{"id": "s", "url": "https://www.gov.kz/", "title": "T", "tier": "official", "language": "en", "translation": "original", "seen": "2026-11-25"}],"#,
            r#"  "last_verified": "2026-11-25", "review_status": "unverified""#,
        ]
        .join("\n")
    );
    fs_err::write(dir.path().join("kz/twice.json"), &text).expect("write");
    // The same record on one line of a JSON Lines file.
    let one_line: String = text.lines().collect::<Vec<_>>().join(" ");
    fs_err::write(
        dir.path().join("more.jsonl"),
        format!("{}\n", one_line.replace("kz/twice", "kz/again")),
    )
    .expect("write");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "kz/twice.json"]));
    assert_eq!(out.status.code(), Some(1));
    let all = findings(&out.stdout);
    let dups = with_code(&all, "json/duplicate-key");
    let places: Vec<(u64, &str)> = dups
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().expect("line"),
                f["pointer"].as_str().expect("pointer"),
            )
        })
        .collect();
    assert_eq!(
        places,
        [(5, "/status"), (6, "/name"), (7, "/eligibility/nationality/scope")],
        "{all:#?}"
    );
    let messages: Vec<&str> = dups.iter().map(|f| f["message"].as_str().expect("message")).collect();
    assert!(
        messages[0].contains("`status`") && messages[0].contains("line 4"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("`name`") && messages[1].contains("line 3"),
        "{messages:?}"
    );
    assert_eq!(dups[0]["column"], 3);
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "more.jsonl"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(with_code(&findings(&out.stdout), "json/duplicate-key").len(), 3);
    // No setting hides it.
    fs_err::write(
        dir.path().join("routes.toml"),
        "config_version = 1\n\n[severity]\n\"json/duplicate-key\" = \"warning\"\n",
    )
    .expect("write");
    let out = run(routes(dir.path()).args(["validate", "kz"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("routes.toml`:4:2") && stderr.contains("cannot be changed"),
        "{stderr}"
    );
}

#[test]
fn a_finding_carries_a_bounded_amount_of_its_value() {
    let dir = temp_dataset();
    let huge = "x".repeat(1024 * 1024);
    let mut record = minimal_record("kz/huge");
    // Over `maxLength` (the message of jsonschema quotes the value), and not
    // an allowed value either (the enum message quotes it too).
    record["name"] = serde_json::json!(huge);
    record["category"] = serde_json::json!(huge);
    write_record(&dir.path().join("kz/huge.json"), &record);
    let mut line = minimal_record("kz/line");
    line["name"] = serde_json::json!(huge);
    fs_err::write(
        dir.path().join("one.jsonl"),
        format!("{}\n", serde_json::to_string(&line).expect("json")),
    )
    .expect("write");
    for path in ["kz/huge.json", "one.jsonl"] {
        let json = run(routes(dir.path()).args(["validate", "--format", "json", path]));
        assert_eq!(json.status.code(), Some(1));
        let all = findings(&json.stdout);
        assert!(!all.is_empty());
        for line in String::from_utf8_lossy(&json.stdout).lines() {
            assert!(line.len() < 2000, "{path}: a finding of {} bytes", line.len());
        }
        // A message that quotes the value cuts it (the enum's); the length's
        // says how long the value is instead of quoting it.
        let quoted = |f: &serde_json::Value| f["message"].as_str().is_some_and(|m| m.ends_with('…'));
        let measured = |f: &serde_json::Value| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains("1048576 characters long"))
        };
        assert!(all.iter().any(measured), "{all:#?}");
        if path == "kz/huge.json" {
            assert!(all.iter().any(quoted), "{all:#?}");
        }
        let human = run(routes(dir.path()).args(["validate", path]));
        assert_eq!(human.status.code(), Some(1));
        let per_finding = human.stderr.len() / all.len();
        assert!(per_finding < 4000, "{path}: {per_finding} bytes of output per finding");
    }
}

#[test]
fn a_record_that_cannot_be_typed_is_an_error_whatever_the_settings() {
    let dir = temp_dataset();
    let mut bad = minimal_record("kz/bad");
    bad["category"] = serde_json::json!("tourism");
    write_record(&dir.path().join("kz/bad.json"), &bad);
    write_record(&dir.path().join("kz/good.json"), &minimal_record("kz/good"));
    for level in ["off", "warning"] {
        fs_err::write(
            dir.path().join("routes.toml"),
            format!("config_version = 1\n\n[severity]\n\"schema/<keyword>\" = \"{level}\"\n"),
        )
        .expect("write");
        let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
        assert_eq!(out.status.code(), Some(1), "{level}");
        let all = findings(&out.stdout);
        let untyped = with_code(&all, "record/untyped");
        assert_eq!(untyped.len(), 1, "{level}: {all:#?}");
        assert_eq!(untyped[0]["file"], "./kz/bad.json");
        assert_eq!(untyped[0]["severity"], "error");
        assert_eq!(with_code(&all, "schema/enum").len(), usize::from(level == "warning"));
        // And so publish refuses instead of leaving the record out.
        let dist = tempfile::tempdir().expect("temp dir");
        let out = run(routes(dir.path())
            .args(["publish", "--version", "1.0.0", "--dataset", "."])
            .arg("--out")
            .arg(dist.path()));
        assert_eq!(
            out.status.code(),
            Some(1),
            "{level}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!dist.path().join("routes-1.0.0").exists());
    }
    // Codes that mean a record was not read cannot be set at all.
    for code in ["json/syntax", "record/untyped", "input/not-utf8"] {
        fs_err::write(
            dir.path().join("routes.toml"),
            format!("config_version = 1\n[severity]\n\"{code}\" = \"off\"\n"),
        )
        .expect("write");
        let out = run(routes(dir.path()).args(["validate", "."]));
        assert_eq!(out.status.code(), Some(2), "{code}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("routes.toml`:3:2"), "{code}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn reference_data_stays_inside_the_dataset() {
    let outside = tempfile::tempdir().expect("tempdir");
    fs_err::write(outside.path().join("kz.json"), "{\"someone else's\": \n \"file\"}\n").expect("write");
    let dir = temp_dataset();
    write_record(&dir.path().join("kz/ok.json"), &minimal_record("kz/ok"));
    // A `reference` that climbs out is a broken config, naming its line.
    fs_err::write(
        dir.path().join("routes.toml"),
        "config_version = 1\nreference = \"../elsewhere\"\n",
    )
    .expect("write");
    let out = run(routes(dir.path()).args(["validate", "."]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("routes.toml`:2:1") && stderr.contains("leaves the dataset folder"),
        "{stderr}"
    );
    // A reference file that links out is not read (its lines are not quoted).
    fs_err::create_dir_all(dir.path().join("reference")).expect("mkdir");
    std::os::unix::fs::symlink(outside.path().join("kz.json"), dir.path().join("reference/kz.json")).expect("symlink");
    fs_err::write(dir.path().join("routes.toml"), "config_version = 1\n").expect("write");
    let out = run(routes(dir.path()).args(["validate", "--format", "json", "."]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("someone else"), "{stdout}");
    let all = findings(&out.stdout);
    let refused = with_code(&all, "reference/invalid");
    assert_eq!(refused.len(), 1, "{all:#?}");
    assert!(
        refused[0]["message"]
            .as_str()
            .expect("message")
            .contains("leaves the dataset folder")
    );
    // A whole reference folder that links out is refused too.
    fs_err::remove_dir_all(dir.path().join("reference")).expect("rm");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("reference")).expect("symlink");
    let out = run(routes(dir.path()).args(["validate", "."]));
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

#[cfg(unix)]
#[test]
fn a_config_that_is_a_fifo_is_refused_without_blocking() {
    let dir = temp_dataset();
    write_record(&dir.path().join("kz/ok.json"), &minimal_record("kz/ok"));
    mkfifo(&dir.path().join("settings.toml"));
    let out = run(routes(dir.path()).args(["validate", "--config", "settings.toml", "."]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a FIFO"));
}
