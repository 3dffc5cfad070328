#!/usr/bin/env python3
"""The controller and registries (issues 23 and 19), on a real kube-apiserver with real registries
(Debian's docker-registry, TLS, one anonymous as wasme's public hub was, one with htpasswd; the
harness of tests/registry), the controller running as its own ServiceAccount with exactly the RBAC
`operator-manifests` renders.

- Seed 002's FilterDeployment, exactly as the seed writes it (no annotation), reconciles on Istio
  1.24, 1.12 and 1.8.1: the controller resolves webassemblyhub.io/ceposta/demo-add-header:v0.2 at
  the registry (--registry-mirrors points webassemblyhub.io at the test registry) and renders
  the manifest digest (1.12+) or the module's sha256 (the 1.8.1 node cache).
- A same-tag push is picked up within --registry-resolve-interval.
- Pull secrets: read by name in the object's own namespace only (missing, in another namespace,
  wrong password, credential helpers), for FilterDeployments and WasmDeployments.
- Registry failures (missing tag, a registry that never answers, a host not allowed) are a
  Resolved=False condition with the code, retried, never a crash; a pinned object never
  reaches the network.
- A user's own edits to workload annotations survive the controller's apply and delete.
- Least privilege: what the ServiceAccount may and may not do; the owner-label sweep works with it.
"""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import ctl
from ctl import NS, Controller, condition, get, wait_for

sys.path.insert(0, str(ctl.ROOT / "tests" / "registry"))
import registry_test as reg  # noqa: E402
sys.path.insert(0, str(ctl.ROOT / "tests" / "lib"))
from wasm_bytes import leb128  # noqa: E402

SA = f"system:serviceaccount:{NS}:wasmdeploy-controller"
IMAGE = "webassemblyhub.io/ceposta/demo-add-header:v0.2"
# Seed 002 (istio.io blog, "Declarative deployment of WebAssembly extensions"), as written.
SEED_FD = """apiVersion: wasme.io/v1
kind: FilterDeployment
metadata:
  name: bookinfo-custom-filter
  namespace: bookinfo
spec:
  deployment:
    istio:
      kind: Deployment
      labels:
        app: details
  filter:
    config: 'world'
    image: webassemblyhub.io/ceposta/demo-add-header:v0.2
"""
USER_ANNOTATIONS = {"team.example/owner": "a", "prometheus.io/scrape": "true"}


def check(ok, what):
    if not ok:
        raise AssertionError(what)
    print(f"ok: {what}", flush=True)


def apply(api, obj):
    api.kubectl("apply", "--server-side", "-f", "-", input=obj if isinstance(obj, str) else json.dumps(obj))


def workload(name, ns, app, annotations=None):
    tmpl = {"labels": {"app": app}}
    if annotations:
        tmpl["annotations"] = dict(annotations)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
            "spec": {"selector": {"matchLabels": {"app": app}},
                     "template": {"metadata": tmpl, "spec": {"containers": [{"name": app, "image": f"registry.invalid/{app}:v1"}]}}}}


def set_istiod(api, tag, ns="istio-system"):
    image = "docker.io/istio/pilot" + (f":{tag}" if tag else "")
    if get(api, "deployment", "-n", ns, "istiod") is None:
        api.kubectl("create", "namespace", ns)
        api.kubectl("create", "deployment", "istiod", "-n", ns, f"--image={image}")
        api.kubectl("patch", "deployment", "istiod", "-n", ns, "--type=json",
                    "-p", '[{"op":"replace","path":"/spec/template/spec/containers/0/name","value":"discovery"}]')
    else:
        api.kubectl("set", "image", "deployment/istiod", "-n", ns, f"discovery={image}")


def fd_status(api, ns, name, typ, status="True", reason=None):
    o = get(api, "filterdeployment", "-n", ns, name)
    c = condition(o, typ)
    if c and c["status"] == status and (reason is None or c.get("reason") == reason) and \
            c.get("observedGeneration") == o["metadata"]["generation"]:
        return o
    return None


def wd_status(api, ns, name, typ, status="True"):
    o = get(api, "wasmdeployment", "-n", ns, name)
    c = condition(o, typ)
    return o if c and c["status"] == status else None


