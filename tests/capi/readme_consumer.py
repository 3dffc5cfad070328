#!/usr/bin/env python3
"""Runs the README's `capi.consumer.pkg_config` block as printed against an installed prefix:
PKG_CONFIG_PATH, the pkg-config compile with an rpath, and the program, with no LD_LIBRARY_PATH
(so a missing rpath fails at run time, as it would for the user).

  readme_consumer.py --source SRC --prefix PREFIX --main-c consumer/main.c --work DIR
"""
import argparse
import os
import shutil
import subprocess
import sys

ap = argparse.ArgumentParser()
for name in ("--source", "--prefix", "--main-c", "--work"):
    ap.add_argument(name, required=True)
a = ap.parse_args()
sys.path.insert(0, os.path.join(a.source, "tests", "readme"))
import readme_blocks  # noqa: E402

[block] = readme_blocks.named(readme_blocks.parse(os.path.join(a.source, "README.md")), "capi.consumer.pkg_config")
shutil.rmtree(a.work, ignore_errors=True)
os.makedirs(a.work)
shutil.copy(a.main_c, os.path.join(a.work, "main.c"))
env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "PKG_CONFIG_PATH")}
env["PREFIX"] = os.path.abspath(a.prefix)
script = "set -e\n" + "\n".join(line for line, _ in readme_blocks.commands(block))
p = subprocess.run(["bash", "-c", script], cwd=a.work, env=env, capture_output=True, text=True, timeout=300)
print(p.stdout, p.stderr)
if p.returncode != 0 or "demo" not in p.stdout:
    print(f"FAIL the README's pkg-config consumer exited {p.returncode}")
    sys.exit(1)
print("ok: the README's pkg-config lines build and run the consumer")
