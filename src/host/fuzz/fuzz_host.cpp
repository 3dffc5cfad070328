// libFuzzer entry point for the embedded proxy-wasm host. Two kinds of input:
//  - a module ("\0asm" prefix): malformed and odd modules through load, the limits rewriter,
//    the engine and the lifecycle;
//  - anything else: a script of hostile guest calls. The input becomes a module whose
//    proxy_on_vm_start calls host functions (every env function of ABI 0.2.1 and the WASI
//    ones) with i32 arguments taken from the input (out-of-bounds pointers, huge sizes), runs
//    bulk memory instructions (memory.fill / memory.copy of input-chosen sizes), and whose
//    malloc returns a pointer the input chooses, after calling back into the host when the
//    input says so (allocator re-entry). A script may also make the module invalid in a way the
//    budget rewriter would hide (`global.set 0` without globals): it must then not load.
// The input's last bytes (after a 0xff byte, when there is one) are also the run's
// configuration: as config_json when they are JSON the host re-serialises (else as raw plugin
// configuration bytes), so the configuration readers run alongside the module.
// Any input must end in a run_result; a crash, sanitizer report or exception is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/run.hpp>

#include "host/limits_rewrite.hpp"
#include "spec/fuzz/fuzz_support.hpp"

namespace {

struct import_fn {
  const char* module;
  const char* name;
  unsigned arity;
};

const import_fn kImports[] = {
    {"env", "proxy_log", 3}, {"env", "proxy_get_log_level", 1}, {"env", "proxy_get_status", 3},
    {"env", "proxy_set_effective_context", 1}, {"env", "proxy_done", 0}, {"env", "proxy_call_foreign_function", 6},
    {"env", "proxy_get_property", 4}, {"env", "proxy_set_property", 4}, {"env", "proxy_continue_stream", 1},
    {"env", "proxy_close_stream", 1}, {"env", "proxy_send_local_response", 8},
    {"env", "proxy_get_header_map_value", 5}, {"env", "proxy_add_header_map_value", 5},
    {"env", "proxy_replace_header_map_value", 5}, {"env", "proxy_remove_header_map_value", 3},
    {"env", "proxy_get_header_map_pairs", 3}, {"env", "proxy_set_header_map_pairs", 3},
    {"env", "proxy_get_header_map_size", 2}, {"env", "proxy_get_buffer_status", 3},
    {"env", "proxy_get_buffer_bytes", 5}, {"env", "proxy_set_buffer_bytes", 5}, {"env", "proxy_http_call", 10},
    {"env", "proxy_grpc_call", 12}, {"env", "proxy_grpc_stream", 9}, {"env", "proxy_grpc_send", 4},
    {"env", "proxy_grpc_cancel", 1}, {"env", "proxy_grpc_close", 1}, {"env", "proxy_get_shared_data", 5},
    {"env", "proxy_set_shared_data", 5}, {"env", "proxy_register_shared_queue", 3},
    {"env", "proxy_resolve_shared_queue", 5}, {"env", "proxy_dequeue_shared_queue", 3},
    {"env", "proxy_enqueue_shared_queue", 3}, {"env", "proxy_set_tick_period_milliseconds", 1},
    {"env", "proxy_get_current_time_nanoseconds", 1}, {"env", "proxy_define_metric", 4},
    {"env", "proxy_increment_metric", 2}, {"env", "proxy_record_metric", 2}, {"env", "proxy_get_metric", 2},
    {"wasi_snapshot_preview1", "fd_write", 4}, {"wasi_snapshot_preview1", "random_get", 2},
    {"wasi_snapshot_preview1", "environ_get", 2}, {"wasi_snapshot_preview1", "environ_sizes_get", 2},
    {"wasi_snapshot_preview1", "fd_fdstat_get", 2}, {"wasi_snapshot_preview1", "args_sizes_get", 2},
};
constexpr unsigned kImportCount = sizeof kImports / sizeof kImports[0];
constexpr unsigned kMaxArity = 12;

void leb(std::string& out, std::uint64_t v) { wasmdeploy::host::append_uleb(out, v); }
void sleb(std::string& out, std::int64_t v) { wasmdeploy::host::append_sleb(out, v); }

void name(std::string& out, std::string_view s) {
  leb(out, s.size());
  out += s;
}

void section(std::string& out, std::uint8_t id, const std::string& payload) {
  out.push_back(static_cast<char>(id));
  leb(out, payload.size());
  out += payload;
}

struct input_reader {
  std::string_view in;
  std::size_t pos = 0;
  std::uint8_t byte() { return pos < in.size() ? static_cast<std::uint8_t>(in[pos++]) : 0; }
  std::uint32_t word() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(byte()) << (8 * i);
    return v;
  }
  bool more() const { return pos < in.size(); }
};

