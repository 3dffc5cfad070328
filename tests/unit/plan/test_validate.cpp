// Every version-independent rejection in src/plan/validate.cpp: code, path and position.
#include <catch2/catch.hpp>

#include "unit/helpers.hpp"
#include "plan/validate.hpp"

#include <optional>
#include <vector>

using namespace wasmdeploy;
using wdtest::contains;

namespace {

const std::string kF = "- name: f\n  module: oci://ghcr.io/acme/f:v1\n";
const std::string kT = "- namespace: ns\n  selector: {app: a}\n";

// Line 1 is istio, line 2 "filters:", line 3 the first filter's name.
std::string spec_of(const std::string& filters, const std::string& targets = kT) {
  return "istio: '1.24'\nfilters:\n" + filters + "targets:\n" + targets;
}

struct rejection {
  const char* what;
  std::string filters;
  std::string targets;
  const char* code;
  const char* path;
  int line;            // 0: not checked
  const char* phrase;  // in the message
  errc category = errc::invalid;
};

std::string rep(char c, size_t n) { return std::string(n, c); }

}  // namespace

TEST_CASE("validate_spec rejections", "[plan][validate][errors]") {
  // kT starts at line 5 after kF (lines 3-4) and "targets:" (line 5): first target on line 6.
  const std::vector<rejection> cases = {
      {"filter name not a subdomain", "- name: My_Filter\n  module: oci://ghcr.io/a/f:v1\n", kT, "name.invalid",
       "filters[0].name", 3, "DNS-1123 subdomain"},
      {"filter name too long", "- name: " + rep('a', 254) + "\n  module: oci://ghcr.io/a/f:v1\n", kT, "name.too-long",
       "filters[0].name", 3, "Kubernetes allows 253"},
      {"filter name 253 is fine but duplicate", kF + kF, kT, "filter.duplicate", "filters[1].name", 5, "defined twice"},
      {"no module", "- name: f\n", kT, "module.missing", "filters[0].module", 3, "a module is required"},
      {"short sha256", kF + "  sha256: abc\n", kT, "sha256.length", "filters[0].sha256", 5, "got 3"},
      {"sha256 not hex", kF + "  sha256: " + rep('g', 64) + "\n", kT, "sha256.format", "filters[0].sha256", 5,
       "64 hex characters"},
      {"short moduleSha256", kF + "  moduleSha256: " + rep('a', 63) + "\n", kT, "sha256.length",
       "filters[0].moduleSha256", 5, "64 hex"},
      {"sha256 differs from @sha256 digest",
       "- name: f\n  module: oci://ghcr.io/a/f@sha256:" + wdtest::kSha + "\n  sha256: " + wdtest::kSha2 + "\n", kT,
       "sha256.mismatch", "filters[0].sha256", 5, "image manifest digest"},
      {"root id too long", kF + "  rootId: " + rep('r', 257) + "\n", kT, "filter.root-id-too-long", "filters[0].rootId",
       5, "256"},
      {"pull secret too long", kF + "  imagePullSecret: " + rep('s', 254) + "\n", kT, "filter.pull-secret-too-long",
       "filters[0].imagePullSecret", 5, "253"},
      {"pull secret not a name", kF + "  imagePullSecret: Reg_Cred\n", kT, "name.invalid", "filters[0].imagePullSecret",
       5, "imagePullSecret 'Reg_Cred'"},
      {"unknown runtime", kF + "  runtime: lucet\n", kT, "filter.runtime", "filters[0].runtime", 5, "'lucet'"},
      {"config is a number", kF + "  config: 5\n", kT, "filter.config-type", "filters[0].config", 5,
       "string or a mapping"},
      {"config is a list", kF + "  config: [a]\n", kT, "filter.config-type", "filters[0].config", 5,
       "string or a mapping"},
      {"env without name", kF + "  env:\n  - {value: x}\n", kT, "env.empty-name", "filters[0].env[0].name", 6, "name"},
      {"env name too long", kF + "  env:\n  - {name: " + rep('E', 257) + "}\n", kT, "env.name-too-long",
       "filters[0].env[0].name", 6, "256"},
      {"duplicate env", kF + "  env:\n  - {name: A}\n  - {name: A}\n", kT, "env.duplicate", "filters[0].env[1].name", 7,
       "'A'"},
      {"HOST env with a value", kF + "  env:\n  - {name: A, value: x, valueFrom: HOST}\n", kT, "env.host-with-value",
       "filters[0].env[0].value", 6, "only be set when valueFrom is INLINE"},
      {"env value too long", kF + "  env:\n  - {name: A, value: " + rep('v', 2049) + "}\n", kT, "env.value-too-long",
       "filters[0].env[0].value", 6, "2048"},
      {"namespace not a label", kF, "- namespace: Book_Info\n  selector: {app: a}\n", "name.invalid",
       "targets[0].namespace", 6, "DNS-1123 label"},
      {"namespace too long for a label", kF, "- namespace: " + rep('n', 64) + "\n  selector: {app: a}\n",
       "name.invalid", "targets[0].namespace", 6, "63"},
      {"target name", kF, "- name: Bad Name\n  namespace: ns\n  selector: {app: a}\n", "name.invalid", "targets[0].name",
       6, "target name"},
      {"wildcard label value", kF, "- namespace: ns\n  selector: {app: '*'}\n", "label.wildcard",
       "targets[0].selector.app", 7, "'*'"},
      {"wildcard label key", kF, "- namespace: ns\n  selector: {'app*': x}\n", "label.wildcard",
       "targets[0].selector.app*", 7, "'*'"},
      {"label key prefix", kF, "- namespace: ns\n  selector: {'Bad_Prefix/app': x}\n", "label.invalid-key",
       "targets[0].selector.Bad_Prefix/app", 7, "prefix"},
      {"label key shape", kF, "- namespace: ns\n  selector: {'-app': x}\n", "label.invalid-key",
       "targets[0].selector.-app", 7, "label key '-app'"},
      {"label value shape", kF, "- namespace: ns\n  selector: {app: -bad}\n", "label.invalid-value",
       "targets[0].selector.app", 7, "label value '-bad'"},
      {"label value too long", kF, "- namespace: ns\n  selector: {app: " + rep('v', 64) + "}\n", "label.invalid-value",
       "targets[0].selector.app", 7, "63"},
      {"workload name", kF, "- namespace: ns\n  workloads:\n  - {name: Details_V1, labels: {app: d}}\n",
       "name.invalid", "targets[0].workloads[0].name", 8, "workload name"},
      {"duplicate workload", kF,
       "- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n  - {name: d, labels: {app: d}}\n",
       "workload.duplicate", "targets[0].workloads[1].name", 9, "listed twice"},
      {"workload without labels", kF, "- namespace: ns\n  workloads:\n  - {name: d}\n", "workload.no-labels",
       "targets[0].workloads[0].labels", 8, "selector"},
      {"workload label wildcard", kF, "- namespace: ns\n  workloads:\n  - {name: d, labels: {app: '*'}}\n",
       "label.wildcard", "targets[0].workloads[0].labels.app", 8, "'*'"},
      {"no selector at all", kF, "- namespace: ns\n", "target.no-selector", "targets[0]", 6,
       "would match every workload"},
      {"selector with targetRefs", kF,
       "- namespace: ns\n  selector: {app: a}\n  targetRefs:\n  - {kind: Service, name: s}\n",
       "target.selector-and-refs", "targets[0].targetRefs", 8, "only one of targetRefs or a selector"},
      {"workloads with targetRefs", kF,
       "- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n  targetRefs:\n  - {kind: Service, name: s}\n",
       "target.selector-and-refs", "targets[0].targetRefs", 9, "only one of"},
      {"17 targetRefs", kF, "- namespace: ns\n  targetRefs:\n  - {kind: Service, name: s0}\n  - {kind: Service, name: s1}\n  - {kind: Service, name: s2}\n  - {kind: Service, name: s3}\n  - {kind: Service, name: s4}\n  - {kind: Service, name: s5}\n  - {kind: Service, name: s6}\n  - {kind: Service, name: s7}\n  - {kind: Service, name: s8}\n  - {kind: Service, name: s9}\n  - {kind: Service, name: s10}\n  - {kind: Service, name: s11}\n  - {kind: Service, name: s12}\n  - {kind: Service, name: s13}\n  - {kind: Service, name: s14}\n  - {kind: Service, name: s15}\n  - {kind: Service, name: s16}\n", "target.too-many-refs",
       "targets[0].targetRefs", 7, "at most 16"},
      {"ref without kind", kF, "- namespace: ns\n  targetRefs:\n  - {name: s}\n", "target-ref.no-kind",
       "targets[0].targetRefs[0].kind", 8, "kind"},
      {"ref without name", kF, "- namespace: ns\n  targetRefs:\n  - {kind: Service}\n", "target-ref.no-name",
       "targets[0].targetRefs[0].name", 8, "name"},
      {"port 0", kF, "- namespace: ns\n  selector: {app: a}\n  match:\n  - ports: [80, 0]\n", "match.port-range",
       "targets[0].match[0].ports[1]", 9, "port 0 is outside 1-65535"},
      {"port 65536", kF, "- namespace: ns\n  selector: {app: a}\n  match:\n  - ports: [65536]\n", "match.port-range",
       "targets[0].match[0].ports[0]", 9, "65536"},
      {"unknown filter", kF, "- namespace: ns\n  selector: {app: a}\n  filters: [f, nope]\n", "target.unknown-filter",
       "targets[0].filters[1]", 8, "no filter named 'nope'", errc::not_found},
      {"revision", kF, "- namespace: ns\n  selector: {app: a}\n  revision: canary.1\n", "name.invalid",
       "targets[0].revision", 8, "revision"},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      const error e = wdtest::render_error(spec_of(c.filters, c.targets));
      INFO(format_error(e));
      CHECK(e.code() == c.code);
      CHECK(e.path() == c.path);
      CHECK(e.category() == c.category);
      CHECK(contains(e.message(), c.phrase));
      if (c.line) {
        CHECK(e.position().file == "test.yaml");
        CHECK(e.position().line == c.line);
      }
    }
  }
}

