// What a proxy-wasm host (proxy-wasm-cpp-host, Envoy, Istio) registers for a module to import.
// Facts from proxy-wasm-cpp-host src/wasm.cc WasmBase::registerCallbacks and
// include/proxy-wasm/exports.h (shared/reference/istio.md §6.3).
#pragma once

#include <string_view>
#include <vector>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/inspect.hpp>

namespace wasmdeploy::detail {

enum class host_function {
  common,        ///< registered for every ABI
  abi_specific,  ///< registered only for some ABIs (see abis_providing)
  unknown,       ///< no host registers it: linking fails
};

/// Classifies an `env.proxy_*` import name (with the "proxy_" prefix).
host_function classify_proxy_import(std::string_view name);

/// The ABIs whose hosts register `name`, ascending; empty unless abi_specific.
std::vector<proxy_abi> abis_providing(std::string_view name);

/// Non-proxy `env` functions hosts register (emscripten runtime helpers).
bool is_env_helper(std::string_view name);

bool is_wasi_module(std::string_view module);

enum class wasi_support {
  always,  ///< registered since the first cpp-host Istio used
  recent,  ///< added to cpp-host later (path_open, fd_prestat_*); older Istio lacks them
  never,   ///< no proxy-wasm host registers it
};
wasi_support classify_wasi_import(std::string_view name);

/// The capability-table row that says which Istio releases accept `abi`.
capability abi_capability(proxy_abi abi);

/// The marker export for `abi`: "proxy_abi_version_0_2_1".
std::string_view abi_marker_name(proxy_abi abi);

}  // namespace wasmdeploy::detail
