//! `routes new`: a skeleton record for a new route, which `routes validate`
//! accepts, with every fact still unknown; then what to fill in next.

use std::fmt::Write as _;
use std::path::Path;

use routes_core::{Category, Date, RouteId};

use crate::ExitStatus;
use crate::args::NewArgs;
use crate::printer::{Printer, ToolError};

/// Largest schema file read when looking for the one to name, in bytes.
const MAX_SCHEMA_BYTES: u64 = 4 * 1024 * 1024;

/// Where the schema lives in a repository, from its root.
const SCHEMA_PATH: &str = "schema/route.schema.json";

pub(crate) fn run(args: &NewArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    // Everything is checked before anything is written.
    let id = parse_new_id(&args.id, &args.dataset)?;
    let category = super::list::parse_category(&args.category).map_err(|e| e.prefixed("--category"))?;
    let name = match &args.name {
        Some(name) => checked_name(name)?,
        None => name_of_slug(id.slug_part()),
    };
    let today = match &args.today {
        Some(text) => text.parse::<Date>().map_err(|e| {
            ToolError::new(format!("invalid `--today` / `ROUTES_TODAY`: {e}")).hint("write the date as `YYYY-MM-DD`")
        })?,
        None => Date::from(jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()),
    };
    if !args.dataset.join("routes.toml").is_file() {
        return Err(ToolError::new(format!(
            "`{}` is not a dataset folder: it has no `routes.toml`",
            args.dataset.display()
        ))
        .hint("give the dataset folder (the one that holds `routes.toml` and `routes/`) with `--dataset DIR`"));
    }
    let folder = args.dataset.join("routes").join(id.country_part());
    let target = folder.join(format!("{}.json", id.slug_part()));
    if std::fs::symlink_metadata(&target).is_ok() {
        return Err(refused_existing(&target, &id, &args.dataset));
    }
    let record = skeleton(&id, &name, category, today, schema_ref(&args.dataset));
    let mut text = serde_json::to_string_pretty(&record).map_err(ToolError::from_error)?;
    text.push('\n');
    write_new(&folder, &target, text.as_bytes(), &id, &args.dataset)?;
    printer.data(&format!("{}\n", target.display()))?;
    printer.summary(&checklist(&id, &target, &args.dataset));
    Ok(ExitStatus::Success)
}

/// The id of a new route: a country that exists, in lower case, then a slug.
/// A mistake is an error with the id it was probably meant to be.
fn parse_new_id(text: &str, dataset: &Path) -> Result<RouteId, ToolError> {
    let shown = crate::printer::escape(text).into_owned();
    let form = "an id is `<cc>/<slug>`: the ISO 3166-1 alpha-2 code of the country in lower case, `/`, then \
                lower-case letters and digits in words joined by `-`, such as `kz/student-visa`";
    let Some((country, slug)) = text.split_once('/') else {
        return Err(ToolError::new(format!("`{shown}` is not a route id: it has no `/`")).hint(form));
    };
    let is_code = country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic());
    match routes_eligibility::parse_country(country) {
        Ok(code) => {
            let lower = code.as_str().to_lowercase();
            if lower != country {
                // A name (`kazakhstan/…`), an alpha-3 code or upper case.
                let meant =
                    super::show::respelt_id(&format!("{lower}/{slug}")).unwrap_or_else(|| format!("{lower}/<slug>"));
                return Err(ToolError::new(format!(
                    "`{shown}`: the country is written as its ISO 3166-1 alpha-2 code in lower case"
                ))
                .hint(format!("did you mean `{meant}`? {form}")));
            }
        }
        Err(_) if is_code => {
            // The nearest code among the countries the dataset has routes of.
            let lower = country.to_lowercase();
            let near = dataset_countries(dataset)
                .into_iter()
                .map(|k| (strsim::damerau_levenshtein(&lower, &k), k))
                .filter(|(d, _)| *d == 1)
                .min()
                .map(|(_, k)| {
                    let meant =
                        super::show::respelt_id(&format!("{k}/{slug}")).unwrap_or_else(|| format!("{k}/<slug>"));
                    format!("did you mean `{meant}`? ")
                })
                .unwrap_or_default();
            return Err(ToolError::new(format!(
                "`{shown}`: no country has the code `{}`",
                crate::printer::escape(country)
            ))
            .hint(format!("{near}{form}")));
        }
        Err(e) => {
            return Err(ToolError::new(format!("`{shown}`: {}", e.message)).hint(format!("{} ({form})", e.hint)));
        }
    }
    RouteId::new(text).map_err(|_| {
        let hint = match super::show::respelt_id(text).filter(|fixed| fixed != text) {
            Some(fixed) => format!("did you mean `{fixed}`? {form}"),
            None => form.to_owned(),
        };
        ToolError::new(format!(
            "`{shown}` is not a route id: the slug is not lower-case words joined by `-`"
        ))
        .hint(hint)
    })
}

/// The country folders of a dataset (`kz`, `ee`...), for a near code.
fn dataset_countries(dataset: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dataset.join("routes")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.len() == 2 && n.bytes().all(|b| b.is_ascii_lowercase()))
        .collect()
}

/// A name given with `--name`: trimmed, not empty, no control characters.
fn checked_name(name: &str) -> Result<String, ToolError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(ToolError::new("--name: the name is empty")
            .hint("give the route's short English name, such as `--name \"Student visa\"`"));
    }
    if trimmed.chars().any(routes_core::text::is_unsafe) {
        return Err(ToolError::new(format!(
            "--name: `{}` holds a control character",
            crate::printer::escape(trimmed)
        ))
        .hint("write the name as plain text"));
    }
    Ok(trimmed.to_owned())
}

