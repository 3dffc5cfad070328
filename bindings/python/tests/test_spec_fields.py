"""Every field of the spec schema is a keyword of its Python class.

The schema is read from spec.proto through protoc itself (a FileDescriptorSet decoded to text),
so a field added to the .proto without its keyword fails here.
"""

import pathlib
import re
import subprocess
import tempfile

import pytest

import wasmdeploy as wd

# Fields that are not keywords, and why.
NOT_KEYWORDS = {
    ("Spec", "api_version"): "the document header: always wasmdeploy.io/v1alpha1",
    ("Spec", "kind"): "the document header: always WasmDeployment",
}
# Messages that are Python classes; their sub-messages are dicts (checked below) or, for
# Spec.options, flattened into Spec's keywords.
CLASSES = {"Spec": wd.Spec, "Filter": wd.Filter, "Target": wd.Target, "Workload": wd.Workload}
FLATTENED = {("Spec", "options"): "Options"}


def proto_messages(source_dir):
    """{message: [field names]} from protoc's view of spec.proto."""
    root = source_dir / "src" / "spec" / "proto"
    proto = root / "wasmdeploy" / "spec" / "v1alpha1" / "spec.proto"
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "spec.desc"
        subprocess.run(["protoc", f"-I{root}", f"--descriptor_set_out={out}", str(proto)], check=True)
        with out.open("rb") as desc:
            text = subprocess.run(["protoc", "-I/usr/include", "--decode=google.protobuf.FileDescriptorSet",
                                   "google/protobuf/descriptor.proto"],
                                  stdin=desc, capture_output=True, check=True).stdout.decode()
    messages, stack, current = {}, [], None
    for line in text.splitlines():
        line = line.strip()
        if line.endswith("{"):
            stack.append(line[:-1].strip())
        elif line == "}":
            stack.pop()
        elif (m := re.fullmatch(r'name: "(\w+)"', line)):
            if stack == ["file", "message_type"]:
                current = m.group(1)
                messages[current] = []
            elif stack == ["file", "message_type", "field"]:
                messages[current].append(m.group(1))
    assert "Filter" in messages and "rootId" not in messages["Filter"], messages
    return messages


def keywords(cls):
    """The keyword names of a pybind11 constructor, from its signature line."""
    sig = cls.__init__.__doc__.splitlines()[0]
    params = sig[sig.index("(") + 1:sig.rindex(")")]
    return set(re.findall(r"(?:^|, )\*?(\w+):", params)) - {"self"}


@pytest.fixture(scope="module")
def messages(source_dir):
    return proto_messages(source_dir)


@pytest.mark.parametrize("message", sorted(CLASSES))
def test_every_field_is_a_keyword(messages, message):
    kw = keywords(CLASSES[message])
    missing = []
    for field in messages[message]:
        if (message, field) in NOT_KEYWORDS:
            continue
        if (message, field) in FLATTENED:
            missing += [f"{field}.{f}" for f in messages[FLATTENED[(message, field)]] if f not in kw]
        elif field not in kw:
            missing.append(field)
    assert not missing, f"{message} has no keyword for {missing} (keywords: {sorted(kw)})"


def test_dict_valued_fields_take_every_key(messages):
    """Sub-messages passed as dicts: each of their fields round-trips through the class."""
    t = wd.Target("ns", match=[{"mode": "SERVER", "ports": [8080]}],
                  target_refs=[{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw"}],
                  rules=[{"ingress": ["i"], "domain": ["d"], "service": ["s"], "config": {"a": 1},
                          "config_disable": True}])
    assert set(t.match[0]) == set(messages["TrafficMatch"])
    assert set(t.target_refs[0]) == set(messages["TargetRef"])
    assert set(t.rules[0]) == set(messages["HigressRule"])
    s = wd.Spec(envoy={"listen_port": 9000, "admin_port": 9001, "upstream": "127.0.0.1:1"})
    assert set(s.envoy) == set(messages["EnvoyBootstrap"]) and s.envoy["listen_port"] == 9000
    # EnvVar {name, value, valueFrom}: inline variables are env, HOST ones host_env.
    f = wd.Filter("f", "oci://ghcr.io/a/f:v1", env={"A": "1"}, host_env=["B"])
    assert messages["EnvVar"] == ["name", "value", "value_from"] and f.env == {"A": "1"} and f.host_env == ["B"]


def test_all_workloads_renders_namespace_wide():
    """The seed's `wasme deploy istio IMAGE --id myfilter --namespace bookinfo`: no selector."""
    spec = wd.Spec([wd.Filter("myfilter", "oci://ghcr.io/acme/f:v1", root_id="r", config={"a": "b"})],
                   [wd.Target("bookinfo", all_workloads=True)])
    [doc] = wd.render(spec, istio="1.24")
    assert doc["kind"] == "WasmPlugin" and "selector" not in doc["spec"], doc


def test_new_keywords_reach_the_model():
    spec = wd.Spec([wd.Filter("f", "oci://ghcr.io/a/f:v1", image_layout="img/")],
                   [wd.Target("ns", selector={"app": "a"}, istio_namespace="istio-system")],
                   platform="wasme", gateway_version="v1.3", gloo_gateway="gw.yaml")
    assert spec.filters[0].image_layout == "img/"
    assert spec.targets[0].istio_namespace == "istio-system" and not spec.targets[0].all_workloads
    assert (spec.platform, spec.gateway_version, spec.gloo_gateway) == ("wasme", "v1.3", "gw.yaml")


def test_sha256_as_tools_print_it():
    """skopeo's "sha256:..." and uppercase hex are accepted; a note names the value used."""
    hexdigest = "6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a"
    spec = wd.Spec([wd.Filter("f", "oci://ghcr.io/a/f:v1", sha256="sha256:" + hexdigest.upper(), root_id="r")],
                   [wd.Target("ns", selector={"app": "a"})])
    r = wd.render_result(spec, istio="1.24")
    assert r.output()[0]["spec"]["sha256"] == hexdigest
    assert any(d.code == "sha256.normalized" and hexdigest in d.message for d in r.diagnostics)
