#!/usr/bin/env python3
"""The controller as it ships: the binary unpacked from the image scripts/controller-image.sh
built, run as in-cluster against a real kube-apiserver, installed from deploy/kustomize.

- The README's "Installing the controller" blocks run verbatim: the image script (cached by the
  fixture), an overlay of deploy/kustomize pinning the image to the layout's digest applied
  server-side, and `operator-manifests --image-layout`; the Deployment names exactly the image
  both pin, and its pod template passes the Pod Security "restricted" profile (a dry-run Pod in
  a namespace enforcing it).
- The image's layers are unpacked into a root; the controller's ServiceAccount token (TokenRequest),
  the API server's CA and the namespace are written where the kubelet mounts them
  (/var/run/secrets/kubernetes.io/serviceaccount in the root, or --service-account-dir when the
  test cannot chroot), and the image's entrypoint runs with the Deployment's own arguments, the
  image's environment and KUBERNETES_SERVICE_HOST/PORT only: chrooted into the root as the
  image's numeric user when the test runs as root, so only the image's files serve it.
- It takes the Lease and reconciles a WasmDeployment to Ready (a WasmPlugin appears), then stops
  cleanly on SIGTERM.
"""
import json
import os
import signal
import subprocess
import sys
import time

import ctl
import image_lib
from ctl import NS, condition, get, wait_for

DIGEST = "ab" * 32


def check(ok, what):
    if not ok:
        raise AssertionError(what)
    print(f"ok: {what}", flush=True)


README_TEST = "controller.image_incluster"
REPO = "registry.example.com/platform/wasmdeploy-controller"


def readme_blocks(readme):
    sys.path.insert(0, str(image_lib.ROOT / "tests" / "readme"))
    import readme_blocks as rb
    blocks = rb.named(rb.parse(readme), README_TEST)
    if len(blocks) != 3:
        sys.exit(f"expected 3 README blocks marked {README_TEST}, found {len(blocks)}")
    return blocks


def install(api, cli, readme, build_dir, layout, work):
    """Runs the README's "Installing the controller" blocks verbatim in a directory laid out as
    a clone (scripts/ and deploy/ of this tree, build/release = the test's build tree, whose
    controller-image the fixture built, so the script's cache answers at once)."""
    clone = os.path.join(work, "clone")
    os.makedirs(os.path.join(clone, "build"))
    for d in ("scripts", "deploy"):
        os.symlink(image_lib.ROOT / d, os.path.join(clone, d))
    os.symlink(os.path.realpath(build_dir), os.path.join(clone, "build", "release"))
    env = api.env()
    env["PATH"] = os.path.dirname(os.path.abspath(cli)) + os.pathsep + env["PATH"]
    outs = []
    for n, b in enumerate(readme_blocks(readme), 1):
        print(f"--- README block {n} ---\n{b.text}", flush=True)
        p = subprocess.run(["bash", "-euo", "pipefail", "-c", b.text], cwd=clone, env=env, capture_output=True,
                           text=True, timeout=600)
        sys.stdout.write(p.stdout)
        if p.returncode != 0:
            sys.exit(f"README block {n} failed ({p.returncode}):\n{p.stderr}")
        outs.append(p.stdout)
    digest = image_lib.read_layout(layout)[0]["digest"]
    check(outs[0].strip().splitlines()[-1] == digest, f"the build block prints the layout's digest {digest}")
    check(True, "deploy/kustomize, pinned by the README's overlay, applies server-side")
    dep = get(api, "deployment", "-n", NS, "wasmdeploy-controller")
    container = dep["spec"]["template"]["spec"]["containers"][0]
    check(container["image"] == f"{REPO}@{digest}", f"the Deployment runs {container['image']}, pinned by digest")
    check(f"image: {REPO}@{digest}" in outs[2], "operator-manifests --image-layout pins the same digest")

    # The pod the Deployment would create, under Pod Security's "restricted" level.
    api.kubectl("create", "namespace", "restricted")
    api.kubectl("label", "namespace", "restricted", "pod-security.kubernetes.io/enforce=restricted")
    api.kubectl("create", "serviceaccount", "wasmdeploy-controller", "-n", "restricted")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "controller", "namespace": "restricted"},
           "spec": dep["spec"]["template"]["spec"]}
    p = api.kubectl("create", "--dry-run=server", "-f", "-", input=json.dumps(pod), check=False)
    check(p.returncode == 0 and "violate" not in p.stderr,
          f"its pod passes Pod Security 'restricted' {p.stderr.strip()[:300]}")
    return container["args"]


