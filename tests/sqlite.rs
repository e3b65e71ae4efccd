//! `data/routes.sqlite` and `metadata.json` of a release, read by the real
//! tools: Python's `sqlite3` (`tests/readers/check_sqlite.py`) and Datasette,
//! both from the venv of `bash tests/readers/setup.sh` (without it these tests
//! fail rather than skip).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::publish::{Dataset, two_releases};
use crate::util::{root, run};

/// A route of the bundled dataset and words of its requirements.
const KNOWN_ROUTE: &str = "kz/temporary-residence-permit";
const KNOWN_WORDS: &str = "health insurance";

fn python() -> PathBuf {
    let python = std::env::var_os("ROUTES_READERS_PYTHON")
        .map_or_else(|| root().join("target/readers-venv/bin/python"), PathBuf::from);
    assert!(
        python.is_file(),
        "`{}` is missing: run `bash tests/readers/setup.sh` (or set ROUTES_READERS_PYTHON)",
        python.display()
    );
    python
}

/// The bundled dataset, published; the release folder.
fn bundled_release(d: &Dataset) -> PathBuf {
    let out = run(&mut d.publish("1.0.0", "dist"));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    d.path().join("dist/routes-1.0.0")
}

/// Row counts, columns, keys, foreign keys and every value equal the Parquet
/// (and the CSV's row counts); the full-text table finds a known route.
#[test]
fn python_sqlite3_reads_the_same_tables_and_finds_a_route() {
    let d = Dataset::bundled();
    let release = bundled_release(&d);
    check_sqlite(
        &release,
        &[
            "--search",
            &format!("{KNOWN_WORDS}={KNOWN_ROUTE}"),
            "--search",
            &format!("requirements: insurance={KNOWN_ROUTE}"),
        ],
    );
}

/// Runs `tests/readers/check_sqlite.py` on `release`; its stdout, once it passed.
fn check_sqlite(release: &Path, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg(root().join("tests/readers/check_sqlite.py"))
        .arg(release)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "check_sqlite.py failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A `datasette` process, killed and reaped when dropped, whatever happened.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn log(&self) -> String {
        fs_err::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `GET path` over HTTP/1.0: the status code and the body (bounded waits).
fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut response = Vec::new();
    stream.take(64 * 1024 * 1024).read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_default();
    Ok((status, body.to_owned()))
}

