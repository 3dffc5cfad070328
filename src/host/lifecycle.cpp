// One run of a proxy-wasm module in the order Envoy's C++ host drives it (proxy-wasm-cpp-host
// src/wasm.cc, src/context.cc): instantiate (start section), _initialize then main, or _start;
// allocator; root context, proxy_on_vm_start, proxy_on_configure; then one stream context
// through request and response callbacks, on_done, on_log, on_delete.
#include <wasmdeploy/run.hpp>

#include <algorithm>

#include <fmt/format.h>

#include "host/limits_rewrite.hpp"
#include "host/vm.hpp"
#include "wasm/proxy_host.hpp"

namespace wasmdeploy {
namespace host {

std::string describe(const func_signature& s) {
  auto names = [](const std::vector<val_kind>& v) {
    std::string out;
    for (val_kind k : v) {
      if (!out.empty()) out += ", ";
      out += k == val_kind::i32 ? "i32" : k == val_kind::i64 ? "i64" : k == val_kind::f32 ? "f32" : k == val_kind::f64 ? "f64" : "ref";
    }
    return out;
  };
  return "(" + names(s.params) + ") -> (" + names(s.results) + ")";
}

std::string_view proxy_vm::read(std::uint64_t ptr, std::uint64_t size) {
  const std::uint64_t mem = inst ? inst->memory_size() : 0;
  if (ptr > mem || size > mem - ptr) throw status_error{status::invalid_memory_access};
  touched_bytes += size;
  if (size == 0) return {};
  return {reinterpret_cast<const char*>(inst->memory_data() + ptr), static_cast<std::size_t>(size)};
}

void proxy_vm::write(std::uint64_t ptr, std::string_view bytes) {
  const std::uint64_t mem = inst ? inst->memory_size() : 0;
  if (ptr > mem || bytes.size() > mem - ptr) throw status_error{status::invalid_memory_access};
  touched_bytes += bytes.size();
  if (!bytes.empty()) std::copy(bytes.begin(), bytes.end(), inst->memory_data() + ptr);
}

void proxy_vm::write_u32(std::uint64_t ptr, std::uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  write(ptr, std::string_view(b, 4));
}

void proxy_vm::write_u64(std::uint64_t ptr, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  write(ptr, std::string_view(b, 8));
}

void proxy_vm::copy_out(std::string_view bytes, std::uint64_t ptr_ptr, std::uint64_t size_ptr) {
  std::uint64_t ptr = 0;
  // Check the out-pointers before running guest code for the allocation.
  read(ptr_ptr, 4);
  read(size_ptr, 4);
  if (!bytes.empty()) {
    const std::string copy(bytes);  // the allocator may move guest memory under `bytes`
    const auto r = inst->call(allocator, {copy.size()});
    ptr = r.empty() ? 0 : static_cast<std::uint32_t>(r[0]);
    if (ptr == 0) throw status_error{status::internal_failure};
    write(ptr, copy);
  }
  write_u32(ptr_ptr, static_cast<std::uint32_t>(ptr));
  write_u32(size_ptr, static_cast<std::uint32_t>(bytes.size()));
}

void proxy_vm::grow_state(std::uint64_t bytes) {
  host_bytes += bytes;
  const std::uint64_t memory = inst ? inst->memory_size() : 0;
  if (host_bytes + memory > opt.max_memory_bytes) {
    throw guest_trap(fmt::format("memory cap of {} MiB exceeded: {} bytes of linear memory and {} bytes of host-side "
                                 "state the module created (header values, buffers, properties, queues, actions)",
                                 opt.max_memory_bytes >> 20, memory, host_bytes));
  }
}

std::string_view proxy_vm::bounded(std::string_view value) const {
  if (value.size() > opt.max_buffer_bytes) throw status_error{status::bad_argument};
  return value;
}

void proxy_vm::charge(std::uint64_t units) {
  std::uint64_t bits = 0;
  if (!inst || !inst->global(kBudgetGlobal, &bits)) return;
  const auto left = static_cast<std::int64_t>(bits);
  if (left >= 0 && units <= static_cast<std::uint64_t>(left)) {
    inst->set_global(kBudgetGlobal, left - static_cast<std::int64_t>(units));
    return;
  }
  inst->set_global(kBudgetGlobal, -1);
  throw guest_trap("the instruction budget ran out in a host function");
}

void proxy_vm::check_deadline() {
  if (std::chrono::steady_clock::now() > deadline) {
    throw guest_trap(fmt::format("wall-clock limit of {} ms exceeded", opt.timeout_ms));
  }
}

void proxy_vm::log(const std::string& level, std::string_view message) {
  if (log_bytes + message.size() > opt.max_log_bytes) {
    res.logs_dropped_bytes += message.size();
    return;
  }
  log_bytes += message.size();
  res.logs.push_back({level, std::string(message)});
}

std::optional<std::uint64_t> proxy_vm::callback(const char* name, std::vector<std::uint64_t> args) {
  func_signature sig;
  if (!inst->function(name, &sig)) return std::nullopt;
  if (sig.params.size() != args.size() || sig.results.size() > 1) {
    throw engine_error(fmt::format("{} has signature {}; ABI {} calls it with {} arguments", name, describe(sig),
                                   proxy_abi_name(abi), args.size()));
  }
  const std::string previous = phase;
  phase = std::string(name).substr(std::string_view(name).rfind("proxy_") == 0 ? 6 : 0);
  const auto r = inst->call(name, args);
  phase = previous;
  // Linear memory may have grown past what host state leaves of the cap; time may be up.
  try {
    grow_state(0);
    check_deadline();
  } catch (const guest_trap& e) {
    throw engine_error(e.what());
  }
  return r.empty() ? 0 : r[0];
}

}  // namespace host

namespace {

using namespace host;

const char* header_action(std::uint64_t v) {
  switch (v) {
    case 0: return "Continue";
    case 1: return "StopIteration";
    case 2: return "ContinueAndEndStream";
    case 3: return "StopAllIterationAndBuffer";
    case 4: return "StopAllIterationAndWatermark";
    default: return "unknown";
  }
}

const char* body_action(std::uint64_t v) {
  switch (v) {
    case 0: return "Continue";
    case 1: return "StopIterationAndBuffer";
    case 2: return "StopIterationAndWatermark";
    case 3: return "StopIterationNoBuffer";
    default: return "unknown";
  }
}

std::string int64_bytes(std::int64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class runner {
 public:
  runner(const run_options& o, run_result& r, std::chrono::steady_clock::time_point started) : vm_(o, r), o_(o), r_(r) {
    if (o.timeout_ms) vm_.deadline = started + std::chrono::milliseconds(o.timeout_ms);
  }

  void run(std::string_view module) {
    if (!load(module)) return;
    if (!start()) return;
    if (!configure()) return;
    if (o_.send_request) stream();
  }

 private:
  // A trap (or proc_exit) in `what`: recorded, and the run stops.
  void trapped(const std::string& what, const engine_error& e) {
    std::uint64_t budget = 0;
    std::string msg = e.what();
    if (vm_.exited) {
      msg = fmt::format("the module called proc_exit({}) in {}", vm_.exited->code, what);
      if (vm_.exited->code == 255) msg += " (the AssemblyScript runtime exits this way when it aborts)";
    } else if (vm_.inst && vm_.inst->global(kBudgetGlobal, &budget) && static_cast<std::int64_t>(budget) < 0) {
      msg = fmt::format("instruction budget of {} exhausted in {} (engine: {})", o_.instruction_budget, what, msg);
    }
    r_.trap = msg;
    r_.trap_phase = what;
    vm_.action(what + ": trap");
  }

  void fail_load(const std::string& msg) {
    r_.trap = msg;
    r_.trap_phase = "load";
  }

  bool load(std::string_view module) {
    try {
      vm_.report = inspect_module(module);
    } catch (const error& e) {
      fail_load("not a valid WebAssembly module: " + e.message());
      return false;
    }
    if (!vm_.report.abi) {
      fail_load("the module exports no known proxy_abi_version_* function; proxies refuse it (\"Missing or unknown "
                "Proxy-Wasm ABI version\")");
      return false;
    }
    vm_.abi = *vm_.report.abi;
    r_.abi = proxy_abi_name(vm_.abi);
    if (vm_.report.exports("malloc")) vm_.allocator = "malloc";  // cpp-host prefers malloc
    else if (vm_.report.exports("proxy_on_memory_allocate")) vm_.allocator = "proxy_on_memory_allocate";
    else {
      fail_load("the module exports neither malloc nor proxy_on_memory_allocate; the host cannot pass it data");
      return false;
    }
    // Which imports this host (and so every proxy, for this ABI) lacks, before instantiating.
    for (const auto& imp : vm_.report.binary.imports) {
      if (!provides(imp)) r_.missing_imports.push_back(imp.module + "." + imp.field);
    }
    if (!r_.missing_imports.empty()) {
      const auto verdict = verdict_for(vm_.report, mesh_version(mesh_version::newest_supported(), false));
      // inspect's reasons for exactly these imports, naming the ABI or Istio releases that have them
      for (const auto& d : verdict.problems) {
        const auto& m = r_.missing_imports;
        if (d.level == severity::error && std::find(m.begin(), m.end(), d.path) != m.end()) r_.diagnostics.push_back(d);
      }
      std::string names;
      for (const auto& n : r_.missing_imports) names += (names.empty() ? "" : ", ") + n;
      fail_load(fmt::format("the module imports host functions proxies do not provide for ABI {}: {}",
                            proxy_abi_name(vm_.abi), names));
      return false;
    }
    // The engine validates the module as written: the rewriter's budget global must not turn an
    // invalid module (one using a global it does not declare) into a valid one.
    if (!validate(module)) {
      fail_load("not a valid WebAssembly module: the engine's validator refuses it (a function body, type or index is "
                "invalid, or it uses a feature the engine does not support)");
      return false;
    }
    std::string limited;
    try {
      rewrite_limits lim;
      lim.max_memory_pages = std::max<std::uint64_t>(1, o_.max_memory_bytes / 65536);
      lim.instruction_budget = o_.instruction_budget;
      limited = apply_limits(module, lim);
    } catch (const error& e) {
      fail_load(e.message());
      return false;
    }
    vm_.starting = true;
    vm_.phase = "start";
    try {
      vm_.inst = instantiate(limited, [this](const std::string& m, const std::string& n, const func_signature& t) {
        if (m == "env") return resolve_abi_function(vm_, n, t);
        if (detail_is_wasi(m)) return resolve_wasi_function(vm_, n, t);
        return host_callback{};
      });
    } catch (const engine_error& e) {
      vm_.starting = false;
      if (vm_.exited && vm_.exited->code == 0) {
        fail_load("proc_exit(0) in the start section: the module stopped before it could register its contexts");
      } else if (vm_.exited) {
        trapped("start", e);
      } else {
        r_.trap = std::string(e.what());
        r_.trap_phase = "load";
      }
      return false;
    }
    r_.loaded = true;
    return true;
  }

  static bool detail_is_wasi(const std::string& m) { return m == "wasi_snapshot_preview1" || m == "wasi_unstable"; }

  // Whether this host binds the import: the same tables inspect judges proxies by, the
  // ABI-specific functions only for modules declaring that ABI (cpp-host registers them so).
  bool provides(const wasm_import& imp) const {
    if (imp.kind != wasm_extern_kind::function) return false;
    if (detail_is_wasi(imp.module)) return detail::classify_wasi_import(imp.field) != detail::wasi_support::never;
    if (imp.module != "env") return false;
    if (imp.field.rfind("proxy_", 0) != 0) return detail::is_env_helper(imp.field);
    switch (detail::classify_proxy_import(imp.field)) {
      case detail::host_function::unknown: return false;
      case detail::host_function::common: return true;
      case detail::host_function::abi_specific: {
        const auto abis = detail::abis_providing(imp.field);
        return std::find(abis.begin(), abis.end(), vm_.abi) != abis.end();
      }
    }
    return false;
  }

  bool start() {
    const char* phase = "start";
    try {
      if (vm_.inst->function("_initialize")) {
        phase = "_initialize";
        vm_.inst->call("_initialize", {});
        func_signature sig;
        if (vm_.inst->function("main", &sig)) {
          phase = "main";
          vm_.inst->call("main", std::vector<std::uint64_t>(sig.params.size(), 0));
        } else if (vm_.inst->function("__main_void")) {
          phase = "main";
          vm_.inst->call("__main_void", {});
        }
      } else if (vm_.inst->function("_start")) {
        phase = "_start";
        vm_.inst->call("_start", {});
      } else if (vm_.inst->function("__wasm_call_ctors")) {
        phase = "__wasm_call_ctors";
        vm_.inst->call("__wasm_call_ctors", {});
      }
    } catch (const engine_error& e) {
      vm_.starting = false;
      if (vm_.exited && vm_.exited->code == 0) {
        vm_.exited.reset();  // _start returning through proc_exit(0) is a clean stop
      } else {
        trapped(phase, e);
        return false;
      }
    }
    vm_.starting = false;
    return true;
  }

  void set_properties() {
    auto& p = vm_.properties;
    p["plugin_root_id"] = o_.root_id;
    p["plugin_name"] = o_.plugin_name.empty() ? o_.root_id : o_.plugin_name;
    p["plugin_vm_id"] = o_.vm_id;
    p["node.id"] = "sidecar~127.0.0.1~wasmdeploy-run.default~default.svc.cluster.local";
    p["node.cluster"] = "wasmdeploy-run.default";
    for (const auto& [k, v] : o_.node_metadata) p["node.metadata." + k] = v;
    p["listener_direction"] = int64_bytes(1);  // INBOUND
    p["source.address"] = "127.0.0.1:40000";
    p["source.port"] = int64_bytes(40000);
    p["destination.address"] = "127.0.0.1:8080";
    p["destination.port"] = int64_bytes(8080);
    p["cluster_name"] = "inbound|8080||";
    p["route_name"] = "default";
    p["request.method"] = o_.method;
    p["request.path"] = o_.path;
    p["request.url_path"] = o_.path.substr(0, o_.path.find('?'));
    p["request.host"] = o_.authority;
    p["request.scheme"] = "http";
    p["request.protocol"] = "HTTP/1.1";
    p["request.id"] = "00000000-0000-4000-8000-000000000000";
    p["request.size"] = int64_bytes(static_cast<std::int64_t>(o_.request_body.size()));
    p["response.code"] = int64_bytes(o_.response_status);
    p["response.size"] = int64_bytes(static_cast<std::int64_t>(o_.response_body.size()));
  }

  // Outbound calls made during a callback are answered when it returns, as if the upstream
  // replied at once; enqueued data wakes the root context.
  bool deliver_pending() {
    for (int rounds = 0; rounds < 64 && (!vm_.pending.empty() || !vm_.ready_queues.empty()); ++rounds) {
      auto calls = std::move(vm_.pending);
      vm_.pending.clear();
      for (const auto& c : calls) {
        const auto& resp = o_.http_call_response;
        vm_.effective_context = c.context;
        try {
          if (c.kind == "http") {
            header_list h{{":status", std::to_string(resp.status)}};
            h.insert(h.end(), resp.headers.begin(), resp.headers.end());
            vm_.maps[6] = h;
            vm_.maps[7].clear();
            vm_.buffers[4] = resp.body;
            vm_.action(fmt::format("on_http_call_response: token {}", c.token));
            vm_.callback("proxy_on_http_call_response",
                         {c.context, c.token, h.size(), resp.body.size(), 0});
          } else {
            vm_.buffers[5] = resp.body;
            vm_.action(fmt::format("on_grpc_receive: token {}", c.token));
            vm_.callback("proxy_on_grpc_receive", {c.context, c.token, resp.body.size()});
            vm_.call_status = std::make_pair(0, std::string());
            vm_.action(fmt::format("on_grpc_close: token {}", c.token));
            vm_.callback("proxy_on_grpc_close", {c.context, c.token, 0});
          }
        } catch (const engine_error& e) {
          trapped(c.kind == "http" ? "on_http_call_response" : "on_grpc_receive", e);
          return false;
        }
      }
      auto queues = std::move(vm_.ready_queues);
      vm_.ready_queues.clear();
      for (std::uint32_t q : queues) {
        try {
          vm_.action(fmt::format("on_queue_ready: {}", q));
          vm_.callback("proxy_on_queue_ready", {kRootContext, q});
        } catch (const engine_error& e) {
          trapped("on_queue_ready", e);
          return false;
        }
      }
    }
    return true;
  }

  bool configure() {
    set_properties();
    vm_.buffers[static_cast<std::uint32_t>(buffer::vm_configuration)] = o_.vm_config;
    vm_.buffers[static_cast<std::uint32_t>(buffer::plugin_configuration)] = o_.plugin_config;
    const char* phase = "on_context_create";
    try {
      vm_.effective_context = kRootContext;
      vm_.callback("proxy_on_context_create", {kRootContext, 0});
      vm_.action("on_context_create: root");
      phase = "on_vm_start";
      const auto started = vm_.callback("proxy_on_vm_start", {kRootContext, o_.vm_config.size()});
      r_.vm_started = !started || *started != 0;
      vm_.action(fmt::format("on_vm_start: {}", r_.vm_started));
      if (!r_.vm_started) {
        r_.trap_phase = "on_vm_start";
        return false;
      }
      phase = "on_configure";
      const auto ok = vm_.callback("proxy_on_configure", {kRootContext, o_.plugin_config.size()});
      r_.configured = !ok || *ok != 0;
      vm_.action(fmt::format("on_configure: {}", r_.configured));
      if (!deliver_pending()) return false;
      if (r_.configured && vm_.tick_period_ms) {
        phase = "on_tick";
        vm_.action("on_tick");
        vm_.callback("proxy_on_tick", {kRootContext});
        if (!deliver_pending()) return false;
      }
    } catch (const engine_error& e) {
      trapped(phase, e);
      return false;
    }
    return r_.configured;
  }

  // Calls a stream callback; false when the run must stop (trap or local reply).
  bool stream_call(const char* name, std::vector<std::uint64_t> args, const char* (*describe)(std::uint64_t)) {
    vm_.effective_context = kStreamContext;
    const bool replied_before = r_.reply.has_value();
    try {
      const auto v = vm_.callback(name, std::move(args));
      if (v) vm_.action(fmt::format("{}: {}", std::string(name).substr(6), describe ? describe(*v) : "done"));
    } catch (const engine_error& e) {
      trapped(std::string(name).substr(6), e);
      return false;
    }
    if (!deliver_pending()) return false;
    return replied_before || !r_.reply;
  }

  void stream() {
    const bool v01 = vm_.abi == proxy_abi::v0_1_0;
    auto& req = vm_.maps[0];
    req = {{":authority", o_.authority}, {":path", o_.path}, {":method", o_.method}, {":scheme", "http"}};
    for (const auto& [k, v] : o_.request_headers) req.emplace_back(lower(k), v);
    vm_.buffers[0] = o_.request_body;
    auto& resp = vm_.maps[2];
    resp = {{":status", std::to_string(o_.response_status)}};
    for (const auto& [k, v] : o_.response_headers) resp.emplace_back(lower(k), v);
    vm_.buffers[1] = o_.response_body;
    r_.request_sent = true;

    try {
      vm_.callback("proxy_on_context_create", {kStreamContext, kRootContext});
      vm_.action("on_context_create: stream");
    } catch (const engine_error& e) {
      trapped("on_context_create", e);
      return;
    }
    const bool req_body = !o_.request_body.empty();
    auto headers_args = [&](std::size_t n, bool eos) {
      std::vector<std::uint64_t> a{kStreamContext, n};
      if (!v01) a.push_back(eos);
      return a;
    };
    bool go = stream_call("proxy_on_request_headers", headers_args(req.size(), !req_body), header_action);
    if (go && req_body && !r_.trap) {
      go = stream_call("proxy_on_request_body", {kStreamContext, vm_.buffers[0].size(), 1}, body_action);
    }
    r_.request.headers = vm_.maps[0];
    r_.request.body = vm_.buffers[0];
    if (r_.trap) return;
    if (r_.reply) {
      // Envoy encodes a local reply through the filter chain: the filter sees it as the response.
      resp = {{":status", std::to_string(r_.reply->status)}};
      resp.insert(resp.end(), r_.reply->headers.begin(), r_.reply->headers.end());
      vm_.buffers[1] = r_.reply->body;
    }
    const bool resp_body = !vm_.buffers[1].empty();
    if (go || r_.reply) {
      go = stream_call("proxy_on_response_headers", headers_args(resp.size(), !resp_body), header_action);
      if (go && resp_body && !r_.trap) {
        go = stream_call("proxy_on_response_body", {kStreamContext, vm_.buffers[1].size(), 1}, body_action);
      }
    }
    r_.response.headers = vm_.maps[2];
    r_.response.body = vm_.buffers[1];
    if (r_.trap) return;
    try {
      vm_.effective_context = kStreamContext;
      if (const auto done = vm_.callback("proxy_on_done", {kStreamContext})) vm_.action(fmt::format("on_done: {}", *done != 0));
      if (vm_.callback("proxy_on_log", {kStreamContext})) vm_.action("on_log");
      if (vm_.callback("proxy_on_delete", {kStreamContext})) vm_.action("on_delete");
    } catch (const engine_error& e) {
      trapped(vm_.phase == "load" ? "on_done" : vm_.phase, e);
    }
  }

  proxy_vm vm_;
  const run_options& o_;
  run_result& r_;
};

}  // namespace

bool host_available() noexcept { return host::engine_available(); }
std::string host_engine_name() { return host::engine_name(); }

run_result run_module(std::string_view module, const run_options& options) {
  if (!host::engine_available()) {
    throw error(errc::generic, "host.not-built", "",
                "this wasmdeploy was built without the proxy-wasm host (configured with -DWD_HOST=OFF)");
  }
  const limits_scope scope(options.limits ? *options.limits : active_limits());
  run_result r;
  r.engine = host::engine_name();
  runner(options, r, std::chrono::steady_clock::now()).run(module);
  return r;
}

}  // namespace wasmdeploy
