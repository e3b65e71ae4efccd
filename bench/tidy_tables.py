"""The tidy tables of a `routes` release, for the fair publish baselines.

`publish_duckdb_tidy.py` and `publish_pyarrow_tidy.py` each turn `routes.jsonl` into the tables
`routes publish` writes under `data/`: the same 22 tables (15 of routes, 6 of reference data,
`changes`), the same columns in the same order with the same Arrow types (string, int64,
float64, date32, list<string>), each as zstd Parquet, as CSV (lists as JSON arrays, dates
`YYYY-MM-DD`, nulls empty, CRLF), and all in one SQLite database. This module holds what the two
share and that is not the work being measured: the tables' columns and keys (as the release's
Parquet files and `datapackage.json` declare them), the SQLite DDL, and the check of a baseline's
output against a `routes` release of the same data (`check`; also `tidy_tables.py check OUT_DIR
RELEASE_DIR`, which the harness runs after a baseline's first timed run).

Taken from `routes-1.0.0/data/*.parquet` and `datapackage.json` of a release of the 10,000
benchmark routes; a column is (name, type, required).

Both baselines (`publish_duckdb_tidy.py`, `publish_pyarrow_tidy.py`):

What the input cannot give: the reference data (index values, exchange rates, wages, groups and
their sources) is not in `routes.jsonl`, so the six reference tables are written empty, as
`routes publish` writes them for a dataset without reference files (the benchmark's), and the
normalised money columns follow from the record alone: `index_value`, `index_amount` and the
rest of an index-linked amount stay null, and `amount_eur` is the amount itself for a euro
amount (rate 1) and null otherwise. `changes` is empty (a first release). No validation.

Prints {"rows": N, "tables": T, "bytes": total} on stdout (N: rows of `routes`; bytes: every
file written). With --check, then compares the tables with those of a `routes` release of the
same data (row counts per table and format, column names and types, values; see
`tidy_tables.check`) and exits 1 if a count or a column differs.
"""
import json
from pathlib import Path


def arguments(argv):
    """`ROUTES_JSONL OUT_DIR [--check RELEASE_DIR]` of both baselines: the input, the output
    folder (created) and the release to check against (or None)."""
    args = list(argv)
    release = None
    if "--check" in args:
        at = args.index("--check")
        release = args[at + 1]
        del args[at:at + 2]
    src, out = args
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return src, out, release

