//! What `routes` prints: no raw control characters from data on a terminal,
//! and every output stream survives a closed pipe. Each test runs the real binary.

use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use crate::util::{copy_dir, fixtures, minimal_record, root, routes, run, temp_dataset, transcript, write_record};

/// A typed record whose texts hold ESC sequences (clear the screen, set the
/// window title), NUL, DEL, a C1 control, a bidirectional override, a tab, and
/// line feeds both where they are allowed and where they are not.
fn hostile_record() -> Value {
    let mut record = minimal_record("kz/hostile-record");
    record["name"] = json!("Hostile \u{1b}[2J\u{1b}]0;owned\u{7}visa");
    record["summary"] = json!("Two lines\nare fine in a summary");
    record["official_name"] = json!({ "text": "One\nline", "language": "kk" });
    record["requirements"] = json!([{
        "id": "fees-paid",
        "kind": "other",
        "description": "Hostile fees \u{0} paid\u{7f} at the \u{9b}31m desk",
        "required": "yes"
    }]);
    record["notes"] = json!([
        { "text": "Hostile note \u{202e}txt.exe" },
        { "text": "tab\there" }
    ]);
    record
}

/// Every byte that must not reach a terminal: C0 but `\n`, DEL, C1 (as UTF-8)
/// and the bidirectional controls (as UTF-8).
fn raw_controls(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.char_indices()
        .filter(|&(_, c)| c != '\n' && routes_core::text::is_unsafe(c))
        .map(|(i, c)| format!("U+{:04X} at byte {i}", u32::from(c)))
        .collect()
}

fn assert_clean(out: &Output) {
    let stdout = raw_controls(&out.stdout);
    let stderr = raw_controls(&out.stderr);
    assert!(
        stdout.is_empty() && stderr.is_empty(),
        "raw controls on stdout {stdout:?} / stderr {stderr:?}:\n{}",
        transcript(out)
    );
}

#[test]
fn control_characters_in_texts_are_findings_naming_the_character() {
    let dir = temp_dataset();
    write_record(&dir.path().join("kz/hostile-record.json"), &hostile_record());
    let out = run(routes(dir.path()).args(["validate", "kz", "--format", "json"]));
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert_clean(&out);
    let findings: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .filter(|f: &Value| f["code"] == "record/control-character")
        .collect();
    let got: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f["pointer"].as_str().unwrap_or(""), f["message"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        [
            (
                "/name",
                "`name` holds U+001B ESCAPE at character 9 and 2 more such characters"
            ),
            (
                "/requirements/0/description",
                "`description` holds U+0000 NULL at character 14 and 2 more such characters"
            ),
            ("/official_name/text", "`text` holds U+000A LINE FEED at character 4"),
            (
                "/notes/0/text",
                "`text` holds U+202E RIGHT-TO-LEFT OVERRIDE at character 14"
            ),
            (
                "/notes/1/text",
                "`text` holds U+0009 CHARACTER TABULATION at character 4"
            ),
        ],
        "{}",
        transcript(&out)
    );
    // Every finding is an error, with a hint, and placed on its line.
    for f in &findings {
        assert_eq!(f["severity"], "error");
        assert!(f["hint"].as_str().is_some_and(|h| !h.is_empty()));
        assert!(f["line"].as_u64().is_some_and(|l| l > 1), "{f}");
    }
}

