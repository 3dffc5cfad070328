// The capability table and every version gate it drives: one TEST_CASE per rule change, named by
// the release that changed it. Each checks the release just before and at the change, through
// supports() and through what render() produces or refuses.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/gateway_capabilities.hpp>
#include <wasmdeploy/mesh_version.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::contains;

namespace {

bool at(const char* v, capability c) { return supports(mesh_version::parse(v), c); }

// The version just before and at a change.
void check_change(capability c, const char* before, const char* at_release) {
  INFO(info(c).key << ": " << before << " -> " << at_release);
  CHECK_FALSE(at(before, c));
  CHECK(at(at_release, c));
}
void check_removal(capability c, const char* last, const char* gone) {
  INFO(info(c).key << ": " << last << " -> " << gone);
  CHECK(at(last, c));
  CHECK_FALSE(at(gone, c));
}

// An EnvoyFilter with an in-proxy module: no delivery gate, so only the patch shape varies.
std::string file_filter(const std::string& extra = "", const std::string& target_extra = "") {
  return "filters:\n- name: f\n  module: file:///etc/wasm/f.wasm\n  resource: EnvoyFilter\n  config: hello\n" + extra +
         "targets:\n- namespace: ns\n  selector: {app: a}\n" + target_extra;
}

// A WasmPlugin pulling an image.
std::string wp(const std::string& extra = "", const std::string& target_extra = "",
               const std::string& selector = "  selector: {app: a}\n") {
  return "filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  sha256: " + wdtest::kSha +
         "\n  resource: WasmPlugin\n" + extra + "targets:\n- namespace: ns\n" + selector + target_extra;
}

std::string ef_remote(const std::string& module, const std::string& extra = "") {
  return "filters:\n- name: f\n  module: " + module + "\n  sha256: " + wdtest::kSha +
         "\n  resource: EnvoyFilter\n" + extra + "targets:\n- namespace: ns\n  selector: {app: a}\n";
}

// Asserts the version gate error: errc::version, version.unsupported-field, path, and a message
// naming the release that has the field.
void check_gate_error(const error& e, const std::string& path, const std::string& release_phrase) {
  CHECK(e.category() == errc::version);
  CHECK(e.code() == "version.unsupported-field");
  CHECK(e.path() == path);
  INFO(e.message());
  CHECK(contains(e.message(), release_phrase));
}

std::string spec_yaml(const render_result& r, const std::string& kind) {
  return wdtest::yaml_of(wdtest::one(r, kind));
}

}  // namespace

TEST_CASE("capability table rows are in enum order with unique keys", "[capabilities]") {
  const auto& table = capability_table();
  // Every enumerator has a row: the last one declared is the last row.
  REQUIRE(table.size() == static_cast<size_t>(capability::gateway_injection_template) + 1);
  std::set<std::string_view> keys;
  for (size_t i = 0; i < table.size(); ++i) {
    const auto c = static_cast<capability>(i);
    INFO("row " << i << " " << table[i].key);
    CHECK(info(c).id == c);
    CHECK(table[i].id == c);
    CHECK(keys.insert(table[i].key).second);
    CHECK_FALSE(table[i].summary.empty());
    CHECK_FALSE(table[i].source.empty());
    CHECK(table[i].since >= mesh_version::oldest_supported());
    if (table[i].until) CHECK(*table[i].until > table[i].since);
    REQUIRE(find_capability(table[i].key).has_value());
    CHECK(*find_capability(table[i].key) == c);
  }
  CHECK_FALSE(find_capability("wasm_plugin").has_value());
  CHECK_FALSE(find_capability("").has_value());
  CHECK_FALSE(find_capability("WASM-PLUGIN").has_value());
}

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The enumerators of `enum class <name> : int { ... };` in a header, in declaration order
// (which is table order).
std::vector<std::string> enumerators(const std::string& header, const std::string& name) {
  const std::string open = "enum class " + name + " : int {";
  const size_t begin = header.find(open);
  REQUIRE(begin != std::string::npos);
  const std::string body = header.substr(begin + open.size(), header.find("};", begin) - begin - open.size());
  std::vector<std::string> out;
  const std::regex line_comment("//[^\n]*");
  const std::string code = std::regex_replace(body, line_comment, "");
  std::stringstream items(code);
  for (std::string item; std::getline(items, item, ',');) {
    const auto first = item.find_first_not_of(" \n\t");
    if (first == std::string::npos) continue;
    out.push_back(item.substr(first, item.find_last_not_of(" \n\t") - first + 1));
  }
  return out;
}

// Every source under src/, with the two tables' own rows cut out: what is left is the code that
// decides something.
std::string decision_sources() {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(WD_SOURCE_DIR) + "/src")) {
    const auto ext = e.path().extension();
    if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
    std::string text = slurp(e.path());
    const size_t table = text.find("kTable = {");
    if (table != std::string::npos) text.erase(table, text.find("\n};", table) - table);
    all += text;
  }
  return all;
}

template <typename Row>
void check_row_uses(const std::vector<Row>& table, const std::vector<std::string>& names, const std::string& scope,
                    const std::string& sources) {
  REQUIRE(names.size() == table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    const bool read = std::regex_search(sources, std::regex("\\b" + scope + "::" + names[i] + "\\b"));
    INFO(scope << "::" << names[i] << " (" << table[i].key << ")");
    if (table[i].use == row_use::decision) {
      CHECK(read);  // a decision row nothing reads is documentation: mark it so
    } else {
      CHECK_FALSE(read);  // a documentation row something reads is a decision
    }
  }
}

}  // namespace

