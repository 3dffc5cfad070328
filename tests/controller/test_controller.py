#!/usr/bin/env python3
"""The controller on a real kube-apiserver: the seeds' wasme operator flow, end to end.

Runs the controller as its own ServiceAccount with the RBAC `wasmdeploy operator-manifests`
prints, against an API server seeded with an istiod Deployment (image tag 1.8.1, the seeds'
release), the Istio CRDs of the 1.29.1 pin and bookinfo Deployments created by client-side
`kubectl apply`. Checks, in order: the manifests pass --dry-run=server and apply; the
WasmDeployment CRD refuses what the spec reader refuses; a FilterDeployment the renderer
refuses gets Refused (code, path) and nothing is applied; with the digest it becomes EnvoyFilters
and workload annotations; an edit updates them in place; narrowing the selector prunes and
restores; a restart with a change made meanwhile converges; a bad WasmDeployment does not block a
good one; metrics, Lease and Events exist; deleting restores every workload to its starting state
and removes everything the controller made.
"""
import copy
import json
import os
import signal
import subprocess
import time
import urllib.request

import ctl
from ctl import NS, Controller, condition, get, wait_for

FD = "bookinfo-custom-filter"
MODULE_SHA = "d2bc5bea58499684981fda875101ac18a69923cea4a4153958dad08065aa1e74"  # seed 000's cache file
WORKLOADS = ["details-v1", "productpage-v1", "reviews-v1"]


def seed_fd(value, labels=None, digest=True):
    """Seed 000's FilterDeployment (wasme.io/v1), as its YAML writes it."""
    istio = {"kind": "Deployment"}
    if labels:
        istio["labels"] = labels
    md = {"name": FD, "namespace": "bookinfo"}
    if digest:
        md["annotations"] = {"wasmdeploy.io/module-sha256": MODULE_SHA}
    return json.dumps({"apiVersion": "wasme.io/v1", "kind": "FilterDeployment", "metadata": md,
                       "spec": {"deployment": {"istio": istio},
                                "filter": {"config": {"@type": "type.googleapis.com/google.protobuf.StringValue",
                                                      "value": value},
                                           "image": "webassemblyhub.io/sodman/istio-1-7:v0.3"}}})


def deployment(name, app, version, annotations=None):
    tmpl = {"labels": {"app": app, "version": version}}
    if annotations:
        tmpl["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "bookinfo", "labels": {"app": app, "version": version}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": app, "version": version}},
                     "template": {"metadata": tmpl,
                                  "spec": {"containers": [{"name": app, "image": f"docker.io/istio/examples-bookinfo-{app}-v1:1.20.2"}]}}}}


def user_state(obj):
    o = copy.deepcopy(obj)
    o.pop("status", None)
    for f in ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"):
        o["metadata"].pop(f, None)
    return o


def envoy_filters(api, ns="bookinfo"):
    items = (get(api, "envoyfilters.networking.istio.io", "-n", ns) or {}).get("items", [])
    return {i["metadata"]["name"]: i for i in items}


def check(ok, what):
    if not ok:
        raise AssertionError(what)
    print(f"ok: {what}", flush=True)


