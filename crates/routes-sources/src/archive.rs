//! `routes sources archive`: fetch a source, store its readable text under
//! `snapshots/`, and record the snapshot in every record that names it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use routes_core::snapshot::{SnapshotHeader, normalise, parse_header};
use routes_diagnostics::{Diagnostic, locate::locate};
use sha2::{Digest as _, Sha256};

use crate::classify::{link_findings, permanent_target};
use crate::dataset::{Dataset, MAX_SNAPSHOT_BYTES, Pending, excerpts, place, shown};
use crate::fetch::{Fetcher, Outcome};
use crate::text::extract;
use crate::{Error, codes};

/// What `taken-from` says of a snapshot this command wrote, before the URL.
pub const TAKEN_FROM: &str = "fetched by routes sources archive from";

/// One source archived.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Archived {
    /// The source's id.
    pub source: String,
    /// The snapshot path, relative to the dataset root.
    pub path: String,
    /// The SHA-256 of the snapshot.
    pub sha256: String,
    /// The URL the text was read from, after redirects.
    pub final_url: String,
    /// Whether the snapshot's bytes changed (an unchanged page leaves the
    /// file as it was).
    pub changed: bool,
    /// The record files edited, as shown: the route's own, and every other
    /// record that names the same snapshot.
    pub records: Vec<String>,
}

/// What an archive came to.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ArchiveReport {
    /// The route.
    pub route: String,
    /// The sources archived.
    pub archived: Vec<Archived>,
    /// Findings: sources not archived (a dead link, a redirect to the home
    /// page, not text, …), a permanent move, and excerpts the new text no
    /// longer holds (which `routes validate` will report too).
    pub findings: Vec<Diagnostic>,
}

/// A record of the dataset and the snapshot each of its sources names.
struct User {
    path: PathBuf,
    json_lines: bool,
    snapshots: Vec<(usize, String)>,
}

