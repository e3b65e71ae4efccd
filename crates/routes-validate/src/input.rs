//! Finding record files and reading them into record texts, turning every
//! problem with the bytes into a finding.

use std::io::{BufRead, BufReader, Read, Seek as _};
use std::path::{Path, PathBuf};

use routes_diagnostics::{Diagnostic, LineIndex, Severity};

use crate::{Error, ValidateOptions};

use crate::rule::{E, Rule, rule};
/// The `input` rules: problems with the bytes of a file, before any JSON.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        "input/bom",
        E,
        "The file starts with a byte-order mark",
        "RFC 8259 forbids a BOM in JSON text; many readers reject it.",
        "EF BB BF { \"schema_version\": 1, ..."
    ),
    rule!(
        "input/empty",
        E,
        "The file holds no record",
        "An empty file is almost always a failed save or a half-done edit.",
        "(a file of 0 bytes)"
    ),
    rule!(
        "input/not-a-file",
        E,
        "A path names a FIFO, socket, device or folder where a file is expected",
        "Reading a FIFO blocks forever and a device like `/dev/zero` never ends; such an entry is reported and never opened (standard input is read with `-`).",
        "kz/route.json is a FIFO (mkfifo)"
    ),
    rule!(
        "input/not-utf8",
        E,
        "The bytes are not valid UTF-8",
        "Records are UTF-8; text in another encoding (such as Windows-1251) turns into garbage in every reader.",
        "{\"name\": \"\\xC2\\xE8\\xE4\"}  (Windows-1251 bytes)"
    ),
    rule!(
        "input/outside-dataset",
        E,
        "A symbolic link or snapshot path leads out of the dataset folder",
        "`routes` reads only inside the dataset it was given: a path out of it (`../../etc/passwd`, a link to another folder) would check and quote files that are not part of the data.",
        "\"snapshot\": {\"path\": \"snapshots/../../../etc/passwd\", ...}"
    ),
    rule!(
        "input/symlink-loop",
        E,
        "A symbolic link points back to one of its own folders",
        "Following it would never end; the loop is reported and not followed.",
        "kz/loop -> .."
    ),
    rule!(
        "input/too-large",
        E,
        "A `*.json` file or `*.jsonl` line is larger than 16 MiB",
        "One route record is a few kilobytes; something far larger is not a record.",
        "(a 17 MiB file)"
    ),
    rule!(
        "input/unreadable",
        E,
        "A file or folder cannot be read",
        "A record that cannot be read cannot be checked; the run goes on with the others.",
        "kz/broken.json -> missing.json"
    ),
];

/// A file to read, or a problem met while looking for files.
pub(crate) enum Found {
    File(PathBuf),
    /// Standard input (its copy), read as records.
    Stdin,
    Problem(Box<Diagnostic>),
}

/// How findings name standard input.
pub(crate) const STDIN_NAME: &str = "<stdin>";

/// Standard input, copied to an unnamed temporary file as it is read (so
/// that the cross-record findings can point into it again, as they do into
/// files), and whether it holds JSON Lines or one JSON document.
pub(crate) struct Stdin {
    copy: std::fs::File,
    jsonl: bool,
}

/// What a run reads: the paths given, or standard input (`-`), and the
/// dataset root that symbolic links found in folders must stay inside.
#[derive(Clone, Copy)]
pub(crate) struct Sources<'a> {
    pub(crate) paths: &'a [PathBuf],
    pub(crate) stdin: Option<&'a Stdin>,
    pub(crate) root: Option<&'a Path>,
}

