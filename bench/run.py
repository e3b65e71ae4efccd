"""The benchmark harness: `routes` against the tools people would use instead, in one run.

Run it through `bench/run.sh` (which installs the baselines first):

    bash bench/run.sh [--sizes 10000,100000] [--repeats 5] [--smoke]

For each size it generates synthetic routes with `routes-synth` into target/bench-data/<N>/
(reused when synth.json says they are of the same seed and data version), then for each workload
runs `routes` and every baseline interleaved (A B C, A B C, ...; the order rotates each round),
`--repeats` times, measuring each process's wall time and peak RSS (GNU time's %M: ru_maxrss of
that process and the children it waited for). Every run is checked: exit status and the count of
records, rows or hits it reports. It writes BENCHMARKS.md (or, with --smoke, target/bench-smoke.md:
300 routes, one round, a debug build, no timing targets checked).
"""
import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no bench/__pycache__ from the import below
import tidy_tables  # noqa: E402  (bench/tidy_tables.py: plain Python, no third-party import at load)

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target/bench-venv/bin"
NODE_MODULES = ROOT / "target/bench-node/node_modules"
SCHEMA = ROOT / "schema/route.schema.json"
TODAY = "2026-11-25"
MB = 1024 * 1024

# Baselines slower than this (seconds, first round) are not repeated: one run is reported (n=1).
SLOW_CAP = 90.0


class Failure(Exception):
    pass


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- measuring one process


class Run:
    def __init__(self, seconds, rss, code, stdout, stderr):
        self.seconds, self.rss, self.code, self.stdout, self.stderr = seconds, rss, code, stdout, stderr


TIME = "/usr/bin/time"