/// Fetches the sources of route `route` (only `source`, when given), writes
/// each page's readable text to its snapshot (the path the source names,
/// else `snapshots/<cc>/<source-id>.txt`) with a header (`copy: full`,
/// `seen: today`), and records path, SHA-256 and `retrieved: today` in the
/// route's record and in every other record naming that snapshot. Records
/// are edited in place: only the bytes of the snapshot member change, and
/// the new text must read as the same route with the new snapshot before it
/// replaces the old, atomically. A file at the snapshot path is replaced
/// only when it is a routes snapshot of the same page (its header names the
/// source's URL or an alias); anything else is [`Error::NotOurs`].
pub fn archive(
    dataset: &Dataset,
    fetcher: &Fetcher,
    route: &str,
    source: Option<&str>,
    today: routes_core::Date,
) -> Result<ArchiveReport, Error> {
    let mut ids = Vec::new();
    let mut users = Vec::new();
    let mut found = None;
    dataset.records(&mut |record| {
        let id = record.route.id.as_str().to_owned();
        users.push(User {
            path: record.path.clone(),
            json_lines: record.line.is_some(),
            snapshots: record
                .route
                .sources
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.snapshot.as_ref().map(|snap| (i, snap.path.clone())))
                .collect(),
        });
        if id == route && found.is_none() {
            found = Some(record);
        }
        ids.push(id);
    })?;
    let Some(record) = found else {
        return Err(dataset.unknown_route(route, &ids));
    };
    if record.line.is_some() {
        return Err(Error::JsonLines {
            route: route.to_owned(),
            path: record.path,
        });
    }
    let chosen: Vec<usize> = match source {
        None => (0..record.route.sources.len()).collect(),
        Some(wanted) => {
            let i = record
                .route
                .sources
                .iter()
                .position(|s| s.id.as_str() == wanted)
                .ok_or_else(|| Error::UnknownSource {
                    route: route.to_owned(),
                    source_id: wanted.to_owned(),
                    known: record.route.sources.iter().map(|s| s.id.as_str().to_owned()).collect(),
                })?;
            vec![i]
        }
    };
    let urls: Vec<String> = chosen.iter().map(|&i| record.route.sources[i].url.clone()).collect();
    let answers = fetcher.fetch_all(&urls);
    let timeout = fetcher.options().timeout.as_secs().max(1);
    let quotes = excerpts(&record.value);
    let cc = record.route.id.country_part().to_owned();
    let mut report = ArchiveReport {
        route: route.to_owned(),
        ..ArchiveReport::default()
    };
    let mut pending = Vec::new();
    for (&i, fetched) in chosen.iter().zip(&answers) {
        let s = &record.route.sources[i];
        let mut add = |pointer: String, code: &'static str, message: String, label: &str, hint: Option<String>| {
            pending.push(Pending {
                path: record.path.clone(),
                line: None,
                route: route.to_owned(),
                pointer,
                code,
                message: format!("source `{}`: {message}", s.id),
                label: label.to_owned(),
                hint,
            });
        };
        let url_pointer = format!("/sources/{i}/url");
        let (links, comparable) = link_findings(fetched, timeout);
        for link in links {
            let hint = if link.code == codes::MOVED_PERMANENTLY {
                permanent_target(fetched).map(|t| {
                    format!(
                        "the text was archived from the new page; check that it states the same facts, then set `url` to `{t}` and keep `{}` in `aliases`",
                        s.url
                    )
                })
            } else if link.code == codes::UNREACHABLE {
                Some("nothing was archived; run the archive again later".to_owned())
            } else {
                Some(format!("nothing was archived; {}", codes::hint(link.code)))
            };
            add(url_pointer.clone(), link.code, link.message, link.label, hint);
        }
        let Outcome::Page { content_type, body } = &fetched.outcome else {
            continue;
        };
        if !comparable {
            continue;
        }
        let text = match extract(body, content_type.as_deref()) {
            Ok(text) => text,
            Err(not_text) => {
                add(
                    url_pointer.clone(),
                    codes::NOT_TEXT,
                    format!(
                        "{} is served as `{}`, not as text; nothing was archived",
                        fetched.final_url(),
                        not_text.media_type
                    ),
                    "not text",
                    None,
                );
                continue;
            }
        };
        let rel = match &s.snapshot {
            Some(snapshot) => snapshot.path.clone(),
            None => format!("snapshots/{cc}/{}.txt", s.id),
        };
        let header = SnapshotHeader {
            url: s.url.clone(),
            copy: "full".into(),
            taken_from: format!("{TAKEN_FROM} {}", fetched.final_url()),
            page_date: None,
            seen: today.to_string(),
        };
        let content = format!("{}{text}", header.render());
        let sha256 = hex(&Sha256::digest(content.as_bytes()));
        let target = snapshot_target(dataset.root(), &rel, s.id.as_str())?;
        let existing = existing_snapshot(&target, &s.url, &s.aliases)?;
        // Every record naming this snapshot, and the route's own source.
        let mut edits: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
        edits.entry(record.path.clone()).or_default().push(i);
        for user in users.iter().filter(|u| !u.json_lines) {
            for (j, path) in &user.snapshots {
                if *path == rel && !(user.path == record.path && *j == i) {
                    edits.entry(user.path.clone()).or_default().push(*j);
                }
            }
        }
        let snapshot = routes_core::Snapshot {
            path: rel.clone(),
            sha256: sha256.clone(),
            retrieved: Some(today),
        };
        // Every edit is made and checked before anything is written.
        let mut texts = Vec::new();
        for (path, sources) in &edits {
            texts.push((path.clone(), edit_record(path, sources, &snapshot)?));
        }
        let changed = existing.as_deref() != Some(content.as_bytes());
        if changed {
            write_atomically(&target, content.as_bytes(), existing.as_deref())?;
        }
        let mut records = Vec::new();
        for (path, text) in texts {
            if let Some((old, new)) = text {
                write_atomically(&path, new.as_bytes(), Some(old.as_bytes()))?;
                records.push(shown(&path));
            }
        }
        let page = normalise(&text);
        for e in quotes.iter().filter(|e| e.source == s.id.as_str()) {
            if !page.contains(&normalise(&e.text)) {
                add(
                    e.pointer.clone(),
                    codes::EXCERPT_MISSING,
                    format!(
                        "this excerpt is not in the text archived from {}; `routes validate` will report it until the claim is updated",
                        fetched.final_url()
                    ),
                    "not in the page",
                    None,
                );
            }
        }
        report.archived.push(Archived {
            source: s.id.as_str().to_owned(),
            path: rel,
            sha256,
            final_url: fetched.final_url().to_owned(),
            changed,
            records,
        });
    }
    report.findings = place(&pending);
    Ok(report)
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Where the snapshot `rel` is written: `snapshots/…` under the root, its
/// folder made if missing and inside the root (symbolic links included).
fn snapshot_target(root: &Path, rel: &str, source: &str) -> Result<PathBuf, Error> {
    let bad = || Error::SnapshotPath {
        path: rel.to_owned(),
        source_id: source.to_owned(),
    };
    let well_formed = rel.starts_with("snapshots/")
        && rel
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'))
        && rel
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if !well_formed {
        return Err(bad());
    }
    let target = root.join(rel);
    let folder = target.parent().ok_or_else(bad)?;
    // The deepest folder that exists must be inside the root before any is
    // made: a `snapshots` link out of the dataset gets no folder created.
    let existing = folder.ancestors().find(|a| a.exists()).ok_or_else(bad)?;
    if !routes_fs::is_inside(root, existing) {
        return Err(bad());
    }
    std::fs::create_dir_all(folder).map_err(Error::io("create", folder))?;
    if !routes_fs::is_inside(root, folder) {
        return Err(bad());
    }
    Ok(target)
}

