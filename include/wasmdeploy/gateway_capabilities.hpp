// The Envoy Gateway capability table: every EG-version-dependent rule, in one place.
//
// A sibling of capabilities.hpp (which is Istio's): Envoy Gateway has its own release line
// (v1.1 ... v1.9), so its rows live in their own table rather than in Istio's matrix. Each row
// names the first EG release with the capability and where that fact was read. The
// EnvoyExtensionPolicy renderer reads this table; nothing else compares EG versions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/mesh_version.hpp>

namespace wasmdeploy {

enum class gateway_capability : int {
  eep_wasm,                     ///< EnvoyExtensionPolicy.wasm[] (HTTP/Image code, sha256, pullPolicy, ...)
  eep_wasm_env_host_keys,       ///< wasm[].env.hostKeys
  eep_wasm_source_tls,          ///< code.http.tls / code.image.tls caCertificateRef
  eep_cross_namespace_pull_secret,  ///< code.image.pullSecretRef in another namespace
  eep_listener_set_target,      ///< targetRefs may name a ListenerSet
  eep_merge_type,               ///< EnvoyExtensionPolicy.mergeType (route targets only)
};

struct gateway_capability_info {
  gateway_capability id;
  std::string_view key;     ///< stable name
  release since;            ///< first Envoy Gateway release that has it
  std::string_view summary;
  std::string_view source;  ///< where the fact was read
  row_use use = row_use::decision;  ///< as for the Istio table (capabilities.hpp)
};

/// All rows, in declaration order.
const std::vector<gateway_capability_info>& gateway_capability_table();
const gateway_capability_info& info(gateway_capability c);

/// Parses "v1.3", "1.3", "v1.3.2"; range-checked against the table (v1.1 ... v1.9). Throws
/// wasmdeploy::error with code `gateway-version.syntax` or `gateway-version.unsupported`.
release parse_gateway_version(std::string_view text, const std::string& path);
/// The range parse_gateway_version accepts.
release gateway_oldest_supported();
release gateway_newest_supported();
/// "v1.3" (or "v1.3.2").
std::string gateway_version_str(const release& r);

bool supports(const release& gateway_version, gateway_capability c);
/// "Envoy Gateway v1.3 and later".
std::string describe_support(gateway_capability c);

}  // namespace wasmdeploy
