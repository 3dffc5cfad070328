;; Seed 004's failing module: built against proxy-wasm ABI 0.2.0 (it imports
;; env.proxy_continue_stream) and exporting only proxy_on_memory_allocate, no malloc.
;; The seed's gateway logged "Failed to load Wasm module due to a missing import:
;; env.proxy_continue_stream" and "Wasm module is missing malloc function".
;;   wat2wasm auth-wasm.wat -o auth-wasm.wasm
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_continue_stream" (func $continue (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_context_create") (param i32 i32)))
