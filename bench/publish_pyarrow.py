"""Baseline: JSON Lines to Parquet with pyarrow.

usage: publish_pyarrow.py ROUTES_JSONL OUT_PARQUET
pyarrow.json.read_json, then pyarrow.parquet.write_table(..., compression="zstd"); prints
{"rows": N, "bytes": size} on stdout.
"""
import json
import os
import sys

import pyarrow.json
import pyarrow.parquet as pq

src, out = sys.argv[1], sys.argv[2]
table = pyarrow.json.read_json(src)
pq.write_table(table, out, compression="zstd")
print(json.dumps({"rows": table.num_rows, "bytes": os.path.getsize(out)}))
