//! `data/routes.sqlite` and its Datasette `metadata.json`, at the release root:
//!
//! ```sh
//! datasette data/routes.sqlite -m metadata.json
//! ```
//!
//! The metadata gives the dataset's title, description, licence and source,
//! and for every table its description, each column's (as the database's
//! comments give them, with how dates and lists are stored), facets over the
//! columns with a vocabulary and over countries, currencies and languages,
//! and full-text search of `routes` through `search`. All derived from
//! [`Table::ALL`] and [`Table::columns`]: a new table or column is described
//! with no change here.

use routes_formats::{SEARCH_TABLE, Table, search_columns, sqlite_description};
use serde_json::{Map, Value, json};

use crate::ReleaseVersion;
use crate::docs::{DESCRIPTION, LICENSE_ID, LICENSE_URL, TITLE};

/// The database, inside the release.
pub(crate) const SQLITE_PATH: &str = "data/routes.sqlite";

/// The Datasette metadata, inside the release (at the root, so that the
/// command above runs in the release folder).
pub(crate) const METADATA_PATH: &str = "metadata.json";

/// The database's name in Datasette: the file's stem (`/routes/…`).
const DATABASE: &str = "routes";

/// Columns faceted on besides those with a vocabulary: codes that group rows.
const FACETED: [&str; 3] = ["country", "currency", "language"];

fn facets(table: Table) -> Vec<&'static str> {
    table
        .columns()
        .iter()
        .filter(|c| !c.values.is_empty() || FACETED.contains(&c.name))
        .map(|c| c.name)
        .collect()
}

fn table_metadata(table: Table) -> Value {
    let columns = table.columns();
    let described: Map<String, Value> = columns
        .iter()
        .map(|c| (c.name.to_owned(), Value::String(sqlite_description(c))))
        .collect();
    let mut meta = json!({
        "description": table.description(),
        "columns": described,
    });
    let facets = facets(table);
    if !facets.is_empty() {
        meta["facets"] = json!(facets);
    }
    if table.parent().is_none() && table.primary_key() == ["route_id"] {
        // The table `search` is keyed by: its rows have the rowids of this one.
        meta["fts_table"] = json!(SEARCH_TABLE);
        meta["fts_pk"] = json!("rowid");
    }
    if columns.iter().any(|c| c.name == "name") && Table::ALL.iter().any(|t| t.parent() == Some(table)) {
        // Rows that refer to this table show its name, not only its key.
        meta["label_column"] = json!("name");
    }
    meta
}

fn search_metadata() -> Value {
    let mut columns = Map::new();
    columns.insert(
        "route_id".to_owned(),
        json!("Id of the route (`routes.route_id`); the row's `rowid` is the route's `rowid` in `routes`."),
    );
    for table in Table::ALL {
        let prose = search_columns(table);
        if prose.is_empty() {
            continue;
        }
        let names: Vec<String> = prose.iter().map(|c| format!("`{}`", c.name)).collect();
        columns.insert(
            table.name().to_owned(),
            json!(format!(
                "The route's {} of `{}`, one per line.",
                names.join(", "),
                table.name()
            )),
        );
    }
    json!({
        "description": "Full-text search (SQLite FTS5, Porter stemming, diacritics folded), one row per route. \
            In SQL: SELECT route_id FROM search WHERE search MATCH 'health insurance' ORDER BY rank; \
            a column filter such as 'requirements: insurance' searches one table's text.",
        "columns": columns,
    })
}

/// The text of `metadata.json`.
pub(crate) fn metadata(version: &ReleaseVersion) -> Result<String, serde_json::Error> {
    let mut tables = Map::new();
    for table in Table::ALL {
        tables.insert(table.name().to_owned(), table_metadata(table));
    }
    tables.insert(SEARCH_TABLE.to_owned(), search_metadata());
    let meta = json!({
        "title": format!("{TITLE}, release {version}"),
        "description": DESCRIPTION,
        "license": LICENSE_ID,
        "license_url": LICENSE_URL,
        // Relative to Datasette itself: the table of every route's sources.
        "source": "The official sources each route cites (table `sources`)",
        "source_url": format!("/{DATABASE}/sources"),
        "databases": {
            DATABASE: {
                "description": format!(
                    "Release {version}: one table per tidy table of the release, the same rows as data/*.parquet and data/*.csv, and the full-text table `{SEARCH_TABLE}`."
                ),
                "tables": tables,
            }
        },
    });
    let mut text = serde_json::to_string_pretty(&meta)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_and_column_is_described() {
        let text = metadata(&"1.2.3".parse().expect("version")).expect("json");
        let meta: Value = serde_json::from_str(&text).expect("json");
        let tables = &meta["databases"]["routes"]["tables"];
        for table in Table::ALL {
            let t = &tables[table.name()];
            assert_eq!(t["description"], table.description());
            for c in table.columns() {
                assert!(
                    t["columns"][c.name]
                        .as_str()
                        .is_some_and(|d| d.starts_with(c.description))
                );
            }
        }
        assert_eq!(tables["routes"]["fts_table"], "search");
        assert_eq!(
            tables["routes"]["facets"],
            json!([
                "country",
                "category",
                "status",
                "nationality_scope",
                "leads_to_permanent_residence",
                "leads_to_citizenship",
                "review_status"
            ])
        );
        assert_eq!(tables["routes"]["label_column"], "name");
        assert!(
            tables["requirements"]["facets"]
                .as_array()
                .is_some_and(|f| f.contains(&json!("currency")))
        );
        assert!(tables["search"]["columns"]["requirements"].is_string());
        assert_eq!(meta["license"], LICENSE_ID);
        assert!(meta["title"].as_str().is_some_and(|t| t.ends_with("release 1.2.3")));
    }
}
