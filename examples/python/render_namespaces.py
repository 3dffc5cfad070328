#!/usr/bin/env python3
"""CI-style rendering: one filter rolled out to several namespaces, written as a directory of
manifest files (one file per resource) ready for `kubectl apply -f DIR` or a GitOps repo.

    python3 render_namespaces.py --istio 1.24 --out manifests/ team-a team-b team-c

Each namespace gets the filter on the pods labelled app=<namespace>-api. Re-running with the
same inputs rewrites identical bytes, so the directory can be committed and diffed.
"""
import argparse
import sys

import wasmdeploy as wd


def build_spec(namespaces, module, sha256):
    """One filter, one target per namespace."""
    add_header = wd.Filter(
        "add-header",
        module,
        sha256=sha256,
        root_id="add_header",
        config={"header": "x-rendered-by", "value": "wasmdeploy"},
        fail_strategy="FAIL_OPEN",
    )
    targets = [wd.Target(ns, selector={"app": f"{ns}-api"}) for ns in namespaces]
    return wd.Spec([add_header], targets)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("namespaces", nargs="+")
    ap.add_argument("--istio", default="1.24", help="Istio version, e.g. 1.12 or 1.24.2")
    ap.add_argument("--out", required=True, help="directory to (re)write")
    ap.add_argument("--module", default="oci://ghcr.io/acme/add-header:v1.0.0")
    ap.add_argument("--sha256", default="0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
    args = ap.parse_args(argv)

    spec = build_spec(args.namespaces, args.module, args.sha256)
    try:
        result = wd.render_result(spec, istio=args.istio)
    except wd.WasmDeployError as e:  # e.code / e.path say what to fix
        print(f"error: {e}", file=sys.stderr)
        return 1
    for d in result.diagnostics:
        print(d, file=sys.stderr)
    result.write_directory(args.out, force=True)
    for name in result.file_names:
        print(f"{args.out.rstrip('/')}/{name}")
    return 0 if len(result) > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
