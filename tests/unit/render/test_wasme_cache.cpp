// wasme node cache objects: only when an image is delivered through hostPath.
#include <catch2/catch.hpp>

#include <fstream>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::at;

namespace {

std::string two_images(const std::string& istio) {
  return "istio: '" + istio + "'\nfilters:\n"
         "- name: b\n  module: oci://ghcr.io/acme/b:v1\n  sha256: " + wdtest::kSha + "\n  moduleSha256: " + wdtest::kSha2 + "\n"
         "- name: a\n  module: oci://docker.io/acme/a:v2\n  sha256: " + wdtest::kSha2 + "\n  moduleSha256: " + wdtest::kSha + "\n"
         "- name: c\n  module: oci://ghcr.io/acme/b:v1\n  sha256: " + wdtest::kSha + "\n  moduleSha256: " + wdtest::kSha2 + "\n"
         "targets:\n- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n  filters: [a, b]\n"
         "- name: t2\n  namespace: ns\n  workloads:\n  - {name: e, labels: {app: e}}\n  filters: [c]\n";
}

}  // namespace

TEST_CASE("wasme cache objects come first: the namespace, then one set per filter", "[render][wasme]") {
  const auto r = wdtest::render_text(two_images("1.8"));
  std::vector<std::string> kinds, names;
  for (const auto& d : r.documents) {
    kinds.push_back(d.kind);
    names.push_back(d.name);
  }
  REQUIRE(kinds.size() >= 16);
  const std::vector<std::string> set{"ServiceAccount", "ConfigMap", "Role", "RoleBinding", "DaemonSet"};
  CHECK(kinds[0] == "Namespace");
  for (size_t i = 0; i < 3; ++i) {
    CHECK(std::vector<std::string>(kinds.begin() + 1 + 5 * i, kinds.begin() + 6 + 5 * i) == set);
  }
  // One set per filter, in spec order, named after it: undeploying one filter deletes only its
  // own, and never wasme's `wasme-cache`.
  CHECK(names[1] == "wasme-cache-b");
  CHECK(names[6] == "wasme-cache-a");
  CHECK(names[11] == "wasme-cache-c");
  const document ns = r.documents[0];
  CHECK(ns.ns.empty());
  CHECK(ns.file_name == "namespace-wasme.yaml");
  // The namespace may be wasme's: no wasmdeploy label on it.
  CHECK(wdtest::keys_of(*at(ns.body, {"metadata"})) == std::vector<std::string>{"name"});
  CHECK(*at(r.documents[2].body, {"data", "images"}) == node("ghcr.io/acme/b:v1"));
  CHECK(*at(r.documents[7].body, {"data", "images"}) == node("docker.io/acme/a:v2"));
  const document ds = r.documents[5];
  CHECK(ds.file_name == "daemonset-wasme-wasme-cache-b.yaml");
  CHECK(*at(ds.body, {"spec", "selector", "matchLabels", "app"}) == node("wasme-cache-b"));
  CHECK(*at(ds.body, {"spec", "template", "spec", "serviceAccountName"}) == node("wasme-cache-b"));
  CHECK(*at(ds.body, {"spec", "template", "spec", "volumes", "1", "configMap", "name"}) == node("wasme-cache-b"));
  CHECK(*at(r.documents[4].body, {"subjects", "0", "name"}) == node("wasme-cache-b"));
  const node& c = *at(ds.body, {"spec", "template", "spec", "containers", "0"});
  CHECK(*at(c, {"image"}) == node("quay.io/solo-io/wasme:0.0.33"));
  CHECK(*at(c, {"env", "0", "name"}) == node("NODE_HOSTNAME"));
  // With the apiVersion the API server would default: a second owner's apply of the same
  // DaemonSet must not conflict on the atomic fieldRef (controller.tenancy).
  CHECK(*at(c, {"env", "0", "valueFrom", "fieldRef"}) ==
        make_mapping({{"apiVersion", "v1"}, {"fieldPath", "spec.nodeName"}}));
  CHECK(*at(ds.body, {"spec", "template", "spec", "volumes", "0", "hostPath"}) ==
        make_mapping({{"path", "/var/local/lib/wasme-cache"}, {"type", "DirectoryOrCreate"}}));
  // The filters read the cached file named by moduleSha256.
  const auto efs = wdtest::of_kind(r, "EnvoyFilter");
  REQUIRE(efs.size() == 3);
  CHECK(wdtest::contains(wdtest::yaml_of(efs[0]), "filename: /var/local/lib/wasme-cache/" + wdtest::kSha2));
  CHECK(wdtest::of_kind(r, "Deployment").size() == 2);
}

TEST_CASE("two filters whose cache names meet are refused", "[render][wasme][errors]") {
  const std::string y = "istio: '1.8'\nfilters:\n"
                        "- name: a.b\n  module: oci://ghcr.io/acme/b:v1\n  moduleSha256: " + wdtest::kSha + "\n"
                        "- name: a-b\n  module: oci://ghcr.io/acme/c:v1\n  moduleSha256: " + wdtest::kSha2 + "\n"
                        "targets:\n- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n";
  const error e = wdtest::render_error(y);
  CHECK(e.code() == "render.name-collision");
  CHECK(e.path() == "filters[1].name");
  CHECK(wdtest::contains(e.message(), "wasme-cache-a-b"));
}

TEST_CASE("no wasme cache when istio-agent pulls the image", "[render][wasme]") {
  const auto r = wdtest::render_text(two_images("1.12"));
  CHECK(wdtest::of_kind(r, "DaemonSet").empty());
  CHECK(wdtest::of_kind(r, "Namespace").empty());
  CHECK(wdtest::of_kind(r, "Deployment").empty());
}

TEST_CASE("no wasme cache for a local module delivered through hostPath", "[render][wasme]") {
  wdtest::temp_dir tmp("render-wasme-local");
  std::ofstream(tmp.str() + "/f.wasm", std::ios::binary) << wdtest::proxy_module();
  const auto r = wdtest::render_text("istio: '1.8'\nfilters:\n- name: f\n  module: ./f.wasm\n  delivery: hostpath\n"
                                     "targets:\n- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n",
                                     "", tmp.str());
  CHECK(wdtest::of_kind(r, "DaemonSet").empty());
  CHECK(wdtest::has_diagnostic(r, "hostpath.copy-module"));
  CHECK(wdtest::of_kind(r, "Deployment").size() == 1);
}
