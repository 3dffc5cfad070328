// ConfigMap holding a module: binaryData is the base64 of the exact bytes, one per namespace.
#include <catch2/catch.hpp>

#include <fstream>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::at;

TEST_CASE("ConfigMap carries the module bytes as base64", "[render][configmap]") {
  wdtest::temp_dir tmp("render-configmap");
  const std::string bytes = wdtest::proxy_module();
  std::ofstream(tmp.str() + "/f.wasm", std::ios::binary) << bytes;
  const std::string y = "istio: '1.24'\nfilters:\n- name: my.filter\n  module: ./f.wasm\n"
                        "targets:\n- namespace: a\n  workloads: [{name: x, labels: {app: x}}]\n"
                        "- namespace: b\n  workloads: [{name: x, labels: {app: x}}]\n"
                        "- name: again\n  namespace: a\n  workloads: [{name: y, labels: {app: y}}]\n";
  const auto r = wdtest::render_text(y, "", tmp.str());
  const auto cms = wdtest::of_kind(r, "ConfigMap");
  REQUIRE(cms.size() == 2);  // one per namespace, not per target
  CHECK(cms[0].ns == "a");
  CHECK(cms[1].ns == "b");
  const document& d = cms[0];
  CHECK(d.name == "wasm-my-filter");  // dots are not allowed in volume names
  CHECK(d.api_version == "v1");
  CHECK(d.file_name == "configmap-a-wasm-my-filter.yaml");
  CHECK(wdtest::keys_of(d.body) == std::vector<std::string>{"apiVersion", "kind", "metadata", "binaryData"});
  // "\0asm\1\0\0\0" is "AGFzbQEAAAA" in base64; the length covers every byte.
  const std::string b64 = at(d.body, {"binaryData", "plugin.wasm"})->as_string();
  CHECK(b64.rfind("AGFzbQEAAAA", 0) == 0);
  CHECK(b64.size() == 4 * ((bytes.size() + 2) / 3));
  CHECK(*at(d.body, {"metadata", "labels", "wasmdeploy.io/filter"}) == node("my.filter"));
}

TEST_CASE("base64 padding of the module bytes", "[render][configmap]") {
  wdtest::temp_dir tmp("render-configmap-pad");
  // Module sizes 3k+1, 3k+2 and 3k end in "==", "=" and no padding.
  const size_t base = wdtest::proxy_module().size() + 40;
  const size_t k = base - base % 3;
  for (auto [size, tail] : {std::pair<size_t, std::string>{k + 1, "=="}, {k + 2, "="}, {k + 3, ""}}) {
    const std::string bytes = wdtest::proxy_module(size, 'q');
    REQUIRE(bytes.size() == size);
    std::ofstream(tmp.str() + "/f.wasm", std::ios::binary | std::ios::trunc) << bytes;
    const auto r = wdtest::render_text("istio: '1.24'\nfilters:\n- name: f\n  module: ./f.wasm\n"
                                       "targets:\n- namespace: a\n  workloads: [{name: x, labels: {app: x}}]\n",
                                       "", tmp.str());
    const std::string b64 = at(wdtest::one(r, "ConfigMap").body, {"binaryData", "plugin.wasm"})->as_string();
    CHECK(b64.size() == 4 * ((size + 2) / 3));
    CHECK(b64.substr(b64.size() - 2).find_first_of('=') == (tail.empty() ? std::string::npos : 2 - tail.size()));
  }
}

TEST_CASE("two filters whose ConfigMap names coincide are refused", "[render][configmap][errors]") {
  // "a.b" and "a-b" both become wasm-a-b: one ConfigMap would silently replace the other.
  wdtest::temp_dir tmp("render-configmap-collision");
  std::ofstream(tmp.str() + "/1.wasm", std::ios::binary) << wdtest::proxy_module(0, '1');
  std::ofstream(tmp.str() + "/2.wasm", std::ios::binary) << wdtest::proxy_module(0, '2');
  const std::string y = "istio: '1.24'\nfilters:\n- {name: a.b, module: ./1.wasm}\n- {name: a-b, module: ./2.wasm}\n"
                        "targets:\n- namespace: ns\n  selector: {app: x}\n";
  const error e = wdtest::render_error(y, "", tmp.str());
  CHECK(e.code() == "render.name-collision");
  CHECK(e.path() == "filters[1].name");
  CHECK(wdtest::contains(e.message(), "wasm-a-b"));
  CHECK(e.position().line == 4);
}
