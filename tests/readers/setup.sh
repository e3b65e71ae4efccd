#!/usr/bin/env bash
# Creates the venvs of the real readers that `tests/publish.rs` and `tests/sqlite.rs` run against a
# release: `target/readers-venv` (duckdb, pyarrow, pandas, polars, frictionless, datasette) and
# `target/cff-venv` (cffconvert, whose old pins clash with the others), and `target/sudachi-venv`
# (the Japanese tokenizer `crates/routes-index/tests/japanese.rs` measures the index against).
# Idempotent: a venv that already has the pinned versions is left as it is.
# Needs python3 with the venv module and access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."

setup() {
    local venv="$1" requirements="$2"
    local stamp="$venv/.requirements.sha256"
    local want
    want="$(sha256sum "$requirements" | cut -d' ' -f1)"
    if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] \
        && "$venv/bin/python" -m pip check >/dev/null 2>&1; then
        echo "== $venv: up to date"
        return
    fi
    echo "== $venv: installing $requirements"
    python3 -m venv --clear "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --requirement "$requirements"
    echo "$want" > "$stamp"
}

setup target/readers-venv tests/readers/requirements.txt
setup target/cff-venv tests/readers/requirements-cff.txt
setup target/sudachi-venv tests/tokenizers/requirements.txt