TEST_CASE("every decision row is read by a decision and no documentation row is", "[capabilities]") {
  const std::string sources = decision_sources();
  REQUIRE(sources.find("supports(") != std::string::npos);
  check_row_uses(capability_table(),
                 enumerators(slurp(std::string(WD_SOURCE_DIR) + "/include/wasmdeploy/capabilities.hpp"), "capability"),
                 "capability", sources);
  check_row_uses(gateway_capability_table(),
                 enumerators(slurp(std::string(WD_SOURCE_DIR) + "/include/wasmdeploy/gateway_capabilities.hpp"),
                             "gateway_capability"),
                 "gateway_capability", sources);
  // Documentation rows stay few and say why in the table.
  size_t docs = 0;
  for (const auto& row : capability_table()) docs += row.use == row_use::documentation;
  CHECK(docs == 7);
}

TEST_CASE("describe_support phrases", "[capabilities]") {
  CHECK(describe_support(capability::wasm_plugin) == "Istio 1.12 and later");
  CHECK(describe_support(capability::patch_value_v2_config) == "Istio 1.5 to 1.6");
  CHECK(describe_support(capability::canonical_filter_name_match) == "Istio 1.7.1 and later");
  CHECK(describe_support(capability::deprecated_filter_name_match) == "Istio 1.5 to 1.18");
  CHECK(describe_support(capability::wasm_plugin_fail_reload) == "Istio 1.27 and later");
}

TEST_CASE("a minor without a patch is decided at its first patch", "[capabilities]") {
  CHECK(mesh_version::parse("1.7").effective() == release{1, 7, 0});
  CHECK(mesh_version::parse("1.7.x").effective() == release{1, 7, 0});
  CHECK(mesh_version::parse("1.31").effective() == release{1, 31, 0});
  CHECK(mesh_version::parse("1.32").effective() == release{1, 32, 0});
}

// ---- EnvoyFilter patch shape ----------------------------------------------------------------

TEST_CASE("1.7: typed_config replaces config", "[capabilities][gates][envoyfilter]") {
  check_removal(capability::patch_value_v2_config, "1.6", "1.7");
  check_change(capability::patch_value_typed_config, "1.6", "1.7");
  CHECK(at("1.5", capability::patch_value_v2_config));

  const std::string y16 = spec_yaml(wdtest::render_text(file_filter(), "1.6"), "EnvoyFilter");
  INFO(y16);
  CHECK(contains(y16, "        name: envoy.filters.http.wasm\n        config:\n          config:\n"));
  CHECK(contains(y16, "            configuration: hello\n"));
  CHECK(contains(y16, "name: envoy.router"));
  CHECK(contains(y16, "name: envoy.http_connection_manager"));
  CHECK_FALSE(contains(y16, "typed_config"));
  CHECK_FALSE(contains(y16, "TypedStruct"));

  const std::string y17 = spec_yaml(wdtest::render_text(file_filter(), "1.7"), "EnvoyFilter");
  INFO(y17);
  CHECK(contains(y17, "typed_config:\n          '@type': type.googleapis.com/udpa.type.v1.TypedStruct\n"));
  CHECK(contains(y17, "type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"));
  CHECK(contains(y17, "'@type': type.googleapis.com/google.protobuf.StringValue"));
  CHECK_FALSE(contains(y17, "\n        config:\n"));
  // 1.7.0 still needs the deprecated names.
  CHECK(contains(y17, "name: envoy.router"));
  CHECK(contains(y17, "name: envoy.http_connection_manager"));
}

TEST_CASE("1.7.1: canonical filter names match", "[capabilities][gates][envoyfilter]") {
  CHECK_FALSE(at("1.7", capability::canonical_filter_name_match));
  CHECK_FALSE(at("1.7.0", capability::canonical_filter_name_match));
  CHECK_FALSE(at("1.7.x", capability::canonical_filter_name_match));
  CHECK(at("1.7.1", capability::canonical_filter_name_match));
  CHECK(at("1.8", capability::canonical_filter_name_match));

  for (const char* v : {"1.7", "1.7.0"}) {
    const std::string y = spec_yaml(wdtest::render_text(file_filter(), v), "EnvoyFilter");
    INFO(v << "\n" << y);
    CHECK(contains(y, "name: envoy.http_connection_manager\n"));
    CHECK(contains(y, "name: envoy.router\n"));
    CHECK_FALSE(contains(y, "envoy.filters.http.router"));
  }
  const std::string y = spec_yaml(wdtest::render_text(file_filter(), "1.7.1"), "EnvoyFilter");
  INFO(y);
  CHECK(contains(y, "name: envoy.filters.network.http_connection_manager\n"));
  CHECK(contains(y, "name: envoy.filters.http.router\n"));
  CHECK_FALSE(contains(y, "envoy.router"));
  CHECK_FALSE(contains(y, "name: envoy.http_connection_manager"));
}

TEST_CASE("1.19: deprecated filter names stop matching", "[capabilities][gates][envoyfilter]") {
  check_removal(capability::deprecated_filter_name_match, "1.18", "1.19");
  check_removal(capability::xds_v2_type_urls, "1.18", "1.19");
  for (const char* v : {"1.18", "1.19", "1.31"}) {
    const std::string y = spec_yaml(wdtest::render_text(file_filter(), v), "EnvoyFilter");
    INFO(v << "\n" << y);
    CHECK(contains(y, "name: envoy.filters.http.router\n"));
    CHECK_FALSE(contains(y, "envoy.router"));
    CHECK_FALSE(contains(y, "type.googleapis.com/envoy.config.filter"));  // no v2 type URLs
  }
}

