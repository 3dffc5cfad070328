#!/usr/bin/env python3
"""The registry client against real and hostile registries, all on 127.0.0.1, bounded in time.

  registry_test.py --cli PATH --source DIR STEP
    basic-tls  Debian's docker-registry (distribution 2.8.2) with htpasswd auth and TLS (a CA made
               with openssl here): login, build -> push -> resolve -> render --resolve, digests
               checked against skopeo; pull gives the same bytes; wrong password, missing tag,
               untrusted certificate, logout.
    token      the same registry with token auth (auth.token + rootcertbundle) and a token server
               in this process signing RS256 JWTs with `cryptography`.
    hostile    a registry written here: a manifest that lies about its digest, a blob that does,
               a redirect to another host (which must not receive the credentials), a registry
               that accepts connections and never answers.
    readme     the README's "Registries" blocks, with registry.example.com replaced by the
               registry started here.
    capi       the C API (registry_capi.c) against the htpasswd + TLS registry: wd_resolve_image,
               wd_render_options_set_resolve, and the failures by wd_error_last_id().
    python     the same through `import wasmdeploy`: resolve(), render(resolve=True), errors.
    same-bytes render --resolve through the CLI, the C++ API, the C API and Python: the same bytes.
Every failure must exit 1 with the error code on stderr, nothing on stdout and no output file.
skopeo is the one tool whose absence skips (SKIPPED line, exit 77): the digests are checked
against what it reports; every other tool is required.
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
USER, PASSWORD = "ceposta", "s3cret-pass"


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cli:
    def __init__(self, path, work):
        self.path, self.work = path, work

    def run(self, *args, stdin=None, timeout=60):
        p = subprocess.run([self.path, *args], cwd=self.work, input=stdin, capture_output=True, text=True,
                           timeout=timeout)
        return p

    def ok(self, *args, **kw):
        p = self.run(*args, **kw)
        if p.returncode != 0:
            fail(f"wasmdeploy {' '.join(args)} exited {p.returncode}: {p.stderr}")
        return p

    def refused(self, code, *args, **kw):
        """Exit 1, the code on stderr, nothing on stdout."""
        p = self.run(*args, **kw)
        if p.returncode != 1 or f"[{code}]" not in p.stderr or p.stdout:
            fail(f"wasmdeploy {' '.join(args)}: expected exit 1 with [{code}] and no output, got {p.returncode}\n"
                 f"stdout: {p.stdout!r}\nstderr: {p.stderr}")
        return p


def make_module(source, work):
    wat = os.path.join(source, "examples", "productpage-x-hello-configmap", "x-hello.wat")
    out = os.path.join(work, "filter.wasm")
    subprocess.run(["wat2wasm", wat, "-o", out], check=True, timeout=60)
    return out


def sha256_file(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def make_tls(work):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out",
                    "cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   cwd=work, check=True, capture_output=True, timeout=60)
    os.makedirs(os.path.join(work, "certs"), exist_ok=True)
    shutil.copy(os.path.join(work, "cert.pem"), os.path.join(work, "certs", "ca.crt"))


class Registry:
    """docker-registry serve, on a free port, killed (by its own pid) when done or after `lifetime` s."""

    def __init__(self, work, auth_yaml, tls, lifetime=300):
        self.work, self.proc = work, None
        for _ in range(5):
            self.port = free_port()
            tls_yaml = "  tls:\n    certificate: cert.pem\n    key: key.pem\n" if tls else ""
            with open(os.path.join(work, "registry.yml"), "w") as f:
                f.write(f"""version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {work}/registry-data