/// The bytes of the snapshot at `target`, if there is one that may be
/// replaced: a regular file whose routes header names `url` or an alias.
fn existing_snapshot(target: &Path, url: &str, aliases: &[String]) -> Result<Option<Vec<u8>>, Error> {
    let not_ours = |why: String| Error::NotOurs {
        path: target.to_path_buf(),
        url: url.to_owned(),
        why,
    };
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("read", target)(e)),
    };
    if !meta.file_type().is_file() {
        return Err(not_ours(format!("it is {}", routes_fs::describe(meta.file_type()))));
    }
    let bytes = routes_fs::read_regular(target, &target.display().to_string(), MAX_SNAPSHOT_BYTES)
        .map_err(|e| not_ours(e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    match parse_header(&text) {
        Ok(Some((header, _))) if header.url == url || aliases.contains(&header.url) => Ok(Some(bytes)),
        Ok(Some((header, _))) => Err(not_ours(format!("its header names another page, {}", header.url))),
        Ok(None) => Err(not_ours("it has no routes snapshot header".into())),
        Err(why) => Err(not_ours(why)),
    }
}

/// The text of the record at `path` with `snapshot` recorded in each of the
/// sources `indexes` (`None` when nothing changes). Only the bytes of the
/// `snapshot` members change; the result must read as the same record with
/// those snapshots, valid against the schema, or nothing is returned but
/// [`Error::EditBroke`].
fn edit_record(
    path: &Path,
    indexes: &[usize],
    snapshot: &routes_core::Snapshot,
) -> Result<Option<(String, String)>, Error> {
    let shown_path = shown(path);
    // A record reached through a symbolic link is not edited: the rename would
    // replace the link, not the file it points to.
    if std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file()) {
        return Err(Error::LeftAlone {
            path: path.to_path_buf(),
            why: "is not a regular file (a symbolic link?): edit the file it points to".into(),
        });
    }
    let bytes = routes_fs::read_regular(path, &shown_path, 16 * 1024 * 1024).map_err(|e| Error::Untyped {
        path: path.to_path_buf(),
        why: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| Error::Untyped {
        path: path.to_path_buf(),
        why: "it is not UTF-8".into(),
    })?;
    let broke = |why: String| Error::EditBroke {
        path: path.to_path_buf(),
        why,
    };
    let mut expected: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Untyped {
        path: path.to_path_buf(),
        why: e.to_string(),
    })?;
    let mut edits = Vec::new();
    for &i in indexes {
        edits.extend(
            snapshot_edits(&text, i, snapshot)
                .ok_or_else(|| broke(format!("the members of `/sources/{i}` could not be found in the text")))?,
        );
        let member = serde_json::to_value(snapshot).map_err(|e| broke(e.to_string()))?;
        match expected.pointer_mut(&format!("/sources/{i}")) {
            Some(serde_json::Value::Object(source)) => {
                source.insert("snapshot".into(), member);
            }
            _ => return Err(broke(format!("`/sources/{i}` is not a source"))),
        }
    }
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut new = text.clone();
    for (range, with) in edits {
        new.replace_range(range, &with);
    }
    if new == text {
        return Ok(None);
    }
    let value: serde_json::Value =
        serde_json::from_str(&new).map_err(|e| broke(format!("it would not be JSON ({e})")))?;
    if value != expected {
        return Err(broke(
            "it would differ from the record in more than its snapshot".into(),
        ));
    }
    let schema = routes_validate::RouteSchema::new().map_err(|e| broke(e.to_string()))?;
    if !schema.is_valid(&value) {
        return Err(broke("it would not satisfy the schema".into()));
    }
    serde_json::from_value::<routes_core::Route>(value).map_err(|e| broke(e.to_string()))?;
    Ok(Some((text, new)))
}

