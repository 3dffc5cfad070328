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
    rc, out, err = run()
    expect(rc == 0 and "render" in out and "Usage" in out, f"bare wasmdeploy prints the usage (exited {rc})", out + err)
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
        for flag, value in (("--sha256", "0" * 64), ("--config-json", '{"a": 1}'), ("--root-id", "r"),
                            ("--module-sha256", "0" * 64), ("--vm-id", "v"), ("--config", "s")):
            rc, out, err = run("render", "-f", "two.yaml", flag, value, "--istio", "1.24", cwd=tmp)
            expect(rc == 2 and out == "" and f"[render.ambiguous-override] {flag}:" in err,
                   f"{flag} on two filters exited {rc}", err)
        rc, _, err = run("render", "-f", "two.yaml", "--pull-policy", "Always", "--istio", "1.24", cwd=tmp)
        expect(rc == 0, f"a policy flag (--pull-policy) applies to every filter; exited {rc}", err)
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
    expect(lines[0].startswith("capability \\ Istio 1.") and lines[0].rstrip().endswith("32"), "matrix header", out)
    row = next((l for l in lines if l.startswith("wasm-plugin ")), None)
    expect(row is not None, "wasm-plugin row", out)
    cells = row.split()[1:]
    expect(len(cells) == 28, "one cell per minor 1.5-1.32", row)
    expect(cells[:7] == ["."] * 7 and cells[7:] == ["+"] * 21, "wasm-plugin from 1.12", row)
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
    # wasme's bare --labels: on 1.8 the module comes from the node cache, which no pod would
    # mount without a workload patch, so it is refused (delivery.unmounted), not warned.
    rc, out, err = run("render", "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "--id", "myfilter",
                       "--namespace", "bookinfo", "--config", "tanjunchen20", "--labels", "app=details",
                       "--istio", "1.8.1", "--root-id", "add_header", "--module-sha256", SHA)
    expect(rc == 1 and out == "" and "[delivery.unmounted] --labels" in err, f"bare --labels exited {rc}", err)
    rc, out, err = run("render", "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "--id", "myfilter",
                       "--namespace", "bookinfo", "--config", "tanjunchen20", "--workload", "details:app=details",
                       "--istio", "1.8.1", "--root-id", "add_header", "--module-sha256", SHA)
    expect(rc == 0, f"seed 000 one-liner exited {rc}", err)
    docs = [d for d in yaml.safe_load_all(out) if d is not None]
    efs = [d for d in docs if d["kind"] == "EnvoyFilter"]
    expect(len(efs) == 1, "one EnvoyFilter", out)
    ef = efs[0]
    expect(ef["metadata"]["name"] == "details-myfilter", "named details-myfilter", ef["metadata"])
    expect(ef["metadata"]["namespace"] == "bookinfo", "in bookinfo", ef["metadata"])
    expect(ef["spec"]["workloadSelector"] == {"labels": {"app": "details"}}, "selects app: details", ef["spec"])
    cfg = ef["spec"]["configPatches"][0]["patch"]["value"]["typed_config"]["value"]["config"]
    expect(cfg["root_id"] == "add_header", "root id", cfg)
    expect(cfg["configuration"]["value"] == "tanjunchen20", "configuration string", cfg)
    expect(cfg["vm_config"]["code"]["local"]["filename"] == "/var/local/lib/wasme-cache/" + SHA, "cached module", cfg)
    expect(any(d["kind"] == "DaemonSet" for d in docs), "wasme cache DaemonSet", out)
    # The same through JSON.
    rc, out_json, err = run("render", "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "--id", "myfilter",
                            "--namespace", "bookinfo", "--config", "tanjunchen20", "--workload", "details:app=details",
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


HEX = "6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a"
ONE = ["render", "oci://ghcr.io/acme/f:v1", "--id", "f", "-n", "ns", "--root-id", "r"]


def docs_of(out):
    return [d for d in yaml.safe_load_all(out) if d is not None]


def case_sha256_as_printed():
    """skopeo's "sha256:..." and uppercase hex are accepted, with a note naming the value used."""
    for given in ("sha256:" + HEX, HEX.upper(), "sha256:" + HEX.upper()):
        rc, out, err = run(*ONE, "-l", "app=a", "--config", "x", "--istio", "1.24", "--sha256", given)
        expect(rc == 0, f"--sha256 {given[:12]}... exited {rc}", err)
        ef = [d for d in docs_of(out) if d["kind"] == "EnvoyFilter"][0]
        expect(HEX in out and HEX.upper() not in out, "the lowercase digest is rendered", out)
        expect("[sha256.normalized] --sha256: using " + HEX in err, "a note names the flag and the value", err)
        expect(ef["metadata"]["name"] == "f", "rendered", ef)
    rc, out, err = run(*ONE, "-l", "app=a", "--istio", "1.24", "--sha256", "sha256:abc")
    expect(rc == 2 and out == "" and "[sha256.format] --sha256:" in err, f"a bad digest flag exited {rc}", err)
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "s.yaml"), "istio: '1.24'\nfilters: [{name: f, module: 'oci://ghcr.io/a/f:v1', rootId: r,"
              f" config: x, sha256: 'sha256:{HEX.upper()}'}}]\ntargets: [{{namespace: ns, selector: {{app: a}}}}]\n")
        rc, out, err = run("render", "-f", "s.yaml", cwd=tmp)
        expect(rc == 0 and HEX in out and HEX.upper() not in out, f"a spec's prefixed digest exited {rc}", err)
        expect("s.yaml:2:" in err and "[sha256.normalized] filters[0].sha256" in err, "the note has the position", err)


