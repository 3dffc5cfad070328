// Several spec documents, files or directories rendered as one (spec_merge.cpp), and the
// multi-document reader they use (parse_spec_documents).
#include <catch2/catch.hpp>

#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/spec.hpp>
#include <wasmdeploy/spec_merge.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::contains;
using wdtest::error_of;

namespace {

const std::string kA =
    "istio: '1.24'\n"
    "filters: [{name: a, module: ./a.wasm}]\n"
    "targets: [{namespace: ns, selector: {app: a}}]\n";
const std::string kB =
    "filters:\n"
    "- name: b\n"
    "  module: oci://ghcr.io/acme/b:v1\n"
    "targets: [{namespace: ns, workloads: [{name: w, labels: {app: w}}]}]\n";

}  // namespace

TEST_CASE("parse_spec_documents keeps whole-file positions", "[spec][documents]") {
  const auto docs = parse_spec_documents(kA + "---\n" + kB + "---\n", "s.yaml");
  REQUIRE(docs.size() == 2);  // the empty third document is skipped
  CHECK(docs[0].filters[0].name == "a");
  CHECK(docs[1].filters[0].name == "b");
  CHECK(docs[1].position_of("filters[0].name").line == 6);
  CHECK(docs[1].position_of("filters[0].name").column == 3);
  CHECK(parse_spec_documents(kA, "s.yaml").size() == 1);
  const error bad = error_of([&] { parse_spec_documents(kA + "---\n" + "filters: [{name: b, modul: x}]\n", "s.yaml"); });
  CHECK(bad.code() == "spec.unknown-field");
  CHECK(bad.position().line == 5);
  CHECK(error_of([] { parse_spec_documents("---\n---\n", "s.yaml"); }).code() == "spec.empty");
  CHECK(error_of([] { parse_spec_documents("{a: b}, c", "s.yaml"); }).code() == "spec.syntax");
}

TEST_CASE("merge_specs renumbers paths and keeps each part's positions", "[spec][merge]") {
  std::vector<spec> parts;
  parts.push_back(parse_spec(kA, "one/a.yaml", "one"));
  parts.push_back(parse_spec(kB, "two/b.yaml", "two"));
  const spec s = merge_specs(std::move(parts));
  REQUIRE(s.filters.size() == 2);
  REQUIRE(s.targets.size() == 2);
  CHECK(s.istio == "1.24");
  CHECK(s.filters[1].path == "filters[1]");
  CHECK(s.targets[1].path == "targets[1]");
  const source_position p = s.position_of("filters[1].module");
  CHECK(p.file == "two/b.yaml");
  CHECK(p.line == 3);
  CHECK(s.position_of("targets[1].workloads[0].name").file == "two/b.yaml");
  // Relative paths keep resolving against their own file's directory.
  CHECK(s.base_dir == ".");
  CHECK(s.filters[0].module.url == "one/./a.wasm");
}

TEST_CASE("merge_specs refuses conflicts naming both places", "[spec][merge][errors]") {
  std::vector<spec> versions;
  versions.push_back(parse_spec(kA, "a.yaml"));
  versions.push_back(parse_spec("istio: '1.22'\n" + kB, "b.yaml"));
  const error v = error_of([&] { merge_specs(std::move(versions)); });
  CHECK(v.code() == "spec.merge-conflict");
  CHECK(v.position().file == "b.yaml");
  CHECK(contains(v.message(), "a.yaml:1:1"));

  std::vector<spec> twice;
  twice.push_back(parse_spec(kA, "a.yaml"));
  twice.push_back(parse_spec(kA, "c.yaml"));
  const error d = error_of([&] { merge_specs(std::move(twice)); });
  CHECK(d.code() == "spec.merge-duplicate-filter");
  CHECK(d.path() == "filters[1].name");
  CHECK(d.position().file == "c.yaml");
  CHECK(contains(d.message(), "a.yaml:2:"));
}

TEST_CASE("normalized_sha256 takes digests as tools print them", "[digest]") {
  const std::string hex(64, 'a');
  CHECK(normalized_sha256(hex) == hex);
  CHECK(normalized_sha256("sha256:" + hex) == hex);
  CHECK(normalized_sha256("sha256:" + std::string(64, 'A')) == hex);
  CHECK(normalized_sha256(std::string(64, 'g')).empty());
  CHECK(normalized_sha256("sha512:" + hex).empty());
  CHECK(normalized_sha256(hex.substr(1)).empty());
}
