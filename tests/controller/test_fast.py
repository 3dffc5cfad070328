#!/usr/bin/env python3
"""The controller's fast paths on a real kube-apiserver (issue 19, "Fast"), each case one that
fails without the path it checks:

- no-op reconciles write nothing: after every owner is Ready, resyncs every 2 s reconcile them
  all again and the controller sends no PATCH, POST or DELETE (neither the server-side apply of
  the EnvoyFilters, nor a status write, nor an Event);
- skipping is not blind: a hand edit of a managed EnvoyFilter's spec is put back;
- the inventory need not be written before a watched object is first applied: an owner whose
  status.resources was wiped, deleted while a new controller process (no memory) runs, still
  has its EnvoyFilter removed (found by its owner label in the watch cache);
- owners whose objects are all watched EnvoyFilters get no finalizer (two writes per new
  object, not three), and one deleted while no controller runs has its EnvoyFilter released
  when the next controller starts.
"""
import json
import re
import subprocess
import time
import urllib.request

import ctl
from ctl import Controller, condition, get, wait_for

N = 12


def check(ok, what):
    if not ok:
        raise AssertionError(what)
    print(f"ok: {what}", flush=True)


def metrics(c):
    text = urllib.request.urlopen(f"http://{c.metrics_address()}/metrics", timeout=10).read().decode()
    by_method, reconciles = {}, 0
    for line in text.splitlines():
        if line.startswith("rest_client_requests_total{"):
            labels, value = line.rsplit(" ", 1)
            m = labels.split('method="')[1].split('"')[0]
            by_method[m] = by_method.get(m, 0) + int(float(value))
        elif line.startswith("wasmdeploy_reconcile_total{"):
            reconciles += int(float(line.rsplit(" ", 1)[1]))
    return by_method, reconciles


def owner(name, target):
    return {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment",
            "metadata": {"name": name, "namespace": "fast"},
            "filters": [{"name": name, "module": f"https://example.invalid/{name}.wasm",
                         "sha256": "ab" * 32, "rootId": "r", "config": {"name": name}}],
            "targets": [dict(namespace="fast", **target)]}


def all_ready(api):
    items = (get(api, "wasmdeployments", "-n", "fast") or {}).get("items", [])
    return len(items) == N and all(
        (condition(o, "Ready") or {}).get("status") == "True"
        and o["status"].get("observedGeneration") == o["metadata"]["generation"] for o in items)


def controller_flags_known(cli, binary):
    """Every flag `operator-manifests --controller-flag` accepts is one the controller defines."""
    help_text = ctl.cli(cli, "operator-manifests", "--help").stdout
    names = help_text.split("names: ", 1)[1].split("\n", 1)[0].split(", ")
    usage = subprocess.run([binary, "-help"], capture_output=True, text=True, timeout=60)
    defined = set(re.findall(r"^  -([\w-]+)", usage.stdout + usage.stderr, re.M))
    check(len(names) > 10 and not set(names) - defined,
          f"operator-manifests --controller-flag names only flags the controller defines "
          f"(unknown: {sorted(set(names) - defined)})")


