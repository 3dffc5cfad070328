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
