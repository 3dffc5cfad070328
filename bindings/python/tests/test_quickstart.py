"""The README's Python quick start, verbatim, so it cannot rot."""


def test_quickstart(capsys):
    # --- README: Python quick start ---------------------------------------------------------
    import wasmdeploy as wd

    spec = wd.Spec(
        [wd.Filter("add-header", "oci://ghcr.io/acme/add-header:v1.0.0",
                   sha256="0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                   root_id="add_header", config={"header": "x-team", "value": "payments"})],
        [wd.Target("payments", workloads=[wd.Workload("api", labels={"app": "api"})])],
    )
    print(wd.render(spec, istio="1.24", output="yaml"))   # or output="json"
    docs = wd.render(spec, istio="1.24")                  # list of dicts
    print([d["kind"] for d in docs])                      # ['WasmPlugin']
    print(wd.supports("1.11", "wasm-plugin"), wd.first_release("wasm-plugin"))  # False 1.12

    try:
        wd.parse_spec("filters:\n- name: x\n  modul: oci://r/x:v1\n", file="bad.yaml")
    except wd.WasmDeployError as e:                       # a ValueError
        print(e.code, e.path, e.line, e.column)           # spec.unknown-field filters[0].modul 3 3
    # --- end ---------------------------------------------------------------------------------

    out = capsys.readouterr().out
    assert "kind: WasmPlugin" in out
    assert "['WasmPlugin']" in out
    assert "False 1.12" in out
    assert "spec.unknown-field filters[0].modul 3 3" in out
