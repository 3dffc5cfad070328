#!/usr/bin/env bash
# Run every available independent validator on rendered manifests.
#
# Usage: tests/conformance/check.sh --istio VERSION [-v] FILE_OR_DIR...
#
#   VERSION   the Istio version the manifests were rendered for (X.Y or X.Y.Z)
#   -v        print every tool's full output (default: only failing output)
#
# Tools (installed by setup-tools.sh into ${WD_TOOLS_CACHE:-$HOME/.cache/wasmdeploy-tools}):
#   istioctl-<N> validate -f   for each built istioctl whose range covers VERSION
#                              (istioctl-versions.txt, README "Which istioctl
#                              judges which Istio version"); pass = exit 0 and no
#                              warning except the blanket "EnvoyFilter exposes
#                              internal implementation details ..." one
#   istioctl-<N> analyze --use-kube=false   same selection, same pass rule
#   crd-schema                 ajv check against the Istio 1.29.2 CRD schemas
#   envoycheck                 Envoy protobuf + PGV check of EnvoyFilter patches
#
# A missing tool prints "SKIPPED: <tool> unavailable (...)" and counts as
# skipped; skips alone exit 0.  Any failed check exits 1.  The last line is
#   conformance: N passed, M failed, K skipped
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${WD_TOOLS_CACHE:-$HOME/.cache/wasmdeploy-tools}
per_tool_timeout=${WD_CHECK_TIMEOUT:-300}
blanket='EnvoyFilter exposes internal implementation details'

istio='' verbose=0
inputs=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --istio) istio=${2:?--istio needs a version}; shift 2 ;;
    --istio=*) istio=${1#--istio=}; shift ;;
    -v|--verbose) verbose=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    --) shift; inputs+=("$@"); break ;;
    -*) echo "check.sh: unknown option $1" >&2; exit 2 ;;
    *) inputs+=("$1"); shift ;;
  esac
