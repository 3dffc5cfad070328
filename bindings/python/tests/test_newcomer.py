"""Issue 24 from Python: warnings through `warnings`, strict=, allow=, convert/import, and the
`wasmdeploy` command (python -m wasmdeploy, the console script's code) being the CLI itself."""

import os
import subprocess
import sys

import pytest

import wasmdeploy as wd

SPEC = """istio: "1.8.1"
filters:
- {name: myfilter, module: 'oci://webassemblyhub.io/tanjunchen20/add-header:v0.1', rootId: add_header,
   moduleSha256: 0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510, config: tanjunchen20}
targets:
- {namespace: bookinfo, workloads: [{name: details-v1, labels: {app: details}}]}
"""


def test_render_issues_warnings():
    spec = wd.parse_spec(SPEC)
    with pytest.warns(wd.WasmDeployWarning) as caught:
        wd.render(spec)
    assert "hostpath.pod-security" in [w.message.code for w in caught]


def test_strict_refuses_and_allow_acknowledges():
    spec = wd.parse_spec(SPEC)
    with pytest.warns(wd.WasmDeployWarning), pytest.raises(wd.WasmDeployError) as e:
        wd.render(spec, strict=True)
    assert e.value.code == "render.strict"
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        docs = wd.render(spec, strict=True, allow=["hostpath.pod-security"])
    created = [d for d in docs if d["kind"] != "Deployment"]
    assert created and all(d["metadata"]["annotations"]["wasmdeploy.io/allowed"] == "hostpath.pod-security"
                           for d in created)
    spec.allow = ["hostpath.pod-security"]
    assert wd.render(spec, strict=True, output="yaml") == wd.render(wd.parse_spec(SPEC), allow=["hostpath.pod-security"],
                                                                      output="yaml")


def cli():
    return os.path.join(os.path.dirname(wd.__file__), "_bin", "wasmdeploy")


def test_convert_is_the_cli_bytes(source_dir):
    fd = (source_dir / "examples" / "convert-wasme" / "filterdeployment.yml").read_text()
    with pytest.warns(wd.WasmDeployWarning):
        spec = wd.import_resources(fd)
    assert [f.name for f in spec.filters]
    with pytest.warns(wd.WasmDeployWarning):
        text = wd.convert(fd)
    if not os.path.exists(cli()):
        pytest.skip("no bundled command line tool in this package")
    p = subprocess.run([cli(), "convert", "-f", "-", "--to", "spec", "-q"], input=fd, capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout == text


def test_python_m_wasmdeploy_is_the_cli(tmp_path):
    if not os.path.exists(cli()):
        pytest.skip("no bundled command line tool in this package")
    version = subprocess.run([sys.executable, "-m", "wasmdeploy", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout == subprocess.run([cli(), "--version"], capture_output=True,
                                                                        text=True).stdout
    (tmp_path / "s.yaml").write_text(SPEC)
    ours = subprocess.run([sys.executable, "-m", "wasmdeploy", "render", "-f", "s.yaml", "-q"], cwd=tmp_path,
                          capture_output=True)
    assert ours.returncode == 0
    assert ours.stdout.decode() == wd.render(wd.parse_spec(SPEC), output="yaml")


# --live from Python (issue 21): the workloads' annotations as `kubectl get -o yaml` prints them.
LIVE = """apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: details-v1, namespace: bookinfo}
  spec:
    template:
      metadata:
        annotations:
          sidecar.istio.io/userVolume: '{"mine": {"emptyDir": {}}}'
          sidecar.istio.io/userVolumeMount: '{"mine": {"mountPath": "/m"}}'
"""


def patch_annotations(docs):
    [patch] = [d for d in docs if d["kind"] == "Deployment"]
    return patch["spec"]["template"]["metadata"]["annotations"]


def test_live_merges_into_the_workloads_annotations():
    spec = wd.parse_spec(SPEC)
    with pytest.warns(wd.WasmDeployWarning):
        plain = patch_annotations(wd.render(spec))
        merged = patch_annotations(wd.render(spec, live=LIVE))
        from_bytes = patch_annotations(wd.render(spec, live=LIVE.encode()))
    assert "mine" not in plain["sidecar.istio.io/userVolume"]
    assert '"mine":{"emptyDir":{}}' in merged["sidecar.istio.io/userVolume"]
    assert merged == from_bytes
    # The user's text as written is kept for the last undo, which gives it back byte for byte.
    assert merged["wasmdeploy.io/user-volumes"]
    [restore] = wd.undeploy(spec, restore=True, live=LIVE)
    annotations = restore["spec"]["template"]["metadata"]["annotations"]
    assert annotations["sidecar.istio.io/userVolume"] == '{"mine": {"emptyDir": {}}}'
    # render_result takes live= too: the same patch as render().
    result = wd.render_result(spec, live=LIVE)
    [patch] = [d for d in result.output("objects") if d["kind"] == "Deployment"]
    assert patch["spec"]["template"]["metadata"]["annotations"] == merged
    # with_live returns a copy: the spec itself is unchanged.
    copy = wd.with_live(spec, LIVE)
    assert copy is not spec
    with pytest.warns(wd.WasmDeployWarning):
        assert patch_annotations(wd.render(spec)) == plain


def test_live_without_the_listed_workload_is_refused():
    spec = wd.parse_spec(SPEC)
    with pytest.raises(wd.WasmDeployError) as e:
        wd.render(spec, live="apiVersion: v1\nkind: List\nitems: []\n")
    assert e.value.code == "live.workload-missing"
    with pytest.raises(wd.WasmDeployError) as e:
        wd.with_live(spec, "just: text\n")
    assert e.value.code == "live.not-objects"
