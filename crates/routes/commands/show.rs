//! `routes show`: one route as a person reads it (in a terminal or as a
//! Markdown document), or its record as JSON.
//!
//! The text follows the order of a route's page: what it is, who may apply,
//! the requirements, documents, duration, application (channels, processing
//! times, fees), legal basis, notes, related routes and the numbered
//! sources. Every figure is followed by the source it rests on and the
//! verbatim quote the record gives for it; a value the sources disagree on
//! says so beside each of its values, and a fact no source gives reads "not
//! found in the sources", never a default.
//!
//! Both texts are made from one list of [`Block`]s, so they hold the same
//! sections; all of it goes out through [`Printer::data`], which escapes
//! control characters.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use routes_core::{
    Combination, Evidence, Meet, Money, NationalitySet, Period, Range, Route, RouteId, Slug, Tristate, Unit,
};

use crate::ExitStatus;
use crate::args::{ShowArgs, ShowFormat};
use crate::printer::{Printer, ToolError};

/// What the text says of a fact that no source gives.
const NOT_FOUND: &str = "not found in the sources";

/// Largest record file read back for `--format json`, in bytes (what
/// `routes validate` reads at most).
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// How many near ids an unknown id names.
const SUGGESTIONS: usize = 3;

pub(crate) fn run(args: &ShowArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let id = parse_id(&args.id)?;
    let lookup = match &args.release {
        Some(release) => find_in_release(release, &id)?,
        None => find_in_dataset(&args.dataset, &id, printer)?,
    };
    let (route, raw) = match lookup {
        Lookup::Found { route, raw } => (route, raw),
        Lookup::Missing { ids } => {
            printer.tool_error(&unknown_id(&id, &ids));
            return Ok(ExitStatus::Failure);
        }
    };
    let text = match args.format {
        ShowFormat::Json => json(&raw)?,
        ShowFormat::Human => human(&blocks(&route)),
        ShowFormat::Markdown => markdown(&blocks(&route)),
    };
    // Every text of the record is escaped (ESC, DEL, C1 and bidirectional
    // controls as `\u…`), even the bold and reset sequences the printer
    // lets through for search highlights on a terminal.
    printer.data(&crate::printer::escape(&text))?;
    Ok(ExitStatus::Success)
}

/// The id, checked: a malformed one is a tool error (exit 2) with a hint,
/// and the id it was probably meant to be when there is one.
pub(crate) fn parse_id(text: &str) -> Result<RouteId, ToolError> {
    RouteId::new(text).map_err(|_| {
        let shown = crate::printer::escape(text);
        let mut hint = "an id is `<country>/<slug>`: the ISO 3166-1 code in lower case, `/`, then lower-case \
                        letters and digits in words joined by `-`, such as `kz/temporary-residence-permit`"
            .to_owned();
        if let Some(fixed) = respelt_id(text).filter(|fixed| fixed != text) {
            hint = format!("did you mean `{fixed}`? {hint}");
        }
        ToolError::new(format!("`{shown}` is not a route id")).hint(hint)
    })
}

/// `text` made into the form of an id, if that gives one: lower case, and
/// every run of other characters in the slug a single `-` (`KZ/Student
/// Visa` → `kz/student-visa`).
pub(crate) fn respelt_id(text: &str) -> Option<String> {
    let (country, slug) = text.trim().split_once('/')?;
    let country = country.trim().to_lowercase();
    let slug: String = slug
        .to_lowercase()
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let id = format!("{country}/{slug}");
    RouteId::new(id.as_str()).ok().map(|_| id)
}

/// The error of an id no route has: the nearest ids, or where to find them.
fn unknown_id(id: &RouteId, ids: &[String]) -> ToolError {
    let near = nearest_ids(id.as_str(), ids);
    let same_country = ids
        .iter()
        .any(|other| other.split('/').next() == Some(id.country_part()));
    let listing = if same_country {
        format!(
            "`routes list --country {}` lists the routes of `{}`",
            id.country_part(),
            id.country_part()
        )
    } else {
        "`routes list` lists every route".to_owned()
    };
    let hint = match near.as_slice() {
        [] => listing,
        [one] => format!("did you mean `{one}`? {listing}"),
        [head @ .., last] => {
            let head: Vec<String> = head.iter().map(|i| format!("`{i}`")).collect();
            format!("did you mean {} or `{last}`? {listing}", head.join(", "))
        }
    };
    ToolError::new(format!("no route has the id `{id}`")).hint(hint)
}

