#!/usr/bin/env python3
"""Deploy and undo on a real kube-apiserver with the README's own commands.

  roundtrip.py --cli build/ci/cli/wasmdeploy --case istio|gloo

The README holds, for each case, two ```sh blocks annotated `<!-- test: cluster.roundtrip -->`
(Istio) or `<!-- test: cluster.gloo -->` (Gloo): the deploy commands, then the undo commands.
They run here verbatim (bash -euo pipefail, `wasmdeploy` and the tested kubectl on PATH), in a
directory holding the case's spec.yaml. For each way a user creates the objects wasmdeploy
patches (client-side `kubectl apply`, `kubectl apply --server-side`, `kubectl create`) in a
namespace of its own, twice in a row:

  deploy -> every wasmdeploy object exists, the user objects carry the patch
  deploy again -> no object's resourceVersion changes (the commands are idempotent)
  `wasmdeploy undeploy` (stdout, what `kubectl delete -f -` would get) names no user object
  undo -> every user object equals its starting state (minus server-managed fields), no object
          labelled app.kubernetes.io/managed-by=wasmdeploy is left
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import yaml

from apiserver import ApiServer, Unavailable, skip_unavailable
import cluster_lib as lib

CASES = {
    # case: (README block name, spec, user objects file, user kinds, wasmdeploy kinds, Istio version)
    "istio": ("cluster.roundtrip", "spec.yaml", "workloads.yaml", "deployments,statefulsets,daemonsets",
              "configmaps,wasmplugins.extensions.istio.io,envoyfilters.networking.istio.io", "1.24"),
    "gloo": ("cluster.gloo", "gloo-spec.yaml", "gloo-gateway.yaml", "gateways.gateway.solo.io", None, None),
}
WAYS = {
    "csa": ["apply"],
    "ssa": ["apply", "--server-side"],
    "create": ["create"],
}


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--case", choices=sorted(CASES), required=True)
    ap.add_argument("--readme", default=str(lib.ROOT / "README.md"))
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    block_name, spec_name, objects_name, user_kinds, our_kinds, istio = CASES[a.case]
    blocks = lib.readme_blocks(a.readme, block_name)
    if len(blocks) != 2:
        fail(f"README.md has {len(blocks)} sh blocks marked '<!-- test: {block_name} -->'; want 2 (deploy, undo)")
    deploy, undo = blocks
    src = lib.HERE / "roundtrip"

    work = tempfile.mkdtemp(prefix=f"wd-cluster-{a.case}-")
    try:
        crds = [str(lib.HERE / "crds" / "gloo-gateway.yaml")]
        if istio:
            tag, pv = lib.pin_for(istio)
            crds.append(lib.istio_crds(pv, tag))
        cli_dir = os.path.join(work, "cli")
        os.makedirs(cli_dir)
        os.symlink(os.path.abspath(a.cli), os.path.join(cli_dir, "wasmdeploy"))
        with ApiServer(os.path.join(work, "api"), crds=crds) as api:
            env = api.env()
            env["PATH"] = cli_dir + os.pathsep + env["PATH"]
            for way, create in WAYS.items():
                ns = f"rt-{a.case}-{way}"
                d = os.path.join(work, ns)
                os.makedirs(d)
                fill = lambda name, out: pathlib.Path(d, out).write_text(
                    (src / name).read_text().replace("NS", ns))
                fill(spec_name, "spec.yaml")
                fill(objects_name, "user-objects.yaml")
                if a.case == "gloo":
                    shutil.copy(os.path.join(d, "user-objects.yaml"), os.path.join(d, "gateway.yaml"))
                else:
                    subprocess.run(["wat2wasm", str(lib.ROOT / "examples/productpage-x-hello-configmap/x-hello.wat"),
                                    "-o", os.path.join(d, "x-hello.wasm")], check=True, timeout=60)
                api.kubectl("create", "namespace", ns)
                api.kubectl(*create, "-f", os.path.join(d, "user-objects.yaml"))
                start = {k: lib.user_state(v) for k, v in lib.get_objects(api, user_kinds, ns).items()}
                for round_ in (1, 2):
                    label = f"{a.case}/{way} round {round_}"
                    lib.run_block(deploy, d, env, f"{label} deploy")
                    after = lib.get_objects(api, user_kinds, ns)
                    changed = [k for k in start if lib.user_state(after[k]) != start[k]]
                    if sorted(changed) != sorted(start):
                        fail(f"{label}: deploy did not patch {sorted(set(start) - set(changed))}")
                    ours = lib.get_objects(api, our_kinds, ns) if our_kinds else {}
                    if our_kinds and not ours:
                        fail(f"{label}: deploy created nothing in {ns}")
                    versions = {k: v["metadata"]["resourceVersion"] for k, v in {**after, **ours}.items()}
                    lib.run_block(deploy, d, env, f"{label} deploy again")
                    again = {**lib.get_objects(api, user_kinds, ns),
                             **(lib.get_objects(api, our_kinds, ns) if our_kinds else {})}
                    moved = [k for k in versions if again[k]["metadata"]["resourceVersion"] != versions[k]]
                    if moved or set(again) != set(versions):
                        fail(f"{label}: deploying again changed {moved or sorted(set(again) ^ set(versions))}")
                    # What `wasmdeploy undeploy | kubectl delete -f -` would delete: ours only.
                    stream = subprocess.run(["wasmdeploy", "undeploy", "-q", "-f", "spec.yaml"], cwd=d, env=env,
                                            capture_output=True, text=True, timeout=60, check=True).stdout
                    named = {f'{o["kind"]}/{o["metadata"]["name"]}' for o in yaml.safe_load_all(stream) if o}
                    if named & set(start) or (ours and named != set(ours)):
                        fail(f"{label}: undeploy's stdout names {sorted(named)}; wasmdeploy created {sorted(ours)}")
                    lib.run_block(undo, d, env, f"{label} undo")
                    end = {k: lib.user_state(v) for k, v in lib.get_objects(api, user_kinds, ns).items()}
                    for k in start:
                        if end.get(k) != start[k]:
                            fail(f"{label}: {k} differs from its starting state after undo:\n"
                                 f"start: {start[k]}\nend:   {end.get(k)}")
                    if our_kinds:
                        left = api.kubectl("get", our_kinds, "-n", ns, "-l", lib.MANAGED, "-o", "name").stdout
                        if left.strip():
                            fail(f"{label}: wasmdeploy objects left after undo: {left.split()}")
                    print(f"ok: {label}: deploy, idempotent re-deploy, undo ({len(start)} user objects)", flush=True)
        print(f"cluster {a.case} round trip: passed (3 ways x 2 rounds)")
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
