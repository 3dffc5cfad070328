#!/usr/bin/env python3
"""What libcurl costs and buys the registry client: resolve latency against a real registry and
the shared libraries it adds to the CLI.

  python3 bench/registry_resolve.py --cli build/ci/cli/wasmdeploy [--rounds 15]

Starts Debian's docker-registry on 127.0.0.1 with htpasswd auth and TLS (a CA made here), pushes
the seed's image with `wasmdeploy push`, then times, best and median of --rounds:
  wasmdeploy resolve   tag -> manifest digest and the module's sha256 (manifest, config and the
                       .wasm layer fetched and verified): 4 requests after the auth challenge
  skopeo inspect --raw the manifest only (the Go distribution client skopeo is built on)
Each run is a new process, so TLS handshakes and auth challenges are included, as a user sees them.
Also prints the shared libraries libcurl brings into `wasmdeploy` (ldd, beyond libcrypto, which
the project uses anyway) with their sizes: the binary size delta of using libcurl.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "registry"))
import registry_test  # noqa: E402


def timed(argv, cwd, rounds):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True, timeout=120)
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples), statistics.median(samples)


def curl_libraries(cli):
    """Shared libraries `wasmdeploy` loads only because of libcurl: libcurl's closure (ldd) minus
    the closure of the CLI's other direct dependencies (readelf NEEDED)."""
    def ldd(path):
        out = subprocess.run(["ldd", path], capture_output=True, text=True, check=True).stdout
        return {m.group(1): m.group(2) for m in re.finditer(r"^\s*(\S+) => (\S+)", out, re.M)}

    everything = ldd(cli)
    dynamic = subprocess.run(["readelf", "-d", cli], capture_output=True, text=True, check=True).stdout
    direct = re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", dynamic)
    curl = next((n for n in direct if n.startswith("libcurl")), None)
    if curl is None:
        return None, []
    others = set()
    for name in direct:
        if name != curl and name in everything:
            others.add(name)
            others.update(ldd(everything[name]))
    only = {n: p for n, p in ldd(everything[curl]).items() if n not in others}
    only[curl] = everything[curl]
    return curl, sorted((os.path.getsize(os.path.realpath(p)), n) for n, p in only.items())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--rounds", type=int, default=15)
    a = ap.parse_args()
    for tool in ("docker-registry", "skopeo", "htpasswd", "openssl", "wat2wasm"):
        if shutil.which(tool) is None:
            print(f"SKIPPED: {tool} unavailable")
            return 77
    source = os.path.abspath(os.path.join(HERE, ".."))
    with tempfile.TemporaryDirectory() as work:
        cli = registry_test.Cli(os.path.abspath(a.cli), work)
        pushed = registry_test.Pushed(cli, work, source)
        try:
            rows = [
                ("wasmdeploy resolve", [cli.path, "resolve", pushed.ref, "-o", "json", *pushed.flags]),
                ("skopeo inspect --raw", ["skopeo", "inspect", "--raw", "--creds",
                                          f"{registry_test.USER}:{registry_test.PASSWORD}", "--cert-dir",
                                          os.path.join(work, "certs"), "docker://" + pushed.ref[6:]]),
            ]
            print(f"resolve latency, htpasswd + TLS registry on 127.0.0.1, {a.rounds} runs each (ms):")
            for label, argv in rows:
                best, median = timed(argv, work, a.rounds)
                print(f"  {label:22} best {best:7.1f}   median {median:7.1f}")
        finally:
            pushed.stop()
    curl, libs = curl_libraries(os.path.abspath(a.cli))
    if curl:
        total = sum(size for size, _ in libs)
        print(f"shared libraries loaded only for libcurl: {len(libs)}, {total / 1024:.0f} KiB")
        for size, name in libs:
            print(f"  {name:40} {size / 1024:7.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
