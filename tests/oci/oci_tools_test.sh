#!/usr/bin/env bash
# Real tools against the OCI image layouts wasmdeploy builds.
#   oci_tools_test.sh STEP TOOL WORKDIR
#     STEP     cli | local-tools | registry
#     TOOL     the wasmdeploy_oci_tool driver (build / inspect-image / make-module)
#     WORKDIR  scratch directory (recreated)
# A missing tool fails the test, loudly, unless WD_OCI_ALLOW_SKIP=1 (then exit 77 = skipped).
set -euo pipefail
step=$1 tool=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
need() {
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 && continue
    echo "SKIPPED: $t unavailable" >&2
    [ "${WD_OCI_ALLOW_SKIP:-}" = 1 ] && exit 77
    fail "$t is required (scripts/setup.sh installs it); set WD_OCI_ALLOW_SKIP=1 to skip explicitly"
  done
}
# `build` prints "manifest  sha256:<hex>  N bytes"; keep the digest.
manifest_digest() { awk '$1 == "manifest" { print $2 }' "$1"; }
raw_digest() { echo "sha256:$(sha256sum | cut -d' ' -f1)"; }
expect_rc() {  # expect_rc CODE cmd...
  local want=$1; shift
  set +e; "$@" >cmd.out 2>&1; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || { cat cmd.out >&2; fail "'$*' exited $rc, expected $want"; }
}

"$tool" make-module module.wasm --payload "oci-suite-$step"
for v in oci compat; do
  "$tool" build module.wasm --root-id my_root --abi-version v0.2.1 --variant "$v" --ref v1 -o "img-$v" > "build-$v.txt"
  digest=$(manifest_digest "build-$v.txt")
  [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "no manifest digest in build output"
  declare "digest_$v=$digest"
done

case "$step" in
cli)
  # Reproducible across directories, byte for byte.
  for v in oci compat; do
    "$tool" build module.wasm --root-id my_root --abi-version v0.2.1 --variant "$v" --ref v1 -o "again/nested/img-$v" > again.txt
    [ "$(manifest_digest again.txt)" = "$(manifest_digest "build-$v.txt")" ] || fail "$v digest differs between builds"
    diff -r "img-$v" "again/nested/img-$v" || fail "$v layouts differ"
    grep -q "^url: oci://.*@$(manifest_digest "build-$v.txt")\$" "build-$v.txt" || fail "no oci:// url hint"
    "$tool" inspect-image "img-$v" --target istio --istio 1.12 --extract "x-$v.wasm" > inspect.txt
    grep -q "^variant   $v\$" inspect.txt || fail "inspect-image did not detect $v"
    cmp -s module.wasm "x-$v.wasm" || fail "extracted module differs ($v)"
  done
  # Exit codes: 1 invalid input, 2 usage.
  echo "not wasm" > bad.wasm
  expect_rc 1 "$tool" build bad.wasm --root-id r -o out-bad
  expect_rc 1 "$tool" build module.wasm --root-id r -o img-oci          # exists, no --force
  expect_rc 0 "$tool" build module.wasm --root-id r -o img-oci --force
  expect_rc 2 "$tool" build module.wasm -o out-noroot                   # --root-id is required
  expect_rc 2 "$tool" build module.wasm --root-id r --variant docker -o out-v
  [ ! -e out-bad ] && [ ! -e out-noroot ] || fail "a failed build left output behind"
  ;;

local-tools)
  need skopeo umoci tar gzip
  for v in oci compat; do
    d="digest_$v"
    got=$(skopeo inspect --raw "oci:img-$v:v1" | raw_digest)
    [ "$got" = "${!d}" ] || fail "skopeo sees manifest $got for $v, build said ${!d}"
    umoci ls --layout "img-$v" | grep -qx v1 || fail "umoci ls does not list v1 ($v)"
  done
  # oci variant: skopeo returns wasme's runtime config as the image config.
  skopeo inspect --config --raw oci:img-oci:v1 > rc.json
  [ "$(cat rc.json)" = '{"type":"envoy_proxy","abiVersions":["v0.2.1"],"config":{"rootIds":["my_root"]}}' ] ||
    fail "unexpected runtime config: $(cat rc.json)"
  # compat: a regular image to skopeo and umoci, whose rootfs is plugin.wasm.
  skopeo inspect oci:img-compat:v1 > inspect.json
  grep -q "\"Digest\": \"$digest_compat\"" inspect.json || fail "skopeo inspect digest"
  grep -q '"Os": "linux"' inspect.json || fail "skopeo inspect os"
  umoci stat --image img-compat:v1 > /dev/null || fail "umoci stat"
  umoci raw unpack --rootless --image img-compat:v1 rootfs > /dev/null 2>&1 || fail "umoci raw unpack"
  cmp -s rootfs/plugin.wasm module.wasm || fail "umoci-unpacked plugin.wasm differs from the module"
  [ -f rootfs/runtime-config.json ] || fail "runtime-config.json missing from the compat layer"
  # GNU tar and gzip read the layer; headers carry owner 0/0 and the epoch, nothing else.
  layer=$(awk '$1 == "layer" { print $2 }' build-compat.txt)
  gzip -t "img-compat/blobs/sha256/${layer#sha256:}" || fail "gzip -t"
  tar -tvzf "img-compat/blobs/sha256/${layer#sha256:}" > listing.txt
  [ "$(head -1 listing.txt | awk '{print $2, $4, $5, $6}')" = "0/0 1970-01-01 00:00 plugin.wasm" ] ||
    fail "unexpected tar header: $(head -1 listing.txt)"
  ;;

registry)
  need skopeo docker-registry
  # CNCF distribution on loopback, a free port, temp storage, bounded lifetime.
  pid=""
  cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  }
  trap cleanup EXIT
  for attempt in 1 2 3 4 5; do
    port=$(( 20000 + (RANDOM * 7 + attempt) % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue  # taken
    cat > registry.yml <<YML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry-data
http:
  addr: 127.0.0.1:$port
YML
    timeout 150 docker-registry serve registry.yml > registry.log 2>&1 &
    pid=$!
    for _ in $(seq 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    cleanup; pid=""
  done
  [ -n "$pid" ] || { cat registry.log >&2; fail "docker-registry did not start"; }
  reg="127.0.0.1:$port"
  for v in oci compat; do
    d="digest_$v"
    skopeo copy --quiet --preserve-digests --dest-tls-verify=false "oci:img-$v:v1" "docker://$reg/wasm/$v:v1"
    remote=$(skopeo inspect --raw --tls-verify=false "docker://$reg/wasm/$v:v1" | raw_digest)
    [ "$remote" = "${!d}" ] || fail "registry serves $remote for $v, built ${!d}"
    skopeo copy --quiet --preserve-digests --src-tls-verify=false "docker://$reg/wasm/$v@${!d}" "oci:back-$v:v1"
    back=$(skopeo inspect --raw "oci:back-$v:v1" | raw_digest)
    [ "$back" = "${!d}" ] || fail "copied-back manifest $back differs from ${!d} ($v)"
    "$tool" inspect-image "back-$v" --target istio --extract "back-$v.wasm" > inspect.txt
    grep -q "^variant   $v\$" inspect.txt || fail "round-tripped $v image not detected as $v"
    cmp -s module.wasm "back-$v.wasm" || fail "round-tripped module differs ($v)"
  done
  ;;
*) fail "unknown step $step" ;;
esac
echo "PASS: oci.$step"
