// --live: the workloads' annotations as kubectl prints them replace the spec's.
#include <catch2/catch.hpp>

#include <wasmdeploy/live.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;

namespace {

spec two_workloads() {
  return parse_spec(R"(
istio: "1.24"
filters: [{name: f, module: "oci://ghcr.io/acme/f:v1"}]
targets:
- namespace: ns
  workloads:
  - name: web
    labels: {app: web}
    annotations: {sidecar.istio.io/userVolume: '{"old":{"emptyDir":{}}}', other: kept}
  - {name: db, kind: StatefulSet, labels: {app: db}}
)");
}

const char* const kList = R"(apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: ns}
  spec:
    template:
      metadata:
        annotations:
          sidecar.istio.io/userVolume: '{"now":{"emptyDir":{}}}'
          wasmdeploy.io/volumes: '{"now":["g"]}'
          prometheus.io/scrape: "true"
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: db, namespace: ns}
  spec: {template: {metadata: {labels: {app: db}}}}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: db, namespace: other}
  spec: {template: {metadata: {annotations: {sidecar.istio.io/userVolume: '{"x":{}}'}}}}
)";

}  // namespace

TEST_CASE("live annotations replace the spec's volume annotations", "[plan][live]") {
  spec s = two_workloads();
  apply_live_workloads(s, kList, "live.yaml");
  const auto& web = s.targets[0].workloads[0].annotations;
  CHECK(web.at("sidecar.istio.io/userVolume") == R"({"now":{"emptyDir":{}}})");
  CHECK(web.at("wasmdeploy.io/volumes") == R"({"now":["g"]})");
  CHECK(web.at("other") == "kept");                // not one wasmdeploy merges: the spec's stays
  CHECK(web.count("prometheus.io/scrape") == 0);  // nor taken from the cluster
  // The StatefulSet, not the Deployment of the same name elsewhere: it has none.
  CHECK(s.targets[0].workloads[1].annotations.empty());
}

TEST_CASE("one object (kubectl get deployment/NAME -o json) is live input too", "[plan][live]") {
  spec s = parse_spec("istio: '1.24'\nfilters: [{name: f, module: 'oci://ghcr.io/acme/f:v1'}]\n"
                      "targets: [{namespace: ns, workloads: [{name: web, labels: {app: web}}]}]\n");
  apply_live_workloads(s,
                       R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns"},)"
                       R"("spec":{"template":{"metadata":{"annotations":{"sidecar.istio.io/userVolumeMount":"{}"}}}}})",
                       "live.json");
  CHECK(s.targets[0].workloads[0].annotations.at("sidecar.istio.io/userVolumeMount") == "{}");
}

TEST_CASE("a listed workload missing from the live input is refused", "[plan][live][errors]") {
  spec s = two_workloads();
  const std::string only_web = std::string(kList).substr(0, std::string(kList).find("- apiVersion: apps/v1\n  kind: StatefulSet"));
  try {
    apply_live_workloads(s, only_web, "live.yaml");
    FAIL("accepted");
  } catch (const error& e) {
    CHECK(e.code() == "live.workload-missing");
    CHECK(e.path() == "targets[0].workloads[1]");
  }
  try {
    apply_live_workloads(s, "just: text\n", "live.yaml");
    FAIL("accepted");
  } catch (const error& e) {
    CHECK(e.code() == "live.not-objects");
  }
}
