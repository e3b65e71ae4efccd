//! `routes eligible`: every route judged for one person.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use routes_core::{Date, Route};
use routes_eligibility::{
    Assessment, Cited, Group, IndexValue, Profile, ProfileError, Rate, Reference, Status, Verdict,
};

use crate::ExitStatus;
use crate::args::{EligibleArgs, Format};
use crate::printer::{Printer, ToolError};

/// Largest profile read, in bytes.
const MAX_PROFILE_BYTES: u64 = 1 << 20;
/// Longest excerpt shown for people, in characters.
const EXCERPT_CHARS: usize = 200;

pub(crate) fn run(args: &EligibleArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let profile = profile(args)?;
    let on = match &args.on {
        Some(text) => text.parse::<Date>().map_err(|e| {
            ToolError::new(format!("invalid `--on`: {e}")).hint("write the day as `YYYY-MM-DD`, such as `2027-01-01`")
        })?,
        None => Date::from(jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()),
    };
    let (routes, reference) = match &args.release {
        Some(release) => load_release(release)?,
        None => load_dataset(&args.dataset, printer)?,
    };
    let routes = filtered(routes, args)?;
    let mut assessments: Vec<Assessment> = routes
        .iter()
        .map(|r| routes_eligibility::assess(r, &profile, &reference, on))
        .collect();
    assessments.sort_by(|a, b| a.verdict.cmp(&b.verdict).then_with(|| a.route_id.cmp(&b.route_id)));
    match args.format {
        Format::Human => printer.data(&human(&assessments))?,
        Format::Json => printer.data(&json(&assessments))?,
    }
    let count = |v: Verdict| assessments.iter().filter(|a| a.verdict == v).count();
    let answered = profile.answered();
    if answered.is_empty() {
        printer.note("the profile answers nothing, so no route can be judged eligible; give `--profile FILE` or flags such as `--nationality`");
    }
    printer.summary(&format!(
        "{} judged on {on} for {}: {} eligible, {} unknown, {} not eligible",
        super::plural(assessments.len(), "route"),
        if answered.is_empty() {
            "a profile with no answers".to_owned()
        } else {
            format!("{} ({})", super::plural(answered.len(), "answer"), answered.join(", "))
        },
        count(Verdict::Eligible),
        count(Verdict::Unknown),
        count(Verdict::NotEligible),
    ));
    Ok(if count(Verdict::Eligible) > 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
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

/// The routes of `--country` and `--category`; an unknown value is an error.
fn filtered(routes: Vec<Route>, args: &EligibleArgs) -> Result<Vec<Route>, ToolError> {
    let country = match &args.country {
        Some(value) => {
            let code = routes_eligibility::parse_country(value)
                .map_err(|e| ToolError::new(format!("--country: {}", e.message)).hint(e.hint))?;
            if !routes.iter().any(|r| r.country == code) {
                let present: BTreeSet<&str> = routes.iter().map(|r| r.country.as_str()).collect();
                return Err(
                    ToolError::new(format!("--country: no route of `{}` is in the data", code.as_str())).hint(format!(
                        "the countries are: {}",
                        present.into_iter().collect::<Vec<_>>().join(", ")
                    )),
                );
            }
            Some(code)
        }
        None => None,
    };
    let category = match &args.category {
        Some(value) => {
            let wanted = value.trim().to_lowercase().replace('-', "_");
            let all: Vec<&str> = routes_core::Category::ALL.iter().map(|c| c.as_str()).collect();
            if !all.contains(&wanted.as_str()) {
                let near = all
                    .iter()
                    .min_by_key(|c| strsim_distance(&wanted, c))
                    .filter(|c| strsim_distance(&wanted, c) <= 3)
                    .map(|c| format!("did you mean `{c}`? "))
                    .unwrap_or_default();
                return Err(ToolError::new(format!("--category: `{value}` is not a category"))
                    .hint(format!("{near}the categories are: {}", all.join(", "))));
            }
            Some(wanted)
        }
        None => None,
    };
    Ok(routes
        .into_iter()
        .filter(|r| country.as_ref().is_none_or(|c| &r.country == c))
        .filter(|r| category.as_deref().is_none_or(|c| r.category.as_str() == c))
        .collect())
}

/// Edit distance, for suggestions.
fn strsim_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

fn load_dataset(dataset: &Path, printer: &Printer) -> Result<(Vec<Route>, Reference), ToolError> {
    if !dataset.exists() {
        return Err(ToolError::new(format!("cannot read `{}`", dataset.display())).hint(
            "run `routes eligible` in the folder that holds `dataset/`, or give `--dataset DIR` or `--release DIR`",
        ));
    }
    let mut routes = Vec::new();
    let skipped = routes_validate::read_routes(&[dataset.to_path_buf()], &mut |route, _, _| routes.push(route))
        .map_err(|e| ToolError::from_error(e).hint("check that the folder exists and is readable"))?;
    if skipped > 0 {
        printer.note(&format!(
            "{} of `{}` left out: {} cannot be read as routes; `routes validate {}` shows why",
            super::plural(skipped, "record"),
            dataset.display(),
            if skipped == 1 { "it" } else { "they" },
            dataset.display()
        ));
    }
    let data = routes_validate::load_reference(dataset)
        .map_err(|e| ToolError::from_error(e).hint("`routes validate` reports what is wrong with `routes.toml`"))?;
    Ok((routes, reference_of_dataset(&data)))
}

/// The engine's reference data from a dataset's `reference/` files.
fn reference_of_dataset(data: &routes_validate::Reference) -> Reference {
    let cite = |sources: &[routes_validate::ReferenceSource], ids: &[routes_core::Slug], excerpt: &Option<String>| {
        ids.first()
            .and_then(|id| sources.iter().find(|s| &s.id == id))
            .map(|s| Cited {
                url: s.url.clone(),
                excerpt: excerpt.clone(),
            })
    };
    let mut groups = Vec::new();
    if let Some(intl) = data.international() {
        for g in &intl.groups {
            groups.push(Group {
                scope: None,
                name: g.group.clone(),
                members: g
                    .members
                    .as_ref()
                    .map(|m| m.iter().map(|c| c.as_str().to_owned()).collect()),
                cited: cite(&intl.sources, &g.sources, &g.excerpt),
            });
        }
    }
    let mut index_values = Vec::new();
    for country in data.all() {
        for g in &country.groups {
            groups.push(Group {
                scope: Some(country.country.as_str().to_owned()),
                name: g.group.clone(),
                members: g
                    .members
                    .as_ref()
                    .map(|m| m.iter().map(|c| c.as_str().to_owned()).collect()),
                cited: cite(&country.sources, &g.sources, &g.excerpt),
            });
        }
        for v in &country.indexes {
            let currency = country.index_definition(&v.index).map_or_else(
                || country.currency.as_str().to_owned(),
                |d| d.currency.as_str().to_owned(),
            );
            index_values.push(IndexValue {
                index: v.index.as_str().to_owned(),
                year: v.year,
                value: v.value,
                currency,
                effective_from: v.effective_from,
                cited: cite(&country.sources, &v.sources, &v.excerpt),
            });
        }
    }
    let rate_sources = data.rates_file().map(|r| r.sources.as_slice()).unwrap_or_default();
    let rates = data
        .rates()
        .map(|r| Rate {
            from: r.from.as_str().to_owned(),
            to: r.to.as_str().to_owned(),
            rate: r.rate,
            date: r.date,
            cited: cite(rate_sources, &r.sources, &r.excerpt),
        })
        .collect();
    Reference::new(groups, index_values, rates)
}

/// A file of the release, refused when it is not a regular file inside it.
fn release_file(release: &Path, name: &str) -> Result<PathBuf, ToolError> {
    let path = release.join(name);
    let broken = |why: &str| {
        ToolError::new(format!("`{}` {why}", path.display())).hint(
            "give the folder of a release that `routes publish` wrote (such as `dist/routes-1.0.0`), or judge the dataset with `--dataset`",
        )
    };
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => Ok(path),
        Ok(_) => Err(broken("is not a regular file of the release")),
        Err(_) => Err(broken("is missing: the folder is not a release")),
    }
}

fn load_release(release: &Path) -> Result<(Vec<Route>, Reference), ToolError> {
    let path = release_file(release, "data/routes.jsonl")?;
    let file =
        std::fs::File::open(&path).map_err(|e| ToolError::from_error(e).hint("check that the release is readable"))?;
    let mut routes = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| {
            ToolError::new(format!("cannot read `{}` line {}: {e}", path.display(), i + 1))
                .hint("download the release again; `sha256sum --check SHA256SUMS` in it names every file that differs")
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let route: Route = serde_json::from_str(&line).map_err(|e| {
            ToolError::new(format!("`{}` line {}: not a route record: {e}", path.display(), i + 1))
                .hint("download the release again; `sha256sum --check SHA256SUMS` in it names every file that differs")
        })?;
        routes.push(route);
    }
    Ok((routes, reference_of_release(release)?))
}

/// The rows of a CSV table of the release, as maps of column to text.
fn table(release: &Path, name: &str) -> Result<Vec<std::collections::HashMap<String, String>>, ToolError> {
    let path = release_file(release, &format!("data/{name}.csv"))?;
    let bad = |e: &dyn std::fmt::Display| {
        ToolError::new(format!("cannot read `{}`: {e}", path.display()))
            .hint("download the release again; `sha256sum --check SHA256SUMS` in it names every file that differs")
    };
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(&e))?;
    let headers = reader.headers().map_err(|e| bad(&e))?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(&e))?;
        rows.push(
            headers
                .iter()
                .map(str::to_owned)
                .zip(record.iter().map(str::to_owned))
                .collect(),
        );
    }
    Ok(rows)
}