TABLES = [
    ('routes', ['route_id'], [
        ('route_id', 'str', True), ('country', 'str', True), ('name', 'str', True),
        ('official_name', 'str', False), ('official_name_language', 'str', False), ('codes', 'list', True),
        ('category', 'str', True), ('status', 'str', True), ('summary', 'str', False),
        ('nationality_scope', 'str', True), ('nationality_countries', 'list', True),
        ('nationality_groups', 'list', True), ('nationality_description', 'str', False),
        ('leads_to_permanent_residence', 'str', True), ('leads_to_citizenship', 'str', True),
        ('leads_to_permanent_residence_note', 'str', False), ('leads_to_citizenship_note', 'str', False),
        ('last_verified', 'date', True), ('review_status', 'str', True), ('requirement_count', 'int', True),
        ('document_count', 'int', True), ('source_count', 'int', True), ('related_routes', 'list', True),
    ]),
    ('requirements', ['route_id', 'requirement_id'], [
        ('route_id', 'str', True), ('requirement_id', 'str', True), ('kind', 'str', True),
        ('description', 'str', True), ('required', 'str', True), ('applies_to', 'list', True),
        ('amount', 'float', False), ('currency', 'str', False), ('period', 'str', False),
        ('basis', 'str', False), ('money_index', 'str', False), ('multiplier', 'float', False),
        ('index_year', 'int', False), ('index_value', 'float', False), ('index_currency', 'str', False),
        ('index_value_sources', 'list', True), ('index_amount', 'float', False),
        ('amount_per_month', 'float', False), ('converted_amount', 'float', False),
        ('converted_currency', 'str', False), ('converted_rate', 'float', False),
        ('converted_date', 'date', False), ('converted_source', 'str', False), ('amount_eur', 'float', False),
        ('eur_rate', 'float', False), ('eur_rate_date', 'date', False), ('eur_rate_sources', 'list', True),
        ('range_min', 'float', False), ('range_max', 'float', False), ('range_unit', 'str', False),
        ('language_code', 'str', False), ('language_level', 'str', False), ('effective_from', 'date', False),
        ('effective_until', 'date', False), ('superseded_by', 'str', False), ('conflict', 'str', False),
        ('combination_group', 'str', False), ('combination_meet', 'str', False),
        ('evidence_sources', 'list', True), ('note', 'str', False),
    ]),
    ('documents', ['route_id', 'document_id'], [
        ('route_id', 'str', True), ('document_id', 'str', True), ('name', 'str', True),
        ('required', 'str', True), ('applies_to', 'list', True), ('effective_from', 'date', False),
        ('effective_until', 'date', False), ('superseded_by', 'str', False), ('conflict', 'str', False),
        ('evidence_sources', 'list', True), ('note', 'str', False),
    ]),
    ('sources', ['route_id', 'source_id'], [
        ('route_id', 'str', True), ('source_id', 'str', True), ('url', 'str', True), ('title', 'str', True),
        ('publisher', 'str', False), ('tier', 'str', True), ('language', 'str', True),
        ('translation', 'str', True), ('published', 'date', False), ('seen', 'date', True),
        ('snapshot_path', 'str', False), ('snapshot_sha256', 'str', False), ('aliases', 'list', True),
    ]),
    ('fees', ['route_id', 'fee_index'], [
        ('route_id', 'str', True), ('fee_index', 'int', True), ('description', 'str', True),
        ('free', 'str', False), ('amount', 'float', False), ('currency', 'str', False),
        ('period', 'str', False), ('basis', 'str', False), ('money_index', 'str', False),
        ('multiplier', 'float', False), ('index_year', 'int', False), ('index_value', 'float', False),
        ('index_currency', 'str', False), ('index_value_sources', 'list', True),
        ('index_amount', 'float', False), ('amount_per_month', 'float', False),
        ('converted_amount', 'float', False), ('converted_currency', 'str', False),
        ('converted_rate', 'float', False), ('converted_date', 'date', False),
        ('converted_source', 'str', False), ('amount_eur', 'float', False), ('eur_rate', 'float', False),
        ('eur_rate_date', 'date', False), ('eur_rate_sources', 'list', True), ('applies_to', 'list', True),
        ('effective_from', 'date', False), ('effective_until', 'date', False), ('conflict', 'str', False),
        ('evidence_sources', 'list', True), ('note', 'str', False),
    ]),
    ('processing_times', ['route_id', 'processing_time_index'], [
        ('route_id', 'str', True), ('processing_time_index', 'int', True), ('min', 'float', False),
        ('max', 'float', False), ('unit', 'str', False), ('min_days', 'float', False),
        ('max_days', 'float', False), ('applies_to', 'list', True), ('effective_from', 'date', False),
        ('effective_until', 'date', False), ('conflict', 'str', False), ('evidence_sources', 'list', True),
        ('note', 'str', False),
    ]),
    ('durations', ['route_id', 'duration_kind', 'duration_index'], [
        ('route_id', 'str', True), ('duration_kind', 'str', True), ('duration_index', 'int', True),
        ('min', 'float', False), ('max', 'float', False), ('unit', 'str', False),
        ('min_days', 'float', False), ('max_days', 'float', False), ('entries', 'str', False),
        ('renewable', 'str', False), ('times', 'int', False), ('applies_to', 'list', True),
        ('effective_from', 'date', False), ('effective_until', 'date', False), ('conflict', 'str', False),
        ('evidence_sources', 'list', True), ('note', 'str', False),
    ]),
    ('channels', ['route_id', 'channel_index'], [
        ('route_id', 'str', True), ('channel_index', 'int', True), ('kind', 'str', True),
        ('name', 'str', True), ('url', 'str', False), ('applies_to', 'list', True),
        ('evidence_sources', 'list', True), ('note', 'str', False),
    ]),
    ('legal_basis', ['route_id', 'act_index'], [
        ('route_id', 'str', True), ('act_index', 'int', True), ('title', 'str', True),
        ('number', 'str', False), ('registration', 'str', False), ('issued', 'date', False),
        ('effective_from', 'date', False), ('url', 'str', False), ('amendment_count', 'int', True),
        ('evidence_sources', 'list', True), ('note', 'str', False),
    ]),
    ('amendments', ['route_id', 'act_index', 'amendment_index'], [
        ('route_id', 'str', True), ('act_index', 'int', True), ('amendment_index', 'int', True),
        ('number', 'str', False), ('date', 'date', True), ('note', 'str', False),
    ]),
    ('exemptions', ['route_id', 'exemption_index'], [
        ('route_id', 'str', True), ('exemption_index', 'int', True), ('description', 'str', True),
        ('countries', 'list', True), ('groups', 'list', True), ('requirements_waived', 'list', True),
        ('documents_waived', 'list', True), ('evidence_sources', 'list', True),
    ]),
    ('nationality', ['route_id', 'member_kind', 'member'], [
        ('route_id', 'str', True), ('member_kind', 'str', True), ('member', 'str', True),
        ('scope', 'str', True),
    ]),
    ('evidence', ['route_id', 'pointer'], [
        ('route_id', 'str', True), ('pointer', 'str', True), ('claim_table', 'str', True),
        ('claim_item', 'str', False), ('claim_field', 'str', False), ('source_id', 'str', True),
        ('excerpt', 'str', False), ('locator', 'str', False),
    ]),
    ('related', ['route_id', 'related_route_id', 'relation'], [
        ('route_id', 'str', True), ('related_route_id', 'str', True), ('relation', 'str', True),
        ('note', 'str', False),
    ]),
    ('notes', ['route_id', 'note_index'], [
        ('route_id', 'str', True), ('note_index', 'int', True), ('text', 'str', True),
        ('evidence_sources', 'list', True),
    ]),
    ('reference_sources', ['file', 'source_id'], [
        ('file', 'str', True), ('source_id', 'str', True), ('url', 'str', True), ('title', 'str', True),
        ('tier', 'str', True), ('published', 'date', False), ('seen', 'date', True), ('note', 'str', False),
        ('snapshot_path', 'str', False), ('snapshot_sha256', 'str', False),
    ]),
    ('index_values', ['index', 'year'], [
        ('index', 'str', True), ('year', 'int', True), ('value', 'float', True), ('currency', 'str', True),
        ('effective_from', 'date', False), ('excerpt', 'str', False), ('note', 'str', False),
        ('file', 'str', True), ('sources', 'list', True),
    ]),
    ('wages', ['country', 'kind', 'year'], [
        ('country', 'str', True), ('kind', 'str', True), ('year', 'int', True), ('amount', 'float', True),
        ('currency', 'str', True), ('period', 'str', True), ('excerpt', 'str', False), ('file', 'str', True),
        ('sources', 'list', True),
    ]),
    ('exchange_rates', ['from_currency', 'to_currency', 'date'], [
        ('from_currency', 'str', True), ('to_currency', 'str', True), ('date', 'date', True),
        ('rate', 'float', True), ('excerpt', 'str', False), ('file', 'str', True), ('sources', 'list', True),
    ]),
    ('groups', ['scope', 'group_name'], [
        ('scope', 'str', True), ('group_name', 'str', True), ('name', 'str', True),
        ('description', 'str', True), ('as_of', 'date', False), ('members_listed', 'str', True),
        ('excerpt', 'str', False), ('file', 'str', True), ('sources', 'list', True),
    ]),
    ('group_members', ['scope', 'group_name', 'member'], [
        ('scope', 'str', True), ('group_name', 'str', True), ('member', 'str', True),
    ]),
    ('changes', ['change_index'], [
        ('change_index', 'int', True), ('route_id', 'str', False), ('table_name', 'str', True),
        ('item', 'str', False), ('row_key', 'str', True), ('field', 'str', True), ('kind', 'str', True),
        ('old_value', 'str', False), ('new_value', 'str', False),
    ]),
]