TEST_CASE("digests as tools print them are normalised, with a note", "[plan][validate]") {
  const std::string upper = "sha256:" + rep('A', 64);
  const spec s = parse_spec(spec_of(kF + "  sha256: " + upper + "\n"));
  // validate_spec alone says why; render() writes the lowercase value.
  const error e = wdtest::error_of([&] { detail::validate_spec(s); });
  CHECK(e.code() == "sha256.format");
  CHECK(contains(e.message(), "uppercase hex or a sha256: prefix"));
  std::optional<spec> storage;
  std::vector<diagnostic> notes;
  const spec& n = detail::normalize_digests(s, storage, notes);
  CHECK(n.filters[0].sha256 == rep('a', 64));
  CHECK(s.filters[0].sha256 == upper);  // the input is left alone
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].code == "sha256.normalized");
  CHECK(notes[0].position.line == 5);
  CHECK(&detail::normalize_digests(n, storage, notes) == &n);  // nothing left to change
}

TEST_CASE("a filter name of exactly 253 characters is accepted by the name check", "[plan][validate]") {
  spec s = parse_spec(spec_of("- name: " + rep('a', 253) + "\n  module: oci://ghcr.io/a/f:v1\n"));
  CHECK_NOTHROW(detail::validate_spec(s));
  spec t = parse_spec(spec_of(kF, "- namespace: " + rep('n', 63) + "\n  selector: {app: a}\n"));
  CHECK_NOTHROW(detail::validate_spec(t));
}

TEST_CASE("a spec without filters or targets", "[plan][validate][errors]") {
  const error nf = wdtest::render_error("istio: '1.24'\ntargets:\n" + kT);
  CHECK(nf.code() == "spec.no-filters");
  CHECK(nf.path() == "filters");
  const error nt = wdtest::render_error("istio: '1.24'\nfilters:\n" + kF);
  CHECK(nt.code() == "spec.no-targets");
  CHECK(nt.path() == "targets");
}

TEST_CASE("specs built in code get errors without positions", "[plan][validate][errors]") {
  spec s;
  filter f;
  f.name = "F";
  f.path = "filters[0]";
  f.module = parse_module_source("oci://ghcr.io/a/f:v1", "filters[0].module");
  s.filters.push_back(f);
  target t;
  t.path = "targets[0]";
  t.selector = {{"app", "a"}};
  s.targets.push_back(t);
  const error e = wdtest::error_of([&] { detail::validate_spec(s); });
  CHECK(e.code() == "name.invalid");
  CHECK(e.path() == "filters[0].name");
  CHECK_FALSE(e.position().known());
}
