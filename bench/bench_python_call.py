#!/usr/bin/env python3
"""Per-call cost of one small render: Python binding vs C API vs a pure-Python reference.

    PYTHONPATH=build/dev/python python3 bench/bench_python_call.py \
        --capi-bench build/dev/bench/bench_capi_render

What is measured (best of 5 rounds, as timeit reports it):
  python.render       wasmdeploy.render(spec, istio=..., output="yaml") on a prebuilt Spec
  python.parse+render wasmdeploy.render(wasmdeploy.parse_spec(text), ...): YAML text in, YAML out
  capi.render         wd_render_text() in a C loop (bench_capi_render), no Python at all
  pyyaml.render       the same documents built as dicts in pure Python and dumped with
                      yaml.dump_all(Dumper=SafeDumper) (the reference a pure-Python tool would be)
  pyyaml.parse+render yaml.safe_load(text) + the above

The reference handles only this spec's shape (one filter, one selector target, WasmPlugin), so it
is a lower bound on what a real pure-Python renderer would cost. It is checked once to build
the same documents as wasmdeploy (compared as parsed objects). Target: python.render at least
20x faster than pyyaml.render.
"""
import argparse
import os
import subprocess
import sys
import timeit

import yaml

import wasmdeploy as wd

# Keep in step with SMALL_SPEC in bench_capi_render.c.
SMALL_SPEC = """\
filters:
- name: add-header
  module: oci://ghcr.io/acme/add-header:v1.0.0
  sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  rootId: add_header
  config: {header: x-bench, value: "1"}
targets:
- namespace: bench
  selector: {app: api}
"""


def reference_documents(spec, istio):
    """The WasmPlugin wasmdeploy renders for SMALL_SPEC, built from the parsed spec as dicts."""
    major, minor = (int(x) for x in istio.split(".")[:2])
    if (major, minor) < (1, 12):
        raise ValueError("the reference only renders WasmPlugin (Istio >= 1.12)")
    docs = []
    for target in spec["targets"]:
        for f in spec["filters"]:
            plugin = {
                "selector": {"matchLabels": dict(target["selector"])},
                "url": f["module"],
                "sha256": f["sha256"],
                "pluginConfig": dict(f["config"]),
                "pluginName": f["rootId"],
            }
            docs.append({
                "apiVersion": "extensions.istio.io/v1alpha1",
                "kind": "WasmPlugin",
                "metadata": {
                    "name": f["name"],
                    "namespace": target.get("namespace", "default"),
                    "labels": {"app.kubernetes.io/managed-by": "wasmdeploy", "wasmdeploy.io/filter": f["name"]},
                },
                "spec": plugin,
            })
    return docs


def reference_render(spec, istio):
    return yaml.dump_all(reference_documents(spec, istio), Dumper=yaml.SafeDumper, sort_keys=False,
                         explicit_start=True)


def best_per_call(fn, number):
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--istio", default="1.24")
    ap.add_argument("--number", type=int, default=2000, help="calls per round")
    ap.add_argument("--capi-bench", help="path to bench_capi_render (skipped when absent)")
    ap.add_argument("--min-ratio", type=float, default=0.0,
                    help="exit 1 when pyyaml.render / python.render is below this")
    args = ap.parse_args()

    spec = wd.parse_spec(SMALL_SPEC)
    parsed = yaml.safe_load(SMALL_SPEC)
    ours = wd.render(spec, istio=args.istio, output="yaml")
    theirs = reference_render(parsed, args.istio)
    if [d for d in yaml.safe_load_all(theirs)] != wd.render(spec, istio=args.istio):
        print("the pure-Python reference no longer builds wasmdeploy's documents", file=sys.stderr)
        return 1

    n = args.number
    times = {
        "python.render": best_per_call(lambda: wd.render(spec, istio=args.istio, output="yaml"), n),
        "python.parse+render": best_per_call(
            lambda: wd.render(wd.parse_spec(SMALL_SPEC), istio=args.istio, output="yaml"), n),
        "pyyaml.render": best_per_call(lambda: reference_render(parsed, args.istio), max(n // 10, 10)),
        "pyyaml.parse+render": best_per_call(
            lambda: reference_render(yaml.safe_load(SMALL_SPEC), args.istio), max(n // 10, 10)),
    }
    if args.capi_bench and os.path.exists(args.capi_bench):
        out = subprocess.run([args.capi_bench, str(n * 5), args.istio], check=True, capture_output=True,
                             text=True).stdout
        fields = dict(line.split() for line in out.splitlines())
        times["capi.render"] = float(fields["capi_ns_per_render"]) * 1e-9

    print(f"one small render ({len(ours)} bytes of YAML, Istio {args.istio}); yaml with libyaml: "
          f"{'yes' if yaml.__with_libyaml__ else 'no'} (SafeDumper is pure Python either way)")
    for name, t in times.items():
        print(f"  {name:<22}{t * 1e6:10.1f} us/call")
    ratio = times["pyyaml.render"] / times["python.render"]
    print(f"  pyyaml.render / python.render             = {ratio:6.1f}x")
    print(f"  pyyaml.parse+render / python.parse+render = "
          f"{times['pyyaml.parse+render'] / times['python.parse+render']:6.1f}x")
    if "capi.render" in times:
        print(f"  python.render / capi.render (binding overhead) = "
              f"{times['python.render'] / times['capi.render']:6.2f}x")
    if ratio < args.min_ratio:
        print(f"FAIL: ratio {ratio:.1f} is below {args.min_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
