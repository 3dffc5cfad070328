#!/usr/bin/env python3
"""Property test: hostile strings in every free-text field render to YAML/JSON that an independent
parser (PyYAML, json) reads back to exactly the intended values, with no injected documents or keys.

  hostile_strings.py [--cases N] [--seed S] [--cli PATH/TO/wasmdeploy] [--cli-every K]

The seed is printed; WD_PROPERTY_SEED / WD_PROPERTY_CASES override the defaults, so a failure is
reproduced with the printed command.

How a case is checked: the generator builds one spec twice, once with a hostile string in each
free-text slot and once with a unique, harmless placeholder token (hv00017x) in the same slot.
Both are rendered in-process through the Python binding, to YAML and to JSON, and parsed back.
The two trees must be identical once each placeholder is replaced by its hostile string: same
documents, same keys, same types, and each hostile value exactly where its placeholder was. A
string that holds JSON in the placeholder render (EnvoyFilter TypedStruct value, WasmPlugin
runtime config, userVolume annotations) must hold JSON in the hostile render too, and is compared
after decoding, so the nested value must decode to the exact string. A hostile value may only be
refused where the design says so (over-long root ids, env values...), and the refusal must carry
a code and a field path.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

import yaml

import wasmdeploy as wd

# libyaml's parser and emitter behind PyYAML's safe resolver and constructors (the pure-Python
# ones give the same results, several times slower).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# ---- hostile material ------------------------------------------------------------------------

ATOMS = [
    "\n", "\r\n", "\r", ": ", " #", "#", "---", "...", "'", '"', "''", '\\', '\\"', "\t", " ", "  ",
    "\u0301", "e\u0301", "\u202e", "\u200f", "\u200b", "\U0001F600", "\U00010000", "\U0010FFFD",
    "\u2028", "\u2029", "\x85", "\ufeff", "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b",
    "\x7f", "\x80", "\x9f", "\xa0", "\ufffe", "\uffff", "\ufffd", "é", "日本語", "ß",
    "!!python/object/apply:os.system", "!!python/name:os.system", "!foo", "!<tag:yaml.org,2002:str>",
    "&a", "*a", "<<", "? ", "- ", "-", "[", "]", "{", "}", ",", "|", ">", "%YAML 1.1", "%", "@", "`",
    "=", "yes", "no", "on", "off", "y", "n", "0x1F", "1e3", "~", "null", "NULL", ".inf", "-.inf",
    ".nan", "012", "0o17", "1_000", "12:30:00", "2001-12-14", "true", "False",
    "\\u0041", "\\n", "${HOME}", "{{ .Values.x }}", '"}', '"}]}', "\"\n---\nkind: Secret\n",
    "\n---\napiVersion: v1\nkind: Secret\n", "'\n- injected", "key: value", "a:b", "x #y",
]

WHOLE = [
    "", " ", "yes", "no", "on", "off", "Yes", "ON", "y", "n", "0x1F", "1e3", "1E3", "~", "null",
    "Null", ".inf", "-.Inf", ".NaN", "012", "0b101", "0o17", "+12", "-0", "1.0", "1_000", "12:30",
    "2001-12-14", "true", "FALSE", "---", "...", "--- x", "... x", "- x", "? x", "!!python/object/apply:os.system",
    "!!python/object/apply:os.system ['echo pwned']", "!foo bar", "&a x", "*a", "<<", "=",
    "@x", "`x", "%x", "|", ">", "|-\n  x", "{}", "[]", "{a: 1}", "[1, 2]", '{"a": 1}', "#", " #x", "x:",
    "x: y", "'", '"', "\\", "\ufeffx", "\x00", "\u2028", "\x85", " lead", "trail ", "\ttab", "a\n",
    "\n", "\r\n", "\U0001F600", "0", "-1", "3.14", "1e-7", ".5", "0x", "0xZZ",
]

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-./"

# DNS-1123 labels / subdomains and label values that other YAML readers take for something else.
NAME_LOOKALIKES = ["yes", "no", "on", "off", "y", "n", "true", "false", "null", "0x1f", "1e3", "012", "0o17",
                   "1", "10", "1e-3", "0", "inf", "nan", "0b1", "1-2", "12", "0e0"]
SUBDOMAIN_LOOKALIKES = NAME_LOOKALIKES + ["1.5", "1.0", "0.0", "1.e3", "1.2.3", "nan.inf"]
LABEL_VALUE_LOOKALIKES = NAME_LOOKALIKES + ["Yes", "NO", "On", "TRUE", "Null", "NULL", "0x1F", "1E3", "1.0",
                                            "1_000", "0.5", "1-1", "1.5e3", "a_b", ""]


def hostile(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        return rng.choice(WHOLE)
    if r < 0.30:  # very long
        n = rng.choice([300, 1100, 2100, 5000, 20000])
        unit = rng.choice(ATOMS) + rng.choice(LETTERS)
        return (unit * (n // len(unit) + 1))[:n]
    parts = []
    for _ in range(rng.randint(1, 6)):
        parts.append(rng.choice(ATOMS) if rng.random() < 0.6 else "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 5))))
    s = "".join(parts)
    if rng.random() < 0.1:
        s = rng.choice(["---", "...", "--- ", "... ", "- ", "? ", "!!str ", "&x ", "*x", " ", "\ufeff"]) + s
    if rng.random() < 0.1:
        s = s + rng.choice([" ", "\n", ":", " #", "\t", "\r"])
    return s


# ---- spec generation with placeholders ---------------------------------------------------------

class Slots:
    """Hands out placeholders and remembers what each stands for."""

    def __init__(self, rng):
        self.rng = rng
        self.by_token = {}
        self.used = set()

    def text(self, nonempty=False):
        """A placeholder for a new hostile string. `nonempty` for fields where "" means unset."""
        token = f"hv{len(self.by_token):05d}x"
        v = hostile(self.rng)
        if nonempty and v == "":
            v = "\u200b"
        # Distinct values, so two hostile mapping keys (or env names) never collide.
        while v in self.used:
            v = v + self.rng.choice(LETTERS)
        self.used.add(v)
        self.by_token[token] = v
        return token


def gen_config(rng, slots, depth=0):
    """A plugin configuration mapping: hostile keys, hostile strings, and typed leaves."""
    m = {}
    for _ in range(rng.randint(1, 4)):
        key = slots.text()
        r = rng.random()
        if r < 0.5:
            m[key] = slots.text()
        elif r < 0.6:
            m[key] = rng.choice([0, 1, -7, 2**40, 1.5, -0.25, 1e300, True, False, None])
        elif r < 0.8 and depth < 3:
            m[key] = gen_config(rng, slots, depth + 1)
        else:
            m[key] = [slots.text() for _ in range(rng.randint(0, 3))] + [rng.choice([7, True, None])]
    return m


ISTIO_VARIANTS = [
    # (istio version, resource, module kind)
    ("1.6", "EnvoyFilter", "file"), ("1.8", "EnvoyFilter", "file"), ("1.9", "EnvoyFilter", "https"),
    ("1.12", "EnvoyFilter", "oci"), ("1.12", "WasmPlugin", "oci"), ("1.14", "WasmPlugin", "https"),
    ("1.24", "WasmPlugin", "oci"), ("1.24", "EnvoyFilter", "oci"), ("1.27", "WasmPlugin", "file"),
    ("1.31", "TrafficExtension", "oci"), ("1.31", "EnvoyFilter", "https"),
]
PLATFORMS = ["istio"] * 5 + ["wasme", "gloo", "envoy", "envoy-gateway", "higress"]
SHA = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510"


def module_for(rng, slots, kind, i):
    if kind == "oci":
        return f"oci://ghcr.io/acme/f{i}:v1"
    if kind == "https":
        if rng.random() < 0.5:
            return f"https://example.com/f{i}.wasm"
        # A URL is RFC 3986 (module.bad-url refuses a raw space, quote or non-ASCII byte): the
        # hostile string goes in percent-encoded, and must come out exactly so.
        token = slots.text()
        slots.by_token[token] = urllib.parse.quote(slots.by_token[token], safe="")
        return f"https://example.com/{token}"
    return f"file:///var/lib/{slots.text()}" if rng.random() < 0.5 else f"file:///var/lib/f{i}.wasm"


def gen_case(rng):
    """Returns (spec dict with placeholders, {placeholder: hostile}, render kwargs, description)."""
    slots = Slots(rng)
    platform = rng.choice(PLATFORMS)
    spec = {"apiVersion": "wasmdeploy.io/v1alpha1", "kind": "WasmDeployment", "options": {"platform": platform}}
    istio, resource, kind = rng.choice(ISTIO_VARIANTS) if platform == "istio" else ("1.24", None, "oci")
    if platform == "istio":
        spec["istio"] = istio
        spec["options"]["resource"] = resource
    if platform == "envoy":
        kind = "file"
    if platform == "envoy-gateway":
        spec["options"]["gatewayVersion"] = "v1.9"
        kind = rng.choice(["oci", "https"])
    filters = []
    n_filters = rng.randint(1, 2)
    for i in range(n_filters):
        # Names are valid DNS names that YAML 1.1 reads as booleans/numbers; no placeholder needed
        # because they are the same in both renders, and the comparison checks them exactly.
        name = rng.choice(SUBDOMAIN_LOOKALIKES) + (f"-{i}" if i else "")
        f = {"name": name, "module": module_for(rng, slots, kind, i)}
        if kind in ("oci", "https"):
            f["sha256"] = SHA
        if platform == "envoy-gateway" and kind == "oci":
            f["sha256"] = SHA
        # Only fields each platform can express (others are refused whatever their text).
        if rng.random() < 0.7 or platform == "gloo":
            f["rootId"] = slots.text(nonempty=True)
        if rng.random() < 0.4 and platform not in ("wasme", "envoy-gateway"):
            f["vmId"] = slots.text(nonempty=True)
        string_ok = platform not in ("envoy-gateway", "higress") and not (
            platform == "istio" and resource in ("WasmPlugin", "TrafficExtension"))
        # An empty string config means "no configuration" and is left out, by design.
        f["config"] = slots.text(nonempty=True) if string_ok and rng.random() < 0.25 else gen_config(rng, slots)
        env_ok = platform in ("istio", "envoy", "higress") and (platform != "istio" or istio not in ("1.6", "1.8", "1.9", "1.12"))
        if rng.random() < 0.5 and env_ok:
            f["env"] = [{"name": slots.text(), "value": slots.text()} for _ in range(rng.randint(1, 3))]
        filters.append(f)
    spec["filters"] = filters
    ns = rng.choice(NAME_LOOKALIKES)
    if platform == "higress":
        spec["targets"] = [{"namespace": "higress-system", "rules": [
            {"ingress": [slots.text(nonempty=True)], "config": gen_config(rng, slots)},
            {"domain": [slots.text(nonempty=True), slots.text(nonempty=True)], "service": [slots.text(nonempty=True)],
             "configDisable": True},
        ]}]
    elif platform == "envoy-gateway":
        spec["targets"] = [{"name": "t", "namespace": ns, "targetRefs": [{"kind": "Gateway", "name": slots.text(nonempty=True)}]}]
    elif platform in ("istio", "wasme"):
        t = {"namespace": ns}
        refs_ok = platform == "istio" and resource in ("WasmPlugin", "TrafficExtension") and istio in ("1.24", "1.27", "1.31")
        if refs_ok and rng.random() < 0.3:
            # targetRefs names are passed through unchecked (istiod resolves them).
            t["targetRefs"] = [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": slots.text(nonempty=True)}]
        elif rng.random() < 0.5:
            t["workloads"] = [{"name": rng.choice(SUBDOMAIN_LOOKALIKES) + f"-w{j}",
                               "labels": {"app": rng.choice(LABEL_VALUE_LOOKALIKES),
                                          rng.choice(["version", "yes", "on", "null"]): rng.choice(LABEL_VALUE_LOOKALIKES)}}
                              for j in range(rng.randint(1, 2))]
        else:
            t["selector"] = {"app": rng.choice(LABEL_VALUE_LOOKALIKES), "tier": rng.choice(LABEL_VALUE_LOOKALIKES)}
        spec["targets"] = [t]
    desc = f"platform={platform} istio={istio} resource={resource} module={kind}"
    return spec, slots.by_token, desc


def substitute(value, mapping):
    """The spec (or any tree) with every placeholder replaced by its hostile string."""
    if isinstance(value, dict):
        return {substitute(k, mapping): substitute(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, mapping) for v in value]
    if isinstance(value, str):
        return replace_tokens(value, mapping)
    return value


def same_typed(a, b):
    """Equality that also tells True from 1 and 1.0 from 1."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_typed(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_typed(x, y) for x, y in zip(a, b))
    return a == b


