#!/usr/bin/env python3
"""Generates docs/errors.md from the negative corpus, or checks it (negative.errors_doc).

  gen_errors_doc.py --cli build/ci/cli/wasmdeploy [--write | --check]

--check fails when (a) docs/errors.md differs from what this script generates, (b) a code
used in src/, cli/ or capi/ is not documented, or (c) a documented code has no corpus case
producing it and is not in UNREACHABLE below. The controller's codes (controller/*.go:
`controller.*`, `tenancy.*`) are documented from corpus/controller.yaml, each naming the ctest
that produces it on a cluster; (d) a code in the Go sources without a case there, or a case whose
code or test no longer exists, fails too.
"""
import argparse
import collections
import difflib
import os
import pathlib
import re
import sys
import tempfile

import corpus_lib as lib

ROOT = lib.HERE.parent.parent
DOC = ROOT / "docs" / "errors.md"

# Codes no input to the CLI can produce. Each is documented, without an example.
UNREACHABLE = {
    # Answers of a registry: tests/registry (label registry) produces each against docker-registry
    # and a hostile registry on 127.0.0.1; the offline corpus cannot.
    "registry.unauthorized": "Needs a registry: the credentials (or anonymous access) were refused (tests/registry).",
    "registry.not-found": "Needs a registry: no such tag or digest (HTTP 404) (tests/registry).",
    "registry.digest-mismatch": "Needs a registry: a manifest or blob whose bytes do not hash to its digest (tests/registry).",
    "registry.timeout": "Needs a registry that accepts and never answers within --timeout (tests/registry).",
    "registry.too-large": "Needs a registry: an answer over its size limit (--max-blob-bytes) (tests/registry).",
    "registry.protocol": "Needs a misbehaving registry: an answer outside the distribution spec.",
    "registry.index-ambiguous": "Needs a registry serving an index with several wasm manifests.",
    "registry.no-module": "Needs a registry serving an image with no Wasm module in a known layout.",
    "registry.config-invalid": "Needs a registry asking for credentials, with a malformed docker config.json.",
    "registry.credential-helper": "Needs a registry asking for credentials, with a failing docker-credential helper.",
    "resolve.pinned": "A note of render --resolve, which needs a registry (tests/registry).",
    "io.read": "A read error after the file opened (EIO, a vanished mount): the environment, not the input.",
    # C API misuse: only a C caller passing wrong arguments gets these.
    "capi.bad-boolean": "C API only: wd_spec_set_* given a boolean field a value other than true/false.",
    "capi.bad-format": "C API only: a format argument other than WD_FORMAT_YAML or WD_FORMAT_JSON.",
    "capi.bad-index": "C API only: a filter, target or workload index past the end.",
    "capi.bad-integer": "C API only: an integer field set from text that is not a 32-bit integer.",
    "capi.internal": "C API only: an unexpected C++ exception stopped at the C boundary (a bug; please report it).",
    "capi.no-memory": "C API only: allocation failed (out of memory).",
    "capi.no-such-filter": "C API only: a filter looked up by a name the spec does not have.",
    "capi.null-argument": "C API only: a required pointer argument was NULL.",
    "capi.unknown-field": "C API only: wd_spec_set_* named a field the setter does not know.",
    # Internal invariants: input never reaches these; seeing one is a bug.
    "spec.internal": "Internal: spec.proto has a field type the reader does not handle (a bug).",
    "undeploy.internal": "Internal: an undeploy step found no inverse for a rendered patch (a bug).",
    "platform.internal": "Internal: the Istio target was sent to the other-platform renderer (a bug).",
    "output.duplicate-file": "Internal: two rendered documents mapped to one file name in -o dir= (a bug).",
    "target.no-filters": "Internal: a target to which no filter applies; validation refuses every input "
                         "that would lead here (target.unknown-filter, spec.no-filters) first.",
    # Checked before the library sees them, or refused earlier under another code.
    "oci.variant.unknown": "Not from the CLI, which accepts only --variant oci|compat; the C API and Python "
                           "(build_image variant=...) report an unknown variant with this code.",
    "oci.platform.unknown": "Not from the CLI, which accepts only the listed inspect-image --target values; the "
                            "library reports an unknown platform name with this code.",
    "spec.multiple-documents": "Not from the CLI, which renders every document of a spec file together "
                               "(spec.merge-conflict when they disagree); parse_spec in C++, wd_spec_parse and "
                               "Python's parse_spec read exactly one document and refuse a second with this code.",
    "oci.platform.no-module": "A layout without a module is refused first as oci.platform.rejects-layout "
                              "(no format Istio reads); kept as a defensive check.",
    "oci.layer.gzip": "Internal: zlib failed to initialise or compress while building a layer (out of memory); "
                      "corrupt layers being read are reported as oci.layer.tar.",
    "crd.unsupported-field": "Internal: spec.proto gained a field type the CRD generator (src/spec/crd.cpp) has "
                             "no OpenAPI form for; every `wasmdeploy crd` would report it.",
    # The embedded proxy-wasm host (src/host).
    "host.not-built": "Only from a build configured with -DWD_HOST=OFF: run, render --run-check, wd_run_* and "
                      "wasmdeploy.run() then have no host.",
    "host.memory-cap": "Not a command's error: `run` reports it as the load failure in its result (trap, exit 1) "
                       "when a module's initial memory is above --max-memory-mib.",
    "host.memory-import": "Not a command's error: `run` reports it as the load failure in its result when a "
                          "module imports its memory (proxies give modules none).",
    "host.unknown-instruction": "Not a command's error: `run` reports it as the load failure in its result when a "
                                "function uses an instruction the host's metering does not know (exception "
                                "handling, GC); the engine would not run it either.",
    "host.unsupported-module": "Not a command's error: `run` reports it as the load failure in its result when a "
                               "module has a 64-bit memory or table, a table initialiser or a non-function type, "
                               "which proxies do not run.",
    "run.unknown-option": "C API and Python only: wd_run_options_set / wasmdeploy.run given an option name the "
                          "host does not know.",
    "run.empty-name": "C API and Python only: a request/response header or env variable with an empty name.",
    # The environment, not the input.
    "digest.init": "Environment: OpenSSL could not initialise SHA-256.",
    "io.write": "Environment: writing output failed (disk full, read-only file system, permissions).",
}

