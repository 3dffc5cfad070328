#!/usr/bin/env python3
"""Runs the README's commands: every ```sh block must say who runs it (readme_blocks.py).

  readme_check.py --cli build/ci/cli/wasmdeploy --source . --build build/ci commands
      runs every `<!-- test: readme -->` block, in order, as a reader would in one terminal (the
      working directory and exported variables carry from block to block), in a fresh copy of
      the repository's files (git ls-files) where the CLI under test stands where
      scripts/demo.sh builds it (build/release/cli/wasmdeploy) and nowhere on PATH; then once more
      in the same copy (every block must be rerunnable). Each line must exit 0, or N when it
      ends with `# exit N`, and print every `#> TEXT` line that follows it. A
      `<!-- file: PATH -->` block must equal that committed file, and examples/quick-tour's
      modules must be what wat2wasm makes of x-hello.wat. Fails on an sh block without an annotation, and on an annotation
      naming a ctest that does not exist (`ctest -N`).
  readme_check.py ... entry_points
      the `readme.entry_points` block (./scripts/demo.sh, ./scripts/test.sh): both scripts
      exist and parse, .ci/run runs test.sh, and demo.sh's render runs with the CLI under test.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import readme_blocks  # noqa: E402

TIMEOUT = 120


def ctest_names(build):
    p = subprocess.run(["ctest", "--test-dir", build, "-N"], capture_output=True, text=True, timeout=120)
    return set(re.findall(r"Test\s+#\d+:\s+(\S+)", p.stdout))


def fresh_copy(source, work, cli):
    """The repository's files as a clone has them, and the CLI where demo.sh builds it."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=source,
                            capture_output=True, check=True, timeout=120).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = os.path.join(source, rel)
        if not os.path.isfile(src):
            continue  # deleted in the work tree
        os.makedirs(os.path.dirname(os.path.join(work, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(work, rel))
    os.makedirs(os.path.join(work, "build", "release", "cli"))
    os.symlink(os.path.abspath(cli), os.path.join(work, "build", "release", "cli", "wasmdeploy"))


def check_inputs(source, blocks):
    failures = []
    for b in blocks:
        if b.file and open(os.path.join(source, b.file), encoding="utf-8").read() != b.text:
            failures.append(f"{b}: differs from the committed {b.file}")
    tour = os.path.join(source, "examples", "quick-tour")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["wat2wasm", os.path.join(tour, "x-hello.wat"), "-o", os.path.join(tmp, "m.wasm")],
                       check=True, timeout=60)
        made = open(os.path.join(tmp, "m.wasm"), "rb").read()
    for name in ("x-hello.wasm", "filter.wasm"):
        if open(os.path.join(tour, name), "rb").read() != made:
            failures.append(f"examples/quick-tour/{name} is not what wat2wasm makes of x-hello.wat")
    return failures


def run_block(block, work, env, state):
    """Runs a block's commands in one shell, as a reader pasting them would (a variable set on one
    line is seen by the next), recording each command's status and output on its own. The
    working directory and the exported variables are kept in `state` for the next block."""
    script, cmds = ["set -o pipefail"], readme_blocks.commands(block)
    script.append(f'if [ -f {state}/cwd ]; then cd "$(cat {state}/cwd)"; . {state}/env 2>/dev/null; fi')
    for i, (line, _) in enumerate(cmds):
        script.append(f"{{ {line}\n}} > {state}/out.{i} 2> {state}/err.{i}; echo $? > {state}/status.{i}")
    script.append(f"pwd > {state}/cwd; export -p > {state}/env")
    subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, timeout=TIMEOUT * max(1, len(cmds)))
    results = []
    for i in range(len(cmds)):
        def take(name):
            path = os.path.join(state, f"{name}.{i}")
            text = open(path, encoding="utf-8", errors="replace").read() if os.path.exists(path) else ""
            if os.path.exists(path):
                os.remove(path)
            return text
        status = take("status").strip()
        results.append((int(status) if status else -1, take("out"), take("err")))
    return results


