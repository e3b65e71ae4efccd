//! `routes sources check`: fetch every source and compare it with what was
//! archived and quoted.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;

use routes_core::snapshot::{normalise, parse_header};
use routes_diagnostics::{Diagnostic, Severity, sort_diagnostics};

use crate::classify::link_findings;
use crate::dataset::{Dataset, Excerpt, MAX_SNAPSHOT_BYTES, Pending, excerpts, place, shown};
use crate::fetch::{Fetched, Fetcher, Hop, Outcome};
use crate::text::{NotText, extract, passages};
use crate::{Error, codes};

/// Most characters of page or snapshot text a message quotes.
const QUOTE_CHARS: usize = 120;

/// What one source came to.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SourceReport {
    /// The route.
    pub route: String,
    /// The record file, as shown.
    pub file: String,
    /// The source's id.
    pub source: String,
    /// Its index in the record's `sources`.
    pub index: usize,
    /// Its URL.
    pub url: String,
    /// The status of the last answer (none when there was no answer).
    pub status: Option<u16>,
    /// The URL of the last answer, after redirects.
    pub final_url: String,
    /// Every answer, in order.
    pub hops: Vec<Hop>,
    /// The findings, sorted, placed in the record.
    pub findings: Vec<Diagnostic>,
}

impl SourceReport {
    /// The JSON pointer of the source in its record.
    #[must_use]
    pub fn pointer(&self) -> String {
        format!("/sources/{}", self.index)
    }

    /// The stable machine form: `route`, `file`, `source`, `pointer`, `url`,
    /// `status`, `final_url`, `redirects` (each hop before the last, with
    /// `url` and `status`) and `findings` (each as
    /// [`Diagnostic::to_json`]).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let redirects: Vec<serde_json::Value> = self
            .hops
            .iter()
            .take(self.hops.len().saturating_sub(1))
            .map(|h| serde_json::json!({"url": h.url, "status": h.status}))
            .collect();
        serde_json::json!({
            "route": self.route,
            "file": self.file,
            "source": self.source,
            "pointer": self.pointer(),
            "url": self.url,
            "status": self.status,
            "final_url": self.final_url,
            "redirects": redirects,
            "findings": self.findings.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
        })
    }
}

/// What a check came to.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CheckReport {
    /// Every source checked, in the order of the records and their sources.
    pub sources: Vec<SourceReport>,
    /// Distinct URLs fetched.
    pub pages: usize,
    /// Routes checked.
    pub routes: usize,
    /// Records that could not be read as routes (and were not checked).
    pub skipped: usize,
}

impl CheckReport {
    /// The routes to re-verify: those with a finding that is an error (see
    /// [`codes::Code::reverify`]), sorted.
    #[must_use]
    pub fn reverify(&self) -> Vec<String> {
        let routes: BTreeSet<&str> = self
            .sources
            .iter()
            .filter(|s| s.findings.iter().any(|d| d.severity() == Severity::Error))
            .map(|s| s.route.as_str())
            .collect();
        routes.into_iter().map(str::to_owned).collect()
    }

    /// Findings of this severity.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.sources
            .iter()
            .flat_map(|s| &s.findings)
            .filter(|d| d.severity() == severity)
            .count()
    }
}

/// A source to check.
struct Task {
    route: String,
    path: PathBuf,
    line: Option<usize>,
    index: usize,
    id: String,
    url: String,
    snapshot: Option<String>,
    excerpts: Vec<Excerpt>,
}

/// A page fetched, with what it means for every source that cites it.
struct Page {
    fetched: Fetched,
    links: Vec<crate::classify::LinkFinding>,
    /// The normalised text, when the page is the one cited and is text.
    text: Option<Result<String, NotText>>,
}

impl Page {
    /// What `fetched` says; its body is dropped once its text is read.
    fn judge(mut fetched: Fetched, timeout: u64) -> Self {
        let (links, comparable) = link_findings(&fetched, timeout);
        let text = match (&mut fetched.outcome, comparable) {
            (Outcome::Page { content_type, body }, true) => {
                let text = extract(body, content_type.as_deref()).map(|t| normalise(&t));
                *body = Vec::new();
                Some(text)
            }
            _ => None,
        };
        Self { fetched, links, text }
    }
}

