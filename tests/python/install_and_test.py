#!/usr/bin/env python3
"""`pip install` the source tree into a fresh venv and run the pytest suite against it.

The venv and scikit-build-core's build directory live in the CMake build tree and are reused, so
a second run only recompiles what changed; pip's own cache (~/.cache/pip) keeps the build
requirements (scikit-build-core, pybind11) from PyPI. pytest runs from a scratch directory, so
`import wasmdeploy` can only find the installed package.

  install_and_test.py --python python3 --source SRC --work BUILD/python-install
"""
import argparse
import os
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

    venv = os.path.join(args.work, "venv")
    py = os.path.join(venv, "bin", "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    if not os.path.exists(py):
        sh([args.python, "-m", "venv", venv], 120, env=env)
    pip = [py, "-m", "pip", "--disable-pip-version-check", "--timeout", "60"]
    if subprocess.run([py, "-c", "import pytest, yaml"], env=env, capture_output=True).returncode != 0:
        sh(pip + ["install", "-q", "pytest>=7", "pyyaml>=6"], 300, env=env)
    sh(pip + ["install", "-q", args.source,
              "-Cbuild-dir=" + os.path.join(args.work, "skbuild"),
              "-Ccmake.build-type=Release"], args.timeout, env=env)

    # The wheel must hold the Python package only: no headers, static libraries or CMake files.
    files = subprocess.run(pip + ["show", "-f", "wasmdeploy"], env=env, capture_output=True, text=True,
                           check=True).stdout.split("Files:", 1)[1].split()
    # Besides the package (with the CLI in wasmdeploy/_bin): the console script and the CLI's
    # manual page and bash completion, under the environment's prefix.
    shipped = ("bin/wasmdeploy", "share/man/man1/wasmdeploy.1", "share/bash-completion/completions/wasmdeploy")
    strays = [f for f in files if not (f.startswith("wasmdeploy/") or ".dist-info/" in f
                                       or any(f.endswith("/" + s) for s in shipped))]
    missing = [s for s in shipped if not os.path.exists(os.path.join(venv, s))]
    if missing:
        print("missing from the install:", missing)
        return 1
    if strays:
        print("unexpected files in the wheel:", strays)
        return 1
    print("wheel files:", ", ".join(sorted(f for f in files if f.startswith("wasmdeploy/"))))

    tests = os.path.join(args.source, "bindings", "python", "tests")
    with tempfile.TemporaryDirectory() as outside:
        env["WD_EXPECT_INSTALLED"] = "1"
        return subprocess.run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests], cwd=outside, env=env,
                              timeout=600).returncode


if __name__ == "__main__":
    sys.exit(main())
