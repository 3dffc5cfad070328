// The render pipeline: document order, summary, determinism.
#include <catch2/catch.hpp>

#include <fstream>

#include "unit/helpers.hpp"

using namespace wasmdeploy;

TEST_CASE("documents come in a stable order", "[render]") {
  wdtest::temp_dir tmp("render-order");
  std::ofstream(tmp.str() + "/f.wasm", std::ios::binary) << wdtest::proxy_module();
  const std::string y = "istio: '1.24'\nfilters:\n- name: f\n  module: ./f.wasm\n- name: g\n  module: oci://ghcr.io/a/g:v1\n"
                        "targets:\n- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n  - {name: e, labels: {app: e}}\n";
  const auto r = wdtest::render_text(y, "", tmp.str());
  std::vector<std::string> order;
  for (const auto& d : r.documents) order.push_back(d.kind + "/" + d.name);
  CHECK(order == std::vector<std::string>{"ConfigMap/wasm-f", "WasmPlugin/d-f", "WasmPlugin/e-f", "WasmPlugin/d-g",
                                          "WasmPlugin/e-g", "Deployment/d", "Deployment/e", "RuntimeConfig/f",
                                          "RuntimeConfig/g"});
  CHECK(r.summary.documents == r.documents.size());
  CHECK(r.summary.version.str() == "1.24");
  // Twice the same bytes.
  CHECK(to_text(r.documents, output_format::yaml) ==
        to_text(wdtest::render_text(y, "", tmp.str()).documents, output_format::yaml));
}