/// The ids nearest to `wanted` (at most [`SUGGESTIONS`]): those that differ
/// from it in at most a third of their characters, or whose slug holds the
/// wanted slug (or is held by it), nearest first.
pub(crate) fn nearest_ids<'a>(wanted: &str, ids: &'a [String]) -> Vec<&'a str> {
    let wanted_slug = wanted.split_once('/').map_or(wanted, |(_, s)| s);
    let mut scored: Vec<(f64, &str)> = ids
        .iter()
        .filter(|id| id.as_str() != wanted)
        .filter_map(|id| {
            let score = strsim::normalized_damerau_levenshtein(wanted, id);
            let slug = id.split_once('/').map_or(id.as_str(), |(_, s)| s);
            let holds = wanted_slug.len() >= 4 && (slug.contains(wanted_slug) || wanted_slug.contains(slug));
            (score >= 2.0 / 3.0 || holds).then_some((score, id.as_str()))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(SUGGESTIONS).map(|(_, id)| id).collect()
}

/// Where a record was read from: a file of a dataset (and its 1-based line,
/// for JSON Lines), or a line of a release.
pub(crate) enum Raw<'a> {
    /// A record file of a dataset.
    File(&'a Path, usize),
    /// The text of a release's line.
    Text(&'a str),
}

/// A record found, with what its JSON is read back from.
enum RawOwned {
    File(PathBuf, usize),
    Text(String),
}

enum Lookup {
    Found { route: Box<Route>, raw: RawOwned },
    Missing { ids: Vec<String> },
}

/// Every route of a dataset, read as `routes validate` reads them; records
/// that cannot be read as routes are left out, with a note.
pub(crate) fn dataset_routes(
    dataset: &Path,
    printer: &Printer,
    each: &mut dyn FnMut(Route, Raw<'_>),
) -> Result<(), ToolError> {
    if !dataset.exists() {
        return Err(ToolError::new(format!("cannot read `{}`", dataset.display()))
            .hint("run `routes` in the folder that holds `dataset/`, or give `--dataset DIR` or `--release DIR`"));
    }
    let skipped = routes_validate::read_routes(&[dataset.to_path_buf()], &mut |route, path, line| {
        each(route, Raw::File(path, line));
    })
    .map_err(|e| ToolError::from_error(e).hint("check that the folder exists and is readable"))?;
    super::note_left_out(printer, dataset, skipped);
    Ok(())
}

/// Every route of a release's `data/routes.jsonl`, in its order.
pub(crate) fn release_routes(release: &Path, each: &mut dyn FnMut(Route, Raw<'_>)) -> Result<(), ToolError> {
    let path = super::reference::release_file(release, "data/routes.jsonl")?;
    let again = super::reference::DOWNLOAD_AGAIN;
    let file = std::fs::File::open(&path).map_err(|e| ToolError::from_error(e).hint(again))?;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line
            .map_err(|e| ToolError::new(format!("cannot read `{}` line {}: {e}", path.display(), i + 1)).hint(again))?;
        if line.trim().is_empty() {
            continue;
        }
        let route: Route = serde_json::from_str(&line).map_err(|e| {
            ToolError::new(format!("`{}` line {}: not a route record: {e}", path.display(), i + 1)).hint(again)
        })?;
        each(route, Raw::Text(&line));
    }
    Ok(())
}

/// The route of a dataset: first at its own path
/// (`<dataset>/routes/<cc>/<slug>.json`), else anywhere in the dataset.
fn find_in_dataset(dataset: &Path, id: &RouteId, printer: &Printer) -> Result<Lookup, ToolError> {
    let own = dataset
        .join("routes")
        .join(id.country_part())
        .join(format!("{}.json", id.slug_part()));
    if own.is_file() {
        let mut found = None;
        let skipped = routes_validate::read_routes(std::slice::from_ref(&own), &mut |route, path, line| {
            if &route.id == id && found.is_none() {
                found = Some((route, path.to_path_buf(), line));
            }
        })
        .map_err(|e| ToolError::from_error(e).hint("check that the file is readable"))?;
        if let Some((route, path, line)) = found {
            return Ok(Lookup::Found {
                route: Box::new(route),
                raw: RawOwned::File(path, line),
            });
        }
        if skipped > 0 {
            return Err(
                ToolError::new(format!("`{}` cannot be read as a route", own.display())).hint(format!(
                    "`routes validate {}` shows what is wrong with it",
                    own.display()
                )),
            );
        }
    }
    let mut found = None;
    let mut ids = Vec::new();
    dataset_routes(dataset, printer, &mut |route, raw| {
        if &route.id == id && found.is_none() {
            if let Raw::File(path, line) = raw {
                found = Some((route, path.to_path_buf(), line));
            }
        } else {
            ids.push(route.id.as_str().to_owned());
        }
    })?;
    Ok(match found {
        Some((route, path, line)) => Lookup::Found {
            route: Box::new(route),
            raw: RawOwned::File(path, line),
        },
        None => Lookup::Missing { ids },
    })
}

fn find_in_release(release: &Path, id: &RouteId) -> Result<Lookup, ToolError> {
    let mut found = None;
    let mut ids = Vec::new();
    release_routes(release, &mut |route, raw| {
        if &route.id == id && found.is_none() {
            if let Raw::Text(text) = raw {
                found = Some((route, text.to_owned()));
            }
        } else {
            ids.push(route.id.as_str().to_owned());
        }
    })?;
    Ok(match found {
        Some((route, text)) => Lookup::Found {
            route: Box::new(route),
            raw: RawOwned::Text(text),
        },
        None => Lookup::Missing { ids },
    })
}

/// The record as it was read (its own JSON, not the typed route written
/// back: numbers and empty lists stay as the file has them), pretty, without
/// the editor's `"$schema"`.
fn json(raw: &RawOwned) -> Result<String, ToolError> {
    let text = match raw {
        RawOwned::Text(text) => text.clone(),
        RawOwned::File(path, line) => {
            let shown = path.display().to_string();
            let bytes = routes_fs::read_regular(path, &shown, MAX_RECORD_BYTES)
                .map_err(|e| ToolError::new(format!("cannot read the record again: {e}")))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| ToolError::new(format!("`{shown}` is not UTF-8 text")).hint("save it as UTF-8"))?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if path.extension().is_some_and(|x| x == "jsonl") {
                text.lines().nth(line.saturating_sub(1)).unwrap_or_default().to_owned()
            } else {
                text.to_owned()
            }
        }
    };
    let mut value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        ToolError::new(format!("the record changed while it was read: {e}")).hint("run `routes show` again")
    })?;
    if let Some(map) = value.as_object_mut() {
        map.shift_remove("$schema");
    }
    let mut out = serde_json::to_string_pretty(&value).map_err(ToolError::from_error)?;
    out.push('\n');
    Ok(out)
}