fn get_json(server: &Server, port: u16, path: &str) -> Value {
    let (status, body) = get(port, path).unwrap_or_else(|e| panic!("GET {path}: {e}\n{}", server.log()));
    assert_eq!(status, 200, "GET {path}: {body}\n{}", server.log());
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

/// Starts `datasette data/routes.sqlite -m metadata.json` in `release`, as
/// the card says, and waits (at most a minute) until it answers.
fn start_datasette(release: &Path, log: &Path) -> (Server, u16) {
    let datasette = python().with_file_name("datasette");
    assert!(
        datasette.is_file(),
        "`{}` is missing: run `bash tests/readers/setup.sh`",
        datasette.display()
    );
    let mut last = String::new();
    // A port taken between `free_port` and the server's bind: try another.
    for _ in 0..3 {
        let port = free_port();
        let file = std::fs::File::create(log).expect("log file");
        let child = Command::new(&datasette)
            .current_dir(release)
            .args([
                "data/routes.sqlite",
                "-m",
                "metadata.json",
                "--host",
                "127.0.0.1",
                "--port",
            ])
            .arg(port.to_string())
            // Generous limits: a slow, shared machine must not time facets out.
            .args([
                "--setting",
                "sql_time_limit_ms",
                "20000",
                "--setting",
                "facet_time_limit_ms",
                "20000",
            ])
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .expect("datasette starts");
        let mut server = Server {
            child,
            log: log.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_mins(1);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = server.child.try_wait() {
                break;
            }
            if let Ok((200, _)) = get(port, "/-/versions.json") {
                return (server, port);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        last = server.log();
        drop(server);
    }
    panic!("datasette did not answer:\n{last}");
}

/// Datasette serves the database with the release's metadata: its JSON API
/// gives the routes, facets, full-text search and the column descriptions;
/// the server is always stopped, and the release is left as it was.
#[test]
fn datasette_serves_the_database_with_its_metadata() {
    let d = Dataset::bundled();
    let release = bundled_release(&d);
    let package: Value =
        serde_json::from_slice(&fs_err::read(release.join("datapackage.json")).expect("read")).expect("json");
    let rows = |name: &str| {
        package["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .find(|r| r["name"] == name)
            .and_then(|r| r["routes:rows"].as_u64())
            .expect("rows")
    };
    let metadata: Value =
        serde_json::from_slice(&fs_err::read(release.join("metadata.json")).expect("read")).expect("json");
    {
        let (server, port) = start_datasette(&release, &d.path().join("datasette.log"));

        // The metadata as Datasette took it: every table's column descriptions.
        let taken = get_json(&server, port, "/-/metadata.json");
        assert_eq!(taken["title"], metadata["title"]);
        assert_eq!(taken["license"], "CC-BY-4.0");
        let amount = &taken["databases"]["routes"]["tables"]["requirements"]["columns"]["amount"];
        assert!(
            amount
                .as_str()
                .is_some_and(|a| a.starts_with("A fixed amount of money")),
            "{amount}"
        );
        let codes = &taken["databases"]["routes"]["tables"]["routes"]["columns"]["codes"];
        assert!(codes.as_str().is_some_and(|c| c.contains("JSON array")), "{codes}");

        // Every route, with the facets of the metadata.
        let all = get_json(&server, port, "/routes/routes.json?_size=max&_shape=objects");
        assert_eq!(all["filtered_table_rows_count"].as_u64(), Some(rows("routes-parquet")));
        assert_eq!(
            all["rows"].as_array().map(Vec::len),
            usize::try_from(rows("routes-parquet")).ok()
        );
        let facets = all["facet_results"].as_object().expect("facets");
        for facet in ["country", "category", "status"] {
            assert!(facets.contains_key(facet), "no facet `{facet}`: {:?}", facets.keys());
        }
        let kz = get_json(&server, port, "/routes/routes.json?country=KZ&_shape=objects&_size=max");
        let kz_rows = kz["rows"].as_array().expect("rows");
        assert!(!kz_rows.is_empty() && kz_rows.iter().all(|r| r["country"] == "KZ"));

        // Full-text search from the routes table (through `search`) and of `search` itself.
        let words = KNOWN_WORDS.replace(' ', "+");
        for path in [
            format!("/routes/routes.json?_search={words}&_shape=objects"),
            format!("/routes/search.json?_search={words}&_shape=objects"),
        ] {
            let found = get_json(&server, port, &path);
            let ids: Vec<&str> = found["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .filter_map(|r| r["route_id"].as_str())
                .collect();
            assert!(ids.contains(&KNOWN_ROUTE), "{path}: {ids:?}");
        }

        // A child table: the route's requirements, values as stored.
        let reqs = get_json(
            &server,
            port,
            &format!(
                "/routes/requirements.json?route_id={}&_shape=objects",
                KNOWN_ROUTE.replace('/', "%2F")
            ),
        );
        let reqs = reqs["rows"].as_array().expect("rows");
        assert!(!reqs.is_empty());
        assert!(reqs.iter().all(
            |r| r["route_id"] == KNOWN_ROUTE && r["evidence_sources"].as_str().is_some_and(|e| e.starts_with('['))
        ));
    }
    // Datasette only read: the release still checks against its SHA256SUMS.
    let out = Command::new("sha256sum")
        .args(["--check", "--strict", "--quiet", "SHA256SUMS"])
        .current_dir(&release)
        .output()
        .expect("sha256sum");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(!release.join("data/routes.sqlite-journal").exists() && !release.join("data/routes.sqlite-wal").exists());
}

/// A release that changed since the previous one: Python's `sqlite3` finds
/// the `changes` table equal to its Parquet and CSV (every value), and
/// Datasette serves it with its JSON API, faceted by `kind`, with the same
/// rows as `data/changes.csv`.
#[test]
fn datasette_serves_the_changes_since_the_previous_release() {
    let (d, _) = two_releases();
    let release = d.path().join("dist/routes-1.1.0");
    let stdout = check_sqlite(&release, &[]);
    assert!(stdout.contains("`changes`: 95 rows,"), "{stdout}");

    let mut csv = csv::Reader::from_path(release.join("data/changes.csv")).expect("changes.csv");
    let header = csv.headers().expect("header").clone();
    let expected: Vec<Vec<String>> = csv
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect();
    let (server, port) = start_datasette(&release, &d.path().join("datasette.log"));
    let changes = get_json(
        &server,
        port,
        "/routes/changes.json?_size=max&_shape=objects&_facet=kind",
    );
    let rows: Vec<Vec<String>> = changes["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            header
                .iter()
                .map(|column| match &row[column] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows, expected, "Datasette serves the rows of data/changes.csv");
    let kinds: std::collections::BTreeMap<String, u64> = changes["facet_results"]["kind"]["results"]
        .as_array()
        .expect("facet of kind")
        .iter()
        .map(|f| {
            (
                f["value"].as_str().expect("value").to_owned(),
                f["count"].as_u64().expect("count"),
            )
        })
        .collect();
    let mut counted = std::collections::BTreeMap::new();
    for row in &expected {
        *counted
            .entry(row[header.iter().position(|h| h == "kind").expect("kind")].clone())
            .or_insert(0) += 1;
    }
    assert_eq!(kinds, counted);
    assert_eq!(
        kinds.keys().map(String::as_str).collect::<Vec<_>>(),
        ["added", "changed", "removed"]
    );
}
