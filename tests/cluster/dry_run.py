#!/usr/bin/env python3
"""Every Istio example at every version, and the negative corpus's naive manifests, judged by a
real kube-apiserver carrying the Istio CRDs of each served pin (istioctl-versions.txt).

  dry_run.py --cli build/ci/cli/wasmdeploy [--update]

A version is judged by the CRDs of the oldest pin not older than it (the newest pin judges the
versions above it). Each example renders with `-o dir=`, the namespaces it names are created,
and `kubectl apply --server-side --dry-run=server -f DIR` must succeed with no warning: that
runs structural-schema pruning, strict field validation and the CRDs' CEL rules. Output kinds
the pin has no CRD for (TrafficExtension before it existed) are reported as SKIPPED.

The negative corpus's `istioctl.manifest`s (what a naive tool would write) get the same
dry-run; the server's verdict per pin (`accepted` or `error: <message>`) must equal the one
recorded in apiserver-verdicts.yaml (`--update` rewrites that file).
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import yaml

from apiserver import ApiServer, Unavailable, skip_unavailable
import cluster_lib as lib

sys.path.insert(0, str(lib.ROOT / "tests" / "negative"))
import corpus_lib  # noqa: E402

VERDICTS = lib.HERE / "apiserver-verdicts.yaml"


def istio_examples():
    for d in sorted((lib.ROOT / "examples").iterdir()):
        vf = d / "versions.txt"
        if not vf.is_file():
            continue
        versions = [v for v in vf.read_text().split() if v[0].isdigit()]
        if versions:
            yield d, versions


def namespaces(docs):
    return sorted({d["metadata"]["namespace"] for d in docs if d and d.get("metadata", {}).get("namespace")})


def create_namespaces(api, names, made):
    for ns in names:
        if ns not in made:
            api.kubectl("create", "namespace", ns)
            made.add(ns)


def dry_run(api, path):
    p = api.kubectl("apply", "--server-side", "--field-manager=wasmdeploy", "--dry-run=server", "-f", path,
                    check=False)
    warnings = [l for l in p.stderr.splitlines() if l.startswith("Warning:")]
    return p, warnings


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--update", action="store_true")
    a = ap.parse_args()
    a.cli = os.path.abspath(a.cli)
    failures, skipped, passed = [], [], 0
    recorded = yaml.safe_load(VERDICTS.read_text()) if VERDICTS.exists() else {}
    recorded = recorded or {}
    current = {}
    cases = [c for c in corpus_lib.load_cases() if c.get("istioctl", {}).get("manifest")]
    work = tempfile.mkdtemp(prefix="wd-cluster-dry-run-")
    try:
        for tag, pv in lib.pins():
            crd = lib.istio_crds(pv, tag)
            with ApiServer(os.path.join(work, f"api-{tag}"), crds=[crd]) as api:
                # every kind the server serves, built-in and from the CRDs
                kinds = {l.split()[-1] for l in api.kubectl("api-resources", "--no-headers").stdout.splitlines()
                         if l.strip()}
                made = {"default", "kube-system", "kube-public", "kube-node-lease"}
                for ex, versions in istio_examples():
                    judged = [v for v in versions if lib.pin_for(v)[0] == tag]
                    if not judged:
                        continue
                    src = os.path.join(work, ex.name)
                    if not os.path.exists(src):
                        shutil.copytree(ex, src, ignore=shutil.ignore_patterns("expected"))
                        for wat in pathlib.Path(src).glob("*.wat"):
                            subprocess.run(["wat2wasm", str(wat), "-o", str(wat.with_suffix(".wasm"))],
                                           check=True, timeout=60)
                    for spec in sorted(p.name for p in ex.glob("*.yaml")):
                        for v in judged:
                            label = f"{ex.name}/{spec} @ {v} (Istio {tag} CRDs)"
                            out = os.path.join(work, "out")
                            r = subprocess.run([a.cli, "render", "-q", "-f", spec, "--istio", v, "-o", f"dir={out}",
                                                "--force"], cwd=src, capture_output=True, text=True, timeout=60)
                            if r.returncode != 0:
                                continue  # a refusal: tests/golden checks it
                            files = sorted(pathlib.Path(out).glob("*.yaml"))
                            docs = [d for f in files for d in yaml.safe_load_all(f.read_text()) if d]
                            missing = sorted({d["kind"] for d in docs} - kinds)
                            if missing:
                                skipped.append(f"{label}: Istio {tag} has no CRD for {', '.join(missing)}")
                                continue
                            if not files:
                                continue
                            create_namespaces(api, namespaces(docs), made)
                            p, warnings = dry_run(api, out)
                            if p.returncode != 0 or warnings:
                                failures.append(f"{label}: kubectl apply --server-side --dry-run=server exited "
                                                f"{p.returncode}\n{p.stderr.strip()}")
                            else:
                                passed += 1
                for c in cases:
                    text = corpus_lib.expand(c["istioctl"]["manifest"])
                    f = os.path.join(work, "naive.yaml")
                    pathlib.Path(f).write_text(text)
                    create_namespaces(api, namespaces(list(yaml.safe_load_all(text))), made)
                    p, warnings = dry_run(api, f)
                    if p.returncode == 0:
                        v = "accepted" if not warnings else "warning: " + warnings[0][len("Warning: "):]
                    else:
                        lines = [l for l in p.stderr.splitlines() if l.strip()]
                        first = lines[0] if lines else f"exit {p.returncode}"
                        if first.endswith(": ") and len(lines) > 1:  # the message continues on the next line
                            first += lines[1].strip()
                        v = "error: " + first.replace(f, "naive.yaml")
                    current.setdefault(c["key"], {})[tag] = v
                    want = recorded.get(c["key"], {}).get(tag)
                    if not a.update and want != v:
                        failures.append(f"negative/{c['key']} (Istio {tag} CRDs): server says '{v}', "
                                        f"recorded '{want}' (dry_run.py --update records it)")
                    elif not a.update:
                        passed += 1
        if a.update:
            VERDICTS.write_text(
                "# kube-apiserver's verdict (kubectl apply --server-side --dry-run=server, Istio CRDs of\n"
                "# each pin) on the naive manifest of every negative-corpus case that has one: what a\n"
                "# cluster itself would say to a tool without wasmdeploy's checks. Written by\n"
                "# tests/cluster/dry_run.py --update; checked by ctest cluster.dry_run.\n"
                + yaml.safe_dump(current, sort_keys=True, width=1000))
            print(f"wrote {VERDICTS}")
        for s in skipped:
            print(f"SKIPPED: {s}")
        for f in failures:
            print(f"FAIL: {f}")
        print(f"cluster dry-run: {passed} passed, {len(failures)} failed, {len(skipped)} skipped")
        return 1 if failures else 0
    except Unavailable as e:
        skip_unavailable(e)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
