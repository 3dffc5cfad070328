#!/usr/bin/env python3
"""Updates take effect: for every delivery mode, a changed module (or config) deployed with the
README's commands changes an object the proxies or the pods see, on a real kube-apiserver.

  updates.py --cli build/ci/cli/wasmdeploy

Each mode renders a spec, deploys it with the README's `cluster.roundtrip` deploy block, then
changes the module (or, for a path inside the proxy, the config) and deploys again. What must
change, by mode (the object's metadata.generation must grow, i.e. the server took a spec change):

  configmap  the Deployment's pod template (wasmdeploy.io/module-sha256): the pods roll
  wasme-cache  the EnvoyFilter (the module file in the node cache is named by its sha256)
  oci, https   the WasmPlugin (sha256 / url istio-agent fetches and verifies)
  in-proxy     the WasmPlugin (pluginConfig), the only thing wasmdeploy knows of such a module
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from apiserver import ApiServer, Unavailable, skip_unavailable
import cluster_lib as lib

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: NS, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: docker.io/library/nginx:1.27}]
"""

SHA_A = "a" * 64
SHA_B = "b" * 64


def spec(istio, module, extra="", config="{header: x-a, value: one}"):
    return f"""apiVersion: wasmdeploy.io/v1alpha1
kind: WasmDeployment
istio: "{istio}"
filters:
- name: f
  module: {module}
  rootId: f_root
  config: {config}
{extra}targets:
- namespace: NS
  workloads:
  - {{name: web, labels: {{app: web}}}}
"""


# mode: (spec before, spec after, object that must change, what to print)
MODES = {
    "configmap": (spec("1.24", "./f.wasm"), spec("1.24", "./f.wasm"), "deployment/web", "module bytes"),
    "wasme-cache": (spec("1.8", "oci://webassemblyhub.io/acme/f:v1", f"  moduleSha256: {SHA_A}\n"),
                    spec("1.8", "oci://webassemblyhub.io/acme/f:v1", f"  moduleSha256: {SHA_B}\n"),
                    "envoyfilters.networking.istio.io/web-f", "moduleSha256"),
    "oci": (spec("1.24", "oci://ghcr.io/acme/f:v1", f"  sha256: {SHA_A}\n"),
            spec("1.24", "oci://ghcr.io/acme/f:v1", f"  sha256: {SHA_B}\n"),
            "wasmplugins.extensions.istio.io/web-f", "image digest"),
    "https": (spec("1.24", "https://example.com/f.wasm", f"  sha256: {SHA_A}\n"),
              spec("1.24", "https://example.com/f.wasm", f"  sha256: {SHA_B}\n"),
              "wasmplugins.extensions.istio.io/web-f", "sha256 of the .wasm"),
    "in-proxy": (spec("1.24", "file:///etc/istio/f.wasm"),
                 spec("1.24", "file:///etc/istio/f.wasm", config="{header: x-a, value: two}"),
                 "wasmplugins.extensions.istio.io/web-f", "config"),
}

def module(path, version):
    """examples/productpage-x-hello-configmap's module, plus a custom section holding `version`:
    the same filter, other bytes."""
    subprocess.run(["wat2wasm", str(lib.ROOT / "examples/productpage-x-hello-configmap/x-hello.wat"), "-o", str(path)],
                   check=True, timeout=60)
    name, payload = b"wasmdeploy-test", version.encode()
    body = bytes([len(name)]) + name + payload
    assert len(body) < 128  # one-byte LEB128 size
    with open(path, "ab") as f:
        f.write(bytes([0, len(body)]) + body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--readme", default=str(lib.ROOT / "README.md"))
    a = ap.parse_args()
    blocks = lib.readme_blocks(a.readme, "cluster.roundtrip")
    if len(blocks) != 2:
        print(f"FAIL: README.md has {len(blocks)} cluster.roundtrip blocks; want 2")
        return 1
    deploy = blocks[0]
    work = pathlib.Path(tempfile.mkdtemp(prefix="wd-cluster-updates-"))
    failures = 0
    try:
        tag, pv = lib.pin_for("1.24")
        assert lib.pin_for("1.8")[0] == tag
        cli_dir = work / "cli"
        cli_dir.mkdir()
        os.symlink(os.path.abspath(a.cli), cli_dir / "wasmdeploy")
        with ApiServer(str(work / "api"), crds=[lib.istio_crds(pv, tag)]) as api:
            env = api.env()
            env["PATH"] = str(cli_dir) + os.pathsep + env["PATH"]
            for mode, (before, after, obj, what) in MODES.items():
                ns = f"up-{mode}"
                d = work / ns
                d.mkdir()
                api.kubectl("create", "namespace", ns)
                api.kubectl("apply", "-f", "-", input=DEPLOYMENT.replace("NS", ns))
                (d / "spec.yaml").write_text(before.replace("NS", ns))
                if mode == "configmap":
                    module(d / "f.wasm", "one")
                lib.run_block(deploy, d, env, f"{mode}: first deploy")
                first = json.loads(api.kubectl("get", obj, "-n", ns, "-o", "json").stdout)
                (d / "spec.yaml").write_text(after.replace("NS", ns))
                if mode == "configmap":
                    module(d / "f.wasm", "two")
                lib.run_block(deploy, d, env, f"{mode}: deploy after the change")
                second = json.loads(api.kubectl("get", obj, "-n", ns, "-o", "json").stdout)
                g1, g2 = first["metadata"]["generation"], second["metadata"]["generation"]
                if g2 <= g1:
                    print(f"FAIL: {mode}: a new {what} left {obj} unchanged (generation {g1} -> {g2})")
                    failures += 1
                else:
                    print(f"ok: {mode}: a new {what} changes {obj} (generation {g1} -> {g2})")
        print(f"cluster updates: {len(MODES) - failures} passed, {failures} failed")
        return 1 if failures else 0
    except Unavailable as e:
        skip_unavailable(e)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
