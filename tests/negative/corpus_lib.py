"""Shared by run_corpus.py, istioctl_verdicts.py and gen_errors_doc.py: loading the negative
corpus, materialising a case's files in a directory, and running it through the CLI.

A case (tests/negative/corpus/<area>.yaml, a list):

  id:       unique, kebab-case
  why:      one sentence: what Istio/Envoy would do with this input
  fix:      one sentence: what the user should do (shown in docs/errors.md)
  command:  render (default), undeploy, convert, inspect, inspect-image, build, krm, versions
  spec:     inline spec, written to spec.yaml and passed as -f spec.yaml (render/undeploy)
  input:    inline resources for convert, written to resources.yaml and passed as -f
  stdin:    text fed to the command's stdin (krm)
  files:    {name: text | {wat: TEXT, pad: N} | {hex: "00 61 ..."} | {sparse: N, head: HEX} | {dir: {name: ...}}
            | {layout: {layers: [...], ...}} (an OCI image layout, see write_layout)}
  setup:    commands run first (e.g. [build, f.wasm, --root-id, x, -o, img]); they must succeed
  args:     extra arguments
  output:   dir (default for render/undeploy: -o dir=out --force over a sentinel) or none
  expect:   {code, path, exit: 1} for refusals, or {warning|note: code, path} for diagnostics
            that do not stop the command (exit 0)
  at:       "L:C" position in spec.yaml the error must carry; "none" when the error is not about
            a spec field (a CLI flag, a file the spec names), so no spec.yaml position is checked
  primary:  true for the case docs/errors.md shows when several produce one code
  kind:     the kind docs/errors.md states, when the case shows the code another way
  report:   stdout when the command reports in its output (krm results), not on stderr
  istioctl: {manifest: TEXT, verdicts: {"1.25.3": accepted | "warning: TEXT" | "error: TEXT"}}
  effect:   {manifest: TEXT, filter, probe, proxies, verdicts: {"1.29.1": absent | present}}: istiod's own
            verdict on the naive manifest (effect_verdicts.py; the no-effect cases)
"""
import gzip
import hashlib
import io
import json
import os
import sys
import pathlib
import re
import subprocess
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from wasm_bytes import leb128  # noqa: E402

import yaml

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
SENTINEL = "# written by a previous run; a refused render must leave it alone\n"
SPEC_COMMANDS = ("render", "undeploy")


def load_cases(controller=False):
    """The CLI's cases; with controller=True only the controller's (controller.yaml: codes a
    cluster produces, documented but not run through the CLI)."""
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        if (path.stem == "controller") != controller:
            continue
        area = path.stem
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        seen = set()
        for c in items:
            if c["id"] in seen:
                raise SystemExit(f"{path.name}: duplicate case id {c['id']}")
            seen.add(c["id"])
            c["key"] = f"{area}/{c['id']}"
            c["area"] = area
            cases.append(c)
    return cases


def _custom_section(name, size):
    payload = leb128(len(name)) + name.encode() + bytes(size)
    return b"\x00" + leb128(len(payload)) + payload


def expand(text):
    """`${repeat:N:TEXT:end}` stands for TEXT written N times (big or deep inputs stay readable)."""
    return re.sub(r"\$\{repeat:(\d+):(.*?):end\}", lambda m: m.group(2) * int(m.group(1)), text, flags=re.S)


def _blob_bytes(b):
    """A blob given as text, hex, or a tar (optionally gzipped) of {name: text}."""
    if "tar" in b:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
            for name, text in b["tar"].items():
                data = bytes.fromhex(text[4:]) if text.startswith("hex:") else text.encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
        data = raw.getvalue()
    elif "hex" in b:
        data = bytes.fromhex(re.sub(r"\s+", "", b["hex"]))
    else:
        data = b.get("text", "").encode()
    return gzip.compress(data, mtime=0) if b.get("gzip") else data


def write_layout(spec, root):
    """An OCI image layout with real digests: {layers: [blob + mediaType], config, manifest
    (raw text instead), index (raw text instead), index_media_type, oci_layout}."""
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def put(data):
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    cfg = spec.get("config", {"mediaType": "application/vnd.oci.image.config.v1+json", "text": "{}"})
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": cfg["mediaType"], **put(_blob_bytes(cfg))},
                "layers": [{"mediaType": l["mediaType"], **put(_blob_bytes(l))} for l in spec.get("layers", [])]}
    text = spec.get("manifest", json.dumps(manifest)).encode()
    desc = {"mediaType": spec.get("index_media_type", manifest["mediaType"]), **put(text)}
    index = spec.get("index", json.dumps({"schemaVersion": 2, "manifests": [desc]}))
    (root / "index.json").write_text(index)
    (root / "oci-layout").write_text(spec.get("oci_layout", '{"imageLayoutVersion": "1.0.0"}'))