def resolve_failed(api, resource, ns, name, code, timeout=60):
    """Resolved=False carrying [code], Ready=False (ResolveFailed), not Refused."""
    def failed():
        o = get(api, resource, "-n", ns, name)
        c = condition(o, "Resolved")
        return o if c and c["status"] == "False" and f"[{code}]" in c.get("message", "") else None
    o = wait_for(f"{resource} {ns}/{name} Resolved=False [{code}]", failed, timeout=timeout)
    ready, refused = condition(o, "Ready"), condition(o, "Refused")
    check(ready["status"] == "False" and ready["reason"] == "ResolveFailed" and refused["status"] == "False",
          f"{ns}/{name}: [{code}] is Ready=False/ResolveFailed, not a refusal: {condition(o, 'Resolved')['message'][:200]}")
    return o


def objects(api, resource, ns):
    return {i["metadata"]["name"]: i for i in (get(api, resource, "-n", ns) or {}).get("items", [])}


def with_custom_section(module, out, text):
    """The same module with one more custom section: other bytes, other sha256, still valid."""
    name, data = b"wasmdeploy-test", text.encode()
    payload = leb128(len(name)) + name + data
    with open(module, "rb") as f, open(out, "wb") as g:
        g.write(f.read() + b"\x00" + leb128(len(payload)) + payload)
    return out


def can_i(api, verb, resource, ns=None):
    args = ["auth", "can-i", verb, resource, f"--as={SA}"] + (["-n", ns] if ns else [])
    return api.kubectl(*args, check=False).stdout.strip() == "yes"


