#!/usr/bin/env python3
"""One command for every benchmark, measured side by side in one run, printed as ratios:
`render -f spec.yaml` end to end vs a PyYAML script, the CLI's memory per workload from a spec
file, bulk render vs PyYAML, memory at 1 000 vs 100 000 documents, CLI cold start, inspect vs
openssl, and Python per call vs a pure-Python renderer.

  python3 bench/run.py [--build build/release] [--workloads 10000] [--quick]
  python3 bench/run.py --memory-only [--small 500] [--large 50000]   # the ctest bench.memory check
  python3 bench/run.py --cli-memory-only [--small 2000] [--large 20000]  # ctest bench.cli_memory

Needs a Release build with benchmarks (cmake --preset release -DWD_BUILD_BENCH=ON, or
scripts/bench.sh which does both). Results and the command go into BENCHMARKS.md by hand.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, **kw):
    """Runs cmd; returns (seconds, peak RSS in KiB, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    out, err = p.communicate()
    # communicate() has reaped the child; wait4 is not usable afterwards, so use resource
    # figures from a second helper only where RSS matters (peak_rss below).
    if p.returncode != 0:
        sys.exit(f"{cmd} failed: {err.decode()[:500]}")
    return time.perf_counter() - t0, out.decode()


def peak_rss_kib(cmd):
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        sys.exit(f"{cmd} failed with status {status}")
    return usage.ru_maxrss


# What rendering may add to memory per workload on top of its input: the 16-byte hash slots of
# the name-collision check (at least 30% free, doubled while growing), the only state kept per
# rendered document. Everything else must stay flat; SLACK_KIB absorbs allocator noise.
BYTES_PER_WORKLOAD = 96
SLACK_KIB = 2048


def memory_check(render, small_n, large_n, tmp):
    """Renders small_n and large_n workloads (2 documents each) and fails when what rendering
    adds to the input's memory grows by more than the bound. Returns the two JSON reports."""
    reports = []
    for n in (small_n, large_n):
        out = subprocess.run([render, str(n), os.path.join(tmp, f"m{n}.yaml")], check=True,
                             capture_output=True).stdout
        reports.append(json.loads(out))
    small, large = reports
    add_small = small["peak_kib"] - small["input_kib"]
    add_large = large["peak_kib"] - large["input_kib"]
    bound = add_small + SLACK_KIB + BYTES_PER_WORKLOAD * (large_n - small_n) / 1024
    print(f"peak RSS: {small['documents']} documents {small['peak_kib'] / 1024:.1f} MiB, "
          f"{large['documents']} documents {large['peak_kib'] / 1024:.1f} MiB")
    print(f"  the input spec alone: {small['input_kib'] / 1024:.1f} MiB and {large['input_kib'] / 1024:.1f} MiB "
          f"({(large['input_kib'] - small['input_kib']) * 1024 / (large_n - small_n):.0f} bytes per workload)")
    print(f"  rendering adds {add_small / 1024:.1f} MiB and {add_large / 1024:.1f} MiB "
          f"({(add_large - add_small) * 1024 / (large_n - small_n):.0f} bytes per workload; "
          f"bound {bound / 1024:.1f} MiB = {BYTES_PER_WORKLOAD} B/workload + {SLACK_KIB // 1024} MiB)")
    if add_large > bound:
        sys.exit(f"FAIL: rendering {large['documents']} documents adds {add_large} KiB, over the bound of "
                 f"{bound:.0f} KiB: memory grows with the number of documents")
    return reports


def measured(cmd, stdout_path):
    """Runs cmd with stdout to a file; returns (wall seconds, user+sys seconds, peak RSS KiB).
    The peak comes from GNU time: a child forked from this (large) Python process would count
    the parent's pages in its own ru_maxrss."""
    with open(stdout_path, "wb") as out, tempfile.NamedTemporaryFile("r") as rss:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-q", "-f", "%M %U %S", "-o", rss.name, *cmd], stdout=out,
                           stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f"{cmd} failed with status {p.returncode}")
        peak, user, system = rss.read().split()
    return wall, float(user) + float(system), int(peak)


