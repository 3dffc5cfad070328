#include <wasmdeploy/capabilities.hpp>

#include <fmt/format.h>

namespace wasmdeploy {
namespace {

constexpr release r(int minor, int patch = 0) { return release{1, minor, patch}; }
// Rows no decision reads: wasmdeploy never writes what changed (see row_use).
constexpr row_use kDoc = row_use::documentation;

// Sources are istio/api, istio/istio and proxy-wasm commits; see shared/reference/istio.md.
const std::vector<capability_info> kTable = {
    {capability::wasm_plugin, "wasm-plugin", r(12), {}, "WasmPlugin resource",
     "istio/api 5e10e5cff (release-1.12)"},
    {capability::traffic_extension, "traffic-extension", r(30), {}, "TrafficExtension resource",
     "istio/api v1.30.0 extensions/v1alpha1/traffic_extension.proto"},
    {capability::patch_value_v2_config, "patch-value-v2-config", r(5), r(7),
     "EnvoyFilter patch values are xDS v2 types; HttpFilter `config:` is honoured",
     "istio/istio release-1.6 pkg/config/xds/xds.go"},
    {capability::patch_value_typed_config, "patch-value-typed-config", r(7), {},
     "EnvoyFilter patch values are xDS v3 types (typed_config); `config:` is silently dropped",
     "istio/istio release-1.7 pkg/config/xds/xds.go"},
    {capability::canonical_filter_name_match, "canonical-filter-name-match", r(7, 1), {},
     "EnvoyFilter matches on canonical filter names (envoy.filters.http.router)",
     "istio/istio 941aaf9e824 (tag 1.7.1)"},
    {capability::deprecated_filter_name_match, "deprecated-filter-name-match", r(5), r(19),
     "EnvoyFilter matches on deprecated filter names (envoy.router)",
     "istio/istio c2225561517 (tag 1.19.0) removed it"},
    // wasmdeploy writes v3 type URLs wherever typed_config is used (1.7+); `convert` reads this
    // row to refuse an imported EnvoyFilter that used v2 URLs on a release that rejects them.
    {capability::xds_v2_type_urls, "xds-v2-type-urls", r(5), r(19),
     "xDS v2 type URLs in EnvoyFilter typed_config are accepted",
     "istio/istio 4fa46fc17ea (1.19) made them an error"},
    {capability::envoy_filter_priority, "envoy-filter-priority", r(11), {},
     "EnvoyFilter.priority orders patch sets", "istio/api envoy_filter.proto priority = 5"},
    {capability::envoy_filter_target_refs, "envoy-filter-target-refs", r(27), {},
     "EnvoyFilter.targetRefs is honoured (before 1.27 it matched every workload)",
     "istio/istio 001621b0aed (1.27)"},
    {capability::extension_config_patch, "extension-config-patch", r(9), {},
     "applyTo: EXTENSION_CONFIG (ECDS) is implemented and validates",
     "istio/istio release-1.9 extension_configuration_patch.go"},
    {capability::patch_operation_insert_first, "patch-insert-first", r(5), {},
     "patch operation INSERT_FIRST", "istio/api release-1.5 envoy_filter.proto"},
    // wasmdeploy inserts filters (INSERT_FIRST/INSERT_BEFORE, ADD); it never replaces or patches listener filters.
    {capability::patch_operation_replace, "patch-replace", r(8), {}, "patch operation REPLACE",
     "istio/api release-1.8 envoy_filter.proto", kDoc},
    {capability::apply_to_listener_filter, "apply-to-listener-filter", r(17), {},
     "applyTo: LISTENER_FILTER", "istio/api release-1.17 envoy_filter.proto", kDoc},
    {capability::agent_http_fetch, "agent-http-fetch", r(9), {},
     "istio-agent downloads http(s) Wasm modules referenced through ECDS",
     "istio/istio release-1.9 pkg/wasm"},
    {capability::agent_oci_fetch, "agent-oci-fetch", r(12), {},
     "istio-agent pulls oci:// Wasm images referenced through ECDS",
     "istio/istio release-1.12 pkg/wasm/imagefetcher.go"},
    // ECDS configs are always wrapped in a TypedStruct, which every release converts.
    {capability::agent_direct_wasm_type, "agent-direct-wasm-type", r(12), {},
     "istio-agent converts ECDS configs typed directly as envoy.extensions.filters.http.wasm.v3.Wasm",
     "istio/istio release-1.12 pkg/wasm/convert.go", kDoc},
    {capability::agent_network_wasm, "agent-network-wasm", r(20), {},
     "istio-agent converts network Wasm filters", "istio/istio release-1.20 pkg/wasm/convert.go"},
    {capability::agent_http_unwrap, "agent-http-unwrap", r(15), {},
     "http(s) downloads are gunzipped/untarred; sha256 is the hash of the .wasm itself",
     "istio/istio d85d77a0941 (1.15)"},
    {capability::agent_pull_secret, "agent-pull-secret", r(14), {},
     "imagePullSecret is implemented by istio-agent", "istio/istio e9dcadbb3e8 (1.14)"},
    // What a failed fetch does at run time; the rendered resources are the same.
    {capability::agent_fail_closed_deny, "agent-fail-closed-deny", r(25), {},
     "a failed module fetch with fail-closed installs a deny-all RBAC filter instead of a NACK",
     "istio/istio 0f8b3e57f14 (1.25)", kDoc},
    {capability::compat_image_multi_layer, "compat-image-multi-layer", r(16), {},
     "compat OCI images may have several layers; the last one is used",
     "istio/istio 9a2359d8f08 (1.16)"},
    {capability::wasm_plugin_vm_config, "wasm-plugin-vm-config", r(14), {}, "WasmPlugin.vmConfig",
     "istio/api 4293757b0 (1.14)"},
    {capability::wasm_plugin_match, "wasm-plugin-match", r(16), {}, "WasmPlugin.match",
     "istio/api d5358d93e (1.16)"},
    {capability::wasm_plugin_fail_strategy, "wasm-plugin-fail-strategy", r(19), {},
     "WasmPlugin.failStrategy (FAIL_CLOSE, FAIL_OPEN)", "istio/api 9242317ad (1.19)"},
    {capability::wasm_plugin_fail_reload, "wasm-plugin-fail-reload", r(27), {},
     "WasmPlugin.failStrategy FAIL_RELOAD", "istio/api 5e743e9aa (1.27)"},
    {capability::wasm_plugin_type, "wasm-plugin-type", r(20), {}, "WasmPlugin.type (HTTP, NETWORK)",
     "istio/api 3cfacc600 (1.20)"},
    {capability::wasm_plugin_target_ref, "wasm-plugin-target-ref", r(20), {},
     "WasmPlugin.targetRef (deprecated by targetRefs)", "istio/api 283cc40b0 (1.20)"},
    {capability::wasm_plugin_target_refs, "wasm-plugin-target-refs", r(22), {},
     "WasmPlugin.targetRefs", "istio/api fe48267f8 (1.22)"},
    // The spec's priority is int32, which both field types hold.
    {capability::wasm_plugin_priority_int32, "wasm-plugin-priority-int32", r(19), {},
     "WasmPlugin.priority is int32 (int64 before)", "istio/api 0f5a7e990 (1.19)", kDoc},
    // The URLs wasmdeploy writes (explicit oci/http(s)/file schemes) parse the same either way.
    {capability::wasm_plugin_strict_url, "wasm-plugin-strict-url", r(23), {},
     "WasmPlugin url is validated with strictParseURL",
     "istio/istio release-1.23 pkg/config/validation", kDoc},
    {capability::abi_0_1_0, "abi-0.1.0", r(5), {}, "proxy-wasm ABI 0.1.0 modules load",
     "istio/envoy in-tree Wasm (1.5, 1.6); proxy-wasm-cpp-host since"},
    {capability::abi_0_2_0, "abi-0.2.0", r(7), {}, "proxy-wasm ABI 0.2.0 modules load",
     "proxy-wasm-cpp-host 51e2013 (Istio 1.7)"},
    {capability::abi_0_2_1, "abi-0.2.1", r(8), {}, "proxy-wasm ABI 0.2.1 modules load",
     "proxy-wasm-cpp-host a044a3a (Istio 1.8); 1.7 lacks d1e7040"},
    {capability::alloc_proxy_on_memory_allocate, "alloc-proxy-on-memory-allocate", r(8), {},
     "proxy_on_memory_allocate is used when malloc is not exported",
     "proxy-wasm-cpp-host 7bd429d (Istio 1.8)"},
    {capability::startup_initialize, "startup-initialize", r(8), {},
     "_initialize (WASI reactor) start-up export is called", "proxy-wasm-cpp-host d54b379 (Istio 1.8)"},
    {capability::wasme_abi_v0_097b7f2e, "wasme-abi-v0-097b7f2e", r(5), r(7),
     "wasme abiVersions label v0-097b7f2e4cc1fb490cc1943d0d633655ac3c522f applies",
     "solo-io/wasm abi.DefaultRegistry: envoy-wasm 2019-12-12, istio 1.5.x, 1.6.x"},
    {capability::wasme_abi_v0_4689a303, "wasme-abi-v0-4689a303", r(7), r(10),
     "wasme abiVersions label v0-4689a30309abf31aee9ae36e73d34b1bb182685f applies",
     "solo-io/wasm abi.DefaultRegistry: envoy-wasm 2020-08-04, istio 1.7.x, 1.8.x, 1.9.x"},
    {capability::agent_fixed_module_size_limit, "agent-fixed-module-size-limit", r(17), r(30),
     "istio-agent refuses modules over 256 MiB (from 1.30 ISTIO_WASM_MAX_BINARY_SIZE_BYTES raises it)",
     "istio/istio 7f4605e306d (1.17); pkg/wasm release-1.30"},
    // validatePolicyTargetReference(s) in pkg/config/validation/validation.go, read at each tag;
    // the Go allow-list was never wider than the CRD's CEL one (1.23-1.24), so it decides.
    {capability::target_ref_kind_gateway, "target-ref-kind-gateway", r(20), {},
     "targetRef(s) may name a gateway.networking.k8s.io/Gateway (the only kind in 1.20-1.21)",
     "istio/istio 8e061b0812c (1.20.0) pkg/config/validation/validation.go validatePolicyTargetReference"},
    {capability::target_ref_kind_service, "target-ref-kind-service", r(22), {},
     "targetRef(s) may name a core Service (group empty or core)",
     "istio/istio b794e4a43a9 (1.22.0) pkg/config/validation/validation.go allowedTargetRefs"},
    {capability::target_ref_kind_service_entry, "target-ref-kind-service-entry", r(24), {},
     "targetRef(s) may name a networking.istio.io/ServiceEntry",
     "istio/istio c21de31904a (1.24.0) pkg/config/validation/validation.go allowedTargetRefs"},
    {capability::target_ref_kind_gateway_class, "target-ref-kind-gateway-class", r(25), {},
     "targetRef(s) may name a gateway.networking.k8s.io/GatewayClass",
     "istio/istio 6ec5ded098c (release-1.25, 1.25.0) pkg/config/validation/validation.go allowedTargetRefs"},
    // The 256 MiB default stays; from 1.30 the agent reads it from the environment, for http(s) bodies, after
    // gunzip and for OCI layers alike (io.LimitReader in pkg/wasm/httpfetcher.go and imagefetcher.go).
    {capability::agent_module_size_setting, "agent-module-size-setting", r(30), {},
     "ISTIO_WASM_MAX_BINARY_SIZE_BYTES (default 256 MiB) limits fetched modules, also after gunzip",
     "istio/istio release-1.30 9739e10eb9d7 pilot/pkg/features/pilot.go MaxWasmBinarySizeBytes, "
     "pkg/wasm/httpfetcher.go, pkg/wasm/imagefetcher.go"},
    // wasmdeploy always writes TrafficExtension's `wasm:` and never `lua:`, so the CRD rule
    // "exactly one of wasm or lua must be set" holds by construction.
    {capability::traffic_extension_lua, "traffic-extension-lua", r(30), {},
     "TrafficExtension: exactly one of wasm or lua (lua.inlineCode 1-65536 characters); at most one of "
     "selector and targetRefs; targetRefs at most 16 (CRD CEL rules)",
     "istio.io/api v1.30.3 extensions/v1alpha1/traffic_extension.proto (XValidation on TrafficExtension, "
     "LuaConfig.inline_code MaxLength=65536); unchanged in v1.31.4 and v1.32.0",
     kDoc},
    // istio #60530: a WasmPlugin in an app namespace targeting a Service whose waypoint lives in
    // another namespace is named in the waypoint's listeners, but WasmPluginsByName (1.29.1) /
    // TrafficExtensionsByName serve ECDS only from the proxy's and the root namespace, so the
    // waypoint waits for the extension forever. Fixed by istio #60639 (also on release-1.30 after
    // 1.30.3 at 9739e10eb9d7; which 1.30 patch first has it was not read, so 1.30 counts as without).
    {capability::waypoint_cross_namespace_extensions, "waypoint-cross-namespace-extensions", r(31), {},
     "a waypoint is served the extensions of its services' namespaces (before: its own and the root namespace only)",
     "istio/istio #60639; pilot/pkg/model/push_context.go TrafficExtensionsByName at eed52ebb66ad (1.31) vs "
     "WasmPluginsByName at 1.29.1"},
    // A gateway's pod template always has a container named istio-proxy: the proxy itself in the
    // gateway charts (manifests/charts/gateways/istio-ingress/templates/deployment.yaml since 1.5),
    // and from 1.10 also the `image: auto` placeholder that the gateway injection template fills
    // in, merging its own fields under the pod's (so volumeMounts wasmdeploy adds there stay).
    {capability::gateway_injection_template, "gateway-injection-template", r(10), {},
     "gateways may be injected (inject.istio.io/templates: gateway): the pod template's istio-proxy container is "
     "an `image: auto` override the injector completes; the annotations that mount volumes are ignored there",
     "istio/istio 1cdbb766308 (#31004, tag 1.10.0) "
     "manifests/charts/istio-control/istio-discovery/files/gateway-injection-template.yaml"},
};

// Each release line was read in istio.io/api (wasm.proto, traffic_extension.proto) and istio/istio; the
// newest one bounds what wasmdeploy knows.
constexpr reviewed_release kNewestReviewed{
    r(32),
    "istio.io/api v1.32.0 extensions/v1alpha1/wasm.proto and traffic_extension.proto are byte-identical to "
    "v1.31.4 (both tags from the Go module proxy, diffed 2026-12-05); envoy_filter.proto changed (transport-socket "
    "match), which wasmdeploy never writes"};

}  // namespace

const std::vector<capability_info>& capability_table() { return kTable; }

const reviewed_release& newest_reviewed_release() { return kNewestReviewed; }

const capability_info& info(capability c) { return kTable.at(static_cast<size_t>(c)); }

std::optional<capability> find_capability(std::string_view key) {
  for (const auto& row : kTable) {
    if (row.key == key) return row.id;
  }
  return std::nullopt;
}

bool supports(const mesh_version& v, capability c) {
  const auto& row = info(c);
  const release at = v.effective();
  if (at < row.since) return false;
  if (row.until && at >= *row.until) return false;
  return true;
}

std::string describe_support(capability c) {
  const auto& row = info(c);
  if (!row.until) return fmt::format("Istio {} and later", row.since.str(true));
  release last = *row.until;
  // The release before `until`: a minor line ends at the previous minor.
  if (last.patch > 0) {
    return fmt::format("Istio {} up to (not including) {}", row.since.str(true), last.str());
  }
  last.minor -= 1;
  return fmt::format("Istio {} to {}", row.since.str(true), fmt::format("{}.{}", last.major, last.minor));
}

}  // namespace wasmdeploy
