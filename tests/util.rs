//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The date the tests take as today, so that "not in the future" is stable.
pub(crate) const TODAY: &str = "2026-12-02";

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<rel>`.
pub(crate) fn fixtures(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// The real binary, with a fixed "today", no colour, running in `dir`.
pub(crate) fn routes(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_routes"));
    cmd.current_dir(dir)
        .env("ROUTES_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE");
    cmd
}

/// Exit code, stdout and stderr of a run, as one text for snapshots.
pub(crate) fn transcript(output: &Output) -> String {
    format!(
        "exit: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        output
            .status
            .code()
            .map_or_else(|| "signal".to_owned(), |c| c.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    )
}

/// Runs and returns the output.
pub(crate) fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the routes binary runs")
}

/// A temporary folder with a `kz/` subfolder, for tests that write records.
pub(crate) fn temp_dataset() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs_err::create_dir_all(dir.path().join("kz")).expect("kz folder");
    dir
}

/// The minimal valid fixture record, with `id` set.
pub(crate) fn minimal_record(id: &str) -> serde_json::Value {
    let text = fs_err::read_to_string(fixtures("valid/kz/minimal-record.json")).expect("fixture");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("fixture parses");
    value["id"] = serde_json::Value::String(id.to_owned());
    value
}

/// Writes a record as pretty JSON.
pub(crate) fn write_record(path: &Path, record: &serde_json::Value) {
    fs_err::write(path, serde_json::to_string_pretty(record).expect("json")).expect("write");
}

/// How many records the bundled dataset holds (one `*.json` file each).
pub(crate) fn bundled_record_count() -> usize {
    walkdir::WalkDir::new(root().join("dataset/routes"))
        .into_iter()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count()
}

/// A running `routes serve`, stopped when dropped.
pub(crate) struct Server {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub(crate) addr: String,
    /// The search index's cache, removed with the server.
    _cache: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `routes serve` with `args` (`--dataset D`, `--release R`, or none
/// for the bundled dataset) on a free loopback port, and waits for the
/// address it prints.
pub(crate) fn serve(args: &[&std::ffi::OsStr]) -> Server {
    use std::io::BufRead as _;
    let cache = tempfile::tempdir().expect("temp dir");
    let mut child = routes(&root())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .env("ROUTES_CACHE_DIR", cache.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("the server says where it listens").expect("a line");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    Server {
        child,
        addr,
        _cache: cache,
    }
}

/// Whether some criterion of a route's verdict (JSON) has `status`.
pub(crate) fn has_status(route: &serde_json::Value, status: &str) -> bool {
    route["criteria"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["status"] == status))
}

/// Copies the folder `from` to `to`, recursively (`to` is created).
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            fs_err::create_dir_all(&target).expect("mkdir");
        } else {
            fs_err::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The Python of the readers venv (`tests/readers/setup.sh`), or `ROUTES_READERS_PYTHON`.
pub(crate) fn readers_python() -> PathBuf {
    std::env::var_os("ROUTES_READERS_PYTHON")
        .map_or_else(|| root().join("target/readers-venv/bin/python"), PathBuf::from)
}

/// Publishes the bundled dataset as `routes-1.0.0` into `dist` (at a fixed
/// release date) and returns the release folder.
pub(crate) fn publish_bundled(dist: &Path) -> PathBuf {
    let out = run(routes(&root())
        .args(["publish", "--version", "1.0.0", "--quiet", "--out"])
        .arg(dist)
        .env("SOURCE_DATE_EPOCH", "1764547200"));
    assert!(out.status.success(), "{}", transcript(&out));
    dist.join("routes-1.0.0")
}
