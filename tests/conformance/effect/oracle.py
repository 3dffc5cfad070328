"""Client for the effect oracle (effect-<istio tag>, built by lib/build-effect.sh).

Shared by tests/conformance/run-effect.py (examples, generated matrix, convert) and
tests/negative/effect_verdicts.py (the no-effect corpus cases). The oracle only reports what
istiod generates; this module builds the world it runs in (proxies and the objects that give
them real listeners) and the version-dependent facts needed to read the answer.

The world: sidecars in namespaces `bookinfo` and `other`, an ingress gateway in istio-system.
Each sidecar gets a ServiceEntry selecting its labels plus a WorkloadEntry at its IP, so
istiod builds real inbound chains for it (HTTP on 8080, TCP on 9000) and every sidecar has
outbound chains for the others; the gateway gets a Gateway with an HTTP and a TCP server
(and a VirtualService so the TCP server has a tcp_proxy chain).
"""
import json
import os
import pathlib
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
CONFORMANCE = HERE.parent

# Proxies every case is probed with: (name, type, namespace, labels, ip).
WORLD = [
    {"name": "details", "type": "sidecar", "namespace": "bookinfo",
     "labels": {"app": "details", "version": "v1"}, "ip": "10.1.0.1"},
    {"name": "productpage", "type": "sidecar", "namespace": "bookinfo",
     "labels": {"app": "productpage", "version": "v1"}, "ip": "10.1.0.2"},
    {"name": "details-other", "type": "sidecar", "namespace": "other",
     "labels": {"app": "details", "version": "v1"}, "ip": "10.1.0.3"},
    {"name": "ingressgateway", "type": "router", "namespace": "istio-system",
     "labels": {"app": "istio-ingressgateway", "istio": "ingressgateway"}, "ip": "10.1.0.10"},
]

ISTIO_KINDS = {"EnvoyFilter", "WasmPlugin", "TrafficExtension", "Gateway", "VirtualService", "ServiceEntry",
               "WorkloadEntry", "Sidecar", "DestinationRule", "HTTPRoute"}


def cache_dir():
    return pathlib.Path(os.environ.get("WD_TOOLS_CACHE", pathlib.Path.home() / ".cache" / "wasmdeploy-tools"))


def pinned_tags():
    """Every Istio tag the oracle is built for: istioctl-versions.txt plus effect/extra-versions.txt."""
    tags = []
    for f in (CONFORMANCE / "istioctl-versions.txt", HERE / "extra-versions.txt"):
        for line in f.read_text().splitlines():
            parts = line.split()
            if parts and not parts[0].startswith("#"):
                tags.append((parts[0], parts[1]))
    return sorted(set(tags), key=lambda t: [int(x) for x in t[0].split(".")])


def binaries():
    """{tag: path or None} for every pinned tag, newest last."""
    out = {}
    for tag, _pv in pinned_tags():
        p = cache_dir() / "bin" / f"effect-{tag}"
        out[tag] = p if os.access(p, os.X_OK) else None
    return out


def minor(tag):
    major, mnr = tag.split(".")[:2]
    return int(major), int(mnr)


def wasmplugin_prefix(tag):
    if minor(tag) >= (1, 30):
        return "extensions.istio.io/trafficextension/"
    return "extenstions.istio.io/wasmplugin/" if minor(tag) <= (1, 25) else "extensions.istio.io/wasmplugin/"


def wasmplugin_suffix(tag):
    """From 1.30 istiod serves a WasmPlugin as the TrafficExtension it translates it into, named
    <name>~istio-translated-wasmplugin (pilot/pkg/config/kube/extensions/translate.go
    syntheticMarker, read at release-1.30 9739e10eb9d7 and 1.31 eed52ebb66ad)."""
    return "~istio-translated-wasmplugin" if minor(tag) >= (1, 30) else ""


def traffic_extension_filter_name(tag, ns, name):
    """The listener filter name istiod gives a TrafficExtension (1.30+):
    pilot/pkg/model/extensions.go TrafficExtensionResourceNamePrefix, read at release-1.30
    9739e10eb9d7 and 1.31 eed52ebb66ad."""
    return f"extensions.istio.io/trafficextension/{ns}.{name}"


