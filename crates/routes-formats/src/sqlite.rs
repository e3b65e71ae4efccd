//! Writing the tables into one SQLite database, `data/routes.sqlite`
//! (see [`SqliteWriter`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::temporal_conversions::date32_to_datetime;
use arrow_array::types::{Date32Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::Error;
use crate::spec::{Column, ColumnType, Table};
use crate::write::lists_as_json;

/// The `application_id` of the database (`PRAGMA application_id`): the
/// bytes `RTES`, so that `file(1)` and readers can tell the file apart.
pub const SQLITE_APPLICATION_ID: i32 = 0x5254_4553;

/// The page size of the database: fixed, as the bytes depend on it.
const PAGE_SIZE: u32 = 4096;

/// The FTS5 table over the text a person searches.
pub const SEARCH_TABLE: &str = "search";

/// The endings of the names of the columns that hold prose: a column whose
/// name is one of them, or ends with `_` and one of them
/// (`nationality_description`, `official_name`), is searched, when it is
/// free text (`Utf8` without a vocabulary) and not a key.
const PROSE: [&str; 9] = [
    "name",
    "title",
    "summary",
    "description",
    "note",
    "notes",
    "excerpt",
    "quote",
    "text",
];

fn is_prose(table: Table, column: &Column) -> bool {
    column.ty == ColumnType::Utf8
        && column.values.is_empty()
        && !table.primary_key().contains(&column.name)
        && PROSE
            .iter()
            .any(|p| column.name == *p || column.name.strip_suffix(p).is_some_and(|rest| rest.ends_with('_')))
}

/// The columns of `table` that `search` holds (the table's column of
/// `search` joins them, one line each). Empty for a table without
/// `route_id` or without prose.
#[must_use]
pub fn search_columns(table: Table) -> Vec<Column> {
    let columns = table.columns();
    if !columns.iter().any(|c| c.name == "route_id") {
        return Vec::new();
    }
    columns.into_iter().filter(|c| is_prose(table, c)).collect()
}

/// The SQLite type of a column.
#[must_use]
pub fn sqlite_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Float64 => "REAL",
        ColumnType::Int64 => "INTEGER",
        // Text, dates as `YYYY-MM-DD`, lists as JSON arrays; a type added to
        // `ColumnType` is written as text until it is mapped here.
        _ => "TEXT",
    }
}

/// A column's description as the database (and its Datasette metadata)
/// gives it: the column's own, plus how a date or a list is stored.
#[must_use]
pub fn sqlite_description(column: &Column) -> String {
    let how = match column.ty {
        ColumnType::Date32 => " Stored as TEXT `YYYY-MM-DD`.",
        ColumnType::Utf8List => {
            " Stored as TEXT holding a JSON array of strings (`[]` when empty; read it with `json_each`)."
        }
        _ => "",
    };
    format!("{}{how}", column.description)
}

/// `"name"`, quoted as an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'`, quoted as an SQL string.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The key columns of `parent` that the rows of `table` refer to: the
/// parent's primary key when `table` has all of its columns, else
/// `route_id` into the table keyed by `route_id` alone (`routes`).
fn foreign_key(table: Table) -> Option<(Table, Vec<&'static str>)> {
    let parent = table.parent()?;
    let columns = table.columns();
    let has = |name: &str| columns.iter().any(|c| c.name == name);
    if parent.primary_key().iter().all(|k| has(k)) {
        return Some((parent, parent.primary_key().to_vec()));
    }
    let root = Table::ALL
        .into_iter()
        .find(|t| t.parent().is_none() && t.primary_key() == ["route_id"])?;
    has("route_id").then(|| (root, vec!["route_id"]))
}