TEST_CASE("1.11: EnvoyFilter priority", "[capabilities][gates][envoyfilter]") {
  check_change(capability::envoy_filter_priority, "1.10", "1.11");
  const error e = wdtest::render_error(file_filter("  priority: 5\n"), "1.10");
  check_gate_error(e, "filters[0].priority", "Istio 1.11 and later");
  CHECK(e.position().line == 6);
  CHECK(e.position().column == 3);
  const std::string y = spec_yaml(wdtest::render_text(file_filter("  priority: -3\n"), "1.11"), "EnvoyFilter");
  INFO(y);
  CHECK(contains(y, "\n  priority: -3\n  configPatches:\n"));
}

TEST_CASE("1.27: EnvoyFilter targetRefs honoured", "[capabilities][gates][envoyfilter]") {
  check_change(capability::envoy_filter_target_refs, "1.26", "1.27");
  const std::string spec =
      "filters:\n- name: f\n  module: file:///w/f.wasm\n  resource: EnvoyFilter\n"
      "targets:\n- namespace: ns\n  targetRefs:\n  - {kind: Service, name: reviews}\n";
  const error e = wdtest::render_error(spec, "1.26");
  check_gate_error(e, "targets[0].targetRefs", "Istio 1.27 and later");
  CHECK(contains(e.message(), "every workload in the namespace"));
  CHECK(e.position().line == 7);
  const std::string y = spec_yaml(wdtest::render_text(spec, "1.27"), "EnvoyFilter");
  INFO(y);
  CHECK(contains(y, "spec:\n  targetRefs:\n  - kind: Service\n    name: reviews\n  priority: 10\n  configPatches:\n"));
  CHECK_FALSE(contains(y, "workloadSelector"));
}

TEST_CASE("1.9: EXTENSION_CONFIG", "[capabilities][gates][envoyfilter]") {
  check_change(capability::extension_config_patch, "1.8", "1.9");
  check_change(capability::agent_http_fetch, "1.8", "1.9");
  const std::string spec = ef_remote("https://example.com/f.wasm");
  const error e = wdtest::render_error(spec, "1.8");
  check_gate_error(e, "filters[0].delivery", "Istio 1.9 and later");
  CHECK(contains(e.message(), "Istio 1.8"));
  const std::string y = spec_yaml(wdtest::render_text(spec, "1.9"), "EnvoyFilter");
  INFO(y);
  CHECK(contains(y, "- applyTo: EXTENSION_CONFIG\n"));
  CHECK(contains(y, "config_discovery:\n"));
  CHECK(contains(y, "uri: https://example.com/f.wasm\n"));
  CHECK(contains(y, "sha256: '" + wdtest::kSha + "'\n"));
}

TEST_CASE("1.12: istio-agent pulls oci images", "[capabilities][gates][envoyfilter]") {
  check_change(capability::agent_oci_fetch, "1.11", "1.12");
  check_change(capability::agent_direct_wasm_type, "1.11", "1.12");
  const std::string spec = ef_remote("oci://ghcr.io/acme/f:v1");
  // 1.11 cannot pull the image, so it goes through the wasme node cache, which needs moduleSha256.
  const error e = wdtest::render_error(spec, "1.11");
  CHECK(e.category() == errc::version);
  CHECK(e.code() == "delivery.hostpath-needs-module-sha256");
  CHECK(e.path() == "filters[0].moduleSha256");
  CHECK(contains(e.message(), "1.12"));
  auto r = wdtest::render_text(spec, "1.12");
  CHECK(wdtest::of_kind(r, "DaemonSet").empty());
  const std::string y = spec_yaml(r, "EnvoyFilter");
  CHECK(contains(y, "uri: oci://ghcr.io/acme/f:v1\n"));
  CHECK(contains(y, "- applyTo: EXTENSION_CONFIG\n"));
}

// ---- WasmPlugin ------------------------------------------------------------------------------

TEST_CASE("1.12: WasmPlugin", "[capabilities][gates][wasmplugin]") {
  check_change(capability::wasm_plugin, "1.11", "1.12");
  const error e = wdtest::render_error(wp(), "1.11");
  check_gate_error(e, "filters[0].resource", "Istio 1.12 and later");
  CHECK(e.position().line == 5);
  auto r = wdtest::render_text(wp(), "1.12");
  const std::string y = spec_yaml(r, "WasmPlugin");
  CHECK(contains(y, "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\n"));
  CHECK(contains(y, "  url: oci://ghcr.io/acme/f:v1\n  sha256: '" + wdtest::kSha + "'\n"));
  CHECK(contains(y, "  selector:\n    matchLabels:\n      app: a\n"));
  // Nothing newer than 1.12 appears.
  for (const char* field : {"vmConfig", "match:", "failStrategy", "type:", "targetRef"}) {
    INFO(field);
    CHECK_FALSE(contains(y, field));
  }
}

TEST_CASE("1.12: resource auto picks WasmPlugin from 1.12", "[capabilities][gates][plan]") {
  const std::string spec = "filters:\n- name: f\n  module: https://example.com/f.wasm\n  sha256: " + wdtest::kSha +
                           "\ntargets:\n- namespace: ns\n  selector: {app: a}\n";
  CHECK(wdtest::of_kind(wdtest::render_text(spec, "1.11"), "EnvoyFilter").size() == 1);
  CHECK(wdtest::of_kind(wdtest::render_text(spec, "1.11"), "WasmPlugin").empty());
  CHECK(wdtest::of_kind(wdtest::render_text(spec, "1.12"), "WasmPlugin").size() == 1);
  CHECK(wdtest::of_kind(wdtest::render_text(spec, "1.12"), "EnvoyFilter").empty());
}