/// What one source came to, before its findings are placed.
#[derive(Clone)]
struct TaskOutcome {
    hops: Vec<Hop>,
    pending: Vec<Pending>,
}

/// The findings of source `task` against `page`.
fn judge(dataset: &Dataset, task: &Task, page: &Page) -> TaskOutcome {
    let mut pending = Vec::new();
    let mut add = |pointer: String, code: &'static str, message: String, label: &str, hint: Option<String>| {
        pending.push(Pending {
            path: task.path.clone(),
            line: task.line,
            route: task.route.clone(),
            pointer,
            code,
            message: format!("source `{}`: {message}", task.id),
            label: label.to_owned(),
            hint,
        });
    };
    let url_pointer = format!("/sources/{}/url", task.index);
    for link in &page.links {
        let hint = (link.code == codes::MOVED_PERMANENTLY)
            .then(|| crate::classify::permanent_target(&page.fetched))
            .flatten()
            .map(|target| {
                format!(
                    "check that the new page states the same facts, then set `url` to `{target}` and keep `{}` in `aliases`",
                    task.url
                )
            });
        add(url_pointer.clone(), link.code, link.message.clone(), link.label, hint);
    }
    match &page.text {
        Some(Err(not_text)) => add(
            url_pointer,
            codes::NOT_TEXT,
            format!(
                "{} is served as `{}`, not as text that can be compared",
                page.fetched.final_url(),
                not_text.media_type
            ),
            "not text",
            None,
        ),
        Some(Ok(text)) => {
            if let Some(path) = &task.snapshot
                && let Some(message) = compare_snapshot(dataset, path, text, page.fetched.final_url())
            {
                add(
                    format!("/sources/{}/snapshot/path", task.index),
                    codes::SNAPSHOT_CHANGED,
                    message,
                    "no longer the page's text",
                    None,
                );
            }
            for e in &task.excerpts {
                if !text.contains(&normalise(&e.text)) {
                    add(
                        e.pointer.clone(),
                        codes::EXCERPT_MISSING,
                        format!(
                            "this excerpt is no longer in {}: «{}»",
                            page.fetched.final_url(),
                            quote(&normalise(&e.text))
                        ),
                        "not in the page",
                        None,
                    );
                }
            }
        }
        None => {}
    }
    TaskOutcome {
        hops: page.fetched.hops.clone(),
        pending,
    }
}

