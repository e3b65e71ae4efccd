//! `datapackage.json`: the release manifest, a Frictionless Data Package v2.

use std::collections::BTreeMap;

use routes_formats::{Column, ColumnType, Table};
use serde_json::{Value, json};

use crate::docs::{DESCRIPTION, KEYWORDS, LICENSE_ID, LICENSE_TITLE, LICENSE_URL, TITLE};
use crate::partition::{BY_COUNTRY_DIR, PartitionBy};
use crate::stage::FileInfo;
use crate::stats::Stats;
use crate::{FORMAT_VERSION, ReleaseVersion};

/// The stored form of a table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Parquet,
    Csv,
}

impl Form {
    fn ext(self) -> &'static str {
        match self {
            Self::Parquet => "parquet",
            Self::Csv => "csv",
        }
    }
}

/// Path of a table file inside the release.
pub(crate) fn table_path(table: Table, form: Form) -> String {
    format!("data/{}.{}", table.name(), form.ext())
}

fn resource_name(table: Table, form: Form) -> String {
    format!("{}-{}", table.name(), form.ext())
}

fn field(column: &Column, form: Form) -> Value {
    // frictionless reads Parquet through pandas' numpy types: a list cell
    // passes only as `any`, and a null in an integer column arrives as a float
    // NaN, which passes only as `number`. In CSV a list is a JSON array.
    // `routes:arrow_type` names the exact stored type in every case.
    let ty = match (column.ty, form) {
        (ColumnType::Utf8, _) => "string",
        (ColumnType::Date32, _) => "date",
        (ColumnType::Float64, _) => "number",
        (ColumnType::Int64, Form::Parquet) if !column.required => "number",
        (ColumnType::Int64, _) => "integer",
        (_, Form::Parquet) => "any",
        (_, Form::Csv) => "array",
    };
    let mut field = json!({
        "name": column.name,
        "type": ty,
        "description": column.description,
    });
    if column.ty == ColumnType::Date32 {
        field["format"] = json!("default");
    }
    let mut constraints = serde_json::Map::new();
    if column.required {
        constraints.insert("required".into(), json!(true));
    }
    if !column.values.is_empty() {
        constraints.insert("enum".into(), json!(column.values));
    }
    if !constraints.is_empty() {
        field["constraints"] = Value::Object(constraints);
    }
    field["routes:arrow_type"] = json!(column.ty.arrow_name());
    field
}

fn table_schema(table: Table, form: Form) -> Value {
    let columns = table.columns();
    let mut schema = json!({
        "fields": columns.iter().map(|c| field(c, form)).collect::<Vec<_>>(),
        "missingValues": [""],
        "primaryKey": table.primary_key(),
    });
    if let Some(parent) = table.parent() {
        schema["foreignKeys"] = json!([{
            "fields": ["route_id"],
            "reference": { "resource": resource_name(parent, form), "fields": ["route_id"] },
        }]);
    }
    schema
}

fn hash(files: &[FileInfo], path: &str) -> Option<FileInfo> {
    files.iter().find(|f| f.path == path).cloned()
}

/// `data/routes.sqlite`: every table in one file (not a Table Schema
/// resource: the tables inside are those of the Parquet and CSV resources).
fn sqlite_resource(files: &[FileInfo], rows: &BTreeMap<Table, u64>) -> Value {
    let path = crate::datasette::SQLITE_PATH;
    let mut r = json!({
        "name": "routes-sqlite",
        "path": path,
        "format": "sqlite",
        "mediatype": "application/vnd.sqlite3",
    });
    if let Some(info) = hash(files, path) {
        r["bytes"] = json!(info.bytes);
        r["hash"] = json!(format!("sha256:{}", info.sha256));
    }
    r["description"] = json!(format!(
        "Every table in one SQLite database (3.37 or later: `STRICT` tables), with the same names, columns and rows; \
         dates are `YYYY-MM-DD` text and lists JSON-array text. The FTS5 table `{}` holds the text of each route: \
         SELECT route_id FROM search WHERE search MATCH 'health insurance' ORDER BY rank. \
         Browse it with `datasette data/routes.sqlite -m metadata.json`.",
        routes_formats::SEARCH_TABLE
    ));
    r["routes:tables"] = json!(
        Table::ALL
            .iter()
            .map(|t| (t.name().to_owned(), json!(rows.get(t).copied().unwrap_or_default())))
            .collect::<serde_json::Map<_, _>>()
    );
    r
}

/// The CSV dialect of every CSV file of a release (RFC 4180 with a header, CRLF).
fn csv_dialect() -> Value {
    json!({
        "header": true,
        "delimiter": ",",
        "lineTerminator": "\r\n",
        "quoteChar": "\"",
        "doubleQuote": true,
    })
}