SPEC_SCRIPT = os.path.join(HERE, "reference_spec_render.py")
# Peak RSS the CLI may add per workload of a spec file (issue 14): the text, the model and the
# positions of the workload's fields, and the render's hash slot.
CLI_BYTES_PER_WORKLOAD = 1024


def write_bench_spec(n, path):
    subprocess.run([sys.executable, SPEC_SCRIPT, "write", str(n), path], check=True)


def cli_memory_check(cli, small_n, large_n, tmp):
    """Peak RSS of `wasmdeploy render -f spec.yaml` at two sizes; fails when it grows by more than
    CLI_BYTES_PER_WORKLOAD per extra workload. Returns the growth in bytes per workload."""
    peaks = []
    for n in (small_n, large_n):
        spec = os.path.join(tmp, f"spec-{n}.yaml")
        write_bench_spec(n, spec)
        peaks.append(min(measured([cli, "render", "-f", spec], os.path.join(tmp, f"out-{n}.yaml"))[2] for _ in range(2)))
    per = (peaks[1] - peaks[0]) * 1024 / (large_n - small_n)
    print(f"CLI peak RSS from a spec file: {small_n} workloads {peaks[0] / 1024:.1f} MiB, {large_n} workloads "
          f"{peaks[1] / 1024:.1f} MiB: {per:.0f} bytes per workload (bound {CLI_BYTES_PER_WORKLOAD})")
    if per > CLI_BYTES_PER_WORKLOAD:
        sys.exit(f"FAIL: the CLI's peak memory grows by {per:.0f} bytes per workload, over {CLI_BYTES_PER_WORKLOAD}")
    return per


def equivalence(render, ours_out, ref_out):
    """bench_render and reference_render.py: the same documents (checked on a small N with an
    independent parser)."""
    subprocess.run([render, "200", ours_out], check=True, capture_output=True)
    subprocess.run([sys.executable, os.path.join(HERE, "reference_render.py"), "200", ref_out, "csafe"],
                   check=True, capture_output=True)
    count = same_documents(ours_out, ref_out, "bench_render and reference_render.py")
    print(f"equivalence: {count} documents identical when parsed back")


def same_documents(ours_out, ref_out, sides):
    """Both outputs parse to the same documents (PyYAML's CSafeLoader, independent of ours)."""
    with open(ours_out, encoding="utf-8") as a, open(ref_out, encoding="utf-8") as b:
        a_docs = list(yaml.load_all(a, Loader=yaml.CSafeLoader))
        b_docs = list(yaml.load_all(b, Loader=yaml.CSafeLoader))
    if a_docs != b_docs:
        sys.exit(f"{sides} produce different documents")
    return len(a_docs)


def spec_render_row(cli, n, tmp, rounds):
    """`wasmdeploy render -f spec.yaml` against the CSafeLoader + CSafeDumper script on the same
    spec, interleaved, best of `rounds` each; the two outputs must parse to the same documents."""
    spec = os.path.join(tmp, "spec.yaml")
    write_bench_spec(n, spec)
    ours_out, ref_out = os.path.join(tmp, "e2e-ours.yaml"), os.path.join(tmp, "e2e-ref.yaml")
    ours, ref = [], []
    for _ in range(rounds):
        ours.append(measured([cli, "render", "-f", spec], ours_out))
        ref.append(measured([sys.executable, SPEC_SCRIPT, "render", spec], ref_out))
    same_documents(ours_out, ref_out, "render -f and reference_spec_render.py")
    w_ours, w_ref = min(r[0] for r in ours), min(r[0] for r in ref)
    c_ours, c_ref = min(r[1] for r in ours), min(r[1] for r in ref)
    size = os.path.getsize(spec)
    print(f"render -f spec.yaml, {n} workloads ({size / 1e3:.0f} kB spec -> {os.path.getsize(ours_out) / 1e6:.1f} MB "
          f"of WasmPlugins, Istio 1.24), best of {rounds}, interleaved; documents identical when parsed back")
    print(f"  wasmdeploy render -f              {w_ours * 1e3:9.1f} ms wall  {c_ours * 1e3:9.1f} ms cpu")
    print(f"  PyYAML CSafeLoader + CSafeDumper  {w_ref * 1e3:9.1f} ms wall  {c_ref * 1e3:9.1f} ms cpu")
    print(f"  ratio                             {w_ref / w_ours:9.1f}x wall {c_ref / c_ours:9.1f}x cpu (target >= 25x)")
    return w_ref / w_ours


