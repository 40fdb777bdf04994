#!/usr/bin/env bash
# whenasync's engine vs a SimPy model of the same scenario. Arguments go to compare.py
# (--tasks N, --repeat R, --own-arrivals, --heavy).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/simpy-venv
if ! "$venv/bin/python" -c 'import simpy' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r bench/simpy/requirements.txt
fi
cargo build --release --quiet -p whenasync-cli
exec "$venv/bin/python" bench/simpy/compare.py "$@"
