"""Reads the partitions of a release published with `--partition-by country`
(`data/by_country/<table>/country=<CC>/part-0.parquet`) with DuckDB, polars
and pyarrow, and checks that:

- every table that `datapackage.json` names under `routes:partitions` has a
  folder per country of the release, and no other;
- each file's schema is the table's minus `country`, in types DuckDB,
  polars, Spark and Trino share (text, date32, float64, int64, list of text);
- the partitions, with `country` read back from the folder names, hold
  exactly the rows of `data/<table>.parquet` (DuckDB, EXCEPT ALL both ways),
  and polars and pyarrow count the same rows per country;
- a filter on `country` opens only that country's folder (partition
  pruning): in a copy whose other partitions are garbage, the filtered query
  still answers, and the unfiltered one fails.

Usage: check_partitions.py RELEASE_DIR
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

FAILURES: list[str] = []
SHARED_TYPES = {pa.string(), pa.date32(), pa.float64(), pa.int64()}


def shared(t: pa.DataType) -> bool:
    """Text, date32, float64, int64, or a list of text."""
    return t in SHARED_TYPES or (pa.types.is_list(t) and t.value_type == pa.string())


def fail(message: str) -> None:
    FAILURES.append(message)
    print(f"FAIL {message}", file=sys.stderr)


def ok(message: str) -> None:
    print(f"ok   {message}")


def hive(table_dir: Path) -> ds.Dataset:
    return ds.dataset(
        table_dir,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([("country", pa.string())]), flavor="hive"),
    )


def duck_source(table_dir: Path) -> str:
    return (
        f"read_parquet('{table_dir.as_posix()}/*/*.parquet', hive_partitioning = true, "
        "hive_types = {'country': VARCHAR})"
    )


def check_table(con, release: Path, layout: dict, table: str, countries: set[str]) -> None:
    table_dir = release / layout["path"].split("{table}")[0] / table
    folders = {p.name for p in table_dir.iterdir()}
    expected = {f"country={c}" for c in countries}
    if folders != expected:
        fail(f"{table}: partition folders {sorted(folders)}, expected {sorted(expected)}")
        return
    whole_schema = pq.read_schema(release / "data" / f"{table}.parquet")
    for folder in sorted(folders):
        files = sorted(p.name for p in (table_dir / folder).iterdir())
        if files != ["part-0.parquet"]:
            fail(f"{table}/{folder} holds {files}, expected one part-0.parquet")
            continue
        schema = pq.read_schema(table_dir / folder / "part-0.parquet")
        want = [f for f in whole_schema if f.name != "country"]
        if [(f.name, f.type) for f in schema] != [(f.name, f.type) for f in want]:
            fail(f"{table}/{folder}: schema {schema} is not the table's without `country`")
        odd = [f"{f.name}: {f.type}" for f in schema if not shared(f.type)]
        if odd:
            fail(f"{table}/{folder}: types engines do not share: {odd}")

    # The same rows as the whole table, `country` taken from the folder.
    whole = f"read_parquet('{(release / 'data' / f'{table}.parquet').as_posix()}')"
    names = [f.name for f in whole_schema if f.name != "country"]
    cols = ", ".join(f'"{n}"' for n in names)
    country_of_whole = "country" if "country" in whole_schema.names else "upper(split_part(route_id, '/', 1))"
    left = f"SELECT {cols}, {country_of_whole} AS country FROM {whole}"
    right = f"SELECT {cols}, country FROM {duck_source(table_dir)}"
    missing = con.execute(f"SELECT count(*) FROM ({left} EXCEPT ALL {right})").fetchone()[0]
    extra = con.execute(f"SELECT count(*) FROM ({right} EXCEPT ALL {left})").fetchone()[0]
    total = con.execute(f"SELECT count(*) FROM {whole}").fetchone()[0]
    if missing or extra:
        fail(f"{table}: the partitions miss {missing} rows of data/{table}.parquet and add {extra}")
    per_country = dict(con.execute(f"SELECT country, count(*) FROM {duck_source(table_dir)} GROUP BY ALL").fetchall())

    lazy = pl.scan_parquet(
        f"{table_dir.as_posix()}/*/*.parquet", hive_partitioning=True, hive_schema={"country": pl.String}
    )
    polars_counts = dict(lazy.group_by("country").len().collect().iter_rows())
    if polars_counts != per_country:
        fail(f"{table}: polars counts {polars_counts}, DuckDB {per_country}")
    arrow_table = hive(table_dir).to_table()
    arrow_counts = {
        row["country"]: row["count_all"] for row in arrow_table.group_by("country").aggregate([([], "count_all")]).to_pylist()
    }
    if arrow_counts != per_country:
        fail(f"{table}: pyarrow counts {arrow_counts}, DuckDB {per_country}")
    if arrow_table.schema.field("country").type != pa.string():
        fail(f"{table}: pyarrow reads `country` as {arrow_table.schema.field('country').type}")
    ok(f"{table}: {len(folders)} partitions, {total} rows, the same in DuckDB, polars and pyarrow")


def check_pruning(release: Path, layout: dict, table: str, countries: list[str]) -> None:
    """Turns every partition but one into garbage: a filtered read must still
    answer (it never opened the others), an unfiltered one must fail."""
    if len(countries) < 2:
        fail(f"pruning needs two countries, the release has {countries}")
        return
    keep = countries[0]
    source = release / layout["path"].split("{table}")[0] / table
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / table
        shutil.copytree(source, copy)
        for folder in copy.iterdir():
            if folder.name != f"country={keep}":
                (folder / "part-0.parquet").write_bytes(b"not parquet")
        expected = pq.read_table(source / f"country={keep}" / "part-0.parquet").num_rows
        con = duckdb.connect()
        got = con.execute(f"SELECT count(*) FROM {duck_source(copy)} WHERE country = '{keep}'").fetchone()[0]
        if got != expected:
            fail(f"DuckDB pruning: {got} rows of {keep}, expected {expected}")
        lazy = pl.scan_parquet(f"{copy.as_posix()}/*/*.parquet", hive_partitioning=True, hive_schema={"country": pl.String})
        got = lazy.filter(pl.col("country") == keep).collect().height
        if got != expected:
            fail(f"polars pruning: {got} rows of {keep}, expected {expected}")
        fragments = list(hive(copy).get_fragments(filter=ds.field("country") == keep))
        if [Path(f.path).parent.name for f in fragments] != [f"country={keep}"]:
            fail(f"pyarrow pruning: fragments {[f.path for f in fragments]}")
        try:
            con.execute(f"SELECT count(*) FROM {duck_source(copy)}").fetchone()
        except duckdb.Error:
            pass
        else:
            fail("DuckDB read the garbage partitions without error: the pruning check proves nothing")
    ok(f"{table}: a filter on country = '{keep}' opens only its folder (DuckDB, polars, pyarrow)")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    release = Path(sys.argv[1]).resolve()
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    layout = package.get("routes:partitions")
    if not layout:
        print(f"error: `{release}` was not published with --partition-by", file=sys.stderr)
        return 2
    if layout.get("by") != "country" or layout.get("layout") != "hive":
        fail(f"datapackage.json `routes:partitions` is {layout}")
    con = duckdb.connect()
    routes = (release / "data" / "routes.parquet").as_posix()
    countries = [c for (c,) in con.execute(f"SELECT DISTINCT country FROM '{routes}' ORDER BY 1").fetchall()]
    for table in layout["tables"]:
        try:
            check_table(con, release, layout, table, set(countries))
        except Exception as e:  # noqa: BLE001 - a crash of a reader is a failure to report
            fail(f"{table}: {type(e).__name__}: {e}")
    for table in ("routes", "fees"):
        try:
            check_pruning(release, layout, table, countries)
        except Exception as e:  # noqa: BLE001
            fail(f"pruning of {table}: {type(e).__name__}: {e}")
    if FAILURES:
        print(f"\n{len(FAILURES)} partition checks failed on {release}", file=sys.stderr)
        return 1
    print(f"\nall partition checks passed on {release}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
