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
    /// line) under the given paths. Exits 0 when clean, 1 when there are
    /// findings, 2 when the tool itself fails.
    Validate(ValidateArgs),
    /// Print the JSON Schema of a route record (draft 2020-12) on stdout.
    Schema,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Files or folders to check.
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
    fn validate_takes_format_and_paths() {
        let cli = Cli::try_parse_from(["routes", "validate", "--format", "json", "a", "b.jsonl"]).expect("parses");
        let Command::Validate(args) = cli.command else {
            panic!("validate expected")
        };
        assert_eq!(args.format, Format::Json);
        assert_eq!(args.paths, vec![PathBuf::from("a"), PathBuf::from("b.jsonl")]);
        assert!(Cli::try_parse_from(["routes", "validate", "--format", "xml"]).is_err());
    }
}
