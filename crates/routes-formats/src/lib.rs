//! The Arrow boundary: route records become tidy tables with one fixed Arrow
//! schema each, written as Parquet and CSV. This is the only crate of the
//! workspace that compiles arrow and parquet.
//!
//! The tables ([`Table`]) hold one fact per row, keyed by `route_id` and the
//! item's id or position: `routes`, `requirements`, `documents`, `sources`,
//! `fees`, `processing_times`, `durations`, `channels`, `legal_basis`,
//! `amendments`, `exemptions`, `nationality`, `evidence`, `related`, `notes`.
//! Every fact of a record is a cell of exactly one of them. Six more tables
//! hold the reference data the money columns use, with its sources
//! ([`RouteTables::push_reference`]). Their columns ([`Table::columns`])
//! have portable types only: `Utf8` text, `Date32` dates, `Float64` numbers,
//! `Int64` counts and `List<Utf8>` lists. A column has the same type in every
//! release, even when all its values are null; what a record does not say is
//! null, never `0` or `""`.
//!
//! [`RouteTables`] turns routes into rows; [`ParquetWriter`] and [`CsvWriter`]
//! stream the batches to any [`std::io::Write`], and [`SqliteWriter`] writes
//! every table, with a full-text table `search`, into one SQLite file. The same input gives the same
//! bytes: the Parquet `created_by` is pinned ([`PARQUET_CREATED_BY`]).
//!
//! ```
//! use routes_formats::{CsvWriter, ParquetWriter, RouteTables, SqliteWriter, Table};
//!
//! let route: routes_core::Route = serde_json::from_str(r#"{
//!   "schema_version": 1, "id": "na/work-visa", "country": "NA", "name": "Work visa",
//!   "category": "work", "status": "active",
//!   "eligibility": { "nationality": { "scope": "all" } },
//!   "requirements": [],
//!   "duration": {
//!     "leads_to_permanent_residence": { "value": "unknown" },
//!     "leads_to_citizenship": { "value": "no" }
//!   },
//!   "documents": [], "application": {}, "legal_basis": [],
//!   "sources": [{ "id": "gov", "url": "https://example.org/", "title": "Portal",
//!     "tier": "official", "language": "en", "translation": "original", "seen": "2026-11-01" }],
//!   "last_verified": "2026-11-01", "review_status": "unverified"
//! }"#)?;
//!
//! let mut tables = RouteTables::new();
//! tables.push(&route)?;
//! let batch = tables.finish(Table::Routes)?;
//! assert_eq!(batch.num_rows(), 1);
//! assert_eq!(batch.schema(), Table::Routes.schema());
//!
//! let mut csv = CsvWriter::new(Table::Routes, Vec::new());
//! csv.write(&batch)?;
//! let text = String::from_utf8(csv.finish()?)?;
//! assert!(text.starts_with("route_id,country,name,"));
//! assert!(text.contains("na/work-visa,NA,Work visa,"));
//!
//! let mut parquet = ParquetWriter::new(Table::Routes, Vec::new())?;
//! parquet.write(&batch)?;
//! let bytes = parquet.finish()?;
//! assert_eq!(&bytes[..4], b"PAR1");
//!
//! // SQLite writes to a path: every table in one file, and the FTS5 table `search`.
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("routes.sqlite");
//! let mut db = SqliteWriter::create(&path, 1)?;
//! db.write(Table::Routes, &batch)?;
//! db.finish()?;
//! assert!(std::fs::read(&path)?.starts_with(b"SQLite format 3\0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod build;
mod money;
mod read;
mod spec;
mod sqlite;
mod write;

/// A batch of rows of one table, as [`RouteTables::finish`] gives it.
pub use arrow_array::RecordBatch;
pub use build::{Change, ChangeKind, RouteTables};
pub use money::{ExchangeRate, Group, IndexValue, MAX_RATE_DAYS, MoneyContext, ReferenceSource, Wage};
pub use read::{BatchReader, TableReader, TextRow, number_text};
pub use spec::{Column, ColumnType, Table};
pub use sqlite::{
    SEARCH_TABLE, SQLITE_APPLICATION_ID, SqliteWriter, search_columns, sqlite_description, sqlite_schema, sqlite_type,
};
pub use write::{
    CsvWriter, PARQUET_CREATED_BY, PARTITION_COLUMN, ParquetWriter, ROW_GROUP_MAX_BYTES, ROW_GROUP_MAX_ROWS,
    country_runs, partition_schema,
};

