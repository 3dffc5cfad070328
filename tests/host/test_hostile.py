#!/usr/bin/env python3
"""Hostile modules against the embedded host (issue 20, items 1-5): each case is a WAT module an
attacker could ship, run through `wasmdeploy run`; the host must refuse or stop it with a clear
trap, within its documented bounds, and never crash. One case per ctest (host.hostile_<case>);
exit 77 = skipped (no wat2wasm)."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


def check(cond, msg):
    if not cond:
        sys.exit("FAIL: " + msg)


class Ctx:
    def __init__(self, cli):
        self.cli = cli
        self.dir = tempfile.mkdtemp()

    def wat(self, name, text, *flags):
        wat2wasm = shutil.which("wat2wasm")
        if not wat2wasm:
            print("SKIPPED: wat2wasm unavailable (wabt)")
            sys.exit(SKIP)
        src, out = os.path.join(self.dir, name + ".wat"), os.path.join(self.dir, name + ".wasm")
        open(src, "w").write(text)
        subprocess.run([wat2wasm, *flags, src, "-o", out], check=True)
        return out

    def run(self, module, *args, timeout=60):
        """Runs and returns (exit code, JSON result or None, stderr, seconds)."""
        start = time.monotonic()
        try:
            p = subprocess.run([self.cli, "run", module, "-o", "json", *args], capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            sys.exit(f"FAIL: still running after {timeout} s: {args}")
        took = time.monotonic() - start
        check(p.returncode in (0, 1), f"exit {p.returncode} (a crash or usage error)\n{p.stderr[-2000:]}")
        return p.returncode, json.loads(p.stdout), p.stderr, took


def module(imports, body, memory="(memory (export \"memory\") 2)", malloc=None, extra=""):
    """A proxy-wasm 0.2.0 module: `body` is proxy_on_configure's (returns i32); data at 0.."""
    malloc = malloc or "(global.get $bump) (global.set $bump (i32.add (global.get $bump) (local.get $n)))"
    return f"""(module
  {imports}
  {memory}
  (global $bump (mut i32) (i32.const 65536))
  (global $inner (mut i32) (i32.const 0))
  (data (i32.const 0) "plugin_root_id")
  (data (i32.const 16) "q")
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "malloc") (param $n i32) (result i32) {malloc})
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) {body})
  {extra})"""


# 1. The allocator re-enters the host while proxy_dequeue_shared_queue copies the queue's only
#    entry out: the inner call must not pop it under the outer one (today: double free, 134).
def case_reentry(ctx):
    m = ctx.wat("reentry", module(
        """(import "env" "proxy_register_shared_queue" (func $reg (param i32 i32 i32) (result i32)))
           (import "env" "proxy_enqueue_shared_queue" (func $enq (param i32 i32 i32) (result i32)))
           (import "env" "proxy_dequeue_shared_queue" (func $deq (param i32 i32 i32) (result i32)))""",
        """(drop (call $reg (i32.const 16) (i32.const 1) (i32.const 32)))
           (drop (call $enq (i32.load (i32.const 32)) (i32.const 0) (i32.const 14)))
           (drop (call $deq (i32.load (i32.const 32)) (i32.const 40) (i32.const 44)))
           (i32.const 1)""",
        malloc="""(if (i32.eqz (global.get $inner)) (then
                    (global.set $inner (i32.const 1))
                    (drop (call $deq (i32.load (i32.const 32)) (i32.const 48) (i32.const 52)))))
                  (global.get $bump) (global.set $bump (i32.add (global.get $bump) (local.get $n)))"""))
    code, d, _, _ = ctx.run(m)
    check(code == 1 and d["trap_phase"] == "on_configure", str(d))
    check("proxy_dequeue_shared_queue called from inside another host function" in d["trap"], d["trap"])


# 2. malloc -> proxy_get_property -> malloc -> ... (today: SIGSEGV, native stack overflow).
def case_recursion(ctx):
    m = ctx.wat("recursion", module(
        """(import "env" "proxy_get_property" (func $prop (param i32 i32 i32 i32) (result i32)))""",
        """(drop (call $prop (i32.const 0) (i32.const 14) (i32.const 40) (i32.const 44))) (i32.const 1)""",
        malloc="""(drop (call $prop (i32.const 0) (i32.const 14) (i32.const 40) (i32.const 44)))
                  (global.get $bump) (global.set $bump (i32.add (global.get $bump) (local.get $n)))"""))
    code, d, _, _ = ctx.run(m, "--root-id", "r")
    check(code == 1 and "proxy_get_property called from inside another host function" in d["trap"], str(d))


# 3. `global.set 0` without globals is invalid; once the rewriter appended the budget global it
#    would validate and refill its own budget. Validation comes first (today: runs for ever).
def case_invalid_module(ctx):
    m = ctx.wat("invalid", module("", """(loop (global.set 2 (i64.const 1000000)) (br 0)) (i32.const 1)"""),
                "--no-check")
    code, d, _, took = ctx.run(m, "--instruction-budget", "1000", timeout=20)
    check(code == 1 and d["loaded"] is False and d["trap_phase"] == "load", str(d))
    check("not a valid WebAssembly module" in d["trap"] and "validator" in d["trap"], d["trap"])


def expect_budget_trap(ctx, m, budget):
    code, d, _, took = ctx.run(m, "--instruction-budget", str(budget), timeout=30)
    check(code == 1 and f"instruction budget of {budget} exhausted in on_configure" in d["trap"], str(d))
    check(took < 10, f"took {took:.1f} s")


