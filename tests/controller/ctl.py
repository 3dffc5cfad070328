"""Shared by the controller tests: building the controller, the cluster it runs on, and
running it as its own ServiceAccount (so the ClusterRole `wasmdeploy operator-manifests`
prints is what it really gets)."""
import itertools
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "cluster"))
from apiserver import CACHE, SKIP_EXIT, ApiServer, Unavailable  # noqa: E402

GOMODCACHE = os.environ.get("GOMODCACHE", os.path.join(CACHE, "gomod"))
PINS = ROOT / "tests" / "conformance" / "istioctl-versions.txt"
NS = "wasmdeploy-system"


def skip(what):
    print(f"SKIPPED: {what} unavailable", flush=True)
    sys.exit(SKIP_EXIT)


def istio_crds(tag):
    """crd-all.gen.yaml of an Istio pin (istioctl-versions.txt): the copy tests/cluster/setup-k8s.sh
    keeps in the tools cache, else the Go module cache."""
    copied = pathlib.Path(CACHE) / "istio-crds" / f"{tag}.yaml"
    if copied.is_file():
        return str(copied)
    for line in PINS.read_text().splitlines():
        f = line.split()
        if f and f[0] == tag:
            p = pathlib.Path(GOMODCACHE) / f"istio.io/istio@{f[1]}" / "manifests/charts/base/files/crd-all.gen.yaml"
            if p.is_file():
                return str(p)
            skip(f"Istio {tag} CRDs ({p}; tests/conformance/setup-tools.sh --only istioctl downloads them)")
    skip(f"Istio pin {tag} in {PINS}")


def build_controller(go, lib_dir, include_dirs, out_dir):
    """go build of controller/ against the build tree's libwasmdeploy_c, offline (the modules
    come from the tools cache: setup-tools.sh --only controller downloads them)."""
    env = dict(os.environ, CGO_ENABLED="1", GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=readonly",
               GOMODCACHE=GOMODCACHE, GOCACHE=os.environ.get("GOCACHE", os.path.join(CACHE, "gocache")),
               GOMAXPROCS="2",
               CGO_CFLAGS=" ".join(f"-I{d}" for d in include_dirs),
               CGO_LDFLAGS=f"-L{lib_dir} -Wl,-rpath,{lib_dir}")
    out = os.path.join(out_dir, "wasmdeploy-controller")
    t0 = time.monotonic()
    p = subprocess.run(["nice", go, "build", "-p", "2", "-o", out, "."], cwd=ROOT / "controller", env=env,
                       capture_output=True, text=True, timeout=1200)
    if p.returncode != 0:
        if "module lookup disabled" in p.stderr or "GOPROXY=off" in p.stderr:
            skip(f"controller Go modules ({p.stderr.strip().splitlines()[-1]})")
        sys.exit(f"go build failed:\n{p.stderr}")
    print(f"controller built in {time.monotonic() - t0:.0f}s", flush=True)
    return out


def cli(wasmdeploy, *args, check=True, input=None):
    p = subprocess.run([wasmdeploy, *args], capture_output=True, text=True, input=input, timeout=60)
    if check and p.returncode != 0:
        sys.exit(f"wasmdeploy {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def service_account_kubeconfig(api, workdir):
    """A kubeconfig with a token of the controller's ServiceAccount (TokenRequest API)."""
    token = api.kubectl("create", "token", "wasmdeploy-controller", "-n", NS, "--duration=2h").stdout.strip()
    cfg = json.loads(api.kubectl("config", "view", "--raw", "-o", "json").stdout)
    cluster = cfg["clusters"][0]["cluster"]
    path = os.path.join(workdir, "controller.kubeconfig")
    with open(path, "w") as f:
        f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {{server: "{cluster['server']}", certificate-authority: "{cluster['certificate-authority']}"}}
users:
- name: controller
  user: {{token: "{token}"}}
contexts:
- name: test
  context: {{cluster: test, user: controller}}
current-context: test
""")
    return path


_RUNS = itertools.count(1)


class Controller:
    """The controller as a child process (its own process group), stopped by SIGTERM."""

    def __init__(self, binary, kubeconfig, workdir, extra=()):
        self.binary, self.kubeconfig, self.workdir, self.extra = binary, kubeconfig, workdir, list(extra)
        self.proc = None
        self.runs = 0

    def start(self):
        self.runs += 1
        self.log_path = os.path.join(self.workdir, f"controller-{next(_RUNS)}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, f"--kubeconfig={self.kubeconfig}", "--metrics-bind-address=127.0.0.1:0",
             "--leader-elect", f"--leader-election-namespace={NS}", "--leader-elect-lease-duration=4s",
             "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=500ms", *self.extra],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        return self

    def metrics_address(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in pathlib.Path(self.log_path).read_text(errors="replace").splitlines():
                if "serving metrics" in line and "address=" in line:
                    return line.split("address=")[1].split()[0].strip('"')
            time.sleep(0.2)
        raise AssertionError("controller never served metrics:\n" + self.tail())

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
                raise AssertionError("controller did not stop on SIGTERM within the bound")
        if self.proc:
            self.log.close()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def max_rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def tail(self, n=40):
        try:
            return "\n".join(pathlib.Path(self.log_path).read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def wait_for(what, cond, timeout=90, interval=0.3):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = cond()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - polled; the last one is reported
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def get(api, *args):
    p = api.kubectl("get", *args, "-o", "json", check=False)
    if p.returncode != 0:
        return None
    return json.loads(p.stdout)


def condition(obj, typ):
    for c in (obj or {}).get("status", {}).get("conditions", []):
        if c["type"] == typ:
            return c
    return None


def main_on_cluster(run, prefix):
    """The cluster tests' common main: --cli/--go/--lib-dir/--include/--workdir, the controller
    built, an API server with the Istio 1.29.1 CRDs, then run(api, cli, binary, workdir)."""
    import argparse
    import shutil
    import tempfile
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--go", required=True)
    ap.add_argument("--lib-dir", required=True)
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--workdir")
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix=prefix)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    binary = build_controller(a.go, a.lib_dir, a.include, work)
    crds = istio_crds("1.29.1")
    try:
        with ApiServer(os.path.join(work, "api"), crds=[crds]) as api:
            run(api, a.cli, binary, work)
    except Unavailable as e:
        skip(f"kube-apiserver ({e})")
    print("PASS", flush=True)
