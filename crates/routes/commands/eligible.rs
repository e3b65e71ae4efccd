//! `routes eligible`: every route judged for one person.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::BufRead as _;
use std::path::Path;

use routes_core::Date;
use routes_eligibility::{Assessment, Profile, ProfileError, Reference, RouteFacts, Status, Verdict};

use crate::ExitStatus;
use crate::args::{EligibleArgs, Format};
use crate::printer::{Printer, ToolError};

/// Largest profile read, in bytes.
const MAX_PROFILE_BYTES: u64 = 1 << 20;
/// Longest excerpt shown for people, in characters.
const EXCERPT_CHARS: usize = 200;

/// Routes judged at a time (parsed and judged in parallel, then printed).
const BATCH: usize = 2048;

pub(crate) fn run(args: &EligibleArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let profile = profile(args)?;
    let on = match &args.on {
        Some(text) => text.parse::<Date>().map_err(|e| {
            ToolError::new(format!("invalid `--on`: {e}")).hint("write the day as `YYYY-MM-DD`, such as `2027-01-01`")
        })?,
        None => Date::from(jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()),
    };
    let filter = Filter::of(args)?;
    let reference = match &args.release {
        Some(release) => super::reference::reference_of_release(release)?,
        None => super::reference::dataset_reference(&args.dataset)?,
    };
    let mut judging = Judging {
        profile: &profile,
        reference: &reference,
        on,
        filter: &filter,
        format: args.format,
        printer,
        counts: [0; 3],
        groups: [String::new(), String::new(), String::new()],
        countries: BTreeSet::new(),
    };
    match &args.release {
        Some(release) => release_routes(release, &mut judging)?,
        None => dataset_routes(&args.dataset, printer, &mut judging)?,
    }
    if let Some(code) = &filter.country
        && judging.counts.iter().sum::<usize>() == 0
        && !judging.countries.contains(code.as_str())
    {
        return Err(
            ToolError::new(format!("--country: no route of `{}` is in the data", code.as_str())).hint(format!(
                "the countries are: {}",
                judging.countries.iter().cloned().collect::<Vec<_>>().join(", ")
            )),
        );
    }
    let [eligible, unknown, not_eligible] = judging.counts;
    if args.format == Format::Human {
        let titles = [
            "Eligible",
            "Unknown: the data or the answers do not settle it",
            "Not eligible",
        ];
        let mut out = String::new();
        for ((title, count), text) in titles.iter().zip(judging.counts).zip(&judging.groups) {
            if count > 0 {
                let _ = writeln!(out, "{title} ({count})\n");
                out.push_str(text);
            }
        }
        printer.data(&out)?;
    }
    let answered = profile.answered();
    if answered.is_empty() {
        printer.note("the profile answers nothing, so no route can be judged eligible; give `--profile FILE` or flags such as `--nationality`");
    }
    printer.summary(&format!(
        "{} judged on {on} for {}: {eligible} eligible, {unknown} unknown, {not_eligible} not eligible",
        super::plural(eligible + unknown + not_eligible, "route"),
        if answered.is_empty() {
            "a profile with no answers".to_owned()
        } else {
            format!("{} ({})", super::plural(answered.len(), "answer"), answered.join(", "))
        },
    ));
    Ok(if eligible > 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// `--country` and `--category`, checked before any route is read.
struct Filter {
    country: Option<routes_core::CountryCode>,
    category: Option<routes_core::Category>,
}

impl Filter {
    fn of(args: &EligibleArgs) -> Result<Self, ToolError> {
        let country = match &args.country {
            Some(value) => Some(
                routes_eligibility::parse_country(value)
                    .map_err(|e| ToolError::new(format!("--country: {}", e.message)).hint(e.hint))?,
            ),
            None => None,
        };
        let category = match &args.category {
            Some(value) => Some(
                routes_eligibility::parse_category(value)
                    .map_err(|e| ToolError::new(format!("--category: {}", e.message)).hint(e.hint))?,
            ),
            None => None,
        };
        Ok(Self { country, category })
    }

    fn keeps(&self, r: &RouteFacts<'_>) -> bool {
        self.country.as_ref().is_none_or(|c| r.country == c) && self.category.is_none_or(|c| r.category == c)
    }
}

/// The routes being judged: counts, and the output of people grouped by verdict.
struct Judging<'a> {
    profile: &'a Profile,
    reference: &'a Reference,
    on: Date,
    filter: &'a Filter,
    format: Format,
    printer: &'a Printer,
    /// Eligible, unknown, not eligible.
    counts: [usize; 3],
    /// The text of each verdict's routes, for people.
    groups: [String; 3],
    /// Every country of the data, for a `--country` that matches none.
    countries: BTreeSet<String>,
}

impl Judging<'_> {
    /// Judges a batch of routes in parallel; JSON is printed at once, in
    /// the order of the data.
    fn batch(&mut self, routes: &[RouteFacts<'_>]) -> Result<(), ToolError> {
        use rayon::prelude::*;
        for r in routes {
            if !self.countries.contains(r.country.as_str()) {
                self.countries.insert(r.country.as_str().to_owned());
            }
        }
        let (profile, reference, on, filter, format) =
            (self.profile, self.reference, self.on, self.filter, self.format);
        let judged: Vec<(Verdict, String)> = routes
            .par_iter()
            .filter(|r| filter.keeps(r))
            .map(|r| {
                let a = routes_eligibility::assess(*r, profile, reference, on);
                let text = match format {
                    Format::Human => human(&a),
                    Format::Json => serde_json::to_string(&a)
                        .map(|mut l| {
                            l.push('\n');
                            l
                        })
                        .unwrap_or_default(),
                };
                (a.verdict, text)
            })
            .collect();
        let mut json = String::new();
        for (verdict, text) in judged {
            let i = verdict as usize;
            self.counts[i] += 1;
            match self.format {
                Format::Human => self.groups[i].push_str(&text),
                Format::Json => json.push_str(&text),
            }
        }
        if !json.is_empty() {
            self.printer.data(&json)?;
        }
        Ok(())
    }
}

/// The profile file, then the flags over it.
fn profile(args: &EligibleArgs) -> Result<Profile, ToolError> {
    let mut profile = match &args.profile {
        Some(path) => {
            let shown = path.display().to_string();
            let bytes = routes_fs::read_regular(path, &shown, MAX_PROFILE_BYTES).map_err(|e| {
                ToolError::new(format!("cannot read the profile: {e}"))
                    .hint("give a TOML file with `--profile FILE`; `routes eligible --help` lists its fields")
            })?;
            let text = String::from_utf8(bytes).map_err(|_| {
                ToolError::new(format!("the profile `{shown}` is not UTF-8 text")).hint("save it as UTF-8")
            })?;
            Profile::from_toml(&text).map_err(|e| profile_error(&e, Some((&shown, &text))))?
        }
        None => Profile::default(),
    };
    for (field, value) in args.fields() {
        profile.set(field, value).map_err(|e| {
            let flag = format!("--{}", field.replace('_', "-"));
            ToolError::new(format!("{flag}: {}", e.message)).hint(e.hint)
        })?;
    }
    Ok(profile)
}

/// A profile's mistake, named with its file, line and column.
fn profile_error(e: &ProfileError, file: Option<(&str, &str)>) -> ToolError {
    let place = match file {
        Some((name, text)) => match e.line_column(text) {
            Some((line, column)) => format!("{name}:{line}:{column}: "),
            None => format!("{name}: "),
        },
        None => String::new(),
    };
    let field = e.field.as_ref().map(|f| format!("`{f}`: ")).unwrap_or_default();
    ToolError::new(format!("{place}{field}{}", e.message)).hint(e.hint.clone())
}

/// The routes of a dataset, read as `routes validate` reads them, a batch at a time.
fn dataset_routes(dataset: &Path, printer: &Printer, judging: &mut Judging<'_>) -> Result<(), ToolError> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut failed = None;
    let skipped = routes_validate::read_routes(&[dataset.to_path_buf()], &mut |route, _, _| {
        batch.push(route);
        if batch.len() == BATCH && failed.is_none() {
            let facts: Vec<RouteFacts<'_>> = batch.iter().map(RouteFacts::from).collect();
            failed = judging.batch(&facts).err();
            batch.clear();
        }
    })
    .map_err(|e| ToolError::from_error(e).hint("check that the folder exists and is readable"))?;
    if let Some(e) = failed {
        return Err(e);
    }
    let facts: Vec<RouteFacts<'_>> = batch.iter().map(RouteFacts::from).collect();
    judging.batch(&facts)?;
    super::note_left_out(printer, dataset, skipped);
    Ok(())
}

/// The parts of a record a verdict reads: a release's records are checked
/// already, so the rest of each line is skipped unread (half of the time of
/// reading them whole).
#[derive(serde::Deserialize)]
struct Lean {
    id: routes_core::RouteId,
    country: routes_core::CountryCode,
    name: String,
    category: routes_core::Category,
    status: routes_core::Status,
    eligibility: routes_core::Eligibility,
    requirements: Vec<routes_core::Requirement>,
    sources: Vec<routes_core::Source>,
}

impl Lean {
    fn facts(&self) -> RouteFacts<'_> {
        RouteFacts {
            id: &self.id,
            country: &self.country,
            name: &self.name,
            category: self.category,
            status: self.status,
            eligibility: &self.eligibility,
            requirements: &self.requirements,
            sources: &self.sources,
        }
    }
}

