#!/usr/bin/env python3
"""Runs every case of the negative corpus through the wasmdeploy binary.

  run_corpus.py --cli build/ci/cli/wasmdeploy [--only ID_OR_AREA ...] [-v]

A refusal must exit non-zero (1, or the case's expect.exit), print `[code] path: ` on stderr
(after `spec.yaml:L:C: ` when the input is a spec file), print nothing on stdout, leave the
previous output directory byte-identical and leave no stray files. A diagnostic case must
exit 0 and print `warning: [code] path: ` (or `note: ...`).
"""
import argparse
import os
import re
import sys
import tempfile
import pathlib

import corpus_lib as lib


def check(cli, case):
    with tempfile.TemporaryDirectory(prefix="wd-negative-") as t:
        work = pathlib.Path(t)
        args, before, rc, out, err = lib.run_case(cli, case, work)
        after = lib.snapshot(work)
    problems = []
    kind, code = lib.expected_code(case)
    line = lib.matching_line(case, err, out)
    if line is None:
        problems.append(f"stderr has no {kind} [{code}] {case['expect'].get('path', '')}")
    if kind == "code":
        want = case["expect"].get("exit", 1)
        if rc != want:
            problems.append(f"exit status {rc}, expected {want}")
        if out and args[0] not in ("inspect", "inspect-image", "run") and case.get("report") != "stdout":  # these print a report first
            problems.append(f"stdout is not empty ({len(out)} bytes)")
        if before != after:
            changed = sorted(set(before) ^ set(after)) or [k for k in before if before[k] != after.get(k)]
            problems.append(f"files changed although the input was refused: {changed}")
        at = str(case.get("at", ""))
        if line is not None and "spec" in case and args[0] in lib.SPEC_COMMANDS and at != "none":
            m = re.match(r"(?:error: )?spec\.yaml:(\d+):(\d+): ", line)
            if not m:
                problems.append("the error carries no spec.yaml:line:col")
            elif at and f"{m.group(1)}:{m.group(2)}" != at:
                problems.append(f"position {m.group(1)}:{m.group(2)}, expected {at}")
    elif rc != 0:
        problems.append(f"exit status {rc}, expected 0 (a {kind} does not stop the command)")
    if problems:
        detail = "\n".join("    " + p for p in problems)
        return f"FAIL {case['area']}/{case['id']}: wasmdeploy {' '.join(args)}\n{detail}\n    stderr: " + \
            err.strip().replace("\n", "\n            ")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("-v", "--verbose", action="store_true")
    o = ap.parse_args()
    o.cli = os.path.abspath(o.cli)
    cases = [c for c in lib.load_cases() if not o.only or c["id"] in o.only or c["area"] in o.only]
    failures = 0
    for c in cases:
        msg = check(o.cli, c)
        if msg:
            failures += 1
            print(msg)
        elif o.verbose:
            print(f"ok   {c['area']}/{c['id']}")
    print(f"negative corpus: {len(cases) - failures} passed, {failures} failed, {len(cases)} cases")
    return 1 if failures or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
