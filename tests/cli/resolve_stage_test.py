#!/usr/bin/env python3
"""Every read of a local input goes through the resolve stage (src/resolve/), whichever command
and target reads it: the Gloo Gateway file, a local Envoy bootstrap's module, a runtime config on
a non-Istio target, `run -f` / `render --run-check` modules, undeploy and krm. Each case checks
that a file outside the spec's directory (a plain path and a symlink) is refused with
input.outside-spec-dir, exit 1, nothing on stdout, and that --allow-path DIR lets it through.

  resolve_stage_test.py --cli PATH --wat2wasm-source WAT CASE
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


class Tree:
    """spec/ (the spec's directory) beside outside/ (files it names)."""

    def __init__(self, root, cli):
        self.root, self.cli = root, cli
        self.spec_dir = os.path.join(root, "spec")
        self.outside = os.path.join(root, "outside")
        os.makedirs(self.spec_dir)
        os.makedirs(self.outside)

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run(self, *args, stdin=None, cwd=None):
        return subprocess.run([self.cli, *args], cwd=cwd or self.spec_dir, input=stdin, capture_output=True, text=True,
                              timeout=60)

    def refused(self, *args, field, stdin=None, cwd=None):
        p = self.run(*args, stdin=stdin, cwd=cwd)
        if p.returncode != 1 or "[input.outside-spec-dir]" not in p.stderr or field not in p.stderr or p.stdout:
            fail(f"wasmdeploy {' '.join(args)}: expected exit 1, [input.outside-spec-dir] at {field}, no output; got "
                 f"{p.returncode}\nstdout: {p.stdout[:400]!r}\nstderr: {p.stderr}")

    def ok(self, *args, stdin=None, cwd=None):
        p = self.run(*args, stdin=stdin, cwd=cwd)
        if p.returncode != 0:
            fail(f"wasmdeploy {' '.join(args)} exited {p.returncode}: {p.stderr}")
        return p


def module(tree, wat, where):
    out = os.path.join(where, "f.wasm")
    subprocess.run(["wat2wasm", wat, "-o", out], check=True, timeout=60)
    return out


GATEWAY = """apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: edge-proxy, namespace: gloo-system}
spec:
  httpGateway: {}
"""


def case_gloo_gateway(t, wat):
    t.write("outside/gateway.yaml", GATEWAY)
    for name, ref in (("spec.yaml", "../outside/gateway.yaml"), ("link.yaml", "gw-link.yaml")):
        if name == "link.yaml":
            os.symlink(os.path.join(t.outside, "gateway.yaml"), os.path.join(t.spec_dir, "gw-link.yaml"))
        t.write(f"spec/{name}", f"""apiVersion: wasmdeploy.io/v1alpha1
kind: WasmDeployment
options: {{platform: gloo, glooGateway: {ref}}}
filters:
- {{name: add-header, module: "oci://webassemblyhub.io/x/add-header:v0.1", rootId: add_header}}
""")
        t.refused("render", "-f", name, field="options.glooGateway")
        t.refused("undeploy", "-f", name, "--restore", field="options.glooGateway")
        p = t.ok("render", "-f", name, "--allow-path", t.outside)
        if "edge-proxy" not in p.stdout:
            fail("the allowed Gloo Gateway file was not the one patched:\n" + p.stdout)
        p = t.ok("undeploy", "-f", name, "--restore", "--allow-path", t.outside)
        if "edge-proxy" not in p.stdout:
            fail("undeploy --restore did not restore the allowed Gateway:\n" + p.stdout)


def case_envoy_module(t, wat):
    module(t, wat, t.outside)
    t.write("spec/spec.yaml", """apiVersion: wasmdeploy.io/v1alpha1
kind: WasmDeployment
options:
  platform: envoy
  envoy: {listenPort: 10000, adminPort: 9901, upstream: "127.0.0.1:8080"}
filters:
- {name: x-hello, module: ../outside/f.wasm, rootId: x_hello}
""")
    t.refused("render", "-f", "spec.yaml", "--files", field="filters[0].module")
    p = t.ok("render", "-f", "spec.yaml", "--files", "--allow-path", t.outside)
    if "../outside/f.wasm" not in p.stdout:
        fail("the bootstrap does not name the allowed module:\n" + p.stdout)
    # A missing module is still found now, not when Envoy starts (the resolve stage reads it).
    t.write("spec/missing.yaml", open(os.path.join(t.spec_dir, "spec.yaml")).read().replace("../outside/f.wasm",
                                                                                           "nothere.wasm"))
    p = t.run("render", "-f", "missing.yaml", "--files")
    if p.returncode != 1 or "filters[0].module" not in p.stderr or p.stdout:
        fail(f"a missing bootstrap module was not refused at its field: {p.returncode} {p.stderr}")


def case_runtime_config(t, wat):
    t.write("outside/runtime-config.json", json.dumps({"type": "envoy_proxy", "abiVersions": ["v0-4689a30309abf31aee9ae36e73d34b1bb182685f"],
                                                       "config": {"rootIds": ["from_runtime_config"]}}))
    t.write("spec/spec.yaml", """apiVersion: wasmdeploy.io/v1alpha1
kind: WasmDeployment
options: {platform: higress}
filters:
- name: add-header
  module: oci://ghcr.io/example/add-header:v1
  runtimeConfig: ../outside/runtime-config.json
targets:
- namespace: higress-system
""")
    t.refused("render", "-f", "spec.yaml", field="filters[0].runtimeConfig")
    p = t.ok("render", "-f", "spec.yaml", "--allow-path", t.outside)
    if "from_runtime_config" not in p.stdout:
        fail("the root id of the allowed runtime config is not in the Higress plugin:\n" + p.stdout)


def istio_spec(t, ref):
    t.write("spec/spec.yaml", f"""apiVersion: wasmdeploy.io/v1alpha1
kind: WasmDeployment
istio: "1.24"
filters:
- name: x-hello
  module: {ref}
  rootId: x_hello
  config: {{header: x-hello, value: hi}}
targets:
- namespace: bookinfo
  workloads:
  - {{name: details-v1, labels: {{app: details}}}}
""")


def case_run(t, wat):
    module(t, wat, t.outside)
    istio_spec(t, "../outside/f.wasm")
    t.refused("run", "-f", "spec.yaml", "--filter", "x-hello", field="filters[0].module")
    p = t.ok("run", "-f", "spec.yaml", "--filter", "x-hello", "--allow-path", t.outside, "-o", "json")
    if not json.loads(p.stdout).get("configure"):
        fail("run -f with the allowed module did not configure it:\n" + p.stdout)
    # render --run-check reads the module under render's confinement, --allow-path included.
    t.refused("render", "-f", "spec.yaml", "--run-check", field="filters[0].module")
    p = t.ok("render", "-f", "spec.yaml", "--run-check", "--allow-path", t.outside)
    if "host.configured" not in p.stderr:
        fail("render --run-check did not run the allowed module:\n" + p.stderr)
    # A symlink beside the spec pointing outside is refused by run as well.
    os.symlink(os.path.join(t.outside, "f.wasm"), os.path.join(t.spec_dir, "link.wasm"))
    istio_spec(t, "./link.wasm")
    t.refused("run", "-f", "spec.yaml", "--filter", "x-hello", field="filters[0].module")
    # An image layout outside the spec's directory, as run reads it.
    p = t.ok("build", os.path.join(t.outside, "f.wasm"), "--root-id", "x_hello", "-o", os.path.join(t.outside, "img"))
    t.write("spec/spec.yaml", open(os.path.join(t.spec_dir, "spec.yaml")).read().replace(
        "module: ./link.wasm", "module: oci://ghcr.io/example/x-hello:v1\n  imageLayout: ../outside/img"))
    t.refused("run", "-f", "spec.yaml", "--filter", "x-hello", field="filters[0].imageLayout")
    t.ok("run", "-f", "spec.yaml", "--filter", "x-hello", "--allow-path", t.outside)


def case_undeploy(t, wat):
    module(t, wat, t.outside)
    istio_spec(t, "../outside/f.wasm")
    t.refused("undeploy", "-f", "spec.yaml", field="filters[0].module")
    p = t.ok("undeploy", "-f", "spec.yaml", "--allow-path", t.outside)
    if "kind: ConfigMap" not in p.stdout:
        fail("undeploy with the allowed module lists no ConfigMap to delete:\n" + p.stdout)


def case_krm(t, wat):
    module(t, wat, t.outside)
    resource_list = """apiVersion: config.kubernetes.io/v1
kind: ResourceList
items: []
functionConfig:
  apiVersion: wasmdeploy.io/v1alpha1
  kind: WasmDeployment
  metadata: {name: x}
  istio: "1.24"
  filters:
  - {name: x-hello, module: ../outside/f.wasm, rootId: x_hello}
  targets:
  - namespace: bookinfo
    workloads:
    - {name: details-v1, labels: {app: details}}
"""
    p = t.run("krm", stdin=resource_list)
    if p.returncode != 1 or "[input.outside-spec-dir]" not in p.stdout or "kind: ConfigMap" in p.stdout:
        fail(f"krm read a module outside its directory: {p.returncode}\n{p.stdout}{p.stderr}")
    p = t.ok("krm", "--allow-path", t.outside, stdin=resource_list)
    if "kind: ConfigMap" not in p.stdout:
        fail("krm with --allow-path rendered no ConfigMap:\n" + p.stdout)


CASES = {"gloo_gateway": case_gloo_gateway, "envoy_module": case_envoy_module, "runtime_config": case_runtime_config,
         "run": case_run, "undeploy": case_undeploy, "krm": case_krm}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--wat", required=True, help="a module's text (compiled with wat2wasm)")
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    if shutil.which("wat2wasm") is None:
        fail("wat2wasm is required (scripts/setup.sh installs wabt)")
    with tempfile.TemporaryDirectory() as root:
        CASES[a.case](Tree(root, os.path.abspath(a.cli)), a.wat)
    print(f"PASS: cli.resolve_stage.{a.case}")


if __name__ == "__main__":
    main()
