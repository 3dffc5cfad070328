// proxy-wasm analysis of a .wasm module: which ABI it declares, how the host must allocate in
// it and start it, which host functions it imports, and from that which Istio releases can
// load it. Every Istio-version decision comes from the capability table (capabilities.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/wasm_binary.hpp>

namespace wasmdeploy {

/// The proxy-wasm ABI versions hosts know (there is no 0.3.0; vNEXT has no released marker).
enum class proxy_abi { v0_1_0, v0_2_0, v0_2_1 };

/// "0.1.0", "0.2.0", "0.2.1".
const char* proxy_abi_name(proxy_abi abi) noexcept;

/// How the module's `proxy_abi_version_*` exports read.
enum class abi_status {
  declared,  ///< exactly one known marker
  missing,   ///< no marker at all: no host loads it
  multiple,  ///< several known markers: hosts take the first in export order
  unknown,   ///< only markers no host knows (e.g. vNEXT's proxy_abi_version_0_x_x)
};

/// "declared", "missing", "multiple", "unknown".
const char* abi_status_name(abi_status s) noexcept;

/// Which allocator export the host will call to pass data into the module.
enum class allocator_kind { none, malloc, proxy_on_memory_allocate, both };

/// "none", "malloc", "proxy_on_memory_allocate", "both".
const char* allocator_kind_name(allocator_kind a) noexcept;

/// A `proxy_abi_version_*` function export.
struct abi_marker {
  std::string export_name;
  std::optional<proxy_abi> abi;  ///< empty when no host knows this marker
};

/// One `env.proxy_*` import and the ABI versions whose hosts register it.
struct proxy_import {
  std::string name;  ///< "proxy_continue_stream"
  /// Empty when every ABI provides it; otherwise the ABIs that do (e.g. {0.2.0, 0.2.1}).
  std::vector<proxy_abi> only_in;
  bool known = true;  ///< false for names no proxy-wasm host registers
};

struct module_report {
  std::uint64_t size = 0;
  std::string sha256;  ///< lowercase hex of the whole file
  wasm_binary_info binary;

  std::vector<abi_marker> abi_markers;  ///< in export order
  abi_status abi_state = abi_status::missing;
  std::optional<proxy_abi> abi;         ///< the ABI hosts will use (first known marker)

  allocator_kind allocator = allocator_kind::none;
  std::vector<std::string> startup_exports;  ///< of _initialize, _start, main, __wasm_call_ctors
  std::vector<proxy_import> proxy_imports;   ///< env.proxy_*, in import order
  std::vector<std::string> wasi_imports;     ///< "wasi_snapshot_preview1.fd_write", ...

  /// Findings that do not depend on the Istio version (malformed custom sections, extra ABI
  /// markers, WASI functions only recent hosts provide, ...).
  std::vector<diagnostic> findings;

  /// Whether the engine's validator accepts the module (function bodies, types, indices, which
  /// the reader above does not check); unset when the library was built without the host.
  std::optional<bool> valid;

  bool exports(std::string_view name) const;
};

/// Whether the module starts its root context whatever root id the host passes: the Rust SDK's
/// dispatcher keeps one root-context factory (`proxy_wasm::set_root_context`, not keyed by
/// name; proxy-wasm-rust-sdk src/dispatcher.rs), unlike the C++ SDK (RegisterContextFactory per
/// root id) and AssemblyScript (registerRootContext by name). Known from the `producers`
/// section's `language: Rust`.
bool accepts_any_root_id(const module_report& report);

/// Whether one Istio version can load the module, and why not.
struct compat_verdict {
  mesh_version version;
  bool loads = true;
  /// Errors (each one alone stops loading) then warnings, in a stable order.
  std::vector<diagnostic> problems;
};

/// Parses and analyses a module held in memory. Throws error{errc::parse, "wasm.*"}.
module_report inspect_module(std::string_view bytes);
/// The same under `bounds` instead of the calling thread's limits (wasm_* and wasm_module_bytes).
module_report inspect_module(std::string_view bytes, const limits& bounds);

/// Reads the file, then inspect_module(). Throws error{errc::io} when it cannot be read.
module_report inspect_file(const std::string& path);
module_report inspect_file(const std::string& path, const limits& bounds);

/// The verdict for one Istio version, decided from the capability table. Error codes:
///   wasm.abi-missing, wasm.abi-unknown, wasm.abi-unsupported, wasm.allocator-missing,
///   wasm.allocator-needs-malloc, wasm.startup-initialize-ignored, wasm.import-needs-abi,
///   wasm.import-abi-mismatch, wasm.import-unknown-host-function, wasm.import-unknown,
///   wasm.import-unknown-module, wasm.import-not-function, wasm.wasi-unsupported.
/// Warnings (from module_report::findings): wasm.abi-multiple, wasm.abi-unknown-marker,
///   wasm.wasi-recent, and malformed `name` / `producers` sections.
compat_verdict verdict_for(const module_report& report, const mesh_version& version);

/// Every supported minor release (1.5 .. 1.32, as "1.N") that can load the module, ascending.
std::vector<release> loadable_releases(const module_report& report);

/// "Istio 1.8 to 1.32", "Istio 1.5 to 1.6, 1.8 to 1.32", or "no Istio release".
std::string describe_releases(const std::vector<release>& releases);

/// wasme runtime-config `abiVersions` labels whose Istio releases can load this module
/// (solo-io/wasm abi.DefaultRegistry). Empty when no label applies.
std::vector<std::string> wasme_abi_versions(const module_report& report);

/// Human-readable report; with a version, ends with that version's verdict.
std::string format_report_text(const module_report& report,
                               const std::optional<mesh_version>& version = std::nullopt);

/// Deterministic JSON (fixed key order, two-space indent, trailing newline).
std::string format_report_json(const module_report& report,
                               const std::optional<mesh_version>& version = std::nullopt);

}  // namespace wasmdeploy
