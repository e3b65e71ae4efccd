//! Writing the tables into one SQLite database, `data/routes.sqlite`
//! (see [`SqliteWriter`]).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
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

/// `CREATE VIRTUAL TABLE search`, and the `INSERT` of one route's row.
///
/// A route's row holds its `rowid` in `routes`, its `route_id`, and per
/// table of [`search_tables`] the route's text of that table: for each of
/// its rows (in the order written), the non-null values of the prose columns
/// joined by line breaks; the rows joined by line breaks. `routes` is the
/// route's own row; another table is null when the route has no row in it.
/// In SQL, the column of a child table `c` is
/// `(SELECT group_concat(concat_ws(char(10), c.<prose>…), char(10) ORDER BY c.rowid)
/// FROM c WHERE c.route_id = r.route_id)`, and that of `routes`
/// `concat_ws(char(10), r.<prose>…)`; the writer builds the same text from
/// the batches (a test holds it to the SQL), so nothing is read back. The
/// column of a table whose rows are not a route's facts and come after them
/// (`changes`, whose `table_name` is prose by its name) is filled at the end
/// by that SQL ([`late_search_sql`]).
fn search_sql() -> (String, String) {
    let tables = search_tables();
    let mut create = format!(
        "CREATE VIRTUAL TABLE {} USING fts5(\"route_id\" UNINDEXED",
        ident(SEARCH_TABLE)
    );
    for (t, _) in &tables {
        let _ = write!(create, ", {}", ident(t.name()));
    }
    create.push_str(", tokenize = 'porter unicode61 remove_diacritics 2');");
    let mut names = vec!["rowid".to_owned(), "\"route_id\"".to_owned()];
    names.extend(tables.iter().map(|(t, _)| ident(t.name())));
    let params: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let insert = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        ident(SEARCH_TABLE),
        names.join(", "),
        params.join(", ")
    );
    (create, insert)
}

/// The `UPDATE` that fills the column of `search` of `table`, a table whose
/// rows are not a route's facts and come after them (`changes`): the routes
/// that have rows in it get their text of it, as [`search_sql`] says.
fn late_search_sql(table: Table, columns: &[Column]) -> String {
    let parts: Vec<String> = columns.iter().map(|c| format!("c.{}", ident(c.name))).collect();
    format!(
        "UPDATE {search} SET {column} = (SELECT group_concat(concat_ws(char(10), {parts}), char(10) ORDER BY c.rowid) \
         FROM {column} AS c WHERE c.\"route_id\" = {search}.\"route_id\") \
         WHERE \"route_id\" IN (SELECT \"route_id\" FROM {column});",
        search = ident(SEARCH_TABLE),
        column = ident(table.name()),
        parts = parts.join(", ")
    )
}

/// The whole schema of the database, as it is created.
#[must_use]
pub fn sqlite_schema() -> String {
    let mut sql = String::new();
    for table in Table::ALL {
        sql.push_str(&create_table(table));
    }
    if root().is_some() {
        sql.push_str(&search_sql().0);
        sql.push('\n');
    }
    sql
}

/// The page cache (`PRAGMA cache_size`, in KiB when negative): SQLite's
/// default, 2 MiB. Rows go in in key order, so a b-tree's pages are written
/// once and only its right edge is read again, and nothing is read back to
/// fill `search`: at 100,000 routes, 8 MiB was no faster.
const CACHE_KIB: i64 = 2 * 1024;

/// A column of a batch, readable as SQLite values.
enum Values {
    Text(StringArray),
    Real(Float64Array),
    Integer(Int64Array),
}

impl Values {
    fn get(&self, row: usize) -> ValueRef<'_> {
        match self {
            Self::Text(a) if a.is_valid(row) => ValueRef::Text(a.value(row).as_bytes()),
            Self::Real(a) if a.is_valid(row) => ValueRef::Real(a.value(row)),
            Self::Integer(a) if a.is_valid(row) => ValueRef::Integer(a.value(row)),
            _ => ValueRef::Null,
        }
    }
}

