#!/usr/bin/env python3
"""End-to-end checks of the wasmdeploy binary: exit codes, streams, output directories.

  cli_test.py --cli build/dev/cli/wasmdeploy CASE

Exit codes: 0 success, 1 invalid input, 2 usage error (cli/main.cpp).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import yaml

CLI = None
SHA = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510"


class Failure(Exception):
    pass


def run(*args, cwd=None):
    p = subprocess.run([CLI, *args], cwd=cwd, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def expect(cond, what, out=None):
    if not cond:
        raise Failure(what + ("" if out is None else "\n--- output ---\n" + str(out)))


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


BAD_SPEC = """istio: '1.24'
filters:
- name: f
  module: oci://ghcr.io/acme/f:v1
  root_id: x
targets:
- namespace: ns
  selector: {app: a}
"""

# Valid YAML, but the workload already mounts something else as cache-dir: refused while rendering.
CONFLICT_SPEC = """istio: '1.8'
filters:
- name: f
  module: oci://ghcr.io/acme/f:v1
  sha256: %s
  moduleSha256: %s
targets:
- namespace: ns
  workloads:
  - name: d
    labels: {app: d}
    annotations:
      sidecar.istio.io/userVolume: '{"cache-dir":{"emptyDir":{}}}'
""" % ("6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a", SHA)


def case_help():
    rc, out, err = run("--help")
    expect(rc == 0, f"--help exited {rc}", err)
    expect("render" in out and "versions" in out, "--help lists the subcommands", out)
    rc, out, _ = run("render", "--help")
    expect(rc == 0 and "--istio" in out, "render --help", out)


def case_usage_errors():
    rc, out, err = run("render", "--bogus-flag")
    expect(rc == 2, f"unknown flag exited {rc}", err)
    expect(out == "", "nothing on stdout for a usage error", out)
    expect("bogus-flag" in err, "the unknown flag is named on stderr", err)
    rc, _, err = run()
    expect(rc == 2, f"no subcommand exited {rc}", err)
    rc, out, err = run("render", "--istio", "1.24")
    expect(rc == 2, f"render without input exited {rc}", err)
    expect("[render.no-input]" in err, "render.no-input on stderr", err)
    rc, _, err = run("render", "-o", "xml", "oci://ghcr.io/a/f:v1", "--id", "f", "-l", "app=a", "--istio", "1.24")
    expect(rc == 2 and "[output.syntax]" in err, f"bad -o exited {rc}", err)
    one_liner = ["render", "oci://ghcr.io/a/f:v1", "-n", "ns", "--istio", "1.24"]
    rc, _, err = run(*one_liner, "--id", "f", "--workload", "details-v1")
    expect(rc == 2 and "[workload.syntax]" in err, f"--workload without labels exited {rc}", err)
    rc, _, err = run(*one_liner, "-l", "app=a")
    expect(rc == 2 and "[render.no-id]" in err, f"one-liner without --id exited {rc}", err)
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "two.yaml"), "filters:\n- {name: a, module: oci://ghcr.io/a/a:v1}\n"
              "- {name: b, module: oci://ghcr.io/a/b:v1}\ntargets:\n- {namespace: ns, selector: {app: a}}\n")
        rc, _, err = run("render", "-f", "two.yaml", "--id", "x", "--istio", "1.24", cwd=tmp)
        expect(rc == 2 and "[render.ambiguous-override]" in err, f"--id on two filters exited {rc}", err)
    rc, out, err = run("render", "oci://ghcr.io/a/f:v1", "--id", "f", "-l", "app=*", "--istio", "1.24")
    expect(rc == 1 and out == "" and "[label.wildcard]" in err, f"invalid value exited {rc}", err)
    rc, _, err = run("versions", "--capability", "no-such-thing")
    expect(rc == 2 and "[capability.unknown]" in err, f"unknown capability exited {rc}", err)


def case_bad_spec():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "spec.yaml"), BAD_SPEC)
        for fmt in ("yaml", "json"):
            rc, out, err = run("render", "-f", "spec.yaml", "-o", fmt, cwd=tmp)
            expect(rc == 1, f"bad spec (-o {fmt}) exited {rc}", err)
            expect(out == "", f"nothing on stdout for a bad spec (-o {fmt})", out)
            expect("spec.yaml:5:3: [spec.unknown-field] filters[0].root_id" in err, "error with position on stderr", err)
            expect("did you mean 'rootId'?" in err, "suggestion on stderr", err)


def case_render_failure_writes_nothing():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "spec.yaml"), CONFLICT_SPEC)
        for fmt in ("yaml", "json"):
            rc, out, err = run("render", "-f", "spec.yaml", "-o", fmt, cwd=tmp)
            expect(rc == 1, f"conflicting volume (-o {fmt}) exited {rc}", err)
            expect("[volume.conflict]" in err, "volume.conflict on stderr", err)
            expect(out == "", f"nothing on stdout when rendering fails (-o {fmt})", out)


def case_dir_output():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "bad.yaml"), BAD_SPEC)
        write(os.path.join(tmp, "conflict.yaml"), CONFLICT_SPEC)
        out_dir = os.path.join(tmp, "out")
        for spec in ("bad.yaml", "conflict.yaml"):
            rc, out, err = run("render", "-f", spec, "-o", "dir=" + out_dir, cwd=tmp)
            expect(rc == 1, f"{spec} to a directory exited {rc}", err)
            expect(not os.path.exists(out_dir), f"{spec}: no directory written")
            expect(sorted(os.listdir(tmp)) == ["bad.yaml", "conflict.yaml"], "nothing left behind", os.listdir(tmp))
        rc, out, err = run("render", "oci://ghcr.io/a/f:v1", "--id", "f", "-l", "app=a", "--istio", "1.24",
                           "-o", "dir=" + out_dir)
        expect(rc == 0, f"render to a directory exited {rc}", err)
        expect(out == "", "directory output prints nothing on stdout", out)
        expect(sorted(os.listdir(out_dir)) == ["files", "wasmplugin-default-f.yaml"],
               "files written", os.listdir(out_dir))
        rc, _, err = run("render", "oci://ghcr.io/a/f:v1", "--id", "f", "-l", "app=a", "--istio", "1.24",
                         "-o", "dir=" + out_dir)
        expect(rc == 1 and "[output.exists]" in err, f"existing directory without --force exited {rc}", err)
        rc, _, err = run("render", "oci://ghcr.io/a/f:v1", "--id", "g", "-l", "app=a", "--istio", "1.24",
                         "-o", "dir=" + out_dir, "--force")
        expect(rc == 0, f"--force exited {rc}", err)
        expect(sorted(os.listdir(out_dir)) == ["files", "wasmplugin-default-g.yaml"],
               "--force replaced the files", os.listdir(out_dir))


def case_versions():
    rc, out, err = run("versions")
    expect(rc == 0, f"versions exited {rc}", err)
    lines = out.splitlines()
    expect(lines[0].startswith("capability \\ Istio 1.") and lines[0].rstrip().endswith("31"), "matrix header", out)
    row = next((l for l in lines if l.startswith("wasm-plugin ")), None)
    expect(row is not None, "wasm-plugin row", out)
    cells = row.split()[1:]
    expect(len(cells) == 27, "one cell per minor 1.5-1.31", row)
    expect(cells[:7] == ["."] * 7 and cells[7:] == ["+"] * 20, "wasm-plugin from 1.12", row)
    canon = next(l for l in lines if l.startswith("canonical-filter-name-match "))
    expect(canon.split()[1:4] == [".", ".", "~"], "1.7 shows '~' for canonical names (1.7.1)", canon)
    rc, out, err = run("versions", "--capability", "wasm-plugin")
    expect(rc == 0 and "Istio 1.12 and later" in out, "versions --capability wasm-plugin", out + err)
    rc, out, err = run("versions", "--capability", "deprecated-filter-name-match")
    expect(rc == 0 and "Istio 1.5 to 1.18" in out, "range of a removed capability", out + err)
    rc, out, err = run("versions", "--istio", "1.13")
    expect(rc == 0, f"versions --istio exited {rc}", err)
    expect(any(l.startswith("yes wasm-plugin ") for l in out.splitlines()), "1.13 has WasmPlugin", out)
    expect(any(l.startswith("no  wasm-plugin-vm-config ") for l in out.splitlines()), "1.13 lacks vmConfig", out)
    rc, out, err = run("versions", "-o", "json", "--capability", "wasm-plugin-fail-reload")
    expect(rc == 0 and json.loads(out)["since"] == "1.27.0", "versions json", out + err)
    expect(json.loads(out)["use"] == "decision", "a gate is a decision row", out)
    # Rows no decision reads are listed apart and say so.
    rc, out, err = run("versions")
    doc_at = out.find("documentation only")
    expect(doc_at > 0 and out.find("\npatch-replace ") > doc_at and out.find("\nwasm-plugin-match ") < doc_at,
           "documentation rows follow the decision rows", out)
    rc, out, err = run("versions", "--capability", "apply-to-listener-filter")
    expect(rc == 0 and "documentation only" in out, "a documentation row says so", out + err)
    rc, out, err = run("versions", "-o", "json")
    uses = {r["key"]: r["use"] for r in json.loads(out)}
    expect(uses["patch-replace"] == "documentation" and uses["target-ref-kind-service"] == "decision", "json use", out)


def case_seed_000():
    rc, out, err = run("render", "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "--id", "myfilter",
                       "--namespace", "bookinfo", "--config", "tanjunchen20", "--labels", "app=details",
                       "--istio", "1.8.1", "--root-id", "add_header", "--module-sha256", SHA)
    expect(rc == 0, f"seed 000 one-liner exited {rc}", err)
    docs = [d for d in yaml.safe_load_all(out) if d is not None]
    efs = [d for d in docs if d["kind"] == "EnvoyFilter"]
    expect(len(efs) == 1, "one EnvoyFilter", out)
    ef = efs[0]
    expect(ef["metadata"]["name"] == "myfilter", "named myfilter", ef["metadata"])
    expect(ef["metadata"]["namespace"] == "bookinfo", "in bookinfo", ef["metadata"])
    expect(ef["spec"]["workloadSelector"] == {"labels": {"app": "details"}}, "selects app: details", ef["spec"])
    cfg = ef["spec"]["configPatches"][0]["patch"]["value"]["typed_config"]["value"]["config"]
    expect(cfg["root_id"] == "add_header", "root id", cfg)
    expect(cfg["configuration"]["value"] == "tanjunchen20", "configuration string", cfg)
    expect(cfg["vm_config"]["code"]["local"]["filename"] == "/var/local/lib/wasme-cache/" + SHA, "cached module", cfg)
    expect(any(d["kind"] == "DaemonSet" for d in docs), "wasme cache DaemonSet", out)
    # The same through JSON.
    rc, out_json, err = run("render", "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "--id", "myfilter",
                            "--namespace", "bookinfo", "--config", "tanjunchen20", "--labels", "app=details",
                            "--istio", "1.8.1", "--root-id", "add_header", "--module-sha256", SHA, "-o", "json")
    expect(rc == 0 and json.loads(out_json)["items"] == docs, "JSON output holds the same documents", out_json)


def case_image_layout():
    """build -> inspect DIR -> render --image-layout: the manifest digest flows through."""
    wat = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "productpage-x-hello-configmap", "x-hello.wat")
    with tempfile.TemporaryDirectory() as tmp:
        wasm = os.path.join(tmp, "x.wasm")
        subprocess.run(["wat2wasm", wat, "-o", wasm], check=True)
        layout = os.path.join(tmp, "img")
        rc, out, err = run("build", wasm, "--root-id", "x_hello", "--variant", "compat", "-o", layout)
        expect(rc == 0, f"build exited {rc}", err)
        digest = json.load(open(os.path.join(layout, "index.json")))["manifests"][0]["digest"].split(":")[1]
        rc, out, err = run("inspect", layout, "--istio", "1.24")
        expect(rc == 0 and "variant:    compat" in out and digest in out and "ABI 0.2.1" in out,
               "inspect DIR shows the variant, the manifest digest and the module's ABI", out + err)
        rc, out, err = run("inspect", layout, "--istio", "1.11")
        expect(rc == 1 and "oci.platform.no-oci-fetch" in err, "Istio 1.11 cannot pull the image", err)
        rc, out, err = run("render", "oci://registry.example.com/x:v1", "--image-layout", layout, "--id", "x",
                           "--config-json", '{"a": 1}', "-n", "ns", "-l", "app=x", "--istio", "1.24")
        expect(rc == 0 and f"url: oci://registry.example.com/x:v1@sha256:{digest}" in out
               and f"sha256: {digest}" in out, "render pins url and sha256 to the manifest digest", out + err)


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    global CLI
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    CLI = os.path.abspath(a.cli)
    try:
        CASES[a.case]()
    except Failure as e:
        print(f"FAIL {a.case}: {e}")
        return 1
    print(f"ok {a.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