def run(api, cli_path, binary, work):
    manifests = os.path.join(work, "operator.yaml")
    with open(manifests, "w") as f:
        f.write(ctl.cli(cli_path, "operator-manifests", "--image", "registry.invalid/wasmdeploy-controller:test",
                        "--node-cache-namespaces", "bookinfo").stdout)
    api.kubectl("create", "namespace", NS)
    api.kubectl("apply", "--server-side", "-f", manifests)
    api.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/wasmdeployments.wasmdeploy.io",
                "crd/filterdeployments.wasme.io")
    for ns in ("bookinfo", "tenant-a", "tenant-b"):
        api.kubectl("create", "namespace", ns)
    for w in (workload("details-v1", "bookinfo", "details", USER_ANNOTATIONS), workload("productpage-v1", "bookinfo", "productpage"),
              workload("web", "tenant-a", "web")):
        apply(api, w)
    set_istiod(api, "1.24.0")

    # Two registries with the tests/registry harness: an anonymous one standing in for
    # webassemblyhub.io (public, as wasme's hub was) and a private one (htpasswd).
    anon_dir, auth_dir = os.path.join(work, "anon"), os.path.join(work, "auth")
    for d in (anon_dir, auth_dir):
        os.makedirs(d)
        reg.make_tls(d)
    ca = os.path.join(work, "ca.pem")
    with open(ca, "w") as f:
        f.write(open(os.path.join(anon_dir, "cert.pem")).read() + open(os.path.join(auth_dir, "cert.pem")).read())
    subprocess.run(f"htpasswd -Bbn {reg.USER} {reg.PASSWORD} > htpasswd", shell=True, cwd=auth_dir, check=True, timeout=60)
    public = reg.Registry(anon_dir, "", tls=True, lifetime=1500)
    private = reg.Registry(auth_dir, "auth:\n  htpasswd:\n    realm: wasmdeploy-test\n    path: htpasswd\n", tls=True, lifetime=1500)
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(8)
    hanging = f"127.0.0.1:{hang.getsockname()[1]}"
    cli = reg.Cli(os.path.abspath(cli_path), work)
    module = reg.make_module(str(ctl.ROOT), work)
    v1 = reg.build_image(cli, module, out="img-v1")
    v1_module = reg.sha256_file(module)
    cli.ok("push", "img-v1", f"oci://{public.address}/ceposta/demo-add-header:v0.2", "--ca-file", ca)
    cli.ok("push", "img-v1", f"oci://{private.address}/team/filter:v1", "--ca-file", ca, "-u", reg.USER, "--password-stdin",
           stdin=reg.PASSWORD + "\n")

    # A credential helper a tenant's Secret might name: it must never run.
    helpers = os.path.join(work, "helpers")
    os.makedirs(helpers)
    marker = os.path.join(work, "helper-ran")
    with open(os.path.join(helpers, "docker-credential-evil"), "w") as f:
        f.write(f"#!/bin/sh\ntouch {marker}\necho '{{\"Username\":\"{reg.USER}\",\"Secret\":\"{reg.PASSWORD}\"}}'\n")
    os.chmod(os.path.join(helpers, "docker-credential-evil"), 0o755)
    os.environ["PATH"] = helpers + os.pathsep + os.environ["PATH"]

    kubeconfig = ctl.service_account_kubeconfig(api, work)
    interval = 4
    # The registry flags come from the install: operator-manifests with --controller-flag and
    # --registry-ca-configmap, applied to the API server; the controller runs with the args of
    # the Deployment it stored (out of cluster, so the CA is the local file the ConfigMap holds).
    # First the README's block, verbatim (its ConfigMap holds the registries' CA).
    text = open(ctl.ROOT / "README.md", encoding="utf-8").read()
    blocks = [m.group(1) for m in re.finditer(r"^<!-- test: controller\.registry -->\n```sh\n(.*?)^```$", text, re.M | re.S)]
    check(len(blocks) == 1, "one README block is marked controller.registry")
    readme_dir = os.path.join(work, "readme")
    os.makedirs(readme_dir)
    shutil.copy(ca, os.path.join(readme_dir, "corp-ca.pem"))
    env = api.env()
    env["PATH"] = os.path.dirname(os.path.abspath(cli_path)) + os.pathsep + env["PATH"]
    for attempt in ("runs", "runs again (rerunnable)"):
        p = subprocess.run(["bash", "-euo", "pipefail", "-c", blocks[0]], cwd=readme_dir, env=env, capture_output=True,
                           text=True, timeout=120)
        check(p.returncode == 0, f"the README's registry install block {attempt} ({p.stderr.strip()[-300:]})")
    stored = get(api, "deployment", "wasmdeploy-controller", "-n", NS)["spec"]["template"]["spec"]
    check("--registry-hosts=registry.example.com,ghcr.io" in stored["containers"][0]["args"] and
          stored["volumes"][0]["configMap"]["name"] == "registry-ca", "and installs the flags and the CA volume it names")
    with open(manifests, "w") as f:
        f.write(ctl.cli(cli_path, "operator-manifests", "--image", "registry.invalid/wasmdeploy-controller:test",
                        "--node-cache-namespaces", "bookinfo", "--registry-ca-configmap", "registry-ca",
                        "--controller-flag", f"registry-mirrors=webassemblyhub.io={public.address}",
                        "--controller-flag", f"registry-hosts=webassemblyhub.io,{private.address},{hanging},registry.invalid",
                        "--controller-flag", f"registry-resolve-interval={interval}s",
                        "--controller-flag", "registry-timeout=3s", "--controller-flag", "registry-retries=0").stdout)
    api.kubectl("apply", "--server-side", "-f", manifests)
    pod = get(api, "deployment", "wasmdeploy-controller", "-n", NS)["spec"]["template"]["spec"]
    container = pod["containers"][0]
    mounted = f"{container['volumeMounts'][0]['mountPath']}/ca.crt"
    check(f"--registry-ca-file={mounted}" in container["args"] and pod["volumes"][0]["configMap"]["name"] == "registry-ca",
          f"operator-manifests mounts the CA ConfigMap and passes --registry-ca-file={mounted}")
    flags = [f"--registry-ca-file={ca}" if a == f"--registry-ca-file={mounted}" else a for a in container["args"]
             if a.startswith(("--registry-", "--node-cache-namespaces"))]
    check(len(flags) == 7, f"the Deployment's registry flags: {flags}")
    c = Controller(binary, kubeconfig, work, extra=flags).start()
    try:
        digests = at_1_24(api, cli, c, ca, public, private, hanging, v1, module, work, interval, marker)
        c.stop()
        for tag in ("1.12.0", "1.8.1"):
            set_istiod(api, tag)
            c.start()
            seed_ready(api, tag, digests)
            if tag == "1.8.1":
                at_1_8(api, c)
            else:
                c.stop()
        rbac(api)
        check(c.proc.poll() is None, "the controller never exited through all registry failures")
        c.stop()
        limits(api, c, binary, private)
    except BaseException:
        print("--- controller log ---\n" + c.tail(80), flush=True)
        raise
    finally:
        rc = c.stop()
        public.stop()
        private.stop()
        hang.close()
    check(rc == 0, f"controller stops cleanly (exit {rc})")


