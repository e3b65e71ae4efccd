//! Comparing two releases value by value: what `routes diff` prints and what
//! the `changes` table and `CHANGELOG.md` of a release hold.
//!
//! The comparison reads the releases' Parquet tables, not their
//! `routes.jsonl`: every fact of a record is a cell of one table, so a change
//! is named by table, row and column, exactly as a researcher finds it, and
//! releases of different record models still compare on the tables and
//! columns they share. The tables of routes are sorted by `route_id`, so
//! they are read side by side, route by route, like a merge join: memory
//! holds one route's rows, however large the releases. The reference tables
//! (small) are compared last, whole.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Seek as _;
use std::path::{Path, PathBuf};

use routes_formats::{Change, ChangeKind, Table, TableReader, TextRow};

/// Largest `SHA256SUMS` or `datapackage.json` read from a release.
const MAX_META_BYTES: u64 = 16 << 20;

/// Why two releases could not be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// The release does not check against its own `SHA256SUMS`, or a file
    /// it should hold is not a regular file inside it.
    #[error("the release `{}` is damaged: {reason}", release.display())]
    Damaged {
        /// The release folder.
        release: PathBuf,
        /// What is wrong, naming the file.
        reason: String,
    },
    /// The folder is not a release: it has no `datapackage.json`.
    #[error("`{}` is not a release: {reason}", path.display())]
    NotARelease {
        /// The folder.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },
    /// A table could not be read.
    #[error("cannot read `{}`", path.display())]
    Table {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: routes_formats::Error,
    },
    /// A table of routes is not in `route_id` order, or holds a key twice.
    #[error("`{}` {what}", path.display())]
    Disordered {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words.
        what: String,
    },
    /// The two releases share no table.
    #[error("the releases share no table to compare (`{}`, `{}`)", old.display(), new.display())]
    NothingShared {
        /// The older release.
        old: PathBuf,
        /// The newer release.
        new: PathBuf,
    },
}