# Dotted string literals in the sources that are not codes (names, paths, versions).
NOT_CODES = {
    "abi-0.1.0", "abi-0.2.0", "abi-0.2.1",  # capability keys
    "envoy.filters.http.router", "envoy.filters.http.wasm", "envoy.filters.network.wasm", "envoy.router",
    "envoy.wasm.runtime.v8", "gateway.networking.k8s.io", "rbac.authorization.k8s.io",
    "org.opencontainers.image.ref.name", "org.opencontainers.image.title",
    "options.envoy.upstream", "options.naming", "options.platform", "options.resource",  # field paths
    "v1.3", "v1.3.2",  # version examples
    "networking.istio.io",  # API group
    "wasmdeploy.io", "wasme.io", "extensions.istio.io", "coordination.k8s.io",  # API groups (src/spec/crd.cpp)
    "index.json", "runtime-config.json",  # file names (oci.layout.json is a code)
    # proxy-wasm properties the host serves (src/host/lifecycle.cpp, abi_functions.cpp)
    "request.headers", "request.host", "request.id", "request.method", "request.path", "request.protocol",
    "request.scheme", "request.size", "response.code", "response.headers", "response.size", "source.address",
    "source.port", "destination.address", "destination.port", "node.id", "node.cluster", "wasmdeploy-run.default",
    "i32.const", "f32.const", "f64.const", "i64.const",  # instruction names in the metering rewriter's messages
}
FILE_NAME = re.compile(r"\.(yaml|yml|wasm|hpp|h|txt|crt|pem)$")
LITERAL = re.compile(r'"([a-z][a-zA-Z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+)"')
ENUM_CODE = re.compile(r'value_of\(\w+, \w+, "(\w+)"')
PREFIX = re.compile(r'kPrefix = "([a-z-]+)"')


