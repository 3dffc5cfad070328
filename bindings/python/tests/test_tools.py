"""inspect_module, build_image and undeploy: the same results as the CLI and C++ API."""

import json
import os

import pytest

import wasmdeploy as wd

# ABI 0.1.0 marker, malloc and memory: loadable by every Istio from 1.5.
MODULE = bytes.fromhex(
    "0061736d01000000"                       # magic, version
    "01090260000060017f017f"                 # types: () -> (), (i32) -> i32
    "0303020001"                             # two functions
    "0503010001"                             # one memory
    "072d03"                                 # exports
    "1770726f78795f6162695f76657273696f6e5f305f315f300000"  # proxy_abi_version_0_1_0
    "066d616c6c6f630001"                     # malloc
    "066d656d6f72790200"                     # memory
    "0a090202000b040041000b"                 # function bodies
)


def test_inspect_module_reports_abi_and_releases():
    report = wd.inspect_module(MODULE)
    text = json.dumps(report)
    assert "0.1.0" in text
    assert "malloc" in text
    verdict = wd.inspect_module(MODULE, istio="1.5")
    assert json.dumps(verdict) != text  # the verdict for 1.5 is included


def test_inspect_module_refuses_garbage():
    with pytest.raises(wd.WasmDeployError) as e:
        wd.inspect_module(b"not wasm")
    assert e.value.code.startswith("wasm.")


def test_build_image_returns_the_manifest_digest(tmp_path):
    a = wd.build_image(MODULE, root_id="r", output_dir=str(tmp_path / "a"), variant="compat")
    b = wd.build_image(MODULE, root_id="r", output_dir=str(tmp_path / "b"), variant="compat")
    assert a == b and len(a) == 64
    index = json.loads((tmp_path / "a" / "index.json").read_text())
    assert index["manifests"][0]["digest"] == "sha256:" + a


def test_undeploy_deletes_what_render_creates(bookinfo_spec):
    made = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
            for d in wd.render(bookinfo_spec, istio="1.24")}
    plan = wd.undeploy(bookinfo_spec, istio="1.24")
    removed = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in plan}
    assert made <= removed | {k for k in made if k[0] in ("Deployment", "DaemonSet", "StatefulSet")}
    assert wd.undeploy(bookinfo_spec, istio="1.24", output="yaml").startswith("---")


def test_undeploy_restores_apart_from_deletions(bookinfo_spec):
    # On 1.8 bookinfo's workloads are patched (wasme node cache volumes): their restores come
    # only with restore=True, and the deletions never name a user's workload.
    user = ("Deployment", "DaemonSet", "StatefulSet")
    deletions = wd.undeploy(bookinfo_spec, istio="1.8")
    restores = wd.undeploy(bookinfo_spec, istio="1.8", restore=True)
    # (the wasme node cache's own DaemonSet, in namespace wasme, is wasmdeploy's and goes)
    assert deletions and not [d for d in deletions if d["kind"] in user and d["metadata"]["namespace"] == "bookinfo"]
    assert restores and all(d["kind"] in user and d["metadata"]["namespace"] == "bookinfo" for d in restores)
    annotations = restores[0]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["sidecar.istio.io/userVolume"] is None
    assert wd.undeploy(bookinfo_spec, istio="1.8", output="yaml", restore=True).startswith("---")
