#!/usr/bin/env bash
# Build one istioctl binary from the Go module proxy into the tools cache.
#
# Usage: build-istioctl.sh CACHE_DIR ISTIO_TAG PSEUDO_VERSION [TIMEOUT_SECONDS]
#
# istio/istio tags carry no "v" prefix, so they are not semver module versions.
# The Go module proxy reachable here does not answer revision queries
# (@1.29.1, @release-1.29, @<sha> all give "403 This module version is not
# available"); it only serves exact versions it already holds.  A tag is
# therefore addressed by its pseudo-version v0.0.0-<commit UTC time>-<sha12>,
# see istioctl-versions.txt.  Writes CACHE_DIR/bin/istioctl-<tag> and
# CACHE_DIR/logs/istioctl-<tag>.{log,stats}.  Exit 0 on success.
set -euo pipefail

cache=$1 tag=$2 pv=$3 limit=${4:-2400}
# The checksum database reachable here answers 404 for istio.io/istio at
# these pseudo-versions and for several pseudo-versions istio depends on
# (go-control-plane, istio.io/client-go, openshift/api, ...).  `go install
# pkg@version` has no go.sum, so it would ask the checksum database for every
# module.  Instead we build from a throw-away main module that requires
# istio.io/istio@<pv> and carries istio's own go.sum: every dependency is
# verified against the hashes istio's release pins, and only the modules in
# WD_ISTIO_NOSUMDB (default: istio.io/istio itself) skip the checksum database.
nosumdb=${WD_ISTIO_NOSUMDB:-istio.io/istio}
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
bin="$cache/bin/istioctl-$tag"
log="$cache/logs/istioctl-$tag.log"
stats="$cache/logs/istioctl-$tag.stats"
mkdir -p "$cache/bin" "$cache/logs" "$cache/gomod" "$cache/gocache" "$cache/tmp"

if [[ -x "$bin" ]] && grep -qx "pseudo_version=$pv" "$stats" 2>/dev/null; then
  echo "istioctl-$tag: already built ($bin)"
  exit 0
fi

gobin="$cache/tmp/gobin-$tag"
rm -rf "$gobin"; mkdir -p "$gobin"
start=$(date +%s)
rc=0
(
  set -e
  export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOFLAGS=-mod=mod \
         GOMAXPROCS=2 GOTOOLCHAIN=local GONOSUMDB="$nosumdb"
  mod="$cache/tmp/istioctl-$tag-mod"
  rm -rf "$mod"; mkdir -p "$mod"; cd "$mod"
  dir=$(timeout 600 "$go" mod download -json "istio.io/istio@$pv" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n $dir && -f $dir/go.mod ]] || { echo "cannot download istio.io/istio@$pv"; exit 1; }
  gover=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$dir/go.mod" | head -1)
  printf 'module wasmdeploy.local/istioctl\n\ngo %s\n\nrequire istio.io/istio %s\n' "${gover:-1.24}" "$pv" >go.mod
  cp "$dir/go.sum" go.sum
  timeout --kill-after=30 "$limit" "$go" build -p 2 -o "$gobin/istioctl" \
    istio.io/istio/istioctl/cmd/istioctl
) >"$log" 2>&1 || rc=$?
end=$(date +%s)
modsize=$(du -sh "$cache/gomod" 2>/dev/null | cut -f1)
buildsize=$(du -sh "$cache/gocache" 2>/dev/null | cut -f1)
{
  echo "tag=$tag"
  echo "pseudo_version=$pv"
  echo "rc=$rc"
  echo "seconds=$((end - start))"
  echo "gomodcache_size_after=$modsize"
  echo "gocache_size_after=$buildsize"
} >"$stats"
if [[ $rc -eq 0 && -x "$gobin/istioctl" ]]; then
  mv "$gobin/istioctl" "$bin"
  echo "istioctl-$tag: built in $((end - start))s (module cache $modsize)"
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
echo "nosumdb=$nosumdb" >>"$stats"
echo "istioctl-$tag: FAILED ($reason); see $log" >&2
exit 1
