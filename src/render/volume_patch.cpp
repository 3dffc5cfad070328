// Pod-template annotations that mount a module file into istio-proxy:
//   sidecar.istio.io/userVolume      {"<volume>": {<volume source>}}
//   sidecar.istio.io/userVolumeMount {"<volume>": {"mountPath": ..., "readOnly": true}}
// Istio's injection template ranges over these as JSON *objects* keyed by volume name (wasme
// wrote arrays, which that template turns into volumes named "0", "1", ...). Existing values
// are merged: object entries are kept in order, wasme-style arrays are converted by "name".
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <wasmdeploy/limits.hpp>

#include "json_depth.hpp"
#include "plan/validate.hpp"
#include "render/common.hpp"
#include "render/pod_annotations.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy::detail {
namespace {

node from_json(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::object: {
      node m = node::mapping();
      for (auto it = j.begin(); it != j.end(); ++it) m.add(it.key(), from_json(it.value()));
      return m;
    }
    case nlohmann::ordered_json::value_t::array: {
      node s = node::sequence();
      for (const auto& v : j) s.push(from_json(v));
      return s;
    }
    case nlohmann::ordered_json::value_t::string: return node(j.get<std::string>());
    case nlohmann::ordered_json::value_t::boolean: return node(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return node(static_cast<long long>(j.get<std::int64_t>()));
    case nlohmann::ordered_json::value_t::number_unsigned: return node(static_cast<long long>(j.get<std::uint64_t>()));
    case nlohmann::ordered_json::value_t::number_float: return node(j.get<double>());
    default: return node();
  }
}

// The existing annotation value as a mapping keyed by volume name.
node existing_entries(const spec& s, const workload& w, const char* key, const std::string& path) {
  auto it = w.annotations.find(key);
  if (it == w.annotations.end() || it->second.empty()) return node::mapping();
  if (detail::json_nesting(it->second, active_limits().json_depth) > active_limits().json_depth) {
    reject(s, "json.too-deep", path, fmt::format("{} is nested deeper than {} levels", key, active_limits().json_depth));
  }
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(it->second);
  } catch (const nlohmann::json::exception& e) {
    reject(s, "annotation.invalid-json", path, fmt::format("{} is not valid JSON: {}", key, e.what()));
  }
  if (j.is_object()) return from_json(j);
  if (j.is_array()) {
    node out = node::mapping();
    for (const auto& item : j) {
      if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) {
        reject(s, "annotation.invalid-entry", path, fmt::format("{} array entries need a \"name\"", key));
      }
      nlohmann::ordered_json rest = item;
      rest.erase("name");
      out.add(item["name"].get<std::string>(), from_json(rest));
    }
    return out;
  }
  reject(s, "annotation.invalid-json", path, fmt::format("{} must be a JSON object keyed by volume name", key));
}

// Two entries for one volume name are the same volume when they are equal as JSON objects
// (member order does not matter) once the fields that do not change what is mounted are set
// aside: hostPath.type and readOnly. wasme wrote its cache-dir volume without either, so a
// workload it patched merges instead of conflicting.
constexpr const char* kProxyContainer = "istio-proxy";

nlohmann::json comparable(const node& n) {
  nlohmann::json j = nlohmann::json::parse(to_json(n));
  if (j.is_object()) {
    j.erase("readOnly");
    if (auto hp = j.find("hostPath"); hp != j.end() && hp->is_object()) hp->erase("type");
  }
  return j;
}

// Adds `value` under `name` unless an equal entry is there; returns whether it was absent.
bool merge_entry(const spec& s, node& into, const std::string& name, node value, const std::string& path,
                 const char* key) {
  if (const node* old = into.find(name)) {
    if (comparable(*old) != comparable(value)) {
      reject(s, "volume.conflict", path,
             fmt::format("{} already has a volume '{}' that differs from the one wasmdeploy needs ({} vs {})", key,
                         name, to_json(*old), to_json(value)));
    }
    return false;
  }
  into.add(name, std::move(value));
  return true;
}

