#!/usr/bin/env bash
# Builds the controller's container image as an OCI image layout, with no container daemon:
#
#   scripts/controller-image.sh [--build-dir build/release] [--out DIR] [--go GO] [--no-cache]
#
# 1. go build of controller/ against the build tree's libwasmdeploy_c, linked with an RPATH of
#    $ORIGIN/../lib/wasmdeploy (DT_RPATH, not RUNPATH, so it also serves the libraries' own
#    dependencies) instead of the build tree, -trimpath and no symbol table;
# 2. stages a root file system: /usr/bin/wasmdeploy-controller, every shared library `ldd`
#    lists (Debian's packages, libwasmdeploy_c stripped) under /usr/lib/wasmdeploy, the ELF
#    interpreter at its own path, /etc/passwd and /etc/group naming the non-root user, and the
#    CA bundle for https module sources;
# 3. controller/imagebuilder writes it as a one-layer image whose bytes depend only on that
#    tree (sorted entries, zeroed times and owners), running as UID:GID 65532:65532.
#
# Writes DIR/layout (the OCI image layout), DIR/digest (its manifest digest, sha256:...) and
# prints the digest last. DIR defaults to BUILD_DIR/controller-image. Cached: when nothing that
# goes into the image changed (sources, libraries, Go, this script), the existing layout is kept.
# Offline: the Go modules come from the tools cache (tests/conformance/setup-tools.sh --only
# controller). Bounded by WD_CONTROLLER_IMAGE_TIMEOUT seconds (default 1200) for the Go build.
# Exit 77 with "SKIPPED: ..." when the Go toolchain or modules are missing.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
BUILD_DIR="$ROOT/build/release"
OUT=""
GO="$(command -v go || echo /usr/local/go/bin/go)"
USE_CACHE=1
IMAGE_USER="65532:65532"   # = the runAsUser/runAsGroup of `wasmdeploy operator-manifests`
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD_DIR="$(cd "$2" && pwd -P)"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --go) GO="$2"; shift 2 ;;
    --no-cache) USE_CACHE=0; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "controller-image: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
OUT="${OUT:-$BUILD_DIR/controller-image}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd -P)"
LIB_DIR="$BUILD_DIR/capi"
LIB="$LIB_DIR/libwasmdeploy_c.so.0"
CACHE="${WD_TOOLS_CACHE:-$HOME/.cache/wasmdeploy-tools}"
export GOMODCACHE="${GOMODCACHE:-$CACHE/gomod}" GOCACHE="${GOCACHE:-$CACHE/gocache}"
export CGO_ENABLED=1 GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=readonly GOMAXPROCS="${GOMAXPROCS:-2}"

[ -x "$GO" ] || { echo "SKIPPED: go unavailable ($GO)"; exit 77; }
[ -f "$LIB" ] || { echo "controller-image: $LIB missing: build the tree first (cmake --build --preset ...)" >&2; exit 1; }

# Every shared object ldd resolves for a file: "name path" lines, the interpreter as "interp path".
resolve_libs() {
  LD_LIBRARY_PATH="$LIB_DIR" ldd "$1" | awk '
    $2 == "=>" && $3 ~ /^\// { print $1, $3; next }
    $2 == "=>" { print "MISSING", $1; next }
    $1 ~ /^\// { print "interp", $1 }'
}

# The cache key: everything the image's bytes depend on (contents, not where the tree is).
key="$( {
  cat "$0" "$ROOT/controller/imagebuilder/main.go"
  (cd "$ROOT/controller" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort | xargs sha256sum)
  sha256sum <"$LIB"
  resolve_libs "$LIB" | awk '{print $2}' | xargs -r sha256sum
  [ -f /etc/ssl/certs/ca-certificates.crt ] && sha256sum /etc/ssl/certs/ca-certificates.crt
  "$GO" version
  echo "$IMAGE_USER"
} | sha256sum | cut -d' ' -f1)"
if [ "$USE_CACHE" = 1 ] && [ -f "$OUT/key" ] && [ "$(cat "$OUT/key")" = "$key" ] && [ -f "$OUT/layout/index.json" ] && [ -f "$OUT/digest" ]; then
  echo "controller-image: unchanged, kept $OUT/layout"
  cat "$OUT/digest"
  exit 0
