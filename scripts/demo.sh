#!/usr/bin/env bash
# The main job on a bundled example: set up, build, and render the manifests that put the
# seed's add-header filter into every bookinfo workload on Istio 1.8.1.
#   ./scripts/demo.sh [extra render flags, e.g. --istio 1.24 or -o json]
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"  # ccache reuses objects across clones
bash scripts/setup.sh >&2
cmake --preset release >/dev/null
cmake --build --preset release --target wasmdeploy_cli >&2
exec build/release/cli/wasmdeploy render -f examples/bookinfo-add-header/spec.yaml "$@"
