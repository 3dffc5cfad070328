#!/usr/bin/env python3
"""Runs `istioctl validate -f` on the naive manifest of every corpus case that records one
(the resource a tool without wasmdeploy's checks would have written for the same intent) and
compares the verdict with the recorded one, so the corpus shows honestly where istioctl
accepts what wasmdeploy refuses.

  istioctl_verdicts.py --check      fail when a recorded verdict no longer holds
  istioctl_verdicts.py --show       print each case's current verdicts (to update the corpus)

Verdicts: `accepted` (exit 0, no warning besides the blanket EnvoyFilter one),
`warning: TEXT` (exit 0 with a warning containing TEXT), `error: TEXT` (non-zero exit, the
output contains TEXT). istioctl builds are looked up like tests/conformance/check.sh does:
${WD_TOOLS_CACHE:-~/.cache/wasmdeploy-tools}/bin/istioctl-<version>. With none built the test
prints SKIPPED and exits 77.
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

import corpus_lib as lib

BLANKET = "EnvoyFilter exposes internal implementation details"


def istioctl(version):
    cache = pathlib.Path(os.environ.get("WD_TOOLS_CACHE", pathlib.Path.home() / ".cache" / "wasmdeploy-tools"))
    p = cache / "bin" / f"istioctl-{version}"
    return p if os.access(p, os.X_OK) else None


def verdict(binary, manifest):
    with tempfile.TemporaryDirectory(prefix="wd-istioctl-") as t:
        f = pathlib.Path(t) / "manifest.yaml"
        f.write_text(lib.expand(manifest), encoding="utf-8")
        env = dict(os.environ, HOME=t, KUBECONFIG="/dev/null")
        p = subprocess.run([str(binary), "validate", "-f", str(f)], capture_output=True, text=True, env=env,
                           timeout=300)
    text = (p.stdout + p.stderr).replace(str(f), "manifest.yaml")
    lines = [l.strip(" \t*") for l in text.splitlines() if l.strip()]
    if p.returncode != 0:
        detail = [l for l in lines if not l.startswith("Error:") and "error occurred" not in l]
        return "error", (detail or lines or [""])[0], text
    warnings = [l for l in lines if ("warning" in l.lower() or l.startswith("-")) and BLANKET not in l]
    warnings = [l for l in warnings if "validation succeed" not in l and not l.endswith("is valid")
                and not l.endswith("has warnings:")]
    if warnings:
        return "warning", warnings[0], text
    return "accepted", "", text


def holds(recorded, kind, detail, text):
    if recorded == "accepted":
        return kind == "accepted"
    want_kind, _, substr = recorded.partition(": ")
    return want_kind == kind and substr in text


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--check", action="store_true")
    g.add_argument("--show", action="store_true")
    o = ap.parse_args()
    cases = [c for c in lib.load_cases() if "istioctl" in c]
    versions = sorted({v for c in cases for v in c["istioctl"].get("verdicts", {})} | {"1.25.3", "1.29.1"})
    built = {v: istioctl(v) for v in versions}
    if not any(built.values()):
        print("SKIPPED: istioctl unavailable (run tests/conformance/setup-tools.sh)")
        return 77
    failures = checked = 0
    for c in cases:
        recorded = c["istioctl"].get("verdicts", {})
        for v, binary in built.items():
            if binary is None:
                if v in recorded:
                    print(f"SKIPPED: istioctl-{v} unavailable ({c['key']})")
                continue
            kind, detail, text = verdict(binary, c["istioctl"]["manifest"])
            now = kind if kind == "accepted" else f"{kind}: {detail}"
            if o.show:
                print(f"{c['key']}: \"{v}\": {now!r}   (wasmdeploy: {lib.expected_code(c)[1]})")
                continue
            if v not in recorded:
                failures += 1
                print(f"FAIL {c['key']}: no verdict recorded for istioctl {v}; it says: {now}")
                continue
            checked += 1
            if not holds(recorded[v], kind, detail, text):
                failures += 1
                print(f"FAIL {c['key']}: istioctl {v} recorded as {recorded[v]!r}, now {now!r}\n{text}")
    if o.check:
        stricter = sum(1 for c in cases for v in c["istioctl"].get("verdicts", {}).values() if v == "accepted"
                       or v.startswith("warning"))
        print(f"negative.istioctl: {checked} verdicts checked, {failures} failed; "
              f"{stricter} of them are inputs istioctl accepts that wasmdeploy refuses")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
