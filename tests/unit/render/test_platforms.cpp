// Refusals of the non-Istio platforms and of TrafficExtension: each error path by code and
// field path.
#include <catch2/catch.hpp>

#include <wasmdeploy/gateway_capabilities.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>

using namespace wasmdeploy;

namespace {

std::string oci_filter(const std::string& extra = "") {
  return "filters:\n- name: f\n  module: oci://ghcr.io/x/f:v1\n  rootId: r\n" + extra;
}

render_result run(const std::string& text, const std::string& istio = "", const std::string& eg = "") {
  spec s = parse_spec(text, "t.yaml");
  render_options o;
  o.istio = istio;
  o.gateway_version = eg;
  return render(s, o);
}

void expect_error(const std::string& text, const std::string& code, const std::string& path,
                  const std::string& istio = "", const std::string& eg = "") {
  try {
    run(text, istio, eg);
    FAIL("no error; expected " << code);
  } catch (const error& e) {
    CHECK(e.code() == code);
    CHECK(e.path() == path);
  }
}

bool has_diagnostic(const render_result& r, const std::string& code) {
  for (const auto& d : r.summary.diagnostics) {
    if (d.code == code) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("platform names parse and print", "[platform]") {
  CHECK(parse_platform("envoy-gateway", "p") == platform::envoy_gateway);
  CHECK(parse_platform("Higress", "p") == platform::higress);
  CHECK(to_string(platform::wasme) == "wasme");
  CHECK_THROWS_AS(parse_platform("kong", "options.platform"), error);
  expect_error("options: {platform: kong}\n" + oci_filter(), "platform.unknown-value", "options.platform");
}

TEST_CASE("TrafficExtension is rendered only from Istio 1.30", "[platform][istio]") {
  const std::string spec = "options: {resource: TrafficExtension}\n" + oci_filter() +
                           "targets:\n- namespace: ns\n  selector: {app: a}\n";
  expect_error(spec, "version.unsupported-field", "filters[0].resource", "1.29");
  auto r = run(spec, "1.30");
  REQUIRE(r.documents.size() == 2);  // the resource and the runtime-config file
  CHECK(r.documents[0].kind == "TrafficExtension");
  CHECK(r.documents[0].body.find("spec")->find("wasm")->find("url")->as_string() == "oci://ghcr.io/x/f:v1");
  // auto still picks WasmPlugin.
  auto w = run(oci_filter() + "targets:\n- namespace: ns\n  selector: {app: a}\n", "1.31");
  CHECK(w.documents[0].kind == "WasmPlugin");
  expect_error("options: {resource: TrafficExtension}\nfilters:\n- name: f\n  module: oci://ghcr.io/x/f:v1\n"
               "  config: plain\ntargets:\n- namespace: ns\n  selector: {app: a}\n",
               "wasmplugin.config-string", "filters[0].config", "1.30");
}

TEST_CASE("wasme FilterDeployment refusals", "[platform][wasme]") {
  const std::string head = "options: {platform: wasme}\n";
  const std::string target = "targets:\n- namespace: ns\n  selector: {app: a}\n";
  expect_error(head + "filters:\n- name: f\n  module: https://x/f.wasm\n" + target, "wasme.image-required",
               "filters[0].module");
  expect_error(head + oci_filter("  failStrategy: FAIL_OPEN\n") + target, "wasme.unsupported-field",
               "filters[0].failStrategy");
  expect_error(head + oci_filter() + "targets:\n- namespace: ns\n  targetRefs: [{kind: Gateway, name: g}]\n",
               "wasme.unsupported-field", "targets[0].targetRefs");
  expect_error(head + oci_filter() +
                   "targets:\n- namespace: ns\n  selector: {app: a}\n  workloads: [{name: w, labels: {app: a}}]\n",
               "wasme.selector-and-workloads", "targets[0].selector");
  auto r = run(head + oci_filter() + "targets:\n- namespace: ns\n");
  CHECK(has_diagnostic(r, "wasme.all-workloads"));
  const node* fs = r.documents.at(0).body.find("spec")->find("filter");
  CHECK(fs->find("image")->as_string() == "ghcr.io/x/f:v1");
  CHECK(fs->find("rootID")->as_string() == "r");
  CHECK(fs->find("patchContext") == nullptr);  // the operator's default, SIDECAR_INBOUND
  // A gateway has no SIDECAR_INBOUND listener: a gateway-only selection says gateway.
  auto gw = run(head + oci_filter() + "targets:\n- namespace: istio-system\n  selector: {istio: ingressgateway}\n");
  CHECK(gw.documents.at(0).body.find("spec")->find("filter")->find("patchContext")->as_string() == "gateway");
}

TEST_CASE("Gloo refusals", "[platform][gloo]") {
  const std::string head = "options: {platform: gloo}\n";
  expect_error(head + "filters:\n- name: f\n  module: https://x/f.wasm\n  rootId: r\n", "gloo.module-source",
               "filters[0].module");
  expect_error(head + "filters:\n- name: f\n  module: oci://ghcr.io/x/f:v1\n", "gloo.root-id-required",
               "filters[0].rootId");
  expect_error(head + oci_filter("  imagePullSecret: s\n"), "gloo.unsupported-field", "filters[0].imagePullSecret");
  auto r = run(head + oci_filter());
  CHECK(has_diagnostic(r, "gloo.no-gateway-input"));
  CHECK(r.documents.at(0).what == document::role::patch);
}

TEST_CASE("local Envoy bootstrap refusals", "[platform][envoy]") {
  const std::string head = "options: {platform: envoy}\n";
  expect_error(head + oci_filter(), "envoy.module-source", "filters[0].module");
  expect_error("options: {platform: envoy, envoy: {upstream: nohost}}\nfilters:\n- name: f\n  module: file:///f.wasm\n",
               "envoy.upstream", "options.envoy.upstream");
  expect_error("options: {platform: envoy, envoy: {listenPort: 70000}}\nfilters:\n- name: f\n  module: file:///f.wasm\n",
               "envoy.port-range", "options.envoy.listenPort");
  expect_error("options: {platform: envoy, envoy: {listenPort: 9000, adminPort: 9000}}\nfilters:\n- name: f\n"
               "  module: file:///f.wasm\n",
               "envoy.port-conflict", "options.envoy.adminPort");
  expect_error(head + "filters:\n- name: f\n  module: file:///f.wasm\n  type: NETWORK\n", "envoy.unsupported-field",
               "filters[0].type");
  auto r = run(head + "filters:\n- name: f\n  module: file:///f.wasm\n");
  REQUIRE(r.documents.size() == 1);
  CHECK(r.documents[0].what == document::role::file);
  CHECK(r.documents[0].body.as_string().find("envoy.extensions.filters.http.wasm.v3.Wasm") != std::string::npos);
}

TEST_CASE("Envoy Gateway version gates and refusals", "[platform][envoy-gateway]") {
  const std::string head = "options: {platform: envoy-gateway}\n";
  const std::string target = "targets:\n- namespace: ns\n  targetRefs: [{kind: Gateway, name: g}]\n";
  expect_error(head + oci_filter() + target, "gateway-version.missing", "options.gatewayVersion");
  expect_error(head + oci_filter() + target, "gateway-version.syntax", "--gateway-version", "", "one.two");
  expect_error(head + oci_filter() + target, "gateway-version.unsupported", "--gateway-version", "", "v1.0");
  expect_error(head + oci_filter("  env: [{name: A, valueFrom: HOST}]\n") + target, "version.unsupported-field",
               "filters[0].env", "", "v1.2");
  expect_error(head + oci_filter("  env: [{name: A, value: b}]\n") + target, "envoy-gateway.env-inline",
               "filters[0].env[0]", "", "v1.3");
  expect_error(head + oci_filter() + "targets:\n- namespace: ns\n  targetRefs: [{kind: ListenerSet, name: l}]\n",
               "version.unsupported-field", "targets[0].targetRefs[0].kind", "", "v1.8");
  expect_error(head + oci_filter() + "targets:\n- namespace: ns\n  targetRefs: [{kind: Service, name: s}]\n",
               "envoy-gateway.target-kind", "targets[0].targetRefs[0].kind", "", "v1.9");
  expect_error(head + oci_filter() + "targets:\n- namespace: ns\n  selector: {app: a}\n",
               "envoy-gateway.no-target-refs", "targets[0].targetRefs", "", "v1.9");
  expect_error(head + oci_filter("  config: plain\n") + target, "envoy-gateway.config-string", "filters[0].config", "",
               "v1.9");
  expect_error(head + "filters:\n- name: f\n  module: file:///f.wasm\n" + target, "envoy-gateway.module-source",
               "filters[0].module", "", "v1.9");
  expect_error(head + oci_filter() + "- name: g\n  module: oci://ghcr.io/x/g:v1\n" + target,
               "envoy-gateway.target-name-required", "targets[0].name", "", "v1.9");
  expect_error(head + oci_filter("  phase: AUTHN\n") + target, "envoy-gateway.unsupported-field", "filters[0].phase",
               "", "v1.9");
  auto r = run(head + oci_filter() + target, "", "v1.9");
  CHECK(r.summary.platform_version == "v1.9");
  CHECK(supports(release{1, 3, 0}, gateway_capability::eep_wasm_env_host_keys));
  CHECK_FALSE(supports(release{1, 7, 0}, gateway_capability::eep_cross_namespace_pull_secret));
}

TEST_CASE("Higress refusals", "[platform][higress]") {
  const std::string head = "options: {platform: higress}\n";
  expect_error(head + oci_filter() + "targets:\n- namespace: default\n", "higress.namespace", "targets[0].namespace");
  expect_error(head + oci_filter() + "targets:\n- namespace: higress-system\n  selector: {app: a}\n", "higress.selector",
               "targets[0]");
  expect_error(head + oci_filter() + "targets:\n- namespace: higress-system\n  rules: [{config: {a: 1}}]\n",
               "higress.rule-no-match", "targets[0].rules[0]");
  expect_error(head + oci_filter("  config: plain\n"), "higress.config-string", "filters[0].config");
  expect_error(head + oci_filter("  failStrategy: FAIL_RELOAD\n"), "higress.unsupported-field", "filters[0].failStrategy");
  auto r = run(head + oci_filter());
  CHECK(r.documents.at(0).ns == "higress-system");
  CHECK(has_diagnostic(r, "higress.plugin-config-overrides"));
}
