#!/usr/bin/env bash
# Prove the toolkit on the hand-written samples (ctest: conformance.samples).
#
#   samples/good/<istio-version>/   check.sh --istio <version> must pass
#   samples/bootstrap/*.yaml        envoycheck --bootstrap: bad-* must fail,
#                                   the others pass
#   samples/bad/*.yaml              each file's header says which tools must
#                                   catch it:
#                                     # istio: 1.24
#                                     # expect: istioctl crd-schema
#                                     # expect-text: istioctl: some message
#                                   ("istioctl" = any istioctl-* validate or
#                                   analyze; "none" = documented gap: check.sh
#                                   must pass, so a newly closed gap shows up)
#
# A bad sample whose expected tools are all unavailable counts as skipped.
# Exit 0 if nothing failed and something ran, 77 if everything was skipped
# (ctest SKIP_RETURN_CODE), 1 otherwise.  Last line:
#   conformance-samples: N passed, M failed, K skipped
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=$here/check.sh
out=$(mktemp -d "${TMPDIR:-/tmp}/wd-samples.XXXXXX")
trap 'rm -rf "$out"' EXIT

passed=0 failed=0 skipped=0
results=()

# tool_status LOG TOOL -> PASS|FAIL|SKIP|ABSENT (from check.sh's summary)
tool_status() {
  local log=$1 tool=$2 lines
  if [[ $tool == istioctl ]]; then
    lines=$(sed -n '/^== summary/,$p' "$log" | grep -E '^(PASS|FAIL|SKIPPED:) +istioctl' || true)
  else
    lines=$(sed -n '/^== summary/,$p' "$log" | grep -E "^(PASS|FAIL|SKIPPED:) +$tool( |$)" || true)
  fi
  if grep -q '^FAIL' <<<"$lines"; then echo FAIL
  elif grep -q '^PASS' <<<"$lines"; then echo PASS
  elif grep -q '^SKIPPED' <<<"$lines"; then echo SKIP
  else echo ABSENT
  fi
}

for dir in "$here"/samples/good/*/; do
  v=$(basename "$dir")
  log=$out/good-$v.log
  rc=0
  "$check" --istio "$v" "$dir" >"$log" 2>&1 || rc=$?
  if [[ $rc -eq 0 ]] && grep -q '^PASS' "$log"; then
    passed=$((passed + 1)); results+=("PASS  good/$v ($(tail -1 "$log"))")
  elif [[ $rc -eq 0 ]]; then
    skipped=$((skipped + 1)); results+=("SKIP  good/$v (no tool available)")
  else
    failed=$((failed + 1)); results+=("FAIL  good/$v: check.sh exit $rc")
    sed 's/^/    /' "$log"
  fi
done

for f in "$here"/samples/bad/*.yaml; do
  name=$(basename "$f")
  v=$(sed -n 's/^# istio: *//p' "$f" | head -1)
  expect=$(sed -n 's/^# expect: *//p' "$f" | head -1)
  if [[ -z $v || -z $expect ]]; then
    failed=$((failed + 1)); results+=("FAIL  bad/$name: header lacks '# istio:' or '# expect:'")
    continue
  fi
  log=$out/bad-$name.log
  rc=0
  "$check" --istio "$v" "$f" >"$log" 2>&1 || rc=$?
  caught_by=()
  for t in istioctl crd-schema envoycheck; do
    [[ $(tool_status "$log" "$t") == FAIL ]] && caught_by+=("$t")
  done
  caught="${caught_by[*]:-nothing}"
  if [[ $expect == none ]]; then
    if [[ $rc -eq 0 ]]; then
      passed=$((passed + 1)); results+=("PASS  bad/$name: known gap, caught by nothing (as documented)")
    else
      failed=$((failed + 1)); results+=("FAIL  bad/$name: documented as uncaught but now caught by $caught; update its '# expect:'")
    fi
    continue
  fi
  missed=() unavailable=() hit=()
  for t in $expect; do
    case $(tool_status "$log" "$t") in
      FAIL) hit+=("$t") ;;
      PASS) missed+=("$t") ;;
      *) unavailable+=("$t") ;;
    esac
  done
  # "# expect-text: <tool>: <text>": when <tool> ran and failed, its output
  # must contain <text> (so a sample is caught for the intended reason).
  while IFS= read -r line; do
    tool=${line%%:*} text=${line#*: }
    [[ $(tool_status "$log" "$tool") == FAIL ]] || continue
    if ! grep -qF -- "$text" "$log"; then
      missed+=("$tool(text: $text)")
    fi
  done < <(sed -n 's/^# expect-text: *//p' "$f")
  if [[ ${#missed[@]} -gt 0 ]]; then
    failed=$((failed + 1)); results+=("FAIL  bad/$name: not caught by ${missed[*]} (caught by: $caught)")
    sed 's/^/    /' "$log"
  elif [[ ${#hit[@]} -eq 0 ]]; then
    skipped=$((skipped + 1)); results+=("SKIP  bad/$name: expected tools unavailable (${unavailable[*]})")
  else
    passed=$((passed + 1))
    results+=("PASS  bad/$name: caught by $caught${unavailable[*]:+; unavailable: ${unavailable[*]}}")
  fi
  if [[ $rc -eq 0 && ${#hit[@]} -gt 0 ]]; then
    failed=$((failed + 1)); results+=("FAIL  bad/$name: a tool failed but check.sh exited 0")
  fi
done

# envoycheck --bootstrap: the good bootstrap passes, the bad one fails.
ec=${WD_TOOLS_CACHE:-$HOME/.cache/wasmdeploy-tools}/bin/envoycheck
for b in "$here"/samples/bootstrap/*.yaml; do
  name=$(basename "$b")
  if [[ ! -x $ec ]]; then
    skipped=$((skipped + 1)); results+=("SKIP  bootstrap/$name: envoycheck unavailable"); continue
  fi
  rc=0
  "$ec" --bootstrap "$b" >"$out/bootstrap.log" 2>&1 || rc=$?
  if [[ $name == bad-* ]]; then
    if [[ $rc -eq 1 ]]; then passed=$((passed + 1)); results+=("PASS  bootstrap/$name: rejected by envoycheck")
    else failed=$((failed + 1)); results+=("FAIL  bootstrap/$name: envoycheck exit $rc, expected 1"); sed 's/^/    /' "$out/bootstrap.log"; fi
  else
    if [[ $rc -eq 0 ]]; then passed=$((passed + 1)); results+=("PASS  bootstrap/$name")
    else failed=$((failed + 1)); results+=("FAIL  bootstrap/$name: envoycheck exit $rc"); sed 's/^/    /' "$out/bootstrap.log"; fi
  fi
done

printf '%s\n' "${results[@]}"
echo "conformance-samples: $passed passed, $failed failed, $skipped skipped"
if [[ $failed -gt 0 ]]; then exit 1; fi
if [[ $passed -eq 0 ]]; then exit 77; fi
exit 0
