//! `CHANGELOG.md`: what changed since the previous release in the same output
//! folder, written from the changes [`crate::compare`] finds between the
//! previous release's tables and the tables being published.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::compare::{Release, RouteChanges, RouteStatus, Summary};
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

fn value_cell(value: Option<&str>) -> String {
    value.map_or_else(|| "(absent)".to_owned(), |v| code(&v.replace(['\n', '\r'], " ")))
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

/// Builds `CHANGELOG.md` from the changes of each route, as the comparison
/// with the previous release ([`crate::compare`]) finds them. The sections
/// grow in scratch files, so memory does not grow with the number of routes.
pub(crate) struct Changelog {
    added: Section,
    removed: Section,
    changed: Section,
    reference: Section,
}

impl Changelog {
    pub(crate) fn new(scratch: &Path) -> Result<Self, Error> {
        Ok(Self {
            added: Section::create(scratch.join("changelog-added.md"))?,
            removed: Section::create(scratch.join("changelog-removed.md"))?,
            changed: Section::create(scratch.join("changelog-changed.md"))?,
            reference: Section::create(scratch.join("changelog-reference.md"))?,
        })
    }

    /// Adds the changes of one route (or of the reference tables).
    pub(crate) fn record(&mut self, route: &RouteChanges<'_>) -> Result<(), Error> {
        let name = route.name.unwrap_or("").replace(['\n', '\r'], " ");
        let Some(id) = route.route_id else {
            let mut text = "| table | row | field | old | new |\n| --- | --- | --- | --- | --- |\n".to_owned();
            for c in route.changes {
                let _ = writeln!(
                    text,
                    "| {} | {} | {} | {} | {} |",
                    code(&c.table),
                    code(c.item.as_deref().unwrap_or("")),
                    code(&c.field),
                    value_cell(c.old.as_deref()),
                    value_cell(c.new.as_deref())
                );
            }
            self.reference.write(&text)?;
            self.reference.count += 1;
            return Ok(());
        };
        match route.status {
            RouteStatus::Added => {
                self.added.write(&format!("- {}: {name}\n", code(id)))?;
                self.added.count += 1;
            }
            RouteStatus::Removed => {
                self.removed.write(&format!("- {}: {name}\n", code(id)))?;
                self.removed.count += 1;
            }
            _ => {
                let gap = if self.changed.count > 0 { "\n" } else { "" };
                let mut text = format!(
                    "{gap}#### {}\n\n| table | item | field | old | new |\n| --- | --- | --- | --- | --- |\n",
                    code(id)
                );
                for c in route.changes {
                    let _ = writeln!(
                        text,
                        "| {} | {} | {} | {} | {} |",
                        code(&c.table),
                        c.item.as_deref().map_or_else(String::new, code),
                        code(&c.field),
                        value_cell(c.old.as_deref()),
                        value_cell(c.new.as_deref())
                    );
                }
                self.changed.write(&text)?;
                self.changed.count += 1;
            }
        }
        Ok(())
    }

    /// Writes `CHANGELOG.md`: this release's section, then the sections of
    /// the previous release's changelog. `previous` is the release compared
    /// with and what the comparison found; `routes` the routes published.
    pub(crate) fn finish(
        self,
        version: &ReleaseVersion,
        date: &str,
        routes: u64,
        previous: Option<(&ReleaseVersion, &Release, &Summary)>,
        out: &mut dyn Write,
        out_path: &Path,
    ) -> Result<(), Error> {
        let io = |source| Error::Io {
            path: out_path.to_path_buf(),
            source,
        };
        let mut head = format!("# Changelog\n\n## {version} ({date})\n\n");
        let Some((prev_version, prev, summary)) = previous else {
            let _ = writeln!(
                head,
                "First release in this folder: {routes} routes, no earlier release to compare with."
            );
            out.write_all(head.as_bytes()).map_err(io)?;
            return Ok(());
        };
        let _ = writeln!(
            head,
            "Compared with {prev_version}: {} added, {} removed, {} changed, {} unchanged; {} values differ (one row each in `data/changes.parquet` and `data/changes.csv`).",
            summary.added, summary.removed, summary.changed, summary.unchanged, summary.changes
        );
        for (table, side) in &summary.tables_in_one {
            let which = if *side == "old" {
                prev_version.to_string()
            } else {
                "this release".to_owned()
            };
            let _ = writeln!(head, "\nTable {} is only in {which}: not compared.", code(table));
        }
        out.write_all(head.as_bytes()).map_err(io)?;
        for (title, section) in [
            ("Added", self.added),
            ("Removed", self.removed),
            ("Changed", self.changed),
            ("Reference data", self.reference),
        ] {
            if section.count > 0 {
                out.write_all(format!("\n### {title}\n\n").as_bytes()).map_err(io)?;
                section.copy_into(out, out_path)?;
            }
        }
        copy_earlier_sections(prev, out, out_path)
    }
}

/// Appends the previous changelog without its `# Changelog` title.
fn copy_earlier_sections(prev: &Release, out: &mut dyn Write, out_path: &Path) -> Result<(), Error> {
    let Some(file) = prev.open_file("CHANGELOG.md")? else {
        return Ok(());
    };
    let path = prev.dir().join("CHANGELOG.md");
    let mut started = false;
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|source| Error::Io {
            path: path.clone(),
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
    use super::*;

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }

    #[test]
    fn values_stay_on_one_line() {
        assert_eq!(value_cell(Some("a\nb")), "`a b`");
        assert_eq!(value_cell(None), "(absent)");
    }
}
