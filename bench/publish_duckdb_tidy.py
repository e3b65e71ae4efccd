"""Fair baseline: the tidy tables of `routes publish`, written with DuckDB.

usage: publish_duckdb_tidy.py ROUTES_JSONL OUT_DIR [--check RELEASE_DIR]

Reads `routes.jsonl` with `read_json` (the record's type given in full, from
`schema/route.schema.json`, so that no field is guessed from a sample), builds the 22 tables of a
release's `data/` in DuckDB SQL (`unnest` with `generate_subscripts`, `list_transform`, `UNION
ALL`, each table ordered by its primary key as `routes publish` orders it), and writes each as
`OUT_DIR/<table>.parquet` (zstd, level 3, as `routes publish`) and `OUT_DIR/<table>.csv`
(`COPY ... TO`: header, CRLF, lists as JSON arrays, dates `YYYY-MM-DD`), and all of them into one
SQLite database, `OUT_DIR/routes.sqlite` (STRICT tables, the release's types, NOT NULL and
primary keys; see `tidy_tables.py`). DuckDB uses every core; the SQLite database is filled on a
thread of its own while DuckDB builds and writes the next tables.

SQLite: DuckDB writes SQLite through its `sqlite` extension, which it downloads from DuckDB's
own extension host; the benchmark machines reach package registries only, and no PyPI package
ships the extension for DuckDB 2.0.1 (`duckdb-extension-sqlite-scanner` stops at 1.5.5, and an
extension must match its DuckDB's version). So the rows go into SQLite through Python's `sqlite3` module: DuckDB
renders each table as SQLite stores it (lists as JSON text with `to_json`, dates as text) and the
rows are fetched in batches into `executemany`.

What the input cannot give (reference data, changes), what is printed, and what --check
compares: see the docstring of `tidy_tables.py`.
"""
import queue
import sys
import threading
from pathlib import Path

import duckdb

sys.dont_write_bytecode = True  # no bench/__pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tidy_tables  # noqa: E402

EV = "STRUCT(source VARCHAR, excerpt VARCHAR, locator VARCHAR)[]"
RANGE = "STRUCT(min DOUBLE, max DOUBLE, unit VARCHAR)"
MONEY = ("STRUCT(amount DOUBLE, currency VARCHAR, period VARCHAR, basis VARCHAR, "
         "converted STRUCT(amount DOUBLE, currency VARCHAR, rate DOUBLE, date DATE, source VARCHAR), "
         "index VARCHAR, multiplier DOUBLE, year BIGINT)")
DATES = "effective_from DATE, effective_until DATE"
TERM = (f"STRUCT(range {RANGE}, entries VARCHAR, applies_to VARCHAR[], {DATES}, evidence {EV}, conflict VARCHAR, "
        "note VARCHAR)[]")
RENEWAL = (f"STRUCT(renewable VARCHAR, times BIGINT, term {RANGE}, applies_to VARCHAR[], {DATES}, evidence {EV}, "
           "conflict VARCHAR, note VARCHAR)[]")
