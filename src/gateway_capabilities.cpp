#include <wasmdeploy/gateway_capabilities.hpp>

#include <charconv>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>

namespace wasmdeploy {
namespace {

constexpr release eg(int minor) { return release{1, minor, 0}; }
constexpr release kNewest = eg(9);
constexpr row_use kDoc = row_use::documentation;

// Sources: envoyproxy/gateway release notes and api/v1alpha1/wasm_types.go, see
// shared/reference/platforms.md §1 ("Version history that matters for rendering").
const std::vector<gateway_capability_info> kTable = {
    {gateway_capability::eep_wasm, "eep-wasm", eg(1),
     "EnvoyExtensionPolicy.wasm[]: HTTP/Image code, sha256, pullPolicy, pullSecretRef, failOpen, rootID, config",
     "envoyproxy/gateway v1.1.0 api/v1alpha1/wasm_types.go"},
    {gateway_capability::eep_wasm_env_host_keys, "eep-wasm-env-host-keys", eg(3), "wasm[].env.hostKeys",
     "envoyproxy/gateway v1.3.0 (#4470)"},
    {gateway_capability::eep_wasm_source_tls, "eep-wasm-source-tls", eg(4),
     "code.http.tls / code.image.tls caCertificateRef", "envoyproxy/gateway v1.4.0 api/v1alpha1/wasm_types.go",
     kDoc},  // the spec has no CA certificate field
    {gateway_capability::eep_cross_namespace_pull_secret, "eep-cross-namespace-pull-secret", eg(8),
     "code.image.pullSecretRef may name a Secret in another namespace (with a ReferenceGrant)",
     "envoyproxy/gateway v1.8.0 (#8074)", kDoc},  // imagePullSecret names a Secret in the policy's namespace
    {gateway_capability::eep_listener_set_target, "eep-listener-set-target", eg(9),
     "targetRefs may name a ListenerSet", "envoyproxy/gateway v1.9.0"},
    {gateway_capability::eep_merge_type, "eep-merge-type", eg(9),
     "EnvoyExtensionPolicy.mergeType (route targets)", "envoyproxy/gateway v1.9.0", kDoc},  // never written
};

}  // namespace

const std::vector<gateway_capability_info>& gateway_capability_table() { return kTable; }

const gateway_capability_info& info(gateway_capability c) { return kTable.at(static_cast<size_t>(c)); }

std::string gateway_version_str(const release& r) {
  return r.patch ? fmt::format("v{}.{}.{}", r.major, r.minor, r.patch) : fmt::format("v{}.{}", r.major, r.minor);
}

release parse_gateway_version(std::string_view text, const std::string& path) {
  // The oldest supported release is the first with Wasm extensions.
  const release oldest = info(gateway_capability::eep_wasm).since;
  std::string_view t = text;
  if (!t.empty() && (t[0] == 'v' || t[0] == 'V')) t.remove_prefix(1);
  int parts[3] = {0, 0, 0};
  int n = 0;
  bool ok = !t.empty();
  while (ok && !t.empty() && n < 3) {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), parts[n]);
    if (ec != std::errc() || p == t.data()) ok = false;
    ++n;
    t.remove_prefix(static_cast<size_t>(p - t.data()));
    if (!t.empty()) {
      if (t[0] != '.') ok = false;
      t.remove_prefix(1);
      if (t.empty()) ok = false;
    }
  }
  if (!ok || n < 2 || !t.empty()) {
    throw error(errc::usage, "gateway-version.syntax", path,
                fmt::format("'{}' is not an Envoy Gateway version; write v1.3 or v1.3.2", text));
  }
  release r{parts[0], parts[1], parts[2]};
  if (r < oldest || release{r.major, r.minor, 0} > kNewest) {
    throw error(errc::version, "gateway-version.unsupported", path,
                fmt::format("Envoy Gateway {} is outside the supported range {} ... {} (Wasm extensions "
                            "arrived in {})", gateway_version_str(r), gateway_version_str(oldest),
                            gateway_version_str(kNewest), gateway_version_str(oldest)));
  }
  return r;
}

release gateway_oldest_supported() { return info(gateway_capability::eep_wasm).since; }
release gateway_newest_supported() { return kNewest; }

bool supports(const release& gateway_version, gateway_capability c) { return gateway_version >= info(c).since; }

std::string describe_support(gateway_capability c) {
  return fmt::format("Envoy Gateway {} and later", gateway_version_str(info(c).since));
}

}  // namespace wasmdeploy
