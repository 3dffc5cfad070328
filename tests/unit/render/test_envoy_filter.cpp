// EnvoyFilter bodies: key order, metadata, ECDS pair, TypedStruct, configuration, env, contexts.
#include <catch2/catch.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::at;
using wdtest::contains;

namespace {

const std::string kRemote =
    "istio: '1.24'\nfilters:\n- name: f\n  module: https://example.com/f.wasm\n  sha256: " + wdtest::kSha +
    "\n  resource: EnvoyFilter\n  rootId: my_root\n  failStrategy: FAIL_OPEN\n  imagePullPolicy: Always\n"
    "  config: {b: 1, a: [x, true]}\n"
    "  env:\n  - {name: LOG, value: debug}\n  - {name: HOSTNAME, valueFrom: HOST}\n"
    "targets:\n- namespace: bookinfo\n  revision: canary\n  selector: {version: v1, app: details}\n";

}  // namespace

TEST_CASE("EnvoyFilter document and metadata", "[render][envoyfilter]") {
  const document d = wdtest::one(wdtest::render_text(kRemote), "EnvoyFilter");
  CHECK(d.what == document::role::resource);
  CHECK(d.api_version == "networking.istio.io/v1alpha3");
  CHECK(d.ns == "bookinfo");
  CHECK(d.name == "f");
  CHECK(d.file_name == "envoyfilter-bookinfo-f.yaml");
  CHECK(wdtest::keys_of(d.body) == std::vector<std::string>{"apiVersion", "kind", "metadata", "spec"});
  CHECK(*at(d.body, {"apiVersion"}) == node("networking.istio.io/v1alpha3"));
  CHECK(*at(d.body, {"kind"}) == node("EnvoyFilter"));
  CHECK(*at(d.body, {"metadata"}) ==
        make_mapping({{"name", "f"},
                      {"namespace", "bookinfo"},
                      {"labels", make_mapping({{"app.kubernetes.io/managed-by", "wasmdeploy"},
                                               {"wasmdeploy.io/filter", "f"},
                                               {"istio.io/rev", "canary"}})}}));
  // Istio 1.11+ honours priority; a default keeps relative patches ordered (IST0151).
  CHECK(wdtest::keys_of(*at(d.body, {"spec"})) == std::vector<std::string>{"workloadSelector", "priority", "configPatches"});
  CHECK(*at(d.body, {"spec", "priority"}) == node(10));
  // Selector labels come out sorted (std::map), the same on every run.
  CHECK(*at(d.body, {"spec", "workloadSelector"}) ==
        make_mapping({{"labels", make_mapping({{"app", "details"}, {"version", "v1"}})}}));
}

TEST_CASE("EnvoyFilter ECDS pair for a remote module", "[render][envoyfilter]") {
  const document d = wdtest::one(wdtest::render_text(kRemote), "EnvoyFilter");
  const node& patches = *at(d.body, {"spec", "configPatches"});
  REQUIRE(patches.size() == 2);
  const node& hf = patches.items()[0];
  CHECK(*at(hf, {"applyTo"}) == node("HTTP_FILTER"));
  CHECK(*at(hf, {"match"}) ==
        make_mapping({{"context", "SIDECAR_INBOUND"},
                      {"listener", make_mapping({{"filterChain",
                                                  make_mapping({{"filter", make_mapping({{"name", "envoy.filters.network.http_connection_manager"},
                                                                                         {"subFilter", make_mapping({{"name", "envoy.filters.http.router"}})}})}})}})}}));
  CHECK(*at(hf, {"patch", "operation"}) == node("INSERT_BEFORE"));
  CHECK(*at(hf, {"patch", "value"}) ==
        make_mapping({{"name", "wasmdeploy.bookinfo.f"},
                      {"config_discovery",
                       make_mapping({{"config_source", make_mapping({{"ads", node::mapping()}, {"initial_fetch_timeout", "0s"}})},
                                     {"type_urls", make_sequence({"type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"})}})}}));

  const node& ec = patches.items()[1];
  CHECK(*at(ec, {"applyTo"}) == node("EXTENSION_CONFIG"));
  CHECK(*at(ec, {"match"}) == make_mapping({{"context", "SIDECAR_INBOUND"}}));
  CHECK(*at(ec, {"patch", "operation"}) == node("ADD"));
  CHECK(*at(ec, {"patch", "value", "name"}) == node("wasmdeploy.bookinfo.f"));
  const node& tc = *at(ec, {"patch", "value", "typed_config"});
  CHECK(wdtest::keys_of(tc) == std::vector<std::string>{"@type", "type_url", "value"});
  CHECK(*at(tc, {"@type"}) == node("type.googleapis.com/udpa.type.v1.TypedStruct"));
  CHECK(*at(tc, {"type_url"}) == node("type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"));
  const node& cfg = *at(tc, {"value", "config"});
  CHECK(wdtest::keys_of(cfg) == std::vector<std::string>{"name", "root_id", "vm_config", "configuration", "fail_open"});
  CHECK(*at(cfg, {"name"}) == node("f"));
  CHECK(*at(cfg, {"root_id"}) == node("my_root"));
  CHECK(*at(cfg, {"fail_open"}) == node(true));
  CHECK(*at(cfg, {"configuration"}) ==
        make_mapping({{"@type", "type.googleapis.com/google.protobuf.StringValue"}, {"value", R"({"b":1,"a":["x",true]})"}}));
  const node& vm = *at(cfg, {"vm_config"});
  CHECK(*at(vm, {"vm_id"}) == node("f"));
  CHECK(*at(vm, {"runtime"}) == node("envoy.wasm.runtime.v8"));
  CHECK(*at(vm, {"code"}) ==
        make_mapping({{"remote", make_mapping({{"http_uri", make_mapping({{"uri", "https://example.com/f.wasm"},
                                                                           {"timeout", "30s"},
                                                                           {"cluster", "_"}})},
                                                {"sha256", wdtest::kSha}})}}));
  CHECK(*at(vm, {"environment_variables"}) ==
        make_mapping({{"host_env_keys", make_sequence({"HOSTNAME"})},
                      {"key_values", make_mapping({{"LOG", "debug"}, {"ISTIO_META_WASM_IMAGE_PULL_POLICY", "Always"}})}}));
}

