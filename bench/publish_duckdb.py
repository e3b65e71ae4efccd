"""Baseline: JSON Lines to Parquet with DuckDB.

usage: publish_duckdb.py ROUTES_JSONL OUT_PARQUET
Runs COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet, COMPRESSION zstd); prints
{"rows": N, "bytes": size} on stdout.
"""
import json
import os
import sys

import duckdb

src, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"COPY (SELECT * FROM read_json('{src}')) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
rows = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0]
print(json.dumps({"rows": rows, "bytes": os.path.getsize(out)}))
