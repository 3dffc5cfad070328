#!/usr/bin/env python3
"""Output files are replaced atomically: a refused, failed or killed run leaves the previous
output byte-identical, and a run killed at any moment leaves the old or the complete new output,
never a mix. Also: text that is not UTF-8 given on the command line is refused.

  output_atomic_test.py --cli build/ci/cli/wasmdeploy CASE [--seed S] [--kills N]
"""
import argparse
import hashlib
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from wasm_bytes import leb128  # noqa: E402

CLI = None
SEED = None
KILLS = 12
SHA = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510"


class Failure(Exception):
    pass


def expect(cond, what, out=None):
    if not cond:
        raise Failure(what + ("" if out is None else "\n--- output ---\n" + str(out)))


def run(*args, cwd=None, preexec=None):
    p = subprocess.run([CLI, *args], cwd=cwd, capture_output=True, timeout=300, preexec_fn=preexec)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def snapshot(path):
    """Every file under `path` (relative name -> sha256 of its bytes), or None when absent."""
    if not os.path.exists(path):
        return None
    out = {}
    for root, dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as fh:
                out[os.path.relpath(full, path)] = hashlib.sha256(fh.read()).hexdigest()
        for d in dirs:
            out[os.path.relpath(os.path.join(root, d), path) + "/"] = "dir"
    return out


def siblings(parent, keep):
    return sorted(n for n in os.listdir(parent) if n not in keep)


def spec_text(workloads, value, bad_second_target=False):
    lines = ["istio: '1.8.1'", "filters:", "- name: f", "  module: oci://ghcr.io/acme/f:v1",
             f"  moduleSha256: {SHA}", f"  config: {{header: x-hello, value: '{value}'}}", "targets:",
             "- namespace: ns", "  workloads:"]
    for i in range(workloads):
        lines.append(f"  - {{name: w{i}, labels: {{app: w{i}}}}}")
    if bad_second_target:
        lines += ["- namespace: Not_A_Namespace", "  selector: {app: x}"]
    return "\n".join(lines) + "\n"


def write(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def case_refuse_without_force():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "old.yaml"), spec_text(3, "old"))
        write(os.path.join(tmp, "new.yaml"), spec_text(4, "new"))
        out = os.path.join(tmp, "out")
        rc, _, err = run("render", "-f", "old.yaml", "-o", "dir=out", cwd=tmp)
        expect(rc == 0, f"first render exited {rc}", err)
        # A hand-added file too: --force replaces the directory, without --force nothing is touched.
        write(os.path.join(out, "notes.txt"), "mine\n")
        before = snapshot(out)
        for target in ("dir=out", "dir=out/", "dir=" + out):
            rc, stdout, err = run("render", "-f", "new.yaml", "-o", target, cwd=tmp)
            expect(rc == 1 and "[output.exists]" in err, f"-o {target} onto a non-empty directory exited {rc}", err)
            expect(stdout == "", "nothing on stdout", stdout)
            expect(snapshot(out) == before, f"-o {target}: the existing directory is unchanged")
            expect(siblings(tmp, {"old.yaml", "new.yaml", "out"}) == [], "no staging left", os.listdir(tmp))
        # A file where the directory should be is refused too, and kept.
        write(os.path.join(tmp, "file"), "x")
        rc, _, err = run("render", "-f", "new.yaml", "-o", "dir=file", "--force", cwd=tmp)
        expect(rc == 1 and "[output.not-a-directory]" in err, f"-o dir=FILE exited {rc}", err)
        expect(open(os.path.join(tmp, "file")).read() == "x", "the file is unchanged")


def case_force_replaces():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "old.yaml"), spec_text(3, "old"))
        write(os.path.join(tmp, "new.yaml"), spec_text(2, "new"))
        rc, _, err = run("render", "-f", "old.yaml", "-o", "dir=out", cwd=tmp)
        expect(rc == 0, f"first render exited {rc}", err)
        write(os.path.join(tmp, "out", "notes.txt"), "mine\n")
        rc, _, err = run("render", "-f", "new.yaml", "-o", "dir=ref", cwd=tmp)
        expect(rc == 0, f"reference render exited {rc}", err)
        inode_parent = os.stat(tmp).st_ino
        rc, _, err = run("render", "-f", "new.yaml", "-o", "dir=out", "--force", cwd=tmp)
        expect(rc == 0, f"--force exited {rc}", err)
        expect(snapshot(os.path.join(tmp, "out")) == snapshot(os.path.join(tmp, "ref")),
               "--force leaves exactly the new files (stale ones and notes.txt are gone)",
               sorted(os.listdir(os.path.join(tmp, "out"))))
        expect(siblings(tmp, {"old.yaml", "new.yaml", "out", "ref"}) == [], "no staging or old copy left",
               os.listdir(tmp))
        expect(os.stat(tmp).st_ino == inode_parent, "same parent")