def seed_ready(api, tag, digests):
    manifest, module_sha = digests
    t0 = time.monotonic()
    # Ready for this mesh version (the status of the previous run says Ready too).
    o = wait_for(f"seed Ready on {tag}", lambda: (lambda o: o if o and o["status"].get("istio") == tag else None)(
        fd_status(api, "bookinfo", "bookinfo-custom-filter", "Ready")), timeout=90)
    resolved = condition(o, "Resolved")
    check(resolved["status"] == "True" and manifest in resolved["message"],
          f"Istio {tag}: the seed's FilterDeployment, as written, is Ready ({time.monotonic() - t0:.1f}s); Resolved: "
          f"{resolved['message'][:160]}")
    if tag != "1.8.1":
        # The seed's config is a string, which only an EnvoyFilter carries (WasmPlugin's
        # pluginConfig is an object): from 1.12 it fetches the image itself, pinned by sha256.
        efs = wait_for(f"{tag} EnvoyFilter", lambda: objects(api, "envoyfilters.networking.istio.io", "bookinfo"))
        text = json.dumps(efs)
        check(f'"sha256": "{manifest[7:]}"' in text and IMAGE in text and "wasme-cache" not in text,
              f"{tag}: an EnvoyFilter fetching the image remotely, pinned by the manifest digest {manifest[:19]}...")
    else:
        efs = wait_for("1.8.1 EnvoyFilter", lambda: objects(api, "envoyfilters.networking.istio.io", "bookinfo"))
        check(f"/var/local/lib/wasme-cache/{module_sha}" in json.dumps(efs),
              "1.8.1: the EnvoyFilter reads the node cache file named by the module's sha256")
        cms = objects(api, "configmaps", "wasme")
        check(any(IMAGE in json.dumps(cm.get("data", {})) for cm in cms.values()), "1.8.1: the node cache pulls the seed's image")