def replace_tokens(s, mapping):
    if "hv" not in s:
        return s
    out = []
    i = 0
    while True:
        j = s.find("hv", i)
        if j < 0 or j + 8 > len(s):
            out.append(s[i:])
            break
        tok = s[j:j + 8]
        if tok in mapping:
            out.append(s[i:j])
            out.append(mapping[tok])
            i = j + 8
        else:
            out.append(s[i:j + 2])
            i = j + 2
    return "".join(out)


# ---- the spec writer --------------------------------------------------------------------------

class SpecDumper(SafeDumper):
    """Every string double-quoted, everything else plain (7, true, null, 1.0e+300)."""


SpecDumper.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style='"'))


def write_spec(spec) -> str:
    """PyYAML's safe dumper with every string double-quoted: 'yes' or '1e3' cannot be resolved
    into anything else by wasmdeploy's reader, non-printable characters are escaped, and keys over
    YAML's 1024-character cap for implicit keys become explicit '? key' entries (which JSON could
    not express). Numbers, booleans and null stay plain so they keep their type."""
    return yaml.dump(spec, Dumper=SpecDumper, allow_unicode=True, width=10**9, sort_keys=False)


# ---- comparison -------------------------------------------------------------------------------

class Mismatch(Exception):
    pass


def looks_like_json(s):
    s = s.strip()
    if not s or s[0] not in "{[":
        return None
    try:
        return json.loads(s)
    except ValueError:
        return None


