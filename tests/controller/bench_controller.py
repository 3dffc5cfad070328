#!/usr/bin/env python3
"""1000 WasmDeployments in 20 namespaces on a real kube-apiserver: how long the controller at
its default flags takes to make them all Ready, next to how long `kubectl apply --server-side`
takes to apply the same rendered objects (the EnvoyFilters the controller made, copied into
other namespaces) on the same server in the same run; the ratio of the two is issue 19's
measure. Also: the controller's API requests per object, its peak memory (VmHWM) and the time
to delete everything. Each WasmDeployment renders one EnvoyFilter (Istio 1.8.1, a module
already in the proxy). Prints result lines for BENCHMARKS.md; fails when an object does not end
up Ready or the ratio exceeds --max-ratio."""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import ctl
from ctl import ApiServer, Controller, Unavailable

OWNERS = "/apis/wasmdeploy.io/v1alpha1/wasmdeployments"


def main():
    ap = argparse.ArgumentParser()
    for f in ("--cli", "--go", "--lib-dir"):
        ap.add_argument(f, required=True)
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--workdir")
    ap.add_argument("--namespaces", type=int, default=20)
    ap.add_argument("--per-namespace", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=1200)
    # Issue 19's goal is 1.5; the bound here leaves room for a machine whose load changes
    # between the two measurements (BENCHMARKS.md records the measured ratio).
    ap.add_argument("--max-ratio", type=float, default=4.0)
    ap.add_argument("--binary", help="a controller built elsewhere (e.g. an older commit's, for before/after)")
    ap.add_argument("--extra", action="append", default=[], help="controller flag (default: none)")
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix="wd-scale-")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    binary = a.binary or ctl.build_controller(a.go, a.lib_dir, a.include, work)
    crds = ctl.istio_crds("1.29.1")
    try:
        with ApiServer(os.path.join(work, "api"), crds=[crds]) as api:
            run(api, a, binary, work)
    except Unavailable as e:
        ctl.skip(f"kube-apiserver ({e})")


def is_ready(o):
    return (any(c["type"] == "Ready" and c["status"] == "True" for c in o.get("status", {}).get("conditions", []))
            and o.get("status", {}).get("observedGeneration") == o["metadata"]["generation"])


