//! `routes sources check` and `routes sources archive`, against a local HTTP
//! server on a loopback port started by the tests: nothing here reaches the
//! internet.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::util::{minimal_record, routes, run, transcript};

/// The page a source names, as served.
const PAGE: &str = "<!doctype html><html><head><title>Temporary residence</title>\
    <script>var tracker = 'Foreigners';</script><style>p { color: black }</style></head>\
    <body><h1>Temporary residence permit</h1>\
    <p>Foreigners from visa-free states apply at a\n    service centre.</p>\
    <p>The permit is issued for up to <b>three years</b>.</p></body></html>";

/// The same page after an edit: the second paragraph says something else.
const CHANGED: &str = "<!doctype html><html><body><h1>Temporary residence permit</h1>\
    <p>Foreigners from visa-free states apply at a service centre.</p>\
    <p>The permit is issued for up to one year.</p></body></html>";

/// The passages read of [`PAGE`], as a partial snapshot keeps them.
const PASSAGES: &str = "Foreigners from visa-free states apply at a service centre.\n\n\
    The permit is issued for up to three years.\n";

/// A plain-text document.
const PLAIN: &str = "Fees\n\nThe state fee is 2 MCI.\n";

/// A local HTTP server on a loopback port, answering each path its own way.
struct Server {
    port: u16,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().expect("address").port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || answer(stream));
            }
        });
        Self { port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// `text` with this server's address written `[HOST]`, and SHA-256s
    /// (of snapshots that name the address) `[SHA256]`.
    fn redact(&self, text: &str) -> String {
        let text = text.replace(&format!("127.0.0.1:{}", self.port), "[HOST]");
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(|c: char| c.is_ascii_hexdigit()) {
            out.push_str(&rest[..at]);
            let run = rest[at..]
                .find(|c: char| !c.is_ascii_hexdigit())
                .map_or(rest.len() - at, |n| n);
            let hex = &rest[at..at + run];
            out.push_str(if run == 64 { "[SHA256]" } else { hex });
            rest = &rest[at + run..];
        }
        out.push_str(rest);
        out
    }
}

/// Answers one request (one per connection).
fn answer(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let mut user_agent = String::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("user-agent")
                {
                    value.trim().clone_into(&mut user_agent);
                }
            }
        }
    }
    let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let respond = |stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]| {
        let mut head = format!(
            "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    let html = [("Content-Type", "text/html; charset=utf-8")];
    match path.as_str() {
        "/" => respond(
            &mut stream,
            "200 OK",
            &html,
            b"<html><body><p>Welcome to the portal.</p></body></html>",
        ),
        "/page" | "/new" => respond(&mut stream, "200 OK", &html, PAGE.as_bytes()),
        "/changed" => respond(&mut stream, "200 OK", &html, CHANGED.as_bytes()),
        "/plain" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/plain")],
            PLAIN.as_bytes(),
        ),
        "/doc.pdf" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "application/pdf")],
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n",
        ),
        "/old" => respond(&mut stream, "301 Moved Permanently", &[("Location", "/new")], b""),
        "/gone-home" => respond(&mut stream, "302 Found", &[("Location", "/")], b""),
        "/loop" => respond(&mut stream, "302 Found", &[("Location", "/loop")], b""),
        "/to-ftp" => respond(&mut stream, "302 Found", &[("Location", "ftp://[::1]/file")], b""),
        "/escape" => respond(
            &mut stream,
            "200 OK",
            &html,
            "<p>Colour \u{1b}[2J\u{1b}[31mred\u{202e} text</p>".as_bytes(),
        ),
        "/ua" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/plain")],
            user_agent.as_bytes(),
        ),
        "/broken" => respond(&mut stream, "500 Internal Server Error", &html, b"<p>oops</p>"),
        "/slow" => {
            // Past the tests' one-second time-out.
            std::thread::sleep(std::time::Duration::from_secs(3));
            respond(&mut stream, "200 OK", &html, PAGE.as_bytes());
        }
        "/huge" => {
            // No length given: 2 MiB streamed until the connection closes,
            // past the tests' 1 MiB cap.
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n");
            let chunk = "<p>filler</p>".repeat(1000);
            for _ in 0..=(2 * 1024 * 1024 / chunk.len()) {
                if stream.write_all(chunk.as_bytes()).is_err() {
                    break;
                }
            }
        }
        _ => respond(&mut stream, "404 Not Found", &html, b"<p>no such page</p>"),
    }
}