/// The `CREATE TABLE` (and `CREATE INDEX`) statements of a table.
fn create_table(table: Table) -> String {
    let columns = table.columns();
    let mut lines: Vec<(String, String)> = Vec::new();
    for c in &columns {
        let mut def = format!("{} {}", ident(c.name), sqlite_type(c.ty));
        if c.required {
            def.push_str(" NOT NULL");
        }
        let name = ident(c.name);
        if !c.values.is_empty() {
            let values: Vec<String> = c.values.iter().map(|v| literal(v)).collect();
            let _ = write!(def, " CHECK ({name} IN ({}))", values.join(", "));
        }
        match c.ty {
            ColumnType::Date32 => {
                let _ = write!(def, " CHECK ({name} IS date({name}))");
            }
            ColumnType::Utf8List => {
                let _ = write!(def, " CHECK (json_type({name}) = 'array')");
            }
            _ => {}
        }
        // A comment runs to the end of its line.
        let comment = sqlite_description(c).replace(['\n', '\r'], " ");
        lines.push((def, comment));
    }
    let key: Vec<String> = table.primary_key().iter().map(|k| ident(k)).collect();
    lines.push((format!("PRIMARY KEY ({})", key.join(", ")), String::new()));
    let fk = foreign_key(table);
    if let Some((parent, keys)) = &fk {
        let keys: Vec<String> = keys.iter().map(|k| ident(k)).collect();
        lines.push((
            format!(
                "FOREIGN KEY ({}) REFERENCES {} ({})",
                keys.join(", "),
                ident(parent.name()),
                keys.join(", ")
            ),
            String::new(),
        ));
    }
    // Inside the statement, so that `sqlite_master.sql` keeps it.
    let mut sql = format!(
        "CREATE TABLE {} ( -- {}\n",
        ident(table.name()),
        table.description().replace(['\n', '\r'], " ")
    );
    let last = lines.len() - 1;
    for (i, (def, comment)) in lines.iter().enumerate() {
        let comma = if i == last { "" } else { "," };
        if comment.is_empty() {
            let _ = writeln!(sql, "  {def}{comma}");
        } else {
            let _ = writeln!(sql, "  {def}{comma} -- {comment}");
        }
    }
    sql.push_str(") STRICT;\n");
    // The primary key's index serves lookups by `route_id` when the key
    // starts with it; otherwise a child table gets one of its own.
    if fk.is_some() && table.primary_key().first() != Some(&"route_id") && columns.iter().any(|c| c.name == "route_id")
    {
        let _ = writeln!(
            sql,
            "CREATE INDEX {} ON {} (\"route_id\");",
            ident(&format!("{}_route_id", table.name())),
            ident(table.name())
        );
    }
    sql
}

/// The tables of `search`: each with prose, in [`Table::ALL`] order.
fn search_tables() -> Vec<(Table, Vec<Column>)> {
    Table::ALL
        .into_iter()
        .map(|t| (t, search_columns(t)))
        .filter(|(_, c)| !c.is_empty())
        .collect()
}

/// The table with one row per route (`routes`): no parent, keyed by `route_id`.
fn root() -> Option<Table> {
    Table::ALL
        .into_iter()
        .find(|t| t.parent().is_none() && t.primary_key() == ["route_id"])
}

/// `CREATE VIRTUAL TABLE search` and the `INSERT … SELECT` that fills it.
fn search_sql(root: Table) -> (String, String) {
    let tables = search_tables();
    let mut create = format!(
        "CREATE VIRTUAL TABLE {} USING fts5(\"route_id\" UNINDEXED",
        ident(SEARCH_TABLE)
    );
    for (t, _) in &tables {
        let _ = write!(create, ", {}", ident(t.name()));
    }
    create.push_str(", tokenize = 'porter unicode61 remove_diacritics 2');");

    let joined = |alias: &str, columns: &[Column]| {
        let parts: Vec<String> = columns.iter().map(|c| format!("{alias}.{}", ident(c.name))).collect();
        format!("concat_ws(char(10), {})", parts.join(", "))
    };
    let mut names = vec!["rowid".to_owned(), "\"route_id\"".to_owned()];
    let mut values = vec!["r.rowid".to_owned(), "r.\"route_id\"".to_owned()];
    for (t, columns) in &tables {
        names.push(ident(t.name()));
        if *t == root {
            values.push(joined("r", columns));
        } else {
            values.push(format!(
                "(SELECT group_concat({}, char(10) ORDER BY c.rowid) FROM {} AS c WHERE c.\"route_id\" = r.\"route_id\")",
                joined("c", columns),
                ident(t.name())
            ));
        }
    }
    let insert = format!(
        "INSERT INTO {} ({}) SELECT {} FROM {} AS r ORDER BY r.rowid;",
        ident(SEARCH_TABLE),
        names.join(", "),
        values.join(", "),
        ident(root.name())
    );
    (create, insert)
}

