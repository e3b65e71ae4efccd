//! Search that never harms, panics or misleads: index folders `routes` did
//! not make are refused, damaged indexes are rebuilt or refused, read-only
//! releases are searched, counts are exact, queries are never flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{minimal_record, root, routes, run, temp_dataset, transcript, write_record};

/// `routes search` in `dir` with its cache in `cache`.
fn search(dir: &Path, cache: &Path) -> Command {
    let mut cmd = routes(dir);
    cmd.env("ROUTES_CACHE_DIR", cache).arg("search");
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A dataset folder `<tmp>/dataset/kz/` with two searchable records.
fn small_dataset() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    let kz = tmp.path().join("dataset/kz");
    fs_err::create_dir_all(&kz).expect("mkdir");
    for (id, summary) in [
        ("kz/alpha-route", "Alpha permit for falconers"),
        ("kz/beta-route", "Beta permit for beekeepers"),
    ] {
        let mut record = minimal_record(id);
        record["summary"] = serde_json::json!(summary);
        write_record(&kz.join(format!("{}.json", id.trim_start_matches("kz/"))), &record);
    }
    tmp
}

/// Every file under `dir` (relative path) with its length, modification
/// time and bytes' hash stand-in (the bytes themselves, for small trees).
fn listing(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs_err::read_dir(&d).expect("ls") {
            let entry = entry.expect("entry");
            let meta = fs_err::symlink_metadata(entry.path()).expect("meta");
            let rel = entry.path().strip_prefix(dir).expect("inside").to_path_buf();
            if meta.is_symlink() {
                let target = fs_err::read_link(entry.path()).expect("link");
                out.insert(
                    rel,
                    (
                        0,
                        meta.modified().expect("mtime"),
                        target.into_os_string().into_encoded_bytes(),
                    ),
                );
            } else if meta.is_dir() {
                stack.push(entry.path());
                out.insert(rel, (0, meta.modified().expect("mtime"), Vec::new()));
            } else {
                let bytes = fs_err::read(entry.path()).expect("read");
                out.insert(rel, (meta.len(), meta.modified().expect("mtime"), bytes));
            }
        }
    }
    out
}

fn publish(out: &Path) -> PathBuf {
    let result = run(routes(&root())
        .args(["publish", "--version", "1.0.0", "--out"])
        .arg(out));
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    out.join("routes-1.0.0")
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = fs_err::read(path).expect("read");
    let at = at.min(bytes.len() - 1);
    bytes[at] ^= 0x5a;
    fs_err::write(path, bytes).expect("write");
}

#[test]
fn index_out_never_replaces_what_routes_did_not_make() {
    let tmp = small_dataset();
    let dataset = tmp.path().join("dataset");
    let before = listing(tmp.path());
    // The dataset itself, the current folder, a file and a symbolic link.
    let file = tmp.path().join("notes.txt");
    fs_err::write(&file, "my notes").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&dataset, tmp.path().join("link")).expect("symlink");
    for target in ["dataset", ".", "notes.txt", "link"] {
        let out = run(routes(tmp.path()).args(["index", "--out", target]));
        assert_eq!(out.status.code(), Some(2), "--out {target}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("is not a search index made by `routes`; it was left untouched"),
            "{}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("hint: `routes` never removes what it did not make"));
    }
    let mut after = listing(tmp.path());
    after.remove(Path::new("notes.txt"));
    after.remove(Path::new("link"));
    assert_eq!(before, after, "nothing was removed or added");
    assert_eq!(fs_err::read_to_string(&file).expect("read"), "my notes");

    let out = run(routes(tmp.path()).args(["index", "--out", "dataset"]));
    insta::assert_snapshot!(transcript(&out).replace(&tmp.path().display().to_string(), "[TMP]"));

    // An index folder routes wrote, and an empty folder, are replaced.
    fs_err::create_dir(tmp.path().join("empty")).expect("mkdir");
    for target in ["idx", "idx", "empty"] {
        let out = run(routes(tmp.path()).args(["index", "--out", target]));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(tmp.path().join(target).join("routes-index.json").is_file());
    }
    let scratch: Vec<_> = fs_err::read_dir(tmp.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".routes-"))
        .collect();
    assert!(scratch.is_empty(), "no scratch left: {scratch:?}");
}

