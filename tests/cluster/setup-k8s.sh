#!/usr/bin/env bash
# Build kube-apiserver and kubectl from the Go module proxy into the tools cache.
#
# Usage: tests/cluster/setup-k8s.sh [CACHE_DIR]     (default ${WD_TOOLS_CACHE:-~/.cache/wasmdeploy-tools})
#
# Writes CACHE_DIR/bin/kube-apiserver, CACHE_DIR/bin/kubectl and
# CACHE_DIR/k8s.stamp (the version of k8s-version.txt and a hash of this
# script); does nothing when the stamp matches.  Logs: CACHE_DIR/logs/k8s.{log,stats}.
# Also copies the Istio CRDs of every pin in tests/conformance/istioctl-versions.txt
# (manifests/charts/base/files/crd-all.gen.yaml of the istio.io/istio module) to
# CACHE_DIR/istio-crds/<tag>.yaml, so the cluster tests keep them when the Go
# module cache is pruned (WD_TOOLS_PRUNE=1).
# Prints "ok: ..." or "SKIPPED: kube-apiserver unavailable (<reason>)" and
# exits 0 / 1.
#
# k8s.io/kubernetes is not meant to be required as a module: its go.mod
# replaces every staging module (k8s.io/api, client-go, ...) with a directory
# of its own tree, and requires them at v0.0.0.  A throw-away main module
# requiring k8s.io/kubernetes therefore carries one replace per staging
# module, pointing at the published v0.<minor>.<patch> of the same release,
# and k/k's go.sum, so every third-party dependency is checked against the
# hashes the release pins.  Version information normally comes from git
# (hack/lib/version.sh); here it is stamped with -X ldflags.
#
# Tunables: WD_K8S_TIMEOUT (seconds for the build, default 2400),
#           WD_K8S_NOSUMDB (GONOSUMDB for the build, default empty).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${1:-${WD_TOOLS_CACHE:-$HOME/.cache/wasmdeploy-tools}}
limit=${WD_K8S_TIMEOUT:-2400}
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
version=$(sed -n 's/^kubernetes=//p' "$here/k8s-version.txt")
staging=$(sed -n 's/^client-go=//p' "$here/k8s-version.txt")
log=$cache/logs/k8s.log
stats=$cache/logs/k8s.stats
stamp_file=$cache/k8s.stamp
mkdir -p "$cache/bin" "$cache/logs" "$cache/gomod" "$cache/gocache" "$cache/tmp"

# The Istio CRDs (small; the istio.io/istio module is usually already downloaded
# by the istioctl build).  A pin whose module cannot be fetched is reported, not fatal.
mkdir -p "$cache/istio-crds"
while read -r tag pv _lo; do
  [[ -z $tag || $tag == \#* ]] && continue
  [[ -s $cache/istio-crds/$tag.yaml ]] && continue
  dir=$(cd "$cache/tmp" && GOMODCACHE="$cache/gomod" GOFLAGS=-mod=mod GOTOOLCHAIN=local GONOSUMDB=istio.io/istio \
        timeout 900 "$go" mod download -json "istio.io/istio@$pv" 2>>"$cache/logs/k8s-istio-crds.log" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [[ -n $dir && -f $dir/manifests/charts/base/files/crd-all.gen.yaml ]]; then
    install -m 0644 "$dir/manifests/charts/base/files/crd-all.gen.yaml" "$cache/istio-crds/$tag.yaml.new"
    mv "$cache/istio-crds/$tag.yaml.new" "$cache/istio-crds/$tag.yaml"
  else
    echo "note: Istio $tag CRDs unavailable (istio.io/istio@$pv; log $cache/logs/k8s-istio-crds.log)"
  fi
done <"$here/../conformance/istioctl-versions.txt"

stamp="kubernetes=$version script=$(sha256sum "$0" | cut -c1-16)"
if [[ -x $cache/bin/kube-apiserver && -x $cache/bin/kubectl && -f $stamp_file &&
      $(cat "$stamp_file") == "$stamp" ]]; then
  echo "ok: kube-apiserver and kubectl $version already built ($cache/bin)"
  exit 0
fi
if [[ ! -x $go ]] && ! command -v "$go" >/dev/null; then
  echo "SKIPPED: kube-apiserver unavailable (no go toolchain on PATH or /usr/local/go/bin)"
  exit 1
fi

out=$cache/tmp/k8s-bin
mod=$cache/tmp/k8s-mod
start=$(date +%s)
rc=0
(
  set -e
  export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOFLAGS=-mod=mod \
         GOMAXPROCS=2 GOTOOLCHAIN=local GONOSUMDB="${WD_K8S_NOSUMDB:-}" CGO_ENABLED=0
  rm -rf "$mod" "$out"; mkdir -p "$mod" "$out"; cd "$mod"
  json=$(timeout 900 "$go" mod download -json "k8s.io/kubernetes@$version")
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")
  [[ -n $dir && -f $dir/go.mod ]] || { echo "cannot download k8s.io/kubernetes@$version"; echo "$json"; exit 1; }
  gover=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$dir/go.mod" | head -1)
  {
    printf 'module wasmdeploy.local/k8s\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n\n' "$gover" "$version"
    # one replace per staging module named in k/k's own go.mod
    sed -n 's|^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*$|replace \1 => \1 '"$staging"'|p' "$dir/go.mod"
  } >go.mod
  grep -q '^replace k8s.io/client-go ' go.mod || { echo "no staging replaces found in $dir/go.mod"; exit 1; }
  cp "$dir/go.sum" go.sum
  chmod u+w go.sum
  when=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$cache/gomod/cache/download/k8s.io/kubernetes/@v/$version.info")
  minor=${version#v1.}; minor=${minor%%.*}
  ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=${when:-1970-01-01T00:00:00Z}"
  done
  nice -n 10 timeout --kill-after=30 "$limit" "$go" build -p 2 -trimpath -ldflags "$ld" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
) >"$log" 2>&1 || rc=$?
end=$(date +%s)
{
  echo "kubernetes=$version"
  echo "rc=$rc"
  echo "seconds=$((end - start))"
} >"$stats"
if [[ $rc -eq 0 && -x $out/kube-apiserver && -x $out/kubectl ]]; then
  mv "$out/kube-apiserver" "$out/kubectl" "$cache/bin/"
  echo "$stamp" >"$stamp_file"
  echo "ok: kube-apiserver and kubectl $version built in $((end - start))s ($cache/bin)"
  exit 0
fi
reason="go build exit $rc"
[[ $rc -eq 124 ]] && reason="build timed out after ${limit}s"
if grep -q "verifying .*404\|verifying module" "$log"; then
  reason="checksum database: $(grep -m1 'verifying' "$log" | cut -c1-160) (see WD_K8S_NOSUMDB)"
elif grep -q "not available\|403" "$log"; then
  reason="module proxy does not serve $(grep -m1 -o '[a-z0-9./-]*@v[^:]*: 403' "$log" | sed 's/: 403//')"
fi
echo "reason=$reason" >>"$stats"
echo "SKIPPED: kube-apiserver unavailable ($reason; log $log)"
exit 1
