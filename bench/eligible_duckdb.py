"""Baseline: one person's income against every route, as a SQL query over a release's Parquet tables.

usage: eligible_duckdb.py RELEASE_DIR INCOME_PER_MONTH CURRENCY
What a user of the tables would write instead of `routes eligible`: per route, whether every
income or salary threshold stated per month in that currency is at most the income, and whether
the route is open to every nationality. It reads `requirements.parquet` and `routes.parquet`
with DuckDB and prints one JSON object per route on stdout, then {"routes": N} on stderr. It
does far less than `routes eligible`: no other criterion, period, index, rate, exemption, date or
source.
"""
import json
import sys

import duckdb

release, income, currency = sys.argv[1], float(sys.argv[2]), sys.argv[3]
con = duckdb.connect()
rows = con.execute(
    f"""
    WITH money AS (
        SELECT route_id,
               bool_and(amount_per_month IS NOT NULL AND currency = $currency
                        AND amount_per_month <= $income) AS met
        FROM read_parquet('{release}/data/requirements.parquet')
        WHERE kind IN ('min_income', 'min_salary')
        GROUP BY route_id
    )
    SELECT r.route_id,
           CASE WHEN m.met = false THEN 'not_eligible'
                WHEN r.nationality_scope = 'all' AND m.met THEN 'eligible'
                ELSE 'unknown' END AS verdict
    FROM read_parquet('{release}/data/routes.parquet') r LEFT JOIN money m USING (route_id)
    ORDER BY r.route_id
    """,
    {"currency": currency, "income": income},
).fetchall()
out = sys.stdout
for route_id, verdict in rows:
    out.write(json.dumps({"route_id": route_id, "verdict": verdict}) + "\n")
print(json.dumps({"routes": len(rows)}), file=sys.stderr)
