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
import re
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
        if any(r.get("kind") not in ("Service", "ServiceEntry", "Gateway") for r in refs):
            return None  # GatewayClass: the waypoint world's business (ambient_specs)
        # A Gateway targetRef attaches to the proxies of that Gateway API Gateway in the policy's
        # namespace (their gateway-name label; world_for adds one per Gateway named). A Service or
        # ServiceEntry targetRef attaches to the waypoint serving it (ambient) only: sidecars and
        # gateways ignore every policy with targetRefs otherwise (pilot/pkg/model/policyattachment.go
        # ShouldAttachPolicy). This world has no waypoint.
        gateway = labels.get(oracle.GATEWAY_NAME_LABEL)
        return any(r.get("kind") == "Gateway" and r.get("name") == gateway and oracle.is_gateway_api_proxy(proxy)
                   for r in refs)
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
            if r.get("kind") == "Gateway":
                n += 1
                gw = oracle.gateway_api_proxy(ns, r["name"], f"10.6.{n // 250}.{n % 250 + 1}")
                if (gw["name"], ns) not in seen:
                    seen.add((gw["name"], ns))
                    world.append(gw)
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
    # A Gateway API Gateway (class istio) by targetRef: world_for gives it its own proxy, configured
    # by istiod's Gateway API controller (oracle.gateway_api_gateway).
    gwapi = {"namespace": "istio-ingress", "targetRefs": [
        {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public"}]}
    for resource in ("WasmPlugin", "EnvoyFilter", "TrafficExtension"):
        specs[f"{resource}-targetRefs-gateway"] = {
            "options": {"resource": resource}, "filters": [{"name": "f", "rootId": "f", **mods["oci"]}],
            "targets": [gwapi]}
    specs["WasmPlugin-gateway-client"] = {
        "options": {"resource": "WasmPlugin"}, "filters": [{"name": "f", "rootId": "f", **mods["oci"]}],
        "targets": [dict(gw, match=[{"mode": "CLIENT"}])]}
    # TrafficExtension (1.30+; refused, so skipped, before): the same placements as WasmPlugin
    for name, t in (("selector", sel), ("gateway-selector", gw), ("workloads", wl)):
        for ftype in ("http", "network"):
            for ctx in ((None, "inbound", "outbound") if name == "selector" else (None,)):
                f = {"name": "f", "rootId": "f", **mods["oci"]}
                if ftype == "network":
                    f["type"] = "network"
                tt = dict(t, context=ctx) if ctx else dict(t)
                specs[f"TrafficExtension-{ftype}-{name}-{ctx or 'unset'}"] = {
                    "options": {"resource": "TrafficExtension"}, "filters": [f], "targets": [tt]}
    specs["TrafficExtension-phases"] = dict(specs["WasmPlugin-phases"], options={"resource": "TrafficExtension"})
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


# --- ambient waypoints ---------------------------------------------------------------------------
#
# The oracle's waypoint world (oracle.ambient_kubernetes): waypoint `waypoint` (Gateway API Gateway,
# class istio-waypoint) in namespace ambient serves Service reviews there, Service ratings of
# namespace apps and ServiceEntry external (api.example.com); a Gateway API ingress (class istio)
# stands beside it. Intent: which of those services' chains on the waypoint the filter must be in
# (or "ingress": the ingress's chains). istiod's waypoint listener
# (pilot/pkg/networking/core/listener_waypoint.go) has one HTTP chain per service port it serves,
# named after the service's host.

WAYPOINT_GW_REF = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "waypoint"}
ALL_AMBIENT = set(oracle.AMBIENT_SERVICES) | {oracle.AMBIENT_SERVICE_ENTRY["name"]}


def ambient_specs():
    f = {"name": "f", "rootId": "f", "module": "oci://ghcr.io/acme/f:v1", "sha256": SHA, "config": {"a": "b"}}
    out = {}
    for resource in ("WasmPlugin", "TrafficExtension"):
        base = {"options": {"resource": resource}, "filters": [f]}
        out[f"{resource}-waypoint-gateway"] = (dict(base, targets=[{"namespace": oracle.WAYPOINT_NS,
                                                                     "targetRefs": [WAYPOINT_GW_REF]}]), ALL_AMBIENT)
        out[f"{resource}-waypoint-service"] = (dict(base, targets=[{"namespace": oracle.WAYPOINT_NS, "targetRefs": [
            {"kind": "Service", "name": "reviews"}]}]), {"reviews"})
        # istio #59337: a ServiceEntry targetRef lands on the waypoint serving the ServiceEntry
        out[f"{resource}-waypoint-service-entry"] = (dict(base, targets=[{"namespace": oracle.WAYPOINT_NS, "targetRefs": [
            {"group": "networking.istio.io", "kind": "ServiceEntry", "name": "external"}]}]), {"external"})
        # istio #60530: the Service's waypoint is in another namespace
        out[f"{resource}-waypoint-service-cross-namespace"] = (dict(base, targets=[{"namespace": "apps", "targetRefs": [
            {"kind": "Service", "name": "ratings"}]}]), {"ratings"})
        out[f"{resource}-waypoint-gateway-class"] = (dict(base, targets=[{"namespace": "istio-system", "targetRefs": [
            {"group": "gateway.networking.k8s.io", "kind": "GatewayClass", "name": "istio-waypoint"}]}]), ALL_AMBIENT)
        # A Gateway API ingress (class istio) beside the waypoint: on its listeners, not the waypoint's.
        out[f"{resource}-gateway-api-ingress"] = (dict(base, targets=[{"namespace": oracle.WAYPOINT_NS, "targetRefs": [
            {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "ingress"}]}]), "ingress")
    return out


def waypoint_chains(answer, service):
    """The waypoint's HTTP chains serving `service` (host <name>.<ns>.svc.cluster.local)."""
    host = oracle.ambient_host(service)
    wp = next((p for p in answer.get("proxies", []) if p["name"] == oracle.WAYPOINT_PROXY["name"]), None)
    if wp is None:
        return []
    return [c for c in wp["chains"] if c.get("http") and host in (c["chain"] or "")]


def judge_ambient(answer, manifests, services, tag, warnings):
    """The filter must be in every waypoint chain of `services`, in no chain of another service nor
    of any sidecar or gateway; a listener's extension config must be served unless wasmdeploy warned
    (waypoint.cross-namespace-extension, istio #60530)."""
    if answer.get("error"):
        return [f"istiod refused the configuration: {answer['error'][:500]}"]
    names = list(oracle.rendered_filters(manifests, tag))
    if len(names) != 1:
        return [f"expected one rendered filter, got {names}"]
    name = names[0]
    problems = []
    ingress = services == "ingress"
    if ingress:
        services = set()
    for svc in sorted(ALL_AMBIENT):
        chains = waypoint_chains(answer, svc)
        if not chains:
            built = [c["chain"] for p in answer.get("proxies", []) if p["name"] == oracle.WAYPOINT_PROXY["name"]
                     for c in p["chains"]]
            problems.append(f"the waypoint has no HTTP chain for {svc} (istiod built {built[:8]})")
            continue
        has = [c["chain"] for c in chains if name in (c.get("http") or [])]
        if svc in services and len(has) != len(chains):
            problems.append(f"{name} missing from waypoint chains of {svc}: in {len(has)} of {len(chains)}")
        if svc not in services and has:
            problems.append(f"{name} must not be on the waypoint chains of {svc} but is in {has[:2]}")
    for p in answer.get("proxies", []):
        if p["name"] == oracle.WAYPOINT_PROXY["name"]:
            referenced = {n for c in p["chains"] for n in (c.get("discovery") or [])}
            if name in referenced and name not in p["served"] and "waypoint.cross-namespace-extension" not in warnings:
                problems.append(f"the waypoint's listeners name {name} but istiod does not serve it (the waypoint "
                                f"would hang, istio #60530), and wasmdeploy did not warn")
            continue
        if ingress and p["name"] == oracle.INGRESS_PROXY["name"]:
            eligible = [c for c in p["chains"] if c.get("http") and oracle.is_service_chain(c)]
            if not eligible:
                problems.append(f"the Gateway API ingress has no HTTP chain (istiod built "
                                f"{[c['listener'] + '/' + c['chain'] for c in p['chains']][:6]})")
            missing = [c["listener"] for c in eligible if name not in c["http"]]
            if missing:
                problems.append(f"{name} missing from the Gateway API ingress chains {missing[:3]}")
            continue
        if any(name in (c.get("http") or []) + c["network"] for c in p["chains"]):
            problems.append(f"{name} must be on the {'ingress' if ingress else 'waypoint'} only, but {p['name']} has it")
    return problems


def normalized(answer, names):
    """The answer with each given filter/extension name replaced by a placeholder, as plain data."""
    # Listener order is istiod's map order, not part of the configuration.
    text = json.dumps({p["name"]: {"chains": sorted(p["chains"], key=lambda c: json.dumps(c, sort_keys=True)),
                                   "served": p["served"],
                                   "configs": {k: json.loads(v) if isinstance(v, str) else v
                                               for k, v in (p.get("servedConfigs") or {}).items()}}
                       for p in answer.get("proxies", [])}, sort_keys=True)
    # istiod stamps each config with the time it read the resource; the agent strips the key.
    text = re.sub(r'"ISTIO_META_WASM_PLUGIN_RESOURCE_VERSION": "[^"]*"', '"ISTIO_META_WASM_PLUGIN_RESOURCE_VERSION": "-"',
                  text)
    for n in sorted(names, key=len, reverse=True):
        text = text.replace(n, "<filter>")
        # PluginConfig.name is <ns>.<name> (the resource name without the type prefix)
        text = text.replace(n.split("/")[-1], "<plugin>")
    return json.loads(text)


def render_with_warnings(cli, workdir, spec_file, tag):
    p = subprocess.run([str(cli), "render", "-f", spec_file, "--istio", tag, "-o", "json"], cwd=workdir,
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return json.loads(p.stdout).get("items", []), p.stderr


def ambient_and_equivalence(cli, work, tags, bins, verbose):
    """(passed, failed, skipped). Ambient cases at every pin; WasmPlugin vs TrafficExtension
    equivalence (the same spec as both kinds must give the same chains and the same served Envoy
    config, names aside) at 1.30+."""
    d = work / "ambient"
    d.mkdir()
    passed = failed = skipped = 0
    world = oracle.WORLD + [oracle.WAYPOINT_PROXY, oracle.INGRESS_PROXY]
    for tag in tags:
        batch, meta = [], []
        for name, (spec, services) in ambient_specs().items():
            f = d / f"{name}.yaml"
            f.write_text(yaml.safe_dump(spec, sort_keys=False))
            manifests, warnings = render_with_warnings(cli, d, f.name, tag)
            if manifests is None:
                skipped += 1
                if verbose:
                    print(f"skip ambient {name} @ {tag}: refused ({warnings.splitlines()[0] if warnings else '?'})")
                continue
            batch.append(oracle.make_case(f"a{len(batch)}", manifests, tag, world, ambient=True))
            meta.append((f"ambient {name} @ {tag}", manifests, services, warnings))
        equiv = []
        # On the waypoint and the Gateway API ingress too: each ambient WasmPlugin case and its
        # TrafficExtension twin (rendered above) must give the same configuration.
        ambient_ids = {m[0].split()[1]: (c["id"], m[1]) for m, c in zip(meta, batch)}
        for name, (wp_id, wp_m) in ambient_ids.items():
            twin = ambient_ids.get(name.replace("WasmPlugin-", "TrafficExtension-", 1))
            if name.startswith("WasmPlugin-") and twin:
                equiv.append((f"equivalence ambient {name} (WasmPlugin = TrafficExtension) @ {tag}", [wp_m, twin[1]],
                              [wp_id, twin[0]]))
        if oracle.minor(tag) >= (1, 30):
            for name, spec in matrix_specs().items():
                if not spec or spec["options"]["resource"] != "WasmPlugin":
                    continue
                te_spec = dict(spec, options={"resource": "TrafficExtension"})
                pair = []
                for kind, sp in (("wp", spec), ("te", te_spec)):
                    f = d / f"equiv-{kind}-{name}.yaml"
                    f.write_text(yaml.safe_dump(sp, sort_keys=False))
                    m, _err = render(cli, d, f.name, tag)
                    pair.append(m)
                if None in pair:
                    skipped += 1
                    continue
                ids = []
                for m in pair:
                    batch.append(oracle.make_case(f"a{len(batch)}", m, tag, world_for(spec)))
                    ids.append(batch[-1]["id"])
                equiv.append((f"equivalence {name} (WasmPlugin = TrafficExtension) @ {tag}", pair, ids))
        if not batch:
            continue
        answers = oracle.ask(bins[tag], batch, ambient=True)
        for (label, manifests, services, warnings), case in zip(meta, batch):
            problems = judge_ambient(answers[case["id"]], manifests, services, tag, warnings)
            passed, failed = report(label, problems, passed, failed, verbose)
        for label, pair, ids in equiv:
            a, b = (answers[i] for i in ids)
            problems = [f"istiod refused: {x['error'][:300]}" for x in (a, b) if x.get("error")]
            if not problems:
                na = normalized(a, oracle.rendered_filters(pair[0], tag))
                nb = normalized(b, oracle.rendered_filters(pair[1], tag))
                if na != nb:
                    diff = [p for p in na if na[p] != nb.get(p)]
                    problems.append(f"WasmPlugin and TrafficExtension differ on {diff[:3]}: "
                                    f"{json.dumps(na.get(diff[0]) if diff else None)[:300]} vs "
                                    f"{json.dumps(nb.get(diff[0]) if diff else None)[:300]}")
                elif not any(n in json.dumps(a) for n in oracle.rendered_filters(pair[0], tag)):
                    skipped += 1  # both land nowhere in this world (a Service targetRef): nothing to compare
                    if verbose:
                        print(f"skip {label}: the filter lands on no proxy of this world")
                    continue
            passed, failed = report(label, problems, passed, failed, verbose)
    return passed, failed, skipped


def report(label, problems, passed, failed, verbose):
    if problems:
        print(f"FAIL {label}")
        for pr in problems[:8]:
            print(f"    {pr}")
        return passed, failed + 1
    if verbose:
        print(f"ok   {label}")
    return passed + 1, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--examples", default=str(HERE.parent.parent / "examples"))
    ap.add_argument("--only", action="append", choices=["examples", "matrix", "convert", "ambient"])
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
    only = set(o.only or ["examples", "matrix", "convert", "ambient"])
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
            # Cases with Gateway API gateways run on the Kubernetes harness, in their own process.
            answers = {}
            for kube in (False, True):
                part = [b[1] for b in batch if oracle.needs_kubernetes(b[1]) == kube]
                if part:
                    answers.update(oracle.ask(bins[tag], part, ambient=kube))
            if o.v:
                print(f"effect-{tag}: {len(batch)} cases in {time.time() - s:.1f}s")
            for label, case, manifests, spec, world in batch:
                problems = judge(answers[case["id"]], manifests, spec, tag, world)
                if problems is None:
                    skipped += 1
                    print(f"skip {label}: target not modelled by the oracle (GatewayClass targetRefs or match ports)")
                elif problems:
                    failed += 1
                    print(f"FAIL {label}")
                    for pr in problems[:8]:
                        print(f"    {pr}")
                else:
                    passed += 1
                    if o.v:
                        print(f"ok   {label}")
        if "ambient" in only:
            p_, f_, s_ = ambient_and_equivalence(cli, work, tags, bins, o.v)
            passed, failed, skipped = passed + p_, failed + f_, skipped + s_
    print(f"effect: {passed} passed, {failed} failed, {skipped} skipped "
          f"(Istio {', '.join(tags)}; {time.time() - t0:.0f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
