#!/usr/bin/env python3
"""The controller in a shared cluster, on a real kube-apiserver: the attacks of issue 19, each a
case, and the shared-owner cases.

A tenant allowed only to create WasmDeployments/FilterDeployments in `tenant-a` must not make the
controller act anywhere else: another tenant's namespace, kube-system, the Istio root namespace,
host paths in a sidecar, an EnvoyFilter/WasmPlugin someone else made (or another owner holds),
the hostPath node cache in `wasme`, or files on the controller's own disk. Each is Refused (or a
Conflict) with a stable code, an Event, and nothing changed. A ClusterWasmDeployment (an admin's)
may reach other namespaces. Shared state: two owners of the node cache, delete one and the
other still works; the `wasme` namespace holding a user's Secret is never deleted.
"""
import json
import os
import signal
import time

import ctl
from ctl import NS, Controller, condition, get, wait_for

DIGEST = "ab" * 32
MODULE_SHA = "d2bc5bea58499684981fda875101ac18a69923cea4a4153958dad08065aa1e74"


def check(ok, what):
    if not ok:
        raise AssertionError(what)
    print(f"ok: {what}", flush=True)


def apply(api, obj):
    api.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(obj))


def wd(name, ns, targets, module="oci://registry.invalid/f:v1", filter_name=None, kind="WasmDeployment", **extra):
    md = {"name": name}
    if ns:
        md["namespace"] = ns
    f = {"name": filter_name or name, "module": module, "rootId": "r"}
    if module.startswith("oci://"):
        f["sha256"] = DIGEST
    f.update(extra.pop("filter", {}))
    o = {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": kind, "metadata": md, "filters": [f], "targets": targets}
    o.update(extra)
    return o


def workload(name, ns, app, annotations=None):
    tmpl = {"labels": {"app": app}}
    if annotations:
        tmpl["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
            "spec": {"selector": {"matchLabels": {"app": app}},
                     "template": {"metadata": tmpl, "spec": {"containers": [{"name": app, "image": f"registry.invalid/{app}:v1"}]}}}}


def istiod(api, ns, tag):
    api.kubectl("create", "namespace", ns)
    api.kubectl("create", "deployment", "istiod", "-n", ns, f"--image=docker.io/istio/pilot:{tag}")
    api.kubectl("patch", "deployment", "istiod", "-n", ns, "--type=json",
                "-p", '[{"op":"replace","path":"/spec/template/spec/containers/0/name","value":"discovery"}]')


def template(api, ns, name):
    o = get(api, "deployment", "-n", ns, name)
    return json.dumps(o["spec"]["template"], sort_keys=True), o["metadata"].get("labels", {}), o["metadata"].get("annotations", {})


def status_of(api, resource, ns, name, typ):
    args = [resource, name] + (["-n", ns] if ns else [])
    o = get(api, *args)
    c = condition(o, typ)
    return o if c and c["status"] == "True" else None


def refused(api, resource, ns, name, code):
    o = wait_for(f"{resource} {ns}/{name} Refused", lambda: status_of(api, resource, ns, name, "Refused"))
    got = o["status"]["refusal"]["code"]
    check(got == code, f"{resource} {ns}/{name} Refused with {code} (got {got}: {o['status']['refusal']['message'][:160]})")
    check(condition(o, "Ready")["status"] == "False", f"{ns}/{name}: Ready is False")
    ev = get(api, "events", "-n", ns or "default", "--field-selector", f"involvedObject.name={name},reason=Refused")
    check(ev and ev["items"], f"{ns}/{name}: a Refused Event")
    return o


def plugins(api, ns):
    return {i["metadata"]["name"]: i for i in (get(api, "wasmplugins.extensions.istio.io", "-n", ns) or {}).get("items", [])}


def run(api, cli, binary, work):
    manifests = os.path.join(work, "operator.yaml")
    with open(manifests, "w") as f:
        f.write(ctl.cli(cli, "operator-manifests", "--image", "registry.invalid/wasmdeploy-controller:test").stdout)
    api.kubectl("create", "namespace", NS)
    api.kubectl("apply", "--server-side", "-f", manifests)
    api.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/wasmdeployments.wasmdeploy.io",
                "crd/clusterwasmdeployments.wasmdeploy.io", "crd/filterdeployments.wasme.io")
    istiod(api, "istio-system", "1.24.0")   # the mesh: WasmPlugins, modules pulled by istio-agent
    istiod(api, "istio-old", "1.8.1")       # a second mesh that needs the node cache
    istiod(api, "istio-future", "9.9.9")    # a tag no release table knows
    for ns in ("tenant-a", "tenant-b", "tenant-c", "tenant-d", "kube-system"):
        if ns != "kube-system":
            api.kubectl("create", "namespace", ns)
    for w in (workload("web", "tenant-a", "web"), workload("web", "tenant-b", "web"), workload("coredns", "kube-system", "coredns"),
              workload("web", "tenant-c", "web"), workload("api", "tenant-c", "api"), workload("web", "tenant-d", "web")):
        api.kubectl("apply", "-f", "-", input=json.dumps(w))
    untouched = {(ns, n): template(api, ns, n) for ns, n in (("tenant-a", "web"), ("tenant-b", "web"), ("kube-system", "coredns"))}

    kubeconfig = ctl.service_account_kubeconfig(api, work)
    c = Controller(binary, kubeconfig, work, extra=["--node-cache-namespaces=tenant-c,tenant-d"]).start()
    try:
        scenario(api, c, untouched, work)
        faults(api, c, Controller(binary, kubeconfig, work, extra=["--node-cache-namespaces=tenant-c,tenant-d"]))
    except BaseException:
        print("--- controller log ---\n" + c.tail(80), flush=True)
        raise
    finally:
        rc = c.stop()
    check(rc == 0, f"controller stops cleanly (exit {rc})")