/// When the only path is `-`: standard input, copied. `-` cannot be given
/// with other paths (standard input has no place among files).
pub(crate) fn stdin_only(paths: &[PathBuf]) -> Result<Option<Stdin>, Error> {
    if !paths.iter().any(|p| p.as_os_str() == "-") {
        return Ok(None);
    }
    if paths.len() > 1 {
        return Err(Error::StdinWithPaths);
    }
    let failed = |source| Error::Stdin { source };
    let mut copy = tempfile::tempfile().map_err(failed)?;
    std::io::copy(&mut std::io::stdin().lock(), &mut copy).map_err(failed)?;
    copy.rewind().map_err(failed)?;
    // JSON Lines when the first line that is not blank holds a whole JSON
    // value (or is broken before its end); one document when it stops short
    // (a pretty-printed record starts with a lone `{`).
    let mut first = Vec::new();
    let mut reader = BufReader::new(&copy);
    loop {
        first.clear();
        // At most 16 MiB of it (a longer line is JSON Lines, and too long).
        let read = (&mut reader)
            .take(16 * 1024 * 1024)
            .read_until(b'\n', &mut first)
            .map_err(failed)?;
        if read == 0 || !first.trim_ascii().is_empty() {
            break;
        }
    }
    let jsonl = match serde_json::from_slice::<serde::de::IgnoredAny>(&first) {
        Ok(_) => true,
        Err(e) => !e.is_eof(),
    };
    drop(reader);
    copy.rewind().map_err(failed)?;
    Ok(Some(Stdin { copy, jsonl }))
}

/// The text of one record and where it sits in its file.
pub(crate) struct RecordText<'a> {
    pub(crate) path: &'a Path,
    pub(crate) display: &'a str,
    pub(crate) text: &'a str,
    /// Byte offset of `text` in the file.
    pub(crate) base_offset: usize,
    /// 0-based line of `text` in the file.
    pub(crate) base_line: usize,
    /// Whether the record is a whole `*.json` file (whose id must match its path).
    pub(crate) whole_file: bool,
}

pub(crate) fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Folders of a dataset that hold no records.
pub(crate) const RESERVED: &[&str] = &["reference", "snapshots"];

fn is_record_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "jsonl"))
}

/// A finding about a path, without a line.
fn path_problem(code: &str, path: &Path, message: String, hint: &str) -> Found {
    Found::Problem(Box::new(
        Diagnostic::new(code, Severity::Error, display(path))
            .with_message(message)
            .with_hint(hint),
    ))
}