def case_flag_conflicts():
    rc, out, err = run(*ONE, "-l", "app=x,app=y", "--istio", "1.24")
    expect(rc == 2 and out == "" and "[labels.duplicate] --labels:" in err, f"-l app=x,app=y exited {rc}", err)
    rc, out, err = run(*ONE, "--workload", "details:app=details", "-l", "app=y", "--istio", "1.24")
    expect(rc == 2 and "[flags.conflict] --workload:" in err and "--labels" in err, f"--workload with -l exited {rc}", err)
    rc, _, err = run(*ONE, "--all-workloads", "-l", "app=y", "--istio", "1.24")
    expect(rc == 2 and "[flags.conflict] --all-workloads" in err, f"--all-workloads with -l exited {rc}", err)
    rc, _, err = run(*ONE, "-l", "app=a", "--config", "x", "--config-json", "{}", "--istio", "1.24")
    expect(rc == 2 and "[flags.conflict] --config" in err, f"--config with --config-json exited {rc}", err)
    rc, _, err = run(*ONE, "-l", "app=a", "--istio", "1.24", "--force")
    expect(rc == 2 and "[output.force-needs-dir] --force" in err, f"--force without -o dir= exited {rc}", err)


def case_istio_versions_today_and_next():
    """1.32 is known; a newer minor renders with its rules and a warning (refused by --strict);
    istiod's image tags are read like versions (issue 22)."""
    args = [*ONE, "-l", "app=a", "--sha256", "a" * 64]
    rc, out32, err = run(*args, "--istio", "1.32")
    expect(rc == 0 and "version.newer-than-known" not in err, f"--istio 1.32 exited {rc}", err)
    rc, out33, err = run(*args, "--istio", "1.33")
    expect(rc == 0 and "[version.newer-than-known] --istio:" in err and "1.32's rules" in err,
           f"--istio 1.33 exited {rc}", err)
    expect(out33 == out32, "1.33 renders what 1.32 renders", out33)
    rc, out, err = run(*args, "--istio", "1.33", "--strict")
    expect(rc == 1 and out == "" and "version.newer-than-known" in err, f"--istio 1.33 --strict exited {rc}", err)
    for tag in ("1.24.3-distroless", "1.30.0-rc.1"):
        rc, out, err = run(*args, "--istio", tag)
        expect(rc == 0 and "kind: WasmPlugin" in out, f"--istio {tag} exited {rc}", err)
    rc, out, err = run("versions", "--istio", "1.29.1-distroless")
    expect(rc == 0 and "wasm-plugin-fail-reload" in out, f"versions --istio 1.29.1-distroless exited {rc}", err)