def case_failure_keeps_previous():
    """Refused in validation (second target invalid) and failed while writing (file size limit)."""
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "old.yaml"), spec_text(3, "old"))
        write(os.path.join(tmp, "bad.yaml"), spec_text(3, "new", bad_second_target=True))
        write(os.path.join(tmp, "big.yaml"), spec_text(40, "new" * 2000))
        rc, _, err = run("render", "-f", "old.yaml", "-o", "dir=out", cwd=tmp)
        expect(rc == 0, f"first render exited {rc}", err)
        before = snapshot(os.path.join(tmp, "out"))
        keep = {"old.yaml", "bad.yaml", "big.yaml", "out"}
        rc, _, err = run("render", "-f", "bad.yaml", "-o", "dir=out", "--force", cwd=tmp)
        expect(rc == 1 and "targets[1].namespace" in err, f"invalid second target exited {rc}", err)
        expect(snapshot(os.path.join(tmp, "out")) == before, "previous files byte-identical after a refusal")
        expect(siblings(tmp, keep) == [], "nothing left behind", os.listdir(tmp))

        # Half-way through writing: files over 4 KiB cannot be written (EFBIG). The node-cache
        # objects (Namespace ... DaemonSet, all small) come first, so six files are written before.
        def limit_file_size():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

        rc, _, err = run("render", "-f", "big.yaml", "-o", "dir=out", "--force", cwd=tmp, preexec=limit_file_size)
        expect(rc != 0 and "[io.write]" in err, f"a write failing half-way exited {rc}", err)
        expect(snapshot(os.path.join(tmp, "out")) == before, "previous files byte-identical after a failed write")
        expect(siblings(tmp, keep) == [], "no temporary files left behind", os.listdir(tmp))

        # Killed by the same limit (SIGXFSZ's default action) in the middle of a write.
        def limit_and_die():
            signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

        rc, _, err = run("render", "-f", "big.yaml", "-o", "dir=out", "--force", cwd=tmp, preexec=limit_and_die)
        expect(rc == -signal.SIGXFSZ, f"expected death by SIGXFSZ, got {rc}", err)
        expect(snapshot(os.path.join(tmp, "out")) == before, "previous files byte-identical after a killed write")