def best_of(n, fn):
    return min(fn() for _ in range(n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build", "release"))
    ap.add_argument("--workloads", type=int, default=10000)
    ap.add_argument("--quick", action="store_true", help="skip the slow pure-Python dumper")
    ap.add_argument("--memory-only", action="store_true", help="only the peak-memory check")
    ap.add_argument("--cli-memory-only", action="store_true", help="only the CLI's memory per workload from a spec")
    ap.add_argument("--equivalence-only", action="store_true",
                    help="only check that both sides of each comparison produce the same documents")
    ap.add_argument("--small", type=int, default=500, help="workloads of the small memory run (2 documents each)")
    ap.add_argument("--large", type=int, default=50000, help="workloads of the large memory run")
    ap.add_argument("--host-modules", default=os.path.join(HERE, "..", "build", "ci", "tests", "host", "modules"),
                    help="modules built by tests/host (the 17 KB AssemblyScript filter, the 1 MiB probe)")
    a = ap.parse_args()
    render = os.path.join(a.build, "bench", "bench_render")
    cli = os.path.join(a.build, "cli", "wasmdeploy")
    if a.cli_memory_only:
        with tempfile.TemporaryDirectory(prefix="wd-bench-") as tmp:
            cli_memory_check(cli, a.small, a.large, tmp)
        return
    if a.memory_only:
        with tempfile.TemporaryDirectory(prefix="wd-bench-") as tmp:
            memory_check(render, a.small, a.large, tmp)
        return
    inspect = os.path.join(a.build, "bench", "bench_inspect")
    n = a.workloads
    tmp = tempfile.mkdtemp(prefix="wd-bench-")
    ours_out, ref_out = os.path.join(tmp, "ours.yaml"), os.path.join(tmp, "ref.yaml")
    rows = []

    if a.equivalence_only:
        # What the timings compare must stay the same work: the references are kept in step with
        # the renderer (ctest bench.equivalence).
        spec = os.path.join(tmp, "spec.yaml")
        write_bench_spec(200, spec)
        e2e_ours, e2e_ref = os.path.join(tmp, "e2e-ours.yaml"), os.path.join(tmp, "e2e-ref.yaml")
        measured([cli, "render", "-f", spec], e2e_ours)
        measured([sys.executable, SPEC_SCRIPT, "render", spec], e2e_ref)
        count = same_documents(e2e_ours, e2e_ref, "render -f and reference_spec_render.py")
        print(f"equivalence: render -f, {count} documents identical when parsed back")
        equivalence(render, ours_out, ref_out)
        return
    # The path users take: a spec file in, YAML out, process start to exit on both sides.
    spec_render_row(cli, n, tmp, 3 if a.quick else 5)
    cli_memory_check(cli, 2000, 20000, tmp)
    print()

    equivalence(render, ours_out, ref_out)

    def ours():
        out = subprocess.run([render, str(n), ours_out], check=True, capture_output=True).stdout
        return json.loads(out)["seconds"]

    t_ours = best_of(3, ours)
    size = os.path.getsize(ours_out)
    t_cat = best_of(5, lambda: timed(["sh", "-c", f"cat {ours_out} > {ours_out}.copy"])[0])
    t_csafe = best_of(2, lambda: json.loads(timed([sys.executable, os.path.join(HERE, "reference_render.py"),
                                                      str(n), ref_out, "csafe"])[1])["seconds"])
    rows.append(("render", f"{n} workloads, {size / 1e6:.1f} MB YAML", t_ours))
    print(f"\nrender {n} workloads x 1 filter (Istio 1.8.1, {size / 1e6:.1f} MB of YAML)")
    print(f"  wasmdeploy (library, streaming)   {t_ours * 1e3:9.1f} ms   {size / t_ours / 1e6:7.1f} MB/s")
    print(f"  PyYAML CSafeDumper (libyaml)      {t_csafe * 1e3:9.1f} ms   ratio {t_csafe / t_ours:6.1f}x")
    if not a.quick:
        t_safe = json.loads(timed([sys.executable, os.path.join(HERE, "reference_render.py"), str(n), ref_out,
                                   "safe"])[1])["seconds"]
        print(f"  PyYAML SafeDumper (pure Python)   {t_safe * 1e3:9.1f} ms   ratio {t_safe / t_ours:6.1f}x")
    print(f"  cat copying the same bytes        {t_cat * 1e3:9.1f} ms   wasmdeploy writes at "
          f"{t_cat / t_ours:.2f}x of cat's speed (target >= 0.10x)")

    # Peak memory must not grow with the number of documents: 1 000 vs 100 000.
    print()
    memory_check(render, a.small, a.large, tmp)

    # CLI cold start against the interpreter start-up a Python tool pays.
    t_cli = statistics.median(timed([cli, "--version"])[0] for _ in range(20))
    t_py = statistics.median(timed([sys.executable, "-c", "import yaml"])[0] for _ in range(20))
    print(f"\ncold start: wasmdeploy --version {t_cli * 1e3:.1f} ms, python3 -c 'import yaml' "
          f"{t_py * 1e3:.1f} ms (ratio {t_py / t_cli:.1f}x)")

    # Inspect a 64 MiB module against openssl's SHA-256 on the same file.
    if os.path.exists(inspect):
        out = subprocess.run([inspect, "64", "5"], check=True, capture_output=True, text=True).stdout
        print("\ninspect 64 MiB module:")
        print("  " + "\n  ".join(l for l in out.splitlines() if l.strip()))
    # The embedded host: load + configure + one request, 17 KB AssemblyScript vs 1 MiB module.
    bench_run = os.path.join(a.build, "bench", "bench_run")
    mods = a.host_modules
    as_mod, big = os.path.join(mods, "as_add_header.wasm"), os.path.join(mods, "probe_1mb.wasm")
    if os.path.exists(bench_run) and os.path.exists(as_mod) and os.path.exists(big):
        out = subprocess.run([bench_run, as_mod + "=add_header=tanjunchen20", big + "=probe=ok", "--iterations",
                              "10" if a.quick else "30"], check=True, capture_output=True, text=True).stdout
        print("\nwasmdeploy run (embedded host):")
        print("  " + "\n  ".join(l for l in out.splitlines() if l.strip()))
    else:
        print(f"\nSKIPPED: host benchmark (needs {bench_run} and the tests/host modules in {mods})")
    # Python per-call cost against a pure-Python renderer (and the C API underneath).
    pymod = os.path.join(a.build, "python")
    if os.path.isdir(os.path.join(pymod, "wasmdeploy")):
        capi = os.path.join(a.build, "bench", "bench_capi_render")
        cmd = [sys.executable, os.path.join(HERE, "bench_python_call.py"), "--number", "500" if a.quick else "2000"]
        if os.path.exists(capi):
            cmd += ["--capi-bench", capi]
        env = dict(os.environ, PYTHONPATH=pymod + os.pathsep + os.environ.get("PYTHONPATH", ""))
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        print("\nPython per call:")
        print("  " + "\n  ".join(l.strip() for l in out.splitlines() if l.strip()))
    else:
        print(f"\nSKIPPED: Python per-call benchmark (no wasmdeploy module in {pymod})")
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
