//! `routes serve`: the real binary serving on loopback, driven over HTTP.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;

use serde_json::Value;

use crate::util::{Server, has_status, minimal_record, root, routes, serve, temp_dataset, write_record};

/// Starts `routes serve` on a free loopback port and waits for its address.
fn start(dataset: &std::path::Path) -> Server {
    serve(&["--dataset".as_ref(), dataset.as_os_str()])
}

/// One HTTP/1.1 exchange with the raw request line and body: status, headers, body.
fn request(server: &Server, method: &str, path: &str, body: &[u8], content_type: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write");
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = headers.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, headers.to_lowercase(), body.to_owned())
}

fn get(server: &Server, path: &str) -> (u16, String, String) {
    request(server, "GET", path, b"", "text/plain")
}

#[test]
fn pages_show_the_routes_with_their_evidence() {
    let server = start(&root().join("dataset"));
    let (status, headers, body) = get(&server, "/");
    assert_eq!(status, 200);
    assert!(
        headers.contains("content-security-policy: default-src 'none'"),
        "{headers}"
    );
    assert!(headers.contains("x-content-type-options: nosniff"));
    assert!(
        body.contains("Kazakhstan") && body.contains("routes in release dataset"),
        "{body}"
    );

    let (status, _, body) = get(&server, "/routes/kz/temporary-residence-permit");
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Temporary residence permit</h1>"), "{body}");
    assert!(
        body.contains("Citizens of the Eurasian Economic Union"),
        "the exemption"
    );
    assert!(body.contains("<blockquote>"), "the excerpts are quoted");
    assert!(
        body.contains("href=\"https://www.gov.kz/services/4631?lang=en\""),
        "the sources are linked"
    );
    assert!(body.contains("id=\"source-gov-kz-services-4631\""), "the sources table");

    let (status, _, body) = get(&server, "/countries/kz");
    assert_eq!(status, 200);
    assert!(body.contains("/routes/kz/neo-nomad-visa-b12-1"));

    let (status, _, body) = get(&server, "/search?q=health+insurance");
    assert_eq!(status, 200);
    assert!(body.contains("<mark>"), "matched words are marked: {body}");
    assert!(body.contains("/routes/ee/digital-nomad-visa"));
}

#[test]
fn the_api_answers_in_json() {
    let server = start(&root().join("dataset"));
    let (status, headers, body) = get(&server, "/api/routes");
    assert_eq!(status, 200);
    assert!(headers.contains("application/json"));
    let list: Vec<Value> = serde_json::from_str(&body).expect("JSON");
    assert_eq!(list.len(), crate::util::bundled_record_count());

    let (status, _, body) = get(&server, "/api/routes/kz/temporary-residence-permit");
    assert_eq!(status, 200);
    let record: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(record["id"], "kz/temporary-residence-permit");

    let (status, _, body) = get(&server, "/api/search?q=police+clearance");
    assert_eq!(status, 200);
    let found: Value = serde_json::from_str(&body).expect("JSON");
    assert!(found["total_routes"].as_u64().expect("a count") > 0);

    let (status, _, body) = get(&server, "/api/facets");
    assert_eq!(status, 200);
    let kazakh = list.iter().filter(|r| r["country"] == "KZ").count();
    assert!(kazakh > 0);
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("JSON")["countries"]["KZ"],
        kazakh
    );

    let profile = br#"{"nationality": ["RU"], "job_offer": true, "health_insurance": false}"#;
    let (status, _, body) = request(
        &server,
        "POST",
        "/api/eligible?on=2026-12-01&country=KZ",
        profile,
        "application/json",
    );
    assert_eq!(status, 200, "{body}");
    let verdicts: Vec<Value> = serde_json::from_str(&body).expect("JSON");
    let trp = verdicts
        .iter()
        .find(|v| v["route_id"] == "kz/temporary-residence-permit")
        .expect("the permit");
    assert!(has_status(trp, "waived"), "{trp}");
}

#[test]
fn bad_requests_get_clear_errors_and_nothing_else() {
    let server = start(&root().join("dataset"));
    for path in [
        "/nope",
        "/routes/kz/nope",
        "/countries/zz",
        "/../../etc/passwd",
        "/routes/../../Cargo.toml",
        "/api/nope",
    ] {
        let (status, _, body) = get(&server, path);
        assert!(status == 404 || status == 400, "{path}: {status}");
        assert!(
            !body.contains("[package]") && !body.contains("root:"),
            "{path} read a file: {body}"
        );
    }
    let (status, _, body) = get(&server, &format!("/api/search?q={}", "a".repeat(600)));
    assert_eq!(status, 400);
    assert!(body.contains("longer than"), "{body}");
    let (status, _, body) = get(&server, "/api/search?q=%22unclosed");
    assert_eq!(status, 400, "{body}");
    let (status, _, body) = request(&server, "POST", "/api/eligible", b"{not json", "application/json");
    assert_eq!(status, 400);
    assert!(serde_json::from_str::<Value>(&body).expect("a JSON error")["hint"].is_string());
    let (status, _, body) = request(
        &server,
        "POST",
        "/api/eligible",
        br#"{"income": "4000 EURO/month"}"#,
        "application/json",
    );
    assert_eq!(status, 400);
    assert!(body.contains("EUR"), "{body}");
    let big = vec![b' '; 200 * 1024];
    let (status, _, _) = request(&server, "POST", "/api/eligible", &big, "application/json");
    assert_eq!(status, 413);
}