/// The routes of a release's `data/routes.jsonl`, parsed and judged a batch at a time.
fn release_routes(release: &Path, judging: &mut Judging<'_>) -> Result<(), ToolError> {
    use rayon::prelude::*;
    let path = super::reference::release_file(release, "data/routes.jsonl")?;
    let file =
        std::fs::File::open(&path).map_err(|e| ToolError::from_error(e).hint("check that the release is readable"))?;
    let again = super::reference::DOWNLOAD_AGAIN;
    let mut lines = std::io::BufReader::with_capacity(1 << 20, file).lines();
    let mut number = 0usize;
    loop {
        let mut texts = Vec::with_capacity(BATCH);
        for line in lines.by_ref().take(BATCH) {
            number += 1;
            let line = line.map_err(|e| {
                ToolError::new(format!("cannot read `{}` line {number}: {e}", path.display())).hint(again)
            })?;
            if !line.trim().is_empty() {
                texts.push((number, line));
            }
        }
        if texts.is_empty() {
            return Ok(());
        }
        let routes: Vec<Lean> = texts
            .par_iter()
            .map(|(n, text)| {
                serde_json::from_str::<Lean>(text).map_err(|e| {
                    ToolError::new(format!("`{}` line {n}: not a route record: {e}", path.display())).hint(again)
                })
            })
            .collect::<Result<_, _>>()?;
        let facts: Vec<RouteFacts<'_>> = routes.iter().map(Lean::facts).collect();
        judging.batch(&facts)?;
    }
}

