#!/usr/bin/env python3
"""What a newcomer runs into (issue 24): usage errors in wasmdeploy's own form, undeploy without
the module's hashes, acknowledged warnings, convert -> render round trips, custom resources as
specs, completion values and the generated manual page.

  newcomer_test.py --cli build/ci/cli/wasmdeploy CASE
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402  (the runner, run(), expect() and write() of the other cli cases)
from cli_test import SHA, expect, run, write  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


ONE = ["oci://ghcr.io/acme/f:v1", "--id", "f", "-l", "app=a", "--istio", "1.24", "--root-id", "r"]


def case_unknown_flag():
    rc, out, err = run("render", "--namspace", "bookinfo", *ONE)
    expect(rc == 2 and out == "", f"misspelt flag exited {rc}", err)
    expect(err.startswith("error: [cli.unknown-flag] --namspace:") and "did you mean --namespace?" in err,
           "the misspelt flag gets a code and a did-you-mean", err)
    rc, _, err = run("render", "--istio")
    expect(rc == 2 and err.startswith("error: [cli."), f"a flag without its value exited {rc}", err)
    rc, out, _ = run("help", "render")
    expect(rc == 0 and "Usage: wasmdeploy render" in out, "help render names the program", out)


def case_short_equals():
    rc, out, err = run("render", "oci://ghcr.io/acme/f:v1", "--id", "f", "-n=bookinfo", "-l=app=a", "--istio", "1.24", "-q")
    expect(rc == 0 and "namespace: bookinfo\n" in out and "=bookinfo" not in out, f"-n=bookinfo exited {rc}", out + err)


def case_inputs_that_are_not_files():
    with tempfile.TemporaryDirectory() as tmp:
        rc, _, err = run("build", "missing.wasm", "--root-id", "x", "-o", "img", cwd=tmp)
        expect(rc == 1 and "[io.open]" in err, f"build of a missing file exited {rc} (inspect exits 1 [io.open])", err)
        os.mkdir(os.path.join(tmp, "d"))
        rc, _, err = run("build", "d", "--root-id", "x", "-o", "img", cwd=tmp)
        expect(rc == 1 and "[io.read]" in err and "d is a directory, not a file" in err, f"a directory as module: {rc}", err)


def case_dir_is_cwd():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "keep.txt"), "mine\n")
        for args in (["render", *ONE, "-o", "dir=.", "--force"], ["render", *ONE, "-o", "dir=" + tmp, "--force"],
                     ["render", *ONE, "-o", "dir=..", "--force"]):
            rc, _, err = run(*args, cwd=tmp)
            expect(rc == 2 and "[output.dir-is-cwd]" in err, f"{args[-2]} exited {rc}", err)
        expect(os.listdir(tmp) == ["keep.txt"], "the working directory is untouched", os.listdir(tmp))
        rc, _, err = run("render", *ONE, "-o", "dir=out", "--force", "-q", cwd=tmp)
        expect(rc == 0, f"a directory of its own is fine: {rc}", err)


def case_undeploy_without_hashes():
    # `wasme undeploy istio --id myfilter --namespace bookinfo`: names only.
    names = ["--id", "myfilter", "-n", "bookinfo", "--workload", "details-v1:app=details", "--istio", "1.8"]
    full = ["oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "--module-sha256", SHA, "--root-id", "add_header"]
    for extra in ([], ["--restore"]):
        rc, bare, err = run("undeploy", *names, *extra)
        expect(rc == 0, f"undeploy {' '.join(names + extra)} exited {rc}", err)
        rc, given, err2 = run("undeploy", *full, *names, *extra)
        expect(rc == 0 and bare == given, "the same removal plan as with the module and its hash", bare + given + err2)
        expect("invalid" not in bare and "0000000000" not in bare and "1111111111" not in bare, "no stand-in leaks", bare)
    expect("name: details-v1-myfilter" in bare + run("undeploy", *names)[1], "the EnvoyFilter is named by id")
    rc, _, err = run("undeploy", "-n", "bookinfo", "--istio", "1.8")
    expect(rc == 2 and "[undeploy.no-input]" in err, f"undeploy without --id exited {rc}", err)


def case_allow():
    first = ["render", "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "--id", "myfilter", "-n", "bookinfo",
             "--config", "tanjunchen20", "--workload", "details-v1:app=details,version=v1", "--root-id", "add_header",
             "--istio", "1.8.1", "--module-sha256", SHA, "--strict", "-q"]
    rc, out, err = run(*first)
    expect(rc == 1 and out == "" and "[render.strict]" in err, f"--strict without --allow exited {rc}", err)
    rc, out, err = run(*first, "--allow", "hostpath.pod-security")
    expect(rc == 0, f"--strict --allow hostpath.pod-security exited {rc}", err)
    objects = out.count("\nkind: ") - out.count("\nkind: Deployment")  # the pod-template patch is the user's
    expect(out.count("wasmdeploy.io/allowed: hostpath.pod-security\n") == objects,
           "every object wasmdeploy creates records the acknowledgement", out)
    rc, again, _ = run(*first, "--allow", "hostpath.pod-security", "--allow", "hostpath.pod-security")
    expect(again == out, "deterministic: a code given twice is recorded once")
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "s.yaml"), f"""istio: 1.8.1
options: {{allow: [hostpath.pod-security]}}
filters:
- {{name: myfilter, module: 'oci://webassemblyhub.io/tanjunchen20/add-header:v0.1', moduleSha256: {SHA},
   rootId: add_header, config: tanjunchen20}}