// The owners record: {"<volume>": ["<filter>", ...]} for the volumes wasmdeploy added. A volume
// the workload had before (the user's own, or wasme's cache-dir) is never recorded, so no undo
// removes it; a recorded one goes when its last filter is undone.
void add_owner(node& owners, const std::string& volume, const std::string& filter) {
  node* list = owners.find(volume);
  if (list == nullptr || !list->is_sequence()) {
    owners[volume] = make_sequence({filter});
    return;
  }
  for (const auto& f : list->items()) {
    if (f.is_string() && f.as_string() == filter) return;
  }
  list->push(node(filter));
}

void erase_member(node& m, const std::string& key) {
  auto& ms = m.members();
  ms.erase(std::remove_if(ms.begin(), ms.end(), [&](const auto& e) { return e.key == key; }), ms.end());
}

// The workload's own text of the volume annotations as saved before wasmdeploy's first merge
// (kUserVolumesAnnotation). Live cluster data: anything but an object of strings is ignored.
node saved_user_volumes(const workload& w) {
  node saved = node::mapping();
  auto it = w.annotations.find(kUserVolumesAnnotation);
  if (it == w.annotations.end() || detail::json_nesting(it->second, active_limits().json_depth) > active_limits().json_depth) {
    return saved;
  }
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return saved;
  for (const char* key : {kUserVolume, kUserVolumeMount}) {
    if (auto v = j.find(key); v != j.end() && v->is_string()) saved.add(key, node(v->get<std::string>()));
  }
  return saved;
}

// The annotation value as it goes back: the workload's own text when the entries are the same
// (so "what it had" is restored byte for byte: the text saved before wasmdeploy's first merge,
// else the value the undo was given), null (delete the key) when nothing is left.
node restored_value(const spec& s, const workload& w, const char* key, const node& entries, const std::string& path,
                    const node& saved) {
  if (const node* text = saved.find(key); text != nullptr && !text->as_string().empty()) {
    workload original;
    original.annotations[key] = text->as_string();
    try {
      if (comparable(existing_entries(s, original, key, path)) == comparable(entries)) return *text;
    } catch (const error&) {
      // A saved text that is not volume JSON says nothing about the user's entries: not used.
    }
  }
  auto it = w.annotations.find(key);
  if (it != w.annotations.end() && !it->second.empty() &&
      comparable(existing_entries(s, w, key, path)) == comparable(entries)) {
    return node(it->second);
  }
  if (entries.empty()) return it != w.annotations.end() && it->second.empty() ? node(it->second) : node();
  return node(to_json(entries));
}

node workload_patch_body(const std::string& kind, const std::string& name, const std::string& ns, node annotations) {
  return make_mapping(
      {{"apiVersion", "apps/v1"},
       {"kind", kind},
       {"metadata", make_mapping({{"name", name}, {"namespace", ns}})},
       {"spec", make_mapping({{"template", make_mapping({{"metadata", make_mapping({{"annotations", std::move(annotations)}})}})}})}});
}

}  // namespace

bool has_volume_annotations(const workload& w) {
  for (const char* key :
       {kUserVolume, kUserVolumeMount, kModuleHashAnnotation, kVolumeOwnersAnnotation, kUserVolumesAnnotation}) {
    auto it = w.annotations.find(key);
    if (it != w.annotations.end() && !it->second.empty()) return true;
  }
  return false;
}

bool is_gateway_workload(const target& t, const workload& w) {
  return placement_context(t, &w.labels) == traffic_context::gateway;
}

