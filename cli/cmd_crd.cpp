// `wasmdeploy crd` and `wasmdeploy operator-manifests`: what a cluster needs to run the
// controller (controller/), as a YAML stream for `kubectl apply --server-side -f -`.
#include <cstdio>

#include <wasmdeploy/crd.hpp>
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/oci_image.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

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

/// The controller image to run: --image as given, or pinned to the manifest digest of the OCI
/// layout scripts/controller-image.sh wrote (--image-layout), and a warning when it stays a tag.
std::string controller_image(const std::string& image, const std::string& layout_dir) {
  if (layout_dir.empty()) {
    if (!image.empty() && !image_pinned(image)) {
      print_diagnostics({diagnostic{severity::warning, "operator.image-unpinned", "--image",
                                    fmt::format("'{}' is a tag: nodes may run different bytes as it moves; pin it as "
                                                "repo@sha256:<digest> or pass --image-layout", image),
                                    {}}},
                        false);
    }
    return image;
  }
  if (image.empty()) throw error(errc::usage, "operator.no-image", "--image", "give the repository the image was pushed to with --image");
  // The project's own layout reader: index.json, the manifest and every blob checked against its digest.
  const layout_report r = inspect_layout(layout_dir);
  if (r.module || r.kind != layout_kind::unknown) {
    throw error(errc::invalid, "operator.image-layout-wasm", "--image-layout",
                fmt::format("{} holds a Wasm module image ({}), not the controller's; build that with "
                            "scripts/controller-image.sh",
                            layout_dir, layout_kind_name(r.kind)));
  }
  const auto at = image.find('@');
  if (at != std::string::npos) {
    if (image.substr(at + 1) != r.manifest.digest) {
      throw error(errc::usage, "operator.image-digest-mismatch", "--image",
                  fmt::format("'{}' names another digest than the layout's {}", image, r.manifest.digest));
    }
    return image;
  }
  return image + "@" + r.manifest.digest;
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
  auto layout = std::make_shared<std::string>();
  om->add_option("--image", o->image,
                 "Controller image (required), pinned as repo@sha256:<digest>; with --image-layout the repository it was pushed to");
  om->add_option("--image-layout", *layout,
                 "OCI layout written by scripts/controller-image.sh: pins --image to its manifest digest");
  om->add_option("--namespace", o->ns, "Namespace the controller runs in (default wasmdeploy-system)");
  om->add_option("--istio", o->istio, "Istio version for the controller (default: read istiod's image tag)");
  om->add_option("--node-cache-namespaces", o->node_cache_namespaces,
                 "Comma-separated namespaces whose objects may use the wasme node cache (a hostPath DaemonSet on every node; "
                 "Istio < 1.12 with an image). Default none: only a ClusterWasmDeployment may");
  om->add_option("--controller-flag", o->controller_flags,
                 "A further controller flag as NAME=VALUE (repeatable), e.g. registry-hosts=ghcr.io or workers=32; "
                 "names: " + fmt::format("{}", fmt::join(controller_flag_names(), ", ")))
      ->type_name("NAME=VALUE");
  om->add_option("--registry-ca-configmap", o->registry_ca_configmap,
                 "ConfigMap (NAME or NAME:KEY, key default ca.crt) in the controller's namespace holding the PEM bundle "
                 "registries are verified with: mounted read-only, passed as --registry-ca-file");
  om->callback([o, layout] {
    operator_options pinned = *o;
    pinned.image = controller_image(o->image, *layout);
    print_stream(operator_manifests(pinned));
  });
}

}  // namespace wasmdeploy::cli
