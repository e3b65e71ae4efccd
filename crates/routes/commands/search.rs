//! `routes search` and `routes index`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use routes_index::{Hit, Query, RouteIndex, SearchResults};

use crate::ExitStatus;
use crate::args::{Format, IndexArgs, SearchArgs};
use crate::printer::{Printer, ToolError};

/// Where the cached index of a dataset lives: `.routes-cache/<name>/index`
/// beside the dataset folder (or under `ROUTES_CACHE_DIR`).
pub(crate) fn cache_dir(dataset: &Path) -> PathBuf {
    let absolute = std::path::absolute(dataset).unwrap_or_else(|_| dataset.to_path_buf());
    let name = absolute
        .file_name()
        .map_or_else(|| "dataset".into(), |n| n.to_string_lossy().into_owned());
    let base = std::env::var_os("ROUTES_CACHE_DIR").map_or_else(
        || absolute.parent().unwrap_or(Path::new(".")).join(".routes-cache"),
        PathBuf::from,
    );
    base.join(name).join("index")
}

fn index_error(e: routes_index::Error) -> ToolError {
    match e {
        routes_index::Error::Query(q) => ToolError::new(q.to_string()).hint(q.hint),
        e @ routes_index::Error::Unusable { .. } => ToolError::from_error(e)
            .hint("a release's index is part of the release; download the release again, or search the dataset with `--dataset`"),
        e => ToolError::from_error(e).hint("check that the folder exists and is readable"),
    }
}

/// The SHA-256 of `data/routes.jsonl` as the release's `SHA256SUMS` lists it.
fn released_records_digest(release: &Path) -> Result<String, ToolError> {
    let sums = release.join("SHA256SUMS");
    let text = std::fs::read_to_string(&sums).map_err(|e| {
        ToolError::new(format!("cannot read `{}`: {e}", sums.display()))
            .hint("give the folder of a release published by `routes publish`")
    })?;
    text.lines()
        .find_map(|line| line.strip_suffix("  data/routes.jsonl"))
        .map(str::to_owned)
        .ok_or_else(|| {
            ToolError::new(format!("`{}` lists no `data/routes.jsonl`", sums.display()))
                .hint("give the folder of a release published by `routes publish`")
        })
}

fn open(args: &SearchArgs, printer: &Printer) -> Result<RouteIndex, ToolError> {
    if let Some(release) = &args.release {
        let dir = release.join("index");
        let index = RouteIndex::open(&dir).map_err(index_error)?;
        // The index records the SHA-256 of the `routes.jsonl` it was built
        // from; the release's `SHA256SUMS` says which one it ships. Reading
        // the sums, not hashing the records, keeps a search instant.
        let expected = released_records_digest(release)?;
        if index.meta().fingerprint != expected {
            return Err(ToolError::new(format!(
                "the search index at `{}` was not built from this release's `data/routes.jsonl`",
                dir.display()
            ))
            .hint("the release was changed after it was published; download it again"));
        }
        return Ok(index);
    }
    if !args.dataset.exists() {
        return Err(
            ToolError::new(format!("cannot read `{}`", args.dataset.display())).hint(
                "run `routes search` in the folder that holds `dataset/`, or give `--dataset DIR` or `--release DIR`",
            ),
        );
    }
    let dir = cache_dir(&args.dataset);
    let (index, rebuilt) =
        routes_index::open_or_build(std::slice::from_ref(&args.dataset), &dir).map_err(index_error)?;
    if let Some(reason) = rebuilt {
        let routes = index.meta().routes;
        printer.note(&format!(
            "built the search index of `{}` ({routes} route{}): {reason}",
            args.dataset.display(),
            if routes == 1 { "" } else { "s" }
        ));
    }
    Ok(index)
}