def same(base, got, mapping, where):
    """`got` (hostile render) must equal `base` (placeholder render) with placeholders replaced."""
    if isinstance(base, dict):
        if not isinstance(got, dict):
            raise Mismatch(f"{where}: expected a mapping, got {type(got).__name__}: {got!r:.200}")
        expected_keys = {replace_tokens(k, mapping) if isinstance(k, str) else k: k for k in base}
        if set(expected_keys) != set(got):
            extra = set(got) - set(expected_keys)
            missing = set(expected_keys) - set(got)
            raise Mismatch(f"{where}: keys differ; injected {sorted(map(repr, extra))[:5]} missing {sorted(map(repr, missing))[:5]}")
        for ek, bk in expected_keys.items():
            same(base[bk], got[ek], mapping, f"{where}.{bk}")
        return
    if isinstance(base, list):
        if not isinstance(got, list) or len(got) != len(base):
            raise Mismatch(f"{where}: expected a list of {len(base)}, got {got!r:.200}")
        try:
            for i, (b, g) in enumerate(zip(base, got)):
                same(b, g, mapping, f"{where}[{i}]")
        except Mismatch:
            # Lists sorted by a hostile key (names) may come in another order: match as a multiset.
            pool = list(got)
            for i, b in enumerate(base):
                for k, g in enumerate(pool):
                    try:
                        same(b, g, mapping, f"{where}[{i}]")
                    except Mismatch:
                        continue
                    del pool[k]
                    break
                else:
                    raise
        return
    if isinstance(base, str):
        if not isinstance(got, str):
            raise Mismatch(f"{where}: expected a string, got {type(got).__name__} {got!r:.200}")
        expected = replace_tokens(base, mapping)
        if expected == got:
            return
        nested = looks_like_json(base)
        if nested is not None and "hv" in base:
            try:
                inner = json.loads(got)
            except ValueError as e:
                raise Mismatch(f"{where}: nested JSON no longer parses ({e}): {got!r:.300}")
            same(nested, inner, mapping, where + "<json>")
            return
        raise Mismatch(f"{where}: expected {expected!r:.300}\n   got {got!r:.300}")
    if type(base) is not type(got) or base != got:
        if not (isinstance(base, float) and isinstance(got, float) and base != base and got != got):
            raise Mismatch(f"{where}: expected {base!r} ({type(base).__name__}), got {got!r} ({type(got).__name__})")