targets:
- namespace: bookinfo
  workloads: [{{name: details-v1, labels: {{app: details, version: v1}}}}]
""")
        rc, spec_out, err = run("render", "-f", "s.yaml", "--strict", "-q", cwd=tmp)
        expect(rc == 0 and spec_out == out, f"options.allow is --allow ({rc})", err)
        write(os.path.join(tmp, "b.yaml"), open(os.path.join(tmp, "s.yaml")).read().replace("[hostpath.pod-security]", "['Not A Code']"))
        rc, _, err = run("render", "-f", "b.yaml", cwd=tmp)
        expect(rc == 1 and "[options.allow-syntax] options.allow[0]" in err and "b.yaml:2:" in err, f"bad code: {rc}", err)


def module_with_producers(tmp, language):
    wasm = os.path.join(tmp, f"m-{language or 'none'}.wasm")
    subprocess.run(["wat2wasm", os.path.join(SOURCE, "examples", "productpage-x-hello-configmap", "x-hello.wat"),
                    "-o", wasm], check=True)
    if language:
        def name(s):
            return bytes([len(s)]) + s.encode()
        payload = name("producers") + bytes([1]) + name("language") + bytes([1]) + name(language) + name("")
        with open(wasm, "ab") as f:
            f.write(bytes([0, len(payload)]) + payload)
    return wasm


def case_root_id_any():
    with tempfile.TemporaryDirectory() as tmp:
        for language, warned in (("Rust", False), (None, True), ("C", True)):
            m = module_with_producers(tmp, language)
            rc, _, err = run("render", m, "--id", "f", "-n", "ns", "--workload", "w:app=w", "--istio", "1.24", cwd=tmp)
            expect(rc == 0 and ("[filter.no-root-id]" in err) == warned,
                   f"language {language}: filter.no-root-id {'expected' if warned else 'not expected'}", err)


def case_convert_roundtrip():
    with tempfile.TemporaryDirectory() as tmp:
        example = os.path.join(SOURCE, "examples", "productpage-x-hello-configmap")
        spec = os.path.join(tmp, "example.yaml")
        write(spec, open(os.path.join(example, "spec.yaml")).read())
        subprocess.run(["wat2wasm", os.path.join(example, "x-hello.wat"), "-o", os.path.join(tmp, "x-hello.wasm")], check=True)
        inputs = [os.path.join(SOURCE, "examples", "convert-wasme", "filterdeployment.yml")]
        write(os.path.join(tmp, "wp.yaml"), """apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: f, namespace: ns}
spec: {url: 'oci://ghcr.io/acme/f:v1', pluginConfig: {a: 1}}
""")
        inputs.append(os.path.join(tmp, "wp.yaml"))
        rc, listing, err = run("render", "-f", spec, "--istio", "1.24", "-o", "json", "-q")
        expect(rc == 0, "render of the example", err)
        write(os.path.join(tmp, "list.json"), listing)
        inputs.append(os.path.join(tmp, "list.json"))
        for i, src in enumerate(inputs):
            rc, converted, err = run("convert", "-f", src, "--to", "spec")
            expect(rc == 0, f"convert --to spec of {src} exited {rc}", err)
            path = os.path.join(tmp, f"spec{i}.yaml")
            write(path, converted)
            rc, out, err = run("render", "-f", path, "--istio", "1.24", "--module-sha256", SHA, "--sha256", SHA[::-1])
            expect(rc == 0 and "kind: " in out, f"render of the converted {src} exited {rc}", converted + err)


def case_custom_resource():
    spec = """apiVersion: wasmdeploy.io/v1alpha1
