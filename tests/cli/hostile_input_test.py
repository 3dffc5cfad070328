#!/usr/bin/env python3
"""Hostile inputs to the readers and writers (issue 20, items 7, 8 and 10-13): each case is an
input an attacker could hand over; wasmdeploy must refuse it with a stable code and exit 1, or do
exactly what it says, without crashing, hanging or taking memory beyond its limits.

  hostile_input_test.py --cli build/ci/cli/wasmdeploy CASE
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

CLI = None
SHA = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510"
IMAGE_SHA = "6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a"


def fail(msg):
    sys.exit("FAIL: " + msg)


def expect(cond, msg):
    if not cond:
        fail(msg)


_SANITIZED = None


def sanitized():
    """An AddressSanitizer build reserves terabytes of shadow address space, so an address-space
    cap kills it at start: there the bound is not applied (the plain build judges memory)."""
    global _SANITIZED
    if _SANITIZED is None:
        with open(CLI, "rb") as f:
            _SANITIZED = b"__asan_init" in f.read()
    return _SANITIZED


def run(*args, cwd=None, stdin=None, timeout=120, mem_mib=None):
    """(exit code, stdout, stderr); a signal or usage exit fails the test."""
    limit = None
    if mem_mib and not sanitized():
        limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (mem_mib << 20, mem_mib << 20))
    try:
        p = subprocess.run([CLI, *args], cwd=cwd, input=stdin, capture_output=True, timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        fail(f"{args[:3]}: still running after {timeout} s")
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    expect(p.returncode >= 0, f"{args[:3]}: killed by signal {-p.returncode}\n{err[-2000:]}")
    return p.returncode, out, err


def write(path, text):
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(path, mode) as fh:
        fh.write(text)


def annotated_spec(value):
    return (f"istio: '1.8'\nfilters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  sha256: {IMAGE_SHA}\n"
            f"  moduleSha256: {SHA}\ntargets:\n- namespace: ns\n  workloads:\n  - name: d\n    labels: {{app: d}}\n"
            f"    annotations:\n      sidecar.istio.io/userVolume: '{value}'\n")


# 7. JSON nested inside a string (a workload annotation) is depth-checked before it is walked.
def case_annotation_depth():
    with tempfile.TemporaryDirectory() as tmp:
        deep = '{"v":' + "[" * 30000 + "]" * 30000 + "}"
        write(os.path.join(tmp, "spec.yaml"), annotated_spec(deep))
        rc, out, err = run("render", "-f", "spec.yaml", cwd=tmp)
        expect(rc == 1 and "[json.too-deep]" in err and out == "", f"exit {rc}: {err[-500:]}")
        expect("workloads[0]" in err, "names the workload: " + err[-500:])


# 7. run --config-json nested 65 500 deep: refused as a usage error, not a crash in the dump.
def case_config_json_depth():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "f.wasm"), wasm_module())
        rc = subprocess.run([CLI, "run", os.path.join(tmp, "f.wasm"), "--config-json", "[" * 65500 + "]" * 65500],
                            capture_output=True, text=True, timeout=60)
    expect(rc.returncode == 2 and "[json.too-deep]" in rc.stderr, f"exit {rc.returncode}: {rc.stderr[-500:]}")


# 8. Aliases of a big anchored string are bounded in bytes (a 1 MB spec made > 8 GiB).
def case_alias_bytes():
    with tempfile.TemporaryDirectory() as tmp:
        spec = ("filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  config:\n    a: &big " + "x" * 500000 +
                "\n    b: [" + ", ".join(["*big"] * 2000) + "]\ntargets:\n- namespace: ns\n  selector: {app: a}\n")
        write(os.path.join(tmp, "spec.yaml"), spec)
        rc, out, err = run("render", "-f", "spec.yaml", "--istio", "1.24", cwd=tmp, mem_mib=2048)
        expect(rc == 1 and "[spec.alias-expansion]" in err and "spec.yaml:" in err, f"exit {rc}: {err[-500:]}")


def wasm_module():
    # The smallest proxy-wasm module: exports proxy_abi_version_0_2_0 and memory.
    return bytes.fromhex("0061736d01000000010401600000030201000503010001072402066d656d6f727902001770726f78795f6162"
                         "695f76657273696f6e5f305f325f3000000a040102000b")


# 10. --extract does not write through a symlink planted at its temporary name.
def case_extract_symlink():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "f.wasm"), wasm_module())
        rc, _, err = run("build", "f.wasm", "--root-id", "r", "-o", "img", cwd=tmp)
        expect(rc == 0, f"build exited {rc}: {err}")
        victim = os.path.join(tmp, "victim")
        write(victim, "precious\n")
        # `exec` keeps the shell's PID, so $$ is the PID the extracting process will have.
        script = ('for s in "" -0 -1 -2; do ln -s "$1" "out.wasm.tmp-$$$s"; done; '
                  'exec "$2" inspect-image img --extract out.wasm')
        p = subprocess.run(["sh", "-c", script, "sh", victim, CLI], cwd=tmp, capture_output=True, text=True, timeout=60)
        expect(open(victim).read() == "precious\n", "the victim was overwritten through the symlink")
        expect(p.returncode == 0 and open(os.path.join(tmp, "out.wasm"), "rb").read() == wasm_module(),
               f"extract exited {p.returncode}: {p.stderr}")


def spec_with(value):
    return (f"filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  config: {{v: '{value}'}}\n"
            "targets:\n- namespace: ns\n  selector: {app: a}\n")


# 11. Concurrent -o dir= runs without --force: one writes, the others report output.exists.
def case_concurrent_dir():
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(8):
            write(os.path.join(tmp, f"s{i}.yaml"), spec_with(f"run{i}"))
        for attempt in range(3):
            out = os.path.join(tmp, f"out{attempt}")
            procs = [subprocess.Popen([CLI, "render", "-f", f"s{i}.yaml", "--istio", "1.24", "-o", f"dir={out}"],
                                      cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(8)]
            results = [(p.wait(timeout=120), p.stderr.read().decode()) for p in procs]
            ok = [i for i, (rc, _) in enumerate(results) if rc == 0]
            expect(len(ok) == 1, f"{len(ok)} runs reported success, one output survives: {results}")
            for i, (rc, err) in enumerate(results):
                expect(rc == 0 or (rc == 1 and "[output.exists]" in err), f"run {i}: exit {rc}: {err}")
            text = "".join(open(os.path.join(out, n)).read() for n in os.listdir(out) if n.endswith(".yaml"))
            expect(f"run{ok[0]}" in text, "the output is the successful run's")


# 12. An image layout's index.json is bounded in size and depth before it is parsed.
def case_oci_index():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "f.wasm"), wasm_module())
        rc, _, err = run("build", "f.wasm", "--root-id", "r", "-o", "img", cwd=tmp)
        expect(rc == 0, f"build exited {rc}: {err}")
        index = os.path.join(tmp, "img", "index.json")
        write(index, '{"schemaVersion":2,"x":' + "[" * 100000 + "]" * 100000 + "}")
        rc, _, err = run("inspect-image", "img", cwd=tmp)
        expect(rc == 1 and "[json.too-deep]" in err, f"deep index.json: exit {rc}: {err[-300:]}")
        with open(index, "w") as fh:
            fh.write('{"schemaVersion":2,"x":"')
            fh.write("a" * (60 << 20))
            fh.write('"}')
        rc, _, err = run("inspect-image", "img", cwd=tmp, mem_mib=1024)
        expect(rc == 1 and "[file.too-large]" in err, f"60 MB index.json: exit {rc}: {err[-300:]}")


# 13. Scalars render as what they are: !!str stays a string, numbers without a faithful value are
#     refused, a UTF-8 BOM is not content, and a valid 253-character name works under -o dir=.
def case_yaml_scalars():
    with tempfile.TemporaryDirectory() as tmp:
        spec = ("filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  config: {port: !!str 8080, on: !!str true}\n"
                "targets:\n- namespace: ns\n  selector: {app: a}\n")
        write(os.path.join(tmp, "s.yaml"), spec)
        rc, out, err = run("render", "-f", "s.yaml", "--istio", "1.24", "-o", "json", cwd=tmp)
        expect(rc == 0, err)
        expect('"port": "8080"' in out and '"on": "true"' in out, "!!str values stay strings:\n" + out)
        write(os.path.join(tmp, "bom.yaml"), b"\xef\xbb\xbf" + spec.encode())
        rc, out2, err = run("render", "-f", "bom.yaml", "--istio", "1.24", "-o", "json", cwd=tmp)
        expect(rc == 0 and out2 == out, f"a BOM before YAML: exit {rc}: {err}")
        for value, code in (("99999999999999999999", "spec.number-range"), ("1e400", "spec.number-range"),
                            (".nan", "spec.non-finite-number"), ("-.inf", "spec.non-finite-number")):
            write(os.path.join(tmp, "n.yaml"), spec.replace("!!str 8080", value))
            rc, out, err = run("render", "-f", "n.yaml", "--istio", "1.24", cwd=tmp)
            expect(rc == 1 and f"n.yaml:4:" in err and f"[{code}] filters[0].config.port" in err,
                   f"{value}: exit {rc}: {err}")


def case_long_name_dir():
    with tempfile.TemporaryDirectory() as tmp:
        name = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])  # 253 characters, a valid DNS subdomain
        spec = (f"filters:\n- name: {name}\n  module: oci://ghcr.io/acme/f:v1\n"
                "targets:\n- namespace: ns\n  selector: {app: a}\n")
        write(os.path.join(tmp, "s.yaml"), spec)
        rc, out, err = run("render", "-f", "s.yaml", "--istio", "1.24", cwd=tmp)
        expect(rc == 0, f"stdout render exited {rc}: {err}")
        rc, _, err = run("render", "-f", "s.yaml", "--istio", "1.24", "-o", "dir=out", cwd=tmp)
        expect(rc == 0, f"-o dir= exited {rc}: {err}")
        files = os.listdir(os.path.join(tmp, "out"))
        expect(all(len(f.encode()) <= 255 for f in files), str(files))
        text = "".join(open(os.path.join(tmp, "out", f)).read() for f in files if f.endswith(".yaml"))
        expect(name in text, "the resource keeps its full name")
        rc, _, err = run("render", "-f", "s.yaml", "--istio", "1.24", "-o", "dir=out2", cwd=tmp)
        expect(sorted(os.listdir(os.path.join(tmp, "out2"))) == sorted(files), "the same file names every run")


# 3 (inspect's side). A module the engine's validator refuses (`global.set 0`, no globals; the host's
#   budget rewriter would have made it valid) is loadable on no Istio release, not on 1.8-1.32.
INVALID_MODULE = bytes.fromhex(
    "0061736d0100000001090260000060017f017f03030200010503010001072d03066d656d6f727902001770726f78795f6162"
    "695f76657273696f6e5f305f325f300000066d616c6c6f6300010a0d020600410024000b040041000b")


def case_invalid_module_inspect():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "bad.wasm"), INVALID_MODULE)
        # The same module with the global.set replaced by a drop (of the i32.const) is valid.
        write(os.path.join(tmp, "good.wasm"), INVALID_MODULE.replace(bytes.fromhex("0600410024000b"),
                                                                     bytes.fromhex("06004100 1a010b".replace(" ", ""))))
        rc, out, err = run("inspect", "good.wasm", "-o", "json", cwd=tmp)
        expect(rc == 0 and len(json.loads(out)["loadable"]["releases"]) > 20, f"the valid twin: exit {rc}: {err}{out[:300]}")
        rc, out, err = run("inspect", "bad.wasm", "-o", "json", cwd=tmp)
        expect(rc == 0 and json.loads(out)["loadable"]["releases"] == [], f"exit {rc}: {err}{out[:300]}")
        rc, out, err = run("inspect", "bad.wasm", cwd=tmp)
        expect(rc == 0 and "no Istio release" in out, f"exit {rc}: {out}{err}")
        rc, out, err = run("inspect", "bad.wasm", "--istio", "1.24", cwd=tmp)
        expect(rc == 1 and "wasm.invalid" in out + err, f"--istio 1.24: exit {rc}: {out}{err}")


def main():
    global CLI
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("case")
    a = ap.parse_args()
    CLI = os.path.abspath(a.cli)
    fn = globals().get("case_" + a.case)
    if fn is None:
        sys.exit(f"unknown case {a.case}")
    fn()
    print(f"ok: {a.case}")


if __name__ == "__main__":
    main()
