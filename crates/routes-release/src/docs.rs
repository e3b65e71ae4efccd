//! The release's texts for people: `README.md` (the dataset card),
//! `CITATION.cff` and `LICENSE`. Every figure comes from the data.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use routes_formats::{ColumnType, Table};

use crate::partition::{BY_COUNTRY_DIR, PartitionBy};
use crate::stats::Stats;
use crate::{FORMAT_VERSION, ReleaseVersion};

/// The dataset's title.
pub(crate) const TITLE: &str = "routes: an open dataset of immigration routes";

/// What the dataset is, in a few sentences.
pub(crate) const DESCRIPTION: &str = "Immigration routes (visas, residence permits, statuses and citizenship), one record per programme of a country, with typed requirements, documents, and the sources every figure and claim comes from. What no source says is null or `unknown`, never a default.";

/// Keywords for catalogues.
pub(crate) const KEYWORDS: [&str; 6] = [
    "immigration",
    "visas",
    "residence permits",
    "citizenship",
    "migration law",
    "open data",
];

/// The data licence: SPDX id, title, URL.
pub(crate) const LICENSE_ID: &str = "CC-BY-4.0";
pub(crate) const LICENSE_TITLE: &str = "Creative Commons Attribution 4.0 International";
pub(crate) const LICENSE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";

/// YAML double-quoted scalar (JSON strings are valid YAML).
fn yaml(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

pub(crate) fn citation(version: &ReleaseVersion, date: &str, contributors: &[String]) -> String {
    let mut out = String::from("cff-version: 1.2.0\n");
    out.push_str("message: \"If you use this dataset, please cite this version of it as below.\"\n");
    out.push_str("type: dataset\n");
    let _ = writeln!(out, "title: {}", yaml(TITLE));
    let _ = writeln!(out, "version: {}", yaml(&version.to_string()));
    let _ = writeln!(out, "date-released: {}", yaml(date));
    let _ = writeln!(out, "license: {LICENSE_ID}");
    out.push_str("authors:\n");
    for name in contributors {
        let _ = writeln!(out, "  - name: {}", yaml(name));
    }
    let _ = writeln!(out, "abstract: {}", yaml(DESCRIPTION));
    out.push_str("keywords:\n");
    for k in KEYWORDS {
        let _ = writeln!(out, "  - {}", yaml(k));
    }
    out
}

pub(crate) fn license(contributors: &[String]) -> String {
    format!(
        "The data of this release (every file in this folder) is licensed under the\n\
         {LICENSE_TITLE} licence ({LICENSE_ID}).\n\
         \n\
         Copyright: {}.\n\
         \n\
         You are free to share (copy and redistribute the material in any medium or\n\
         format) and adapt (remix, transform and build upon the material) for any\n\
         purpose, even commercially, under these terms:\n\
         \n\
         - Attribution: you must give appropriate credit (cite this release; see\n\
         \x20 CITATION.cff), provide a link to the licence, and indicate if changes were\n\
         \x20 made.\n\
         - No additional restrictions: you may not apply legal terms or technological\n\
         \x20 measures that legally restrict others from doing anything the licence permits.\n\
         \n\
         This is a summary, not a substitute for the licence. The full legal code:\n\
         {LICENSE_URL}legalcode\n\
         \n\
         Each record cites its sources; the texts of those sources remain under their\n\
         own terms.\n",
        contributors.join(", ")
    )
}

fn type_name(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Utf8 => "text",
        ColumnType::Date32 => "date",
        ColumnType::Float64 => "number",
        ColumnType::Int64 => "integer",
        _ => "list of text",
    }
}

fn counts<K: std::fmt::Display>(title: &str, map: &BTreeMap<K, u64>, out: &mut String) {
    let _ = writeln!(out, "| {title} | routes |\n| --- | ---: |");
    for (k, v) in map {
        let _ = writeln!(out, "| `{k}` | {v} |");
    }
    out.push('\n');
}

/// The snippets of "How to read it". The tests run each of them in a release
/// folder with the real readers, so they must stay true.
const DUCKDB_PYTHON: &str = r#"import duckdb

con = duckdb.connect()
rows = con.sql("""
    SELECT r.route_id, q.requirement_id, q.kind, q.amount, q.currency,
           q.money_index, q.multiplier, q.period
    FROM 'data/routes.parquet' AS r
    JOIN 'data/requirements.parquet' AS q USING (route_id)
    WHERE q.amount IS NOT NULL OR q.multiplier IS NOT NULL
    ORDER BY r.route_id, q.requirement_id
""").fetchall()
for row in rows:
    print(row)
