#!/usr/bin/env python3
"""Golden CLI cases: each line of examples/<name>/cases.txt is `EXPECTED_FILE: ARGS...`, run in
the example directory; stdout plus the exit code must equal expected/EXPECTED_FILE.

  run_cli_cases.py --cli build/cli/wasmdeploy --example convert-wasme [--update]
"""
import argparse
import os
import shlex
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--examples", default=os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
    ap.add_argument("--example", required=True)
    ap.add_argument("--update", action="store_true")
    a = ap.parse_args()
    src = os.path.join(a.examples, a.example)
    failures = []
    for line in open(os.path.join(src, "cases.txt")):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, args = line.split(":", 1)
        p = subprocess.run([os.path.abspath(a.cli), *shlex.split(args)], cwd=src, capture_output=True, timeout=60)
        actual = p.stdout + (f"# exit {p.returncode}\n".encode() if p.returncode else b"") + \
            (p.stderr if p.returncode else b"")
        path = os.path.join(src, "expected", name)
        if a.update:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "wb").write(actual)
        elif not os.path.exists(path) or open(path, "rb").read() != actual:
            failures.append(f"{a.example}/{name}: differs from expected (run with --update and review)\n{actual.decode()[:2000]}")
    for f in failures:
        print(f)
    print(f"cli cases {a.example}: {'FAILED' if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