def kill_loop(tmp, argv, target, old, new, label, rng):
    """Runs argv (which replaces `target`) and SIGKILLs it after random delays; each time the
    target must hold exactly `old` or exactly `new`."""
    start = time.monotonic()
    rc, _, err = run(*argv, cwd=tmp)
    duration = time.monotonic() - start
    expect(rc == 0, f"{label}: full run exited {rc}", err)
    expect(snapshot(os.path.join(tmp, target)) == new, f"{label}: full run wrote the new output")
    seen = {"old": 0, "new": 0}
    for i in range(KILLS):
        # Back to the old output, then a run killed after a random delay.
        return_to_old(tmp, target, old)
        p = subprocess.Popen([CLI, *argv], cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i % 3 == 0:
            # Watch the target and kill at the first change anyone could observe: with a
            # one-step replacement that is already the complete new output; a writer that
            # deletes or writes into the target in place is caught in the middle.
            delay = watch_then_kill(p, os.path.join(tmp, target))
        else:
            # Anywhere, or near the end, where the new output is put in place.
            delay = rng.uniform(0, duration * 1.2) if i % 3 == 1 else rng.uniform(duration * 0.85, duration * 1.05)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
        p.wait()
        now = snapshot(os.path.join(tmp, target))
        if now == old:
            seen["old"] += 1
        elif now == new:
            seen["new"] += 1
        else:
            raise Failure(f"{label}: killed after {delay:.3f}s of {duration:.3f}s, the output is neither old nor new: "
                          f"{0 if now is None else len(now)} entries")
    print(f"{label}: {KILLS} kills over a {duration:.2f}s run: old {seen['old']}, new {seen['new']}")
    return seen


def listing(path):
    try:
        st = os.stat(path)
        return st.st_ino, sorted(os.listdir(path))
    except OSError:
        return None


def file_state(path):
    try:
        st = os.stat(path)
        return st.st_ino, st.st_size, st.st_mtime_ns
    except OSError:
        return None


def watch_then_kill(p, path, probe=listing):
    start = time.monotonic()
    first = probe(path)
    while p.poll() is None:
        if probe(path) != first:
            p.send_signal(signal.SIGKILL)
            break
    return time.monotonic() - start


OLD_COPIES = {}


def return_to_old(tmp, target, old):
    import shutil
    path = os.path.join(tmp, target)
    if snapshot(path) == old:
        return
    shutil.rmtree(path)
    shutil.copytree(OLD_COPIES[target], path)
    expect(snapshot(path) == old, "restored the old output")


def case_kill_render():
    import shutil
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "old.yaml"), spec_text(150, "old"))
        write(os.path.join(tmp, "new.yaml"), spec_text(150, "new"))
        rc, _, err = run("render", "-f", "old.yaml", "-o", "dir=out", cwd=tmp)
        expect(rc == 0, f"first render exited {rc}", err)
        old = snapshot(os.path.join(tmp, "out"))
        OLD_COPIES["out"] = os.path.join(tmp, "old-copy")
        shutil.copytree(os.path.join(tmp, "out"), OLD_COPIES["out"])
        rc, _, err = run("render", "-f", "new.yaml", "-o", "dir=ref", cwd=tmp)
        new = snapshot(os.path.join(tmp, "ref"))
        expect(old != new and len(new) > 300, "old and new outputs differ", len(new))
        argv = ["render", "-f", "new.yaml", "-o", "dir=out", "--force", "-q"]
        kill_loop(tmp, argv, "out", old, new, "render -o dir=", rng)
        # Killed runs leave their staging directories; the next complete run removes them.
        rc, _, err = run(*argv, cwd=tmp)
        expect(rc == 0 and snapshot(os.path.join(tmp, "out")) == new, f"a run after the kills exited {rc}", err)
        expect(siblings(tmp, {"old.yaml", "new.yaml", "out", "ref", "old-copy"}) == [],
               "stale staging directories of killed runs are removed", os.listdir(tmp))


def wasm_module(size, fill):
    """A minimal valid module padded with a custom section to about `size` bytes."""
    name = b"\x03pad"
    payload = name + bytes([fill]) * size
    return b"\0asm\x01\0\0\0" + b"\x00" + leb128(len(payload)) + payload


def case_kill_build():
    """build -o DIR --force replaces an OCI layout; killed at random moments."""
    import shutil
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "old.wasm"), "wb") as fh:
            fh.write(wasm_module(8 << 20, 0x61))
        with open(os.path.join(tmp, "new.wasm"), "wb") as fh:
            fh.write(wasm_module(24 << 20, 0x62))
        rc, _, err = run("build", "old.wasm", "--root-id", "r", "-o", "img", cwd=tmp)
        expect(rc == 0, f"first build exited {rc}", err)
        old = snapshot(os.path.join(tmp, "img"))
        OLD_COPIES["img"] = os.path.join(tmp, "old-copy")
        shutil.copytree(os.path.join(tmp, "img"), OLD_COPIES["img"])
        rc, _, err = run("build", "new.wasm", "--root-id", "r", "-o", "ref", cwd=tmp)
        expect(rc == 0, f"reference build exited {rc}", err)
        new = snapshot(os.path.join(tmp, "ref"))
        kill_loop(tmp, ["build", "new.wasm", "--root-id", "r", "-o", "img", "--force"], "img", old, new, "build -o", rng)
        rc, _, err = run("build", "new.wasm", "--root-id", "r", "-o", "img", cwd=tmp)
        expect(rc == 1 and snapshot(os.path.join(tmp, "img")) in (old, new), "build without --force refuses", err)


