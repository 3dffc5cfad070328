#!/usr/bin/env python3
"""The reference the benchmark compares against: the same documents as bench_render builds
(Istio 1.8.1, wasme node cache), as Python dicts dumped with PyYAML.

  reference_render.py N OUT_FILE safe|csafe
"""
import json
import sys
import time

import yaml

SHA = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510"
CACHE = "/var/local/lib/wasme-cache"


def cache_docs():
    # One cache object set per filter (wasme-cache-<filter>); the Namespace carries no labels
    # (it is shared with the user's objects: src/render/wasme_cache.cpp).
    name = "wasme-cache-myfilter"
    meta = lambda name: dict(name=name, namespace="wasme",
                             labels={"app": name, "app.kubernetes.io/managed-by": "wasmdeploy"})
    container = {
        "name": "wasme-cache", "image": "quay.io/solo-io/wasme:0.0.33",
        "args": ["cache", "--directory", CACHE, "--ref-file", "/etc/wasme-cache/images.txt", "--cache-ns", "wasme"],
        "env": [{"name": "NODE_HOSTNAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "50m", "memory": "128Mi"}},
        "volumeMounts": [{"name": "cache-dir", "mountPath": CACHE}, {"name": "config", "mountPath": "/etc/wasme-cache"}],
    }
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "wasme"}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name)},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(name),
         "data": {"images": "webassemblyhub.io/tanjunchen20/add-header:v0.1"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(name),
         "rules": [{"apiGroups": [""], "resources": ["events"], "verbs": ["create"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(name),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
         "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": "wasme"}]},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta(name),
         "spec": {"selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}},
                               "spec": {"serviceAccountName": name, "containers": [container],
                                        "volumes": [{"name": "cache-dir", "hostPath": {"path": CACHE, "type": "DirectoryOrCreate"}},
                                                    {"name": "config", "configMap": {"name": name, "items": [{"key": "images", "path": "images.txt"}]}}]}}}},
    ]


def envoy_filter(i):
    return {
        "apiVersion": "networking.istio.io/v1alpha3", "kind": "EnvoyFilter",
        "metadata": {"name": f"app-{i}-v1-myfilter", "namespace": "bookinfo",
                     "labels": {"app.kubernetes.io/managed-by": "wasmdeploy", "wasmdeploy.io/filter": "myfilter"}},
        "spec": {
            "workloadSelector": {"labels": {"app": f"app-{i}", "version": "v1"}},
            "configPatches": [{
                "applyTo": "HTTP_FILTER",
                "match": {"context": "SIDECAR_INBOUND", "listener": {"filterChain": {"filter": {
                    "name": "envoy.filters.network.http_connection_manager",
                    "subFilter": {"name": "envoy.filters.http.router"}}}}},
                "patch": {"operation": "INSERT_BEFORE", "value": {
                    "name": "wasmdeploy.bookinfo.myfilter",
                    "typed_config": {
                        "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
                        "type_url": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
                        "value": {"config": {
                            "name": "myfilter", "root_id": "add_header",
                            "vm_config": {"vm_id": "myfilter", "runtime": "envoy.wasm.runtime.v8",
                                          "code": {"local": {"filename": f"{CACHE}/{SHA}"}}},
                            "configuration": {"@type": "type.googleapis.com/google.protobuf.StringValue",
                                              "value": "tanjunchen20"}}}}}}}]}}


def patch(i):
    vol = json.dumps({"cache-dir": {"hostPath": {"path": CACHE, "type": "Directory"}}}, separators=(",", ":"))
    mnt = json.dumps({"cache-dir": {"mountPath": CACHE, "readOnly": True}}, separators=(",", ":"))
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"app-{i}-v1", "namespace": "bookinfo"},
            "spec": {"template": {"metadata": {"annotations": {
                "sidecar.istio.io/userVolume": vol, "sidecar.istio.io/userVolumeMount": mnt,
                # which filters use each volume, so composing and undoing filters keep the others'
                "wasmdeploy.io/volumes": json.dumps({"cache-dir": ["myfilter"]}, separators=(",", ":"))}}}}}


def documents(n):
    yield from cache_docs()
    for i in range(n):
        yield envoy_filter(i)
    for i in range(n):
        yield patch(i)


def main():
    n, out, dumper = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    d = yaml.CSafeDumper if dumper == "csafe" else yaml.SafeDumper
    t0 = time.perf_counter()
    with open(out, "w") as f:
        # Streaming like the C++ side: one document at a time, never the whole list.
        for doc in documents(n):
            f.write("---\n")
            yaml.dump(doc, f, Dumper=d, sort_keys=False, default_flow_style=False)
    print(json.dumps({"workloads": n, "seconds": time.perf_counter() - t0}))


if __name__ == "__main__":
    main()
