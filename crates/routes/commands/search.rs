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
        routes_index::Error::Filter(f) => ToolError::new(format!("--{}: {}", f.field, f.message)).hint(f.hint),
        e @ routes_index::Error::NotOurs { .. } => ToolError::from_error(e).hint(
            "`routes` never removes what it did not make: give `--out` a new folder (or one `routes index` wrote), \
             or move that one away; for the search cache, `ROUTES_CACHE_DIR` moves it elsewhere",
        ),
        e @ (routes_index::Error::Unusable { .. }
        | routes_index::Error::Damaged { .. }
        | routes_index::Error::Panicked { .. }) => ToolError::from_error(e).hint(
            "a release's index is part of the release; download the release again \
             (`sha256sum --check SHA256SUMS` in it names every file that differs), or search the dataset with `--dataset`",
        ),
        e => ToolError::from_error(e).hint("check that the folder exists and is readable"),
    }
}

fn note_left_out(index: &RouteIndex, dataset: &Path, printer: &Printer) {
    let n = index.meta().left_out;
    if n > 0 {
        let (s, are, they) = if n == 1 { ("", "is", "it") } else { ("s", "are", "they") };
        printer.note(&format!(
            "{n} record{s} of `{}` {are} not in the search index: {they} cannot be read as a route; `routes validate {}` shows why",
            dataset.display(),
            dataset.display(),
        ));
    }
}

fn note_built(index: &RouteIndex, dataset: &Path, reason: &str, printer: &Printer) {
    let routes = index.meta().routes;
    printer.note(&format!(
        "built the search index of `{}` ({routes} route{}): {reason}",
        dataset.display(),
        if routes == 1 { "" } else { "s" }
    ));
}

fn open(args: &SearchArgs, printer: &Printer) -> Result<RouteIndex, ToolError> {
    if let Some(release) = &args.release {
        return routes_index::open_release(release).map_err(index_error);
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
        note_built(&index, &args.dataset, &reason, printer);
    }
    note_left_out(&index, &args.dataset, printer);
    Ok(index)
}