def run(argv, env=None, cwd=ROOT, rss=True):
    """Runs one process; returns its wall time, peak RSS (bytes), exit code and output.

    The peak RSS comes from GNU time (`/usr/bin/time -f %M`), which starts the process: a
    process forked straight from this harness would count the harness's own memory, since Linux
    keeps the larger of the old and the new address space's peak across `exec`. GNU time adds
    about 0.7 ms of its own start-up, so millisecond-scale timings use `rss=False`: the process
    is started directly and its peak RSS is not measured (reported as 0).
    """
    full_env = dict(os.environ)
    full_env.update(env or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        wrapper = [TIME, "--quiet", "-f", "%M", "-o", rss_file.name] if rss else []
        start = time.perf_counter()
        proc = subprocess.Popen([*wrapper, *[str(a) for a in argv]],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=full_env, cwd=cwd)
        proc.wait()
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        kb = [int(line) for line in rss_file.read().split() if line.isdigit()]
        return Run(seconds, (kb[-1] if kb else 0) * 1024, proc.returncode, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"))


def runs(argvs, env=None):
    """Several processes one after another (batches): summed time, largest peak RSS."""
    total = Run(0.0, 0, 0, "", "")
    for argv in argvs:
        r = run(argv, env)
        total.seconds += r.seconds
        total.rss = max(total.rss, r.rss)
        total.stdout += r.stdout
        total.stderr += r.stderr
        if r.code != 0:
            total.code = r.code
            break
    return total


def expect(r, what, codes=(0,), check=None):
    if r.code not in codes:
        raise Failure(f"{what}: exit {r.code}\n{r.stderr[-2000:]}\n{r.stdout[-1000:]}")
    if check is not None:
        problem = check(r)
        if problem:
            raise Failure(f"{what}: {problem}\n{r.stderr[-1000:]}")
    return r


def evict(paths):
    """Drops the page cache of these files (and of every file under these folders)."""
    for p in paths:
        p = Path(p)
        files = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()]
        for f in files:
            fd = os.open(f, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


# ---------------------------------------------------------------- a workload: tools run interleaved


class Tool:
    """One contender: `measure(round)` runs it once and returns a Run (already checked)."""

    def __init__(self, name, measure, prepare=None, note=""):
        self.name, self.measure, self.prepare, self.note = name, measure, prepare, note
        self.samples = []
        self.rss = []
        self.extra = {}


def interleave(tools, repeats):
    for rnd in range(repeats):
        order = tools[rnd % len(tools):] + tools[:rnd % len(tools)]
        for tool in order:
            if rnd > 0 and tool.samples and tool.samples[0] > SLOW_CAP:
                continue
            if tool.prepare:
                tool.prepare()
            r = tool.measure(rnd)
            tool.samples.append(r.seconds)
            tool.rss.append(r.rss)
            log(f"    {tool.name:<28} {r.seconds:9.3f} s  {r.rss / MB:8.1f} MB")
    return {t.name: summary(t) for t in tools}


def summary(tool):
    return {
        "median": statistics.median(tool.samples),
        "min": min(tool.samples),
        "max": max(tool.samples),
        "n": len(tool.samples),
        "rss": max(tool.rss),
        "note": tool.note,
        **tool.extra,
    }


# ---------------------------------------------------------------- the workloads


def records_checked(r):
    m = re.search(r"checked (\d+) records", r.stderr)
    return int(m.group(1)) if m else None


def count_check(n, key="records"):
    def check(r):
        try:
            got = json.loads(r.stdout.strip().splitlines()[-1])[key]
        except (ValueError, IndexError, KeyError):
            return f"no {key} count in the output"
        if got != n:
            return f"{got} {key}, expected {n}"
        if got and json.loads(r.stdout.strip().splitlines()[-1]).get("invalid", 0):
            return "records reported invalid"
        return None
    return check


def w_validate(ctx, n, data, layout):
    target = data / "files" if layout == "files" else data / "jsonl/routes.jsonl"
    routes_bin = ctx["routes"]

    def routes_validate(_):
        r = run([routes_bin, "validate", "--today", TODAY, "--format", "json", target])

        def check(r):
            if records_checked(r) != n:
                return f"checked {records_checked(r)} records, expected {n}"
            errors = [l for l in r.stdout.splitlines() if '"severity":"error"' in l.replace(" ", "")]
            return f"{len(errors)} errors" if errors else None
        return expect(r, "routes validate", check=check)

    tools = [Tool("routes validate", routes_validate,
                  note="schema + record rules + quality rules + cross-record rules")]
    tools.append(Tool("jsonschema-rs (Python, orjson)", lambda _: expect(
        run([VENV / "python", ROOT / "bench/validate_jsonschema_rs.py", SCHEMA, target]),
        "jsonschema-rs", check=count_check(n)), note="schema only"))
    tools.append(Tool("ajv (Node, ajv-formats)", lambda _: expect(
        run(["node", ROOT / "bench/validate_ajv.cjs", NODE_MODULES, SCHEMA, target]),
        "ajv", check=count_check(n)), note="schema only"))
    if layout == "files":
        files = sorted(str(p) for p in (data / "files/routes").rglob("*.json"))
        batches = [files[i:i + 4000] for i in range(0, len(files), 4000)]
        argvs = [[VENV / "check-jsonschema", "--schemafile", SCHEMA, *b] for b in batches]

        def cj(_):
            r = runs(argvs)
            return expect(r, "check-jsonschema",
                          check=lambda r: None if r.stdout.count("ok -- validation done") == len(batches)
                          else "not every batch reported ok")
        tools.append(Tool("check-jsonschema", cj, note=f"schema only; {len(batches)} batch(es) of at most 4000 files"))
    return interleave(tools, ctx["repeats"])


def parquet_sizes(release):
    data = Path(release) / "data"
    sizes = {p.stem: p.stat().st_size for p in data.glob("*.parquet")}
    return sizes


# The like-for-like publish baselines: the tidy tables of a release, written by DuckDB and by
# pyarrow from the same `routes.jsonl` (bench/publish_*_tidy.py, bench/tidy_tables.py).
DUCKDB_TIDY = "DuckDB SQL, tidy tables"
PYARROW_TIDY = "pyarrow compute, tidy tables"
TIDY = (DUCKDB_TIDY, PYARROW_TIDY)
# The one-file publish baselines (one Parquet file of the nested records).
ONE_FILE = ("DuckDB COPY ... TO parquet", "pyarrow read_json + write_table")
# The tables of a release (from the release's own Parquet schemas): bench/tidy_tables.py.
TIDY_TABLES = tidy_tables.NAMES


def publish_ratios(p):
    """`routes publish` ÷ the best one-file baseline and ÷ the best tidy-table baseline (None when not run)."""
    rp = p["routes publish"]["median"]

    def best(names):
        present = [(p[k]["median"], k) for k in names if k in p]
        return min(present) if present else None
    one, tidy = best(ONE_FILE), best(TIDY)
    return ((rp / one[0], one[1]) if one else None), ((rp / tidy[0], tidy[1]) if tidy else None)


def w_publish(ctx, n, data):
    tmp = ctx["tmp"] / f"publish-{n}"
    jsonl = data / "jsonl/routes.jsonl"
    routes_bin = ctx["routes"]

    def clean():
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)

    routes_tool = Tool("routes publish", None, prepare=clean,
                       note="validates first; writes 22 tidy tables (Parquet, CSV, SQLite with FTS5), routes.jsonl, card, "
                            "checksums, search index")

    def publish(version, *flags, check_path="data/routes.parquet"):
        r = run([routes_bin, "publish", "--version", version, "--dataset", data / "jsonl", "--out", tmp,
                 "--today", TODAY, "--quiet", *flags])
        return expect(r, "routes publish", check=lambda r: None if (tmp / f"routes-{version}" / check_path).exists()
                      else f"no {check_path}")

    def routes_publish(_):
        r = publish("1.0.0")
        sizes = parquet_sizes(tmp / "routes-1.0.0")
        routes_tool.extra["parquet_routes"] = sizes.get("routes", 0)
        routes_tool.extra["parquet_all"] = sum(sizes.values())
        return r
    routes_tool.measure = routes_publish

    # A previous release to compare with: published once, outside the timings, and copied into
    # the output folder before each run, so that publish reads both releases' tables side by side.
    base = ctx["tmp"] / f"publish-base-{n}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    expect(run([routes_bin, "publish", "--version", "1.0.0", "--dataset", data / "jsonl", "--out", base,
                "--today", TODAY, "--quiet"], rss=False), "routes publish (the previous release)")

    def with_previous():
        clean()
        shutil.copytree(base / "routes-1.0.0", tmp / "routes-1.0.0", symlinks=True)

    compared = Tool("routes publish, compared", lambda _: publish("1.1.0", check_path="data/changes.parquet"),
                    prepare=with_previous, note="the same, and compared with a previous release of the same data "
                                                "(every table of both read back)")
    partitioned = Tool("routes publish --partition-by country",
                       lambda _: publish("1.0.0", "--partition-by", "country", check_path="data/by_country/routes"),
                       prepare=clean, note="the same, and every table of routes again as hive partitions by country")

    def baseline(name, script, out_name):
        """A Python script that turns `routes.jsonl` into one Parquet file."""
        tool = Tool(name, None, prepare=clean, note="one Parquet file of the nested records")

        def measure(_):
            out = tmp / out_name
            r = expect(run([VENV / "python", ROOT / "bench" / script, jsonl, out]), name, check=count_check(n, "rows"))
            tool.extra["parquet_all"] = out.stat().st_size
            return r
        tool.measure = measure
        return tool

    duck = baseline("DuckDB COPY ... TO parquet", "publish_duckdb.py", "duckdb.parquet")
    arrow = baseline("pyarrow read_json + write_table", "publish_pyarrow.py", "pyarrow.parquet")

    def tidy(name, script, out_name, how):
        """A Python script that writes the tidy tables of `routes publish` from `routes.jsonl`.

        After its first timed run (outside the timing), its tables are checked against the
        release published above from the same data (`bench/tidy_tables.py check`): the row count
        of every table in Parquet, CSV and SQLite, and the columns' names and types, must be
        those of `routes publish`; which values differ is recorded (none did at 10,000 routes).
        """
        tool = Tool(name, None, prepare=clean,
                    note=f"the same {len(TIDY_TABLES)} tidy tables, columns and row order as `routes publish` "
                         f"({how}), as zstd Parquet, as CSV and in one SQLite database (keys, no FTS5, no VACUUM); "
                         "no validation, no `routes.jsonl`, card, checksums or search index")

        def measure(rnd):
            out = tmp / out_name

            def check(r):
                problem = count_check(n, "rows")(r)
                tables = json.loads(r.stdout.strip().splitlines()[-1]).get("tables")
                return problem or (None if tables == len(TIDY_TABLES) else f"{tables} tables written")
            r = expect(run([VENV / "python", ROOT / "bench" / script, jsonl, out]), name, check=check)
            tool.extra["parquet_all"] = sum(p.stat().st_size for p in out.glob("*.parquet"))
            if rnd == 0:
                c = run([VENV / "python", ROOT / "bench/tidy_tables.py", "check", out, base / "routes-1.0.0"], rss=False)
                try:
                    verdict = json.loads(c.stdout)
                except ValueError:
                    raise Failure(f"{name}: the check of its tables printed no verdict\n{c.stderr[-2000:]}")
                if not verdict["ok"]:
                    raise Failure(f"{name}: its tables are not those of routes publish: " + "; ".join(verdict["problems"]))
                tables = verdict["tables"]
                tool.extra["table_rows"] = {t: v["routes"] for t, v in tables.items()}
                tool.extra["values_differ"] = sorted(t for t, v in tables.items()
                                                     if v["differing_values"] or v["sqlite_differing_rows"])
                log(f"    {name}: {len(tables)} tables, {sum(tool.extra['table_rows'].values()):,} rows, every "
                    "count equal to routes publish's" + (f"; values differ in {', '.join(tool.extra['values_differ'])}"
                                                         if tool.extra["values_differ"] else "; every value equal"))
            return r
        tool.measure = measure
        return tool

    duck_tidy = tidy(DUCKDB_TIDY, "publish_duckdb_tidy.py", "duckdb-tidy",
                     "DuckDB SQL: read_json, unnest, COPY TO; SQLite filled from DuckDB through Python's sqlite3")
    arrow_tidy = tidy(PYARROW_TIDY, "publish_pyarrow_tidy.py", "pyarrow-tidy",
                      "pyarrow.compute: list_flatten, struct_field, sort_by; write_table, write_csv; SQLite through "
                      "Python's sqlite3")
    result = interleave([routes_tool, compared, partitioned, duck, arrow, duck_tidy, arrow_tidy], ctx["repeats"])
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(base, ignore_errors=True)
    return result


