#!/usr/bin/env python3
"""go vet + go test of the controller's pure-logic package (no cgo), offline."""
import argparse
import os
import subprocess
import sys

import ctl

ap = argparse.ArgumentParser()
ap.add_argument("--go", required=True)
a = ap.parse_args()
env = dict(os.environ, CGO_ENABLED="0", GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=readonly",
           GOMODCACHE=ctl.GOMODCACHE, GOCACHE=os.environ.get("GOCACHE", os.path.join(ctl.CACHE, "gocache")),
           GOMAXPROCS="2")
for cmd in (["vet", "./internal/kube/"], ["test", "-p", "2", "-count=1", "./internal/kube/"]):
    p = subprocess.run(["nice", a.go, *cmd], cwd=ctl.ROOT / "controller", env=env, capture_output=True, text=True,
                       timeout=800)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        if "module lookup disabled" in p.stderr:
            ctl.skip(f"controller Go modules ({p.stderr.strip().splitlines()[-1]})")
        sys.exit(f"go {' '.join(cmd)} failed:\n{p.stderr}")