def check_commands(a):
    readme = os.path.join(a.source, "README.md")
    blocks = readme_blocks.parse(readme)
    failures = []
    names = ctest_names(a.build)
    sh = [b for b in blocks if b.lang == "sh"]
    for b in sh:
        if b.test is None:
            failures.append(f"{b}: no `<!-- test: NAME -->` line before the fence")
        elif b.test != "readme" and b.test not in names:
            if a.partial_build:  # e.g. the fuzz preset builds no C API, so no controller tests
                print(f"note: {b}: {b.test} is not in this partial build; the full build checks it")
            else:
                failures.append(f"{b}: no ctest named {b.test} (ctest -N)")
    failures += check_inputs(a.source, blocks)
    env = dict(os.environ)
    ran = 0
    with tempfile.TemporaryDirectory(prefix="wd-readme-") as work, tempfile.TemporaryDirectory() as state:
        fresh_copy(a.source, work, a.cli)
        for attempt in (1, 2):
            for f in os.listdir(state):
                os.remove(os.path.join(state, f))
            for b in readme_blocks.named(blocks, "readme"):
                for (line, expected, shows), (status, out, err) in zip(readme_blocks.checked_commands(b),
                                                                       run_block(b, work, env, state)):
                  line = f"{line}` (run {attempt}) `" if attempt == 2 else line
                  ran += 1
                  for text in shows:
                      if text not in out:
                          failures.append(f"{b}: `{line}` does not print `{text}`\n--- stdout ---\n{out[-3000:]}")
                  if status != expected:
                      failures.append(f"{b}: `{line}` exited {status}, expected {expected}\n"
                                      f"--- stdout ---\n{out[-2000:]}--- stderr ---\n{err[-2000:]}")
                  elif expected == 0 and "error:" in err:
                      failures.append(f"{b}: `{line}` printed an error:\n{err[-2000:]}")
    if ran == 0:
        failures.append("no `<!-- test: readme -->` commands found")
    return failures, f"{len(sh)} sh blocks, {ran} commands run"


def check_entry_points(a):
    blocks = readme_blocks.named(readme_blocks.parse(os.path.join(a.source, "README.md")), "readme.entry_points")
    if len(blocks) != 1:
        return [f"expected one readme.entry_points block, found {len(blocks)}"], ""
    cmds = [c for c, _ in readme_blocks.commands(blocks[0])]
    scripts = [c.split()[0] for c in cmds]
    failures = []
    if scripts != ["./scripts/demo.sh", "./scripts/test.sh"]:
        failures.append(f"the block runs {scripts}, the checks below cover demo.sh and test.sh")
    for s in scripts:
        path = os.path.join(a.source, s)
        if not os.access(path, os.X_OK):
            failures.append(f"{s} is not an executable file")
        elif subprocess.run(["bash", "-n", path]).returncode != 0:
            failures.append(f"{s} does not parse")
    ci = open(os.path.join(a.source, ".ci", "run")).read()
    if "scripts/test.sh" not in ci:
        failures.append(".ci/run does not run scripts/test.sh")
    # demo.sh sets up and builds, then renders: run its render with the CLI under test.
    demo = open(os.path.join(a.source, "scripts", "demo.sh")).read()
    m = re.search(r"^exec build/release/cli/wasmdeploy (.*)\"\$@\"$", demo, re.M)
    if not m:
        failures.append("demo.sh no longer ends with `exec build/release/cli/wasmdeploy ... \"$@\"`")
    else:
        p = subprocess.run([a.cli, *m.group(1).split()], cwd=a.source, capture_output=True, text=True, timeout=TIMEOUT)
        if p.returncode != 0 or "kind: EnvoyFilter" not in p.stdout:
            failures.append(f"demo.sh's render exited {p.returncode}:\n{p.stderr}")
    return failures, "demo.sh and test.sh checked"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--partial-build", action="store_true",
                    help="the build leaves parts out (no C API): a missing ctest name is a note")
    ap.add_argument("mode", choices=["commands", "entry_points"])
    a = ap.parse_args()
    failures, summary = (check_commands if a.mode == "commands" else check_entry_points)(a)
    for f in failures:
        print("FAIL", f)
    print(("FAILED: " if failures else "ok: ") + summary)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
