#!/usr/bin/env python3
"""Several filters, rendered and undone one at a time, on one workload that has settings of its own.

  compose.py --cli build/ci/cli/wasmdeploy

On a real kube-apiserver, with the README's `cluster.roundtrip` deploy and undo blocks run
verbatim (only `spec.yaml` renamed to each filter's spec):

  a user's Deployment mounts its own volume through sidecar.istio.io/userVolume(Mount), and a
  wasme install's node cache (`wasme-cache` in namespace wasme) is there;
  deploy filter a, then filter b (separate specs, separate renders): both mounted, each with its
  own wasme cache objects, the user's volume kept;
  deploy a again: nothing changes;
  undo a: b still mounted (the shared cache-dir volume stays), b's cache objects kept, a's gone;
  undo b: the Deployment equals its starting state (the user's volume annotations byte for byte,
  though the renders merged into them), nothing labelled app.kubernetes.io/managed-by=wasmdeploy
  is left, and wasme's own cache objects and namespace are untouched.

And on an injected gateway (pod template with an `image: auto` istio-proxy container), whose
module volumes go into the pod spec: filter ga then gb, local modules in ConfigMaps, rendered
separately: both mounted; undo ga: gb still mounted, ga's volume gone; undo gb: the gateway
equals its starting state.
"""
import argparse
import json
import os
import pathlib
import shutil
import sys
import tempfile

from apiserver import ApiServer, Unavailable, skip_unavailable
import cluster_lib as lib

NS = "compose"
USER_VOLUME = "sidecar.istio.io/userVolume"
USER_MOUNT = "sidecar.istio.io/userVolumeMount"
OWNERS = "wasmdeploy.io/volumes"
WASME_KINDS = "configmaps,serviceaccounts,daemonsets,roles,rolebindings"
OUR_KINDS = "envoyfilters.networking.istio.io,configmaps,daemonsets,serviceaccounts,roles,rolebindings"


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def expect(cond, msg):
    if not cond:
        fail(msg)


def annotations(api, name="web"):
    d = json.loads(api.kubectl("get", f"deployment/{name}", "-n", NS, "-o", "json").stdout)
    return d, d["spec"]["template"]["metadata"].get("annotations", {})


def names(api, kinds, ns, selector=None):
    args = ["get", kinds, "-n", ns, "-o", "name"] + (["-l", selector] if selector else [])
    return sorted(api.kubectl(*args).stdout.split())


def check_mounted(api, filters, label):
    _, ann = annotations(api)
    volumes = json.loads(ann.get(USER_VOLUME, "{}"))
    mounts = json.loads(ann.get(USER_MOUNT, "{}"))
    expect("user-data" in volumes and "user-data" in mounts, f"{label}: the user's own volume is gone: {ann}")
    expect(volumes.get("cache-dir", {}).get("hostPath", {}).get("path") == "/var/local/lib/wasme-cache"
           and mounts.get("cache-dir", {}).get("mountPath") == "/var/local/lib/wasme-cache",
           f"{label}: the wasme cache is not mounted: {ann}")
    expect(json.loads(ann.get(OWNERS, "{}")) == {"cache-dir": filters},
           f"{label}: owners record {ann.get(OWNERS)} != cache-dir: {filters}")
    filters_there = [n for n in names(api, "envoyfilters.networking.istio.io", NS) if "/web-" in n]
    expect(filters_there == [f"envoyfilter.networking.istio.io/web-{f}" for f in sorted(filters)],
           f"{label}: EnvoyFilters {filters_there}")
    caches = names(api, "daemonsets", "wasme", lib.MANAGED)
    expect(caches == [f"daemonset.apps/wasme-cache-{f}" for f in sorted(filters)], f"{label}: wasmdeploy caches {caches}")