TEST_CASE("1.14: vmConfig", "[capabilities][gates][wasmplugin]") {
  check_change(capability::wasm_plugin_vm_config, "1.13", "1.14");
  const std::string extra = "  env:\n  - {name: LOG, value: debug}\n  - {name: POD_NAME, valueFrom: HOST}\n";
  const error e = wdtest::render_error(wp(extra), "1.13");
  check_gate_error(e, "filters[0].env", "Istio 1.14 and later");
  CHECK(contains(e.message(), "vmConfig"));
  CHECK(e.position().line == 6);
  const std::string y = spec_yaml(wdtest::render_text(wp(extra), "1.14"), "WasmPlugin");
  INFO(y);
  CHECK(contains(y, "  vmConfig:\n    env:\n    - name: LOG\n      value: debug\n    - name: POD_NAME\n      valueFrom: HOST\n"));
}

TEST_CASE("1.14: istio-agent implements imagePullSecret", "[capabilities][gates][wasmplugin]") {
  check_change(capability::agent_pull_secret, "1.13", "1.14");
  auto r13 = wdtest::render_text(wp("  imagePullSecret: regcred\n"), "1.13");
  CHECK(wdtest::has_diagnostic(r13, "wasmplugin.pull-secret-ignored"));
  CHECK(contains(spec_yaml(r13, "WasmPlugin"), "  imagePullSecret: regcred\n"));
  auto r14 = wdtest::render_text(wp("  imagePullSecret: regcred\n"), "1.14");
  CHECK_FALSE(wdtest::has_diagnostic(r14, "wasmplugin.pull-secret-ignored"));
}

TEST_CASE("1.16: match", "[capabilities][gates][wasmplugin]") {
  check_change(capability::wasm_plugin_match, "1.15", "1.16");
  const std::string t = "  match:\n  - mode: SERVER\n    ports: [8080, 9090]\n";
  const error e = wdtest::render_error(wp("", t), "1.15");
  check_gate_error(e, "targets[0].match", "Istio 1.16 and later");
  const std::string y = spec_yaml(wdtest::render_text(wp("", t), "1.16"), "WasmPlugin");
  INFO(y);
  CHECK(contains(y, "  match:\n  - mode: SERVER\n    ports:\n    - number: 8080\n    - number: 9090\n"));

  // Limiting a WasmPlugin to inbound traffic is the same field.
  const error ec = wdtest::render_error(wp("", "  context: outbound\n"), "1.15");
  check_gate_error(ec, "targets[0].context", "Istio 1.16 and later");
  CHECK(contains(spec_yaml(wdtest::render_text(wp("", "  context: outbound\n"), "1.16"), "WasmPlugin"),
                 "  match:\n  - mode: CLIENT\n"));
  CHECK(contains(spec_yaml(wdtest::render_text(wp("", "  context: inbound\n"), "1.16"), "WasmPlugin"),
                 "  match:\n  - mode: SERVER\n"));
  // Without a context a WasmPlugin applies to all traffic and has no match at 1.15.
  CHECK_FALSE(contains(spec_yaml(wdtest::render_text(wp(), "1.15"), "WasmPlugin"), "  match:"));
}

TEST_CASE("1.19: failStrategy", "[capabilities][gates][wasmplugin]") {
  check_change(capability::wasm_plugin_fail_strategy, "1.18", "1.19");
  const error e = wdtest::render_error(wp("  failStrategy: FAIL_OPEN\n"), "1.18");
  check_gate_error(e, "filters[0].failStrategy", "Istio 1.19 and later");
  CHECK(e.position().line == 6);
  CHECK(contains(spec_yaml(wdtest::render_text(wp("  failStrategy: FAIL_OPEN\n"), "1.19"), "WasmPlugin"),
                 "  failStrategy: FAIL_OPEN\n"));
  // FAIL_CLOSE is the old behaviour: accepted and left out before 1.19, written from 1.19.
  auto r18 = wdtest::render_text(wp("  failStrategy: FAIL_CLOSE\n"), "1.18");
  CHECK(wdtest::has_diagnostic(r18, "field.default-omitted"));
  CHECK_FALSE(contains(spec_yaml(r18, "WasmPlugin"), "failStrategy"));
  CHECK(contains(spec_yaml(wdtest::render_text(wp("  failStrategy: FAIL_CLOSE\n"), "1.19"), "WasmPlugin"),
                 "  failStrategy: FAIL_CLOSE\n"));
}

TEST_CASE("1.19: WasmPlugin priority becomes int32", "[capabilities][gates][wasmplugin]") {
  check_change(capability::wasm_plugin_priority_int32, "1.18", "1.19");
}

TEST_CASE("1.27: FAIL_RELOAD", "[capabilities][gates][wasmplugin]") {
  check_change(capability::wasm_plugin_fail_reload, "1.26", "1.27");
  const error e = wdtest::render_error(wp("  failStrategy: FAIL_RELOAD\n"), "1.26");
  check_gate_error(e, "filters[0].failStrategy", "Istio 1.27 and later");
  CHECK(contains(e.message(), "FAIL_RELOAD"));
  CHECK(contains(spec_yaml(wdtest::render_text(wp("  failStrategy: FAIL_RELOAD\n"), "1.27"), "WasmPlugin"),
                 "  failStrategy: FAIL_RELOAD\n"));
}