NAMES = [t[0] for t in TABLES]
KEYS = {t[0]: t[1] for t in TABLES}
COLUMNS = {t[0]: t[2] for t in TABLES}

SQLITE_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "date": "TEXT", "list": "TEXT"}

# Tables whose `route_id` refers to `routes` (the release declares the foreign key; SQLite does
# not enforce it here, nor in `routes publish`, which checks it once at the end).
CHILDREN = set(NAMES[1:15])


def sqlite_ddl(table):
    """`CREATE TABLE` of one table, STRICT, with the release's types, NOT NULL and primary key.

    `routes publish` also writes a CHECK per enum, date and list column and an FTS5 table
    (`search`) over the prose, then runs VACUUM; the baselines do not (see the harness's notes).
    """
    cols = [f'  "{name}" {SQLITE_TYPES[ty]}{" NOT NULL" if req else ""}' for name, ty, req in COLUMNS[table]]
    cols.append("  PRIMARY KEY (" + ", ".join(f'"{k}"' for k in KEYS[table]) + ")")
    if table in CHILDREN:
        cols.append('  FOREIGN KEY ("route_id") REFERENCES "routes" ("route_id")')
    return f'CREATE TABLE "{table}" (\n' + ",\n".join(cols) + "\n) STRICT"


def sqlite_open(path):
    """A new database with the pragmas of `routes publish` and every table created, in a transaction."""
    import sqlite3
    Path(path).unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("page_size = 4096", "journal_mode = OFF", "synchronous = OFF", "locking_mode = EXCLUSIVE",
                   "foreign_keys = OFF"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("BEGIN")
    for table in NAMES:
        db.execute(sqlite_ddl(table))
    return db


def sqlite_insert(table):
    names = ", ".join(f'"{c[0]}"' for c in COLUMNS[table])
    marks = ", ".join("?" for _ in COLUMNS[table])
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks})'


