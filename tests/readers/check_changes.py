"""Checks a release's `changes` table against the two releases it compares.

Usage: check_changes.py OLD NEW

Reads both releases' Parquet tables with pyarrow (not with routes), applies
NEW's `data/changes.parquet` to OLD's rows, and requires the result to be
NEW's rows exactly, table by table, for every table both releases hold: so
every difference is in the changes table, and every change in it is real.
Exits 1 with the first difference.
"""

import json
import math
import sys
from pathlib import Path

import pyarrow.parquet as pq


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def text(value):
    """A cell as the changes table writes it."""
    if value is None:
        return None
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    return str(value)


def rows(release: Path, table: str, key: list[str]) -> dict:
    t = pq.read_table(release / "data" / f"{table}.parquet")
    out = {}
    for row in t.to_pylist():
        k = json.dumps([text(row[c]) or "" for c in key], ensure_ascii=False, separators=(",", ":"))
        if k in out:
            fail(f"{release.name}: `{table}` holds the key {k} twice")
        out[k] = {c: text(v) for c, v in row.items()}
    return out


def main() -> int:
    old, new = Path(sys.argv[1]), Path(sys.argv[2])
    package = json.loads((new / "datapackage.json").read_text())
    keys = {
        Path(r["path"]).stem: r["schema"]["primaryKey"]
        for r in package["resources"]
        if isinstance(r.get("path"), str) and r["path"].endswith(".parquet")
    }
    changes = pq.read_table(new / "data" / "changes.parquet").to_pylist()
    if [c["change_index"] for c in changes] != list(range(len(changes))):
        fail("`change_index` does not number the changes 0, 1, 2...")
    by_table: dict[str, list] = {}
    for c in changes:
        by_table.setdefault(c["table_name"], []).append(c)
    checked = 0
    for table, key in sorted(keys.items()):
        if table == "changes" or not (old / "data" / f"{table}.parquet").exists():
            continue
        before, after = rows(old, table, key), rows(new, table, key)
        for c in by_table.pop(table, []):
            row = before.setdefault(c["row_key"], {})
            if row.get(c["field"]) != c["old_value"]:
                fail(f"{table} {c['row_key']} {c['field']}: the old value is {row.get(c['field'])!r}, the change says {c['old_value']!r}")
            row[c["field"]] = c["new_value"]
            if c["route_id"] is not None and json.loads(c["row_key"])[0] != c["route_id"]:
                fail(f"change {c['change_index']}: `route_id` {c['route_id']} is not the row's")
        # Rows whose values are all gone were removed; rows of added keys hold only what was added.
        def held(v: dict) -> dict:
            return {c: x for c, x in v.items() if x not in (None, "[]") and c != "route_id"}

        expected = {k: held(v) for k, v in after.items()}
        got = {k: held(v) for k, v in before.items() if held(v)}
        if got != expected:
            diff = sorted(set(got) ^ set(expected)) or [k for k in expected if got.get(k) != expected[k]]
            k = diff[0]
            fail(f"`{table}`: old rows with the changes applied differ from the new rows at {k}: {got.get(k)} != {expected.get(k)}")
        checked += 1
    if by_table:
        fail(f"changes name tables that were not compared: {sorted(by_table)}")
    print(f"ok: {len(changes)} changes turn {old.name}'s {checked} tables into {new.name}'s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