#[test]
fn record_text_is_escaped_in_pages() {
    let dir = temp_dataset();
    let mut record = minimal_record("kz/script-route");
    record["name"] = Value::from("<script>alert(1)</script> Route");
    record["summary"] = Value::from("Summary with <img src=x onerror=alert(2)> inside");
    write_record(&dir.path().join("kz/script-route.json"), &record);
    let server = start(dir.path());
    for path in ["/routes/kz/script-route", "/countries/kz", "/search?q=route"] {
        let (status, _, body) = get(&server, path);
        assert_eq!(status, 200, "{path}");
        assert!(
            !body.contains("<script>") && !body.contains("<img src=x"),
            "{path}: {body}"
        );
        assert!(body.contains("&lt;script&gt;"), "{path} shows the name as text");
    }
}

#[test]
fn compare_eligibility_twins_and_caching() {
    let server = start(&root().join("dataset"));
    let (status, _, body) = get(
        &server,
        "/compare?ids=ee/digital-nomad-visa,pt/remote-work-visa-d8,kz/neo-nomad-visa-b12-1",
    );
    assert_eq!(status, 200);
    let header = body
        .split("<thead>")
        .nth(1)
        .and_then(|t| t.split("</thead>").next())
        .expect("a table head");
    assert_eq!(
        header.matches("<th>").count(),
        4,
        "an empty corner and a column per route: {header}"
    );
    assert!(body.contains("min income"), "a row per fact");
    let (status, _, _) = get(&server, "/compare?ids=ee/digital-nomad-visa");
    assert_eq!(status, 400, "one route is not a comparison");
    let (status, _, body) = get(
        &server,
        "/compare.json?ids=ee/digital-nomad-visa,pt/remote-work-visa-d8",
    );
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Vec<Value>>(&body).expect("JSON").len(), 2);

    let (status, _, body) = get(&server, "/eligible");
    assert_eq!(status, 200);
    assert!(body.contains("name=\"nationality\""), "the form");
    let (status, _, body) = get(
        &server,
        "/eligible?nationality=RU&job_offer=yes&health_insurance=no&on=2026-12-01",
    );
    assert_eq!(status, 200);
    assert!(body.contains("<strong>waived</strong> health-insurance"), "{body}");
    let (status, _, body) = get(&server, "/eligible?income=4000+EURO%2Fmonth");
    assert_eq!(status, 400);
    assert!(body.contains("EUR"), "the hint names the currency");

    for (path, key) in [
        ("/routes/kz/temporary-residence-permit.json", "id"),
        ("/index.json", "release"),
    ] {
        let (status, headers, body) = get(&server, path);
        assert_eq!(status, 200, "{path}");
        assert!(headers.contains("application/json"), "{path}");
        assert!(
            serde_json::from_str::<Value>(&body).expect("JSON").get(key).is_some(),
            "{path}"
        );
    }
    let (status, _, body) = get(&server, "/countries/kz.json");
    assert_eq!(status, 200);
    assert!(
        serde_json::from_str::<Vec<Value>>(&body)
            .expect("JSON")
            .iter()
            .all(|r| r["country"] == "KZ")
    );
    let (status, _, body) = get(&server, "/llms.txt");
    assert_eq!(status, 200);
    assert!(body.contains("/routes/kz/temporary-residence-permit.json"), "{body}");
    // The record schema at the path of its `$id`, for editors and programs.
    let (status, headers, body) = get(&server, routes_core::ROUTE_SCHEMA_PATH);
    assert_eq!(status, 200);
    assert!(headers.contains("application/schema+json"), "{headers}");
    let schema: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(schema["$id"], routes_core::ROUTE_SCHEMA_ID);

    // Cached by the release: the same ETag everywhere, a 304 when it is sent back.
    let (_, headers, _) = get(&server, "/routes/kz/temporary-residence-permit");
    let etag = headers
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .expect("an ETag")
        .trim()
        .to_owned();
    assert!(headers.contains("cache-control: public, max-age=300"));
    let (_, other, _) = get(&server, "/api/routes");
    assert!(other.contains(&format!("etag: {etag}")));
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    let head = format!(
        "GET /routes/kz/temporary-residence-permit HTTP/1.1\r\nHost: x\r\nConnection: close\r\nIf-None-Match: {etag}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    assert!(raw.starts_with("HTTP/1.1 304"), "{raw}");
}