/// A date as SQLite's `date()` writes it, `YYYY-MM-DD`, from a day count
/// since 1970-01-01; `None` for a year outside 0000–9999, which `date()`
/// cannot give back.
fn date_text(days: i32, out: &mut String) -> Option<()> {
    const EPOCH: jiff::civil::Date = jiff::civil::date(1970, 1, 1);
    let date = EPOCH.checked_add(jiff::Span::new().try_days(days).ok()?).ok()?;
    if !(0..=9999).contains(&date.year()) {
        return None;
    }
    out.clear();
    let _ = write!(out, "{:04}-{:02}-{:02}", date.year(), date.month(), date.day());
    Some(())
}

/// A date column as `YYYY-MM-DD` texts (null stays null); a date that
/// `date()` cannot give back is written as the empty text, which the
/// column's check refuses.
fn dates_as_text(array: &dyn Array, table: Table) -> Result<StringArray, Error> {
    let dates = array
        .as_primitive_opt::<Date32Type>()
        .ok_or(Error::SchemaMismatch { table })?;
    let mut out = StringBuilder::with_capacity(dates.len(), dates.len() * 10);
    let mut text = String::with_capacity(10);
    for row in 0..dates.len() {
        if dates.is_null(row) {
            out.append_null();
        } else if date_text(dates.value(row), &mut text).is_some() {
            out.append_value(&text);
        } else {
            out.append_value("");
        }
    }
    Ok(out.finish())
}

fn values(column: &ArrayRef, table: Table) -> Result<Values, Error> {
    let mismatch = Error::SchemaMismatch { table };
    Ok(match column.data_type() {
        DataType::Utf8 => Values::Text(column.as_string::<i32>().clone()),
        DataType::Float64 => Values::Real(column.as_primitive::<Float64Type>().clone()),
        DataType::Int64 => Values::Integer(column.as_primitive::<Int64Type>().clone()),
        DataType::Date32 => Values::Text(dates_as_text(column.as_ref(), table)?),
        DataType::List(_) => Values::Text(lists_as_json(column.as_ref(), table)?.as_string::<i32>().clone()),
        _ => return Err(mismatch),
    })
}

/// The `CHECK` of a column, done by [`SqliteWriter::write`] before the row
/// goes in. SQLite does not run the schema's `CHECK`s while the file is
/// built (`PRAGMA ignore_check_constraints`, a setting of the connection,
/// not of the file): a vocabulary's `IN (…)` list made it build a temporary
/// b-tree for every row, most of the time of the inserts. The finished file
/// keeps them, and `PRAGMA integrity_check` verifies them.
#[derive(Debug)]
struct Check {
    /// The allowed values (`CHECK (c IN (…))`); empty: any.
    vocabulary: Vec<&'static str>,
    /// A date: `CHECK (c IS date(c))`.
    date: bool,
}

impl Check {
    fn of(column: &Column) -> Self {
        Self {
            vocabulary: column.values.clone(),
            date: column.ty == ColumnType::Date32,
        }
    }

    /// Whether the value passes (null passes: SQLite's `NULL IN (…)` is
    /// null, which a `CHECK` lets through). Lists are JSON arrays as written,
    /// so their `json_type` check always holds.
    fn passes(&self, value: ValueRef<'_>) -> bool {
        let ValueRef::Text(text) = value else {
            return matches!(value, ValueRef::Null) || self.vocabulary.is_empty();
        };
        (self.vocabulary.is_empty() || self.vocabulary.iter().any(|v| v.as_bytes() == text))
            && (!self.date || is_date(text))
    }
}

