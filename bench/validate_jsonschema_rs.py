"""Baseline: validate route records with jsonschema-rs (Python binding) and orjson.

usage: validate_jsonschema_rs.py SCHEMA PATH   (PATH: a folder of *.json files or a *.jsonl file)
Prints {"records": N, "invalid": M} on stdout. Each record is parsed once (orjson) and checked
against the draft 2020-12 schema with format assertion on, as `routes validate` does.
"""
import json
import os
import sys

import jsonschema_rs
import orjson


def records(path):
    if os.path.isdir(path):
        stack = [path]
        while stack:
            for entry in os.scandir(stack.pop()):
                if entry.is_dir():
                    stack.append(entry.path)
                elif entry.name.endswith(".json"):
                    with open(entry.path, "rb") as f:
                        yield f.read()
    else:
        with open(path, "rb") as f:
            for line in f:
                if line.strip():
                    yield line


def main():
    schema_path, path = sys.argv[1], sys.argv[2]
    with open(schema_path, "rb") as f:
        schema = orjson.loads(f.read())
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    n = invalid = 0
    for raw in records(path):
        n += 1
        instance = orjson.loads(raw)
        if not validator.is_valid(instance):
            invalid += 1
            for error in validator.iter_errors(instance):
                print(f"{error.instance_path}: {error.message}", file=sys.stderr)
    print(json.dumps({"records": n, "invalid": invalid}))


main()
