"""Capability queries: which Istio releases support what."""

import pytest

import wasmdeploy as wd


def test_supports():
    assert wd.supports("1.12", "wasm-plugin")
    assert not wd.supports("1.11", "wasm-plugin")
    assert wd.supports(wd.MeshVersion("1.12.3"), "wasm-plugin")


def test_first_release():
    assert wd.first_release("wasm-plugin") == "1.12"


def test_capabilities_table():
    rows = wd.capabilities()
    keys = [c.key for c in rows]
    assert "wasm-plugin" in keys
    assert len(keys) == len(set(keys))
    plugin = rows[keys.index("wasm-plugin")]
    assert plugin.since == "1.12" and plugin.until is None
    assert "1.12" in plugin.support
    assert repr(plugin).startswith("Capability('wasm-plugin'")
    removed = [c for c in rows if c.until is not None]
    assert removed and all(not wd.supports(c.until, c.key) for c in removed)


def test_unknown_capability():
    with pytest.raises(wd.WasmDeployError) as info:
        wd.supports("1.12", "no-such-thing")
    assert info.value.code == "capability.unknown"
    assert info.value.category == "not_found"
