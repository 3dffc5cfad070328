// The plan: every decision made before output starts. Renderers only read it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>

namespace wasmdeploy::detail {

/// Per-filter decisions for the chosen version.
struct filter_plan {
  const filter* f = nullptr;
  resource_kind kind = resource_kind::envoy_filter;
  delivery how = delivery::oci;
  std::string root_id;
  std::string vm_id;
  std::string sha256;          ///< what goes into WasmPlugin.sha256 / RemoteDataSource.sha256
  std::string module_sha256;   ///< hash of the .wasm bytes, when known
  std::string remote_url;      ///< oci:// or http(s):// for agent delivery
  std::string local_path;      ///< path inside the proxy container for file delivery
  std::string module_bytes;    ///< the module, for ConfigMap delivery
  std::vector<std::string> abi_versions;  ///< runtime-config.json abiVersions
  std::string volume_name;     ///< sidecar.istio.io/userVolume key for file delivery
  std::string mount_dir;       ///< where that volume is mounted in istio-proxy
  std::string configmap_name;  ///< for ConfigMap delivery
  bool wasme_cache = false;    ///< file comes from the wasme node cache DaemonSet
};

/// One filter resource (EnvoyFilter, WasmPlugin, ...) to render.
struct placement {
  size_t filter = 0;
  size_t target = 0;
  long workload = -1;  ///< index into target.workloads, or -1 for per-target resources
  std::string name;
  std::map<std::string, std::string> selector;
};

/// ConfigMap holding a module for one namespace.
struct configmap_unit {
  size_t filter = 0;
  std::string ns;
};

/// Volume annotations to add to one workload's pod template.
struct workload_patch {
  size_t target = 0;
  size_t workload = 0;
  std::vector<size_t> filters;  ///< filters needing file delivery on this workload
};

struct plan {
  mesh_version version;
  std::vector<filter_plan> filters;
  std::vector<configmap_unit> configmaps;
  std::vector<placement> placements;
  std::vector<workload_patch> patches;
  /// "namespace/Kind/name" -> index into patches, so each workload gets one patch in O(1).
  std::unordered_map<std::string, size_t> patch_index;
  std::vector<std::string> cache_images;  ///< images the wasme cache DaemonSet must pull
  std::vector<diagnostic> diagnostics;
};

/// Validates the spec against the version and decides everything. Throws wasmdeploy::error.
plan make_plan(const spec& s, const render_options& options);

/// WasmPlugin and TrafficExtension share every wasm field and its version gates.
inline bool is_plugin_kind(resource_kind k) {
  return k == resource_kind::wasm_plugin || k == resource_kind::traffic_extension;
}

/// Reads the filter's wasme runtime-config.json into fp.root_id (when unset) and fp.abi_versions.
void read_runtime_config(const spec& s, const filter& f, filter_plan& fp);

}  // namespace wasmdeploy::detail