"#;

const DUCKDB_SQL: &str = "SELECT country, category, count(*) AS routes, max(last_verified) AS last_verified
FROM 'data/routes.parquet'
GROUP BY ALL
ORDER BY ALL;
";

const PANDAS: &str = r#"import json

import pandas as pd

routes = pd.read_parquet("data/routes.parquet", dtype_backend="pyarrow")
sources = pd.read_parquet("data/sources.parquet", dtype_backend="pyarrow")
print(routes[["route_id", "country", "category", "last_verified"]])
print(sources.groupby("tier").size())

# CSV: keep_default_na=False, or Namibia's country code `NA` turns into a missing value.
routes_csv = pd.read_csv("data/routes.csv", dtype=str, keep_default_na=False, na_values=[""])
codes = routes_csv["codes"].map(json.loads)  # list columns are JSON arrays in CSV
print(routes_csv[["route_id", "country"]].assign(codes=codes))
"#;

/// The common questions, one query each (DuckDB SQL, run in the release folder).
const QUESTIONS: &[(&str, &str)] = &[
    (
        "What does applying cost, in euros where a sourced rate exists?",
        "SELECT route_id, description, amount, currency, money_index, index_amount, amount_eur, eur_rate_date
FROM 'data/fees.parquet'
ORDER BY route_id, fee_index;
",
    ),
    (
        "How long does a decision take, in calendar days?",
        "SELECT route_id, min, max, unit, min_days, max_days, note
FROM 'data/processing_times.parquet'
ORDER BY max_days NULLS LAST, route_id;
",
    ),
    (
        "Which routes lead to permanent residence?",
        "SELECT route_id, country, name, leads_to_permanent_residence_note
FROM 'data/routes.parquet'
WHERE leads_to_permanent_residence = 'yes'
ORDER BY route_id;
",
    ),
    (
        "What monthly income do digital-nomad routes ask for?",
        "SELECT r.route_id, q.requirement_id, q.amount_per_month,
       coalesce(q.currency, q.index_currency) AS currency, q.amount_eur, q.period
FROM 'data/routes.parquet' AS r
JOIN 'data/requirements.parquet' AS q USING (route_id)
WHERE r.category = 'digital_nomad' AND q.kind IN ('min_income', 'min_salary')
ORDER BY q.amount_eur DESC NULLS LAST, r.route_id;
",
    ),
    (
        "Which routes exempt a nationality group, and from what?",
        "SELECT e.route_id, g.group_name, e.description, e.requirements_waived, e.documents_waived
FROM 'data/exemptions.parquet' AS e, unnest(e.groups) AS g(group_name)
ORDER BY e.route_id, g.group_name;
",
    ),
];

/// The same questions in pandas, one statement each.
const QUESTIONS_PANDAS: &str = r#"import pandas as pd

def table(name):
    return pd.read_parquet(f"data/{name}.parquet", dtype_backend="pyarrow")

routes, requirements = table("routes"), table("requirements")
# What does applying cost, in euros where a sourced rate exists?
print(table("fees")[["route_id", "description", "amount", "currency", "index_amount", "amount_eur"]])
# How long does a decision take, in calendar days?
print(table("processing_times").sort_values("max_days")[["route_id", "min_days", "max_days", "note"]])
# Which routes lead to permanent residence?
print(routes.query("leads_to_permanent_residence == 'yes'")[["route_id", "name"]])
# What monthly income do digital-nomad routes ask for?
print(routes.query("category == 'digital_nomad'").merge(requirements, on="route_id")
      .query("kind in ['min_income', 'min_salary']")[["route_id", "amount_per_month", "currency", "amount_eur"]])
# Which routes exempt a nationality group, and from what?
print(table("exemptions").explode("groups").dropna(subset=["groups"])[["route_id", "groups", "requirements_waived"]])
"#;

pub(crate) struct Card<'a> {
    pub(crate) version: &'a ReleaseVersion,
    pub(crate) date: &'a str,
    pub(crate) stats: &'a Stats,
    pub(crate) rows: &'a BTreeMap<Table, u64>,
    pub(crate) previous: Option<&'a ReleaseVersion>,
    /// The dataset's `ABOUT.md`: what it covers and how it was gathered.
    pub(crate) about: Option<&'a str>,
    /// How the tables of routes are partitioned besides, if they are.
    pub(crate) partition_by: Option<PartitionBy>,
}

/// `part` of `whole` as a percentage with one decimal.
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    #[allow(clippy::cast_precision_loss)]
    let share = part as f64 * 100.0 / whole as f64;
    format!("{share:.1} %")
}