pub(crate) struct Manifest<'a> {
    pub(crate) version: &'a ReleaseVersion,
    pub(crate) created: &'a str,
    pub(crate) contributors: &'a [String],
    pub(crate) stats: &'a Stats,
    pub(crate) rows: &'a BTreeMap<Table, u64>,
    pub(crate) files: &'a [FileInfo],
    /// How the tables of routes are partitioned besides, if they are.
    pub(crate) partition_by: Option<PartitionBy>,
}

impl Manifest<'_> {
    pub(crate) fn render(&self) -> Result<String, serde_json::Error> {
        let mut resources = Vec::new();
        for form in [Form::Parquet, Form::Csv] {
            for table in Table::ALL {
                let path = table_path(table, form);
                let mut r = json!({
                    "name": resource_name(table, form),
                    "type": "table",
                    "path": path,
                    "format": form.ext(),
                });
                match form {
                    Form::Parquet => r["mediatype"] = json!("application/vnd.apache.parquet"),
                    Form::Csv => {
                        r["mediatype"] = json!("text/csv");
                        r["encoding"] = json!("utf-8");
                        r["dialect"] = csv_dialect();
                    }
                }
                if let Some(info) = hash(self.files, &path) {
                    // frictionless checks `bytes` only for CSV and reports a false
                    // mismatch for Parquet, so Parquet gets the hash alone.
                    if form == Form::Csv {
                        r["bytes"] = json!(info.bytes);
                    }
                    r["hash"] = json!(format!("sha256:{}", info.sha256));
                }
                r["description"] = json!(table.description());
                r["routes:rows"] = json!(self.rows.get(&table).copied().unwrap_or_default());
                r["schema"] = table_schema(table, form);
                resources.push(r);
            }
        }
        let mut jsonl = json!({
            "name": "routes-jsonl",
            "path": "data/routes.jsonl",
            "format": "jsonl",
            "mediatype": "application/jsonl",
            "encoding": "utf-8",
        });
        if let Some(info) = hash(self.files, "data/routes.jsonl") {
            jsonl["hash"] = json!(format!("sha256:{}", info.sha256));
        }
        jsonl["description"] = json!(
            "The full route records, nested, exactly as validated: one JSON object per line, sorted by `id`. \
             Described by the JSON Schema `schema/route.schema.json`."
        );
        jsonl["routes:rows"] = json!(self.stats.routes);
        jsonl["routes:json_schema"] = json!("schema/route.schema.json");
        resources.push(jsonl);
        resources.push(sqlite_resource(self.files, self.rows));

        let mut dictionary = json!({
            "name": "dictionary",
            "type": "table",
            "path": "data/dictionary.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": csv_dialect(),
        });
        if let Some(info) = hash(self.files, "data/dictionary.csv") {
            dictionary["bytes"] = json!(info.bytes);
            dictionary["hash"] = json!(format!("sha256:{}", info.sha256));
        }
        dictionary["description"] = json!(
            "Every table and column of the release: type, whether it is part of the key, whether it may be null and what null means, unit, allowed values and description. A row with an empty `column` describes its table."
        );
        let fields: Vec<Value> = [
            "table",
            "column",
            "type",
            "key",
            "required",
            "unit",
            "null_means",
            "values",
            "description",
        ]
        .iter()
        .map(|name| json!({ "name": name, "type": "string" }))
        .collect();
        dictionary["schema"] = json!({ "fields": fields });
        resources.push(dictionary);

        let sources: Vec<Value> = self
            .stats
            .hosts
            .keys()
            .map(|host| json!({ "title": host, "path": format!("https://{host}/") }))
            .collect();
        let package = json!({
            "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
            "name": "routes",
            "title": TITLE,
            "description": DESCRIPTION,
            "version": self.version.to_string(),
            "created": self.created,
            "keywords": KEYWORDS,
            "licenses": [{ "name": LICENSE_ID, "path": LICENSE_URL, "title": LICENSE_TITLE }],
            "contributors": self.contributors.iter().map(|c| json!({ "title": c, "roles": ["creator"] })).collect::<Vec<_>>(),
            "sources": sources,
            "routes:format_version": FORMAT_VERSION,
            "routes:schema_version": routes_core::SCHEMA_VERSION,
            "resources": resources,
        });
        let mut package = package;
        if let Some(PartitionBy::Country) = self.partition_by {
            // Not resources: each partition set holds the rows of a table
            // that is a resource already, split into folders.
            package["routes:partitions"] = json!({
                "by": routes_formats::PARTITION_COLUMN,
                "layout": "hive",
                "path": format!("{BY_COUNTRY_DIR}/{{table}}/{}={{country}}/part-0.parquet", routes_formats::PARTITION_COLUMN),
                "tables": Table::ALL.into_iter().filter(|t| t.by_route()).map(Table::name).collect::<Vec<_>>(),
            });
        }
        let mut text = serde_json::to_string_pretty(&package)?;
        text.push('\n');
        Ok(text)
    }
}
