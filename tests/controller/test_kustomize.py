#!/usr/bin/env python3
"""deploy/kustomize, the base users install the controller from, agrees with `wasmdeploy
operator-manifests`:

- deploy/kustomize/operator.yaml is byte for byte what `operator-manifests --image
  wasmdeploy-controller` prints (`--write` regenerates it), the image a placeholder name;
- an overlay setting that image to a repository and digest (`kustomize edit set image`'s
  `images:` entry) builds, with the kubectl the tools build (`kubectl kustomize`), into the same
  objects `operator-manifests --image REPO@DIGEST` prints, field for field.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BASE = ROOT / "deploy" / "kustomize"
sys.path.insert(0, str(ROOT / "tests" / "cluster"))
from apiserver import SKIP_EXIT, Unavailable, tool  # noqa: E402

PLACEHOLDER = "wasmdeploy-controller"


def check(ok, what):
    if not ok:
        raise AssertionError(what)
    print(f"ok: {what}", flush=True)


def objects(text):
    """The documents keyed by kind/namespace/name, as canonical JSON."""
    out = {}
    for d in yaml.safe_load_all(text):
        if d:
            md = d["metadata"]
            out[f"{d['kind']}/{md.get('namespace', '')}/{md['name']}"] = json.dumps(d, sort_keys=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--write", action="store_true", help="regenerate deploy/kustomize/operator.yaml")
    a = ap.parse_args()
    generated = subprocess.run([a.cli, "operator-manifests", "--image", PLACEHOLDER], capture_output=True, text=True,
                               check=True).stdout
    if a.write:
        (BASE / "operator.yaml").write_text(generated)
        print(f"wrote {BASE / 'operator.yaml'}")
        return
    check((BASE / "operator.yaml").read_text() == generated,
          "deploy/kustomize/operator.yaml is what operator-manifests prints "
          "(python3 tests/controller/test_kustomize.py --cli build/ci/cli/wasmdeploy --write regenerates it)")
    try:
        kubectl = tool("kubectl")
    except Unavailable as e:
        print(f"SKIPPED: kubectl unavailable ({e})", flush=True)
        sys.exit(SKIP_EXIT)

    repo, digest = "registry.example.com/platform/wasmdeploy-controller", "sha256:" + "5e" * 32
    with tempfile.TemporaryDirectory(prefix="wd-kustomize-") as tmp:
        overlay = os.path.join(tmp, "overlay")
        os.makedirs(overlay)
        with open(os.path.join(overlay, "kustomization.yaml"), "w") as f:
            f.write(f"""apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- {os.path.relpath(BASE, overlay)}
images:
- name: {PLACEHOLDER}
  newName: {repo}
  digest: {digest}
""")
        built = subprocess.run([kubectl, "kustomize", overlay], capture_output=True, text=True, timeout=120)
        check(built.returncode == 0, f"kubectl kustomize builds an overlay of the base {built.stderr.strip()[:300]}")
    want = subprocess.run([a.cli, "operator-manifests", "--image", f"{repo}@{digest}"], capture_output=True, text=True,
                          check=True).stdout
    got, exp = objects(built.stdout), objects(want)
    check(sorted(got) == sorted(exp), f"the same {len(exp)} objects ({sorted(set(got) ^ set(exp))} differ)")
    for k in exp:
        check(got[k] == exp[k], f"{k} is the same, field for field")
    check(f"image: {repo}@{digest}" in built.stdout, "the overlay pins the image by digest")
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