http:
  addr: 127.0.0.1:{self.port}
{tls_yaml}{auth_yaml}""")
            self.log = open(os.path.join(work, "registry.log"), "w")
            self.proc = subprocess.Popen(["timeout", str(lifetime), "docker-registry", "serve", "registry.yml"], cwd=work,
                                         stdout=self.log, stderr=subprocess.STDOUT)
            for _ in range(100):
                if self.proc.poll() is not None:
                    break
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                    self.address = f"127.0.0.1:{self.port}"
                    return
                except OSError:
                    time.sleep(0.1)
            self.stop()
        fail("docker-registry did not start: " + open(os.path.join(work, "registry.log")).read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def skopeo_digest(ref, work, creds=None, tls_verify=True):
    args = ["skopeo", "inspect", "--raw"]
    if creds:
        args += ["--creds", creds]
    args += ["--cert-dir", os.path.join(work, "certs")] if tls_verify else ["--tls-verify=false"]
    raw = subprocess.run(args + [f"docker://{ref}"], check=True, capture_output=True, timeout=60).stdout
    # skopeo's own digest of what it fetched (--format {{.Digest}} would also parse the config as
    # an image config, which a wasme config is not).
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def build_image(cli, module, out="img", variant="oci", ref="v0.2"):
    p = cli.ok("build", module, "--root-id", "add_header", "--variant", variant, "--ref", ref, "-o", out, "--force")
    m = re.search(r"^manifest\s+(sha256:[0-9a-f]{64})", p.stdout, re.M)
    if not m:
        fail("build printed no manifest digest:\n" + p.stdout)
    return m.group(1)


def flow(cli, work, module, reg, flags, creds):
    """build -> push -> resolve -> render --resolve -> pull, checked against skopeo and the bytes."""
    digest = build_image(cli, module)
    module_sha = sha256_file(module)
    ref = f"oci://{reg}/ceposta/demo-add-header:v0.2"
    pushed = json.loads(cli.ok("push", "img", ref, "-o", "json", *flags).stdout)
    if pushed["manifestDigest"] != digest:
        fail(f"push reports {pushed['manifestDigest']}, build made {digest}")
    remote = skopeo_digest(ref[6:], work, creds=creds)
    if remote != digest:
        fail(f"skopeo sees {remote}, wasmdeploy pushed {digest}")
    resolved = json.loads(cli.ok("resolve", ref, "-o", "json", *flags).stdout)
    want = {"manifestDigest": digest, "sha256": digest[7:], "moduleSha256": module_sha, "variant": "oci",
            "pinned": f"{reg}/ceposta/demo-add-header@{digest}"}
    for k, v in want.items():
        if resolved.get(k) != v:
            fail(f"resolve: {k} is {resolved.get(k)!r}, expected {v!r}")
    # render --resolve: Istio 1.24 WasmPlugin pinned by digest; 1.8.1 EnvoyFilter from the wasme cache.
    p = cli.ok("render", ref, "--resolve", "--id", "myfilter", "-n", "bookinfo", "-l", "app=details",
               "--config", "tomorrow", "--istio", "1.24", *flags)
    if f"sha256: '{digest[7:]}'" not in p.stdout or f"{ref}@{digest}" not in p.stdout:
        fail("render --resolve (1.24) did not pin the digest:\n" + p.stdout)
    if "[resolve.pinned]" not in p.stderr:
        fail("render --resolve printed no note of what it pinned:\n" + p.stderr)
    # The other platforms' renderers take the spec's digests: --resolve pins them the same way.
    eg = os.path.join(work, "eg-spec.yaml")
    with open(eg, "w") as f:
        f.write("apiVersion: wasmdeploy.io/v1alpha1\nkind: WasmDeployment\noptions: {platform: envoy-gateway, gatewayVersion: v1.3}\n"
                f"filters:\n- {{name: myfilter, module: '{ref}'}}\n"
                "targets:\n- namespace: gateways\n  targetRefs:\n  - {kind: Gateway, name: public}\n")
    for platform, args in (("higress", [ref, "--id", "myfilter", "--target", "higress", "-n", "higress-system"]),
                           ("envoy-gateway", ["-f", eg])):
        p = cli.ok("render", *args, "--resolve", *flags)
        if f"sha256: {digest[7:]}" not in p.stdout.replace("'", "") or f"@{digest}" not in p.stdout or "[resolve.pinned]" not in p.stderr:
            fail(f"render --resolve --target {platform} did not pin the digest:\n{p.stdout}\n{p.stderr}")
    # A FilterDeployment names the tag the wasme operator pulls: nothing pinned, and it says so.
    p = cli.ok("render", ref, "--resolve", "--id", "myfilter", "--target", "wasme", "-n", "bookinfo", "-l", "app=details", *flags)
    if "@sha256:" in p.stdout or "[render.resolve-unused]" not in p.stderr:
        fail(f"render --resolve --target wasme pinned a digest or said nothing:\n{p.stdout}\n{p.stderr}")
    # Before 1.12 the module is a file on the node: the workload must be listed to mount it.
    p = cli.ok("render", ref, "--resolve", "--id", "myfilter", "-n", "bookinfo", "--workload", "details-v1:app=details",
               "--config", "tomorrow", "--istio", "1.8.1", *flags)
    if f"/var/local/lib/wasme-cache/{module_sha}" not in p.stdout:
        fail("render --resolve (1.8.1) did not name the wasme cache file by the module sha256:\n" + p.stdout)
    # Without --resolve the render stays offline: for 1.8.1 the module hash is then unknown.
    p = cli.run("render", ref, "--id", "myfilter", "-n", "bookinfo", "--workload", "details-v1:app=details",
                "--istio", "1.8.1")
    if p.returncode == 0 and module_sha in p.stdout:
        fail("a plain render learnt the module hash: it must not touch the network")
    # pull: the same bytes, and a layout whose manifest is the pushed one.
    pulled = json.loads(cli.ok("pull", ref, "-o", "pulled", "--wasm", "pulled.wasm", "--format", "json",
                               *flags).stdout)
    if open(os.path.join(work, "pulled.wasm"), "rb").read() != open(module, "rb").read():
        fail("pulled module differs from the pushed one")
    index = json.load(open(os.path.join(work, "pulled", "index.json")))
    if index["manifests"][0]["digest"] != digest or pulled["manifestDigest"] != digest:
        fail("pulled layout does not hold the pushed manifest")
    for blob in os.listdir(os.path.join(work, "pulled", "blobs", "sha256")):
        if blob not in os.listdir(os.path.join(work, "img", "blobs", "sha256")):
            fail(f"pulled blob {blob} is not in the built layout")
    # A missing tag: refused by every command, and none leaves an output file behind.
    missing = f"oci://{reg}/ceposta/demo-add-header:nope"
    cli.refused("registry.not-found", "resolve", missing, *flags)
    refused_without_output(cli, work, "registry.not-found", missing, flags)
    return digest


def refused_without_output(cli, work, code, ref, flags, stdin=None):
    """pull (layout and module) and render --resolve (-o dir= and -o FILE) refused with `code`,
    leaving no file or directory behind (not even a temporary one)."""
    before = set(os.listdir(work))
    cli.refused(code, "pull", ref, "-o", "refused-layout", "--wasm", "refused.wasm", *flags, stdin=stdin)
    cli.refused(code, "render", ref, "--resolve", "--id", "myfilter", "-n", "bookinfo", "-l", "app=details",
                "--istio", "1.24", "-o", "dir=refused-render", *flags, stdin=stdin)
    cli.refused(code, "render", ref, "--resolve", "--id", "myfilter", "-n", "bookinfo", "-l", "app=details",
                "--istio", "1.24", "-o", "yaml", *flags, stdin=stdin)
    left = set(os.listdir(work)) - before
    if left:
        fail(f"a refused pull/render ({code}) left {sorted(left)}")


class Pushed:
    """The htpasswd + TLS registry with the seed's image pushed, credentials in a config.json."""

    def __init__(self, cli, work, source):
        self.module = make_module(source, work)
        self.module_sha = sha256_file(self.module)
        make_tls(work)
        subprocess.run(f"htpasswd -Bbn {USER} {PASSWORD} > htpasswd", shell=True, cwd=work, check=True, timeout=60)
        self.registry = Registry(work, "auth:\n  htpasswd:\n    realm: wasmdeploy-test\n    path: htpasswd\n", tls=True)
        self.address = self.registry.address
        self.config = os.path.join(work, "docker", "config.json")
        self.ca_file = os.path.join(work, "cert.pem")
        self.flags = ["--registry-config", self.config, "--ca-file", self.ca_file]
        self.ref = f"oci://{self.address}/ceposta/demo-add-header:v0.2"
        cli.ok("login", self.address, "-u", USER, "--password-stdin", *self.flags, stdin=PASSWORD + "\n")
        self.digest = build_image(cli, self.module)
        cli.ok("push", "img", self.ref, *self.flags)
        if skopeo_digest(self.ref[6:], work, creds=f"{USER}:{PASSWORD}") != self.digest:
            fail("skopeo does not see the pushed digest")

    def stop(self):
        self.registry.stop()