def materialise(spec, path):
    """Writes one `files:` entry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(spec, str):
        path.write_text(expand(spec), encoding="utf-8")
        return
    if "hex" in spec:
        data = bytes.fromhex(re.sub(r"\s+", "", expand(spec["hex"])))
    elif "sparse" in spec:  # a huge file that costs no disk space
        with open(path, "wb") as f:
            f.write(bytes.fromhex(spec.get("head", "")))
            f.truncate(int(spec["sparse"]))
        return
    elif "wat" in spec:
        with tempfile.TemporaryDirectory() as t:
            src = pathlib.Path(t) / "m.wat"
            src.write_text(spec["wat"], encoding="utf-8")
            p = subprocess.run(["wat2wasm", "--enable-all", str(src), "-o", str(src.with_suffix(".wasm"))],
                               capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError(f"wat2wasm failed for {path.name}: {p.stderr}")
            data = src.with_suffix(".wasm").read_bytes()
    elif "layout" in spec:
        write_layout(spec["layout"], path)
        return
    elif "dir" in spec:
        path.mkdir(parents=True, exist_ok=True)
        for name, sub in spec["dir"].items():
            materialise(sub, path / name)
        return
    else:
        raise SystemExit(f"unknown file spec {spec!r}")
    if spec.get("pad"):
        data += _custom_section("pad", int(spec["pad"]))
    path.write_bytes(data)


def snapshot(root):
    out = {}
    for p in sorted(pathlib.Path(root).rglob("*")):
        rel = str(p.relative_to(root))
        out[rel] = p.read_bytes() if p.is_file() else None
    return out


def prepare(case, work):
    """Creates the case's files in `work` and returns the argument list (after the binary)."""
    cmd = case.get("command", "render")
    args = cmd.split()
    for name, spec in (case.get("files") or {}).items():
        materialise(spec, work / name)
    if "spec" in case:
        (work / "spec.yaml").write_text(expand(case["spec"]), encoding="utf-8")
        args += ["-f", "spec.yaml"]
    if "input" in case:
        (work / "resources.yaml").write_text(expand(case["input"]), encoding="utf-8")
        args += ["-f", "resources.yaml"]
    args += [str(a) for a in case.get("args", [])]
    if case.get("output", "dir" if args[0] in SPEC_COMMANDS else "none") == "dir":
        (work / "out").mkdir()
        (work / "out" / "previous.yaml").write_text(SENTINEL, encoding="utf-8")
        args += ["-o", "dir=out", "--force"]
    return args


def run_case(cli, case, work, timeout=120):
    args = prepare(case, work)
    for step in case.get("setup", []):  # earlier commands whose output the case reads
        p = subprocess.run([cli, *[str(a) for a in step]], cwd=work, capture_output=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"{case['id']}: setup {step} failed: {p.stderr.decode()}")
    before = snapshot(work)
    p = subprocess.run([cli, *args], cwd=work, input=expand(case.get("stdin", "")).encode(), capture_output=True,
                       timeout=timeout)
    stderr = p.stderr.decode("utf-8", "replace").replace(str(work) + "/", "")
    return args, before, p.returncode, p.stdout.decode("utf-8", "replace"), stderr


def expected_code(case):
    e = case["expect"]
    for k in ("code", "warning", "note"):
        if k in e:
            return k, e[k]
    raise SystemExit(f"{case['id']}: expect needs code, warning or note")


def matching_line(case, stderr, stdout=""):
    """The stderr line reporting the case's code (and path), or None. With `report: stdout`
    (krm: errors go into the ResourceList's results) the stdout line naming the code."""
    kind, code = expected_code(case)
    path = case["expect"].get("path", "")
    if case.get("report") == "stdout":
        found = next((l.strip() for l in stdout.splitlines() if f"[{code}] " in l), None)
        return found if found and (not path or f"path: {path}" in stdout) else None
    needle = f"[{code}] " + (f"{path}: " if path else "")
    for line in stderr.splitlines():
        if needle not in line:
            continue
        if kind == "code" and line.startswith(("warning: ", "note: ")):
            continue
        if kind != "code" and not line.startswith(kind + ": "):
            continue
        return line
    return None
