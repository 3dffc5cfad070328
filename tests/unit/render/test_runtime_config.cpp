// runtime-config.json file artifacts.
#include <catch2/catch.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;

TEST_CASE("runtime-config.json per filter, as a file document", "[render][runtime-config]") {
  const auto r = wdtest::render_text("istio: '1.24'\nfilters:\n- name: f\n  module: oci://ghcr.io/a/f:v1\n  rootId: r\n"
                                     "targets:\n- namespace: ns\n  selector: {app: a}\n");
  const document d = wdtest::one(r, "RuntimeConfig");
  CHECK(d.what == document::role::file);
  CHECK(d.file_name == "runtime-config-f.json");
  CHECK(d.body == node(R"({"type":"envoy_proxy","abiVersions":[],"config":{"rootIds":["r"]}})"));
  // File artifacts are not part of the manifest stream.
  CHECK(to_text(r.documents, output_format::yaml).find("envoy_proxy") == std::string::npos);
  CHECK(r.documents.back().kind == "RuntimeConfig");
}
