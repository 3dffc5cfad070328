"""Bytes that are not UTF-8 reach the model through bytes arguments; rendering refuses them with
spec.invalid-utf8 and the field path instead of writing other characters."""

import pytest

import wasmdeploy as wd

SHA = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510"


def spec_with(**filter_fields):
    return wd.Spec([wd.Filter("f", "oci://ghcr.io/a/f:v1", sha256=SHA, resource="EnvoyFilter", **filter_fields)],
                   [wd.Target("ns", selector={"app": "a"})], istio="1.24")


@pytest.mark.parametrize("field, value, path", [
    ("root_id", b"caf\xe9", "filters[0].rootId"),
    ("vm_id", b"\xff", "filters[0].vmId"),
])
def test_bytes_fields_are_refused(field, value, path):
    with pytest.raises(wd.WasmDeployError) as info:
        wd.render(spec_with(**{field: value}), output="yaml")
    assert info.value.code == "spec.invalid-utf8"
    assert info.value.path == path


def test_valid_utf8_bytes_render_like_str():
    assert wd.render(spec_with(root_id="café".encode()), output="yaml") == wd.render(spec_with(root_id="café"), output="yaml")
