//! The command line, as clap definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Validate, publish, search and serve the open dataset of immigration routes, and judge who may use them.
#[derive(Debug, Parser)]
#[command(name = "routes", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// Print only findings and errors, no summary.
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,

    /// When to colour the output: `auto` (on a terminal, unless `NO_COLOR`
    /// is set), `always` or `never`.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub(crate) color: ColorWhen,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// When output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always, even into a pipe or file.
    Always,
    /// Never.
    Never,
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
    ///
    /// Files named one by one (`routes validate dataset/routes/kz/x.json`)
    /// are checked against the whole dataset they belong to (the folder of
    /// the `routes.toml` above them, or `--dataset`), so that links to other
    /// routes and the rules across records hold; only findings about the
    /// files named are reported.
    #[command(
        after_help = "Examples:\n  routes validate\n  routes validate dataset/routes/kz/temporary-residence-permit.json\n  routes validate --dataset ../my-fork $(git diff --name-only -- '*.json')\n  routes validate --format github   (annotations in a GitHub Actions log)\n  routes validate --format sarif > routes.sarif\n  routes validate --explain implausible-amount\n  routes validate --list-rules --format json | jq -r .code\n  routes validate - < records.jsonl"
    )]
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
    #[command(
        disable_version_flag = true,
        after_help = "Examples:\n  routes publish --version 1.0.0\n  routes publish --version 1.1.0 --dataset dataset --out dist\n  SOURCE_DATE_EPOCH=1764028800 routes publish --version 1.0.1\n  routes publish --version 2.0.0 --partition-by country"
    )]
    Publish(PublishArgs),
    /// Print one route as a person reads it: what it is, who may apply,
    /// the requirements, documents, fees and timing, each figure with its
    /// source and quote.
    ///
    /// `ID` is `<country>/<slug>`, as in `kz/temporary-residence-permit`; a
    /// misspelt one is an error that names the nearest ids. Reads the dataset
    /// (`--dataset`) or a published release (`--release`). Exits 0, 1 when
    /// no route has the id, 2 on error.
    #[command(
        after_help = "Examples:\n  routes show kz/temporary-residence-permit\n  routes show ee/digital-nomad-visa --format markdown > ee-dnv.md\n  routes show jp/highly-skilled-professional --format json | jq .requirements\n  routes show --release dist/routes-1.0.0 pt/d7-residence-visa"
    )]
    Show(ShowArgs),
    /// List routes, one line each: id, category, status and name.
    ///
    /// Filters combine: `--country`, `--category` and `--status` take the
    /// values `routes search` takes, and a value no route has is an error
    /// that names the nearest. Exits 0 when some route is listed, 1 when
    /// none is, 2 on error.
    #[command(
        after_help = "Examples:\n  routes list\n  routes list --country Kazakhstan\n  routes list --category digital_nomad --status active\n  routes list --format csv > routes.csv\n  routes list --format json | jq -r .id"
    )]
    List(ListArgs),
    /// Start a new route: write a skeleton record that validates, with
    /// every fact still unknown.
    ///
    /// Writes `<dataset>/routes/<cc>/<slug>.json` with the id, country,
    /// category and name filled in and everything else empty or `unknown`,
    /// then prints what to fill in next. An existing file is never
    /// overwritten (exit 2).
    #[command(
        after_help = "Examples:\n  routes new kz/student-visa --category study\n  routes new ee/startup-visa --category business_visit --name \"Startup visa\"\n  routes new --dataset ../my-fork am/work-permit --category work"
    )]
    New(NewArgs),
    /// Compare two releases value by value.
    ///
    /// Reads the tables of both release folders, each checked against its
    /// own `SHA256SUMS` first, and prints every value added, removed or
    /// changed: by route, then table, item (the row inside its route) and
    /// column, as the `changes` table of a release lists them. Tables or
    /// columns only one release has are named on stderr and not compared.
    /// Exits 0 when the releases hold the same values, 1 when they differ,
    /// 2 on error.
    #[command(
        disable_version_flag = true,
        after_help = "Examples:\n  routes diff dist/routes-1.0.0 dist/routes-1.1.0\n  routes diff --format csv dist/routes-1.0.0 dist/routes-1.1.0 > changes.csv\n  routes diff --format json OLD NEW | jq 'select(.table_name == \"fees\")'"
    )]
    Diff(DiffArgs),
    /// Search requirements, documents and sources across countries.
    ///
    /// All words must match; `"quoted phrases"`, `OR`, `-word` and field filters
    /// such as `country:KZ` or `kind:fee` work. Words of every script are
    /// compared folded (case, diacritics, `ё`/`е`, Kazakh `қ`/`к`); Latin
    /// words are stemmed as English ("insured" finds "insurance"), Cyrillic
    /// ones as Russian; Japanese and Chinese text is matched by pairs of
    /// characters. The words people use are understood: the vocabulary of
    /// `dataset/vocabulary.toml` makes `police clearance` also find `criminal
    /// record` and `вид на жительство` find `residence permit` (a route with
    /// the words as typed ranks first; `--no-synonyms` turns it off). The
    /// last word also matches the words it begins (`--no-prefix`). Question
    /// words (`how`, `do`, `I`) are left out. When no route holds every
    /// word, the query is retried with typos allowed, then routes that hold
    /// some of the words are shown, each said on stderr, with a respelt query
    /// when one finds routes ("did you mean"). Exits 0 with hits, 1 with
    /// none, 2 on error.
    #[command(
        after_help = "Examples:\n  routes search \"health insurance\"\n  routes search \"police clearance\" --country Kazakhstan\n  routes search \"how long does it take\" --category digital_nomad\n  routes search \"fee kind:fee\" --format json | jq .route_id\n  routes search \"вид на жительство\"\n  routes search --release dist/routes-1.0.0 \"blue card\" --facets"
    )]
    Search(SearchArgs),
    /// Judge every route for a person: eligible, not eligible or unknown,
    /// criterion by criterion, with the source behind each.
    ///
    /// The person is described by a TOML profile (`--profile`) and by flags,
    /// which override its fields. A field left out is unknown, never "no",
    /// and missing data never makes a person eligible: a route is `eligible`
    /// only when every criterion that applies is met (or waived by an
    /// exemption that applies to the person), `not_eligible` when one is
    /// not met, `unknown` otherwise. Money is compared per month or year as
    /// the route states it, index-linked amounts with the index's value of
    /// the year, other currencies only at a sourced rate. `--on` judges the
    /// rules in force on another day. Exits 0 when some route is eligible, 1
    /// when none is, 2 on error (a malformed profile is named with its line
    /// and column).
    #[command(
        after_help = "Profile fields (TOML), each also a flag (`--income`, `--job-offer`...):\n  nationality = [\"AM\", \"RU\"]       ISO codes or English names\n  age = 34\n  income = \"4000 EUR/month\"        or \"60000 EUR/year gross\", \"35 NZD/hour\"\n  savings = \"25000 EUR\"\n  investment = \"300000 USD\"\n  job_offer = true                  also employer_sponsor, remote_work,\n  health_insurance = true           criminal_record_clean (true or false)\n  work_experience_years = 5\n  language = [\"en:C1\", \"ru:native\"]  codes with CEFR levels\n  family_of = [\"citizen:KZ\"]        or \"resident:DE\"\n\nExamples:\n  routes eligible --profile me.toml\n  routes eligible --nationality AM --income \"4000 USD/month\" --remote-work yes\n  routes eligible --profile me.toml --country KZ --format json | jq .verdict\n  routes eligible --profile me.toml --on 2027-06-01\n  routes eligible --release dist/routes-1.0.0 --profile me.toml"
    )]
    Eligible(Box<EligibleArgs>),
    /// Serve the routes as a local website and JSON API.
    ///
    /// Pages: `/` (search box, countries), `/routes/{cc}/{slug}` (a route
    /// with the source and quote behind every figure), `/countries/{cc}`,
    /// `/search?q=`. API: `/api/routes`, `/api/routes/{cc}/{slug}`,
    /// `/api/search?q=`, `/api/facets`, `POST /api/eligible` (a JSON object of
    /// profile fields). Binds to loopback unless told otherwise. Runs until
    /// interrupted; exits 2 when the address cannot be bound or the data
    /// cannot be read.
    #[command(
        after_help = "Examples:\n  routes serve\n  routes serve --addr 127.0.0.1:9000\n  routes serve --release dist/routes-1.0.0\n  curl -s 'http://127.0.0.1:8080/api/search?q=health+insurance'"
    )]
    Serve(ServeArgs),
    /// Write the site's pages as static files, for any static host.
    ///
    /// The same pages as `routes serve` (each route, country, the search
    /// box, the JSON twins, `llms.txt`), with a search that runs in the
    /// browser on `search-index.json`; the pages that need the server
    /// (compare, eligibility) say so. The folder is built beside its target
    /// and moved into place; a folder already there is replaced only when
    /// `routes site` made it (or it is empty). Exits 0, or 2 on error.
    #[command(
        after_help = "Examples:\n  routes site --release dist/routes-1.0.0 --out public\n  routes site --out public   (the dataset)\n  python3 -m http.server --directory public"
    )]
    Site(SiteArgs),
    /// Serve the search, the routes and eligibility as an MCP server over stdio.
    ///
    /// Tools for an assistant (Model Context Protocol, the official Rust
    /// SDK): `search`, `get_route`, `list_routes` and `eligible`, answering
    /// the same JSON as the HTTP API, each figure with its source. Reads
    /// JSON-RPC on stdin and writes it on stdout; talk goes to stderr. Runs
    /// until stdin closes.
    #[command(
        after_help = "Examples:\n  routes mcp\n  routes mcp --release dist/routes-1.0.0\n  (in an assistant's MCP settings: command `routes`, arguments `mcp --dataset /path/to/dataset`)"
    )]
    Mcp(McpArgs),
    /// Build the search index of a dataset (`routes search` does it when needed).
    #[command(
        after_help = "Examples:\n  routes index\n  routes index --dataset ../my-fork\n  routes index --out /tmp/routes-index"
    )]
    Index(IndexArgs),
    /// Print a shell completion script on stdout.
    #[command(
        after_help = "Examples:\n  routes completions bash > ~/.local/share/bash-completion/completions/routes\n  routes completions zsh > \"${fpath[1]}/_routes\"\n  routes completions fish > ~/.config/fish/completions/routes.fish\n  routes completions powershell >> $PROFILE"
    )]
    Completions {
        /// The shell: `bash`, `zsh`, `fish`, `powershell` or `elvish`.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page of `routes` (roff) on stdout.
    #[command(after_help = "Examples:\n  routes man > routes.1 && man ./routes.1")]
    Man,
    /// Print the JSON Schema of a route record (draft 2020-12) on stdout.
    #[command(after_help = "Examples:\n  routes schema > route.schema.json\n  routes schema | jq '.properties | keys'")]
    Schema,
    /// Fetch the pages the dataset cites: check them, or archive them again.
    ///
    /// `routes validate` never goes online; these commands do, and only to
    /// the sources' own URLs.
    #[command(
        subcommand,
        after_help = "Examples:\n  routes sources check\n  routes sources check --route kz/temporary-residence-permit\n  routes sources archive kz/temporary-residence-permit gov-kz"
    )]
    Sources(SourcesCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum SourcesCommand {
    /// Fetch every source and report dead links, moved pages, redirects to a
    /// home page, pages whose text no longer matches their snapshot, and
    /// excerpts no longer in their page; then list the routes to re-verify.
    ///
    /// Each URL is fetched once, redirects followed by hand (each hop shown),
    /// with a time-out, a body cap, a minimum interval per host and a few
    /// requests at once. Findings point at the source in its record. Exits 0
    /// when every source holds, 1 with errors (a route to re-verify; with
    /// `--deny warnings`, also transient trouble such as a server error or a
    /// time-out), 2 when the tool fails.
    #[command(
        after_help = "Examples:\n  routes sources check\n  routes sources check --route kz/temporary-residence-permit --format json\n  routes sources check --deny warnings --timeout 30 --per-host-delay 2"
    )]
    Check(SourcesCheckArgs),
    /// Fetch a route's sources and store their readable text as snapshots.
    ///
    /// Writes `snapshots/<cc>/<source-id>.txt` (or the path the source's
    /// `snapshot` names) with a snapshot header, and records its path,
    /// SHA-256 and `retrieved` date in the record and in every other record
    /// that names the same snapshot, changing no other byte. A file at that
    /// path is replaced only when it is a routes snapshot of the same page.
    /// The source's `seen` is left as it is: the page was read again, its
    /// facts were not checked. Exits 0 when every source was archived, 1 with
    /// findings (a source not archived, a moved page, an excerpt the new text
    /// lacks), 2 when the tool fails.
    #[command(
        after_help = "Examples:\n  routes sources archive kz/temporary-residence-permit\n  routes sources archive kz/temporary-residence-permit gov-kz\n  ROUTES_TODAY=2026-12-01 routes sources archive ee/digital-nomad-visa"
    )]
    Archive(SourcesArchiveArgs),
}

