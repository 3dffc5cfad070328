#!/usr/bin/env python3
"""Effect checks: where istiod's own config generation puts every rendered filter.

For each Istio release the effect oracle is built for (tests/conformance/effect, one binary per
pin), renders with the CLI and asks the oracle, in one process per release, for the listeners
istiod builds for a small world of proxies (effect/oracle.py). The intent comes from the spec,
not from the rendered output: a filter must be in every eligible chain (HTTP connection manager
chains for an HTTP filter, tcp_proxy chains for a network filter) of the directions the target
asks for on the proxies it selects, and in no other chain of any proxy; filters sharing a chain
must be in phase (then priority) order; every config_discovery name in a listener must be served
as an extension config, and every EXTENSION_CONFIG rendered must be referenced.

  run-effect.py --cli build/ci/cli/wasmdeploy [--examples examples] [--only examples|matrix|convert] [-v]

Last line: "effect: N passed, M failed, K skipped". Exit 1 on a failure, 77 when no oracle is
built (SKIPPED: effect unavailable ...), else 0.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import yaml

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "effect"))
import oracle  # noqa: E402

PHASE_RANK = {"AUTHN": 0, "AUTHZ": 1, "STATS": 2, None: 3, "UNSPECIFIED_PHASE": 3}
GATEWAY_LABELS = [("istio", "ingressgateway"), ("istio", "egressgateway"), ("app", "istio-ingressgateway"),
                  ("app", "istio-egressgateway")]
GATEWAY_LABEL_KEYS = ("gateway.networking.k8s.io/gateway-name", "istio.io/gateway-name")
ROOT_NAMESPACE = "istio-system"  # meshConfig.rootNamespace default: its resources apply mesh-wide


def is_gateway_labels(labels):
    return any(labels.get(k) == v for k, v in GATEWAY_LABELS) or any(k in labels for k in GATEWAY_LABEL_KEYS)


# --- intent ---------------------------------------------------------------------------------

def wanted_directions(proxy_type, kind, context, modes):
    """Directions a filter must be in on a selected proxy, from the spec's intent alone.

    EnvoyFilter: context names the listeners (unset = the traffic the proxy serves: a sidecar's
    inbound, a gateway's). WasmPlugin: no match = every listener; SERVER = sidecar inbound;
    CLIENT = sidecar outbound and gateways (istiod treats gateway listeners as CLIENT,
    pilot/pkg/model/extensions.go workloadModeForListenerClass).
    """
    sidecar = proxy_type == "sidecar"
    if kind == "EnvoyFilter":
        table = {"inbound": {"inbound"} if sidecar else set(),
                 "outbound": {"outbound"} if sidecar else set(),
                 "gateway": set() if sidecar else {"gateway"},
                 "any": {"inbound", "outbound"} if sidecar else {"gateway"},
                 None: {"inbound"} if sidecar else {"gateway"}}
        return table[context]
    if not modes and context in ("inbound", "outbound"):
        modes = ["SERVER" if context == "inbound" else "CLIENT"]
    out = set()
    for m in modes or ["CLIENT_AND_SERVER"]:
        if m in ("SERVER", "CLIENT_AND_SERVER", "UNDEFINED") and sidecar:
            out.add("inbound")
        if m in ("CLIENT", "CLIENT_AND_SERVER", "UNDEFINED"):
            out.add("outbound" if sidecar else "gateway")
    return out


def selects(target, proxy):
    """Whether the target selects the proxy (None: not modelled here)."""
    ns = target.get("namespace", "default")
    if ns != ROOT_NAMESPACE and proxy["namespace"] != ns:
        return False
    labels = proxy["labels"]
    if target.get("targetRefs"):
        refs = target["targetRefs"]
        if any(r.get("kind") not in ("Service", "ServiceEntry") for r in refs):
            # A Gateway API gateway's proxy needs istiod's gateway controller, which the
            # harness does not run (a router labelled gateway-name makes ConfigGenTest panic).
            return None
        # A Service or ServiceEntry targetRef attaches to the waypoint serving it (ambient)
        # only: sidecars and gateways ignore every policy with targetRefs otherwise
        # (pilot/pkg/model/policyattachment.go ShouldAttachPolicy). The world has no waypoint.
        return False
    if target.get("workloads"):
        return any(all(labels.get(k) == v for k, v in (w.get("labels") or {}).items()) for w in target["workloads"])
    if target.get("selector"):
        return all(labels.get(k) == v for k, v in target["selector"].items())
    return True  # allWorkloads (or a converted selector-less wasme deployment)


def expectations(spec, world, kind_of):
    """{(namespace, filter name): {proxy: directions}} or None when a target is not modelled."""
    out = {}
    filters = {f["name"]: f for f in spec.get("filters", [])}
    for t in spec.get("targets", []):
        names = t.get("filters") or list(filters)
        modes = [m.get("mode", "UNDEFINED") for m in t.get("match", [])]
        if any(m.get("ports") for m in t.get("match", [])):
            return None
        for fname in names:
            kind = kind_of(t.get("namespace", "default"), fname)
            if kind is None:
                continue
            per = out.setdefault((t.get("namespace", "default"), fname), {})
            for p in world:
                s = selects(t, p)
                if s is None:
                    return None
                if s:
                    per.setdefault(p["name"], set()).update(wanted_directions(p["type"], kind, t.get("context"), modes))
    return out


def world_for(spec):
    """Proxies for a spec: one per listed workload or selector, a bystander per namespace, the gateway."""
    world, seen = [], set()
    n = 0

    def add(name, ns, labels):
        nonlocal n
        if (name, ns) in seen:
            return
        seen.add((name, ns))
        n += 1
        world.append({"name": name, "type": "router" if is_gateway_labels(labels) else "sidecar", "namespace": ns,
                      "labels": dict(labels), "ip": f"10.3.{n // 250}.{n % 250 + 1}"})

    for t in spec.get("targets", []):
        ns = t.get("namespace", "default")
        for w in t.get("workloads") or []:
            add(w["name"], ns, w.get("labels") or {"app": w["name"]})
        if t.get("selector"):
            add("sel-" + "-".join(f"{v}" for v in t["selector"].values())[:40].lower().replace(".", "-"), ns, t["selector"])
        for r in t.get("targetRefs") or []:
            if r.get("kind") == "Service":
                add(r["name"], ns, {"app": r["name"]})
        add("bystander", ns, {"app": "wd-bystander"})
    for p in oracle.WORLD:
        if p["type"] == "router":
            add(p["name"], p["namespace"], p["labels"])
    return world


# --- judging ---------------------------------------------------------------------------------

def resource_filters(manifests, tag):
    """{(namespace, spec filter name): [(listener filter name, level, phase key)]} of the render."""
    out = {}
    names = oracle.rendered_filters(manifests, tag)
    by_resource = {(d["kind"], d["metadata"].get("namespace", "default"), d["metadata"]["name"]): d
                   for d in oracle.istio_documents(manifests)}
    for lname, (kind, ns, rname, level) in names.items():
        d = by_resource[(kind, ns, rname)]
        fname = (d["metadata"].get("labels") or {}).get("wasmdeploy.io/filter", rname)
        out.setdefault((ns, fname), []).append((lname, level, kind, d))
    return out


def judge(answer, manifests, spec, tag, world):
    """Problems found in one oracle answer (empty list = the filters land exactly as intended)."""
    if answer.get("error"):
        return [f"istiod refused the configuration: {answer['error'][:500]}"]
    # A proxy without chains would make every "absent" verdict vacuous.
    problems = [f"{p['name']}: istiod built no filter chain at all" for p in answer.get("proxies", []) if not p["chains"]]
    rendered = resource_filters(manifests, tag)

    def kind_of(ns, fname):
        got = rendered.get((ns, fname))
        return got[0][2] if got else None

    expect = expectations(spec, world, kind_of)
    if expect is None:
        return None
    for (ns, fname), per_proxy in expect.items():
        if (ns, fname) not in rendered:
            continue
        for lname, level, _kind, _doc in rendered[(ns, fname)]:
            land = oracle.landing(answer, lname, level)
            for p in world:
                want = per_proxy.get(p["name"], set())
                for direction, (got, eligible) in sorted(land.get(p["name"], {}).items()):
                    if direction in want:
                        if not eligible:
                            problems.append(f"{p['name']} has no {level} chain on {direction} to judge {lname} by")
                        missing = eligible - got
                        if missing:
                            problems.append(f"{lname} missing from {p['name']} {direction} chains {sorted(missing)[:3]}"
                                            f" ({len(got)} of {len(eligible)} have it)")
                    elif got:
                        problems.append(f"{lname} must not be on {p['name']} {direction} but is in {sorted(got)[:3]}")
                for direction in want - set(land.get(p["name"], {})):
                    problems.append(f"{p['name']} has no {direction} listener at all, but {lname} should be there")
    problems += order_problems(answer, rendered, spec)
    wanted = {lname for key, per in expect.items() if any(per.values()) for lname, *_ in rendered.get(key, [])}
    problems += ecds_problems(answer, manifests, wanted)
    return problems


def order_problems(answer, rendered, spec):
    """Filters of the spec sharing a chain must follow phase order, then priority (WasmPlugin:
    higher first, as istiod sorts them)."""
    filters = {f["name"]: f for f in spec.get("filters", [])}
    rank = {}
    for (_ns, fname), items in rendered.items():
        f = filters.get(fname, {})
        for lname, _level, kind, _doc in items:
            if kind == "EnvoyFilter":
                # INSERT_BEFORE the router in ascending priority (istiod applies lower first), so
                # a lower priority ends up earlier; wasmdeploy writes 10 when none is given.
                order = f.get("priority", 10)
            else:
                order = -f.get("priority", 0)  # WasmPlugin: higher priority first within a phase
            rank[lname] = (PHASE_RANK.get(f.get("phase"), 3), order, fname)
    out = []
    for p in answer.get("proxies", []):
        for c in p["chains"]:
            ours = [n for n in (c.get("http") or []) + c["network"] if n in rank]
            keys = [rank[n][:2] for n in ours]
            if keys != sorted(keys):
                out.append(f"{p['name']} {c['listener']}/{c['chain']}: order {ours} breaks phase/priority order")
    return out[:5]


def ecds_problems(answer, manifests, wanted):
    out = []
    referenced = set()
    for p in answer.get("proxies", []):
        names = {n for c in p["chains"] for n in (c.get("discovery") or [])}
        referenced |= names
        for n in sorted(names - set(p["served"])):
            out.append(f"{p['name']}: listener references extension config {n} that istiod does not serve")
    for n in oracle.extension_config_names(manifests):
        if n in wanted and n not in referenced:
            out.append(f"EXTENSION_CONFIG {n} is referenced by no listener of any proxy")
    return out


# --- case sources ------------------------------------------------------------------------------

def render(cli, workdir, spec_file, tag, extra=()):
    """Renders a spec file, or (spec_file None) the command line `extra` alone."""
    spec_args = ["-f", spec_file] if spec_file else []
    p = subprocess.run([str(cli), "render", "-q", *spec_args, *extra, "--istio", tag, "-o", "json"],
                       cwd=workdir, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return json.loads(p.stdout).get("items", []), ""


def example_cases(examples, work, tags):
    for d in sorted(pathlib.Path(examples).iterdir()):
        if not (d / "versions.txt").exists():
            continue
        tokens = (d / "versions.txt").read_text().split()
        if not any(t[:1].isdigit() for t in tokens):
            continue  # not an Istio example (Gloo, Envoy Gateway, a local Envoy)
        dst = work / "examples" / d.name
        subprocess.run(["cp", "-r", str(d), str(dst)], check=True)
        for wat in dst.glob("*.wat"):
            subprocess.run(["wat2wasm", str(wat), "-o", str(wat.with_suffix(".wasm"))], check=True)
        for spec_file in sorted(dst.glob("*.yaml")):
            spec = yaml.safe_load(spec_file.read_text())
            if not isinstance(spec, dict) or spec.get("kind") != "WasmDeployment":
                continue
            for tag in tags:
                yield f"example {d.name}/{spec_file.name} @ {tag}", tag, dst, spec_file.name, spec, ()


# The generated matrix. Each entry is a spec; every one is rendered at every pin.
SHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
WAT = '(module (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_0")) ' \
      '(func (export "malloc") (param i32) (result i32) i32.const 0))'


def matrix_specs():
    mods = {"oci": {"module": "oci://ghcr.io/acme/f:v1", "sha256": SHA},
            "http": {"module": "https://example.com/f.wasm", "sha256": SHA},
            "configmap": {"module": "./f.wasm"},
            "file": {"module": "file:///var/local/wasm/f.wasm"}}
    sel = {"namespace": "bookinfo", "selector": {"app": "details"}}
    wl = {"namespace": "bookinfo", "workloads": [{"name": "details", "labels": {"app": "details", "version": "v1"}}]}
    gw = {"namespace": "istio-system", "selector": {"istio": "ingressgateway"}}
    allw = {"namespace": "bookinfo", "allWorkloads": True}
    specs = {}
    for resource in ("EnvoyFilter", "WasmPlugin"):
        for ftype in ("http", "network"):
            for how, m in mods.items():
                for ctx in (None, "inbound", "outbound", "any"):
                    t = dict(sel if how != "configmap" else wl)
                    if ctx:
                        t["context"] = ctx
                    f = {"name": "f", "rootId": "f", **m}
                    if ftype == "network":
                        f["type"] = "network"
                    specs[f"{resource}-{ftype}-{how}-{ctx or 'unset'}"] = {
                        "options": {"resource": resource}, "filters": [f], "targets": [t]}
            # gateway: the one-liner (no context), an explicit context, and namespace-wide
            for name, t in (("gateway-selector", gw), ("gateway-explicit", dict(gw, context="gateway")),
                            ("all-workloads", allw), ("workloads", wl)):
                f = {"name": "f", "rootId": "f", **mods["oci"]}
                if ftype == "network":
                    f["type"] = "network"
                specs[f"{resource}-{ftype}-{name}"] = {"options": {"resource": resource}, "filters": [f], "targets": [t]}
        # phases and priorities: three filters sharing the details chains
        fs = [{"name": "a-stats", "phase": "STATS", **mods["oci"]},
              {"name": "b-authn", "phase": "AUTHN", **mods["oci"]},
              {"name": "c-authz-lo", "phase": "AUTHZ", "priority": 1, **mods["oci"]},
              {"name": "d-authz-hi", "phase": "AUTHZ", "priority": 5, **mods["oci"]}]
        for f in fs:
            f["rootId"] = "r"
        if resource == "WasmPlugin":
            specs[f"{resource}-phases"] = {"options": {"resource": resource}, "filters": fs, "targets": [sel]}
        else:  # an EnvoyFilter places first (AUTHN) or before the router, in priority order
            fs = [{"name": "a-late", "priority": 20, **mods["oci"]}, {"name": "b-first", "phase": "AUTHN", **mods["oci"]},
                  {"name": "c-early", "priority": 1, **mods["oci"]}, {"name": "d-default", **mods["oci"]}]
            for f in fs:
                f["rootId"] = "r"
            specs[f"{resource}-priorities"] = {"options": {"resource": resource}, "filters": fs, "targets": [sel]}
    # WasmPlugin only: targetRefs to a Service (1.22+), match modes
    specs["WasmPlugin-targetRefs-service"] = {
        "options": {"resource": "WasmPlugin"}, "filters": [{"name": "f", "rootId": "f", **mods["oci"]}],
        "targets": [{"namespace": "bookinfo", "targetRefs": [{"kind": "Service", "name": "details"}]}]}
    specs["EnvoyFilter-targetRefs-service"] = {
        "options": {"resource": "EnvoyFilter"}, "filters": [{"name": "f", "rootId": "f", **mods["oci"]}],
        "targets": [{"namespace": "bookinfo", "targetRefs": [{"kind": "Service", "name": "details"}]}]}
    specs["WasmPlugin-gateway-client"] = {
        "options": {"resource": "WasmPlugin"}, "filters": [{"name": "f", "rootId": "f", **mods["oci"]}],
        "targets": [dict(gw, match=[{"mode": "CLIENT"}])]}
    # the one-liner, through the CLI flags rather than a spec
    specs["cli-gateway-one-liner"] = None
    return specs


ONE_LINER = ["oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "--id", "authn", "-n", "istio-system", "-l",
             "istio=ingressgateway", "--config", "authn", "--sha256", SHA, "--root-id", "add_header"]


def matrix_cases(work, tags):
    d = work / "matrix"
    d.mkdir()
    subprocess.run(["wat2wasm", "-", "-o", str(d / "f.wasm")], input=WAT, text=True, check=True)
    for name, spec in matrix_specs().items():
        if spec is None:
            spec = {"filters": [{"name": "authn"}],
                    "targets": [{"namespace": "istio-system", "selector": {"istio": "ingressgateway"}}]}
            for tag in tags:
                yield f"matrix {name} @ {tag}", tag, d, None, spec, ONE_LINER
            continue
        f = d / f"{name}.yaml"
        f.write_text(yaml.safe_dump(spec, sort_keys=False))
        for tag in tags:
            yield f"matrix {name} @ {tag}", tag, d, f.name, spec, ()


def convert_cases(cli, examples, tags):
    """A wasme FilterDeployment must land where the wasme operator put it: the operator wrote one
    EnvoyFilter per deployment with context SIDECAR_INBOUND (wasme's patchContext default) and the
    Deployment's pod labels; a deployment without labels meant every workload of the namespace."""
    src = pathlib.Path(examples) / "convert-wasme" / "filterdeployment.yml"
    fd = yaml.safe_load(src.read_text())
    ns = fd["metadata"]["namespace"]
    intent = {"filters": [{"name": fd["metadata"]["name"]}],
              "targets": [{"namespace": ns, "allWorkloads": True, "context": "inbound"}]}
    for to in ("wasmplugin", "envoyfilter"):
        args = ["--to", to, "--all-workloads"]
        if to == "wasmplugin":
            args += ["--wrap-string-config", "value"]
        else:
            args += ["--sha256", SHA]
        for tag in tags:
            p = subprocess.run([str(cli), "convert", "-q", "-f", str(src), "--istio", tag, "-o", "json", *args],
                               capture_output=True, text=True, timeout=120)
            yield f"convert {src.name} --to {to} @ {tag}", tag, p, intent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--examples", default=str(HERE.parent.parent / "examples"))
    ap.add_argument("--only", action="append", choices=["examples", "matrix", "convert"])
    ap.add_argument("-v", action="store_true")
    o = ap.parse_args()
    cli = pathlib.Path(o.cli).resolve()
    bins = oracle.binaries()
    for tag, b in bins.items():
        if b is None:
            print(f"SKIPPED: effect-{tag} unavailable (not built; run tests/conformance/setup-tools.sh --only effect)")
    tags = [t for t, b in bins.items() if b]
    if not tags:
        print("effect: 0 passed, 0 failed, 0 skipped")
        return 77
    only = set(o.only or ["examples", "matrix", "convert"])
    passed = failed = skipped = 0
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="wd-effect-") as tmp:
        work = pathlib.Path(tmp)
        (work / "examples").mkdir()
        pending = {t: [] for t in tags}  # tag -> [(label, case, manifests, spec, world)]

        def queue(label, tag, manifests, spec, world):
            case = oracle.make_case(str(len(pending[tag])), manifests, tag, world,
                                    oracle.extension_config_names(manifests))
            pending[tag].append((label, case, manifests, spec, world))

        sources = []
        if "examples" in only:
            sources.append(example_cases(o.examples, work, tags))
        if "matrix" in only:
            sources.append(matrix_cases(work, tags))
        for src in sources:
            for label, tag, cwd, spec_file, spec, extra in src:
                manifests, err = render(cli, cwd, spec_file, tag, extra)
                if manifests is None:
                    skipped += 1
                    if o.v:
                        print(f"skip {label}: refused ({err.splitlines()[0] if err else '?'})")
                    continue
                queue(label, tag, manifests, spec, world_for(spec))
        if "convert" in only:
            for label, tag, p, intent in convert_cases(cli, o.examples, tags):
                if p.returncode != 0:
                    failed += 1
                    print(f"FAIL {label}: convert refused: {p.stderr.strip()[:300]}")
                    continue
                queue(label, tag, json.loads(p.stdout).get("items", []), intent, world_for(intent))
        for tag in tags:
            batch = pending[tag]
            if not batch:
                continue
            s = time.time()
            answers = oracle.ask(bins[tag], [b[1] for b in batch])
            if o.v:
                print(f"effect-{tag}: {len(batch)} cases in {time.time() - s:.1f}s")
            for label, case, manifests, spec, world in batch:
                problems = judge(answers[case["id"]], manifests, spec, tag, world)
                if problems is None:
                    skipped += 1
                    print(f"skip {label}: target not modelled by the oracle (Gateway API targetRefs or match ports)")
                elif problems:
                    failed += 1
                    print(f"FAIL {label}")
                    for pr in problems[:8]:
                        print(f"    {pr}")
                else:
                    passed += 1
                    if o.v:
                        print(f"ok   {label}")
    print(f"effect: {passed} passed, {failed} failed, {skipped} skipped "
          f"(Istio {', '.join(tags)}; {time.time() - t0:.0f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