def summary(out_dir, rows):
    """The line a baseline prints: routes rows, tables written, bytes of every file."""
    out = Path(out_dir)
    files = [p for p in out.iterdir() if p.is_file()]
    tables = len([p for p in files if p.suffix == ".parquet"])
    return json.dumps({"rows": rows, "tables": tables, "bytes": sum(p.stat().st_size for p in files)})


def check(out_dir, release_dir):
    """Compares a baseline's tables with those of a `routes` release of the same data.

    For every table: the row count of the Parquet file, the CSV file and the SQLite table must
    equal the release's (`routes:rows` of `datapackage.json`, and its Parquet file), and the
    Parquet columns must have the release's names and types (nullability aside: neither tool
    writes a list whose elements are declared non-null, and DuckDB declares no column required).
    Then, informational, the values: each Parquet table is compared with the release's, column
    by column (`differing_values`: the columns whose values differ), and each SQLite table with the
    release's `routes.sqlite` (`sqlite_differing_rows`: rows of either not in the other, by
    `EXCEPT`). Returns a dict with `ok`.
    """
    import sqlite3

    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    out, data = Path(out_dir), Path(release_dir) / "data"
    package = json.loads((Path(release_dir) / "datapackage.json").read_text())
    declared = {r["name"][: -len("-parquet")]: r.get("routes:rows") for r in package["resources"]
                if r["name"].endswith("-parquet")}
    db = sqlite3.connect(f"file:{out / 'routes.sqlite'}?mode=ro", uri=True)
    db.execute("ATTACH ? AS release", (f"file:{data / 'routes.sqlite'}?mode=ro",))
    tables, problems = {}, []
    for table in NAMES:
        theirs = pq.read_table(data / f"{table}.parquet")
        ours = pq.read_table(out / f"{table}.parquet")
        csv_rows = pcsv.read_csv(out / f"{table}.csv", parse_options=pcsv.ParseOptions(newlines_in_values=True),
                                 convert_options=pcsv.ConvertOptions(
                                     column_types={c[0]: pa.string() for c in COLUMNS[table]})).num_rows
        sqlite_rows = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        want = theirs.num_rows
        row = {"routes": want, "parquet": ours.num_rows, "csv": csv_rows, "sqlite": sqlite_rows}
        if declared.get(table) not in (None, want):
            problems.append(f"{table}: the release's datapackage.json says {declared[table]} rows, its Parquet {want}")
        for fmt in ("parquet", "csv", "sqlite"):
            if row[fmt] != want:
                problems.append(f"{table}: {row[fmt]} rows in {fmt}, routes publish wrote {want}")
        def plain(t):
            return [(f.name, str(f.type).replace(" not null", "")) for f in t.schema]
        if plain(ours) != plain(theirs):
            problems.append(f"{table}: columns {plain(ours)} differ from the release's {plain(theirs)}")
            row["differing_values"] = ["(columns differ)"]
        else:
            ours = ours.cast(theirs.schema)
            row["differing_values"] = [n for n in theirs.column_names
                                       if not ours.column(n).combine_chunks().equals(theirs.column(n).combine_chunks())]
        row["sqlite_differing_rows"] = sum(db.execute(
            f'SELECT count(*) FROM (SELECT * FROM {a}."{table}" EXCEPT SELECT * FROM {b}."{table}")').fetchone()[0]
            for a, b in (("main", "release"), ("release", "main")))
        tables[table] = row
    db.close()
    return {"ok": not problems, "problems": problems, "tables": tables}


def check_main(out_dir, release_dir, stream=None):
    """Prints the check as JSON (on stderr unless `stream` is given); exits 1 if it failed."""
    import sys
    result = check(out_dir, release_dir)
    print(json.dumps(result, indent=1), file=stream or sys.stderr)
    if not result["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    # usage: tidy_tables.py check OUT_DIR RELEASE_DIR (the result as JSON on stdout; exit 1 if it failed)
    import sys
    if len(sys.argv) != 4 or sys.argv[1] != "check":
        sys.exit("usage: tidy_tables.py check OUT_DIR RELEASE_DIR")
    check_main(sys.argv[2], sys.argv[3], sys.stdout)
