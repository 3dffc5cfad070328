#!/usr/bin/env python3
"""Assembles a fuzz seed directory from files already in the repository (nothing is copied
into the repo): each input is written as-is under a name derived from its path and, with
--json, also as JSON when it is a single YAML mapping, so the readers are seeded with both
syntaxes. Usage: make_seeds.py [--json] OUT_DIR ROOT FILE..."""
import json
import os
import shutil
import sys

import yaml


def main(argv):
    want_json = argv[0] == "--json"
    if want_json:
        argv = argv[1:]
    out, root, files = argv[0], argv[1], argv[2:]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for f in files:
        name = os.path.relpath(f, root).replace(os.sep, "_")
        shutil.copyfile(f, os.path.join(out, name))
        if not want_json:
            continue
        with open(f, encoding="utf-8") as fh:
            try:
                docs = [d for d in yaml.safe_load_all(fh) if d is not None]
            except yaml.YAMLError:
                continue
        if len(docs) == 1 and isinstance(docs[0], dict):
            with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as fh:
                json.dump(docs[0], fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