/// Lists the record files under `sources`, sorted, following symbolic links
/// that stay inside the dataset and reporting loops, handing each to `each`
/// as the walk finds it: only one folder's entries are held at a time,
/// however many files there are. Every path is checked before the first is
/// walked, so a missing one fails early. What is not a regular file or a
/// folder (a FIFO, a socket, a device) is a finding, never opened: a path
/// given that is one, and entries named as records inside a folder.
pub(crate) fn discover(sources: &Sources<'_>, each: &mut dyn FnMut(Found)) -> Result<(), Error> {
    if sources.stdin.is_some() {
        each(Found::Stdin);
        return Ok(());
    }
    let mut roots = Vec::with_capacity(sources.paths.len());
    for root in sources.paths {
        // `std::fs` here: the error names the path itself, so its cause need not.
        let meta = std::fs::metadata(root).map_err(|source| Error::Path {
            path: root.clone(),
            source,
        })?;
        roots.push((root, meta));
    }
    for (root, meta) in roots {
        if meta.is_file() {
            each(Found::File(root.clone()));
            continue;
        }
        if !meta.is_dir() {
            each(path_problem(
                "input/not-a-file",
                root,
                format!(
                    "`{}` is {}, not a file or folder; it was not read",
                    display(root),
                    routes_fs::describe(meta.file_type())
                ),
                "give record files or folders; to read records from standard input, give `-`",
            ));
            continue;
        }
        // Symbolic links found in the folder must stay inside the dataset:
        // its root when the folder is inside it, else the folder itself.
        let confine = sources.root.filter(|r| routes_fs::is_inside(r, root)).unwrap_or(root);
        // `reference/` and `snapshots/` hold reference data and archived pages,
        // not records; hidden entries (`.git`) are skipped too.
        let mut walk = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0
                    || !(name.starts_with('.') || (e.file_type().is_dir() && RESERVED.contains(&name.as_ref())))
            });
        while let Some(entry) = walk.next() {
            match entry {
                Ok(entry) => {
                    let file_type = entry.file_type();
                    let record = is_record_file(entry.path());
                    if entry.depth() > 0
                        && entry.path_is_symlink()
                        && (record || file_type.is_dir())
                        && !routes_fs::is_inside(confine, entry.path())
                    {
                        let target = std::fs::read_link(entry.path()).map_or_else(|_| "?".to_owned(), |t| display(&t));
                        each(path_problem(
                            "input/outside-dataset",
                            entry.path(),
                            format!("symbolic link to `{target}`, outside the dataset folder; it was not followed"),
                            "a dataset holds its records itself: copy the file into the dataset, or validate the other folder directly",
                        ));
                        if file_type.is_dir() {
                            walk.skip_current_dir();
                        }
                        continue;
                    }
                    if file_type.is_file() && record {
                        each(Found::File(entry.into_path()));
                    } else if record && !file_type.is_dir() {
                        let what = routes_fs::describe(file_type);
                        each(path_problem(
                            "input/not-a-file",
                            entry.path(),
                            format!(
                                "`{}` is {what}, not a regular file; it was not read",
                                display(entry.path())
                            ),
                            "a record is a regular file: replace it with one, or remove it",
                        ));
                    }
                }
                Err(err) => {
                    let path = err.path().map_or_else(|| root.clone(), Path::to_path_buf);
                    let (code, message, hint) = if let Some(ancestor) = err.loop_ancestor() {
                        (
                            "input/symlink-loop",
                            format!("symbolic link loops back to `{}`", display(ancestor)),
                            "remove the link or point it outside its own ancestors; the loop was not followed",
                        )
                    } else {
                        (
                            "input/unreadable",
                            format!("cannot read: {err}"),
                            "check the permissions of the folder",
                        )
                    };
                    each(path_problem(code, &path, message, hint));
                }
            }
        }
    }
    Ok(())
}

/// Whether walking the folder `root` (as [`discover`] does) reads the file
/// `file`: it is a record file inside `root`, and no folder on the way is
/// hidden or one of [`RESERVED`]. Symbolic links are resolved first.
pub(crate) fn walk_reaches(root: &Path, file: &Path) -> bool {
    let (Ok(root), Ok(file)) = (std::fs::canonicalize(root), std::fs::canonicalize(file)) else {
        return false;
    };
    let Ok(inside) = file.strip_prefix(&root) else {
        return false;
    };
    let parts: Vec<_> = inside.components().collect();
    let Some((last, folders)) = parts.split_last() else {
        return false;
    };
    let hidden = |c: &std::path::Component<'_>| c.as_os_str().to_string_lossy().starts_with('.');
    is_record_file(&file)
        && !hidden(last)
        && !folders
            .iter()
            .any(|c| hidden(c) || RESERVED.contains(&c.as_os_str().to_string_lossy().as_ref()))
}

/// Whether `path` is a JSON Lines file (one record per line).
pub(crate) fn is_jsonl(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsonl")
}