def seed_spec(work, ref, name="spec.yaml"):
    """Seed 002's FilterDeployment as a spec: demo-add-header on details, config 'tomorrow'."""
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(f"""apiVersion: wasmdeploy.io/v1alpha1
kind: WasmDeployment
filters:
- name: myfilter
  module: {ref}
  rootId: add_header
  config: tomorrow
targets:
- namespace: bookinfo
  workloads:
  - name: details-v1
    labels: {{app: details}}
""")
    return path


def hanging_listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    return s


def step_capi(cli, work, source, capi):
    pushed = Pushed(cli, work, source)
    hang = hanging_listener()
    try:
        spec = seed_spec(work, pushed.ref)
        p = subprocess.run([capi, pushed.config, pushed.ca_file, pushed.ref, pushed.digest, pushed.module_sha,
                            pushed.ref.replace(":v0.2", ":nope"), f"oci://127.0.0.1:{hang.getsockname()[1]}/f/g:v1",
                            spec], cwd=work, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            fail(f"registry_capi failed ({p.returncode}):\n{p.stderr}")
        want = cli.ok("resolve", pushed.ref, "-o", "json", *pushed.flags).stdout
        if p.stdout != want:
            fail(f"wd_resolved_image_json differs from `wasmdeploy resolve -o json`:\n{p.stdout}\n---\n{want}")
    finally:
        hang.close()
        pushed.stop()


def step_python(cli, work, source):
    import warnings
    import wasmdeploy

    pushed = Pushed(cli, work, source)
    hang = hanging_listener()
    settings = {"docker_config": pushed.config, "ca_file": pushed.ca_file}
    try:
        r = wasmdeploy.resolve(pushed.ref, registry=settings)
        want = json.loads(cli.ok("resolve", pushed.ref, "-o", "json", *pushed.flags).stdout)
        if r != want or r["manifestDigest"] != pushed.digest or r["moduleSha256"] != pushed.module_sha:
            fail(f"wasmdeploy.resolve() gives {r}, the CLI {want}")

        def refused(code, call):
            try:
                call()
            except wasmdeploy.WasmDeployError as e:
                if e.code != code:
                    fail(f"expected {code}, got {e.code}: {e}")
                return str(e)
            fail(f"expected {code}, the call succeeded")

        refused("registry.not-found", lambda: wasmdeploy.resolve(pushed.ref.replace(":v0.2", ":nope"), registry=settings))
        refused("registry.unauthorized", lambda: wasmdeploy.resolve(
            pushed.ref, registry={"ca_file": pushed.ca_file, "username": USER, "password": "wrong"}))
        start = time.monotonic()
        refused("registry.timeout", lambda: wasmdeploy.resolve(
            f"oci://127.0.0.1:{hang.getsockname()[1]}/f/g:v1",
            registry={"plain_http": True, "timeout": 1.5, "connect_timeout": 2, "retries": 0}))
        if time.monotonic() - start > 8:
            fail("the hanging registry held resolve() past its timeout")
        refused("registry.too-large", lambda: wasmdeploy.resolve(pushed.ref, registry={**settings, "max_blob_bytes": 16}))
        refused("registry.option-unknown", lambda: wasmdeploy.resolve(pushed.ref, registry={"passwd": "x"}))
        # render(resolve=True): the digest pinned; without resolve nothing is asked.
        spec = wasmdeploy.load_spec(seed_spec(work, pushed.ref))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = wasmdeploy.render(spec, istio="1.24", output="yaml", resolve=True, registry=settings)
            if f"{pushed.ref}@{pushed.digest}" not in text or f"sha256: '{pushed.digest[7:]}'" not in text:
                fail("render(resolve=True) did not pin the digest:\n" + text)
            text = wasmdeploy.render(spec, istio="1.8.1", output="yaml", resolve=True, registry=settings)
            if f"/var/local/lib/wasme-cache/{pushed.module_sha}" not in text:
                fail("render(resolve=True) for 1.8.1 did not name the module by its sha256:\n" + text)
            refused("sha256.required", lambda: wasmdeploy.render(spec, istio="1.24", output="yaml"))
            refused("registry.unauthorized", lambda: wasmdeploy.render(
                spec, istio="1.24", resolve=True, registry={"ca_file": pushed.ca_file, "username": USER,
                                                            "password": "wrong"}))
    finally:
        hang.close()
        pushed.stop()


def step_same_bytes(cli, work, source, cpp, c):
    """render --resolve: the same bytes from the CLI, C++, C and Python, for 1.24 and 1.8.1."""
    import wasmdeploy

    pushed = Pushed(cli, work, source)
    try:
        seed_spec(work, pushed.ref)
        settings = {"docker_config": pushed.config, "ca_file": pushed.ca_file}
        compared = 0
        for istio in ("1.24", "1.8.1"):
            for fmt in ("yaml", "json"):
                outputs = {
                    "cli": cli.ok("render", "-q", "-f", "spec.yaml", "--resolve", "--istio", istio, "-o", fmt,
                                  *pushed.flags).stdout.encode(),
                    "python": wasmdeploy.render(wasmdeploy.load_spec(os.path.join(work, "spec.yaml")), istio=istio,
                                                output=fmt, resolve=True, registry=settings).encode(),
                }
                for name, tool in (("c++", cpp), ("c", c)):
                    p = subprocess.run([tool, "--resolve", pushed.config, pushed.ca_file, "spec.yaml", istio, fmt],
                                       cwd=work, capture_output=True, timeout=120)
                    if p.returncode != 0:
                        fail(f"{name} render --resolve failed: {p.stderr.decode()}")
                    outputs[name] = p.stdout
                if len(set(outputs.values())) != 1:
                    fail(f"render --resolve @ {istio} ({fmt}) differs: " +
                         ", ".join(f"{k}={len(v)}B" for k, v in outputs.items()))
                if pushed.digest[7:] not in outputs["cli"].decode() and pushed.module_sha not in outputs["cli"].decode():
                    fail(f"render --resolve @ {istio} pinned nothing:\n" + outputs["cli"].decode())
                compared += 1
        print(f"{compared} renders compared across cli, c++, c, python")
    finally:
        pushed.stop()


def step_basic_tls(cli, work, source):
    module = make_module(source, work)
    make_tls(work)
    subprocess.run(f"htpasswd -Bbn {USER} {PASSWORD} > htpasswd", shell=True, cwd=work, check=True, timeout=60)
    reg = Registry(work, "auth:\n  htpasswd:\n    realm: wasmdeploy-test\n    path: htpasswd\n", tls=True)
    try:
        a = reg.address
        config = os.path.join(work, "docker", "config.json")
        tls = ["--ca-file", "cert.pem"]
        # Wrong password: login refuses and stores nothing; push with it is refused.
        cli.refused("registry.unauthorized", "login", a, "-u", USER, "--password-stdin", "--registry-config", config,
                    *tls, stdin="wrong\n")
        if os.path.exists(config):
            fail("a refused login wrote config.json")
        build_image(cli, module)
        cli.refused("registry.unauthorized", "push", "img", f"oci://{a}/ceposta/demo-add-header:v0.2", "-u", USER,
                    "--password-stdin", *tls, stdin="wrong\n")
        refused_without_output(cli, work, "registry.unauthorized", f"oci://{a}/ceposta/demo-add-header:v0.2",
                               ["-u", USER, "--password-stdin", *tls], stdin="wrong\n")
        cli.refused("registry.unauthorized", "resolve", f"oci://{a}/ceposta/demo-add-header:v0.2", *tls,
                    "--registry-config", config)
        # An untrusted certificate is refused (no --ca-file).
        cli.refused("registry.unreachable", "resolve", f"oci://{a}/ceposta/demo-add-header:v0.2",
                    "--registry-config", config, "--retries", "0")
        cli.ok("login", a, "-u", USER, "--password-stdin", "--registry-config", config, *tls, stdin=PASSWORD + "\n")
        stored = json.load(open(config))["auths"][a]["auth"]
        if base64.b64decode(stored).decode() != f"{USER}:{PASSWORD}":
            fail("config.json does not hold the credentials docker would read")
        if os.stat(config).st_mode & 0o077:
            fail("config.json is readable by others")
        flow(cli, work, module, a, ["--registry-config", config, *tls], f"{USER}:{PASSWORD}")
        # docker-credential helpers: config.json naming one for the registry.
        helper_dir = os.path.join(work, "bin")
        os.makedirs(helper_dir, exist_ok=True)
        with open(os.path.join(helper_dir, "docker-credential-wdtest"), "w") as f:
            f.write(f"#!/bin/sh\nread server\necho '{{\"ServerURL\":\"'$server'\",\"Username\":\"{USER}\","
                    f"\"Secret\":\"{PASSWORD}\"}}'\n")
        os.chmod(os.path.join(helper_dir, "docker-credential-wdtest"), 0o755)
        helper_config = os.path.join(work, "helper", "config.json")
        os.makedirs(os.path.dirname(helper_config))
        json.dump({"credHelpers": {a: "wdtest"}}, open(helper_config, "w"))
        env_path = helper_dir + os.pathsep + os.environ.get("PATH", "")
        p = subprocess.run([cli.path, "resolve", f"oci://{a}/ceposta/demo-add-header:v0.2", "--registry-config",
                            helper_config, *tls], cwd=work, capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PATH": env_path})
        if p.returncode != 0:
            fail("resolve with a credential helper failed: " + p.stderr)
        cli.ok("logout", a, "--registry-config", config)
        if a in json.load(open(config)).get("auths", {}):
            fail("logout left the credentials")
        cli.refused("registry.unauthorized", "resolve", f"oci://{a}/ceposta/demo-add-header:v0.2", *tls,
                    "--registry-config", config)
    finally:
        reg.stop()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def step_token(cli, work, source):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID
    import datetime

    module = make_module(source, work)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wasmdeploy test token issuer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    with open(os.path.join(work, "token-cert.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    issued = []

    class TokenHandler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            auth = self.headers.get("Authorization", "")
            if auth != "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode():
                self.send_response(401)
                self.end_headers()
                return
            from urllib.parse import urlparse, parse_qs
            q = parse_qs(urlparse(self.path).query)
            access = []
            for scope in q.get("scope", []):
                kind, repo, actions = scope.split(":")
                access.append({"type": kind, "name": repo, "actions": actions.split(",")})
            t = int(time.time())
            header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
            claims = {"iss": "wasmdeploy-test", "sub": USER, "aud": "wasmdeploy-registry", "exp": t + 300,
                      "nbf": t - 10, "iat": t, "jti": str(len(issued)), "access": access}
            signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
            sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
            token = signing_input + "." + b64url(sig)
            issued.append(access)
            body = json.dumps({"token": token}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TokenHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    realm = f"http://127.0.0.1:{server.server_address[1]}/token"
    reg = Registry(work, f"auth:\n  token:\n    realm: {realm}\n    service: wasmdeploy-registry\n"
                         f"    issuer: wasmdeploy-test\n    rootcertbundle: token-cert.pem\n", tls=False)
    try:
        a = reg.address
        flags = ["--plain-http", "-u", USER, "--password-stdin"]
        digest = build_image(cli, module)
        cli.refused("registry.unauthorized", "push", "img", f"oci://{a}/ceposta/demo-add-header:v0.2",
                    *flags, stdin="wrong\n")
        pushed = json.loads(cli.ok("push", "img", f"oci://{a}/ceposta/demo-add-header:v0.2", "-o", "json", *flags,
                                   stdin=PASSWORD + "\n").stdout)
        if pushed["manifestDigest"] != digest:
            fail("token push: wrong digest")
        if not any("push" in acc["actions"] for grant in issued for acc in grant):
            fail("push never asked the token server for push access")
        resolved = json.loads(cli.ok("resolve", f"oci://{a}/ceposta/demo-add-header:v0.2", "-o", "json", *flags,
                                     stdin=PASSWORD + "\n").stdout)
        if resolved["manifestDigest"] != digest or resolved["manifestDigest"] != skopeo_digest(
                f"{a}/ceposta/demo-add-header:v0.2", work, creds=f"{USER}:{PASSWORD}", tls_verify=False):
            fail("token resolve: the digest differs from build's and skopeo's")
        cli.refused("registry.unauthorized", "resolve", f"oci://{a}/ceposta/demo-add-header:v0.2", "--plain-http")
    finally:
        reg.stop()
        server.shutdown()


class Hostile(http.server.BaseHTTPRequestHandler):
    """Serves the layout in `image_dir` as repositories honest/, lie/, lyingblob/, redir/."""
    image_dir = None
    storage = None  # "host:port" of the blob store redirects go to
    seen_auth = []

    def log_message(self, *a):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def blob(self, digest):
        return open(os.path.join(self.image_dir, "blobs", "sha256", digest.split(":")[1]), "rb").read()

    def do_GET(self):
        if self.path.startswith("/storage/"):
            Hostile.seen_auth.append(self.headers.get("Authorization"))
            return self.send(200, self.blob(self.path.rsplit("/", 1)[1]))
        m = re.match(r"^/v2/(\w+)/f/(manifests|blobs)/(.+)$", self.path)
        if not m:
            return self.send(200 if self.path == "/v2/" else 404)
        repo, kind, ref = m.groups()
        if repo == "redir" and self.headers.get("Authorization") != "Basic " + base64.b64encode(
                f"{USER}:{PASSWORD}".encode()).decode():
            return self.send(401, headers=[("WWW-Authenticate", 'Basic realm="hostile"')])
        index = json.load(open(os.path.join(self.image_dir, "index.json")))
        mdigest = index["manifests"][0]["digest"]
        if kind == "manifests":
            if ref not in ("v1", mdigest):
                return self.send(404)
            body = self.blob(mdigest)
            claimed = "sha256:" + "0" * 64 if repo == "lie" else mdigest
            return self.send(200, body, [("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
                                         ("Docker-Content-Digest", claimed)])
        data = self.blob(ref)
        if repo == "lyingblob" and ref != json.loads(self.blob(mdigest))["config"]["digest"]:
            data = data[:-1] + bytes([data[-1] ^ 1])
        if repo == "redir":
            return self.send(307, headers=[("Location", f"http://{self.storage}/storage/{ref}")])
        return self.send(200, data)


def step_hostile(cli, work, source):
    module = make_module(source, work)
    build_image(cli, module, ref="v1")
    Hostile.image_dir = os.path.join(work, "img")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    port = server.server_address[1]
    # "localhost" is another host name than "127.0.0.1": the redirect leaves the registry's host.
    Hostile.storage = f"localhost:{port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(8)
    try:
        a = f"127.0.0.1:{port}"
        cli.ok("resolve", f"oci://{a}/honest/f:v1", "--plain-http")
        cli.refused("registry.digest-mismatch", "resolve", f"oci://{a}/lie/f:v1", "--plain-http")
        cli.refused("registry.digest-mismatch", "pull", f"oci://{a}/lie/f:v1", "--plain-http", "--wasm", "x.wasm")
        if os.path.exists(os.path.join(work, "x.wasm")):
            fail("a refused pull wrote the module")
        refused_without_output(cli, work, "registry.digest-mismatch", f"oci://{a}/lie/f:v1", ["--plain-http"])
        cli.refused("registry.digest-mismatch", "resolve", f"oci://{a}/lyingblob/f:v1", "--plain-http")
        refused_without_output(cli, work, "registry.digest-mismatch", f"oci://{a}/lyingblob/f:v1", ["--plain-http"])
        p = cli.run("resolve", f"oci://{a}/redir/f:v1", "--plain-http", "-u", USER, "--password-stdin", "-o", "json",
                    stdin=PASSWORD + "\n")
        if p.returncode != 0:
            fail("resolve through a redirect failed: " + p.stderr)
        if not Hostile.seen_auth or any(Hostile.seen_auth):
            fail(f"the blob store on another host received credentials: {Hostile.seen_auth}")
        # A registry that accepts and never answers: bounded by --timeout, no retries of a timeout.
        start = time.monotonic()
        cli.refused("registry.timeout", "resolve", f"oci://127.0.0.1:{hang.getsockname()[1]}/f/g:v1", "--plain-http",
                    "--timeout", "2")
        if time.monotonic() - start > 8:
            fail("the hanging registry held the client past its timeout")
        start = time.monotonic()
        refused_without_output(cli, work, "registry.timeout", f"oci://127.0.0.1:{hang.getsockname()[1]}/f/g:v1",
                               ["--plain-http", "--timeout", "2"])
        if time.monotonic() - start > 20:
            fail("three refused commands against the hanging registry took more than their timeouts")
        # Size bounds: a blob over --max-blob-bytes is refused before it is read.
        cli.refused("registry.too-large", "resolve", f"oci://{a}/honest/f:v1", "--plain-http", "--max-blob-bytes", "16")
    finally:
        server.shutdown()
        hang.close()


def step_readme(cli, work, source, name="registry.readme", extra_env=None, after=None):
    """Runs the README blocks named `name` as printed, registry.example.com being the registry
    started here (htpasswd + TLS, its CA in ca.pem), $PASSWORD the password; then after(address)
    while the registry still runs."""
    sys.path.insert(0, os.path.join(source, "tests", "readme"))
    import readme_blocks  # noqa: E402
    blocks = readme_blocks.named(readme_blocks.parse(os.path.join(source, "README.md")), name)
    if not blocks:
        fail(f"the README has no block for {name}")
    make_module(source, work)
    make_tls(work)
    shutil.copy(os.path.join(work, "cert.pem"), os.path.join(work, "ca.pem"))
    subprocess.run(f"htpasswd -Bbn {USER} {PASSWORD} > htpasswd", shell=True, cwd=work, check=True, timeout=60)
    reg = Registry(work, "auth:\n  htpasswd:\n    realm: wasmdeploy-test\n    path: htpasswd\n", tls=True)
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir, exist_ok=True)
    os.symlink(cli.path, os.path.join(bindir, "wasmdeploy"))
    env = {**os.environ, "PASSWORD": PASSWORD, "DOCKER_CONFIG": os.path.join(work, "docker"), **(extra_env or {})}
    env["PATH"] = bindir + os.pathsep + env["PATH"]
    try:
        for b in blocks:
            for line, status, expect in readme_blocks.checked_commands(b):
                line = line.replace("registry.example.com", reg.address)
                p = subprocess.run(["bash", "-c", "set -o pipefail\n" + line], cwd=work, env=env, capture_output=True,
                                   text=True, timeout=120)
                if p.returncode != status:
                    fail(f"README command exited {p.returncode}, expected {status}: {line}\n{p.stderr}")
                for want in expect:
                    if want.replace("registry.example.com", reg.address) not in p.stdout + p.stderr:
                        fail(f"README command {line!r} did not print {want!r}:\n{p.stdout}{p.stderr}")
        if after:
            after(reg.address)
    finally:
        reg.stop()


def step_deploy(cli, work, source):
    """The seed's push/deploy flow in the README (registry.deploy): build -> push -> render
    --resolve -> kubectl apply, against the registry and a real kube-apiserver with Istio's CRDs;
    then the applied EnvoyFilter must carry the digest skopeo reports for the pushed tag."""
    sys.path.insert(0, os.path.join(source, "tests", "cluster"))
    from apiserver import ApiServer, Unavailable, skip_unavailable  # noqa: E402

    crds = os.path.join(os.environ.get("WD_TOOLS_CACHE", os.path.expanduser("~/.cache/wasmdeploy-tools")),
                        "istio-crds", "1.25.3.yaml")
    try:
        if not os.path.isfile(crds):
            raise Unavailable(f"Istio CRDs not fetched ({crds}); tests/cluster/setup-k8s.sh keeps a copy")
        with ApiServer(os.path.join(work, "api"), crds=[crds]) as api:
            def check_applied(address):
                text = api.kubectl("get", "envoyfilters", "-n", "bookinfo", "-o", "json").stdout
                digest = skopeo_digest(f"{address}/ceposta/demo-add-header:v0.2", work, creds=f"{USER}:{PASSWORD}")
                if f"{address}/ceposta/demo-add-header:v0.2@{digest}" not in text or digest[7:] not in text:
                    fail(f"the applied EnvoyFilters do not pin {digest} (skopeo's):\n{text[:2000]}")

            step_readme(cli, work, source, "registry.deploy", api.env(), after=check_applied)
    except Unavailable as e:
        skip_unavailable(e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--capi", help="registry_capi (step capi)")
    ap.add_argument("--cpp", help="render_cpp (step same-bytes)")
    ap.add_argument("--c", help="render_c (step same-bytes)")
    ap.add_argument("step", choices=["basic-tls", "token", "hostile", "readme", "deploy", "capi", "python", "same-bytes"])
    a = ap.parse_args()
    # skopeo is what the digests are checked against: without it the test cannot judge, so it
    # skips, saying so. The registry and the other tools are required.
    if shutil.which("skopeo") is None:
        print("SKIPPED: skopeo unavailable (scripts/setup.sh installs it)", file=sys.stderr)
        sys.exit(77)
    for tool in ("docker-registry", "openssl", "htpasswd", "wat2wasm"):
        if shutil.which(tool) is None:
            if os.environ.get("WD_REGISTRY_ALLOW_SKIP") == "1":
                print(f"SKIPPED: {tool} unavailable", file=sys.stderr)
                sys.exit(77)
            fail(f"{tool} is required (scripts/setup.sh installs it); WD_REGISTRY_ALLOW_SKIP=1 skips explicitly")
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    cli = Cli(os.path.abspath(a.cli), a.work)
    steps = {"basic-tls": step_basic_tls, "token": step_token, "hostile": step_hostile, "readme": step_readme,
             "python": step_python, "deploy": step_deploy,
             "capi": lambda cli, work, source: step_capi(cli, work, source, os.path.abspath(a.capi)),
             "same-bytes": lambda cli, work, source: step_same_bytes(cli, work, source, os.path.abspath(a.cpp),
                                                                     os.path.abspath(a.c))}
    steps[a.step](cli, a.work, a.source)
    print(f"PASS: registry.{a.step}")


if __name__ == "__main__":
    main()