def wasmplugin_filter_name(tag, ns, name):
    """The listener filter (and ECDS resource) name istiod gives a WasmPlugin.

    pilot/pkg/model/extensions.go WasmPluginResourceNamePrefix: "extenstions.istio.io/wasmplugin/"
    (sic) up to 1.25 (read at 1.25.3), "extensions.istio.io/wasmplugin/" from 1.26 (read at 1.27.0
    and 1.29.1); from 1.30 the name of the TrafficExtension it is translated into.
    """
    return f"{wasmplugin_prefix(tag)}{ns}.{name}{wasmplugin_suffix(tag)}"


def _yaml_doc(obj):
    # JSON is YAML; crd.ParseInputs reads either.
    return json.dumps(obj, sort_keys=False)


def fixtures(world=WORLD):
    docs = []
    for p in world:
        ns, name = p["namespace"], p["name"]
        if p["type"] == "router":
            docs.append({"apiVersion": "networking.istio.io/v1beta1", "kind": "Gateway",
                         "metadata": {"name": f"{name}-gw", "namespace": ns},
                         "spec": {"selector": p["labels"],
                                  "servers": [{"port": {"number": 8080, "name": "http", "protocol": "HTTP"},
                                               "hosts": ["*"]},
                                              {"port": {"number": 9000, "name": "tcp", "protocol": "TCP"},
                                               "hosts": ["*"]}]}})
            docs.append({"apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService",
                         "metadata": {"name": f"{name}-tcp", "namespace": ns},
                         "spec": {"hosts": ["*"], "gateways": [f"{ns}/{name}-gw"],
                                  "tcp": [{"match": [{"port": 9000}],
                                           "route": [{"destination": {"host": "backend.backend.svc.cluster.local",
                                                                      "port": {"number": 9000}}}]}]}})
            continue
        docs.append({"apiVersion": "networking.istio.io/v1beta1", "kind": "ServiceEntry",
                     "metadata": {"name": name, "namespace": ns},
                     "spec": {"hosts": [f"{name}.{ns}.svc.cluster.local"], "location": "MESH_INTERNAL",
                              "resolution": "STATIC",
                              "ports": [{"number": 8080, "name": "http", "protocol": "HTTP"},
                                        {"number": 9000, "name": "tcp", "protocol": "TCP"}],
                              "workloadSelector": {"labels": p["labels"]}}})
        docs.append({"apiVersion": "networking.istio.io/v1beta1", "kind": "WorkloadEntry",
                     "metadata": {"name": name, "namespace": ns},
                     "spec": {"address": p["ip"], "labels": p["labels"]}})
    # A TCP backend with a VIP, so sidecars also have an outbound tcp_proxy chain.
    docs.append({"apiVersion": "networking.istio.io/v1beta1", "kind": "ServiceEntry",
                 "metadata": {"name": "backend", "namespace": "backend"},
                 "spec": {"hosts": ["backend.backend.svc.cluster.local"], "addresses": ["240.240.0.10"],
                          "location": "MESH_INTERNAL", "resolution": "STATIC",
                          "ports": [{"number": 9000, "name": "tcp", "protocol": "TCP"}],
                          "endpoints": [{"address": "10.2.0.1"}]}})
    return docs


# Ambient: a waypoint (Gateway API Gateway of class istio-waypoint, in namespace `ambient`) serving
# the Service reviews of its own namespace and, across namespaces (istio.io/use-waypoint-namespace),
# the Service ratings of namespace `apps`. The shapes follow istiod's own waypoint test
# (pilot/pkg/xds/waypoint_test.go: waypointSvc, waypointInstance, waypointGateway); the Kubernetes
# objects go to the fake cluster, which the ambient index and the Gateway API controller read.
WAYPOINT_NS = "ambient"
WAYPOINT_LABELS = {"gateway.networking.k8s.io/gateway-name": "waypoint",
                   "gateway.networking.k8s.io/gateway-class-name": "istio-waypoint",
                   "gateway.istio.io/managed": "istio.io-mesh-controller"}
WAYPOINT_PROXY = {"name": "waypoint", "type": "waypoint", "namespace": WAYPOINT_NS, "labels": WAYPOINT_LABELS,
                  "ip": "10.5.0.10"}