/// The engine's reference data from a release's reference tables.
fn reference_of_release(release: &Path) -> Result<Reference, ToolError> {
    let get =
        |row: &std::collections::HashMap<String, String>, column: &str| row.get(column).cloned().unwrap_or_default();
    let list = |text: &str| serde_json::from_str::<Vec<String>>(text).unwrap_or_default();
    let sources = table(release, "reference_sources")?;
    let cite = |file: &str, ids: &str, excerpt: &str| {
        let id = list(ids).into_iter().next()?;
        sources
            .iter()
            .find(|s| get(s, "file") == file && get(s, "source_id") == id)
            .map(|s| Cited {
                url: get(s, "url"),
                excerpt: (!excerpt.is_empty()).then(|| excerpt.to_owned()),
            })
    };
    let malformed = |table: &str, what: &str| {
        ToolError::new(format!("the release's `data/{table}.csv` holds {what}"))
            .hint("download the release again; `sha256sum --check SHA256SUMS` in it names every file that differs")
    };
    let members = table(release, "group_members")?;
    let mut groups = Vec::new();
    for g in table(release, "groups")? {
        let scope = get(&g, "scope");
        let name = get(&g, "group_name");
        let listed = get(&g, "members_listed") == "yes";
        groups.push(Group {
            scope: (scope != "international").then(|| scope.clone()),
            members: listed.then(|| {
                members
                    .iter()
                    .filter(|m| get(m, "scope") == scope && get(m, "group_name") == name)
                    .map(|m| get(m, "member"))
                    .collect()
            }),
            cited: cite(&get(&g, "file"), &get(&g, "sources"), &get(&g, "excerpt")),
            name,
        });
    }
    let mut index_values = Vec::new();
    for v in table(release, "index_values")? {
        let effective_from = match get(&v, "effective_from").as_str() {
            "" => None,
            d => Some(
                d.parse::<Date>()
                    .map_err(|_| malformed("index_values", "a date that is not one"))?,
            ),
        };
        index_values.push(IndexValue {
            index: get(&v, "index"),
            year: get(&v, "year")
                .parse()
                .map_err(|_| malformed("index_values", "a year that is not one"))?,
            value: get(&v, "value")
                .parse()
                .map_err(|_| malformed("index_values", "a value that is not a number"))?,
            currency: get(&v, "currency"),
            effective_from,
            cited: cite(&get(&v, "file"), &get(&v, "sources"), &get(&v, "excerpt")),
        });
    }
    let mut rates = Vec::new();
    for r in table(release, "exchange_rates")? {
        rates.push(Rate {
            from: get(&r, "from_currency"),
            to: get(&r, "to_currency"),
            rate: get(&r, "rate")
                .parse()
                .map_err(|_| malformed("exchange_rates", "a rate that is not a number"))?,
            date: get(&r, "date")
                .parse()
                .map_err(|_| malformed("exchange_rates", "a date that is not one"))?,
            cited: cite(&get(&r, "file"), &get(&r, "sources"), &get(&r, "excerpt")),
        });
    }
    Ok(Reference::new(groups, index_values, rates))
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

fn human(assessments: &[Assessment]) -> String {
    let mut out = String::new();
    for verdict in [Verdict::Eligible, Verdict::Unknown, Verdict::NotEligible] {
        let group: Vec<&Assessment> = assessments.iter().filter(|a| a.verdict == verdict).collect();
        if group.is_empty() {
            continue;
        }
        let title = match verdict {
            Verdict::Eligible => "Eligible",
            Verdict::Unknown => "Unknown: the data or the answers do not settle it",
            Verdict::NotEligible => "Not eligible",
        };
        let _ = writeln!(out, "{title} ({})\n", group.len());
        for a in group {
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
        }
    }
    out
}

fn json(assessments: &[Assessment]) -> String {
    let mut out = String::new();
    for a in assessments {
        if let Ok(line) = serde_json::to_string(a) {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}
