//! `CHANGELOG.md`: what changed since the previous release in the same output
//! folder, found by comparing its `routes.jsonl` with the routes being
//! published. Both are sorted by id, so they are compared in one pass, like a
//! merge join, and memory does not grow with the number of routes.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use routes_core::Route;
use serde_json::Value;

use crate::input::Lines;
use crate::{Error, ReleaseVersion};

/// The highest release in `out` that is lower than `version`.
pub(crate) fn previous_release(
    out: &Path,
    version: &ReleaseVersion,
) -> Result<Option<(ReleaseVersion, PathBuf)>, Error> {
    let entries = match fs_err::read_dir(out) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                path: out.to_path_buf(),
                source,
            });
        }
    };
    let mut best: Option<(ReleaseVersion, PathBuf)> = None;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: out.to_path_buf(),
            source,
        })?;
        let Some(found) = entry.file_name().to_str().and_then(ReleaseVersion::from_dir_name) else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && found < *version && best.as_ref().is_none_or(|(b, _)| found > *b) {
            best = Some((found, entry.path()));
        }
    }
    Ok(best)
}

/// Largest `SHA256SUMS` read from a previous release.
const MAX_SUMS_BYTES: u64 = 1 << 20;

/// The files of the previous release that publish reads (the changelog's
/// sides), checked against its `SHA256SUMS` before they are trusted.
const READ_FROM_PREVIOUS: [&str; 2] = ["data/routes.jsonl", "CHANGELOG.md"];

/// Checks the files publish reads from the previous release `dir` against
/// the release's own `SHA256SUMS`: it must be there, every line must read
/// `<sha256>  <path>`, it must list `data/routes.jsonl` (and `CHANGELOG.md`
/// when the release has one), and each of them must hash to what it lists.
/// Files are hashed as streams (a `routes.jsonl` can be large).
pub(crate) fn verify(dir: &Path) -> Result<(), Error> {
    let damaged = |reason: String| Error::PreviousDamaged {
        release: dir.to_path_buf(),
        reason,
    };
    let sums_path = dir.join("SHA256SUMS");
    let bytes = routes_fs::read_regular(&sums_path, "SHA256SUMS", MAX_SUMS_BYTES)
        .map_err(|refusal| damaged(format!("cannot check it: {refusal}")))?;
    let text = String::from_utf8(bytes).map_err(|_| damaged("`SHA256SUMS` is not UTF-8 text".to_owned()))?;
    let mut listed = std::collections::BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let parsed = line
            .split_once("  ")
            .filter(|(hash, path)| {
                hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) && !path.is_empty()
            })
            .ok_or_else(|| damaged(format!("line {} of `SHA256SUMS` is not `<sha256>  <path>`", i + 1)))?;
        listed.insert(parsed.1, parsed.0);
    }
    for rel in READ_FROM_PREVIOUS {
        let path = rel.split('/').fold(dir.to_path_buf(), |p, part| p.join(part));
        let Some(expected) = listed.get(rel) else {
            if rel == "CHANGELOG.md" && std::fs::symlink_metadata(&path).is_err() {
                continue;
            }
            return Err(damaged(format!("`SHA256SUMS` does not list `{rel}`")));
        };
        let actual = hash_file(&path).map_err(|e| damaged(format!("cannot read `{rel}`: {e}")))?;
        if actual != *expected {
            return Err(damaged(format!(
                "`{rel}` does not match its SHA-256 in `SHA256SUMS` (it was changed since it was published)"
            )));
        }
    }
    Ok(())
}

/// The SHA-256 of a regular file, read in blocks.
fn hash_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest as _;
    use std::io::Read as _;
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "it is {}, not a regular file",
            routes_fs::describe(meta.file_type())
        )));
    }
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(crate::stage::hex(&hasher.finalize()))
}

/// One changed value.
struct Change {
    field: String,
    old: Option<Value>,
    new: Option<Value>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Arrays whose elements are objects with distinct string ids are compared
/// element by id (`requirements[min-income].money.amount`), so that an
/// inserted requirement does not show every later one as changed.
fn keyed(items: &[Value]) -> Option<Vec<(&str, &Value)>> {
    let keyed: Vec<(&str, &Value)> = items
        .iter()
        .map(|v| v.get("id").and_then(Value::as_str).map(|id| (id, v)))
        .collect::<Option<_>>()?;
    let mut ids: Vec<&str> = keyed.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    (ids.len() == keyed.len()).then_some(keyed)
}

fn diff(path: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<Change>) {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            for (k, va) in a {
                diff(&join(path, k), Some(va), b.get(k), out);
            }
            for (k, vb) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                diff(&join(path, k), None, Some(vb), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if a != b => {
            if let (Some(ka), Some(kb)) = (keyed(a), keyed(b)) {
                for (id, va) in &ka {
                    let vb = kb.iter().find(|(k, _)| k == id).map(|(_, v)| *v);
                    diff(&format!("{path}[{id}]"), Some(va), vb, out);
                }
                for (id, vb) in kb.iter().filter(|(id, _)| !ka.iter().any(|(k, _)| k == id)) {
                    diff(&format!("{path}[{id}]"), None, Some(vb), out);
                }
            } else if a.len() == b.len() {
                for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                    diff(&format!("{path}[{i}]"), Some(va), Some(vb), out);
                }
            } else {
                out.push(Change {
                    field: path.to_owned(),
                    old: old.cloned(),
                    new: new.cloned(),
                });
            }
        }
        (o, n) if o != n => out.push(Change {
            field: path.to_owned(),
            old: o.cloned(),
            new: n.cloned(),
        }),
        _ => {}
    }
}