def scenario(api, c, untouched, work):
    sel = {"app": "web"}
    # A good object first: the attacks below must not hold it up.
    apply(api, wd("good", "tenant-a", [{"selector": sel}]))
    wait_for("good Ready", lambda: status_of(api, "wasmdeployment", "tenant-a", "good", "Ready"))
    check("good" in plugins(api, "tenant-a"), "a tenant's WasmDeployment in its own namespace applies")

    # 1. Another tenant's namespace, kube-system, the Istio root namespace.
    apply(api, wd("into-b", "tenant-a", [{"namespace": "tenant-b", "selector": sel}]))
    refused(api, "wasmdeployment", "tenant-a", "into-b", "tenancy.cross-namespace")
    apply(api, wd("coredns", "tenant-a", [{"namespace": "kube-system", "workloads": [{"name": "coredns"}]}]))
    refused(api, "wasmdeployment", "tenant-a", "coredns", "tenancy.cross-namespace")
    apply(api, wd("mesh", "tenant-a", [{"namespace": "istio-system", "allWorkloads": True}]))
    refused(api, "wasmdeployment", "tenant-a", "mesh", "tenancy.cross-namespace")
    apply(api, wd("mesh-wide", "istio-system", [{"allWorkloads": True}]))
    refused(api, "wasmdeployment", "istio-system", "mesh-wide", "tenancy.root-namespace")
    check(not plugins(api, "istio-system") and not plugins(api, "tenant-b") and not plugins(api, "kube-system"),
          "nothing made in istio-system, tenant-b or kube-system")

    # 2. Host / into a sidecar through the spec's workload annotations.
    root = json.dumps({"root": {"hostPath": {"path": "/"}}})
    apply(api, wd("hostroot", "tenant-a", [{"workloads": [{"name": "web", "annotations": {"sidecar.istio.io/userVolume": root}}]}],
                  module="https://example.invalid/f.wasm", filter={"sha256": DIGEST}))
    refused(api, "wasmdeployment", "tenant-a", "hostroot", "tenancy.workload-annotations")

    # 3. Files on the controller's disk: /dev/zero, a FIFO, runtimeConfig.
    fifo = os.path.join(work, "fifo")
    os.mkfifo(fifo)
    for name, module in (("zero", "/dev/zero"), ("fifo", fifo), ("file", "file:///etc/passwd")):
        apply(api, wd(name, "tenant-a", [{"selector": sel}], module=module))
        refused(api, "wasmdeployment", "tenant-a", name, "tenancy.module-source")
    apply(api, wd("rc", "tenant-a", [{"selector": sel}], filter={"runtimeConfig": "/etc/shadow"}))
    refused(api, "wasmdeployment", "tenant-a", "rc", "tenancy.local-path")
    rss = c.max_rss_kib()
    check(rss < 200 * 1024, f"the controller stays small ({rss // 1024} MiB peak)")

    # 4. The node cache (wasme namespace, hostPath DaemonSet) on a tenant's say-so.
    fd = {"apiVersion": "wasme.io/v1", "kind": "FilterDeployment",
          "metadata": {"name": "cache", "namespace": "tenant-a", "annotations": {"wasmdeploy.io/module-sha256": MODULE_SHA}},
          "spec": {"deployment": {"istio": {"kind": "Deployment", "istioNamespace": "istio-old"}},
                   "filter": {"image": "webassemblyhub.io/sodman/istio-1-7:v0.3"}}}
    apply(api, fd)
    refused(api, "filterdeployment", "tenant-a", "cache", "tenancy.node-cache")
    check(not (get(api, "daemonsets", "-n", "wasme") or {}).get("items"), "no node cache made for a tenant")

    # 5. Someone else's object of the rendered name: never adopted, the holder named.
    theirs = {"apiVersion": "extensions.istio.io/v1alpha1", "kind": "WasmPlugin", "metadata": {"name": "team-b", "namespace": "tenant-a"},
              "spec": {"url": "oci://registry.invalid/team-b:v1", "pluginConfig": {"owner": "team-b"}}}
    api.kubectl("apply", "-f", "-", input=json.dumps(theirs))
    before = get(api, "wasmplugin", "-n", "tenant-a", "team-b")["spec"]
    apply(api, wd("takeover", "tenant-a", [{"selector": sel}], filter_name="team-b"))
    o = wait_for("Conflict", lambda: status_of(api, "wasmdeployment", "tenant-a", "takeover", "Conflict"))
    msg = condition(o, "Conflict")["message"]
    check("kubectl" in msg, f"Conflict names the holder: {msg}")
    check(condition(o, "Ready")["status"] == "False", "Ready is False on a Conflict")
    api.kubectl("delete", "wasmdeployment", "-n", "tenant-a", "takeover", "--timeout=60s")
    after = get(api, "wasmplugin", "-n", "tenant-a", "team-b")
    check(after is not None and after["spec"] == before, "team-b's WasmPlugin is untouched after the owner is deleted")

    # 6. Two owners of one name: the second is a Conflict naming the first; deleting it leaves
    #    the first's object and Ready.
    apply(api, wd("first", "tenant-a", [{"selector": sel}], filter_name="dup"))
    wait_for("first Ready", lambda: status_of(api, "wasmdeployment", "tenant-a", "first", "Ready"))
    apply(api, wd("second", "tenant-a", [{"selector": {"app": "other"}}], filter_name="dup"))
    o = wait_for("second Conflict", lambda: status_of(api, "wasmdeployment", "tenant-a", "second", "Conflict"))
    check("WasmDeployment/tenant-a/first" in condition(o, "Conflict")["message"], "the Conflict names the other owner")
    api.kubectl("delete", "wasmdeployment", "-n", "tenant-a", "second", "--timeout=60s")
    check("dup" in plugins(api, "tenant-a"), "the first owner's object survives the second's deletion")
    check(plugins(api, "tenant-a")["dup"]["spec"]["selector"]["matchLabels"] == sel, "and keeps the first owner's spec")

    # 7. The mesh version: a tag no table knows, a spec naming another release.
    fd_future = {"apiVersion": "wasme.io/v1", "kind": "FilterDeployment", "metadata": {"name": "future", "namespace": "tenant-a"},
                 "spec": {"deployment": {"istio": {"kind": "Deployment", "istioNamespace": "istio-future"}},
                          "filter": {"image": "webassemblyhub.io/sodman/istio-1-7:v0.3"}}}
    apply(api, fd_future)
    o = wait_for("future Refused", lambda: status_of(api, "filterdeployment", "tenant-a", "future", "Refused"))
    check(o["status"]["refusal"]["code"] != "", f"an unknown istiod tag is Refused ({o['status']['refusal']['code']}), not retried")
    apply(api, wd("other-release", "tenant-a", [{"selector": sel}], istio="1.8"))
    refused(api, "wasmdeployment", "tenant-a", "other-release", "controller.istio-mismatch")

    # 8. An admin's ClusterWasmDeployment reaches another namespace.
    apply(api, wd("admin", None, [{"namespace": "tenant-b", "selector": sel}], kind="ClusterWasmDeployment"))
    wait_for("admin Ready", lambda: status_of(api, "clusterwasmdeployment", None, "admin", "Ready"))
    check("admin" in plugins(api, "tenant-b"), "a ClusterWasmDeployment applies in tenant-b")
    api.kubectl("delete", "clusterwasmdeployment", "admin", "--timeout=60s")
    check("admin" not in plugins(api, "tenant-b"), "and its WasmPlugin goes with it")

    for (ns, n), t in untouched.items():
        check(template(api, ns, n) == t, f"{ns}/{n} untouched by every attack")

    live(api)
    shared_cache(api)
    operable(c)