fi
rm -f "$OUT/key" "$OUT/digest"

TIMEOUT="${WD_CONTROLLER_IMAGE_TIMEOUT:-1200}"
WORK="$OUT/.work"
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

VERSION="$(sed -n 's/^project(wasmdeploy VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")"
t0=$SECONDS
build() {  # build OUTPUT PACKAGE [extra go flags]
  local out="$1" pkg="$2"; shift 2
  local log="$WORK/go-build.log"
  if ! (cd "$ROOT/controller" && timeout "$TIMEOUT" nice "$GO" build -p 2 -trimpath -buildvcs=false "$@" -o "$out" "$pkg") >"$log" 2>&1; then
    if grep -q -e "module lookup disabled" -e "GOPROXY=off" "$log"; then
      echo "SKIPPED: controller Go modules unavailable ($(tail -n1 "$log")); tests/conformance/setup-tools.sh --only controller"
      exit 77
    fi
    cat "$log" >&2
    echo "controller-image: go build $pkg failed (or exceeded ${TIMEOUT}s)" >&2
    exit 1
  fi
}
CGO_CFLAGS="-I$ROOT/capi/include -I$BUILD_DIR/capi/include" \
CGO_LDFLAGS="-L$LIB_DIR -Wl,--disable-new-dtags -Wl,-rpath,\$ORIGIN/../lib/wasmdeploy" \
  build "$WORK/wasmdeploy-controller" . -tags netgo,osusergo -ldflags "-s -w -X main.controllerVersion=$VERSION"
CGO_ENABLED=0 build "$WORK/imagebuilder" ./imagebuilder
echo "controller-image: go build took $((SECONDS - t0))s" >&2

ROOTFS="$WORK/rootfs"
mkdir -p "$ROOTFS/usr/bin" "$ROOTFS/usr/lib/wasmdeploy" "$ROOTFS/etc/ssl/certs"
install -m 0755 "$WORK/wasmdeploy-controller" "$ROOTFS/usr/bin/wasmdeploy-controller"
missing=""
while read -r name path; do
  case "$name" in
    MISSING) missing="$missing $path" ;;
    interp) mkdir -p "$ROOTFS$(dirname "$path")"; cp -L "$path" "$ROOTFS$path"; chmod 0755 "$ROOTFS$path" ;;
    libwasmdeploy_c.so*) strip --strip-unneeded -o "$ROOTFS/usr/lib/wasmdeploy/$name" "$path" ;;
    *) cp -L "$path" "$ROOTFS/usr/lib/wasmdeploy/$name"; chmod 0644 "$ROOTFS/usr/lib/wasmdeploy/$name" ;;
  esac
done < <(resolve_libs "$WORK/wasmdeploy-controller")
[ -z "$missing" ] || { echo "controller-image: ldd finds no$missing" >&2; exit 1; }
uid="${IMAGE_USER%%:*}" gid="${IMAGE_USER##*:}"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnonroot:x:%s:%s:nonroot:/nonexistent:/usr/sbin/nologin\n' "$uid" "$gid" >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnonroot:x:%s:\n' "$gid" >"$ROOTFS/etc/group"
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp -L /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
fi

digest="$("$WORK/imagebuilder" --rootfs "$ROOTFS" --out "$OUT/layout" --user "$IMAGE_USER" \
  --entrypoint /usr/bin/wasmdeploy-controller --ref-name "$VERSION" \
  --env PATH=/usr/bin --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --label org.opencontainers.image.title=wasmdeploy-controller \
  --label org.opencontainers.image.version="$VERSION")"
echo "$digest" >"$OUT/digest"
echo "$key" >"$OUT/key"
echo "controller-image: wrote $OUT/layout ($(du -sh "$OUT/layout" | cut -f1)) in $((SECONDS - t0))s" >&2
echo "$digest"