def at_1_24(api, cli, c, ca, public, private, hanging, v1, module, work, interval, marker):
    apply(api, SEED_FD)
    seed_ready(api, "1.24.0", (v1, reg.sha256_file(module)))

    # A same-tag push: a new module under v0.2 is rendered within the re-resolve interval.
    v2_module = with_custom_section(module, os.path.join(work, "filter-v2.wasm"), "v2")
    v2 = reg.build_image(cli, v2_module, out="img-v2")
    t0 = time.monotonic()
    cli.ok("push", "img-v2", f"oci://{public.address}/ceposta/demo-add-header:v0.2", "--ca-file", ca)
    wait_for("the moved tag rendered", lambda: v2[7:] in json.dumps(objects(api, "envoyfilters.networking.istio.io", "bookinfo")),
             timeout=interval * 4 + 20)
    took = time.monotonic() - t0
    check(took < interval * 3 + 10, f"a same-tag push is rendered in {took:.1f}s (--registry-resolve-interval={interval}s)")
    o = fd_status(api, "bookinfo", "bookinfo-custom-filter", "Ready")
    check(o and v2 in condition(o, "Resolved")["message"], "the Resolved condition names the new digest")

    # Pull secrets, from the object's own namespace only.
    private_ref = f"{private.address}/team/filter:v1"
    fd = {"apiVersion": "wasme.io/v1", "kind": "FilterDeployment", "metadata": {"name": "private", "namespace": "tenant-a"},
          "spec": {"deployment": {"istio": {"kind": "Deployment", "labels": {"app": "web"}}},
                   "filter": {"image": private_ref, "rootID": "add_header", "imagePullOptions": {"pullSecret": "regcred"}}}}
    apply(api, fd)
    resolve_failed(api, "filterdeployment", "tenant-a", "private", "controller.pull-secret")

    def secret(ns, password=reg.PASSWORD, config=None):
        auth = base64.b64encode(f"{reg.USER}:{password}".encode()).decode()
        cfg = config or {"auths": {private.address: {"auth": auth}}}
        api.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": "regcred", "namespace": ns},
            "data": {".dockerconfigjson": base64.b64encode(json.dumps(cfg).encode()).decode()}}))
    secret("tenant-b")
    time.sleep(interval + 2)
    resolve_failed(api, "filterdeployment", "tenant-a", "private", "controller.pull-secret")
    check(True, "a pull secret of the same name in another namespace is not used")
    secret("tenant-a", config={"credHelpers": {private.address: "evil"}, "credsStore": "evil"})
    resolve_failed(api, "filterdeployment", "tenant-a", "private", "registry.unauthorized", timeout=interval * 3 + 20)
    check(not os.path.exists(marker), "a credential helper named by a tenant's Secret never runs on the controller")
    secret("tenant-a", password="wrong")
    time.sleep(interval + 2)
    resolve_failed(api, "filterdeployment", "tenant-a", "private", "registry.unauthorized")
    secret("tenant-a")
    t0 = time.monotonic()
    o = wait_for("private Ready", lambda: fd_status(api, "tenant-a", "private", "Ready"), timeout=interval * 4 + 30)
    check(v1 in condition(o, "Resolved")["message"], f"with the right Secret in its namespace it resolves and is Ready "
          f"(retried {time.monotonic() - t0:.1f}s after the fix)")
    wp = objects(api, "wasmplugins.extensions.istio.io", "tenant-a")
    check(any(p["spec"].get("sha256") == v1[7:] and p["spec"].get("imagePullSecret") == "regcred" for p in wp.values()),
          "its WasmPlugin carries the digest and the pull secret (for istio-agent)")
    wd = {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment", "metadata": {"name": "wd-private", "namespace": "tenant-a"},
          "filters": [{"name": "wd-private", "module": f"oci://{private_ref}", "rootId": "add_header", "imagePullSecret": "regcred"}],
          "targets": [{"selector": {"app": "web"}}]}
    apply(api, wd)
    wait_for("wd-private Ready", lambda: wd_status(api, "tenant-a", "wd-private", "Ready"))
    check(objects(api, "wasmplugins.extensions.istio.io", "tenant-a")["wd-private"]["spec"].get("sha256") == v1[7:],
          "a WasmDeployment's oci:// module without sha256 is resolved with its imagePullSecret")

    # Failures: a condition with the code, never a crash, the others unaffected.
    def wd_at(name, module, **f):
        return {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment", "metadata": {"name": name, "namespace": "tenant-a"},
                "filters": [{"name": name, "module": module, "rootId": "add_header", **f}], "targets": [{"selector": {"app": "web"}}]}
    apply(api, wd_at("missing", f"oci://{private_ref[:-3]}:nope", imagePullSecret="regcred"))
    resolve_failed(api, "wasmdeployment", "tenant-a", "missing", "registry.not-found")
    t0 = time.monotonic()
    apply(api, wd_at("hangs", f"oci://{hanging}/x/y:v1"))
    apply(api, wd_at("elsewhere", "oci://evil.invalid/x/y:v1"))
    resolve_failed(api, "wasmdeployment", "tenant-a", "elsewhere", "controller.registry-host")
    resolve_failed(api, "wasmdeployment", "tenant-a", "hangs", "registry.timeout")
    check(time.monotonic() - t0 < 30, f"a registry that never answers is reported within the bound ({time.monotonic() - t0:.1f}s)")
    ev = get(api, "events", "-n", "tenant-a", "--field-selector", "involvedObject.name=hangs,reason=ResolveFailed")
    check(ev and ev["items"], "a ResolveFailed Event")
    apply(api, wd_at("pinned", "oci://registry.invalid/x/y:v1", sha256="ab" * 32))
    o = wait_for("pinned Ready", lambda: wd_status(api, "tenant-a", "pinned", "Ready"))
    check(condition(o, "Resolved")["reason"] == "Pinned", "an object pinning its digest is rendered offline (Resolved: Pinned)")
    set_istiod(api, None, ns="istio-notag")
    notag = json.loads(json.dumps(fd))
    notag["metadata"]["name"] = "notag"
    notag["spec"]["deployment"]["istio"]["istioNamespace"] = "istio-notag"
    apply(api, notag)
    o = wait_for("notag Refused", lambda: fd_status(api, "tenant-a", "notag", "Refused"))
    check(o["status"]["refusal"]["code"] == "controller.istio-version",
          "an istiod image without a version tag is Refused (controller.istio-version), not retried")
    api.kubectl("delete", "filterdeployment", "-n", "tenant-a", "notag", "--timeout=60s")
    gloo = dict(wd_at("gloo", "oci://registry.invalid/x/y:v1", sha256="ab" * 32), options={"platform": "gloo"})
    apply(api, gloo)
    o = wait_for("gloo Refused", lambda: wd_status(api, "tenant-a", "gloo", "Refused"))
    check(o["status"]["refusal"]["code"] == "controller.platform", "another platform than Istio is Refused (controller.platform)")
    patched = dict(wd, filters=[dict(wd["filters"][0], config={"after": "failures"})])
    apply(api, patched)
    wait_for("others still converge", lambda: "failures" in json.dumps(objects(api, "wasmplugins.extensions.istio.io", "tenant-a")["wd-private"]))
    check(True, "other objects converge while registries fail")
    for name in ("missing", "hangs", "elsewhere", "pinned", "gloo", "wd-private"):
        api.kubectl("delete", "wasmdeployment", "-n", "tenant-a", name, "--timeout=60s")
    api.kubectl("delete", "filterdeployment", "-n", "tenant-a", "private", "--timeout=60s")
    return v2, reg.sha256_file(v2_module)


