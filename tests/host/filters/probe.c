// A proxy-wasm filter for the host tests, compiled once per ABI (-DPROBE_ABI=10, 20 or 21) with
// clang --target=wasm32 -nostdlib. The plugin configuration picks what it does, so one module
// covers every callback, traps, local replies, refused configs, outbound calls and hostile
// calls into the host (out-of-bounds pointers, huge sizes):
//   ""/"ok"        adds x-probe-* headers in every callback and logs each one
//   "reject"       proxy_on_configure returns false
//   "trap:<cb>"    executes `unreachable` in callback <cb> (configure, request, response, ...)
//   "deny"         answers the request with a local 403 reply
//   "call"         makes an http call on request headers, pauses, continues in the response
//   "hostile"      calls host functions with out-of-bounds pointers and huge sizes and records
//                  the statuses in the x-probe-hostile response header
//   "spin"         loops forever in on_request_headers (the instruction budget stops it)
//   "grow"         grows memory until memory.grow fails, reports the page count
#include <stddef.h>
#include <stdint.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(proxy_log) int32_t proxy_log(int32_t level, const char* msg, size_t size);
IMPORT(proxy_get_buffer_bytes)
int32_t proxy_get_buffer_bytes(int32_t type, int32_t start, int32_t length, const char** ptr, size_t* size);
IMPORT(proxy_add_header_map_value)
int32_t proxy_add_header_map_value(int32_t map, const char* k, size_t ks, const char* v, size_t vs);
IMPORT(proxy_get_header_map_value)
int32_t proxy_get_header_map_value(int32_t map, const char* k, size_t ks, const char** v, size_t* vs);
IMPORT(proxy_replace_header_map_value)
int32_t proxy_replace_header_map_value(int32_t map, const char* k, size_t ks, const char* v, size_t vs);
IMPORT(proxy_get_property) int32_t proxy_get_property(const char* p, size_t ps, const char** v, size_t* vs);
IMPORT(proxy_send_local_response)
int32_t proxy_send_local_response(int32_t status, const char* d, size_t ds, const char* b, size_t bs,
                                  const char* h, size_t hs, int32_t grpc);
IMPORT(proxy_http_call)
int32_t proxy_http_call(const char* up, size_t ups, const char* h, size_t hs, const char* b, size_t bs,
                        const char* t, size_t ts, uint32_t timeout, uint32_t* token);
IMPORT(proxy_set_buffer_bytes)
int32_t proxy_set_buffer_bytes(int32_t type, int32_t start, int32_t length, const char* d, size_t ds);
IMPORT(proxy_define_metric) int32_t proxy_define_metric(int32_t type, const char* n, size_t ns, uint32_t* id);
IMPORT(proxy_increment_metric) int32_t proxy_increment_metric(uint32_t id, int64_t offset);
#if PROBE_ABI == 10
IMPORT(proxy_continue_request) int32_t proxy_continue_request(void);
IMPORT(proxy_get_configuration) int32_t proxy_get_configuration(const char** ptr, size_t* size);
#else
IMPORT(proxy_continue_stream) int32_t proxy_continue_stream(int32_t stream);
#endif
#if PROBE_ABI == 21
IMPORT(proxy_get_log_level) int32_t proxy_get_log_level(int32_t* level);
#endif

enum { REQ_HEADERS = 0, RESP_HEADERS = 2, CALL_RESP_HEADERS = 6, REQ_BODY = 0, RESP_BODY = 1, PLUGIN_CONFIG = 7 };

static unsigned char heap[256 * 1024];
static size_t heap_used;
EXPORT(malloc) void* probe_malloc(size_t n) {
  n = (n + 7u) & ~(size_t)7u;
  if (n > sizeof heap - heap_used) return NULL;
  void* p = heap + heap_used;
  heap_used += n;
  return p;
}

#if PROBE_ABI == 10
EXPORT(proxy_abi_version_0_1_0) void abi(void) {}
#elif PROBE_ABI == 20
EXPORT(proxy_abi_version_0_2_0) void abi(void) {}
#else
EXPORT(proxy_abi_version_0_2_1) void abi(void) {}
#endif

