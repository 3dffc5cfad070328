// The proxy-wasm host functions (module `env`) of ABI 0.1.0, 0.2.0 and 0.2.1, with the
// semantics of Envoy's proxy-wasm C++ host: status codes, header-map and buffer rules, the
// serialised pair format, properties. Outbound calls are recorded, never sent.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <functional>
#include <unordered_map>

#include <fmt/format.h>

#include "host/vm.hpp"
#include "wasm/proxy_host.hpp"

namespace wasmdeploy::host {
namespace {

using args_t = const std::uint64_t*;
using impl_fn = std::function<status(proxy_vm&, args_t)>;

struct abi_function {
  std::size_t arity;
  impl_fn impl;
  bool during_start = false;  // cpp-host allows only these while the module starts
};

std::uint32_t u32(std::uint64_t v) { return static_cast<std::uint32_t>(v); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

header_list& map_of(proxy_vm& vm, std::uint64_t type) {
  if (type > 7) throw status_error{status::bad_argument};
  return vm.maps[type];
}

std::string* buffer_of(proxy_vm& vm, std::uint64_t type) {
  if (type > 8) throw status_error{status::bad_argument};
  auto it = vm.buffers.find(u32(type));
  return it == vm.buffers.end() ? nullptr : &it->second;
}

const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical"};

// request.headers.<name>, response.headers.<name>, or a stored property.
std::optional<std::string> property(proxy_vm& vm, const std::string& path) {
  auto header_prop = [&](const char* prefix, header_map m) -> std::optional<std::string> {
    const std::string p = prefix;
    if (path.compare(0, p.size(), p) != 0) return std::nullopt;
    const std::string key = lower(path.substr(p.size()));
    for (const auto& [k, v] : vm.maps[static_cast<int>(m)]) {
      if (k == key) return v;
    }
    return std::nullopt;
  };
  if (path == "request.headers") return serialize_pairs(vm.maps[0]);
  if (path == "response.headers") return serialize_pairs(vm.maps[2]);
  if (auto v = header_prop("request.headers.", header_map::request_headers)) return v;
  if (auto v = header_prop("response.headers.", header_map::response_headers)) return v;
  auto it = vm.properties.find(path);
  if (it != vm.properties.end()) return it->second;
  return std::nullopt;
}

std::string property_path(std::string_view raw) {
  std::string p(raw);
  while (!p.empty() && p.back() == '\0') p.pop_back();
  std::replace(p.begin(), p.end(), '\0', '.');  // SDKs send path segments NUL-separated
  return p;
}

status send_local_response(proxy_vm& vm, args_t a) {
  local_reply r;
  r.status = static_cast<int>(u32(a[0]));
  r.details = std::string(vm.bounded(vm.read(a[1], a[2])));
  r.body = std::string(vm.bounded(vm.read(a[3], a[4])));
  r.headers = deserialize_pairs(vm.bounded(vm.read(a[5], a[6])));
  vm.grow_state(r.details.size() + r.body.size() + a[6]);
  for (auto& h : r.headers) h.first = lower(h.first);
  r.grpc_status = static_cast<std::int32_t>(u32(a[7]));
  vm.action(fmt::format("proxy_send_local_response: {}", r.status));
  vm.res.reply = std::move(r);
  return status::ok;
}

status http_call(proxy_vm& vm, args_t a) {
  recorded_call c;
  c.kind = "http";
  c.upstream = std::string(vm.bounded(vm.read(a[0], a[1])));
  c.headers = deserialize_pairs(vm.bounded(vm.read(a[2], a[3])));
  c.body = std::string(vm.bounded(vm.read(a[4], a[5])));
  vm.grow_state(c.upstream.size() + a[3] + c.body.size() + sizeof(recorded_call) + sizeof(pending_call));
  deserialize_pairs(vm.read(a[6], a[7]));  // trailers: checked, not reported
  c.timeout_ms = u32(a[8]);
  const std::uint32_t token = vm.next_token++;
  vm.write_u32(a[9], token);
  vm.action(fmt::format("proxy_http_call: {} (token {})", c.upstream, token));
  vm.res.http_calls.push_back(std::move(c));
  vm.pending.push_back({"http", token, vm.effective_context});
  return status::ok;
}

status grpc_call(proxy_vm& vm, args_t a, bool stream) {
  recorded_call c;
  c.kind = stream ? "grpc_stream" : "grpc";
  c.upstream = std::string(vm.bounded(vm.read(a[0], a[1])));
  c.headers.emplace_back("service", std::string(vm.bounded(vm.read(a[2], a[3]))));
  c.headers.emplace_back("method", std::string(vm.bounded(vm.read(a[4], a[5]))));
  for (auto& kv : deserialize_pairs(vm.bounded(vm.read(a[6], a[7])))) c.headers.push_back(std::move(kv));
  vm.grow_state(a[1] + a[3] + a[5] + a[7] + sizeof(recorded_call) + sizeof(pending_call));
  std::uint64_t token_ptr = a[8];
  if (!stream) {
    c.body = std::string(vm.bounded(vm.read(a[8], a[9])));
    vm.grow_state(c.body.size());
    c.timeout_ms = u32(a[10]);
    token_ptr = a[11];
  }
  const std::uint32_t token = vm.next_token++;
  vm.write_u32(token_ptr, token);
  vm.action(fmt::format("proxy_{}: {} (token {})", stream ? "grpc_stream" : "grpc_call", c.upstream, token));
  vm.res.http_calls.push_back(std::move(c));
  if (!stream) vm.pending.push_back({"grpc", token, vm.effective_context});
  return status::ok;
}

status continue_or_close(proxy_vm& vm, const char* what, std::uint64_t stream_type) {
  static const char* kStreams[] = {"request", "response", "downstream", "upstream"};
  if (stream_type > 3) return status::bad_argument;
  vm.action(fmt::format("proxy_{}: {}", what, kStreams[stream_type]));
  if (std::strcmp(what, "close_stream") == 0) vm.stream_closed = true;
  return status::ok;
}

const std::unordered_map<std::string, abi_function>& table() {
  static const std::unordered_map<std::string, abi_function> t = {
      {"proxy_log", {3, [](proxy_vm& vm, args_t a) {
         if (a[0] > 5) return status::bad_argument;
         vm.log(kLevels[a[0]], vm.read(a[1], a[2]));
         return status::ok;
       }, true}},
      {"proxy_get_log_level", {1, [](proxy_vm& vm, args_t a) {
         vm.write_u32(a[0], 0);  // trace: the host keeps every message
         return status::ok;
       }, true}},
      {"proxy_get_status", {3, [](proxy_vm& vm, args_t a) {
         if (!vm.call_status) return status::not_found;
         vm.write_u32(a[0], static_cast<std::uint32_t>(vm.call_status->first));
         vm.copy_out(vm.call_status->second, a[1], a[2]);
         return status::ok;
       }}},
      {"proxy_set_effective_context", {1, [](proxy_vm& vm, args_t a) {
         if (a[0] != kRootContext && a[0] != kStreamContext) return status::bad_argument;
         vm.effective_context = u32(a[0]);
         return status::ok;
       }}},
      {"proxy_done", {0, [](proxy_vm& vm, args_t) {
         vm.action("proxy_done");
         return status::ok;
       }}},
      {"proxy_call_foreign_function", {6, [](proxy_vm& vm, args_t a) {
         vm.action(fmt::format("proxy_call_foreign_function: {}", vm.read(a[0], a[1])));
         vm.read(a[2], a[3]);
         return status::not_found;
       }}},
      {"proxy_get_property", {4, [](proxy_vm& vm, args_t a) {
         const auto v = property(vm, property_path(vm.read(a[0], a[1])));
         if (!v) return status::not_found;
         vm.copy_out(*v, a[2], a[3]);
         return status::ok;
       }}},
      {"proxy_set_property", {4, [](proxy_vm& vm, args_t a) {
         const std::string path = property_path(vm.bounded(vm.read(a[0], a[1])));
         std::string value(vm.bounded(vm.read(a[2], a[3])));
         auto [it, added] = vm.properties.try_emplace(path);
         vm.grow_state(value.size() + (added ? path.size() + 64 : 0));
         vm.shrink_state(it->second.size());
         it->second = std::move(value);
         return status::ok;
       }}},
      {"proxy_continue_stream", {1, [](proxy_vm& vm, args_t a) { return continue_or_close(vm, "continue_stream", a[0]); }}},
      {"proxy_close_stream", {1, [](proxy_vm& vm, args_t a) { return continue_or_close(vm, "close_stream", a[0]); }}},
      {"proxy_continue_request", {0, [](proxy_vm& vm, args_t) { return continue_or_close(vm, "continue_stream", 0); }}},
      {"proxy_continue_response", {0, [](proxy_vm& vm, args_t) { return continue_or_close(vm, "continue_stream", 1); }}},
      {"proxy_clear_route_cache", {0, [](proxy_vm& vm, args_t) {
         vm.action("proxy_clear_route_cache");
         return status::ok;
       }}},
      {"proxy_send_local_response", {8, send_local_response}},
      {"proxy_get_header_map_value", {5, [](proxy_vm& vm, args_t a) {
         const header_list& m = map_of(vm, a[0]);
         const std::string key = lower(vm.read(a[1], a[2]));
         for (const auto& [k, v] : m) {
           if (k == key) {
             vm.copy_out(v, a[3], a[4]);
             return status::ok;
           }
         }
         return status::not_found;
       }}},
      {"proxy_add_header_map_value", {5, [](proxy_vm& vm, args_t a) {
         header_list& m = map_of(vm, a[0]);
         std::string key = lower(vm.bounded(vm.read(a[1], a[2])));
         std::string value(vm.bounded(vm.read(a[3], a[4])));
         vm.grow_state(key.size() + value.size() + sizeof(m.front()));
         m.emplace_back(std::move(key), std::move(value));
         return status::ok;
       }}},
      {"proxy_replace_header_map_value", {5, [](proxy_vm& vm, args_t a) {
         header_list& m = map_of(vm, a[0]);
         const std::string key = lower(vm.bounded(vm.read(a[1], a[2])));
         const std::string value(vm.bounded(vm.read(a[3], a[4])));
         vm.grow_state(key.size() + value.size() + sizeof(m.front()));
         auto first = std::find_if(m.begin(), m.end(), [&](const auto& kv) { return kv.first == key; });
         if (first == m.end()) {
           m.emplace_back(key, value);
           return status::ok;
         }
         first->second = value;
         m.erase(std::remove_if(first + 1, m.end(), [&](const auto& kv) { return kv.first == key; }), m.end());
         return status::ok;
       }}},
      {"proxy_remove_header_map_value", {3, [](proxy_vm& vm, args_t a) {
         header_list& m = map_of(vm, a[0]);
         const std::string key = lower(vm.read(a[1], a[2]));
         m.erase(std::remove_if(m.begin(), m.end(), [&](const auto& kv) { return kv.first == key; }), m.end());
         return status::ok;
       }}},
      {"proxy_get_header_map_pairs", {3, [](proxy_vm& vm, args_t a) {
         vm.copy_out(serialize_pairs(map_of(vm, a[0])), a[1], a[2]);
         return status::ok;
       }}},
      {"proxy_set_header_map_pairs", {3, [](proxy_vm& vm, args_t a) {
         header_list& m = map_of(vm, a[0]);
         header_list pairs = deserialize_pairs(vm.bounded(vm.read(a[1], a[2])));
         for (auto& kv : pairs) kv.first = lower(kv.first);
         vm.grow_state(a[2] + pairs.size() * sizeof(m.front()));
         m = std::move(pairs);
         return status::ok;
       }}},
      {"proxy_get_header_map_size", {2, [](proxy_vm& vm, args_t a) {
         std::uint64_t bytes = 0;  // Envoy's HeaderMap::byteSize(): keys and values
         for (const auto& [k, v] : map_of(vm, a[0])) bytes += k.size() + v.size();
         vm.write_u32(a[1], static_cast<std::uint32_t>(bytes));
         return status::ok;
       }}},
      {"proxy_get_buffer_status", {3, [](proxy_vm& vm, args_t a) {
         const std::string* b = buffer_of(vm, a[0]);
         if (!b) return status::not_found;
         vm.write_u32(a[1], static_cast<std::uint32_t>(b->size()));
         vm.write_u32(a[2], 0);
         return status::ok;
       }}},
      {"proxy_get_buffer_bytes", {5, [](proxy_vm& vm, args_t a) {
         const std::string* b = buffer_of(vm, a[0]);
         if (!b) return status::not_found;
         const std::uint64_t start = u32(a[1]), length = u32(a[2]);
         if (start + length > 0xffffffffull) return status::bad_argument;  // cpp-host: start > start + length
         // Reading past the end is clipped, to nothing when start is beyond it (then (0, 0) is written).
         const std::string_view bytes = start > b->size() ? std::string_view() : std::string_view(*b).substr(start, length);
         vm.copy_out(bytes, a[3], a[4]);
         return status::ok;
       }}},
      {"proxy_set_buffer_bytes", {5, [](proxy_vm& vm, args_t a) {
         std::string* b = buffer_of(vm, a[0]);
         if (!b) return status::not_found;
         const std::string_view data = vm.read(a[3], a[4]);
         if (b->size() + data.size() > vm.opt.max_buffer_bytes) return status::bad_argument;
         vm.grow_state(data.size());
         std::uint64_t start = std::min<std::uint64_t>(u32(a[1]), b->size());
         std::uint64_t length = std::min<std::uint64_t>(u32(a[2]), b->size() - start);
         b->replace(start, length, data);
         return status::ok;
       }}},
      {"proxy_get_configuration", {2, [](proxy_vm& vm, args_t a) {
         const bool vm_phase = vm.phase == "on_vm_start";
         vm.copy_out(vm_phase ? vm.opt.vm_config : vm.opt.plugin_config, a[0], a[1]);
         return status::ok;
       }}},
      {"proxy_http_call", {10, http_call}},
      {"proxy_grpc_call", {12, [](proxy_vm& vm, args_t a) { return grpc_call(vm, a, false); }}},
      {"proxy_grpc_stream", {9, [](proxy_vm& vm, args_t a) { return grpc_call(vm, a, true); }}},
      {"proxy_grpc_send", {4, [](proxy_vm& vm, args_t a) {
         vm.read(a[1], a[2]);
         vm.action(fmt::format("proxy_grpc_send: token {}", u32(a[0])));
         return a[0] && a[0] < vm.next_token ? status::ok : status::bad_argument;
       }}},
      {"proxy_grpc_cancel", {1, [](proxy_vm& vm, args_t a) {
         vm.action(fmt::format("proxy_grpc_cancel: token {}", u32(a[0])));
         return a[0] && a[0] < vm.next_token ? status::ok : status::not_found;
       }}},
      {"proxy_grpc_close", {1, [](proxy_vm& vm, args_t a) {
         vm.action(fmt::format("proxy_grpc_close: token {}", u32(a[0])));
         return a[0] && a[0] < vm.next_token ? status::ok : status::not_found;
       }}},
      {"proxy_get_shared_data", {5, [](proxy_vm& vm, args_t a) {
         auto it = vm.shared_data.find(std::string(vm.read(a[0], a[1])));
         if (it == vm.shared_data.end()) return status::not_found;
         vm.copy_out(it->second.first, a[2], a[3]);
         vm.write_u32(a[4], it->second.second);
         return status::ok;
       }}},
      {"proxy_set_shared_data", {5, [](proxy_vm& vm, args_t a) {
         const std::string key(vm.bounded(vm.read(a[0], a[1])));
         std::string value(vm.bounded(vm.read(a[2], a[3])));
         auto found = vm.shared_data.find(key);
         const std::uint32_t cas = found == vm.shared_data.end() ? 0 : found->second.second;
         if (a[4] != 0 && u32(a[4]) != cas) return status::cas_mismatch;
         vm.grow_state(value.size() + (found == vm.shared_data.end() ? key.size() + 64 : 0));
         auto& slot = vm.shared_data[key];
         vm.shrink_state(slot.first.size());
         slot = {std::move(value), cas + 1};
         return status::ok;
       }}},
      {"proxy_register_shared_queue", {3, [](proxy_vm& vm, args_t a) {
         const std::string name(vm.bounded(vm.read(a[0], a[1])));
         if (!vm.queue_ids.count(name)) vm.grow_state(name.size() + 128);
         auto [it, added] = vm.queue_ids.emplace(name, static_cast<std::uint32_t>(vm.queue_ids.size() + 1));
         (void)added;
         vm.queues[it->second];
         vm.write_u32(a[2], it->second);
         return status::ok;
       }}},
      {"proxy_resolve_shared_queue", {5, [](proxy_vm& vm, args_t a) {
         vm.read(a[0], a[1]);  // vm id: one VM here
         auto it = vm.queue_ids.find(std::string(vm.read(a[2], a[3])));
         if (it == vm.queue_ids.end()) return status::not_found;
         vm.write_u32(a[4], it->second);
         return status::ok;
       }}},
      {"proxy_dequeue_shared_queue", {3, [](proxy_vm& vm, args_t a) {
         auto it = vm.queues.find(u32(a[0]));
         if (it == vm.queues.end()) return status::not_found;
         if (it->second.empty()) return status::empty;
         // Taken off the queue before the guest's allocator runs: nothing the guest does then
         // can reach this entry.
         const std::string entry = std::move(it->second.front());
         it->second.pop_front();
         vm.shrink_state(entry.size());
         vm.copy_out(entry, a[1], a[2]);
         return status::ok;
       }}},
      {"proxy_enqueue_shared_queue", {3, [](proxy_vm& vm, args_t a) {
         auto it = vm.queues.find(u32(a[0]));
         if (it == vm.queues.end()) return status::not_found;
         if (it->second.size() >= 1024) return status::bad_argument;
         const std::string_view data = vm.bounded(vm.read(a[1], a[2]));
         vm.grow_state(data.size() + sizeof(std::string) + sizeof(std::uint32_t));
         it->second.emplace_back(data);
         vm.ready_queues.push_back(u32(a[0]));
         return status::ok;
       }}},
      {"proxy_set_tick_period_milliseconds", {1, [](proxy_vm& vm, args_t a) {
         vm.tick_period_ms = u32(a[0]);
         vm.action(fmt::format("proxy_set_tick_period_milliseconds: {}", vm.tick_period_ms));
         return status::ok;
       }}},
      {"proxy_get_current_time_nanoseconds", {1, [](proxy_vm& vm, args_t a) {
         const auto now = std::chrono::system_clock::now().time_since_epoch();
         vm.write_u64(a[0], static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()));
         return status::ok;
       }, true}},
      {"proxy_define_metric", {4, [](proxy_vm& vm, args_t a) {
         if (a[0] > 2) return status::bad_argument;
         const std::string name(vm.bounded(vm.read(a[1], a[2])));
         if (vm.metrics.size() >= 10000) return status::bad_argument;
         vm.grow_state(name.size() + sizeof(proxy_vm::metric));
         vm.metrics.push_back({u32(a[0]), name, 0});
         vm.write_u32(a[3], static_cast<std::uint32_t>(vm.metrics.size()));
         return status::ok;
       }}},
      {"proxy_increment_metric", {2, [](proxy_vm& vm, args_t a) {
         if (a[0] == 0 || a[0] > vm.metrics.size()) return status::not_found;
         auto& m = vm.metrics[a[0] - 1];
         if (m.type == 2) return status::bad_argument;
         m.value = static_cast<std::int64_t>(static_cast<std::uint64_t>(m.value) + a[1]);
         return status::ok;
       }}},
      {"proxy_record_metric", {2, [](proxy_vm& vm, args_t a) {
         if (a[0] == 0 || a[0] > vm.metrics.size()) return status::not_found;
         vm.metrics[a[0] - 1].value = static_cast<std::int64_t>(a[1]);
         return status::ok;
       }}},
      {"proxy_get_metric", {2, [](proxy_vm& vm, args_t a) {
         if (a[0] == 0 || a[0] > vm.metrics.size()) return status::not_found;
         if (vm.metrics[a[0] - 1].type == 2) return status::bad_argument;
         vm.write_u64(a[1], static_cast<std::uint64_t>(vm.metrics[a[0] - 1].value));
         return status::ok;
       }}},
  };
  return t;
}

}  // namespace

std::optional<std::size_t> abi_arity(const std::string& name) {
  const auto& t = table();
  auto it = t.find(name);
  if (it == t.end()) {
    if (name == "pthread_equal") return 2;
    if (name == "emscripten_notify_memory_growth") return 1;
    return std::nullopt;
  }
  return it->second.arity;
}

host_callback resolve_abi_function(proxy_vm& vm, const std::string& name, const func_signature& type) {
  if (name == "pthread_equal" && type.params.size() == 2) {
    return [](const std::uint64_t* a, std::uint64_t* r) { r[0] = u32(a[0]) == u32(a[1]); };
  }
  if (name == "emscripten_notify_memory_growth" && type.params.size() == 1) {
    return [](const std::uint64_t*, std::uint64_t*) {};
  }
  // Registered per the declared ABI, from the same table inspect uses.
  switch (detail::classify_proxy_import(name)) {
    case detail::host_function::unknown: return {};
    case detail::host_function::abi_specific: {
      const auto abis = detail::abis_providing(name);
      if (std::find(abis.begin(), abis.end(), vm.abi) == abis.end()) return {};
      break;
    }
    case detail::host_function::common: break;
  }
  const auto& t = table();
  auto it = t.find(name);
  if (it == t.end() || type.params.size() != it->second.arity || type.results.size() > 1) return {};
  const abi_function* f = &it->second;
  const bool has_result = !type.results.empty();
  return [&vm, f, name, has_result](const std::uint64_t* a, std::uint64_t* r) {
    // A host function calls into the guest only through copy_out (its allocator). The guest may
    // call the host from there: such a call could change or free the state the outer call is
    // copying (a queue entry, a header value) and could recurse without bound, so only functions
    // that touch no host state (logging, log level, clock) are served; any other one traps.
    if (vm.host_depth > 0 && !f->during_start) {
      throw guest_trap(fmt::format("{} called from inside another host function (through the module's allocator); "
                                   "the host refuses re-entrant calls",
                                   name));
    }
    vm.check_deadline();
    status s = status::ok;
    if (vm.starting && !f->during_start) {
      vm.log("warn", fmt::format("[host] {} called during start-up; the proxy allows only logging, clocks, random "
                                 "and environment then",
                                 name));
      s = status::internal_failure;
    } else {
      struct depth_guard {
        proxy_vm& vm;
        std::uint64_t touched;
        explicit depth_guard(proxy_vm& v) : vm(v), touched(v.touched_bytes) {
          ++vm.host_depth;
          vm.touched_bytes = 0;
        }
        ~depth_guard() {
          --vm.host_depth;
          vm.touched_bytes += touched;
        }
      } guard(vm);
      try {
        s = f->impl(vm, a);
      } catch (const status_error& e) {
        s = e.code;
      }
      // Cost proportional to the work: one unit per call and per 8 bytes of guest memory it touched.
      vm.charge(1 + vm.touched_bytes / 8);
    }
    if (has_result) r[0] = static_cast<std::uint32_t>(s);
  };
}

std::string serialize_pairs(const header_list& pairs) {
  std::string out;
  auto put = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(static_cast<std::uint32_t>(pairs.size()));
  for (const auto& [k, v] : pairs) {
    put(static_cast<std::uint32_t>(k.size()));
    put(static_cast<std::uint32_t>(v.size()));
  }
  for (const auto& [k, v] : pairs) {
    out += k;
    out.push_back('\0');
    out += v;
    out.push_back('\0');
  }
  return out;
}

header_list deserialize_pairs(std::string_view data) {
  header_list out;
  if (data.empty()) return out;
  auto get = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[at + i])) << (8 * i);
    return v;
  };
  if (data.size() < 4) throw status_error{status::serialization_failure};
  const std::uint64_t n = get(0);
  if (n > (data.size() - 4) / 8) throw status_error{status::serialization_failure};
  std::size_t pos = 4 + n * 8;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t klen = get(4 + i * 8), vlen = get(8 + i * 8);
    if (klen + vlen + 2 > data.size() - pos) throw status_error{status::serialization_failure};
    std::string k(data.substr(pos, klen));
    pos += klen + 1;
    std::string v(data.substr(pos, vlen));
    pos += vlen + 1;
    out.emplace_back(std::move(k), std::move(v));
  }
  return out;
}

}  // namespace wasmdeploy::host