#[test]
fn findings_for_people_show_control_characters_escaped() {
    let dir = temp_dataset();
    write_record(&dir.path().join("kz/hostile-record.json"), &hostile_record());
    let out = run(routes(dir.path()).args(["validate", "kz"]));
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert_clean(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The snippet shows the JSON escapes, with the label under the value.
    assert!(
        stderr.contains(r#""name": "Hostile \u001b[2J\u001b]0;owned\u0007visa""#),
        "{stderr}"
    );
    assert!(stderr.contains(r"Hostile note \u202etxt.exe"), "{stderr}");
    assert!(stderr.contains("holds U+202E RIGHT-TO-LEFT OVERRIDE"), "{stderr}");
}

#[test]
fn a_control_character_in_a_file_name_is_escaped() {
    let dir = temp_dataset();
    let mut record = minimal_record("kz/minimal-record");
    record["category"] = json!("tourism");
    let name = "bad\u{1b}[2Jname.json";
    write_record(&dir.path().join("kz").join(name), &record);
    let out = run(routes(dir.path()).args(["validate", "kz"]));
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert_clean(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains(r"bad\u001b[2Jname.json"));
}

#[test]
fn search_prints_no_raw_control_characters_from_an_index() {
    let dir = temp_dataset();
    write_record(&dir.path().join("kz/hostile-record.json"), &hostile_record());
    let cache = tempfile::tempdir().expect("cache");
    let search = |args: &[&str]| {
        run(routes(dir.path())
            .env("ROUTES_CACHE_DIR", cache.path())
            .arg("search")
            .args(args)
            .args(["--dataset", "kz"]))
    };
    let out = search(&["hostile"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert_clean(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(r"Hostile \u001b[2J\u001b]0;owned\u0007visa"),
        "{stdout}"
    );
    assert!(stdout.contains(r"\u202etxt.exe"), "{stdout}");

    // JSON stays JSON of the same value, with no raw control either.
    let out = search(&["hostile", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert_clean(&out);
    let hit: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().expect("a hit")).expect("JSON");
    assert_eq!(hit["name"], "Hostile \u{1b}[2J\u{1b}]0;owned\u{7}visa");
    let matched = hit["matches"].to_string();
    assert!(matched.contains("\\u202e") || matched.contains("fees"), "{matched}");
}

#[test]
fn a_query_with_control_characters_is_echoed_escaped() {
    let cache = tempfile::tempdir().expect("cache");
    let out = run(routes(&root()).env("ROUTES_CACHE_DIR", cache.path()).args([
        "search",
        "--dataset",
        &fixtures("valid").display().to_string(),
        "zzqx\u{1b}[2J",
    ]));
    assert_clean(&out);
    assert_ne!(out.status.code(), Some(101), "{}", transcript(&out));
}

/// A pipe whose reader is already gone: every write to it fails with EPIPE.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}

/// Which stream of a run is connected to a closed pipe.
#[derive(Debug, Clone, Copy)]
enum Closed {
    Stdout,
    Stderr,
}

/// Runs `cmd` with one stream on a closed pipe; the other is captured.
fn run_closed(cmd: &mut Command, closed: Closed) -> Output {
    match closed {
        Closed::Stdout => cmd.stdout(closed_pipe()).stderr(Stdio::piped()),
        Closed::Stderr => cmd.stdout(Stdio::piped()).stderr(closed_pipe()),
    };
    cmd.stdin(Stdio::null()).output().expect("the routes binary runs")
}

/// Every command, with stdout and then stderr on a closed pipe: none panics
/// (exit 101, "failed printing to stderr"); a command whose output was cut
/// ends quietly with exit 0, as `ripgrep` does.
#[test]
fn every_command_survives_a_closed_pipe() {
    let work = tempfile::tempdir().expect("work");
    let dataset = work.path().join("dataset");
    copy_dir(&fixtures("valid"), &dataset);
    let invalid = fixtures("invalid/kz").display().to_string();
    let data = dataset.display().to_string();
    let cache = work.path().join("cache");
    // (arguments, exit with stdout closed, exit with stderr closed)
    let cases: Vec<(Vec<String>, i32, i32)> = vec![
        (vec!["validate".into(), invalid.clone()], 1, 0),
        (
            vec!["validate".into(), "--format".into(), "json".into(), invalid.clone()],
            0,
            0,
        ),
        (vec!["validate".into(), data.clone()], 0, 0),
        (vec!["validate".into(), "--list-rules".into()], 0, 0),
        (
            vec!["validate".into(), "--explain".into(), "record/bad-url".into()],
            0,
            0,
        ),
        (vec!["schema".into()], 0, 0),
        (
            vec!["search".into(), "record".into(), "--dataset".into(), data.clone()],
            0,
            0,
        ),
        (
            vec![
                "search".into(),
                "record".into(),
                "--dataset".into(),
                data.clone(),
                "--format".into(),
                "json".into(),
            ],
            0,
            0,
        ),
        (
            vec!["search".into(), "zzqxzzqx".into(), "--dataset".into(), data.clone()],
            1,
            0,
        ),
        (
            vec!["search".into(), "\"unclosed".into(), "--dataset".into(), data.clone()],
            2,
            0,
        ),
        (vec!["index".into(), "--dataset".into(), data.clone()], 0, 0),
        (vec!["--help".into()], 0, 0),
        (vec!["search".into(), "--help".into()], 0, 0),
        (vec!["--version".into()], 0, 0),
        (vec!["validate".into(), "--no-such-flag".into()], 2, 0),
        (vec!["validate".into(), "/no/such/path".into()], 2, 0),
    ];
    for (args, on_stdout, on_stderr) in &cases {
        for (closed, expected) in [(Closed::Stdout, on_stdout), (Closed::Stderr, on_stderr)] {
            let out = run_closed(routes(work.path()).env("ROUTES_CACHE_DIR", &cache).args(args), closed);
            let text = transcript(&out);
            assert!(!text.contains("panicked"), "{args:?} with {closed:?} closed:\n{text}");
            assert_eq!(
                out.status.code(),
                Some(*expected),
                "{args:?} with {closed:?} closed:\n{text}"
            );
        }
    }
    // Publish: a release written in full, then its path and summary cut off.
    for (i, closed) in [Closed::Stdout, Closed::Stderr].into_iter().enumerate() {
        let dist = work.path().join(format!("dist-{i}"));
        let out = run_closed(
            routes(work.path())
                .args(["publish", "--version", "1.0.0", "--dataset", &data, "--out"])
                .arg(&dist),
            closed,
        );
        let text = transcript(&out);
        assert!(!text.contains("panicked"), "publish with {closed:?} closed:\n{text}");
        assert_eq!(out.status.code(), Some(0), "publish with {closed:?} closed:\n{text}");
        assert!(dist.join("routes-1.0.0/SHA256SUMS").is_file(), "{text}");
    }
}

#[test]
fn publish_refuses_a_record_with_control_characters() {
    let dir = temp_dataset();
    write_record(&dir.path().join("kz/hostile-record.json"), &hostile_record());
    let dist = tempfile::tempdir().expect("dist");
    let out = run(routes(dir.path())
        .args(["publish", "--version", "1.0.0", "--dataset", "."])
        .arg("--out")
        .arg(dist.path()));
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert_clean(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("record/control-character"));
    assert!(!dist.path().join("routes-1.0.0").exists(), "a release was written");
}