def readyz(c):
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://{c.metrics_address()}/readyz", timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def faults(api, c, standby):
    """Two replicas, one leader; kill -9 of the leader; an API outage ends the leader with a
    non-zero exit (the kubelet restarts it) instead of a silent exit 0."""
    standby.start()
    time.sleep(3)
    check(readyz(standby) == 503, "a standby replica is not ready (/readyz 503)")
    check(readyz(c) == 200, "the leader is ready")
    c.stop(signal.SIGKILL)
    apply(api, wd("good", "tenant-a", [{"selector": {"app": "web"}}], filter={"config": {"after": "kill"}}))
    wait_for("the standby converges", lambda: "kill" in json.dumps(plugins(api, "tenant-a")["good"]["spec"]), timeout=60)
    check(True, "after kill -9 of the leader the standby takes over and converges")
    apiserver = next(p for name, p, _ in api._procs if name == "kube-apiserver")
    os.killpg(apiserver.pid, signal.SIGSTOP)  # a hung API server: renewals time out
    try:
        t0 = time.monotonic()
        rc = standby.proc.wait(timeout=60)
    finally:
        os.killpg(apiserver.pid, signal.SIGCONT)
    check(rc != 0, f"an API outage longer than the renew deadline ends the leader with exit {rc} after {time.monotonic() - t0:.0f}s")
    standby.proc = None
    standby.log.close()
    c.start()
    apply(api, wd("good", "tenant-a", [{"selector": {"app": "web"}}], filter={"config": {"after": "outage"}}))
    wait_for("restarted leader converges", lambda: "outage" in json.dumps(plugins(api, "tenant-a")["good"]["spec"]), timeout=90)
    check(True, "a restarted replica leads and converges after the outage")