CLAIM = f"STRUCT(value VARCHAR, evidence {EV}, note VARCHAR)"
# The record, as `schema/route.schema.json` defines it (fields the tables do not use left out).
COLUMNS = {
    "id": "VARCHAR",
    "country": "VARCHAR",
    "name": "VARCHAR",
    "official_name": f"STRUCT(text VARCHAR, language VARCHAR, evidence {EV})",
    "codes": "VARCHAR[]",
    "category": "VARCHAR",
    "status": "VARCHAR",
    "summary": "VARCHAR",
    "eligibility": (f"STRUCT(nationality STRUCT(scope VARCHAR, countries VARCHAR[], groups VARCHAR[], "
                    f"description VARCHAR, evidence {EV}), exemptions STRUCT(who STRUCT(countries VARCHAR[], "
                    f"groups VARCHAR[]), description VARCHAR, requirements VARCHAR[], documents VARCHAR[], "
                    f"evidence {EV})[])"),
    "requirements": (f"STRUCT(id VARCHAR, kind VARCHAR, description VARCHAR, required VARCHAR, "
                     f"applies_to VARCHAR[], money {MONEY}, range {RANGE}, language STRUCT(code VARCHAR, "
                     f"level VARCHAR), {DATES}, superseded_by VARCHAR, evidence {EV}, conflict VARCHAR, "
                     f"combination STRUCT(\"group\" VARCHAR, meet VARCHAR), note VARCHAR)[]"),
    "duration": (f"STRUCT(initial_stay {TERM}, validity {TERM}, renewal {RENEWAL}, "
                 f"leads_to_permanent_residence {CLAIM}, leads_to_citizenship {CLAIM})"),
    "documents": (f"STRUCT(id VARCHAR, name VARCHAR, required VARCHAR, applies_to VARCHAR[], {DATES}, "
                  f"superseded_by VARCHAR, evidence {EV}, conflict VARCHAR, note VARCHAR)[]"),
    "application": (f"STRUCT(channels STRUCT(kind VARCHAR, name VARCHAR, url VARCHAR, applies_to VARCHAR[], "
                    f"evidence {EV}, note VARCHAR)[], processing_times STRUCT(range {RANGE}, applies_to VARCHAR[], "
                    f"{DATES}, evidence {EV}, conflict VARCHAR, note VARCHAR)[], fees STRUCT(money {MONEY}, "
                    f"free BOOLEAN, description VARCHAR, applies_to VARCHAR[], {DATES}, evidence {EV}, "
                    f"conflict VARCHAR, note VARCHAR)[])"),
    "legal_basis": (f"STRUCT(title VARCHAR, number VARCHAR, registration VARCHAR, issued DATE, effective_from DATE, "
                    f"amendments STRUCT(number VARCHAR, date DATE, note VARCHAR)[], url VARCHAR, evidence {EV}, "
                    f"note VARCHAR)[]"),
    "sources": ("STRUCT(id VARCHAR, url VARCHAR, title VARCHAR, publisher VARCHAR, tier VARCHAR, language VARCHAR, "
                "translation VARCHAR, published DATE, seen DATE, snapshot STRUCT(path VARCHAR, sha256 VARCHAR, "
                "retrieved DATE), aliases VARCHAR[])[]"),
    "last_verified": "DATE",
    "review_status": "VARCHAR",
    "related": "STRUCT(id VARCHAR, relation VARCHAR, note VARCHAR)[]",
    "notes": f"STRUCT(text VARCHAR, evidence {EV})[]",
}

EMPTY = "[]::VARCHAR[]"


def lst(expr):
    """A list column: an absent list is empty, never null."""
    return f"coalesce({expr}, {EMPTY})"


def sources_of(expr):
    """The ids of the sources of an evidence list."""
    return f"coalesce(list_transform({expr}, lambda e: e.source), {EMPTY})"


def money(m):
    """The money columns of `routes publish`, in order, from a money struct `m` (no reference data)."""
    return f"""
        {m}.amount AS amount, {m}.currency AS currency, {m}.period AS period, {m}.basis AS basis,
        {m}.index AS money_index, {m}.multiplier AS multiplier, {m}.year AS index_year,
        NULL::DOUBLE AS index_value, NULL::VARCHAR AS index_currency, {EMPTY} AS index_value_sources,
        NULL::DOUBLE AS index_amount,
        CASE {m}.period WHEN 'year' THEN {m}.amount / 12.0 WHEN 'month' THEN {m}.amount END AS amount_per_month,
        {m}.converted.amount AS converted_amount, {m}.converted.currency AS converted_currency,
        {m}.converted.rate AS converted_rate, {m}.converted.date AS converted_date,
        {m}.converted.source AS converted_source,
        CASE WHEN {m}.currency = 'EUR' THEN {m}.amount END AS amount_eur,
        CASE WHEN {m}.currency = 'EUR' THEN 1.0::DOUBLE END AS eur_rate,
        NULL::DATE AS eur_rate_date, {EMPTY} AS eur_rate_sources"""


def days(v, unit):
    """`v` of `unit` in calendar days, multiplied then divided as `routes publish` does."""
    return (f"CASE {unit} WHEN 'days' THEN {v} WHEN 'working_days' THEN {v} * 7.0::DOUBLE / 5.0::DOUBLE "
            f"WHEN 'weeks' THEN {v} * 7.0::DOUBLE WHEN 'months' THEN {v} * 365.25::DOUBLE / 12.0::DOUBLE "
            f"WHEN 'years' THEN {v} * 365.25::DOUBLE WHEN 'hours' THEN {v} / 24.0::DOUBLE END")


def ranged(g):
    return (f"{g}.min AS min, {g}.max AS max, {g}.unit AS unit, {days(f'{g}.min', f'{g}.unit')} AS min_days, "
            f"{days(f'{g}.max', f'{g}.unit')} AS max_days")


