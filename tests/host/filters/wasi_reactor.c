// A proxy-wasm 0.2.1 filter built against wasi-libc as a WASI reactor (clang
// --target=wasm32-wasi -mexec-model=reactor): the host must run _initialize (static
// constructors), give it malloc from libc, route printf/fprintf to the log (stdout info, stderr
// error), and pass the VM's environment. It copies the env var GREETING into a response header.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(proxy_add_header_map_value)
int32_t proxy_add_header_map_value(int32_t map, const char* k, size_t ks, const char* v, size_t vs);

static const char* greeting;

__attribute__((constructor)) static void init(void) {
  greeting = getenv("GREETING");
  if (!greeting) greeting = "unset";
}

EXPORT(proxy_abi_version_0_2_1) void abi(void) {}

EXPORT(proxy_on_vm_start) uint32_t on_vm_start(uint32_t root, uint32_t size) {
  printf("wasi filter started (root %u, vm config %u bytes)\n", root, size);
  fflush(stdout);
  return 1;
}

EXPORT(proxy_on_configure) uint32_t on_configure(uint32_t root, uint32_t size) {
  (void)root;
  fprintf(stderr, "configured with %u bytes\n", size);
  return 1;
}

EXPORT(proxy_on_context_create) void on_context_create(uint32_t id, uint32_t root) {
  (void)id;
  (void)root;
}

EXPORT(proxy_on_response_headers) uint32_t on_response_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  (void)ctx;
  (void)n;
  (void)eos;
  char* copy = strdup(greeting);  // libc malloc, the allocator the host also uses
  proxy_add_header_map_value(2, "x-greeting", 10, copy, strlen(copy));
  free(copy);
  return 0;
}
