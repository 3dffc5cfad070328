#!/usr/bin/env python3
"""`pip install .` gives a working package and a working `wasmdeploy` command (issue 24).

1. `pip wheel` builds the wheel from the source tree (the only step that may need PyPI, for the
   build requirements scikit-build-core and pybind11, which pip's cache keeps; scikit-build-core's
   build directory lives in the CMake build tree and is reused, so a second run only recompiles
   what changed).
2. A fresh venv in a temporary directory installs that wheel offline (`--no-index`), and
   tests/cli/check_installed.py checks `wasmdeploy` from its bin/ on PATH, its bash completion
   and its man page, and that the wheel holds nothing else (no headers, static libraries, CMake
   files).
3. The pytest suite runs against the same wheel in a reused venv (with pytest and pyyaml), from a
   scratch directory, so `import wasmdeploy` can only find the installed package.

  install_and_test.py --python python3 --source SRC --work BUILD/python-install
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile


def sh(cmd, timeout, **kw):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, timeout=timeout, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--timeout", type=int, default=900, help="seconds for the pip install step")
    args = ap.parse_args()

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    venv = os.path.join(args.work, "venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        sh([args.python, "-m", "venv", venv], 120, env=env)
    pip = [py, "-m", "pip", "--disable-pip-version-check", "--timeout", "60"]
    wheelhouse = os.path.join(args.work, "wheelhouse")
    shutil.rmtree(wheelhouse, ignore_errors=True)
    sh(pip + ["wheel", "-q", "--no-deps", "-w", wheelhouse, args.source,
              "-Cbuild-dir=" + os.path.join(args.work, "skbuild"), "-Ccmake.build-type=Release"], args.timeout, env=env)
    [wheel] = glob.glob(os.path.join(wheelhouse, "wasmdeploy-*.whl"))

    with tempfile.TemporaryDirectory(prefix="wd-pip-") as tmp:
        fresh = os.path.join(tmp, "venv")
        sh([args.python, "-m", "venv", fresh], 120, env=env)
        fresh_pip = [os.path.join(fresh, "bin", "python"), "-m", "pip", "--disable-pip-version-check"]
        sh(fresh_pip + ["install", "-q", "--no-index", "--no-deps", wheel], 300, env=env)  # offline
        files = subprocess.run(fresh_pip + ["show", "-f", "wasmdeploy"], env=env, capture_output=True, text=True,
                               check=True, timeout=120).stdout.split("Files:", 1)[1].split()
        # Besides the package (with the CLI in wasmdeploy/_bin): the console script and the CLI's
        # manual page and bash completion, under the environment's prefix.
        shipped = ("bin/wasmdeploy", "share/man/man1/wasmdeploy.1", "share/bash-completion/completions/wasmdeploy")
        strays = [f for f in files if not (f.startswith("wasmdeploy/") or ".dist-info/" in f
                                           or any(f.endswith("/" + s) for s in shipped))]
        if strays:
            print("unexpected files in the wheel:", strays)
            return 1
        print("wheel files:", ", ".join(sorted(f for f in files if f.startswith("wasmdeploy/"))))
        checker = os.path.join(args.source, "tests", "cli", "check_installed.py")
        if subprocess.run([args.python, checker, "--prefix", fresh], env=env, timeout=300).returncode != 0:
            return 1

    if subprocess.run([py, "-c", "import pytest, yaml"], env=env, capture_output=True).returncode != 0:
        sh(pip + ["install", "-q", "pytest>=7", "pyyaml>=6"], 300, env=env)
    sh(pip + ["install", "-q", "--force-reinstall", "--no-index", "--no-deps", wheel], 300, env=env)
    tests = os.path.join(args.source, "bindings", "python", "tests")
    with tempfile.TemporaryDirectory() as outside:
        env["WD_EXPECT_INSTALLED"] = "1"
        return subprocess.run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests], cwd=outside, env=env,
                              timeout=600).returncode

if __name__ == "__main__":
    sys.exit(main())