#[test]
fn the_openapi_document_is_valid_and_the_api_keeps_it() {
    let python = std::env::var_os("ROUTES_READERS_PYTHON").map_or_else(
        || root().join("target/readers-venv/bin/python"),
        std::path::PathBuf::from,
    );
    assert!(
        python.is_file(),
        "`{}` is missing: run `bash tests/readers/setup.sh`",
        python.display()
    );
    let server = start(&root().join("dataset"));
    let out = std::process::Command::new(&python)
        .arg(root().join("tests/readers/check_openapi.py"))
        .arg(format!("http://{}", server.addr))
        .output()
        .expect("run the checker");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("valid OpenAPI 3.1") && stdout.contains("every operation answers"),
        "{stdout}"
    );
}

#[test]
fn a_release_shows_what_changed_with_an_atom_feed() {
    let dir = temp_dataset();
    let mut record = minimal_record("kz/changing-route");
    write_record(&dir.path().join("kz/changing-route.json"), &record);
    let dist = tempfile::tempdir().expect("temp dir");
    let publish = |version: &str| {
        let out = crate::util::run(
            routes(&root())
                .args(["publish", "--quiet", "--version", version, "--dataset"])
                .arg(dir.path())
                .arg("--out")
                .arg(dist.path()),
        );
        assert!(out.status.success(), "{}", crate::util::transcript(&out));
    };
    publish("1.0.0");
    record["name"] = Value::from("Changed <b>route</b>");
    write_record(&dir.path().join("kz/changing-route.json"), &record);
    publish("1.1.0");
    let release = dist.path().join("routes-1.1.0");
    let server = serve(&["--release".as_ref(), release.as_os_str()]);
    let (status, _, body) = get(&server, "/changes");
    assert_eq!(status, 200);
    assert!(body.contains("href=\"/routes/kz/changing-route\""), "{body}");
    assert!(
        body.contains("Changed &lt;b&gt;route&lt;/b&gt;") && body.contains("Minimal record"),
        "{body}"
    );
    let (status, headers, feed) = get(&server, "/changes.atom");
    assert_eq!(status, 200);
    assert!(headers.contains("application/atom+xml"));
    assert!(
        feed.starts_with("<?xml") && feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"),
        "{feed}"
    );
    assert_eq!(feed.matches("<entry>").count(), 1, "{feed}");
    assert!(!feed.contains("<b>"), "record text escaped in the feed");
    // The working copy of a dataset has no previous release.
    let plain = start(dir.path());
    let (_, _, body) = get(&plain, "/changes");
    assert!(body.contains("No change is recorded"));
}

#[test]
fn a_client_that_trickles_its_request_is_dropped() {
    let server = start(&root().join("dataset"));
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .expect("write a part of the head");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("a read time-out");
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(waited < std::time::Duration::from_secs(15), "held for {waited:?}");
    assert!(
        waited >= std::time::Duration::from_secs(4),
        "dropped before the time-out: {waited:?}"
    );
    assert!(
        !String::from_utf8_lossy(&rest).contains("<html"),
        "no page for half a request"
    );
    // The server still answers others.
    assert_eq!(get(&server, "/").0, 200);
}

#[test]
fn figures_come_per_month_facets_and_every_twin() {
    let server = start(&root().join("dataset"));
    // A yearly threshold set in an index: its value and its monthly figure.
    let (_, _, body) = get(&server, "/routes/de/eu-blue-card");
    assert!(
        body.contains("DE_BBG_RV_ANNUAL of 2024 gross a year = 45300 EUR; 3775 EUR a month"),
        "{body}"
    );
    let (_, _, body) = get(&server, "/search?q=health+insurance");
    assert!(
        body.contains("By country: ") && body.contains("&amp;country=KZ"),
        "{body}"
    );
    for path in [
        "/changes.json",
        "/eligible.json?nationality=RU&job_offer=yes&on=2026-12-01",
    ] {
        let (status, headers, body) = get(&server, path);
        assert_eq!(status, 200, "{path}: {body}");
        assert!(headers.contains("application/json"), "{path}");
        serde_json::from_str::<Value>(&body).expect("JSON");
    }
    let (status, _, _) = get(&server, "/eligible.json?income=4000+EURO%2Fmonth");
    assert_eq!(status, 400);
}