// ---------------------------------------------------------------------------
// The document: blocks that both texts are made from.

/// A quote behind a value: the source (its number in the list of sources,
/// or its id when the record does not list it), where in it, and the words.
struct Quote {
    number: Option<usize>,
    source: String,
    locator: Option<String>,
    excerpt: Option<String>,
}

/// One value: a line of text, an optional link, lines under it (its facts,
/// notes, a conflict) and the quotes it rests on.
#[derive(Default)]
struct Item {
    text: String,
    url: Option<String>,
    details: Vec<String>,
    quotes: Vec<Quote>,
    /// Whether the value is one the record cites sources for (then "no
    /// source cited" is said when there is none).
    cited: bool,
}

/// How the items of a list are marked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Marks {
    /// `- `.
    Bullets,
    /// `1. `.
    Numbers,
    /// `[1] `: the sources, as the quotes cite them.
    Sources,
}

enum Block {
    /// The route's name.
    Title(String),
    /// A section: "Who may apply", "Requirements"...
    Section(String),
    /// One labelled value (`Country: KZ`).
    Field(&'static str, Item),
    /// Values under an optional label; `empty` is said when there is none.
    List {
        label: Option<&'static str>,
        marks: Marks,
        items: Vec<Item>,
        empty: String,
    },
}

/// The route's sources by id, numbered from 1 in the record's order.
struct Cx<'a> {
    numbers: HashMap<&'a str, usize>,
}

impl<'a> Cx<'a> {
    fn new(route: &'a Route) -> Self {
        let numbers = route
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i + 1))
            .collect();
        Self { numbers }
    }

    fn quotes(&self, evidence: &[Evidence]) -> Vec<Quote> {
        evidence
            .iter()
            .map(|e| Quote {
                number: self.numbers.get(e.source.as_str()).copied(),
                source: e.source.as_str().to_owned(),
                locator: e.locator.clone(),
                excerpt: e.excerpt.clone(),
            })
            .collect()
    }

    /// `[n]` of a source id, or the id when the record does not list it.
    fn cite(&self, source: &Slug) -> String {
        self.numbers
            .get(source.as_str())
            .map_or_else(|| format!("`{source}` (not among the sources)"), |n| format!("[{n}]"))
    }
}

/// A value the record cites sources for.
fn cited(text: impl Into<String>, quotes: Vec<Quote>) -> Item {
    Item {
        text: text.into(),
        quotes,
        cited: true,
        ..Item::default()
    }
}

/// A plain value, with no sources of its own.
fn plain(text: impl Into<String>) -> Item {
    Item {
        text: text.into(),
        ..Item::default()
    }
}

/// A wire name as words (`digital_nomad` → `digital nomad`).
fn words(wire: &str) -> String {
    wire.replace('_', " ")
}

/// A number as the sources state it, with thousands grouped (`3,638`,
/// `0.75`, `1,091.5`).
fn number(x: f64) -> String {
    let text = format!("{x}");
    let (sign, text) = text.strip_prefix('-').map_or(("", text.as_str()), |t| ("-", t));
    let (whole, fraction) = text.split_once('.').map_or((text, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn unit(u: Unit, one: bool) -> &'static str {
    u.noun(one)
}

/// A range in words: `1 to 5 working days`, `at least 16 years`, `at most
/// 1 year`; a range with neither bound is not found.
fn range(r: &Range) -> String {
    match (r.min, r.max) {
        (Some(a), Some(b)) if a == b => format!("{} {}", number(a), unit(r.unit, a == 1.0)),
        (Some(a), Some(b)) => format!("{} to {} {}", number(a), number(b), unit(r.unit, false)),
        (Some(a), None) => format!("at least {} {}", number(a), unit(r.unit, a == 1.0)),
        (None, Some(b)) => format!("at most {} {}", number(b), unit(r.unit, b == 1.0)),
        (None, None) => format!("{} ({NOT_FOUND})", unit(r.unit, false)),
    }
}

fn period(p: Period) -> &'static str {
    match p {
        Period::OneOff => " once",
        Period::Hour => " an hour",
        Period::Month => " a month",
        Period::Year => " a year",
    }
}

/// An amount with its currency, period and basis; an indexed amount as its
/// multiple of the index; a conversion with its rate and the rate's source.
fn money(cx: &Cx<'_>, m: &Money) -> String {
    match m {
        Money::Fixed(f) => {
            let mut out = format!("{} {}{}", number(f.amount), f.currency, period(f.period));
            if let Some(b) = f.basis {
                let _ = write!(out, " ({})", b.as_str());
            }
            if let Some(c) = &f.converted {
                let _ = write!(
                    out,
                    "; ≈ {} {} at {} {} per {} on {}, rate from {}",
                    number(c.amount),
                    c.currency,
                    number(c.rate),
                    c.currency,
                    f.currency,
                    c.date,
                    cx.cite(&c.source)
                );
            }
            out
        }
        Money::Indexed(i) => {
            let mut out = format!("{} × {}", number(i.multiplier), i.index);
            if let Some(year) = i.year {
                let _ = write!(out, " of {year}");
            }
            out.push_str(period(i.period));
            if let Some(b) = i.basis {
                let _ = write!(out, " ({})", b.as_str());
            }
            out
        }
    }
}

fn tristate(t: Tristate) -> &'static str {
    match t {
        Tristate::Yes => "yes",
        Tristate::No => "no",
        Tristate::Unknown => NOT_FOUND,
    }
}