AMBIENT_SERVICES = {"reviews": WAYPOINT_NS, "ratings": "apps"}  # name -> namespace, both via the waypoint
# A ServiceEntry bound to the same waypoint (istio #59337: ServiceEntry targetRefs attach there only).
AMBIENT_SERVICE_ENTRY = {"name": "external", "namespace": WAYPOINT_NS, "host": "api.example.com"}


def ambient_host(name):
    """The host of a service of the waypoint world, as istiod names the waypoint's chain for it."""
    if name == AMBIENT_SERVICE_ENTRY["name"]:
        return AMBIENT_SERVICE_ENTRY["host"]
    return f"{name}.{AMBIENT_SERVICES[name]}.svc.cluster.local"
# A Gateway API ingress (class istio) beside it, routing to reviews: Gateway targetRefs to a
# non-waypoint Gateway are judged on the proxy istiod's Gateway API controller configures.
INGRESS_PROXY = {"name": "ingress", "type": "router", "namespace": WAYPOINT_NS,
                 "labels": {"gateway.networking.k8s.io/gateway-name": "ingress"}, "ip": "10.5.0.20"}


def gateway_api_version(tag):
    """The Gateway API version istiod's informers read (pkg/config/schema/gvr/resources.gen.go
    KubernetesGateway, HTTPRoute, GatewayClass): v1beta1 at 1.25.3 and 1.27.0, v1 from 1.29.1 (read
    at each pin). A real API server serves every version from one storage; the harness's fake
    client does not convert, so the world is written in the version the release reads."""
    return "gateway.networking.k8s.io/" + ("v1beta1" if minor(tag) < (1, 29) else "v1")


GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"


def gateway_api_proxy(namespace, name, ip):
    """The proxy of a Gateway API Gateway of class istio (what istiod's deployment controller runs:
    pods labelled gateway.networking.k8s.io/gateway-name=<name>)."""
    return {"name": f"gwapi-{namespace}-{name}" if name != "ingress" else "ingress", "type": "router",
            "namespace": namespace, "labels": {GATEWAY_NAME_LABEL: name}, "ip": ip}


def is_gateway_api_proxy(proxy):
    return proxy["type"] == "router" and GATEWAY_NAME_LABEL in proxy["labels"]


def gateway_api_gateway(tag, proxy, hostname="*"):
    """Kubernetes objects for a managed Gateway API Gateway (class istio) served by `proxy`: the
    Gateway with an HTTP listener on port 80, its Service and a WorkloadEntry at the proxy's IP.
    istiod binds a managed Gateway's servers to the instances of the Service <name>-<class>
    (pilot/pkg/config/kube/gateway conversion.go extractGatewayServices and GetDefaultName, read
    at 1.25.3 and 1.31), not to a label selector; the proxy carries the gateway-name label that
    targetRefs attach by (pilot/pkg/model/policyattachment.go)."""
    ns, name = proxy["namespace"], proxy["labels"][GATEWAY_NAME_LABEL]
    ip = proxy["ip"].split(".")
    return [{"apiVersion": "v1", "kind": "Service",
             "metadata": {"name": f"{name}-istio", "namespace": ns, "labels": {GATEWAY_NAME_LABEL: name}},
             "spec": {"clusterIP": f"10.97.{ip[2]}.{ip[3]}",
                      "ports": [{"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"}],
                      "selector": {GATEWAY_NAME_LABEL: name}}},
            {"apiVersion": "networking.istio.io/v1", "kind": "WorkloadEntry",
             "metadata": {"name": f"{name}-a", "namespace": ns},
             "spec": {"address": proxy["ip"], "labels": proxy["labels"]}},
            {"apiVersion": gateway_api_version(tag), "kind": "Gateway",
             "metadata": {"name": name, "namespace": ns},
             "spec": {"gatewayClassName": "istio",
                      "listeners": [{"name": "http", "port": 80, "protocol": "HTTP", "hostname": hostname}]}}]


