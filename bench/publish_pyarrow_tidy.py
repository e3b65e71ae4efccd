"""Fair baseline: the tidy tables of `routes publish`, written with pyarrow.

usage: publish_pyarrow_tidy.py ROUTES_JSONL OUT_DIR [--check RELEASE_DIR]

Reads `routes.jsonl` with `pyarrow.json.read_json` (the record's type given in full, from
`schema/route.schema.json`; dates read as text and cast, since the JSON reader parses no
`date32`), sorts the routes by id, and builds the 22 tables of a release's `data/` with
`pyarrow.compute` (`list_flatten` and `list_parent_indices` to explode a list, `struct_field`,
`if_else`, `binary_join_element_wise`, `sort_by` on each table's primary key as `routes publish`
orders it), with Python only where pyarrow has no operator (the numbering of entries within
their list, and the JSON text of a list whose items hold control characters). Each table is
written as `OUT_DIR/<table>.parquet` (zstd, level 3, as `routes publish`, with the release's
exact schema, required columns and non-null list items included) and `OUT_DIR/<table>.csv`
(`pyarrow.csv.write_csv`: header, CRLF, lists as JSON arrays, dates `YYYY-MM-DD`; pyarrow quotes
every text value, `routes publish` only those that need it), and all of them into one SQLite
database, `OUT_DIR/routes.sqlite`, through Python's `sqlite3` (pyarrow has no SQLite writer;
STRICT tables, the release's types, NOT NULL and primary keys; see `tidy_tables.py`). pyarrow
reads the JSON Lines on every core; the files of the tables are written on a pool of two threads
while the SQLite database is filled on a thread of its own.

What the input cannot give (reference data, changes), what is printed, and what --check
compares: see the docstring of `tidy_tables.py`.
"""
import json
import queue
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.json as pj
import pyarrow.parquet as pq

sys.dont_write_bytecode = True  # no bench/__pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tidy_tables  # noqa: E402

S, F, I = pa.string(), pa.float64(), pa.int64()
DAY = S  # read as text, cast to date32 when the table is built
STRS = pa.list_(S)


def st(*fields):
    return pa.struct(list(fields))


def ls(*fields):
    return pa.list_(st(*fields))


EV = ls(("source", S), ("excerpt", S), ("locator", S))
RANGE = st(("min", F), ("max", F), ("unit", S))
MONEY = st(("amount", F), ("currency", S), ("period", S), ("basis", S),
           ("converted", st(("amount", F), ("currency", S), ("rate", F), ("date", DAY), ("source", S))),
           ("index", S), ("multiplier", F), ("year", I))
DATES = [("effective_from", DAY), ("effective_until", DAY)]
TERM = ls(("range", RANGE), ("entries", S), ("applies_to", STRS), *DATES, ("evidence", EV), ("conflict", S),
          ("note", S))
RENEWAL = ls(("renewable", S), ("times", I), ("term", RANGE), ("applies_to", STRS), *DATES, ("evidence", EV),
             ("conflict", S), ("note", S))