/// The whole schema of the database, as it is created.
#[must_use]
pub fn sqlite_schema() -> String {
    let mut sql = String::new();
    for table in Table::ALL {
        sql.push_str(&create_table(table));
    }
    if let Some(root) = root() {
        sql.push_str(&search_sql(root).0);
        sql.push('\n');
    }
    sql
}

/// A column of a batch, readable as SQLite values.
enum Values {
    Text(ArrayRef),
    Real(ArrayRef),
    Integer(ArrayRef),
}

impl Values {
    fn get(&self, row: usize) -> ValueRef<'_> {
        let array = match self {
            Self::Text(a) | Self::Real(a) | Self::Integer(a) => a,
        };
        if array.is_null(row) {
            return ValueRef::Null;
        }
        match self {
            Self::Text(a) => ValueRef::Text(a.as_string::<i32>().value(row).as_bytes()),
            Self::Real(a) => ValueRef::Real(a.as_primitive::<Float64Type>().value(row)),
            Self::Integer(a) => ValueRef::Integer(a.as_primitive::<Int64Type>().value(row)),
        }
    }
}

/// A date column as `YYYY-MM-DD` texts (null stays null).
fn dates_as_text(array: &dyn Array, table: Table) -> Result<ArrayRef, Error> {
    let dates = array
        .as_primitive_opt::<Date32Type>()
        .ok_or(Error::SchemaMismatch { table })?;
    let mut out = StringBuilder::new();
    for row in 0..dates.len() {
        if dates.is_null(row) {
            out.append_null();
        } else {
            let date = date32_to_datetime(dates.value(row)).ok_or(Error::SchemaMismatch { table })?;
            out.append_value(date.date().format("%Y-%m-%d").to_string());
        }
    }
    Ok(Arc::new(out.finish()))
}

fn values(column: &ArrayRef, table: Table) -> Result<Values, Error> {
    let mismatch = Error::SchemaMismatch { table };
    Ok(match column.data_type() {
        DataType::Utf8 => Values::Text(Arc::clone(column)),
        DataType::Float64 => Values::Real(Arc::clone(column)),
        DataType::Int64 => Values::Integer(Arc::clone(column)),
        DataType::Date32 => Values::Text(dates_as_text(column.as_ref(), table)?),
        DataType::List(_) => Values::Text(lists_as_json(column.as_ref(), table)?),
        _ => return Err(mismatch),
    })
}

/// Writes every table into one SQLite database file, with the full-text
/// table `search`.
///
/// Everything is derived from [`Table::ALL`] and [`Table::columns`], so a new
/// table or column reaches the database with no change here:
///
/// - one `STRICT` table per [`Table`], with the same name and columns:
///   `Utf8` → `TEXT`, `Float64` → `REAL`, `Int64` → `INTEGER`, `Date32` →
///   `TEXT` holding `YYYY-MM-DD`, `List<Utf8>` → `TEXT` holding a JSON array
///   (read it with `json_each`); null stays `NULL`. Required columns are
///   `NOT NULL`; a controlled vocabulary, a date and a list are `CHECK`ed;
///   each column's description is a comment in the `CREATE TABLE` text
///   (`sqlite_master.sql`), so the database explains itself;
/// - the `PRIMARY KEY` of [`Table::primary_key`]; a table with a
///   [`Table::parent`] has a `FOREIGN KEY` on the parent's key columns and an
///   index that starts with `route_id` (its primary key's, or one of its
///   own);
/// - `search`, an FTS5 table (Porter stemming over `unicode61`, diacritics
///   removed) with one row per route, whose `rowid` is the route's `rowid`
///   in `routes`: `route_id` (not indexed) and one column per table that
///   holds prose ([`search_columns`]), with that route's text of the table:
///
///   ```sql
///   SELECT route_id FROM search WHERE search MATCH 'health insurance' ORDER BY rank;
///   SELECT route_id FROM search WHERE search MATCH 'requirements: insurance';
///   ```
///
/// **The same batches give the same bytes**: a fixed page size and encoding,
/// no journal, one transaction, rows in the order the batches bring them
/// (sorted by key), no time stamp anywhere, the FTS index merged into one
/// segment, and `VACUUM` at the end. `application_id` is
/// [`SQLITE_APPLICATION_ID`] and `user_version` the release format version
/// the caller gives. The SQLite library is compiled in (`rusqlite`'s
/// `bundled`), so its version is pinned by `Cargo.lock` like every other
/// writer's.
///
/// Reading the database needs SQLite 3.37 (2021) or later, for `STRICT`
/// tables, with FTS5 for `search`.
///
/// Call [`SqliteWriter::finish`] at the end: it builds `search`, checks the
/// foreign keys and compacts the file; before it, the file is incomplete.
pub struct SqliteWriter {
    conn: Connection,
    path: PathBuf,
    schemas: Vec<(Table, SchemaRef, String)>,
    /// Rows refused by a constraint, and the first of them (table, `route_id`).
    refused: u64,
    first_refused: Option<(Table, String)>,
}