/// A source of a test record.
fn source(id: &str, url: &str) -> Value {
    json!({
        "id": id,
        "url": url,
        "title": format!("Page {id}"),
        "tier": "official",
        "language": "en",
        "translation": "original",
        "seen": "2026-11-25"
    })
}

/// A dataset folder (`dataset/` in a temporary folder, with `routes.toml`).
struct Dataset {
    tmp: tempfile::TempDir,
}

impl Dataset {
    fn new() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("dataset");
        fs_err::create_dir_all(dir.join("routes/kz")).expect("routes folder");
        fs_err::create_dir_all(dir.join("snapshots/kz")).expect("snapshots folder");
        fs_err::write(dir.join("routes.toml"), "config_version = 1\n").expect("routes.toml");
        Self { tmp }
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("dataset")
    }

    fn record_path(&self, id: &str) -> PathBuf {
        self.dir().join("routes").join(format!("{id}.json"))
    }

    /// Writes snapshot `rel` and gives the `snapshot` member naming it.
    fn snapshot(&self, rel: &str, text: &str) -> Value {
        fs_err::write(self.dir().join(rel), text).expect("snapshot");
        json!({"path": rel, "sha256": sha256(text.as_bytes())})
    }

    /// Writes route `id` with `sources`; each `(source, excerpt)` is quoted
    /// as evidence of the nationality scope (every source is cited at least
    /// by a locator).
    fn route(&self, id: &str, sources: Vec<Value>, quotes: &[(&str, &str)]) {
        let mut record = minimal_record(id);
        let mut evidence: Vec<Value> = quotes
            .iter()
            .map(|(s, e)| json!({"source": s, "excerpt": e, "locator": "body"}))
            .collect();
        for s in &sources {
            let id = s["id"].as_str().expect("id");
            if !quotes.iter().any(|(q, _)| *q == id) {
                evidence.push(json!({"source": id, "locator": "body"}));
            }
        }
        record["eligibility"]["nationality"]["evidence"] = Value::Array(evidence);
        record["sources"] = Value::Array(sources);
        crate::util::write_record(&self.record_path(id), &record);
    }

    /// `routes` in the dataset's parent folder, fast: no delay per host, a
    /// one-second time-out, a 1 MiB body cap, no proxy.
    fn routes(&self, args: &[&str]) -> Command {
        let mut cmd = routes(self.tmp.path());
        cmd.args(args)
            .args(["--per-host-delay", "0", "--timeout", "1", "--max-body", "1"])
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("ALL_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("all_proxy");
        cmd
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// A dataset whose sources meet every kind of trouble.
fn troubled(server: &Server) -> Dataset {
    let d = Dataset::new();
    let mut page = source("page", &server.url("/page"));
    page["snapshot"] = d.snapshot(
        "snapshots/kz/page.txt",
        &format!(
            "routes-snapshot-version: 1\nurl: {}\ncopy: partial\ntaken-from: the page, read in a browser\npage-date: unknown\nseen: 2026-11-25\n\n{PASSAGES}",
            server.url("/page")
        ),
    );
    let mut plain = source("plain", &server.url("/plain"));
    plain["snapshot"] = d.snapshot("snapshots/kz/plain.txt", "The state fee is 2 MCI.\n");
    d.route(
        "kz/steady",
        vec![page, plain],
        &[
            ("page", "apply at a service centre"),
            ("plain", "The state fee is 2 MCI."),
        ],
    );
    d.route(
        "kz/moved",
        vec![
            source("old", &server.url("/old")),
            source("home", &server.url("/gone-home")),
        ],
        &[("old", "issued for up to three years")],
    );
    d.route(
        "kz/broken",
        vec![
            source("missing", &server.url("/missing")),
            source("loop", &server.url("/loop")),
            source("ftp", &server.url("/to-ftp")),
            source("huge", &server.url("/huge")),
            source("pdf", &server.url("/doc.pdf")),
        ],
        &[],
    );
    let mut changed = source("changed", &server.url("/changed"));
    changed["snapshot"] = d.snapshot(
        "snapshots/kz/changed.txt",
        &format!(
            "routes-snapshot-version: 1\nurl: {}\ncopy: partial\ntaken-from: the page, read in a browser\npage-date: unknown\nseen: 2026-11-25\n\n{PASSAGES}",
            server.url("/changed")
        ),
    );
    d.route(
        "kz/changed",
        vec![changed],
        &[
            ("changed", "apply at a service centre"),
            ("changed", "issued for up to three years"),
        ],
    );
    d.route(
        "kz/transient",
        vec![
            source("server", &server.url("/broken")),
            source("slow", &server.url("/slow")),
        ],
        &[],
    );
    d
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn check_reports_each_kind_of_trouble_and_the_routes_to_reverify() {
    let server = Server::start();
    let d = troubled(&server);
    let out = run(&mut d.routes(&["sources", "check"]));
    insta::assert_snapshot!(server.redact(&transcript(&out)));
}

#[test]
fn check_json_has_one_object_per_source_and_a_summary() {
    let server = Server::start();
    let d = troubled(&server);
    let out = run(&mut d.routes(&["sources", "check", "--format", "json"]));
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = json_lines(&out);
    let (summary, sources) = lines.split_last().expect("lines");
    assert_eq!(summary["reverify"], json!(["kz/broken", "kz/changed", "kz/moved"]));
    assert_eq!(summary["sources"], 12);
    assert_eq!(summary["routes"], 5);
    let by_id = |id: &str| {
        sources
            .iter()
            .find(|s| s["source"] == id)
            .unwrap_or_else(|| panic!("source {id}"))
    };
    let codes = |id: &str| -> Vec<String> {
        by_id(id)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["code"].as_str().expect("code").to_owned())
            .collect()
    };
    for s in sources {
        for key in [
            "route",
            "file",
            "source",
            "pointer",
            "url",
            "status",
            "final_url",
            "redirects",
            "findings",
        ] {
            assert!(s.get(key).is_some(), "{key} in {s}");
        }
    }
    assert!(codes("page").is_empty() && codes("plain").is_empty());
    assert_eq!(by_id("page")["status"], 200);

    let old = by_id("old");
    assert_eq!(codes("old"), ["sources/moved-permanently"]);
    assert_eq!(old["final_url"], server.url("/new"));
    assert_eq!(old["redirects"], json!([{"url": server.url("/old"), "status": 301}]));
    let finding = &old["findings"][0];
    assert_eq!(finding["pointer"], "/sources/0/url");
    assert_eq!(finding["file"], "dataset/routes/kz/moved.json");
    assert_eq!(finding["route"], "kz/moved");
    assert_eq!(finding["severity"], "error");
    assert!(finding["line"].as_u64().is_some() && finding["column"].as_u64().is_some());
    assert!(finding["hint"].as_str().expect("hint").contains(&server.url("/new")));

    assert_eq!(codes("home"), ["sources/redirect-to-home"]);
    assert_eq!(by_id("home")["final_url"], server.url("/"));
    assert_eq!(codes("missing"), ["sources/dead-link"]);
    assert_eq!(by_id("missing")["status"], 404);
    assert_eq!(codes("loop"), ["sources/bad-redirect"]);
    assert_eq!(codes("ftp"), ["sources/bad-redirect"]);
    assert_eq!(codes("huge"), ["sources/too-large"]);
    assert_eq!(codes("pdf"), ["sources/not-text"]);
    assert_eq!(codes("server"), ["sources/unreachable"]);
    assert_eq!(by_id("server")["status"], 500);
    assert_eq!(codes("slow"), ["sources/unreachable"]);
    assert_eq!(by_id("slow")["status"], Value::Null);
    assert_eq!(by_id("slow")["findings"][0]["severity"], "warning");

    let changed = by_id("changed")["findings"].as_array().expect("findings");
    let pairs: Vec<(&str, &str)> = changed
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code"),
                f["pointer"].as_str().expect("pointer"),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("sources/excerpt-missing", "/eligibility/nationality/evidence/1/excerpt"),
            ("sources/snapshot-changed", "/sources/0/snapshot/path"),
        ]
    );
}

