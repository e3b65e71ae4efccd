//! The command line, as clap definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Validate, publish and search the open dataset of immigration routes.
#[derive(Debug, Parser)]
#[command(name = "routes", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// Print only findings and errors, no summary.
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check route records against the schema and the record rules.
    ///
    /// Reads `*.json` files (one route each) and `*.jsonl` files (one route per
    /// line) under the given paths, or records from standard input with `-`
    /// (JSON Lines, or one JSON document; findings name it `<stdin>`). Reads
    /// only regular files, and follows symbolic links only inside the dataset.
    /// Exits 0 when clean, 1 when there are findings, 2 when the tool itself
    /// fails.
    Validate(ValidateArgs),
    /// Publish an immutable, reproducible release of the dataset.
    ///
    /// Validates first and refuses, with the findings, when there are errors
    /// (exit 1). Then writes `<out>/routes-X.Y.Z/`: Parquet and CSV tables,
    /// `routes.jsonl`, `datapackage.json`, `SHA256SUMS`, `CHANGELOG.md`,
    /// `CITATION.cff`, `LICENSE` and `README.md`, staged and moved into place
    /// in one rename. An existing version is never rewritten (exit 2). The
    /// release date is `SOURCE_DATE_EPOCH` when set, else the latest
    /// `last_verified` of the data. Prints the release folder on stdout.
    #[command(disable_version_flag = true)]
    Publish(PublishArgs),
    /// Search requirements, documents and sources across countries.
    ///
    /// All words must match; `"quoted phrases"`, `OR`, `-word` and field filters
    /// such as `country:KZ` work. English stems match ("insured" finds
    /// "insurance"); case and diacritics are ignored; a query with no hits is
    /// retried with typos allowed. Exits 0 with hits, 1 with none, 2 on error.
    Search(SearchArgs),
    /// Build the search index of a dataset (`routes search` does it when needed).
    Index(IndexArgs),
    /// Print the JSON Schema of a route record (draft 2020-12) on stdout.
    Schema,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// What to look for, such as `"health insurance"` or `insurance country:KZ`.
    /// A query that starts with `-` is a query, not a flag (`routes search
    /// -tourist visa`); after `--` everything is the query's.
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub(crate) query: String,

    /// The dataset folder to search; its index is built when missing and
    /// rebuilt when the data changed.
    #[arg(long, value_name = "DIR", default_value = "dataset", conflicts_with = "release")]
    pub(crate) dataset: PathBuf,

    /// Search a published release (its `index/` folder) instead.
    #[arg(long, value_name = "DIR")]
    pub(crate) release: Option<PathBuf>,

    /// Only routes of this country (ISO 3166-1 code).
    #[arg(long, value_name = "CODE")]
    pub(crate) country: Option<String>,

    /// Only routes of this category (such as `work`, `family`).
    #[arg(long, value_name = "CATEGORY")]
    pub(crate) category: Option<String>,

    /// Only routes with this status (such as `active`).
    #[arg(long, value_name = "STATUS")]
    pub(crate) status: Option<String>,

    /// Most routes shown.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub(crate) limit: u16,

    /// Also count matching routes per country and category.
    #[arg(long)]
    pub(crate) facets: bool,

    /// Output format: `human`, or `json` (one JSON object per route hit).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct IndexArgs {
    /// The dataset folder to index.
    #[arg(long, value_name = "DIR", default_value = "dataset")]
    pub(crate) dataset: PathBuf,

    /// Where to write the index (default: the cache `routes search` uses).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Files or folders to check; `-` reads records from standard input (JSON
    /// Lines, or one JSON document), on its own.
    #[arg(value_name = "PATH", default_value = "dataset")]
    pub(crate) paths: Vec<PathBuf>,

    /// Output format: `human` prints findings with source excerpts on stderr;
    /// `json` prints one JSON object per finding on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,

    /// The date taken as today (`YYYY-MM-DD`), for the future-date rule;
    /// defaults to the current UTC date.
    #[arg(long, env = "ROUTES_TODAY", value_name = "DATE", hide_env_values = true)]
    pub(crate) today: Option<String>,

    /// Treat findings of this severity as failures too (`--deny warnings`
    /// makes warnings fail the run, for CI).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(crate) deny: Option<Deny>,

    /// Rule settings to use instead of the `routes.toml` in (or above) the
    /// first path.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Print what a rule checks, why, and a record that trips it; then exit.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["list_rules", "format", "deny"])]
    pub(crate) explain: Option<String>,

    /// List every rule with its code and default severity; then exit.
    #[arg(long)]
    pub(crate) list_rules: bool,
}

/// Severities `--deny` can turn into failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Deny {
    /// Warnings fail the run as errors do.
    Warnings,
}

