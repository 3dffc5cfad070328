// --live: the annotations a workload has now, from kubectl's own output.
#include <wasmdeploy/live.hpp>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>

#include "render/pod_annotations.hpp"

namespace wasmdeploy {
namespace {

const char* const kMergedKeys[] = {detail::kUserVolume, detail::kUserVolumeMount, detail::kModuleHashAnnotation,
                                   detail::kVolumeOwnersAnnotation, detail::kUserVolumesAnnotation};

const std::string* string_at(const node& n, std::initializer_list<const char*> path) {
  const node* at = &n;
  for (const char* key : path) {
    if (!at->is_mapping() || (at = at->find(key)) == nullptr) return nullptr;
  }
  return at->is_string() ? &at->as_string() : nullptr;
}

const node* annotations_of(const node& obj) {
  const node* at = &obj;
  for (const char* key : {"spec", "template", "metadata", "annotations"}) {
    if (!at->is_mapping() || (at = at->find(key)) == nullptr) return nullptr;
  }
  return at->is_mapping() ? at : nullptr;
}

}  // namespace

void apply_live_workloads(spec& s, std::string_view text, const std::string& file) {
  node root = parse_config_value(text, file);
  std::vector<const node*> objects;
  const std::string* kind = string_at(root, {"kind"});
  if (kind != nullptr && *kind == "List") {
    const node* items = root.find("items");
    if (items != nullptr && items->is_sequence()) {
      for (const auto& i : items->items()) objects.push_back(&i);
    }
  } else if (kind != nullptr) {
    objects.push_back(&root);
  } else {
    throw error(errc::invalid, "live.not-objects", file,
                "not Kubernetes objects: give `kubectl get deployment/NAME ... -o yaml` output (an object or a List)");
  }
  for (auto& t : s.targets) {
    for (size_t wi = 0; wi < t.workloads.size(); ++wi) {
      workload& w = t.workloads[wi];
      const node* found = nullptr;
      for (const node* o : objects) {
        const std::string* k = string_at(*o, {"kind"});
        const std::string* n = string_at(*o, {"metadata", "name"});
        const std::string* ns = string_at(*o, {"metadata", "namespace"});
        if (k && n && *k == to_string(w.kind) && *n == w.name && (ns == nullptr || *ns == t.ns)) found = o;
      }
      if (found == nullptr) {
        throw error(errc::invalid, "live.workload-missing", fmt::format("{}.workloads[{}]", t.path, wi),
                    fmt::format("{} {}/{} is not in {}: without its live annotations the patch would replace "
                                "them; add it to the kubectl get command",
                                to_string(w.kind), t.ns, w.name, file));
      }
      const node* live = annotations_of(*found);
      for (const char* key : kMergedKeys) {
        w.annotations.erase(key);
        const node* v = live ? live->find(key) : nullptr;
        if (v != nullptr && v->is_string()) w.annotations[key] = v->as_string();
      }
    }
  }
}

}  // namespace wasmdeploy
