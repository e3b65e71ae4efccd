//! Finding record files and reading them into record texts, turning every
//! problem with the bytes into a finding.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use routes_diagnostics::{Diagnostic, LineIndex, Severity};

use crate::{Error, ValidateOptions};

/// A file to read, or a problem met while looking for files.
pub(crate) enum Found {
    File(PathBuf),
    Problem(Box<Diagnostic>),
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

/// Lists the record files under `paths`, sorted, following symbolic links and
/// reporting loops, handing each to `each` as the walk finds it: only one
/// folder's entries are held at a time, however many files there are. Every
/// path is checked before the first is walked, so a missing one fails early.
pub(crate) fn discover(paths: &[PathBuf], each: &mut dyn FnMut(Found)) -> Result<(), Error> {
    let mut roots = Vec::with_capacity(paths.len());
    for root in paths {
        // `std::fs` here: the error names the path itself, so its cause need not.
        let meta = std::fs::metadata(root).map_err(|source| Error::Path {
            path: root.clone(),
            source,
        })?;
        roots.push((root, meta.is_file()));
    }
    for (root, is_file) in roots {
        if is_file {
            each(Found::File(root.clone()));
            continue;
        }
        // `reference/` and `snapshots/` hold reference data and archived pages,
        // not records; hidden entries (`.git`) are skipped too.
        let walk = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0
                    || !(name.starts_with('.') || (e.file_type().is_dir() && RESERVED.contains(&name.as_ref())))
            });
        for entry in walk {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_file() && is_record_file(entry.path()) {
                        each(Found::File(entry.into_path()));
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
                    let diagnostic = Diagnostic::new(code, Severity::Error, display(&path));
                    each(Found::Problem(Box::new(
                        diagnostic.with_message(message).with_hint(hint),
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Whether `path` is a JSON Lines file (one record per line).
pub(crate) fn is_jsonl(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsonl")
}

/// Reads one file and hands each record text to `on_record`; problems with the
/// bytes themselves go to `problems`.
pub(crate) fn read_file(
    path: &Path,
    options: &ValidateOptions,
    on_record: &mut dyn FnMut(RecordText<'_>),
    problems: &mut Vec<Diagnostic>,
) {
    let shown = display(path);
    let fail = |code: &str, message: String, hint: &str| {
        Diagnostic::new(code, Severity::Error, shown.clone())
            .with_message(message)
            .with_hint(hint)
    };
    let file = match fs_err::File::open(path) {
        Ok(file) => file,
        Err(err) => {
            let cause = std::error::Error::source(&err).map_or_else(|| err.to_string(), ToString::to_string);
            problems.push(fail(
                "input/unreadable",
                format!("cannot read the file: {cause}"),
                "check that the file exists and is readable",
            ));
            return;
        }
    };
    if is_jsonl(path) {
        read_lines(file, &shown, path, options, on_record, problems);
        return;
    }
    let limit = options.max_record_bytes;
    // Sized from the file's length, so that a record takes one read.
    let expected = file.metadata().map_or(0, |m| m.len()).min(limit);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0) + 1);
    if let Err(err) = file.take(limit + 1).read_to_end(&mut bytes) {
        problems.push(fail(
            "input/unreadable",
            format!("cannot read the file: {err}"),
            "check that the file is readable",
        ));
        return;
    }
    if bytes.len() as u64 > limit {
        problems.push(fail(
            "input/too-large",
            format!("the file is larger than {limit} bytes, the most a single record may take"),
            "a `*.json` file holds one route; put many routes in a `*.jsonl` file, one per line",
        ));
        return;
    }
    if let Some(text) = decode(&bytes, &shown, 0, problems) {
        let (text, base_offset) = strip_bom(text, &shown, 0, problems);
        if text.trim().is_empty() {
            problems.push(
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
            display: &shown,
            text,
            base_offset,
            base_line: 0,
            whole_file: true,
        });
    }
}

fn read_lines(
    file: fs_err::File,
    shown: &str,
    path: &Path,
    options: &ValidateOptions,
    on_record: &mut dyn FnMut(RecordText<'_>),
    problems: &mut Vec<Diagnostic>,
) {
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    let mut offset = 0usize;
    let mut line_no = 0usize;
    let mut any = false;
    let problems_before = problems.len();
    let limit = options.max_record_bytes;
    loop {
        line.clear();
        let read = match (&mut reader).take(limit + 2).read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) => {
                problems.push(
                    Diagnostic::new("input/unreadable", Severity::Error, shown)
                        .with_message(format!("cannot read the file: {err}"))
                        .with_hint("check that the file is readable")
                        .with_line(line_no + 1, 1),
                );
                return;
            }
        };
        if !line.ends_with(b"\n") && read as u64 > limit {
            problems.push(
                Diagnostic::new("input/too-large", Severity::Error, shown)
                    .with_message(format!(
                        "line {} is longer than {limit} bytes, the most a single record may take",
                        line_no + 1
                    ))
                    .with_hint("each line of a `*.jsonl` file holds one route record")
                    .with_line(line_no + 1, 1),
            );
            // Skip the rest of this line.
            let mut rest = Vec::new();
            let skipped = reader.read_until(b'\n', &mut rest).unwrap_or(0);
            offset += read + skipped;
            line_no += 1;
            continue;
        }
        let this_offset = offset;
        let this_line = line_no;
        offset += read;
        line_no += 1;
        let Some(text) = decode(&line, shown, this_line, problems) else {
            continue;
        };
        let (text, extra) = if this_line == 0 {
            strip_bom(text, shown, 0, problems)
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
    if !any && problems.len() == problems_before {
        problems.push(
            Diagnostic::new("input/empty", Severity::Error, shown)
                .with_message("the file holds no records")
                .with_hint("a `*.jsonl` file holds one route record per line")
                .with_line(1, 1),
        );
    }
}

/// Decodes UTF-8, or reports where the first bad byte is.
fn decode<'a>(bytes: &'a [u8], shown: &str, base_line: usize, problems: &mut Vec<Diagnostic>) -> Option<&'a str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(err) => {
            let good = &bytes[..err.valid_up_to()];
            // The prefix is valid UTF-8 by construction.
            let prefix = std::str::from_utf8(good).unwrap_or_default();
            let (line, column) = LineIndex::new(prefix).line_col(prefix, prefix.len());
            problems.push(
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

fn strip_bom<'a>(text: &'a str, shown: &str, line: usize, problems: &mut Vec<Diagnostic>) -> (&'a str, usize) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            problems.push(
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