/// A Markdown code span that survives backticks and table pipes.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let text = text.replace('|', "\\|");
    if longest == 0 {
        format!("`{text}`")
    } else {
        let fence = "`".repeat(longest + 1);
        format!("{fence} {text} {fence}")
    }
}

fn value_cell(value: Option<&Value>) -> String {
    value.map_or_else(|| "(absent)".to_owned(), |v| code(&v.to_string()))
}

fn name_of(value: &Value) -> &str {
    value.get("name").and_then(Value::as_str).unwrap_or("")
}

struct Previous {
    version: ReleaseVersion,
    dir: PathBuf,
    path: PathBuf,
    lines: Lines,
    head: Option<(String, Value)>,
}

impl Previous {
    fn advance(&mut self) -> Result<(), Error> {
        let Some((path, text, line)) = self.lines.next_line()? else {
            self.head = None;
            return Ok(());
        };
        let value: Value = serde_json::from_str(text).map_err(|e| Error::PreviousDamaged {
            release: self.dir.clone(),
            reason: format!("line {line} of `data/routes.jsonl` is not a JSON record: {e}"),
        })?;
        let id = value.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        if self.head.as_ref().is_some_and(|(prev, _)| *prev >= id) {
            return Err(Error::PreviousUnsorted {
                path: path.to_path_buf(),
                line,
            });
        }
        self.head = Some((id, value));
        Ok(())
    }
}

struct Section {
    path: PathBuf,
    out: BufWriter<fs_err::File>,
    count: u64,
}

impl Section {
    fn create(path: PathBuf) -> Result<Self, Error> {
        let file = fs_err::File::create(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            path,
            out: BufWriter::new(file),
            count: 0,
        })
    }

    fn write(&mut self, text: &str) -> Result<(), Error> {
        self.out.write_all(text.as_bytes()).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Copies the section's text into `out`.
    fn copy_into(mut self, out: &mut dyn Write, out_path: &Path) -> Result<(), Error> {
        self.out.flush().map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        let mut file = fs_err::File::open(&self.path).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        std::io::copy(&mut file, out).map_err(|source| Error::Io {
            path: out_path.to_path_buf(),
            source,
        })?;
        Ok(())
    }
}

/// Builds `CHANGELOG.md` while the routes stream by.
pub(crate) struct Changelog {
    previous: Option<Previous>,
    added: Section,
    removed: Section,
    changed: Section,
    unchanged: u64,
    routes: u64,
}

impl Changelog {
    /// Starts comparing with `previous` (a release folder), if any.
    pub(crate) fn new(previous: Option<(ReleaseVersion, PathBuf)>, scratch: &Path) -> Result<Self, Error> {
        let previous = match previous {
            None => None,
            Some((version, dir)) => {
                let path = dir.join("data").join("routes.jsonl");
                let mut prev = Previous {
                    version,
                    dir,
                    lines: Lines::open(&path)?,
                    path,
                    head: None,
                };
                prev.advance()?;
                Some(prev)
            }
        };
        Ok(Self {
            previous,
            added: Section::create(scratch.join("changelog-added.md"))?,
            removed: Section::create(scratch.join("changelog-removed.md"))?,
            changed: Section::create(scratch.join("changelog-changed.md"))?,
            unchanged: 0,
            routes: 0,
        })
    }

    fn remove_head(&mut self) -> Result<(), Error> {
        let Some(prev) = self.previous.as_mut() else {
            return Ok(());
        };
        if let Some((id, value)) = prev.head.take() {
            self.removed
                .write(&format!("- {}: {}\n", code(&id), name_of(&value).replace('\n', " ")))?;
            self.removed.count += 1;
        }
        prev.advance()
    }