/// Reads one file and hands each record text to `on_record`; problems with the
/// bytes themselves go to `problems`. Only a regular file is opened (see
/// [`routes_fs::open_regular`]): anything else is a finding.
pub(crate) fn read_file(
    path: &Path,
    options: &ValidateOptions,
    on_record: &mut dyn FnMut(RecordText<'_>),
    problems: &mut dyn FnMut(Diagnostic),
) {
    let shown = display(path);
    let file = match routes_fs::open_regular(path, &shown) {
        Ok(file) => file,
        Err(refusal) => {
            let (code, message, hint) = match &refusal {
                routes_fs::Refusal::NotAFile { what, .. } => (
                    "input/not-a-file",
                    format!("`{shown}` is {what}, not a regular file; it was not read"),
                    "a record is a regular file: replace it with one, or remove it",
                ),
                other => {
                    let cause = std::error::Error::source(other)
                        .map_or_else(|| "no such file or directory".to_owned(), ToString::to_string);
                    (
                        "input/unreadable",
                        format!("cannot read the file: {cause}"),
                        "check that the file exists and is readable",
                    )
                }
            };
            problems(
                Diagnostic::new(code, Severity::Error, shown.clone())
                    .with_message(message)
                    .with_hint(hint),
            );
            return;
        }
    };
    let size = file.metadata().map_or(0, |m| m.len());
    read_open(
        file,
        size,
        &shown,
        path,
        is_jsonl(path),
        true,
        options,
        on_record,
        problems,
    );
}

/// Reads standard input's copy, as JSON Lines or as one record.
pub(crate) fn read_stdin(
    stdin: &Stdin,
    options: &ValidateOptions,
    on_record: &mut dyn FnMut(RecordText<'_>),
    problems: &mut dyn FnMut(Diagnostic),
) {
    let mut file = &stdin.copy;
    if let Err(err) = file.rewind() {
        problems(
            Diagnostic::new("input/unreadable", Severity::Error, STDIN_NAME)
                .with_message(format!("cannot read standard input: {err}"))
                .with_hint("pass the records as files instead"),
        );
        return;
    }
    let size = file.metadata().map_or(0, |m| m.len());
    let path = Path::new(STDIN_NAME);
    // A record on standard input has no file path for its id to match.
    read_open(
        file,
        size,
        STDIN_NAME,
        path,
        stdin.jsonl,
        false,
        options,
        on_record,
        problems,
    );
}

/// Reads an opened file of `size` bytes: line by line when `jsonl`, else as
/// one record (`whole_file` when its id must match its path).
#[allow(
    clippy::too_many_arguments,
    reason = "one private reader for files and standard input"
)]
fn read_open(
    file: impl Read,
    size: u64,
    shown: &str,
    path: &Path,
    jsonl: bool,
    whole_file: bool,
    options: &ValidateOptions,
    on_record: &mut dyn FnMut(RecordText<'_>),
    problems: &mut dyn FnMut(Diagnostic),
) {
    let fail = |code: &str, message: String, hint: &str| {
        Diagnostic::new(code, Severity::Error, shown)
            .with_message(message)
            .with_hint(hint)
    };
    if jsonl {
        read_lines(file, shown, path, options, on_record, problems);
        return;
    }
    let limit = options.max_record_bytes;
    // Sized from the file's length, so that a record takes one read.
    let expected = size.min(limit);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0) + 1);
    if let Err(err) = file.take(limit + 1).read_to_end(&mut bytes) {
        problems(fail(
            "input/unreadable",
            format!("cannot read the file: {err}"),
            "check that the file is readable",
        ));
        return;
    }
    if bytes.len() as u64 > limit {
        problems(fail(
            "input/too-large",
            format!("the file is larger than {limit} bytes, the most a single record may take"),
            "a `*.json` file holds one route; put many routes in a `*.jsonl` file, one per line",
        ));
        return;
    }
    if let Some(text) = decode(&bytes, shown, 0, problems) {
        let (text, base_offset) = strip_bom(text, shown, 0, problems);
        if text.trim().is_empty() {
            problems(
                fail(
                    "input/empty",
                    "the file is empty".into(),
                    "a `*.json` file holds exactly one route record",
                )
                .with_line(1, 1),
            );
            return;
        }
        on_record(RecordText {
            path,
            display: shown,
            text,
            base_offset,
            base_line: 0,
            whole_file,
        });
    }
}

