// The state of one proxy-wasm VM run: the instance, the root and stream contexts, header maps,
// buffers, properties, shared data, and everything recorded for the run_result. Host functions
// (abi_functions.cpp, wasi_functions.cpp) read and write guest memory only through the checked
// accessors here.
#pragma once

#include <wasmdeploy/inspect.hpp>
#include <wasmdeploy/run.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/engine.hpp"

namespace wasmdeploy::host {

/// proxy-wasm WasmResult codes.
enum class status : std::uint32_t {
  ok = 0, not_found = 1, bad_argument = 2, serialization_failure = 3, parse_failure = 4,
  invalid_memory_access = 6, empty = 7, cas_mismatch = 8, internal_failure = 10, unimplemented = 12,
};

/// Thrown inside a host function to return a status to the guest instead of trapping.
struct status_error {
  status code;
};

/// Thrown by WASI proc_exit: a clean stop, not a trap.
struct guest_exit : guest_trap {
  explicit guest_exit(std::uint32_t c) : guest_trap("proc_exit(" + std::to_string(c) + ")"), code(c) {}
  std::uint32_t code;
};

// proxy-wasm enums.
enum class header_map : std::uint32_t {
  request_headers = 0, request_trailers = 1, response_headers = 2, response_trailers = 3,
  grpc_initial_metadata = 4, grpc_trailing_metadata = 5, http_call_response_headers = 6,
  http_call_response_trailers = 7,
};
enum class buffer : std::uint32_t {
  request_body = 0, response_body = 1, downstream_data = 2, upstream_data = 3, http_call_response_body = 4,
  grpc_receive = 5, vm_configuration = 6, plugin_configuration = 7, call_data = 8,
};

inline constexpr std::uint32_t kRootContext = 1;
inline constexpr std::uint32_t kStreamContext = 2;

struct pending_call {
  std::string kind;  // "http" / "grpc"
  std::uint32_t token;
  std::uint32_t context;
};

class proxy_vm {
 public:
  proxy_vm(const run_options& options, run_result& result) : opt(options), res(result) {}

  const run_options& opt;
  run_result& res;
  std::unique_ptr<instance> inst;
  module_report report;
  proxy_abi abi = proxy_abi::v0_2_0;
  std::string allocator;  // "malloc" or "proxy_on_memory_allocate"

  std::string phase = "load";  // the callback running now, for traps and actions
  bool starting = false;       // inside the start section / _initialize / _start / main
  std::uint32_t effective_context = kRootContext;
  std::optional<guest_exit> exited;

  std::array<header_list, 8> maps;
  std::map<std::uint32_t, std::string> buffers;
  std::map<std::string, std::string> properties;  // '.'-joined paths -> serialised value
  std::map<std::string, std::pair<std::string, std::uint32_t>> shared_data;
  std::map<std::string, std::uint32_t> queue_ids;
  std::map<std::uint32_t, std::deque<std::string>> queues;
  std::vector<std::uint32_t> ready_queues;
  struct metric { std::uint32_t type; std::string name; std::int64_t value = 0; };
  std::vector<metric> metrics;
  std::uint32_t tick_period_ms = 0;
  std::uint32_t next_token = 1;
  std::vector<pending_call> pending;
  std::optional<std::pair<int, std::string>> call_status;  // for proxy_get_status
  bool stream_closed = false;
  std::uint64_t log_bytes = 0;

  // ---- bounds on what the guest makes the host do (README "Limits") ----
  /// Host functions running now: a host function that calls the guest's allocator may see the
  /// guest call back into the host; only calls that touch no host state are allowed then.
  int host_depth = 0;
  /// Bytes of host-side state the guest created (header values, buffers, properties, shared
  /// data, queues, recorded actions and calls), counted with linear memory against the cap.
  std::uint64_t host_bytes = 0;
  /// Guest bytes the running host function read or wrote: its cost, charged when it returns.
  std::uint64_t touched_bytes = 0;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

  /// Adds `bytes` of host-side state; traps when state plus linear memory passes the cap.
  void grow_state(std::uint64_t bytes);
  void shrink_state(std::uint64_t bytes) { host_bytes -= std::min(host_bytes, bytes); }
  /// Refuses a value larger than the per-value limit (max_buffer_bytes): BadArgument.
  std::string_view bounded(std::string_view value) const;
  /// Charges `units` to the instruction budget; traps when it runs out.
  void charge(std::uint64_t units);
  /// Traps when the run's wall-clock limit has passed.
  void check_deadline();

  // ---- guest memory (every access bounds-checked; a bad pointer is InvalidMemoryAccess) ----
  std::string_view read(std::uint64_t ptr, std::uint64_t size);
  void write(std::uint64_t ptr, std::string_view bytes);
  void write_u32(std::uint64_t ptr, std::uint32_t v);
  void write_u64(std::uint64_t ptr, std::uint64_t v);
  /// Allocates `bytes` in the guest with its allocator and copies them there; writes the
  /// pointer and size to the two out-pointers (both 0 for empty data), as cpp-host does.
  void copy_out(std::string_view bytes, std::uint64_t ptr_ptr, std::uint64_t size_ptr);

  void log(const std::string& level, std::string_view message);
  void action(std::string text) {
    // Inside a host function the guest chose to act (e.g. proxy_continue_stream in a loop): its
    // state; the host's own actions per callback are bounded and never trap.
    if (host_depth > 0) grow_state(text.size() + sizeof(std::string));
    else host_bytes += text.size() + sizeof(std::string);
    res.actions.push_back(std::move(text));
  }

  /// Calls an exported callback if present. Throws engine_error on a trap.
  std::optional<std::uint64_t> callback(const char* name, std::vector<std::uint64_t> args);
};

/// Serialised header map: count, (key len, value len) pairs, NUL-terminated keys and values.
std::string serialize_pairs(const header_list& pairs);
/// Parses that form; throws status_error{serialization_failure} when malformed.
header_list deserialize_pairs(std::string_view data);

/// The host function bound to env/wasi imports, or empty when this host does not provide it.
host_callback resolve_abi_function(proxy_vm& vm, const std::string& name, const func_signature& type);
host_callback resolve_wasi_function(proxy_vm& vm, const std::string& name, const func_signature& type);
/// Parameter count the ABI gives each env function (nullopt: not an ABI function).
std::optional<std::size_t> abi_arity(const std::string& name);

}  // namespace wasmdeploy::host
