#!/usr/bin/env python3
"""End-to-end checks of `wasmdeploy run` and `render --run-check` on real filters built in this
tree (tests/host/CMakeLists.txt). One case per ctest (host.<case>); exit 77 = skipped."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--modules", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("case")
    a = ap.parse_args()
    ctx = Ctx(a.cli, a.modules, a.source)
    fn = globals().get("case_" + a.case)
    if fn is None:
        sys.exit(f"unknown case {a.case}")
    result = fn(ctx)
    if result == SKIP:
        sys.exit(SKIP)
    print(f"ok: {a.case}")


class Ctx:
    def __init__(self, cli, modules, source):
        self.cli, self.modules, self.source = cli, modules, source

    def module(self, name):
        return os.path.join(self.modules, name)

    def run(self, *args, expect=0, json_out=True, cwd=None):
        cmd = [self.cli, "run", *args] + (["-o", "json"] if json_out else [])
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=cwd)
        check(p.returncode == expect, f"{cmd}: exit {p.returncode}, expected {expect}\n{p.stdout}\n{p.stderr}")
        if not json_out or expect == 2:
            return p
        return json.loads(p.stdout)


def check(cond, msg):
    if not cond:
        sys.exit("FAIL: " + msg)


def header(msg, name):
    vals = [v for k, v in msg["headers"] if k == name]
    return vals[0] if vals else None


STREAM = ["on_context_create: root", "on_vm_start: true", "on_configure: true", "on_context_create: stream"]
TAIL = ["on_done: true", "on_log", "on_delete"]


def abi_case(ctx, abi, name):
    d = ctx.run(ctx.module(name), "--root-id", "probe_root", "--config", "ok")
    check(d["abi"] == abi and d["configure"] is True and d["trap"] is None, str(d))
    check(header(d["request"], "x-probe-request-headers") == "4", "callback got the header count")
    check(header(d["request"], "x-probe-root-id") == "probe_root", "plugin_root_id property")
    check(header(d["request"], "x-probe-config") == "ok", "configuration bytes")
    check(header(d["response"], "x-probe-response") == "seen", "response headers callback")
    check(d["actions"] == STREAM + ["on_request_headers: Continue", "on_response_headers: Continue"] + TAIL, str(d["actions"]))
    logs = [l["message"] for l in d["logs"]]
    check(logs[:2] == ["on_context_create root", "on_vm_start"] or logs[1:3] == ["log level trace", "on_vm_start"], str(logs))
    return d


def case_abi_0_1_0(ctx):
    abi_case(ctx, "0.1.0", "probe10.wasm")  # 2-argument header callbacks, proxy_get_configuration


def case_abi_0_2_0(ctx):
    abi_case(ctx, "0.2.0", "probe20.wasm")


def case_abi_0_2_1(ctx):
    d = abi_case(ctx, "0.2.1", "probe21.wasm")
    check({"level": "info", "message": "log level trace"} in d["logs"], "proxy_get_log_level (0.2.1 only)")


def case_callbacks(ctx):
    d = ctx.run(ctx.module("probe20.wasm"), "--request", "POST /upload?x=1", "--request-header", "X-User: ann",
                "--request-body", "abc", "--response-status", "201", "--response-header", "Server: up",
                "--response-body", "xyz")
    check(d["actions"] == STREAM + ["on_request_headers: Continue", "on_request_body: Continue",
                                    "on_response_headers: Continue", "on_response_body: Continue"] + TAIL,
          str(d["actions"]))
    check(header(d["request"], ":method") == "POST" and header(d["request"], "x-probe-path") == "/upload?x=1", "request line")
    check(header(d["request"], "x-user") == "ann", "request headers are lower-cased like Envoy's")
    check(header(d["request"], "x-probe-request-headers") == "5", "pseudo-headers + one")
    check(d["request"]["body"] == "abc+probe", "set_buffer_bytes append: " + d["request"]["body"])
    check(d["response"]["body"] == "rewritten", "set_buffer_bytes replace")
    check(header(d["response"], ":status") == "201" and header(d["response"], "server") == "up", "response")


def case_local_reply(ctx):
    d = ctx.run(ctx.module("probe20.wasm"), "--config", "deny", "--request-body", "abc")
    r = d["local_reply"]
    check(r == {"status": 403, "details": "probe_denied", "headers": [["x-deny", "no"]], "body": "denied by probe",
                "grpc_status": -1}, str(r))
    check("on_request_body: Continue" not in d["actions"], "no request body after a local reply")
    check("proxy_send_local_response: 403" in d["actions"], str(d["actions"]))
    check(header(d["response"], ":status") == "403", "the filter sees its own reply as the response")


def case_http_call(ctx):
    d = ctx.run(ctx.module("probe20.wasm"), "--config", "call", "--http-call-status", "201", "--http-call-body", "allow")
    check(d["http_calls"] == [{"kind": "http", "upstream": "authz", "headers": [[":path", "/chk"]], "body": "q",
                               "timeout_ms": 500}], str(d["http_calls"]))
    i = d["actions"].index("on_request_headers: StopIteration")
    check(d["actions"][i + 1:i + 3] == ["on_http_call_response: token 1", "proxy_continue_stream: request"], str(d["actions"]))
    check(header(d["request"], "x-probe-call-status") == "201" and header(d["request"], "x-probe-call-body") == "allow", "call")
    d = ctx.run(ctx.module("probe10.wasm"), "--config", "call")
    check("proxy_continue_stream: request" in d["actions"], "0.1.0 proxy_continue_request")


def case_bad_config(ctx):
    d = ctx.run(ctx.module("probe20.wasm"), "--config", "reject", expect=1)
    check(d["configure"] is False and d["trap"] is None and d["request"] is None, str(d))
    check(d["actions"][-1] == "on_configure: false", str(d["actions"]))


def case_traps(ctx):
    for where, phase in [("configure", "on_configure"), ("request", "on_request_headers"),
                         ("response", "on_response_headers"), ("done", "on_done")]:
        d = ctx.run(ctx.module("probe21.wasm"), "--config", "trap:" + where, expect=1)
        check(d["trap_phase"] == phase and "UnreachableCodeReached" in d["trap"], f"{where}: {d['trap_phase']} {d['trap']}")
        check(d["actions"][-1] == phase + ": trap", str(d["actions"]))


def case_hostile_calls(ctx):
    d = ctx.run(ctx.module("probe20.wasm"), "--config", "hostile")
    # Statuses, one hex digit each: out-of-bounds log (6), huge log size (6), bad out-pointer (6),
    # no such header map (2), bad size pointer (6), malformed header pairs (3), no such property (1).
    check(header(d["response"], "x-probe-hostile") == "06662631", str(header(d["response"], "x-probe-hostile")))
    check(d["trap"] is None, "hostile calls return statuses, they do not crash or trap the host")


def case_budget(ctx):
    d = ctx.run(ctx.module("probe20.wasm"), "--config", "spin", "--instruction-budget", "5000000", expect=1)
    check("instruction budget of 5000000 exhausted in on_request_headers" in d["trap"], d["trap"])


def case_memory_cap(ctx):
    d = ctx.run(ctx.module("probe20.wasm"), "--config", "grow", "--max-memory-mib", "4")
    pages = int(header(d["request"], "x-probe-grown-pages"))
    check(0 < pages <= 64, f"grew {pages} pages under a 4 MiB (64 page) cap")
    d = ctx.run(ctx.module("probe20.wasm"), "--config", "grow")
    check(int(header(d["request"], "x-probe-grown-pages")) + pages > 64, "default cap 64 MiB")


def wat(ctx, text, name):
    wat2wasm = shutil.which("wat2wasm")
    if not wat2wasm:
        print("SKIPPED: wat2wasm unavailable")
        sys.exit(SKIP)
    d = tempfile.mkdtemp()
    src, out = os.path.join(d, name + ".wat"), os.path.join(d, name + ".wasm")
    open(src, "w").write(text)
    subprocess.run([wat2wasm, src, "-o", out], check=True)
    return out


def case_missing_imports(ctx):
    m = wat(ctx, """(module
      (import "env" "proxy_continue_stream" (func (param i32) (result i32)))
      (import "env" "proxy_frobnicate" (func (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "malloc") (param i32) (result i32) i32.const 0)
      (func (export "proxy_abi_version_0_1_0")))""", "missing")
    d = ctx.run(m, expect=1)
    check(d["loaded"] is False and d["missing_imports"] == [
        "env.proxy_continue_stream", "env.proxy_frobnicate", "wasi_snapshot_preview1.sock_accept"], str(d))
    codes = {x["code"] for x in d["diagnostics"]}
    check({"wasm.import-abi-mismatch", "wasm.import-unknown-host-function", "wasm.wasi-unsupported"} <= codes, str(codes))
    check(any("0.2.0" in x["message"] for x in d["diagnostics"]), "names the ABI that has it")


def case_exit_codes(ctx):
    m = ctx.module("probe20.wasm")
    for args in (["--request", "GET"], ["--request", "GET path"], ["--config", "a", "--config-json", "{}"],
                 [], ["--request-header", "nocolon"], ["--config-json", "{bad"], ["--filter", "x"]):
        p = subprocess.run([ctx.cli, "run", *( [m] if args != [] else []), *args], capture_output=True, text=True, timeout=60)
        check(p.returncode == 2, f"{args}: exit {p.returncode}, expected 2 (usage)\n{p.stderr}")
    p = subprocess.run([ctx.cli, "run", m, "-o", "yaml"], capture_output=True, text=True, timeout=60)
    check(p.returncode == 2, "bad -o")
    p = subprocess.run([ctx.cli, "run", m, "--config", "ok"], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0 and "configure:  true" in p.stdout, "text output\n" + p.stdout)


def case_not_wasm(ctx):
    d = tempfile.mkdtemp()
    bad = os.path.join(d, "bad.wasm")
    open(bad, "wb").write(b"\0asm\x01\0\0\0\x01\xff")
    r = ctx.run(bad, expect=1)
    check(r["loaded"] is False and r["trap_phase"] == "load" and "valid WebAssembly" in r["trap"], str(r))
    p = subprocess.run([ctx.cli, "run", os.path.join(d, "absent.wasm")], capture_output=True, text=True, timeout=60)
    check(p.returncode == 1, "missing file is exit 1")


SPEC = """apiVersion: wasmdeploy.io/v1alpha1
kind: WasmDeployment
filters:
- name: probe
  module: ./probe.wasm
  rootId: probe_root
  config: {CONFIG}
targets:
- namespace: demo
  workloads: [{{name: web, labels: {{app: web}}}}]  # a local module on 1.11 needs a workload to mount it
"""


def spec_dir(ctx, config):
    d = tempfile.mkdtemp()
    shutil.copy(ctx.module("probe20.wasm"), os.path.join(d, "probe.wasm"))
    open(os.path.join(d, "spec.yaml"), "w").write(SPEC.format(CONFIG=config))
    return d


def case_spec_run(ctx):
    d = spec_dir(ctx, "{zeta: 1, alpha: [x, {b: true, a: 2.5}]}")
    spec = os.path.join(d, "spec.yaml")
    # 1.24: a WasmPlugin; istiod hands pluginConfig over as compact JSON with sorted keys.
    r = ctx.run("-f", spec, "--filter", "probe", "--istio", "1.24")
    check(header(r["request"], "x-probe-config") == '{"alpha":["x",{"a":2.5,"b":true}],"zeta":1}', str(header(r["request"], "x-probe-config")))
    check(header(r["request"], "x-probe-root-id") == "probe_root", "rootId from the spec")
    # 1.11: an EnvoyFilter whose StringValue keeps the spec's order.
    r = ctx.run("-f", spec, "--filter", "probe", "--istio", "1.11")
    check(header(r["request"], "x-probe-config") == '{"zeta":1,"alpha":["x",{"b":true,"a":2.5}]}', str(header(r["request"], "x-probe-config")))
    r = ctx.run("-f", os.path.join(spec_dir(ctx, "deny"), "spec.yaml"), "--filter", "probe", "--istio", "1.8")
    check(r["local_reply"]["status"] == 403, "a string config is delivered raw")
    p = ctx.run("-f", spec, "--filter", "nope", "--istio", "1.24", expect=1, json_out=False)
    check("no filter named 'nope'" in p.stderr, p.stderr)
    p = ctx.run("-f", spec, "--filter", "probe", "--config", "x", expect=2, json_out=False)


def case_oci_layout(ctx):
    d = tempfile.mkdtemp()
    img = os.path.join(d, "img")
    p = subprocess.run([ctx.cli, "build", ctx.module("probe20.wasm"), "--root-id", "probe_root", "-o", img],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, p.stderr)
    r = ctx.run(img, "--root-id", "probe_root", "--config", "deny")  # the module inside the image layout
    check(r["local_reply"]["status"] == 403, str(r["local_reply"]))
    # A spec filter pinned by the layout `build` wrote runs that module with the spec's config.
    open(os.path.join(d, "spec.yaml"), "w").write(
        "filters:\n- name: probe\n  module: oci://registry.example/probe:v1\n  imageLayout: img\n"
        "  rootId: probe_root\n  config: {mode: x}\ntargets:\n- namespace: demo\n  selector: {app: web}\n")
    r = ctx.run("-f", os.path.join(d, "spec.yaml"), "--filter", "probe", "--istio", "1.24")
    check(header(r["request"], "x-probe-config") == '{"mode":"x"}', str(r["request"]))
    open(os.path.join(d, "remote.yaml"), "w").write(
        "filters:\n- name: probe\n  module: oci://registry.example/probe:v1\n  config: {mode: x}\n"
        "targets:\n- namespace: demo\n  selector: {app: web}\n")
    p = ctx.run("-f", os.path.join(d, "remote.yaml"), "--filter", "probe", "--istio", "1.24", expect=1, json_out=False)
    check("[run.module-not-local] filters[0].module" in p.stderr, p.stderr)


def case_run_check(ctx):
    d = spec_dir(ctx, "reject")
    spec = os.path.join(d, "spec.yaml")
    p = subprocess.run([ctx.cli, "render", "-f", spec, "--istio", "1.24", "--run-check"], capture_output=True, text=True, timeout=60)
    check(p.returncode == 1 and p.stdout == "", f"exit {p.returncode}, stdout {p.stdout!r}")
    check(re.search(r"spec\.yaml:\d+:\d+: \[host\.configure-rejected\] filters\[0\]\.config: ", p.stderr), p.stderr)
    check("configuration rejected" in p.stderr, "the guest's own log is quoted")
    d = spec_dir(ctx, "trap:configure")
    p = subprocess.run([ctx.cli, "render", "-f", os.path.join(d, "spec.yaml"), "--istio", "1.24", "--run-check"],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 1 and "[host.trap] filters[0].module" in p.stderr, p.stderr)
    d = spec_dir(ctx, "ok")
    p = subprocess.run([ctx.cli, "render", "-f", os.path.join(d, "spec.yaml"), "--istio", "1.24", "--run-check"],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0 and "kind: EnvoyFilter" in p.stdout and "host.configured" in p.stderr, p.stderr)
    p = subprocess.run([ctx.cli, "render", "-f", os.path.join(spec_dir(ctx, "reject"), "spec.yaml"), "--istio", "1.24"],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, "without --run-check the module is not run")


def case_wasi_reactor(ctx):
    m = ctx.module("wasi_reactor.wasm")
    if not os.path.exists(m):
        print("SKIPPED: wasi-libc unavailable")
        return SKIP
    d = ctx.run(m, "--env", "GREETING=hola")
    check(header(d["response"], "x-greeting") == "hola", "environ from the VM env, read in a constructor run by _initialize")
    check({"level": "info", "message": "wasi filter started (root 1, vm config 0 bytes)"} in d["logs"], str(d["logs"]))
    check({"level": "error", "message": "configured with 0 bytes"} in d["logs"], "stderr is logged as error")


def case_as_add_header(ctx):
    m = ctx.module("as_add_header.wasm")
    if not os.path.exists(m):
        print("SKIPPED: AssemblyScript toolchain unavailable (tests/conformance/setup-tools.sh --only as-filter)")
        return SKIP
    check(16000 < os.path.getsize(m) < 20000, f"the 17 KB module ({os.path.getsize(m)} bytes)")
    d = ctx.run(m, "--root-id", "add_header", "--config", "tanjunchen20")
    check(d["abi"] == "0.2.0" and header(d["response"], "hello") == "tanjunchen20", str(d["response"]))
    d = ctx.run(m, "--root-id", "add_header", "--config", "world!")
    check(header(d["response"], "hello") == "world!", str(d["response"]))
    # Without plugin_root_id matching a registered root context the runtime aborts (proc_exit 255).
    d = ctx.run(m, "--root-id", "other", "--config", "x", expect=1)
    check("proc_exit(255)" in d["trap"] and d["trap_phase"] == "on_context_create", d["trap"])
    check(any("Missing root context factory for root id: other" in l["message"] for l in d["logs"]), str(d["logs"]))
    # An empty configuration: proxy-runtime 0.1.8's onConfigure passes the configuration size as
    # the size out-pointer; with 0 bytes the host writes (0, 0) (cpp-host get_buffer_bytes) and
    # the runtime decodes a null buffer: the template filter traps in Envoy exactly so.
    d = ctx.run(m, "--root-id", "add_header", expect=1)
    check(d["trap_phase"] == "on_configure" and "MemoryOutOfBounds" in d["trap"], str(d["trap"]))


def readme_block(source, name):
    text = open(os.path.join(source, "README.md")).read()
    m = re.search(r"<!-- test: " + re.escape(name) + r" -->\n```sh\n(.*?)```", text, re.S)
    check(m is not None, f"README.md has no sh block marked <!-- test: {name} -->")
    return m.group(1)


def case_readme(ctx):
    m = ctx.module("as_add_header.wasm")
    if not os.path.exists(m):
        print("SKIPPED: AssemblyScript toolchain unavailable")
        return SKIP
    block = readme_block(ctx.source, "host.readme")
    d = tempfile.mkdtemp()
    shutil.copy(m, os.path.join(d, "add-header.wasm"))
    shutil.copy(ctx.module("probe20.wasm"), os.path.join(d, "probe.wasm"))
    # The spec the README shows above the block (`<!-- file: tests/host/readme/spec.yaml -->`).
    shutil.copy(os.path.join(ctx.source, "tests", "host", "readme", "spec.yaml"), os.path.join(d, "spec.yaml"))
    env = dict(os.environ, PATH=os.path.dirname(ctx.cli) + os.pathsep + os.environ["PATH"])
    outputs = []
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        em = re.search(r"#\s*exit\s+(\d+)\s*$", line)
        want = int(em.group(1)) if em else 0
        p = subprocess.run(["sh", "-c", line], capture_output=True, text=True, timeout=60, cwd=d, env=env)
        check(p.returncode == want, f"README line {line!r}: exit {p.returncode}, expected {want}\n{p.stdout}\n{p.stderr}")
        outputs.append(p.stdout + p.stderr)
    check(any("hello: tanjunchen20" in o for o in outputs), "the README's run shows the header")


if __name__ == "__main__":
    main()
