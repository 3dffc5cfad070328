// The wasme node cache: a DaemonSet that pulls wasme-format images and writes each module to
// /var/local/lib/wasme-cache/<sha256 of the .wasm> on every node, which hostPath-mounted
// sidecars then read. This is how seeds 000-002 got modules into Istio < 1.12. The objects match
// what `wasme deploy istio` created (wasme.md §1), with NODE_HOSTNAME set so its readiness
// events count nodes correctly, except that each filter gets its own set, named
// wasme-cache-<filter>: wasme shared one set and appended images to its list, which separate
// renders cannot do without reading the cluster, and undeploying one filter would delete the
// cache of every other (and of a wasme install's `wasme-cache`). The caches write the same
// hostPath (wasme's writer skips a file that exists, and names are content hashes).
#include <fmt/format.h>

#include "render/common.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy::detail {
namespace {

constexpr const char* kNs = "wasme";
constexpr const char* kImage = "quay.io/solo-io/wasme:0.0.33";
constexpr const char* kDir = "/var/local/lib/wasme-cache";

node meta(const std::string& name, bool with_ns) {
  node m = node::mapping();
  m.add("name", name);
  if (with_ns) m.add("namespace", kNs);
  m.add("labels", make_mapping({{"app", name}, {kManagedByLabel, "wasmdeploy"}}));
  return m;
}

document doc(const char* api, const char* kind, const std::string& name, node rest) {
  node body = make_mapping({{"apiVersion", api}, {"kind", kind}, {"metadata", meta(name, true)}});
  for (auto& m : rest.members()) body.add(m.key, std::move(m.value));
  return make_document(document::role::resource, api, kind, kNs, name, std::move(body));
}

// One filter's cache: its image list, RBAC for the readiness events, and the DaemonSet.
void render_cache(const std::string& name, const std::string& image, std::vector<document>& out) {
  out.push_back(doc("v1", "ServiceAccount", name, node::mapping()));
  out.push_back(doc("v1", "ConfigMap", name, make_mapping({{"data", make_mapping({{"images", image}})}})));
  out.push_back(doc("rbac.authorization.k8s.io/v1", "Role", name,
                    make_mapping({{"rules", make_sequence({make_mapping({{"apiGroups", make_sequence({""})},
                                                                          {"resources", make_sequence({"events"})},
                                                                          {"verbs", make_sequence({"create"})}})})}})));
  out.push_back(doc("rbac.authorization.k8s.io/v1", "RoleBinding", name,
                    make_mapping({{"roleRef", make_mapping({{"apiGroup", "rbac.authorization.k8s.io"},
                                                            {"kind", "Role"},
                                                            {"name", name}})},
                                  {"subjects", make_sequence({make_mapping({{"kind", "ServiceAccount"},
                                                                            {"name", name},
                                                                            {"namespace", kNs}})})}})));
  // fieldRef is an atomic struct for server-side apply and the API server defaults its
  // apiVersion: without it, every second applier of these objects (another owner of the same
  // cache) would conflict with the stored, defaulted value.
  node container = make_mapping(
      {{"name", "wasme-cache"},
       {"image", kImage},
       {"args", make_sequence({"cache", "--directory", kDir, "--ref-file", "/etc/wasme-cache/images.txt",
                               "--cache-ns", kNs})},
       {"env", make_sequence({make_mapping({{"name", "NODE_HOSTNAME"},
                                            {"valueFrom", make_mapping({{"fieldRef", make_mapping({{"apiVersion", "v1"}, {"fieldPath", "spec.nodeName"}})}})}})})},
       {"resources", make_mapping({{"limits", make_mapping({{"cpu", "500m"}, {"memory", "256Mi"}})},
                                   {"requests", make_mapping({{"cpu", "50m"}, {"memory", "128Mi"}})}})},
       {"volumeMounts", make_sequence({make_mapping({{"name", "cache-dir"}, {"mountPath", kDir}}),
                                       make_mapping({{"name", "config"}, {"mountPath", "/etc/wasme-cache"}})})}});
  node pod = make_mapping(
      {{"serviceAccountName", name},
       {"containers", make_sequence({container})},
       {"volumes", make_sequence({make_mapping({{"name", "cache-dir"},
                                                {"hostPath", make_mapping({{"path", kDir}, {"type", "DirectoryOrCreate"}})}}),
                                  make_mapping({{"name", "config"},
                                                {"configMap", make_mapping({{"name", name},
                                                                            {"items", make_sequence({make_mapping({{"key", "images"}, {"path", "images.txt"}})})}})}})})}});
  out.push_back(doc("apps/v1", "DaemonSet", name,
                    make_mapping({{"spec", make_mapping({{"selector", make_mapping({{"matchLabels", make_mapping({{"app", name}})}})},
                                                         {"template", make_mapping({{"metadata", make_mapping({{"labels", make_mapping({{"app", name}})}})},
                                                                                    {"spec", std::move(pod)}})}})}})));
}

}  // namespace

std::vector<document> render_wasme_cache(const plan& p) {
  std::vector<document> out;
  bool any = false;
  for (const auto& fp : p.filters) any |= fp.wasme_cache;
  if (!any) return out;
  // The namespace may be wasme's own: it carries no wasmdeploy label and undeploy never
  // deletes it.
  node ns = make_mapping({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", make_mapping({{"name", kNs}})}});
  out.push_back(make_document(document::role::resource, "v1", "Namespace", "", kNs, std::move(ns)));
  for (const auto& fp : p.filters) {
    if (fp.wasme_cache) render_cache(fp.cache_name, fp.cache_image, out);
  }
  return out;
}

}  // namespace wasmdeploy::detail