TEST_CASE("EnvoyFilter with a file in the proxy: one patch with a local filename", "[render][envoyfilter]") {
  const std::string y = "istio: '1.24'\nfilters:\n- name: f\n  module: file:///etc/wasm/f.wasm\n  config: raw string\n"
                        "  runtime: wamr\n  vmId: shared\n  phase: AUTHN\n"
                        "targets:\n- namespace: ns\n  context: outbound\n  selector: {app: a}\n";
  const document d = wdtest::one(wdtest::render_text(y), "EnvoyFilter");
  const node& patches = *at(d.body, {"spec", "configPatches"});
  REQUIRE(patches.size() == 1);
  const node& p = patches.items()[0];
  CHECK(*at(p, {"match", "context"}) == node("SIDECAR_OUTBOUND"));
  CHECK(*at(p, {"match", "listener", "filterChain", "filter"}) ==
        make_mapping({{"name", "envoy.filters.network.http_connection_manager"}}));
  CHECK(*at(p, {"patch", "operation"}) == node("INSERT_FIRST"));
  const node& cfg = *at(p, {"patch", "value", "typed_config", "value", "config"});
  CHECK(*at(cfg, {"vm_config", "vm_id"}) == node("shared"));
  CHECK(*at(cfg, {"vm_config", "runtime"}) == node("envoy.wasm.runtime.wamr"));
  CHECK(*at(cfg, {"vm_config", "code"}) == make_mapping({{"local", make_mapping({{"filename", "/etc/wasm/f.wasm"}})}}));
  CHECK(*at(cfg, {"configuration", "value"}) == node("raw string"));
  CHECK(at(cfg, {"fail_open"}) == nullptr);
  CHECK(at(cfg, {"root_id"}) == nullptr);
  CHECK(at(cfg, {"vm_config", "environment_variables"}) == nullptr);
}

TEST_CASE("EnvoyFilter gateway and any contexts", "[render][envoyfilter]") {
  for (auto [ctx, want] : {std::pair{"gateway", "GATEWAY"}, std::pair{"any", "ANY"}, std::pair{"inbound", "SIDECAR_INBOUND"}}) {
    const std::string y = std::string("istio: '1.24'\nfilters:\n- name: f\n  module: file:///w.wasm\n"
                                      "  resource: EnvoyFilter\ntargets:\n- namespace: ns\n  context: ") + ctx + "\n  selector: {app: a}\n";
    const document d = wdtest::one(wdtest::render_text(y), "EnvoyFilter");
    CHECK(*at(d.body, {"spec", "configPatches", "0", "match", "context"}) == node(want));
  }
}

TEST_CASE("EnvoyFilter for Istio 1.5: v2 config with the configuration as a plain string", "[render][envoyfilter]") {
  const std::string y = "istio: '1.5'\nfilters:\n- name: f\n  module: file:///w.wasm\n  config: {k: v}\n"
                        "targets:\n- namespace: ns\n  selector: {app: a}\n";
  const document d = wdtest::one(wdtest::render_text(y), "EnvoyFilter");
  const node& value = *at(d.body, {"spec", "configPatches", "0", "patch", "value"});
  CHECK(wdtest::keys_of(value) == std::vector<std::string>{"name", "config"});
  CHECK(*at(value, {"name"}) == node("envoy.filters.http.wasm"));
  CHECK(*at(value, {"config", "config", "configuration"}) == node(R"({"k":"v"})"));
  CHECK(*at(d.body, {"spec", "configPatches", "0", "match", "listener", "filterChain", "filter", "name"}) ==
        node("envoy.http_connection_manager"));
}