    /// Compares the next route (in id order) with the previous release.
    pub(crate) fn step(&mut self, route: &Route) -> Result<(), Error> {
        self.routes += 1;
        let id = route.id.as_str();
        while self
            .previous
            .as_ref()
            .and_then(|p| p.head.as_ref())
            .is_some_and(|(prev_id, _)| prev_id.as_str() < id)
        {
            self.remove_head()?;
        }
        let Some(prev) = self.previous.as_mut() else {
            return Ok(());
        };
        let matching = prev.head.as_ref().is_some_and(|(prev_id, _)| prev_id == id);
        if !matching {
            self.added
                .write(&format!("- {}: {}\n", code(id), route.name.replace('\n', " ")))?;
            self.added.count += 1;
            return Ok(());
        }
        let new = serde_json::to_value(route).map_err(|source| Error::Json {
            path: prev.path.clone(),
            source,
        })?;
        let mut changes = Vec::new();
        if let Some((_, old)) = prev.head.as_ref() {
            diff("", Some(old), Some(&new), &mut changes);
        }
        prev.advance()?;
        if changes.is_empty() {
            self.unchanged += 1;
            return Ok(());
        }
        let gap = if self.changed.count > 0 { "\n" } else { "" };
        let mut text = format!("{gap}#### {}\n\n| field | old | new |\n| --- | --- | --- |\n", code(id));
        for c in &changes {
            let _ = writeln!(
                text,
                "| {} | {} | {} |",
                code(&c.field),
                value_cell(c.old.as_ref()),
                value_cell(c.new.as_ref())
            );
        }
        self.changed.write(&text)?;
        self.changed.count += 1;
        Ok(())
    }

    /// Writes `CHANGELOG.md`: this release's section, then the sections of
    /// the previous release's changelog.
    pub(crate) fn finish(
        mut self,
        version: &ReleaseVersion,
        date: &str,
        out: &mut dyn Write,
        out_path: &Path,
    ) -> Result<Option<ReleaseVersion>, Error> {
        while self.previous.as_ref().is_some_and(|p| p.head.is_some()) {
            self.remove_head()?;
        }
        let io = |source| Error::Io {
            path: out_path.to_path_buf(),
            source,
        };
        let mut head = format!("# Changelog\n\n## {version} ({date})\n\n");
        let Some(prev) = self.previous.take() else {
            let _ = writeln!(
                head,
                "First release in this folder: {} routes, no earlier release to compare with.",
                self.routes
            );
            out.write_all(head.as_bytes()).map_err(io)?;
            return Ok(None);
        };
        let _ = writeln!(
            head,
            "Compared with {}: {} added, {} removed, {} changed, {} unchanged.",
            prev.version, self.added.count, self.removed.count, self.changed.count, self.unchanged
        );
        out.write_all(head.as_bytes()).map_err(io)?;
        for (title, section) in [
            ("Added", self.added),
            ("Removed", self.removed),
            ("Changed", self.changed),
        ] {
            if section.count > 0 {
                out.write_all(format!("\n### {title}\n\n").as_bytes()).map_err(io)?;
                section.copy_into(out, out_path)?;
            }
        }
        copy_earlier_sections(&prev.dir.join("CHANGELOG.md"), out, out_path)?;
        Ok(Some(prev.version))
    }
}

/// Appends the previous changelog without its `# Changelog` title.
fn copy_earlier_sections(path: &Path, out: &mut dyn Write, out_path: &Path) -> Result<(), Error> {
    let file = match fs_err::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut started = false;
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if !started {
            if line.starts_with("## ") {
                started = true;
                out.write_all(b"\n").map_err(|source| Error::Io {
                    path: out_path.to_path_buf(),
                    source,
                })?;
            } else {
                continue;
            }
        }
        out.write_all(line.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|source| Error::Io {
                path: out_path.to_path_buf(),
                source,
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn changes(old: &Value, new: &Value) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        diff("", Some(old), Some(new), &mut out);
        out.into_iter()
            .map(|c| (c.field, value_cell(c.old.as_ref()), value_cell(c.new.as_ref())))
            .collect()
    }

    #[test]
    fn keyed_arrays_compare_by_id() {
        let old = json!({"name": "A", "requirements": [{"id": "a", "x": 1}, {"id": "b", "x": 2}]});
        let new =
            json!({"name": "A", "requirements": [{"id": "new", "x": 0}, {"id": "a", "x": 1}, {"id": "b", "x": 3}]});
        assert_eq!(
            changes(&old, &new),
            vec![
                ("requirements[b].x".to_owned(), "`2`".to_owned(), "`3`".to_owned()),
                (
                    "requirements[new]".to_owned(),
                    "(absent)".to_owned(),
                    "`{\"id\":\"new\",\"x\":0}`".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn plain_arrays_and_fields() {
        let old = json!({"codes": ["A"], "summary": "x"});
        let new = json!({"codes": ["A", "B"]});
        assert_eq!(
            changes(&old, &new),
            vec![
                ("codes".to_owned(), "`[\"A\"]`".to_owned(), "`[\"A\",\"B\"]`".to_owned()),
                ("summary".to_owned(), "`\"x\"`".to_owned(), "(absent)".to_owned()),
            ]
        );
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
