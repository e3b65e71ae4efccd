//! The dataset: where it is rooted, its records, the excerpts that quote each
//! source, and placing findings in a record's text.

use std::collections::BTreeMap;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use routes_diagnostics::{Diagnostic, LineIndex, locate::locate};

use crate::Error;

/// Largest record file (or JSON Lines line) read, as `routes validate` reads them.
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// Largest snapshot read, as `routes validate` reads them.
pub(crate) const MAX_SNAPSHOT_BYTES: u64 = 64 * 1024 * 1024;

/// A dataset folder and its root (the folder of its `routes.toml`, against
/// which snapshot paths resolve).
#[derive(Debug, Clone)]
pub struct Dataset {
    dir: PathBuf,
    root: PathBuf,
}

/// One record as read.
pub(crate) struct Record {
    /// The file.
    pub(crate) path: PathBuf,
    /// 1-based line of the record in a JSON Lines file; `None` for a file of one record.
    pub(crate) line: Option<usize>,
    /// The record, untyped (for the excerpts).
    pub(crate) value: serde_json::Value,
    /// The record, typed.
    pub(crate) route: routes_core::Route,
}

/// An excerpt of the record that quotes a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Excerpt {
    /// The source it quotes.
    pub(crate) source: String,
    /// JSON pointer of the excerpt.
    pub(crate) pointer: String,
    /// The quote.
    pub(crate) text: String,
}

impl Dataset {
    /// The dataset in folder `dir`. Its root is the folder of the
    /// `routes.toml` in or above it (as for `routes validate`), else `dir`.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let meta = std::fs::metadata(dir).map_err(|source| Error::Dataset {
            path: dir.to_path_buf(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(Error::Dataset {
                path: dir.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
            });
        }
        let root = routes_validate::find_config(dir)
            .and_then(|config| {
                config.parent().map(|p| {
                    if p.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        p.to_path_buf()
                    }
                })
            })
            .unwrap_or_else(|| dir.to_path_buf());
        Ok(Self {
            dir: dir.to_path_buf(),
            root,
        })
    }

    /// The folder given.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The root snapshot paths resolve against.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Hands every record that reads as a route to `each`, in the order
    /// `routes validate` reads them; returns how many records did not.
    pub(crate) fn records(&self, each: &mut dyn FnMut(Record)) -> Result<usize, Error> {
        let files =
            routes_validate::record_files(std::slice::from_ref(&self.dir)).map_err(|source| Error::Records {
                path: self.dir.clone(),
                source,
            })?;
        let mut skipped = 0;
        for path in files {
            let shown = shown(&path);
            if path.extension().is_some_and(|e| e == "jsonl") {
                let Ok(file) = routes_fs::open_regular(&path, &shown) else {
                    skipped += 1;
                    continue;
                };
                for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
                    let Ok(line) = line else {
                        skipped += 1;
                        break;
                    };
                    if line.trim().is_empty() {
                        continue;
                    }
                    match parse(&line) {
                        Some((value, route)) => each(Record {
                            path: path.clone(),
                            line: Some(n + 1),
                            value,
                            route,
                        }),
                        None => skipped += 1,
                    }
                }
                continue;
            }
            let parsed = routes_fs::read_regular(&path, &shown, MAX_RECORD_BYTES)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .and_then(|text| parse(&text));
            match parsed {
                Some((value, route)) => each(Record {
                    path,
                    line: None,
                    value,
                    route,
                }),
                None => skipped += 1,
            }
        }
        Ok(skipped)
    }

    /// [`Error::UnknownRoute`] for `id`, with the nearest id of `ids`.
    pub(crate) fn unknown_route(&self, id: &str, ids: &[String]) -> Error {
        Error::UnknownRoute {
            id: id.to_owned(),
            dataset: self.dir.clone(),
            nearest: nearest(id, ids),
        }
    }
}

/// The value and route of a record's text, if it reads as a route.
fn parse(text: &str) -> Option<(serde_json::Value, routes_core::Route)> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let route = serde_json::from_value(value.clone()).ok()?;
    Some((value, route))
}

/// A path as findings show it: relative to the current folder when inside it.
pub(crate) fn shown(path: &Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| {
        std::path::absolute(path)
            .ok()?
            .strip_prefix(cwd)
            .ok()
            .map(Path::to_path_buf)
    });
    relative.unwrap_or_else(|| path.to_path_buf()).display().to_string()
}

/// The id of `ids` closest to `id`, if it is close enough to be a typo.
pub(crate) fn nearest(id: &str, ids: &[String]) -> Option<String> {
    ids.iter()
        .map(|candidate| (strsim::levenshtein(id, candidate), candidate))
        .filter(|(d, _)| *d <= (id.chars().count() / 3).max(3))
        .min()
        .map(|(_, c)| c.clone())
}

