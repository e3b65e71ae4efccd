//! The pages in a real browser: headless Chromium (Debian's package, from
//! `tests/browser/setup.sh`) renders the running server's pages and the
//! static site's, and the tests check the screenshots and the rendered DOM.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::util::{root, routes, run, serve, transcript};

/// A process stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("ROUTES_CHROMIUM").map_or_else(|| PathBuf::from("chromium"), PathBuf::from);
    let found = Command::new(&path).arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "`{}` is missing: run `bash tests/browser/setup.sh` (or set ROUTES_CHROMIUM)",
        path.display()
    );
    path
}

fn headless(args: &[&str]) -> std::process::Output {
    Command::new(chromium())
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .args(args)
        .output()
        .expect("chromium runs")
}

/// The DOM after the page's scripts ran (up to five seconds of page time).
fn dom(url: &str) -> String {
    let out = headless(&["--virtual-time-budget=5000", "--dump-dom", url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A screenshot of `url`, 1280 × `height`: its width and height as the PNG says, and its size.
fn screenshot(url: &str, file: &Path, height: u32) -> (u32, u32, u64) {
    let out = headless(&[
        &format!("--window-size=1280,{height}"),
        &format!("--screenshot={}", file.display()),
        url,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = fs_err::read(file).expect("the screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    (be(16), be(20), png.len() as u64)
}

#[test]
fn the_route_page_shows_its_figures_and_sources() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(&[]);
    let addr = &server.addr;
    let url = format!("http://{addr}/routes/kz/temporary-residence-permit");
    let page = dom(&url);
    assert!(page.contains("<h1>Temporary residence permit</h1>"), "{page}");
    assert!(page.contains("<blockquote>"), "the excerpts");
    assert!(
        page.contains("href=\"https://www.gov.kz/services/4631?lang=en\""),
        "the sources"
    );
    assert!(page.contains("at least 16 years"), "the figures");
    let (w, h, size) = screenshot(&url, &dir.path().join("route.png"), 1800);
    assert_eq!((w, h), (1280, 1800));
    // A page of text is far larger a PNG than an empty one.
    let (_, _, blank) = screenshot("about:blank", &dir.path().join("blank.png"), 1800);
    assert!(
        size > 10 * blank,
        "the route page ({size} B) against an empty page ({blank} B)"
    );
    // The stylesheet applied: a CSP that let nothing in would leave the default serif page.
    let styled = dom(&format!("http://{addr}/static/style.css"));
    assert!(styled.contains("font:16px/1.5 system-ui"));
}

#[test]
fn search_results_appear_for_a_query_typed_into_the_box() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(&[]);
    let addr = &server.addr;
    // The server's box is a form: typing and pressing Enter asks /search?q=.
    let page = dom(&format!("http://{addr}/search?q=health+insurance"));
    assert!(page.contains("matching routes") && page.contains("<mark>"), "{page}");
    let (_, _, size) = screenshot(
        &format!("http://{addr}/search?q=health+insurance"),
        &dir.path().join("search.png"),
        1200,
    );
    assert!(size > 20_000, "{size}");

    // The static site's box runs in the browser on search-index.json.
    let public = dir.path().join("public");
    let out = run(routes(&root())
        .args(["site", "--out"])
        .arg(&public)
        .env("ROUTES_CACHE_DIR", dir.path()));
    assert!(out.status.success(), "{}", transcript(&out));
    let python = crate::util::readers_python();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let _static_server = Running(
        Command::new(&python)
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
                "--directory",
            ])
            .arg(&public)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python serves the static site"),
    );
    let url = format!("http://127.0.0.1:{port}/search/?q=health+insurance");
    let mut page = String::new();
    for _ in 0..50 {
        page = dom(&url);
        if page.contains("matching routes") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(page.contains("matching routes"), "{page}");
    assert!(
        page.contains("href=\"/routes/kz/temporary-residence-permit\""),
        "{page}"
    );
}

#[test]
fn the_compare_table_has_a_column_per_route() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(&[]);
    let addr = &server.addr;
    let url = format!("http://{addr}/compare?ids=ee/digital-nomad-visa,pt/remote-work-visa-d8,kz/neo-nomad-visa-b12-1");
    let page = dom(&url);
    let head = page
        .split("<thead>")
        .nth(1)
        .and_then(|t| t.split("</thead>").next())
        .expect("a table head");
    assert_eq!(head.matches("<th>").count(), 4, "{head}");
    for name in ["Digital Nomad Visa", "Neo Nomad Visa (B12-1)"] {
        assert!(head.contains(name), "{name}");
    }
    let (w, _, size) = screenshot(&url, &dir.path().join("compare.png"), 1400);
    assert_eq!(w, 1280);
    assert!(size > 20_000, "{size}");
}
