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

// Bulk renders build one tree per target and filter and re-point it for each workload; every
// document must equal the one a spec listing only that workload renders from scratch.
TEST_CASE("documents re-pointed per workload equal ones rendered alone", "[render][stream]") {
  const std::vector<std::string> workloads = {
      "  - {name: a, labels: {app: a}}\n",
      "  - {name: b, kind: StatefulSet, labels: {app: b, version: v2, tier: web}}\n",
      "  - {name: c, labels: {app: c}, annotations: {sidecar.istio.io/userVolume: '{\"x\":{\"emptyDir\":{}}}'}}\n",
      "  - {name: d-long-workload-name-beyond-small-strings, labels: {app: d}}\n",
      "  - {name: e, labels: {app: e, z: last}}\n",
  };
  const std::string filters =
      "filters:\n- name: f\n  module: oci://webassemblyhub.io/a/f:v1\n  moduleSha256: " + std::string(wdtest::kSha2) +
      "\n- name: g\n  module: oci://ghcr.io/a/g:v1\n  sha256: " + std::string(wdtest::kSha) +
      "\n  moduleSha256: " + std::string(wdtest::kSha2) + "\n";
  for (const char* istio : {"1.8.1", "1.24"}) {
    INFO(istio);
    std::string all = filters + "targets:\n- namespace: ns\n  workloads:\n";
    for (const auto& w : workloads) all += w;
    const auto bulk = wdtest::render_text(all, istio);
    size_t compared = 0;
    for (const auto& w : workloads) {
      const auto alone = wdtest::render_text(filters + "targets:\n- namespace: ns\n  workloads:\n" + w, istio);
      for (const auto& d : alone.documents) {
        if (d.what == document::role::file || d.ns != "ns") continue;
        bool found = false;
        for (const auto& b : bulk.documents) {
          if (b.kind != d.kind || b.name != d.name) continue;
          found = true;
          INFO(d.kind << "/" << d.name);
          CHECK(b.file_name == d.file_name);
          CHECK(b.api_version == d.api_version);
          CHECK(to_yaml(b.body) == to_yaml(d.body));
          ++compared;
        }
        CHECK(found);
      }
    }
    CHECK(compared >= workloads.size() * 2);
  }
}

namespace {
struct counting_sink : document_sink {
  size_t n = 0;
  void on_document(const document&) override { ++n; }
};
}  // namespace

TEST_CASE("a bad workload late in a bulk render is refused before the first document", "[render][stream]") {
  std::string y = "istio: '1.8.1'\nfilters:\n- name: f\n  module: oci://webassemblyhub.io/a/f:v1\n  moduleSha256: " +
                  std::string(wdtest::kSha2) + "\ntargets:\n- namespace: ns\n  workloads:\n";
  for (int i = 0; i < 300; ++i) y += "  - {name: w" + std::to_string(i) + ", labels: {app: w}}\n";
  // The last workload already has a different volume named like the wasme cache's.
  y += "  - {name: last, labels: {app: l}, annotations: {sidecar.istio.io/userVolume: "
       "'{\"cache-dir\":{\"emptyDir\":{}}}'}}\n";
  const spec s = parse_spec(y, "test.yaml");
  counting_sink sink;
  const error e = wdtest::error_of([&] { render(s, render_options{}, sink); });
  CHECK(e.code() == "volume.conflict");
  CHECK(e.path() == "targets[0].workloads[300].annotations");
  CHECK(sink.n == 0);
}