class ReadyWatch:
    """Watches every WasmDeployment (one list, then a watch stream through `kubectl get --raw`),
    so the moment the last one turns Ready is seen when it happens, not at the next poll."""

    def __init__(self, api, timeout):
        listed = json.loads(api.kubectl("get", "--raw", OWNERS, timeout=120).stdout)
        self.ready = {(o["metadata"]["namespace"], o["metadata"]["name"]): is_ready(o) for o in listed["items"]}
        rv = listed["metadata"]["resourceVersion"]
        self.proc = subprocess.Popen(
            [api.kubectl_bin, "--kubeconfig", api.kubeconfig, "get", "--raw",
             f"{OWNERS}?watch=1&resourceVersion={rv}&timeoutSeconds={int(timeout)}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def wait(self, total):
        """Blocks until `total` objects are Ready; returns time.monotonic() then."""
        for line in self.proc.stdout:
            ev = json.loads(line)
            o = ev["object"]
            if ev["type"] == "ERROR":
                raise SystemExit(f"watch failed: {o}")
            k = (o["metadata"]["namespace"], o["metadata"]["name"])
            self.ready[k] = ev["type"] != "DELETED" and is_ready(o)
            if sum(self.ready.values()) == total:
                return time.monotonic()
        return None

    def close(self):
        self.proc.kill()
        self.proc.wait()


def requests_by_method(c):
    """The controller's API requests so far, by HTTP method (its /metrics)."""
    text = urllib.request.urlopen(f"http://{c.metrics_address()}/metrics", timeout=10).read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("rest_client_requests_total{"):
            labels, value = line.rsplit(" ", 1)
            method = labels.split('method="')[1].split('"')[0]
            out[method] = out.get(method, 0) + int(float(value))
    return out


def run(api, a, binary, work):
    manifests = os.path.join(work, "operator.yaml")
    with open(manifests, "w") as f:
        f.write(ctl.cli(a.cli, "operator-manifests", "--image", "registry.invalid/wasmdeploy-controller:test").stdout)
    api.kubectl("apply", "--server-side", "-f", manifests)
    api.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/wasmdeployments.wasmdeploy.io")
    total = a.namespaces * a.per_namespace
    path = os.path.join(work, "objects.json")
    items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"team-{n:02d}"}} for n in range(a.namespaces)]
    items += [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"copy-{n:02d}"}} for n in range(a.namespaces)]
    for n in range(a.namespaces):
        for i in range(a.per_namespace):
            name = f"filter-{i:03d}"
            items.append({"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment",
                          "metadata": {"name": name, "namespace": f"team-{n:02d}"},
                          "filters": [{"name": name, "module": f"https://example.invalid/{name}.wasm",
                                       "sha256": f"{i:064x}", "rootId": "r",
                                       "config": {"n": i}}],
                          "targets": [{"namespace": f"team-{n:02d}", "selector": {"app": f"app-{i:03d}"}}]})
    with open(path, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
    api.kubectl("apply", "--server-side", "-f", path, timeout=600)
    print(f"created {total} WasmDeployments in {a.namespaces} namespaces", flush=True)
    kubeconfig = ctl.service_account_kubeconfig(api, work)
    flags = " ".join(a.extra) or "defaults"

    # The controller, from its start to the last object Ready.
    watch = ReadyWatch(api, a.timeout)
    c = Controller(binary, kubeconfig, work, extra=["--istio=1.11", *a.extra]).start()
    t0 = time.monotonic()
    try:
        done = watch.wait(total)
        watch.close()
        if done is None:
            raise SystemExit(f"only {sum(watch.ready.values())}/{total} Ready after {a.timeout:.0f}s\n{c.tail()}")
        controller_s = done - t0
        calls = requests_by_method(c)
        rss = c.max_rss_kib()
    finally:
        c.stop()
    efs = json.loads(api.kubectl("get", "envoyfilters.networking.istio.io", "-A", "-o", "json", timeout=120).stdout)["items"]
    if len(efs) != total:
        raise SystemExit(f"{len(efs)} EnvoyFilters for {total} WasmDeployments")
    writes = sum(v for m, v in calls.items() if m != "GET")
    print(f"RESULT: controller ({flags}): {total} WasmDeployments Ready in {controller_s:.2f}s "
          f"({total / controller_s:.0f}/s), {writes / total:.2f} writes and {calls.get('GET', 0) / total:.2f} reads "
          f"per object ({json.dumps(calls, sort_keys=True)}), peak RSS {rss / 1024:.0f} MiB", flush=True)

    # The same rendered objects, by kubectl, into the copy-NN namespaces.
    copies = []
    for ef in efs:
        m = ef["metadata"]
        copies.append({"apiVersion": ef["apiVersion"], "kind": ef["kind"], "spec": ef["spec"],
                       "metadata": {"name": m["name"], "namespace": m["namespace"].replace("team-", "copy-"),
                                    "labels": m.get("labels", {}), "annotations": m.get("annotations", {})}})
    copy_path = os.path.join(work, "rendered.json")
    with open(copy_path, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": copies}, f)
    t0 = time.monotonic()
    api.kubectl("apply", "--server-side", "--field-manager=bench", "-f", copy_path, timeout=600)
    kubectl_s = time.monotonic() - t0
    ratio = controller_s / kubectl_s
    print(f"RESULT: kubectl apply --server-side of the same {total} rendered EnvoyFilters: {kubectl_s:.2f}s; "
          f"controller / kubectl = {ratio:.2f}x (goal <= 1.5x, bound {a.max_ratio}x)", flush=True)

    # Deleting everything, at the controller's defaults.
    for n in range(a.namespaces):  # one deletecollection per namespace (kubectl deletes one by one)
        api.kubectl("delete", "--raw", f"/apis/wasmdeploy.io/v1alpha1/namespaces/team-{n:02d}/wasmdeployments")
    c = Controller(binary, kubeconfig, work, extra=["--istio=1.11", *a.extra]).start()
    t0 = time.monotonic()
    # Owners without a finalizer (all their objects are watched EnvoyFilters) are gone at once;
    # the controller starting up releases what their labels find in its cache.
    def managed_left():
        return [e for e in json.loads(api.kubectl("get", "envoyfilters.networking.istio.io", "-A", "-o", "json",
                                                  timeout=120).stdout)["items"]
                if e["metadata"]["namespace"].startswith("team-")]
    left = []
    try:
        ctl.wait_for("the objects gone", lambda: not json.loads(api.kubectl(
            "get", "wasmdeployments", "-A", "-o", "json", timeout=120).stdout)["items"],
            timeout=a.timeout, interval=0.5)
        try:
            ctl.wait_for("their EnvoyFilters gone", lambda: not managed_left(), timeout=a.timeout, interval=0.5)
        except AssertionError:
            left = managed_left()
        deleted_s = time.monotonic() - t0
    finally:
        c.stop()
    if left:
        raise SystemExit(f"{len(left)} EnvoyFilters left after their owners were deleted")
    print(f"RESULT: deleting the {total} WasmDeployments ({flags}): every owner and EnvoyFilter gone "
          f"{deleted_s:.1f}s after the controller started", flush=True)
    if ratio > a.max_ratio:
        raise SystemExit(f"the controller took {ratio:.2f}x kubectl's time (bound {a.max_ratio}x)")


if __name__ == "__main__":
    main()