CLAIM = st(("value", S), ("evidence", EV), ("note", S))
# The record, as `schema/route.schema.json` defines it (fields the tables do not use left out).
RECORD = pa.schema([
    ("id", S), ("country", S), ("name", S),
    ("official_name", st(("text", S), ("language", S), ("evidence", EV))),
    ("codes", STRS), ("category", S), ("status", S), ("summary", S),
    ("eligibility", st(
        ("nationality", st(("scope", S), ("countries", STRS), ("groups", STRS), ("description", S), ("evidence", EV))),
        ("exemptions", ls(("who", st(("countries", STRS), ("groups", STRS))), ("description", S),
                          ("requirements", STRS), ("documents", STRS), ("evidence", EV))))),
    ("requirements", ls(("id", S), ("kind", S), ("description", S), ("required", S), ("applies_to", STRS),
                        ("money", MONEY), ("range", RANGE), ("language", st(("code", S), ("level", S))), *DATES,
                        ("superseded_by", S), ("evidence", EV), ("conflict", S),
                        ("combination", st(("group", S), ("meet", S))), ("note", S))),
    ("duration", st(("initial_stay", TERM), ("validity", TERM), ("renewal", RENEWAL),
                    ("leads_to_permanent_residence", CLAIM), ("leads_to_citizenship", CLAIM))),
    ("documents", ls(("id", S), ("name", S), ("required", S), ("applies_to", STRS), *DATES, ("superseded_by", S),
                     ("evidence", EV), ("conflict", S), ("note", S))),
    ("application", st(
        ("channels", ls(("kind", S), ("name", S), ("url", S), ("applies_to", STRS), ("evidence", EV), ("note", S))),
        ("processing_times", ls(("range", RANGE), ("applies_to", STRS), *DATES, ("evidence", EV), ("conflict", S),
                                ("note", S))),
        ("fees", ls(("money", MONEY), ("free", pa.bool_()), ("description", S), ("applies_to", STRS), *DATES,
                    ("evidence", EV), ("conflict", S), ("note", S))))),
    ("legal_basis", ls(("title", S), ("number", S), ("registration", S), ("issued", DAY), ("effective_from", DAY),
                       ("amendments", ls(("number", S), ("date", DAY), ("note", S))), ("url", S), ("evidence", EV),
                       ("note", S))),
    ("sources", ls(("id", S), ("url", S), ("title", S), ("publisher", S), ("tier", S), ("language", S),
                   ("translation", S), ("published", DAY), ("seen", DAY),
                   ("snapshot", st(("path", S), ("sha256", S), ("retrieved", DAY))), ("aliases", STRS))),
    ("last_verified", DAY), ("review_status", S),
    ("related", ls(("id", S), ("relation", S), ("note", S))),
    ("notes", ls(("text", S), ("evidence", EV))),
])

ARROW = {"str": S, "int": I, "float": F, "date": pa.date32(), "list": pa.list_(pa.field("element", S, False))}
SCHEMAS = {t: pa.schema([pa.field(n, ARROW[ty], not req) for n, ty, req in tidy_tables.COLUMNS[t]])
           for t in tidy_tables.NAMES}
EMPTY_LIST = pa.scalar([], STRS)


def field(array, *path):
    """A field of a struct array (nested: a path), null where a struct on the way is null."""
    for name in path:
        array = pc.struct_field(array, name)
    return array


def listed(array):
    """A list column: an absent list is empty."""
    return pc.fill_null(array, EMPTY_LIST)


def arange(n, start=0):
    return pa.array(range(start, start + n), I)


def explode(lists):
    """The entries of a list array: (index of the list each came from, position in it from 0, entries)."""
    parents = pc.list_parent_indices(lists)
    flat = pc.list_flatten(lists)
    offsets = lists.offsets
    first = offsets[0].as_py()
    position = pc.subtract(arange(len(flat), first), pc.take(offsets, parents).cast(I))
    return parents, position, flat


def rebuild(lists, values):
    """A list array of `values` with the shape of `lists` (one value per entry, in order)."""
    offsets = lists.offsets
    return pa.ListArray.from_arrays(pc.subtract(offsets, offsets[0]), values)


def source_ids(evidence):
    """The ids of the sources of each evidence list."""
    evidence = listed(evidence)
    return rebuild(evidence, field(pc.list_flatten(evidence), "source"))


def nulls(n, ty):
    return pa.nulls(n, ty)


def empty_lists(n):
    return pc.fill_null(pa.nulls(n, STRS), EMPTY_LIST)