def parse_outputs(result, tmp, with_files):
    """Documents from YAML and JSON text, and the files (Envoy bootstrap), all parsed back."""
    y = result.output("yaml")
    j = result.output("json")
    docs_y = list(yaml.load_all(y, Loader=SafeLoader))
    if docs_y and docs_y[0] is None:  # the stream starts with "---"
        docs_y = docs_y[1:]
    docs_j = json.loads(j)
    if docs_j.get("kind") != "List" or set(docs_j) != {"apiVersion", "kind", "items"}:
        raise Mismatch(f"JSON output is not a v1 List: {list(docs_j)}")
    files = {}
    if with_files:  # the Envoy bootstrap: a file, written by write_directory (and `render --files`)
        out = os.path.join(tmp, "out")
        result.write_directory(out, force=True)
        # files sit under files/ (and patches under patches/): walk the whole directory
        names = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
        for name in names:
            with open(os.path.join(out, name), "rb") as fh:
                raw = fh.read()
            text = raw.decode("utf-8")
            files[name] = json.loads(text) if name.endswith(".json") else list(yaml.load_all(text, Loader=SafeLoader))
    return {"yaml": docs_y, "json": docs_j["items"], "files": files}, (y, j)


# Refusals allowed by design when a hostile value lands in a slot, by error code: length caps on
# root ids and env entries, and env entries need a name (validate.cpp). Anything else refused is a failure: valid UTF-8 text
# of any shape must render.
ALLOWED_REFUSALS = {"filter.root-id-too-long", "env.value-too-long", "env.name-too-long", "env.empty-name"}