def operable(c):
    """--version, /healthz, /readyz and the client, rate-limit and leader metrics."""
    import subprocess
    import urllib.request
    v = subprocess.run([c.binary, "--version"], capture_output=True, text=True, timeout=30)
    check(v.returncode == 0 and v.stdout.startswith("wasmdeploy-controller ") and "libwasmdeploy" in v.stdout,
          f"--version: {v.stdout.strip()}")
    addr = c.metrics_address()
    for path in ("/healthz", "/readyz"):
        with urllib.request.urlopen(f"http://{addr}{path}", timeout=10) as r:
            check(r.status == 200, f"{path} is ok on the leader with synced caches")
    body = urllib.request.urlopen(f"http://{addr}/metrics", timeout=10).read().decode()
    for m in ("rest_client_requests_total{", "rest_client_rate_limiter_duration_seconds_bucket", "wasmdeploy_leader 1"):
        check(m in body, f"metrics carry {m}")


def live(api):
    """Drift and late workloads converge in seconds (the resync is 10 minutes)."""
    t0 = time.monotonic()
    api.kubectl("patch", "wasmplugin", "-n", "tenant-a", "good", "--type=merge", "-p", '{"spec":{"url":"oci://evil.invalid/x:v1"}}')
    wait_for("drift corrected", lambda: "evil" not in plugins(api, "tenant-a")["good"]["spec"]["url"], timeout=20)
    check(True, f"a hand edit of a managed WasmPlugin is undone in {time.monotonic() - t0:.1f}s")
    api.kubectl("delete", "wasmplugin", "-n", "tenant-a", "good")
    wait_for("deleted object made again", lambda: "good" in plugins(api, "tenant-a"), timeout=20)
    check(True, "a managed object deleted by hand is made again")

    fd = {"apiVersion": "wasme.io/v1", "kind": "FilterDeployment",
          "metadata": {"name": "late", "namespace": "tenant-a", "annotations": {"wasmdeploy.io/sha256": DIGEST}},
          "spec": {"deployment": {"istio": {"kind": "Deployment", "labels": {"app": "late"}}},
                   "filter": {"image": "webassemblyhub.io/sodman/istio-1-7:v0.3"}}}
    apply(api, fd)
    o = wait_for("NoWorkloads", lambda: (lambda o: o if condition(o, "Ready") and condition(o, "Ready")["reason"] == "NoWorkloads" else None)(
        get(api, "filterdeployment", "-n", "tenant-a", "late")))
    check(condition(o, "Ready")["status"] == "False", "a FilterDeployment matching no workload is not Ready")
    t0 = time.monotonic()
    api.kubectl("apply", "-f", "-", input=json.dumps(workload("late", "tenant-a", "late")))
    o = wait_for("late Deployment picked up", lambda: status_of(api, "filterdeployment", "tenant-a", "late", "Ready"), timeout=20)
    made = o["status"].get("resources", [])
    check(o["status"].get("workloads", {}).get("late", {}).get("state") == "Succeeded" and made,
          f"a Deployment created after its FilterDeployment gets the filter in {time.monotonic() - t0:.1f}s ({made})")
    api.kubectl("delete", "filterdeployment", "-n", "tenant-a", "late", "--timeout=60s")