/// Every excerpt of a record, with the source it quotes and its pointer: the
/// `excerpt` of every item of every `evidence` list, wherever it is.
pub(crate) fn excerpts(value: &serde_json::Value) -> Vec<Excerpt> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, &serde_json::Value)> = vec![(String::new(), value)];
    while let Some((pointer, node)) = stack.pop() {
        match node {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    if key == "evidence"
                        && let serde_json::Value::Array(items) = child
                    {
                        for (i, item) in items.iter().enumerate() {
                            if let (Some(source), Some(text)) = (
                                item.get("source").and_then(serde_json::Value::as_str),
                                item.get("excerpt").and_then(serde_json::Value::as_str),
                            ) {
                                out.push(Excerpt {
                                    source: source.to_owned(),
                                    pointer: format!("{at}/{i}/excerpt"),
                                    text: text.to_owned(),
                                });
                            }
                        }
                        continue;
                    }
                    stack.push((at, child));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{i}"), child));
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    out
}

/// A finding not yet placed in its record's text.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// The record file.
    pub(crate) path: PathBuf,
    /// 1-based line of the record in a JSON Lines file.
    pub(crate) line: Option<usize>,
    /// The route.
    pub(crate) route: String,
    /// Pointer of the value the finding is about.
    pub(crate) pointer: String,
    /// The code (of [`crate::CODES`]).
    pub(crate) code: &'static str,
    /// The message.
    pub(crate) message: String,
    /// The label under the value.
    pub(crate) label: String,
    /// A hint of its own, instead of the code's.
    pub(crate) hint: Option<String>,
}

/// Places findings in their records' texts (each file read once more): file,
/// line, column and a snippet of the value each names. The findings come
/// back in the order given.
pub(crate) fn place(pending: &[Pending]) -> Vec<Diagnostic> {
    let mut by_file: BTreeMap<&Path, Vec<usize>> = BTreeMap::new();
    for (n, p) in pending.iter().enumerate() {
        by_file.entry(p.path.as_path()).or_default().push(n);
    }
    let mut out: Vec<Option<Diagnostic>> = vec![None; pending.len()];
    for (path, members) in by_file {
        let shown = shown(path);
        let text = routes_fs::read_regular(path, &shown, u64::MAX - 1)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        for n in members {
            let p = &pending[n];
            let hint = p.hint.clone().unwrap_or_else(|| crate::codes::hint(p.code).to_owned());
            let d = Diagnostic::new(p.code, crate::codes::severity(p.code), shown.clone())
                .with_route(&p.route)
                .with_pointer(&p.pointer)
                .with_message(&p.message)
                .with_hint(hint);
            out[n] = Some(match &text {
                Some(text) => placed(d, text, p),
                None => d,
            });
        }
    }
    out.into_iter().flatten().collect()
}

/// `d` with the span of its value in `text` (the whole file).
fn placed(d: Diagnostic, text: &str, p: &Pending) -> Diagnostic {
    let (base_offset, base_line, record) = match p.line {
        None => (0, 0, text),
        Some(line) => {
            let mut offset = 0;
            let mut found = None;
            for (n, l) in text.split_inclusive('\n').enumerate() {
                if n + 1 == line {
                    found = Some(l.trim_end_matches(['\n', '\r']));
                    break;
                }
                offset += l.len();
            }
            let Some(record) = found else { return d };
            (offset, line - 1, record)
        }
    };
    let Some(at) = locate(record, &p.pointer) else { return d };
    let index = LineIndex::new(record);
    d.with_span_in(record, &index, base_offset, base_line, at.value, &p.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_found_wherever_evidence_is() {
        let value = serde_json::json!({
            "official_name": {"evidence": [{"source": "a", "excerpt": "Name"}]},
            "requirements": [
                {"evidence": [{"source": "b", "locator": "x"}, {"source": "a", "excerpt": "Quote"}]}
            ],
            "notes": [{"text": "n", "evidence": [{"source": "c", "excerpt": "Note quote"}]}]
        });
        let found = excerpts(&value);
        let pointers: Vec<&str> = found.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/notes/0/evidence/0/excerpt",
                "/official_name/evidence/0/excerpt",
                "/requirements/0/evidence/1/excerpt"
            ]
        );
        assert_eq!(found[2].source, "a");
        assert_eq!(found[2].text, "Quote");
    }

    #[test]
    fn the_nearest_id_is_offered_only_when_close() {
        let ids = vec![
            "kz/temporary-residence-permit".to_owned(),
            "kz/kandas-status".to_owned(),
        ];
        assert_eq!(
            nearest("kz/temporary-residence-permt", &ids).as_deref(),
            Some("kz/temporary-residence-permit")
        );
        assert_eq!(nearest("de/blue-card", &ids), None);
    }
}