def run_case(rng, index, tmp, cli, cli_every, stats):
    spec, mapping, desc = gen_case(rng)
    base_text = write_spec(spec)
    hostile_spec = substitute(spec, mapping)
    text = write_spec(hostile_spec)
    # The writer itself must be exact: an independent YAML reader gets the intended values back.
    if not same_typed(yaml.load(text, Loader=SafeLoader), hostile_spec):
        raise Mismatch("spec writer is not exact (PyYAML reads something else)")
    # wasmdeploy's reader gets the intended values, types included (the renders below are compared
    # with each other, which would not notice a number read as a string in both).
    try:
        parsed = wd.parse_spec(text, file="hostile.yaml")
    except wd.WasmDeployError:
        parsed = None  # judged below, where the render is refused the same way
    if parsed is not None:
        for f_in, f_out in zip(hostile_spec["filters"], parsed.filters):
            if not same_typed(f_out.config, f_in["config"]):
                raise Mismatch(f"filter {f_in['name']}: config read back as {f_out.config!r:.300}")
            for key, attr in (("rootId", "root_id"), ("vmId", "vm_id")):
                if key in f_in and getattr(f_out, attr) != f_in[key]:
                    raise Mismatch(f"filter {f_in['name']}: {key} read back as {getattr(f_out, attr)!r:.300}")
    try:
        base = wd.render_result(wd.parse_spec(base_text, file="base.yaml"))
    except wd.WasmDeployError as e:
        # The generator made a combination the platform refuses whatever the strings are.
        stats["skipped"] += 1
        stats["skip_codes"][e.code] = stats["skip_codes"].get(e.code, 0) + 1
        return
    try:
        got = wd.render_result(parsed if parsed is not None else wd.parse_spec(text, file="hostile.yaml"))
    except wd.WasmDeployError as e:
        if not e.code or not e.path or e.code not in ALLOWED_REFUSALS:
            raise Mismatch(f"refused: code={e.code!r} path={e.path!r}: {e}")
        stats["refused"] += 1
        stats.setdefault("codes", {}).setdefault(e.code, 0)
        stats["codes"][e.code] += 1
        return
    with_files = hostile_spec["options"]["platform"] == "envoy"
    base_docs, _ = parse_outputs(base, os.path.join(tmp, "b"), with_files)
    got_docs, (got_y, got_j) = parse_outputs(got, os.path.join(tmp, "h"), with_files)
    for what in ("yaml", "json", "files"):
        same(base_docs[what], got_docs[what], mapping, what)
    if got_docs["yaml"] != got_docs["json"]:
        raise Mismatch("the YAML and JSON renders disagree")
    stats["rendered"] += 1
    stats["values"] += len(mapping)
    if cli and index % cli_every == 0:
        path = os.path.join(tmp, "spec.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        for fmt, want in (("yaml", got_y), ("json", got_j)):
            p = subprocess.run([cli, "render", "-f", path, "-o", fmt, "-q"], capture_output=True, timeout=60)
            if p.returncode != 0 or p.stdout.decode("utf-8") != want:
                raise Mismatch(f"CLI -o {fmt} differs from the binding (exit {p.returncode}): {p.stderr[:300]!r}")
        if got_docs["files"]:
            p = subprocess.run([cli, "render", "-f", path, "--files", "-q"], capture_output=True, timeout=60)
            if p.returncode != 0:
                raise Mismatch(f"CLI --files exited {p.returncode}: {p.stderr[:300]!r}")
            docs = [d for d in yaml.safe_load_all(p.stdout.decode("utf-8")) if d is not None]
            want_docs = [d for docs_ in got_docs["files"].values() for d in (docs_ if isinstance(docs_, list) else [docs_]) if d is not None]
            if docs != want_docs:
                raise Mismatch("CLI --files differs from the files the binding writes")
        stats["cli"] += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=int(os.environ.get("WD_PROPERTY_CASES", "2000")))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cli", default=None, help="wasmdeploy binary: a sample of cases also goes through it")
    ap.add_argument("--cli-every", type=int, default=50)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int(os.environ.get("WD_PROPERTY_SEED", str(int(time.time() * 1000) % 2**31)))
    print(f"seed {seed} cases {a.cases}; reproduce: WD_PROPERTY_SEED={seed} WD_PROPERTY_CASES={a.cases} {sys.argv[0]}", flush=True)
    rng = random.Random(seed)
    stats = {"rendered": 0, "refused": 0, "values": 0, "cli": 0, "skipped": 0, "skip_codes": {}}
    failures = 0
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.cases):
            state = rng.getstate()
            try:
                run_case(rng, i, tmp, a.cli, a.cli_every, stats)
            except Mismatch as e:
                failures += 1
                rng2 = random.Random()
                rng2.setstate(state)
                spec, mapping, desc = gen_case(rng2)
                print(f"FAIL case {i} ({desc}): {e}", flush=True)
                print("  hostile spec: " + write_spec(substitute(spec, mapping))[:2000].replace("\n", "\n  "))
                if failures >= 5:
                    break
    print(f"{stats['rendered']} cases rendered and read back exactly ({stats['values']} hostile values), "
          f"{stats['refused']} refused by design {stats.get('codes', {})}, {stats['cli']} through the CLI, "
          f"{stats['skipped']} skipped {stats['skip_codes']}, "
          f"{time.time() - start:.1f}s", flush=True)
    if stats["skipped"] > a.cases // 5:
        print(f"FAIL: {stats['skipped']} generated specs are refused even with harmless strings: "
              f"{stats['skip_codes']}; the generator needs fixing")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