#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    /// The release version, SemVer `MAJOR.MINOR.PATCH` (such as `1.0.0`).
    #[arg(long, value_name = "X.Y.Z")]
    pub(crate) version: String,

    /// The dataset folder to publish.
    #[arg(long, value_name = "DIR", default_value = "dataset")]
    pub(crate) dataset: PathBuf,

    /// The output folder; the release goes to `<DIR>/routes-X.Y.Z/`.
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub(crate) out: PathBuf,

    /// The date taken as today (`YYYY-MM-DD`) when validating; defaults to
    /// the current UTC date. It never appears in the release.
    #[arg(long, env = "ROUTES_TODAY", value_name = "DATE", hide_env_values = true)]
    pub(crate) today: Option<String>,
}

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people: source excerpts with a caret, on stderr.
    Human,
    /// For programs: JSON Lines on stdout.
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn validate_defaults_to_dataset() {
        let cli = Cli::try_parse_from(["routes", "validate"]).expect("parses");
        let Command::Validate(args) = cli.command else {
            panic!("validate expected")
        };
        assert_eq!(args.paths, vec![PathBuf::from("dataset")]);
        assert_eq!(args.format, Format::Human);
    }

    #[test]
    fn search_flags() {
        let cli = Cli::try_parse_from([
            "routes",
            "search",
            "health insurance",
            "--country",
            "KZ",
            "--limit",
            "3",
            "--facets",
        ])
        .expect("parses");
        let Command::Search(args) = cli.command else {
            panic!("search expected")
        };
        assert_eq!(args.query, "health insurance");
        assert_eq!(args.country.as_deref(), Some("KZ"));
        assert_eq!(args.limit, 3);
        assert!(args.facets);
        assert_eq!(args.dataset, PathBuf::from("dataset"));
        assert!(Cli::try_parse_from(["routes", "search", "x", "--limit", "0"]).is_err());
        assert!(Cli::try_parse_from(["routes", "search", "x", "--release", "r", "--dataset", "d"]).is_err());
        assert!(Cli::try_parse_from(["routes", "search"]).is_err());
    }

    #[test]
    fn validate_rule_flags() {
        let cli =
            Cli::try_parse_from(["routes", "validate", "--deny", "warnings", "--config", "x.toml"]).expect("parses");
        let Command::Validate(args) = cli.command else {
            panic!("validate expected")
        };
        assert_eq!(args.deny, Some(Deny::Warnings));
        assert_eq!(args.config, Some(PathBuf::from("x.toml")));
        let cli = Cli::try_parse_from(["routes", "validate", "--explain", "quality/default-range"]).expect("parses");
        let Command::Validate(args) = cli.command else {
            panic!("validate expected")
        };
        assert_eq!(args.explain.as_deref(), Some("quality/default-range"));
        assert!(Cli::try_parse_from(["routes", "validate", "--deny", "errors"]).is_err());
        assert!(Cli::try_parse_from(["routes", "validate", "--explain", "x", "--list-rules"]).is_err());
    }

    #[test]
    fn validate_takes_format_and_paths() {
        let cli = Cli::try_parse_from(["routes", "validate", "--format", "json", "a", "b.jsonl"]).expect("parses");
        let Command::Validate(args) = cli.command else {
            panic!("validate expected")
        };
        assert_eq!(args.format, Format::Json);
        assert_eq!(args.paths, vec![PathBuf::from("a"), PathBuf::from("b.jsonl")]);
        assert!(Cli::try_parse_from(["routes", "validate", "--format", "xml"]).is_err());
    }

    #[test]
    fn publish_defaults_to_dataset_and_dist() {
        let cli = Cli::try_parse_from(["routes", "publish", "--version", "1.0.0"]).expect("parses");
        let Command::Publish(args) = cli.command else {
            panic!("publish expected")
        };
        assert_eq!(args.version, "1.0.0");
        assert_eq!(args.dataset, PathBuf::from("dataset"));
        assert_eq!(args.out, PathBuf::from("dist"));
    }

    #[test]
    fn publish_takes_dataset_and_out_and_needs_a_version() {
        let cli = Cli::try_parse_from([
            "routes",
            "publish",
            "--version",
            "2.1.0-rc.1",
            "--dataset",
            "data",
            "--out",
            "releases",
        ])
        .expect("parses");
        let Command::Publish(args) = cli.command else {
            panic!("publish expected")
        };
        assert_eq!(args.version, "2.1.0-rc.1");
        assert_eq!(args.dataset, PathBuf::from("data"));
        assert_eq!(args.out, PathBuf::from("releases"));
        assert!(Cli::try_parse_from(["routes", "publish"]).is_err());
    }
}