/// A name made from a slug: `student-visa` → `Student visa`.
fn name_of_slug(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The `"$schema"` of a new record: the repository's schema by a path
/// relative to the record (`../../../schema/route.schema.json`), when one is
/// found in or above the dataset folder, else the schema's `$id`.
fn schema_ref(dataset: &Path) -> String {
    let id = routes_core::ROUTE_SCHEMA_ID.to_owned();
    let start = std::fs::canonicalize(dataset).ok();
    let found = start.as_deref().and_then(|start| {
        start.ancestors().enumerate().find_map(|(up, dir)| {
            let candidate = dir.join(SCHEMA_PATH);
            let shown = candidate.display().to_string();
            let bytes = routes_fs::read_regular(&candidate, &shown, MAX_SCHEMA_BYTES).ok()?;
            // Only the schema of these records: its `$id` is the one built in.
            (schema_id(&String::from_utf8_lossy(&bytes)).as_deref() == Some(id.as_str())).then_some(up)
        })
    });
    match found {
        // The record is two folders below the dataset (`routes/<cc>/`).
        Some(up) => format!("{}{SCHEMA_PATH}", "../".repeat(up + 2)),
        None => id,
    }
}

fn schema_id(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("$id")?.as_str().map(str::to_owned)
}

/// The record, with the keys in the order of the records of the dataset.
fn skeleton(id: &RouteId, name: &str, category: Category, today: Date, schema: String) -> serde_json::Value {
    let unknown = serde_json::json!({ "value": "unknown" });
    let mut record = serde_json::Map::new();
    record.insert("$schema".into(), schema.into());
    let rest = serde_json::json!({
        "schema_version": routes_core::SCHEMA_VERSION,
        "id": id.as_str(),
        "country": id.country_part().to_uppercase(),
        "name": name,
        "category": category.as_str(),
        "status": routes_core::Status::Unknown.as_str(),
        "eligibility": { "nationality": { "scope": "unknown" } },
        "requirements": [],
        "duration": {
            "leads_to_permanent_residence": unknown,
            "leads_to_citizenship": unknown,
        },
        "documents": [],
        "application": { "channels": [], "processing_times": [], "fees": [] },
        "legal_basis": [],
        "sources": [],
        "last_verified": today.to_string(),
        "review_status": routes_core::ReviewStatus::Unverified.as_str(),
    });
    if let serde_json::Value::Object(rest) = rest {
        record.extend(rest);
    }
    serde_json::Value::Object(record)
}

/// An existing record is never replaced.
fn refused_existing(target: &Path, id: &RouteId, dataset: &Path) -> ToolError {
    ToolError::new(format!(
        "`{}` exists already: `routes new` never replaces a record",
        target.display()
    ))
    .hint(format!(
        "`{}` prints it; edit that file, or give the new route another slug",
        show_command(id, dataset)
    ))
}

/// `routes show ID`, with `--dataset` unless it is the default.
fn show_command(id: &RouteId, dataset: &Path) -> String {
    if dataset == Path::new("dataset") {
        format!("routes show {id}")
    } else {
        format!("routes show --dataset {} {id}", dataset.display())
    }
}

/// Writes `bytes` as the new file `target` in one step (`routes_fs::write_file`):
/// it fails rather than replace a file that appeared meanwhile, and a
/// validator running meanwhile sees no record or the whole one.
fn write_new(folder: &Path, target: &Path, bytes: &[u8], id: &RouteId, dataset: &Path) -> Result<(), ToolError> {
    std::fs::create_dir_all(folder).map_err(|e| {
        ToolError::new(format!("cannot create `{}`: {e}", folder.display()))
            .hint("check that the dataset folder can be written")
    })?;
    routes_fs::write_file(target, bytes, routes_fs::Expect::Nothing).map_err(|e| match e {
        routes_fs::WriteError::Changed { .. } | routes_fs::WriteError::Linked { .. } => {
            refused_existing(target, id, dataset)
        }
        routes_fs::WriteError::Io(e) => ToolError::from_error(e).hint("check that the dataset folder can be written"),
    })
}

/// What to fill in next, numbered, on stderr.
fn checklist(id: &RouteId, target: &Path, dataset: &Path) -> String {
    let file = target.display();
    let dataset_flag = if dataset == Path::new("dataset") {
        String::new()
    } else {
        format!(" --dataset {}", dataset.display())
    };
    let steps = [
        format!(
            "add a source to `sources` (id, url, title, tier, language, translation, seen) and quote it verbatim in the \
             `evidence` of each fact taken from it; archive its page: `routes sources archive{dataset_flag} {id}`"
        ),
        "set `status` (active, suspended, closed, proposed) as the source states it".to_owned(),
        "say who may apply: `eligibility.nationality` (scope, countries, groups) and any `exemptions`".to_owned(),
        "add the `requirements`, each with its kind, its amount (currency and period) where there is money, and \
         its `evidence`"
            .to_owned(),
        "list the `documents` to hand in, each with its evidence".to_owned(),
        "add the fees (`application.fees`), channels and processing times".to_owned(),
        "fill in `duration`: initial stay, validity, renewal, and whether it leads to permanent residence or \
         citizenship"
            .to_owned(),
        format!(
            "check it with `routes validate {file}`, then read it with `{}`",
            show_command(id, dataset)
        ),
    ];
    let mut out = format!("created `{id}`: every fact is still unknown. Next:");
    for (i, step) in steps.iter().enumerate() {
        let _ = write!(out, "\n  {}. {step}", i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::name_of_slug;

    #[test]
    fn names_are_made_from_slugs() {
        assert_eq!(name_of_slug("student-visa"), "Student visa");
        assert_eq!(name_of_slug("d7-residence-visa"), "D7 residence visa");
        assert_eq!(name_of_slug("b"), "B");
    }
}