/// How pages are fetched.
#[derive(Debug, Clone, Args)]
pub(crate) struct FetchArgs {
    /// Longest one request may take, body included, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub(crate) timeout: u64,

    /// Shortest time between two requests to one host, in seconds (`0.5`
    /// allowed; `0` for none).
    #[arg(long, value_name = "SECS", default_value = "1", value_parser = parse_seconds)]
    pub(crate) per_host_delay: std::time::Duration,

    /// Requests under way at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub(crate) concurrency: u16,

    /// Largest body read, in MiB; a larger one is a finding and is not read further.
    #[arg(long, value_name = "MIB", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub(crate) max_body: u64,
}

/// A number of seconds, whole or not, at least 0 and at most an hour.
fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(0.0..=3600.0).contains(&secs) {
        return Err(format!("`{text}` is not between 0 and 3600 seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[derive(Debug, Args)]
pub(crate) struct SourcesCheckArgs {
    /// The dataset folder whose sources are checked.
    #[arg(long, value_name = "DIR", default_value = "dataset")]
    pub(crate) dataset: PathBuf,

    /// Check only this route (such as `kz/temporary-residence-permit`); may be repeated.
    #[arg(long = "route", value_name = "ID")]
    pub(crate) routes: Vec<String>,

    /// Output format: `human` (a line per source on stdout, findings on
    /// stderr), or `json` (one JSON object per source, then a summary line).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,

    /// Treat warnings (transient trouble) as failures too.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(crate) deny: Option<Deny>,

    #[command(flatten)]
    pub(crate) fetch: FetchArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SourcesArchiveArgs {
    /// The route, such as `kz/temporary-residence-permit`.
    #[arg(value_name = "ID")]
    pub(crate) route: String,

    /// The source to archive (its `id`); default: every source of the route.
    #[arg(value_name = "SOURCE")]
    pub(crate) source: Option<String>,

    /// The dataset folder.
    #[arg(long, value_name = "DIR", default_value = "dataset")]
    pub(crate) dataset: PathBuf,

    /// The date taken as today (`YYYY-MM-DD`), written as the snapshot's
    /// `seen` and `retrieved`; defaults to the current UTC date.
    #[arg(long, env = "ROUTES_TODAY", value_name = "DATE", hide_env_values = true)]
    pub(crate) today: Option<String>,

    #[command(flatten)]
    pub(crate) fetch: FetchArgs,
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

    /// Only routes of this country: an ISO 3166-1 alpha-2 or alpha-3 code or
    /// an English name, in any case (`KZ`, `kaz`, `kazakhstan`, `"New
    /// Zealand"`). A country the index has no route of is an error that lists
    /// the countries it has.
    #[arg(long, value_name = "COUNTRY")]
    pub(crate) country: Option<String>,

    /// Only routes of this category, in any case: `work`, `family`, `study`,
    /// `investment`, `digital_nomad`, `business_visit`, `residence`,
    /// `permanent_residence`, `citizenship`, `ethnic_return`, `humanitarian`,
    /// `other`. Another value is an error that suggests the nearest.
    #[arg(long, value_name = "CATEGORY")]
    pub(crate) category: Option<String>,

    /// Only routes with this status, in any case: `active`, `suspended`,
    /// `closed`, `proposed`, `unknown`. Another value is an error that suggests the nearest.
    #[arg(long, value_name = "STATUS")]
    pub(crate) status: Option<String>,

    /// Most routes shown.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub(crate) limit: u16,

    /// Also count matching routes per country and category.
    #[arg(long)]
    pub(crate) facets: bool,

    /// Search only the words as typed: leave out the synonyms of the
    /// vocabulary (`dataset/vocabulary.toml`), so `police clearance` no
    /// longer finds `criminal record`.
    #[arg(long)]
    pub(crate) no_synonyms: bool,

    /// Match the last word as a whole word only (by default it also matches
    /// the words it begins, as a search box does: `insur` finds `insurance`).
    #[arg(long)]
    pub(crate) no_prefix: bool,

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
    /// Files or folders to check (default: the dataset); `-` reads records
    /// from standard input (JSON Lines, or one JSON document), on its own.
    /// Files named one by one are checked against the dataset they belong to.
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// The dataset folder: checked whole when no path is given, and the one
    /// files named are checked against (default: the folder of the
    /// `routes.toml` above them, else `dataset`).
    #[arg(long, value_name = "DIR")]
    pub(crate) dataset: Option<PathBuf>,

    /// Output format: `human` prints findings with source excerpts on stderr;
    /// `json` prints one JSON object per finding on stdout; `github` prints
    /// GitHub Actions workflow commands (`::error file=…,line=…::`) that
    /// annotate the lines of a pull request; `sarif` prints one SARIF 2.1.0
    /// log for code scanning. With `--list-rules`: `human` or `json`.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Human)]
    pub(crate) format: ValidateFormat,

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
    /// The family prefix may be left out (`implausible-amount` for
    /// `quality/implausible-amount`); a code no rule has names the nearest.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["list_rules", "format", "deny"])]
    pub(crate) explain: Option<String>,

    /// List every rule with its code and default severity (`--format json`:
    /// one JSON object per rule, with why it exists and an example); then exit.
    #[arg(long)]
    pub(crate) list_rules: bool,
}

/// How `routes validate` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ValidateFormat {
    /// For people: source excerpts with a caret, on stderr.
    Human,
    /// For programs: JSON Lines on stdout.
    Json,
    /// GitHub Actions workflow commands on stdout, which annotate the lines.
    Github,
    /// One SARIF 2.1.0 log on stdout, for code scanning.
    Sarif,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The route's id, `<country>/<slug>` (such as `kz/temporary-residence-permit`).
    #[arg(value_name = "ID")]
    pub(crate) id: String,

    /// The dataset folder to read the route from.
    #[arg(long, value_name = "DIR", default_value = "dataset", conflicts_with = "release")]
    pub(crate) dataset: PathBuf,

    /// Read the route from a published release (its `data/routes.jsonl`) instead.
    #[arg(long, value_name = "DIR")]
    pub(crate) release: Option<PathBuf>,

    /// `human`: for reading in a terminal; `markdown`: the same sections as
    /// a Markdown document; `json`: the record itself.
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    pub(crate) format: ShowFormat,
}

/// How `routes show` prints a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// For reading in a terminal.
    Human,
    /// The record as JSON.
    Json,
    /// A Markdown document.
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// The dataset folder whose routes to list.
    #[arg(long, value_name = "DIR", default_value = "dataset", conflicts_with = "release")]
    pub(crate) dataset: PathBuf,

    /// List the routes of a published release instead.
    #[arg(long, value_name = "DIR")]
    pub(crate) release: Option<PathBuf>,

    /// Only routes of this country: an ISO 3166-1 code or an English name.
    #[arg(long, value_name = "COUNTRY")]
    pub(crate) country: Option<String>,

    /// Only routes of this category (`work`, `digital_nomad`, `citizenship`...).
    #[arg(long, value_name = "CATEGORY")]
    pub(crate) category: Option<String>,

    /// Only routes with this status (`active`, `suspended`, `closed`, `proposed`, `unknown`).
    #[arg(long, value_name = "STATUS")]
    pub(crate) status: Option<String>,

    /// `human`: aligned columns; `json`: one JSON object per route (JSON
    /// Lines); `csv`: RFC 4180 with a header.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub(crate) format: ListFormat,
}

/// How `routes list` prints the routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// Aligned columns, for people.
    Human,
    /// JSON Lines, one object per route.
    Json,
    /// CSV with a header.
    Csv,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The new route's id, `<country>/<slug>`: an ISO 3166-1 alpha-2 code in
    /// lower case, then words of lower-case letters and digits joined by `-`.
    #[arg(value_name = "CC/SLUG")]
    pub(crate) id: String,

    /// The route's category (`work`, `study`, `digital_nomad`, `citizenship`...).
    #[arg(long, value_name = "CATEGORY")]
    pub(crate) category: String,

    /// The route's English name (default: made from the slug).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,

    /// The dataset folder to add the route to.
    #[arg(long, value_name = "DIR", default_value = "dataset")]
    pub(crate) dataset: PathBuf,

    /// The date taken as today (`YYYY-MM-DD`), written as `last_verified`
    /// is not: a new route has no verified facts. Used for nothing else.
    #[arg(long, env = "ROUTES_TODAY", value_name = "DATE", hide_env_values = true)]
    pub(crate) today: Option<String>,
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

    /// Also write each table of routes as hive-style Parquet partitions,
    /// `data/by_country/<table>/country=<CC>/part-0.parquet`, which DuckDB,
    /// polars, pyarrow, Spark and Trino read with partition pruning.
    #[arg(long, value_enum, value_name = "COLUMN")]
    pub(crate) partition_by: Option<PartitionArg>,
}

/// The column `routes publish --partition-by` partitions by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PartitionArg {
    /// The route's country (`country=KZ/`).
    Country,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The older release folder (such as `dist/routes-1.0.0`).
    #[arg(value_name = "OLD")]
    pub(crate) old: PathBuf,

    /// The newer release folder.
    #[arg(value_name = "NEW")]
    pub(crate) new: PathBuf,

    /// `human`: by route, for people; `json`: one JSON object per change
    /// (JSON Lines); `csv`: the columns of a release's `data/changes.csv`.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub(crate) format: DiffFormat,
}