def evidence_rows(owner_from, pointer, claim_table, item, field, ev):
    """The evidence rows of one kind of evidence list: `pointer` is the owner's JSON pointer."""
    return f"""
        SELECT route_id, owner || '/evidence/' || (j - 1) AS pointer, '{claim_table}' AS claim_table,
               claim_item, {field}::VARCHAR AS claim_field, e.source AS source_id, e.excerpt AS excerpt,
               e.locator AS locator
        FROM (SELECT r.id AS route_id, {pointer} AS owner, {item}::VARCHAR AS claim_item, unnest({ev}) AS e,
                     generate_subscripts({ev}, 1) AS j
              FROM {owner_from})"""


def each(list_expr, alias):
    """The entries (`alias`) of a list of each route, with the route's id (`r.id`) and their
    position from 1 (`i`). (Unnested in the select list: `unnest ... WITH ORDINALITY` in FROM was
    30 times slower.)"""
    return (f"(SELECT r.id AS id, unnest({list_expr}) AS {alias}, generate_subscripts({list_expr}, 1) AS i "
            f"FROM raw r) AS r")


TABLES = {
    "routes": f"""
        SELECT r.id AS route_id, r.country, r.name, r.official_name.text AS official_name,
               r.official_name.language AS official_name_language, {lst('r.codes')} AS codes, r.category, r.status,
               r.summary, r.eligibility.nationality.scope AS nationality_scope,
               {lst('r.eligibility.nationality.countries')} AS nationality_countries,
               {lst('r.eligibility.nationality.groups')} AS nationality_groups,
               r.eligibility.nationality.description AS nationality_description,
               r.duration.leads_to_permanent_residence.value AS leads_to_permanent_residence,
               r.duration.leads_to_citizenship.value AS leads_to_citizenship,
               r.duration.leads_to_permanent_residence.note AS leads_to_permanent_residence_note,
               r.duration.leads_to_citizenship.note AS leads_to_citizenship_note, r.last_verified, r.review_status,
               coalesce(len(r.requirements), 0)::BIGINT AS requirement_count,
               coalesce(len(r.documents), 0)::BIGINT AS document_count,
               coalesce(len(r.sources), 0)::BIGINT AS source_count,
               coalesce(list_transform(r.related, lambda x: x.relation || ':' || x.id), {EMPTY}) AS related_routes
        FROM raw r ORDER BY route_id""",
    "requirements": f"""
        SELECT r.id AS route_id, q.id AS requirement_id, q.kind, q.description, q.required,
               {lst('q.applies_to')} AS applies_to, {money('q.money')},
               q.range.min AS range_min, q.range.max AS range_max, q.range.unit AS range_unit,
               q.language.code AS language_code, q.language.level AS language_level, q.effective_from,
               q.effective_until, q.superseded_by, q.conflict, q.combination."group" AS combination_group,
               q.combination.meet AS combination_meet, {sources_of('q.evidence')} AS evidence_sources, q.note
        FROM {each('r.requirements', 'q')} ORDER BY route_id, requirement_id""",
    "documents": f"""
        SELECT r.id AS route_id, d.id AS document_id, d.name, d.required, {lst('d.applies_to')} AS applies_to,
               d.effective_from, d.effective_until, d.superseded_by, d.conflict,
               {sources_of('d.evidence')} AS evidence_sources, d.note
        FROM {each('r.documents', 'd')} ORDER BY route_id, document_id""",
    "sources": f"""
        SELECT r.id AS route_id, s.id AS source_id, s.url, s.title, s.publisher, s.tier, s.language, s.translation,
               s.published, s.seen, s.snapshot.path AS snapshot_path, s.snapshot.sha256 AS snapshot_sha256,
               {lst('s.aliases')} AS aliases
        FROM {each('r.sources', 's')} ORDER BY route_id, source_id""",
    "fees": f"""
        SELECT r.id AS route_id, (i - 1)::BIGINT AS fee_index, f.description,
               CASE f.free WHEN true THEN 'yes' WHEN false THEN 'no' END AS free, {money('f.money')},
               {lst('f.applies_to')} AS applies_to, f.effective_from, f.effective_until, f.conflict,
               {sources_of('f.evidence')} AS evidence_sources, f.note
        FROM {each('r.application.fees', 'f')} ORDER BY route_id, fee_index""",
    "processing_times": f"""
        SELECT r.id AS route_id, (i - 1)::BIGINT AS processing_time_index, {ranged('p.range')},
               {lst('p.applies_to')} AS applies_to, p.effective_from, p.effective_until, p.conflict,
               {sources_of('p.evidence')} AS evidence_sources, p.note
        FROM {each('r.application.processing_times', 'p')} ORDER BY route_id, processing_time_index""",
    "durations": f"""
        SELECT * FROM (
            SELECT r.id AS route_id, 'initial_stay' AS duration_kind, (i - 1)::BIGINT AS duration_index,
                   {ranged('t.range')}, t.entries, NULL::VARCHAR AS renewable, NULL::BIGINT AS times,
                   {lst('t.applies_to')} AS applies_to, t.effective_from, t.effective_until, t.conflict,
                   {sources_of('t.evidence')} AS evidence_sources, t.note
            FROM {each('r.duration.initial_stay', 't')}
            UNION ALL
            SELECT r.id, 'validity', (i - 1)::BIGINT, {ranged('t.range')}, t.entries, NULL, NULL,
                   {lst('t.applies_to')}, t.effective_from, t.effective_until, t.conflict,
                   {sources_of('t.evidence')}, t.note
            FROM {each('r.duration.validity', 't')}
            UNION ALL
            SELECT r.id, 'renewal', (i - 1)::BIGINT, {ranged('t.term')}, NULL, t.renewable, t.times,
                   {lst('t.applies_to')}, t.effective_from, t.effective_until, t.conflict,
                   {sources_of('t.evidence')}, t.note
            FROM {each('r.duration.renewal', 't')}
        ) ORDER BY route_id, duration_kind, duration_index""",
    "channels": f"""
        SELECT r.id AS route_id, (i - 1)::BIGINT AS channel_index, c.kind, c.name, c.url,
               {lst('c.applies_to')} AS applies_to, {sources_of('c.evidence')} AS evidence_sources, c.note
        FROM {each('r.application.channels', 'c')} ORDER BY route_id, channel_index""",
    "legal_basis": f"""
        SELECT r.id AS route_id, (i - 1)::BIGINT AS act_index, a.title, a.number, a.registration, a.issued,
               a.effective_from, a.url, coalesce(len(a.amendments), 0)::BIGINT AS amendment_count,
               {sources_of('a.evidence')} AS evidence_sources, a.note
        FROM {each('r.legal_basis', 'a')} ORDER BY route_id, act_index""",
    "amendments": f"""
        SELECT id AS route_id, (i - 1)::BIGINT AS act_index, (k - 1)::BIGINT AS amendment_index,
               m.number AS number, m.date AS date, m.note AS note
        FROM (SELECT r.id AS id, i, unnest(a.amendments) AS m, generate_subscripts(a.amendments, 1) AS k
              FROM {each('r.legal_basis', 'a')})
        ORDER BY route_id, act_index, amendment_index""",
    "exemptions": f"""
        SELECT r.id AS route_id, (i - 1)::BIGINT AS exemption_index, x.description,
               {lst('x.who.countries')} AS countries, {lst('x.who.groups')} AS groups,
               {lst('x.requirements')} AS requirements_waived, {lst('x.documents')} AS documents_waived,
               {sources_of('x.evidence')} AS evidence_sources
        FROM {each('r.eligibility.exemptions', 'x')} ORDER BY route_id, exemption_index""",
    "nationality": """
        SELECT DISTINCT * FROM (
            SELECT r.id AS route_id, 'country' AS member_kind, m AS member, r.eligibility.nationality.scope AS scope
            FROM raw r, unnest(r.eligibility.nationality.countries) AS u(m)
            UNION ALL
            SELECT r.id, 'group', m, r.eligibility.nationality.scope
            FROM raw r, unnest(r.eligibility.nationality.groups) AS u(m)
        ) ORDER BY route_id, member_kind, member""",
    "evidence": "SELECT * FROM (" + " UNION ALL ".join([
        evidence_rows("raw r", "'/official_name'", "routes", "NULL", "'official_name'", "r.official_name.evidence"),
        evidence_rows("raw r", "'/eligibility/nationality'", "routes", "NULL", "'nationality_scope'",
                      "r.eligibility.nationality.evidence"),
        evidence_rows(each("r.eligibility.exemptions", "x"), "'/eligibility/exemptions/' || (i - 1)", "exemptions",
                      "(i - 1)", "NULL", "x.evidence"),
        evidence_rows(each("r.requirements", "q"), "'/requirements/' || (i - 1)", "requirements", "q.id", "NULL",
                      "q.evidence"),
        *[evidence_rows(each(f"r.duration.{kind}", "t"), f"'/duration/{kind}/' || (i - 1)", "durations",
                        f"'{kind}/' || (i - 1)", "NULL", "t.evidence")
          for kind in ("initial_stay", "validity", "renewal")],
        *[evidence_rows("raw r", f"'/duration/{claim}'", "routes", "NULL", f"'{claim}'", f"r.duration.{claim}.evidence")
          for claim in ("leads_to_permanent_residence", "leads_to_citizenship")],
        evidence_rows(each("r.documents", "d"), "'/documents/' || (i - 1)", "documents", "d.id", "NULL", "d.evidence"),
        *[evidence_rows(each(f"r.application.{name}", "c"), f"'/application/{name}/' || (i - 1)", name, "(i - 1)",
                        "NULL", "c.evidence")
          for name in ("channels", "processing_times", "fees")],
        evidence_rows(each("r.legal_basis", "a"), "'/legal_basis/' || (i - 1)", "legal_basis", "(i - 1)", "NULL",
                      "a.evidence"),
        evidence_rows(each("r.notes", "n"), "'/notes/' || (i - 1)", "notes", "(i - 1)", "NULL", "n.evidence"),
    ]) + ") ORDER BY route_id, pointer",
    "related": """
        SELECT r.id AS route_id, x.id AS related_route_id, x.relation AS relation, x.note AS note
        FROM raw r, unnest(r.related) AS u(x) ORDER BY route_id, related_route_id, relation""",
    "notes": f"""
        SELECT r.id AS route_id, (i - 1)::BIGINT AS note_index, n.text, {sources_of('n.evidence')} AS evidence_sources
        FROM {each('r.notes', 'n')} ORDER BY route_id, note_index""",
}