static size_t len(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}
static int eq(const char* a, size_t an, const char* b) {
  size_t bn = len(b);
  if (an != bn) return 0;
  for (size_t i = 0; i < an; ++i)
    if (a[i] != b[i]) return 0;
  return 1;
}
static int starts(const char* a, size_t an, const char* b) {
  size_t bn = len(b);
  if (an < bn) return 0;
  for (size_t i = 0; i < bn; ++i)
    if (a[i] != b[i]) return 0;
  return 1;
}
static void say(const char* s) { proxy_log(2, s, len(s)); }
static void header(int map, const char* k, const char* v) { proxy_add_header_map_value(map, k, len(k), v, len(v)); }
static char* utoa(uint32_t v, char* buf) {
  char tmp[12];
  int n = 0;
  do tmp[n++] = (char)('0' + v % 10); while (v /= 10);
  int i = 0;
  while (n) buf[i++] = tmp[--n];
  buf[i] = 0;
  return buf;
}

static const char* config = "";
static size_t config_size;
static uint32_t call_token;

static void maybe_trap(const char* where) {
  if (starts(config, config_size, "trap:") && eq(config + 5, config_size - 5, where)) __builtin_trap();
}

EXPORT(proxy_on_context_create) void on_context_create(uint32_t id, uint32_t root) {
  (void)id;
  say(root ? "on_context_create stream" : "on_context_create root");
}

EXPORT(proxy_on_vm_start) uint32_t on_vm_start(uint32_t root, uint32_t size) {
  (void)root;
  (void)size;
#if PROBE_ABI == 21
  int32_t level = -1;
  if (proxy_get_log_level(&level) == 0 && level == 0) say("log level trace");
#endif
  say("on_vm_start");
  return 1;
}

EXPORT(proxy_on_configure) uint32_t on_configure(uint32_t root, uint32_t size) {
  (void)root;
  config = "";
  config_size = 0;
#if PROBE_ABI == 10
  if (size) proxy_get_configuration(&config, &config_size);
#else
  if (size) proxy_get_buffer_bytes(PLUGIN_CONFIG, 0, (int32_t)size, &config, &config_size);
#endif
  say("on_configure");
  maybe_trap("configure");
  if (eq(config, config_size, "reject")) {
    say("configuration rejected");
    return 0;
  }
  uint32_t id = 0;
  proxy_define_metric(0, "probe_configured", 16, &id);
  proxy_increment_metric(id, 1);
#ifdef PROBE_PADDING
  uint32_t sum = 0;  // touch the padding so it stays in the module
  for (size_t i = 0; i < sizeof probe_padding; i += 4096) sum += probe_padding[i];
  proxy_increment_metric(id, sum);
#endif
  return 1;
}

static uint32_t hostile(void) {
  // Each status goes into a digit of the result: 6 = InvalidMemoryAccess, 2 = BadArgument...
  const char* v;
  size_t vs;
  uint32_t r = 0;
  r = r * 16 + (uint32_t)proxy_log(2, (const char*)0xfffffff0u, 64);                 // past the end
  r = r * 16 + (uint32_t)proxy_log(2, "x", 0x7fffffff);                               // huge size
  r = r * 16 + (uint32_t)proxy_get_header_map_value(0, ":path", 5, (const char**)0xfffffffcu, &vs);
  r = r * 16 + (uint32_t)proxy_add_header_map_value(99, "k", 1, "v", 1);              // no such map
  r = r * 16 + (uint32_t)proxy_get_buffer_bytes(REQ_BODY, 0, 16, &v, (size_t*)0xffffffffu);
  r = r * 16 + (uint32_t)proxy_send_local_response(500, "x", 1, "y", 1, "\x05\x00\x00\x00", 4, -1);  // bad pairs
  r = r * 16 + (uint32_t)proxy_get_property("no.such.property", 16, &v, &vs);
  return r;
}