pub(crate) fn run(args: &SearchArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    if let Err(e) = routes_index::check_query(&args.query) {
        return Err(ToolError::new(e.to_string()).hint(e.hint));
    }
    let index = open(args, printer)?;
    let mut query = Query::new(args.query.clone());
    query.country.clone_from(&args.country);
    query.category.clone_from(&args.category);
    query.status.clone_from(&args.status);
    query.limit = usize::from(args.limit);
    query.facets = args.facets;
    let results = index.search(&query).map_err(index_error)?;
    if results.fuzzy && !results.hits.is_empty() {
        printer.note(&format!(
            "no exact match for `{}`; showing matches that allow a typo",
            args.query
        ));
    }
    match args.format {
        Format::Human => printer.data(&human(&results, printer.stdout_is_terminal()))?,
        Format::Json => printer.data(&json(&results))?,
    }
    if results.hits.is_empty() {
        printer.note(&format!("no route matches `{}`", args.query));
        return Ok(ExitStatus::Failure);
    }
    printer.summary(&format!(
        "{} of {} matching route{}",
        results.hits.len(),
        results.total_routes,
        if results.total_routes == 1 { "" } else { "s" }
    ));
    Ok(ExitStatus::Success)
}

fn mark(snippet: &str, highlights: &[(usize, usize)], bold: bool) -> String {
    let (on, off) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("**", "**") };
    let chars: Vec<char> = snippet.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    for &(start, end) in highlights {
        out.extend(&chars[at.min(start)..start]);
        out.push_str(on);
        out.extend(&chars[start..end.min(chars.len())]);
        out.push_str(off);
        at = end;
    }
    out.extend(&chars[at.min(chars.len())..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn human(results: &SearchResults, bold: bool) -> String {
    let mut out = String::new();
    for Hit {
        route_id,
        country,
        category,
        name,
        matches,
        ..
    } in &results.hits
    {
        let _ = writeln!(out, "{route_id}  {country} · {category} · {name}");
        for m in matches {
            if m.snippet == m.label {
                // The label itself matched: show it once, highlighted.
                let _ = writeln!(out, "  {:<11} {}", m.kind, mark(&m.label, &m.highlights, bold));
            } else {
                let _ = writeln!(
                    out,
                    "  {:<11} {}",
                    m.kind,
                    m.label.split_whitespace().collect::<Vec<_>>().join(" ")
                );
                if !m.snippet.is_empty() {
                    let _ = writeln!(out, "              {}", mark(&m.snippet, &m.highlights, bold));
                }
            }
            if let Some(source) = &m.source {
                let _ = writeln!(out, "              source: {source}");
            }
        }
        out.push('\n');
    }
    if let Some(f) = &results.facets {
        let list = |m: &std::collections::BTreeMap<String, usize>| {
            m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
        };
        let _ = writeln!(out, "countries: {}", list(&f.country));
        let _ = writeln!(out, "categories: {}", list(&f.category));
    }
    out
}

fn json(results: &SearchResults) -> String {
    let mut out = String::new();
    for hit in &results.hits {
        let line = serde_json::json!({
            "route_id": hit.route_id,
            "country": hit.country,
            "category": hit.category,
            "name": hit.name,
            "score": hit.score,
            "fuzzy": results.fuzzy,
            "matches": hit.matches,
        });
        let _ = writeln!(out, "{line}");
    }
    if let Some(f) = &results.facets {
        let _ = writeln!(out, "{}", serde_json::json!({ "facets": f }));
    }
    out
}

pub(crate) fn run_index(args: &IndexArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    if !args.dataset.exists() {
        return Err(ToolError::new(format!("cannot read `{}`", args.dataset.display()))
            .hint("give the dataset folder with `--dataset DIR`"));
    }
    let out = args.out.clone().unwrap_or_else(|| cache_dir(&args.dataset));
    let paths = [args.dataset.clone()];
    let fingerprint = routes_index::dataset_fingerprint(&paths).map_err(index_error)?;
    let meta = routes_index::build_index(&paths, &out, &fingerprint).map_err(index_error)?;
    printer.data(&format!("{}\n", out.display()))?;
    printer.summary(&format!("indexed {} routes ({} items)", meta.routes, meta.documents));
    Ok(ExitStatus::Success)
}