def money(m):
    """The money columns of `routes publish`, in order, from a money struct array (no reference data)."""
    n = len(m)
    amount, currency, period = field(m, "amount"), field(m, "currency"), field(m, "period")
    converted = field(m, "converted")
    euro = pc.equal(currency, "EUR")
    return {
        "amount": amount, "currency": currency, "period": period, "basis": field(m, "basis"),
        "money_index": field(m, "index"), "multiplier": field(m, "multiplier"), "index_year": field(m, "year"),
        "index_value": nulls(n, F), "index_currency": nulls(n, S), "index_value_sources": empty_lists(n),
        "index_amount": nulls(n, F),
        "amount_per_month": pc.if_else(pc.equal(period, "year"), pc.divide(amount, 12.0),
                                       pc.if_else(pc.equal(period, "month"), amount, nulls(n, F))),
        "converted_amount": field(converted, "amount"), "converted_currency": field(converted, "currency"),
        "converted_rate": field(converted, "rate"), "converted_date": field(converted, "date"),
        "converted_source": field(converted, "source"),
        "amount_eur": pc.if_else(euro, amount, nulls(n, F)),
        "eur_rate": pc.if_else(euro, pa.scalar(1.0), nulls(n, F)),
        "eur_rate_date": nulls(n, S), "eur_rate_sources": empty_lists(n),
    }


UNITS = pa.array(["days", "working_days", "weeks", "months", "years", "hours", "points"])
NUM = pa.array([1.0, 7.0, 7.0, 365.25, 365.25, 1.0, None])
DEN = pa.array([1.0, 5.0, 1.0, 12.0, 1.0, 24.0, None])


def ranged(g):
    """The range columns (`min`, `max`, `unit`, and both in calendar days), multiplied then divided."""
    unit = field(g, "unit")
    at = pc.index_in(unit, value_set=UNITS)
    num, den = pc.take(NUM, at), pc.take(DEN, at)
    lo, hi = field(g, "min"), field(g, "max")
    return {"min": lo, "max": hi, "unit": unit,
            "min_days": pc.divide(pc.multiply(lo, num), den), "max_days": pc.divide(pc.multiply(hi, num), den)}


def text(*parts):
    return pc.binary_join_element_wise(*parts, "")