def case_flag_values():
    """Every bad flag value is a usage error (2) naming the flag and listing the choices."""
    bad = {
        ("--target", "kuma"): "istio, wasme, gloo, envoy, envoy-gateway, higress",
        ("--context", "sidecar"): "inbound, outbound, gateway, any",
        ("--fail-strategy", "FAIL_OPN"): "FAIL_CLOSE, FAIL_OPEN, FAIL_RELOAD",
        ("--istio", "1.8.x.y"): "supported: 1.5 to 1.32",
        ("--istio", "2.0"): "1.5 to 1.32",
        ("--phase", "LATE"): "AUTHN, AUTHZ, STATS",
        ("--gateway-version", "v9"): "v1.3",
        ("--naming", "short"): "per-workload",
    }
    for (flag, value), choices in bad.items():
        args = [*ONE, "-l", "app=a", *([] if flag == "--istio" else ["--istio", "1.24"]), flag, value]
        rc, out, err = run(*args)
        expect(rc == 2 and out == "", f"{flag} {value} exited {rc}", err)
        expect(f"] {flag}:" in err and choices in err, f"{flag} {value}: the flag and the choices are named", err)
    rc, _, err = run(*ONE, "-l", "app=a", "--istio", "1.24", "-o", "yml")
    expect(rc == 2 and "[output.syntax] -o" in err, f"-o yml exited {rc}", err)
    # A value the library refuses later still names the flag, not the field path.
    rc, _, err = run(*ONE[:5], "Bad_NS", *ONE[6:], "-l", "app=a", "--istio", "1.24")
    expect(rc == 1 and "[name.invalid] --namespace:" in err and "targets[0]" not in err, f"bad -n exited {rc}", err)
    rc, _, err = run("versions", "--istio", "1.x")
    expect(rc == 2 and "[version.syntax] --istio" in err, f"versions --istio 1.x exited {rc}", err)
    fd = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "convert-wasme", "filterdeployment.yml")
    rc, _, err = run("convert", "-f", fd, "--to", "kuma")
    expect(rc == 2 and "[convert.unknown-to] --to:" in err and "wasmplugin" in err, f"convert --to kuma exited {rc}", err)


def case_long_values_shortened():
    huge = "x" * 100000
    for args in ([*ONE, "-l", "app=a", "--istio", huge], [*ONE, "-l", "app=a", "--istio", "1.24", "--target", huge],
                 ["render", huge, "--id", "f", "-l", "app=a", "--istio", "1.24"]):
        rc, _, err = run(*args)
        expect(rc in (1, 2) and len(err) < 2000 and "(100000 bytes)" in err, f"a huge value is shortened (exit {rc})",
               err[:300])


def case_config_json_errors():
    rc, out, err = run(*ONE, "-l", "app=a", "--istio", "1.24", "--config-json", '{"a": [1, 2}')
    expect(rc == 2 and out == "" and "[config.syntax] --config-json:" in err and "line 1, column" in err,
           f"malformed --config-json exited {rc}", err)
    rc, _, err = run(*ONE, "-l", "app=a", "--istio", "1.24", "--config-json", "[1, 2]")
    expect(rc == 2 and "[config.not-an-object] --config-json" in err, f"a list as --config-json exited {rc}", err)


def case_commands():
    rc, out, err = run("rendr", "-f", "x.yaml")
    expect(rc == 2 and "unknown command \"rendr\"" in err and "did you mean render?" in err, f"rendr exited {rc}", err)
    rc, out, err = run("versoin")
    expect(rc == 2 and "did you mean version?" in err, "versoin suggests version", err)
    rc, out, err = run("help", "render")
    expect(rc == 0 and "--all-workloads" in out and "--istio" in out, f"help render exited {rc}", out + err)
    rc, out, err = run("help", "rendr")
    expect(rc == 2 and "did you mean render?" in err, f"help rendr exited {rc}", err)
    rc, out, err = run("version")
    expect(rc == 0 and "istio:         1.5 to 1.32" in out and "envoy-gateway: v1.1 to v1.9" in out, "version", out + err)
    for fmt in ("json", "yaml"):
        rc, out, err = run("version", "-o", fmt)
        v = json.loads(out) if fmt == "json" else yaml.safe_load(out)
        expect(rc == 0 and v["istio"] == {"oldest": "1.5", "newest": "1.32"} and v["version"] and v["build"],
               f"version -o {fmt}", out)
    rc, out, err = run("completion", "bash")
    expect(rc == 0, f"completion bash exited {rc}", err)
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "c.bash"), out)
        probe = ("source c.bash; COMP_WORDS=(wasmdeploy rend); COMP_CWORD=1; _wasmdeploy; echo ${COMPREPLY[@]}; "
                 "COMP_WORDS=(wasmdeploy render --all-w); COMP_CWORD=2; _wasmdeploy; echo ${COMPREPLY[@]}")
        p = subprocess.run(["bash", "-c", probe], cwd=tmp, capture_output=True, text=True, timeout=30)
        expect(p.stdout.split("\n")[:2] == ["render", "--all-workloads"], "bash completes commands and flags", p.stdout + p.stderr)
    for shell in ("zsh", "fish"):
        rc, out, err = run("completion", shell)
        expect(rc == 0 and "render" in out and "all-workloads" in out, f"completion {shell}", out + err)
    rc, _, err = run("completion", "tcsh")
    expect(rc == 2, f"completion tcsh exited {rc}", err)