impl std::fmt::Debug for SqliteWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn sqlite_err(table: Option<Table>) -> impl Fn(rusqlite::Error) -> Error {
    move |source| Error::Sqlite { table, source }
}

impl SqliteWriter {
    /// Creates the database `path` (which must not exist) with every table,
    /// `user_version` set to `format_version`.
    pub fn create(path: &Path, format_version: u32) -> Result<Self, Error> {
        let err = sqlite_err(None);
        if path.exists() {
            return Err(Error::Sqlite {
                table: None,
                source: rusqlite::Error::InvalidPath(path.to_path_buf()),
            });
        }
        let conn = Connection::open(path).map_err(&err)?;
        // The page size and encoding are set before the first table; no
        // journal (the release is staged, a failed write is thrown away),
        // no lock for others to take.
        conn.execute_batch(&format!(
            "PRAGMA page_size = {PAGE_SIZE};
             PRAGMA encoding = 'UTF-8';
             PRAGMA auto_vacuum = NONE;
             PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA locking_mode = EXCLUSIVE;
             PRAGMA foreign_keys = OFF;
             PRAGMA application_id = {SQLITE_APPLICATION_ID};
             PRAGMA user_version = {format_version};"
        ))
        .map_err(&err)?;
        let mut sql = String::from("BEGIN;\n");
        sql.push_str(&sqlite_schema());
        conn.execute_batch(&sql).map_err(&err)?;
        let schemas = Table::ALL
            .into_iter()
            .map(|table| {
                let columns = table.columns();
                let names: Vec<String> = columns.iter().map(|c| ident(c.name)).collect();
                let params: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                // A row that breaks a constraint (a repeated key, a missing
                // value, a value outside its vocabulary) is counted and
                // refused by `finish`, so that the caller's own check of the
                // whole release (which names the records) comes first.
                let insert = format!(
                    "INSERT OR IGNORE INTO {} ({}) VALUES ({})",
                    ident(table.name()),
                    names.join(", "),
                    params.join(", ")
                );
                (table, table.schema(), insert)
            })
            .collect();
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            schemas,
            refused: 0,
            first_refused: None,
        })
    }

    /// Writes a batch of `table` (from [`crate::RouteTables::finish`]); rows
    /// keep the batch's order.
    pub fn write(&mut self, table: Table, batch: &RecordBatch) -> Result<(), Error> {
        let Some((_, schema, insert)) = self.schemas.iter().find(|(t, _, _)| *t == table) else {
            return Err(Error::SchemaMismatch { table });
        };
        if batch.schema() != *schema {
            return Err(Error::SchemaMismatch { table });
        }
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let columns = batch
            .columns()
            .iter()
            .map(|c| values(c, table))
            .collect::<Result<Vec<_>, _>>()?;
        let err = sqlite_err(Some(table));
        let mut stmt = self.conn.prepare(insert).map_err(&err)?;
        for row in 0..batch.num_rows() {
            for (i, column) in columns.iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(column.get(row)))
                    .map_err(&err)?;
            }
            if stmt.raw_execute().map_err(&err)? == 0 {
                self.refused += 1;
                if self.first_refused.is_none() {
                    let route = match columns.first().map(|c| c.get(row)) {
                        Some(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                        _ => String::new(),
                    };
                    self.first_refused = Some((table, route));
                }
            }
        }
        Ok(())
    }

    /// Fills `search`, checks every foreign key, compacts the file
    /// (`VACUUM`) and closes it.
    pub fn finish(self) -> Result<(), Error> {
        let err = sqlite_err(None);
        if let Some((table, route)) = &self.first_refused {
            return Err(Error::Integrity {
                what: format!(
                    "{} {} a constraint of their table (a repeated key, a missing value or a value outside its vocabulary), the first in `{table}` (route `{route}`)",
                    self.refused,
                    if self.refused == 1 { "row breaks" } else { "rows break" }
                ),
            });
        }
        if let Some(root) = root() {
            let (_, insert) = search_sql(root);
            self.conn.execute_batch(&insert).map_err(&err)?;
            // One segment, whatever the number of rows: the same bytes.
            self.conn
                .execute_batch(&format!(
                    "INSERT INTO {0} ({0}) VALUES ('optimize');",
                    ident(SEARCH_TABLE)
                ))
                .map_err(&err)?;
        }
        self.conn.execute_batch("COMMIT;").map_err(&err)?;
        let broken: i64 = self
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .map_err(&err)?;
        if broken > 0 {
            return Err(Error::Integrity {
                what: format!("{broken} rows refer to rows that do not exist (`PRAGMA foreign_key_check`)"),
            });
        }
        if let Some(root) = root() {
            let astray: i64 = self
                .conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM {} AS r LEFT JOIN {} AS s ON s.rowid = r.rowid \
                         WHERE s.\"route_id\" IS NOT r.\"route_id\"",
                        ident(root.name()),
                        ident(SEARCH_TABLE)
                    ),
                    [],
                    |r| r.get(0),
                )
                .map_err(&err)?;
            if astray > 0 {
                return Err(Error::Integrity {
                    what: format!("{astray} rows of `search` do not have the rowid of their route"),
                });
            }
        }
        self.conn.execute_batch("VACUUM;").map_err(&err)?;
        self.conn.close().map_err(|(_, source)| err(source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_columns_are_found_by_name() {
        let names = |t: Table| search_columns(t).iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(
            names(Table::Routes),
            [
                "name",
                "official_name",
                "summary",
                "nationality_description",
                "leads_to_permanent_residence_note",
                "leads_to_citizenship_note"
            ]
        );
        // The evidence table's quotes and the notes' text are searched too.
        assert_eq!(names(Table::Evidence), ["excerpt"]);
        assert_eq!(names(Table::Notes), ["text"]);
        assert_eq!(names(Table::Requirements), ["description", "note"]);
        assert_eq!(names(Table::Documents), ["name", "note"]);
        assert_eq!(names(Table::Sources), ["title"]);
    }

    #[test]
    fn the_schema_maps_types_keys_and_descriptions() {
        let sql = create_table(Table::Documents);
        assert!(
            sql.starts_with("CREATE TABLE \"documents\" ( -- One row per document"),
            "{sql}"
        );
        assert!(
            sql.contains("\n  \"route_id\" TEXT NOT NULL, -- Id of the route"),
            "{sql}"
        );
        assert!(
            sql.contains("\"applies_to\" TEXT NOT NULL CHECK (json_type(\"applies_to\") = 'array'),"),
            "{sql}"
        );
        assert!(sql.contains("JSON array of strings"), "{sql}");
        assert!(
            sql.contains("\"effective_from\" TEXT CHECK (\"effective_from\" IS date(\"effective_from\")),"),
            "{sql}"
        );
        assert!(
            sql.contains("\"required\" TEXT NOT NULL CHECK (\"required\" IN ("),
            "{sql}"
        );
        assert!(
            sql.contains("  PRIMARY KEY (\"route_id\", \"document_id\"),\n"),
            "{sql}"
        );
        assert!(
            sql.contains("  FOREIGN KEY (\"route_id\") REFERENCES \"routes\" (\"route_id\")\n) STRICT;\n"),
            "{sql}"
        );
        let routes = create_table(Table::Routes);
        assert!(!routes.contains("FOREIGN KEY"), "{routes}");
        assert!(routes.contains("\"requirement_count\" INTEGER NOT NULL,"), "{routes}");
        assert!(create_table(Table::Requirements).contains("\"amount\" REAL,"));
    }

    const ROUTE: &str = r#"{
      "schema_version": 1, "id": "ID", "country": "NA", "name": "NAME",
      "category": "work", "status": "active",
      "eligibility": { "nationality": { "scope": "all" } },
      "requirements": [
        { "id": "b-insurance", "kind": "health_insurance", "description": "Health insurance for the whole stay.",
          "required": "yes", "evidence": [{ "source": "gov" }] },
        { "id": "a-savings", "kind": "savings", "description": "Savings.", "required": "yes",
          "money": { "amount": 1500.5, "currency": "EUR", "period": "one_off" },
          "effective_from": "2026-01-01", "evidence": [{ "source": "gov" }] }
      ],
      "duration": {
        "leads_to_permanent_residence": { "value": "unknown" },
        "leads_to_citizenship": { "value": "no" }
      },
      "documents": [], "application": {}, "legal_basis": [],
      "sources": [{ "id": "gov", "url": "https://example.org/", "title": "Portal",
        "tier": "official", "language": "en", "translation": "original", "seen": "2026-11-01" }],
      "last_verified": "2026-11-01", "review_status": "unverified"
    }"#;

    fn route(id: &str, name: &str) -> routes_core::Route {
        serde_json::from_str(
            &ROUTE
                .replace("\"ID\"", &format!("{id:?}"))
                .replace("\"NAME\"", &format!("{name:?}")),
        )
        .expect("route")
    }

    fn write(path: &Path, routes: &[routes_core::Route]) {
        let mut tables = crate::RouteTables::new();
        let mut db = SqliteWriter::create(path, 7).expect("create");
        for r in routes {
            tables.push(r).expect("push");
        }
        for table in Table::ALL {
            db.write(table, &tables.finish(table).expect("batch")).expect("write");
        }
        db.finish().expect("finish");
    }

    fn two_routes() -> Vec<routes_core::Route> {
        vec![route("na/a-visa", "Work visa"), route("na/b-visa", "Café permit")]
    }

    #[test]
    fn the_same_batches_give_the_same_bytes() {
        let tmp = tempfile::tempdir().expect("tmp");
        let (a, b) = (tmp.path().join("a.sqlite"), tmp.path().join("b.sqlite"));
        write(&a, &two_routes());
        write(&b, &two_routes());
        let (a, b) = (std::fs::read(a).expect("a"), std::fs::read(b).expect("b"));
        assert_eq!(a, b);
        assert!(a.starts_with(b"SQLite format 3\0"));
        assert_eq!(a[16..18], PAGE_SIZE.to_be_bytes()[2..], "page size");
        assert_eq!(a[60..64], 7u32.to_be_bytes(), "user_version");
        assert_eq!(a[68..72], SQLITE_APPLICATION_ID.to_be_bytes(), "application_id");
        assert_eq!(a.len() % PAGE_SIZE as usize, 0);
    }

    #[test]
    fn values_nulls_lists_dates_keys_and_search_read_back() {
        type Row = (String, Option<f64>, Option<String>, String, Option<String>);
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("routes.sqlite");
        write(&path, &two_routes());
        let db = Connection::open(&path).expect("open");
        let count = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql);
        assert_eq!(count("SELECT count(*) FROM routes"), 2);
        assert_eq!(count("SELECT count(*) FROM requirements"), 4);
        assert_eq!(count("SELECT count(*) FROM documents"), 0);
        assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check"), 0);
        // Rows in key order; null stays null; lists are JSON arrays; dates ISO text.
        let rows: Vec<Row> = db
            .prepare("SELECT requirement_id, amount, effective_from, evidence_sources, note FROM requirements WHERE route_id = 'na/a-visa' ORDER BY rowid")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            rows,
            [
                (
                    "a-savings".into(),
                    Some(1500.5),
                    Some("2026-01-01".into()),
                    r#"["gov"]"#.into(),
                    None
                ),
                ("b-insurance".into(), None, None, r#"["gov"]"#.into(), None),
            ]
        );
        assert_eq!(
            count("SELECT typeof(requirement_count) = 'integer' FROM routes LIMIT 1"),
            1
        );
        assert_eq!(count("SELECT count(*) FROM routes, json_each(routes.codes)"), 0);
        // Full text: stemmed, diacritics folded, one row per route, by rowid.
        let found = |q: &str| -> Vec<String> {
            db.prepare("SELECT route_id FROM search WHERE search MATCH ?1 ORDER BY route_id")
                .expect("prepare")
                .query_map([q], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
        };
        assert_eq!(found("health insurance"), ["na/a-visa", "na/b-visa"]);
        assert_eq!(found("cafe"), ["na/b-visa"]);
        assert_eq!(found("requirements: savings"), ["na/a-visa", "na/b-visa"]);
        assert!(found("routes: savings").is_empty());
        assert_eq!(
            count("SELECT count(*) FROM routes r JOIN search s ON s.rowid = r.rowid AND s.route_id = r.route_id"),
            2
        );
        // Lookups by route_id use an index.
        let plan: String = db
            .query_row(
                "EXPLAIN QUERY PLAN SELECT * FROM documents WHERE route_id = 'x'",
                [],
                |r| r.get(3),
            )
            .expect("plan");
        assert!(plan.contains("USING INDEX"), "{plan}");
        // The database explains itself.
        let sql: String = db
            .query_row("SELECT sql FROM sqlite_master WHERE name = 'routes'", [], |r| r.get(0))
            .expect("sql");
        assert!(sql.contains("-- Short English name."), "{sql}");
    }

    #[test]
    fn a_batch_of_another_table_is_refused_and_the_file_must_be_new() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("routes.sqlite");
        let mut tables = crate::RouteTables::new();
        tables.push(&route("na/a-visa", "Work visa")).expect("push");
        let mut db = SqliteWriter::create(&path, 1).expect("create");
        let batch = tables.finish(Table::Routes).expect("batch");
        assert!(matches!(
            db.write(Table::Sources, &batch),
            Err(Error::SchemaMismatch { .. })
        ));
        drop(db);
        assert!(matches!(SqliteWriter::create(&path, 1), Err(Error::Sqlite { .. })));
    }

    #[test]
    fn a_child_row_without_its_route_is_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut tables = crate::RouteTables::new();
        tables.push(&route("na/a-visa", "Work visa")).expect("push");
        let mut db = SqliteWriter::create(&tmp.path().join("x.sqlite"), 1).expect("create");
        db.write(Table::Sources, &tables.finish(Table::Sources).expect("batch"))
            .expect("write");
        assert!(matches!(db.finish(), Err(Error::Integrity { .. })));
    }

    /// A repeated key is refused by `finish`, not by `write`: the caller's
    /// own check of the release, which names the records, comes first.
    #[test]
    fn a_repeated_key_is_refused_at_the_end() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut tables = crate::RouteTables::new();
        tables.push(&route("na/a-visa", "Work visa")).expect("push");
        tables.push(&route("na/a-visa", "Work visa")).expect("push");
        let mut db = SqliteWriter::create(&tmp.path().join("x.sqlite"), 1).expect("create");
        db.write(Table::Routes, &tables.finish(Table::Routes).expect("batch"))
            .expect("write");
        let Err(Error::Integrity { what }) = db.finish() else {
            panic!("a repeated key is refused");
        };
        assert!(what.starts_with("1 row breaks a constraint"), "{what}");
        assert!(what.ends_with("the first in `routes` (route `na/a-visa`)"), "{what}");
    }
}