def ambient_kubernetes(tag):
    gw_api = gateway_api_version(tag)
    docs = [{"apiVersion": "v1", "kind": "Service",
             "metadata": {"name": "waypoint", "namespace": WAYPOINT_NS,
                          "labels": {"gateway.istio.io/managed": "istio.io-mesh-controller",
                                     "gateway.networking.k8s.io/gateway-name": "waypoint",
                                     "istio.io/gateway-name": "waypoint"}},
             "spec": {"clusterIP": "10.96.5.10", "ports": [{"appProtocol": "hbone", "name": "mesh", "port": 15008}],
                      "selector": {"gateway.networking.k8s.io/gateway-name": "waypoint"}}},
            {"apiVersion": gw_api, "kind": "Gateway",
             "metadata": {"name": "waypoint", "namespace": WAYPOINT_NS},
             "spec": {"gatewayClassName": "istio-waypoint",
                      "listeners": [{"name": "mesh", "port": 15008, "protocol": "HBONE",
                                     "allowedRoutes": {"namespaces": {"from": "All"}}}]},
             "status": {"addresses": [{"type": "Hostname", "value": f"waypoint.{WAYPOINT_NS}.svc.cluster.local"}]}},
            {"apiVersion": "networking.istio.io/v1", "kind": "WorkloadEntry",
             "metadata": {"name": "waypoint-a", "namespace": WAYPOINT_NS},
             "spec": {"address": WAYPOINT_PROXY["ip"], "labels": {"gateway.networking.k8s.io/gateway-name": "waypoint"}}}]
    docs += gateway_api_gateway(tag, INGRESS_PROXY, "*.example.com")
    docs.append({"apiVersion": gw_api, "kind": "HTTPRoute",
                 "metadata": {"name": "reviews", "namespace": WAYPOINT_NS},
                 "spec": {"parentRefs": [{"name": "ingress"}], "hostnames": ["reviews.example.com"],
                          "rules": [{"backendRefs": [{"name": "reviews", "port": 9080}]}]}})
    se = AMBIENT_SERVICE_ENTRY
    docs.append({"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
                 "metadata": {"name": se["name"], "namespace": se["namespace"],
                              "labels": {"istio.io/use-waypoint": "waypoint"}},
                 "spec": {"hosts": [se["host"]], "addresses": ["240.240.5.1"], "location": "MESH_EXTERNAL",
                          "resolution": "DNS", "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}]}})
    for i, (name, ns) in enumerate(sorted(AMBIENT_SERVICES.items())):
        labels = {"istio.io/use-waypoint": "waypoint"}
        if ns != WAYPOINT_NS:
            labels["istio.io/use-waypoint-namespace"] = WAYPOINT_NS
        docs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns, "labels": labels},
                     "spec": {"clusterIP": f"10.96.5.{20 + i}", "selector": {"app": name},
                              "ports": [{"name": "http", "port": 9080, "protocol": "TCP", "appProtocol": "http"}]}})
    return docs


def istio_documents(docs):
    """The documents istiod would read (kubectl would send the others elsewhere)."""
    return [d for d in docs if isinstance(d, dict) and d.get("kind") in ISTIO_KINDS]


def _stream(docs):
    # A leading separator: 1.25's decoder takes input starting with '{' as one JSON stream.
    return "".join("---\n" + _yaml_doc(d) + "\n" for d in docs)


def make_case(case_id, manifests, tag, world=WORLD, extension_names=(), ambient=False):
    """One oracle request. `ambient`: add the waypoint world (ambient_kubernetes) and probe the
    waypoint too. Gateway API gateways in `world` (gateway_api_proxy) get their Kubernetes objects
    (gateway_api_gateway). Either way the case must go to ask(..., ambient=True) (needs_kubernetes)."""
    # Waypoints and Gateway API gateways are configured through Kubernetes objects, the rest by fixtures.
    docs = istio_documents(manifests) + fixtures([p for p in world if p["type"] != "waypoint" and
                                                  not is_gateway_api_proxy(p)])
    case = {"id": case_id, "proxies": world, "istioVersion": tag, "extensionNames": sorted(set(extension_names)),
            # 1.30+: WasmPlugins reach istiod only through the TrafficExtension translation (main.go).
            "discovery": minor(tag) >= (1, 30)}
    kube = []
    if ambient:
        kube = ambient_kubernetes(tag)
        case["proxies"] = list(world) + [p for p in (WAYPOINT_PROXY, INGRESS_PROXY)
                                         if all(q["name"] != p["name"] for q in world)]
    for p in world:
        if is_gateway_api_proxy(p) and not (ambient and p["name"] == INGRESS_PROXY["name"]):
            kube += gateway_api_gateway(tag, p)
    if kube:
        # Like istiod's waypoint test: the config store and the fake cluster both get them.
        docs += kube
        case["kubernetes"] = _stream(kube)
    case["config"] = _stream(docs)
    return case


