#!/usr/bin/env python3
"""Checks a `routes` release folder with the real readers researchers use.

    target/readers-venv/bin/python tests/readers/check_release.py RELEASE_DIR \
        [--cffconvert target/cff-venv/bin/cffconvert] [--expect-country NA]

Runs every check of a release and exits 1 with a message per failure:

- SHA256SUMS lists every file and every hash matches (`sha256sum --check`
  too), and datapackage.json's `sha256:` hashes match the files;
- `frictionless validate datapackage.json` exits 0;
- DuckDB: each Parquet table has exactly the columns and types that
  datapackage.json declares; the CSV, read with the declared types, holds the
  same rows as the Parquet, value for value; the CSV read as all-VARCHAR has the
  same keys; `routes.jsonl` gives the same route ids and the same child keys;
- pandas reads every Parquet table (numpy and pyarrow backends) and CSV with the
  same row counts, and a country code `NA` (Namibia) stays a string;
- polars reads every Parquet table with the declared columns and row counts,
  dates as `Date` and lists as `List(String)`;
- Hugging Face `datasets` loads every table by its config name (the card's
  YAML front matter), offline, with the declared columns and rows;
- `cffconvert --validate` accepts CITATION.cff (when `--cffconvert` is given);
- every ```python and ```sql snippet of the release README runs.

`tests/readers/setup.sh` creates the venvs; `tests/publish.rs` runs this.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl

# The Arrow type of a column (datapackage.json `routes:arrow_type`) and the
# DuckDB type it must read as.
ARROW_TO_DUCKDB = {
    "Utf8": "VARCHAR",
    "Date32": "DATE",
    "Float64": "DOUBLE",
    "Int64": "BIGINT",
    "List<Utf8>": "VARCHAR[]",
}
# Table Schema types that may describe each DuckDB type. Parquet resources
# declare lists as `any` and nullable integers as `number`, the only types
# frictionless reads them as; CSV resources declare lists as `array`.
TABLE_SCHEMA_OK = {
    "VARCHAR": {"string"},
    "DATE": {"date"},
    "DOUBLE": {"number"},
    "BIGINT": {"integer", "number"},
    "VARCHAR[]": {"any", "array"},
}

FAILURES: list[str] = []


def fail(message: str) -> None:
    FAILURES.append(message)
    print(f"FAIL: {message}", flush=True)


def ok(message: str) -> None:
    print(f"ok: {message}", flush=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_sums(release: Path) -> None:
    listed = {}
    for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    # Every file, the search index in `index/` included (it is byte-reproducible).
    files = sorted(
        p.relative_to(release).as_posix()
        for p in release.rglob("*")
        if p.is_file() and p.name != "SHA256SUMS"
    )
    if not (release / "index" / "routes-index.json").is_file():
        fail("the release has no search index (`index/routes-index.json`)")
    if sorted(listed) != files:
        fail(f"SHA256SUMS lists {sorted(listed)}, the folder holds {files}")
    for name, digest in listed.items():
        if (release / name).is_file() and sha256(release / name) != digest:
            fail(f"SHA256SUMS: hash of `{name}` does not match")
    result = subprocess.run(["sha256sum", "--check", "--strict", "--quiet", "SHA256SUMS"], cwd=release)
    if result.returncode != 0:
        fail("`sha256sum --check --strict SHA256SUMS` failed")
    ok(f"SHA256SUMS: {len(listed)} files")


def check_package(release: Path, package: dict) -> None:
    if package.get("$schema") != "https://datapackage.org/profiles/2.0/datapackage.json":
        fail("datapackage.json is not a Data Package v2")
    for key in ("name", "version", "licenses", "contributors", "sources", "created", "resources"):
        if not package.get(key):
            fail(f"datapackage.json has no `{key}`")
    if not isinstance(package.get("routes:format_version"), int):
        fail("datapackage.json has no `routes:format_version`")
    for r in package["resources"]:
        algo, _, digest = r.get("hash", "").partition(":")
        if algo != "sha256" or sha256(release / r["path"]) != digest:
            fail(f"datapackage.json: `{r['name']}` hash does not match `{r['path']}`")
    ok(f"datapackage.json: {len(package['resources'])} resources, hashes match")


def check_frictionless(release: Path) -> None:
    exe = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(exe), "validate", "datapackage.json"], cwd=release, capture_output=True, text=True)
    if result.returncode != 0:
        report = subprocess.run(
            [str(exe), "validate", "--json", "datapackage.json"], cwd=release, capture_output=True, text=True
        )
        fail(f"`frictionless validate datapackage.json` exited {result.returncode}:\n{report.stdout[-4000:]}{result.stderr[-2000:]}")
    else:
        ok("frictionless validate datapackage.json")


def table_resources(package: dict, fmt: str) -> dict[str, dict]:
    out = {}
    for r in package["resources"]:
        # `dictionary.csv` describes the tables; it has no Parquet twin.
        if r.get("format") == fmt and r.get("name") != "dictionary":
            out[Path(r["path"]).stem] = r
    return out


def check_dictionary(package: dict) -> None:
    """`data/dictionary.csv`, read with pandas, lists every column of every table, with its type."""
    import pandas as pd

    d = pd.read_csv("data/dictionary.csv", dtype=str, keep_default_na=False)
    listed = {(t, c): ty for t, c, ty in zip(d["table"], d["column"], d["type"]) if c}
    for name, r in table_resources(package, "parquet").items():
        for f in r["schema"]["fields"]:
            ty = listed.get((name, f["name"]))
            if ty != f.get("routes:arrow_type"):
                fail(f"data/dictionary.csv gives `{name}.{f['name']}` type {ty!r}, datapackage.json {f.get('routes:arrow_type')!r}")
    print(f"ok: data/dictionary.csv: {len(listed)} columns of {d['table'].nunique()} tables, types as declared")


def duckdb_columns(con, source: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def check_duckdb(con, package: dict) -> dict[str, list[tuple]]:
    """Types, then the same rows from Parquet and CSV. Returns the Parquet rows."""
    parquet = table_resources(package, "parquet")
    csvs = table_resources(package, "csv")
    if sorted(parquet) != sorted(csvs) or not parquet:
        fail(f"Parquet tables {sorted(parquet)} and CSV tables {sorted(csvs)} differ")
    rows_by_table = {}
    for table, res in sorted(parquet.items()):
        fields = res["schema"]["fields"]
        key = res["schema"]["primaryKey"]
        declared = [(f["name"], ARROW_TO_DUCKDB.get(f.get("routes:arrow_type"), "?")) for f in fields]
        actual = duckdb_columns(con, f"read_parquet({sql_str(res['path'])})")
        if actual != declared:
            fail(f"DuckDB reads `{res['path']}` as {actual}, datapackage.json declares {declared}")
        for f in fields:
            duck = ARROW_TO_DUCKDB.get(f.get("routes:arrow_type"), "?")
            if f["type"] not in TABLE_SCHEMA_OK.get(duck, set()):
                fail(f"`{table}.{f['name']}`: Table Schema type `{f['type']}` does not describe {duck}")
        order = ", ".join(key)
        rows = con.sql(f"SELECT * FROM read_parquet({sql_str(res['path'])}) ORDER BY {order}").fetchall()
        unordered = con.sql(f"SELECT {order} FROM read_parquet({sql_str(res['path'])})").fetchall()
        if [tuple(r[: len(key)]) for r in rows] != unordered:
            fail(f"`{res['path']}` rows are not sorted by {key}")
        if len(set(unordered)) != len(unordered):
            fail(f"`{res['path']}` has duplicate keys {key}")
        if res.get("routes:rows") != len(rows):
            fail(f"`{res['path']}`: {len(rows)} rows, datapackage.json says {res.get('routes:rows')}")
        rows_by_table[table] = rows

        # CSV with the declared types (lists are JSON text): the same values.
        cres = csvs.get(table)
        if cres is None:
            continue
        cfields = cres["schema"]["fields"]
        types = {
            f["name"]: "VARCHAR" if f["type"] == "array" else ARROW_TO_DUCKDB[f["routes:arrow_type"]] for f in cfields
        }
        spec = "{" + ", ".join(f"{sql_str(k)}: {sql_str(v)}" for k, v in types.items()) + "}"
        typed = con.sql(
            f"SELECT * FROM read_csv({sql_str(cres['path'])}, header = true, auto_detect = false, delim = ',', "
            f"quote = '\"', escape = '\"', nullstr = '', columns = {spec})"
        ).fetchall()
        lists = [i for i, f in enumerate(cfields) if f["type"] == "array"]
        typed = [tuple(json.loads(v) if i in lists and v is not None else v for i, v in enumerate(r)) for r in typed]
        if typed != rows:
            diff = next((i for i, (a, b) in enumerate(zip(typed, rows)) if a != b), min(len(typed), len(rows)))
            fail(
                f"`{cres['path']}` (declared types) differs from `{res['path']}` at row {diff}: "
                f"{typed[diff] if diff < len(typed) else None} != {rows[diff] if diff < len(rows) else None}"
            )
        varchar = con.sql(
            f"SELECT {order} FROM read_csv({sql_str(cres['path'])}, header = true, all_varchar = true)"
        ).fetchall()
        if varchar != [tuple(str(x) for x in r[: len(key)]) for r in rows]:
            fail(f"`{cres['path']}` (all_varchar) keys differ from `{res['path']}`")
        if duckdb_columns(con, f"read_csv({sql_str(cres['path'])}, header = true, all_varchar = true)") != [
            (f["name"], "VARCHAR") for f in cfields
        ]:
            fail(f"`{cres['path']}` header differs from its Table Schema")
        ok(f"DuckDB: `{table}` types as declared, {len(rows)} rows, same values in Parquet and CSV")
    return rows_by_table


def check_jsonl(con, rows_by_table: dict[str, list[tuple]], package: dict) -> None:
    path = "data/routes.jsonl"
    src = f"read_json({sql_str(path)}, format = 'newline_delimited')"
    ids = [r[0] for r in con.sql(f"SELECT id FROM {src}").fetchall()]
    route_ids = [r[0] for r in rows_by_table.get("routes", [])]
    if ids != route_ids:
        fail(f"`{path}` ids (in file order) differ from `routes.parquet`: {ids[:5]}... vs {route_ids[:5]}...")
    parquet = table_resources(package, "parquet")
    for table, items in (("requirements", "requirements"), ("documents", "documents"), ("sources", "sources")):
        keys = con.sql(
            f"SELECT id, item.id FROM (SELECT id, unnest({items}) AS item FROM {src}) ORDER BY ALL"
        ).fetchall()
        nkey = len(parquet[table]["schema"]["primaryKey"])
        expected = sorted(tuple(r[:nkey]) for r in rows_by_table.get(table, []))
        if keys != expected:
            fail(f"`{path}` {table} keys differ from `{table}.parquet`: {len(keys)} vs {len(expected)}")
    ok(f"DuckDB: `{path}` has the same {len(ids)} route ids and the same child keys")


def check_pandas(package: dict, expect_countries: list[str]) -> None:
    for table, res in sorted(table_resources(package, "parquet").items()):
        n = res["routes:rows"]
        names = [f["name"] for f in res["schema"]["fields"]]
        for backend in (None, "pyarrow"):
            df = pd.read_parquet(res["path"], dtype_backend=backend) if backend else pd.read_parquet(res["path"])
            if len(df) != n or list(df.columns) != names:
                fail(f"pandas read_parquet({res['path']}, dtype_backend={backend}): {len(df)} rows, {list(df.columns)}")
        cpath = f"data/{table}.csv"
        df = pd.read_csv(cpath, dtype=str, keep_default_na=False, na_values=[""])
        if len(df) != n or list(df.columns) != names:
            fail(f"pandas read_csv({cpath}): {len(df)} rows, {list(df.columns)}")
    routes_pq = pd.read_parquet("data/routes.parquet", dtype_backend="pyarrow")
    if "date" not in str(routes_pq["last_verified"].dtype):
        fail(f"pandas reads `last_verified` as {routes_pq['last_verified'].dtype}, not a date")
    routes_np = pd.read_parquet("data/routes.parquet")
    routes_csv = pd.read_csv("data/routes.csv", keep_default_na=False)
    for cc in expect_countries:
        for name, df in (("read_parquet", routes_np), ("read_parquet(pyarrow)", routes_pq), ("read_csv(keep_default_na=False)", routes_csv)):
            if cc not in set(df["country"].tolist()):
                fail(f"pandas {name}: country code `{cc}` did not survive (got {sorted(set(map(str, df['country'])))})")
        default = pd.read_csv("data/routes.csv")
        if cc == "NA" and default["country"].isna().any():
            ok("pandas read_csv without keep_default_na turns `NA` into NaN, as the card warns")
    ok(f"pandas: every table from Parquet (numpy, pyarrow) and CSV; countries {expect_countries} kept")


POLARS_TYPE = {"Utf8": pl.String, "Date32": pl.Date, "Float64": pl.Float64, "Int64": pl.Int64, "List<Utf8>": pl.List(pl.String)}


def check_polars(package: dict) -> None:
    for table, res in sorted(table_resources(package, "parquet").items()):
        df = pl.read_parquet(res["path"])
        declared = [(f["name"], POLARS_TYPE[f["routes:arrow_type"]]) for f in res["schema"]["fields"]]
        if list(df.schema.items()) != declared or df.height != res["routes:rows"]:
            fail(f"polars read_parquet({res['path']}): {df.height} rows, {list(df.schema.items())}")
    ok("polars: every Parquet table with the declared types and rows")


def check_datasets(release: Path, package: dict) -> None:
    """Hugging Face `datasets` loads every table by its config name, offline,
    with the declared columns and rows, and writes nothing into the release."""
    before = sorted(p.relative_to(release).as_posix() for p in release.rglob("*"))
    cache = os.environ["HF_HOME"]
    import datasets

    datasets.disable_progress_bars()

    configs = datasets.get_dataset_config_names(str(release))
    # A table with no rows has no config (datasets refuses an empty split).
    tables = {t: r for t, r in table_resources(package, "parquet").items() if r["routes:rows"] > 0}
    if sorted(configs) != sorted(tables):
        fail(f"datasets: configs {sorted(configs)}, the release has tables with rows {sorted(tables)}")
    if datasets.get_dataset_default_config_name(str(release)) != "routes":
        fail("datasets: the default config is not `routes`")
    for table, res in sorted(tables.items()):
        ds = datasets.load_dataset(str(release), table, split="train", cache_dir=cache)
        names = [f["name"] for f in res["schema"]["fields"]]
        if ds.column_names != names or ds.num_rows != res["routes:rows"]:
            fail(f"datasets `{table}`: {ds.num_rows} rows, {ds.column_names}")
    routes = datasets.load_dataset(str(release), split="train", cache_dir=cache)
    if routes.num_rows != tables["routes"]["routes:rows"]:
        fail(f"datasets default config: {routes.num_rows} rows, not the routes")
    after = sorted(p.relative_to(release).as_posix() for p in release.rglob("*"))
    if after != before:
        fail(f"datasets wrote into the release: {sorted(set(after) - set(before))}")
    ok(f"datasets: load_dataset(release, name) gives each of the {len(tables)} tables with its columns and rows")


def check_cff(cffconvert: str | None) -> None:
    if not cffconvert:
        return
    result = subprocess.run([cffconvert, "--validate", "-i", "CITATION.cff"], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"cffconvert --validate: {result.stdout}{result.stderr}")
    else:
        ok("cffconvert --validate -i CITATION.cff")
    if "type: dataset" not in Path("CITATION.cff").read_text(encoding="utf-8"):
        fail("CITATION.cff is not `type: dataset`")


def check_snippets(release: Path) -> None:
    text = (release / "README.md").read_text(encoding="utf-8")
    snippets = re.findall(r"^```(python|sql)\n(.*?)^```", text, flags=re.S | re.M)
    if not any(lang == "python" for lang, _ in snippets) or not any(lang == "sql" for lang, _ in snippets):
        fail(f"README.md has no python and sql snippets to run: {[lang for lang, _ in snippets]}")
    for i, (lang, code) in enumerate(snippets, 1):
        if lang == "python":
            result = subprocess.run([sys.executable, "-c", code], cwd=release, capture_output=True, text=True)
            if result.returncode != 0:
                fail(f"README snippet {i} (python) failed:\n{code}\n{result.stderr[-3000:]}")
                continue
        else:
            try:
                duckdb.connect().sql(code).fetchall()
            except Exception as e:  # noqa: BLE001 - any failure of the snippet is the finding
                fail(f"README snippet {i} (sql) failed:\n{code}\n{e}")
                continue
        ok(f"README snippet {i} ({lang}) runs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("release", type=Path)
    parser.add_argument("--cffconvert", help="path of the cffconvert executable (its own venv)")
    parser.add_argument("--expect-country", action="append", default=[], help="a country code that must survive")
    args = parser.parse_args()
    release = args.release.resolve()
    cffconvert = str(Path(args.cffconvert).resolve()) if args.cffconvert else None
    if not (release / "datapackage.json").is_file():
        print(f"error: `{release}` is not a release folder (no datapackage.json)", file=sys.stderr)
        return 2
    os.chdir(release)
    # Hugging Face `datasets` (here and in the card's snippets) stays offline,
    # with its cache in a folder of this run.
    hf_home = tempfile.TemporaryDirectory()
    os.environ.update({"HF_HOME": hf_home.name, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"})
    package = json.loads(Path("datapackage.json").read_text(encoding="utf-8"))
    con = duckdb.connect()
    steps = [
        lambda: check_sums(release),
        lambda: check_package(release, package),
        lambda: check_frictionless(release),
        lambda: check_jsonl(con, check_duckdb(con, package), package),
        lambda: check_pandas(package, args.expect_country),
        lambda: check_dictionary(package),
        lambda: check_polars(package),
        lambda: check_datasets(release, package),
        lambda: check_cff(cffconvert),
        lambda: check_snippets(release),
    ]
    for step in steps:
        try:
            step()
        except Exception as e:  # noqa: BLE001 - a crash of a reader is a failure to report, not to hide
            fail(f"{type(e).__name__}: {e}")
    if FAILURES:
        print(f"\n{len(FAILURES)} checks failed on {release}", file=sys.stderr)
        return 1
    print(f"\nall reader checks passed on {release}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