def w_index(ctx, n, data):
    tmp = ctx["tmp"] / f"index-{n}"
    routes_bin = ctx["routes"]

    def clean():
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)

    def routes_index(_):
        return expect(run([routes_bin, "index", "--dataset", data / "jsonl", "--out", tmp / "index"]), "routes index",
                      check=lambda r: None if f"indexed {n} routes" in r.stderr + r.stdout else "wrong route count")

    def fts5(_):
        return expect(run([VENV / "python", ROOT / "bench/fts5.py", "build", data / "jsonl/routes.jsonl",
                           tmp / "fts5.db"]), "fts5 build", check=count_check(n, "rows"))
    result = interleave([
        Tool("routes index", routes_index, prepare=clean, note="one tantivy document per route (items matched at search time)"),
        Tool("SQLite FTS5 (Python, orjson)", fts5, prepare=clean, note="one row per route, porter tokenizer"),
    ], ctx["repeats"])
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def release_of(ctx, n, data):
    """A release of the data at size n, published once per run (outside the timings)."""
    tmp = ctx["tmp"] / f"release-{n}"
    release = tmp / "routes-1.0.0"
    if not release.exists():
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        expect(run([ctx["routes"], "publish", "--version", "1.0.0", "--dataset", data / "jsonl", "--out", tmp,
                    "--today", TODAY, "--quiet"], rss=False), "routes publish (the release measured)")
    return release