def scan_codes():
    """Every code the library, CLI and C API can report: dotted literals, the enum readers'
    `<field>.unknown-value` and the platform renderers' `<platform>.unsupported-field`."""
    codes = collections.defaultdict(set)
    for d in ("src", "cli", "capi"):
        for p in sorted((ROOT / d).rglob("*")):
            # Fuzz drivers report nothing to users; their literals are inputs (versions, names).
            if p.suffix not in (".cpp", ".hpp", ".h") or "fuzz" in p.relative_to(ROOT).parts:
                continue
            text = p.read_text(encoding="utf-8")
            rel = str(p.relative_to(ROOT))
            for m in LITERAL.finditer(text):
                c = m.group(1)
                if c not in NOT_CODES and not FILE_NAME.search(c):
                    codes[c].add(rel)
            for m in ENUM_CODE.finditer(text):
                codes[m.group(1) + ".unknown-value"].add(rel)
            prefix = PREFIX.search(text)
            if prefix and "unsupported(s, kPrefix" in text:
                codes[prefix.group(1) + ".unsupported-field"].add(rel)
    if "prefix + \".unsupported-field\"" not in (ROOT / "src/render/platforms.cpp").read_text():
        sys.exit("gen_errors_doc.py: platforms.cpp no longer builds <platform>.unsupported-field; update scan_codes")
    return codes


CONTROLLER_CODE = re.compile(r'"((?:controller|tenancy)\.[a-z][a-z0-9-]*)"')


def scan_controller_codes():
    """The codes the controller reports (status.refusal.code, the Resolved condition)."""
    codes = collections.defaultdict(set)
    for p in sorted((ROOT / "controller").rglob("*.go")):
        if p.name.endswith("_test.go"):
            continue
        for m in CONTROLLER_CODE.finditer(p.read_text(encoding="utf-8")):
            codes[m.group(1)].add(str(p.relative_to(ROOT)))
    return codes


def controller_cases(problems):
    cases = {}
    text = (ROOT / "tests" / "controller" / "CMakeLists.txt").read_text(encoding="utf-8")
    # add_test(NAME x ...) or the file's wd_controller_cluster_test(x ...)
    tests = set(re.findall(r"(?:add_test\(NAME|wd_controller_cluster_test\()\s*([\w.]+)", text))
    for c in lib.load_cases(controller=True):
        if c["code"] in cases:
            problems.append(f"{c['key']}: a second case for {c['code']}")
        if "unreachable" in c:
            pass
        elif c["controller"] not in tests:
            problems.append(f"{c['key']}: no ctest named {c['controller']} in tests/controller/CMakeLists.txt")
        cases[c["code"]] = c
    codes = scan_controller_codes()
    for code in sorted(set(codes) - set(cases)):
        problems.append(f"controller code {code} ({', '.join(sorted(codes[code]))}) has no case in corpus/controller.yaml")
    for code in sorted(set(cases) - set(codes)):
        problems.append(f"corpus/controller.yaml documents {code}, which controller/ no longer uses")
    return cases


def kind_of(case, rc):
    if "kind" in case:
        return case["kind"]
    k, _ = lib.expected_code(case)
    if k != "code":
        return f"{k} (the command still succeeds, exit 0)"
    return "usage error, exit 2" if rc == 2 else f"error, exit {rc}"


def typed_kind(kind, cases):
    """A code refused both in a file (exit 1) and typed on the command line (exit 2) says both,
    naming the flags or arguments (README: Errors and exit codes)."""
    errors = [c for c in cases if lib.expected_code(c)[0] == "code"]
    exits = {c["expect"].get("exit", 1) for c in errors}
    if exits != {1, 2}:
        return kind
    typed = sorted({f"`{c['expect']['path']}`" for c in errors if c["expect"].get("exit") == 2 and c["expect"].get("path")})
    return ("error, exit 1 in a file; usage error, exit 2 when typed on the command line"
            + (f" ({', '.join(typed)})" if typed else ""))