/// The card's YAML front matter, in the layout of a Hugging Face dataset
/// card: the licence, and one config per table (its Parquet file as the
/// `train` split), so that `datasets.load_dataset(release, "fees")` and the
/// Hub's viewer load each table as it is, `routes` the default. A table with
/// no rows in this release (no amendments yet, no changes in a first
/// release) gets no config: `datasets` refuses a split with no rows.
fn front_matter(routes: u64, rows: &BTreeMap<Table, u64>) -> String {
    // The Hub's size buckets, by the number of routes.
    let size = match routes {
        0..1_000 => "n<1K",
        1_000..10_000 => "1K<n<10K",
        10_000..100_000 => "10K<n<100K",
        100_000..1_000_000 => "100K<n<1M",
        _ => "1M<n<10M",
    };
    let mut out = format!(
        "---\npretty_name: \"{TITLE}\"\nlicense: {}\nlanguage:\n- en\nsize_categories:\n- {size}\nconfigs:\n",
        LICENSE_ID.to_ascii_lowercase()
    );
    for table in Table::ALL.into_iter().filter(|t| rows.get(t).copied().unwrap_or(0) > 0) {
        let _ = writeln!(
            out,
            "- config_name: {0}\n  data_files:\n  - split: train\n    path: data/{0}.parquet{1}",
            table.name(),
            if table == Table::Routes {
                "\n  default: true"
            } else {
                ""
            }
        );
    }
    out.push_str("---\n\n");
    out
}

/// Loading tables with Hugging Face `datasets`, run by the reader test.
const HF_DATASETS: &str = r#"from pathlib import Path

import datasets

release = str(Path.cwd())  # this folder: `datasets` needs a path with a name, not "."
fees = datasets.load_dataset(release, "fees", split="train")
print(fees.num_rows, fees.column_names[:4])
routes = datasets.load_dataset(release, split="train")  # the default config
print(routes.to_pandas().groupby("country").size())
"#;

