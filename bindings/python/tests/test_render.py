"""Rendering: objects, YAML and JSON agree, and built and parsed specs give the same bytes."""

import json

import pytest
import yaml

import wasmdeploy as wd


def test_outputs_agree(bookinfo_spec):
    objects = wd.render(bookinfo_spec)
    text_json = wd.render(bookinfo_spec, output="json")
    text_yaml = wd.render(bookinfo_spec, output="yaml")
    assert objects and all(isinstance(d, dict) for d in objects)
    assert json.loads(text_json)["items"] == objects
    assert [d for d in yaml.safe_load_all(text_yaml) if d is not None] == objects


def test_built_and_parsed_specs_render_the_same(bookinfo_spec, bookinfo_yaml):
    parsed = wd.parse_spec(bookinfo_yaml)
    for version in ("1.8.1", "1.12", "1.24"):
        assert wd.render(parsed, istio=version, output="yaml") == wd.render(bookinfo_spec, istio=version, output="yaml")


def test_render_is_deterministic(bookinfo_spec):
    first = wd.render(bookinfo_spec, istio="1.24", output="yaml")
    assert all(wd.render(bookinfo_spec, istio="1.24", output="yaml") == first for _ in range(5))


def test_istio_version_changes_the_resource_kind(bookinfo_spec):
    old = {d["kind"] for d in wd.render(bookinfo_spec, istio="1.8.1")}
    assert "WasmPlugin" not in old
    assert "EnvoyFilter" in old


def test_render_result(bookinfo_spec, tmp_path):
    result = wd.render_result(bookinfo_spec, istio=wd.MeshVersion("1.24"))
    assert str(result.version) == "1.24"
    assert len(result) == len(result.file_names)
    assert result.output("yaml") == wd.render(bookinfo_spec, istio="1.24", output="yaml")
    for d in result.diagnostics:
        assert d.severity in ("note", "warning", "error") and d.code
    out = tmp_path / "out"
    result.write_directory(str(out))
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == sorted(result.file_names)
    # Only Kubernetes objects at the top (kubectl apply -f DIR); runtime-config.json under files/.
    assert all(p.suffix == ".yaml" for p in out.iterdir() if p.is_file())
    assert sorted(p.name for p in (out / "files").iterdir()) == ["runtime-config-add-header.json"]


def test_bad_output_name(bookinfo_spec):
    with pytest.raises(wd.WasmDeployError) as info:
        wd.render(bookinfo_spec, output="xml")
    assert info.value.code == "python.bad-output"


def test_parse_error_has_position(bookinfo_yaml):
    text = bookinfo_yaml.replace("rootId:", "rootid:")
    with pytest.raises(wd.WasmDeployError) as info:
        wd.parse_spec(text, file="bookinfo.yaml")
    err = info.value
    assert err.line == 7 and err.column > 0
    assert err.path.startswith("filters[0]")
    assert "bookinfo.yaml:7" in str(err)


def test_load_spec(tmp_path, bookinfo_yaml, bookinfo_spec):
    path = tmp_path / "spec.yaml"
    path.write_text(bookinfo_yaml)
    assert wd.render(wd.load_spec(str(path)), output="json") == wd.render(bookinfo_spec, output="json")
    with pytest.raises(wd.WasmDeployError) as info:
        wd.load_spec(str(tmp_path / "missing.yaml"))
    assert info.value.category == "io"


GATEWAY_SPEC = """\
filters:
- name: add-header
  module: oci://ghcr.io/acme/add-header:v1
  rootId: add_header
  env:
  - {name: POD_NAME, valueFrom: HOST}
targets:
- namespace: edge
  targetRefs:
  - {group: gateway.networking.k8s.io, kind: Gateway, name: public}
"""


def test_target_and_gateway_version():
    """target= and gateway_version= are the CLI's --target and --gateway-version."""
    spec = wd.parse_spec(GATEWAY_SPEC)
    docs = wd.render(spec, target="envoy-gateway", gateway_version="v1.3")
    assert [d["kind"] for d in docs] == ["EnvoyExtensionPolicy"]
    assert docs[0]["spec"]["wasm"][0]["env"] == {"hostKeys": ["POD_NAME"]}
    # env.hostKeys arrived in Envoy Gateway v1.3: the version really reaches the renderer.
    with pytest.raises(wd.WasmDeployError) as info:
        wd.render(spec, target="envoy-gateway", gateway_version="v1.2")
    assert info.value.category == "version" and info.value.path == "filters[0].env"
    # Without a target the spec's platform (Istio) applies and needs an Istio version.
    assert [d["kind"] for d in wd.render(spec, istio="1.24")] == ["WasmPlugin"]
    assert [d["kind"] for d in wd.render(spec, istio="1.24", target=None)] == ["WasmPlugin"]
    result = wd.render_result(spec, target="ENVOY-GATEWAY", gateway_version="1.9")
    assert result.output("yaml") == wd.render(spec, target="envoy-gateway", gateway_version="v1.9", output="yaml")
    removal = wd.undeploy(spec, target="envoy-gateway", gateway_version="v1.3")
    assert [d["kind"] for d in removal] == ["EnvoyExtensionPolicy"]


def test_bad_target_and_gateway_version():
    spec = wd.parse_spec(GATEWAY_SPEC)
    with pytest.raises(wd.WasmDeployError) as info:
        wd.render(spec, target="kuma")
    assert info.value.path == "target" and "envoy-gateway" in str(info.value)
    with pytest.raises(wd.WasmDeployError) as info:
        wd.render(spec, target="envoy-gateway", gateway_version="three")
    assert info.value.code == "gateway-version.syntax" and info.value.path == "gateway_version"
    with pytest.raises(wd.WasmDeployError) as info:
        wd.render(spec, target="envoy-gateway", gateway_version="v1.0")
    assert info.value.code == "gateway-version.unsupported"
    with pytest.raises(TypeError):
        wd.render(spec, target=3)
