#!/usr/bin/env python3
"""Same bytes everywhere: every example spec, at every Istio version the example lists (else
1.8.1 and 1.24), rendered through the CLI, the C++ API, the C API and the Python package must give
byte-identical YAML and JSON. A spec a version refuses must be refused by all four with the same
message.

Examples are copied to a scratch directory first (their *.wat modules compiled with wat2wasm,
as the golden runner does) and every front end runs there with the same relative spec path, so
path-dependent output cannot differ for a trivial reason.

  check_same_bytes.py --cli wasmdeploy --cpp render_cpp --c render_c [--python] --examples DIR
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

DEFAULT_VERSIONS = ["1.8.1", "1.24"]


def example_dirs(root):
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if os.path.isfile(os.path.join(d, "spec.yaml")) or os.path.isfile(os.path.join(d, "versions.txt")):
            yield name, d


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace").strip()


def python_render(work, spec, version, fmt):
    import wasmdeploy

    here = os.getcwd()
    os.chdir(work)
    try:
        return 0, wasmdeploy.render(wasmdeploy.load_spec(spec), istio=version, output=fmt).encode(), ""
    except wasmdeploy.WasmDeployError as e:
        return 1, b"", str(e)
    finally:
        os.chdir(here)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--cpp", required=True)
    ap.add_argument("--c", required=True)
    ap.add_argument("--python", action="store_true", help="also render through `import wasmdeploy`")
    ap.add_argument("--examples", required=True)
    args = ap.parse_args()

    failures, compared = [], 0
    for name, src in example_dirs(args.examples):
        vf = os.path.join(src, "versions.txt")
        versions = open(vf).read().split() if os.path.isfile(vf) else DEFAULT_VERSIONS
        with tempfile.TemporaryDirectory() as tmp:
            work = os.path.join(tmp, name)
            shutil.copytree(src, work, ignore=shutil.ignore_patterns("expected"))
            for wat in sorted(f for f in os.listdir(work) if f.endswith(".wat")):
                subprocess.run(["wat2wasm", wat, "-o", wat[:-4] + ".wasm"], cwd=work, check=True)
            specs = sorted(f for f in os.listdir(src) if f.endswith(".yaml"))
            for spec in specs:
                for v in versions:
                    for fmt in ("yaml", "json"):
                        label = f"{name}/{spec} @ {v} ({fmt})"
                        results = {
                            "cli": run([args.cli, "render", "-q", "-f", spec, "--istio", v, "-o", fmt], work),
                            "c++": run([args.cpp, spec, v, fmt], work),
                            "c": run([args.c, spec, v, fmt], work),
                        }
                        if args.python:
                            results["python"] = python_render(work, spec, v, fmt)
                        ok = {k: r[0] == 0 for k, r in results.items()}
                        compared += 1
                        if len(set(ok.values())) != 1:
                            failures.append(f"{label}: some front ends failed: " +
                                            "; ".join(f"{k}: {r[2]}" for k, r in results.items() if r[0] != 0))
                        elif all(ok.values()):
                            outputs = {k: r[1] for k, r in results.items()}
                            if len(set(outputs.values())) != 1:
                                sizes = ", ".join(f"{k}={len(o)}B" for k, o in outputs.items())
                                failures.append(f"{label}: outputs differ ({sizes})")
                        else:
                            # Refused everywhere: the library front ends must say the same thing,
                            # and the CLI must include that message.
                            msgs = {k: r[2] for k, r in results.items() if k != "cli"}
                            if len(set(msgs.values())) != 1:
                                failures.append(f"{label}: error messages differ: {msgs}")
                            elif next(iter(msgs.values())) not in results["cli"][2]:
                                failures.append(f"{label}: CLI error {results['cli'][2]!r} lacks {next(iter(msgs.values()))!r}")
    for f in failures:
        print("FAIL", f)
    if compared == 0:
        print("no example specs found")
        return 77
    print(f"{compared - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
