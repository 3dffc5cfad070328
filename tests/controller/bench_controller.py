#!/usr/bin/env python3
"""1000 WasmDeployments in 20 namespaces on a real kube-apiserver: how long the controller
takes to make them all Ready, and its peak memory (VmHWM). Each renders one EnvoyFilter (Istio
1.8.1, a module already in the proxy). Prints one result line for BENCHMARKS.md; fails if the
controller does not converge within the bound or an object ends up not Ready."""
import argparse
import json
import os
import shutil
import tempfile
import time

import ctl
from ctl import NS, ApiServer, Controller, Unavailable


def main():
    ap = argparse.ArgumentParser()
    for f in ("--cli", "--go", "--lib-dir"):
        ap.add_argument(f, required=True)
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--workdir")
    ap.add_argument("--namespaces", type=int, default=20)
    ap.add_argument("--per-namespace", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=1200)
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix="wd-scale-")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    binary = ctl.build_controller(a.go, a.lib_dir, a.include, work)
    crds = ctl.istio_crds("1.29.1")
    try:
        with ApiServer(os.path.join(work, "api"), crds=[crds]) as api:
            run(api, a, binary, work)
    except Unavailable as e:
        ctl.skip(f"kube-apiserver ({e})")


def run(api, a, binary, work):
    manifests = os.path.join(work, "operator.yaml")
    with open(manifests, "w") as f:
        f.write(ctl.cli(a.cli, "operator-manifests", "--image", "registry.invalid/wasmdeploy-controller:test").stdout)
    api.kubectl("apply", "--server-side", "-f", manifests)
    api.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/wasmdeployments.wasmdeploy.io")
    total = a.namespaces * a.per_namespace
    path = os.path.join(work, "objects.json")
    items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"team-{n:02d}"}} for n in range(a.namespaces)]
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
    results = []
    for label, extra in (("defaults (--kube-api-qps=50 --workers=4)", []),
                         ("--kube-api-qps=400 --kube-api-burst=800 --workers=8",
                          ["--kube-api-qps=400", "--kube-api-burst=800", "--workers=8"])):
        if results:  # start again from nothing: delete what the first run made, recreate the owners
            for n in range(a.namespaces):  # one deletecollection per namespace (kubectl deletes one by one)
                api.kubectl("delete", "--raw", f"/apis/wasmdeploy.io/v1alpha1/namespaces/team-{n:02d}/wasmdeployments")
            c = Controller(binary, kubeconfig, work, extra=["--istio=1.11"]).start()
            t0 = time.monotonic()
            try:
                ctl.wait_for("the first run's objects gone", lambda: not json.loads(api.kubectl(
                    "get", "wasmdeployments,envoyfilters.networking.istio.io", "-A", "-o", "json", timeout=120).stdout)["items"],
                    timeout=a.timeout, interval=2)
            finally:
                c.stop()
            print(f"RESULT: deleting the {total} WasmDeployments: every EnvoyFilter gone and every finalizer "
                  f"released in {time.monotonic() - t0:.1f}s (defaults)", flush=True)
            api.kubectl("apply", "--server-side", "-f", path, timeout=600)
        elapsed, rss = converge(api, a, binary, kubeconfig, work, extra, total)
        results.append(elapsed)
        print(f"RESULT: {total} WasmDeployments in {a.namespaces} namespaces Ready in {elapsed:.1f}s "
              f"({total / elapsed:.1f}/s, {results[0] / elapsed:.2f}x the defaults; polled every 2s), "
              f"controller peak RSS {rss / 1024:.0f} MiB: {label}", flush=True)


def converge(api, a, binary, kubeconfig, work, extra, total):
    c = Controller(binary, kubeconfig, work, extra=["--istio=1.11", "--workers=4", *extra]).start()
    t0 = time.monotonic()
    try:
        ready = 0
        while time.monotonic() - t0 < a.timeout:
            out = json.loads(api.kubectl("get", "wasmdeployments", "-A", "-o", "json", timeout=120).stdout)
            ready = sum(1 for o in out["items"]
                        if any(c_["type"] == "Ready" and c_["status"] == "True" for c_ in o.get("status", {}).get("conditions", []))
                        and o["status"].get("observedGeneration") == o["metadata"]["generation"])
            if ready == total:
                break
            time.sleep(2)
        elapsed = time.monotonic() - t0
        rss = c.max_rss_kib()
        efs = json.loads(api.kubectl("get", "envoyfilters.networking.istio.io", "-A", "-o", "json", timeout=120).stdout)["items"]
    finally:
        c.stop()
    if ready != total:
        raise SystemExit(f"only {ready}/{total} Ready after {a.timeout:.0f}s")
    if len(efs) != total:
        raise SystemExit(f"{len(efs)} EnvoyFilters for {total} WasmDeployments")
    return elapsed, rss


if __name__ == "__main__":
    main()
