#!/usr/bin/env bash
# Install / build the independent validators used by check.sh into a cache
# directory that is reused across runs on the same machine.
#
# Usage: tests/conformance/setup-tools.sh [--only istioctl|crd-schema|envoycheck|as-filter|effect|k8s|controller]...
#
#   Cache:   ${WD_TOOLS_CACHE:-$HOME/.cache/wasmdeploy-tools}
#   Logs:    <cache>/logs/
#   Tools:   <cache>/bin/istioctl-<tag>   (one per line of istioctl-versions.txt)
#            <cache>/bin/envoycheck
#            <cache>/bin/effect-<tag>  (istiod's config generation: istioctl-versions.txt
#                                       plus effect/extra-versions.txt)
#            <cache>/crd-schema/validate.mjs (+ node_modules)
#            <cache>/bin/kube-apiserver, <cache>/bin/kubectl   (tests/cluster/setup-k8s.sh)
#            <cache>/gomod: controller/'s Go modules (tests/controller builds offline)
#
# Sources: only the Go module proxy and the npm registry, through go and npm.
# Every step is bounded with `timeout`; a step that fails prints
# "SKIPPED: <tool> unavailable (<reason>)" and the script carries on.
# Exit status: 0 even when tools were skipped (check.sh reports them loudly);
# 2 on usage errors.
#
# Tunables (environment):
#   WD_ISTIOCTL_TIMEOUT   seconds per istioctl build (default 2400)
#   WD_ISTIOCTL_VERSIONS  space-separated subset of tags to build (default: all)
#   WD_EFFECT_TIMEOUT     seconds per effect oracle build (default 1800)
#   WD_TOOLS_BUDGET       seconds all builds of one run may take together (default
#                         2700): a cold run stops each build when the budget is
#                         spent, so the tests still fit CI's 90 minutes; the
#                         stopped build reports SKIPPED and the next run resumes
#                         it from the Go build cache. Cached tools cost nothing.
#   WD_EFFECT_VERSIONS    space-separated subset of oracle tags to build (default: all)
#   WD_ISTIO_NOSUMDB      see lib/build-istioctl.sh
#   WD_TOOLS_PRUNE=1      after building, delete the Go module and build caches
#                         (~6 GB); the binaries stay, but a later rebuild (new
#                         version pin) starts cold
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${WD_TOOLS_CACHE:-$HOME/.cache/wasmdeploy-tools}
istioctl_timeout=${WD_ISTIOCTL_TIMEOUT:-2400}