#[test]
fn the_search_cache_never_replaces_a_folder_routes_did_not_make() {
    let tmp = small_dataset();
    let cache = tempfile::tempdir().expect("tmp");
    let theirs = cache.path().join("dataset/index");
    fs_err::create_dir_all(&theirs).expect("mkdir");
    fs_err::write(theirs.join("thesis.tex"), "years of work").expect("write");
    let out = run(search(tmp.path(), cache.path()).arg("falconers"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("it was left untouched"), "{}", stderr(&out));
    assert!(stderr(&out).contains("ROUTES_CACHE_DIR"), "{}", stderr(&out));
    assert_eq!(
        fs_err::read_to_string(theirs.join("thesis.tex")).expect("kept"),
        "years of work"
    );
    // A file or a symbolic link in the way is refused too.
    fs_err::remove_dir_all(&theirs).expect("rm");
    fs_err::write(&theirs, "a file").expect("write");
    let out = run(search(tmp.path(), cache.path()).arg("falconers"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(fs_err::read_to_string(&theirs).expect("kept"), "a file");
}

#[test]
fn concurrent_searches_while_records_change_all_succeed() {
    let tmp = small_dataset();
    let cache = tempfile::tempdir().expect("tmp");
    let record = tmp.path().join("dataset/kz/alpha-route.json");
    let mut failures = Vec::new();
    for round in 0..4 {
        // Each round edits a record, so every search of the round finds the
        // cache stale and some rebuild it while the others read it.
        let mut value = minimal_record("kz/alpha-route");
        value["summary"] = serde_json::json!(format!("Alpha permit for falconers, edition {round}"));
        write_record(&record, &value);
        let children: Vec<_> = (0..5)
            .map(|_| {
                search(tmp.path(), cache.path())
                    .arg("permit")
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            if out.status.code() != Some(0) {
                failures.push(transcript(&out));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let left: Vec<_> = fs_err::read_dir(cache.path().join("dataset"))
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["index"], "no scratch is left behind");
}

#[test]
fn scratch_of_a_dead_builder_is_swept_at_the_next_build() {
    let tmp = small_dataset();
    let cache = tempfile::tempdir().expect("tmp");
    let stale = cache.path().join("dataset/.routes-index-4194305-0");
    fs_err::create_dir_all(&stale).expect("mkdir");
    fs_err::write(stale.join(".routes-scratch.lock"), "").expect("lock file nobody holds");
    fs_err::write(stale.join("big.store"), "half an index").expect("write");
    let mine = cache.path().join("dataset/.routes-mine");
    fs_err::create_dir_all(&mine).expect("mkdir");
    let out = run(search(tmp.path(), cache.path()).arg("falconers"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stale.exists(), "the dead builder's scratch is gone");
    assert!(mine.is_dir(), "a look-alike without a lock file is left alone");
}

#[test]
fn a_damaged_cache_is_rebuilt_never_a_panic() {
    let tmp = small_dataset();
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(tmp.path(), cache.path()).args(["permit", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected = stdout(&out);
    let dir = cache.path().join("dataset/index");
    let files: Vec<PathBuf> = fs_err::read_dir(&dir)
        .expect("ls")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "routes-index.json"))
        .collect();
    assert!(files.len() >= 7, "{files:?}");
    for file in files {
        let len = fs_err::read(&file).expect("read").len();
        let mtime = fs_err::metadata(&file).expect("meta").modified().expect("mtime");
        flip_byte(&file, len / 2);
        // The modification time set back, as a careless copy would.
        std::fs::File::options()
            .write(true)
            .open(&file)
            .expect("open")
            .set_modified(mtime)
            .expect("mtime");
        let out = run(search(tmp.path(), cache.path()).args(["permit", "--format", "json"]));
        assert_eq!(out.status.code(), Some(0), "{}: {}", file.display(), transcript(&out));
        assert!(
            stderr(&out).contains("the index files changed since it was built"),
            "{}: {}",
            file.display(),
            stderr(&out)
        );
        assert_eq!(stdout(&out), expected, "{}", file.display());
    }
}

#[test]
fn a_damaged_release_index_is_refused_naming_the_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let release = publish(tmp.path());
    let store = fs_err::read_dir(release.join("index"))
        .expect("ls")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .expect("a store file");
    flip_byte(&store, 100);
    let out = run(routes(&root()).args(["search", "kandas", "--release"]).arg(&release));
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    let text = stderr(&out);
    assert!(text.contains(&store.display().to_string()), "{text}");
    assert!(text.contains("does not match its SHA-256 in `SHA256SUMS`"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn a_panic_inside_tantivy_is_an_error_naming_the_index() {
    // Damage that the release's own `SHA256SUMS` agrees with (written again
    // after the damage), so that only tantivy sees it: the postings of a
    // term point past the end of their file.
    let tmp = tempfile::tempdir().expect("tmp");
    let release = publish(tmp.path());
    let index = release.join("index");
    let mut panicked = 0;
    for ext in ["idx", "term", "pos", "fieldnorm", "fast", "store"] {
        let file = fs_err::read_dir(&index)
            .expect("ls")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .expect("segment file");
        let original = fs_err::read(&file).expect("read");
        // Offsets spread over the file, from its header to its footer.
        let len = original.len();
        let spots = [8, 16, 24, 32].into_iter().chain((1..16).map(|k| len * k / 16)).chain([
            len.saturating_sub(40),
            len.saturating_sub(24),
            len.saturating_sub(16),
        ]);
        for at in spots.filter(|&at| at < len) {
            flip_byte(&file, at);
            rewrite_sums(&release);
            let out = run(routes(&root()).args(["search", "kandas", "--release"]).arg(&release));
            let code = out.status.code();
            assert!(
                code == Some(0) || code == Some(1) || code == Some(2),
                "{ext} at {at}: {}",
                transcript(&out)
            );
            assert!(!stderr(&out).contains("panicked at"), "{}", stderr(&out));
            if stderr(&out).contains("tantivy failed on it") {
                panicked += 1;
                assert!(stderr(&out).contains(&index.display().to_string()), "{}", stderr(&out));
            }
            fs_err::write(&file, &original).expect("restore");
        }
    }
    rewrite_sums(&release);
    assert!(panicked > 0, "some damage made tantivy panic, and it was caught");
}

/// Writes the release's `SHA256SUMS` again from its files.
fn rewrite_sums(release: &Path) {
    let sums = release.join("SHA256SUMS");
    let text = fs_err::read_to_string(&sums).expect("sums");
    let paths: Vec<&str> = text.lines().filter_map(|l| l.split_once("  ").map(|x| x.1)).collect();
    let out = Command::new("sha256sum")
        .args(&paths)
        .current_dir(release)
        .output()
        .expect("sha256sum runs");
    assert!(out.status.success());
    fs_err::write(&sums, out.stdout).expect("write");
}

#[test]
fn a_read_only_release_is_searched_and_nothing_in_it_is_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let release = publish(tmp.path());
    set_read_only(&release, true);
    let before = listing(&release);
    for query in ["kandas", "health insurance", "kandsa"] {
        let out = run(routes(&root())
            .args(["search", query, "--facets", "--release"])
            .arg(&release));
        assert_eq!(out.status.code(), Some(0), "{query}: {}", transcript(&out));
    }
    let after = listing(&release);
    set_read_only(&release, false);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no file was created or removed"
    );
    assert_eq!(before, after, "no file was modified");
}

fn set_read_only(dir: &Path, read_only: bool) {
    use std::os::unix::fs::PermissionsExt as _;
    let mut stack = vec![dir.to_path_buf()];
    let mut dirs = Vec::new();
    while let Some(d) = stack.pop() {
        for entry in fs_err::read_dir(&d).expect("ls").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let mode = if read_only { 0o444 } else { 0o644 };
                fs_err::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
            }
        }
        dirs.push(d);
    }
    for d in dirs {
        let mode = if read_only { 0o555 } else { 0o755 };
        fs_err::set_permissions(&d, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

/// `count` records of one JSON Lines file, with categories in turn.
fn many_routes(count: usize) -> tempfile::TempDir {
    let tmp = temp_dataset();
    let categories = ["work", "family", "study"];
    let mut text = String::new();
    for i in 0..count {
        let mut record = minimal_record(&format!("kz/route-{i:05}"));
        record["category"] = serde_json::json!(categories[i % categories.len()]);
        record["summary"] = serde_json::json!(format!("Permit number {i} for planners"));
        text.push_str(&serde_json::to_string(&record).expect("json"));
        text.push('\n');
    }
    fs_err::write(tmp.path().join("kz/routes.jsonl"), text).expect("write");
    tmp
}

#[test]
fn totals_and_facets_count_every_match() {
    let count = 10_500;
    let tmp = many_routes(count);
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(tmp.path(), cache.path())
        .args(["planners", "--dataset", "kz", "--facets", "--format", "json"])
        .arg("--limit")
        .arg("3"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("3 of {count} matching routes")),
        "{}",
        stderr(&out)
    );
    let facets: serde_json::Value = stdout(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v.get("facets").is_some())
        .expect("a facets line");
    assert_eq!(facets["facets"]["country"]["KZ"], count);
    assert_eq!(facets["facets"]["category"]["work"], 3500);
    assert_eq!(facets["facets"]["category"]["family"], 3500);
    assert_eq!(facets["facets"]["category"]["study"], 3500);
    // With a filter, the counts are of the filtered matches.
    let out = run(search(tmp.path(), cache.path()).args(["planners category:study", "--dataset", "kz"]));
    assert!(stderr(&out).contains("10 of 3500 matching routes"), "{}", stderr(&out));
}

#[test]
fn a_query_that_starts_with_a_dash_is_a_query() {
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(&root(), cache.path()).arg("-health"));
    insta::assert_snapshot!(transcript(&out));
    let out = run(search(&root(), cache.path()).args(["-tourist kandas", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(search(&root(), cache.path()).args(["--limit", "1", "--", "-tourist kandas"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 of"), "{}", stderr(&out));
    // Flags still work after a query that starts with a dash.
    let out = run(search(&root(), cache.path()).args(["-tourist kandas", "--limit", "1"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 of"), "{}", stderr(&out));
}

#[test]
fn a_query_too_large_is_refused_naming_the_limit() {
    let cache = tempfile::tempdir().expect("tmp");
    let words: Vec<String> = (0..8000).map(|i| format!("word{i}")).collect();
    let out = run(search(&root(), cache.path()).arg(words.join(" OR ")));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("the query is too large: 8000 words, and at most 64 are searched"),
        "{}",
        &text[..text.len().min(400)]
    );
    assert!(
        text.contains("hint: search for fewer words"),
        "{}",
        &text[..text.len().min(400)]
    );
    // At the limit, a query without hits is answered (no typo retry past a
    // few words).
    let words: Vec<String> = (0..32).map(|i| format!("zzword{i}")).collect();
    let out = run(search(&root(), cache.path()).arg(words.join(" OR ")));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn an_edit_that_keeps_size_and_mtime_is_seen() {
    let tmp = small_dataset();
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(tmp.path(), cache.path()).arg("falconers"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let record = tmp.path().join("dataset/kz/alpha-route.json");
    let mtime = fs_err::metadata(&record).expect("meta").modified().expect("mtime");
    let text = fs_err::read_to_string(&record).expect("read");
    // Same length, other word; then the modification time set back (`touch -r`).
    fs_err::write(&record, text.replace("falconers", "sailmaker")).expect("write");
    std::fs::File::options()
        .write(true)
        .open(&record)
        .expect("open")
        .set_modified(mtime)
        .expect("mtime");
    let out = run(search(tmp.path(), cache.path()).arg("sailmaker"));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(stdout(&out).starts_with("kz/alpha-route"), "{}", stdout(&out));
    assert!(stderr(&out).contains("the data changed since the index was built"));
}

#[test]
fn records_left_out_of_the_index_are_reported() {
    let tmp = small_dataset();
    let cache = tempfile::tempdir().expect("tmp");
    fs_err::write(
        tmp.path().join("dataset/kz/broken.json"),
        r#"{"schema_version": 1, "id": "kz/broken", "name": "Broken falconers"}"#,
    )
    .expect("write");
    for _ in 0..2 {
        let out = run(search(tmp.path(), cache.path()).arg("falconers"));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(
                "1 record of `dataset` is not in the search index: it cannot be read as a route; `routes validate dataset` shows why"
            ),
            "{}",
            stderr(&out)
        );
    }
    let out = run(routes(tmp.path()).args(["index", "--out", "idx"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 record was left out"), "{}", stderr(&out));
}

#[test]
fn two_publishes_are_byte_identical_index_included_and_sums_cover_the_index() {
    let one = tempfile::tempdir().expect("tmp");
    let two = tempfile::tempdir().expect("tmp");
    let a = publish(one.path());
    let b = publish(two.path());
    let (la, lb) = (listing(&a), listing(&b));
    assert_eq!(la.keys().collect::<Vec<_>>(), lb.keys().collect::<Vec<_>>());
    for ((path, (_, _, x)), (_, (_, _, y))) in la.iter().zip(&lb) {
        assert!(x == y, "`{}` differs between two publishes", path.display());
    }
    let sums = fs_err::read_to_string(a.join("SHA256SUMS")).expect("sums");
    let listed: Vec<&str> = sums.lines().filter_map(|l| l.split_once("  ").map(|x| x.1)).collect();
    for path in la.keys().filter(|p| p.starts_with("index") && p != &Path::new("index")) {
        let path = path.to_string_lossy();
        assert!(listed.contains(&path.as_ref()), "`{path}` is not in SHA256SUMS");
    }
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(&a)
        .output()
        .expect("sha256sum runs");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    assert!(String::from_utf8_lossy(&check.stdout).contains("index/meta.json: OK"));
}

#[test]
fn deeply_nested_parentheses_are_refused_not_a_stack_overflow() {
    let cache = tempfile::tempdir().expect("tmp");
    let query = format!("{}visa{}", "(".repeat(5000), ")".repeat(5000));
    let out = run(search(&root(), cache.path()).arg(&query));
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        &stderr(&out)[..stderr(&out).len().min(300)]
    );
    assert!(
        stderr(&out).contains("the query nests parentheses more than 16 deep"),
        "{}",
        &stderr(&out)[..stderr(&out).len().min(300)]
    );
    let query = format!("{}visa{}", "(".repeat(16), ")".repeat(16));
    let out = run(search(&root(), cache.path()).arg(&query));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_fifo_in_an_index_folder_is_refused_never_read() {
    let tmp = small_dataset();
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(search(tmp.path(), cache.path()).arg("falconers"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let marker = cache.path().join("dataset/index/routes-index.json");
    fs_err::remove_file(&marker).expect("rm");
    let made = Command::new("mkfifo").arg(&marker).status().expect("mkfifo runs");
    assert!(made.success());
    let out = run(search(tmp.path(), cache.path()).arg("falconers"));
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(stderr(&out).contains("it was left untouched"), "{}", stderr(&out));

    // A release's `SHA256SUMS` that is a FIFO is refused too.
    let dist = tempfile::tempdir().expect("tmp");
    let release = publish(dist.path());
    fs_err::remove_file(release.join("SHA256SUMS")).expect("rm");
    let made = Command::new("mkfifo")
        .arg(release.join("SHA256SUMS"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let out = run(routes(&root()).args(["search", "kandas", "--release"]).arg(&release));
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(
        stderr(&out).contains("is a FIFO, not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_index_built_by_routes_index_is_used_by_search_as_is() {
    let tmp = small_dataset();
    let cache = tempfile::tempdir().expect("tmp");
    let out = run(routes(tmp.path()).env("ROUTES_CACHE_DIR", cache.path()).arg("index"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(search(tmp.path(), cache.path()).arg("falconers"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("built the search index"), "{}", stderr(&out));
}
