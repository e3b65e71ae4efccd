#!/usr/bin/env bash
# The benchmark harness, one command: installs the baselines (bench/setup.sh), then runs
# bench/run.py, which builds `routes` and `routes-synth`, generates the data and writes
# BENCHMARKS.md (with --smoke: 300 routes, one round, target/bench-smoke.md).
#   bash bench/run.sh [--sizes 10000,100000] [--repeats 5] [--smoke]
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/setup.sh
exec target/bench-venv/bin/python bench/run.py "$@"