def shown_input(case):
    out = []
    if "spec" in case:
        out.append(("spec.yaml", "yaml", case["spec"]))
    if "input" in case:
        out.append(("resources.yaml", "yaml", case["input"]))
    if "stdin" in case:
        out.append(("stdin", "yaml", case["stdin"]))
    for name, f in (case.get("files") or {}).items():
        if isinstance(f, str):
            out.append((name, "", f))
        elif "wat" in f:
            out.append((name + " (WAT, compiled with wat2wasm)", "wat", f["wat"] + (
                f"\n;; plus a {f['pad']}-byte custom section" if f.get("pad") else "")))
        elif "hex" in f:
            out.append((name + " (bytes)", "", f["hex"]))
        elif "sparse" in f:
            out.append((name, "", f"a file of {f['sparse']} zero bytes"))
        elif "dir" in f:
            out.append((name + "/", "", "a directory: " + ", ".join(sorted(f["dir"]))))
    return out


def clip(text, width=160, lines=25):
    rows = [r if len(r) <= width else r[:width] + " ..." for r in text.rstrip("\n").split("\n")]
    if len(rows) > lines:
        rows = rows[:lines] + [f"... ({len(rows) - lines} more lines)"]
    return "\n".join(rows)


def effect_note(block):
    """The recorded verdict of istiod's own config generation on the naive manifest (effect_verdicts.py)."""
    verdicts = block.get("verdicts", {})
    by = collections.defaultdict(list)
    for tag, v in sorted(verdicts.items(), key=lambda kv: [int(x) for x in kv[0].split(".")]):
        by[v].append(tag)
    said = "; ".join(f"{'in no filter chain' if v == 'absent' else 'in filter chains'} of `{block['probe']}` at Istio "
                     f"{', '.join(tags)}" for v, tags in by.items())
    control = " (the manifest wasmdeploy writes instead does put it there)" if block.get("control") else ""
    return (f"istiod's own config generation (the effect oracle, `ctest -R negative.effect`) puts the filter of the "
            f"manifest a tool without this check writes {said}{control}.")


