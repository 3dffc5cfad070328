#!/usr/bin/env bash
# Installs everything wasmdeploy needs to build and test, from Debian's packages and PyPI.
# Idempotent: packages already present are skipped, so a warm machine pays only a dpkg query.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libyaml-dev nlohmann-json3-dev libprotobuf-dev protobuf-compiler   # libyaml: the spec reader
  libfmt-dev catch2 libcli11-dev libssl-dev
  libarchive-dev zlib1g-dev
  libcurl4-openssl-dev           # the registry client (push, pull, resolve, login)
  apache2-utils                  # tests/registry: htpasswd -B for the registry's basic auth
  skopeo umoci docker-registry   # tests/oci: real tools read, push and pull our image layouts
  pybind11-dev python3-dev
  wabt valgrind
  time                           # bench/run.py: a command's own peak RSS (GNU time's %M)
  ccache                         # rebuilds on this machine reuse objects (CMakeLists.txt)
  clang lld libclang-rt-14-dev
  wasi-libc libclang-rt-14-dev-wasm32   # tests/host: C filters built against wasi-libc
  etcd-server                    # tests/cluster: the storage behind a real kube-apiserver
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  timeout 900 $SUDO apt-get update -qq
  timeout 1500 $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python side: PyYAML (the benchmark reference and property tests) and pytest.
python3 - <<'PY' || timeout 600 python3 -m pip install -q "pyyaml>=6" "pytest>=7"
import yaml, pytest  # noqa: F401
PY
echo "setup: ok"
