#!/usr/bin/env python3
"""Golden tests: render every example spec at every Istio version it lists and compare.

versions.txt tokens: an Istio version ("1.24", passed as --istio), "gateway:v1.3" (passed as
--gateway-version, for Envoy Gateway examples), or "none" (no version flag: the platform has no
version axis). The golden file stem is the token with ':' replaced by '-'. An optional flags.txt
adds CLI arguments to every render of the example (e.g. --files to print the Envoy bootstrap;
the JSON cross-check is skipped then). Only *.yaml files at the top of the example are specs.

For each examples/<name>/ directory: *.wat files are compiled with wat2wasm into a scratch
copy, then each spec (*.yaml) is rendered at each version in versions.txt. A successful render
must equal expected/<spec>-<version>.yaml byte for byte; a refused one must equal
expected/<spec>-<version>.err (exit code and message). Every render runs twice and must give
identical bytes, and the JSON output must hold the same documents.

  run_golden.py --cli build/cli/wasmdeploy --example bookinfo-add-header [--update]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml


def version_args(version):
    if version == "none":
        return []
    if version.startswith("gateway:"):
        return ["--gateway-version", version[len("gateway:"):]]
    return ["--istio", version]


def render(cli, cwd, spec, version, fmt="yaml", extra=()):
    p = subprocess.run([cli, "render", "-q", "-f", spec, *version_args(version), "-o", fmt, *extra],
                       cwd=cwd, capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check_example(cli, examples, name, update):
    src = os.path.join(examples, name)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, name)
        shutil.copytree(src, work, ignore=shutil.ignore_patterns("expected"))
        for wat in sorted(f for f in os.listdir(work) if f.endswith(".wat")):
            subprocess.run(["wat2wasm", wat, "-o", wat[:-4] + ".wasm"], cwd=work, check=True)
        versions = open(os.path.join(src, "versions.txt")).read().split()
        flags_file = os.path.join(src, "flags.txt")
        extra = open(flags_file).read().split() if os.path.exists(flags_file) else []
        specs = sorted(f for f in os.listdir(src) if f.endswith(".yaml"))
        expected_dir = os.path.join(src, "expected")
        os.makedirs(expected_dir, exist_ok=True)
        for spec in specs:
            for v in versions:
                rc, out, err = render(cli, work, spec, v, extra=extra)
                rc2, out2, err2 = render(cli, work, spec, v, extra=extra)
                label = f"{name}/{spec} @ {v}"
                if (rc, out, err) != (rc2, out2, err2):
                    failures.append(f"{label}: two renders differ")
                stem = os.path.join(expected_dir, f"{spec[:-5]}-{v.replace(':', '-')}")
                if rc == 0 and "--files" in extra:
                    actual, path, stale = out, stem + ".yaml", stem + ".err"
                elif rc == 0:
                    actual, path, stale = out, stem + ".yaml", stem + ".err"
                    jrc, jout, _ = render(cli, work, spec, v, "json", extra)
                    items = json.loads(jout)["items"] if jrc == 0 else None
                    docs = [d for d in yaml.safe_load_all(out) if d is not None]
                    if items != docs:
                        failures.append(f"{label}: JSON and YAML outputs hold different documents")
                else:
                    actual, path, stale = f"exit {rc}\n".encode() + err, stem + ".err", stem + ".yaml"
                if update:
                    with open(path, "wb") as f:
                        f.write(actual)
                    if os.path.exists(stale):
                        os.remove(stale)
                    continue
                if not os.path.exists(path):
                    failures.append(f"{label}: no golden file {os.path.relpath(path)} (exit {rc}: {err.decode()[:300]})")
                    continue
                want = open(path, "rb").read()
                if want != actual:
                    failures.append(f"{label}: differs from {os.path.relpath(path)}")
                    import difflib
                    diff = difflib.unified_diff(want.decode().splitlines(), actual.decode().splitlines(),
                                                "expected", "actual", lineterm="", n=2)
                    failures.append("\n".join(list(diff)[:40]))
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--examples", default=os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
    ap.add_argument("--example", action="append", help="example directory name (default: all)")
    ap.add_argument("--update", action="store_true", help="rewrite the golden files")
    a = ap.parse_args()
    cli = os.path.abspath(a.cli)
    names = a.example or sorted(d for d in os.listdir(a.examples)
                                if os.path.exists(os.path.join(a.examples, d, "versions.txt")))
    failures = []
    for name in names:
        failures += check_example(cli, a.examples, name, a.update)
    for f in failures:
        print(f)
    print(f"golden: {len(names)} examples, {'FAILED' if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
