#!/usr/bin/env python3
"""Runs README.md's operator flow (the ```sh blocks marked <!-- test: controller.readme -->)
verbatim on a real kube-apiserver, with the controller running out of cluster as its own
ServiceAccount (no kubelet here to run its Deployment), and checks what each block did."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import ctl
from ctl import ApiServer, Controller, Unavailable, get

NAME = "controller.readme"


def blocks(readme):
    text = open(readme, encoding="utf-8").read()
    pat = re.compile(r"^<!-- test: (\S+) -->\n```sh\n(.*?)^```$", re.M | re.S)
    return [m.group(2) for m in pat.finditer(text) if m.group(1) == NAME]


def run_block(block, cwd, env, n):
    print(f"--- README block {n} ---\n{block}", flush=True)
    p = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=300)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        sys.exit(f"README block {n} failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


def efs(api):
    return sorted(i["metadata"]["name"] for i in (get(api, "envoyfilters.networking.istio.io", "-n", "bookinfo") or {}).get("items", []))


def main():
    ap = argparse.ArgumentParser()
    for f in ("--cli", "--go", "--lib-dir", "--readme"):
        ap.add_argument(f, required=True)
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--workdir")
    a = ap.parse_args()
    bs = blocks(a.readme)
    if len(bs) != 4:
        sys.exit(f"expected 4 README blocks marked {NAME}, found {len(bs)}")
    work = a.workdir or tempfile.mkdtemp(prefix="wd-readme-")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    binary = ctl.build_controller(a.go, a.lib_dir, a.include, work)
    crds = ctl.istio_crds("1.29.1")
    try:
        with ApiServer(os.path.join(work, "api"), crds=[crds]) as api:
            env = api.env()
            env["PATH"] = os.path.dirname(os.path.abspath(a.cli)) + os.pathsep + env["PATH"]
            # The cluster the seeds start from: Istio 1.8.1 and bookinfo's Deployments.
            api.kubectl("create", "namespace", "istio-system")
            api.kubectl("create", "deployment", "istiod", "-n", "istio-system", "--image=docker.io/istio/pilot:1.8.1")
            api.kubectl("patch", "deployment", "istiod", "-n", "istio-system", "--type=json",
                        "-p", '[{"op":"replace","path":"/spec/template/spec/containers/0/name","value":"discovery"}]')
            api.kubectl("create", "namespace", "bookinfo")
            for app in ("details", "productpage", "ratings"):
                api.kubectl("create", "deployment", f"{app}-v1", "-n", "bookinfo", f"--image=docker.io/istio/examples-bookinfo-{app}-v1:1.20.2")
            before = {d["metadata"]["name"]: d["spec"]["template"] for d in get(api, "deployments", "-n", "bookinfo")["items"]}

            run_block(bs[0], work, env, 1)  # install the CRDs, RBAC and Deployment
            # As the README's operator-manifests --node-cache-namespaces bookinfo configures it.
            with open(os.path.join(work, "operator.yaml")) as f:
                if "--node-cache-namespaces=bookinfo" not in f.read():
                    sys.exit("block 1's operator.yaml does not allow bookinfo the node cache")
            c = Controller(binary, ctl.service_account_kubeconfig(api, work), work,
                           extra=["--node-cache-namespaces=bookinfo"]).start()
            try:
                out = run_block(bs[1], work, env, 2)  # the seed's FilterDeployment, waited for
                names = efs(api)
                if names != [f"{w}-v1-bookinfo-custom-filter" for w in ("details", "productpage", "ratings")]:
                    sys.exit(f"block 2 made EnvoyFilters {names}")
                if "state: Succeeded" not in out:
                    sys.exit("block 2's status shows no Succeeded workload")
                run_block(bs[2], work, env, 3)  # the update
                specs = [json.dumps(i["spec"]) for i in get(api, "envoyfilters.networking.istio.io", "-n", "bookinfo")["items"]]
                if not specs or not all("goodbye" in s for s in specs):
                    sys.exit("block 3 did not update the EnvoyFilters")
                run_block(bs[3], work, env, 4)  # delete
                after = {d["metadata"]["name"]: d["spec"]["template"] for d in get(api, "deployments", "-n", "bookinfo")["items"]}
                if efs(api) or after != before:
                    sys.exit(f"block 4 left EnvoyFilters {efs(api)} or changed workloads")
            except BaseException:
                print("--- controller log ---\n" + c.tail(60), flush=True)
                raise
            finally:
                c.stop()
    except Unavailable as e:
        ctl.skip(f"kube-apiserver ({e})")
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
