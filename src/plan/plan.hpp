// The plan: every decision made before output starts. Renderers only read it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>

namespace wasmdeploy::detail {

/// EnvoyFilter.priority written when the spec sets none and the patch is relative (Istio 1.11+,
/// see IST0151); the plan notes it so the user knows where the number came from.
constexpr int kDefaultEnvoyFilterPriority = 10;
/// Istio's default meshConfig.rootNamespace: configuration there applies to every namespace.
constexpr const char* kDefaultRootNamespace = "istio-system";

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
  bool any_root_id = false;               ///< the module starts for any root id (accepts_any_root_id)
  std::string volume_name;     ///< sidecar.istio.io/userVolume key for file delivery
  std::string mount_dir;       ///< where that volume is mounted in istio-proxy
  std::string configmap_name;  ///< for ConfigMap delivery
  bool wasme_cache = false;    ///< file comes from the wasme node cache DaemonSet
  std::string cache_name;      ///< that filter's own cache objects (wasme-cache-<filter>)
  std::string cache_image;     ///< the image it pulls (the module URL without oci://)
};

/// One filter resource (EnvoyFilter, WasmPlugin, ...) to render. Placements are not stored:
/// for_each_placement produces them one at a time, so memory does not grow with the output.
struct placement {
  size_t filter = 0;
  size_t target = 0;
  long workload = -1;  ///< index into target.workloads, or -1 for per-target resources
  std::string name;
  /// The workload's labels or the target's selector (points into the spec).
  const std::map<std::string, std::string>* selector = nullptr;
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
  const std::vector<size_t>* filters = nullptr;  ///< filters needing file delivery on this workload
};

/// Per-target decisions.
struct target_plan {
  bool per_workload = false;        ///< one resource per workload (else one per target)
  std::vector<size_t> filters;      ///< filters that apply, in spec order
  std::vector<size_t> file_filters; ///< of those, the ones delivered as a file (volume patch)
};

struct plan {
  mesh_version version;
  std::vector<filter_plan> filters;
  std::vector<target_plan> targets;
  std::vector<configmap_unit> configmaps;
  /// A workload listed in several targets gets one patch, at its first listing, covering the
  /// filters of every listing: (target << 32 | workload) of that first listing -> its filters.
  /// Later listings are skipped. Only such workloads are recorded, so the common case costs
  /// nothing per workload.
  std::unordered_map<std::uint64_t, std::vector<size_t>> merged_patches;
  std::unordered_set<std::uint64_t> repeated_listings;
  std::vector<diagnostic> diagnostics;
};

inline std::uint64_t listing_key(size_t target, size_t workload) {
  return (static_cast<std::uint64_t>(target) << 32) | static_cast<std::uint32_t>(workload);
}

/// Every filter resource in output order (targets, then filters, then workloads, in spec
/// order). The placement passed to `fn` is reused between calls.
template <typename Fn>
void for_each_placement(const plan& p, const spec& s, Fn&& fn) {
  placement pl;
  for (size_t ti = 0; ti < s.targets.size(); ++ti) {
    const target& t = s.targets[ti];
    const target_plan& tp = p.targets[ti];
    for (size_t fi : tp.filters) {
      const std::string& fname = s.filters[fi].name;
      pl.filter = fi;
      pl.target = ti;
      if (tp.per_workload) {
        for (size_t wi = 0; wi < t.workloads.size(); ++wi) {
          pl.workload = static_cast<long>(wi);
          pl.name.assign(t.workloads[wi].name).append(1, '-').append(fname);
          pl.selector = &t.workloads[wi].labels;
          fn(static_cast<const placement&>(pl));
        }
      } else {
        pl.workload = -1;
        if (t.name.empty()) pl.name.assign(fname);
        else pl.name.assign(t.name).append(1, '-').append(fname);
        pl.selector = &t.selector;
        fn(static_cast<const placement&>(pl));
      }
    }
  }
}

/// Every workload patch in output order (first listing of each workload). The patch passed to
/// `fn` is reused between calls; `merged` tells whether it combines several listings.
template <typename Fn>
void for_each_patch(const plan& p, const spec& s, Fn&& fn) {
  workload_patch wp;
  for (size_t ti = 0; ti < s.targets.size(); ++ti) {
    const target_plan& tp = p.targets[ti];
    if (tp.file_filters.empty()) continue;
    for (size_t wi = 0; wi < s.targets[ti].workloads.size(); ++wi) {
      const std::uint64_t key = listing_key(ti, wi);
      if (!p.repeated_listings.empty() && p.repeated_listings.count(key)) continue;
      bool merged = false;
      wp.target = ti;
      wp.workload = wi;
      if (auto it = p.merged_patches.find(key); it != p.merged_patches.end()) {
        wp.filters = &it->second;
        merged = true;
      } else {
        wp.filters = &tp.file_filters;
      }
      fn(static_cast<const workload_patch&>(wp), merged);
    }
  }
}

/// Why a selection can only be gateway proxies: the label or targetRef that says so ("label
/// istio=ingressgateway"), or empty when it may select sidecars. `selector` is the placement's
/// (a workload's labels or the target's selector).
std::string gateway_only_reason(const target& t, const std::map<std::string, std::string>* selector);

/// The traffic an EnvoyFilter placement patches: the target's context when it sets one, else
/// gateway for a selection that can only be gateways (a gateway has no SIDECAR_INBOUND
/// listener), else inbound.
traffic_context placement_context(const target& t, const std::map<std::string, std::string>* selector);

/// WasmPlugin and TrafficExtension share every wasm field and its version gates.
inline bool is_plugin_kind(resource_kind k) {
  return k == resource_kind::wasm_plugin || k == resource_kind::traffic_extension;
}

}  // namespace wasmdeploy::detail