TEST_CASE("1.20: type/targetRef", "[capabilities][gates][wasmplugin]") {
  check_change(capability::wasm_plugin_type, "1.19", "1.20");
  check_change(capability::wasm_plugin_target_ref, "1.19", "1.20");
  check_change(capability::agent_network_wasm, "1.19", "1.20");

  const error et = wdtest::render_error(wp("  type: NETWORK\n"), "1.19");
  check_gate_error(et, "filters[0].type", "Istio 1.20 and later");
  CHECK(contains(spec_yaml(wdtest::render_text(wp("  type: NETWORK\n"), "1.20"), "WasmPlugin"), "  type: NETWORK\n"));

  const std::string ref = "  targetRefs:\n  - {group: gateway.networking.k8s.io, kind: Gateway, name: gw}\n";
  const error er = wdtest::render_error(wp("", ref, ""), "1.19");
  check_gate_error(er, "targets[0].targetRefs", "Istio 1.20 and later");
  CHECK(contains(er.message(), "targetRef"));
  for (const char* v : {"1.20", "1.21"}) {
    const std::string y = spec_yaml(wdtest::render_text(wp("", ref, ""), v), "WasmPlugin");
    INFO(v << "\n" << y);
    CHECK(contains(y, "  targetRef:\n    group: gateway.networking.k8s.io\n    kind: Gateway\n    name: gw\n"));
    CHECK_FALSE(contains(y, "targetRefs"));
    CHECK_FALSE(contains(y, "selector"));
  }
}

TEST_CASE("1.20: istio-agent converts NETWORK Wasm", "[capabilities][gates][envoyfilter]") {
  // istio.md 4.1: before 1.20 the agent only converts HTTP Wasm in ECDS, so a NETWORK filter
  // with a remote module would reach Envoy with a remote code source it cannot fetch.
  const std::string remote = "filters:\n- name: f\n  module: https://example.com/f.wasm\n  sha256: " + wdtest::kSha +
                             "\n  type: NETWORK\n  resource: EnvoyFilter\ntargets:\n- namespace: ns\n  selector: {app: a}\n";
  const error e = wdtest::render_error(remote, "1.19");
  check_gate_error(e, "filters[0].type", "Istio 1.20 and later");
  CHECK(e.position().line == 5);
  const std::string y = spec_yaml(wdtest::render_text(remote, "1.20"), "EnvoyFilter");
  CHECK(contains(y, "applyTo: NETWORK_FILTER"));
  CHECK(contains(y, "name: envoy.filters.network.tcp_proxy"));
  CHECK(contains(y, "type_urls:\n          - type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm"));
  CHECK(contains(y, "type_url: type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm"));
  // A module already in the proxy needs no agent.
  const std::string local = "filters:\n- name: f\n  module: file:///w/f.wasm\n  type: NETWORK\n  resource: EnvoyFilter\n"
                            "targets:\n- namespace: ns\n  selector: {app: a}\n";
  CHECK(contains(spec_yaml(wdtest::render_text(local, "1.19"), "EnvoyFilter"), "applyTo: NETWORK_FILTER"));
}

TEST_CASE("1.20: auto resource picks WasmPlugin for NETWORK filters from 1.20", "[capabilities][gates][plan]") {
  const std::string spec = "filters:\n- name: f\n  module: file:///w/f.wasm\n"
                           "  type: NETWORK\ntargets:\n- namespace: ns\n  selector: {app: a}\n";
  auto r19 = wdtest::render_text(spec, "1.19");
  CHECK(wdtest::has_diagnostic(r19, "resource.auto-envoy-filter"));
  CHECK(wdtest::of_kind(r19, "EnvoyFilter").size() == 1);
  CHECK(wdtest::of_kind(wdtest::render_text(spec, "1.20"), "WasmPlugin").size() == 1);
}

TEST_CASE("1.22: targetRefs", "[capabilities][gates][wasmplugin]") {
  check_change(capability::wasm_plugin_target_refs, "1.21", "1.22");
  const std::string one = "  targetRefs:\n  - {kind: Service, name: reviews}\n";
  const std::string two = "  targetRefs:\n  - {kind: Service, name: reviews}\n  - {kind: Service, name: ratings}\n";
  const error e = wdtest::render_error(wp("", two, ""), "1.21");
  check_gate_error(e, "targets[0].targetRefs", "Istio 1.22 and later");
  const std::string y1 = spec_yaml(wdtest::render_text(wp("", one, ""), "1.22"), "WasmPlugin");
  INFO(y1);
  CHECK(contains(y1, "  targetRefs:\n  - kind: Service\n    name: reviews\n"));
  CHECK_FALSE(contains(y1, "targetRef:"));
  const std::string y2 = spec_yaml(wdtest::render_text(wp("", two, ""), "1.22"), "WasmPlugin");
  CHECK(contains(y2, "  targetRefs:\n  - kind: Service\n    name: reviews\n  - kind: Service\n    name: ratings\n"));
}

// ---- targetRef kinds: istiod's validatePolicyTargetReference allow-list, release by release ----