def w_eligible(ctx, n, data):
    """One profile against every route of a release (published once, outside the timings)."""
    routes_bin = ctx["routes"]
    release = release_of(ctx, n, data)
    profile = ROOT / "examples/profiles/remote-worker.toml"

    def judged(r):
        lines = r.stdout.count("\n")
        return None if lines == n else f"{lines} routes judged, not {n}"

    def routes_eligible(_):
        r = run([routes_bin, "eligible", "--release", release, "--profile", profile, "--on", TODAY,
                 "--format", "json"])
        return expect(r, "routes eligible", codes=(0, 1), check=judged)

    def duckdb_query(_):
        r = run([VENV / "python", ROOT / "bench/eligible_duckdb.py", release, "4000", "USD"])
        return expect(r, "DuckDB eligibility query", check=judged)
    return interleave([
        Tool("routes eligible", routes_eligible,
             note="every criterion of every route, with reasons, sources and excerpts (JSON Lines)"),
        Tool("DuckDB SQL over the Parquet tables", duckdb_query,
             note="income thresholds per month in one currency and the nationality scope only"),
    ], ctx["repeats"])


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, proc, what):
    import socket
    for _ in range(600):
        if proc.poll() is not None:
            raise Failure(f"{what} exited with {proc.returncode}: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise Failure(f"{what} did not listen on port {port}")


def wrk(url, seconds, connections, lua=None):
    """One wrk run: requests per second, p50 and p99 latency (seconds), and the errors."""
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if lua:
        argv += ["-s", lua]
    r = run([*argv, url], rss=False)
    expect(r, "wrk")
    out = r.stdout
    unit = {"us": 1e-6, "ms": 1e-3, "s": 1.0}

    def latency(pct):
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == pct:
                value = parts[1]
                for u in ("us", "ms", "s"):
                    if value.endswith(u):
                        return float(value[:-len(u)]) * unit[u]
        raise Failure(f"wrk printed no {pct} latency:\n{out}")
    rps = next((float(line.split()[1]) for line in out.splitlines() if line.startswith("Requests/sec:")), 0.0)
    errors = 0
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Non-2xx or 3xx responses:"):
            errors += int(line.split(":")[1])
        if line.startswith("Socket errors:"):
            errors += sum(int(p.split()[-1]) for p in line.split(":", 1)[1].split(","))
    return {"rps": rps, "p50": latency("50%"), "p99": latency("99%"), "errors": errors}


def w_web(ctx, n, data):
    """`routes serve` and Datasette serving the same release, driven by wrk over loopback."""
    release = release_of(ctx, n, data)
    routes_port, datasette_port = free_port(), free_port()
    servers = []
    seconds, connections = (1, 8) if ctx["smoke"] else (10, 64)
    try:
        routes_proc = subprocess.Popen([ctx["routes"], "serve", "--release", release, "--addr",
                                        f"127.0.0.1:{routes_port}"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
        servers.append(routes_proc)
        wait_for(routes_port, routes_proc, "routes serve")
        datasette_proc = subprocess.Popen([VENV / "python", "-m", "datasette", "serve", release / "data/routes.sqlite",
                                           "--host", "127.0.0.1", "--port", str(datasette_port),
                                           "--metadata", release / "metadata.json"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        servers.append(datasette_proc)
        wait_for(datasette_port, datasette_proc, "datasette")
        with open(release / "data/routes.jsonl") as f:
            first = json.loads(f.readline())
        route_id, country = first["id"], first["country"]
        tilde = route_id.replace("/", "~2F")
        lua = ctx["tmp"] / "eligible.lua"
        lua.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                       'wrk.body = \'{"nationality": ["IN"], "income": "4000 USD/month", "remote_work": true}\'\n')
        sql = ("select route_id, requirement_id, amount_per_month, currency from requirements "
               f"where route_id like '{country.lower()}/%' and kind in ('min_income', 'min_salary')")
        search_sql = ("select route_id, snippet(search, -1, '', '', '…', 10) as snippet from search "
                      "where search match 'health insurance' order by rank limit 10")
        from urllib.parse import quote
        kinds = {
            "web: route page": (f"http://127.0.0.1:{routes_port}/routes/{route_id}", None,
                                f"http://127.0.0.1:{datasette_port}/routes/routes/{tilde}", "the route's HTML page"),
            "web: search": (f"http://127.0.0.1:{routes_port}/api/search?q=health+insurance", None,
                            f"http://127.0.0.1:{datasette_port}/routes.json?sql={quote(search_sql)}",
                            "JSON: `/api/search` (grouped hits, snippets, synonyms) against an FTS5 query with a snippet"),
            "web: eligibility": (f"http://127.0.0.1:{routes_port}/api/eligible?on={TODAY}&country={country}", lua,
                                 f"http://127.0.0.1:{datasette_port}/routes.json?sql={quote(sql)}",
                                 f"JSON: every route of one country ({country}) judged for a profile, against a SQL "
                                 "query of its income thresholds"),
        }
        result = {}
        for kind, (ours, script, theirs, what) in kinds.items():
            rows = {}
            for name, url, body in (("routes serve", ours, script), ("Datasette", theirs, None)):
                m = wrk(url, seconds, connections, body)
                log(f"    {kind:<18} {name:<13} {m['rps']:9.0f} req/s  p50 {m['p50'] * 1000:7.2f} ms  "
                    f"p99 {m['p99'] * 1000:7.2f} ms  errors {m['errors']}")
                rows[name] = {"median": m["p50"], "min": m["p50"], "max": m["p99"], "p99": m["p99"], "n": 1,
                              "rss": 0, "rps": m["rps"], "errors": m["errors"],
                              "note": f"{m['rps']:,.0f} requests/s, {m['errors']} errors, {connections} connections, "
                                      f"{seconds} s; {what}"}
            result[kind] = rows
        return result
    finally:
        for p in servers:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def prepare_search(ctx, n, data):
    """Builds the routes index (in the cache `routes search --dataset` uses) and the FTS5 database."""
    cache = data / "search-cache"
    db = data / "fts5.db"
    env = {"ROUTES_CACHE_DIR": str(cache)}
    # The indexes are rebuilt whenever the `routes` binary changed (its index format may have).
    with open(ctx["routes"], "rb") as f:
        build_id = hashlib.file_digest(f, "sha256").hexdigest()
    ready = data / "search-ready"
    if not ready.exists() or ready.read_text().strip() != build_id:
        shutil.rmtree(cache, ignore_errors=True)
        db.unlink(missing_ok=True)
        expect(run([ctx["routes"], "index", "--dataset", data / "jsonl"], env=env), "routes index (cache)")
        expect(run([VENV / "python", ROOT / "bench/fts5.py", "build", data / "jsonl/routes.jsonl", db]), "fts5 build")
        ready.write_text(build_id + "\n")
    os.sync()
    index_dirs = [p.parent for p in cache.rglob("routes-index.json")]
    if len(index_dirs) != 1:
        raise Failure(f"expected one index under {cache}, found {index_dirs}")
    return env, index_dirs[0], db


def one_shot_queries(queries, smoke):
    """Two queries of each kind (one in a smoke run)."""
    picked, seen = [], {}
    for q in queries:
        if seen.get(q["kind"], 0) < (1 if smoke else 2):
            seen[q["kind"]] = seen.get(q["kind"], 0) + 1
            picked.append(q)
    return picked


def w_search_one_shot(ctx, n, data, cold):
    env, index_dir, db = prepare_search(ctx, n, data)
    jsonl = data / "jsonl/routes.jsonl"
    queries = one_shot_queries(ctx["queries"], ctx["smoke"])
    routes_bin = ctx["routes"]
    per = {name: {} for name in ("routes search", "sqlite3 CLI (FTS5)", "ripgrep")}
    rss = {name: 0 for name in per}
    hits = {name: 0 for name in per}

    def hit_count(r, tool):
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        return len(lines)

    for rnd in range(ctx["repeats"]):
        for qi, q in enumerate(queries):
            contenders = [
                ("routes search", [routes_bin, "search", q["routes"], "--dataset", data / "jsonl", "--format", "json"],
                 [index_dir], env),
                ("sqlite3 CLI (FTS5)", ["sqlite3", "-readonly", db,
                                         "SELECT id, snippet(routes, 5, '**', '**', '...', 16) FROM routes WHERE routes MATCH '"
                                         + q["fts5"].replace("'", "''") + "' ORDER BY bm25(routes, 0.0, 0.0, 0.0, 3.0, 2.0, 1.0) LIMIT 10"],
                 [db], None),
                ("ripgrep", ["rg", "-i", "-m", "10"] + (["-P"] if q["rg_pcre2"] else []) + ["-e", q["rg"], jsonl],
                 [jsonl], None),
            ]
            shift = (rnd + qi) % len(contenders)
            for name, argv, files, e in contenders[shift:] + contenders[:shift]:
                if rnd == 0:
                    # Hits and peak memory from one run under GNU time; it also warms up.
                    r = expect(run(argv, env=e), f"{name} {q['routes']!r}", codes=(0, 1))
                    hits[name] += min(hit_count(r, name), 10)
                    rss[name] = max(rss[name], r.rss)
                if cold:
                    evict(files)
                # The timed run is started directly: GNU time's start-up would count.
                r = expect(run(argv, env=e, rss=False), f"{name} {q['routes']!r}", codes=(0, 1))
                per[name].setdefault(q["routes"], []).append(r.seconds)
    result = {}
    for name, by_query in per.items():
        medians = sorted(statistics.median(v) for v in by_query.values())
        result[name] = {
            "median": statistics.median(medians),
            "min": medians[0],
            "max": medians[-1],
            "n": ctx["repeats"],
            "rss": rss[name],
            "note": f"{len(queries)} queries; p50 of per-query medians; {hits[name]} hits in all",
        }
        log(f"    {name:<28} p50 {result[name]['median'] * 1000:8.2f} ms  max {medians[-1] * 1000:8.2f} ms")
    return result


def w_search_in_process(ctx, n, data):
    env, index_dir, db = prepare_search(ctx, n, data)
    runs_per_query = 3 if ctx["smoke"] else 20
    qfile = ctx["queries_file"]
    out = {}
    tools = [
        ("routes (RouteIndex::search)", [ctx["synth"], "search-bench", "--index", index_dir, "--queries", qfile,
                                         "--runs", runs_per_query]),
        ("SQLite FTS5 (Python sqlite3)", [VENV / "python", ROOT / "bench/fts5.py", "search", db, qfile,
                                          runs_per_query]),
    ]
    for rnd in range(min(ctx["repeats"], 3)):
        for name, argv in tools[rnd % 2:] + tools[:rnd % 2]:
            r = expect(run(argv), name)
            stats = json.loads(r.stdout.strip().splitlines()[-1])
            out.setdefault(name, []).append((stats, r.rss))
            log(f"    {name:<28} p50 {stats['p50_us']:9.1f} us  p99 {stats['p99_us']:9.1f} us")
    result = {}
    for name, samples in out.items():
        p50 = statistics.median(s["p50_us"] for s, _ in samples)
        p99 = statistics.median(s["p99_us"] for s, _ in samples)
        last = samples[-1][0]
        result[name] = {"median": p50 / 1e6, "p99": p99 / 1e6, "min": p50 / 1e6, "max": p99 / 1e6,
                        "n": len(samples), "rss": max(r for _, r in samples),
                        "note": f"{last['queries']} queries x {last['runs']} runs; {last['queries_with_hits']} with hits"}
    return result


# ---------------------------------------------------------------- setup, data, report


# Relevance of the search on the bundled dataset, before the vocabulary and the rules that came
# with it (the first honest measurement of the judged set, the engine of 2026-12-02).
RELEVANCE_BEFORE = {"ndcg": 0.7003, "mrr": 0.7877, "engine": "2026-12-02, before the vocabulary"}


def w_relevance():
    """Runs the judged query set (crates/routes-index/tests/relevance.rs) and reads its report."""
    out = ROOT / "target/tmp/relevance.json"
    out.unlink(missing_ok=True)
    log("== relevance: cargo test -p routes-index --test relevance")
    subprocess.run(["cargo", "test", "--locked", "--quiet", "--release", "-p", "routes-index", "--test", "relevance"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def build(smoke, skip=False, bin_dir=None):
    d = Path(bin_dir) if bin_dir else ROOT / "target" / ("debug" if smoke else "release")
    if skip or bin_dir:
        missing = [b for b in ("routes", "routes-synth") if not (d / b).exists()]
        if missing:
            raise Failure(f"--no-build: {', '.join(str(d / b) for b in missing)} not built")
        log(f"== no build: using {d / 'routes'} and {d / 'routes-synth'} as they are")
        return d / "routes", d / "routes-synth"
    profile = [] if smoke else ["--release"]
    log("== cargo build " + ("(debug, smoke)" if smoke else "--release"))
    subprocess.run(["cargo", "build", "--locked", "--quiet", *profile, "-p", "routes", "-p", "routes-synth"],
                   cwd=ROOT, check=True)
    return d / "routes", d / "routes-synth"


def ensure_data(synth, n, seed, base):
    data = base / str(n)
    manifest = data / "synth.json"
    want_version = None
    if manifest.exists():
        m = json.loads(manifest.read_text())
        ok = m.get("routes") == n and m.get("seed") == seed and m.get("layout") == "both"
        # The data version of this build: generate 0 routes into a scratch folder to read it.
        with tempfile.TemporaryDirectory() as scratch:
            probe = run([synth, "generate", "--routes", "0", "--seed", str(seed), "--out", Path(scratch) / "p"])
            if probe.code == 0:
                want_version = json.loads(probe.stdout)["data_version"]
        if ok and m.get("data_version") == want_version:
            log(f"== reusing {data} ({n} routes, seed {seed})")
            return data, m
    log(f"== generating {n} routes into {data}")
    for stale in ("search-cache", "fts5.db", "search-ready"):
        p = data / stale
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    r = expect(run([synth, "generate", "--routes", n, "--seed", seed, "--out", data]), "routes-synth generate")
    log(f"   {r.seconds:.1f} s, peak {r.rss / MB:.1f} MB")
    return data, json.loads(r.stdout)


def version(argv):
    try:
        out = subprocess.run([str(a) for a in argv], capture_output=True, text=True, cwd=ROOT, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": mem, "kernel": platform.release(),
            "os": platform.platform()}


def versions(routes_bin):
    py = VENV / "python"
    pkg = lambda name: version([py, "-c", f"import importlib.metadata as m; print(m.version('{name}'))"])
    ajv = json.loads((NODE_MODULES / "ajv/package.json").read_text())["version"]
    formats = json.loads((NODE_MODULES / "ajv-formats/package.json").read_text())["version"]
    return {
        "routes": version([routes_bin, "--version"]),
        "check-jsonschema": version([VENV / "check-jsonschema", "--version"]),
        "jsonschema-rs (Python)": pkg("jsonschema-rs"),
        "orjson": pkg("orjson"),
        "duckdb (Python)": pkg("duckdb"),
        "pyarrow": pkg("pyarrow"),
        "ajv / ajv-formats": f"{ajv} / {formats} on Node {version(['node', '--version'])}",
        "sqlite3": version(["sqlite3", "--version"]).split()[0],
        "SQLite (Python module)": version([py, "-c", "import sqlite3; print(sqlite3.sqlite_version)"]),
        "ripgrep": version(["rg", "--version"]),
        "Python": version([py, "--version"]),
        "rustc": version(["rustc", "--version"]),
    }


def fmt_time(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 0.001:
        return f"{s * 1000:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def table(rows, primary):
    best = {k: v for k, v in rows.items() if k != primary}
    best_name = min(best, key=lambda k: best[k]["median"]) if best else None
    out = ["| tool | median | min – max | n | peak RSS | vs routes | what it does |", "|---|---:|---:|---:|---:|---:|---|"]
    for name, r in rows.items():
        ratio = rows[primary]["median"] / r["median"] if r["median"] else float("nan")
        rel = "—" if name == primary else f"routes ÷ this = {ratio:.2f}"
        out.append(f"| {'**' + name + '**' if name == primary else name} | {fmt_time(r['median'])} | "
                   f"{fmt_time(r['min'])} – {fmt_time(r['max'])} | {r['n']} | {r['rss'] / MB:.0f} MB | {rel} | {r['note']} |")
    return "\n".join(out), best_name


def judge(results, sizes):
    """The targets of the issue at the largest size measured (100,000 when run), plus growth."""
    checks = []
    big = 100000 if 100000 in sizes else max(sizes)
    small = min(sizes)

    def add(name, value, limit, unit="", fmt="{:.2f}", at=big):
        met = value <= limit
        where = f"{at:,}" if isinstance(at, int) else at
        checks.append((f"{name} (at {where})", (fmt.format(value) + unit), f"≤ {fmt.format(limit)}{unit}", met))

    r = results.get(big, {})
    if "validate (files)" in r:
        v = r["validate (files)"]
        best = min(x["median"] for k, x in v.items() if k != "routes validate")
        add("validate: routes ÷ best validator", v["routes validate"]["median"] / best, 0.55)
        add("validate: peak RSS", v["routes validate"]["rss"] / MB, 64, " MB", "{:.0f}")
    if "publish" in r:
        p = r["publish"]
        rp = p["routes publish"]
        add("publish: routes ÷ DuckDB", rp["median"] / p["DuckDB COPY ... TO parquet"]["median"], 0.5)
        add("publish: routes ÷ pyarrow", rp["median"] / p["pyarrow read_json + write_table"]["median"], 0.5)
        _, fair = publish_ratios(p)
        if fair:
            add("publish, like for like: routes ÷ best tidy-table baseline (the same tables, Parquet + CSV + SQLite)",
                fair[0], 1.0)
        add("publish: routes.parquet ÷ DuckDB's Parquet", rp["parquet_routes"] / p["DuckDB COPY ... TO parquet"]["parquet_all"], 1.05)
        for tool in ("routes publish", "routes publish, compared", "routes publish --partition-by country"):
            add(f"publish: peak RSS, {tool}",
                max(results[s]["publish"][tool]["rss"] for s in sizes if "publish" in results[s]) / MB,
                256, " MB", "{:.0f}", at="any size")
    if "index build" in r:
        i = r["index build"]
        add("index build: routes ÷ SQLite FTS5", i["routes index"]["median"] / i["SQLite FTS5 (Python, orjson)"]["median"], 0.25)
    if "search one-shot warm" in r:
        w = r["search one-shot warm"]
        add("search warm: p50", w["routes search"]["median"] * 1000, 5, " ms", "{:.1f}")
        add("search warm: routes ÷ sqlite3", w["routes search"]["median"] / w["sqlite3 CLI (FTS5)"]["median"], 0.2)
        add("search warm: routes ÷ ripgrep", w["routes search"]["median"] / w["ripgrep"]["median"], 0.2)
    if "search one-shot cold" in r:
        add("search cold: p50", r["search one-shot cold"]["routes search"]["median"] * 1000, 150, " ms", "{:.0f}")
    if "search in-process" in r:
        s = r["search in-process"]["routes (RouteIndex::search)"]
        add("search in-process: p50", s["median"] * 1000, 1, " ms", "{:.3f}")
        add("search in-process: p99", s["p99"] * 1000, 3, " ms", "{:.3f}")
    if "eligibility" in r:
        add("eligibility: one profile from a release", r["eligibility"]["routes eligible"]["median"], 1, " s", "{:.2f}")
    for kind in ("web: route page", "web: search", "web: eligibility"):
        if kind in r:
            w = r[kind]
            add(f"{kind}: Datasette's requests/s ÷ routes serve's", w["Datasette"]["rps"] / max(w["routes serve"]["rps"], 1e-9), 0.1)
            add(f"{kind}: errors of routes serve", w["routes serve"]["errors"], 0, "", "{:.0f}")
    if "web: route page" in r:
        add("web: route page p99", r["web: route page"]["routes serve"]["p99"] * 1000, 10, " ms", "{:.2f}")
    if small != big:
        for wl, tool in [("validate (files)", "routes validate"), ("publish", "routes publish"),
                         ("index build", "routes index")]:
            if wl in results[small] and wl in results[big]:
                growth = (results[big][wl][tool]["median"] / big) / (results[small][wl][tool]["median"] / small)
                add(f"linear time: {tool}, time per route at {big:,} ÷ at {small:,}", growth, 1.25, at=f"{small:,}→{big:,}")
        v = [results[s]["validate (files)"]["routes validate"]["rss"] for s in sizes if "validate (files)" in results[s]]
        if len(v) > 1:
            add("flat memory: validate peak RSS, largest ÷ smallest size", v[-1] / v[0], 1.25, at=f"{small:,}→{max(sizes):,}")
    return checks


RESULTS = ROOT / "target/bench-results.json"


def report(path, args, results, datasets, env, smoke, argv=None, finished=None, relevance=None):
    argv = sys.argv[1:] if argv is None else argv
    finished = finished or time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())
    if not smoke:
        # The measurements themselves, so that the report can be written again
        # (`--render`) without measuring again.
        RESULTS.write_text(json.dumps({"argv": argv, "finished": finished, "seed": args.seed, "results": results,
                                       "datasets": datasets, "env": env, "relevance": relevance},
                                      indent=1, default=str))
    sizes = sorted(results)
    lines = ["# Benchmarks" if not smoke else "# Benchmark smoke run (not for reading numbers)", ""]
    lines += [
        "`routes` against the tools a user would pick instead, measured side by side in one run of "
        "`bench/run.sh` on the same synthetic data (`routes-synth`, seed "
        f"{args.seed}). Written by `bench/run.py`; do not edit by hand.", "",
        "## Command", "", "```console", f"$ bash bench/run.sh {' '.join(argv)}".rstrip(), "```", "",
        "## Machine", "",
    ]
    m = env["machine"]
    lines += [f"- {m['cpus']} CPUs: {m['cpu']}", f"- memory: {m['memory']}", f"- kernel: {m['kernel']} ({m['os']})",
              f"- run finished: {finished}", "", "## Tool versions", ""]
    lines += [f"- {k}: `{v}`" for k, v in env["versions"].items()]
    lines += ["", "## Data", "", "| routes | countries | JSON Lines | mean record (JSONL) | one file per route (pretty) | generated in |",
              "|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        d = datasets[n]
        lines.append(f"| {n:,} | {d['countries']} | {d['jsonl_bytes'] / MB:.1f} MB | {d['jsonl_bytes'] / max(n, 1):,.0f} B | "
                     f"{d['files_bytes'] / MB:.1f} MB in {n:,} files | {d.get('seconds', 0):.1f} s |")
    lines += ["", "Medians of interleaved runs (A B C, B C A, …); `n` is the number of runs (a baseline slower than "
              f"{SLOW_CAP:.0f} s on its first run is not repeated). Peak RSS is `ru_maxrss` of the process (and of the "
              "children it waited for), from GNU time, which starts it (so the harness's own memory is not counted). Ratios are `routes ÷ baseline` of the same run: below 1, "
              "`routes` is faster.", ""]
    titles = {
        "validate (files)": ("Validate: one file per route", "Every tool validates the same records against "
                             "`schema/route.schema.json` (draft 2020-12, formats asserted). `routes validate` also runs "
                             "its record, quality and cross-record rules, and reports every finding located."),
        "validate (jsonl)": ("Validate: JSON Lines", "The same, on `routes.jsonl` (check-jsonschema reads no JSON Lines)."),
        "publish": ("Publish: records to Parquet", "`routes publish` validates first, sorts, and writes the whole "
                    "release: 22 tidy tables as zstd Parquet, as CSV and in one SQLite database (with an FTS5 table "
                    "over the prose, then VACUUM), `routes.jsonl`, the dataset card, `datapackage.json`, checksums, "
                    "and the search index; *compared* also reads a previous release of the same data back, table by "
                    "table, for `changes` and the changelog; *--partition-by country* also writes each table of "
                    "routes as hive-style partitions. Two kinds of baseline: *one file* (DuckDB `COPY ... TO parquet`, "
                    "pyarrow `read_json` + `write_table`) turns `routes.jsonl` into one zstd Parquet file of the "
                    "nested records, which is not like for like; *tidy tables* (`bench/publish_duckdb_tidy.py` in "
                    "DuckDB SQL, `bench/publish_pyarrow_tidy.py` with `pyarrow.compute`) writes from the same "
                    "`routes.jsonl` the same 22 tables as `routes publish` (columns, types, rows and their order, "
                    "checked against its release) as zstd Parquet, CSV and one SQLite database with the same keys "
                    "(through Python's `sqlite3`: DuckDB's SQLite extension is not installable offline), with no "
                    "validation, no FTS5 table, no VACUUM, and none of the release's other files."),
        "index build": ("Index build", "Both index the same text of every route (names, labels, requirement, document, "
                        "note and fee text). FTS5: one row per route, `porter unicode61 remove_diacritics 2`, read "
                        "with orjson. `routes index`: one tantivy document per route (each item a value of its own, so a phrase never spans two items)."),
        "search one-shot warm": ("Search, one-shot CLI, warm cache", "One process per query, as a user types it: "
                                 "`routes search Q --dataset` (prebuilt index), `sqlite3 db \"... MATCH ... ORDER BY "
                                 "bm25 LIMIT 10\"` with a snippet, `rg -i -m 10` over `routes.jsonl`. Same meaning: all "
                                 "words within one route, English stems, top 10 (ripgrep: the first 10 lines, unranked). "
                                 "Timed runs start the process directly; its peak RSS comes from one more run per "
                                 "query under GNU time, whose own start-up would otherwise add about 0.7 ms to each."),
        "search one-shot cold": ("Search, one-shot CLI, cold index", "As above, with the index files (tantivy folder, "
                                 "SQLite database, the JSONL for ripgrep) dropped from the page cache before every run "
                                 "(`posix_fadvise(DONTNEED)`); the binaries stay cached."),
        "search in-process": ("Search, in process", "Each of the queries, 20 runs after a warm-up: "
                              "`RouteIndex::search` (`routes-synth search-bench`: grouped hits with highlighted "
                              "snippets) against Python's `sqlite3` running the FTS5 query with a snippet. The median "
                              "column is p50 and the range column is p50 – p99."),
        "web: route page": ("Web: a route page under load", "`wrk -t2 -c64 -d10s --latency` over loopback against "
                            "`routes serve --release R` and, one after the other, Datasette serving the same "
                            "release's `routes.sqlite`: the HTML page of one route. The median column is p50 and the "
                            "range column p50 – p99; the notes give the requests per second."),
        "web: search": ("Web: a search under load", "The same, for `health insurance`: `/api/search` against "
                        "Datasette's JSON for an FTS5 query with a snippet."),
        "web: eligibility": ("Web: an eligibility call under load", "The same, for a profile POSTed to "
                             "`/api/eligible?country=CC` (every route of one country judged) against Datasette's JSON "
                             "for a SQL query of that country's income thresholds."),
        "eligibility": ("Eligibility: one profile against every route", "`routes eligible --release R --profile "
                        "examples/profiles/remote-worker.toml --format json` judges every route of a release (published "
                        "once, outside the timings) criterion by criterion, with reasons, sources and excerpts. Beside "
                        "it, the SQL a user of the tables might write instead: DuckDB comparing one monthly income "
                        "with the income thresholds of `requirements.parquet` and reading the nationality scope of "
                        "`routes.parquet`, which settles far less."),
    }
    primary = {"validate (files)": "routes validate", "validate (jsonl)": "routes validate", "publish": "routes publish",
               "index build": "routes index", "search one-shot warm": "routes search",
               "search one-shot cold": "routes search", "search in-process": "routes (RouteIndex::search)",
               "eligibility": "routes eligible", "web: route page": "routes serve", "web: search": "routes serve",
               "web: eligibility": "routes serve"}
    for wl, (title, text) in titles.items():
        present = [n for n in sizes if wl in results[n]]
        if not present:
            continue
        lines += [f"## {title}", "", text, ""]
        for n in present:
            t, _ = table(results[n][wl], primary[wl])
            lines += [f"### {n:,} routes", "", t, ""]
            if wl == "publish":
                p = results[n][wl]
                rp = p["routes publish"]
                tidy_bytes = "".join(f"; {k} {p[k]['parquet_all'] / MB:.2f} MB (all tables)" for k in TIDY if k in p)
                lines += [f"Parquet bytes: routes `routes.parquet` {rp['parquet_routes'] / MB:.2f} MB (all tables "
                          f"{rp['parquet_all'] / MB:.2f} MB); DuckDB {p['DuckDB COPY ... TO parquet']['parquet_all'] / MB:.2f} MB; "
                          f"pyarrow {p['pyarrow read_json + write_table']['parquet_all'] / MB:.2f} MB{tidy_bytes}.", ""]
                one, fair = publish_ratios(p)
                if fair:
                    checked = [p[k] for k in TIDY if k in p and "table_rows" in p[k]]
                    rows = f"{sum(checked[0]['table_rows'].values()):,} rows in {len(checked[0]['table_rows'])} tables" \
                        if checked else "the tables"
                    differ = sorted({t for c in checked for t in c.get("values_differ", [])})
                    lines += [f"Like for like: `routes publish` ÷ the best tidy-table baseline ({fair[1]}) = "
                              f"**{fair[0]:.2f}×** (target ≤ 1.00×); against the best one-file baseline ({one[1]}), "
                              f"today's ratio, {one[0]:.2f}×. The tidy-table baselines were checked against the "
                              f"release of the same data after their first run: {rows}, every table's row count "
                              "equal in Parquet, CSV and SQLite, the same column names and types"
                              + (f"; values differ in {', '.join(differ)}." if differ else
                                 ", and every value equal (Parquet, column by column; SQLite, row by row)."), ""]
    if relevance:
        b = RELEVANCE_BEFORE
        o = relevance["overall"]
        lines += ["## Search relevance", "",
                  "The judged query set of `crates/routes-index/tests/relevance/queries.toml` (natural questions, "
                  "synonyms, other languages and scripts, typos, prefixes, filters, names; each with graded "
                  "relevant routes) run on the bundled dataset by `cargo test -p routes-index --test relevance`: "
                  "nDCG@10 and MRR, overall and per group, against the floors the test enforces.", "",
                  "| group | queries | failures | nDCG@10 | MRR |", "|---|---:|---:|---:|---:|"]
        for name, g in relevance["groups"].items():
            lines.append(f"| {name} | {g['queries']} | {g['failures']} | {g['ndcg']:.4f} | {g['mrr']:.4f} |")
        lines += [f"| **overall** | {o['queries']} | {o['failures']} | **{o['ndcg']:.4f}** | **{o['mrr']:.4f}** |", "",
                  f"Before ({b['engine']}): nDCG@10 {b['ndcg']:.4f}, MRR {b['mrr']:.4f}; now {o['ndcg']:.4f} and "
                  f"{o['mrr']:.4f}. Floors: nDCG@10 ≥ {relevance['ndcg_floor']}, MRR ≥ {relevance['mrr_floor']}.", ""]
    if not smoke:
        checks = judge(results, sizes)
        lines += ["## Targets", "", "| target | measured | goal | met |", "|---|---:|---:|:---:|"]
        lines += [f"| {c[0]} | {c[1]} | {c[2]} | {'yes' if c[3] else '**no**'} |" for c in checks]
        met = [c[0] for c in checks if c[3]]
        missed = [c[0] for c in checks if not c[3]]
        lines += ["", f"{len(met)} of {len(checks)} targets met."]
        notes = ROOT / "bench/notes.md"
        if notes.exists():
            lines += ["", notes.read_text().strip()]
        elif missed:
            lines += ["", "Missed: " + "; ".join(missed) + "."]
    Path(path).write_text("\n".join(lines) + "\n")
    log(f"== wrote {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--smoke", action="store_true", help="300 routes, one round, debug build, no targets")
    ap.add_argument("--workloads", default="all",
                    help="comma-separated subset: validate,validate-jsonl,publish,index,warm,cold,inprocess,relevance")
    ap.add_argument("--out", help="report path (default BENCHMARKS.md, or target/bench-smoke.md with --smoke)")
    ap.add_argument("--bin-dir", help="measure the `routes` and `routes-synth` built in this folder (no build), "
                                      "e.g. a clean worktree's target/release")
    ap.add_argument("--no-build", action="store_true",
                    help="use the built routes and routes-synth (target/release; target/debug with --smoke) as they are, "
                         "without cargo build (for a baseline-only change while the crates are being edited)")
    ap.add_argument("--render", action="store_true",
                    help="write BENCHMARKS.md again from the last run's target/bench-results.json, measuring nothing")
    args = ap.parse_args()
    if args.render:
        saved = json.loads(RESULTS.read_text())
        args.seed = saved["seed"]
        results = {int(n): r for n, r in saved["results"].items()}
        datasets = {int(n): d for n, d in saved["datasets"].items()}
        report(ROOT / "BENCHMARKS.md", args, results, datasets, saved["env"], False, saved["argv"], saved["finished"],
               saved.get("relevance"))
        return
    if args.smoke:
        sizes, repeats = [300], 1
        base = ROOT / "target/bench-smoke"
        out = Path(args.out or ROOT / "target/bench-smoke.md")
    else:
        sizes = [int(s) for s in args.sizes.split(",")]
        repeats = args.repeats
        base = ROOT / "target/bench-data"
        out = Path(args.out or ROOT / "BENCHMARKS.md")
    if out.resolve() == (ROOT / "BENCHMARKS.md").resolve() and args.smoke:
        raise SystemExit("a smoke run never writes BENCHMARKS.md")
    workloads = set(args.workloads.split(",")) if args.workloads != "all" else {
        "validate", "validate-jsonl", "publish", "index", "warm", "cold", "inprocess", "eligible", "web",
        "relevance"}

    routes_bin, synth = build(args.smoke, skip=args.no_build, bin_dir=args.bin_dir)
    base.mkdir(parents=True, exist_ok=True)
    queries_file = base / "queries.json"
    expect(run([synth, "queries", "--out", queries_file]), "routes-synth queries")
    ctx = {"routes": routes_bin, "synth": synth, "repeats": repeats, "smoke": args.smoke,
           "queries": json.loads(queries_file.read_text()), "queries_file": queries_file}
    env = {"machine": machine(), "versions": versions(routes_bin)}
    results, datasets = {}, {}
    relevance = w_relevance() if "relevance" in workloads and not args.smoke else None
    with tempfile.TemporaryDirectory(prefix="routes-bench-", dir=ROOT / "target") as tmp:
        ctx["tmp"] = Path(tmp)
        for n in sizes:
            t = time.perf_counter()
            data, manifest = ensure_data(synth, n, args.seed, base)
            manifest.setdefault("seconds", time.perf_counter() - t)
            datasets[n] = manifest
            res = results.setdefault(n, {})
            steps = [
                ("validate", "validate (files)", lambda: w_validate(ctx, n, data, "files")),
                ("validate-jsonl", "validate (jsonl)", lambda: w_validate(ctx, n, data, "jsonl")),
                ("publish", "publish", lambda: w_publish(ctx, n, data)),
                ("index", "index build", lambda: w_index(ctx, n, data)),
                ("warm", "search one-shot warm", lambda: w_search_one_shot(ctx, n, data, cold=False)),
                ("cold", "search one-shot cold", lambda: w_search_one_shot(ctx, n, data, cold=True)),
                ("inprocess", "search in-process", lambda: w_search_in_process(ctx, n, data)),
                ("eligible", "eligibility", lambda: w_eligible(ctx, n, data)),
                ("web", "web server under load", lambda: w_web(ctx, n, data)),
            ]
            for key, name, fn in steps:
                if key in workloads:
                    log(f"== {n:,} routes: {name}")
                    if key == "web":
                        res.update(fn())
                    else:
                        res[name] = fn()
                    # Keep partial results: a report after each workload.
                    report(out, args, results, datasets, env, args.smoke, relevance=relevance)
    report(out, args, results, datasets, env, args.smoke, relevance=relevance)
    if args.smoke:
        print("benchmark smoke: every tool ran and exited as expected")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"bench/run.py: {e}", file=sys.stderr)
        sys.exit(1)
