// Kubernetes manifests for running wasmdeploy as an operator: the WasmDeployment CRD, whose
// OpenAPI schema is generated from the spec proto so the API server refuses what the spec
// reader refuses, wasme's FilterDeployment CRD, and the controller's RBAC and Deployment.
#pragma once

#include <string>
#include <vector>

#include <wasmdeploy/node.hpp>

namespace wasmdeploy {

/// The wasmdeployments.wasmdeploy.io CustomResourceDefinition (apiextensions.k8s.io/v1).
/// The object is the spec file itself (istio, options, filters, targets at the top level, as
/// the CLI reads it) plus metadata and a status written by the controller.
node wasmdeployment_crd();

/// The clusterwasmdeployments.wasmdeploy.io CRD: the WasmDeployment spec, cluster-scoped, for
/// what a namespaced object may not do (other namespaces, the Istio root namespace, the node cache).
node clusterwasmdeployment_crd();

/// The filterdeployments.wasme.io CRD (wasme.io/v1, the group, names and scope of wasme's
/// own, which had no schema) with a structural schema of wasme's FilterDeployment proto.
node filterdeployment_crd();

struct operator_options {
  std::string ns = "wasmdeploy-system";  ///< where the controller runs (and holds its Lease)
  std::string image;                     ///< controller image; required; pin it as repo@sha256:<hex>
  std::string istio;                     ///< --istio for the controller; "" = detect from istiod
  std::string node_cache_namespaces;     ///< --node-cache-namespaces: namespaces allowed the hostPath node cache
  /// Further controller flags, "name=value" without the dashes (e.g. "registry-hosts=ghcr.io"),
  /// in order; only the names controller_flag_names() lists (the rest are set above or fixed).
  std::vector<std::string> controller_flags;
  /// A ConfigMap in `ns` holding the CA bundle registries are verified with, as "NAME" or
  /// "NAME:KEY" (key default ca.crt): mounted read-only and passed as --registry-ca-file.
  std::string registry_ca_configmap;
};

/// The controller flags operator_options::controller_flags may set.
const std::vector<std::string>& controller_flag_names();

/// Everything `kubectl apply --server-side -f` needs to run the controller: both CRDs, the
/// Namespace, ServiceAccount, least-privilege ClusterRole/Role and bindings, and the Deployment.
/// @throws error `operator.no-image`, `operator.image-digest` (a digest that is not sha256:<64 hex>).
std::vector<node> operator_manifests(const operator_options& o);

/// True when an image reference names its manifest by digest (`...@sha256:<64 lowercase hex>`),
/// so every node runs the same bytes whatever a tag points to later.
bool image_pinned(const std::string& image);

/// The numeric user and group the controller's image runs as (scripts/controller-image.sh
/// writes it into the image config; the Deployment's runAsUser/runAsGroup name it too, since
/// runAsNonRoot can be checked by the kubelet only against a numeric user).
inline constexpr int kControllerUser = 65532;

/// The field manager the controller applies with, and the label marking what it created.
inline constexpr const char* kControllerName = "wasmdeploy-controller";

}  // namespace wasmdeploy