document render_volume_patch(const plan& p, const spec& s, const workload_patch& wp) {
  const target& t = s.targets[wp.target];
  const workload& w = t.workloads[wp.workload];
  const std::string path = fmt::format("{}.workloads[{}].annotations", t.path, wp.workload);
  const bool gateway = is_gateway_workload(t, w);
  node volumes = gateway ? node::mapping() : existing_entries(s, w, kUserVolume, path);
  node mounts = gateway ? node::mapping() : existing_entries(s, w, kUserVolumeMount, path);
  node hashes = existing_entries(s, w, kModuleHashAnnotation, path);
  node owners = existing_entries(s, w, kVolumeOwnersAnnotation, path);
  // Before wasmdeploy's first merge the volume annotations are the workload's own: keep their
  // text, which the merge rewrites, so the last undo can put it back as it was.
  node saved = saved_user_volumes(w);
  if (!gateway && owners.members().empty() && hashes.members().empty() && saved.members().empty()) {
    for (const char* key : {kUserVolume, kUserVolumeMount}) {
      auto it = w.annotations.find(key);
      if (it != w.annotations.end() && !it->second.empty()) saved.add(key, node(it->second));
    }
  }
  for (size_t fi : *wp.filters) {
    const filter_plan& fp = p.filters[fi];
    node source = fp.how == delivery::configmap
                      ? make_mapping({{"configMap", make_mapping({{"name", fp.configmap_name}})}})
                      : make_mapping({{"hostPath", make_mapping({{"path", fp.mount_dir}, {"type", "Directory"}})}});
    const bool added = merge_entry(s, volumes, fp.volume_name, std::move(source), path, kUserVolume);
    merge_entry(s, mounts, fp.volume_name, make_mapping({{"mountPath", fp.mount_dir}, {"readOnly", true}}), path,
                kUserVolumeMount);
    // Ours when this render adds it or another wasmdeploy filter already owns it.
    if (added || owners.find(fp.volume_name)) add_owner(owners, fp.volume_name, fp.f->name);
    if (fp.how == delivery::configmap) hashes[fp.f->name] = node(fp.module_sha256);
  }
  node annotations = node::mapping();
  if (!gateway) {
    annotations.add(kUserVolume, to_json(volumes));
    annotations.add(kUserVolumeMount, to_json(mounts));
  }
  if (!hashes.members().empty()) annotations.add(kModuleHashAnnotation, to_json(hashes));
  if (!owners.members().empty()) annotations.add(kVolumeOwnersAnnotation, to_json(owners));
  if (!saved.members().empty()) annotations.add(kUserVolumesAnnotation, to_json(saved));
  const std::string kind(to_string(w.kind));
  node body = workload_patch_body(kind, w.name, t.ns, std::move(annotations));
  if (gateway) {
    // The gateway injection template ignores the userVolume annotations, but a gateway's pod
    // template has an istio-proxy container of its own (the proxy itself before injected
    // gateways, the `image: auto` override after), so the volume goes straight into the pod
    // spec: a strategic merge patch, keyed by volume name and mountPath, which composes with
    // other filters' entries.
    node pod_volumes = node::sequence();
    node pod_mounts = node::sequence();
    for (auto& v : volumes.members()) {
      node entry = make_mapping({{"name", v.key}});
      for (auto& f : v.value.members()) entry.add(f.key, std::move(f.value));
      pod_volumes.push(std::move(entry));
    }
    for (auto& m : mounts.members()) {
      node entry = make_mapping({{"name", m.key}});
      for (auto& f : m.value.members()) entry.add(f.key, std::move(f.value));
      pod_mounts.push(std::move(entry));
    }
    body["spec"]["template"].add(
        "spec", make_mapping({{"volumes", std::move(pod_volumes)},
                              {"containers", make_sequence({make_mapping({{"name", kProxyContainer},
                                                                          {"volumeMounts", std::move(pod_mounts)}})})}}));
  }
  return make_document(document::role::patch, "apps/v1", kind, t.ns, w.name, std::move(body));
}