def run(api, cli, binary, work):
    controller_flags_known(cli, binary)
    with open(f"{work}/operator.yaml", "w") as f:
        f.write(ctl.cli(cli, "operator-manifests", "--image", "registry.invalid/wasmdeploy-controller:test").stdout)
    api.kubectl("apply", "--server-side", "-f", f"{work}/operator.yaml")
    api.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/wasmdeployments.wasmdeploy.io")
    api.kubectl("create", "namespace", "fast")
    items = [owner(f"f{i:02d}", {"selector": {"app": f"a{i}"}}) for i in range(N)]
    api.kubectl("apply", "--server-side", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    kubeconfig = ctl.service_account_kubeconfig(api, work)

    c = Controller(binary, kubeconfig, work, extra=["--istio=1.11", "--resync=2s"]).start()
    try:
        try:
            wait_for("every owner Ready", lambda: all_ready(api), timeout=120)
        except AssertionError:
            for o in (get(api, "wasmdeployments", "-n", "fast") or {}).get("items", []):
                print(o["metadata"]["name"], o["metadata"].get("finalizers"), json.dumps(o.get("status")))
            print(c.tail())
            raise
        efs = get(api, "envoyfilters.networking.istio.io", "-n", "fast")["items"]
        check(len(efs) == N, f"{len(efs)} EnvoyFilters for {N} owners")
        fins = [o["metadata"].get("finalizers") for o in get(api, "wasmdeployments", "-n", "fast")["items"]]
        check(not any(fins), f"owners whose objects are all watched EnvoyFilters get no finalizer ({fins[:3]}...)")
        # Let the reconciles the controller's own writes cause settle, then count.
        time.sleep(3)
        before, r0 = metrics(c)
        wait_for("two resyncs of every owner", lambda: metrics(c)[1] >= r0 + 2 * (N), timeout=60)
        after, r1 = metrics(c)
        writes = {m: after.get(m, 0) - before.get(m, 0) for m in ("PATCH", "POST", "DELETE")}
        check(not any(writes.values()), f"{r1 - r0} no-op reconciles wrote nothing: {writes}")

        # Hand edits are still put back.
        ef0 = next(e for e in efs if e["spec"].get("workloadSelector"))
        name, want = ef0["metadata"]["name"], ef0["spec"]["workloadSelector"]
        api.kubectl("patch", "envoyfilters.networking.istio.io", name, "-n", "fast", "--type=merge",
                    "-p", json.dumps({"spec": {"workloadSelector": {"labels": {"app": "hijacked"}}}}))
        wait_for("the edited EnvoyFilter put back", lambda: get(
            api, "envoyfilters.networking.istio.io", name, "-n", "fast")["spec"]["workloadSelector"] == want, timeout=30)
        check(True, f"hand edit of EnvoyFilter {name} reverted")
    finally:
        c.stop()

    def made_by(owner_name):
        return [e["metadata"]["name"] for e in efs if "WasmDeployment/fast/" + owner_name in e["metadata"]["annotations"].values()]

    # An owner without a finalizer deleted while no controller runs: gone at once; its
    # EnvoyFilter is released when the next controller's cache first lists it (live.go).
    orphan = made_by("f01")
    check(len(orphan) == 1, f"f01 made EnvoyFilter {orphan}")
    api.kubectl("delete", "wasmdeployment", "f01", "-n", "fast", "--timeout=30s")
    check(get(api, "envoyfilters.networking.istio.io", orphan[0], "-n", "fast") is not None,
          "f01 deleted while the controller is down; its EnvoyFilter is still there")

    # An owner whose inventory is lost, deleted under a controller with no memory of it.
    api.kubectl("patch", "wasmdeployment", "f00", "-n", "fast", "--subresource=status", "--type=merge",
                "-p", json.dumps({"status": {"resources": []}}))
    check(get(api, "wasmdeployment", "f00", "-n", "fast")["status"]["resources"] == [], "f00's inventory wiped")
    ef = made_by("f00")
    check(len(ef) == 1, f"f00 made EnvoyFilter {ef}")
    c = Controller(binary, kubeconfig, work, extra=["--istio=1.11"]).start()
    try:
        wait_for("the controller ready", lambda: urllib.request.urlopen(
            f"http://{c.metrics_address()}/readyz", timeout=5).status == 200, timeout=60)
        wait_for("the orphaned EnvoyFilter released",
                 lambda: get(api, "envoyfilters.networking.istio.io", orphan[0], "-n", "fast") is None, timeout=30)
        check(True, f"EnvoyFilter {orphan[0]} of the owner deleted while the controller was down is removed at its start")
        api.kubectl("delete", "wasmdeployment", "f00", "-n", "fast", "--wait=false")
        wait_for("f00 gone", lambda: get(api, "wasmdeployment", "f00", "-n", "fast") is None, timeout=60)
        check(get(api, "envoyfilters.networking.istio.io", ef[0], "-n", "fast") is None,
              f"EnvoyFilter {ef[0]} removed though no inventory named it")
    finally:
        c.stop()


if __name__ == "__main__":
    ctl.main_on_cluster(run, "wd-fast-")