def schema_cases(api, cli, work):
    """The WasmDeployment CRD (generated from spec.proto) and the reader agree."""
    base = {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment",
            "filters": [{"name": "f", "module": "file:///var/local/wasm/f.wasm"}],
            "targets": [{"namespace": "bookinfo", "selector": {"app": "x"}}]}
    cases = [
        ("a valid spec", {}, True),
        ("failStrategy fail_open (the reader folds case and _)", {"filters": [{"failStrategy": "fail_open"}]}, True),
        ("failStrategy FAIL_SOMETIMES", {"filters": [{"failStrategy": "FAIL_SOMETIMES"}]}, False),
        ("context Outbound", {"targets": [{"context": "Outbound"}]}, True),
        ("context sideways", {"targets": [{"context": "sideways"}]}, False),
        ("unknown field modul", {"filters": [{"modul": "x"}]}, False),
        ("priority as a string", {"filters": [{"priority": "high"}]}, False),
        ("a negative port", {"targets": [{"match": [{"ports": [-1]}]}]}, False),
        ("a port above uint32", {"targets": [{"match": [{"ports": [4294967296]}]}]}, False),
        ("a workload kind StatefulSet", {"targets": [{"workloads": [{"name": "w", "kind": "statefulset"}]}]}, True),
        ("a workload kind Pod", {"targets": [{"workloads": [{"name": "w", "kind": "Pod"}]}]}, False),
        ("selector as a list", {"targets": [{"selector": ["app"]}]}, False),
        ("allWorkloads as a string", {"targets": [{"allWorkloads": "yes"}]}, False),
        ("config an arbitrary object", {"filters": [{"config": {"a": [1, {"b": None}], "c": True}}]}, True),
    ]
    for i, (what, patch, reader_ok) in enumerate(cases):
        doc = copy.deepcopy(base)
        for k, v in patch.items():
            for j, item in enumerate(v):
                doc[k][j].update(item)
        path = os.path.join(work, f"schema-{i}.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        reader = subprocess.run([cli, "render", "-f", path, "--istio", "1.24"], capture_output=True, text=True)
        reader_accepts = not (reader.returncode != 0 and "[spec." in reader.stderr or "unknown-value" in reader.stderr)
        check(reader_accepts == reader_ok, f"reader {'accepts' if reader_ok else 'refuses'} {what}: {reader.stderr.strip()[:120]}")
        doc["metadata"] = {"name": f"schema-{i}", "namespace": "bookinfo"}
        with open(path, "w") as f:
            json.dump(doc, f)
        srv = api.kubectl("apply", "--server-side", "--dry-run=server", "-f", path, check=False)
        check((srv.returncode == 0) == reader_ok,
              f"API server {'accepts' if reader_ok else 'refuses'} {what}: {(srv.stderr or srv.stdout).strip()[:160]}")


def run(api, cli, binary, work):
    t0 = time.monotonic()
    manifests = os.path.join(work, "operator.yaml")
    with open(manifests, "w") as f:
        f.write(ctl.cli(cli, "operator-manifests", "--image", "registry.invalid/wasmdeploy-controller:test").stdout)
    # dry-run cannot create them for the namespaced objects (the controller's, the node cache's Role)
    api.kubectl("create", "namespace", NS)
    api.kubectl("create", "namespace", "wasme")
    api.kubectl("apply", "--server-side", "--dry-run=server", "-f", manifests)
    check(True, "operator manifests pass kubectl apply --server-side --dry-run=server")
    api.kubectl("apply", "--server-side", "-f", manifests)
    api.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/wasmdeployments.wasmdeploy.io",
                "crd/filterdeployments.wasme.io")
    check(True, "operator manifests applied; both CRDs established")

    api.kubectl("create", "namespace", "istio-system")
    api.kubectl("create", "namespace", "bookinfo")
    istiod = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "istiod", "namespace": "istio-system"},
              "spec": {"selector": {"matchLabels": {"app": "istiod"}},
                       "template": {"metadata": {"labels": {"app": "istiod"}},
                                    "spec": {"containers": [{"name": "discovery", "image": "docker.io/istio/pilot:1.8.1"}]}}}}
    api.kubectl("apply", "-f", "-", input=json.dumps(istiod))
    users = [deployment("details-v1", "details", "v1", {"prometheus.io/scrape": "true"}),
             deployment("productpage-v1", "productpage", "v1",
                        {"sidecar.istio.io/userVolume": '{"tmp":{"emptyDir":{}}}'}),
             deployment("reviews-v1", "reviews", "v1")]
    for d in users:  # client-side apply, as bookinfo is installed
        api.kubectl("apply", "-f", "-", input=json.dumps(d))
    start = {d["metadata"]["name"]: user_state(get(api, "deployment", "-n", "bookinfo", d["metadata"]["name"])) for d in users}

    schema_cases(api, cli, work)

    kubeconfig = ctl.service_account_kubeconfig(api, work)
    # bookinfo is the seeds' Istio 1.8 namespace: its FilterDeployment needs the node cache.
    c = Controller(binary, kubeconfig, work, extra=["--node-cache-namespaces=bookinfo", "--registry-hosts=registry.invalid"]).start()
    try:
        scenario(api, c, start)
    except BaseException:
        print("--- controller log ---\n" + c.tail(80), flush=True)
        raise
    finally:
        rc = c.stop()
    check(rc == 0, f"controller stops cleanly on SIGTERM (exit {rc})")
    print(f"controller scenario took {time.monotonic() - t0:.0f}s", flush=True)