def shared_cache(api):
    """Two owners of the node cache (tenant-c may use it); a user's Secret in wasme."""
    api.kubectl("create", "namespace", "wasme", check=False)  # the install (operator-manifests) made it
    api.kubectl("create", "secret", "generic", "mine", "-n", "wasme", "--from-literal=k=v")

    image = "webassemblyhub.io/sodman/istio-1-7:v0.3"

    def fd(name, app, ns="tenant-c", image=image):
        return {"apiVersion": "wasme.io/v1", "kind": "FilterDeployment",
                "metadata": {"name": name, "namespace": ns, "annotations": {"wasmdeploy.io/module-sha256": MODULE_SHA}},
                "spec": {"deployment": {"istio": {"kind": "Deployment", "istioNamespace": "istio-old", "labels": {"app": app}}},
                         "filter": {"image": image}}}
    apply(api, fd("one", "web"))
    apply(api, fd("two", "api"))
    for n in ("one", "two"):
        o = wait_for(f"{n} Ready", lambda n=n: status_of(api, "filterdeployment", "tenant-c", n, "Ready"))
        check("wasmdeploy.io/cleanup" in o["metadata"].get("finalizers", []),
              f"{n} patches workloads and shares the node cache: its deletion waits for the controller (finalizer)")
    # One cache object set per filter (src/render/wasme_cache.cpp: wasme-cache-<filter>).
    check(get(api, "daemonset", "-n", "wasme", "wasme-cache-one") is not None and
          get(api, "daemonset", "-n", "wasme", "wasme-cache-two") is not None, "the node caches run in the user's wasme namespace")

    # Another node-cache tenant names its filter "one" too, with another image: the cache
    # wasme-cache-one cannot hold both. The second owner gets Conflict naming the first;
    # tenant-c's image stays in the cache's list.
    def images(name):
        cm = get(api, "configmap", "-n", "wasme", name)
        return cm and cm.get("data", {}).get("images")
    apply(api, fd("one", "web", ns="tenant-d", image="webassemblyhub.io/someone/else:v1"))
    o = wait_for("tenant-d/one Conflict", lambda: status_of(api, "filterdeployment", "tenant-d", "one", "Conflict"))
    msg = condition(o, "Conflict")["message"]
    check("FilterDeployment/tenant-c/one" in msg and condition(o, "Ready")["status"] == "False",
          f"a second owner rendering another image into one node cache gets Conflict naming the holder ({msg[:200]})")
    check(images("wasme-cache-one") == image, "the first owner's image stays in the cache list")
    check(status_of(api, "filterdeployment", "tenant-c", "one", "Ready"), "and the first owner is still Ready")
    api.kubectl("delete", "filterdeployment", "-n", "tenant-d", "one", "--timeout=60s")
    check(images("wasme-cache-one") == image, "deleting the refused owner leaves the cache as it was")
    # The same filter (same name, same image) from another tenant shares the cache: deleting
    # either keeps it for the other.
    apply(api, fd("two", "web", ns="tenant-d"))
    wait_for("tenant-d/two Ready", lambda: status_of(api, "filterdeployment", "tenant-d", "two", "Ready"))
    check(images("wasme-cache-two") == image, "two owners of one filter share its cache")
    # A hand edit of the shared DaemonSet conflicts with both owners' unforced applies; it is
    # taken back (the conflicting manager is the user's, not another owner's), not a Conflict.
    def memory():
        ds = get(api, "daemonset", "-n", "wasme", "wasme-cache-two")
        return ds["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"]
    want = memory()
    api.kubectl("patch", "daemonset", "-n", "wasme", "wasme-cache-two", "--type=json",
                "-p", '[{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/memory","value":"1Gi"}]')
    wait_for("the shared DaemonSet's hand edit taken back", lambda: memory() == want, timeout=30)
    for ns in ("tenant-c", "tenant-d"):
        check(status_of(api, "filterdeployment", ns, "two", "Ready") and
              not status_of(api, "filterdeployment", ns, "two", "Conflict"),
              f"a hand edit of the shared cache is reverted; {ns}/two stays Ready without a Conflict")

    api.kubectl("delete", "filterdeployment", "-n", "tenant-c", "one", "--timeout=60s")
    check(get(api, "daemonset", "-n", "wasme", "wasme-cache-one") is None, "deleting one owner removes its cache")
    check(get(api, "daemonset", "-n", "wasme", "wasme-cache-two") is not None, "and keeps the cache the other holds")
    efs = [i["metadata"]["name"] for i in get(api, "envoyfilters.networking.istio.io", "-n", "tenant-c")["items"]]
    check(efs == ["api-two"], f"the other owner's EnvoyFilter stays ({efs})")
    check(status_of(api, "filterdeployment", "tenant-c", "two", "Ready"), "and it is still Ready")
    api.kubectl("delete", "filterdeployment", "-n", "tenant-c", "two", "--timeout=60s")
    check(get(api, "daemonset", "-n", "wasme", "wasme-cache-two") is not None and images("wasme-cache-two") == image,
          "deleting one of two owners of a shared cache keeps it for the other")
    check(status_of(api, "filterdeployment", "tenant-d", "two", "Ready"), "which is still Ready")
    api.kubectl("delete", "filterdeployment", "-n", "tenant-d", "two", "--timeout=60s")
    check(get(api, "daemonset", "-n", "wasme", "wasme-cache-two") is None, "the last owner's deletion removes the cache it created")
    ns = get(api, "namespace", "wasme")
    check(ns is not None and not ns["metadata"].get("deletionTimestamp"), "the wasme namespace is never deleted")
    check(get(api, "secret", "-n", "wasme", "mine") is not None, "the user's Secret in wasme survives")


if __name__ == "__main__":
    ctl.main_on_cluster(run, "wd-tenancy-")
