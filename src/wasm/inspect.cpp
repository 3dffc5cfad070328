#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/inspect.hpp>

#include <algorithm>

#include <fmt/format.h>

#include "host/engine.hpp"
#include "wasm/module_file.hpp"
#include "wasm/proxy_host.hpp"

namespace wasmdeploy {
namespace {

using detail::abi_capability;

constexpr std::string_view kMarkerPrefix = "proxy_abi_version_";

std::optional<proxy_abi> known_marker(std::string_view name) {
  for (proxy_abi a : {proxy_abi::v0_1_0, proxy_abi::v0_2_0, proxy_abi::v0_2_1}) {
    if (name == detail::abi_marker_name(a)) return a;
  }
  return std::nullopt;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

void analyse_abi(module_report& r) {
  std::vector<std::string> known, unknown;
  for (const auto& ex : r.binary.exports) {
    // Hosts scan only function exports for the marker (cpp-host BytecodeUtil::getAbiVersion).
    if (ex.kind != wasm_extern_kind::function || !starts_with(ex.name, kMarkerPrefix)) continue;
    abi_marker m{ex.name, known_marker(ex.name)};
    (m.abi ? known : unknown).push_back(ex.name);
    if (m.abi && !r.abi) r.abi = m.abi;  // hosts stop at the first known marker
    r.abi_markers.push_back(std::move(m));
  }
  if (known.size() == 1) {
    r.abi_state = abi_status::declared;
  } else if (known.size() > 1) {
    r.abi_state = abi_status::multiple;
    r.findings.push_back({severity::warning, "wasm.abi-multiple", "exports",
                          fmt::format("exports several ABI markers ({}); the spec requires exactly one, "
                                      "and hosts use the first in export order ({})",
                                      join(known, ", "), known.front()),
                          {}});
  } else {
    r.abi_state = unknown.empty() ? abi_status::missing : abi_status::unknown;
  }
  if (!known.empty() && !unknown.empty()) {
    r.findings.push_back({severity::warning, "wasm.abi-unknown-marker", "exports",
                          fmt::format("exports unknown ABI marker(s) {} which hosts ignore; they use {}",
                                      join(unknown, ", "), known.front()),
                          {}});
  }
}

void analyse_exports(module_report& r) {
  const bool has_malloc = r.exports("malloc");
  const bool has_pma = r.exports("proxy_on_memory_allocate");
  r.allocator = has_malloc && has_pma ? allocator_kind::both
                : has_malloc          ? allocator_kind::malloc
                : has_pma             ? allocator_kind::proxy_on_memory_allocate
                                      : allocator_kind::none;
  for (const char* name : {"_initialize", "_start", "main", "__wasm_call_ctors"}) {
    if (r.exports(name)) r.startup_exports.emplace_back(name);
  }
}

void analyse_imports(module_report& r) {
  for (const auto& imp : r.binary.imports) {
    if (imp.kind != wasm_extern_kind::function) continue;
    if (imp.module == "env" && starts_with(imp.field, "proxy_")) {
      proxy_import p;
      p.name = imp.field;
      p.only_in = detail::abis_providing(imp.field);
      p.known = detail::classify_proxy_import(imp.field) != detail::host_function::unknown;
      r.proxy_imports.push_back(std::move(p));
    } else if (detail::is_wasi_module(imp.module)) {
      r.wasi_imports.push_back(imp.module + "." + imp.field);
      if (detail::classify_wasi_import(imp.field) == detail::wasi_support::recent) {
        r.findings.push_back({severity::warning, "wasm.wasi-recent", imp.module + "." + imp.field,
                              fmt::format("imports {}.{}, which only recent proxy-wasm hosts provide; "
                                          "check that the target proxy registers it",
                                          imp.module, imp.field),
                              {}});
      }
    }
  }
}

// ---- verdict rules ------------------------------------------------------------------------

/// "1.5–1.6, 1.9": consecutive minors folded into ranges.
std::string range_list(const std::vector<release>& releases) {
  std::string out;
  std::size_t i = 0;
  while (i < releases.size()) {
    std::size_t j = i;
    while (j + 1 < releases.size() && releases[j + 1].major == releases[j].major &&
           releases[j + 1].minor == releases[j].minor + 1) {
      ++j;
    }
    if (i > 0) out += ", ";
    out += releases[i].str(true);
    if (j > i) out += "\u2013" + releases[j].str(true);
    i = j + 1;
  }
  return out;
}

/// Istio minors in the supported range where `c` is absent, e.g. "1.5–1.6".
std::string releases_without(capability c) {
  std::vector<release> missing;
  for (int m = mesh_version::oldest_supported().minor; m <= mesh_version::newest_supported().minor; ++m) {
    const release at{mesh_version::oldest_supported().major, m, 0};
    if (!supports(mesh_version(at, false), c)) missing.push_back(at);
  }
  return range_list(missing);
}

/// One reason a module may not load: absent from every release (`needs` empty) or from the
/// releases lacking `needs`.
struct rule {
  std::string code;
  std::string path;
  std::optional<capability> needs;
  std::string subject;  ///< "imports env.proxy_continue_stream (ABI 0.2.0+)"
  std::string because;  ///< "do not provide" (gated) or the reason no host can (never)
};

diagnostic to_diagnostic(const rule& r) {
  std::string msg;
  if (r.needs) {
    msg = fmt::format("{}, which Istio {} {}; {} can load it", r.subject, releases_without(*r.needs),
                      r.because, describe_support(*r.needs));
  } else {
    msg = fmt::format("{}; {}; no Istio release can load it", r.subject, r.because);
  }
  return diagnostic{severity::error, r.code, r.path, std::move(msg), {}};
}

std::string abi_set_label(const std::vector<proxy_abi>& abis) {
  if (abis.size() == 1) {
    return fmt::format("ABI {}{}", proxy_abi_name(abis.front()),
                       abis.front() == proxy_abi::v0_2_1 ? "" : " only");
  }
  return fmt::format("ABI {}+", proxy_abi_name(abis.front()));
}

void validity_rules(const module_report& r, std::vector<rule>& out) {
  if (r.valid.value_or(true)) return;
  out.push_back({"wasm.invalid", "", std::nullopt,
                 "is not valid WebAssembly (the validator refuses a function body, type or index)",
                 "no host loads a module its validator refuses"});
}

void abi_rules(const module_report& r, std::vector<rule>& out) {
  switch (r.abi_state) {
    case abi_status::missing:
      out.push_back({"wasm.abi-missing", "exports", std::nullopt,
                     "exports no proxy_abi_version_* function",
                     "hosts fail with \"Missing or unknown Proxy-Wasm ABI version\""});
      return;
    case abi_status::unknown: {
      std::vector<std::string> names;
      for (const auto& m : r.abi_markers) names.push_back(m.export_name);
      out.push_back({"wasm.abi-unknown", "exports", std::nullopt,
                     fmt::format("exports only unknown ABI marker(s) {}", join(names, ", ")),
                     "hosts know proxy_abi_version_0_1_0, 0_2_0 and 0_2_1 only"});
      return;
    }
    case abi_status::declared:
    case abi_status::multiple:
      out.push_back({"wasm.abi-unsupported", std::string(detail::abi_marker_name(*r.abi)),
                     abi_capability(*r.abi),
                     fmt::format("declares proxy-wasm ABI {} (exports {})", proxy_abi_name(*r.abi),
                                 detail::abi_marker_name(*r.abi)),
                     "do not accept"});
      return;
  }
}

void allocator_rules(const module_report& r, std::vector<rule>& out) {
  if (r.allocator == allocator_kind::none) {
    out.push_back({"wasm.allocator-missing", "exports", std::nullopt,
                   "exports neither malloc nor proxy_on_memory_allocate",
                   "hosts fail with \"Wasm module is missing malloc function\""});
  } else if (r.allocator == allocator_kind::proxy_on_memory_allocate) {
    out.push_back({"wasm.allocator-needs-malloc", "proxy_on_memory_allocate",
                   capability::alloc_proxy_on_memory_allocate,
                   "exports proxy_on_memory_allocate but not malloc",
                   "do not accept (they require malloc: \"Wasm module is missing malloc function\")"});
  }
}

void startup_rules(const module_report& r, std::vector<rule>& out) {
  // Older hosts call only _start or __wasm_call_ctors; a reactor that relies on _initialize
  // loads there but its static constructors (and so its root-context registration) never run.
  if (r.exports("_initialize") && !r.exports("_start") && !r.exports("__wasm_call_ctors")) {
    out.push_back({"wasm.startup-initialize-ignored", "_initialize", capability::startup_initialize,
                   "exports _initialize but neither _start nor __wasm_call_ctors",
                   "never call (they run only _start or __wasm_call_ctors, so the module is never "
                   "initialised)"});
  }
}

void import_rules(const module_report& r, std::vector<rule>& out) {
  for (const auto& imp : r.binary.imports) {
    const std::string full = imp.module + "." + imp.field;
    if (imp.kind != wasm_extern_kind::function) {
      out.push_back({"wasm.import-not-function", full, std::nullopt,
                     fmt::format("imports a {} ({})", wasm_extern_kind_name(imp.kind), full),
                     "proxy-wasm hosts provide functions only, so linking fails"});
      continue;
    }
    if (imp.module == "env") {
      if (!starts_with(imp.field, "proxy_")) {
        if (!detail::is_env_helper(imp.field)) {
          out.push_back({"wasm.import-unknown", full, std::nullopt, fmt::format("imports {}", full),
                         "no proxy-wasm host provides it, so linking fails with a missing import"});
        }
        continue;
      }
      switch (detail::classify_proxy_import(imp.field)) {
        case detail::host_function::common:
          break;
        case detail::host_function::unknown:
          out.push_back({"wasm.import-unknown-host-function", full, std::nullopt,
                         fmt::format("imports {}", full),
                         "it is not a proxy-wasm host function of any ABI, so linking fails"});
          break;
        case detail::host_function::abi_specific: {
          const auto abis = detail::abis_providing(imp.field);
          const std::string subject = fmt::format("imports {} ({})", full, abi_set_label(abis));
          // Hosts register these per the module's declared ABI, so a mismatch never links.
          if (r.abi && std::find(abis.begin(), abis.end(), *r.abi) == abis.end()) {
            out.push_back({"wasm.import-abi-mismatch", full, std::nullopt,
                           fmt::format("{} but declares ABI {}", subject, proxy_abi_name(*r.abi)),
                           fmt::format("hosts register it only for {} modules, so linking fails "
                                       "with a missing import",
                                       abi_set_label(abis))});
          } else {
            out.push_back({"wasm.import-needs-abi", full, abi_capability(abis.front()), subject,
                           "do not provide"});
          }
          break;
        }
      }
    } else if (detail::is_wasi_module(imp.module)) {
      if (detail::classify_wasi_import(imp.field) == detail::wasi_support::never) {
        out.push_back({"wasm.wasi-unsupported", full, std::nullopt, fmt::format("imports {}", full),
                       "proxy-wasm hosts do not implement this WASI function, so linking fails"});
      }
    } else {
      out.push_back({"wasm.import-unknown-module", full, std::nullopt,
                     fmt::format("imports {} from module '{}'", imp.field, imp.module),
                     "proxy-wasm hosts provide only env, wasi_snapshot_preview1 and wasi_unstable"});
    }
  }
}

}  // namespace

const char* proxy_abi_name(proxy_abi abi) noexcept {
  switch (abi) {
    case proxy_abi::v0_1_0: return "0.1.0";
    case proxy_abi::v0_2_0: return "0.2.0";
    case proxy_abi::v0_2_1: return "0.2.1";
  }
  return "unknown";
}

const char* abi_status_name(abi_status s) noexcept {
  switch (s) {
    case abi_status::declared: return "declared";
    case abi_status::missing: return "missing";
    case abi_status::multiple: return "multiple";
    case abi_status::unknown: return "unknown";
  }
  return "unknown";
}

const char* allocator_kind_name(allocator_kind a) noexcept {
  switch (a) {
    case allocator_kind::none: return "none";
    case allocator_kind::malloc: return "malloc";
    case allocator_kind::proxy_on_memory_allocate: return "proxy_on_memory_allocate";
    case allocator_kind::both: return "both";
  }
  return "none";
}

bool accepts_any_root_id(const module_report& report) {
  for (const auto& field : report.binary.producers) {
    if (field.name != "language") continue;
    for (const auto& v : field.values) {
      if (v.name == "Rust") return true;
    }
  }
  return false;
}

bool module_report::exports(std::string_view name) const {
  // Hosts look these up as functions (WasmVm::getFunction), so other kinds do not count.
  return std::any_of(binary.exports.begin(), binary.exports.end(), [&](const wasm_export& e) {
    return e.kind == wasm_extern_kind::function && e.name == name;
  });
}

module_report inspect_module(std::string_view bytes) {
  module_report r;
  r.binary = read_wasm_binary(bytes);  // before hashing: a bad file fails fast
  r.size = bytes.size();
  r.sha256 = sha256_hex(bytes);
  r.findings = r.binary.warnings;
  analyse_abi(r);
  analyse_exports(r);
  analyse_imports(r);
  // The reader checks the module's structure, not its code: a body that sets a global the module
  // does not have reads fine here, and a host refuses it (item 3 of issue 20: such a module
  // turned valid once the host's rewriter added its budget global).
  if (host::engine_available()) r.valid = host::validate(bytes);
  return r;
}

module_report inspect_module(std::string_view bytes, const limits& bounds) {
  const limits_scope scope(bounds);
  return inspect_module(bytes);
}

module_report inspect_file(const std::string& path) {
  const detail::module_file file(path);
  return inspect_module(file.bytes());
}

module_report inspect_file(const std::string& path, const limits& bounds) {
  const limits_scope scope(bounds);
  return inspect_file(path);
}

compat_verdict verdict_for(const module_report& report, const mesh_version& version) {
  std::vector<rule> rules;
  validity_rules(report, rules);
  abi_rules(report, rules);
  allocator_rules(report, rules);
  startup_rules(report, rules);
  import_rules(report, rules);
  compat_verdict v;
  v.version = version;
  for (const auto& r : rules) {
    if (r.needs && supports(version, *r.needs)) continue;
    v.problems.push_back(to_diagnostic(r));
  }
  v.loads = v.problems.empty();
  for (const auto& f : report.findings) v.problems.push_back(f);
  return v;
}

std::vector<release> loadable_releases(const module_report& report) {
  std::vector<release> out;
  const release first = mesh_version::oldest_supported();
  for (int m = first.minor; m <= mesh_version::newest_supported().minor; ++m) {
    const release at{first.major, m, 0};
    if (verdict_for(report, mesh_version(at, false)).loads) out.push_back(at);
  }
  return out;
}

std::string describe_releases(const std::vector<release>& releases) {
  if (releases.empty()) return "no Istio release";
  return "Istio " + range_list(releases);
}

std::vector<std::string> wasme_abi_versions(const module_report& report) {
  // wasme labels name envoy-wasm snapshots, not ABI versions; a label applies when some Istio
  // release wasme maps it to can load the module.
  static const std::pair<capability, const char*> kLabels[] = {
      {capability::wasme_abi_v0_097b7f2e, "v0-097b7f2e4cc1fb490cc1943d0d633655ac3c522f"},
      {capability::wasme_abi_v0_4689a303, "v0-4689a30309abf31aee9ae36e73d34b1bb182685f"},
  };
  const auto loadable = loadable_releases(report);
  std::vector<std::string> out;
  for (const auto& [cap, label] : kLabels) {
    const bool applies = std::any_of(loadable.begin(), loadable.end(), [&, c = cap](const release& r) {
      return supports(mesh_version(r, false), c);
    });
    if (applies) out.emplace_back(label);
  }
  return out;
}

}  // namespace wasmdeploy
