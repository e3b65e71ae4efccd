//! Findings kept in sorted order with bounded memory: past a budget, they are
//! sorted and spilled to temporary files, and merged when read back.

use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};

use crate::diagnostic::{Stored, compare};
use crate::{Diagnostic, Severity};

/// Findings of a run, given back sorted as [`sort_diagnostics`] would sort
/// them all at once (ties keep the order they were added in), while holding
/// at most about `budget` bytes of them in memory: past it, the findings held
/// are sorted and written to an unnamed temporary file (which the system
/// removes however the process ends), and [`FindingStore::finish`] merges
/// those files.
///
/// [`sort_diagnostics`]: crate::sort_diagnostics
///
/// ```
/// use routes_diagnostics::{Diagnostic, FindingStore, Severity};
///
/// let mut store = FindingStore::new(1); // spill after every finding
/// for file in ["c.json", "a.json", "b.json"] {
///     store.push(Diagnostic::new("json/syntax", Severity::Error, file))?;
/// }
/// assert_eq!(store.count(Severity::Error), 3);
/// let files: Vec<String> = store
///     .finish()?
///     .map(|d| d.map(|d| d.file().to_owned()))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(files, ["a.json", "b.json", "c.json"]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct FindingStore {
    held: Vec<Diagnostic>,
    held_bytes: usize,
    budget: usize,
    runs: Vec<File>,
    errors: usize,
    warnings: usize,
}

impl FindingStore {
    /// A store that holds about `budget` bytes of findings in memory.
    #[must_use]
    pub fn new(budget: usize) -> Self {
        Self {
            held: Vec::new(),
            held_bytes: 0,
            budget,
            runs: Vec::new(),
            errors: 0,
            warnings: 0,
        }
    }

    /// Adds a finding; may write the findings held to a temporary file.
    pub fn push(&mut self, diagnostic: Diagnostic) -> io::Result<()> {
        match diagnostic.severity() {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        self.held_bytes += diagnostic.approx_size();
        self.held.push(diagnostic);
        if self.held_bytes > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// Findings added with this severity.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        match severity {
            Severity::Error => self.errors,
            Severity::Warning => self.warnings,
        }
    }

    /// Findings added.
    #[must_use]
    pub fn len(&self) -> usize {
        self.errors + self.warnings
    }

    /// Whether no finding was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn spill(&mut self) -> io::Result<()> {
        crate::sort_diagnostics(&mut self.held);
        let mut out = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
        let mut bytes = Vec::new();
        for d in self.held.drain(..) {
            // Each finding as its length (u32, little-endian) and its postcard bytes.
            bytes.clear();
            bytes = postcard::to_extend(&Stored::from(d), bytes).map_err(io::Error::other)?;
            let len = u32::try_from(bytes.len()).map_err(io::Error::other)?;
            out.write_all(&len.to_le_bytes())?;
            out.write_all(&bytes)?;
        }
        let mut file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.rewind()?;
        self.runs.push(file);
        self.held_bytes = 0;
        Ok(())
    }

    /// Every finding, sorted. Reading a spilled finding back can fail (an I/O
    /// error); the iterator then yields that error and ends.
    pub fn finish(mut self) -> io::Result<Sorted> {
        if self.runs.is_empty() {
            crate::sort_diagnostics(&mut self.held);
            return Ok(Sorted(Inner::Held(self.held.into_iter())));
        }
        if !self.held.is_empty() {
            self.spill()?;
        }
        let mut runs: Vec<Run> = self
            .runs
            .into_iter()
            .map(|f| Run {
                file: BufReader::with_capacity(1 << 16, f),
                bytes: Vec::new(),
            })
            .collect();
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (index, run) in runs.iter_mut().enumerate() {
            if let Some(d) = run.next()? {
                heap.push(Head { d, run: index });
            }
        }
        Ok(Sorted(Inner::Merged {
            runs,
            heap,
            failed: false,
        }))
    }
}

/// One spilled file, read a finding at a time.
#[derive(Debug)]
struct Run {
    file: BufReader<File>,
    bytes: Vec<u8>,
}

impl Run {
    fn next(&mut self) -> io::Result<Option<Diagnostic>> {
        if self.file.fill_buf()?.is_empty() {
            return Ok(None);
        }
        let mut len = [0; 4];
        self.file.read_exact(&mut len)?;
        let len = usize::try_from(u32::from_le_bytes(len)).map_err(io::Error::other)?;
        self.bytes.resize(len, 0);
        self.file.read_exact(&mut self.bytes)?;
        let stored: Stored = postcard::from_bytes(&self.bytes).map_err(io::Error::other)?;
        Ok(Some(stored.into()))
    }
}

/// The smallest finding of a run; the heap pops the smallest first, and of
/// equal findings the one of the earlier run (added earlier).
#[derive(Debug)]
struct Head {
    d: Diagnostic,
    run: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
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
        // Reversed: `BinaryHeap` is a max-heap.
        compare(&other.d, &self.d).then(other.run.cmp(&self.run))
    }
}

/// The findings of a [`FindingStore`], sorted.
#[derive(Debug)]
pub struct Sorted(Inner);

#[derive(Debug)]
enum Inner {
    /// Nothing was spilled: the findings, sorted in memory.
    Held(std::vec::IntoIter<Diagnostic>),
    /// Spilled runs, merged: the head of each run that is not done is in the
    /// heap; `failed` once reading failed (the iterator is done).
    Merged {
        runs: Vec<Run>,
        heap: BinaryHeap<Head>,
        failed: bool,
    },
}

impl Iterator for Sorted {
    type Item = io::Result<Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Inner::Held(held) => held.next().map(Ok),
            Inner::Merged { runs, heap, failed } => {
                if *failed {
                    return None;
                }
                let Head { d, run } = heap.pop()?;
                match runs[run].next() {
                    Ok(Some(next)) => heap.push(Head { d: next, run }),
                    Ok(None) => {}
                    Err(e) => {
                        *failed = true;
                        return Some(Err(e));
                    }
                }
                Some(Ok(d))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(file: &str, line: usize, message: &str) -> Diagnostic {
        Diagnostic::new("schema/required", Severity::Error, file)
            .with_message(message)
            .with_line(line, 1)
    }

    #[test]
    fn spilled_findings_come_back_in_the_order_of_one_sort() {
        let mut all = Vec::new();
        let mut store = FindingStore::new(2000);
        for i in 0..500usize {
            // Many ties (same key, different hints), to check stability.
            let d = finding(&format!("f{}.json", (i * 7) % 13), (i * 3) % 5 + 1, "m").with_hint(format!("{i}"));
            all.push(d.clone());
            store.push(d).expect("push");
        }
        assert!(!store.runs.is_empty(), "the budget makes it spill");
        crate::sort_diagnostics(&mut all);
        let merged: Vec<Diagnostic> = store.finish().expect("finish").map(|d| d.expect("read")).collect();
        assert_eq!(merged, all);
    }

    #[test]
    fn spans_and_snippets_survive_a_spill() {
        let text = "{\n  \"a\": 1\n}\n";
        let index = crate::LineIndex::new(text);
        let d = Diagnostic::new("x/y", Severity::Warning, "a.json").with_span(text, &index, 9..10, "here");
        let mut store = FindingStore::new(0);
        store.push(d.clone()).expect("push");
        let back: Vec<Diagnostic> = store.finish().expect("finish").map(|d| d.expect("read")).collect();
        assert_eq!(back, vec![d]);
    }
}
