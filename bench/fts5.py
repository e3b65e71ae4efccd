"""Baseline: SQLite FTS5 over the same route text that `routes index` indexes.

usage: fts5.py build ROUTES_JSONL DB
       fts5.py search DB QUERIES_JSON RUNS

One row per route: id (not indexed), country, category, name, labels (requirement kinds,
document names, source titles), text (summary, requirement descriptions, exemptions, notes,
fees, channels). Tokenizer `porter unicode61 remove_diacritics 2`: English stems, case and
diacritics folded, as `routes` does. `search` times each query's MATCH ... ORDER BY bm25 LIMIT 10
(with a snippet, as `routes search` shows one) in process and prints p50/p99 in microseconds.
"""
import json
import sqlite3
import sys
import time

import orjson

SCHEMA = (
    "CREATE VIRTUAL TABLE routes USING fts5(id UNINDEXED, country, category, name, labels, text, "
    "tokenize='porter unicode61 remove_diacritics 2')"
)
# Field boosts as `routes search` ranks: names x3, labels x2, text x1.
SEARCH = (
    "SELECT id, snippet(routes, 5, '**', '**', '...', 16) FROM routes WHERE routes MATCH ? "
    "ORDER BY bm25(routes, 0.0, 0.0, 0.0, 3.0, 2.0, 1.0) LIMIT 10"
)


def row(r):
    labels = [q.get("kind", "").replace("_", " ") for q in r.get("requirements", [])]
    labels += [d.get("name", "") for d in r.get("documents", [])]
    labels += [s.get("title", "") for s in r.get("sources", [])]
    text = [r.get("summary", "")]
    text += [q.get("description", "") for q in r.get("requirements", [])]
    text += [q.get("note", "") for q in r.get("requirements", [])]
    text += [e.get("description", "") for e in r["eligibility"].get("exemptions", [])]
    text += [n.get("text", "") for n in r.get("notes", [])]
    app = r.get("application", {})
    text += [f.get("description", "") for f in app.get("fees", [])]
    text += [c.get("name", "") for c in app.get("channels", [])]
    return (r["id"], r["country"], r["category"], r["name"], "\n".join(labels), "\n".join(text))


def build(src, db):
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(SCHEMA)
    n = 0
    with open(src, "rb") as f:
        batch = []
        for line in f:
            batch.append(row(orjson.loads(line)))
            if len(batch) == 1000:
                con.executemany("INSERT INTO routes VALUES (?, ?, ?, ?, ?, ?)", batch)
                n += len(batch)
                batch = []
        con.executemany("INSERT INTO routes VALUES (?, ?, ?, ?, ?, ?)", batch)
        n += len(batch)
    con.execute("INSERT INTO routes(routes) VALUES ('optimize')")
    con.commit()
    con.close()
    print(json.dumps({"rows": n}))


def percentile(xs, p):
    xs = sorted(xs)
    k = max(1, min(len(xs), -(-len(xs) * p // 100)))
    return xs[int(k) - 1]


def search(db, queries_path, runs):
    queries = json.load(open(queries_path))
    t = time.perf_counter()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    open_us = (time.perf_counter() - t) * 1e6
    samples = []
    with_hits = hits = 0
    for q in queries:
        warm = con.execute(SEARCH, (q["fts5"],)).fetchall()
        with_hits += bool(warm)
        hits += len(warm)
        for _ in range(runs):
            t = time.perf_counter()
            con.execute(SEARCH, (q["fts5"],)).fetchall()
            samples.append((time.perf_counter() - t) * 1e6)
    print(json.dumps({
        "queries": len(queries), "runs": runs, "samples": len(samples),
        "p50_us": percentile(samples, 50), "p99_us": percentile(samples, 99), "max_us": max(samples),
        "open_us": open_us, "queries_with_hits": with_hits, "hits": hits,
    }))


if sys.argv[1] == "build":
    build(sys.argv[2], sys.argv[3])
else:
    search(sys.argv[2], sys.argv[3], int(sys.argv[4]))