def generate(cli):
    codes = scan_codes()
    cases = lib.load_cases()
    by_code = collections.OrderedDict()
    for c in cases:
        by_code.setdefault(lib.expected_code(c)[1], []).append(c)
    for code, cs in by_code.items():  # the example is the case marked primary, else the first
        cs.sort(key=lambda c: not c.get("primary", False))
    problems = []
    ctl_cases = controller_cases(problems)
    undocumented = sorted(set(codes) - set(by_code) - set(UNREACHABLE))
    if undocumented:
        problems.append("codes used in the sources with no corpus case (add one, or list them in UNREACHABLE "
                        "with a reason): " + ", ".join(undocumented))
    stale = sorted(c for c in UNREACHABLE if c in by_code)
    if stale:
        problems.append("codes listed as unreachable but produced by a corpus case: " + ", ".join(stale))
    orphans = sorted(c for c in set(by_code) | set(UNREACHABLE) if c not in codes)
    if orphans:
        problems.append("documented codes no source file uses any more: " + ", ".join(orphans))

    areas = collections.OrderedDict()
    for code in sorted(set(by_code) | set(UNREACHABLE) | set(ctl_cases), key=lambda c: (c.split(".")[0].lower(), c.lower())):
        areas.setdefault(code.split(".")[0], []).append(code)

    out = ["<!-- Generated by tests/negative/gen_errors_doc.py from tests/negative/corpus; do not edit. -->",
           "# Error and diagnostic codes", "",
           "Every refusal and every diagnostic wasmdeploy prints carries a stable dotted code. Errors go to",
           "stderr as `file:line:col: [code] field.path: message` (the position when the input is a spec",
           "file, the path when one field is at fault) and stop the command before anything is written:",
           "exit status 1 for invalid input, 2 for a usage error. A value typed on the command line (a",
           "flag's value or an argument such as MODULE) that is refused is a usage error, exit 2, naming",
           "the flag; the same value read from a file (a spec, --live) is invalid input, exit 1: such codes",
           "say both. Warnings and notes",
           "(`warning: [code] path: message`) do not stop the command. Scripts may match on the code; the",
           "message text may change. The C API returns the same code from `wd_error_last()->id`, Python",
           "as `WasmDeployError.code`.", "",
           "Each entry says what the code means, what to do, and shows a real input with the exact",
           "message: every example is a case of the negative corpus (`tests/negative/corpus/`), run",
           "through the CLI when this file is generated, and `ctest -R negative.errors_doc` fails when",
           "this file, the corpus and the codes in the sources disagree. Codes that no input can",
           "produce (C API misuse, internal errors, a failing environment) are listed as such.", "",
           "The controller (`controller/`) reports its own codes in the status of the object: `status.refusal.code`",
           "of a Refused object, or `[code]` in the message of a `Resolved=False` condition (registry and pull",
           "secret failures, retried); each names the cluster test (ctest) that produces it.", "",
           f"{len(by_code) + len(UNREACHABLE) + len(ctl_cases)} codes: {len(by_code)} shown by corpus cases, "
           f"{len(ctl_cases)} reported by the controller, {len(UNREACHABLE)} unreachable from input.", "", "## Index", "",
           "| code | kind | meaning |", "|---|---|---|"]
    body = []
    with tempfile.TemporaryDirectory(prefix="wd-errors-doc-") as tmp:
        for n, (area, area_codes) in enumerate(areas.items()):
            body += ["", f"## {area}", ""]
            for code in area_codes:
                anchor = re.sub(r"[^a-z0-9-]", "", code.lower().replace(".", "-"))
                if code in ctl_cases:
                    c = ctl_cases[code]
                    out.append(f"| [`{code}`](#{anchor}) | controller | {c['why']} |")
                    body += [f"### `{code}`", "", "**Kind:** controller status (not the CLI).  ", f"**Means:** {c['why']}  ",
                             f"**Do:** {c['fix']}", "",
                             f"**Not reachable from input.** {c['unreachable']}" if "unreachable" in c
                             else f"Produced on the test API server by ctest `{c['controller']}`.", ""]
                    continue
                if code in UNREACHABLE:
                    out.append(f"| [`{code}`](#{anchor}) | not reachable from input | {UNREACHABLE[code]} |")
                    body += [f"### `{code}`", "", f"**Not reachable from input.** {UNREACHABLE[code]}", ""]
                    continue
                first = by_code[code][0]
                work = pathlib.Path(tmp) / first["key"].replace("/", "_")
                work.mkdir()
                args, _, rc, stdout, stderr = lib.run_case(cli, first, work)
                line = lib.matching_line(first, stderr, stdout)
                if line is None:
                    problems.append(f"{first['key']}: the CLI did not report {code}")
                    line = "(not reported)"
                kind = typed_kind(kind_of(first, rc), by_code[code])
                short_kind = ("error, exit 1 (2 when typed)" if kind.startswith("error, exit 1 in a file")
                              else re.split(r" \(|:", kind)[0])
                out.append(f"| [`{code}`](#{anchor}) | {short_kind} | {first['why']} |")
                body += [f"### `{code}`", "", f"**Kind:** {kind}.  ", f"**Means:** {first['why']}  ",
                         f"**Do:** {first.get('fix', '')}", "",
                         f"Example: case `{first['key']}`"
                         + (f" (also: {', '.join('`' + c['key'] + '`' for c in by_code[code][1:])})"
                            if len(by_code[code]) > 1 else "") + ".", ""]
                for name, lang, text in shown_input(first):
                    body += [f"`{name}`:", "", f"```{lang}", clip(text), "```", ""]
                body += ["```console", "$ wasmdeploy " + " ".join(a if a and " " not in a else repr(a) for a in args),
                         clip(line), "```", ""]
                if "effect" in first:
                    body += [effect_note(first["effect"]), ""]
    return "\n".join(out + body).rstrip("\n") + "\n", problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", action="store_true")
    g.add_argument("--check", action="store_true")
    o = ap.parse_args()
    text, problems = generate(os.path.abspath(o.cli))
    if o.write:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    else:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), "docs/errors.md", "generated",
                                        lineterm="", n=1)
            problems.append("docs/errors.md is out of date; run tests/negative/gen_errors_doc.py --write:\n"
                            + "\n".join(list(diff)[:60]))
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