class Tables:
    def __init__(self, routes):
        self.r = routes  # sorted by id, one chunk
        self.ids = routes.column("id").chunk(0)
        self.out = {}

    def col(self, *path):
        array = self.r.column(path[0]).chunk(0)
        return field(array, *path[1:]) if len(path) > 1 else array

    def each(self, *path):
        """The entries of a list of each route: (route ids, positions from 0, entries)."""
        parents, position, flat = explode(self.col(*path))
        return pc.take(self.ids, parents), position, flat

    def typed(self, name, columns):
        """Columns as one table with the release's columns, in its order and types."""
        schema = SCHEMAS[name]
        arrays = []
        for f in schema:
            a = columns[f.name]
            if pa.types.is_list(f.type):
                a = listed(a)
            arrays.append(a.cast(f.type))
        return pa.Table.from_arrays(arrays, schema=schema)

    def put(self, name, columns):
        """One table, sorted by its primary key."""
        table = columns if isinstance(columns, pa.Table) else self.typed(name, columns)
        self.out[name] = table.sort_by([(k, "ascending") for k in tidy_tables.KEYS[name]])

    def build(self):
        self.routes()
        self.requirements()
        self.documents()
        self.sources()
        self.application()
        self.durations()
        self.law()
        self.eligibility()
        self.evidence()
        self.related()
        self.notes()
        for name in tidy_tables.NAMES:
            if name not in self.out:  # reference data and changes: none in the input
                self.out[name] = SCHEMAS[name].empty_table()
        return self.out

    def routes(self):
        nat = ("eligibility", "nationality")
        related = listed(self.col("related"))
        rel = pc.list_flatten(related)
        length = lambda *path: pc.list_value_length(listed(self.col(*path)))  # noqa: E731
        self.put("routes", {
            "route_id": self.ids, "country": self.col("country"), "name": self.col("name"),
            "official_name": self.col("official_name", "text"),
            "official_name_language": self.col("official_name", "language"),
            "codes": self.col("codes"), "category": self.col("category"), "status": self.col("status"),
            "summary": self.col("summary"), "nationality_scope": self.col(*nat, "scope"),
            "nationality_countries": self.col(*nat, "countries"), "nationality_groups": self.col(*nat, "groups"),
            "nationality_description": self.col(*nat, "description"),
            "leads_to_permanent_residence": self.col("duration", "leads_to_permanent_residence", "value"),
            "leads_to_citizenship": self.col("duration", "leads_to_citizenship", "value"),
            "leads_to_permanent_residence_note": self.col("duration", "leads_to_permanent_residence", "note"),
            "leads_to_citizenship_note": self.col("duration", "leads_to_citizenship", "note"),
            "last_verified": self.col("last_verified"), "review_status": self.col("review_status"),
            "requirement_count": length("requirements"), "document_count": length("documents"),
            "source_count": length("sources"),
            "related_routes": rebuild(related, pc.binary_join_element_wise(field(rel, "relation"), field(rel, "id"),
                                                                           ":")),
        })

    def requirements(self):
        ids, _, q = self.each("requirements")
        rng, lang, comb = field(q, "range"), field(q, "language"), field(q, "combination")
        self.put("requirements", {
            "route_id": ids, "requirement_id": field(q, "id"), "kind": field(q, "kind"),
            "description": field(q, "description"), "required": field(q, "required"),
            "applies_to": field(q, "applies_to"), **money(field(q, "money")),
            "range_min": field(rng, "min"), "range_max": field(rng, "max"), "range_unit": field(rng, "unit"),
            "language_code": field(lang, "code"), "language_level": field(lang, "level"),
            "effective_from": field(q, "effective_from"), "effective_until": field(q, "effective_until"),
            "superseded_by": field(q, "superseded_by"), "conflict": field(q, "conflict"),
            "combination_group": field(comb, "group"), "combination_meet": field(comb, "meet"),
            "evidence_sources": source_ids(field(q, "evidence")), "note": field(q, "note"),
        })

    def documents(self):
        ids, _, d = self.each("documents")
        self.put("documents", {
            "route_id": ids, "document_id": field(d, "id"),
            **{k: field(d, k) for k in ("name", "required", "applies_to", "effective_from", "effective_until",
                                        "superseded_by", "conflict", "note")},
            "evidence_sources": source_ids(field(d, "evidence")),
        })

    def sources(self):
        ids, _, s = self.each("sources")
        self.put("sources", {
            "route_id": ids, "source_id": field(s, "id"),
            **{k: field(s, k) for k in ("url", "title", "publisher", "tier", "language", "translation", "published",
                                        "seen", "aliases")},
            "snapshot_path": field(s, "snapshot", "path"), "snapshot_sha256": field(s, "snapshot", "sha256"),
        })

    def application(self):
        ids, i, f = self.each("application", "fees")
        free = field(f, "free")
        self.put("fees", {
            "route_id": ids, "fee_index": i, "description": field(f, "description"),
            "free": pc.if_else(free, "yes", "no"), **money(field(f, "money")),
            **{k: field(f, k) for k in ("applies_to", "effective_from", "effective_until", "conflict", "note")},
            "evidence_sources": source_ids(field(f, "evidence")),
        })
        ids, i, p = self.each("application", "processing_times")
        self.put("processing_times", {
            "route_id": ids, "processing_time_index": i, **ranged(field(p, "range")),
            **{k: field(p, k) for k in ("applies_to", "effective_from", "effective_until", "conflict", "note")},
            "evidence_sources": source_ids(field(p, "evidence")),
        })
        ids, i, c = self.each("application", "channels")
        self.put("channels", {
            "route_id": ids, "channel_index": i,
            **{k: field(c, k) for k in ("kind", "name", "url", "applies_to", "note")},
            "evidence_sources": source_ids(field(c, "evidence")),
        })

    def durations(self):
        parts = []
        for kind in ("initial_stay", "validity", "renewal"):
            ids, i, t = self.each("duration", kind)
            n = len(t)
            renewal = kind == "renewal"
            cols = {
                "route_id": ids, "duration_kind": pa.array([kind] * n, S), "duration_index": i,
                **ranged(field(t, "term" if renewal else "range")),
                "entries": nulls(n, S) if renewal else field(t, "entries"),
                "renewable": field(t, "renewable") if renewal else nulls(n, S),
                "times": field(t, "times") if renewal else nulls(n, I),
                **{k: field(t, k) for k in ("applies_to", "effective_from", "effective_until", "conflict", "note")},
                "evidence_sources": source_ids(field(t, "evidence")),
            }
            parts.append(self.typed("durations", cols))
        self.put("durations", pa.concat_tables(parts))

    def law(self):
        acts = self.col("legal_basis")
        parents, i, a = explode(acts)
        ids = pc.take(self.ids, parents)
        amendments = listed(field(a, "amendments"))
        self.put("legal_basis", {
            "route_id": ids, "act_index": i,
            **{k: field(a, k) for k in ("title", "number", "registration", "issued", "effective_from", "url", "note")},
            "amendment_count": pc.list_value_length(amendments),
            "evidence_sources": source_ids(field(a, "evidence")),
        })
        up, k, m = explode(amendments)
        self.put("amendments", {
            "route_id": pc.take(ids, up), "act_index": pc.take(i, up), "amendment_index": k,
            "number": field(m, "number"), "date": field(m, "date"), "note": field(m, "note"),
        })

    def eligibility(self):
        ids, i, x = self.each("eligibility", "exemptions")
        self.put("exemptions", {
            "route_id": ids, "exemption_index": i, "description": field(x, "description"),
            "countries": field(x, "who", "countries"), "groups": field(x, "who", "groups"),
            "requirements_waived": field(x, "requirements"), "documents_waived": field(x, "documents"),
            "evidence_sources": source_ids(field(x, "evidence")),
        })
        scope = self.col("eligibility", "nationality", "scope")
        parts = []
        for kind, name in (("country", "countries"), ("group", "groups")):
            parents, _, members = explode(self.col("eligibility", "nationality", name))
            parts.append(pa.table({"route_id": pc.take(self.ids, parents),
                                   "member_kind": pa.array([kind] * len(members), S),
                                   "member": members, "scope": pc.take(scope, parents)}))
        both = pa.concat_tables(parts)
        unique = both.group_by(both.column_names, use_threads=False).aggregate([])
        self.put("nationality", {n: unique.column(n).combine_chunks() for n in unique.column_names})

    def evidence(self):
        parts = []

        def add(ids, owner, claim_table, item, claim_field, lists):
            """The evidence rows of the evidence lists `lists`, one per owner (`owner`: its JSON pointer)."""
            parents, j, e = explode(listed(lists))
            n = len(e)
            parts.append(pa.table({
                "route_id": pc.take(ids, parents),
                "pointer": text(pc.take(owner, parents), "/evidence/", j.cast(S)),
                "claim_table": pa.array([claim_table] * n, S),
                "claim_item": pc.take(item, parents) if item is not None else nulls(n, S),
                "claim_field": pa.array([claim_field] * n, S) if claim_field else nulls(n, S),
                "source_id": field(e, "source"), "excerpt": field(e, "excerpt"), "locator": field(e, "locator"),
            }))

        def const(value):
            return pa.array([value] * len(self.ids), S)

        add(self.ids, const("/official_name"), "routes", None, "official_name", self.col("official_name", "evidence"))
        add(self.ids, const("/eligibility/nationality"), "routes", None, "nationality_scope",
            self.col("eligibility", "nationality", "evidence"))

        def listwise(path, pointer, claim_table, item=None):
            ids, i, entries = self.each(*path)
            at = i.cast(S)
            add(ids, text(pointer, at), claim_table, item(entries, at) if item else at, None,
                field(entries, "evidence"))

        listwise(("eligibility", "exemptions"), "/eligibility/exemptions/", "exemptions")
        listwise(("requirements",), "/requirements/", "requirements", lambda q, at: field(q, "id"))
        for kind in ("initial_stay", "validity", "renewal"):
            listwise(("duration", kind), f"/duration/{kind}/", "durations", lambda t, at, k=kind: text(f"{k}/", at))
        for claim in ("leads_to_permanent_residence", "leads_to_citizenship"):
            add(self.ids, const(f"/duration/{claim}"), "routes", None, claim, self.col("duration", claim, "evidence"))
        listwise(("documents",), "/documents/", "documents", lambda d, at: field(d, "id"))
        for name in ("channels", "processing_times", "fees"):
            listwise(("application", name), f"/application/{name}/", name)
        listwise(("legal_basis",), "/legal_basis/", "legal_basis")
        listwise(("notes",), "/notes/", "notes")
        all_rows = pa.concat_tables(parts).combine_chunks()
        self.put("evidence", {n: all_rows.column(n).chunk(0) for n in all_rows.column_names})

    def related(self):
        ids, _, x = self.each("related")
        self.put("related", {"route_id": ids, "related_route_id": field(x, "id"), "relation": field(x, "relation"),
                             "note": field(x, "note")})

    def notes(self):
        ids, i, n = self.each("notes")
        self.put("notes", {"route_id": ids, "note_index": i, "text": field(n, "text"),
                           "evidence_sources": source_ids(field(n, "evidence"))})


