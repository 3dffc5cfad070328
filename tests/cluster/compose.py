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
  undo b: the Deployment equals its starting state (the user's volume annotations equal as JSON), nothing labelled app.kubernetes.io/managed-by=wasmdeploy is left, and wasme's own cache
  objects and namespace are untouched.
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


def annotations(api):
    d = json.loads(api.kubectl("get", "deployment/web", "-n", NS, "-o", "json").stdout)
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
    filters_there = names(api, "envoyfilters.networking.istio.io", NS)
    expect(filters_there == [f"envoyfilter.networking.istio.io/web-{f}" for f in sorted(filters)],
           f"{label}: EnvoyFilters {filters_there}")
    caches = names(api, "daemonsets", "wasme", lib.MANAGED)
    expect(caches == [f"daemonset.apps/wasme-cache-{f}" for f in sorted(filters)], f"{label}: wasmdeploy caches {caches}")


def normalized(obj):
    """The volume annotations as JSON values: once a render has merged into them, the live text is
    wasmdeploy's compact serialization of the user's entries (equal as JSON, not byte for byte)."""
    ann = obj["spec"]["template"]["metadata"].get("annotations", {})
    for k in (USER_VOLUME, USER_MOUNT):
        if k in ann:
            ann[k] = json.loads(ann[k])
    return obj


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
        pathlib.Path(d, "objects.yaml").write_text((src / "objects.yaml").read_text().replace("NS", NS))
        with ApiServer(os.path.join(work, "api"), crds=crds) as api:
            env = api.env()
            env["PATH"] = cli_dir + os.pathsep + env["PATH"]
            api.kubectl("create", "namespace", NS)
            api.kubectl("apply", "-f", os.path.join(d, "objects.yaml"))
            start_web = lib.user_state(annotations(api)[0])
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

            run(undo, "a.yaml", "undo a")
            check_mounted(api, ["b"], "after undo a")
            print("ok: undo a: b still mounted, its cache objects kept", flush=True)

            run(undo, "b.yaml", "undo b")
            end_web = normalized(lib.user_state(annotations(api)[0]))
            start_web = normalized(start_web)
            expect(end_web == start_web, f"web differs from its starting state:\nstart: {start_web}\nend:   {end_web}")
            for ns in (NS, "wasme"):
                left = names(api, OUR_KINDS, ns, lib.MANAGED)
                expect(not left, f"wasmdeploy objects left in {ns}: {left}")
            wasme_end = {k: lib.user_state(v) for k, v in lib.get_objects(api, WASME_KINDS, "wasme").items()}
            expect(wasme_end == wasme_start, f"wasme's own cache changed:\nstart: {wasme_start}\nend:   {wasme_end}")
            expect(api.kubectl("get", "namespace", "wasme", check=False).returncode == 0, "namespace wasme was deleted")
            print("ok: undo b: the Deployment is as it was (its own volumes), wasme's cache untouched",
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
