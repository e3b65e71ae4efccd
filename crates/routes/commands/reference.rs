//! The reference data of a dataset or a release (groups of nationalities,
//! index values, exchange rates, with their sources), as the engine of
//! `routes eligible` and the pages of `routes serve` read it.

use std::path::{Path, PathBuf};

use routes_core::Date;
use routes_eligibility::{Cited, Group, IndexValue, Rate, Reference};

use crate::printer::ToolError;

/// The hint of a release file that cannot be read as written.
pub(crate) const DOWNLOAD_AGAIN: &str =
    "download the release again; `sha256sum --check SHA256SUMS` in it names every file that differs";

/// The reference data of a dataset, as `routes validate` reads it.
pub(crate) fn dataset_reference(dataset: &Path) -> Result<Reference, ToolError> {
    if !dataset.exists() {
        return Err(ToolError::new(format!("cannot read `{}`", dataset.display())).hint(
            "run `routes eligible` in the folder that holds `dataset/`, or give `--dataset DIR` or `--release DIR`",
        ));
    }
    let data = routes_validate::load_reference(dataset)
        .map_err(|e| ToolError::from_error(e).hint("`routes validate` reports what is wrong with `routes.toml`"))?;
    Ok(reference_of_dataset(&data))
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
pub(crate) fn release_file(release: &Path, name: &str) -> Result<PathBuf, ToolError> {
    let path = release.join(name);
    let broken = |why: &str| {
        ToolError::new(format!("`{}` {why}", path.display())).hint(
            "give the folder of a release that `routes publish` wrote (such as `dist/routes-1.0.0`), or use the dataset with `--dataset`",
        )
    };
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => Ok(path),
        Ok(_) => Err(broken("is not a regular file of the release")),
        Err(_) => Err(broken("is missing: the folder is not a release")),
    }
}

/// The rows of a CSV table of the release, as maps of column to text.
fn table(release: &Path, name: &str) -> Result<Vec<std::collections::HashMap<String, String>>, ToolError> {
    let path = release_file(release, &format!("data/{name}.csv"))?;
    let bad = |e: &dyn std::fmt::Display| {
        ToolError::new(format!("cannot read `{}`: {e}", path.display())).hint(DOWNLOAD_AGAIN)
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
pub(crate) fn reference_of_release(release: &Path) -> Result<Reference, ToolError> {
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
        ToolError::new(format!("the release's `data/{table}.csv` holds {what}")).hint(DOWNLOAD_AGAIN)
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
