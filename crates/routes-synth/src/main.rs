//! `routes-synth`: synthetic route records, the benchmark queries, and the
//! in-process search benchmark of `bench/run.sh`.
//!
//! Exit status: 0 done, 2 the tool failed (a refused or unwritable folder, an
//! unreadable index or query file).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use routes_index::{Query, RouteIndex};
use routes_synth::{Layout, Options};
use serde_json::json;

/// Synthetic routes and the benchmark queries, for `bench/run.sh`.
#[derive(Debug, Parser)]
#[command(name = "routes-synth", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write N synthetic routes: `OUT/files/routes/<cc>/<slug>.json` and
    /// `OUT/jsonl/routes.jsonl`. The same N and seed give the same bytes.
    /// Refuses folders named `dataset` and folders it did not write.
    Generate {
        /// Number of routes.
        #[arg(long)]
        routes: u64,
        /// The seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The output folder (never inside `dataset/`).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// One file per route, JSON Lines, or both.
        #[arg(long, value_enum, default_value_t = LayoutArg::Both)]
        layout: LayoutArg,
    },
    /// Write the benchmark queries (JSON: each in `routes search`, `SQLite` FTS5
    /// and ripgrep syntax) to FILE, or to stdout with `-`.
    Queries {
        /// Where to write them.
        #[arg(long, value_name = "FILE", default_value = "-")]
        out: PathBuf,
    },
    /// Time queries against an open index, in process: prints p50 and p99
    /// latency in microseconds as JSON.
    SearchBench {
        /// The index folder (`routes index --out DIR`).
        #[arg(long, value_name = "DIR")]
        index: PathBuf,
        /// The queries file (`routes-synth queries`).
        #[arg(long, value_name = "FILE")]
        queries: PathBuf,
        /// Times each query runs (after one warm-up run).
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Also print each query's median and slowest time to stderr.
        #[arg(long)]
        per_query: bool,
        /// Search without the vocabulary's synonyms (to measure what they cost).
        #[arg(long)]
        no_synonyms: bool,
        /// Search without the last word's completions (to measure what they cost).
        #[arg(long)]
        no_prefix: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LayoutArg {
    Files,
    Jsonl,
    Both,
}

type BoxError = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate {
            routes,
            seed,
            out,
            layout,
        } => generate(routes, seed, out, layout),
        Command::Queries { out } => write_queries(&out),
        Command::SearchBench {
            index,
            queries,
            runs,
            per_query,
            no_synonyms,
            no_prefix,
        } => search_bench(&index, &queries, runs, per_query, (!no_synonyms, !no_prefix)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut message = format!("routes-synth: {err}");
            let mut source = err.source();
            while let Some(cause) = source {
                message.push_str(": ");
                message.push_str(&cause.to_string());
                source = cause.source();
            }
            #[allow(clippy::print_stderr, reason = "the one place this binary reports a failure")]
            {
                eprintln!("{message}");
            }
            ExitCode::from(2)
        }
    }
}

fn generate(routes: u64, seed: u64, out: PathBuf, layout: LayoutArg) -> Result<(), BoxError> {
    let mut options = Options::new(routes, seed, out);
    options.layout = match layout {
        LayoutArg::Files => Layout::Files,
        LayoutArg::Jsonl => Layout::Jsonl,
        LayoutArg::Both => Layout::Both,
    };
    let manifest = routes_synth::generate(&options)?;
    print_json(&serde_json::to_value(&manifest)?)
}

fn write_queries(out: &std::path::Path) -> Result<(), BoxError> {
    let text = serde_json::to_string_pretty(&routes_synth::queries())? + "\n";
    if out.as_os_str() == "-" {
        std::io::stdout().write_all(text.as_bytes())?;
    } else {
        fs_err::write(out, text)?;
    }
    Ok(())
}

fn print_json(value: &serde_json::Value) -> Result<(), BoxError> {
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, value)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

/// The `p`-th percentile (0–100) of sorted samples, nearest rank.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a rank within a small sample count"
    )]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn search_bench(
    index: &std::path::Path,
    queries: &std::path::Path,
    runs: usize,
    per_query: bool,
    (synonyms, prefix): (bool, bool),
) -> Result<(), BoxError> {
    let text = fs_err::read_to_string(queries)?;
    let list: Vec<serde_json::Value> = serde_json::from_str(&text)?;
    let texts: Vec<String> = list
        .iter()
        .map(|q| {
            q["routes"]
                .as_str()
                .map(str::to_owned)
                .ok_or("a query without `routes` text")
        })
        .collect::<Result<_, _>>()?;
    let opened = Instant::now();
    let index = RouteIndex::open(index)?;
    let open_us = opened.elapsed().as_secs_f64() * 1e6;
    let mut samples = Vec::with_capacity(texts.len() * runs);
    let mut with_hits = 0;
    let mut hits_total = 0;
    for text in &texts {
        let mut query = Query::new(text.as_str());
        query.synonyms = synonyms;
        query.prefix = prefix;
        let warm = index.search(&query)?;
        if !warm.hits.is_empty() {
            with_hits += 1;
        }
        hits_total += warm.hits.len();
        let mut own = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let results = index.search(&query)?;
            own.push(start.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(results);
        }
        if per_query {
            own.sort_by(f64::total_cmp);
            #[allow(clippy::print_stderr, reason = "asked for with --per-query")]
            {
                eprintln!(
                    "{:>9.1} us p50 {:>9.1} us max  {} hits  {text}",
                    percentile(&own, 50.0),
                    own.last().copied().unwrap_or_default(),
                    warm.hits.len()
                );
            }
        }
        samples.extend(own);
    }
    samples.sort_by(f64::total_cmp);
    print_json(&json!({
        "queries": texts.len(),
        "runs": runs,
        "samples": samples.len(),
        "p50_us": percentile(&samples, 50.0),
        "p99_us": percentile(&samples, 99.0),
        "max_us": samples.last().copied().unwrap_or_default(),
        "open_us": open_us,
        "queries_with_hits": with_hits,
        "hits": hits_total,
    }))
}
