// `wasmdeploy crd` and `wasmdeploy operator-manifests`: what a cluster needs to run the
// controller (controller/), as a YAML stream for `kubectl apply --server-side -f -`.
#include <cstdio>

#include <wasmdeploy/crd.hpp>
#include <wasmdeploy/error.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
namespace {

void print_stream(const std::vector<node>& docs) {
  std::string out;
  for (const auto& d : docs) {
    out += "---\n";
    out += to_yaml(d);
    if (out.back() != '\n') out += '\n';
  }
  std::fputs(out.c_str(), stdout);
}

}  // namespace

void add_crd_commands(CLI::App& app) {
  auto which = std::make_shared<std::string>("wasmdeployment");
  CLI::App* crd = app.add_subcommand("crd",
                                     "Print the WasmDeployment CRD (schema generated from spec.proto).\n"
                                     "  wasmdeploy crd | kubectl apply --server-side -f -");
  crd->add_option("--kind", *which, "wasmdeployment (default), clusterwasmdeployment, filterdeployment or all")
      ->check(CLI::IsMember({"wasmdeployment", "clusterwasmdeployment", "filterdeployment", "all"}));
  crd->callback([which] {
    std::vector<node> docs;
    if (*which == "wasmdeployment" || *which == "all") docs.push_back(wasmdeployment_crd());
    if (*which == "clusterwasmdeployment" || *which == "all") docs.push_back(clusterwasmdeployment_crd());
    if (*which == "filterdeployment" || *which == "all") docs.push_back(filterdeployment_crd());
    print_stream(docs);
  });

  auto o = std::make_shared<operator_options>();
  CLI::App* om = app.add_subcommand(
      "operator-manifests",
      "Print the controller's CRDs, RBAC and Deployment.\n"
      "  wasmdeploy operator-manifests --image registry.example.com/wasmdeploy-controller:v1 | kubectl apply --server-side -f -");
  om->add_option("--image", o->image, "Controller image (required)");
  om->add_option("--namespace", o->ns, "Namespace the controller runs in (default wasmdeploy-system)");
  om->add_option("--istio", o->istio, "Istio version for the controller (default: read istiod's image tag)");
  om->add_option("--node-cache-namespaces", o->node_cache_namespaces,
                 "Comma-separated namespaces whose objects may use the wasme node cache (a hostPath DaemonSet on every node; "
                 "Istio < 1.12 with an image). Default none: only a ClusterWasmDeployment may");
  om->callback([o] { print_stream(operator_manifests(*o)); });
}

}  // namespace wasmdeploy::cli
