// Helpers every renderer shares: metadata, file names, type URLs.
#pragma once

#include <map>
#include <string>

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

/// The plugin configuration as the string the Wasm module receives: strings verbatim,
/// mappings as compact JSON. Empty when there is none.
std::string configuration_string(const filter& f);

/// "envoy.wasm.runtime.v8" for "v8", etc.
std::string envoy_runtime(const std::string& runtime);

/// "envoyfilter-<ns>-<name>.yaml"-style directory file name.
std::string fmt_file(const char* prefix, const std::string& kind, const std::string& ns, const std::string& name);

/// Standard base64 (OpenSSL).
std::string base64(const std::string& bytes);

}  // namespace wasmdeploy::detail