document restore_volume_patch(const spec& s, const workload& w, const std::string& ns, const node& applied_template) {
  const std::string path = "annotations";
  const node& applied = *applied_template.find("metadata")->find("annotations");
  // The state after the render's patch: the workload's own values (from the spec or --live)
  // merged with this render's filters. Undo takes this render's filters out of it again.
  auto applied_entries = [&](const char* key) {
    const node* v = applied.find(key);
    if (v == nullptr || !v->is_string()) return existing_entries(s, w, key, path);
    workload tmp;
    tmp.annotations[key] = v->as_string();
    return existing_entries(s, tmp, key, path);
  };
  node volumes = applied_entries(kUserVolume);
  node mounts = applied_entries(kUserVolumeMount);
  node hashes = applied_entries(kModuleHashAnnotation);
  node owners = applied_entries(kVolumeOwnersAnnotation);
  for (const auto& f : s.filters) {
    erase_member(hashes, f.name);
    for (auto& m : owners.members()) {
      if (!m.value.is_sequence()) continue;
      auto& items = m.value.items();
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [&](const node& n) { return n.is_string() && n.as_string() == f.name; }),
                  items.end());
    }
  }
  std::vector<std::string> released;
  for (const auto& m : owners.members()) {
    if (m.value.is_sequence() && m.value.empty()) released.push_back(std::string(m.key));
  }
  for (const auto& v : released) {
    erase_member(owners, v);
    erase_member(volumes, v);
    erase_member(mounts, v);
  }
  // The text saved before the first merge goes back once nothing of wasmdeploy's is left.
  workload after;
  if (const node* v = applied.find(kUserVolumesAnnotation); v != nullptr && v->is_string()) {
    after.annotations[kUserVolumesAnnotation] = v->as_string();
  }
  const node saved = saved_user_volumes(after);
  const bool last = owners.members().empty() && hashes.members().empty();
  node annotations = node::mapping();
  for (const auto& [key, entries] : {std::pair<const char*, const node*>{kUserVolume, &volumes},
                                     {kUserVolumeMount, &mounts},
                                     {kModuleHashAnnotation, &hashes},
                                     {kVolumeOwnersAnnotation, &owners}}) {
    if (applied.find(key) == nullptr && !w.annotations.count(key)) continue;
    annotations.add(key, restored_value(s, w, key, *entries, path, last ? saved : node::mapping()));
  }
  if (const node* v = applied.find(kUserVolumesAnnotation); v != nullptr && !last) {
    annotations.add(kUserVolumesAnnotation, *v);
  } else if (last && (v != nullptr || w.annotations.count(kUserVolumesAnnotation))) {
    annotations.add(kUserVolumesAnnotation, node());
  }
  const std::string kind(to_string(w.kind));
  node body = workload_patch_body(kind, w.name, ns, std::move(annotations));
  if (const node* pod = applied_template.find("spec")) {
    // A gateway's patch put the volumes in the pod spec: delete (strategic merge `$patch:
    // delete`, by volume name and by mountPath) those no filter needs any more.
    node pod_volumes = node::sequence();
    node pod_mounts = node::sequence();
    for (const auto& v : pod->find("volumes")->items()) {
      const std::string& name = v.find("name")->as_string();
      if (std::find(released.begin(), released.end(), name) == released.end()) continue;
      pod_volumes.push(make_mapping({{"name", name}, {"$patch", "delete"}}));
    }
    for (const auto& m : pod->find("containers")->items()[0].find("volumeMounts")->items()) {
      const std::string& name = m.find("name")->as_string();
      if (std::find(released.begin(), released.end(), name) == released.end()) continue;
      pod_mounts.push(make_mapping({{"mountPath", *m.find("mountPath")}, {"$patch", "delete"}}));
    }
    if (!pod_volumes.empty()) {
      body["spec"]["template"].add(
          "spec", make_mapping({{"volumes", std::move(pod_volumes)},
                                {"containers", make_sequence({make_mapping({{"name", kProxyContainer},
                                                                            {"volumeMounts", std::move(pod_mounts)}})})}}));
    }
  }
  return make_document(document::role::patch, "apps/v1", kind, ns, w.name, std::move(body));
}

}  // namespace wasmdeploy::detail