/// How `routes diff` prints the changes (on stdout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// For people: each route that differs, with its changed values.
    Human,
    /// For programs: JSON Lines, one object per change.
    Json,
    /// For spreadsheets and data tools: RFC 4180 CSV with a header.
    Csv,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The dataset folder to serve (its search index is built when missing).
    #[arg(long, value_name = "DIR", default_value = "dataset", conflicts_with = "release")]
    pub(crate) dataset: PathBuf,

    /// Serve a published release instead.
    #[arg(long, value_name = "DIR")]
    pub(crate) release: Option<PathBuf>,

    /// The address to listen on; loopback unless told otherwise (port 0 picks a free one).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    pub(crate) addr: std::net::SocketAddr,
}

#[derive(Debug, Args)]
pub(crate) struct McpArgs {
    /// The dataset folder to serve.
    #[arg(long, value_name = "DIR", default_value = "dataset", conflicts_with = "release")]
    pub(crate) dataset: PathBuf,

    /// Serve a published release instead.
    #[arg(long, value_name = "DIR")]
    pub(crate) release: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SiteArgs {
    /// The dataset folder whose site to write.
    #[arg(long, value_name = "DIR", default_value = "dataset", conflicts_with = "release")]
    pub(crate) dataset: PathBuf,

    /// Write the site of a published release instead.
    #[arg(long, value_name = "DIR")]
    pub(crate) release: Option<PathBuf>,

    /// The folder to write the site into.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct EligibleArgs {
    /// The dataset folder to judge the routes of.
    #[arg(long, value_name = "DIR", default_value = "dataset", conflicts_with = "release")]
    pub(crate) dataset: PathBuf,

    /// Judge the routes of a published release (its `data/routes.jsonl` and
    /// reference tables) instead.
    #[arg(long, value_name = "DIR")]
    pub(crate) release: Option<PathBuf>,

    /// The person's profile, a TOML file (see the fields below).
    #[arg(long, value_name = "FILE")]
    pub(crate) profile: Option<PathBuf>,

    /// Every nationality the person holds: ISO 3166-1 codes or English
    /// names, separated by commas (`AM,RU`).
    #[arg(long, value_name = "CC,...")]
    pub(crate) nationality: Option<String>,

    /// Age in years.
    #[arg(long, value_name = "YEARS")]
    pub(crate) age: Option<String>,

    /// Income with its period: `4000 EUR/month`, `60000 EUR/year gross`.
    #[arg(long, value_name = "AMOUNT")]
    pub(crate) income: Option<String>,

    /// Savings held: `25000 EUR`.
    #[arg(long, value_name = "AMOUNT")]
    pub(crate) savings: Option<String>,

    /// Money the person would invest: `300000 USD`.
    #[arg(long, value_name = "AMOUNT")]
    pub(crate) investment: Option<String>,

    /// Has a job offer in the country: `yes` or `no`.
    #[arg(long, value_name = "YES|NO")]
    pub(crate) job_offer: Option<String>,

    /// An employer or host sponsors the application: `yes` or `no`.
    #[arg(long, value_name = "YES|NO")]
    pub(crate) employer_sponsor: Option<String>,

    /// Works remotely for employers or clients abroad: `yes` or `no`.
    #[arg(long, value_name = "YES|NO")]
    pub(crate) remote_work: Option<String>,

    /// Years of work experience.
    #[arg(long, value_name = "YEARS")]
    pub(crate) work_experience_years: Option<String>,

    /// Holds health insurance for the stay: `yes` or `no`.
    #[arg(long, value_name = "YES|NO")]
    pub(crate) health_insurance: Option<String>,

    /// The criminal record is clean: `yes` or `no`.
    #[arg(long, value_name = "YES|NO")]
    pub(crate) criminal_record_clean: Option<String>,

    /// Languages spoken, with CEFR levels: `en:C1,ru:native`.
    #[arg(long, value_name = "LANG:LEVEL,...")]
    pub(crate) language: Option<String>,

    /// Family ties: `citizen:KZ`, `resident:DE` (commas between several).
    #[arg(long, value_name = "TIE,...")]
    pub(crate) family_of: Option<String>,

    /// Judge the rules in force on this day (`YYYY-MM-DD`); defaults to today (UTC).
    #[arg(long, value_name = "DATE")]
    pub(crate) on: Option<String>,

    /// Only routes of this country: an ISO 3166-1 code or an English name.
    #[arg(long, value_name = "COUNTRY")]
    pub(crate) country: Option<String>,

    /// Only routes of this category (`digital_nomad`, `work`, `citizenship`...).
    #[arg(long, value_name = "CATEGORY")]
    pub(crate) category: Option<String>,

    /// Output format: `human`, or `json` (one JSON object per route).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
}

impl EligibleArgs {
    /// The profile fields given as flags, by field name.
    pub(crate) fn fields(&self) -> Vec<(&'static str, &str)> {
        [
            ("nationality", &self.nationality),
            ("age", &self.age),
            ("income", &self.income),
            ("savings", &self.savings),
            ("investment", &self.investment),
            ("job_offer", &self.job_offer),
            ("employer_sponsor", &self.employer_sponsor),
            ("remote_work", &self.remote_work),
            ("work_experience_years", &self.work_experience_years),
            ("health_insurance", &self.health_insurance),
            ("criminal_record_clean", &self.criminal_record_clean),
            ("language", &self.language),
            ("family_of", &self.family_of),
        ]
        .into_iter()
        .filter_map(|(field, value)| value.as_deref().map(|v| (field, v)))
        .collect()
    }
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
        // No path and no `--dataset`: the command reads `dataset/`.
        assert!(args.paths.is_empty() && args.dataset.is_none());
        assert_eq!(args.format, ValidateFormat::Human);
        let cli = Cli::try_parse_from(["routes", "validate", "--dataset", "d", "--format", "sarif"]).expect("parses");
        let Command::Validate(args) = cli.command else {
            panic!("validate expected")
        };
        assert_eq!(args.dataset, Some(PathBuf::from("d")));
        assert_eq!(args.format, ValidateFormat::Sarif);
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
        assert_eq!(args.format, ValidateFormat::Json);
        assert_eq!(args.paths, vec![PathBuf::from("a"), PathBuf::from("b.jsonl")]);
        assert!(Cli::try_parse_from(["routes", "validate", "--format", "xml"]).is_err());
    }