/// Searches; a dataset's cache that fails while searching (a file damaged
/// after it was checked) is rebuilt once and searched again.
fn search(index: RouteIndex, query: &Query, args: &SearchArgs, printer: &Printer) -> Result<SearchResults, ToolError> {
    match index.search(query) {
        Ok(results) => Ok(results),
        Err(
            e @ (routes_index::Error::Tantivy { .. }
            | routes_index::Error::Unusable { .. }
            | routes_index::Error::Panicked { .. }),
        ) if args.release.is_none() => {
            let reason = format!("the index failed ({})", crate::printer::error_chain(&e));
            let dir = index.path().to_path_buf();
            drop(index);
            let index = routes_index::rebuild(std::slice::from_ref(&args.dataset), &dir).map_err(index_error)?;
            note_built(&index, &args.dataset, &reason, printer);
            index.search(query).map_err(index_error)
        }
        Err(e) => Err(index_error(e)),
    }
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
    query.synonyms = !args.no_synonyms;
    query.prefix = !args.no_prefix;
    let results = search(index, &query, args, printer)?;
    notes(&results, &args.query, printer);
    match args.format {
        Format::Human => printer.data(&human(&results, printer.stdout_is_terminal()))?,
        Format::Json => printer.data(&json(&results))?,
    }
    if results.hits.is_empty() {
        let quoted = crate::printer::escape(&args.query).into_owned();
        match &results.suggestion {
            Some(respelt) => printer.note(&format!(
                "no route matches `{quoted}`; did you mean `{}`?",
                crate::printer::escape(respelt)
            )),
            None => printer.note(&format!("no route matches `{quoted}`")),
        }
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

/// What stderr says about how the query was read: stop words left out, a
/// typo-tolerant or partial match, a respelt query that finds more.
fn notes(results: &SearchResults, query: &str, printer: &Printer) {
    let quoted = crate::printer::escape(query).into_owned();
    if !results.dropped.is_empty() && !results.hits.is_empty() {
        let words: Vec<String> = results
            .dropped
            .iter()
            .map(|w| format!("`{}`", crate::printer::escape(w)))
            .collect();
        printer.note(&format!(
            "left out {}: too common to search for; quote the query (`\"…\"`) to keep them",
            words.join(", ")
        ));
    }
    if results.hits.is_empty() {
        return;
    }
    let respelt = results
        .suggestion
        .as_ref()
        .map(|s| format!("; did you mean `{}`?", crate::printer::escape(s)))
        .unwrap_or_default();
    if results.fuzzy {
        printer.note(&format!(
            "no exact match for `{quoted}`; showing matches that allow a typo{respelt}"
        ));
    } else if results.partial {
        printer.note(&format!(
            "no route holds every word of `{quoted}`; showing routes that hold some of them{respelt}"
        ));
    }
}

/// The snippet with its highlights marked: bold on a terminal, `**word**`
/// otherwise. Each piece of the record's text is escaped here (so the only
/// escape sequences left are the two markers of bold, which the printer
/// lets through on a terminal), and highlights past the end are clamped.
fn mark(snippet: &str, highlights: &[(usize, usize)], bold: bool) -> String {
    let (on, off) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("**", "**") };
    let chars: Vec<char> = snippet.chars().collect();
    let piece = |from: usize, to: usize| -> String {
        let (from, to) = (from.min(chars.len()), to.min(chars.len()));
        let text: String = chars[from..to.max(from)].iter().collect();
        crate::printer::escape(&text).into_owned()
    };
    let mut out = String::new();
    let mut at = 0;
    for &(start, end) in highlights {
        let start = start.max(at);
        if start >= chars.len() {
            break;
        }
        out.push_str(&piece(at, start));
        out.push_str(on);
        out.push_str(&piece(start, end));
        out.push_str(off);
        at = end.max(start);
    }
    out.push_str(&piece(at, chars.len()));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the lines under an item start: past its kind (`processing_time`
/// is the longest).
const INDENT: &str = "                  ";

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
        // Every text of the record is escaped here, so that only the bold
        // markers of `mark` are left for the printer to let through.
        let esc = |text: &str| crate::printer::escape(text).into_owned();
        let _ = writeln!(
            out,
            "{}  {} · {} · {}",
            esc(route_id),
            esc(country),
            esc(category),
            esc(name)
        );
        for m in matches {
            let _ = writeln!(out, "  {:<15} {}", m.kind, mark(&m.label, &m.label_highlights, bold));
            if !m.snippet.is_empty() && m.snippet != m.label {
                let _ = writeln!(out, "{INDENT}{}", mark(&m.snippet, &m.highlights, bold));
            }
            if let Some(synonym) = &m.synonym {
                let _ = writeln!(
                    out,
                    "{INDENT}matched \"{}\" for \"{}\"",
                    esc(&synonym.matched),
                    esc(&synonym.query)
                );
            }
            if let Some(source) = &m.source {
                let _ = writeln!(out, "{INDENT}source: {}", esc(source));
            }
        }
        out.push('\n');
    }
    if let Some(f) = &results.facets {
        let list = |m: &std::collections::BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{} {v}", crate::printer::escape(k)))
                .collect::<Vec<_>>()
                .join(", ")
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
            "partial": results.partial,
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
    if meta.left_out > 0 {
        printer.note(&format!(
            "{} record{} left out: {} cannot be read as routes; `routes validate {}` shows why",
            meta.left_out,
            if meta.left_out == 1 { " was" } else { "s were" },
            if meta.left_out == 1 { "it" } else { "they" },
            args.dataset.display()
        ));
    }
    printer.summary(&format!("indexed {} routes ({} items)", meta.routes, meta.documents));
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::mark;

    /// On a terminal the bold markers are escape sequences the printer lets
    /// through; the same sequence written in a record must not be one.
    #[test]
    fn mark_escapes_the_record_text_and_keeps_only_its_own_markers() {
        let marked = mark("a \u{1b}[1mbold\u{1b}[0m insurance", &[(15, 24)], true);
        assert_eq!(marked, "a \\u001b[1mbold\\u001b[0m \u{1b}[1minsurance\u{1b}[0m",);
        // Highlights past the end are clamped, never a panic.
        assert_eq!(mark("visa", &[(2, 40), (50, 60)], false), "vi**sa**");
    }
}
