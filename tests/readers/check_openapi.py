"""Checks the API of a running `routes serve` against its OpenAPI document.

usage: check_openapi.py BASE_URL
Fetches `/api/openapi.json`, validates it with openapi-spec-validator (OpenAPI 3.1), then calls
each operation with a real request and validates the answer against the document's schema for
that status (jsonschema, draft 2020-12). Prints one line per check; exits 1 on the first failure.
"""
import json
import sys
import urllib.request

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

base = sys.argv[1].rstrip("/")


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


status, doc = call("GET", "/api/openapi.json")
assert status == 200, status
validate(doc)
print("openapi document: valid OpenAPI 3.1")


def check(method, template, path, body=None, expect=200):
    status, answer = call(method, path, body)
    assert status == expect, f"{path}: {status} {answer}"
    op = doc["paths"][template][method.lower()]
    schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": doc["components"]}).validate(answer)
    print(f"{method} {path}: {status}, matches its schema")
    return answer


routes = check("GET", "/api/routes", "/api/routes")
first = routes[0]["route_id"]
check("GET", "/api/routes/{cc}/{slug}", "/api/routes/" + first)
check("GET", "/api/routes/{cc}/{slug}", "/api/routes/zz/none", expect=404)
check("GET", "/api/search", "/api/search?q=health+insurance")
check("GET", "/api/search", "/api/search?q=%22unclosed", expect=400)
check("GET", "/api/facets", "/api/facets")
check("POST", "/api/eligible", "/api/eligible?on=2026-12-01",
      {"nationality": ["RU"], "income": "4000 EUR/month", "job_offer": True, "language": ["ru:native"]})
check("POST", "/api/eligible", "/api/eligible", {"income": "4000 EURO/month"}, expect=400)
print("every operation answers as its document says")
