// source_positions: compact positions of a parsed spec, found by field path.
#include <catch2/catch.hpp>

#include <wasmdeploy/spec.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::error_of;

namespace {

const char* kSpec =
    "istio: '1.24'\n"
    "filters:\n"
    "- name: f\n"
    "  module: oci://ghcr.io/acme/f:v1\n"
    "targets:\n"
    "- namespace: ns\n"
    "  workloads:\n"
    "  - name: a\n"
    "    labels: {app.kubernetes.io/name: a, app: b}\n"
    "  - name: b\n"
    "    labels:\n"
    "      tier: web\n";

}  // namespace

TEST_CASE("positions are found by path, falling back to the nearest recorded parent", "[spec][positions]") {
  const spec s = parse_spec(kSpec, "p.yaml");
  const auto at = [&](const char* path) {
    const source_position p = s.position_of(path);
    return std::pair{p.line, p.column};
  };
  CHECK(at("istio") == std::pair{1, 1});
  CHECK(at("filters") == std::pair{2, 1});
  CHECK(at("filters[0]") == std::pair{3, 3});
  CHECK(at("filters[0].module") == std::pair{4, 3});
  CHECK(at("targets[0].workloads[1].name") == std::pair{10, 5});
  CHECK(at("targets[0].workloads[1].labels.tier") == std::pair{12, 7});
  // Map keys may hold dots: the longest match wins.
  CHECK(at("targets[0].workloads[0].labels.app.kubernetes.io/name") == std::pair{9, 14});
  CHECK(at("targets[0].workloads[0].labels.app") == std::pair{9, 41});
  // Unrecorded children fall back; indexes and names must match whole components.
  CHECK(at("targets[0].workloads[1].labels.missing") == std::pair{11, 5});
  CHECK(at("targets[0].workloads[7]") == std::pair{7, 3});
  CHECK(at("filters[0].mod") == std::pair{3, 3});
  CHECK(at("istioo") == std::pair{0, 0});
  CHECK(s.position_of("istio").file == "p.yaml");
  CHECK(s.positions.contains("targets[0].namespace"));
  CHECK_FALSE(s.positions.contains("targets[0].name"));
  CHECK_FALSE(s.positions.contains("targets[0].workloads[0].labels.app.kubernetes"));
}

TEST_CASE("positions added by path combine with the recorded ones", "[spec][positions]") {
  spec s = parse_spec(kSpec, "p.yaml");
  s.positions.emplace("filters[1]", {"q.yaml", 5, 1});
  s.positions.emplace("filters[1].name", {"q.yaml", 6, 3});
  CHECK(s.position_of("filters[1].name").file == "q.yaml");
  CHECK(s.position_of("filters[1].module").line == 5);
  CHECK(s.position_of("filters[0].module").file == "p.yaml");
  CHECK(s.positions.count("filters[1].name") == 1);
  CHECK(s.positions.count("filters[1].module") == 0);
  spec code;
  CHECK(code.positions.empty());
  CHECK_FALSE(code.position_of("filters[0]").known());
}

TEST_CASE("parse_spec_documents: one spec per document, each with its own positions", "[spec][documents]") {
  const std::string a = "filters: [{name: a}]\n";
  const auto docs = parse_spec_documents("---\n" + a + "---\n---\nfilters:\n- name: b\n...\nfilters: [{name: c}]\n",
                                         "d.yaml", "/base");
  REQUIRE(docs.size() == 3);
  CHECK(docs[0].filters[0].name == "a");
  CHECK(docs[1].filters[0].name == "b");
  CHECK(docs[2].filters[0].name == "c");
  CHECK(docs[1].position_of("filters[0].name").line == 6);
  CHECK(docs[2].position_of("filters[0]").line == 8);
  CHECK(docs[0].base_dir == "/base");
  CHECK(docs[2].file == "d.yaml");
  // A refusal in one document is reported with that document's position, after the whole
  // stream has been checked for syntax.
  const error e = error_of([&] { parse_spec_documents(a + "---\nfilters: [{nam: b}]\n", "d.yaml"); });
  CHECK(e.code() == "spec.unknown-field");
  CHECK(e.path() == "filters[0].nam");
  CHECK(e.position().line == 3);
  CHECK(error_of([&] { parse_spec_documents(a + "---\nfilters: [{nam: b}]\n---\n[\n", "d.yaml"); }).code() ==
        "spec.syntax");
  CHECK(error_of([] { parse_spec_documents("# nothing\n", "d.yaml"); }).code() == "spec.empty");
}

TEST_CASE("a syntax error anywhere wins over an earlier schema error", "[spec][errors]") {
  const error e = error_of([] { parse_spec("filters:\n- nam: f\n- name: [\n", "s.yaml"); });
  CHECK(e.code() == "spec.syntax");
  // A bad enum value is reported only when the schema has nothing to say, in the model's order.
  const error order = error_of([] {
    parse_spec("targets:\n- context: sideways\nfilters:\n- phase: X\n  type: Y\n", "s.yaml");
  });
  CHECK(order.code() == "type.unknown-value");
  CHECK(order.position().line == 5);
  const error schema = error_of([] { parse_spec("filters:\n- phase: X\n- bogus: 1\n", "s.yaml"); });
  CHECK(schema.code() == "spec.unknown-field");
}

TEST_CASE("a byte that is not UTF-8 outside any value is refused too", "[spec][errors][utf8]") {
  const error e = error_of([] { parse_spec("# caf\xe9\nistio: '1.24'\nfilters: [{name: f}]\n", "s.yaml"); });
  CHECK(e.code() == "spec.invalid-utf8");
  CHECK(e.position().line == 1);
  CHECK(e.position().column == 6);
}