/// `in force from 2024-01-01`, `until 2023-12-31`, `from … to …`.
fn dates(from: Option<routes_core::Date>, until: Option<routes_core::Date>) -> Option<String> {
    match (from, until) {
        (Some(f), Some(u)) => Some(format!("in force from {f} to {u}")),
        (Some(f), None) => Some(format!("in force from {f}")),
        (None, Some(u)) => Some(format!("in force until {u}")),
        (None, None) => None,
    }
}

fn applies_to(purposes: &[Slug]) -> Option<String> {
    (!purposes.is_empty()).then(|| {
        format!(
            "for: {}",
            purposes.iter().map(Slug::as_str).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Countries and groups in one list: `AZ, AM and the group EAEU`.
fn nationalities(countries: &[routes_core::CountryCode], groups: &[String]) -> String {
    let mut parts: Vec<String> = countries.iter().map(|c| c.as_str().to_owned()).collect();
    match groups {
        [] => {}
        [one] => parts.push(format!("the group {one}")),
        more => parts.push(format!("the groups {}", more.join(", "))),
    }
    match parts.as_slice() {
        [] => NOT_FOUND.to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The conflict groups of a list's values: how many values each has, and
/// the place of each value in its group.
struct Conflicts<'a> {
    total: HashMap<&'a str, usize>,
    seen: HashMap<&'a str, usize>,
}

impl<'a> Conflicts<'a> {
    fn of(groups: impl Iterator<Item = Option<&'a Slug>>) -> Self {
        let mut total = HashMap::new();
        for g in groups.flatten() {
            *total.entry(g.as_str()).or_insert(0) += 1;
        }
        Self {
            total,
            seen: HashMap::new(),
        }
    }

    /// The line that says a value is one of several the sources disagree on.
    fn line(&mut self, group: Option<&'a Slug>) -> Option<String> {
        let g = group?.as_str();
        let total = self.total.get(g).copied().unwrap_or(1);
        let nth = self.seen.entry(g).or_insert(0);
        *nth += 1;
        Some(if total > 1 {
            format!("conflicting: the sources disagree on this value (`{g}`): value {nth} of {total}, all shown")
        } else {
            format!("conflicting: the sources disagree on this value (`{g}`); the record holds only this one")
        })
    }
}

/// Pushes the lines of the facts that are there, then the conflict and note.
fn finish(item: &mut Item, facts: Vec<Option<String>>, conflict: Option<String>, note: Option<&String>) {
    let facts: Vec<String> = facts.into_iter().flatten().collect();
    if !facts.is_empty() {
        item.details.push(facts.join(" · "));
    }
    item.details.extend(conflict);
    if let Some(n) = note {
        item.details.push(format!("note: {n}"));
    }
}

fn combination(c: &Combination) -> String {
    match c.meet {
        Meet::All => format!("applies together with the other requirements of `{}`", c.group),
        Meet::Any => format!("one of the requirements of `{}` suffices", c.group),
    }
}

fn who(set: &NationalitySet) -> String {
    nationalities(&set.countries, &set.groups)
}

/// The route as blocks, in the order of a route's page.
#[allow(clippy::too_many_lines, reason = "one route, section by section")]
fn blocks(r: &Route) -> Vec<Block> {
    let cx = Cx::new(r);
    let mut out = vec![Block::Title(r.name.clone())];

    // What it is.
    out.push(Block::Field(
        "Official name",
        match &r.official_name {
            Some(o) => cited(format!("{} ({})", o.text, o.language), cx.quotes(&o.evidence)),
            None => plain(NOT_FOUND),
        },
    ));
    if !r.codes.is_empty() {
        out.push(Block::Field("Codes", plain(r.codes.join(", "))));
    }
    let country = match routes_core::country_name(r.country.as_str()) {
        Some(name) => format!("{name} ({})", r.country),
        None => r.country.as_str().to_owned(),
    };
    out.push(Block::Field("Country", plain(country)));
    out.push(Block::Field("Category", plain(words(r.category.as_str()))));
    out.push(Block::Field(
        "Status",
        plain(match r.status {
            routes_core::Status::Unknown => NOT_FOUND.to_owned(),
            s => s.as_str().to_owned(),
        }),
    ));
    if let Some(s) = &r.summary {
        out.push(Block::Field("Summary", plain(s.clone())));
    }
    out.push(Block::Field(
        "Last verified",
        plain(format!(
            "{} (review: {})",
            r.last_verified,
            words(r.review_status.as_str())
        )),
    ));

    // Who may apply.
    out.push(Block::Section("Who may apply".into()));
    let n = &r.eligibility.nationality;
    let scope = match n.scope {
        routes_core::NationalityScope::All => "every nationality".to_owned(),
        routes_core::NationalityScope::Only => format!("only {}", nationalities(&n.countries, &n.groups)),
        routes_core::NationalityScope::AllExcept => {
            format!("every nationality except {}", nationalities(&n.countries, &n.groups))
        }
        routes_core::NationalityScope::Unknown => NOT_FOUND.to_owned(),
    };
    let mut nationality = cited(scope, cx.quotes(&n.evidence));
    // An unknown scope needs no source: it says that none was found.
    nationality.cited = n.scope != routes_core::NationalityScope::Unknown;
    nationality.details.extend(n.description.clone());
    out.push(Block::Field("Nationality", nationality));
    let exemptions = r
        .eligibility
        .exemptions
        .iter()
        .map(|e| {
            let mut item = cited(format!("{}: {}", who(&e.who), e.description), cx.quotes(&e.evidence));
            let waived: Vec<String> = e
                .requirements
                .iter()
                .map(|q| format!("requirement `{q}`"))
                .chain(e.documents.iter().map(|d| format!("document `{d}`")))
                .collect();
            if !waived.is_empty() {
                item.details.push(format!("waives: {}", waived.join(", ")));
            }
            item
        })
        .collect();
    out.push(Block::List {
        label: Some("Exemptions"),
        marks: Marks::Bullets,
        items: exemptions,
        empty: "none recorded".into(),
    });

    // Requirements.
    out.push(Block::Section("Requirements".into()));
    let mut conflicts = Conflicts::of(r.requirements.iter().map(|q| q.conflict.as_ref()));
    let requirements = r
        .requirements
        .iter()
        .map(|q| {
            let mut item = cited(q.description.clone(), cx.quotes(&q.evidence));
            item.details.push(format!(
                "{} (`{}`) · required: {}",
                words(q.kind.as_str()),
                q.id,
                tristate(q.required)
            ));
            match &q.money {
                Some(m) => item.details.push(format!("amount: {}", money(&cx, m))),
                None if q.kind.is_money() => item.details.push(format!("amount: {NOT_FOUND}")),
                None => {}
            }
            if let Some(g) = &q.range {
                item.details.push(format!("range: {}", range(g)));
            }
            if let Some(l) = &q.language {
                let level = l.level.map_or_else(
                    || format!("level {NOT_FOUND}"),
                    |v| format!("level {} or higher", v.as_str()),
                );
                item.details.push(format!("language: {}, {level}", l.code));
            }
            let conflict = conflicts.line(q.conflict.as_ref());
            finish(
                &mut item,
                vec![
                    applies_to(&q.applies_to),
                    dates(q.effective_from, q.effective_until),
                    q.superseded_by.as_ref().map(|s| format!("replaced by `{s}`")),
                    q.combination.as_ref().map(combination),
                ],
                conflict,
                q.note.as_ref(),
            );
            item
        })
        .collect();
    out.push(Block::List {
        label: None,
        marks: Marks::Numbers,
        items: requirements,
        empty: format!("No requirement recorded: {NOT_FOUND}."),
    });

    // Documents.
    out.push(Block::Section("Documents".into()));
    let mut conflicts = Conflicts::of(r.documents.iter().map(|d| d.conflict.as_ref()));
    let documents = r
        .documents
        .iter()
        .map(|d| {
            let mut item = cited(d.name.clone(), cx.quotes(&d.evidence));
            let conflict = conflicts.line(d.conflict.as_ref());
            finish(
                &mut item,
                vec![
                    Some(format!("`{}` · required: {}", d.id, tristate(d.required))),
                    applies_to(&d.applies_to),
                    dates(d.effective_from, d.effective_until),
                    d.superseded_by.as_ref().map(|s| format!("replaced by `{s}`")),
                ],
                conflict,
                d.note.as_ref(),
            );
            item
        })
        .collect();
    out.push(Block::List {
        label: None,
        marks: Marks::Numbers,
        items: documents,
        empty: format!("No document list recorded: {NOT_FOUND}."),
    });

    // Duration.
    out.push(Block::Section("Duration".into()));
    let terms = |terms: &[routes_core::Term]| -> Vec<Item> {
        let mut conflicts = Conflicts::of(terms.iter().map(|t| t.conflict.as_ref()));
        terms
            .iter()
            .map(|t| {
                let mut item = cited(range(&t.range), cx.quotes(&t.evidence));
                let conflict = conflicts.line(t.conflict.as_ref());
                finish(
                    &mut item,
                    vec![
                        t.entries.map(|e| format!("{} entry", e.as_str())),
                        applies_to(&t.applies_to),
                        dates(t.effective_from, t.effective_until),
                    ],
                    conflict,
                    t.note.as_ref(),
                );
                item
            })
            .collect()
    };
    out.push(Block::List {
        label: Some("Initial stay"),
        marks: Marks::Bullets,
        items: terms(&r.duration.initial_stay),
        empty: NOT_FOUND.into(),
    });
    out.push(Block::List {
        label: Some("Validity"),
        marks: Marks::Bullets,
        items: terms(&r.duration.validity),
        empty: if r.duration.initial_stay.is_empty() {
            NOT_FOUND.into()
        } else {
            format!("{NOT_FOUND} (where it differs from the stay)")
        },
    });
    let mut conflicts = Conflicts::of(r.duration.renewal.iter().map(|t| t.conflict.as_ref()));
    let renewals = r
        .duration
        .renewal
        .iter()
        .map(|t| {
            let mut text = format!("renewable: {}", tristate(t.renewable));
            if let Some(times) = t.times {
                let _ = write!(
                    text,
                    ", {}",
                    super::plural(usize::try_from(times).unwrap_or(usize::MAX), "time")
                );
            }
            if let Some(term) = &t.term {
                let _ = write!(text, ", for {} each time", range(term));
            }
            let mut item = cited(text, cx.quotes(&t.evidence));
            let conflict = conflicts.line(t.conflict.as_ref());
            finish(
                &mut item,
                vec![applies_to(&t.applies_to), dates(t.effective_from, t.effective_until)],
                conflict,
                t.note.as_ref(),
            );
            item
        })
        .collect();
    out.push(Block::List {
        label: Some("Renewal"),
        marks: Marks::Bullets,
        items: renewals,
        empty: NOT_FOUND.into(),
    });
    for (label, claim) in [
        ("Leads to permanent residence", &r.duration.leads_to_permanent_residence),
        ("Leads to citizenship", &r.duration.leads_to_citizenship),
    ] {
        let mut item = cited(tristate(claim.value), cx.quotes(&claim.evidence));
        // An unknown claim needs no source: it says that none was found.
        item.cited = claim.value != Tristate::Unknown;
        finish(&mut item, Vec::new(), None, claim.note.as_ref());
        out.push(Block::Field(label, item));
    }

    // Application.
    out.push(Block::Section("Application".into()));
    let a = &r.application;
    let channels = a
        .channels
        .iter()
        .map(|c| {
            let mut item = cited(
                format!("{} ({})", c.name, words(c.kind.as_str())),
                cx.quotes(&c.evidence),
            );
            item.url.clone_from(&c.url);
            finish(&mut item, vec![applies_to(&c.applies_to)], None, c.note.as_ref());
            item
        })
        .collect();
    out.push(Block::List {
        label: Some("Channels"),
        marks: Marks::Bullets,
        items: channels,
        empty: NOT_FOUND.into(),
    });
    let mut conflicts = Conflicts::of(a.processing_times.iter().map(|p| p.conflict.as_ref()));
    let times = a
        .processing_times
        .iter()
        .map(|p| {
            let mut item = cited(range(&p.range), cx.quotes(&p.evidence));
            let conflict = conflicts.line(p.conflict.as_ref());
            finish(
                &mut item,
                vec![applies_to(&p.applies_to), dates(p.effective_from, p.effective_until)],
                conflict,
                p.note.as_ref(),
            );
            item
        })
        .collect();
    out.push(Block::List {
        label: Some("Processing times"),
        marks: Marks::Bullets,
        items: times,
        empty: NOT_FOUND.into(),
    });
    let mut conflicts = Conflicts::of(a.fees.iter().map(|f| f.conflict.as_ref()));
    let fees = a
        .fees
        .iter()
        .map(|f| {
            let amount = match (&f.money, f.free) {
                (Some(m), _) => money(&cx, m),
                (None, Some(true)) => "free of charge".to_owned(),
                (None, _) => format!("amount {NOT_FOUND}"),
            };
            let mut item = cited(format!("{}: {amount}", f.description), cx.quotes(&f.evidence));
            let conflict = conflicts.line(f.conflict.as_ref());
            finish(
                &mut item,
                vec![applies_to(&f.applies_to), dates(f.effective_from, f.effective_until)],
                conflict,
                f.note.as_ref(),
            );
            item
        })
        .collect();
    out.push(Block::List {
        label: Some("Fees"),
        marks: Marks::Bullets,
        items: fees,
        empty: format!("{NOT_FOUND} (which does not mean free)"),
    });

    // Legal basis.
    out.push(Block::Section("Legal basis".into()));
    let acts = r
        .legal_basis
        .iter()
        .map(|l| {
            let mut item = cited(l.title.clone(), cx.quotes(&l.evidence));
            item.url.clone_from(&l.url);
            let amendments: Vec<String> = l
                .amendments
                .iter()
                .map(|m| {
                    let mut text = m.number.as_ref().map_or_else(String::new, |n| format!("No. {n} "));
                    let _ = write!(text, "of {}", m.date);
                    if let Some(note) = &m.note {
                        let _ = write!(text, " ({note})");
                    }
                    text
                })
                .collect();
            finish(
                &mut item,
                vec![
                    l.number.as_ref().map(|n| format!("No. {n}")),
                    l.registration.as_ref().map(|n| format!("registration {n}")),
                    l.issued.map(|d| format!("issued {d}")),
                    l.effective_from.map(|d| format!("in force from {d}")),
                ],
                (!amendments.is_empty()).then(|| format!("amended by: {}", amendments.join("; "))),
                l.note.as_ref(),
            );
            item
        })
        .collect();
    out.push(Block::List {
        label: None,
        marks: Marks::Bullets,
        items: acts,
        empty: NOT_FOUND.into(),
    });

    // Notes and related routes.
    if !r.notes.is_empty() {
        out.push(Block::Section("Notes".into()));
        let notes = r
            .notes
            .iter()
            .map(|n| Item {
                text: n.text.clone(),
                quotes: cx.quotes(&n.evidence),
                ..Item::default()
            })
            .collect();
        out.push(Block::List {
            label: None,
            marks: Marks::Bullets,
            items: notes,
            empty: String::new(),
        });
    }
    if !r.related.is_empty() {
        out.push(Block::Section("Related routes".into()));
        let related = r
            .related
            .iter()
            .map(|l| {
                let mut item = plain(format!("`{}` ({})", l.id, words(l.relation.as_str())));
                item.details.extend(l.note.clone());
                item
            })
            .collect();
        out.push(Block::List {
            label: None,
            marks: Marks::Bullets,
            items: related,
            empty: String::new(),
        });
    }

    // Sources.
    out.push(Block::Section("Sources".into()));
    let sources = r
        .sources
        .iter()
        .map(|s| {
            let mut item = plain(s.title.clone());
            item.url = Some(s.url.clone());
            let mut facts = vec![
                format!("`{}`", s.id),
                words(s.tier.as_str()),
                format!("{}, {}", s.language, words(s.translation.as_str())),
                format!("seen {}", s.seen),
            ];
            facts.push(
                s.published
                    .map_or_else(|| format!("published: {NOT_FOUND}"), |d| format!("published {d}")),
            );
            item.details.push(facts.join(" · "));
            if let Some(p) = &s.publisher {
                item.details.push(format!("publisher: {p}"));
            }
            if let Some(snap) = &s.snapshot {
                let retrieved = snap.retrieved.map(|d| format!(", retrieved {d}")).unwrap_or_default();
                item.details.push(format!("snapshot: {}{retrieved}", snap.path));
            }
            if !s.aliases.is_empty() {
                item.details.push(format!("also at: {}", s.aliases.join(", ")));
            }
            item
        })
        .collect();
    out.push(Block::List {
        label: None,
        marks: Marks::Sources,
        items: sources,
        empty: "No source recorded yet: no fact of this route rests on a source.".into(),
    });
    out
}

// ---------------------------------------------------------------------------
// The two texts.

/// `text` with every line after the first indented by `indent`.
fn indented(text: &str, indent: &str) -> String {
    text.replace('\n', &format!("\n{indent}"))
}

/// For a terminal: the title underlined, sections underlined, values with
/// their details and quotes indented under them.
fn human(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Title(title) => {
                let _ = writeln!(out, "{}\n{}", indented(title, ""), "=".repeat(title.chars().count()));
            }
            Block::Section(name) => {
                let _ = writeln!(out, "\n{name}\n{}", "-".repeat(name.chars().count()));
            }
            Block::Field(label, item) => {
                let _ = writeln!(out, "{label}: {}", indented(&item.text, "  "));
                human_under(&mut out, item, "  ");
            }
            Block::List {
                label,
                marks,
                items,
                empty,
            } => {
                let base = if label.is_some() { "  " } else { "" };
                match label {
                    Some(label) if items.is_empty() => {
                        let _ = writeln!(out, "{label}: {empty}");
                        continue;
                    }
                    Some(label) => {
                        let _ = writeln!(out, "{label}:");
                    }
                    None if items.is_empty() => {
                        let _ = writeln!(out, "{empty}");
                        continue;
                    }
                    None => {}
                }
                // Values with lines under them are set apart by a blank line.
                let spaced = label.is_none() && items.iter().any(|i| !i.details.is_empty() || !i.quotes.is_empty());
                for (i, item) in items.iter().enumerate() {
                    let mark = match marks {
                        Marks::Bullets => "- ".to_owned(),
                        Marks::Numbers => format!("{}. ", i + 1),
                        Marks::Sources => format!("[{}] ", i + 1),
                    };
                    if spaced && i > 0 {
                        out.push('\n');
                    }
                    let under = format!("{base}{}", " ".repeat(mark.len()));
                    let _ = writeln!(out, "{base}{mark}{}", indented(&item.text, &under));
                    human_under(&mut out, item, &under);
                }
            }
        }
    }
    out
}

/// The link, details and quotes of a value, each on its own line.
fn human_under(out: &mut String, item: &Item, indent: &str) {
    if let Some(url) = &item.url {
        let _ = writeln!(out, "{indent}{url}");
    }
    for d in &item.details {
        let _ = writeln!(out, "{indent}{}", indented(d, indent));
    }
    for q in &item.quotes {
        let cite = q
            .number
            .map_or_else(|| format!("[{}?]", q.source), |n| format!("[{n}]"));
        let place = q.locator.as_ref().map(|l| format!(" — {l}")).unwrap_or_default();
        let inner = format!("{indent}{}", " ".repeat(cite.chars().count() + 1));
        match &q.excerpt {
            Some(x) => {
                let _ = writeln!(out, "{indent}{cite} “{}”{place}", indented(x, &inner));
            }
            None => {
                let _ = writeln!(out, "{indent}{cite} no quote recorded{place}");
            }
        }
    }
    if item.cited && item.quotes.is_empty() {
        let _ = writeln!(out, "{indent}no source cited");
    }
}

/// Record text as Markdown text: the characters that would start markup
/// (emphasis, code, links, HTML) escaped, lines joined; what would start a
/// list at the start of a line (`1) `, `2. `, `- `, `+ `) escaped too, as
/// the text may open a line or a list item.
fn md(text: &str) -> String {
    let mut out = md_inline(text);
    let digits = out.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && matches!(out.as_bytes().get(digits), Some(b'.' | b')')) {
        out.insert(digits, '\\');
    } else if (out.starts_with('-') || out.starts_with('+')) && out[1..].chars().next().is_none_or(char::is_whitespace)
    {
        out.insert(0, '\\');
    }
    out
}

/// [`md`] for text inside a line.
fn md_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text that may hold ids in backticks (`` `health-insurance` ``): those
/// kept as code spans, everything else escaped (a backtick of the record's
/// own text included).
fn md_spans(text: &str) -> String {
    let is_id = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'/' | b'.'))
    };
    let mut out = String::with_capacity(text.len());
    let mut plain = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        if let Some(close) = after.find('`').filter(|&close| is_id(&after[..close])) {
            plain.push_str(&rest[..open]);
            out.push_str(&if out.is_empty() { md(&plain) } else { md_inline(&plain) });
            plain.clear();
            let _ = write!(out, "`{}`", &after[..close]);
            rest = &after[close + 1..];
        } else {
            plain.push_str(&rest[..=open]);
            rest = after;
        }
    }
    plain.push_str(rest);
    out.push_str(&if out.is_empty() { md(&plain) } else { md_inline(&plain) });
    out
}

