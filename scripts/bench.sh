#!/usr/bin/env bash
# Builds the optimised benchmarks and runs every one of them side by side (bench/run.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
cmake --preset release -DWD_BUILD_BENCH=ON >/dev/null
cmake --build --preset release >&2
exec python3 bench/run.py --build build/release "$@"