static char hexbuf[12];
static const char* hex(uint32_t v) {
  for (int i = 7; i >= 0; --i) {
    hexbuf[i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  }
  hexbuf[8] = 0;
  return hexbuf;
}

static void spin(void) {
  volatile uint32_t x = 0;
  for (;;) x++;
}

#if PROBE_ABI == 10
EXPORT(proxy_on_request_headers) uint32_t on_request_headers(uint32_t ctx, uint32_t n) {
#else
EXPORT(proxy_on_request_headers) uint32_t on_request_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  (void)eos;
#endif
  (void)ctx;
  char buf[12];
  say("on_request_headers");
  maybe_trap("request");
  header(REQ_HEADERS, "x-probe-request-headers", utoa(n, buf));
  proxy_add_header_map_value(REQ_HEADERS, "x-probe-config", 14, config, config_size);
  const char* path;
  size_t path_size;
  if (proxy_get_header_map_value(REQ_HEADERS, ":path", 5, &path, &path_size) == 0) {
    proxy_replace_header_map_value(REQ_HEADERS, "x-probe-path", 12, path, path_size);
  }
  const char* root;
  size_t root_size;
  if (proxy_get_property("plugin_root_id", 14, &root, &root_size) == 0) {
    proxy_add_header_map_value(REQ_HEADERS, "x-probe-root-id", 15, root, root_size);
  }
  if (eq(config, config_size, "deny")) {
    static const char headers[] = "\x01\x00\x00\x00\x06\x00\x00\x00\x02\x00\x00\x00x-deny\0no\0";
    proxy_send_local_response(403, "probe_denied", 12, "denied by probe", 15, headers, sizeof headers - 1, -1);
    return 1;
  }
  if (eq(config, config_size, "call")) {
    static const char hs[] = "\x01\x00\x00\x00\x05\x00\x00\x00\x04\x00\x00\x00:path\0/chk\0";
    proxy_http_call("authz", 5, hs, sizeof hs - 1, "q", 1, "", 0, 500, &call_token);
    return 1;  // wait for the answer
  }
  if (eq(config, config_size, "spin")) spin();
  if (eq(config, config_size, "grow")) {
    uint32_t pages = 0;
    while (__builtin_wasm_memory_grow(0, 16) != (size_t)-1) pages += 16;
    header(REQ_HEADERS, "x-probe-grown-pages", utoa(pages, buf));
  }
  return 0;
}

EXPORT(proxy_on_http_call_response)
void on_http_call_response(uint32_t ctx, uint32_t token, uint32_t headers, uint32_t body, uint32_t trailers) {
  (void)ctx;
  (void)headers;
  (void)body;
  (void)trailers;
  const char* status;
  size_t status_size;
  if (token == call_token && proxy_get_header_map_value(CALL_RESP_HEADERS, ":status", 7, &status, &status_size) == 0) {
    proxy_add_header_map_value(REQ_HEADERS, "x-probe-call-status", 19, status, status_size);
  }
  const char* b;
  size_t bs;
  if (proxy_get_buffer_bytes(4, 0, 1024, &b, &bs) == 0) proxy_add_header_map_value(REQ_HEADERS, "x-probe-call-body", 17, b, bs);
#if PROBE_ABI == 10
  proxy_continue_request();
#else
  proxy_continue_stream(0);
#endif
}

EXPORT(proxy_on_request_body) uint32_t on_request_body(uint32_t ctx, uint32_t size, uint32_t eos) {
  (void)ctx;
  (void)eos;
  say("on_request_body");
  maybe_trap("request_body");
  proxy_set_buffer_bytes(REQ_BODY, (int32_t)size, 0, "+probe", 6);  // append
  return 0;
}

#if PROBE_ABI == 10
EXPORT(proxy_on_response_headers) uint32_t on_response_headers(uint32_t ctx, uint32_t n) {
#else
EXPORT(proxy_on_response_headers) uint32_t on_response_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  (void)eos;
#endif
  (void)ctx;
  (void)n;
  say("on_response_headers");
  maybe_trap("response");
  header(RESP_HEADERS, "x-probe-response", "seen");
  if (eq(config, config_size, "hostile")) header(RESP_HEADERS, "x-probe-hostile", hex(hostile()));
  return 0;
}

EXPORT(proxy_on_response_body) uint32_t on_response_body(uint32_t ctx, uint32_t size, uint32_t eos) {
  (void)ctx;
  (void)eos;
  say("on_response_body");
  proxy_set_buffer_bytes(RESP_BODY, 0, (int32_t)size, "rewritten", 9);  // replace
  return 0;
}

EXPORT(proxy_on_done) uint32_t on_done(uint32_t ctx) {
  (void)ctx;
  say("on_done");
  maybe_trap("done");
  return 1;
}
EXPORT(proxy_on_log) void on_log(uint32_t ctx) {
  (void)ctx;
  say("on_log");
}
EXPORT(proxy_on_delete) void on_delete(uint32_t ctx) {
  (void)ctx;
  say("on_delete");
}