/// A URL as a Markdown link target (`<…>`, so parentheses and spaces hold).
fn md_url(url: &str) -> String {
    url.replace(' ', "%20").replace('<', "%3C").replace('>', "%3E")
}

/// A Markdown document: `#` title, `##` sections, `###` labelled lists,
/// values as list items with their details nested and their quotes as `>`
/// blocks, links as links.
fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    // Once a section has a list, a labelled value after it gets a heading
    // of its own, so that it is not read as part of the list.
    let mut after_list = false;
    for block in blocks {
        match block {
            Block::Title(title) => {
                let _ = writeln!(out, "# {}", md(title));
            }
            Block::Section(name) => {
                let _ = writeln!(out, "\n## {name}");
                after_list = false;
            }
            Block::Field(label, item) => {
                if after_list {
                    let _ = writeln!(out, "\n### {label}\n\n{}", md_spans(&item.text));
                } else {
                    let _ = writeln!(out, "\n**{label}:** {}", md_spans(&item.text));
                }
                md_under(&mut out, item, "");
            }
            Block::List {
                label,
                marks,
                items,
                empty,
            } => {
                after_list = true;
                if let Some(label) = label {
                    let _ = writeln!(out, "\n### {label}");
                }
                if items.is_empty() {
                    let _ = writeln!(out, "\n{}", md_spans(empty));
                    continue;
                }
                out.push('\n');
                for (i, item) in items.iter().enumerate() {
                    let mark = match marks {
                        Marks::Bullets => "- ".to_owned(),
                        Marks::Numbers | Marks::Sources => format!("{}. ", i + 1),
                    };
                    let text = match &item.url {
                        Some(url) => format!("[{}](<{}>)", md_spans(&item.text), md_url(url)),
                        None => md_spans(&item.text),
                    };
                    let _ = writeln!(out, "{mark}{text}");
                    md_under(&mut out, item, &" ".repeat(mark.len()));
                }
            }
        }
    }
    // One blank line between blocks, however they end.
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out
}