namespace {

const std::string kGatewayRef = "{group: gateway.networking.k8s.io, kind: Gateway, name: gw}";
const std::string kServiceRef = "{kind: Service, name: reviews}";
const std::string kServiceEntryRef = "{group: networking.istio.io, kind: ServiceEntry, name: ext}";
const std::string kGatewayClassRef = "{group: gateway.networking.k8s.io, kind: GatewayClass, name: istio-waypoint}";

std::string refs_target(const std::string& ref) { return "  targetRefs:\n  - " + ref + "\n"; }

// The kind is refused at `before` with the gate error on targetRefs[0].kind and renders at `at`.
void check_kind_change(capability c, const std::string& ref, const char* kind, const char* before,
                       const char* at_release) {
  check_change(c, before, at_release);
  const std::string spec = wp("", refs_target(ref), "");
  const error e = wdtest::render_error(spec, before);
  check_gate_error(e, "targets[0].targetRefs[0].kind", std::string("Istio ") + at_release + " and later");
  CHECK(contains(e.message(), kind));
  CHECK(e.position().line == 9);
  const std::string y = spec_yaml(wdtest::render_text(spec, at_release), "WasmPlugin");
  INFO(y);
  CHECK(contains(y, std::string("  targetRefs:\n  - ") + (ref.find("group") != std::string::npos ? "group" : "kind")));
  CHECK(contains(y, std::string("kind: ") + kind + "\n"));
}

}  // namespace

TEST_CASE("1.20: a targetRef may name only a Gateway", "[capabilities][gates][wasmplugin][target-ref]") {
  check_change(capability::target_ref_kind_gateway, "1.19", "1.20");
  for (const char* v : {"1.20", "1.21"}) {
    INFO(v);
    CHECK(contains(spec_yaml(wdtest::render_text(wp("", refs_target(kGatewayRef), ""), v), "WasmPlugin"),
                   "  targetRef:\n    group: gateway.networking.k8s.io\n    kind: Gateway\n"));
    for (const auto& ref : {kServiceRef, kServiceEntryRef, kGatewayClassRef}) {
      INFO(ref);
      const error e = wdtest::render_error(wp("", refs_target(ref), ""), v);
      CHECK(e.code() == "version.unsupported-field");
      CHECK(e.path() == "targets[0].targetRefs[0].kind");
    }
  }
}

TEST_CASE("1.22: a targetRef may name a Service", "[capabilities][gates][wasmplugin][target-ref]") {
  check_kind_change(capability::target_ref_kind_service, kServiceRef, "Service", "1.21", "1.22");
  // "core" is the same group as an empty one.
  CHECK(wdtest::of_kind(wdtest::render_text(wp("", refs_target("{group: core, kind: Service, name: r}"), ""), "1.22"),
                        "WasmPlugin").size() == 1);
}

TEST_CASE("1.24: a targetRef may name a ServiceEntry", "[capabilities][gates][wasmplugin][target-ref]") {
  check_kind_change(capability::target_ref_kind_service_entry, kServiceEntryRef, "ServiceEntry", "1.23", "1.24");
}

TEST_CASE("1.25: a targetRef may name a GatewayClass", "[capabilities][gates][wasmplugin][target-ref]") {
  check_kind_change(capability::target_ref_kind_gateway_class, kGatewayClassRef, "GatewayClass", "1.24", "1.25");
}

TEST_CASE("targetRef kinds and groups istiod never accepts", "[capabilities][wasmplugin][target-ref]") {
  // No release accepts it: an invalid-input error, not a version gate.
  const error k = wdtest::render_error(wp("", refs_target("{group: apps, kind: Deployment, name: d}"), ""), "1.31");
  CHECK(k.category() == errc::invalid);
  CHECK(k.code() == "target-ref.kind");
  CHECK(k.path() == "targets[0].targetRefs[0].kind");
  CHECK(contains(k.message(), "Deployment"));
  CHECK(contains(k.message(), "networking.istio.io/ServiceEntry (Istio 1.24 and later)"));
  // Gateway without its group is core/Gateway to istiod.
  const error g = wdtest::render_error(wp("", refs_target("{kind: Gateway, name: gw}"), ""), "1.31");
  CHECK(g.code() == "target-ref.group");
  CHECK(g.path() == "targets[0].targetRefs[0].group");
  CHECK(contains(g.message(), "write group: gateway.networking.k8s.io"));
  const error sg = wdtest::render_error(wp("", refs_target("{group: apps, kind: Service, name: s}"), ""), "1.31");
  CHECK(sg.code() == "target-ref.group");
  CHECK(contains(sg.message(), "core group"));
  // Only the second of two refs is wrong: the path names it.
  const std::string two = "  targetRefs:\n  - " + kServiceRef + "\n  - {kind: HTTPRoute, name: r}\n";
  CHECK(wdtest::render_error(wp("", two, ""), "1.31").path() == "targets[0].targetRefs[1].kind");
  // TrafficExtension uses the same validation.
  const std::string te = "filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  resource: TrafficExtension\n"
                         "targets:\n- namespace: ns\n" + refs_target("{kind: Pod, name: p}");
  CHECK(wdtest::render_error(te, "1.30").code() == "target-ref.kind");
}

TEST_CASE("1.27: EnvoyFilter targetRefs attach only to the policy kinds", "[capabilities][envoyfilter][target-ref]") {
  // istiod does not validate EnvoyFilter targetRefs, but its policy matcher attaches only to
  // these kinds: any other one would silently match nothing.
  auto ef = [](const std::string& ref) {
    return "filters:\n- name: f\n  module: file:///w/f.wasm\n  resource: EnvoyFilter\n"
           "targets:\n- namespace: ns\n" + refs_target(ref);
  };
  const error e = wdtest::render_error(ef("{kind: HTTPRoute, name: r}"), "1.27");
  CHECK(e.code() == "target-ref.kind");
  CHECK(e.path() == "targets[0].targetRefs[0].kind");
  CHECK(contains(e.message(), "match nothing"));
  for (const auto& ref : {kGatewayRef, kServiceRef, kServiceEntryRef, kGatewayClassRef}) {
    INFO(ref);
    CHECK(wdtest::of_kind(wdtest::render_text(ef(ref), "1.27"), "EnvoyFilter").size() == 1);
  }
}

