#!/usr/bin/env bash
# Installs the baselines of the benchmark harness, idempotently:
# - target/bench-venv: check-jsonschema, jsonschema-rs, orjson, duckdb, pyarrow (PyPI, pinned in
#   bench/requirements.txt); skipped when the venv already has them;
# - target/bench-node: ajv and ajv-formats (npm, pinned in bench/package.json);
# - sqlite3 (with FTS5), ripgrep, GNU time, wrk, and Node with npm from Debian, when missing
#   (apt-get, as root or through sudo).
# Needs python3 with venv, and access to PyPI, npm and Debian's archive.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/bench-venv
stamp="$venv/.requirements.sha256"
want="$(sha256sum bench/requirements.txt | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "== $venv: up to date"
else
    echo "== $venv: installing bench/requirements.txt"
    python3 -m venv --clear "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --requirement bench/requirements.txt
    echo "$want" > "$stamp"
fi

missing=()
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v rg >/dev/null || missing+=(ripgrep)
# GNU time measures each process's peak memory from a small parent (see bench/run.py `run`).
[[ -x /usr/bin/time ]] || missing+=(time)
# The load generator of the web workload (`bench/run.py` `w_web`).
command -v wrk >/dev/null || missing+=(wrk)
# npm installs ajv, the JavaScript baseline, below.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
    echo "== apt-get install ${missing[*]}"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        if ! command -v sudo >/dev/null; then
            echo "bench/setup.sh: ${missing[*]} missing; install them (apt-get install ${missing[*]}) as root" >&2
            exit 2
        fi
        sudo="sudo"
    fi
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
node_dir=target/bench-node
nstamp="$node_dir/.package.sha256"
nwant="$(sha256sum bench/package.json | cut -d' ' -f1)"
if [[ -d "$node_dir/node_modules/ajv" && -f "$nstamp" && "$(cat "$nstamp")" == "$nwant" ]]; then
    echo "== $node_dir: up to date"
else
    echo "== $node_dir: installing bench/package.json"
    mkdir -p "$node_dir"
    cp bench/package.json "$node_dir/package.json"
    (cd "$node_dir" && npm install --silent --no-audit --no-fund --no-package-lock >/dev/null)
    echo "$nwant" > "$nstamp"
fi

echo "== baselines ready"