/// The details of a value as a nested list, its quotes as `>` blocks.
fn md_under(out: &mut String, item: &Item, indent: &str) {
    let in_list = !indent.is_empty();
    if !in_list && (item.url.is_some() || !item.details.is_empty()) {
        out.push('\n');
    }
    if !in_list && let Some(url) = &item.url {
        let _ = writeln!(out, "- <{}>", md_url(url));
    }
    for d in &item.details {
        let _ = writeln!(out, "{indent}- {}", md_spans(d));
    }
    for q in &item.quotes {
        let cite = q.number.map_or_else(
            || format!("`{}` (not among the sources)", q.source),
            |n| format!("source {n}"),
        );
        let place = q.locator.as_ref().map(|l| format!(", {}", md(l))).unwrap_or_default();
        match &q.excerpt {
            Some(x) => {
                out.push('\n');
                for line in x.lines() {
                    let _ = writeln!(out, "{indent}> {}", md(line));
                }
                let _ = writeln!(out, "{indent}>\n{indent}> — {cite}{place}");
            }
            None => {
                let _ = writeln!(out, "\n{indent}— {cite}{place}: no quote recorded");
            }
        }
    }
    if item.cited && item.quotes.is_empty() {
        let _ = writeln!(out, "\n{indent}*no source cited*");
    }
    if in_list && (!item.quotes.is_empty() || item.cited) {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::{md, md_spans, nearest_ids, number, respelt_id};

    #[test]
    fn markdown_escapes_markup_but_keeps_the_ids_it_quotes() {
        assert_eq!(md("1) The issue"), r"1\) The issue");
        assert_eq!(md("- a <b> *c* [d]"), r"\- a \<b\> \*c\* \[d\]");
        assert_eq!(md("VISA_FREE"), r"VISA\_FREE");
        assert_eq!(
            md_spans("waives: requirement `health-insurance`"),
            "waives: requirement `health-insurance`"
        );
        // A backtick of the record's own text is not a code span.
        assert_eq!(md_spans("a ` b `Not an id` c"), r"a \` b \`Not an id\` c");
        assert_eq!(md_spans("`kz/x` (leads to)"), "`kz/x` (leads to)");
    }

    #[test]
    fn numbers_are_grouped_as_people_write_them() {
        assert_eq!(number(3638.0), "3,638");
        assert_eq!(number(0.75), "0.75");
        assert_eq!(number(1_091.5), "1,091.5");
        assert_eq!(number(100.0), "100");
        assert_eq!(number(1_000_000.0), "1,000,000");
    }

    #[test]
    fn ids_are_respelt_and_near_ids_found() {
        assert_eq!(respelt_id("KZ/x y").as_deref(), Some("kz/x-y"));
        assert_eq!(respelt_id("kz/Student_Visa").as_deref(), Some("kz/student-visa"));
        assert_eq!(respelt_id("nothing"), None);
        let ids = vec![
            "kz/temporary-residence-permit".to_owned(),
            "kz/citizenship".to_owned(),
            "ee/temporary-residence-permit-for-employment".to_owned(),
        ];
        assert_eq!(
            nearest_ids("kz/temporary-residense-permit", &ids).first().copied(),
            Some("kz/temporary-residence-permit")
        );
        assert!(nearest_ids("jp/zzz", &ids).is_empty());
    }
}
