//! Handing the validated routes out in `route_id` order with bounded memory
//! (an external merge sort).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use routes_core::{Route, RouteId};

use crate::Error;

fn parse(text: &str, path: &Path, line: usize) -> Result<Route, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|source| Error::Record {
        path: path.to_path_buf(),
        line,
        source,
    })
}

/// Sorts routes by id within a memory budget: the records' texts (as
/// validation read them) are kept until they add up to the budget, then
/// written sorted to a run file in the scratch folder, one record per line;
/// the runs are merged at the end. Texts are parsed only when they come out.
pub(crate) struct Sorter {
    scratch: PathBuf,
    budget: usize,
    buffer: Vec<(RouteId, String)>,
    bytes: usize,
    runs: Vec<PathBuf>,
}

impl Sorter {
    pub(crate) fn new(scratch: PathBuf, budget: usize) -> Self {
        Self {
            scratch,
            budget: budget.max(1),
            buffer: Vec::new(),
            bytes: 0,
            runs: Vec::new(),
        }
    }

    /// Takes the text of the record with id `id`, which validation parsed.
    pub(crate) fn push(&mut self, id: RouteId, text: &str) -> Result<(), Error> {
        // Line breaks in JSON text are whitespace outside strings (inside,
        // they are escaped): as spaces, a pretty-printed record fits one line.
        let line = if text.contains(['\n', '\r']) {
            text.replace(['\n', '\r'], " ")
        } else {
            text.to_owned()
        };
        self.bytes += line.len();
        self.buffer.push((id, line));
        if self.bytes >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<(), Error> {
        self.buffer.sort_by(|a, b| a.0.cmp(&b.0));
        let path = self.scratch.join(format!("run-{:06}.jsonl", self.runs.len()));
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let mut out = BufWriter::new(fs_err::File::create(&path).map_err(io)?);
        for (_, line) in self.buffer.drain(..) {
            out.write_all(line.as_bytes()).map_err(io)?;
            out.write_all(b"\n").map_err(io)?;
        }
        out.flush().map_err(io)?;
        self.runs.push(path);
        self.bytes = 0;
        Ok(())
    }

    /// The routes in id order.
    pub(crate) fn finish(mut self) -> Result<Sorted, Error> {
        if self.runs.is_empty() {
            self.buffer.sort_by(|a, b| a.0.cmp(&b.0));
            return Ok(Sorted::Memory(self.buffer.into_iter().enumerate()));
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        let mut heads = BinaryHeap::new();
        let mut readers = Vec::new();
        for (i, path) in self.runs.iter().enumerate() {
            let mut run = Run::open(path)?;
            if let Some(route) = run.next_route()? {
                heads.push(Reverse(Head { route, run: i }));
            }
            readers.push(run);
        }
        Ok(Sorted::Merge { heads, readers })
    }
}

/// A JSON Lines file read line by line, keeping its path and line number
/// for the errors of the caller.
pub(crate) struct Lines {
    path: PathBuf,
    reader: BufReader<fs_err::File>,
    line: String,
    line_no: usize,
}

impl Lines {
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        let file = fs_err::File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            reader: BufReader::new(file),
            line: String::new(),
            line_no: 0,
        })
    }

    /// The next line that is not blank, with the file's path and the line's
    /// 1-based number; `None` at the end.
    pub(crate) fn next_line(&mut self) -> Result<Option<(&Path, &str, usize)>, Error> {
        loop {
            self.line.clear();
            let n = self.reader.read_line(&mut self.line).map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })?;
            if n == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            if !self.line.trim().is_empty() {
                return Ok(Some((&self.path, &self.line, self.line_no)));
            }
        }
    }
}

/// A sorted run on disk.
pub(crate) struct Run(Lines);

impl Run {
    fn open(path: &Path) -> Result<Self, Error> {
        Lines::open(path).map(Self)
    }

    fn next_route(&mut self) -> Result<Option<Route>, Error> {
        match self.0.next_line()? {
            Some((path, text, line)) => parse(text, path, line).map(Some),
            None => Ok(None),
        }
    }
}

/// The head route of a run, ordered by id (then run, for a total order).
pub(crate) struct Head {
    route: Route,
    run: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.route.id == other.route.id && self.run == other.run
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.route.id, self.run).cmp(&(&other.route.id, other.run))
    }
}

/// Routes in id order: from memory, or merged from sorted runs on disk.
pub(crate) enum Sorted {
    Memory(std::iter::Enumerate<std::vec::IntoIter<(RouteId, String)>>),
    Merge {
        heads: BinaryHeap<Reverse<Head>>,
        readers: Vec<Run>,
    },
}

impl Iterator for Sorted {
    type Item = Result<Route, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Memory(routes) => routes
                .next()
                .map(|(i, (_, text))| parse(&text, Path::new("(records in memory)"), i + 1)),
            Self::Merge { heads, readers } => {
                let Reverse(head) = heads.pop()?;
                if let Some(run) = readers.get_mut(head.run) {
                    match run.next_route() {
                        Ok(Some(route)) => heads.push(Reverse(Head { route, run: head.run })),
                        Ok(None) => {}
                        Err(err) => return Some(Err(err)),
                    }
                }
                Some(Ok(head.route))
            }
        }
    }
}