kind: WasmDeployment
metadata:
  name: hello
  namespace: demo
  labels: {team: a}
spec:
  istio: "1.24"
  filters: [{name: f, module: 'oci://ghcr.io/acme/f:v1', rootId: r}]
  targets: [{namespace: ns, selector: {app: web}}]
"""
    plain = """istio: "1.24"
filters: [{name: f, module: 'oci://ghcr.io/acme/f:v1', rootId: r}]
targets: [{namespace: ns, selector: {app: web}}]
"""
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "cr.yaml"), spec)
        write(os.path.join(tmp, "plain.yaml"), plain)
        rc, cr, err = run("render", "-f", "cr.yaml", "-q", cwd=tmp)
        expect(rc == 0, f"render -f of a WasmDeployment custom resource exited {rc}", err)
        expect(cr == run("render", "-f", "plain.yaml", "-q", cwd=tmp)[1], "the CR renders as its spec")
        write(os.path.join(tmp, "bad.yaml"), spec.replace("  targets:", "  targetz:"))
        rc, _, err = run("render", "-f", "bad.yaml", cwd=tmp)
        expect(rc == 1 and "bad.yaml:10:3: [spec.unknown-field]" in err, "positions inside spec:", err)
        write(os.path.join(tmp, "mixed.yaml"), spec + 'istio: "1.24"\n')
        rc, _, err = run("render", "-f", "mixed.yaml", cwd=tmp)
        expect(rc == 1 and "[spec.mixed-forms]" in err, f"fields both at the top and under spec: {rc}", err)
        rc, _, err = run("render", "-f", os.path.join(SOURCE, "examples", "convert-wasme", "filterdeployment.yml"), "--istio", "1.24")
        expect(rc == 1 and "wasmdeploy convert -f FILE --to spec" in err, "a FilterDeployment gets the convert hint", err)


def complete(line):
    script = run("completion", "bash")[1]
    words = line.split(" ")
    bash = (script + "\nCOMP_WORDS=(" + " ".join(f"'{w}'" for w in words) + f")\nCOMP_CWORD={len(words) - 1}\n"
            "_wasmdeploy\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    p = subprocess.run(["bash", "-c", bash], capture_output=True, text=True, timeout=30)
    return p.stdout.split()


def case_completion_values():
    expect("1.24" in complete("wasmdeploy render --istio 1.2") and "1.5" not in complete("wasmdeploy render --istio 1.2"),
           "--istio completes versions", complete("wasmdeploy render --istio 1.2"))
    expect(complete("wasmdeploy render --target ") == ["istio", "wasme", "gloo", "envoy", "envoy-gateway", "higress"],
           "--target completes platforms", complete("wasmdeploy render --target "))
    expect("spec" in complete("wasmdeploy convert --to "), "--to", complete("wasmdeploy convert --to "))
    expect("AUTHN" in complete("wasmdeploy render --phase "), "--phase", complete("wasmdeploy render --phase "))
    expect(complete("wasmdeploy render -o ") == ["yaml", "json", "dir="], "-o", complete("wasmdeploy render -o "))
    expect(complete("wasmdeploy help re") == ["render", "resolve"], "help <TAB> completes commands",
           complete("wasmdeploy help re"))


def case_man_page():
    rc, out, _ = run("man")
    expect(rc == 0 and out.startswith(".TH WASMDEPLOY 1"), "wasmdeploy man prints a manual page", out[:200])
    for word in ("render", "undeploy", "convert", "\\-\\-istio", "\\-\\-allow", ".SH EXIT STATUS"):
        expect(word in out, f"the manual page has {word}", out[:400])
    p = subprocess.run(["man", "-l", "-"], input=out, capture_output=True, text=True, env=dict(os.environ, MANWIDTH="80"))
    expect(p.returncode == 0 or "not found" in p.stderr, "man reads it", p.stderr)


CASES = {k[5:]: v for k, v in globals().items() if k.startswith("case_")}


if __name__ == "__main__":
    cli_test.CASES = CASES
    sys.exit(cli_test.main())