def case_data_outputs():
    rc, out_json, err = run("versions", "-o", "json")
    rc2, out_yaml, err2 = run("versions", "-o", "yaml")
    expect(rc == 0 and rc2 == 0 and yaml.safe_load(out_yaml) == json.loads(out_json), "versions -o yaml", err + err2)
    wat = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "productpage-x-hello-configmap", "x-hello.wat")
    with tempfile.TemporaryDirectory() as tmp:
        wasm = os.path.join(tmp, "x.wasm")
        subprocess.run(["wat2wasm", wat, "-o", wasm], check=True)
        rc, out_json, err = run("inspect", wasm, "-o", "json")
        rc2, out_yaml, err2 = run("inspect", wasm, "-o", "yaml")
        expect(rc == 0 and rc2 == 0 and yaml.safe_load(out_yaml) == json.loads(out_json), "inspect -o yaml", err + err2)
        layout = os.path.join(tmp, "img")
        run("build", wasm, "--root-id", "x_hello", "-o", layout)
        rc, out, err = run("inspect-image", layout, "--target", "istio", "--istio", "1.24")
        expect(rc == 0 and "istio: accepted" in out and "deprecated" not in err, "inspect-image --target --istio", out + err)
        rc, out, err = run("inspect-image", layout, "--platform", "istio", "--istio-version", "1.24")
        expect(rc == 0 and "istio: accepted" in out and "[cli.deprecated-flag] --platform: deprecated, use --target"
               in err and "--istio-version: deprecated, use --istio" in err, "old names still work, with a warning", err)
        rc, out_json, err = run("inspect-image", layout, "-o", "json", "--target", "istio", "--istio", "1.24")
        rc2, out_yaml, err2 = run("inspect-image", layout, "-o", "yaml", "--target", "istio", "--istio", "1.24")
        doc = json.loads(out_json)
        expect(rc == 0 and rc2 == 0 and yaml.safe_load(out_yaml) == doc and doc["accepted"] == "istio"
               and doc["manifest"]["digest"].startswith("sha256:"), "inspect-image -o json|yaml", out_json + err)
        rc, out, err = run("inspect-image", "--help")
        expect("--istio-version" not in out and "--platform" not in out, "old names are hidden", out)


def case_quiet_strict():
    args = [*ONE[:-2], "-l", "app=a", "--istio", "1.24"]  # no root id, no sha256: two warnings
    rc, out, err = run(*args)
    expect(rc == 0 and "warning: [filter.no-root-id] --root-id:" in err and "[sha256.unpinned]" in err, "warnings", err)
    rc, out, err = run(*args, "-q")
    expect(rc == 0 and err == "" and "kind: WasmPlugin" in out, "-q hides notes and warnings", err)
    for extra in ([], ["-q"]):
        rc, out, err = run(*args, "--strict", *extra)
        expect(rc == 1 and out == "" and "[render.strict] --strict" in err, f"--strict {extra} exited {rc}", out + err)
        expect(("warning:" in err) != bool(extra), "warnings shown unless -q", err)
    rc, out, err = run(*ONE, "-l", "app=a", "--config-json", "{}", "--sha256", HEX, "--istio", "1.24", "--strict")
    expect(rc == 0 and "kind: WasmPlugin" in out, f"--strict without warnings exited {rc}", err)


MULTI_A = """istio: '1.24'
filters:
- {name: a, module: 'oci://ghcr.io/acme/a:v1', rootId: r, sha256: %s}
targets:
- {namespace: ns, filters: [a], selector: {app: a}}
""" % HEX
MULTI_B = """istio: '1.24'
filters:
- {name: b, module: 'oci://ghcr.io/acme/b:v1', rootId: r, sha256: %s}
targets:
- {namespace: ns, filters: [b], selector: {app: b}}
""" % HEX


