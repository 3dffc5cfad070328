// Every size and count limit applied while parsing untrusted input, in one place.
//
// Each limit can be overridden at build time (-DWD_MAX_WASM_MODULE_BYTES=...). The defaults are
// far above what real proxy-wasm filters need; they exist so that a hostile or corrupt file
// cannot make the parser allocate or loop without bound.
#pragma once

#include <cstdint>

// --- WebAssembly modules ----------------------------------------------------------------

/// Largest .wasm module accepted (bytes). Real filters are a few MiB; Envoy's own cap is 1 GiB.
#ifndef WD_MAX_WASM_MODULE_BYTES
#define WD_MAX_WASM_MODULE_BYTES (UINT64_C(1) << 30)
#endif

/// Most sections (standard + custom) in one module. The standard ones are at most 13.
#ifndef WD_MAX_WASM_SECTIONS
#define WD_MAX_WASM_SECTIONS 10000u
#endif

/// Most entries in the import section.
#ifndef WD_MAX_WASM_IMPORTS
#define WD_MAX_WASM_IMPORTS 100000u
#endif

/// Most entries in the export section.
#ifndef WD_MAX_WASM_EXPORTS
#define WD_MAX_WASM_EXPORTS 100000u
#endif

/// Most entries counted in the function, memory and type sections.
#ifndef WD_MAX_WASM_FUNCTIONS
#define WD_MAX_WASM_FUNCTIONS 10000000u
#endif

/// Longest name (import module/field, export, custom-section name, producers strings), bytes.
#ifndef WD_MAX_WASM_NAME_BYTES
#define WD_MAX_WASM_NAME_BYTES 65536u
#endif

/// Most fields / values in a `producers` custom section.
#ifndef WD_MAX_WASM_PRODUCERS_ENTRIES
#define WD_MAX_WASM_PRODUCERS_ENTRIES 1000u
#endif

/// LEB128 widths fixed by the WebAssembly spec: ceil(32/7) and ceil(64/7) bytes.
#ifndef WD_MAX_LEB128_BYTES_U32
#define WD_MAX_LEB128_BYTES_U32 5u
#endif
#ifndef WD_MAX_LEB128_BYTES_U64
#define WD_MAX_LEB128_BYTES_U64 10u
#endif

// --- Spec files ---------------------------------------------------------------------------
#ifndef WD_MAX_SPEC_BYTES
/// Largest spec file accepted.
#define WD_MAX_SPEC_BYTES (64u * 1024u * 1024u)
#endif
#ifndef WD_MAX_SPEC_DEPTH
/// Deepest nesting of mappings/sequences (plugin configuration included).
#define WD_MAX_SPEC_DEPTH 64
#endif
#ifndef WD_MAX_JSON_DEPTH
/// Deepest nesting of JSON text from outside: workload annotations, --config-json and the run
/// options' config_json, an image layout's index.json and manifests.
#define WD_MAX_JSON_DEPTH 64
#endif
#ifndef WD_MAX_ALIAS_EXPANSION_BYTES
/// Most scalar bytes YAML aliases may replay in one document: a small spec whose aliases
/// repeat a big anchored string would otherwise build gigabytes.
#define WD_MAX_ALIAS_EXPANSION_BYTES (64u * 1024u * 1024u)
#endif
#ifndef WD_MAX_SPEC_NODES
/// Most YAML nodes visited while reading one spec (bounds alias expansion).
#define WD_MAX_SPEC_NODES 2000000u
#endif
#ifndef WD_MAX_STRING_BYTES
/// Longest single string value in a spec.
#define WD_MAX_STRING_BYTES (1024u * 1024u)
#endif

// --- Counts in one spec --------------------------------------------------------------------------
// A spec file is already bounded by WD_MAX_SPEC_NODES, but specs built in code (C++, C API,
// Python) are not, and the number of rendered resources is a product of these counts.
#ifndef WD_MAX_FILTERS
/// Most filters in one spec.
#define WD_MAX_FILTERS 10000u
#endif
#ifndef WD_MAX_TARGETS
/// Most targets in one spec.
#define WD_MAX_TARGETS 100000u
#endif
#ifndef WD_MAX_WORKLOADS
/// Most workloads listed in one target (the bulk-render benchmark uses 50 000).
#define WD_MAX_WORKLOADS 200000u
#endif
#ifndef WD_MAX_ENV_ENTRIES
/// Most env entries of one filter.
#define WD_MAX_ENV_ENTRIES 1000u
#endif
#ifndef WD_MAX_PLACEMENTS
/// Most (filter, workload or target) pairs, i.e. EnvoyFilters/WasmPlugins rendered for one spec:
/// 1000 filters on 1000 workloads would otherwise make a million resources from 2000 inputs.
#define WD_MAX_PLACEMENTS 1000000u
#endif
#ifndef WD_MAX_IMPORT_DOCUMENTS
/// Most YAML documents read from one `convert` input (each is parsed on its own, so
/// WD_MAX_SPEC_NODES bounds one document, not the stream; the stream itself is bounded by
/// WD_MAX_SPEC_BYTES).
#define WD_MAX_IMPORT_DOCUMENTS 100000u
#endif

// --- Kubernetes constraints the renderer enforces --------------------------------------------
#ifndef WD_MAX_CONFIGMAP_BYTES
/// A ConfigMap (and so a module delivered in one) is limited to 1 MiB by the API server.
#define WD_MAX_CONFIGMAP_BYTES (1024u * 1024u)
#endif