/// An excerpt cut at a word for people.
fn short(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut} …")
}

/// Where the lines under a criterion start.
const INDENT: &str = "             ";

/// One route's verdict for people.
fn human(a: &Assessment) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  {} · {} · {} · {}", a.route_id, a.country, a.category, a.name);
    if let Some(p) = &a.purpose {
        let others: Vec<String> = a
            .purposes
            .iter()
            .filter(|o| &o.purpose != p)
            .map(|o| format!("{} {}", o.purpose, o.verdict.as_str().replace('_', " ")))
            .collect();
        let others = if others.is_empty() {
            String::new()
        } else {
            format!(" (other purposes: {})", others.join(", "))
        };
        let _ = writeln!(out, "    as `{p}`{others}");
    }
    for c in &a.criteria {
        let label = c
            .requirement
            .as_ref()
            .map_or_else(|| c.kind.clone(), |r| format!("{r} ({})", c.kind));
        let _ = writeln!(out, "    {:<8} {label}: {}", c.status.as_str(), c.reason);
        if let Some(source) = &c.source {
            let _ = writeln!(out, "{INDENT}source: {source}");
        }
        if c.status != Status::Unknown
            && let Some(excerpt) = &c.excerpt
        {
            let _ = writeln!(out, "{INDENT}“{}”", short(excerpt));
        }
    }
    if !a.steps.is_empty() {
        let steps: Vec<&str> = a.steps.iter().map(|s| s.requirement.as_str()).collect();
        let _ = writeln!(out, "    steps    {}", steps.join(", "));
    }
    out.push('\n');
    out
}
