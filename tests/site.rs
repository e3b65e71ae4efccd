//! `routes site`: the pages as static files, every internal link resolving.

use std::path::{Path, PathBuf};

use crate::util::{minimal_record, root, routes, run, temp_dataset, transcript, write_record};

/// The file a static host serves for an internal address.
fn file_for(site: &Path, address: &str) -> PathBuf {
    let path = address
        .split(['#', '?'])
        .next()
        .unwrap_or_default()
        .trim_start_matches('/');
    let last = path.rsplit('/').next().unwrap_or_default();
    if path.is_empty() || path.ends_with('/') {
        site.join(path).join("index.html")
    } else if last.contains('.') {
        site.join(path)
    } else {
        site.join(path).join("index.html")
    }
}

/// Every `href="/…"` and `src="/…"` of an HTML text.
fn internal_links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        for piece in html.split(attribute).skip(1) {
            let value = piece.split('"').next().unwrap_or_default();
            if value.starts_with('/') && !value.starts_with("//") {
                out.push(value.replace("&amp;", "&"));
            }
        }
    }
    out
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs_err::read_dir(dir).expect("read the site") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

#[test]
fn every_internal_link_of_the_site_resolves() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let site = out_dir.path().join("public");
    let cache = tempfile::tempdir().expect("temp dir");
    let out = run(routes(&root())
        .args(["site", "--out"])
        .arg(&site)
        .env("ROUTES_CACHE_DIR", cache.path()));
    assert!(out.status.success(), "{}", transcript(&out));
    let mut pages = Vec::new();
    html_files(&site, &mut pages);
    assert!(
        pages.len() > crate::util::bundled_record_count(),
        "a page per route and more"
    );
    let mut checked = 0;
    for page in &pages {
        let text = fs_err::read_to_string(page).expect("a page");
        for link in internal_links(&text) {
            let file = file_for(&site, &link);
            assert!(
                file.is_file(),
                "{} links to {link}, which is not in the site ({})",
                page.display(),
                file.display()
            );
            checked += 1;
        }
    }
    // At least the navigation and the stylesheet of every page.
    assert!(
        checked >= pages.len() * 5,
        "only {checked} links checked in {} pages",
        pages.len()
    );
    // The JSON twins and the browser search's index are there too.
    for rel in [
        "routes/kz/temporary-residence-permit.json",
        "search-index.json",
        "static/search.js",
        "llms.txt",
    ] {
        assert!(site.join(rel).is_file(), "{rel}");
    }
    // The record schema, at the path of its `$id`, the same document `routes schema` prints.
    let schema =
        fs_err::read_to_string(site.join(routes_core::ROUTE_SCHEMA_PATH.trim_start_matches('/'))).expect("schema");
    assert_eq!(schema, routes_core::ROUTE_SCHEMA);
    let index: Vec<serde_json::Value> =
        serde_json::from_str(&fs_err::read_to_string(site.join("search-index.json")).expect("read")).expect("JSON");
    assert_eq!(index.len(), crate::util::bundled_record_count());
    // The search page loads the browser search; compare and eligibility say they need the server.
    let search = fs_err::read_to_string(site.join("search/index.html")).expect("read");
    assert!(search.contains("src=\"/static/search.js\""));
    let eligible = fs_err::read_to_string(site.join("eligible/index.html")).expect("read");
    assert!(eligible.contains("routes serve"));
}

#[test]
fn only_a_folder_routes_site_wrote_is_replaced() {
    let dir = temp_dataset();
    write_record(&dir.path().join("kz/a-route.json"), &minimal_record("kz/a-route"));
    let out_dir = tempfile::tempdir().expect("temp dir");
    let target = out_dir.path().join("public");
    fs_err::create_dir_all(&target).expect("mkdir");
    fs_err::write(target.join("mine.txt"), "someone's file").expect("write");
    let cache = tempfile::tempdir().expect("temp dir");
    let site = |target: &Path| {
        run(routes(&root())
            .args(["site", "--dataset"])
            .arg(dir.path())
            .arg("--out")
            .arg(target)
            .env("ROUTES_CACHE_DIR", cache.path()))
    };
    let out = site(&target);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("left untouched"));
    assert_eq!(
        fs_err::read_to_string(target.join("mine.txt")).expect("kept"),
        "someone's file"
    );
    // A new folder, then the same one again: replaced, no scratch left beside it.
    let fresh = out_dir.path().join("fresh");
    assert!(site(&fresh).status.success());
    assert!(fresh.join("routes/kz/a-route/index.html").is_file());
    assert!(site(&fresh).status.success());
    let leftovers: Vec<_> = fs_err::read_dir(out_dir.path())
        .expect("read")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".routes-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
