// WasmPlugin bodies: field order, selector, url/sha256, pluginConfig types, match, targetRef(s).
#include <catch2/catch.hpp>

#include <fstream>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::at;

TEST_CASE("WasmPlugin fields in proto order", "[render][wasmplugin]") {
  const std::string y =
      "istio: '1.31'\nfilters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  sha256: " + wdtest::kSha +
      "\n  imagePullPolicy: IfNotPresent\n  imagePullSecret: regcred\n  config: {n: 1, s: '1', f: 1.5, b: false, l: [a]}\n"
      "  rootId: root\n  phase: AUTHZ\n  priority: 10\n  env:\n  - {name: A, value: b}\n  failStrategy: FAIL_OPEN\n"
      "  type: NETWORK\n"
      "targets:\n- namespace: ns\n  selector: {app: a}\n  match:\n  - {mode: CLIENT_AND_SERVER, ports: [80]}\n  - {ports: [81]}\n";
  const document d = wdtest::one(wdtest::render_text(y), "WasmPlugin");
  CHECK(d.api_version == "extensions.istio.io/v1alpha1");
  CHECK(d.file_name == "wasmplugin-ns-f.yaml");
  CHECK(wdtest::keys_of(d.body) == std::vector<std::string>{"apiVersion", "kind", "metadata", "spec"});
  const node& sp = *at(d.body, {"spec"});
  CHECK(wdtest::keys_of(sp) ==
        std::vector<std::string>{"selector", "url", "sha256", "imagePullPolicy", "imagePullSecret", "pluginConfig",
                                 "pluginName", "phase", "priority", "vmConfig", "match", "failStrategy", "type"});
  CHECK(*at(sp, {"selector"}) == make_mapping({{"matchLabels", make_mapping({{"app", "a"}})}}));
  CHECK(*at(sp, {"url"}) == node("oci://ghcr.io/acme/f:v1"));
  CHECK(*at(sp, {"sha256"}) == node(wdtest::kSha));
  CHECK(*at(sp, {"pluginConfig"}) ==
        make_mapping({{"n", 1}, {"s", "1"}, {"f", 1.5}, {"b", false}, {"l", make_sequence({"a"})}}));
  CHECK(*at(sp, {"pluginName"}) == node("root"));
  CHECK(*at(sp, {"phase"}) == node("AUTHZ"));
  CHECK(*at(sp, {"priority"}) == node(10));
  CHECK(*at(sp, {"vmConfig"}) == make_mapping({{"env", make_sequence({make_mapping({{"name", "A"}, {"value", "b"}})})}}));
  CHECK(*at(sp, {"match"}) ==
        make_sequence({make_mapping({{"mode", "CLIENT_AND_SERVER"}, {"ports", make_sequence({make_mapping({{"number", 80}})})}}),
                       make_mapping({{"ports", make_sequence({make_mapping({{"number", 81}})})}})}));
  CHECK(*at(sp, {"failStrategy"}) == node("FAIL_OPEN"));
  CHECK(*at(sp, {"type"}) == node("NETWORK"));
}

TEST_CASE("WasmPlugin minimal: no optional fields", "[render][wasmplugin]") {
  const std::string y = "istio: '1.12'\nfilters:\n- name: f\n  module: https://example.com/f.wasm\n"
                        "targets:\n- namespace: ns\n  selector: {app: a}\n";
  const document d = wdtest::one(wdtest::render_text(y), "WasmPlugin");
  CHECK(wdtest::keys_of(*at(d.body, {"spec"})) == std::vector<std::string>{"selector", "url"});
  CHECK(to_yaml(d.body).find("verificationKey") == std::string::npos);
}

TEST_CASE("WasmPlugin with a ConfigMap module points at the mounted file", "[render][wasmplugin]") {
  wdtest::temp_dir tmp("render-wp-configmap");
  std::ofstream(tmp.str() + "/f.wasm", std::ios::binary) << wdtest::proxy_module();
  const std::string y = "istio: '1.24'\nfilters:\n- name: f\n  module: ./f.wasm\n"
                        "targets:\n- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n";
  const document d = wdtest::one(wdtest::render_text(y, "", tmp.str()), "WasmPlugin");
  CHECK(d.name == "d-f");
  CHECK(*at(d.body, {"spec", "url"}) == node("file:///var/local/wasm/f/plugin.wasm"));
  CHECK(at(d.body, {"spec", "sha256"}) == nullptr);
  CHECK(*at(d.body, {"spec", "selector", "matchLabels"}) == make_mapping({{"app", "d"}}));
}

TEST_CASE("WasmPlugin targetRef at 1.20/1.21, targetRefs from 1.22", "[render][wasmplugin]") {
  const std::string y = "filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n"
                        "targets:\n- namespace: ns\n  targetRefs:\n  - {group: gateway.networking.k8s.io, kind: Gateway, name: gw}\n";
  const node ref = make_mapping({{"group", "gateway.networking.k8s.io"}, {"kind", "Gateway"}, {"name", "gw"}});
  for (const char* v : {"1.20", "1.21"}) {
    const document d = wdtest::one(wdtest::render_text(y, v), "WasmPlugin");
    CHECK(*at(d.body, {"spec", "targetRef"}) == ref);
    CHECK(at(d.body, {"spec", "targetRefs"}) == nullptr);
    CHECK(at(d.body, {"spec", "selector"}) == nullptr);
  }
  const document d = wdtest::one(wdtest::render_text(y, "1.22"), "WasmPlugin");
  CHECK(*at(d.body, {"spec", "targetRefs"}) == make_sequence({ref}));
  CHECK(at(d.body, {"spec", "targetRef"}) == nullptr);
}