/// The length and modification time a file had when it was checked, so that
/// a file swapped in before it is read is noticed without hashing it again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Checked {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Checked {
    fn of(meta: &std::fs::Metadata) -> Self {
        Self {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// A release folder opened for comparison.
#[derive(Debug)]
pub struct Release {
    dir: PathBuf,
    version: Option<String>,
    /// For a published release, the files read, checked against
    /// `SHA256SUMS`; `None` for the release being staged (our own files).
    checked: Option<HashMap<String, Checked>>,
}

impl Release {
    /// Opens a published release: its `SHA256SUMS` must be there and list
    /// every table file, and each table (and `CHANGELOG.md`) must hash to what
    /// it lists. Everything is checked here, before any comparing, so a
    /// damaged release stops the run at once.
    pub fn open(dir: &Path) -> Result<Self, CompareError> {
        let damaged = |reason: String| CompareError::Damaged {
            release: dir.to_path_buf(),
            reason,
        };
        let package = routes_fs::read_confined(dir, "datapackage.json", MAX_META_BYTES).map_err(|refusal| {
            CompareError::NotARelease {
                path: dir.to_path_buf(),
                reason: format!("cannot read `datapackage.json`: {refusal}"),
            }
        })?;
        let package: serde_json::Value =
            serde_json::from_slice(&package).map_err(|e| damaged(format!("`datapackage.json` is not JSON: {e}")))?;
        let version = package
            .get("version")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let sums = routes_fs::read_confined(dir, "SHA256SUMS", MAX_META_BYTES)
            .map_err(|refusal| damaged(format!("cannot check it: {refusal}")))?;
        let sums = String::from_utf8(sums).map_err(|_| damaged("`SHA256SUMS` is not UTF-8 text".to_owned()))?;
        let mut listed = BTreeMap::new();
        for (i, line) in sums.lines().enumerate() {
            let (hash, path) = line
                .split_once("  ")
                .filter(|(hash, path)| {
                    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) && !path.is_empty()
                })
                .ok_or_else(|| damaged(format!("line {} of `SHA256SUMS` is not `<sha256>  <path>`", i + 1)))?;
            listed.insert(path.to_owned(), hash.to_owned());
        }
        let mut checked = HashMap::new();
        let files = Table::ALL
            .iter()
            .filter(|t| t.holds_facts())
            .map(|t| table_file(*t))
            .chain(std::iter::once("CHANGELOG.md".to_owned()));
        for rel in files {
            let Some(file) = open_inside(dir, &rel).map_err(&damaged)? else {
                continue;
            };
            let Some(expected) = listed.get(&rel) else {
                return Err(damaged(format!("`SHA256SUMS` does not list `{rel}`")));
            };
            let (actual, meta) = hash(file).map_err(|e| damaged(format!("cannot read `{rel}`: {e}")))?;
            if actual != *expected {
                return Err(damaged(format!(
                    "`{rel}` does not match its SHA-256 in `SHA256SUMS` (it was changed since it was published)"
                )));
            }
            checked.insert(rel, Checked::of(&meta));
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            version,
            checked: Some(checked),
        })
    }

    /// The release being staged by this process, whose files are its own.
    pub(crate) fn staged(dir: &Path, version: String) -> Self {
        Self {
            dir: dir.to_path_buf(),
            version: Some(version),
            checked: None,
        }
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The version `datapackage.json` states, if any.
    #[must_use]
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Opens `rel` for reading: `None` when the release does not hold it.
    /// A published release's file must still be the one that was checked.
    pub(crate) fn open_file(&self, rel: &str) -> Result<Option<File>, CompareError> {
        let damaged = |reason: String| CompareError::Damaged {
            release: self.dir.clone(),
            reason,
        };
        let Some(file) = open_inside(&self.dir, rel).map_err(damaged)? else {
            return Ok(None);
        };
        if let Some(checked) = &self.checked {
            let now = file.metadata().ok().map(|m| Checked::of(&m));
            if checked.get(rel) != now.as_ref() {
                return Err(damaged(format!("`{rel}` changed while it was being compared")));
            }
        }
        Ok(Some(file))
    }
}

/// `data/<table>.parquet`.
fn table_file(table: Table) -> String {
    format!("data/{}.parquet", table.name())
}

/// Opens `rel` under `dir` if it is a regular file that stays inside;
/// `Ok(None)` when it does not exist.
fn open_inside(dir: &Path, rel: &str) -> Result<Option<File>, String> {
    match routes_fs::resolve_confined(dir, rel) {
        Ok(path) => routes_fs::open_regular(&path, rel).map(Some).map_err(|r| r.to_string()),
        Err(routes_fs::Refusal::Missing { .. }) => Ok(None),
        Err(refusal) => Err(refusal.to_string()),
    }
}

/// The SHA-256 of an open file, and the file rewound.
fn hash(mut file: File) -> std::io::Result<(String, std::fs::Metadata)> {
    let (sha256, _) = crate::stage::sha256_of(&mut file)?;
    file.rewind()?;
    let meta = file.metadata()?;
    Ok((sha256, meta))
}

/// What happened to a route between the releases: added (only the newer
/// release holds it), removed (only the older) or changed. The same words
/// as a single value's change.
pub type RouteStatus = ChangeKind;

/// The changes of one route (or, with `route_id` `None`, of the reference
/// tables), in table order, then row and column order.
#[derive(Debug)]
#[non_exhaustive]
pub struct RouteChanges<'a> {
    /// The route; `None` for the reference tables.
    pub route_id: Option<&'a str>,
    /// Added, removed or changed.
    pub status: RouteStatus,
    /// The route's name (in the newer release, or the older for a removed one).
    pub name: Option<&'a str>,
    /// Every value that differs.
    pub changes: &'a [Change],
}

