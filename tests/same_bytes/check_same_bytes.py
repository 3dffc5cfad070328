#!/usr/bin/env python3
"""Same bytes everywhere: every example spec, at every Istio version the example lists (else
1.8.1 and 1.24), rendered through the CLI, the C++ API, the C API and the Python package must give
byte-identical YAML and JSON. A spec a version refuses must be refused by all four with the same
message. versions.txt tokens are read as the golden runner reads them ("1.24" is an Istio version,
"gateway:v1.3" an Envoy Gateway version, "none" neither), and TARGET_OVERRIDES renders some Istio
specs for another platform: both reach each front end through its own option (--target /
--gateway-version, render_options, wd_render_options_set_*, keyword arguments).

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

HERE = os.path.dirname(os.path.abspath(__file__))
# (directory, spec, versions.txt-style token, target): a platform the spec itself does not choose.
# A directory without a slash is an example; gateway-targets sits beside this script.
TARGET_OVERRIDES = [
    ("bookinfo-add-header", "spec.yaml", "1.8.1", "wasme"),
    (os.path.join(HERE, "gateway-targets"), "spec.yaml", "gateway:v1.3", "envoy-gateway"),
    (os.path.join(HERE, "gateway-targets"), "spec.yaml", "gateway:v1.2", "envoy-gateway"),  # refused: env
    (os.path.join(HERE, "gateway-targets"), "spec.yaml", "1.30", "istio"),
]

# (directory beside this script, spec, Istio version, live file, codes to allow): a render that
# merges into the workloads' live annotations (--live, wd_spec_apply_live, with_live) with
# acknowledged warnings (--allow, wd_render_options_add_allow, allow=), and its undeploy.
LIVE_CASES = [
    (os.path.join(HERE, "live"), "spec.yaml", "1.8.1", "live.yaml", ["hostpath.pod-security"]),
]


def options_of(token, target=""):
    """(istio, target, gateway_version) for a versions.txt token; "" leaves an option unset."""
    if token == "none":
        return "", target, ""
    if token.startswith("gateway:"):
        return "", target, token[len("gateway:"):]
    return token, target, ""


def example_dirs(root):
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if os.path.isfile(os.path.join(d, "spec.yaml")) or os.path.isfile(os.path.join(d, "versions.txt")):
            yield name, d


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace").strip()


def cli_args(istio, target, gateway_version):
    args = ["--istio", istio] if istio else []
    args += ["--target", target] if target else []
    return args + (["--gateway-version", gateway_version] if gateway_version else [])


def python_render(work, spec, options, fmt, mode="", live=None, allow=()):
    import warnings

    import wasmdeploy

    istio, target, gateway_version = options
    here = os.getcwd()
    os.chdir(work)
    try:
        live_text = open(live, "rb").read() if live else None
        if mode:
            text = wasmdeploy.undeploy(wasmdeploy.load_spec(spec), istio=istio or None, output=fmt,
                                       restore=mode == "--restore", live=live_text)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", wasmdeploy.WasmDeployWarning)  # the CLI runs with -q
                text = wasmdeploy.render(wasmdeploy.load_spec(spec), istio=istio or None, output=fmt,
                                         target=target or None, gateway_version=gateway_version or None,
                                         live=live_text, allow=list(allow))
        return 0, text.encode(), ""
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

    def compare(work, label, spec, options, fmt, mode="", live=None, allow=()):
        """mode: "" renders; "--undeploy" / "--restore" compare the two halves of undeploy. live: a
        `kubectl get -o yaml` file for --live; allow: codes for --allow (renders only)."""
        nonlocal compared
        lib_mode = [mode] if mode else []
        extra = (["--live", live] if live else []) + [a for code in allow for a in ("--allow", code)]
        command = ["undeploy"] + (["--restore"] if mode == "--restore" else []) if mode else ["render"]
        results = {
            "cli": run([args.cli, *command, "-q", "-f", spec, "-o", fmt] + extra + cli_args(*options), work),
            "c++": run([args.cpp, *lib_mode, *extra, spec, options[0], fmt, options[1], options[2]], work),
            "c": run([args.c, *lib_mode, *extra, spec, options[0], fmt, options[1], options[2]], work),
        }
        if args.python:
            results["python"] = python_render(work, spec, options, fmt, mode, live, allow)
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
            return True
        else:
            # Refused everywhere: the library front ends must say the same thing,
            # and the CLI must include that message.
            msgs = {k: r[2] for k, r in results.items() if k != "cli"}
            if len(set(msgs.values())) != 1:
                failures.append(f"{label}: error messages differ: {msgs}")
            elif next(iter(msgs.values())) not in results["cli"][2]:
                failures.append(f"{label}: CLI error {results['cli'][2]!r} lacks {next(iter(msgs.values()))!r}")
        return False

    def prepared(name, src, tmp):
        work = os.path.join(tmp, name)
        shutil.copytree(src, work, ignore=shutil.ignore_patterns("expected"))
        for wat in sorted(f for f in os.listdir(work) if f.endswith(".wat")):
            subprocess.run(["wat2wasm", wat, "-o", wat[:-4] + ".wasm"], cwd=work, check=True)
        return work

    for name, src in example_dirs(args.examples):
        vf = os.path.join(src, "versions.txt")
        versions = open(vf).read().split() if os.path.isfile(vf) else DEFAULT_VERSIONS
        with tempfile.TemporaryDirectory() as tmp:
            work = prepared(name, src, tmp)
            specs = sorted(f for f in os.listdir(src) if f.endswith(".yaml"))
            for spec in specs:
                for v in versions:
                    for fmt in ("yaml", "json"):
                        compare(work, f"{name}/{spec} @ {v} ({fmt})", spec, options_of(v), fmt)
                    if v[0].isdigit():  # the C API's undeploy calls take an Istio version only
                        for mode in ("--undeploy", "--restore"):
                            compare(work, f"{name}/{spec} @ {v} (undeploy {mode})", spec, options_of(v), "yaml",
                                    mode)
    # Overrides must render somewhere, or they would only compare refusals.
    rendered_overrides = set()
    for where, spec, token, target in TARGET_OVERRIDES:
        name = os.path.basename(where)
        with tempfile.TemporaryDirectory() as tmp:
            work = prepared(name, os.path.join(args.examples, where), tmp)
            for fmt in ("yaml", "json"):
                if compare(work, f"{name}/{spec} --target {target} @ {token} ({fmt})", spec,
                           options_of(token, target), fmt):
                    rendered_overrides.add(target)
    for target in sorted({o[3] for o in TARGET_OVERRIDES} - rendered_overrides):
        failures.append(f"--target {target}: no override case rendered")
    for where, spec, istio, live, allow in LIVE_CASES:
        name = os.path.basename(where)
        with tempfile.TemporaryDirectory() as tmp:
            work = prepared(name, where, tmp)
            for fmt in ("yaml", "json"):
                if not compare(work, f"{name}/{spec} --live {live} @ {istio} ({fmt})", spec, options_of(istio), fmt,
                               live=live, allow=allow):
                    failures.append(f"{name}: the --live render was refused")
            for mode in ("--undeploy", "--restore"):
                compare(work, f"{name}/{spec} --live {live} @ {istio} (undeploy {mode})", spec, options_of(istio),
                        "yaml", mode, live=live)
    for f in failures:
        print("FAIL", f)
    if compared == 0:
        print("no example specs found")
        return 77
    print(f"{compared - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