CONTROL = r"[\x00-\x1f]"


def json_lists(lists):
    """Each list as the JSON array text `routes publish` writes (`["a","b"]`, `[]`)."""
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    flat = lists.flatten()
    if len(flat) and pc.any(pc.match_substring_regex(flat, CONTROL)).as_py():
        return pa.array([json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in lists.to_pylist()], S)
    escaped = pc.replace_substring(pc.replace_substring(flat, "\\", "\\\\"), '"', '\\"')
    quoted = rebuild(lists, text('"', escaped, '"'))
    return text("[", pc.binary_join(quoted, ","), "]")


def as_text(table):
    """The table as CSV and SQLite store it: lists as JSON arrays, dates as `YYYY-MM-DD`."""
    columns = []
    for f, column in zip(table.schema, table.columns):
        if pa.types.is_list(f.type):
            column = json_lists(column)
        elif pa.types.is_date(f.type):
            column = column.cast(S)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def main():
    src, out, release = tidy_tables.arguments(sys.argv[1:])
    records = pj.read_json(src, parse_options=pj.ParseOptions(explicit_schema=RECORD,
                                                              unexpected_field_behavior="ignore"))
    routes = records.sort_by("id").combine_chunks()
    tables = Tables(routes).build()

    texts = queue.Queue()

    def fill_sqlite():
        db = tidy_tables.sqlite_open(out / "routes.sqlite")
        while (item := texts.get()) is not None:
            name, t = item
            insert = tidy_tables.sqlite_insert(name)
            for batch in t.to_batches(max_chunksize=8192):
                db.executemany(insert, zip(*(c.to_pylist() for c in batch.columns)))
        db.execute("COMMIT")
        db.close()

    sqlite = threading.Thread(target=fill_sqlite)
    sqlite.start()

    def write(name):
        table = tables[name]
        pq.write_table(table, out / f"{name}.parquet", compression="zstd", compression_level=3)
        t = as_text(table)
        pcsv.write_csv(t, out / f"{name}.csv", write_options=pcsv.WriteOptions(eol="\r\n"))
        return name, t

    with ThreadPoolExecutor(2) as pool:
        for name, t in pool.map(write, tidy_tables.NAMES):
            texts.put((name, t))
    texts.put(None)
    sqlite.join()
    print(tidy_tables.summary(out, tables["routes"].num_rows))
    if release:
        tidy_tables.check_main(out, release)


if __name__ == "__main__":
    main()
