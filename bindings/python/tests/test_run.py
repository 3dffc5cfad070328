"""wasmdeploy.run: the embedded proxy-wasm host from Python, on the probe filter the host tests
build (tests/host); the same JSON as the CLI, as typed objects."""

import os
import pathlib

import pytest

import wasmdeploy as wd

MODULES = pathlib.Path(os.environ.get("WD_HOST_MODULES", "/nonexistent"))
pytestmark = pytest.mark.skipif(not wd.host_available() or not (MODULES / "probe20.wasm").exists(),
                                reason="host not built or tests/host modules absent (WD_HOST_MODULES)")


def probe() -> bytes:
    return (MODULES / "probe20.wasm").read_bytes()


def test_run_pushes_a_request_through():
    r = wd.run(probe(), root_id="probe_root", config="ok", request="POST /x", request_headers=[("X-A", "1")],
               request_body="abc", response_body="xyz")
    assert isinstance(r, wd.RunResult) and r.ok and r.abi == "0.2.0"
    assert r.request.header("x-probe-root-id") == "probe_root"
    assert r.request.header("x-a") == "1" and r.request.body == "abc+probe"
    assert r.response.header("x-probe-response") == "seen" and r.response.body == "rewritten"
    assert r.actions[-3:] == ["on_done: true", "on_log", "on_delete"]
    assert wd.LogEntry("info", "on_vm_start") in r.logs


def test_refused_config_and_traps_are_results_not_exceptions():
    r = wd.run(probe(), config="reject")
    assert not r.ok and r.configure is False and r.trap is None
    r = wd.run(probe(), config=b"trap:configure")
    assert not r.ok and r.trap_phase == "on_configure" and "Unreachable" in r.trap


def test_local_reply_and_http_call():
    r = wd.run(probe(), config="deny")
    assert r.local_reply == wd.LocalReply(403, "probe_denied", [("x-deny", "no")], "denied by probe", -1)
    r = wd.run(probe(), config="call", http_call_status=204)
    assert r.http_calls == [wd.HttpCall("http", "authz", [(":path", "/chk")], "q", 500)]
    assert r.request.header("x-probe-call-status") == "204"


def test_config_json_is_delivered_like_a_wasmplugin_plugin_config():
    r = wd.run(probe(), config_json={"b": 1, "a": [True, None]})
    assert r.request.header("x-probe-config") == '{"a":[true,null],"b":1}'


def test_spec_filter_gets_what_render_deploys(tmp_path):
    (tmp_path / "probe.wasm").write_bytes(probe())
    spec = wd.parse_spec("filters:\n- name: p\n  module: ./probe.wasm\n  rootId: r\n  config: {z: 1, a: 2}\n"
                         "targets:\n- namespace: demo\n  selector: {app: web}\n", file="s.yaml", base_dir=str(tmp_path))
    r = wd.run(spec=spec, filter="p", istio="1.24")
    assert r.request.header("x-probe-config") == '{"a":2,"z":1}' and r.request.header("x-probe-root-id") == "r"
    assert wd.run_check(spec, istio="1.24")


def test_run_check_refuses_with_the_field_path(tmp_path):
    (tmp_path / "probe.wasm").write_bytes(probe())
    spec = wd.parse_spec("filters:\n- name: p\n  module: ./probe.wasm\n  config: reject\n"
                         "targets:\n- namespace: demo\n  selector: {app: web}\n", file="s.yaml", base_dir=str(tmp_path))
    with pytest.raises(wd.WasmDeployError) as e:
        wd.run_check(spec, istio="1.24")
    assert e.value.code == "host.configure-rejected" and e.value.path == "filters[0].config"


def test_bad_arguments_raise():
    with pytest.raises(wd.WasmDeployError):
        wd.run(probe(), request="nonsense")
    with pytest.raises(ValueError):
        wd.run(probe(), config="a", config_json="{}")