done
if [[ -z $istio || ${#inputs[@]} -eq 0 ]]; then
  echo "usage: check.sh --istio VERSION [-v] FILE_OR_DIR..." >&2
  exit 2
fi
if ! [[ $istio =~ ^v?([0-9]+)\.([0-9]+)(\.[0-9]+)?$ ]]; then
  echo "check.sh: bad --istio version '$istio' (want X.Y or X.Y.Z)" >&2
  exit 2
fi
# minor-version key for comparisons: 1.24 -> 1024
key() { local v=${1#v}; local ma=${v%%.*} rest=${v#*.}; echo $(( ma * 1000 + ${rest%%.*} )); }
target=$(key "$istio")

# Expand inputs into a sorted list of YAML files.
files=()
for p in "${inputs[@]}"; do
  if [[ -d $p ]]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$p" -type f \( -name '*.yaml' -o -name '*.yml' \) | LC_ALL=C sort)
  elif [[ -f $p ]]; then
    files+=("$p")
  else
    echo "check.sh: $p: no such file or directory" >&2
    exit 2
  fi
done
if [[ ${#files[@]} -eq 0 ]]; then
  echo "check.sh: no YAML files in ${inputs[*]}" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wd-conformance.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0 failed=0 skipped=0
summary=()
record() { # record PASS|FAIL|SKIP tool detail
  case $1 in
    PASS) passed=$((passed + 1)); summary+=("PASS     $2${3:+  ($3)}") ;;
    FAIL) failed=$((failed + 1)); summary+=("FAIL     $2${3:+  ($3)}") ;;
    SKIP) skipped=$((skipped + 1)); summary+=("SKIPPED: $2 unavailable${3:+ ($3)}")
          echo "SKIPPED: $2 unavailable${3:+ ($3)}" ;;
  esac
}
show() { # show LOGFILE: print a tool's output, indented
  sed 's/^/    /' "$1"
}

echo "== conformance check: Istio $istio, ${#files[@]} file(s)"

# ---------------------------------------------------------------- istioctl --
# istioctl-versions.txt: <tag> <pseudo-version> <lowest Istio judged>.
# istioctl-N judges VERSION when lowest(N) <= VERSION <= N; the newest built
# istioctl also judges every VERSION above it (>= its lowest), with a note
# that fields added after N will be reported as unknown.
declare -a ctl_tags=() ctl_lo=()
while read -r tag _pv lo; do
  [[ -z $tag || $tag == \#* ]] && continue
  ctl_tags+=("$tag"); ctl_lo+=("${lo:-1.8}")
done <"$here/istioctl-versions.txt"
newest_built=
for t in "${ctl_tags[@]}"; do
  if [[ -x $cache/bin/istioctl-$t ]]; then
    if [[ -z $newest_built || $(key "$t") -gt $(key "$newest_built") ]]; then newest_built=$t; fi
  fi
done

# istioctl_filter LOG: print the warning/error lines that are not the blanket
# EnvoyFilter warning (validate and analyze formats).
istioctl_problems() {
  awk -v blanket="$blanket" '
    /has warnings:/ { inw = 1; sub(/.*has warnings:[ \t]*/, ""); if ($0 == "") next }
    /^[ \t]*$/ { next }
    /^[ \t]*[0-9]+ (errors|error|warnings|warning) occurred:/ { next }
    /is valid$/ || /validation succeed/ { inw = 0; next }
    index($0, blanket) { next }
    /^(Error|Warning) \[/ { print; next }
    /^(Info) \[/ { next }
    /No validation issues found/ { next }
    inw { print; next }
    /^Error:/ { print; next }
  ' "$1"
}

ran_istioctl=0
for i in "${!ctl_tags[@]}"; do
  t=${ctl_tags[$i]} lo=${ctl_lo[$i]}
  bin=$cache/bin/istioctl-$t
  note=
  if (( target < $(key "$lo") )); then
    continue
  fi
  if (( target > $(key "$t") )); then
    [[ $t == "$newest_built" ]] || continue
    note="istioctl $t is older than Istio $istio: fields added after $t are reported as unknown"
  fi
  ran_istioctl=1
  if [[ ! -x $bin ]]; then
    record SKIP "istioctl-$t" "not built; run tests/conformance/setup-tools.sh"
    continue
  fi
  [[ -n $note ]] && echo "note: $note"
  # validate, one file at a time so every file's warnings are attributed.
  log=$work/istioctl-$t-validate.log
  : >"$log"
  vfail=0
  for f in "${files[@]}"; do
    one=$work/one.log
    rc=0
    HOME=$work KUBECONFIG=/dev/null timeout --kill-after=10 "$per_tool_timeout" \
      "$bin" validate -f "$f" >"$one" 2>&1 || rc=$?
    cat "$one" >>"$log"
    problems=$(istioctl_problems "$one")
    if [[ $rc -ne 0 || -n $problems ]]; then
      vfail=1
      echo "-- istioctl-$t validate: $f (exit $rc)"
      if [[ $rc -ne 0 ]]; then show "$one"; else printf '%s\n' "$problems" | sed 's/^/    /'; fi
    fi
  done
  [[ $verbose == 1 ]] && { echo "-- istioctl-$t validate output"; show "$log"; }
  if [[ $vfail == 0 ]]; then record PASS "istioctl-$t validate"; else record FAIL "istioctl-$t validate"; fi

  # analyze the whole set together (cross-resource analyzers).  -A matters:
  # without it analyze reports only namespace "default" and silently passes
  # everything in other namespaces.
  log=$work/istioctl-$t-analyze.log
  rc=0
  HOME=$work KUBECONFIG=/dev/null timeout --kill-after=10 "$per_tool_timeout" \
    "$bin" analyze --use-kube=false --all-namespaces "${files[@]}" >"$log" 2>&1 || rc=$?
  problems=$(istioctl_problems "$log")
  if (( target < 1011 )) && grep -q 'IST0151' <<<"$problems"; then
    # IST0151 asks for spec.priority with relative operations; the field
    # only exists from Istio 1.11, so below that the warning is unavoidable.
    echo "note: istioctl-$t analyze: IST0151 (no priority with a relative patch operation) ignored: priority needs Istio >= 1.11"
    problems=$(grep -v 'IST0151' <<<"$problems" || true)
  fi
  [[ $verbose == 1 ]] && { echo "-- istioctl-$t analyze output"; show "$log"; }
  # analyze exits non-zero when it finds errors; problems lists errors+warnings
  if [[ -z $problems && ( $rc -eq 0 || $rc -eq 79 ) ]] && ! grep -q '^Error' "$log"; then
    record PASS "istioctl-$t analyze"
  else
    echo "-- istioctl-$t analyze --use-kube=false (exit $rc)"
    if [[ -n $problems ]]; then printf '%s\n' "$problems" | sed 's/^/    /'; else show "$log"; fi
    record FAIL "istioctl-$t analyze"
  fi
done
if [[ $ran_istioctl == 0 ]]; then
  if (( target < 1008 )); then
    record SKIP istioctl "not applicable to Istio $istio: v3-era istioctl would judge the legitimately different 1.5-1.7 forms (xDS v2 config:, old filter names)"
  else
    record SKIP istioctl "no istioctl built whose range covers Istio $istio; run tests/conformance/setup-tools.sh"
  fi
fi

# -------------------------------------------------------------- crd-schema --
crd=$cache/crd-schema/validate.mjs
if [[ ! -f $crd ]] || ! command -v node >/dev/null; then
  record SKIP crd-schema "not installed; run tests/conformance/setup-tools.sh"
else
  log=$work/crd.log
  rc=0
  timeout --kill-after=10 "$per_tool_timeout" node "$crd" "${files[@]}" >"$log" 2>&1 || rc=$?
  [[ $verbose == 1 ]] && { echo "-- crd-schema output"; show "$log"; }
  if [[ $rc -eq 0 ]]; then
    record PASS crd-schema "Istio 1.29.2 CRD OpenAPI schema, no CEL"
  else
    echo "-- crd-schema (exit $rc)"; grep -v '^ok \|^skip ' "$log" | sed 's/^/    /'
    record FAIL crd-schema
  fi
fi

# -------------------------------------------------------------- envoycheck --
ec=$cache/bin/envoycheck
if [[ ! -x $ec ]]; then
  record SKIP envoycheck "not built; run tests/conformance/setup-tools.sh"
else
  log=$work/envoycheck.log
  rc=0
  timeout --kill-after=10 "$per_tool_timeout" "$ec" --istio-version "$istio" "${files[@]}" >"$log" 2>&1 || rc=$?
  [[ $verbose == 1 ]] && { echo "-- envoycheck output"; show "$log"; }
  grep '^note' "$log" | sed 's/^/    /' || true
  if [[ $rc -eq 0 ]]; then
    record PASS envoycheck "$(tail -1 "$log" | sed 's/^envoycheck: //')"
  else
    echo "-- envoycheck (exit $rc)"; grep -v '^ok \|^skip \|^note' "$log" | sed 's/^/    /'
    record FAIL envoycheck
  fi
fi

echo "== summary (Istio $istio)"
printf '%s\n' "${summary[@]}"
echo "conformance: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
