#!/usr/bin/env python3
"""An installed prefix gives a working `wasmdeploy` on PATH, with bash completion and a man page
(issue 24), as a user of `cmake --install` or `pip install .` would find it:

  check_installed.py --prefix PREFIX

- `wasmdeploy` found through PATH=PREFIX/bin (nothing else of the build on PATH or in
  LD_LIBRARY_PATH) prints its version and renders the quick tour's one-liner;
- bash, sourcing PREFIX/share/bash-completion/completions/wasmdeploy, has a completion for it,
  and that completion offers the subcommands and an Istio version for `--istio 1.2<TAB>`;
- `man` finds the page through PREFIX/share/man (MANPATH) and it is the wasmdeploy(1) page.
"""
import argparse
import os
import shutil
import subprocess
import sys

TIMEOUT = 60


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefix", required=True)
    prefix = os.path.abspath(ap.parse_args().prefix)
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "PYTHONPATH", "MANPATH")}
    env["PATH"] = os.path.join(prefix, "bin") + os.pathsep + "/usr/local/bin:/usr/bin:/bin"
    found = shutil.which("wasmdeploy", path=env["PATH"])
    if found != os.path.join(prefix, "bin", "wasmdeploy"):
        fail(f"wasmdeploy on PATH is {found}, not the one under {prefix}/bin")

    def sh(script):
        return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=TIMEOUT)

    p = sh("wasmdeploy --version && wasmdeploy render oci://ghcr.io/acme/f:v1 --id f -n ns -l app=web --istio 1.24 -q")
    if p.returncode != 0 or not p.stdout.startswith("wasmdeploy ") or "kind: WasmPlugin" not in p.stdout:
        fail(f"the installed wasmdeploy does not run from PATH (exit {p.returncode}):\n{p.stdout}{p.stderr}")
    print("ok:", p.stdout.splitlines()[0], "from", found)

    completion = os.path.join(prefix, "share", "bash-completion", "completions", "wasmdeploy")
    # What bash-completion does on <TAB>: call the registered function with COMP_WORDS/COMP_CWORD.
    p = sh(f"""set -e
source '{completion}'
spec=$(complete -p wasmdeploy)
fn=${{spec#*-F }}; fn=${{fn%% *}}
offer() {{ COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=();
          "$fn" wasmdeploy "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"; echo "${{COMPREPLY[*]}}"; }}
echo "commands: $(offer wasmdeploy re)"
echo "istio: $(offer wasmdeploy render --istio 1.2)"
""")
    if p.returncode != 0 or "render" not in p.stdout or "1.24" not in p.stdout:
        fail(f"bash completion from {completion} does not complete (exit {p.returncode}):\n{p.stdout}{p.stderr}")
    print("ok: bash completion:", " | ".join(p.stdout.split("\n")[:2]))

    env["MANPATH"] = os.path.join(prefix, "share", "man")
    p = sh("man -w wasmdeploy")
    page = os.path.join(prefix, "share", "man", "man1", "wasmdeploy.1")
    if p.returncode != 0 or p.stdout.strip() != page:
        fail(f"man -w wasmdeploy with MANPATH={env['MANPATH']} gave {p.stdout.strip()!r} (exit {p.returncode}) "
             f"{p.stderr}")
    with open(page) as f:
        head = f.read(4096)
    if ".TH" not in head or "WASMDEPLOY" not in head.upper():
        fail(f"{page} is not the wasmdeploy(1) page")
    print("ok: man finds", page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
