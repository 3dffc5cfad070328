"""Hostile values from Python (issue 20, items 6 and 7): run_check lets other threads run while a
module spins, and a deep or cyclic config dict is refused, not a crash of the interpreter."""

import shutil
import subprocess
import threading
import time

import pytest

import wasmdeploy as wd


def nested(depth):
    d = {}
    for _ in range(depth):
        d = {"k": d}
    return d


@pytest.mark.parametrize("config", [nested(200000), [nested(65)]])
def test_deep_config_is_refused(config):
    with pytest.raises(wd.WasmDeployError) as e:
        wd.Filter("f", "oci://ghcr.io/acme/f:v1", config=config)
    assert e.value.code == "spec.too-deep"


def test_cyclic_config_is_refused():
    cyclic = {"a": 1}
    cyclic["self"] = cyclic
    with pytest.raises(wd.WasmDeployError) as e:
        wd.Filter("f", "oci://ghcr.io/acme/f:v1", config=cyclic)
    assert e.value.code == "spec.too-deep"


def test_non_finite_float_is_refused():
    with pytest.raises(wd.WasmDeployError) as e:
        wd.Filter("f", "oci://ghcr.io/acme/f:v1", config={"x": float("nan")})
    assert e.value.code == "spec.non-finite-number"


SPIN = """(module (memory (export "memory") 1)
  (func (export "malloc") (param i32) (result i32) i32.const 1024)
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (loop (br 0)) (i32.const 1)))"""


@pytest.mark.skipif(not wd.host_available() or not shutil.which("wat2wasm"), reason="host or wat2wasm absent")
def test_run_check_releases_the_gil(tmp_path):
    (tmp_path / "spin.wat").write_text(SPIN)
    subprocess.run(["wat2wasm", str(tmp_path / "spin.wat"), "-o", str(tmp_path / "spin.wasm")], check=True)
    spec = wd.parse_spec("filters:\n- name: s\n  module: ./spin.wasm\n  rootId: r\n  config: {a: 1}\n"
                         "targets:\n- namespace: demo\n  selector: {app: web}\n", file="s.yaml", base_dir=str(tmp_path))
    done = threading.Event()
    errors = []

    def check():
        try:
            wd.run_check(spec, istio="1.24")
        except wd.WasmDeployError as e:
            errors.append(e.code)
        done.set()

    t = threading.Thread(target=check)
    start = time.monotonic()
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    took = time.monotonic() - start
    assert errors == ["host.trap"]  # the instruction budget stops the spin
    # With the GIL held for the whole run, this thread would not have run at all meanwhile.
    assert took > 0.2 and ticks > took * 100, (took, ticks)
