//! `routes list`: the routes of a dataset or a release, one line each,
//! sorted by id, filtered by country, category and status.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use routes_core::{Category, CountryCode, Route, Status};

use crate::ExitStatus;
use crate::args::{ListArgs, ListFormat};
use crate::printer::{Printer, ToolError};

/// The columns of `--format json` and `--format csv`, in order.
const COLUMNS: [&str; 8] = [
    "id",
    "country",
    "category",
    "status",
    "name",
    "official_name",
    "review_status",
    "last_verified",
];

pub(crate) fn run(args: &ListArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    // Every filter is checked before any route is read.
    let country = match &args.country {
        Some(value) => Some(
            routes_eligibility::parse_country(value)
                .map_err(|e| ToolError::new(format!("--country: {}", e.message)).hint(e.hint))?,
        ),
        None => None,
    };
    let category = args
        .category
        .as_deref()
        .map(|v| parse_category(v).map_err(|e| e.prefixed("--category")))
        .transpose()?;
    let status = args
        .status
        .as_deref()
        .map(|v| parse_status(v).map_err(|e| e.prefixed("--status")))
        .transpose()?;

    let mut rows = Vec::new();
    let mut countries = BTreeSet::new();
    let mut total = 0usize;
    let mut keep = |route: Route| {
        total += 1;
        countries.insert(route.country.as_str().to_owned());
        if country.as_ref().is_none_or(|c| &route.country == c)
            && category.is_none_or(|c| route.category == c)
            && status.is_none_or(|s| route.status == s)
        {
            rows.push(Row::of(route));
        }
    };
    match &args.release {
        Some(release) => super::show::release_routes(release, &mut |route, _| keep(route))?,
        None => super::show::dataset_routes(&args.dataset, printer, &mut |route, _| keep(route))?,
    }
    if let Some(code) = &country
        && !countries.contains(code.as_str())
    {
        return Err(no_route_of(code, &countries));
    }
    if rows.is_empty() {
        printer.note(&nothing_listed(args, total));
        return Ok(ExitStatus::Failure);
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let text = match args.format {
        ListFormat::Human => human(&rows),
        ListFormat::Json => json(&rows),
        ListFormat::Csv => csv(&rows)?,
    };
    printer.data(&text)?;
    let shown: BTreeSet<&str> = rows.iter().map(|r| r.country.as_str()).collect();
    let of = if rows.len() == total {
        String::new()
    } else {
        format!(" (of {total})")
    };
    printer.summary(&format!(
        "{} in {}{of}",
        super::plural(rows.len(), "route"),
        plural_country(shown.len())
    ));
    Ok(ExitStatus::Success)
}

fn plural_country(n: usize) -> String {
    if n == 1 {
        "1 country".to_owned()
    } else {
        format!("{n} countries")
    }
}

/// A valid country with no route in the data (as `routes eligible` says it).
fn no_route_of(code: &CountryCode, countries: &BTreeSet<String>) -> ToolError {
    let hint = if countries.is_empty() {
        "the data holds no route".to_owned()
    } else {
        format!(
            "the countries are: {}",
            countries.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    };
    ToolError::new(format!("--country: no route of `{}` is in the data", code.as_str())).hint(hint)
}

/// What the note says when the filters leave nothing.
fn nothing_listed(args: &ListArgs, total: usize) -> String {
    let filters: Vec<String> = [
        ("country", &args.country),
        ("category", &args.category),
        ("status", &args.status),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_ref().map(|v| format!("--{name} {v}")))
    .collect();
    if total == 0 {
        "no route to list: the data holds none".to_owned()
    } else {
        format!(
            "none of the {} matches {}",
            super::plural(total, "route"),
            filters.join(" ")
        )
    }
}

/// A value of a flag that is not one of its values, with the nearest.
pub(crate) struct BadValue {
    message: String,
    hint: String,
}

impl BadValue {
    /// The error of the flag (or field) `what`.
    pub(crate) fn prefixed(self, what: &str) -> ToolError {
        ToolError::new(format!("{what}: {}", self.message)).hint(self.hint)
    }
}

/// A category as records write it, in any case (`Work`, `DIGITAL_NOMAD`);
/// another spelling (`digital-nomad`) is refused with the category it is
/// close to, as `routes search` does, never taken silently.
pub(crate) fn parse_category(value: &str) -> Result<Category, BadValue> {
    let wanted = value.trim().to_lowercase();
    if let Some(c) = Category::ALL.iter().find(|c| c.as_str() == wanted) {
        return Ok(*c);
    }
    let list = Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
    // `routes eligible` reads `-` as `_`: what it reads is the nearest.
    Err(match routes_eligibility::parse_category(value) {
        Ok(near) => BadValue {
            message: format!("there is no category `{value}`; did you mean `{near}`?"),
            hint: format!("the categories are: {list}"),
        },
        Err(e) => BadValue {
            message: e.message,
            hint: e.hint,
        },
    })
}

/// A status, in any case, or an error naming the nearest.
pub(crate) fn parse_status(value: &str) -> Result<Status, BadValue> {
    let wanted = value.trim().to_lowercase();
    if let Some(s) = Status::ALL.iter().find(|s| s.as_str() == wanted) {
        return Ok(*s);
    }
    let near = routes_core::text::nearest(&wanted, Status::ALL.iter().map(|s| s.as_str()));
    let list = Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    Err(BadValue {
        message: match near {
            Some(s) => format!("there is no status `{value}`; did you mean `{s}`?"),
            None => format!("there is no status `{value}`"),
        },
        hint: format!("the statuses are: {list}"),
    })
}

/// What a line shows of a route.
struct Row {
    id: String,
    country: String,
    category: &'static str,
    status: &'static str,
    name: String,
    official_name: Option<String>,
    review_status: &'static str,
    last_verified: String,
}

impl Row {
    fn of(route: Route) -> Self {
        Self {
            id: route.id.as_str().to_owned(),
            country: route.country.as_str().to_owned(),
            category: route.category.as_str(),
            status: route.status.as_str(),
            name: route.name,
            official_name: route.official_name.map(|o| o.text),
            review_status: route.review_status.as_str(),
            last_verified: route.last_verified.to_string(),
        }
    }
}

/// Aligned columns: id, category, status, name. Widths are measured on the
/// escaped text, as it will be shown.
fn human(rows: &[Row]) -> String {
    let esc = |t: &str| crate::printer::escape(t).replace('\n', " ");
    let width = |f: &dyn Fn(&Row) -> String| rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0);
    let id_w = width(&|r| esc(&r.id));
    let category_w = width(&|r| r.category.to_owned());
    let status_w = width(&|r| r.status.to_owned());
    let mut out = String::new();
    for r in rows {
        let _ = writeln!(
            out,
            "{:<id_w$}  {:<category_w$}  {:<status_w$}  {}",
            esc(&r.id),
            r.category,
            r.status,
            esc(&r.name)
        );
    }
    out
}

/// JSON Lines: one object per route, with the columns in order.
fn json(rows: &[Row]) -> String {
    let mut out = String::new();
    for r in rows {
        let line = serde_json::json!({
            "id": r.id,
            "country": r.country,
            "category": r.category,
            "status": r.status,
            "name": r.name,
            "official_name": r.official_name,
            "review_status": r.review_status,
            "last_verified": r.last_verified,
        });
        let _ = writeln!(out, "{line}");
    }
    out
}

/// RFC 4180 CSV with a header; no official name is an empty cell.
fn csv(rows: &[Row]) -> Result<String, ToolError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ToolError::new(format!("cannot write the CSV: {e}"));
    writer.write_record(COLUMNS).map_err(fail)?;
    for r in rows {
        writer
            .write_record([
                r.id.as_str(),
                r.country.as_str(),
                r.category,
                r.status,
                r.name.as_str(),
                r.official_name.as_deref().unwrap_or(""),
                r.review_status,
                r.last_verified.as_str(),
            ])
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ToolError::new(format!("cannot write the CSV: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