def case_multi_spec():
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "d"))
        write(os.path.join(tmp, "d", "1-a.yaml"), MULTI_A)
        write(os.path.join(tmp, "d", "2-b.yml"), MULTI_B)
        write(os.path.join(tmp, "d", "notes.txt"), "not a spec")
        write(os.path.join(tmp, "both.yaml"), MULTI_A + "---\n" + MULTI_B + "---\n")
        want = None
        for args in (["-f", "both.yaml"], ["-f", "d/1-a.yaml", "-f", "d/2-b.yml"], ["-f", "d"]):
            rc, out, err = run("render", *args, "-q", cwd=tmp)
            expect(rc == 0, f"render {args} exited {rc}", err)
            names = [(d["kind"], d["metadata"]["name"]) for d in docs_of(out)]
            expect(("WasmPlugin", "a") in names and ("WasmPlugin", "b") in names, f"{args}: both filters", names)
            want = want or out
            expect(out == want, f"{args}: the same bytes as one multi-document file", out)
        # Conflicts name both places.
        write(os.path.join(tmp, "c.yaml"), MULTI_B.replace("'1.24'", "'1.22'"))
        rc, out, err = run("render", "-f", "d/1-a.yaml", "-f", "c.yaml", cwd=tmp)
        expect(rc == 1 and out == "" and "c.yaml:1:" in err and "[spec.merge-conflict] istio" in err
               and "d/1-a.yaml:1:" in err, f"different istio versions exited {rc}", err)
        rc, out, err = run("render", "-f", "both.yaml", "-f", "d/1-a.yaml", cwd=tmp)
        expect(rc == 1 and "[spec.merge-duplicate-filter] filters[2].name" in err and "d/1-a.yaml:3:" in err
               and "both.yaml:3:" in err, f"a filter defined twice exited {rc}", err)
        # A later document's error has that document's line.
        write(os.path.join(tmp, "bad.yaml"), MULTI_A + "---\n" + MULTI_B.replace("rootId", "root_id"))
        rc, _, err = run("render", "-f", "bad.yaml", cwd=tmp)
        expect(rc == 1 and "bad.yaml:9:" in err and "[spec.unknown-field]" in err, "positions in the second document", err)


def case_undeploy_one_liner():
    flags = ["oci://ghcr.io/acme/f:v1", "--id", "f", "-n", "ns", "--workload", "d:app=d", "--root-id", "r",
             "--config-json", '{"a": 1}', "--istio", "1.24", "-q"]
    rc, out, err = run("undeploy", *flags)
    expect(rc == 0, f"undeploy with render's flags exited {rc}", err)
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "s.yaml"), "filters: [{name: f, module: 'oci://ghcr.io/acme/f:v1', rootId: r, "
              "config: {a: 1}}]\ntargets: [{namespace: ns, workloads: [{name: d, labels: {app: d}}]}]\n")
        rc, out2, err = run("undeploy", "-f", "s.yaml", "--istio", "1.24", "-q", cwd=tmp)
    expect(rc == 0 and out == out2 and "kind: WasmPlugin" in out, "the same removal plan as from a spec", out + out2)
    rc, _, err = run("undeploy", *flags, "--target", "kuma")
    expect(rc == 2 and "] --target:" in err, f"undeploy --target kuma exited {rc}", err)


def case_all_workloads():
    """The seed's `wasme deploy istio IMAGE --id myfilter --namespace bookinfo --config tanjunchen20`."""
    base = ["render", "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "--id", "myfilter", "--namespace",
            "bookinfo", "--config", "tanjunchen20", "--root-id", "add_header"]
    rc, out, err = run(*base, "--istio", "1.24", "--sha256", HEX)
    expect(rc == 1 and "allWorkloads" in err and "--all-workloads" in err, f"no selector exited {rc}", err)
    rc, out, err = run(*base, "--istio", "1.24", "--sha256", HEX, "--all-workloads")
    expect(rc == 0, f"--all-workloads exited {rc}", err)
    efs = [d for d in docs_of(out) if d["kind"] == "EnvoyFilter"]
    expect(efs and all("workloadSelector" not in d["spec"] for d in efs), "namespace-wide EnvoyFilter", out)