/// The byte edits that record `snapshot` in source `i` of `text`: the values
/// of `path`, `sha256` and `retrieved` replaced (`retrieved` added after
/// `sha256` when missing), or a `snapshot` member added after `seen`, laid
/// out like the members around it.
fn snapshot_edits(text: &str, i: usize, snapshot: &routes_core::Snapshot) -> Option<Vec<(Range<usize>, String)>> {
    let string = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    let retrieved = snapshot.retrieved.map(|d| d.to_string()).unwrap_or_default();
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let at = |p: &str| locate(text, &format!("/sources/{i}{p}"));
    let mut edits = Vec::new();
    if at("/snapshot").is_some() {
        let path = at("/snapshot/path")?;
        edits.push((path.value, string(&snapshot.path)));
        let sha = at("/snapshot/sha256")?;
        edits.push((sha.value.clone(), string(&snapshot.sha256)));
        if let Some(old) = at("/snapshot/retrieved") {
            edits.push((old.value, string(&retrieved)));
        } else {
            let key = sha.key?;
            let sep = separator(text, key.start, newline);
            edits.push((
                sha.value.end..sha.value.end,
                format!("{sep}\"retrieved\": {}", string(&retrieved)),
            ));
        }
        return Some(edits);
    }
    let seen = at("/seen")?;
    let key = seen.key?;
    let object = at("")?;
    let sep = separator(text, key.start, newline);
    let member = if sep.starts_with(',') && sep.len() > 2 {
        let indent = indentation(text, key.start);
        let outer = indentation(text, object.value.start);
        let unit = indent.strip_prefix(outer).filter(|u| !u.is_empty()).unwrap_or("  ");
        let inner = format!("{indent}{unit}");
        format!(
            "{sep}\"snapshot\": {{{newline}{inner}\"path\": {},{newline}{inner}\"sha256\": {},{newline}{inner}\"retrieved\": {}{newline}{indent}}}",
            string(&snapshot.path),
            string(&snapshot.sha256),
            string(&retrieved),
        )
    } else {
        format!(
            "{sep}\"snapshot\": {{\"path\": {}, \"sha256\": {}, \"retrieved\": {}}}",
            string(&snapshot.path),
            string(&snapshot.sha256),
            string(&retrieved),
        )
    };
    edits.push((seen.value.end..seen.value.end, member));
    Some(edits)
}

/// The whitespace before the first character of the line holding `offset`
/// (all of it when only whitespace precedes `offset`).
fn indentation(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let line = &text[start..offset];
    let end = line.find(|c: char| c != ' ' && c != '\t').unwrap_or(line.len());
    &line[..end]
}

/// What goes between a member and a new one after it: a comma and a new line
/// indented like the member whose key starts at `key`, when that key begins
/// its line; a comma and a space when members share a line.
fn separator(text: &str, key: usize, newline: &str) -> String {
    let start = text[..key].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[start..key];
    if before.chars().all(|c| c == ' ' || c == '\t') {
        format!(",{newline}{before}")
    } else {
        ", ".to_owned()
    }
}