impl Card<'_> {
    /// Routes per country and category, one row per country.
    fn render_by_country(&self, out: &mut String) {
        let s = self.stats;
        let categories: std::collections::BTreeSet<&str> = s.country_categories.keys().map(|(_, c)| *c).collect();
        out.push_str("\n### Routes per country and category\n\n| country |");
        for c in &categories {
            let _ = write!(out, " `{c}` |");
        }
        out.push_str(" all |\n| --- |");
        for _ in &categories {
            out.push_str(" ---: |");
        }
        out.push_str(" ---: |\n");
        for (country, total) in &s.countries {
            let _ = write!(out, "| `{country}` |");
            for c in &categories {
                let n = s
                    .country_categories
                    .get(&(country.clone(), *c))
                    .copied()
                    .unwrap_or_default();
                if n == 0 {
                    out.push_str(" |");
                } else {
                    let _ = write!(out, " {n} |");
                }
            }
            let _ = writeln!(out, " {total} |");
        }
    }

    /// What the facts rest on, how much is unknown, and how old the sources are.
    fn render_evidence(&self, out: &mut String) {
        let s = self.stats;
        let known: u64 = s.known_facts.values().sum();
        let all = known + s.unknown_facts;
        out.push_str(
            "\n### What the data rests on\n\n\
             A fact is a figure, a range or a yes/no claim of a record (each requirement, term, renewal, fee, \
             processing time, nationality scope and path onward). Each fact that states something counts once, \
             under the most authoritative tier of the sources it cites.\n\n\
             | facts | count | share of all facts |\n| --- | ---: | ---: |\n",
        );
        for (tier, label) in [
            ("official", "backed by an `official` source"),
            ("official_adjacent", "best backed by an `official_adjacent` source"),
            ("third_party", "backed by `third_party` sources only"),
            ("none", "stated without a source"),
        ] {
            let n = s.known_facts.get(tier).copied().unwrap_or_default();
            let _ = writeln!(out, "| {label} | {n} | {} |", percent(n, all));
        }
        let _ = writeln!(
            out,
            "| still `unknown` | {} | {} |",
            s.unknown_facts,
            percent(s.unknown_facts, all)
        );
        let _ = writeln!(out, "| all facts | {all} | |");
        out.push_str(
            "\n### How old the sources are\n\n\
             `seen` is the day a stored copy of the page was read; `published` is the date the page itself prints. \
             Many pages print none.\n\n\
             | country | seen, oldest | seen, newest | published, oldest | published, newest | sources with no printed date |\n\
             | --- | --- | --- | --- | --- | ---: |\n",
        );
        let span = |d: Option<(routes_core::Date, routes_core::Date)>| {
            d.map_or(("–".to_owned(), "–".to_owned()), |(a, b)| {
                (a.to_string(), b.to_string())
            })
        };
        for (country, dates) in &s.source_dates {
            let (seen_first, seen_last) = span(dates.seen);
            let (pub_first, pub_last) = span(dates.published);
            let _ = writeln!(
                out,
                "| `{country}` | {seen_first} | {seen_last} | {pub_first} | {pub_last} | {} |",
                dates.undated
            );
        }
    }

    /// How to read the partitions by country: DuckDB, polars and pyarrow,
    /// each reading only the folder of the country asked for. The country
    /// column is declared text, so that no reader guesses its type from a
    /// folder name.
    fn render_partitions(&self, out: &mut String) {
        let country = self.stats.countries.keys().next().map_or("KZ", String::as_str);
        let _ = write!(
            out,
            "Partitions by country (`{BY_COUNTRY_DIR}/`), read with partition pruning: only the folder of the country asked for is opened.\n\n\
             ```sql\nSELECT country, route_id, fee_index, amount, currency\n\
             FROM read_parquet('{BY_COUNTRY_DIR}/fees/*/*.parquet', hive_partitioning = true, hive_types = {{'country': VARCHAR}})\n\
             WHERE country = '{country}'\nORDER BY route_id, fee_index;\n```\n\n\
             ```python\nimport polars as pl\n\n\
             fees = pl.scan_parquet(\"{BY_COUNTRY_DIR}/fees/*/*.parquet\", hive_partitioning=True, hive_schema={{\"country\": pl.String}})\n\
             print(fees.filter(pl.col(\"country\") == \"{country}\").collect())\n```\n\n\
             ```python\nimport pyarrow as pa\nimport pyarrow.dataset as ds\n\n\
             fees = ds.dataset(\"{BY_COUNTRY_DIR}/fees\", format=\"parquet\", partitioning=ds.partitioning(pa.schema([(\"country\", pa.string())]), flavor=\"hive\"))\n\
             print(fees.to_table(filter=ds.field(\"country\") == \"{country}\").to_pandas())\n```\n\n"
        );
    }

    pub(crate) fn render(&self) -> String {
        let s = self.stats;
        let mut out = front_matter(s.routes, self.rows);
        let _ = writeln!(out, "# {TITLE}, release {}\n", self.version);
        let _ = writeln!(
            out,
            "Released {} (release format {FORMAT_VERSION}). Data licence: {LICENSE_TITLE} ({LICENSE_ID}), see `LICENSE`. \
             Cite this exact version: `CITATION.cff`. Changes since the previous release: `CHANGELOG.md`{}.\n",
            self.date,
            self.previous
                .map_or_else(String::new, |p| format!(" (compared with {p})")),
        );
        let _ = writeln!(out, "{DESCRIPTION}\n");
        if let Some(about) = self.about {
            let _ = writeln!(out, "## About this dataset\n\n{}\n", about.trim());
        }

        out.push_str("## In figures\n\nComputed from the data of this release.\n\n| | |\n| --- | ---: |\n");
        let _ = writeln!(out, "| routes | {} |", s.routes);
        let _ = writeln!(out, "| countries | {} |", s.countries.len());
        let _ = writeln!(out, "| requirements | {} |", s.requirements);
        let _ = writeln!(
            out,
            "| requirements with an amount of money | {} |",
            s.money_requirements
        );
        let _ = writeln!(out, "| documents | {} |", s.documents);
        let _ = writeln!(out, "| sources cited (rows of `sources`) | {} |", s.sources);
        let _ = writeln!(out, "| distinct web sites cited | {} |", s.hosts.len());
        if let (Some(first), Some(last)) = (s.first_verified, s.last_verified) {
            let _ = writeln!(out, "| records last verified | {first} to {last} |");
        }
        out.push_str("\n### Coverage\n\n");
        counts("country", &s.countries, &mut out);
        counts("category", &s.categories, &mut out);
        counts("status", &s.statuses, &mut out);
        counts("review status", &s.review, &mut out);
        out.push_str("| source tier | sources |\n| --- | ---: |\n");
        for (k, v) in &s.tiers {
            let _ = writeln!(out, "| `{k}` | {v} |");
        }
        self.render_by_country(&mut out);
        self.render_evidence(&mut out);

        out.push_str("\n## Files\n\n| file | what it holds | rows |\n| --- | --- | ---: |\n");
        for table in Table::ALL {
            let rows = self.rows.get(&table).copied().unwrap_or_default();
            let _ = writeln!(
                out,
                "| `data/{0}.parquet`, `data/{0}.csv` | {1} | {rows} |",
                table.name(),
                table.description()
            );
        }
        let _ = writeln!(
            out,
            "| `data/routes.jsonl` | The full records, nested, exactly as validated: one JSON object per line, sorted by `id`; `schema/route.schema.json` describes them. | {} |",
            s.routes
        );
        if self.partition_by == Some(PartitionBy::Country) {
            let _ = writeln!(
                out,
                "| `{BY_COUNTRY_DIR}/<table>/country=<CC>/part-0.parquet` | Each table of routes once more, as hive-style partitions by country: the same rows as `data/<table>.parquet`, in folders named by the country (`country=KZ`), which readers turn back into a `country` column. Every country of the release has a file in every table. | |"
            );
        }
        out.push_str(
            "| `datapackage.json` | Frictionless Data Package v2: every file with its Table Schema (types, keys, descriptions) and SHA-256. | |\n\
             | `SHA256SUMS` | Checksums of every file: `sha256sum --check SHA256SUMS`. | |\n\
             | `CHANGELOG.md`, `CITATION.cff`, `LICENSE` | What changed, how to cite, the licence. | |\n",
        );

        out.push_str("\n## How to read it\n\n");
        out.push_str(
            "Every table of routes is keyed by `route_id` plus the row's own id (`requirement_id`, `document_id`, \
             `source_id`) or, for items without one, its position in the record (`fee_index`, ...); the reference \
             tables by their own keys; rows are sorted by key, and `data/dictionary.csv` lists every column. Types are explicit and the same in every release: dates are `Date32` \
             (`DATE` in DuckDB), lists are `List<Utf8>` (`VARCHAR[]`), money is `Float64`. \
             What a record does not say is null, never `0` or `\"\"`.\n\n",
        );
        let _ = write!(out, "DuckDB from Python:\n\n```python\n{DUCKDB_PYTHON}```\n\n");
        let _ = write!(
            out,
            "DuckDB SQL (the `duckdb` shell, run in this folder):\n\n```sql\n{DUCKDB_SQL}```\n\n"
        );
        let _ = write!(out, "pandas:\n\n```python\n{PANDAS}```\n\n");
        let _ = write!(
            out,
            "Hugging Face `datasets` (one config per table with rows, named as the table; `routes` is the default):\n\n```python\n{HF_DATASETS}```\n\n"
        );
        if self.partition_by == Some(PartitionBy::Country) {
            self.render_partitions(&mut out);
        }
        out.push_str("Common questions, one query each (DuckDB SQL):\n\n");
        for (question, sql) in QUESTIONS {
            let _ = write!(out, "{question}\n\n```sql\n{sql}```\n\n");
        }
        let _ = write!(
            out,
            "The same questions in pandas:\n\n```python\n{QUESTIONS_PANDAS}```\n\n"
        );
        out.push_str(
            "Traps:\n\n\
             - In CSV, `NA` is Namibia's country code: read with `keep_default_na=False` (pandas) so it does not become \
             a missing value; an empty field is null.\n\
             - In CSV, list columns hold JSON arrays (`[\"B9-1\"]`, `[]` when empty).\n\
             - Amounts set in an official index (`money_index`, such as `KZ_MCI`) have no `amount`: `index_amount` is \
             `multiplier` times the index value of `index_year` (`index_values`), null when the record names no year.\n\
             - `amount_eur` is null wherever no sourced exchange rate exists: a missing euro figure is not zero.\n\
             - Rows that share a `conflict` name state the same fact differently, each from its own source: keep them apart.\n\
             - `changes` compares with the previous release by the tables' keys: an item with no id of its own is keyed by \
             its position (`fee_index`, `pointer`), so a fee inserted before others shows the later ones as changed.\n",
        );

        out.push_str("\n## Columns\n");
        for table in Table::ALL {
            let _ = write!(
                out,
                "\n### `{}`\n\n{} Key: {}.\n\n| column | type | always set | description |\n| --- | --- | --- | --- |\n",
                table.name(),
                table.description(),
                table
                    .primary_key()
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for c in table.columns() {
                let mut description = c.description.to_owned();
                if !c.values.is_empty() {
                    let _ = write!(
                        description,
                        " One of {}.",
                        c.values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                    );
                }
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    c.name,
                    type_name(c.ty),
                    if c.required { "yes" } else { "no" },
                    description.replace('|', "\\|")
                );
            }
        }
        out
    }
}