def case_root_id():
    wat = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "productpage-x-hello-configmap", "x-hello.wat")
    with tempfile.TemporaryDirectory() as tmp:
        wasm = os.path.join(tmp, "x.wasm")
        subprocess.run(["wat2wasm", wat, "-o", wasm], check=True)
        layout = os.path.join(tmp, "img")
        rc, _, err = run("build", wasm, "--root-id", "x_hello", "-o", layout)
        expect(rc == 0, "build", err)
        base = ["render", "oci://registry.example.com/x:v1", "--id", "x", "-n", "ns", "-l", "app=x",
                "--config-json", '{"a": 1}', "--istio", "1.24"]
        rc, out, err = run(*base, "--image-layout", layout)
        expect(rc == 0 and "pluginName: x_hello" in out and "filter.no-root-id" not in err
               and "[filter.root-id-from-image]" in err, "the root id comes from the image", out + err)
        rc, out, err = run(*base)
        expect(rc == 0 and "pluginName" not in out and "[filter.no-root-id] --root-id:" in err, "no root id warns", err)


def case_convert_list():
    rc, out, err = run("render", "oci://ghcr.io/acme/f:v1", "--id", "f", "-n", "ns", "-l", "app=a", "--root-id", "r",
                       "--config-json", '{"a": 1}', "--istio", "1.24", "-o", "json", "-q")
    expect(rc == 0 and json.loads(out)["kind"] == "List", "render -o json is a List", out)
    p = subprocess.run([CLI, "convert", "-f", "-", "--to", "spec"], input=out.encode(), capture_output=True, timeout=60)
    spec = yaml.safe_load(p.stdout.decode().split("---\n", 1)[1])
    expect(p.returncode == 0 and spec["filters"][0]["name"] == "f", "convert reads the List", p.stderr.decode())


def case_no_scheme_reason():
    rc, _, err = run(*ONE[:1], "ghcr.io/acme/f:v1", *ONE[2:], "-l", "app=a", "--istio", "1.24")
    expect(rc == 2 and "[module.no-scheme] MODULE:" in err and "a WasmPlugin would pull it as oci://ghcr.io/acme/f:v1"
           in err, f"a scheme-less image exited {rc}", err)
    rc, _, err = run(*ONE[:1], "localhost:5000/acme/f:v1", *ONE[2:], "-l", "app=a", "--istio", "1.24")
    expect(rc == 2 and "read 'localhost' as the URL scheme" in err, "host:port is read as a scheme", err)


def case_notes():
    rc, out, err = run(*ONE, "-l", "app=a", "--config", "x", "--sha256", HEX, "--istio", "1.24")
    expect(rc == 0 and "priority: 10" in out and "note: [envoyfilter.default-priority] --priority: priority: 10" in err,
           "the default priority is explained", err)
    expect("[naming.automatic]" in err and "<workload>-<filter>" in err, "the naming choice is explained", err)
    rc, out, err = run(*ONE[:5], "istio-system", "--root-id", "r", "-l", "app=a", "--config-json", "{}", "--istio",
                       "1.24")
    expect(rc == 0 and "[target.root-namespace]" in err and "mesh-wide" in err, "the root namespace is explained", err)


def case_example_digests():
    """The examples' digests marked as real are those of the image `wasmdeploy build` makes."""
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    wat = os.path.join(root, "examples", "productpage-x-hello-configmap", "x-hello.wat")
    with tempfile.TemporaryDirectory() as tmp:
        wasm = os.path.join(tmp, "x-hello.wasm")
        subprocess.run(["wat2wasm", wat, "-o", wasm], check=True)
        rc, out, err = run("build", wasm, "--root-id", "add_header", "-o", os.path.join(tmp, "img"))
        expect(rc == 0, "build", err)
        digest = json.load(open(os.path.join(tmp, "img", "index.json")))["manifests"][0]["digest"].split(":")[1]
    marked = 0
    for dirpath, _, files in os.walk(os.path.join(root, "examples")):
        for name in files:
            path = os.path.join(dirpath, name)
            if "expected" in path or not name.endswith((".yaml", ".yml")):
                continue
            lines = open(path, encoding="utf-8").read().split("\n")
            for i, line in enumerate(lines):
                if "cli.example_digests checks it" in line:
                    marked += 1
                    value = next(l for l in lines[i + 1:] if "sha256" in l and not l.strip().startswith("#"))
                    expect(digest in value, f"{path}:{i + 2}: the digest is {digest}", value)
    expect(marked >= 5, f"{marked} marked digests found", marked)


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
