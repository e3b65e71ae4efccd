//! `routes serve`: the routes as a local website and JSON API; `routes
//! site`: the same pages as static files.

use std::io::BufRead as _;
use std::path::Path;

use routes_web::{Release, Site};

use crate::ExitStatus;
use crate::args::{McpArgs, ServeArgs, SiteArgs};
use crate::printer::{Printer, ToolError};

pub(crate) fn run(args: &ServeArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let site = match &args.release {
        Some(release) => release_site(release)?,
        None => dataset_site(&args.dataset, printer)?,
    };
    let routes = site.routes().len();
    routes_web::serve(site, args.addr, |bound| {
        printer.summary(&format!(
            "serving {} on http://{bound}/",
            super::plural(routes, "route")
        ));
    })
    .map_err(|e| {
        ToolError::new(format!("cannot serve on {}: {e}", args.addr))
            .hint("give a free address with `--addr 127.0.0.1:PORT` (port 0 picks one)")
    })?;
    Ok(ExitStatus::Success)
}

pub(crate) fn run_mcp(args: &McpArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let site = match &args.release {
        Some(release) => release_site(release)?,
        None => dataset_site(&args.dataset, printer)?,
    };
    // stdout is the protocol's: only stderr hears from `routes`.
    printer.summary(&format!(
        "serving {} over MCP on stdio",
        super::plural(site.routes().len(), "route")
    ));
    routes_web::serve_mcp(site)
        .map_err(|e| ToolError::new(format!("the MCP server stopped: {e}")).hint("check the client's messages"))?;
    Ok(ExitStatus::Success)
}

pub(crate) fn run_site(args: &SiteArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let site = match &args.release {
        Some(release) => release_site(release)?,
        None => dataset_site(&args.dataset, printer)?,
    };
    let routes = site.routes().len();
    let written = routes_web::write_site(site, &args.out).map_err(|e| match e {
        routes_web::SiteError::Fs(e @ routes_fs::Error::NotOurs { .. }) => ToolError::from_error(e).hint(
            "`routes` replaces only a folder `routes site` wrote (it holds `.routes-site.json`) or an empty one: give `--out` a new folder",
        ),
        e => ToolError::from_error(e).hint("check that the folder can be written"),
    })?;
    printer.data(&format!("{}\n", args.out.display()))?;
    printer.summary(&format!(
        "wrote the site of {} ({} files, {} KB)",
        super::plural(routes, "route"),
        written.files,
        written.bytes / 1024
    ));
    Ok(ExitStatus::Success)
}

fn dataset_site(dataset: &Path, printer: &Printer) -> Result<Site, ToolError> {
    let reference = super::reference::dataset_reference(dataset)?;
    let dir = super::search::cache_dir(dataset);
    let (index, rebuilt) = routes_index::open_or_build(&[dataset.to_path_buf()], &dir)
        .map_err(|e| ToolError::from_error(e).hint("check that the dataset folder is readable"))?;
    if let Some(reason) = rebuilt {
        printer.note(&format!("built the search index of `{}`: {reason}", dataset.display()));
    }
    let mut routes = Vec::new();
    routes_validate::read_routes(&[dataset.to_path_buf()], &mut |r, _, _| routes.push(r))
        .map_err(|e| ToolError::from_error(e).hint("check that the dataset folder is readable"))?;
    let date = routes
        .iter()
        .map(|r| r.last_verified)
        .max()
        .map_or_else(String::new, |d| d.to_string());
    Ok(Site::new(
        routes,
        index,
        reference,
        Release {
            version: "dataset".into(),
            date,
        },
    ))
}

fn release_site(release: &Path) -> Result<Site, ToolError> {
    let reference = super::reference::reference_of_release(release)?;
    let index = routes_index::open_release(release)
        .map_err(|e| ToolError::from_error(e).hint(super::reference::DOWNLOAD_AGAIN))?;
    let path = super::reference::release_file(release, "data/routes.jsonl")?;
    let again = super::reference::DOWNLOAD_AGAIN;
    let file = std::fs::File::open(&path).map_err(|e| ToolError::from_error(e).hint(again))?;
    // Each line is kept as it is: a page parses its record when asked for it.
    let mut lines = Vec::new();
    let mut numbers = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| ToolError::new(format!("cannot read `{}`: {e}", path.display())).hint(again))?;
        if !line.trim().is_empty() {
            lines.push(line);
            numbers.push(i + 1);
        }
    }
    let package = super::reference::release_file(release, "datapackage.json")?;
    let meta: serde_json::Value = std::fs::read_to_string(&package)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let version = meta["version"].as_str().unwrap_or("unknown").to_owned();
    let date = meta["created"]
        .as_str()
        .map_or_else(String::new, |c| c.chars().take(10).collect());
    let mut site = Site::from_json(lines, index, reference, Release { version, date }).map_err(|(i, e)| {
        ToolError::new(format!(
            "`{}` line {}: not a route record: {e}",
            path.display(),
            numbers[i]
        ))
        .hint(again)
    })?;
    site.changes = release_changes(release)?;
    Ok(site)
}

/// The release's `changes` table (what changed since the previous release).
fn release_changes(release: &Path) -> Result<Vec<routes_web::Change>, ToolError> {
    let path = super::reference::release_file(release, "data/changes.csv")?;
    let bad = |e: &dyn std::fmt::Display| {
        ToolError::new(format!("cannot read `{}`: {e}", path.display())).hint(super::reference::DOWNLOAD_AGAIN)
    };
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(&e))?;
    let headers = reader.headers().map_err(|e| bad(&e))?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let [route, table, item, field, kind, old, new] = [
        "route_id",
        "table_name",
        "item",
        "field",
        "kind",
        "old_value",
        "new_value",
    ]
    .map(column);
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(&e))?;
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default().to_owned();
        out.push(routes_web::Change {
            route_id: get(route),
            table: get(table),
            item: get(item),
            field: get(field),
            kind: get(kind),
            old_value: get(old),
            new_value: get(new),
        });
    }
    Ok(out)
}