    #[test]
    fn sources_check_flags() {
        let cli = Cli::try_parse_from(["routes", "sources", "check"]).expect("parses");
        let Command::Sources(SourcesCommand::Check(args)) = cli.command else {
            panic!("sources check expected")
        };
        assert_eq!(args.dataset, PathBuf::from("dataset"));
        assert!(args.routes.is_empty());
        assert_eq!(args.fetch.timeout, 20);
        assert_eq!(args.fetch.per_host_delay, std::time::Duration::from_secs(1));
        assert_eq!(args.fetch.concurrency, 4);
        assert_eq!(args.fetch.max_body, 10);
        let cli = Cli::try_parse_from([
            "routes",
            "sources",
            "check",
            "--route",
            "kz/a",
            "--route",
            "kz/b",
            "--per-host-delay",
            "0.25",
            "--timeout",
            "1",
            "--format",
            "json",
        ])
        .expect("parses");
        let Command::Sources(SourcesCommand::Check(args)) = cli.command else {
            panic!("sources check expected")
        };
        assert_eq!(args.routes, vec!["kz/a".to_owned(), "kz/b".to_owned()]);
        assert_eq!(args.fetch.per_host_delay, std::time::Duration::from_millis(250));
        assert_eq!(args.format, Format::Json);
        for bad in [
            &["--timeout", "0"][..],
            &["--per-host-delay", "-1"],
            &["--per-host-delay", "soon"],
            &["--concurrency", "0"],
        ] {
            let mut command_line = vec!["routes", "sources", "check"];
            command_line.extend_from_slice(bad);
            assert!(Cli::try_parse_from(command_line).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sources_archive_takes_a_route_and_maybe_a_source() {
        let cli = Cli::try_parse_from(["routes", "sources", "archive", "kz/a", "gov-kz"]).expect("parses");
        let Command::Sources(SourcesCommand::Archive(args)) = cli.command else {
            panic!("sources archive expected")
        };
        assert_eq!(args.route, "kz/a");
        assert_eq!(args.source.as_deref(), Some("gov-kz"));
        assert!(Cli::try_parse_from(["routes", "sources", "archive"]).is_err());
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