def pod_annotations(api, ns, name):
    return get(api, "deployment", "-n", ns, name)["spec"]["template"]["metadata"].get("annotations", {})


def at_1_8(api, c):
    """A user's own edits to a patched workload's annotations survive apply and delete; the
    owner-label sweep (finalizer removed by hand) works with the namespaced node-cache Role."""
    ann = pod_annotations(api, "bookinfo", "details-v1")
    check("sidecar.istio.io/userVolume" in ann and ann["team.example/owner"] == "a", "1.8.1: details-v1 mounts the node cache")
    api.kubectl("patch", "deployment", "-n", "bookinfo", "details-v1", "--type=merge", "-p", json.dumps(
        {"spec": {"template": {"metadata": {"annotations": {"team.example/owner": "b", "team.example/note": "mine",
                                                            "prometheus.io/scrape": None}}}}}))
    # The edit moves the generation: the watch reconciles (re-applies) at once; then a spec change does.
    api.kubectl("patch", "filterdeployment", "-n", "bookinfo", "bookinfo-custom-filter", "--type=merge",
                "-p", '{"spec":{"filter":{"config":"tomorrow"}}}')
    wait_for("re-applied", lambda: fd_status(api, "bookinfo", "bookinfo-custom-filter", "Ready") and
             "tomorrow" in json.dumps(objects(api, "envoyfilters.networking.istio.io", "bookinfo")))
    ann = pod_annotations(api, "bookinfo", "details-v1")
    check(ann.get("team.example/owner") == "b" and ann.get("team.example/note") == "mine" and "prometheus.io/scrape" not in ann
          and "sidecar.istio.io/userVolume" in ann, f"the user's edits survive the controller's apply ({sorted(ann)})")

    # A second owner, its finalizer removed by hand: the sweep by owner label finds its objects
    # with the namespaced Role (ConfigMap, ServiceAccount, Role, RoleBinding listed in wasme).
    second = SEED_FD.replace("bookinfo-custom-filter", "second").replace("app: details", "app: productpage")
    apply(api, second)
    wait_for("second Ready", lambda: fd_status(api, "bookinfo", "second", "Ready"))
    cache = [n for n in objects(api, "daemonsets", "wasme") if "second" in n]
    check(cache, f"the second owner's node cache {cache}")
    api.kubectl("patch", "filterdeployment", "-n", "bookinfo", "second", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    api.kubectl("delete", "filterdeployment", "-n", "bookinfo", "second", "--timeout=60s")
    wait_for("swept", lambda: not [n for kind in ("daemonsets", "configmaps", "serviceaccounts", "roles", "rolebindings")
                                   for n in objects(api, kind, "wasme") if "second" in n], timeout=60)
    check(True, "the sweep removed the hand-orphaned owner's node cache objects in wasme")
    wait_for("productpage restored", lambda: "sidecar.istio.io/userVolume" not in pod_annotations(api, "bookinfo", "productpage-v1"))
    check(True, "and restored its workload")

    api.kubectl("delete", "filterdeployment", "-n", "bookinfo", "bookinfo-custom-filter", "--timeout=90s")
    ann = pod_annotations(api, "bookinfo", "details-v1")
    check(ann == {"team.example/owner": "b", "team.example/note": "mine"},
          f"after delete the workload has exactly the user's edited annotations ({ann})")
    check(not objects(api, "envoyfilters.networking.istio.io", "bookinfo"), "no EnvoyFilter left")


def limits(api, c, binary, private):
    """--registry-max-blob-bytes reaches the library; bad registry flags are usage errors (exit 2)."""
    c.extra = [f for f in c.extra if not f.startswith("--registry-max-blob-bytes")] + ["--registry-max-blob-bytes=16"]
    c.start()
    wd = {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment", "metadata": {"name": "big", "namespace": "tenant-a"},
          "filters": [{"name": "big", "module": f"oci://{private.address}/team/filter:v1", "rootId": "add_header",
                       "imagePullSecret": "regcred"}], "targets": [{"selector": {"app": "web"}}]}
    apply(api, wd)
    resolve_failed(api, "wasmdeployment", "tenant-a", "big", "registry.too-large")
    for bad in ("--registry-mirrors=webassemblyhub.io", "--registry-retries=11", "--registry-resolve-interval=0s",
                "--registry-timeout=-1s", "--registry-max-blob-bytes=0"):
        p = subprocess.run([binary, bad, "--kubeconfig=/nonexistent"], capture_output=True, text=True, timeout=60)
        check(p.returncode == 2 and bad.split("=")[0] in p.stderr, f"{bad} is a usage error (exit {p.returncode})")


def rbac(api):
    """The rendered RBAC: cluster-wide only what any namespace needs; the node cache's kinds in wasme only."""
    for verb, res, ns in (("get", "secrets", "tenant-a"), ("patch", "deployments", "tenant-a"),
                          ("create", "daemonsets", "wasme"), ("create", "configmaps", "wasme"),
                          ("create", "roles", "wasme"), ("create", "envoyfilters.networking.istio.io", "tenant-a")):
        check(can_i(api, verb, res, ns), f"the controller may {verb} {res} in {ns}")
    for verb, res, ns in (("list", "secrets", "tenant-a"), ("watch", "secrets", None), ("create", "configmaps", "tenant-a"),
                          ("create", "daemonsets", "tenant-a"), ("create", "roles", "tenant-a"),
                          ("create", "rolebindings", "kube-system"), ("create", "serviceaccounts", "tenant-a"),
                          ("create", "namespaces", None), ("delete", "namespaces", None), ("delete", "deployments", "tenant-a"),
                          ("create", "deployments", "tenant-a")):
        check(not can_i(api, verb, res, ns), f"the controller may not {verb} {res}" + (f" in {ns}" if ns else " (cluster)"))


if __name__ == "__main__":
    # As tests/registry: a missing registry tool fails unless WD_REGISTRY_ALLOW_SKIP=1 (scripts/setup.sh installs them).
    for tool in ("docker-registry", "openssl", "htpasswd", "wat2wasm"):
        if shutil.which(tool) is None:
            if os.environ.get("WD_REGISTRY_ALLOW_SKIP") != "1":
                sys.exit(f"FAIL: {tool} is required (scripts/setup.sh installs it); WD_REGISTRY_ALLOW_SKIP=1 skips explicitly")
            ctl.skip(tool)
    ctl.main_on_cluster(run, "wd-ctl-registry-")
