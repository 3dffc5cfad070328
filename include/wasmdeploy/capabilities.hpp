// The capability table: every Istio-version-dependent rule wasmdeploy applies, in one place.
//
// Each row says which releases have a capability (first release, and the first release that no
// longer has it) and cites where that fact comes from. Renderers, validators, the wasm
// compatibility verdict and `wasmdeploy versions` all read this table; nothing else in the
// code compares version numbers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/mesh_version.hpp>

namespace wasmdeploy {

enum class capability : int {
  // Resource kinds.
  wasm_plugin,                  ///< extensions.istio.io/v1alpha1 WasmPlugin
  traffic_extension,            ///< extensions.istio.io/v1alpha1 TrafficExtension
  // EnvoyFilter patch shape.
  patch_value_v2_config,        ///< HttpFilter `config:` Struct is converted (xDS v2 types)
  patch_value_typed_config,     ///< HttpFilter `typed_config` with v3 types
  canonical_filter_name_match,  ///< matches on envoy.filters.network.http_connection_manager work
  deprecated_filter_name_match, ///< matches on envoy.http_connection_manager / envoy.router work
  xds_v2_type_urls,             ///< v2 type URLs inside typed_config are accepted
  envoy_filter_priority,        ///< EnvoyFilter.priority is honoured
  envoy_filter_target_refs,     ///< EnvoyFilter.targetRefs is honoured when matching
  extension_config_patch,       ///< applyTo: EXTENSION_CONFIG (ECDS)
  patch_operation_insert_first, ///< operation: INSERT_FIRST
  patch_operation_replace,      ///< operation: REPLACE
  apply_to_listener_filter,     ///< applyTo: LISTENER_FILTER
  // istio-agent module fetching.
  agent_http_fetch,             ///< agent downloads http(s) modules named in ECDS
  agent_oci_fetch,              ///< agent pulls oci:// modules named in ECDS
  agent_direct_wasm_type,       ///< agent unwraps ECDS typed_config of the Wasm type itself
  agent_network_wasm,           ///< agent converts network (L4) Wasm filters
  agent_http_unwrap,            ///< http fetch unwraps gzip/tar; sha256 is of the .wasm itself
  agent_pull_secret,            ///< imagePullSecret is implemented by the agent
  agent_fail_closed_deny,       ///< a failed fetch with fail-closed installs a deny-all RBAC filter
  compat_image_multi_layer,     ///< compat OCI images may have more than one layer (last is used)
  // WasmPlugin fields.
  wasm_plugin_vm_config,
  wasm_plugin_match,
  wasm_plugin_fail_strategy,
  wasm_plugin_fail_reload,
  wasm_plugin_type,
  wasm_plugin_target_ref,
  wasm_plugin_target_refs,
  wasm_plugin_priority_int32,   ///< priority is Int32Value (Int64Value before)
  wasm_plugin_strict_url,       ///< validation parses url with ParseRequestURI (1.23+)
  // proxy-wasm ABI accepted by the proxy.
  abi_0_1_0,
  abi_0_2_0,
  abi_0_2_1,
  alloc_proxy_on_memory_allocate,  ///< proxy_on_memory_allocate accepted when malloc is absent
  startup_initialize,              ///< _initialize (WASI reactor) is called
  // wasme (solo-io/wasm) runtime-config abiVersions labels, by the Istio releases wasme maps them to.
  wasme_abi_v0_097b7f2e,           ///< label v0-097b7f2e4cc1fb490cc1943d0d633655ac3c522f
  wasme_abi_v0_4689a303,           ///< label v0-4689a30309abf31aee9ae36e73d34b1bb182685f
  // istio-agent module fetching (appended).
  agent_fixed_module_size_limit,   ///< fetched modules over 256 MiB are refused; no way to raise it
  // Kinds istiod accepts in a WasmPlugin/TrafficExtension targetRef(s) (appended).
  target_ref_kind_gateway,         ///< gateway.networking.k8s.io/Gateway
  target_ref_kind_service,         ///< core Service
  target_ref_kind_service_entry,   ///< networking.istio.io/ServiceEntry
  target_ref_kind_gateway_class,   ///< gateway.networking.k8s.io/GatewayClass
  // 1.30-1.32 (appended).
  agent_module_size_setting,       ///< ISTIO_WASM_MAX_BINARY_SIZE_BYTES sets the module size limit
  traffic_extension_lua,           ///< TrafficExtension's lua oneof (exactly one of wasm/lua)
  waypoint_cross_namespace_extensions,  ///< a waypoint is served extensions from the namespaces of its services
  // Workload patches (appended).
  gateway_injection_template,      ///< injected gateways: an `image: auto` istio-proxy container override
};

/// Whether some decision (a gate, a renderer's choice, the module verdict) reads a row, or the
/// row only records a release difference in something wasmdeploy never writes. A unit test
/// checks both ways: every decision row is read in src/, no documentation row is.
enum class row_use { decision, documentation };

struct capability_info {
  capability id;
  std::string_view key;        ///< stable name used by the CLI, C API and Python
  release since;               ///< first release that has it
  std::optional<release> until;  ///< first release that no longer has it
  std::string_view summary;
  std::string_view source;     ///< where the fact was read
  row_use use = row_use::decision;
};

/// The newest Istio minor line whose sources the table was checked against. Versions past it are
/// accepted with its rules (mesh_version::newer_than_known) and a `version.newer-than-known`
/// warning.
struct reviewed_release {
  release at;
  std::string_view source;  ///< what was read to conclude nothing in the table changed
};
const reviewed_release& newest_reviewed_release();

/// All rows, in declaration order.
const std::vector<capability_info>& capability_table();
const capability_info& info(capability c);
std::optional<capability> find_capability(std::string_view key);

/// Whether the version (at its effective release) has the capability.
bool supports(const mesh_version& v, capability c);
/// "Istio 1.12 and later", "Istio 1.5 to 1.6", "Istio 1.7.1 and later", ...
std::string describe_support(capability c);

}  // namespace wasmdeploy