/// Fetches every source of the routes of `dataset` (of the routes named in
/// `only`, when not empty; an id that names no route is
/// [`Error::UnknownRoute`]) and compares each page with its snapshot and
/// the excerpts that quote it. Each URL is fetched once, however many
/// sources cite it. `progress` is told how many pages of how many are done.
pub fn check(
    dataset: &Dataset,
    fetcher: &Fetcher,
    only: &[String],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<CheckReport, Error> {
    let mut tasks = Vec::new();
    let mut ids = Vec::new();
    let mut routes = 0;
    let skipped = dataset.records(&mut |record| {
        let id = record.route.id.as_str().to_owned();
        ids.push(id.clone());
        if !only.is_empty() && !only.contains(&id) {
            return;
        }
        routes += 1;
        let quotes = excerpts(&record.value);
        for (index, s) in record.route.sources.iter().enumerate() {
            tasks.push(Task {
                route: id.clone(),
                path: record.path.clone(),
                line: record.line,
                index,
                id: s.id.as_str().to_owned(),
                url: s.url.clone(),
                snapshot: s.snapshot.as_ref().map(|s| s.path.clone()),
                excerpts: quotes.iter().filter(|e| e.source == s.id.as_str()).cloned().collect(),
            });
        }
    })?;
    if let Some(missing) = only.iter().find(|id| !ids.contains(id)) {
        return Err(dataset.unknown_route(missing, &ids));
    }
    // Each distinct URL once; `cited[u]` lists the tasks that cite URL `u`.
    let mut urls: Vec<String> = Vec::new();
    let mut cited: Vec<Vec<usize>> = Vec::new();
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (n, t) in tasks.iter().enumerate() {
        let u = *first.entry(t.url.as_str()).or_insert_with(|| {
            urls.push(t.url.clone());
            cited.push(Vec::new());
            urls.len() - 1
        });
        cited[u].push(n);
    }
    let total = urls.len();
    let timeout = fetcher.options().timeout.as_secs().max(1);
    // Each page is judged by the worker that fetched it, and its body
    // dropped there: memory holds at most one body per worker.
    let outcomes: Mutex<Vec<Option<TaskOutcome>>> = Mutex::new(vec![None; tasks.len()]);
    let done = std::sync::atomic::AtomicUsize::new(0);
    fetcher.fetch_each(&urls, &|u, fetched| {
        let page = Page::judge(fetched, timeout);
        for &n in &cited[u] {
            let outcome = judge(dataset, &tasks[n], &page);
            if let Ok(mut outcomes) = outcomes.lock() {
                outcomes[n] = Some(outcome);
            }
        }
        progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
    });
    let outcomes = outcomes.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut reports = Vec::with_capacity(tasks.len());
    let mut pending = Vec::new();
    for (task, outcome) in tasks.iter().zip(outcomes) {
        let Some(outcome) = outcome else { continue };
        let owner = reports.len();
        pending.extend(outcome.pending.into_iter().map(|p| (owner, p)));
        reports.push(SourceReport {
            route: task.route.clone(),
            file: shown(&task.path),
            source: task.id.clone(),
            index: task.index,
            url: task.url.clone(),
            status: outcome.hops.last().map(|h| h.status),
            final_url: outcome.hops.last().map_or_else(|| task.url.clone(), |h| h.url.clone()),
            hops: outcome.hops,
            findings: Vec::new(),
        });
    }
    let (owners, pending): (Vec<usize>, Vec<Pending>) = pending.into_iter().unzip();
    for (owner, d) in owners.into_iter().zip(place(&pending)) {
        if let Some(r) = reports.get_mut(owner) {
            r.findings.push(d);
        }
    }
    for r in &mut reports {
        sort_diagnostics(&mut r.findings);
    }
    Ok(CheckReport {
        sources: reports,
        pages: total,
        routes,
        skipped,
    })
}

/// Why the page's text no longer matches the snapshot at `path`, if it
/// does not: a full copy must equal the page's text; every passage of a
/// partial or plain copy must still be in it. A snapshot that cannot be
/// read is not compared (`routes validate` reports it).
fn compare_snapshot(dataset: &Dataset, path: &str, page: &str, final_url: &str) -> Option<String> {
    let bytes = routes_fs::read_confined(dataset.root(), path, MAX_SNAPSHOT_BYTES).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let (full, body) = match parse_header(&text) {
        Ok(Some((header, body))) => (header.copy == "full", body),
        Ok(None) => (false, text.as_ref()),
        Err(_) => return None,
    };
    if full {
        let archived = normalise(body);
        if archived == page {
            return None;
        }
        let at = archived.chars().zip(page.chars()).take_while(|(a, b)| a == b).count();
        let from = at.saturating_sub(20);
        let context = |t: &str| t.chars().skip(from).take(60).collect::<String>();
        return Some(format!(
            "the text of {final_url} differs from its full snapshot `{path}`, from «{}» (the page now reads «{}»)",
            context(&archived),
            context(page)
        ));
    }
    let all = passages(body);
    let missing: Vec<&String> = all.iter().filter(|p| !page.contains(p.as_str())).collect();
    let first = missing.first()?;
    Some(format!(
        "{} of {} passages of snapshot `{path}` are no longer in {final_url}; the first: «{}»",
        missing.len(),
        all.len(),
        quote(first)
    ))
}

/// At most [`QUOTE_CHARS`] characters of `text`, with `…` when cut.
fn quote(text: &str) -> String {
    if text.chars().count() <= QUOTE_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(QUOTE_CHARS).collect();
    out.push('…');
    out
}