/// `YYYY-MM-DD` with digits where they belong (what `date()` gives back for
/// a date it read).
fn is_date(text: &[u8]) -> bool {
    text.len() == 10
        && text.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// How the rows of one table are inserted.
#[derive(Debug)]
struct Insert {
    table: Table,
    schema: SchemaRef,
    sql: String,
    checks: Vec<Check>,
    /// The position of `route_id` among the columns.
    route_id: Option<usize>,
    /// Whether the table's foreign key is `route_id` into `routes`, which
    /// `write` checks row by row (see [`SqliteWriter::finish`]).
    route_key: bool,
    /// The table's place among the columns of `search` after `route_id`,
    /// and the positions of its prose columns ([`search_columns`]), for a
    /// table of routes ([`Table::by_route`]), whose rows come with their
    /// route's batch.
    search: Option<(usize, Vec<usize>)>,
    /// For a table of `search` whose rows come after every route's
    /// (`changes`): the `UPDATE` that fills its column of `search` at the
    /// end, from the table.
    late: Option<String>,
}

/// A route of the batch being written, waiting for its rows of the other
/// tables before it goes into `search`.
#[derive(Debug)]
struct Pending {
    rowid: i64,
    route_id: String,
    /// Per table of `search`: the route's text of it, `None` before its
    /// first row.
    texts: Vec<Option<String>>,
}

/// The non-null values of a row's prose columns joined by line breaks
/// (SQL's `concat_ws(char(10), …)`), appended to `out`.
fn append_prose(out: &mut String, columns: &[Values], prose: &[usize], row: usize) {
    let mut first = true;
    for &i in prose {
        if let ValueRef::Text(text) = columns[i].get(row) {
            if !first {
                out.push('\n');
            }
            // Arrow strings are UTF-8.
            out.push_str(std::str::from_utf8(text).unwrap_or_default());
            first = false;
        }
    }
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
///   holds prose ([`search_columns`]), with that route's text of the table
///   (its rows' prose, one value a line):
///
///   ```sql
///   SELECT route_id FROM search WHERE search MATCH 'health insurance' ORDER BY rank;
///   SELECT route_id FROM search WHERE search MATCH 'requirements: insurance';
///   ```
///
/// **Order of the batches**: a route's rows of every table come after its
/// row of `routes` and before the next batch of `routes`, as a release
/// writes them (a batch of each table in [`Table::ALL`] order, then the
/// next). `search` is built from the batches as they come (nothing is read
/// back), and the foreign keys into `routes` are checked as the rows go in,
/// so a row that comes later is refused by [`SqliteWriter::finish`].
///
/// **The same batches give the same bytes**: a fixed page size and encoding,
/// no journal, one transaction, rows in the order the batches bring them
/// (sorted by key), no time stamp anywhere, the FTS index merged into one
/// segment, and the file written at the end as a compact copy of the one it
/// was built in (`VACUUM INTO`, beside it as `.<name>.build`, then removed):
/// the layout `VACUUM` gives, without copying the file back. `application_id` is
/// [`SQLITE_APPLICATION_ID`] and `user_version` the release format version
/// the caller gives. The SQLite library is compiled in (`rusqlite`'s
/// `bundled`), so its version is pinned by `Cargo.lock` like every other
/// writer's.
///
/// Reading the database needs SQLite 3.37 (2021) or later, for `STRICT`
/// tables, with FTS5 for `search`.
///
/// The writer owns its connection and may be moved to another thread (a
/// release writes the database on a thread of its own). Call
/// [`SqliteWriter::finish`] at the end: it completes `search`, checks the
/// foreign keys and writes the file; before it, there is no file at the
/// path.
pub struct SqliteWriter {
    conn: Connection,
    /// The final path, written by `finish`.
    path: PathBuf,
    build: BuildFile,
    inserts: Vec<Insert>,
    /// The table with one row per route (`routes`), and the `INSERT` of a
    /// row of `search`; `None` without such a table.
    search: Option<(Table, String)>,
    /// The routes of the last batch of `routes`, in rowid order, and where
    /// each id is among them.
    pending: Vec<Pending>,
    pending_ids: HashMap<String, usize>,
    /// The tables of `search`.
    search_width: usize,
    /// Rows whose `route_id` is not among them, of tables keyed into
    /// `routes` or searched: rows of no route, or written out of order.
    astray: u64,
    /// Tables with another foreign key, which `PRAGMA foreign_key_check`
    /// checks at the end.
    other_keys: Vec<Table>,
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

fn invalid_path(path: &Path) -> Error {
    Error::Sqlite {
        table: None,
        source: rusqlite::Error::InvalidPath(path.to_path_buf()),
    }
}

/// The file a database is built in, beside its final path (`.<name>.build`):
/// [`SqliteWriter::finish`] writes the compact copy to the final path
/// (`VACUUM INTO`). Removed when dropped, finished or not.
#[derive(Debug)]
struct BuildFile(PathBuf);

fn build_path(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    Some(path.with_file_name(format!(".{name}.build")))
}

impl Drop for BuildFile {
    fn drop(&mut self) {
        // Nothing to remove when it was never made.
        let _ = std::fs::remove_file(&self.0);
    }
}

impl SqliteWriter {
    /// Creates the database `path` (which must not exist) with every table,
    /// `user_version` set to `format_version`.
    pub fn create(path: &Path, format_version: u32) -> Result<Self, Error> {
        let err = sqlite_err(None);
        // Neither file may exist (a build file that exists is someone
        // else's: it is left alone); the final path must be UTF-8, as
        // `VACUUM INTO` takes it as text.
        let Some(build) = build_path(path).filter(|b| path.to_str().is_some() && !path.exists() && !b.exists()) else {
            return Err(invalid_path(path));
        };
        // Made here, so that the file removed later is certainly this one (an
        // empty file is an empty database to SQLite).
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&build)
            .map_err(|_| invalid_path(path))?;
        let build = BuildFile(build);
        let conn = Connection::open(&build.0).map_err(&err)?;
        // The page size and encoding are set before the first table; no
        // journal (the release is staged, a failed write is thrown away),
        // no lock for others to take. The `CHECK`s are done by `write`
        // before each row goes in (see `Check`); they stay in the schema,
        // for readers and `PRAGMA integrity_check`.
        conn.execute_batch(&format!(
            "PRAGMA page_size = {PAGE_SIZE};
             PRAGMA encoding = 'UTF-8';
             PRAGMA auto_vacuum = NONE;
             PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA locking_mode = EXCLUSIVE;
             PRAGMA cache_size = -{CACHE_KIB};
             PRAGMA foreign_keys = OFF;
             PRAGMA ignore_check_constraints = ON;
             PRAGMA application_id = {SQLITE_APPLICATION_ID};
             PRAGMA user_version = {format_version};"
        ))
        .map_err(&err)?;
        let mut sql = String::from("BEGIN;\n");
        sql.push_str(&sqlite_schema());
        conn.execute_batch(&sql).map_err(&err)?;
        let search_tables = search_tables();
        let root = root();
        let inserts: Vec<Insert> = Table::ALL
            .into_iter()
            .map(|table| {
                let columns = table.columns();
                let names: Vec<String> = columns.iter().map(|c| ident(c.name)).collect();
                let params: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                // A row that breaks a constraint (a repeated key, a missing
                // value, a value outside its vocabulary) is counted and
                // refused by `finish`, so that the caller's own check of the
                // whole release (which names the records) comes first.
                let sql = format!(
                    "INSERT OR IGNORE INTO {} ({}) VALUES ({})",
                    ident(table.name()),
                    names.join(", "),
                    params.join(", ")
                );
                let late = search_tables
                    .iter()
                    .find(|(t, _)| *t == table && !t.by_route())
                    .map(|(t, columns)| late_search_sql(*t, columns));
                let search = search_tables
                    .iter()
                    .position(|(t, _)| *t == table && t.by_route())
                    .map(|k| {
                        let prose = search_tables[k]
                            .1
                            .iter()
                            .filter_map(|p| columns.iter().position(|c| c.name == p.name))
                            .collect();
                        (k, prose)
                    });
                let route_key =
                    root.is_some() && foreign_key(table).is_some_and(|(p, k)| Some(p) == root && k == ["route_id"]);
                Insert {
                    table,
                    schema: table.schema(),
                    sql,
                    checks: columns.iter().map(Check::of).collect(),
                    route_id: columns.iter().position(|c| c.name == "route_id"),
                    route_key,
                    search,
                    late,
                }
            })
            .collect();
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            build,
            other_keys: inserts
                .iter()
                .filter(|i| !i.route_key && foreign_key(i.table).is_some())
                .map(|i| i.table)
                .collect(),
            inserts,
            search: root.map(|root| (root, search_sql().1)),
            pending: Vec::new(),
            pending_ids: HashMap::new(),
            search_width: search_tables.len(),
            astray: 0,
            refused: 0,
            first_refused: None,
        })
    }

    /// Writes a batch of `table` (from [`crate::RouteTables::finish`]); rows
    /// keep the batch's order. See the order of batches [`SqliteWriter`]
    /// asks for.
    pub fn write(&mut self, table: Table, batch: &RecordBatch) -> Result<(), Error> {
        let Some(index) = self.inserts.iter().position(|i| i.table == table) else {
            return Err(Error::SchemaMismatch { table });
        };
        if batch.schema() != self.inserts[index].schema {
            return Err(Error::SchemaMismatch { table });
        }
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let root = self.search.as_ref().map(|(root, _)| *root) == Some(table);
        // The routes of the last batch have all their rows: into `search`.
        if root {
            self.flush_search()?;
        }
        let insert = &self.inserts[index];
        let columns = batch
            .columns()
            .iter()
            .map(|c| values(c, table))
            .collect::<Result<Vec<_>, _>>()?;
        let route_id = |row: usize| match insert.route_id.map(|i| columns[i].get(row)) {
            Some(ValueRef::Text(t)) => std::str::from_utf8(t).unwrap_or_default(),
            _ => "",
        };
        let err = sqlite_err(Some(table));
        let mut stmt = self.conn.prepare(&insert.sql).map_err(&err)?;
        let tables = self.search_width;
        for row in 0..batch.num_rows() {
            let passes = insert
                .checks
                .iter()
                .zip(&columns)
                .all(|(check, column)| check.passes(column.get(row)));
            if passes {
                for (i, column) in columns.iter().enumerate() {
                    stmt.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(column.get(row)))
                        .map_err(&err)?;
                }
                if stmt.raw_execute().map_err(&err)? > 0 {
                    if root {
                        self.pending_ids.insert(route_id(row).to_owned(), self.pending.len());
                        self.pending.push(Pending {
                            rowid: self.conn.last_insert_rowid(),
                            route_id: route_id(row).to_owned(),
                            texts: vec![None; tables],
                        });
                    }
                    if insert.route_key || insert.search.is_some() {
                        match self.pending_ids.get(route_id(row)) {
                            Some(&i) => {
                                if let Some((k, prose)) = &insert.search {
                                    let text = &mut self.pending[i].texts[*k];
                                    match text {
                                        Some(text) => text.push('\n'),
                                        None => *text = Some(String::new()),
                                    }
                                    if let Some(text) = text {
                                        append_prose(text, &columns, prose, row);
                                    }
                                }
                            }
                            None => self.astray += 1,
                        }
                    }
                    continue;
                }
            }
            self.refused += 1;
            if self.first_refused.is_none() {
                self.first_refused = Some((table, route_id(row).to_owned()));
            }
        }
        Ok(())
    }

    /// Writes the routes of the last batch of `routes` into `search`.
    fn flush_search(&mut self) -> Result<(), Error> {
        let err = sqlite_err(None);
        let Some((_, insert)) = &self.search else {
            return Ok(());
        };
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut stmt = self.conn.prepare(insert).map_err(&err)?;
        for route in self.pending.drain(..) {
            stmt.raw_bind_parameter(1, route.rowid).map_err(&err)?;
            stmt.raw_bind_parameter(2, route.route_id.as_str()).map_err(&err)?;
            for (i, text) in route.texts.iter().enumerate() {
                stmt.raw_bind_parameter(i + 3, text.as_deref()).map_err(&err)?;
            }
            stmt.raw_execute().map_err(&err)?;
        }
        self.pending_ids.clear();
        Ok(())
    }

    /// Completes `search`, checks every foreign key, writes the compact
    /// file at the path (`VACUUM INTO`) and removes the one it was built in.
    pub fn finish(mut self) -> Result<(), Error> {
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
        self.flush_search()?;
        for insert in &self.inserts {
            if let Some(update) = &insert.late {
                self.conn.execute_batch(update).map_err(&err)?;
            }
        }
        if self.search.is_some() {
            // One segment, whatever the number of rows: the same bytes.
            self.conn
                .execute_batch(&format!(
                    "INSERT INTO {0} ({0}) VALUES ('optimize');",
                    ident(SEARCH_TABLE)
                ))
                .map_err(&err)?;
        }
        self.conn.execute_batch("COMMIT;").map_err(&err)?;
        // A key into `routes` was checked as its row went in (every row's
        // route is in the batch of `routes` before it): reading every table
        // back for `PRAGMA foreign_key_check` took a second at 100,000
        // routes. Other keys, if a table has one, are checked here.
        if self.astray > 0 {
            return Err(Error::Integrity {
                what: format!(
                    "{} rows refer to routes that are not in the batch of `routes` written before them",
                    self.astray
                ),
            });
        }
        for table in &self.other_keys {
            let broken: i64 = self
                .conn
                .query_row(
                    "SELECT count(*) FROM pragma_foreign_key_check(?1)",
                    [table.name()],
                    |r| r.get(0),
                )
                .map_err(&err)?;
            if broken > 0 {
                return Err(Error::Integrity {
                    what: format!(
                        "{broken} rows of `{table}` refer to rows that do not exist (`PRAGMA foreign_key_check`)"
                    ),
                });
            }
        }
        if let Some((root, _)) = &self.search {
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
        // The compact copy goes straight to the final path: `VACUUM` would
        // write it to a temporary file and copy it back.
        let into = self.path.to_str().ok_or_else(|| invalid_path(&self.path))?;
        self.conn.execute("VACUUM INTO ?1", [into]).map_err(&err)?;
        self.conn.close().map_err(|(_, source)| err(source))?;
        drop(self.build);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

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
        // Dropped unfinished: nothing is left, not even the file it was
        // built in.
        drop(db);
        assert_eq!(std::fs::read_dir(tmp.path()).expect("dir").count(), 0);
        // A file at the path is refused, and so is one at the path it
        // would be built in (someone else's: left as it is).
        std::fs::write(&path, b"").expect("file");
        assert!(matches!(SqliteWriter::create(&path, 1), Err(Error::Sqlite { .. })));
        std::fs::remove_file(&path).expect("remove");
        let build = tmp.path().join(".routes.sqlite.build");
        std::fs::write(&build, b"").expect("file");
        assert!(matches!(SqliteWriter::create(&path, 1), Err(Error::Sqlite { .. })));
        assert!(build.exists());
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

    /// The text of `search`, as SQL gives it from the tables: what the
    /// writer builds from the batches instead of reading them back.
    fn search_by_sql(db: &Connection) -> Vec<Vec<Option<String>>> {
        let root = root().expect("routes");
        let joined = |alias: &str, columns: &[Column]| {
            let parts: Vec<String> = columns.iter().map(|c| format!("{alias}.{}", ident(c.name))).collect();
            format!("concat_ws(char(10), {})", parts.join(", "))
        };
        let mut values = vec!["r.\"route_id\"".to_owned()];
        for (t, columns) in search_tables() {
            if t == root {
                values.push(joined("r", &columns));
            } else {
                values.push(format!(
                    "(SELECT group_concat({}, char(10) ORDER BY c.rowid) FROM {} AS c WHERE c.\"route_id\" = r.\"route_id\")",
                    joined("c", &columns),
                    ident(t.name())
                ));
            }
        }
        let sql = format!(
            "SELECT {} FROM {} AS r ORDER BY r.rowid",
            values.join(", "),
            ident(root.name())
        );
        rows_of(db, &sql)
    }

    fn rows_of(db: &Connection, sql: &str) -> Vec<Vec<Option<String>>> {
        let mut stmt = db.prepare(sql).expect("prepare");
        let n = stmt.column_count();
        stmt.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// Rows of several batches, nulls, empty texts (evidence without an
    /// excerpt), a route without a row in a table: `search` holds what the
    /// SQL over the tables gives.
    #[test]
    fn search_holds_the_text_the_sql_gives() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("routes.sqlite");
        let mut db = SqliteWriter::create(&path, 1).expect("create");
        let mut tables = crate::RouteTables::new();
        for batch in [["na/a-visa", "na/b-visa"], ["na/c-visa", "na/d-visa"]] {
            for id in batch {
                tables.push(&route(id, "Permit")).expect("push");
            }
            for table in Table::ALL {
                db.write(table, &tables.finish(table).expect("batch")).expect("write");
            }
        }
        // Changes come after every route: of a route, of a route that is
        // not in the release, of a reference table.
        let change = |route: Option<&str>, table: &str| {
            let key = [route.map(str::to_owned), Some("x".to_owned())];
            crate::Change::new(table, &key, route.is_some(), "name", None, Some("y".to_owned()))
        };
        for c in [
            change(Some("na/b-visa"), "routes"),
            change(Some("na/b-visa"), "requirements"),
            change(Some("na/gone"), "routes"),
            change(None, "wages"),
        ] {
            tables.push_change(&c).expect("change");
        }
        db.write(Table::Changes, &tables.finish(Table::Changes).expect("batch"))
            .expect("write");
        db.finish().expect("finish");
        let db = Connection::open(&path).expect("open");
        let names: Vec<String> = search_tables().iter().map(|(t, _)| ident(t.name())).collect();
        let search = rows_of(
            &db,
            &format!("SELECT \"route_id\", {} FROM search ORDER BY rowid", names.join(", ")),
        );
        assert_eq!(search.len(), 4);
        assert_eq!(search, search_by_sql(&db));
        // A table without rows for the route is null; evidence without
        // excerpts gives empty lines.
        let documents = 1 + search_tables()
            .iter()
            .position(|(t, _)| *t == Table::Documents)
            .expect("documents");
        assert_eq!(search[0][documents], None);
        let evidence = 1 + search_tables()
            .iter()
            .position(|(t, _)| *t == Table::Evidence)
            .expect("evidence");
        assert_eq!(search[0][evidence].as_deref(), Some("\n"));
        // `changes` is searched (`table_name` is prose by its name).
        let changes = 1 + search_tables()
            .iter()
            .position(|(t, _)| *t == Table::Changes)
            .expect("changes");
        assert_eq!(search[1][changes].as_deref(), Some("routes\nrequirements"));
        assert_eq!(search[0][changes], None);
        // The checks left to readers hold.
        let check: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
        assert_eq!(check, "ok");
        assert_eq!(
            db.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r
                .get::<_, i64>(0))
                .expect("fk"),
            0
        );
        // The file it was built in is gone.
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["routes.sqlite"]);
    }

    /// Rows of a route that come after the next batch of `routes` are refused.
    #[test]
    fn rows_after_the_next_batch_of_routes_are_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut db = SqliteWriter::create(&tmp.path().join("x.sqlite"), 1).expect("create");
        let mut tables = crate::RouteTables::new();
        tables.push(&route("na/a-visa", "Work visa")).expect("push");
        let routes = tables.finish(Table::Routes).expect("batch");
        let requirements = tables.finish(Table::Requirements).expect("batch");
        tables.push(&route("na/b-visa", "Work visa")).expect("push");
        db.write(Table::Routes, &routes).expect("write");
        db.write(Table::Routes, &tables.finish(Table::Routes).expect("batch"))
            .expect("write");
        db.write(Table::Requirements, &requirements).expect("write");
        let Err(Error::Integrity { what }) = db.finish() else {
            panic!("rows out of order are refused");
        };
        assert!(what.starts_with("2 rows refer to routes"), "{what}");
    }

    /// A value outside its column's vocabulary is refused, as the table's
    /// `CHECK` would refuse it.
    #[test]
    fn a_value_outside_its_vocabulary_is_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut db = SqliteWriter::create(&tmp.path().join("x.sqlite"), 1).expect("create");
        let mut tables = crate::RouteTables::new();
        tables.push(&route("na/a-visa", "Work visa")).expect("push");
        let batch = tables.finish(Table::Routes).expect("batch");
        let at = batch.schema().index_of("category").expect("category");
        let mut columns = batch.columns().to_vec();
        columns[at] = Arc::new(StringArray::from(vec!["picnic"]));
        let batch = RecordBatch::try_new(batch.schema(), columns).expect("batch");
        db.write(Table::Routes, &batch).expect("write");
        let Err(Error::Integrity { what }) = db.finish() else {
            panic!("a value outside the vocabulary is refused");
        };
        assert!(what.starts_with("1 row breaks a constraint"), "{what}");
        // Every vocabulary is a text column: `Check` compares texts.
        for table in Table::ALL {
            for c in table.columns() {
                assert!(c.values.is_empty() || c.ty == ColumnType::Utf8, "{table}.{}", c.name);
            }
        }
    }

    /// Dates are the texts SQLite's `date()` gives back, and a year it
    /// cannot write is refused.
    #[test]
    fn dates_are_written_as_sqlite_writes_them() {
        use arrow_array::temporal_conversions::date32_to_datetime;
        let mut text = String::new();
        // 0000-01-01 to 9999-12-31, and a little beyond both ends.
        for days in -719_600..2_932_990 {
            let chrono = date32_to_datetime(days)
                .expect("date")
                .date()
                .format("%Y-%m-%d")
                .to_string();
            if (-719_528..=2_932_896).contains(&days) {
                assert!(date_text(days, &mut text).is_some(), "{days}");
                assert_eq!(text, chrono, "{days}");
                assert!(is_date(text.as_bytes()));
            } else {
                assert!(date_text(days, &mut text).is_none(), "{days} {chrono}");
            }
        }
        assert!(!is_date(b""));
        assert!(!is_date(b"+10000-01-01"));
    }
}