TEST_CASE("1.30: TrafficExtension", "[capabilities][gates][plan]") {
  check_change(capability::traffic_extension, "1.29", "1.30");
  const std::string spec = "filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  resource: TrafficExtension\n"
                           "targets:\n- namespace: ns\n  selector: {app: a}\n";
  check_gate_error(wdtest::render_error(spec, "1.29"), "filters[0].resource", "Istio 1.30 and later");
  // Implemented on the platforms branch: from 1.30 it renders (only when asked for).
  CHECK(wdtest::render_text(spec, "1.30").documents.at(0).kind == "TrafficExtension");
}

// ---- Rows read by the module verdict (src/wasm, src/oci), and documentation rows ---------------

TEST_CASE("Envoy Gateway v1.1: the oldest release is the first with Wasm", "[capabilities][gates]") {
  CHECK(info(gateway_capability::eep_wasm).since == release{1, 1, 0});
  const error e = wdtest::error_of([] { parse_gateway_version("v1.0", "--gateway-version"); });
  CHECK(e.code() == "gateway-version.unsupported");
  CHECK(contains(e.message(), "arrived in v1.1"));
  CHECK(parse_gateway_version("v1.1", "--gateway-version") == release{1, 1, 0});
}

TEST_CASE("1.7: ABI 0.2.0", "[capabilities][gates][abi]") {
  check_change(capability::abi_0_2_0, "1.6", "1.7");
  CHECK(at("1.5", capability::abi_0_1_0));
  CHECK(at("1.31", capability::abi_0_1_0));
}

TEST_CASE("1.8: ABI 0.2.1, proxy_on_memory_allocate and _initialize", "[capabilities][gates][abi]") {
  check_change(capability::abi_0_2_1, "1.7", "1.8");
  check_change(capability::abi_0_2_1, "1.7.9", "1.8.0");
  check_change(capability::alloc_proxy_on_memory_allocate, "1.7", "1.8");
  check_change(capability::startup_initialize, "1.7", "1.8");
}

TEST_CASE("1.8: patch operation REPLACE", "[capabilities][gates]") {
  check_change(capability::patch_operation_replace, "1.7", "1.8");
  CHECK(at("1.5", capability::patch_operation_insert_first));
}

TEST_CASE("1.15: http downloads are unwrapped", "[capabilities][gates]") {
  check_change(capability::agent_http_unwrap, "1.14", "1.15");
  // Before 1.15 istio-agent passes a gzip/tar body to Envoy as it is, which cannot load it.
  const std::string gz = ef_remote("https://example.com/f.wasm.gz");
  const error e = wdtest::render_error(gz, "1.14");
  check_gate_error(e, "filters[0].module", "Istio 1.15 and later");
  CHECK(contains(e.message(), "f.wasm.gz"));
  CHECK(contains(spec_yaml(wdtest::render_text(gz, "1.15"), "EnvoyFilter"), "uri: https://example.com/f.wasm.gz\n"));
  // WasmPlugin downloads go through the same agent; a query string does not hide the suffix.
  const std::string wp_tar = "filters:\n- name: f\n  module: https://example.com/f.TAR?sig=1\n  sha256: " + wdtest::kSha +
                             "\n  resource: WasmPlugin\ntargets:\n- namespace: ns\n  selector: {app: a}\n";
  check_gate_error(wdtest::render_error(wp_tar, "1.14"), "filters[0].module", "Istio 1.15 and later");
  CHECK(wdtest::of_kind(wdtest::render_text(wp_tar, "1.15"), "WasmPlugin").size() == 1);
  // A bare .wasm (or a name merely containing .gz) is not an archive.
  CHECK(wdtest::of_kind(wdtest::render_text(ef_remote("https://example.com/f.gz.wasm"), "1.14"), "EnvoyFilter").size() == 1);
}

TEST_CASE("1.16: compat images may have several layers", "[capabilities][gates]") {
  check_change(capability::compat_image_multi_layer, "1.15", "1.16");
}

TEST_CASE("1.17: LISTENER_FILTER", "[capabilities][gates]") {
  check_change(capability::apply_to_listener_filter, "1.16", "1.17");
}

TEST_CASE("1.23: strict WasmPlugin url parsing", "[capabilities][gates]") {
  check_change(capability::wasm_plugin_strict_url, "1.22", "1.23");
}

TEST_CASE("1.25: fail-closed fetch failures install a deny-all filter", "[capabilities][gates]") {
  check_change(capability::agent_fail_closed_deny, "1.24", "1.25");
}

// ---- 1.30-1.32: today's releases, the next one, and ambient waypoints --------------------------

TEST_CASE("1.32 is the newest reviewed release; a newer minor renders with its rules and a warning",
          "[capabilities][versions]") {
  CHECK(newest_reviewed_release().at == release{1, 32, 0});
  CHECK(mesh_version::newest_supported() == release{1, 32, 0});
  CHECK(contains(std::string(newest_reviewed_release().source), "v1.32.0"));
  CHECK_FALSE(mesh_version::parse("1.32").newer_than_known());
  const mesh_version next = mesh_version::parse("1.33");
  CHECK(next.newer_than_known());
  CHECK(next.str() == "1.33");
  CHECK(next.effective().minor == 32);
  // Every row decides 1.33 as it decides 1.32.
  for (const auto& row : capability_table()) {
    INFO(row.key);
    CHECK(supports(next, row.id) == supports(mesh_version::parse("1.32.9999"), row.id));
  }
  const std::string spec = wp();
  const auto r33 = wdtest::render_text(spec, "1.33");
  CHECK(wdtest::has_diagnostic(r33, "version.newer-than-known"));
  CHECK_FALSE(wdtest::has_diagnostic(wdtest::render_text(spec, "1.32"), "version.newer-than-known"));
  CHECK(spec_yaml(r33, "WasmPlugin") == spec_yaml(wdtest::render_text(spec, "1.32"), "WasmPlugin"));
}

