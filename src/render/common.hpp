// Helpers every renderer shares: metadata, file names, type URLs.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <wasmdeploy/render.hpp>

#include "plan/plan.hpp"

namespace wasmdeploy::detail {

inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kFilterLabel = "wasmdeploy.io/filter";
inline constexpr const char* kWasmHttpType = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
inline constexpr const char* kWasmNetworkType = "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm";
inline constexpr const char* kTypedStructType = "type.googleapis.com/udpa.type.v1.TypedStruct";
inline constexpr const char* kStringValueType = "type.googleapis.com/google.protobuf.StringValue";

/// metadata for a resource wasmdeploy owns: name, namespace, and labels that let `undeploy`
/// and `kubectl delete -l` find it.
node owned_metadata(const std::string& name, const std::string& ns, const std::string& filter,
                    const std::string& revision);

/// A document with its stable directory file name.
document make_document(document::role role, std::string api_version, std::string kind, std::string ns,
                       std::string name, node body);

/// The directory file name make_document gives a document.
std::string document_file_name(document::role role, const std::string& kind, const std::string& ns,
                               const std::string& name);

/// Re-points a rendered filter resource (EnvoyFilter, WasmPlugin, TrafficExtension) at another
/// placement of the same target and filter, which differ only in the name and the selector's
/// labels: a bulk render then builds each target's tree once instead of once per workload.
/// Returns false when the document's shape does not fit (the caller renders afresh).
bool rebind_resource(document& d, const spec& s, const placement& pl);

/// The same for a volume patch of a workload with no volume annotations of its own: only the
/// workload's name differs. False when the kinds differ.
bool rebind_patch(document& d, const workload& w);

/// The plugin configuration as the string the Wasm module receives: strings verbatim,
/// mappings as compact JSON. Empty when there is none.
std::string configuration_string(const filter& f);

/// envoy.extensions.wasm.v3.PluginConfig for a filter, shared by EnvoyFilter patches and the
/// local Envoy bootstrap. `extra_env` adds inline VM variables (istio-agent's pull policy); `v2`
/// writes `configuration` as the plain string the xDS v2 config of Istio 1.5/1.6 expects.
node wasm_plugin_config(const filter& f, const std::string& root_id, const std::string& vm_id, node code,
                        const std::vector<std::pair<std::string, std::string>>& extra_env = {}, bool v2 = false);

/// One PolicyTargetReference entry: group (when set), kind, name.
node target_ref_node(const target_ref& r);

/// "envoy.wasm.runtime.v8" for "v8", etc.
std::string envoy_runtime(const std::string& runtime);

/// "envoyfilter-<ns>-<name>.yaml"-style directory file name.
std::string fmt_file(const char* prefix, const std::string& kind, const std::string& ns, const std::string& name);

/// Standard base64 (OpenSSL).
std::string base64(const std::string& bytes);

}  // namespace wasmdeploy::detail
