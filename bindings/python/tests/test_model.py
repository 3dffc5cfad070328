"""Filter, Target, Workload, MeshVersion and Spec as Python objects."""

import pytest

import wasmdeploy as wd


def test_filter_keywords_and_repr():
    f = wd.Filter("add-header", "oci://ghcr.io/acme/add-header:v1", root_id="add_header",
                  fail_strategy="FAIL_OPEN", priority=10, env={"LOG": "debug"}, host_env=["POD_NAME"])
    assert f.root_id == "add_header"
    assert f.fail_strategy == "FAIL_OPEN"
    assert f.priority == 10
    assert f.env == {"LOG": "debug"}
    assert f.host_env == ["POD_NAME"]
    assert repr(f) == ("Filter(name='add-header', module='oci://ghcr.io/acme/add-header:v1', root_id='add_header', "
                       "fail_strategy='FAIL_OPEN', env={'LOG': 'debug'}, host_env=['POD_NAME'], priority=10)")


def test_filter_options_are_keyword_only():
    with pytest.raises(TypeError):
        wd.Filter("a", "oci://r/x:v1", "0" * 64)  # sha256 must be passed by name


def test_filter_config_round_trips():
    cfg = {"b": 1, "a": [True, None, 1.5, "x"], "nested": {"z": "last", "y": "first"}}
    f = wd.Filter("f", "oci://r/x:v1", config=cfg)
    assert f.config == cfg
    assert list(f.config["nested"]) == ["z", "y"]  # key order is kept
    f.config = "verbatim text"
    assert f.config == "verbatim text"


def test_bad_enum_value_raises_wasmdeploy_error():
    with pytest.raises(wd.WasmDeployError) as info:
        wd.Filter("f", "oci://r/x:v1", fail_strategy="SOMETIMES")
    assert isinstance(info.value, ValueError)
    assert info.value.code.endswith("unknown-value")
    assert "failStrategy" in info.value.path


def test_module_without_scheme_is_refused():
    with pytest.raises(wd.WasmDeployError) as info:
        wd.Filter("f", "localhost:5000/repo:v1")
    assert info.value.code == "module.no-scheme"


def test_target_and_workload():
    w = wd.Workload("reviews-v1", kind="StatefulSet", labels={"app": "reviews"})
    t = wd.Target("bookinfo", workloads=[w], context="outbound",
                  match=[{"mode": "SERVER", "ports": [8080]}],
                  target_refs=[{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw"}])
    assert t.namespace == "bookinfo"
    assert t.workloads[0].kind == "StatefulSet"
    assert t.match == [{"mode": "SERVER", "ports": [8080]}]
    assert t.target_refs[0]["kind"] == "Gateway"
    assert repr(w) == "Workload(name='reviews-v1', kind='StatefulSet', labels={'app': 'reviews'})"
    assert repr(t).startswith("Target(namespace='bookinfo', workloads=[Workload(name='reviews-v1'")


def test_mesh_version():
    v = wd.MeshVersion("1.8.1")
    assert (v.major, v.minor, v.patch, v.patch_given) == (1, 8, 1, True)
    assert str(wd.MeshVersion("1.12")) == "1.12"
    assert repr(v) == "MeshVersion('1.8.1')"
    assert wd.MeshVersion("1.8") < wd.MeshVersion("1.12")
    assert wd.MeshVersion("1.12") == wd.MeshVersion("v1.12")
    assert wd.MeshVersion.oldest_supported() <= wd.MeshVersion.newest_supported()
    with pytest.raises(wd.WasmDeployError) as info:
        wd.MeshVersion("0.9")
    assert info.value.code.startswith("version.")


def test_spec_built_from_objects(bookinfo_spec):
    assert len(bookinfo_spec.filters) == 1
    assert bookinfo_spec.targets[0].workloads[1].name == "reviews-v1"
    assert repr(bookinfo_spec) == "Spec(file='<input>', istio='1.12', filters=1, targets=1)"
    copy = bookinfo_spec.copy()
    filters = copy.filters
    filters[0].root_id = "other"
    copy.filters = filters
    assert copy.filters[0].root_id == "other"
    assert bookinfo_spec.filters[0].root_id == "add_header"


def test_every_public_name_has_a_docstring():
    for name in wd.__all__:
        obj = getattr(wd, name)
        if name == "__version__":
            continue
        assert obj.__doc__, name
        if isinstance(obj, type):
            for attr, value in vars(obj).items():
                if not attr.startswith("_"):
                    assert getattr(value, "__doc__", None), f"{name}.{attr}"
