#!/usr/bin/env python3
"""Backs every `no-effect` corpus case with istiod's own verdict: the naive manifest of each case
that records an `effect:` block (what a tool without wasmdeploy's check would have written for
the same intent) is given to the effect oracle (tests/conformance/effect, one binary per Istio
pin), and where the filter lands on the probed proxy must still be what the corpus records.

  effect_verdicts.py --check      fail when a recorded verdict no longer holds
  effect_verdicts.py --show       print the current verdicts (to update the corpus)

The block (see corpus_lib.py):

  effect:
    manifest: TEXT              # Istio resources, as YAML
    filter: NAME                # the listener filter name to look for (${wasmplugin}: the
                                # release's WasmPlugin prefix, extenstions.istio.io/wasmplugin/
                                # up to 1.25, extensions.istio.io/wasmplugin/ from 1.26)
    level: http | network       # default http
    proxies: [{name, type: sidecar|router|waypoint, namespace, labels}]   # default: the oracle's world
    ambient: true               # add the ambient world (oracle.ambient_kubernetes: a waypoint in
                                # namespace ambient serving Services reviews and apps/ratings)
    probe: NAME                 # the proxy the verdict is about
    verdicts: {"1.29.1": absent | present}
    control: [[OLD, NEW], ...]  # the manifest with these replacements (the fix) must be present
                                # at every pin: proves the probe could see the filter at all

`absent`: the filter is in no filter chain of the probe; `present`: it is in at least one;
`unserved`: it is, but istiod does not serve its extension config (the proxy waits for it). One
oracle process per pin answers every case. Without any oracle built: SKIPPED, exit 77.
"""
import argparse
import pathlib
import sys

import yaml

import corpus_lib as lib

sys.path.insert(0, str(lib.HERE.parent / "conformance" / "effect"))
import oracle  # noqa: E402


def verdict(answer, block, tag):
    if answer.get("error"):
        return "error: " + answer["error"].splitlines()[0][:200]
    # ${wasmplugin}: the WasmPlugin name prefix of this release (a version-dependent fact).
    name = block["filter"]
    if name.startswith("${wasmplugin}"):  # from 1.30 also a suffix (the translated TrafficExtension)
        name = oracle.wasmplugin_prefix(tag) + name[len("${wasmplugin}"):] + oracle.wasmplugin_suffix(tag)
    land = oracle.landing(answer, name, block.get("level", "http"))
    if not land.get(block["probe"]):
        return f"error: istiod built no filter chain for the probe {block['probe']}"
    got = land[block["probe"]]
    where = sorted(d for d, (chains, _eligible) in got.items() if chains)
    if not where:
        return "absent"
    # In a chain but never served over ECDS: the proxy waits for it (istio #60530 on a waypoint).
    probe = next(p for p in answer["proxies"] if p["name"] == block["probe"])
    discovered = {n for c in probe["chains"] for n in (c.get("discovery") or [])}
    return "unserved" if name in discovered and name not in probe["served"] else "present"


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--check", action="store_true")
    g.add_argument("--show", action="store_true")
    o = ap.parse_args()
    cases = [c for c in lib.load_cases() if "effect" in c]
    bins = oracle.binaries()
    built = {t: b for t, b in bins.items() if b}
    for t, b in bins.items():
        if b is None:
            print(f"SKIPPED: effect-{t} unavailable (not built; run tests/conformance/setup-tools.sh --only effect)")
    if not built:
        return 77
    failures = checked = 0
    for tag, binary in built.items():
        batches = {False: [], True: []}  # ambient cases (block `ambient: true`) run in their own process
        for c in cases:
            block = c["effect"]
            ambient = bool(block.get("ambient"))
            docs = [d for d in yaml.safe_load_all(lib.expand(block["manifest"])) if d]
            world = block.get("proxies") or ([] if ambient else oracle.WORLD)
            for i, p in enumerate(world):
                p.setdefault("ip", f"10.4.0.{i + 1}")
                p.setdefault("type", "sidecar")
            batches[ambient].append(oracle.make_case(c["key"], docs, tag, world, ambient=ambient))
            if block.get("control"):
                text = lib.expand(block["manifest"])
                for old, new in block["control"]:
                    if old not in text:
                        raise SystemExit(f"{c['key']}: control replaces {old!r}, which the manifest does not contain")
                    text = text.replace(old, new)
                batches[ambient].append(oracle.make_case(c["key"] + "#control", [d for d in yaml.safe_load_all(text) if d],
                                                         tag, world, ambient=ambient))
        answers = {}
        for ambient, batch in batches.items():
            if batch:
                answers.update(oracle.ask(binary, batch, ambient=ambient))
        for c in cases:
            now = verdict(answers[c["key"]], c["effect"], tag)
            recorded = c["effect"].get("verdicts", {})
            if o.show:
                print(f"{c['key']}: \"{tag}\": {now}   (wasmdeploy: {lib.expected_code(c)[1]})")
                continue
            if c["effect"].get("control"):
                control = verdict(answers[c["key"] + "#control"], c["effect"], tag)
                checked += 1
                if control != "present":
                    failures += 1
                    print(f"FAIL {c['key']}: the fixed manifest (control) is {control!r} at effect-{tag}, "
                          f"so the probe cannot tell")
            if tag not in recorded:
                failures += 1
                print(f"FAIL {c['key']}: no verdict recorded for effect-{tag}; istiod says: {now}")
                continue
            checked += 1
            if recorded[tag] != now:
                failures += 1
                print(f"FAIL {c['key']}: effect-{tag} recorded as {recorded[tag]!r}, istiod now says {now!r}")
    if o.check:
        print(f"negative.effect: {checked} verdicts checked, {failures} failed "
              f"(Istio {', '.join(built)}, {len(cases)} cases)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