def scenario(api, c, start):
    lease = wait_for("the Lease", lambda: get(api, "lease", "-n", NS, "wasmdeploy-controller"))
    check(lease["spec"].get("holderIdentity"), f"leader election holds Lease {NS}/wasmdeploy-controller")

    # 1. Not resolvable: at Istio 1.8 the module reaches the proxies through the wasme node
    #    cache, named by the .wasm's hash, which the controller learns at the registry unless an
    #    annotation gives it; here the registry is not one it may ask (--registry-hosts), so
    #    nothing reaches the network (tests/controller/test_registry.py resolves for real).
    api.kubectl("apply", "-f", "-", input=seed_fd("world", digest=False))
    fd = wait_for("Resolved=False", lambda: (lambda o: o if condition(o, "Resolved") and condition(o, "Resolved")["status"] == "False" else None)(
        get(api, "filterdeployment", "-n", "bookinfo", FD)))
    check("[controller.registry-host]" in condition(fd, "Resolved")["message"] and
          condition(fd, "Ready")["reason"] == "ResolveFailed", "an image it may not resolve: Resolved=False with the code")
    check(not envoy_filters(api), "nothing applied while unresolved")
    ev = get(api, "events", "-n", "bookinfo", "--field-selector", f"involvedObject.name={FD},reason=ResolveFailed")
    check(ev and ev["items"], "a ResolveFailed Event on the FilterDeployment")
    #    Refused: a workload kind wasme never handled.
    refused_fd = json.loads(seed_fd("world"))
    refused_fd["metadata"]["name"] = "cronjob"
    refused_fd["spec"]["deployment"]["istio"]["kind"] = "CronJob"
    api.kubectl("apply", "-f", "-", input=json.dumps(refused_fd))
    fd = wait_for("Refused", lambda: (lambda o: o if condition(o, "Refused") and condition(o, "Refused")["status"] == "True" else None)(
        get(api, "filterdeployment", "-n", "bookinfo", "cronjob")))
    ref = fd["status"]["refusal"]
    check(ref["code"] == "kind.unknown-value" and ref["path"] == "targets[0]",
          f"Refused carries the code and path ({ref['code']} {ref['path']})")
    check(fd["status"]["observedGeneration"] == fd["metadata"]["generation"], "observedGeneration recorded")
    check(condition(fd, "Ready")["status"] == "False", "Ready is False while refused")
    check(not envoy_filters(api), "nothing applied for a refused FilterDeployment")
    for n, s in start.items():
        check(user_state(get(api, "deployment", "-n", "bookinfo", n)) == s, f"{n} untouched while refused")
    check(not (get(api, "daemonsets", "-n", "wasme") or {}).get("items"), "no wasme cache while refused")
    ev = get(api, "events", "-n", "bookinfo", "--field-selector", "involvedObject.name=cronjob,reason=Refused")
    check(ev and ev["items"], "a Refused Event on the FilterDeployment")
    api.kubectl("delete", "filterdeployment", "-n", "bookinfo", "cronjob", "--timeout=60s")

    # 2. With the digest: EnvoyFilters for Istio 1.8.1, cache mounts on the workloads.
    api.kubectl("apply", "-f", "-", input=seed_fd("world"))

    def ready(gen=None):
        def f():
            o = get(api, "filterdeployment", "-n", "bookinfo", FD)
            r = condition(o, "Ready")
            if r and r["status"] == "True" and (gen is None or o["status"]["observedGeneration"] == gen):
                return o
            return None
        return f
    fd = wait_for("Ready", ready())
    efs = envoy_filters(api)
    names = sorted(f"{w}-{FD}" for w in WORKLOADS)
    check(sorted(efs) == names, f"one EnvoyFilter per workload, named like wasme's: {sorted(efs)}")
    check(all("world" in json.dumps(e["spec"]) and "/var/local/lib/wasme-cache/" + MODULE_SHA in json.dumps(e["spec"])
              for e in efs.values()), "EnvoyFilters carry the config and the cache file")
    check(fd["status"]["workloads"] == {w: {"state": "Succeeded"} for w in WORKLOADS},
          f"per-workload status like wasme's: {fd['status']['workloads']}")
    check(fd["status"]["istio"] == "1.8.1", "mesh version read from istiod's image tag")
    for w in WORKLOADS:
        ann = get(api, "deployment", "-n", "bookinfo", w)["spec"]["template"]["metadata"]["annotations"]
        check("cache-dir" in ann.get("sidecar.istio.io/userVolume", "") and "sidecar.istio.io/userVolumeMount" in ann,
              f"{w}: pod template mounts the wasme cache")
    pp = get(api, "deployment", "-n", "bookinfo", "productpage-v1")["spec"]["template"]["metadata"]["annotations"]
    check('"tmp"' in pp["sidecar.istio.io/userVolume"], "productpage-v1 keeps its own volume next to the cache")
    caches = api.kubectl("get", "daemonset", "-n", "wasme", "-l", "app.kubernetes.io/managed-by=wasmdeploy",
                         "-o", "name").stdout.split()
    # One cache per filter, named wasme-cache-<filter> (tests/cluster/compose.py).
    check(len(caches) == 1 and caches[0].startswith("daemonset.apps/wasme-cache-"),
          f"the filter's wasme node cache DaemonSet exists ({caches})")
    uids = {n: e["metadata"]["uid"] for n, e in efs.items()}

    # 3. Edit: updated in place.
    api.kubectl("apply", "-f", "-", input=seed_fd("goodbye"))
    wait_for("generation 2", ready(2))
    efs = envoy_filters(api)
    check({n: e["metadata"]["uid"] for n, e in efs.items()} == uids, "edit updates the EnvoyFilters in place (same uids)")
    check(all("goodbye" in json.dumps(e["spec"]) and "world" not in json.dumps(e["spec"]) for e in efs.values()),
          "EnvoyFilters carry the new config")

    # 4. Narrow the selector: prune and restore.
    api.kubectl("apply", "-f", "-", input=seed_fd("goodbye", labels={"app": "details"}))
    wait_for("generation 3", ready(3))
    check(sorted(envoy_filters(api)) == [f"details-v1-{FD}"], "a narrower selector prunes the other EnvoyFilters")
    for n in ("productpage-v1", "reviews-v1"):
        check(user_state(get(api, "deployment", "-n", "bookinfo", n)) == start[n], f"{n} restored to its starting state")

    # 5. Restart mid-way: the selector widens while the controller is down.
    rc = c.stop()
    check(rc == 0, "controller stops on SIGTERM")
    api.kubectl("apply", "-f", "-", input=seed_fd("goodbye"))
    c.start()
    wait_for("generation 4 after the restart", ready(4))
    check(sorted(envoy_filters(api)) == names, "the restarted controller converges on the change made meanwhile")
    # ... and killed (SIGKILL, Lease not released) right after a change reached it.
    api.kubectl("apply", "-f", "-", input=seed_fd("goodbye", labels={"app": "reviews"}))
    time.sleep(0.3)
    c.stop(signal.SIGKILL)
    c.start()
    wait_for("generation 5 after SIGKILL", ready(5), timeout=120)
    check(sorted(envoy_filters(api)) == [f"reviews-v1-{FD}"], "after SIGKILL the next leader converges")
    for n in ("details-v1", "productpage-v1"):
        check(user_state(get(api, "deployment", "-n", "bookinfo", n)) == start[n], f"{n} restored after SIGKILL")
    api.kubectl("apply", "-f", "-", input=seed_fd("goodbye"))
    wait_for("generation 6", ready(6))

    # 6. WasmDeployments: a bad one is refused with the reader's code, a good one applies.
    bad = {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment", "metadata": {"name": "bad", "namespace": "bookinfo"},
           "filters": [{"name": "bad", "module": "localhost:5000/x:v1"}],
           "targets": [{"namespace": "bookinfo", "selector": {"app": "ratings"}}]}
    good = {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment", "metadata": {"name": "good", "namespace": "bookinfo"},
            "filters": [{"name": "x-hello", "module": "oci://registry.invalid/x-hello:v1", "sha256": "cd" * 32,
                         "moduleSha256": "ef" * 32, "rootId": "x_hello",
                         "config": {"header": "x-hello"}}],
            # Before 1.12 the node cache's file is mounted only into listed workloads (delivery.unmounted).
            "targets": [{"namespace": "bookinfo", "selector": {"app": "details"},
                         "workloads": [{"name": "details-v1", "labels": {"app": "details"}}]}]}
    api.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(bad))
    api.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(good))
    wd = wait_for("good Ready", lambda: (lambda o: o if condition(o, "Ready") and condition(o, "Ready")["status"] == "True" else None)(
        get(api, "wasmdeployment", "-n", "bookinfo", "good")))
    check(any(r.endswith("/bookinfo/details-v1-x-hello") for r in wd["status"]["resources"]), f"good WasmDeployment applied: {wd['status']['resources']}")
    b = wait_for("bad Refused", lambda: (lambda o: o if condition(o, "Refused") and condition(o, "Refused")["status"] == "True" else None)(
        get(api, "wasmdeployment", "-n", "bookinfo", "bad")))
    check(b["status"]["refusal"]["code"] == "tenancy.module-source" and b["status"]["refusal"]["path"] == "filters[0].module",
          f"bad WasmDeployment (a module the controller would read from its disk) Refused with code and path: {b['status']['refusal']}")

    # 6b. A second mesh: a FilterDeployment naming its istiod's namespace (wasme's
    #     istioNamespace) is rendered for that istiod's version, here 1.29.1: istio-agent pulls
    #     the image, pinned by the manifest digest.
    api.kubectl("create", "namespace", "istio-new")
    api.kubectl("create", "namespace", "mesh-new")
    api.kubectl("create", "deployment", "istiod", "-n", "istio-new", "--image=docker.io/istio/pilot:1.29.1")
    api.kubectl("patch", "deployment", "istiod", "-n", "istio-new", "--type=json",
                "-p", '[{"op":"replace","path":"/spec/template/spec/containers/0/name","value":"discovery"}]')
    api.kubectl("create", "deployment", "web", "-n", "mesh-new", "--image=registry.invalid/web:v1")
    new = json.loads(seed_fd("world"))
    new["metadata"] = {"name": "hello", "namespace": "mesh-new", "annotations": {"wasmdeploy.io/sha256": "ab" * 32}}
    new["spec"]["deployment"]["istio"]["istioNamespace"] = "istio-new"
    api.kubectl("apply", "-f", "-", input=json.dumps(new))
    fd2 = wait_for("the 1.29 FilterDeployment Ready", lambda: (lambda o: o if condition(o, "Ready") and condition(o, "Ready")["status"] == "True" else None)(
        get(api, "filterdeployment", "-n", "mesh-new", "hello")))
    check(fd2["status"]["istio"] == "1.29.1", "istioNamespace picks that mesh's istiod version (1.29.1)")
    efs2 = envoy_filters(api, "mesh-new")
    check(efs2 and any("ab" * 32 in json.dumps(e["spec"]) for e in efs2.values()),
          f"Istio 1.29: EnvoyFilters fetching the image, pinned by its digest ({sorted(efs2)})")
    check(get(api, "deployment", "-n", "mesh-new", "web")["spec"]["template"]["metadata"].get("annotations") is None,
          "no workload change when istio-agent pulls the module")
    api.kubectl("delete", "filterdeployment", "-n", "mesh-new", "hello", "--timeout=90s")
    check(not envoy_filters(api, "mesh-new"), "its EnvoyFilters are gone with it")

    # 7. Metrics.
    addr = c.metrics_address()
    body = urllib.request.urlopen(f"http://{addr}/metrics", timeout=10).read().decode()
    check("wasmdeploy_reconcile_total" in body and "workqueue_adds_total" in body, f"metrics served on {addr}")

    # 8. Delete: everything made is gone, workloads as before.
    api.kubectl("delete", "filterdeployment", "-n", "bookinfo", FD, "--timeout=90s")
    api.kubectl("delete", "wasmdeployment", "-n", "bookinfo", "good", "bad", "--timeout=90s")
    check(not envoy_filters(api), "no EnvoyFilter left")
    for n, s in start.items():
        check(user_state(get(api, "deployment", "-n", "bookinfo", n)) == s, f"{n} equals its starting state")
    for kind in ("daemonset", "configmap", "serviceaccount", "role", "rolebinding"):
        items = (get(api, kind, "-n", "wasme") or {}).get("items", [])
        # The install's own Role and RoleBinding for the node cache (operator-manifests) stay.
        left = [i["metadata"]["name"] for i in items if i["metadata"]["name"] != "kube-root-ca.crt"
                and i["metadata"].get("labels", {}).get("app.kubernetes.io/name") != "wasmdeploy-controller"]
        check(not left, f"no {kind} of the wasme cache left ({left})")
    ns = get(api, "namespace", "wasme")
    # A Namespace may hold what others put there: the install creates it, the controller never deletes it.
    check(ns is not None and not ns["metadata"].get("deletionTimestamp"), "the wasme Namespace is kept")


if __name__ == "__main__":
    ctl.main_on_cluster(run, "wd-controller-")
