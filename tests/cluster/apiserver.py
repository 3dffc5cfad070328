#!/usr/bin/env python3
"""A real kube-apiserver (with etcd) on 127.0.0.1 for tests.

    from apiserver import ApiServer, Unavailable
    with ApiServer(workdir, crds=["crd-all.gen.yaml"]) as api:
        api.kubectl("apply", "--server-side", "-f", "x.yaml")
        print(api.kubeconfig)

Starts etcd (Debian's etcd-server) and kube-apiserver (built by tests/cluster/setup-k8s.sh
into the tools cache) on free loopback ports, with certificates made here by openssl, a static
admin token (user "admin" in group system:masters) and RBAC authorization; writes
`<workdir>/kubeconfig`; waits (bounded) for /readyz; installs the given CRD files and waits for
them to be Established. On exit, also on exceptions and SIGTERM/SIGINT/SIGHUP, it stops the
API server first and etcd second. Nothing but the API server and etcd runs: no controllers, so
no Deployment ever gets pods (tests look at objects, not at workloads running).

Command form, for tests not written in Python:

    apiserver.py serve --dir D [--crd FILE]...

starts everything, writes D/kubeconfig and then D/ready (holding the server URL), and stops
cleanly on SIGTERM/SIGINT or when its stdin closes.

When a binary is missing it prints "SKIPPED: kube-apiserver unavailable (<reason>)" and exits
77 (ctest's SKIP_RETURN_CODE in tests/cluster/CMakeLists.txt); in Python, ApiServer raises
Unavailable, and skip_unavailable() turns that into the same line and exit status.
"""
import argparse
import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

SKIP_EXIT = 77
CACHE = os.environ.get("WD_TOOLS_CACHE", os.path.expanduser("~/.cache/wasmdeploy-tools"))
START_TIMEOUT = float(os.environ.get("WD_APISERVER_START_TIMEOUT", "90"))


class Unavailable(Exception):
    """A binary the API server needs is missing or does not start."""


def tool(name):
    """Path of kube-apiserver / kubectl from the tools cache (never another kubectl on PATH:
    its version would not match the server's); etcd from PATH."""
    if name == "etcd":
        found = shutil.which("etcd")
        if not found:
            raise Unavailable("etcd not installed; scripts/setup.sh installs Debian's etcd-server")
        return found
    path = os.path.join(CACHE, "bin", name)
    if not os.access(path, os.X_OK):
        raise Unavailable(f"{path} not built; run tests/conformance/setup-tools.sh --only k8s")
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certs(d):
    """A CA, a serving certificate for 127.0.0.1/localhost, and the service-account key."""
    os.makedirs(d, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2", "-subj", "/CN=wasmdeploy-test-ca", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n"
                "extendedKeyUsage=serverAuth\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=kube-apiserver", cwd=d)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", "2", "-extfile", "server.ext", cwd=d)
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=d)
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=d)


