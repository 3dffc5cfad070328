// Pod-template annotations that mount a module file into istio-proxy:
//   sidecar.istio.io/userVolume      {"<volume>": {<volume source>}}
//   sidecar.istio.io/userVolumeMount {"<volume>": {"mountPath": ..., "readOnly": true}}
// Istio's injection template ranges over these as JSON *objects* keyed by volume name (wasme
// wrote arrays, which that template turns into volumes named "0", "1", ...). Existing values
// are merged: object entries are kept in order, wasme-style arrays are converted by "name".
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
  if (detail::json_nesting(it->second, WD_MAX_JSON_DEPTH) > WD_MAX_JSON_DEPTH) {
    reject(s, "json.too-deep", path, fmt::format("{} is nested deeper than {} levels", key, WD_MAX_JSON_DEPTH));
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
nlohmann::json comparable(const node& n) {
  nlohmann::json j = nlohmann::json::parse(to_json(n));
  if (j.is_object()) {
    j.erase("readOnly");
    if (auto hp = j.find("hostPath"); hp != j.end() && hp->is_object()) hp->erase("type");
  }
  return j;
}

void merge_entry(const spec& s, node& into, const std::string& name, node value, const std::string& path, const char* key) {
  if (const node* old = into.find(name)) {
    if (comparable(*old) != comparable(value)) {
      reject(s, "volume.conflict", path,
             fmt::format("{} already has a volume '{}' that differs from the one wasmdeploy needs ({} vs {})", key,
                         name, to_json(*old), to_json(value)));
    }
    return;
  }
  into.add(name, std::move(value));
}

}  // namespace

bool has_volume_annotations(const workload& w) {
  for (const char* key : {kUserVolume, kUserVolumeMount, kModuleHashAnnotation}) {
    auto it = w.annotations.find(key);
    if (it != w.annotations.end() && !it->second.empty()) return true;
  }
  return false;
}

document render_volume_patch(const plan& p, const spec& s, const workload_patch& wp) {
  const target& t = s.targets[wp.target];
  const workload& w = t.workloads[wp.workload];
  const std::string path = fmt::format("{}.workloads[{}].annotations", t.path, wp.workload);
  node volumes = existing_entries(s, w, kUserVolume, path);
  node mounts = existing_entries(s, w, kUserVolumeMount, path);
  node hashes = existing_entries(s, w, kModuleHashAnnotation, path);
  for (size_t fi : *wp.filters) {
    const filter_plan& fp = p.filters[fi];
    node source = fp.how == delivery::configmap
                      ? make_mapping({{"configMap", make_mapping({{"name", fp.configmap_name}})}})
                      : make_mapping({{"hostPath", make_mapping({{"path", fp.mount_dir}, {"type", "Directory"}})}});
    merge_entry(s, volumes, fp.volume_name, std::move(source), path, kUserVolume);
    merge_entry(s, mounts, fp.volume_name, make_mapping({{"mountPath", fp.mount_dir}, {"readOnly", true}}), path,
                kUserVolumeMount);
    if (fp.how == delivery::configmap) hashes[fp.f->name] = node(fp.module_sha256);
  }
  node annotations = make_mapping({{kUserVolume, to_json(volumes)}, {kUserVolumeMount, to_json(mounts)}});
  if (!hashes.members().empty()) annotations.add(kModuleHashAnnotation, to_json(hashes));
  const std::string kind(to_string(w.kind));
  node body = make_mapping(
      {{"apiVersion", "apps/v1"},
       {"kind", kind},
       {"metadata", make_mapping({{"name", w.name}, {"namespace", t.ns}})},
       {"spec", make_mapping({{"template", make_mapping({{"metadata", make_mapping({{"annotations", std::move(annotations)}})}})}})}});
  return make_document(document::role::patch, "apps/v1", kind, t.ns, w.name, std::move(body));
}

}  // namespace wasmdeploy::detail
