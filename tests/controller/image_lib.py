"""Shared by the controller image tests: building the image with scripts/controller-image.sh,
reading its OCI layout (every blob checked against its digest) and unpacking its layers into a
root directory, refusing what a hostile layer could do (absolute or `..` paths, links leaving
the root, devices, whiteouts)."""
import gzip
import hashlib
import io
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCRIPT = ROOT / "scripts" / "controller-image.sh"
SKIP_EXIT = 77
MAX_BLOB = 512 << 20


def build_image(build_dir, out, go, no_cache=False, timeout=1500):
    """Runs scripts/controller-image.sh; returns the manifest digest it printed. Exits 77 (skip)
    when it reports a missing toolchain or modules."""
    cmd = ["bash", str(SCRIPT), "--build-dir", build_dir, "--out", out, "--go", go]
    if no_cache:
        cmd.append("--no-cache")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    sys.stderr.write(p.stderr)
    if p.returncode == SKIP_EXIT:
        print(p.stdout.strip(), flush=True)
        sys.exit(SKIP_EXIT)
    if p.returncode != 0:
        sys.exit(f"controller-image.sh failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p.stdout.strip().splitlines()[-1]


def blob(layout, desc):
    algo, hexd = desc["digest"].split(":", 1)
    if algo != "sha256" or len(hexd) != 64 or not all(c in "0123456789abcdef" for c in hexd):
        raise ValueError(f"bad digest {desc['digest']!r}")
    if not 0 <= desc["size"] <= MAX_BLOB:
        raise ValueError(f"blob {desc['digest']} size {desc['size']}")
    data = (pathlib.Path(layout) / "blobs" / "sha256" / hexd).read_bytes()
    if len(data) != desc["size"] or hashlib.sha256(data).hexdigest() != hexd:
        raise ValueError(f"blob {desc['digest']} does not match its descriptor")
    return data


def read_layout(layout):
    """(manifest descriptor, manifest, config) of a layout with one manifest."""
    marker = json.loads((pathlib.Path(layout) / "oci-layout").read_text())
    assert marker == {"imageLayoutVersion": "1.0.0"}, marker
    index = json.loads((pathlib.Path(layout) / "index.json").read_text())
    assert len(index["manifests"]) == 1, index
    desc = index["manifests"][0]
    manifest = json.loads(blob(layout, desc))
    config = json.loads(blob(layout, manifest["config"]))
    return desc, manifest, config


def layer_tars(layout):
    """The uncompressed tar of each layer, checked against the config's diff_ids."""
    _, manifest, config = read_layout(layout)
    out = []
    for layer, diff_id in zip(manifest["layers"], config["rootfs"]["diff_ids"], strict=True):
        assert layer["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip", layer
        tar = gzip.decompress(blob(layout, layer))
        assert "sha256:" + hashlib.sha256(tar).hexdigest() == diff_id, "diff_id mismatch"
        out.append(tar)
    return out


def _inside(root, path):
    real = os.path.realpath(path)
    return real == root or real.startswith(root + os.sep)


def unpack(layout, root):
    """Extracts every layer into root (which must not exist yet). Files end up owned by the
    caller; modes are kept."""
    root = os.path.realpath(root)
    os.makedirs(root)
    for tar in layer_tars(layout):
        with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as tf:
            for m in tf:
                name = m.name.rstrip("/")
                parts = name.split("/")
                if name.startswith("/") or ".." in parts or not name:
                    raise ValueError(f"layer entry {m.name!r} leaves the root")
                if parts[-1].startswith(".wh."):
                    raise ValueError(f"layer entry {m.name!r}: whiteouts are not expected in this image")
                dest = os.path.join(root, name)
                if not _inside(root, os.path.dirname(dest)):
                    raise ValueError(f"layer entry {m.name!r} goes through a link out of the root")
                if m.isdir():
                    os.makedirs(dest, exist_ok=True)
                    os.chmod(dest, m.mode & 0o755)
                elif m.isreg():
                    with open(dest, "wb") as f:
                        f.write(tf.extractfile(m).read())
                    os.chmod(dest, m.mode & 0o755)
                elif m.issym():
                    target = os.path.join(os.path.dirname(dest), m.linkname) if not m.linkname.startswith("/") \
                        else os.path.join(root, m.linkname.lstrip("/"))
                    if not _inside(root, os.path.normpath(target)):
                        raise ValueError(f"layer link {m.name!r} -> {m.linkname!r} leaves the root")
                    os.symlink(m.linkname, dest)
                else:
                    raise ValueError(f"layer entry {m.name!r} has type {m.type!r}: not a file, directory or link")
    return root


def image_command(root, config, args):
    """argv running the image's entrypoint with args as a container would: as root (the
    test's user), in a private mount namespace with /proc mounted (ld.so resolves the binary's
    $ORIGIN RPATH through /proc/self/exe), chrooted into the unpacked image as its own numeric
    user, so no host file can stand in for a missing one. Otherwise through the image's own
    loader and libraries (weaker: the host's root is still visible). Returns (argv, how)."""
    user, entry = config["config"]["User"], config["config"]["Entrypoint"]
    if os.geteuid() == 0:
        os.makedirs(os.path.join(root, "proc"), exist_ok=True)
        # Absolute tools: the environment is the container's, not the test's.
        tool = {t: shutil.which(t, path="/usr/sbin:/usr/bin:/sbin:/bin") for t in ("unshare", "mount", "chroot", "sh")}
        script = f'{tool["mount"]} -t proc proc "$1/proc" && shift && exec {tool["chroot"]} "$@"'
        return ([tool["unshare"], "--mount", "--propagation", "private", tool["sh"], "-c", script, "sh", root,
                 f"--userspec={user}", root, *entry, *args], f"chrooted into the image as {user}")
    libdir = os.path.join(root, "usr", "lib", "wasmdeploy")
    interp = next(os.path.join(root, "lib64", n) for n in os.listdir(os.path.join(root, "lib64")))
    return ([interp, "--inhibit-cache", "--library-path", libdir, root + entry[0], *args],
            "through the image's own loader and libraries")


def parse_args(*flags):
    """The required --flags of an image test, --workdir among them, emptied and created."""
    import argparse
    ap = argparse.ArgumentParser()
    for f in flags:
        ap.add_argument(f, required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    return a