# 4a. memory.fill of 63 MiB costs by the byte, not one unit (today: minutes at this budget).
def case_bulk_memory(ctx):
    m = ctx.wat("fill", module("", """(loop (memory.fill (i32.const 0) (i32.const 0) (i32.const 66060288)) (br 0))
                                      (i32.const 1)""", memory='(memory (export "memory") 1008)'))
    expect_budget_trap(ctx, m, 100000000)


# 4b. fd_write with 8 M iovecs costs by the iovec (today: one unit each call).
def case_host_call_cost(ctx):
    m = ctx.wat("iovecs", module(
        """(import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))""",
        """(loop (drop (call $w (i32.const 1) (i32.const 0) (i32.const 8000000) (i32.const 100))) (br 0))
           (i32.const 1)""", memory='(memory (export "memory") 1000)'))
    expect_budget_trap(ctx, m, 5000000)


# 4c. The wall clock: a module that only calls the host, with an unbounded budget, stops at
#     --timeout-ms (today: no such limit).
def case_wall_clock(ctx):
    m = ctx.wat("clock", module(
        """(import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))""",
        """(loop (drop (call $log (i32.const 0) (i32.const 0) (i32.const 0))) (br 0)) (i32.const 1)"""))
    code, d, _, took = ctx.run(m, "--instruction-budget", str(1 << 62), "--timeout-ms", "500", timeout=30)
    check(code == 1 and "wall-clock limit of 500 ms exceeded" in d["trap"], str(d))
    check(took < 10, f"took {took:.1f} s")


# 5a. Header values above the per-value limit (16 MiB) are refused (today: 20 x 60 MiB kept).
def case_value_limit(ctx):
    m = ctx.wat("values", module(
        """(import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))""",
        """(i32.const 1)""", memory='(memory (export "memory") 980)',
        extra="""(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (local $i i32)
          (loop
            (i32.store8 (i32.const 200) (i32.add (i32.const 48)
              (call $add (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 1024) (i32.const 62914560))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if 0 (i32.lt_u (local.get $i) (i32.const 20))))
          (drop (call $add (i32.const 0) (i32.const 201) (i32.const 1) (i32.const 200) (i32.const 1)))
          (i32.const 0))
          (data (i32.const 201) "s")"""))
    code, d, _, _ = ctx.run(m)
    check(code == 0, str(d)[:2000])
    values = {k: v for k, v in d["request"]["headers"]}
    check(values.get("s") == "2" and "q" not in values, "status BadArgument (2), nothing added: " + str(values.get("s")))


# 5b. proxy_continue_stream in a loop: recorded actions count against the cap (today: 2 GiB,
#     then bad_alloc).
def case_host_state_cap(ctx):
    m = ctx.wat("actions", module(
        """(import "env" "proxy_continue_stream" (func $c (param i32) (result i32)))""",
        """(loop (drop (call $c (i32.const 0))) (br 0)) (i32.const 1)"""))
    code, d, _, took = ctx.run(m, "--max-memory-mib", "8", timeout=60)
    check(code == 1 and "memory cap of 8 MiB exceeded" in d["trap"], str(d)[:2000])
    check(len(d["actions"]) < 8 * 2**20 / 30, f"{len(d['actions'])} actions kept")


# 5c. Every memory counts: a second memory cannot grow past its start (today: each memory had
#     its own cap, 33 memories made 2 GiB).
def case_multi_memory(ctx):
    m = ctx.wat("memories", module(
        """(import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))""",
        """(if (i32.eq (memory.grow 1 (i32.const 10)) (i32.const -1))
             (then (drop (call $log (i32.const 2) (i32.const 300) (i32.const 7))))
             (else (drop (call $log (i32.const 2) (i32.const 310) (i32.const 4)))))
           (i32.const 1)""",
        memory='(memory (export "memory") 2) (memory $second 1)',
        extra="""(data (memory 0) (i32.const 300) "refused") (data (memory 0) (i32.const 310) "grew")"""),
        "--enable-multi-memory")
    code, d, _, _ = ctx.run(m)
    logs = [l["message"] for l in d["logs"]]
    check(code == 0 and logs == ["refused"], str(d)[:2000])


# 5d. Tables are capped too: table.grow by a million elements is refused (today: granted; a
#     bigger one took 3.8 GiB).
def case_table_cap(ctx):
    m = ctx.wat("table", module(
        """(import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))""",
        """(if (i32.eq (table.grow $t (ref.null func) (i32.const 1000000)) (i32.const -1))
             (then (drop (call $log (i32.const 2) (i32.const 300) (i32.const 7))))
             (else (drop (call $log (i32.const 2) (i32.const 310) (i32.const 4)))))
           (i32.const 1)""",
        extra="""(table $t 1 funcref) (data (i32.const 300) "refused") (data (i32.const 310) "grew")"""))
    code, d, _, _ = ctx.run(m)
    logs = [l["message"] for l in d["logs"]]
    check(code == 0 and logs == ["refused"], str(d)[:2000])
    # A table whose initial size alone passes the cap does not load.
    big = ctx.wat("bigtable", module("", "(i32.const 1)", extra="(table 10000000 funcref)"))
    code, d, _, _ = ctx.run(big)
    check(code == 1 and d["loaded"] is False and "cap" in d["trap"], str(d)[:2000])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("case")
    a = ap.parse_args()
    fn = globals().get("case_" + a.case)
    if fn is None:
        sys.exit(f"unknown case {a.case}")
    fn(Ctx(a.cli))
    print(f"ok: {a.case}")


if __name__ == "__main__":
    main()
