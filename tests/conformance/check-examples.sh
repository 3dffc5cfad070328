#!/usr/bin/env bash
# Render every example at every Istio version in its versions.txt and run check.sh (istioctl
# validate + analyze, Istio CRD schemas, Envoy proto validation) on each successful render.
# Refused renders are the golden tests' business and are skipped here.
#
# Usage: tests/conformance/check-examples.sh WASMDEPLOY_BINARY [EXAMPLES_DIR]
# Last line: "conformance-examples: N passed, M failed, K skipped".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cli=$(realpath "${1:?usage: check-examples.sh WASMDEPLOY_BINARY [EXAMPLES_DIR]}")
examples=$(realpath "${2:-$here/../../examples}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0 failed=0 skipped=0
for dir in "$examples"/*/; do
  name=$(basename "$dir")
  [[ -f $dir/versions.txt ]] || continue
  cp -r "$dir" "$work/$name"
  for wat in "$work/$name"/*.wat; do
    [[ -e $wat ]] && wat2wasm "$wat" -o "${wat%.wat}.wasm"
  done
  for spec in "$work/$name"/*.yaml; do
    for v in $(cat "$dir/versions.txt"); do
      # Non-Istio platforms (version tokens "none", "gateway:vX.Y") are judged by run_golden.py only.
      [[ $v =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || continue
      out="$work/out/$name/$(basename "${spec%.yaml}")-$v"
      mkdir -p "$out"
      if ! (cd "$work/$name" && "$cli" render -q -f "$(basename "$spec")" --istio "$v" > "$out/manifests.yaml" 2>/dev/null); then
        continue  # refused on purpose (see examples/*/expected/*.err)
      fi
      log=$(bash "$here/check.sh" --istio "$v" "$out/manifests.yaml" 2>&1)
      rc=$?
      summary=$(printf '%s\n' "$log" | tail -n 1)
      if [[ $rc -ne 0 ]]; then
        failed=$((failed + 1))
        echo "FAIL $name/$(basename "$spec") @ $v"
        printf '%s\n' "$log" | sed 's/^/    /'
      elif printf '%s' "$summary" | grep -q ' 0 passed'; then
        skipped=$((skipped + 1))
        echo "skip $name/$(basename "$spec") @ $v: $summary"
      else
        passed=$((passed + 1))
        echo "ok   $name/$(basename "$spec") @ $v: $summary"
      fi
    done
  done
done
echo "conformance-examples: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]] || exit 1
[[ $passed -gt 0 ]] || exit 77