/// Why a table could not be built or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A row does not fit the table's columns (a bug in this crate).
    #[error("a row of table `{table}` does not fit its columns")]
    RowShape {
        /// The table.
        table: Table,
    },
    /// A batch does not have the table's fixed schema.
    #[error("a batch does not have the schema of table `{table}`")]
    SchemaMismatch {
        /// The table.
        table: Table,
    },
    /// Arrow refused a batch.
    #[error("cannot build a batch of table `{table}`")]
    Arrow {
        /// The table.
        table: Table,
        /// The cause.
        #[source]
        source: arrow_schema::ArrowError,
    },
    /// The Parquet writer failed (often an I/O error underneath).
    #[error("cannot write table `{table}` as Parquet")]
    Parquet {
        /// The table.
        table: Table,
        /// The cause.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// A list could not be written as JSON text.
    #[error("cannot write a list of table `{table}` as JSON")]
    Json {
        /// The table.
        table: Table,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// SQLite refused a statement (often an I/O error underneath).
    #[error("cannot write the SQLite database{}", table.map(|t| format!(" (table `{t}`)")).unwrap_or_default())]
    Sqlite {
        /// The table being written, if any.
        table: Option<Table>,
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
    /// The SQLite database does not hold together (a bug in this crate).
    #[error("the SQLite database is inconsistent: {what}")]
    Integrity {
        /// What is wrong.
        what: String,
    },
    /// A Parquet file could not be read.
    #[error("cannot read the Parquet file")]
    Read {
        /// The cause.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The rows of a Parquet file could not be decoded.
    #[error("cannot decode the rows of the Parquet file")]
    ReadArrow {
        /// The cause.
        #[source]
        source: arrow_schema::ArrowError,
    },
    /// A column of a Parquet file has a type no published table uses.
    #[error("column `{column}` has type {data_type}, which no table of a release uses")]
    UnreadableColumn {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
    },
    /// Only the tables of routes ([`Table::by_route`]) are partitioned.
    #[error("table `{table}` is not a table of routes, so it has no partitions")]
    NotPartitioned {
        /// The table.
        table: Table,
    },
    /// A `route_id` does not start with a country code (a bug: route ids
    /// are checked when they are read).
    #[error("`route_id` `{route_id}` of table `{table}` does not start with a country code")]
    NoCountry {
        /// The table.
        table: Table,
        /// The id.
        route_id: String,
    },
    /// Writing the output failed.
    #[error("cannot write table `{table}`")]
    Io {
        /// The table.
        table: Table,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use arrow_array::Array;
    use arrow_schema::DataType;

    use super::*;

    fn route(json: &str) -> routes_core::Route {
        serde_json::from_str(json).expect("route")
    }

    const MINIMAL: &str = r#"{
      "schema_version": 1, "id": "na/work-visa", "country": "NA", "name": "Work visa",
      "category": "work", "status": "active",
      "eligibility": { "nationality": { "scope": "unknown" } },
      "requirements": [],
      "duration": {
        "leads_to_permanent_residence": { "value": "unknown" },
        "leads_to_citizenship": { "value": "unknown" }
      },
      "documents": [], "application": {}, "legal_basis": [],
      "sources": [{ "id": "gov", "url": "https://example.org/", "title": "Portal",
        "tier": "official", "language": "en", "translation": "original", "seen": "2026-11-01" }],
      "last_verified": "2026-11-01", "review_status": "unverified"
    }"#;

    #[test]
    fn every_column_has_a_portable_type() {
        for table in Table::ALL {
            let schema = table.schema();
            // Tables of routes start with `route_id`; every table starts with its key.
            if table.parent().is_some() {
                assert_eq!(schema.field(0).name(), "route_id", "{table}");
            }
            for (i, key) in table.primary_key().iter().enumerate() {
                assert_eq!(schema.field(i).name(), key, "{table}: the key leads");
            }
            for key in table.primary_key() {
                let field = schema.field_with_name(key).expect("key column");
                assert!(!field.is_nullable(), "{table}.{key} is a key");
            }
            for field in schema.fields() {
                let ok = match field.data_type() {
                    DataType::Utf8 | DataType::Date32 | DataType::Float64 | DataType::Int64 => true,
                    DataType::List(item) => item.data_type() == &DataType::Utf8 && !item.is_nullable(),
                    _ => false,
                };
                assert!(ok, "{table}.{} has type {}", field.name(), field.data_type());
            }
        }
    }

    /// A column whose values are all null keeps its type: the schema is fixed.
    #[test]
    fn all_null_columns_keep_their_type() {
        let mut tables = RouteTables::new();
        tables.push(&route(MINIMAL)).expect("push");
        let batch = tables.finish(Table::Routes).expect("batch");
        assert_eq!(batch.schema(), Table::Routes.schema());
        let official = batch.column_by_name("official_name").expect("column");
        assert_eq!(official.data_type(), &DataType::Utf8);
        assert_eq!(official.null_count(), 1);
        let requirements = tables.finish(Table::Requirements).expect("batch");
        assert_eq!(requirements.num_rows(), 0);
        assert_eq!(requirements.schema(), Table::Requirements.schema());
        // `finish` empties the buffer.
        assert_eq!(tables.finish(Table::Routes).expect("batch").num_rows(), 0);
    }

    #[test]
    fn csv_of_an_empty_table_is_its_header() {
        let csv = CsvWriter::new(Table::Documents, Vec::new());
        let text = String::from_utf8(csv.finish().expect("finish")).expect("utf-8");
        assert_eq!(
            text,
            "route_id,document_id,name,required,applies_to,effective_from,effective_until,superseded_by,conflict,evidence_sources,note\r\n"
        );
    }

    #[test]
    fn csv_quotes_per_rfc_4180_and_writes_lists_as_json() {
        let json = MINIMAL.replace("\"Work visa\"", "\"Work \\\"A\\\", B\"");
        let mut r = route(&json);
        r.codes = vec!["A1".to_owned(), "B\"2".to_owned()];
        let mut tables = RouteTables::new();
        tables.push(&r).expect("push");
        let mut csv = CsvWriter::new(Table::Routes, Vec::new());
        csv.write(&tables.finish(Table::Routes).expect("batch")).expect("write");
        let text = String::from_utf8(csv.finish().expect("finish")).expect("utf-8");
        let row = text.lines().nth(1).expect("row");
        assert!(
            row.starts_with(r#"na/work-visa,NA,"Work ""A"", B",,,"[""A1"",""B\""2""]",work,"#),
            "{row}"
        );
        assert!(text.ends_with("\r\n"));
    }

    #[test]
    fn parquet_bytes_are_reproducible_and_created_by_is_pinned() {
        let write = || {
            let mut tables = RouteTables::new();
            tables.push(&route(MINIMAL)).expect("push");
            let mut parquet = ParquetWriter::new(Table::Sources, Vec::new()).expect("writer");
            parquet
                .write(&tables.finish(Table::Sources).expect("batch"))
                .expect("write");
            parquet.finish().expect("finish")
        };
        let (a, b) = (write(), write());
        assert_eq!(a, b);
        let pinned = PARQUET_CREATED_BY.as_bytes();
        assert!(a.windows(pinned.len()).any(|w| w == pinned));
        assert!(
            !a.windows(9).any(|w| w == b"parquet-rs"),
            "the crate version must not leak in"
        );
    }

    #[test]
    fn a_batch_of_another_table_is_refused() {
        let mut tables = RouteTables::new();
        tables.push(&route(MINIMAL)).expect("push");
        let batch = tables.finish(Table::Routes).expect("batch");
        let mut csv = CsvWriter::new(Table::Sources, Vec::new());
        assert!(matches!(csv.write(&batch), Err(Error::SchemaMismatch { .. })));
        let mut parquet = ParquetWriter::new(Table::Sources, Vec::new()).expect("writer");
        assert!(matches!(parquet.write(&batch), Err(Error::SchemaMismatch { .. })));
    }

    /// Two routes of `a` and one of `b`, pushed in id order, as one batch of `table`.
    fn three_routes(table: Table) -> RecordBatch {
        let mut tables = RouteTables::new();
        for (id, country) in [("aa/one", "AA"), ("aa/two", "AA"), ("bb/one", "BB")] {
            let json = MINIMAL
                .replace("na/work-visa", id)
                .replace(r#""country": "NA""#, &format!(r#""country": "{country}""#));
            tables.push(&route(&json)).expect("push");
        }
        tables.finish(table).expect("batch")
    }

    #[test]
    fn a_batch_splits_into_one_run_per_country() {
        let batch = three_routes(Table::Sources);
        let runs = country_runs(Table::Sources, &batch).expect("runs");
        let got: Vec<(&str, usize)> = runs.iter().map(|(c, b)| (c.as_str(), b.num_rows())).collect();
        assert_eq!(got, [("AA", 2), ("BB", 1)]);
        // An empty batch has no runs; reference tables have no partitions.
        let empty = RouteTables::new().finish(Table::Fees).expect("batch");
        assert!(country_runs(Table::Fees, &empty).expect("runs").is_empty());
        let reference = RouteTables::new().finish(Table::ExchangeRates).expect("batch");
        assert!(matches!(
            country_runs(Table::ExchangeRates, &reference),
            Err(Error::NotPartitioned { .. })
        ));
        assert!(matches!(
            ParquetWriter::partition(Table::Changes, Vec::new()),
            Err(Error::NotPartitioned { .. })
        ));
    }

    #[test]
    fn a_partition_file_leaves_the_country_to_its_folder() {
        let batch = three_routes(Table::Routes);
        let runs = country_runs(Table::Routes, &batch).expect("runs");
        let (country, rows) = &runs[1];
        assert_eq!(country, "BB");
        let mut file = tempfile::tempfile().expect("temp file");
        let mut parquet = ParquetWriter::partition(Table::Routes, &mut file).expect("writer");
        parquet.write(rows).expect("write");
        parquet.finish().expect("finish");
        let mut reader = TableReader::open(file).expect("reader");
        let expected: Vec<String> = partition_schema(Table::Routes)
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert!(!expected.iter().any(|c| c == PARTITION_COLUMN));
        assert_eq!(expected.len() + 1, Table::Routes.columns().len());
        assert_eq!(reader.columns(), expected.as_slice());
        let row = reader.next_row().expect("row").expect("one row");
        assert_eq!(row[0].as_deref(), Some("bb/one"));
        assert!(reader.next_row().expect("end").is_none());
        // Tables without a `country` column keep every column.
        assert_eq!(partition_schema(Table::Fees), Table::Fees.schema());
    }
}
