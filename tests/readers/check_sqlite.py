#!/usr/bin/env python3
"""Checks the `data/routes.sqlite` of a `routes` release with Python's `sqlite3`.

    target/readers-venv/bin/python tests/readers/check_sqlite.py RELEASE_DIR \
        [--search 'health insurance=kz/temporary-residence-permit' ...]

Exits 1 with a message per failure:

- the database is listed in SHA256SUMS and in datapackage.json (format
  `sqlite`, mediatype `application/vnd.sqlite3`, a matching hash);
- `PRAGMA integrity_check` is `ok`, `PRAGMA foreign_key_check` is empty,
  `user_version` is the release's `routes:format_version`;
- every table of the Parquet resources is a table of the database with the
  same columns, declared types (TEXT, REAL, INTEGER), primary key and foreign
  key, and the same rows in the same (key) order, value for value (dates as
  `YYYY-MM-DD` text, lists as JSON-array text, null as NULL); the CSV has as
  many rows;
- the FTS5 table `search` has one row per route, with the route's rowid, and
  each `--search QUERY=ROUTE_ID` finds that route (`WHERE search MATCH QUERY`).

`tests/sqlite.rs` runs this.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sqlite3
import sys
from pathlib import Path

import pyarrow.parquet as pq

FAILURES: list[str] = []

SQLITE_TYPE = {"Utf8": "TEXT", "Date32": "TEXT", "Float64": "REAL", "Int64": "INTEGER", "List<Utf8>": "TEXT"}


def fail(message: str) -> None:
    FAILURES.append(message)
    print(f"FAIL: {message}", flush=True)


def ok(message: str) -> None:
    print(f"ok: {message}", flush=True)


def as_sqlite(value, arrow_type: str):
    """A Parquet value as the database must hold it."""
    if value is None:
        return None
    if arrow_type == "Date32":
        return value.isoformat()
    if arrow_type == "List<Utf8>":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def check_listed(release: Path, package: dict) -> None:
    path = "data/routes.sqlite"
    digest = hashlib.sha256((release / path).read_bytes()).hexdigest()
    sums = dict(
        reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    if sums.get(path) != digest:
        fail(f"SHA256SUMS does not list `{path}` with its hash")
    if sums.get("metadata.json") is None:
        fail("SHA256SUMS does not list `metadata.json`")
    res = [r for r in package["resources"] if r.get("path") == path]
    if len(res) != 1:
        fail(f"datapackage.json lists `{path}` {len(res)} times")
        return
    r = res[0]
    if (r.get("format"), r.get("mediatype"), r.get("hash")) != ("sqlite", "application/vnd.sqlite3", f"sha256:{digest}"):
        fail(f"datapackage.json describes `{path}` as {r}")
    ok(f"`{path}` is listed in SHA256SUMS and datapackage.json")


def check_tables(db: sqlite3.Connection, package: dict) -> None:
    if db.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
        fail("PRAGMA integrity_check is not ok")
    broken = db.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        fail(f"PRAGMA foreign_key_check: {broken[:5]}")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version != package["routes:format_version"]:
        fail(f"user_version is {version}, the release's format version {package['routes:format_version']}")
    parquet = [r for r in package["resources"] if r.get("format") == "parquet"]
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for res in parquet:
        table = Path(res["path"]).stem
        if table not in tables:
            fail(f"the database has no table `{table}`")
            continue
        fields = res["schema"]["fields"]
        info = db.execute(f'PRAGMA table_info("{table}")').fetchall()
        declared = [(f["name"], SQLITE_TYPE[f["routes:arrow_type"]]) for f in fields]
        if [(c[1], c[2]) for c in info] != declared:
            fail(f"`{table}` has columns {[(c[1], c[2]) for c in info]}, datapackage.json declares {declared}")
        key = [c[1] for c in sorted((c for c in info if c[5]), key=lambda c: c[5])]
        if key != res["schema"]["primaryKey"]:
            fail(f"`{table}` has primary key {key}, datapackage.json {res['schema']['primaryKey']}")
        fks = sorted((row[2], row[3]) for row in db.execute(f'PRAGMA foreign_key_list("{table}")'))
        want = sorted(
            (fk["reference"]["resource"].rsplit("-", 1)[0], field)
            for fk in res["schema"].get("foreignKeys", [])
            for field in fk["fields"]
        )
        if fks != want:
            fail(f"`{table}` has foreign keys {fks}, datapackage.json {want}")
        names = ", ".join(f'"{f["name"]}"' for f in fields)
        rows = db.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid').fetchall()
        types = [f["routes:arrow_type"] for f in fields]
        expected = [
            tuple(as_sqlite(row[f["name"]], t) for f, t in zip(fields, types))
            for row in pq.read_table(res["path"]).to_pylist()
        ]
        if rows != expected:
            diff = next((i for i, (a, b) in enumerate(zip(rows, expected)) if a != b), min(len(rows), len(expected)))
            fail(
                f"`{table}` differs from `{res['path']}` at row {diff} ({len(rows)} vs {len(expected)} rows): "
                f"{rows[diff] if diff < len(rows) else None} != {expected[diff] if diff < len(expected) else None}"
            )
        with open(f"data/{table}.csv", newline="", encoding="utf-8") as f:
            csv_rows = sum(1 for _ in csv.reader(f)) - 1
        if csv_rows != len(rows) or res.get("routes:rows") != len(rows):
            fail(f"`{table}`: {len(rows)} rows, the CSV {csv_rows}, datapackage.json {res.get('routes:rows')}")
        ok(f"`{table}`: {len(rows)} rows, the same columns, keys and values as Parquet and CSV")


def check_search(db: sqlite3.Connection, searches: list[str]) -> None:
    routes = db.execute("SELECT count(*) FROM routes").fetchone()[0]
    joined = db.execute(
        "SELECT count(*) FROM routes AS r JOIN search AS s ON s.rowid = r.rowid AND s.route_id = r.route_id"
    ).fetchone()[0]
    if joined != routes or db.execute("SELECT count(*) FROM search").fetchone()[0] != routes:
        fail(f"`search` does not hold one row per route with its rowid ({joined} of {routes})")
    for item in searches:
        query, _, route_id = item.rpartition("=")
        found = [r[0] for r in db.execute("SELECT route_id FROM search WHERE search MATCH ? ORDER BY rank", (query,))]
        if route_id not in found:
            fail(f"`search MATCH {query!r}` does not find `{route_id}`: {found}")
        else:
            ok(f"`search MATCH {query!r}` finds `{route_id}` ({len(found)} routes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("release", type=Path)
    parser.add_argument("--search", action="append", default=[], help="QUERY=ROUTE_ID that the search must find")
    args = parser.parse_args()
    release = args.release.resolve()
    os.chdir(release)
    package = json.loads(Path("datapackage.json").read_text(encoding="utf-8"))
    # Read-only: the check must not change the release.
    db = sqlite3.connect(f"file:{release / 'data/routes.sqlite'}?mode=ro", uri=True)
    print(f"sqlite3 {sqlite3.sqlite_version}", flush=True)
    for step in (
        lambda: check_listed(release, package),
        lambda: check_tables(db, package),
        lambda: check_search(db, args.search),
    ):
        try:
            step()
        except Exception as e:  # noqa: BLE001 - a crash of the reader is a failure to report
            fail(f"{type(e).__name__}: {e}")
    if FAILURES:
        print(f"\n{len(FAILURES)} checks failed on {release}", file=sys.stderr)
        return 1
    print(f"\nall SQLite checks passed on {release}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