only=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --only) only+=("${2:?--only needs a tool name}"); shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "setup-tools.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
want() {
  [[ ${#only[@]} -eq 0 ]] && return 0
  local t; for t in "${only[@]}"; do [[ $t == "$1" ]] && return 0; done
  return 1
}

mkdir -p "$cache/bin" "$cache/logs" "$cache/tmp"
# One setup at a time per cache (a second run waits, bounded).
exec 9>"$cache/.setup.lock"
if ! flock -w 3600 9; then
  echo "setup-tools.sh: another setup holds $cache/.setup.lock for over an hour" >&2
  exit 1
fi

GO=${GO:-$(command -v go || true)}
[[ -z $GO && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
export GO

t0=$(date +%s)
deadline=$(( t0 + ${WD_TOOLS_BUDGET:-2700} ))
# A build's timeout: its own bound, cut to what is left of the budget (at least 1 s, so a
# build whose stamp matches still answers at once and an uncached one stops).
capped() {
  local left=$(( deadline - $(date +%s) ))
  (( left < 1 )) && left=1
  (( left < $1 )) && echo "$left" || echo "$1"
}
status_file="$cache/logs/setup-status.txt"
: >"$status_file"
report() { echo "$*" | tee -a "$status_file"; }
skipped() { report "SKIPPED: $1 unavailable ($2)"; }

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# --- 1. istioctl: slowest, started first in the background ------------------
istioctl_pid=
if want istioctl; then
  if [[ -z $GO ]]; then
    skipped istioctl "no go toolchain on PATH or /usr/local/go/bin"
  else
    (
      set +e
      while read -r tag pv _lo; do
        [[ -z $tag || $tag == \#* ]] && continue
        if [[ -n ${WD_ISTIOCTL_VERSIONS:-} && " $WD_ISTIOCTL_VERSIONS " != *" $tag "* ]]; then
          continue
        fi
        if out=$("$here/lib/build-istioctl.sh" "$cache" "$tag" "$pv" "$(capped "$istioctl_timeout")" 2>&1); then
          report "ok: $out"
        else
          reason=$(grep -m1 '^reason=' "$cache/logs/istioctl-$tag.stats" 2>/dev/null | cut -d= -f2-)
          skipped "istioctl-$tag" "${reason:-build failed}; log $cache/logs/istioctl-$tag.log"
        fi
      done <"$here/istioctl-versions.txt"
    ) &
    istioctl_pid=$!
    echo "istioctl builds running in the background (pid $istioctl_pid, up to ${istioctl_timeout}s each); logs in $cache/logs/"
  fi
fi

# --- 2. CRD schema validator (npm) -------------------------------------------
if want crd-schema; then
  src="$here/crd-schema"
  dst="$cache/crd-schema"
  stamp=$(hash_of "$src/package.json" "$src/package-lock.json")
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    skipped crd-schema "node/npm not installed"
  elif [[ -f $dst/.stamp && $(cat "$dst/.stamp") == "$stamp" && -d $dst/node_modules/@kubernetes-models/istio ]]; then
    cp "$src/validate.mjs" "$dst/validate.mjs"
    report "ok: crd-schema already installed ($dst)"
  else
    rm -rf "$dst"; mkdir -p "$dst"
    cp "$src/package.json" "$src/package-lock.json" "$dst/"
    s=$(date +%s)
    if (cd "$dst" && timeout --kill-after=30 600 npm ci --no-audit --no-fund --loglevel=error) \
        >"$cache/logs/crd-schema.log" 2>&1; then
      cp "$src/validate.mjs" "$dst/validate.mjs"
      echo "$stamp" >"$dst/.stamp"
      report "ok: crd-schema installed in $(( $(date +%s) - s ))s ($dst)"
    else
      skipped crd-schema "npm ci failed or timed out; log $cache/logs/crd-schema.log"
    fi
  fi
fi

# --- 3. envoycheck (Go, go-control-plane PGV) --------------------------------
if want envoycheck; then
  src="$here/envoycheck"
  stamp=$(hash_of "$src/go.mod" "$src/go.sum" "$src"/*.go)
  if [[ -z $GO ]]; then
    skipped envoycheck "no go toolchain on PATH or /usr/local/go/bin"
  elif [[ -x $cache/bin/envoycheck && -f $cache/envoycheck.stamp && $(cat "$cache/envoycheck.stamp") == "$stamp" ]]; then
    report "ok: envoycheck already built ($cache/bin/envoycheck)"
  else
    s=$(date +%s)
    if (cd "$src" && GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOFLAGS=-mod=readonly \
          GOTOOLCHAIN=local GOMAXPROCS=2 timeout --kill-after=30 1200 \
          "$GO" build -p 2 -o "$cache/bin/envoycheck.new" .) >"$cache/logs/envoycheck.log" 2>&1; then
      mv "$cache/bin/envoycheck.new" "$cache/bin/envoycheck"
      echo "$stamp" >"$cache/envoycheck.stamp"
      report "ok: envoycheck built in $(( $(date +%s) - s ))s"
    else
      skipped envoycheck "go build failed or timed out; log $cache/logs/envoycheck.log"
    fi
  fi
fi

# --- 4. AssemblyScript toolchain for the host tests (npm) ---------------------
if want as-filter; then
  out=$("$here/../host/setup-as.sh" "$cache")
  report "$out"
fi

# --- 5. kube-apiserver + kubectl (Go, k8s.io/kubernetes) for tests/cluster ----
if want k8s; then
  # setup-k8s.sh bounds itself (WD_K8S_TIMEOUT) and skips when its stamp matches.
  if out=$(WD_K8S_TIMEOUT=$(capped "${WD_K8S_TIMEOUT:-2400}") "$here/../cluster/setup-k8s.sh" "$cache" 2>&1); then
    report "$out"
  else
    report "${out:-SKIPPED: kube-apiserver unavailable (setup-k8s.sh failed)}"
  fi
fi

# --- 6. controller/'s Go modules (client-go, prometheus) for tests/controller --------
if want controller; then
  src="$here/../../controller"
  stamp=$(hash_of "$src/go.mod" "$src/go.sum")
  if [[ -z $GO ]]; then
    skipped controller "no go toolchain on PATH or /usr/local/go/bin"
  elif [[ -f $cache/controller-modules.stamp && $(cat "$cache/controller-modules.stamp") == "$stamp" ]]; then
    report "ok: controller Go modules already downloaded"
  else
    s=$(date +%s)
    if (cd "$src" && GOMODCACHE="$cache/gomod" GOFLAGS=-mod=readonly GOTOOLCHAIN=local \
          timeout --kill-after=30 900 "$GO" mod download) >"$cache/logs/controller-modules.log" 2>&1; then
      echo "$stamp" >"$cache/controller-modules.stamp"
      report "ok: controller Go modules downloaded in $(( $(date +%s) - s ))s"
    else
      skipped controller "go mod download failed or timed out; log $cache/logs/controller-modules.log"
    fi
  fi
fi

if [[ -n $istioctl_pid ]]; then
  echo "waiting for the istioctl builds ..."
  wait "$istioctl_pid" || true
fi

# --- 7. effect oracle (istiod's xDS generation, one binary per Istio pin) -----
# After istioctl: an oracle build reuses most packages the istioctl of the same pin compiled.
if want effect; then
  if [[ -z $GO ]]; then
    skipped effect "no go toolchain on PATH or /usr/local/go/bin"
  else
    while read -r tag pv rest; do
      [[ -z $tag || $tag == \#* ]] && continue
      if [[ -n ${WD_EFFECT_VERSIONS:-} && " $WD_EFFECT_VERSIONS " != *" $tag "* ]]; then
        continue
      fi
      # module=version replaces (extra-versions.txt); istioctl-versions.txt's third field is not one.
      replaces=()
      for word in $rest; do [[ $word == *=* ]] && replaces+=("$word"); done
      if out=$("$here/lib/build-effect.sh" "$cache" "$tag" "$pv" "$(capped "${WD_EFFECT_TIMEOUT:-1800}")" \
               "${replaces[@]}" 2>&1); then
        report "ok: $out"
      else
        reason=$(grep -m1 '^reason=' "$cache/logs/effect-$tag.stats" 2>/dev/null | cut -d= -f2-)
        skipped "effect-$tag" "${reason:-build failed}; log $cache/logs/effect-$tag.log"
      fi
    done < <(cat "$here/istioctl-versions.txt" "$here/effect/extra-versions.txt")
  fi
fi

if [[ ${WD_TOOLS_PRUNE:-0} == 1 && -n $GO ]]; then
  GOMODCACHE="$cache/gomod" timeout 600 "$GO" clean -modcache >/dev/null 2>&1 || true
  rm -rf "$cache/gocache" "$cache/tmp"
  echo "setup-tools: pruned Go caches (WD_TOOLS_PRUNE=1)"
fi

echo "setup-tools: done in $(( $(date +%s) - t0 ))s; cache $cache"
grep '^SKIPPED' "$status_file" || true
exit 0