def check_gateway_mounted(api, filters, label):
    """Each filter's ConfigMap volume in the gateway's pod spec and its istio-proxy container."""
    d, ann = annotations(api, "gw")
    pod = d["spec"]["template"]["spec"]
    volumes = sorted(v["name"] for v in pod.get("volumes", []))
    [proxy] = [c for c in pod["containers"] if c["name"] == "istio-proxy"]
    mounts = sorted(m["mountPath"] for m in proxy.get("volumeMounts", []))
    expect(volumes == [f"wasm-{f}" for f in sorted(filters)], f"{label}: gateway volumes {volumes}")
    expect(mounts == [f"/var/local/wasm/{f}" for f in sorted(filters)], f"{label}: gateway mounts {mounts}")
    expect(proxy["image"] == "auto", f"{label}: the istio-proxy override changed: {proxy}")
    expect(USER_VOLUME not in ann, f"{label}: a gateway got the userVolume annotation its injection ignores")
    owners = json.loads(ann.get(OWNERS, "{}"))
    expect(owners == {f"wasm-{f}": [f] for f in filters}, f"{label}: gateway owners record {owners}")
    there = [n for n in names(api, "envoyfilters.networking.istio.io", NS) if "/gw-" in n]
    expect(there == [f"envoyfilter.networking.istio.io/gw-{f}" for f in sorted(filters)], f"{label}: {there}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--readme", default=str(lib.ROOT / "README.md"))
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    blocks = lib.readme_blocks(a.readme, "cluster.roundtrip")
    if len(blocks) != 2:
        fail(f"README.md has {len(blocks)} sh blocks marked '<!-- test: cluster.roundtrip -->'; want 2")
    deploy, undo = blocks
    if "spec.yaml" not in deploy or "spec.yaml" not in undo:
        fail("the README's cluster.roundtrip blocks do not name spec.yaml")
    work = tempfile.mkdtemp(prefix="wd-cluster-compose-")
    try:
        tag, pv = lib.pin_for("1.8")
        crds = [lib.istio_crds(pv, tag)]
        cli_dir = os.path.join(work, "cli")
        os.makedirs(cli_dir)
        os.symlink(os.path.abspath(a.cli), os.path.join(cli_dir, "wasmdeploy"))
        src = lib.HERE / "compose"
        d = os.path.join(work, NS)
        os.makedirs(d)
        for name, hexdigit in (("a", "a"), ("b", "b")):
            pathlib.Path(d, f"{name}.yaml").write_text(
                (src / "filter.yaml").read_text().replace("NAME", name).replace("HEX", hexdigit * 64)
                .replace("NS", NS))
        for name in ("ga", "gb"):
            pathlib.Path(d, f"{name}.yaml").write_text(
                (src / "gateway.yaml").read_text().replace("NAME", name).replace("NS", NS))
        shutil.copy(lib.ROOT / "examples" / "quick-tour" / "x-hello.wasm", os.path.join(d, "filter.wasm"))
        pathlib.Path(d, "objects.yaml").write_text((src / "objects.yaml").read_text().replace("NS", NS))
        with ApiServer(os.path.join(work, "api"), crds=crds) as api:
            env = api.env()
            env["PATH"] = cli_dir + os.pathsep + env["PATH"]
            api.kubectl("create", "namespace", NS)
            api.kubectl("apply", "-f", os.path.join(d, "objects.yaml"))
            start_web = lib.user_state(annotations(api)[0])
            start_gw = lib.user_state(annotations(api, "gw")[0])
            wasme_start = {k: lib.user_state(v) for k, v in lib.get_objects(api, WASME_KINDS, "wasme").items()}
            run = lambda block, spec, label: lib.run_block(block.replace("spec.yaml", spec), d, env, label)

            run(deploy, "a.yaml", "deploy a")
            check_mounted(api, ["a"], "after deploy a")
            run(deploy, "b.yaml", "deploy b")
            check_mounted(api, ["a", "b"], "after deploy b")
            before = annotations(api)[0]["metadata"]["resourceVersion"]
            run(deploy, "a.yaml", "deploy a again")
            expect(annotations(api)[0]["metadata"]["resourceVersion"] == before, "deploying a again changed web")
            print("ok: a then b rendered separately: both mounted, the user's volume kept", flush=True)

            run(deploy, "ga.yaml", "deploy ga")
            check_gateway_mounted(api, ["ga"], "after deploy ga")
            run(deploy, "gb.yaml", "deploy gb")
            check_gateway_mounted(api, ["ga", "gb"], "after deploy gb")
            print("ok: ga then gb rendered separately on a gateway: both in its pod spec", flush=True)

            run(undo, "a.yaml", "undo a")
            check_mounted(api, ["b"], "after undo a")
            print("ok: undo a: b still mounted, its cache objects kept", flush=True)
            run(undo, "ga.yaml", "undo ga")
            check_gateway_mounted(api, ["gb"], "after undo ga")
            print("ok: undo ga: gb still mounted on the gateway", flush=True)

            run(undo, "b.yaml", "undo b")
            end_web = lib.user_state(annotations(api)[0])
            expect(end_web == start_web, f"web differs from its starting state:\nstart: {start_web}\nend:   {end_web}")
            run(undo, "gb.yaml", "undo gb")
            end_gw = lib.user_state(annotations(api, "gw")[0])
            expect(end_gw == start_gw, f"gw differs from its starting state:\nstart: {start_gw}\nend:   {end_gw}")
            for ns in (NS, "wasme"):
                left = names(api, OUR_KINDS, ns, lib.MANAGED)
                expect(not left, f"wasmdeploy objects left in {ns}: {left}")
            wasme_end = {k: lib.user_state(v) for k, v in lib.get_objects(api, WASME_KINDS, "wasme").items()}
            expect(wasme_end == wasme_start, f"wasme's own cache changed:\nstart: {wasme_start}\nend:   {wasme_end}")
            expect(api.kubectl("get", "namespace", "wasme", check=False).returncode == 0, "namespace wasme was deleted")
            print("ok: undo b, gb: the Deployment (its own annotations byte for byte) and the gateway are as they "
                  "were, wasme's cache untouched",
                  flush=True)
        print("cluster compose: passed")
        return 0
    except Unavailable as e:
        skip_unavailable(e)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    sys.exit(main())
