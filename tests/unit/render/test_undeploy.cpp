// Undeploy plans agree with renders: the same set of kind/namespace/name for created objects,
// and patches for exactly the patched objects, for every platform.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <tuple>

#include <wasmdeploy/spec.hpp>
#include <wasmdeploy/undeploy.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;

namespace {

using key = std::tuple<std::string, std::string, std::string, std::string>;  // api, kind, ns, name

std::set<key> keys(const std::vector<document>& docs, document::role role) {
  std::set<key> out;
  for (const auto& d : docs) {
    if (d.what == role) out.insert({d.api_version, d.kind, d.ns, d.name});
  }
  return out;
}

void check_agreement(const spec& s, const render_options& o) {
  render_result r = render(s, o);
  render_result u = render_undeploy(s, o);
  std::set<key> created = keys(r.documents, document::role::resource);
  for (auto it = created.begin(); it != created.end();) it = std::get<1>(*it) == "Namespace" ? created.erase(it) : ++it;
  CHECK(keys(u.documents, document::role::resource) == created);
  CHECK(keys(u.documents, document::role::patch) == keys(r.documents, document::role::patch));
  // The two halves never mix: what `kubectl delete -f` gets holds no patched (user) object.
  render_result deletions = render_undeploy(s, o, undeploy_part::deletions);
  render_result restores = render_undeploy(s, o, undeploy_part::restores);
  CHECK(keys(deletions.documents, document::role::patch).empty());
  CHECK(keys(deletions.documents, document::role::resource) == created);
  CHECK(keys(restores.documents, document::role::resource).empty());
  CHECK(keys(restores.documents, document::role::patch) == keys(r.documents, document::role::patch));
  CHECK(deletions.summary.documents + restores.summary.documents == u.summary.documents);
  for (const auto& d : u.documents) {
    if (d.what != document::role::resource) continue;
    CHECK(d.body.size() == 3);  // apiVersion, kind, metadata: nothing kubectl delete does not need
    CHECK(d.body.find("metadata")->find("labels") == nullptr);
  }
}

std::string example(const std::string& rel) { return std::string(WD_SOURCE_DIR) + "/examples/" + rel; }

}  // namespace

TEST_CASE("undeploy agrees with render for every platform", "[undeploy]") {
  struct row {
    const char* spec;
    const char* istio;
    const char* gateway;
  };
  const row rows[] = {
      {"bookinfo-add-header/spec.yaml", "1.8", ""},   {"bookinfo-add-header/spec.yaml", "1.24", ""},
      {"bookinfo-add-header/details.yaml", "1.8", ""}, {"gateway-json-config/spec.yaml", "1.22", ""},
      {"traffic-extension/spec.yaml", "1.30", ""},     {"wasme-filterdeployment/spec.yaml", "", ""},
      {"gloo-gateway/spec.yaml", "", ""},              {"envoy-gateway/spec.yaml", "", "v1.9"},
      {"higress/spec.yaml", "", ""},
  };
  for (const auto& r : rows) {
    INFO(r.spec << " " << r.istio << r.gateway);
    spec s = load_spec(example(r.spec));
    render_options o;
    o.istio = r.istio;
    o.gateway_version = r.gateway;
    check_agreement(s, o);
  }
}

TEST_CASE("undeploy restores the annotations a workload had", "[undeploy]") {
  spec s = parse_spec(R"(
filters:
- name: f
  module: oci://ghcr.io/x/f:v1
  moduleSha256: 0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510
  sha256: 6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a
targets:
- namespace: ns
  workloads:
  - name: w
    labels: {app: w}
    annotations:
      sidecar.istio.io/userVolume: '{"tmp":{"emptyDir":{}}}'
)");
  render_options o;
  o.istio = "1.8";
  check_agreement(s, o);
  render_result u = render_undeploy(s, o);
  const document* patch = nullptr;
  for (const auto& d : u.documents) {
    if (d.what == document::role::patch) patch = &d;
  }
  REQUIRE(patch != nullptr);
  const node* ann = patch->body.find("spec")->find("template")->find("metadata")->find("annotations");
  CHECK(ann->find("sidecar.istio.io/userVolume")->as_string() == R"({"tmp":{"emptyDir":{}}})");
  CHECK(ann->find("sidecar.istio.io/userVolumeMount")->is_null());
}

TEST_CASE("Gloo undeploy puts the input Gateway's filter list back", "[undeploy][gloo]") {
  spec s = load_spec(example("gloo-gateway/spec.yaml"));
  render_result u = render_undeploy(s, {});
  REQUIRE(u.documents.size() == 1);
  const node& sp = *u.documents[0].body.find("spec");
  CHECK(sp.size() == 1);  // a merge patch of httpGateway.options.wasm.filters only
  const node* filters = sp.find("httpGateway")->find("options")->find("wasm")->find("filters");
  // input/gateway.yaml's list as it was, the older add-header entry included
  REQUIRE(filters->items().size() == 2);
  CHECK(filters->items()[0].find("name")->as_string() == "zz-metrics");
  CHECK(filters->items()[1].find("image")->as_string() == "webassemblyhub.io/jameshbarton/add-header:v0.0");
}

TEST_CASE("Gloo undeploy removes the level the input Gateway lacked", "[undeploy][gloo]") {
  wdtest::temp_dir tmp("gloo-bare");
  std::ofstream(tmp.path() / "gw.yaml")
      << "apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: n}\n"
         "spec: {httpGateway: {options: {gzip: {}}}}\n";
  std::ofstream(tmp.path() / "spec.yaml")
      << "options: {platform: gloo, glooGateway: gw.yaml}\n"
         "filters: [{name: f, module: 'oci://r/f:v1', rootId: r}]\n";
  spec s = load_spec((tmp.path() / "spec.yaml").string());
  render_result r = render(s, {});
  REQUIRE(r.documents.size() == 1);
  const node* opts = r.documents[0].body.find("spec")->find("httpGateway")->find("options");
  CHECK(opts->find("gzip") == nullptr);  // the patch names only what it changes
  CHECK(opts->find("wasm")->find("filters")->items().size() == 1);
  render_result u = render_undeploy(s, {}, undeploy_part::restores);
  REQUIRE(u.documents.size() == 1);
  const node* wasm = u.documents[0].body.find("spec")->find("httpGateway")->find("options")->find("wasm");
  REQUIRE(wasm != nullptr);
  CHECK(wasm->is_null());  // JSON merge patch: null deletes the key
}

TEST_CASE("undeploy of a local Envoy bootstrap is empty", "[undeploy][envoy]") {
  spec s = parse_spec("options: {platform: envoy}\nfilters:\n- name: f\n  module: file:///f.wasm\n");
  render_result u = render_undeploy(s, {});
  CHECK(u.documents.empty());
  bool noted = false;
  for (const auto& d : u.summary.diagnostics) noted |= d.code == "undeploy.nothing";
  CHECK(noted);
}
