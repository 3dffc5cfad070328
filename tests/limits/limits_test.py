#!/usr/bin/env python3
"""Every reader limit set through each interface: the CLI's --limit NAME=VALUE, the C API's
wd_limits_set (through limits_probe.c) and Python's limits={...}. One table of cases; each case
is an input that passes with the default limits and is refused with its code once the one limit
it names is lowered, so a setting that is not passed through fails here.

  limits_test.py --cli build/ci/cli/wasmdeploy cli
  limits_test.py --cli ... --probe build/ci/tests/limits/limits_probe capi
  limits_test.py --cli ... python          (PYTHONPATH: the build tree's package)
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from wasm_bytes import leb128  # noqa: E402

SHA = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510"
IMAGE_SHA = "6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a"


# --- a small WebAssembly writer: enough sections, imports, exports, entries and names to trip
# --- each wasm_* limit, and valid (the engine's validator accepts it) so the default passes.


def name(s):
    return leb128(len(s)) + s.encode()


def vec(items):
    return leb128(len(items)) + b"".join(items)


def section(sid, payload):
    return bytes([sid]) + leb128(len(payload)) + payload


def wasm_module():
    types = section(1, vec([b"\x60\x00\x00"]))
    imports = section(2, vec([name("env") + name("a") + b"\x00\x00", name("env") + name("b") + b"\x00\x00"]))
    funcs = section(3, vec([b"\x00", b"\x00"]))
    memory = section(5, vec([b"\x00\x01"]))
    exports = section(7, vec([name("memory") + b"\x02\x00", name("proxy_abi_version_0_2_0") + b"\x00\x02",
                              name("proxy_on_memory_allocate") + b"\x00\x03"]))
    code = section(10, vec([b"\x02\x00\x0b", b"\x02\x00\x0b"]))
    producers = section(0, name("producers") + vec([name("language") + vec([name("C") + name("")]),
                                                  name("processed-by") + vec([name("clang") + name("14")])]))
    return b"\x00asm\x01\x00\x00\x00" + types + imports + funcs + memory + exports + code + producers


def spec(filters=1, targets=1, workloads=1, config="{}", env=0, annotation=None, layout=False, extra=""):
    # Workload annotations are read where render patches volumes: Istio 1.8's wasme-style cache.
    text = f"istio: '{'1.8' if annotation else '1.24'}'\nfilters:\n"
    for i in range(filters):
        text += f"- name: f{i}\n  module: oci://ghcr.io/acme/f:v1\n"
        if layout:
            text += "  imageLayout: img\n"
        else:
            text += f"  sha256: {IMAGE_SHA}\n  moduleSha256: {SHA}\n"
        text += f"  config: {config}\n"
        if env:
            text += "  env:\n" + "".join(f"  - {{name: E{k}, value: v}}\n" for k in range(env))
    text += "targets:\n"
    for t in range(targets):
        text += f"- namespace: ns{t}\n  workloads:\n"
        for w in range(workloads):
            text += f"  - name: w{w}\n    labels: {{app: w{w}}}\n"
            if annotation:
                text += f"    annotations: {{sidecar.istio.io/userVolume: '{annotation}'}}\n"
    return text + extra


# The smallest proxy-wasm module (exports proxy_abi_version_0_2_1, malloc and memory, imports nothing):
# what the layout holds and what runs, so both load with the defaults.
PROXY_MODULE = bytes.fromhex("0061736d0100000001090260000060017f017f03030200010503010001072d03066d656d6f727902001770726f78"
                             "795f6162695f76657273696f6e5f305f325f310000066d616c6c6f6300010a090202000b040041000b")

IMPORT = ("apiVersion: wasme.io/v1\nkind: FilterDeployment\nmetadata: {name: a, namespace: ns}\n"
          "spec: {filter: {id: a, image: 'webassemblyhub.io/x/a:v1'}, deployment: {istio: {kind: Deployment}}}\n")

# name -> (kind, input files, lowered value, expected code). Kinds: "render" (a spec, rendered),
# "inspect" (a module), "convert" (resources read into a spec), "run" (config_json to the host).
CASES = {
    "json_depth": ("render", {"spec.yaml": spec(annotation='{"v":{"emptyDir":{}}}')}, 2, "json.too-deep"),
    "spec_depth": ("render", {"spec.yaml": spec(config="{a: {b: {c: {d: 1}}}}")}, 3, "spec.too-deep"),
    "spec_nodes": ("render", {"spec.yaml": spec()}, 5, "spec.too-large"),
    "spec_bytes": ("render", {"spec.yaml": spec()}, 100, "spec.too-large"),
    "string_bytes": ("render", {"spec.yaml": spec(config="{a: a-rather-long-string}")}, 8, "spec.too-large"),
    "alias_expansion_bytes": ("render", {"spec.yaml": spec(config="{a: &x twenty-bytes-long-str, b: *x, c: *x}")},
                              30, "spec.alias-expansion"),
    "oci_json_bytes": ("render", {"spec.yaml": spec(layout=True), "img": "layout"}, 100, "file.too-large"),
    "wasm_module_bytes": ("inspect", {"f.wasm": wasm_module()}, 20, "wasm.too-large"),
    "wasm_sections": ("inspect", {"f.wasm": wasm_module()}, 3, "wasm.too-many-sections"),
    "wasm_imports": ("inspect", {"f.wasm": wasm_module()}, 1, "wasm.too-many-imports"),
    "wasm_exports": ("inspect", {"f.wasm": wasm_module()}, 2, "wasm.too-many-exports"),
    "wasm_entries": ("inspect", {"f.wasm": wasm_module()}, 1, "wasm.too-many-entries"),
    "wasm_name_bytes": ("inspect", {"f.wasm": wasm_module()}, 8, "wasm.name-too-long"),
    "wasm_producers_entries": ("inspect", {"f.wasm": wasm_module()}, 1, "wasm.too-many-entries"),
    "filters": ("render", {"spec.yaml": spec(filters=2)}, 1, "spec.too-many"),
    "targets": ("render", {"spec.yaml": spec(targets=2)}, 1, "spec.too-many"),
    "workloads": ("render", {"spec.yaml": spec(workloads=2)}, 1, "spec.too-many"),
    "env_entries": ("render", {"spec.yaml": spec(env=2)}, 1, "spec.too-many"),
    "placements": ("render", {"spec.yaml": spec(filters=2, workloads=2)}, 3, "spec.too-many"),
    "import_documents": ("convert", {"in.yaml": IMPORT + "---\n" + IMPORT.replace("name: a", "name: b")}, 1,
                         "import.too-many-documents"),
}
# Not a reader of its own: config_json's depth in a run (json_depth through the run options).
RUN_CASE = ("run", {"f.wasm": PROXY_MODULE, "config.json": "[[[[1]]]]"}, 3, "json.too-deep")


def fail(msg):
    sys.exit("FAIL: " + msg)


def materialise(tmp, files, cli):
    for path, content in files.items():
        full = os.path.join(tmp, path)
        if content == "layout":
            # A real layout, made by `wasmdeploy build` (index.json and manifest are a few hundred bytes).
            with open(os.path.join(tmp, "layout.wasm"), "wb") as fh:
                fh.write(PROXY_MODULE)
            p = subprocess.run([cli, "build", "layout.wasm", "--root-id", "r", "-o", "img"], cwd=tmp,
                               capture_output=True, text=True, timeout=120)
            if p.returncode != 0:
                fail(f"build: {p.stderr}")
            continue
        with open(full, "wb" if isinstance(content, bytes) else "w") as fh:
            fh.write(content)


# --- the three interfaces: each returns (refused code or None, detail) -----------------------------
def via_cli(cli, tmp, kind, name, value):
    if kind == "run":
        args = ["run", "f.wasm", "--config-json", open(os.path.join(tmp, "config.json")).read()]
    else:
        args = {"render": ["render", "-f", "spec.yaml"], "inspect": ["inspect", "f.wasm", "-o", "json"],
                "convert": ["convert", "-f", "in.yaml", "--to", "spec"]}[kind]
    if name:
        args += ["--limit", f"{name}={value}"]
    p = subprocess.run([cli, *args], cwd=tmp, capture_output=True, text=True, timeout=120)
    if p.returncode < 0:
        fail(f"{args}: killed by signal {-p.returncode}")
    if p.returncode == 0:
        return None, p.stdout + p.stderr
    if name and p.stdout:
        fail(f"{args}: output on a refusal: {p.stdout[:200]}")
    start = p.stderr.find("[")
    return p.stderr[start + 1:p.stderr.find("]", start)] if start >= 0 else p.stderr, p.stderr


def via_capi(probe, tmp, kind, name, value):
    argv = [probe, kind, tmp]
    if name:
        argv += [name, str(value)]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if p.returncode < 0:
        fail(f"{argv}: killed by signal {-p.returncode}")
    if p.returncode == 77:
        return "skipped", p.stdout
    if p.returncode == 0:
        return None, p.stdout
    return p.stdout.strip(), p.stderr


def via_python(tmp, kind, name, value):
    import wasmdeploy as wd
    limits = {name: value} if name else None
    try:
        if kind == "render":
            wd.render(wd.load_spec(os.path.join(tmp, "spec.yaml"), limits=limits), limits=limits)
        elif kind == "inspect":
            return None, json.dumps(wd.inspect_module(open(os.path.join(tmp, "f.wasm"), "rb").read(), limits=limits))
        elif kind == "convert":
            wd.convert(open(os.path.join(tmp, "in.yaml")).read(), limits=limits)
        elif kind == "run":
            if not wd.host_available():
                return "skipped", ""
            r = wd.run(open(os.path.join(tmp, "f.wasm"), "rb").read(),
                       config_json=open(os.path.join(tmp, "config.json")).read(), limits=limits)
            del r
    except wd.WasmDeployError as e:
        return e.code, str(e)
    return None, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--probe")
    ap.add_argument("interface", choices=["cli", "capi", "python"])
    a = ap.parse_args()
    cli = os.path.abspath(a.cli)
    check = {"cli": lambda *x: via_cli(cli, *x), "capi": lambda *x: via_capi(os.path.abspath(a.probe), *x),
             "python": via_python}[a.interface]
    cases = dict(CASES, run_config_json=RUN_CASE)
    names = set(subprocess.run([cli, "render", "--limit", "no_such_limit=1"], capture_output=True,
                               text=True).stderr.split("the limits are: ")[-1].strip().split(", "))
    if names != set(CASES):
        fail(f"the table's limits {sorted(set(CASES))} are not the library's {sorted(names)}")
    failures = []
    for case, (kind, files, value, code) in sorted(cases.items()):
        name = "json_depth" if case == "run_config_json" else case
        with tempfile.TemporaryDirectory() as tmp:
            materialise(tmp, files, cli)
            default, detail = check(tmp, kind, None, None)
            if default == "skipped":
                print(f"SKIPPED: {case}: the host is not built")
                continue
            if default is not None:
                failures.append(f"{case}: refused with the default limits: {default} {detail[-300:]}")
                continue
            if re.search(rf'"code":\s*"{re.escape(code)}"', detail):
                failures.append(f"{case}: the default limits already report {code}")
                continue
            got, detail = check(tmp, kind, name, value)
            # A reader that keeps going reports the limit as a finding (inspect's producers section).
            if got is None and re.search(rf'"code":\s*"{re.escape(code)}"', detail):
                got = code
            if got != code:
                failures.append(f"{case}: {name}={value} gave {got!r}, expected {code}: {detail[-300:]}")
            else:
                print(f"ok: {case}: {name}={value} -> {code}")
    if failures:
        fail("\n".join(failures))


if __name__ == "__main__":
    main()
