//! Synthetic route records for the world-scale benchmarks (`bench/`).
//!
//! [`Routes`] yields routes one at a time from a seed: the same count and seed
//! give the same records, byte for byte, on every machine. Each record passes
//! `routes validate` with no error and looks like a real one: 2–3 KB of JSON,
//! 3–12 documents, 1–4 sources, money, ages, durations, processing times and
//! fees, every figure and claim with its evidence, across 198 countries. Each
//! route draws 2–4 of about 30 topics (health insurance, criminal record,
//! proof of income, …) whose words fill its requirements, documents and notes,
//! so a topic's words are frequent in its routes and rare elsewhere, as in real
//! data.
//!
//! [`generate`] streams them to disk, as one file per route
//! (`files/routes/<cc>/<slug>.json`) and as JSON Lines (`jsonl/routes.jsonl`);
//! it never holds more than one record in memory, and refuses to write into a
//! folder named `dataset`. [`queries`] is the fixed set of benchmark queries,
//! each in `routes search` syntax and as the `SQLite` FTS5 and ripgrep
//! expressions with the same meaning.
//!
//! ```
//! let first: Vec<_> = routes_synth::Routes::new(3, 42).collect();
//! let again: Vec<_> = routes_synth::Routes::new(3, 42).collect();
//! assert_eq!(first, again);
//! assert_eq!(first.len(), 3);
//! let route = &first[0];
//! let id = route["id"].as_str().unwrap_or_default();
//! assert!(id.starts_with(&route["country"].as_str().unwrap_or_default().to_lowercase()));
//! assert!((3..=12).contains(&route["documents"].as_array().map_or(0, Vec::len)));
//! ```
#![warn(missing_docs)]

mod queries;
mod record;
mod vocab;

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::Value;

pub use queries::{BenchQuery, queries};

/// Version of the generated data: changes whenever the same seed would give
/// other records, so that a harness does not reuse data of another version.
pub const DATA_VERSION: u32 = 2;

/// Failures of generating.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The output folder is a dataset folder, or inside one.
    #[error("refusing to write synthetic routes into `{}`: it is (inside) a folder named `dataset`; write them elsewhere, such as target/bench-data", path.display())]
    Refused {
        /// The output folder.
        path: PathBuf,
    },
    /// The output folder holds data that this tool did not write.
    #[error("`{}` already exists and was not written by routes-synth (no synth.json beside it); remove it or pick another folder", path.display())]
    NotOurs {
        /// The folder in the way.
        path: PathBuf,
    },
    /// More routes than the distinct names a country can take.
    #[error("{requested} routes is more than this generator can name distinctly (at most {max})")]
    TooMany {
        /// Routes asked for.
        requested: u64,
        /// The most it can make.
        max: u64,
    },
    /// A file or folder could not be written or read.
    #[error("cannot write `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How the routes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One pretty-printed file per route, `files/routes/<cc>/<slug>.json`.
    Files,
    /// One line per route, `jsonl/routes.jsonl`.
    Jsonl,
    /// Both.
    Both,
}

/// What to generate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Number of routes.
    pub routes: u64,
    /// The seed.
    pub seed: u64,
    /// The output folder.
    pub out: PathBuf,
    /// Files, JSON Lines or both.
    pub layout: Layout,
}

impl Options {
    /// Options for `routes` routes from `seed` into `out`, in both layouts.
    #[must_use]
    pub fn new(routes: u64, seed: u64, out: impl Into<PathBuf>) -> Self {
        Self {
            routes,
            seed,
            out: out.into(),
            layout: Layout::Both,
        }
    }
}

/// What [`generate`] wrote; also stored as `synth.json` in the output folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Manifest {
    /// Always `routes-synth`.
    pub generator: String,
    /// [`DATA_VERSION`].
    pub data_version: u32,
    /// Number of routes.
    pub routes: u64,
    /// The seed.
    pub seed: u64,
    /// The layouts written.
    pub layout: Layout,
    /// Countries with at least one route.
    pub countries: usize,
    /// Bytes of `jsonl/routes.jsonl` (0 when not written).
    pub jsonl_bytes: u64,
    /// Bytes of all files under `files/` (0 when not written).
    pub files_bytes: u64,
}

/// The routes of one seed, one at a time. Route `i` comes from its own
/// random stream, so the first `n` routes are the same whatever the total.
#[derive(Debug, Clone)]
pub struct Routes {
    seed: u64,
    next: u64,
    total: u64,
    /// Routes so far per country.
    counters: Vec<usize>,
    /// Cumulative country weights.
    cumulative: Vec<u32>,
}

impl Routes {
    /// The first `total` routes of `seed`.
    #[must_use]
    pub fn new(total: u64, seed: u64) -> Self {
        let mut sum = 0;
        let cumulative = (0..vocab::COUNTRIES.len())
            .map(|j| {
                // Uneven but bounded: some countries run seven times as many routes as others.
                sum += 1 + u32::try_from(j * 37 % 7).unwrap_or(0);
                sum
            })
            .collect();
        Self {
            seed,
            next: 0,
            total,
            counters: vec![0; vocab::COUNTRIES.len()],
            cumulative,
        }
    }

    /// The most routes one seed can make with distinct names: the busiest
    /// country runs out of name combinations first.
    #[must_use]
    pub fn max_routes() -> u64 {
        let total = u64::from(Self::new(0, 0).cumulative.last().copied().unwrap_or(1));
        // The busiest country has weight 7; keep a margin for chance.
        (record::NAMES_PER_COUNTRY as u64) * total / 7 * 9 / 10
    }
}