def case_kill_extract():
    """inspect-image --extract FILE, a single-file output, replaced while killed at random moments."""
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        for name, size, fill in (("old", 8 << 20, 0x61), ("new", 32 << 20, 0x62)):
            with open(os.path.join(tmp, name + ".wasm"), "wb") as fh:
                fh.write(wasm_module(size, fill))
            rc, _, err = run("build", name + ".wasm", "--root-id", "r", "-o", name + "-img", cwd=tmp)
            expect(rc == 0, f"build {name} exited {rc}", err)
        os.makedirs(os.path.join(tmp, "out"))
        os.makedirs(os.path.join(tmp, "ref"))
        rc, _, err = run("inspect-image", "old-img", "--extract", "out/module.wasm", cwd=tmp)
        expect(rc == 0, f"extract old exited {rc}", err)
        old = snapshot(os.path.join(tmp, "out"))
        import shutil
        OLD_COPIES["out"] = os.path.join(tmp, "old-copy")
        shutil.copytree(os.path.join(tmp, "out"), OLD_COPIES["out"])
        rc, _, err = run("inspect-image", "new-img", "--extract", "ref/module.wasm", cwd=tmp)
        new = snapshot(os.path.join(tmp, "ref"))
        # Only module.wasm counts: a killed run may leave its module.wasm.tmp-PID beside it.
        only = lambda snap: None if snap is None else {k: v for k, v in snap.items() if k == "module.wasm"}
        start = time.monotonic()
        rc, _, err = run("inspect-image", "new-img", "--extract", "out/module.wasm", cwd=tmp)
        duration = time.monotonic() - start
        expect(rc == 0 and only(snapshot(os.path.join(tmp, "out"))) == new, f"extract new exited {rc}", err)
        counts = {"old": 0, "new": 0}
        for i in range(KILLS):
            shutil.copyfile(os.path.join(OLD_COPIES["out"], "module.wasm"), os.path.join(tmp, "out", "module.wasm"))
            p = subprocess.Popen([CLI, "inspect-image", "new-img", "--extract", "out/module.wasm"], cwd=tmp,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i % 3 == 0:  # at the first visible change of module.wasm
                delay = watch_then_kill(p, os.path.join(tmp, "out", "module.wasm"), file_state)
            else:
                delay = rng.uniform(0, duration * 1.2)
                time.sleep(delay)
                p.send_signal(signal.SIGKILL)
            p.wait()
            now = only(snapshot(os.path.join(tmp, "out")))
            if now == old:
                counts["old"] += 1
            elif now == new:
                counts["new"] += 1
            else:
                raise Failure(f"--extract killed after {delay:.3f}s of {duration:.3f}s: module.wasm is neither old nor new")
        print(f"--extract: {KILLS} kills over a {duration:.2f}s run: old {counts['old']}, new {counts['new']}")


def case_non_utf8_flags():
    """Bytes that are not UTF-8 in free-text flags are refused with a code naming the flag."""
    for flag, value, path in ((b"--config", b"caf\xe9", b"--config"),
                              (b"--root-id", b"\xff\xfe", b"--root-id"),
                              (b"--config-json", b'{"a": "caf\xe9"}', b"--config-json")):
        p = subprocess.run([CLI.encode(), b"render", b"oci://ghcr.io/a/f:v1", b"--id", b"f", b"-l", b"app=a",
                            b"--istio", b"1.24", b"--resource", b"EnvoyFilter", b"--sha256", SHA.encode(), flag, value],
                           capture_output=True, timeout=60)
        expect(p.returncode == 1, f"{flag.decode()} with Latin-1 bytes exited {p.returncode}", p.stderr)
        expect(b"[spec.invalid-utf8] " + path + b":" in p.stderr,
               f"{flag.decode()}: spec.invalid-utf8 naming {path.decode()}", p.stderr)
        expect(p.stdout == b"", "nothing on stdout", p.stdout)


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    global CLI, SEED, KILLS
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("WD_KILL_SEED", str(int(time.time())))))
    ap.add_argument("--kills", type=int, default=int(os.environ.get("WD_KILLS", "12")))
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    CLI = os.path.abspath(a.cli)
    SEED = a.seed
    KILLS = a.kills
    print(f"seed {SEED} (WD_KILL_SEED={SEED} reproduces the kill delays)")
    try:
        CASES[a.case]()
    except Failure as e:
        print(f"FAIL {a.case}: {e}")
        return 1
    print(f"ok {a.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
