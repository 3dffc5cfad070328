#!/usr/bin/env python3
"""The end-to-end reference for `wasmdeploy render -f spec.yaml`: a script that reads the same spec
with PyYAML's CSafeLoader and writes the same WasmPlugins (Istio 1.24, one per workload) with
CSafeDumper, both libyaml underneath.

  reference_spec_render.py write N SPEC_FILE   # writes the benchmark spec: one filter, N workloads
  reference_spec_render.py render SPEC_FILE    # the reference: YAML documents on stdout
"""
import sys

import yaml

SHA = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510"


def write_spec(n, path):
    with open(path, "w", encoding="utf-8") as out:
        out.write("apiVersion: wasmdeploy.io/v1alpha1\nkind: WasmDeployment\nistio: \"1.24\"\n"
                  "filters:\n- name: add-header\n  module: oci://ghcr.io/acme/add-header:v1.0.0\n"
                  f"  sha256: {SHA}\n  rootId: add_header\n"
                  "  config:\n    header: x-team\n    value: payments\n"
                  "targets:\n- namespace: payments\n  workloads:\n")
        for i in range(n):
            out.write(f"  - name: app-{i}\n    labels:\n      app: app-{i}\n      version: v1\n")


def plugins(spec):
    f = spec["filters"][0]
    for t in spec["targets"]:
        for w in t["workloads"]:
            yield {
                "apiVersion": "extensions.istio.io/v1alpha1", "kind": "WasmPlugin",
                "metadata": {"name": f"{w['name']}-{f['name']}", "namespace": t["namespace"],
                             "labels": {"app.kubernetes.io/managed-by": "wasmdeploy",
                                        "wasmdeploy.io/filter": f["name"]}},
                "spec": {"selector": {"matchLabels": dict(w["labels"])}, "url": f["module"], "sha256": f["sha256"],
                         "pluginConfig": dict(f["config"]), "pluginName": f["rootId"]},
            }


def render(path):
    with open(path, encoding="utf-8") as fh:
        spec = yaml.load(fh, Loader=yaml.CSafeLoader)
    yaml.dump_all(plugins(spec), sys.stdout, Dumper=yaml.CSafeDumper, sort_keys=False, explicit_start=True,
                  default_flow_style=False)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write_spec(int(sys.argv[2]), sys.argv[3])
    else:
        render(sys.argv[2])