impl Iterator for Routes {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        if self.next >= self.total {
            return None;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(self.next);
        self.next += 1;
        let total = self.cumulative.last().copied().unwrap_or(1);
        let pick = rng.random_range(0..total);
        let c = self.cumulative.partition_point(|&w| w <= pick);
        let k = self.counters[c];
        if k >= record::NAMES_PER_COUNTRY {
            return None;
        }
        self.counters[c] += 1;
        Some(record::build(rng, c, k))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.total - self.next).unwrap_or(usize::MAX);
        (0, Some(left))
    }
}

/// Refuses output folders that are, or lie inside, a folder named `dataset`
/// (the repository's real data lives in `dataset/`).
pub fn check_out_dir(out: &Path) -> Result<(), Error> {
    let absolute = if out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir().map_err(io(out))?.join(out)
    };
    // Resolve symbolic links of the part that exists.
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    let inside_dataset = resolved
        .components()
        .chain(absolute.components())
        .any(|c| matches!(c, Component::Normal(name) if name == "dataset"));
    if inside_dataset {
        return Err(Error::Refused {
            path: out.to_path_buf(),
        });
    }
    Ok(())
}

/// Writes `options.routes` routes into `options.out`, streaming: one record in
/// memory at a time. Replaces what an earlier run of this tool wrote there.
pub fn generate(options: &Options) -> Result<Manifest, Error> {
    check_out_dir(&options.out)?;
    if options.routes > Routes::max_routes() {
        return Err(Error::TooMany {
            requested: options.routes,
            max: Routes::max_routes(),
        });
    }
    let out = &options.out;
    let manifest_path = out.join("synth.json");
    let files_dir = out.join("files");
    let jsonl_dir = out.join("jsonl");
    for dir in [&files_dir, &jsonl_dir] {
        if dir.exists() {
            if !manifest_path.exists() {
                return Err(Error::NotOurs { path: dir.clone() });
            }
            fs_err::remove_dir_all(dir).map_err(io(dir))?;
        }
    }
    if manifest_path.exists() {
        fs_err::remove_file(&manifest_path).map_err(io(&manifest_path))?;
    }
    let want_files = matches!(options.layout, Layout::Files | Layout::Both);
    let want_jsonl = matches!(options.layout, Layout::Jsonl | Layout::Both);
    fs_err::create_dir_all(out).map_err(io(out))?;

    let jsonl_path = jsonl_dir.join("routes.jsonl");
    let mut jsonl = if want_jsonl {
        fs_err::create_dir_all(&jsonl_dir).map_err(io(&jsonl_dir))?;
        let file = fs_err::File::create(&jsonl_path).map_err(io(&jsonl_path))?;
        Some(std::io::BufWriter::with_capacity(1 << 20, file))
    } else {
        None
    };
    let routes_dir = files_dir.join("routes");
    let mut made_dirs = vec![false; vocab::COUNTRIES.len()];
    let mut countries = 0;
    let mut files_bytes = 0u64;
    let mut line = Vec::with_capacity(4096);
    let mut pretty = Vec::with_capacity(8192);
    let mut routes = Routes::new(options.routes, options.seed);
    for route in routes.by_ref() {
        let id = route["id"].as_str().unwrap_or_default();
        let (cc, slug) = id.split_once('/').unwrap_or(("xx", id));
        let c = vocab::COUNTRIES
            .iter()
            .position(|x| x.code.eq_ignore_ascii_case(cc))
            .unwrap_or(0);
        if !made_dirs[c] {
            made_dirs[c] = true;
            countries += 1;
            if want_files {
                let dir = routes_dir.join(cc);
                fs_err::create_dir_all(&dir).map_err(io(&dir))?;
            }
        }
        if want_files {
            pretty.clear();
            serde_json::to_writer_pretty(&mut pretty, &route).map_err(|e| Error::Io {
                path: routes_dir.clone(),
                source: e.into(),
            })?;
            pretty.push(b'\n');
            let path = routes_dir.join(cc).join(format!("{slug}.json"));
            fs_err::write(&path, &pretty).map_err(io(&path))?;
            files_bytes += pretty.len() as u64;
        }
        if let Some(w) = jsonl.as_mut() {
            line.clear();
            serde_json::to_writer(&mut line, &route).map_err(|e| Error::Io {
                path: jsonl_path.clone(),
                source: e.into(),
            })?;
            line.push(b'\n');
            w.write_all(&line).map_err(io(&jsonl_path))?;
        }
    }
    if routes.next < options.routes {
        return Err(Error::TooMany {
            requested: options.routes,
            max: routes.next,
        });
    }
    let mut jsonl_bytes = 0;
    if let Some(w) = jsonl {
        let file = w.into_inner().map_err(|e| Error::Io {
            path: jsonl_path.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io(&jsonl_path))?;
        jsonl_bytes = file.metadata().map_err(io(&jsonl_path))?.len();
    }
    let manifest = Manifest {
        generator: "routes-synth".into(),
        data_version: DATA_VERSION,
        routes: options.routes,
        seed: options.seed,
        layout: options.layout,
        countries,
        jsonl_bytes,
        files_bytes,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| Error::Io {
        path: manifest_path.clone(),
        source: e.into(),
    })?;
    fs_err::write(&manifest_path, text + "\n").map_err(io(&manifest_path))?;
    Ok(manifest)
}

#[cfg(test)]
mod tests;
