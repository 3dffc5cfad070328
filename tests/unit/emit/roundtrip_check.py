#!/usr/bin/env python3
"""Checks the YAML and JSON emitters against PyYAML (YAML 1.1 resolver) and json.

  roundtrip_check.py CASES.json EMITTED.yaml EMITTED.json

CASES.json holds {"strings": [...], "floats": [...], "ints": [...]}. The C++ test emits one
document: {"strings": [each string], "keys": {each string: its index}, "floats": [...],
"ints": [...]} as YAML and JSON. Every value must load back identical, with the same type.
"""
import json
import math
import sys

import yaml


def main():
    cases = json.load(open(sys.argv[1], encoding="utf-8"))
    failures = []
    for label, path, load in (("yaml", sys.argv[2], lambda f: yaml.safe_load(f)),
                              ("json", sys.argv[3], lambda f: json.load(f))):
        with open(path, "rb") as f:
            raw = f.read()
        try:
            raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            failures.append(f"{label}: output is not UTF-8: {e}")
            continue
        try:
            doc = load(open(path, encoding="utf-8"))
        except Exception as e:  # noqa: BLE001 - report any loader failure
            failures.append(f"{label}: does not load: {e}")
            continue
        for i, s in enumerate(cases["strings"]):
            got = doc["strings"][i] if i < len(doc["strings"]) else None
            if type(got) is not str or got != s:
                failures.append(f"{label}: string {s!r} came back as {got!r}")
        keys = doc["keys"]
        for i, s in enumerate(cases["strings"]):
            if s not in keys or keys[s] != i:
                failures.append(f"{label}: key {s!r} did not come back")
        if len(keys) != len(cases["strings"]):
            failures.append(f"{label}: {len(keys)} keys, expected {len(cases['strings'])}: {sorted(map(repr, keys))[:5]}")
        for want, got in zip(cases["floats"], doc["floats"]):
            if type(got) is not float or got != want or math.copysign(1, got) != math.copysign(1, want):
                failures.append(f"{label}: float {want!r} came back as {got!r}")
        for want, got in zip(cases["ints"], doc["ints"]):
            if type(got) is not int or got != want:
                failures.append(f"{label}: int {want!r} came back as {got!r}")
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