class ApiServer:
    def __init__(self, workdir, crds=(), log=None):
        self.workdir = os.path.abspath(workdir)
        self.crds = list(crds)
        self.log = log or (lambda msg: print(msg, flush=True))
        self.kubeconfig = os.path.join(self.workdir, "kubeconfig")
        self.token = "wasmdeploy-test-admin-token"
        self.url = None
        self._procs = []  # (name, Popen, logfile), started in order
        self._old_handlers = {}

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _on_signal(self, signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through __exit__, which stops the servers

    def start(self):
        etcd, apiserver, kubectl = tool("etcd"), tool("kube-apiserver"), tool("kubectl")
        self.kubectl_bin = kubectl
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            with contextlib.suppress(ValueError):  # not the main thread: the caller handles signals
                self._old_handlers[sig] = signal.signal(sig, self._on_signal)
        os.makedirs(self.workdir, exist_ok=True)
        certs = os.path.join(self.workdir, "certs")
        make_certs(certs)
        with open(os.path.join(certs, "tokens.csv"), "w") as f:
            f.write(f'{self.token},admin,admin-uid,"system:masters"\n')

        t0 = time.monotonic()
        client, peer = free_port(), free_port()
        self._spawn("etcd", [
            etcd, "--name", "wd-test", "--data-dir", os.path.join(self.workdir, "etcd"),
            "--listen-client-urls", f"http://127.0.0.1:{client}",
            "--advertise-client-urls", f"http://127.0.0.1:{client}",
            "--listen-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-cluster", f"wd-test=http://127.0.0.1:{peer}",
            "--log-level", "warn", "--logger", "zap"])
        self._wait(lambda: self._http_ok(f"http://127.0.0.1:{client}/health"), "etcd /health")

        port = free_port()
        self.url = f"https://127.0.0.1:{port}"
        self._spawn("kube-apiserver", [
            apiserver,
            f"--etcd-servers=http://127.0.0.1:{client}",
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", f"--secure-port={port}",
            f"--cert-dir={certs}",
            f"--tls-cert-file={certs}/server.crt", f"--tls-private-key-file={certs}/server.key",
            f"--client-ca-file={certs}/ca.crt",
            f"--token-auth-file={certs}/tokens.csv",
            "--authorization-mode=RBAC",
            f"--service-account-key-file={certs}/sa.pub",
            f"--service-account-signing-key-file={certs}/sa.key",
            "--service-account-issuer=https://kubernetes.default.svc",
            "--service-cluster-ip-range=10.96.0.0/24",
            "--profiling=false", "--enable-priority-and-fairness=false",
            "--endpoint-reconciler-type=none", "--v=0"])
        with open(self.kubeconfig, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {{server: "{self.url}", certificate-authority: "{certs}/ca.crt"}}
users:
- name: admin
  user: {{token: "{self.token}"}}
contexts:
- name: test
  context: {{cluster: test, user: admin, namespace: default}}
current-context: test
""")
        ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.crt"))
        self._wait(lambda: self._http_ok(self.url + "/readyz", ctx), "kube-apiserver /readyz")
        self.log(f"apiserver: ready at {self.url} in {time.monotonic() - t0:.1f}s")
        if self.crds:
            args = ["apply", "--server-side", "--force-conflicts"]
            for c in self.crds:
                args += ["-f", c]
            self.kubectl(*args, quiet=True)
            self.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all", quiet=True)
            self.log(f"apiserver: {len(self.crds)} CRD file(s) established")

    def _spawn(self, name, argv):
        logf = open(os.path.join(self.workdir, f"{name}.log"), "wb")
        p = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        self._procs.append((name, p, logf))

    def _http_ok(self, url, ctx=None):
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=2, context=ctx) as r:
                return r.status == 200
        except (OSError, ValueError):
            return False

    def _wait(self, ready, what):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for name, p, _ in self._procs:
                if p.poll() is not None:
                    raise Unavailable(f"{name} exited with {p.returncode} during start-up: {self._tail(name)}")
            if ready():
                return
            time.sleep(0.2)
        raise Unavailable(f"{what} not ready after {START_TIMEOUT:.0f}s: {self._tail(self._procs[-1][0])}")

    def _tail(self, name, lines=5):
        try:
            with open(os.path.join(self.workdir, f"{name}.log"), errors="replace") as f:
                return " | ".join(f.read().splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        # A second signal (a ctest timeout sends several, `timeout` forwards one) must not cut
        # the shutdown short and leave etcd running: ignore them until both are down.
        for sig in self._old_handlers:
            signal.signal(sig, signal.SIG_IGN)
        # Reverse start order: the API server goes before etcd, so it never loses its storage
        # while serving (and does not spend its shutdown retrying a dead etcd).
        while self._procs:
            name, p, logf = self._procs.pop()
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(p.pid, signal.SIGKILL)
                    p.wait(timeout=15)
            logf.close()
        for sig, old in self._old_handlers.items():
            signal.signal(sig, old)
        self._old_handlers = {}

    # -- use ------------------------------------------------------------------------------
    def env(self):
        """Environment for commands that should talk to this server (kubectl on PATH first)."""
        e = dict(os.environ)
        e["KUBECONFIG"] = self.kubeconfig
        e["PATH"] = os.path.dirname(self.kubectl_bin) + os.pathsep + e.get("PATH", "")
        return e

    def kubectl(self, *args, check=True, input=None, quiet=False, timeout=120):
        """Runs kubectl with this server's kubeconfig; returns the CompletedProcess (text)."""
        p = subprocess.run([self.kubectl_bin, "--kubeconfig", self.kubeconfig, *args], input=input,
                           capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise subprocess.CalledProcessError(p.returncode, ["kubectl", *args], p.stdout, p.stderr)
        return p


def skip_unavailable(e):
    print(f"SKIPPED: kube-apiserver unavailable ({e})", flush=True)
    sys.exit(SKIP_EXIT)


def serve(argv):
    ap = argparse.ArgumentParser(prog="apiserver.py serve")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--crd", action="append", default=[])
    a = ap.parse_args(argv)
    try:
        with ApiServer(a.dir, crds=a.crd) as api:
            ready = os.path.join(api.workdir, "ready")
            with open(ready + ".tmp", "w") as f:
                f.write(api.url + "\n")
            os.rename(ready + ".tmp", ready)
            # Stay up until stdin closes (the parent went away) or a signal unwinds us.
            while sys.stdin.buffer.read(4096):
                pass
    except SystemExit:
        pass  # SIGTERM/SIGINT: the servers are already stopped, a clean exit
    except Unavailable as e:
        skip_unavailable(e)
    finally:
        with contextlib.suppress(OSError):
            os.remove(os.path.join(a.dir, "ready"))
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        sys.exit(serve(sys.argv[2:]))
    print(__doc__)
    sys.exit(2)