def needs_kubernetes(case):
    """Whether the case runs on the Kubernetes harness (ask(..., ambient=True))."""
    return bool(case.get("kubernetes"))


def ask(binary, cases, timeout=600, ambient=False):
    """Runs one oracle process on a batch; returns {id: answer}. `ambient`: the batch holds
    ambient cases, which need PILOT_ENABLE_AMBIENT=true (read by istiod's features at start-up)."""
    stdin = "".join(json.dumps(c) + "\n" for c in cases)
    env = dict(os.environ, GOMAXPROCS=os.environ.get("GOMAXPROCS", "2"))
    if ambient:
        env["PILOT_ENABLE_AMBIENT"] = "true"
    p = subprocess.run([str(binary)], input=stdin, capture_output=True, text=True, timeout=timeout, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"{binary} exited {p.returncode}: {p.stderr[-2000:]}")
    answers = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    if len(answers) != len(cases):
        raise RuntimeError(f"{binary}: {len(answers)} answers for {len(cases)} cases: {p.stderr[-2000:]}")
    return {a["id"]: a for a in answers}


def extension_config_names(manifests):
    """Names of the EXTENSION_CONFIG resources the manifests add."""
    out = []
    for d in istio_documents(manifests):
        if d["kind"] != "EnvoyFilter":
            continue
        for cp in d["spec"].get("configPatches", []):
            if cp.get("applyTo") == "EXTENSION_CONFIG":
                out.append(cp["patch"]["value"]["name"])
    return out


def rendered_filters(manifests, tag):
    """Each filter resource rendered: {name in the listeners: (kind, namespace, resource name, http|network)}."""
    out = {}
    for d in istio_documents(manifests):
        ns = d["metadata"].get("namespace", "default")
        if d["kind"] == "EnvoyFilter":
            for cp in d["spec"].get("configPatches", []):
                if cp.get("applyTo") in ("HTTP_FILTER", "NETWORK_FILTER"):
                    level = "http" if cp["applyTo"] == "HTTP_FILTER" else "network"
                    out[cp["patch"]["value"]["name"]] = ("EnvoyFilter", ns, d["metadata"]["name"], level)
        elif d["kind"] == "WasmPlugin":
            level = "network" if d["spec"].get("type") == "NETWORK" else "http"
            out[wasmplugin_filter_name(tag, ns, d["metadata"]["name"])] = (d["kind"], ns, d["metadata"]["name"], level)
        elif d["kind"] == "TrafficExtension":
            level = "network" if (d["spec"].get("wasm") or {}).get("type") == "NETWORK" else "http"
            out[traffic_extension_filter_name(tag, ns, d["metadata"]["name"])] = (d["kind"], ns, d["metadata"]["name"],
                                                                                 level)
    return out


# Chains istiod builds for traffic no service claims (passthrough, catch-all, blackhole): whether
# a filter is added there is istiod's choice per release, so they are never required.
UNCLAIMED_CHAINS = ("virtualInbound", "virtualOutbound", "PassthroughFilterChain")


def is_service_chain(chain):
    name = chain["chain"]
    return name not in UNCLAIMED_CHAINS and "blackhole" not in name and "catchall" not in name


def landing(answer, filter_name, level):
    """{proxy: {direction: (chains with the filter, service chains it belongs in)}}.

    The service chains are the ones serving a real port of a service (inbound 8080/9000 of the
    proxy's own service, outbound ones of the others, a gateway's servers) that have an HTTP
    connection manager (for an HTTP filter) or a tcp_proxy (for a network filter).
    """
    out = {}
    for p in answer.get("proxies", []):
        per = {}
        for i, c in enumerate(p["chains"]):
            if level == "http":
                fits = bool(c.get("http"))
                has = filter_name in (c.get("http") or [])
            else:
                fits = "envoy.filters.network.tcp_proxy" in c["network"]
                has = filter_name in c["network"]
            got, elig = per.setdefault(c["direction"], (set(), set()))
            key = f"{c['listener']}/{c['chain'] or '-'}#{i}"
            if fits and is_service_chain(c):
                elig.add(key)
            if has:
                got.add(key)
        out[p["name"]] = per
    return out
