// Version-independent checks of names, labels, hashes and values.
#pragma once

#include <map>
#include <optional>
#include <vector>
#include <string>
#include <string_view>

#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/spec.hpp>

namespace wasmdeploy::detail {

/// Throws error{invalid} with `code`, `path` and the spec position of `path`.
[[noreturn]] void reject(const spec& s, const std::string& code, const std::string& path, const std::string& message,
                         errc category = errc::invalid);

/// True when check_dns_subdomain would accept `value` (no allocation, for hot loops).
bool is_dns_subdomain(std::string_view value);
void check_dns_label(const spec& s, const std::string& value, const std::string& path, const char* what);
void check_dns_subdomain(const spec& s, const std::string& value, const std::string& path, const char* what);
void check_labels(const spec& s, const std::map<std::string, std::string>& labels, const std::string& path);
void check_sha256(const spec& s, const std::string& value, const std::string& path);

/// Digests written as tools print them (a "sha256:" prefix, uppercase hex) in the form Istio
/// demands, for specs from files, flags, the C API and Python alike. Returns `s` when nothing
/// changes, else a corrected copy held in `storage`; each change is a note naming the value used.
const spec& normalize_digests(const spec& s, std::optional<spec>& storage, std::vector<diagnostic>& notes);

/// Checks every filter and target field that does not depend on the Istio version. Targeting
/// rules (a target needs workloads, a selector or targetRefs) apply to Istio only; the other
/// platforms check their own.
void validate_spec(const spec& s, platform which = platform::istio);

/// Refuses a targetRefs entry naming a group/kind istiod does not accept at version `v`: for a
/// WasmPlugin or TrafficExtension its validation rejects the resource; an EnvoyFilter is not
/// validated, but a ref to any other kind attaches to nothing. The kinds come from the
/// target-ref-kind-* rows of the capability table.
void check_target_ref_kinds(const spec& s, const mesh_version& v, const target& t, bool envoy_filter);

}  // namespace wasmdeploy::detail