DUCK_TYPES = {"str": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "date": "DATE", "list": "VARCHAR[]"}


def empty_table(table):
    """A table the input has no rows for (reference data, changes): its columns, no rows."""
    cols = ", ".join(f'NULL::{DUCK_TYPES[ty]} AS "{name}"' for name, ty, _ in tidy_tables.COLUMNS[table])
    return f"SELECT {cols} WHERE false"


def as_text(table):
    """The table as CSV and SQLite store it: lists as JSON arrays, dates as `YYYY-MM-DD`."""
    cols = []
    for name, ty, _ in tidy_tables.COLUMNS[table]:
        if ty == "list":
            cols.append(f'to_json("{name}")::VARCHAR AS "{name}"')
        elif ty == "date":
            cols.append(f'strftime("{name}", \'%Y-%m-%d\') AS "{name}"')
        else:
            cols.append(f'"{name}"')
    return f'SELECT {", ".join(cols)} FROM "{table}"'


def main():
    src, out, release = tidy_tables.arguments(sys.argv[1:])
    con = duckdb.connect()
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_json('{src}', format = 'newline_delimited', "
                f"columns = {columns})")
    # The SQLite database is filled on a thread of its own (a second connection to the same
    # in-memory database), table by table as each is built, while DuckDB writes the files.
    built = queue.Queue()

    def fill_sqlite():
        cur = con.cursor()
        db = tidy_tables.sqlite_open(out / "routes.sqlite")
        while (table := built.get()) is not None:
            result = cur.execute(as_text(table))
            insert = tidy_tables.sqlite_insert(table)
            while rows := result.fetchmany(8192):
                db.executemany(insert, rows)
        db.execute("COMMIT")
        db.close()

    sqlite = threading.Thread(target=fill_sqlite)
    sqlite.start()
    try:
        for table in tidy_tables.NAMES:
            con.execute(f'CREATE TABLE "{table}" AS {TABLES.get(table) or empty_table(table)}')
            built.put(table)
            con.execute(f"COPY \"{table}\" TO '{out / table}.parquet' (FORMAT parquet, COMPRESSION zstd, "
                        "COMPRESSION_LEVEL 3)")
            con.execute(f"COPY ({as_text(table)}) TO '{out / table}.csv' (FORMAT csv, HEADER, NEW_LINE '\\r\\n')")
    finally:
        built.put(None)
        sqlite.join()
    rows = con.execute('SELECT count(*) FROM "routes"').fetchone()[0]
    print(tidy_tables.summary(out, rows))
    if release:
        tidy_tables.check_main(out, release)


if __name__ == "__main__":
    main()
