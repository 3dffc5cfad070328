// The wasme node cache: a DaemonSet that pulls wasme-format images and writes each module to
// /var/local/lib/wasme-cache/<sha256 of the .wasm> on every node, which hostPath-mounted
// sidecars then read. This is how seeds 000-002 got modules into Istio < 1.12. The objects match
// what `wasme deploy istio` created (wasme.md §1), with NODE_HOSTNAME set so its readiness
// events count nodes correctly.
#include <fmt/format.h>

#include "render/common.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy::detail {
namespace {

constexpr const char* kNs = "wasme";
constexpr const char* kName = "wasme-cache";
constexpr const char* kImage = "quay.io/solo-io/wasme:0.0.33";
constexpr const char* kDir = "/var/local/lib/wasme-cache";

node meta(const char* name, bool with_ns) {
  node m = node::mapping();
  m.add("name", name);
  if (with_ns) m.add("namespace", kNs);
  m.add("labels", make_mapping({{"app", "wasme-cache"}, {kManagedByLabel, "wasmdeploy"}}));
  return m;
}

document doc(const char* api, const char* kind, const char* name, bool namespaced, node rest) {
  node body = make_mapping({{"apiVersion", api}, {"kind", kind}, {"metadata", meta(name, namespaced)}});
  for (auto& m : rest.members()) body.add(m.key, std::move(m.value));
  return make_document(document::role::resource, api, kind, namespaced ? kNs : "", name, std::move(body));
}

}  // namespace

std::vector<document> render_wasme_cache(const plan& p) {
  std::vector<document> out;
  if (p.cache_images.empty()) return out;
  std::string images;
  for (const auto& ref : p.cache_images) {
    if (!images.empty()) images += '\n';
    images += ref;
  }
  out.push_back(doc("v1", "Namespace", kNs, false, node::mapping()));
  out.push_back(doc("v1", "ServiceAccount", kName, true, node::mapping()));
  out.push_back(doc("v1", "ConfigMap", kName, true, make_mapping({{"data", make_mapping({{"images", images}})}})));
  out.push_back(doc("rbac.authorization.k8s.io/v1", "Role", kName, true,
                    make_mapping({{"rules", make_sequence({make_mapping({{"apiGroups", make_sequence({""})},
                                                                          {"resources", make_sequence({"events"})},
                                                                          {"verbs", make_sequence({"create"})}})})}})));
  out.push_back(doc("rbac.authorization.k8s.io/v1", "RoleBinding", kName, true,
                    make_mapping({{"roleRef", make_mapping({{"apiGroup", "rbac.authorization.k8s.io"},
                                                            {"kind", "Role"},
                                                            {"name", kName}})},
                                  {"subjects", make_sequence({make_mapping({{"kind", "ServiceAccount"},
                                                                            {"name", kName},
                                                                            {"namespace", kNs}})})}})));
  node container = make_mapping(
      {{"name", kName},
       {"image", kImage},
       {"args", make_sequence({"cache", "--directory", kDir, "--ref-file", "/etc/wasme-cache/images.txt",
                               "--cache-ns", kNs})},
       {"env", make_sequence({make_mapping({{"name", "NODE_HOSTNAME"},
                                            {"valueFrom", make_mapping({{"fieldRef", make_mapping({{"fieldPath", "spec.nodeName"}})}})}})})},
       {"resources", make_mapping({{"limits", make_mapping({{"cpu", "500m"}, {"memory", "256Mi"}})},
                                   {"requests", make_mapping({{"cpu", "50m"}, {"memory", "128Mi"}})}})},
       {"volumeMounts", make_sequence({make_mapping({{"name", "cache-dir"}, {"mountPath", kDir}}),
                                       make_mapping({{"name", "config"}, {"mountPath", "/etc/wasme-cache"}})})}});
  node pod = make_mapping(
      {{"serviceAccountName", kName},
       {"containers", make_sequence({container})},
       {"volumes", make_sequence({make_mapping({{"name", "cache-dir"},
                                                {"hostPath", make_mapping({{"path", kDir}, {"type", "DirectoryOrCreate"}})}}),
                                  make_mapping({{"name", "config"},
                                                {"configMap", make_mapping({{"name", kName},
                                                                            {"items", make_sequence({make_mapping({{"key", "images"}, {"path", "images.txt"}})})}})}})})}});
  out.push_back(doc("apps/v1", "DaemonSet", kName, true,
                    make_mapping({{"spec", make_mapping({{"selector", make_mapping({{"matchLabels", make_mapping({{"app", "wasme-cache"}})}})},
                                                         {"template", make_mapping({{"metadata", make_mapping({{"labels", make_mapping({{"app", "wasme-cache"}})}})},
                                                                                    {"spec", std::move(pod)}})}})}})));
  return out;
}

}  // namespace wasmdeploy::detail