#[test]
fn transient_trouble_alone_puts_no_route_on_the_list_unless_warnings_are_denied() {
    let server = Server::start();
    let d = troubled(&server);
    let out = run(&mut d.routes(&["sources", "check", "--route", "kz/transient", "--route", "kz/steady"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("routes to re-verify: none"), "{stdout}");
    let out = run(&mut d.routes(&["sources", "check", "--route", "kz/transient", "--deny", "warnings"]));
    assert_eq!(out.status.code(), Some(1));
    let out = run(&mut d.routes(&["sources", "check", "--route", "kz/steady"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn an_unknown_route_is_refused_with_the_nearest_id() {
    let server = Server::start();
    let d = troubled(&server);
    let out = run(&mut d.routes(&["sources", "check", "--route", "kz/stedy"]));
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: no route of `dataset` has the id `kz/stedy`
      hint: did you mean `kz/steady`?
    ");
    let out = run(&mut d.routes(&["sources", "archive", "kz/steady", "nope"]));
    insta::assert_snapshot!(transcript(&out), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: route `kz/steady` has no source `nope`
      hint: the route's sources are `page`, `plain`
    ");
    let out = run(routes(d.tmp.path()).args(["sources", "check", "--dataset", "nowhere"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`nowhere`"));
}

/// A dataset with one route whose source `page` has no snapshot yet.
fn unarchived(server: &Server) -> Dataset {
    let d = Dataset::new();
    d.route(
        "kz/fresh",
        vec![
            source("page", &server.url("/page")),
            source("plain", &server.url("/plain")),
        ],
        &[
            ("page", "apply at a service centre"),
            ("plain", "The state fee is 2 MCI."),
        ],
    );
    d
}

#[test]
fn archive_writes_the_snapshot_and_changes_no_other_byte_of_the_record() {
    let server = Server::start();
    let d = unarchived(&server);
    let before = fs_err::read_to_string(d.record_path("kz/fresh")).expect("record");
    let out = run(&mut d.routes(&["sources", "archive", "kz/fresh", "page"]));
    let snapshot = fs_err::read_to_string(d.dir().join("snapshots/kz/page.txt")).expect("snapshot written");
    let sha = sha256(snapshot.as_bytes());
    insta::assert_snapshot!(server.redact(&transcript(&out)), @r"
    exit: 0
    ----- stdout -----
    archived `page` of kz/fresh from http://[HOST]/page: snapshots/kz/page.txt (sha256 [SHA256])
      recorded in dataset/routes/kz/fresh.json
    ----- stderr -----
    archived 1 source of kz/fresh: no findings
    ");
    insta::assert_snapshot!(server.redact(&snapshot), @r"
    routes-snapshot-version: 1
    url: http://[HOST]/page
    copy: full
    taken-from: fetched by routes sources archive from http://[HOST]/page
    page-date: unknown
    seen: 2026-12-02

    Temporary residence permit

    Foreigners from visa-free states apply at a service centre.

    The permit is issued for up to three years.
    ");
    // The record: the old text, with one member added after `seen`.
    let after = fs_err::read_to_string(d.record_path("kz/fresh")).expect("record");
    let seen = "\"seen\": \"2026-11-25\"";
    let at = before.find(seen).expect("seen") + seen.len();
    let added = format!(
        ",\n      \"snapshot\": {{\n        \"path\": \"snapshots/kz/page.txt\",\n        \"sha256\": \"{sha}\",\n        \"retrieved\": \"2026-12-02\"\n      }}"
    );
    assert_eq!(after, format!("{}{added}{}", &before[..at], &before[at..]));

    // The archived record is valid, and its source now holds.
    let out = run(routes(d.tmp.path()).args(["validate", "dataset"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let out = run(&mut d.routes(&["sources", "check"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));

    // No scratch is left beside the files written.
    for folder in ["routes/kz", "snapshots/kz"] {
        for entry in fs_err::read_dir(d.dir().join(folder)).expect("folder") {
            let name = entry.expect("entry").file_name();
            assert!(!name.to_string_lossy().starts_with('.'), "{name:?} left in {folder}");
        }
    }

    // Archived again, nothing changes: same bytes, same record.
    let out = run(&mut d.routes(&["sources", "archive", "kz/fresh", "page"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("unchanged `page`"));
    assert_eq!(
        fs_err::read_to_string(d.record_path("kz/fresh")).expect("record"),
        after
    );
}

#[test]
fn archive_of_every_source_records_each_and_validate_passes() {
    let server = Server::start();
    let d = unarchived(&server);
    let out = run(&mut d.routes(&["sources", "archive", "kz/fresh"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let record: Value =
        serde_json::from_str(&fs_err::read_to_string(d.record_path("kz/fresh")).expect("record")).expect("json");
    assert_eq!(record["sources"][1]["snapshot"]["path"], "snapshots/kz/plain.txt");
    assert_eq!(
        record["sources"][1]["seen"], "2026-11-25",
        "`seen` stays: the facts were not re-verified"
    );
    let plain = fs_err::read_to_string(d.dir().join("snapshots/kz/plain.txt")).expect("snapshot");
    assert!(plain.ends_with("\n\nFees\n\nThe state fee is 2 MCI.\n"), "{plain}");
    let out = run(routes(d.tmp.path()).args(["validate", "dataset"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn archive_updates_every_record_that_shares_the_snapshot() {
    let server = Server::start();
    let d = Dataset::new();
    let old = format!(
        "routes-snapshot-version: 1\nurl: {}\ncopy: partial\ntaken-from: the page, read in a browser\npage-date: unknown\nseen: 2026-11-25\n\n{PASSAGES}",
        server.url("/page")
    );
    for id in ["kz/one", "kz/two"] {
        let mut page = source("page", &server.url("/page"));
        page["snapshot"] = d.snapshot("snapshots/kz/page.txt", &old);
        d.route(id, vec![page], &[("page", "apply at a service centre")]);
    }
    let out = run(&mut d.routes(&["sources", "archive", "kz/one"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("recorded in dataset/routes/kz/two.json"));
    let out = run(routes(d.tmp.path()).args(["validate", "dataset"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn archive_never_overwrites_a_file_it_did_not_make() {
    let server = Server::start();
    let d = unarchived(&server);
    let record = fs_err::read_to_string(d.record_path("kz/fresh")).expect("record");
    let theirs = d.dir().join("snapshots/kz/page.txt");
    for text in [
        "my own notes about this page\n".to_owned(),
        format!(
            "routes-snapshot-version: 1\nurl: {}\ncopy: full\ntaken-from: x\npage-date: unknown\nseen: 2026-11-25\n\nother\n",
            server.url("/elsewhere")
        ),
    ] {
        fs_err::write(&theirs, &text).expect("write");
        let out = run(&mut d.routes(&["sources", "archive", "kz/fresh", "page"]));
        assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("it was left untouched"), "{stderr}");
        assert_eq!(fs_err::read_to_string(&theirs).expect("still there"), text);
        assert_eq!(
            fs_err::read_to_string(d.record_path("kz/fresh")).expect("record"),
            record
        );
    }
    let out = run(&mut d.routes(&["sources", "archive", "kz/fresh", "page"]));
    insta::assert_snapshot!(server.redact(&transcript(&out).replace(&d.tmp.path().display().to_string(), "[TMP]")), @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: `dataset/snapshots/kz/page.txt` exists and is not a routes snapshot of http://[HOST]/page: its header names another page, http://[HOST]/elsewhere; it was left untouched
      hint: `routes` replaces only a snapshot whose header names the same page; move that file away, or set the source's `snapshot.path` to a new file
    ");
}

#[test]
fn archive_of_a_page_that_is_gone_writes_nothing() {
    let server = Server::start();
    let d = Dataset::new();
    d.route("kz/gone", vec![source("missing", &server.url("/missing"))], &[]);
    let record = fs_err::read_to_string(d.record_path("kz/gone")).expect("record");
    let out = run(&mut d.routes(&["sources", "archive", "kz/gone"]));
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sources/dead-link"));
    assert!(!d.dir().join("snapshots/kz/missing.txt").exists());
    assert_eq!(
        fs_err::read_to_string(d.record_path("kz/gone")).expect("record"),
        record
    );
}

#[test]
fn requests_say_who_is_asking() {
    let server = Server::start();
    let d = Dataset::new();
    d.route("kz/agent", vec![source("ua", &server.url("/ua"))], &[]);
    let out = run(&mut d.routes(&["sources", "archive", "kz/agent"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let snapshot = fs_err::read_to_string(d.dir().join("snapshots/kz/ua.txt")).expect("snapshot");
    let ua = snapshot.lines().last().expect("the agent");
    assert_eq!(
        ua,
        format!(
            "routes/{} (+https://example.invalid/routes; source check)",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn no_control_character_of_a_page_reaches_the_terminal() {
    let server = Server::start();
    let d = Dataset::new();
    let mut page = source("escape", &server.url("/escape"));
    page["snapshot"] = d.snapshot(
        "snapshots/kz/escape.txt",
        &format!(
            "routes-snapshot-version: 1\nurl: {}\ncopy: full\ntaken-from: x\npage-date: unknown\nseen: 2026-11-25\n\nColour red text\n",
            server.url("/escape")
        ),
    );
    d.route("kz/escape", vec![page], &[]);
    for format in ["human", "json"] {
        let out = run(&mut d.routes(&["sources", "check", "--format", format]));
        assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("sources/snapshot-changed"), "{all}");
        assert!(!all.contains('\u{1b}') && !all.contains('\u{202e}'), "{all:?}");
    }
    // Nor does one reach a snapshot.
    let out = run(&mut d.routes(&["sources", "archive", "kz/escape"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let snapshot = fs_err::read_to_string(d.dir().join("snapshots/kz/escape.txt")).expect("snapshot");
    assert!(
        snapshot.contains("red") && snapshot.ends_with(" text\n"),
        "{snapshot:?}"
    );
    assert!(
        !snapshot.chars().any(|c| c != '\n' && routes_core::text::is_unsafe(c)),
        "{snapshot:?}"
    );
}

#[test]
fn records_of_json_lines_files_are_checked_and_placed_on_their_line() {
    let server = Server::start();
    let d = Dataset::new();
    let mut first = minimal_record("kz/first");
    first["sources"][0]["url"] = Value::String(server.url("/page"));
    let mut second = minimal_record("kz/second");
    second["sources"][0]["url"] = Value::String(server.url("/missing"));
    fs_err::write(d.dir().join("routes/kz/more.jsonl"), format!("{first}\n{second}\n")).expect("jsonl");
    let out = run(&mut d.routes(&["sources", "check", "--format", "json"]));
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let lines = json_lines(&out);
    let report = lines.iter().find(|l| l["route"] == "kz/second").expect("kz/second");
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "sources/dead-link");
    assert_eq!(finding["file"], "dataset/routes/kz/more.jsonl");
    assert_eq!(finding["line"], 2);
    assert_eq!(finding["pointer"], "/sources/0/url");
    let url = format!("\"{}\"", server.url("/missing"));
    let column = second.to_string().find(&url).expect("the url in the line") + 1;
    assert_eq!(finding["column"], column);
    // Archive edits records kept one per file only.
    let out = run(&mut d.routes(&["sources", "archive", "kz/second"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON Lines"));
}

/// Regression: archive replaces only what it read and checked. A record
/// reached through a symbolic link inside the dataset is edited where it
/// lives, and the link stays a link; a `snapshots` folder that links out of
/// the dataset gets no folder created outside it.
#[test]
fn archive_refuses_links_and_creates_nothing_outside_the_dataset() {
    let server = Server::start();
    let d = unarchived(&server);
    // The record moves inside the dataset; its old path becomes a link to it.
    let record = d.record_path("kz/fresh");
    let real = d.dir().join("kept/fresh.json");
    fs_err::create_dir_all(real.parent().expect("parent")).expect("folder");
    fs_err::rename(&record, &real).expect("move");
    std::os::unix::fs::symlink(&real, &record).expect("link");
    let text = fs_err::read_to_string(&real).expect("record");
    let out = run(&mut d.routes(&["sources", "archive", "kz/fresh", "page"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("recorded in dataset/kept/fresh.json"),
        "{}",
        transcript(&out)
    );
    assert!(
        fs_err::symlink_metadata(&record)
            .expect("link")
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    let edited = fs_err::read_to_string(&real).expect("record");
    assert!(edited.len() > text.len() && edited.contains("\"snapshot\""), "{edited}");

    // `snapshots` links to a folder outside the dataset.
    let d = unarchived(&server);
    let outside = tempfile::tempdir().expect("outside");
    let _ = fs_err::remove_dir_all(d.dir().join("snapshots"));
    std::os::unix::fs::symlink(outside.path(), d.dir().join("snapshots")).expect("link");
    let out = run(&mut d.routes(&["sources", "archive", "kz/fresh", "page"]));
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert_eq!(
        fs_err::read_dir(outside.path()).expect("outside").count(),
        0,
        "nothing made outside"
    );
}
