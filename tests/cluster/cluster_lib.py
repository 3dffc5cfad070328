"""Shared by the cluster tests: Istio CRDs per pin, README blocks, comparing objects."""
import json
import os
import pathlib
import re
import subprocess

from apiserver import CACHE, Unavailable

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PINS = ROOT / "tests" / "conformance" / "istioctl-versions.txt"
CRD_PATH = "manifests/charts/base/files/crd-all.gen.yaml"
MANAGED = "app.kubernetes.io/managed-by=wasmdeploy"


def key(v):
    parts = v.lstrip("v").split(".")
    return int(parts[0]) * 1000 + int(parts[1])


def pins():
    """[(tag, pseudo-version)] from istioctl-versions.txt, oldest first."""
    out = []
    for line in PINS.read_text().splitlines():
        f = line.split()
        if f and not f[0].startswith("#"):
            out.append((f[0], f[1]))
    return sorted(out, key=lambda p: key(p[0]))


def crd_file(pv):
    gomod = pathlib.Path(os.environ.get("GOMODCACHE", os.path.join(CACHE, "gomod")))
    return gomod / f"istio.io/istio@{pv}" / CRD_PATH


def pin_for(version):
    """The pin whose CRDs judge an Istio version: the oldest pin not older than it, else the newest."""
    ps = pins()
    for tag, pv in ps:
        if key(version) <= key(tag):
            return tag, pv
    return ps[-1]


def istio_crds(pv, tag):
    copied = pathlib.Path(CACHE) / "istio-crds" / f"{tag}.yaml"  # setup-k8s.sh keeps a copy
    if copied.is_file():
        return str(copied)
    f = crd_file(pv)
    if not f.is_file():
        raise Unavailable(f"Istio {tag} CRDs not downloaded ({f}); tests/conformance/setup-tools.sh "
                          f"--only istioctl and tests/cluster/setup-k8s.sh fetch istio.io/istio@{pv}")
    return str(f)


def readme_blocks(readme, name):
    """The ```sh blocks of README.md annotated `<!-- test: NAME -->`, in order."""
    text = pathlib.Path(readme).read_text(encoding="utf-8")
    pat = re.compile(r"^<!-- test: (\S+) -->\n```sh\n(.*?)^```$", re.M | re.S)
    return [m.group(2) for m in pat.finditer(text) if m.group(1) == name]


SERVER_FIELDS = ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp")
# Annotations the API server itself writes (the DaemonSet registry mirrors metadata.generation).
SERVER_ANNOTATIONS = ("deprecated.daemonset.template.generation",)


def user_state(obj):
    """An object minus what the server manages (status, managedFields, resourceVersion, ...)."""
    o = json.loads(json.dumps(obj))
    o.pop("status", None)
    md = o.get("metadata", {})
    for f in SERVER_FIELDS:
        md.pop(f, None)
    for a in SERVER_ANNOTATIONS:
        md.get("annotations", {}).pop(a, None)
    return o


def get_objects(api, kinds, ns):
    out = api.kubectl("get", kinds, "-n", ns, "-o", "json").stdout
    return {f'{i["kind"]}/{i["metadata"]["name"]}': i for i in json.loads(out)["items"]}


def run_block(block, cwd, env, label):
    p = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0:
        raise AssertionError(f"{label}: README commands exited {p.returncode}\n--- commands\n{block}"
                             f"--- stdout\n{p.stdout}--- stderr\n{p.stderr}")
    return p