// Types 0..12: (i32 x n) -> i32; 13: () -> ().
std::string hostile_module(std::string_view script, bool& invalid) {
  input_reader r{script};
  const std::uint32_t malloc_result = r.word();
  // Allocator re-entry: a byte >= 128 makes malloc call a host function (with input arguments)
  // before it returns.
  const std::uint8_t reenter = r.byte();
  std::string reentry;
  if (reenter >= 128) {
    const unsigned which = reenter % kImportCount;
    for (unsigned a = 0; a < kImports[which].arity; ++a) {
      reentry += '\x41';
      sleb(reentry, static_cast<std::int32_t>(r.word()));
    }
    reentry += '\x10';
    leb(reentry, which);
    reentry += '\x1a';
  }
  std::string m("\0asm\x01\0\0\0", 8), p;
  leb(p, kMaxArity + 2);
  for (unsigned n = 0; n <= kMaxArity; ++n) {
    p += '\x60';
    leb(p, n);
    p.append(n, '\x7f');
    p += "\x01\x7f";
  }
  p += std::string("\x60\x00\x00", 3);
  section(m, 1, p);
  p.clear();
  leb(p, kImportCount);
  for (const auto& f : kImports) {
    name(p, f.module);
    name(p, f.name);
    p += '\0';
    leb(p, f.arity);
  }
  section(m, 2, p);
  section(m, 3, std::string("\x03\x01\x0d\x02", 4));  // malloc, abi marker, on_vm_start
  section(m, 5, std::string("\x01\x01\x01\x02", 4));  // one memory, 1..2 pages
  p.clear();
  leb(p, 4);
  name(p, "memory"), p += '\x02', leb(p, 0);
  name(p, "malloc"), p += '\0', leb(p, kImportCount);
  name(p, "proxy_abi_version_0_2_1"), p += '\0', leb(p, kImportCount + 1);
  name(p, "proxy_on_vm_start"), p += '\0', leb(p, kImportCount + 2);
  section(m, 7, p);
  std::string bodies;
  leb(bodies, 3);
  std::string body(1, '\0');  // malloc: no locals, [re-entry], i32.const <input>, end
  body += reentry;
  body += '\x41';
  sleb(body, static_cast<std::int32_t>(malloc_result));
  body += '\x0b';
  leb(bodies, body.size());
  bodies += body;
  bodies += std::string("\x02\x00\x0b", 3);
  body.assign(1, '\0');
  for (int calls = 0; calls < 64 && r.more(); ++calls) {
    const unsigned which = r.byte() % (kImportCount + 3);
    if (which == kImportCount || which == kImportCount + 1) {  // memory.fill / memory.copy d, v|s, n
      for (int a = 0; a < 3; ++a) {
        body += '\x41';
        sleb(body, static_cast<std::int32_t>(r.word()));
      }
      body += which == kImportCount ? std::string("\xfc\x0b\x00", 3) : std::string("\xfc\x0a\x00\x00", 4);
      continue;
    }
    if (which == kImportCount + 2) {  // global.set 0 with no global: invalid before rewriting
      body += "\x42";
      sleb(body, static_cast<std::int64_t>(r.word()));
      body += "\x24\x00";
      invalid = true;
      continue;
    }
    for (unsigned a = 0; a < kImports[which].arity; ++a) {
      body += '\x41';
      sleb(body, static_cast<std::int32_t>(r.word()));
    }
    body += '\x10';
    leb(body, which);
    body += '\x1a';  // drop
  }
  body += "\x41\x01\x0b";
  leb(bodies, body.size());
  bodies += body;
  section(m, 10, bodies);
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  wasmdeploy::run_options o;
  o.root_id = "fuzz";
  o.plugin_config = "cfg";
  if (const auto mark = in.rfind('\xff'); mark != std::string_view::npos && in.substr(0, 4) != std::string_view("\0asm", 4)) {
    const std::string config(in.substr(mark + 1));
    try {
      wasmdeploy::set_run_option(o, "config_json", config);
      wasmdeploy::fuzz::note_reached("config_json: ok");
    } catch (const wasmdeploy::error& e) {
      o.plugin_config = config;
      wasmdeploy::fuzz::note_reached("config_json: " + e.code());
    }
  }
  o.instruction_budget = 200000;
  o.max_memory_bytes = 16u << 20;
  o.timeout_ms = 2000;
  o.request_body = "body";
  const bool is_module = in.substr(0, 4) == std::string_view("\0asm", 4);
  bool invalid = false;
  const std::string module = is_module ? std::string(in) : hostile_module(in, invalid);
  try {
    const auto r = wasmdeploy::run_module(module, o);
    if (!r.loaded) wasmdeploy::fuzz::note_reached("not loaded: " + r.trap.value_or(""));
    if (r.trap) wasmdeploy::fuzz::note_reached("trap in " + r.trap_phase + ": " + *r.trap);
    if (r.configured) wasmdeploy::fuzz::note_reached("configured");
    (void)wasmdeploy::format_run_json(r);
    (void)wasmdeploy::format_run_text(r);
    // A script module is valid unless the script made it invalid: then it must not load; else it
    // must load and start (its calls may fail or trap the guest, never the host).
    if (!is_module && r.loaded == invalid) std::abort();
  } catch (...) {
    std::abort();
  }
  return 0;
}
