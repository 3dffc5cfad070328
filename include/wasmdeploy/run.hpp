// Running a proxy-wasm module in wasmdeploy's embedded, sandboxed host: the configuration the
// proxy would give it, then one HTTP request and response pushed through a stream context.
// Lifecycle, callbacks and host functions follow Envoy's proxy-wasm C++ host; nothing reaches a
// network or file system, outbound calls are recorded and answered from the options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/resolve.hpp>
#include <wasmdeploy/spec.hpp>

namespace wasmdeploy {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// A scripted answer to the guest's proxy_http_call / proxy_grpc_call.
struct scripted_response {
  int status = 200;
  header_list headers;
  std::string body;
};

struct run_options {
  std::string root_id;          ///< root context id (`plugin_root_id`, `root_id`)
  std::string plugin_name;      ///< `plugin_name`; defaults to root_id
  std::string vm_id;            ///< `plugin_vm_id`
  std::string plugin_config;    ///< buffer PLUGIN_CONFIGURATION, exactly the bytes the proxy passes
  std::string vm_config;        ///< buffer VM_CONFIGURATION
  header_list env;              ///< WASI environ (vm_config environment_variables)
  std::vector<std::pair<std::string, std::string>> node_metadata;  ///< node.metadata.<key>

  bool send_request = true;     ///< false: stop after configure (`render --run-check`)
  std::string method = "GET";
  std::string path = "/";
  std::string authority = "example.com";
  header_list request_headers;  ///< in addition to the pseudo-headers
  std::string request_body;
  int response_status = 200;
  header_list response_headers;
  std::string response_body;
  scripted_response http_call_response;  ///< answers every outbound call

  std::uint64_t max_memory_bytes = 64u << 20;       ///< cap on linear memories + tables + host-side state
  std::uint64_t instruction_budget = 1000000000;   ///< see src/host/limits_rewrite.hpp
  std::uint64_t max_log_bytes = 1u << 20;          ///< log volume kept; the rest is counted
  std::uint64_t max_buffer_bytes = 16u << 20;      ///< largest buffer/header/property value a guest may set
  std::uint64_t timeout_ms = 10000;                ///< wall-clock limit of the run (0: none)
  /// The readers' bounds (json_depth for config_json, wasm_* for the module); unset keeps the
  /// calling thread's (wasmdeploy::active_limits()).
  std::optional<wasmdeploy::limits> limits;
};

struct log_entry {
  std::string level;  ///< trace, debug, info, warn, error, critical
  std::string message;
};

struct recorded_call {
  std::string kind;      ///< "http" or "grpc"
  std::string upstream;  ///< cluster / service
  header_list headers;   ///< http: request headers; grpc: service, method
  std::string body;
  std::uint32_t timeout_ms = 0;
};

struct local_reply {
  int status = 0;
  std::string details;
  header_list headers;
  std::string body;
  std::int32_t grpc_status = -1;
};

struct http_message {
  header_list headers;
  std::string body;
  header_list trailers;
};

struct run_result {
  std::string engine;                    ///< "wasmi 2.0.0 (wasm-c-api)"
  std::string abi;                       ///< "0.2.0", empty when none was declared
  bool loaded = false;
  bool vm_started = false;
  bool configured = false;               ///< proxy_on_configure returned true
  bool request_sent = false;
  http_message request;                  ///< after the filter
  http_message response;                 ///< after the filter
  std::optional<local_reply> reply;      ///< proxy_send_local_response
  std::vector<std::string> actions;      ///< "on_request_headers: Continue", ... in order
  std::vector<log_entry> logs;
  std::uint64_t logs_dropped_bytes = 0;
  std::vector<recorded_call> http_calls;
  std::optional<std::string> trap;       ///< engine message, or why the module could not load
  std::string trap_phase;                ///< "load", "start", "on_configure", ...
  std::vector<std::string> missing_imports;  ///< host functions this host does not provide
  std::vector<diagnostic> diagnostics;   ///< e.g. inspect findings for missing imports

  /// Exit-status meaning: it ran, configured and did not trap.
  bool ok() const noexcept { return loaded && configured && !trap; }
};

/// Sets one option from text, by the CLI flag's name with '_' ("root_id", "config",
/// "config_json" (re-serialised as istiod hands a WasmPlugin pluginConfig over: compact, keys
/// sorted), "vm_config", "request" ("GET /path"), "request_body", "response_status",
/// "response_body", "http_call_status", "http_call_body", "max_memory_mib",
/// "instruction_budget", "timeout_ms", "max_value_mib", "authority", "plugin_name", "vm_id", "send_request").
/// Throws error{errc::usage} for an unknown field or a bad value.
void set_run_option(run_options& o, std::string_view field, const std::string& value);
/// Adds a request/response header (lower-cased, as Envoy does), an env variable ("env") or a
/// node.metadata property ("node_metadata").
void add_run_option(run_options& o, std::string_view where, const std::string& name, const std::string& value);

/// Whether the host is built into this library, and the engine's name ("none" when not).
bool host_available() noexcept;
std::string host_engine_name();

/// Runs the module. Never throws for what the module does (traps, refusals and load failures
/// are in the result); throws error{errc::generic, "host.not-built"} without the host.
run_result run_module(std::string_view module, const run_options& options);

/// The configuration a filter of `s` receives on the chosen Istio version, as rendered: a string
/// config as raw bytes, a WasmPlugin pluginConfig as its JSON text, an EnvoyFilter config as the
/// StringValue written, the vm config and env; root id and vm id as the resources name them.
/// Also the module bytes, when the filter's module is local or in an OCI image layout.
struct filter_run_input {
  run_options options;
  std::string module_bytes;  ///< empty when wasmdeploy cannot read the module
  std::string module_path;   ///< field path of the module, e.g. "filters[0].module"
  std::string config_path;   ///< field path of the config, e.g. "filters[0].config"
  std::string resource;      ///< "WasmPlugin", "EnvoyFilter", ...

  /// `traffic` (request, response, bounds) with what the proxy is given taken from this input.
  run_options deployed_with(run_options traffic) const;
};
/// The spec's local files (modules, image layouts, runtime configs) are read by the resolve stage
/// under `access` (render's confinement; without it: the spec's directory only).
filter_run_input run_input_for(const spec& s, const std::string& filter_name, const render_options& options);
filter_run_input run_input_for(const spec& s, const std::string& filter_name, const render_options& options,
                               const input_access& access);
/// The same for every filter (spec order).
std::vector<filter_run_input> run_inputs(const spec& s, const render_options& options);
std::vector<filter_run_input> run_inputs(const spec& s, const render_options& options, const input_access& access);

/// `render --run-check`: vm start + configure of every module wasmdeploy can read. Throws
/// error{errc::invalid, "host.configure-rejected" / "host.trap" / "host.load"} with the field
/// path on the first filter that fails; returns notes for the ones that passed.
std::vector<diagnostic> run_check(const spec& s, const render_options& options);
std::vector<diagnostic> run_check(const spec& s, const render_options& options, const input_access& access);

/// JSON (fixed key order, two-space indent, trailing newline) and text forms of a result.
std::string format_run_json(const run_result& r);
std::string format_run_text(const run_result& r);

}  // namespace wasmdeploy
