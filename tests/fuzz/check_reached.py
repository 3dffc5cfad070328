#!/usr/bin/env python3
"""Replays a fuzz target's seed corpora with WD_FUZZ_REACHED set and checks that the harness
reaches what it is meant to: every line of tests/fuzz/reached/<target>.txt is a regular
expression some note of the run must match (the notes are what fuzz_support.hpp's note_reached
records: error codes, traps, load failures). A harness change that stops reaching allocator
re-entry or deep annotations then fails here, in every build, not silently in the fuzz stage.

  check_reached.py EXPECTATIONS REPLAY_BINARY INPUT_DIR...
"""
import os
import re
import subprocess
import sys
import tempfile


def main():
    expectations, binary, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
    wanted = [l.strip() for l in open(expectations) if l.strip() and not l.startswith("#")]
    with tempfile.TemporaryDirectory() as tmp:
        notes_file = os.path.join(tmp, "reached")
        env = dict(os.environ, WD_FUZZ_REACHED=notes_file)
        p = subprocess.run([binary, *inputs], env=env, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            sys.exit(f"FAIL: replay exited {p.returncode}: {p.stderr[-2000:]}")
        notes = open(notes_file).read().splitlines() if os.path.exists(notes_file) else []
    missing = [w for w in wanted if not any(re.search(w, n) for n in notes)]
    for w in wanted:
        print(("MISSING " if w in missing else "reached ") + w)
    if missing:
        distinct = sorted(set(n[:120] for n in notes))
        sys.exit("FAIL: the seeds no longer reach: " + ", ".join(missing) + "\nnotes seen:\n  " + "\n  ".join(distinct))


if __name__ == "__main__":
    main()
