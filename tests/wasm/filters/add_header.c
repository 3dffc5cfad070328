// A real proxy-wasm 0.2.1 filter that adds `hello: world!` to every response, like the seeds'
// add-header example. It is written against hand-declared host imports (no SDK), so that a real
// toolchain — Debian's clang + wasm-ld — produces the module the inspector has to understand.
#include <stddef.h>
#include <stdint.h>

#define WD_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define WD_EXPORT(name) __attribute__((export_name(#name)))

WD_IMPORT(proxy_add_header_map_value)
int32_t proxy_add_header_map_value(int32_t map_type, const char* key, size_t key_size,
                                   const char* value, size_t value_size);
WD_IMPORT(proxy_log) int32_t proxy_log(int32_t level, const char* message, size_t size);
WD_IMPORT(proxy_get_log_level) int32_t proxy_get_log_level(int32_t* level);

enum { kMapHttpResponseHeaders = 2, kLogInfo = 2, kFilterContinue = 0 };

// The host copies header values and configuration into memory it obtains from us; a bump
// allocator is enough for a filter that never frees.
static unsigned char heap[64 * 1024];
static size_t heap_used;

WD_EXPORT(malloc) void* wd_malloc(size_t size) {
  size = (size + 7u) & ~(size_t)7u;
  if (size > sizeof heap - heap_used) return NULL;
  void* p = heap + heap_used;
  heap_used += size;
  return p;
}

WD_EXPORT(proxy_on_memory_allocate) void* wd_on_memory_allocate(size_t size) { return wd_malloc(size); }

WD_EXPORT(proxy_abi_version_0_2_1) void wd_abi_version(void) {}

WD_EXPORT(proxy_on_context_create) void wd_on_context_create(uint32_t context_id, uint32_t parent_id) {
  (void)context_id;
  (void)parent_id;
}

WD_EXPORT(proxy_on_vm_start) uint32_t wd_on_vm_start(uint32_t root_id, uint32_t config_size) {
  (void)root_id;
  (void)config_size;
  int32_t level = 0;
  if (proxy_get_log_level(&level) == 0 && level <= kLogInfo) {
    static const char msg[] = "add_header filter started";
    proxy_log(kLogInfo, msg, sizeof msg - 1);
  }
  return 1;
}

WD_EXPORT(proxy_on_configure) uint32_t wd_on_configure(uint32_t root_id, uint32_t config_size) {
  (void)root_id;
  (void)config_size;
  return 1;
}

WD_EXPORT(proxy_on_response_headers)
uint32_t wd_on_response_headers(uint32_t context_id, uint32_t headers, uint32_t end_of_stream) {
  (void)context_id;
  (void)headers;
  (void)end_of_stream;
  static const char key[] = "hello";
  static const char value[] = "world!";
  proxy_add_header_map_value(kMapHttpResponseHeaders, key, sizeof key - 1, value, sizeof value - 1);
  return kFilterContinue;
}
