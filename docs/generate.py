#!/usr/bin/env python3
"""Generates docs/wasmdeploy.1 (the manual page, `wasmdeploy man`: from the CLI's own command and
flag definitions) and docs/spec.md (the spec reference: every message and field of spec.proto
with its comment), and with --check fails when the committed copies are stale (ctest cli.docs).

  python3 docs/generate.py --cli build/ci/cli/wasmdeploy --write
  python3 docs/generate.py --cli build/ci/cli/wasmdeploy --check
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTO = os.path.join(ROOT, "src", "spec", "proto", "wasmdeploy", "spec", "v1alpha1", "spec.proto")


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def spec_reference():
    """Messages in file order; each field as its JSON name, type and the comment above it."""
    lines = open(PROTO, encoding="utf-8").read().split("\n")
    out = ["# The spec file reference", "",
           "Generated from [`spec.proto`](../src/spec/proto/wasmdeploy/spec/v1alpha1/spec.proto) by "
           "`docs/generate.py` (the `cli.docs` test fails when it is stale). Field names are the lowerCamelCase "
           "JSON names; parsing is strict (an unknown field is an error with its `file:line:col`). A "
           "WasmDeployment custom resource holds the same fields under `spec:`, beside `metadata:`.", ""]
    comment, message = [], None
    for raw in lines:
        line = raw.strip()
        if line.startswith("//"):
            comment.append(line[2:].strip())
            continue
        m = re.match(r"message (\w+) \{", line)
        if m:
            message = m.group(1)
            out += [f"## {message}", ""]
            if comment:
                out += [" ".join(comment), ""]
            out += ["| field | type | meaning |", "|---|---|---|"]
            comment = []
            continue
        m = re.match(r"(repeated\s+)?(map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+;", line)
        if m and message:
            kind = ("list of " if m.group(1) else "") + m.group(2).replace("google.protobuf.", "")
            text = " ".join(comment).replace("|", "\\|")
            out.append(f"| `{camel(m.group(3))}` | {kind.replace('|', '/')} | {text} |")
            comment = []
            continue
        if line == "}":
            out.append("")
            message = None
        comment = [] if not line.startswith("//") else comment
    return "\n".join(out).rstrip() + "\n"


def man_page(cli):
    return subprocess.run([cli, "man"], capture_output=True, text=True, check=True, timeout=60).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    a = ap.parse_args()
    stale = []
    for name, text in (("wasmdeploy.1", man_page(a.cli)), ("spec.md", spec_reference())):
        path = os.path.join(ROOT, "docs", name)
        if a.write:
            open(path, "w", encoding="utf-8").write(text)
            print("wrote", path)
        elif not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
            stale.append(name)
    if stale:
        print(f"FAIL docs/{', docs/'.join(stale)} stale: run python3 docs/generate.py --cli CLI --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