fn read_lines(
    file: impl Read,
    shown: &str,
    path: &Path,
    options: &ValidateOptions,
    on_record: &mut dyn FnMut(RecordText<'_>),
    problems: &mut dyn FnMut(Diagnostic),
) {
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    let mut offset = 0usize;
    let mut line_no = 0usize;
    let mut any = false;
    let problems_seen = std::cell::Cell::new(false);
    let mut problems = |d: Diagnostic| {
        problems_seen.set(true);
        problems(d);
    };
    let limit = options.max_record_bytes;
    loop {
        line.clear();
        let read = match (&mut reader).take(limit + 2).read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) => {
                problems(
                    Diagnostic::new("input/unreadable", Severity::Error, shown)
                        .with_message(format!("cannot read the file: {err}"))
                        .with_hint("check that the file is readable")
                        .with_line(line_no + 1, 1),
                );
                return;
            }
        };
        if !line.ends_with(b"\n") && read as u64 > limit {
            problems(
                Diagnostic::new("input/too-large", Severity::Error, shown)
                    .with_message(format!(
                        "line {} is longer than {limit} bytes, the most a single record may take",
                        line_no + 1
                    ))
                    .with_hint("each line of a `*.jsonl` file holds one route record")
                    .with_line(line_no + 1, 1),
            );
            // Skip the rest of this line without holding it (it may be
            // gigabytes long).
            let skipped = skip_line(&mut reader);
            offset += read + skipped;
            line_no += 1;
            continue;
        }
        let this_offset = offset;
        let this_line = line_no;
        offset += read;
        line_no += 1;
        let Some(text) = decode(&line, shown, this_line, &mut problems) else {
            continue;
        };
        let (text, extra) = if this_line == 0 {
            strip_bom(text, shown, 0, &mut problems)
        } else {
            (text, 0)
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        any = true;
        on_record(RecordText {
            path,
            display: shown,
            text,
            base_offset: this_offset + extra,
            base_line: this_line,
            whole_file: false,
        });
    }
    if !any && !problems_seen.get() {
        problems(
            Diagnostic::new("input/empty", Severity::Error, shown)
                .with_message("the file holds no records")
                .with_hint("a `*.jsonl` file holds one route record per line")
                .with_line(1, 1),
        );
    }
}

/// Consumes the reader up to and including the next `\n` (or to the end, or
/// to a read error) a buffer at a time; returns the bytes consumed.
fn skip_line(reader: &mut impl BufRead) -> usize {
    let mut skipped = 0;
    loop {
        let Ok(buffer) = reader.fill_buf() else { return skipped };
        if buffer.is_empty() {
            return skipped;
        }
        let (used, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buffer.len(), false),
        };
        reader.consume(used);
        skipped += used;
        if done {
            return skipped;
        }
    }
}

/// Decodes UTF-8, or reports where the first bad byte is.
fn decode<'a>(bytes: &'a [u8], shown: &str, base_line: usize, problems: &mut dyn FnMut(Diagnostic)) -> Option<&'a str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(err) => {
            let good = &bytes[..err.valid_up_to()];
            // The prefix is valid UTF-8 by construction.
            let prefix = std::str::from_utf8(good).unwrap_or_default();
            let (line, column) = LineIndex::new(prefix).line_col(prefix, prefix.len());
            problems(
                Diagnostic::new("input/not-utf8", Severity::Error, shown)
                    .with_message(format!("byte 0x{:02X} is not valid UTF-8", bytes[err.valid_up_to()]))
                    .with_hint(
                        "records must be UTF-8; re-encode the file (for example `iconv -f WINDOWS-1251 -t UTF-8`)",
                    )
                    .with_line(base_line + line, column),
            );
            None
        }
    }
}

fn strip_bom<'a>(text: &'a str, shown: &str, line: usize, problems: &mut dyn FnMut(Diagnostic)) -> (&'a str, usize) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            problems(
                Diagnostic::new("input/bom", Severity::Error, shown)
                    .with_message("the file starts with a byte-order mark")
                    .with_hint("JSON text must not begin with a byte-order mark (RFC 8259 §8.1); save the file as UTF-8 without BOM")
                    .with_line(line + 1, 1),
            );
            (rest, 3)
        }
        None => (text, 0),
    }
}