TEST_CASE("1.30: ISTIO_WASM_MAX_BINARY_SIZE_BYTES replaces the fixed 256 MiB limit", "[capabilities][gates]") {
  check_removal(capability::agent_fixed_module_size_limit, "1.29", "1.30");
  check_change(capability::agent_module_size_setting, "1.29", "1.30");
  CHECK(info(capability::traffic_extension_lua).since == release{1, 30, 0});
  CHECK(info(capability::traffic_extension_lua).use == row_use::documentation);
}

// TrafficExtension's CRD rules (istio.io/api v1.30.3 traffic_extension.proto XValidation; the row
// traffic-extension-lua): exactly one of wasm and lua, at most one of selector and targetRefs, at
// most 16 targetRefs. wasmdeploy meets the first by always writing wasm and never lua, and refuses
// the other two before rendering.
TEST_CASE("1.30: TrafficExtension's CRD rules: wasm xor lua, selector xor targetRefs, 16 targetRefs",
          "[capabilities][traffic-extension]") {
  const std::string head = "filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  sha256: " + wdtest::kSha +
                           "\n  resource: TrafficExtension\ntargets:\n- namespace: ns\n";
  const std::string y = spec_yaml(wdtest::render_text(head + "  selector: {app: a}\n", "1.30"), "TrafficExtension");
  CHECK(contains(y, "\n  wasm:\n"));
  CHECK_FALSE(contains(y, "lua"));
  CHECK_FALSE(contains(y, "targetRefs"));
  const error both = wdtest::render_error(head + "  selector: {app: a}\n  targetRefs: [{kind: Service, name: s}]\n", "1.30");
  CHECK(both.code() == "target.selector-and-refs");
  std::string refs = "  targetRefs:\n";
  for (int i = 0; i < 16; ++i) refs += "  - {kind: Service, name: s" + std::to_string(i) + "}\n";
  CHECK(contains(spec_yaml(wdtest::render_text(head + refs, "1.30"), "TrafficExtension"), "name: s15"));
  refs += "  - {kind: Service, name: s16}\n";
  CHECK(wdtest::render_error(head + refs, "1.30").code() == "target.too-many-refs");
}

namespace {
std::string te_refs(const std::string& ns, const std::string& refs) {
  return "filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  sha256: " + wdtest::kSha +
         "\n  resource: TrafficExtension\ntargets:\n- namespace: " + ns + "\n" + refs;
}
}  // namespace

TEST_CASE("waypoints never use a selector (istio #51038)", "[capabilities][waypoint]") {
  for (const char* label : {"gateway.networking.k8s.io/gateway-class-name: istio-waypoint",
                            "gateway.istio.io/managed: istio.io-mesh-controller"}) {
    INFO(label);
    const std::string sel = std::string("  selector: {gateway.networking.k8s.io/gateway-name: waypoint, ") + label + "}\n";
    const error e = wdtest::render_error(wp("", "", sel), "1.29");
    CHECK(e.code() == "no-effect.selector-on-waypoint");
    CHECK(e.path() == "targets[0].selector");
    CHECK(contains(e.message(), "kind: Gateway, name: waypoint"));
  }
  // A Gateway API gateway that is not a waypoint: selector policies attach by default.
  CHECK_NOTHROW(wdtest::render_text(wp("", "", "  selector: {gateway.networking.k8s.io/gateway-name: ingress}\n"), "1.29"));
}

TEST_CASE("a GatewayClass targetRef attaches only istio-waypoint, from the root namespace", "[capabilities][waypoint]") {
  const error e = wdtest::render_error(
      te_refs("istio-system", refs_target("{group: gateway.networking.k8s.io, kind: GatewayClass, name: istio}")), "1.31");
  CHECK(e.code() == "no-effect.gateway-class-not-waypoint");
  CHECK(e.path() == "targets[0].targetRefs[0].name");
  CHECK_FALSE(wdtest::has_diagnostic(wdtest::render_text(te_refs("istio-system", refs_target(kGatewayClassRef)), "1.31"),
                                     "no-effect.gateway-class-outside-root"));
  CHECK(wdtest::has_diagnostic(wdtest::render_text(te_refs("apps", refs_target(kGatewayClassRef)), "1.31"),
                               "no-effect.gateway-class-outside-root"));
}

TEST_CASE("1.31: a waypoint is served extensions from its services' namespaces (istio #60530)",
          "[capabilities][waypoint]") {
  check_change(capability::waypoint_cross_namespace_extensions, "1.30", "1.31");
  const std::string spec = wp("", refs_target(kServiceRef), "");
  const auto before = wdtest::render_text(spec, "1.30");
  CHECK(wdtest::has_diagnostic(before, "waypoint.cross-namespace-extension"));
  CHECK_FALSE(wdtest::has_diagnostic(wdtest::render_text(spec, "1.31"), "waypoint.cross-namespace-extension"));
  // A Gateway targetRef names the waypoint in its own namespace: nothing crosses.
  CHECK_FALSE(wdtest::has_diagnostic(wdtest::render_text(wp("", refs_target(kGatewayRef), ""), "1.30"),
                                     "waypoint.cross-namespace-extension"));
}
