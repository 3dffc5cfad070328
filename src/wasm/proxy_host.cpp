#include "wasm/proxy_host.hpp"

#include <algorithm>
#include <array>

namespace wasmdeploy::detail {
namespace {

// WasmBase::registerCallbacks, the part outside the per-ABI branches.
constexpr std::array<std::string_view, 36> kCommon = {
    "proxy_log", "proxy_get_status", "proxy_set_property", "proxy_get_property",
    "proxy_send_local_response", "proxy_get_shared_data", "proxy_set_shared_data",
    "proxy_register_shared_queue", "proxy_resolve_shared_queue", "proxy_dequeue_shared_queue",
    "proxy_enqueue_shared_queue", "proxy_get_header_map_value", "proxy_add_header_map_value",
    "proxy_replace_header_map_value", "proxy_remove_header_map_value", "proxy_get_header_map_pairs",
    "proxy_set_header_map_pairs", "proxy_get_header_map_size", "proxy_get_buffer_status",
    "proxy_get_buffer_bytes", "proxy_set_buffer_bytes", "proxy_http_call", "proxy_grpc_call",
    "proxy_grpc_stream", "proxy_grpc_close", "proxy_grpc_cancel", "proxy_grpc_send",
    "proxy_set_tick_period_milliseconds", "proxy_get_current_time_nanoseconds",
    "proxy_define_metric", "proxy_increment_metric", "proxy_record_metric", "proxy_get_metric",
    "proxy_set_effective_context", "proxy_done", "proxy_call_foreign_function",
};

struct abi_specific_row {
  std::string_view name;
  std::vector<proxy_abi> abis;
};

// The `if (abiVersion() == ...)` branches of registerCallbacks.
const std::vector<abi_specific_row>& abi_specific() {
  static const std::vector<abi_specific_row> rows = {
      {"proxy_get_configuration", {proxy_abi::v0_1_0}},
      {"proxy_continue_request", {proxy_abi::v0_1_0}},
      {"proxy_continue_response", {proxy_abi::v0_1_0}},
      {"proxy_clear_route_cache", {proxy_abi::v0_1_0}},
      {"proxy_continue_stream", {proxy_abi::v0_2_0, proxy_abi::v0_2_1}},
      {"proxy_close_stream", {proxy_abi::v0_2_0, proxy_abi::v0_2_1}},
      {"proxy_get_log_level", {proxy_abi::v0_2_1}},
  };
  return rows;
}

}  // namespace

host_function classify_proxy_import(std::string_view name) {
  if (std::find(kCommon.begin(), kCommon.end(), name) != kCommon.end()) return host_function::common;
  if (!abis_providing(name).empty()) return host_function::abi_specific;
  return host_function::unknown;
}

std::vector<proxy_abi> abis_providing(std::string_view name) {
  for (const auto& row : abi_specific()) {
    if (row.name == name) return row.abis;
  }
  return {};
}

bool is_env_helper(std::string_view name) {
  return name == "pthread_equal" || name == "emscripten_notify_memory_growth";
}

bool is_wasi_module(std::string_view module) {
  return module == "wasi_snapshot_preview1" || module == "wasi_unstable";
}

wasi_support classify_wasi_import(std::string_view name) {
  // The set cpp-host registered when Istio 1.8 pinned it (a044a3a) ...
  static constexpr std::array<std::string_view, 12> kAlways = {
      "fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "environ_get",
      "environ_sizes_get", "args_get", "args_sizes_get", "clock_time_get", "random_get", "proc_exit"};
  // ... and what current cpp-host (FOR_ALL_WASI_FUNCTIONS) added since.
  static constexpr std::array<std::string_view, 3> kRecent = {"path_open", "fd_prestat_get",
                                                              "fd_prestat_dir_name"};
  if (std::find(kAlways.begin(), kAlways.end(), name) != kAlways.end()) return wasi_support::always;
  if (std::find(kRecent.begin(), kRecent.end(), name) != kRecent.end()) return wasi_support::recent;
  return wasi_support::never;
}

capability abi_capability(proxy_abi abi) {
  switch (abi) {
    case proxy_abi::v0_1_0: return capability::abi_0_1_0;
    case proxy_abi::v0_2_0: return capability::abi_0_2_0;
    case proxy_abi::v0_2_1: return capability::abi_0_2_1;
  }
  return capability::abi_0_1_0;
}

std::string_view abi_marker_name(proxy_abi abi) {
  switch (abi) {
    case proxy_abi::v0_1_0: return "proxy_abi_version_0_1_0";
    case proxy_abi::v0_2_0: return "proxy_abi_version_0_2_0";
    case proxy_abi::v0_2_1: return "proxy_abi_version_0_2_1";
  }
  return "";
}

}  // namespace wasmdeploy::detail
