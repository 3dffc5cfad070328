#!/usr/bin/env python3
"""The controller's container image (scripts/controller-image.sh): reproducible, self-contained,
non-root.

Builds the image twice from scratch (--no-cache) into two directories and requires the same
manifest digest and the same bytes in every blob; then checks the layer (entries sorted, times
and owners zeroed), the config (numeric non-root user = the runAsUser `wasmdeploy
operator-manifests` writes, no creation date), that every shared library the ELF files in the
image need is in the image, that nothing points into the build tree, that skopeo (a real OCI
tool) reads the layout, and runs the binary from the unpacked image: chrooted into it as the
image's user when the test runs as root (so no host library can stand in for a missing one),
else through the image's own dynamic loader. The second build's layout stays in --workdir/b for
the tests that need the image (ctest fixture controller_image): BUILD_DIR/controller-image, where
the script writes by default.
"""
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import time

import image_lib


def check(ok, what):
    if not ok:
        raise AssertionError(what)
    print(f"ok: {what}", flush=True)


def elf_dynamic(path):
    out = subprocess.run(["readelf", "-d", "-W", path], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out)
    rpath = re.findall(r"\(RPATH\)\s+Library rpath: \[(.+?)\]", out)
    runpath = re.findall(r"\(RUNPATH\)\s+Library runpath: \[(.+?)\]", out)
    return needed, rpath, runpath


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def main():
    a = image_lib.parse_args("--build-dir", "--go", "--cli", "--workdir")
    work = a.workdir

    t0 = time.monotonic()
    da = image_lib.build_image(a.build_dir, os.path.join(work, "a"), a.go, no_cache=True)
    t1 = time.monotonic()
    default_out = os.path.join(a.build_dir, "controller-image")
    db = image_lib.build_image(a.build_dir, default_out, a.go, no_cache=True)
    print(f"two builds: {t1 - t0:.0f}s and {time.monotonic() - t1:.0f}s", flush=True)
    la, lb = os.path.join(work, "a", "layout"), os.path.join(default_out, "layout")
    check(re.fullmatch(r"sha256:[0-9a-f]{64}", da), f"the script prints the manifest digest ({da})")
    check(da == db, "two builds from scratch give the same manifest digest")
    for dirpath, _, files in os.walk(la):
        for f in files:
            pa = os.path.join(dirpath, f)
            with open(pa, "rb") as x, open(os.path.join(lb, os.path.relpath(pa, la)), "rb") as y:
                if x.read() != y.read():
                    raise AssertionError(f"{os.path.relpath(pa, la)} differs between the builds")
    check(True, "and the same bytes in every file of the layout")
    cached = image_lib.build_image(a.build_dir, default_out, a.go)
    check(cached == db, "a third run with nothing changed keeps the layout (cache)")

    desc, manifest, config = image_lib.read_layout(lb)
    check(desc["digest"] == db, "index.json names the printed digest")
    check("created" not in config and "history" not in config, "the config carries no build date")
    user = config["config"]["User"]
    uid, gid = user.split(":")
    check(uid.isdigit() and gid.isdigit() and uid != "0", f"the image runs as a numeric non-root user ({user})")
    manifests = subprocess.run([a.cli, "operator-manifests", "--image", "r.invalid/c@" + db], capture_output=True,
                               text=True, check=True).stdout
    check(f"runAsUser: {uid}" in manifests and f"runAsGroup: {gid}" in manifests,
          "operator-manifests runs it as that same user and group")

    tar = image_lib.layer_tars(lb)[0]
    gz = image_lib.blob(lb, manifest["layers"][0])
    check(gz[4:8] == b"\0\0\0\0" and gz[3] & 0x08 == 0, "the gzip header has no mtime and no file name")
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        members = tf.getmembers()
    names = [m.name.rstrip("/") for m in members]
    check(names == sorted(names), f"the layer's {len(names)} entries are in sorted order")
    check(all(m.mtime == 0 and m.uid == 0 and m.gid == 0 and m.uname == "" and m.gname == "" for m in members),
          "every entry has mtime 0, owner 0:0 and no owner names")
    check(all(m.mode in (0o755, 0o644) for m in members), "modes are normalised to 0755/0644")

    root = image_lib.unpack(lb, os.path.join(work, "root"))
    entry = config["config"]["Entrypoint"][0]
    binary = root + entry
    needed, rpath, runpath = elf_dynamic(binary)
    check(rpath == ["$ORIGIN/../lib/wasmdeploy"] and not runpath,
          f"the binary finds its libraries relative to itself (DT_RPATH {rpath}, no RUNPATH {runpath})")
    build_dir = os.path.realpath(a.build_dir).encode()
    libdir = os.path.join(root, "usr", "lib", "wasmdeploy")
    interp = None
    with open(binary, "rb") as f:
        m = re.search(rb"(/lib[^\0]*/ld-linux[^\0]*\.so\.\d)\0", f.read(4096))
        interp = m.group(1).decode() if m else None
    check(interp and os.path.isfile(root + interp), f"the ELF interpreter {interp} is in the image")
    elves = [binary] + [os.path.join(libdir, n) for n in os.listdir(libdir) if is_elf(os.path.join(libdir, n))]
    missing, own_paths = set(), []
    for e in elves:
        n, rp, ru = elf_dynamic(e)
        if e != binary and (rp or ru):
            own_paths.append(os.path.basename(e))
        with open(e, "rb") as f:
            if build_dir in f.read():
                raise AssertionError(f"{e} names the build tree {build_dir.decode()}")
        missing |= {x for x in n if not os.path.isfile(os.path.join(libdir, x)) and x != os.path.basename(interp)}
    check(not own_paths, f"no library has an RPATH/RUNPATH of its own ({own_paths}), so the binary's serves them all")
    check(not missing, f"all {len(elves) - 1} libraries the ELF files need are in /usr/lib/wasmdeploy (missing: {sorted(missing)})")
    check(True, "no file in the image names the build tree")

    sk = subprocess.run(["skopeo", "inspect", f"oci:{lb}"], capture_output=True, text=True, timeout=120)
    check(sk.returncode == 0 and json.loads(sk.stdout)["Digest"] == db,
          f"skopeo reads the layout and reports the same digest {sk.stderr.strip()[:200]}")

    cmd, how = image_lib.image_command(root, config, ["--version"])
    v = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={})
    check(v.returncode == 0 and v.stdout.startswith("wasmdeploy-controller "),
          f"the image's binary runs {how}: {v.stdout.strip()} {v.stderr.strip()[:300]}")
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