/// Writes `bytes` to `target` atomically (`routes_fs::write_file`): synced,
/// then moved into place in one step, keeping the old file's permissions.
///
/// Only what was checked is replaced: `expected` is what the target held
/// when it was read and checked (a snapshot with our header naming the page,
/// or the record that was edited). Just before the move the target must
/// still be a regular file holding exactly those bytes, or, with `None`,
/// not exist at all (the new file is then linked into place, which fails
/// rather than replace a file that appeared meanwhile).
fn write_atomically(target: &Path, bytes: &[u8], expected: Option<&[u8]>) -> Result<(), Error> {
    let expect = expected.map_or(routes_fs::Expect::Nothing, routes_fs::Expect::Bytes);
    routes_fs::write_file(target, bytes, expect).map_err(|e| match e {
        routes_fs::WriteError::Changed { appeared, .. } => Error::LeftAlone {
            path: target.to_path_buf(),
            why: format!(
                "{} since it was read, so nothing was written",
                if appeared { "it appeared" } else { "it changed" }
            ),
        },
        routes_fs::WriteError::Linked { .. } => Error::LeftAlone {
            path: target.to_path_buf(),
            why: "it has other hard links, which replacing it would cut off, so nothing was written".to_owned(),
        },
        routes_fs::WriteError::Io(e) => e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap() -> routes_core::Snapshot {
        routes_core::Snapshot {
            path: "snapshots/kz/a.txt".into(),
            sha256: "ab".repeat(32),
            retrieved: Some("2026-12-02".parse().unwrap()),
        }
    }

    fn apply(text: &str, edits: Vec<(Range<usize>, String)>) -> String {
        let mut edits = edits;
        edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
        let mut out = text.to_owned();
        for (r, w) in edits {
            out.replace_range(r, &w);
        }
        out
    }

    #[test]
    fn a_snapshot_member_is_added_after_seen_indented_like_its_neighbours() {
        let text = "{\n    \"sources\": [\n        {\n            \"id\": \"a\",\n            \"seen\": \"2026-11-25\",\n            \"aliases\": []\n        }\n    ]\n}\n";
        let out = apply(text, snapshot_edits(text, 0, &snap()).unwrap());
        let expected = format!(
            "{{\n    \"sources\": [\n        {{\n            \"id\": \"a\",\n            \"seen\": \"2026-11-25\",\n            \"snapshot\": {{\n                \"path\": \"snapshots/kz/a.txt\",\n                \"sha256\": \"{}\",\n                \"retrieved\": \"2026-12-02\"\n            }},\n            \"aliases\": []\n        }}\n    ]\n}}\n",
            "ab".repeat(32)
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn an_existing_snapshot_has_its_values_replaced_and_retrieved_added() {
        let text = "{\"sources\": [{\"id\": \"a\", \"seen\": \"2026-11-25\", \"snapshot\": {\"path\": \"snapshots/kz/a.txt\", \"sha256\": \"00\"}}]}";
        let out = apply(text, snapshot_edits(text, 0, &snap()).unwrap());
        assert_eq!(
            out,
            format!(
                "{{\"sources\": [{{\"id\": \"a\", \"seen\": \"2026-11-25\", \"snapshot\": {{\"path\": \"snapshots/kz/a.txt\", \"sha256\": \"{}\", \"retrieved\": \"2026-12-02\"}}}}]}}",
                "ab".repeat(32)
            )
        );
        // Archived again: only the values change.
        let again = apply(&out, snapshot_edits(&out, 0, &snap()).unwrap());
        assert_eq!(again, out);
    }

    #[test]
    fn crlf_records_keep_their_line_ends() {
        let text = "{\r\n  \"sources\": [\r\n    {\r\n      \"id\": \"a\",\r\n      \"seen\": \"2026-11-25\"\r\n    }\r\n  ]\r\n}\r\n";
        let out = apply(text, snapshot_edits(text, 0, &snap()).unwrap());
        assert!(out.contains("\"seen\": \"2026-11-25\",\r\n      \"snapshot\": {\r\n        \"path\""));
        assert!(!out.replace("\r\n", "").contains('\n'));
    }
}
