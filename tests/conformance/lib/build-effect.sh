#!/usr/bin/env bash
# Build the effect oracle (tests/conformance/effect) against one Istio release.
#
# Usage: build-effect.sh CACHE_DIR ISTIO_TAG PSEUDO_VERSION [TIMEOUT_SECONDS [MODULE=VERSION ...]]
#
# MODULE=VERSION pairs become replace directives in the throw-away module: for a
# pin whose go.mod names a pseudo-version of istio.io/api or istio.io/client-go
# the module proxy does not serve (403), the nearest served tag of the same
# minor stands in (extra-versions.txt says which and why).  Their hashes are
# verified against the checksum database like every other dependency.
#
# Like build-istioctl.sh: a throw-away copy of the module requires
# istio.io/istio@<pseudo-version> and carries that release's own go.sum, so
# every dependency is verified against istio's pinned hashes and only
# istio.io/istio skips the checksum database (WD_ISTIO_NOSUMDB).  Writes
# CACHE_DIR/bin/effect-<tag>, CACHE_DIR/logs/effect-<tag>.{log,stats}; the
# binary is reused while CACHE_DIR/effect-<tag>.stamp matches the sources and
# the pin.  Exit 0 on success.
set -euo pipefail

cache=$1 tag=$2 pv=$3 limit=${4:-1800}
shift $(( $# < 4 ? $# : 4 ))
replaces=("$@")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src="$here/effect"
nosumdb=${WD_ISTIO_NOSUMDB:-istio.io/istio}
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
bin="$cache/bin/effect-$tag"
log="$cache/logs/effect-$tag.log"
stats="$cache/logs/effect-$tag.stats"
stampfile="$cache/effect-$tag.stamp"
mkdir -p "$cache/bin" "$cache/logs" "$cache/gomod" "$cache/gocache" "$cache/tmp"

stamp=$( (echo "$pv" "${replaces[@]}"; cat "$src/go.mod" "$src"/*.go "$0") | sha256sum | cut -c1-16)
if [[ -x $bin && -f $stampfile && $(cat "$stampfile") == "$stamp" ]]; then
  echo "effect-$tag: already built ($bin)"
  exit 0
fi

mod="$cache/tmp/effect-$tag-mod"
start=$(date +%s)
rc=0
(
  set -e
  export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOFLAGS=-mod=mod \
         GOMAXPROCS=2 GOTOOLCHAIN=local GONOSUMDB="$nosumdb"
  rm -rf "$mod"; mkdir -p "$mod"; cd "$mod"
  dir=$(timeout 600 "$go" mod download -json "istio.io/istio@$pv" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n $dir && -f $dir/go.mod ]] || { echo "cannot download istio.io/istio@$pv"; exit 1; }
  gover=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$dir/go.mod" | head -1)
  cp "$src"/*.go .
  printf 'module wasmdeploy.dev/tests/conformance/effect\n\ngo %s\n\nrequire istio.io/istio %s\n' "${gover:-1.24}" "$pv" >go.mod
  for r in "${replaces[@]}"; do
    [[ $r =~ ^[a-z0-9./-]+=v[0-9A-Za-z.+-]+$ ]] || { echo "bad replace '$r' (want module=version)"; exit 1; }
    printf 'replace %s => %s %s\n' "${r%%=*}" "${r%%=*}" "${r#*=}" >>go.mod
  done
  cp "$dir/go.sum" go.sum
  # Same flags as build-istioctl.sh (no -trimpath): the build cache then shares every package
  # the istioctl of this pin compiled.
  timeout --kill-after=30 "$limit" "$go" build -p 2 -o "$mod/effect" .
) >"$log" 2>&1 || rc=$?
end=$(date +%s)
{
  echo "tag=$tag"
  echo "pseudo_version=$pv"
  echo "replaces=${replaces[*]}"
  echo "rc=$rc"
  echo "seconds=$((end - start))"
} >"$stats"
if [[ $rc -eq 0 && -x $mod/effect ]]; then
  mv "$mod/effect" "$bin"
  echo "$stamp" >"$stampfile"
  echo "effect-$tag: built in $((end - start))s"
  exit 0
fi
reason="go build exit $rc"
[[ $rc -eq 124 ]] && reason="timed out after ${limit}s"
if grep -q "verifying module.*404" "$log"; then
  reason="checksum database has no entry for $(grep -o 'verifying module: [^:]*' "$log" | head -1 | cut -d' ' -f3) (add it to WD_ISTIO_NOSUMDB)"
elif grep -q "not available" "$log"; then
  reason="module proxy does not serve $(grep -o '[a-z0-9./-]*@v[^:]*: 403' "$log" | head -1 | sed 's/: 403//')"
fi
echo "reason=$reason" >>"$stats"
echo "effect-$tag: FAILED ($reason); see $log" >&2
exit 1