def start_in_cluster(api, layout, root, args, work):
    """Starts the image's entrypoint as in-cluster; returns (Popen, log path)."""
    _, _, config = image_lib.read_layout(layout)
    token = api.kubectl("create", "token", "wasmdeploy-controller", "-n", NS, "--duration=1h").stdout.strip()
    port = api.url.rsplit(":", 1)[1]
    env = dict(e.split("=", 1) for e in config["config"].get("Env", []))
    env.update(KUBERNETES_SERVICE_HOST="127.0.0.1", KUBERNETES_SERVICE_PORT=port)
    # The Deployment's arguments, with the metrics port moved off :8080 (other tests share the host).
    args = [x for x in args if not x.startswith("--metrics-bind-address")] + ["--metrics-bind-address=127.0.0.1:0"]
    chroot = os.geteuid() == 0
    sa = os.path.join(root, "var/run/secrets/kubernetes.io/serviceaccount") if chroot else os.path.join(work, "sa")
    os.makedirs(sa)
    for name, text in (("token", token), ("namespace", NS),
                       ("ca.crt", open(os.path.join(api.workdir, "certs", "ca.crt")).read())):
        with open(os.path.join(sa, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(sa, name), 0o644)
    if not chroot:
        args = [f"--service-account-dir={sa}", *args]
    cmd, how = image_lib.image_command(root, config, args)
    log_path = os.path.join(work, "controller.log")
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    print(f"started the image's controller {how}: {' '.join(args)}", flush=True)
    return proc, log_path


def reconcile_one(api):
    api.kubectl("create", "namespace", "istio-system")
    api.kubectl("create", "deployment", "istiod", "-n", "istio-system", "--image=docker.io/istio/pilot:1.24.0")
    api.kubectl("patch", "deployment", "istiod", "-n", "istio-system", "--type=json",
                "-p", '[{"op":"replace","path":"/spec/template/spec/containers/0/name","value":"discovery"}]')
    api.kubectl("create", "namespace", "tenant-a")
    api.kubectl("create", "deployment", "web", "-n", "tenant-a", "--image=registry.invalid/web:v1")
    wd = {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment",
          "metadata": {"name": "hello", "namespace": "tenant-a"},
          "filters": [{"name": "hello", "module": "oci://registry.invalid/hello:v1", "sha256": DIGEST, "rootId": "r"}],
          "targets": [{"selector": {"app": "web"}}]}
    api.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(wd))

    def ready():
        o = get(api, "wasmdeployment", "-n", "tenant-a", "hello")
        c = condition(o, "Ready")
        return o if c and c["status"] == "True" else None
    wait_for("the WasmDeployment Ready", ready, timeout=120)
    check(True, "the in-cluster controller reconciles a WasmDeployment to Ready")
    plugins = get(api, "wasmplugins.extensions.istio.io", "-n", "tenant-a") or {}
    check(any(p["metadata"]["name"] == "hello" for p in plugins.get("items", [])), "and its WasmPlugin exists")
    lease = get(api, "lease", "-n", NS, "wasmdeploy-controller")
    check(lease and lease["spec"].get("holderIdentity"), f"it holds the Lease ({lease and lease['spec'].get('holderIdentity')})")


def main():
    a = image_lib.parse_args("--cli", "--build-dir", "--readme", "--workdir")
    work = a.workdir
    layout = os.path.join(a.build_dir, "controller-image", "layout")
    if not os.path.isfile(os.path.join(layout, "index.json")):
        sys.exit(f"no image at {layout}: controller.image builds it (ctest fixture controller_image)")
    root = image_lib.unpack(layout, os.path.join(work, "root"))
    crds = ctl.istio_crds("1.29.1")
    try:
        with ctl.ApiServer(os.path.join(work, "api"), crds=[crds]) as api:
            args = install(api, a.cli, a.readme, a.build_dir, layout, work)
            proc, log_path = start_in_cluster(api, layout, root, args, work)
            try:
                reconcile_one(api)
            except BaseException:
                print("--- controller log ---\n" + open(log_path, errors="replace").read()[-6000:], flush=True)
                raise
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
                    try:
                        proc.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, signal.SIGKILL)
                        proc.wait(timeout=15)
            check(proc.returncode == 0, f"it stops cleanly on SIGTERM (exit {proc.returncode})")
    except ctl.Unavailable as e:
        ctl.skip(f"kube-apiserver ({e})")
    print("PASS", flush=True)


if __name__ == "__main__":
    t0 = time.monotonic()
    main()
    print(f"took {time.monotonic() - t0:.0f}s", flush=True)
