#!/usr/bin/env bash
# Installs the AssemblyScript toolchain for the host tests' add-header filter into the tools
# cache: `npm ci` of tests/host/as-add-header (assemblyscript 0.14.9, @solo-io/proxy-runtime
# 0.1.8, pinned by package-lock.json), bounded by a timeout and stamped by the lock's hash.
# Usage: tests/host/setup-as.sh [CACHE]   (default ${WD_TOOLS_CACHE:-$HOME/.cache/wasmdeploy-tools})
# Prints "ok: ..." or "SKIPPED: as-filter unavailable (...)"; exit 0 either way.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${1:-${WD_TOOLS_CACHE:-$HOME/.cache/wasmdeploy-tools}}
src="$here/as-add-header"
dst="$cache/as-add-header"
mkdir -p "$cache/logs"
stamp=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -c1-16)
if ! command -v npm >/dev/null; then
  echo "SKIPPED: as-filter unavailable (node/npm not installed)"
elif [[ -f $dst/.stamp && $(cat "$dst/.stamp") == "$stamp" && -x $dst/node_modules/.bin/asc ]]; then
  echo "ok: as-filter already installed ($dst)"
else
  rm -rf "$dst"; mkdir -p "$dst"
  cp "$src/package.json" "$src/package-lock.json" "$dst/"
  s=$(date +%s)
  if (cd "$dst" && timeout --kill-after=30 600 npm ci --no-audit --no-fund --loglevel=error) >"$cache/logs/as-filter.log" 2>&1; then
    echo "$stamp" >"$dst/.stamp"
    echo "ok: as-filter installed in $(( $(date +%s) - s ))s ($dst)"
  else
    echo "SKIPPED: as-filter unavailable (npm ci failed or timed out; log $cache/logs/as-filter.log)"
  fi
fi
