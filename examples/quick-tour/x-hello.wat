;; A proxy-wasm filter (ABI 0.2.1) that adds "x-hello: Hello from wasmdeploy" to every HTTP
;; response. Written in WebAssembly text so the repository holds no opaque binary:
;;   wat2wasm x-hello.wat -o x-hello.wasm
(module
  ;; proxy_add_header_map_value(map_type, key_ptr, key_size, value_ptr, value_size) -> status
  (import "env" "proxy_add_header_map_value"
    (func $add_header (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 1024) "x-hello")
  (data (i32.const 1040) "Hello from wasmdeploy")
  ;; Bump allocator for the host's copies into guest memory.
  (global $heap (mut i32) (i32.const 4096))

  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.and (i32.add (local.get $size) (i32.const 7)) (i32.const -8))))
    (local.get $ptr))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  ;; map type 2 = HTTP response headers; returns Action::Continue (0).
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (drop (call $add_header (i32.const 2) (i32.const 1024) (i32.const 7) (i32.const 1040) (i32.const 21)))
    (i32.const 0))
  (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param i32)))