/// What a comparison found, besides the changes themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Routes only the newer release holds.
    pub added: u64,
    /// Routes only the older release holds.
    pub removed: u64,
    /// Routes in both, with different values.
    pub changed: u64,
    /// Routes in both, with the same values.
    pub unchanged: u64,
    /// Values that differ, in all tables.
    pub changes: u64,
    /// Tables compared.
    pub tables: Vec<String>,
    /// Tables only one release holds, with `old` or `new`: not compared.
    pub tables_in_one: Vec<(String, &'static str)>,
    /// Columns (`table.column`) only one release holds, with `old` or
    /// `new`: not compared in rows both hold.
    pub columns_in_one: Vec<(String, &'static str)>,
}

impl Summary {
    /// Whether the releases hold the same values.
    #[must_use]
    pub fn is_equal(&self) -> bool {
        self.changes == 0
    }
}

/// One side of one table.
struct Side {
    path: PathBuf,
    reader: TableReader,
    /// Positions of the key columns, in key order.
    key: Vec<usize>,
    head: Option<TextRow>,
    /// The route of the last row read, to check the order.
    last_route: Option<String>,
}

impl Side {
    fn open(release: &Release, table: Table) -> Result<Option<Self>, CompareError> {
        let rel = table_file(table);
        let Some(file) = release.open_file(&rel)? else {
            return Ok(None);
        };
        let path = release.dir.join(&rel);
        let reader = TableReader::open(file).map_err(|source| CompareError::Table {
            path: path.clone(),
            source,
        })?;
        let key: Option<Vec<usize>> = table
            .primary_key()
            .iter()
            .map(|k| reader.columns().iter().position(|c| c == k))
            .collect();
        let Some(key) = key else {
            return Err(CompareError::Disordered {
                path,
                what: format!("does not have the key columns {:?}", table.primary_key()),
            });
        };
        let mut side = Self {
            path,
            reader,
            key,
            head: None,
            last_route: None,
        };
        side.advance(table.by_route())?;
        Ok(Some(side))
    }

    fn advance(&mut self, by_route: bool) -> Result<(), CompareError> {
        self.head = self.reader.next_row().map_err(|source| CompareError::Table {
            path: self.path.clone(),
            source,
        })?;
        if by_route && let Some(row) = &self.head {
            let route = row[self.key[0]].clone().unwrap_or_default();
            if self.last_route.as_ref().is_some_and(|last| *last > route) {
                return Err(CompareError::Disordered {
                    path: self.path.clone(),
                    what: format!("is not sorted by `route_id`: `{route}` comes after a later route"),
                });
            }
            self.last_route = Some(route);
        }
        Ok(())
    }

    fn head_route(&self) -> Option<&str> {
        self.head.as_ref().map(|row| row[self.key[0]].as_deref().unwrap_or(""))
    }

    /// Takes the rows of `route` (all rows when `route` is `None`).
    fn take(&mut self, route: Option<&str>, by_route: bool) -> Result<Vec<TextRow>, CompareError> {
        let mut rows = Vec::new();
        while let Some(row) = &self.head {
            if route.is_some_and(|r| row[self.key[0]].as_deref().unwrap_or("") != r) {
                break;
            }
            rows.push(self.head.take().unwrap_or_default());
            self.advance(by_route)?;
        }
        Ok(rows)
    }
}

/// One table of both releases.
struct Pair {
    table: Table,
    by_route: bool,
    old: Side,
    new: Side,
    /// For each column of the new side, its position in the old side.
    common: Vec<(usize, Option<usize>)>,
}

impl Pair {
    fn names(&self) -> &[String] {
        self.new.reader.columns()
    }

    /// The changes between `old` and `new` rows of one route (or a whole
    /// reference table), in the new rows' order, then the removed rows.
    fn compare(&self, old: Vec<TextRow>, new: &[TextRow], out: &mut Vec<Change>) -> Result<(), CompareError> {
        let key_of = |side: &Side, row: &TextRow| side.key.iter().map(|i| row[*i].clone()).collect::<Vec<_>>();
        let mut olds: HashMap<Vec<Option<String>>, (usize, TextRow)> = HashMap::with_capacity(old.len());
        for (i, row) in old.into_iter().enumerate() {
            let key = key_of(&self.old, &row);
            if olds.insert(key.clone(), (i, row)).is_some() {
                return Err(duplicate(&self.old.path, &key));
            }
        }
        let mut seen = std::collections::HashSet::with_capacity(new.len());
        let name = self.table.name();
        let names = self.names();
        for row in new {
            let key = key_of(&self.new, row);
            if !seen.insert(key.clone()) {
                return Err(duplicate(&self.new.path, &key));
            }
            match olds.remove(&key) {
                Some((_, old_row)) => {
                    for (n, o) in &self.common {
                        let Some(o) = o else { continue };
                        if self.new.key.contains(n) {
                            continue;
                        }
                        if old_row[*o] != row[*n] {
                            out.push(Change::new(
                                name,
                                &key,
                                self.by_route,
                                &names[*n],
                                old_row[*o].clone(),
                                row[*n].clone(),
                            ));
                        }
                    }
                }
                None => {
                    for (i, value) in row.iter().enumerate() {
                        if let Some(v) = held(value.as_ref(), i, &self.new, self.by_route) {
                            out.push(Change::new(name, &key, self.by_route, &names[i], None, Some(v)));
                        }
                    }
                }
            }
        }
        let mut gone: Vec<_> = olds.into_iter().collect();
        gone.sort_by_key(|(_, (i, _))| *i);
        let old_names = self.old.reader.columns();
        for (key, (_, row)) in gone {
            for (i, value) in row.iter().enumerate() {
                if let Some(v) = held(value.as_ref(), i, &self.old, self.by_route) {
                    out.push(Change::new(name, &key, self.by_route, &old_names[i], Some(v), None));
                }
            }
        }
        Ok(())
    }
}

/// The value of column `i` of a row that was added or removed whole, if it
/// holds one: not null, not an empty list, and not the `route_id` (which
/// every change names anyway).
fn held(value: Option<&String>, i: usize, side: &Side, by_route: bool) -> Option<String> {
    if by_route && side.key.first() == Some(&i) {
        return None;
    }
    value.filter(|v| v.as_str() != "[]").cloned()
}

fn duplicate(path: &Path, key: &[Option<String>]) -> CompareError {
    CompareError::Disordered {
        path: path.to_path_buf(),
        what: format!(
            "holds the key {} twice",
            serde_json::to_string(&key).unwrap_or_default()
        ),
    }
}

/// Compares `old` with `new`, handing the changes of each route that
/// differs to `each` in `route_id` order (the reference tables last), and
/// returns the counts. The first error, of the comparison or of `each`,
/// stops it.
pub fn compare<E: From<CompareError>>(
    old: &Release,
    new: &Release,
    each: &mut dyn FnMut(RouteChanges<'_>) -> Result<(), E>,
) -> Result<Summary, E> {
    let mut summary = Summary::default();
    let mut pairs = Vec::new();
    for table in Table::ALL.into_iter().filter(|t| t.holds_facts()) {
        let (o, n) = (Side::open(old, table)?, Side::open(new, table)?);
        let (o, n) = match (o, n) {
            (Some(o), Some(n)) => (o, n),
            (Some(_), None) => {
                summary.tables_in_one.push((table.name().to_owned(), "old"));
                continue;
            }
            (None, Some(_)) => {
                summary.tables_in_one.push((table.name().to_owned(), "new"));
                continue;
            }
            (None, None) => continue,
        };
        let common: Vec<(usize, Option<usize>)> = n
            .reader
            .columns()
            .iter()
            .enumerate()
            .map(|(i, c)| (i, o.reader.columns().iter().position(|x| x == c)))
            .collect();
        for (i, o_pos) in &common {
            if o_pos.is_none() {
                summary
                    .columns_in_one
                    .push((format!("{table}.{}", n.reader.columns()[*i]), "new"));
            }
        }
        for c in o.reader.columns() {
            if !n.reader.columns().contains(c) {
                summary.columns_in_one.push((format!("{table}.{c}"), "old"));
            }
        }
        summary.tables.push(table.name().to_owned());
        pairs.push(Pair {
            table,
            by_route: table.by_route(),
            old: o,
            new: n,
            common,
        });
    }
    if pairs.is_empty() {
        return Err(CompareError::NothingShared {
            old: old.dir.clone(),
            new: new.dir.clone(),
        }
        .into());
    }
    let routes_table = pairs.iter().position(|p| p.table == Table::Routes);
    let mut changes = Vec::new();
    loop {
        let next = pairs
            .iter()
            .filter(|p| p.by_route)
            .flat_map(|p| [p.old.head_route(), p.new.head_route()])
            .flatten()
            .min()
            .map(str::to_owned);
        let Some(route) = next else { break };
        changes.clear();
        let mut status = RouteStatus::Changed;
        let mut name = None;
        for (i, pair) in pairs.iter_mut().enumerate().filter(|(_, p)| p.by_route) {
            let old_rows = pair.old.take(Some(&route), true)?;
            let new_rows = pair.new.take(Some(&route), true)?;
            if Some(i) == routes_table {
                let name_of = |side: &Side, rows: &[TextRow]| {
                    let col = side.reader.columns().iter().position(|c| c == "name")?;
                    rows.first().and_then(|r| r[col].clone())
                };
                name = name_of(&pair.new, &new_rows).or_else(|| name_of(&pair.old, &old_rows));
                status = match (old_rows.is_empty(), new_rows.is_empty()) {
                    (true, false) => RouteStatus::Added,
                    (false, true) => RouteStatus::Removed,
                    _ => RouteStatus::Changed,
                };
            }
            pair.compare(old_rows, &new_rows, &mut changes)?;
        }
        if changes.is_empty() {
            summary.unchanged += 1;
            continue;
        }
        match status {
            RouteStatus::Added => summary.added += 1,
            RouteStatus::Removed => summary.removed += 1,
            _ => summary.changed += 1,
        }
        summary.changes += changes.len() as u64;
        each(RouteChanges {
            route_id: Some(&route),
            status,
            name: name.as_deref(),
            changes: &changes,
        })?;
    }
    changes.clear();
    for pair in pairs.iter_mut().filter(|p| !p.by_route) {
        let old_rows = pair.old.take(None, false)?;
        let new_rows = pair.new.take(None, false)?;
        pair.compare(old_rows, &new_rows, &mut changes)?;
    }
    if !changes.is_empty() {
        summary.changes += changes.len() as u64;
        each(RouteChanges {
            route_id: None,
            status: RouteStatus::Changed,
            name: None,
            changes: &changes,
        })?;
    }
    Ok(summary)
}
